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
// address the router calls) that reads the witness's phase and forwards the call unchanged
// to one of five parts (`CoreBlockSteps`: NextTx, Bloom, Done; `CoreBeginSteps`;
// `CoreWarmSteps`; `CoreEnterSteps`; `CoreEndSteps`: End and Sweep). Each part is a whole
// `IFaultVM` of its own phases: it decodes and checks the witness and refuses another
// phase as `Inconsistent(WRONG_MODULE)`. The file compiles at 200 optimizer runs
// (foundry.toml): at 20,000 the keyed-tree code is copied into each call site and even one
// phase per contract exceeds EIP-170.

import {IFaultVM} from "../../interfaces/IFaultVM.sol";
import {StepBase} from "../StepBase.sol";
import {Route} from "../Route.sol";
import {Io} from "../Io.sol";
import {WitnessDecoder} from "../WitnessDecoder.sol";
import {BlockOps} from "./BlockOps.sol";
import {TxOps} from "./TxOps.sol";
import {WitnessReader} from "../lib/WitnessReader.sol";
import {Machine, Tree, TxCtx, Tally, Frame, HashStack} from "../Machine.sol";

/// @title CoreOps
/// @notice What the CORE contracts share: opening a CORE step, and forwarding it.
library CoreOps {
    using WitnessReader for WitnessReader.Cursor;

    /// @notice Opens the witness and requires it to be a step of the CORE module.
    function open(bytes32 pre, bytes calldata witness) internal pure returns (Machine memory m) {
        m = StepBase.open(pre, witness);
        if (Route.moduleOf(m) != Route.CORE) revert IFaultVM.Inconsistent(StepBase.WRONG_MODULE);
    }

    /// @notice The tag of the phase of the state `witness` holds, read past the parts
    ///         before it without checking them and, where their layout is fixed, without
    ///         decoding them (the part the step goes to decodes and checks the whole
    ///         witness; a witness this misreads is refused there). The field widths are
    ///         WitnessDecoder's; the parts whose length the layout does not fix (a running
    ///         frame, carried stack items, an entry being opened) are decoded by it.
    function phaseTag(bytes calldata witness) internal pure returns (uint256) {
        WitnessReader.Cursor memory c = WitnessReader.open(witness);
        Tally memory tally;
        // The block context: 180 bytes, the hashes flag and (tag 0) their root.
        c.skip(180);
        if (!c.flag()) c.skip(32);
        // The inputs: given (root, count) or from L1.
        if (c.tag(1) == 0) {
            c.skip(40);
        } else {
            // started, the deposit source (128), the batch source (121).
            c.skip(250);
            if (c.flag()) c.skip(48);
            if (c.flag()) WitnessDecoder.entry(c);
        }
        // The accumulators: next, gas used, bloom, then each builder's count and peaks.
        c.skip(272);
        for (uint256 i = 0; i < 2; ++i) {
            uint256 count = c.u64();
            uint256 peaks = 0;
            for (; count != 0; count >>= 1) {
                peaks += count & 1;
            }
            c.skip(peaks * 32);
        }
        // The transaction: type, hash, sender, the recipient flag (and recipient), the rest.
        if (c.flag()) {
            c.skip(53);
            if (c.flag()) c.skip(20);
            c.skip(235);
        }
        // The world and substate roots.
        c.skip(64);
        carried(c, tally, 0);
        if (c.flag()) {
            Frame memory f = WitnessDecoder.frame(c, tally);
            WitnessDecoder.carryWords(c, f.stack);
        }
        for (uint256 k = 1; k <= 4; ++k) {
            carried(c, tally, k);
        }
        return c.tag(8);
    }

    /// @notice Skips a hash stack's header and its carried items (`kind`: 0 frames, 1
    ///         journal, 2 logs, 3 destroyed, 4 created slots).
    function carried(WitnessReader.Cursor memory c, Tally memory tally, uint256 kind) private pure {
        uint256 at = c.at;
        c.skip(40);
        if (c.u16() == 0) return;
        c.at = at;
        HashStack memory s = WitnessDecoder.header(c, tally);
        if (kind == 0) WitnessDecoder.carryFrames(c, s);
        else if (kind == 1) WitnessDecoder.carryUndos(c, s);
        else if (kind == 2) WitnessDecoder.carryLogs(c, s);
        else if (kind == 3) WitnessDecoder.carryAddresses(c, s);
        else WitnessDecoder.carrySlots(c, s);
    }

    /// @notice Forwards the call unchanged to `part` and returns its post or its error.
    function forward(address part) internal view returns (bytes32 post) {
        bool word;
        assembly ("memory-safe") {
            let p := mload(0x40)
            calldatacopy(p, 0, calldatasize())
            let ok := staticcall(gas(), part, p, calldatasize(), 0, 0)
            returndatacopy(p, 0, returndatasize())
            if iszero(ok) { revert(p, returndatasize()) }
            word := eq(returndatasize(), 32)
            post := mload(p)
        }
        // A part returns one word (a part address that is no part: a deployment error).
        if (!word) revert IFaultVM.Inconsistent(StepBase.OTHER);
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
///         enter, tx-end, sweep, bloom, and the Done no-op (which a finished block pads
///         its trace with: post = pre). It reads the witness's phase (`CoreOps.phaseTag`)
///         and forwards the call unchanged to the part that takes it; the part decodes and
///         checks the whole witness.
contract CoreSteps is IFaultVM {
    /// @notice The part that takes NextTx, Bloom and Done (and refuses Run).
    address public immutable blockPart;
    /// @notice The part that takes tx-begin.
    address public immutable beginPart;
    /// @notice The part that takes the warm micro-steps.
    address public immutable warmPart;
    /// @notice The part that takes enter.
    address public immutable enterPart;
    /// @notice The part that takes tx-end and the sweep micro-steps.
    address public immutable endPart;

    /// @param parts A `CoreBlockSteps`, a `CoreBeginSteps`, a `CoreWarmSteps`, a
    ///        `CoreEnterSteps` and a `CoreEndSteps`, in that order.
    constructor(address[5] memory parts) {
        blockPart = parts[0];
        beginPart = parts[1];
        warmPart = parts[2];
        enterPart = parts[3];
        endPart = parts[4];
    }

    /// @inheritdoc IFaultVM
    function step(bytes32, bytes calldata witness) external view returns (bytes32) {
        uint256 p = CoreOps.phaseTag(witness);
        if (p == StepBase.BEGIN) return CoreOps.forward(beginPart);
        if (p == StepBase.WARM) return CoreOps.forward(warmPart);
        if (p == StepBase.ENTER) return CoreOps.forward(enterPart);
        if (p == StepBase.END || p == StepBase.SWEEP) return CoreOps.forward(endPart);
        return CoreOps.forward(blockPart);
    }
}

/// @title CoreBlockSteps
/// @notice A part of the CORE module: the next given input (or the block's end), the
///         bloom micro-steps, and the Done no-op.
contract CoreBlockSteps is IFaultVM {
    /// @inheritdoc IFaultVM
    function step(bytes32 pre, bytes calldata witness) external pure returns (bytes32) {
        Machine memory m = CoreOps.open(pre, witness);
        uint256 p = m.phase.tag;
        if (p == StepBase.NEXT_TX) {
            CoreOps.nextTx(m, witness);
        } else if (p == StepBase.BLOOM) {
            TxOps.bloom(m);
        } else if (p == StepBase.RUN) {
            // The router sends a running phase to CORE only without a frame.
            revert IFaultVM.Inconsistent(StepBase.NO_FRAME);
        } else if (p != StepBase.DONE) {
            revert IFaultVM.Inconsistent(StepBase.WRONG_MODULE);
        }
        // Done: a finished block's step changes nothing.
        return StepBase.close(m);
    }
}

/// @title CoreBeginSteps
/// @notice A part of the CORE module: tx-begin.
contract CoreBeginSteps is IFaultVM {
    /// @inheritdoc IFaultVM
    function step(bytes32 pre, bytes calldata witness) external pure returns (bytes32) {
        Machine memory m = CoreOps.open(pre, witness);
        if (m.phase.tag != StepBase.BEGIN) revert IFaultVM.Inconsistent(StepBase.WRONG_MODULE);
        TxOps.txBegin(m);
        return StepBase.close(m);
    }
}

/// @title CoreWarmSteps
/// @notice A part of the CORE module: the warm micro-steps of the access list.
contract CoreWarmSteps is IFaultVM {
    /// @inheritdoc IFaultVM
    function step(bytes32 pre, bytes calldata witness) external pure returns (bytes32) {
        Machine memory m = CoreOps.open(pre, witness);
        if (m.phase.tag != StepBase.WARM) revert IFaultVM.Inconsistent(StepBase.WRONG_MODULE);
        TxOps.warm(m);
        return StepBase.close(m);
    }
}

/// @title CoreEnterSteps
/// @notice A part of the CORE module: enter (the value transfer and the first frame).
contract CoreEnterSteps is IFaultVM {
    /// @inheritdoc IFaultVM
    function step(bytes32 pre, bytes calldata witness) external pure returns (bytes32) {
        Machine memory m = CoreOps.open(pre, witness);
        if (m.phase.tag != StepBase.ENTER) revert IFaultVM.Inconsistent(StepBase.WRONG_MODULE);
        TxOps.enter(m);
        return StepBase.close(m);
    }
}

/// @title CoreEndSteps
/// @notice A part of the CORE module: tx-end and the sweep micro-steps.
contract CoreEndSteps is IFaultVM {
    /// @inheritdoc IFaultVM
    function step(bytes32 pre, bytes calldata witness) external pure returns (bytes32) {
        Machine memory m = CoreOps.open(pre, witness);
        uint256 p = m.phase.tag;
        if (p == StepBase.END) TxOps.txEnd(m);
        else if (p == StepBase.SWEEP) TxOps.sweep(m);
        else revert IFaultVM.Inconsistent(StepBase.WRONG_MODULE);
        return StepBase.close(m);
    }
}
