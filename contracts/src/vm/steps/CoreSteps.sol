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
// The module's steps are more code than EIP-170 allows one contract beside the decoder, the
// encoder and the tree libraries every module carries, so CORE is five contracts, each a
// module of the router (`Route.coreModule`): `CoreSteps` (CORE: NextTx of given inputs,
// Bloom, Done), `CoreBeginSteps` (CORE_BEGIN), `CoreWarmSteps` (CORE_WARM),
// `CoreEnterSteps` (CORE_ENTER) and `CoreEndSteps` (CORE_END: End and Sweep). Each is a
// whole `IFaultVM` of its own phases: it decodes and checks the witness and refuses a step
// routed elsewhere as `Inconsistent(WRONG_MODULE)`.

import {IFaultVM} from "../../interfaces/IFaultVM.sol";
import {StepBase} from "../StepBase.sol";
import {Route} from "../Route.sol";
import {Io} from "../Io.sol";
import {WitnessDecoder} from "../WitnessDecoder.sol";
import {BlockOps} from "./BlockOps.sol";
import {TxOps} from "./TxOps.sol";
import {Machine, Tree, TxCtx} from "../Machine.sol";

/// @title CoreOps
/// @notice What the CORE contracts share: opening a step, the next given input.
library CoreOps {
    /// @notice Opens the witness and requires it to be a step of module `id` (CORE or
    ///         one of its parts).
    function open(bytes32 pre, bytes calldata witness, uint256 id) internal pure returns (Machine memory m) {
        m = StepBase.open(pre, witness);
        if (Route.moduleOf(m) != id) revert IFaultVM.Inconsistent(StepBase.WRONG_MODULE);
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
/// @notice The CORE module (Route.CORE): the next given input (or the block's end), the
///         bloom micro-steps, and the Done no-op (which a finished block pads its trace
///         with: post = pre). Its other phases are its parts' below.
contract CoreSteps is IFaultVM {
    /// @inheritdoc IFaultVM
    function step(bytes32 pre, bytes calldata witness) external pure returns (bytes32) {
        Machine memory m = CoreOps.open(pre, witness, Route.CORE);
        uint256 p = m.phase.tag;
        if (p == StepBase.NEXT_TX) {
            CoreOps.nextTx(m, witness);
        } else if (p == StepBase.BLOOM) {
            TxOps.bloom(m);
        } else if (p == StepBase.RUN) {
            // The router sends a running phase to CORE only without a frame.
            revert IFaultVM.Inconsistent(StepBase.NO_FRAME);
        }
        // Done: a finished block's step changes nothing.
        return StepBase.close(m);
    }
}

/// @title CoreBeginSteps
/// @notice A part of the CORE module (Route.CORE_BEGIN): tx-begin.
contract CoreBeginSteps is IFaultVM {
    /// @inheritdoc IFaultVM
    function step(bytes32 pre, bytes calldata witness) external pure returns (bytes32) {
        Machine memory m = CoreOps.open(pre, witness, Route.CORE_BEGIN);
        TxOps.txBegin(m);
        return StepBase.close(m);
    }
}

/// @title CoreWarmSteps
/// @notice A part of the CORE module (Route.CORE_WARM): the warm micro-steps of the
///         access list.
contract CoreWarmSteps is IFaultVM {
    /// @inheritdoc IFaultVM
    function step(bytes32 pre, bytes calldata witness) external pure returns (bytes32) {
        Machine memory m = CoreOps.open(pre, witness, Route.CORE_WARM);
        TxOps.warm(m);
        return StepBase.close(m);
    }
}

/// @title CoreEnterSteps
/// @notice A part of the CORE module (Route.CORE_ENTER): enter (the value transfer and
///         the first frame).
contract CoreEnterSteps is IFaultVM {
    /// @inheritdoc IFaultVM
    function step(bytes32 pre, bytes calldata witness) external pure returns (bytes32) {
        Machine memory m = CoreOps.open(pre, witness, Route.CORE_ENTER);
        TxOps.enter(m);
        return StepBase.close(m);
    }
}

/// @title CoreEndSteps
/// @notice A part of the CORE module (Route.CORE_END): tx-end and the sweep micro-steps.
contract CoreEndSteps is IFaultVM {
    /// @inheritdoc IFaultVM
    function step(bytes32 pre, bytes calldata witness) external pure returns (bytes32) {
        Machine memory m = CoreOps.open(pre, witness, Route.CORE_END);
        if (m.phase.tag == StepBase.END) TxOps.txEnd(m);
        else TxOps.sweep(m);
        return StepBase.close(m);
    }
}
