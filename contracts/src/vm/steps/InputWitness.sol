// SPDX-License-Identifier: MIT
pragma solidity ^0.8.24;

// Rust twin: crates/vm-core/src/witness.rs (`read`) and `Machine::commitment`, for the
// states the INPUTS module takes: phase NextTx of a block with L1 inputs, which has no
// frame and whose stacks carry nothing (no input step pops one). Built from the kernel's
// own part decoders (WitnessDecoder.sol) and encoders (Commitment.sol), without the frame,
// undo, log and slot codecs, which such a state never holds: the module stays under
// EIP-170. Vectors: docs/vectors/vm/l1-inputs.json (every witness decodes to its pre and
// every post re-encodes, through contracts/test/vm/InputSteps.t.sol).

import {IFaultVM} from "../../interfaces/IFaultVM.sol";
import {WitnessReader} from "../lib/WitnessReader.sol";
import {WitnessDecoder} from "../WitnessDecoder.sol";
import {Commitment} from "../Commitment.sol";
import {StepBase} from "../StepBase.sol";
import {Io} from "../Io.sol";
import {Machine, HashStack, Tally} from "../Machine.sol";

/// @title InputWitness
/// @notice `StepBase.open`/`close` for the input steps: the witness of a frameless state
///         with nothing carried, its pre-state check, and the post-state's commitment.
/// @dev A state with a frame is not an input step's (`Inconsistent(WRONG_MODULE)`); a
///      stack carrying items, which no input step pops, is refused as `Unused` at once
///      (Rust decodes them and refuses the same witness as `Unused` after the step, or
///      earlier for another reason: a refusal either way).
library InputWitness {
    using WitnessReader for WitnessReader.Cursor;

    /// @notice Decodes `witness` and requires it to be of `pre` (`WrongPreState`).
    function open(bytes32 pre, bytes calldata witness) internal pure returns (Machine memory m) {
        WitnessReader.Cursor memory c = WitnessReader.open(witness);
        if (witness.length > WitnessDecoder.MAX_WITNESS_LEN) c.fail();
        // The carried items' byte ranges (here only their counts), cut out of the
        // commitment's preimage as WitnessDecoder.decode cuts them.
        uint256[12] memory cut;
        Tally memory tally;
        m.block_ = WitnessDecoder.blockCtx(c);
        m.inputs = WitnessDecoder.inputs(c);
        m.acc = WitnessDecoder.blockAcc(c);
        m.hasTx = c.flag();
        if (m.hasTx) m.tx_ = WitnessDecoder.txCtx(c);
        m.worldRoot = c.b256();
        m.substateRoot = c.b256();
        m.frames = WitnessDecoder.header(c, tally);
        (cut[0], cut[1]) = none(c, m.frames, 1);
        m.hasTop = c.flag();
        if (m.hasTop) revert IFaultVM.Inconsistent(StepBase.WRONG_MODULE);
        (cut[2], cut[3]) = (c.at, c.at);
        m.journal = WitnessDecoder.header(c, tally);
        (cut[4], cut[5]) = none(c, m.journal, 1);
        m.logs = WitnessDecoder.header(c, tally);
        (cut[6], cut[7]) = none(c, m.logs, 61);
        m.destroyed = WitnessDecoder.header(c, tally);
        (cut[8], cut[9]) = none(c, m.destroyed, 20);
        m.createdSlots = WitnessDecoder.header(c, tally);
        (cut[10], cut[11]) = none(c, m.createdSlots, 52);
        m.phase = WitnessDecoder.phase(c);
        bytes32 got = commitmentOf(c.base, c.at, cut);
        m.accesses = WitnessDecoder.accesses(c);
        c.finish();
        if (got != pre) revert IFaultVM.WrongPreState(got, pre);
    }

    /// @notice A stack's carried-item count, which must be zero (checked as
    ///         `carryCount` checks it); the range it spans.
    function none(WitnessReader.Cursor memory c, HashStack memory s, uint256 minSize)
        private
        pure
        returns (uint256 from, uint256 to)
    {
        from = c.at;
        uint256 n = c.u16();
        c.count(n, WitnessDecoder.MAX_COUNT, 32 + minSize);
        if (n > s.len) c.fail();
        if (n != 0) revert IFaultVM.Unused(0, n);
        to = c.at;
    }

    /// @notice keccak256(TAG ‖ witness[base, end) without the cut ranges).
    function commitmentOf(uint256 base, uint256 end, uint256[12] memory cut) private pure returns (bytes32 h) {
        bytes15 tag = WitnessDecoder.TAG;
        assembly ("memory-safe") {
            let buf := mload(0x40)
            mstore(buf, tag)
            let w := add(buf, 15)
            let from := base
            for { let i := 0 } lt(i, 12) { i := add(i, 2) } {
                let to := mload(add(cut, mul(i, 32)))
                calldatacopy(w, from, sub(to, from))
                w := add(w, sub(to, from))
                from := mload(add(cut, mul(add(i, 1), 32)))
            }
            calldatacopy(w, from, sub(end, from))
            w := add(w, sub(end, from))
            h := keccak256(buf, sub(w, buf))
        }
    }

    /// @notice Requires every access to have been used (`Unused`) and returns the
    ///         post-state's commitment (`Commitment.commit` of a frameless state).
    function close(Machine memory m) internal pure returns (bytes32 h) {
        uint256 left = Io.left(m.accesses);
        if (left != 0) revert IFaultVM.Unused(left, 0);
        uint256 buf;
        uint256 size = Commitment.MAX_ENCODING;
        bytes15 tag = Commitment.TAG;
        assembly ("memory-safe") {
            buf := mload(0x40)
            mstore(0x40, add(buf, size))
            mstore(buf, tag)
        }
        uint256 w = buf + 15;
        w = Commitment.putBlock(w, m.block_);
        w = Commitment.putInputs(w, m.inputs);
        w = Commitment.putAcc(w, m.acc);
        w = Commitment.putU(w, m.hasTx ? 1 : 0, 1);
        if (m.hasTx) w = Commitment.putTx(w, m.tx_);
        w = Commitment.putB(w, m.worldRoot);
        w = Commitment.putB(w, m.substateRoot);
        w = Commitment.putHeader(w, m.frames);
        w = Commitment.putU(w, 0, 1);
        w = Commitment.putHeader(w, m.journal);
        w = Commitment.putHeader(w, m.logs);
        w = Commitment.putHeader(w, m.destroyed);
        w = Commitment.putHeader(w, m.createdSlots);
        w = Commitment.putPhase(w, m.phase);
        assembly ("memory-safe") {
            h := keccak256(buf, sub(w, buf))
        }
    }
}
