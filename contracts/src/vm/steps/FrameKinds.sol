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
