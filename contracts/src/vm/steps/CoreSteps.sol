// SPDX-License-Identifier: MIT
pragma solidity ^0.8.24;

// The CORE module of the verifier. Rust twin: the dispatch of `Machine::step`
// (crates/vm-core/src/step/mod.rs) for the phases NextTx (given inputs), Begin, Warm, Enter,
// End, Sweep, Bloom and Done; crates/vm-core/src/step/block.rs (`next_tx` for given inputs,
// with `first_writes` and `block_end` in BlockOps.sol) and crates/vm-core/src/step/tx.rs
// (TxOps.sol). Vectors: docs/vectors/vm/steps.json (next-tx, block-end, tx-begin,
// tx-begin-skipped, warm, enter-call, enter-create, tx-end, sweep, bloom, done-no-op) and
// inputs.json (the next-tx and tx-begin of each input kind), run by
// contracts/test/vm/CoreSteps.t.sol.
//
// The module's steps are more code than EIP-170 allows one contract beside the decoder and
// the encoder every module carries, so the module is an entry contract (`CoreSteps`, the
// address the router calls) and parts it forwards the call to unchanged by the phase of
// the witness it decoded (`CoreTxSteps`: Begin and Warm; `CoreFrameSteps`: Enter and End).
// Each part is a whole `IFaultVM` of its own phases (it decodes and checks the witness
// again and refuses another phase as `Inconsistent(WRONG_MODULE)`).

import {IFaultVM} from "../../interfaces/IFaultVM.sol";
import {StepBase} from "../StepBase.sol";
import {Route} from "../Route.sol";
import {Io} from "../Io.sol";
import {WitnessDecoder} from "../WitnessDecoder.sol";
import {BlockOps} from "./BlockOps.sol";
import {TxOps} from "./TxOps.sol";
import {Machine, Tree, TxCtx} from "../Machine.sol";

/// @title CoreOps
/// @notice What the CORE contracts share: opening a CORE step, and forwarding it.
library CoreOps {
    /// @notice Opens the witness and requires it to be a step of the CORE module.
    function open(bytes32 pre, bytes calldata witness) internal pure returns (Machine memory m) {
        m = StepBase.open(pre, witness);
        if (Route.moduleOf(m) != Route.CORE) revert IFaultVM.Inconsistent(StepBase.WRONG_MODULE);
    }

    /// @notice Forwards the call unchanged to `part` and returns its post or its error.
    function forward(address part) internal view returns (bytes32 post) {
        assembly ("memory-safe") {
            let p := mload(0x40)
            calldatacopy(p, 0, calldatasize())
            let ok := staticcall(gas(), part, p, calldatasize(), 0, 0)
            returndatacopy(p, 0, returndatasize())
            if iszero(ok) { revert(p, returndatasize()) }
            if iszero(eq(returndatasize(), 32)) { revert(0, 0) }
            post := mload(p)
        }
    }

    /// @notice `next_tx` for given inputs: the block's first writes before its first
    ///         input, then the block's end past the last, or input `next` from the inputs
    ///         tree with its preimage (a transaction context's canonical encoding).
    function nextTx(Machine memory m, bytes calldata witness) internal pure {
        uint256 i = m.acc.next;
        if (i == 0) BlockOps.firstWrites(m);
        if (i >= m.inputs.givenCount) {
            BlockOps.blockEnd(m);
            return;
        }
        Tree memory given;
        given.root = m.inputs.givenRoot;
        bytes memory w = Io.read(m.accesses, given, i * 32, 32);
        bytes32 word;
        assembly ("memory-safe") {
            word := mload(add(w, 32))
        }
        (uint256 at, uint256 len) = Io.preimage(m.accesses, word);
        uint256 base;
        assembly ("memory-safe") {
            base := witness.offset
        }
        TxCtx memory t = WitnessDecoder.txCtxAt(at, len, base);
        m.tx_ = t;
        m.hasTx = true;
        m.phase = TxOps.phaseOf(StepBase.BEGIN);
    }
}

/// @title CoreSteps
/// @notice The CORE module: the next given input or the block's end, tx-begin, warm,
///         enter, tx-end, sweep, bloom, and the Done no-op (the last of which a finished
///         block pads its trace with: post = pre).
contract CoreSteps is IFaultVM {
    /// @notice The part that takes tx-begin and warm.
    address public immutable txPart;
    /// @notice The part that takes enter and tx-end.
    address public immutable framePart;

    /// @param txPart_ A `CoreTxSteps`.
    /// @param framePart_ A `CoreFrameSteps`.
    constructor(address txPart_, address framePart_) {
        txPart = txPart_;
        framePart = framePart_;
    }

    /// @inheritdoc IFaultVM
    function step(bytes32 pre, bytes calldata witness) external view returns (bytes32) {
        Machine memory m = CoreOps.open(pre, witness);
        uint256 p = m.phase.tag;
        if (p == StepBase.BEGIN || p == StepBase.WARM) return CoreOps.forward(txPart);
        if (p == StepBase.ENTER || p == StepBase.END) return CoreOps.forward(framePart);
        if (p == StepBase.NEXT_TX) {
            CoreOps.nextTx(m, witness);
        } else if (p == StepBase.RUN) {
            // The router sends a running phase here only without a frame.
            revert IFaultVM.Inconsistent(StepBase.NO_FRAME);
        } else if (p == StepBase.SWEEP) {
            TxOps.sweep(m);
        } else if (p == StepBase.BLOOM) {
            TxOps.bloom(m);
        }
        // Done: a finished block's step changes nothing.
        return StepBase.close(m);
    }
}

/// @title CoreTxSteps
/// @notice A part of the CORE module: tx-begin and the warm micro-steps.
contract CoreTxSteps is IFaultVM {
    /// @inheritdoc IFaultVM
    function step(bytes32 pre, bytes calldata witness) external pure returns (bytes32) {
        Machine memory m = CoreOps.open(pre, witness);
        uint256 p = m.phase.tag;
        if (p == StepBase.BEGIN) TxOps.txBegin(m);
        else if (p == StepBase.WARM) TxOps.warm(m);
        else revert IFaultVM.Inconsistent(StepBase.WRONG_MODULE);
        return StepBase.close(m);
    }
}

/// @title CoreFrameSteps
/// @notice A part of the CORE module: enter (the first frame) and tx-end.
contract CoreFrameSteps is IFaultVM {
    /// @inheritdoc IFaultVM
    function step(bytes32 pre, bytes calldata witness) external pure returns (bytes32) {
        Machine memory m = CoreOps.open(pre, witness);
        uint256 p = m.phase.tag;
        if (p == StepBase.ENTER) TxOps.enter(m);
        else if (p == StepBase.END) TxOps.txEnd(m);
        else revert IFaultVM.Inconsistent(StepBase.WRONG_MODULE);
        return StepBase.close(m);
    }
}
