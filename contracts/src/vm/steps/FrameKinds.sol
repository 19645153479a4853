// SPDX-License-Identifier: MIT
pragma solidity ^0.8.24;

// Which of the frame module's contracts takes a step, and forwarding a witness to it.
// Rust twin: the branches of `run_step` (crates/vm-core/src/step/frame.rs) that are not an
// opcode; vectors: the frame-module vectors of docs/vectors/vm/steps.json.

import {IFaultVM} from "../../interfaces/IFaultVM.sol";
import {Route} from "../Route.sol";
import {StepBase} from "../StepBase.sol";
import {MicroOps} from "./MicroOps.sol";
import {Machine, Frame} from "../Machine.sol";

/// @title FrameKinds
/// @notice The FRAMES module is five contracts, each under EIP-170 (docs/verifier.md,
///         "Modules"): FrameSteps (FrameExit; the module's entry, which forwards the rest),
///         FrameUndoSteps (Undo), FrameCopySteps (Copy), FrameHashSteps (Hash, but a
///         CREATE2's) and FrameStartSteps (CodeLoad, Precompile). Each decodes the witness
///         and takes only its own kinds.
library FrameKinds {
    uint256 internal constant FRAME_EXIT = 0;
    uint256 internal constant UNDO = 1;
    uint256 internal constant CODE_LOAD = 2;
    uint256 internal constant COPY = 3;
    uint256 internal constant HASH = 4;
    uint256 internal constant PRECOMPILE = 5;

    /// @notice The kind of the step `m` takes, in `run_step`'s order; `Inconsistent`
    ///         (WRONG_MODULE) for a step of another module.
    function kindOf(Machine memory m) internal pure returns (uint256) {
        if (Route.moduleOf(m) != Route.FRAMES) revert IFaultVM.Inconsistent(StepBase.WRONG_MODULE);
        Frame memory f = m.top;
        if (f.status != StepBase.RUNNING) {
            // A failed frame's journal records above its checkpoint are undone first.
            bool failed = f.status == StepBase.REVERT || f.status == StepBase.HALT;
            return failed && m.journal.len > f.checkpoint ? UNDO : FRAME_EXIT;
        }
        uint256 p = f.pending.tag;
        if (p == MicroOps.PENDING_HASH) return HASH;
        if (p != 0) return COPY;
        if (!f.hasChunks) return CODE_LOAD;
        return PRECOMPILE;
    }

    /// @notice The kind of the step a witness's bytes say, read at the offsets of the
    ///         fields `run_step` branches on (docs/fault-vm.md, "Witness wire format" and
    ///         "Byte encodings"), unchecked: the contract it picks decodes the witness and
    ///         refuses a step that is not its own, so a witness goes to another contract
    ///         than `kindOf`'s only if it is not an honest one. Anything the bytes do not
    ///         show (a suspended frame carried: a frame-exit; no running frame) is
    ///         FRAME_EXIT, whose contract decodes and decides.
    /// @param w The witness.
    /// @return kind One of the kinds.
    function peek(bytes calldata w) internal pure returns (uint256 kind) {
        assembly ("memory-safe") {
            let o := w.offset
            // calldataload past the witness reads zeros: the walk never reverts.
            function u8(p) -> v {
                v := byte(0, calldataload(p))
            }
            function u16(p) -> v {
                v := shr(240, calldataload(p))
            }
            function u64(p) -> v {
                v := shr(192, calldataload(p))
            }
            function popcount(x) -> n {
                for {} x {} {
                    x := and(x, sub(x, 1))
                    n := add(n, 1)
                }
            }
            function absorberLen(p) -> n {
                n := add(201, u8(add(p, 200)))
            }
            kind := 0
            // The block context: 181 bytes, 32 more with a tree of recent hashes.
            let i := add(o, 181)
            if iszero(u8(add(o, 180))) { i := add(i, 32) }
            // The inputs: given (41 bytes) or from L1.
            switch u8(i)
            case 0 { i := add(i, 41) }
            default {
                // tag, started, deposits (128), batch (121), then the cursor's flag.
                let hasChunk := u8(add(i, 251))
                i := add(i, 252)
                if hasChunk { i := add(i, 48) }
                let hasEntry := u8(i)
                i := add(i, 1)
                if hasEntry {
                    // len, start, raw root, body start, then the stage.
                    let stage := u8(add(i, 56))
                    i := add(i, 57)
                    switch stage
                    case 0 { i := add(add(i, 48), absorberLen(add(i, 48))) }
                    case 2 { i := add(i, 16) }
                    case 3 { i := add(i, 44) }
                    case 5 {
                        i := add(i, absorberLen(i))
                        // at, body end, then the tail's length and bytes, y parity, r, s.
                        i := add(add(i, 17), add(u8(add(i, 16)), 65))
                    }
                    default { i := add(i, 8) }
                }
            }
            // The block accumulators: next, gas used, the bloom, two Merkle builders.
            i := add(i, 272)
            i := add(add(i, 8), shl(5, popcount(u64(i))))
            i := add(add(i, 8), shl(5, popcount(u64(i))))
            // The transaction (289 bytes, 309 with a recipient).
            let hasTx := u8(i)
            i := add(i, 1)
            if hasTx {
                let t := 289
                if u8(add(i, 53)) { t := 309 }
                i := add(i, t)
            }
            // The world's and the substate's roots, the frames' header and its carried
            // items' count: a carried suspended frame is popped by a frame-exit alone.
            let carried := u16(add(i, 104))
            i := add(i, 106)
            // The running frame.
            let hasTop := u8(i)
            i := add(i, 1)
            if and(iszero(carried), hasTop) {
                let f := i
                i := add(i, 42)
                let hasChunks := u8(sub(i, 1))
                if hasChunks { i := add(i, 32) }
                if u8(i) { i := add(i, 48) }
                i := add(i, 1)
                if u8(i) { i := add(i, 41) }
                i := add(i, 1)
                let codeAddress := shr(96, calldataload(i))
                let checkpoint := u64(add(i, 293))
                let status := u8(add(i, 317))
                i := add(i, 318)
                switch status
                case 0 {}
                case 3 { i := add(i, 1) }
                default { i := add(i, 48) }
                let pending := u8(i)
                switch status
                case 0 {
                    switch pending
                    case 0 {
                        kind := CODE_LOAD
                        if hasChunks {
                            // A call frame at a precompile's address; else not this module's.
                            kind := 0
                            if and(iszero(u8(f)), and(gt(codeAddress, 0), lt(codeAddress, 11))) { kind := PRECOMPILE }
                        }
                    }
                    case 2 {
                        // Not a CREATE2's.
                        if lt(u8(add(i, 225)), 2) { kind := HASH }
                    }
                    default { kind := COPY }
                }
                default {
                    // A failed frame's records above its checkpoint are undone first. A
                    // finished frame has no pending step (its tag a single byte).
                    i := add(i, 1)
                    i := add(add(i, 2), shl(6, u16(i)))
                    if and(gt(status, 1), gt(u64(add(i, 32)), checkpoint)) { kind := UNDO }
                }
            }
        }
    }

    /// @notice Forwards this call (the same `step(pre, witness)`) to `target` and returns
    ///         or reverts with what it does.
    function forward(address target) internal view {
        assembly ("memory-safe") {
            let p := mload(0x40)
            calldatacopy(p, 0, calldatasize())
            let ok := staticcall(gas(), target, p, calldatasize(), 0, 0)
            returndatacopy(p, 0, returndatasize())
            if iszero(ok) { revert(p, returndatasize()) }
            return(p, returndatasize())
        }
    }
}
