// SPDX-License-Identifier: MIT
pragma solidity ^0.8.24;

// The frame module of the one-step verifier (docs/verifier.md, "Modules"): the exit of
// a finished frame. Its other parts take Undo (FrameUndoSteps), Copy (FrameCopySteps),
// Hash but a CREATE2's (FrameHashSteps), CodeLoad and Precompile (FrameStartSteps); the
// router picks the part (`Route.moduleOf`). Rust twin: the frame-exit branch of
// `run_step` in crates/vm-core/src/step/frame.rs and `frame_exit` of
// crates/vm-core/src/step/exit.rs; vectors: `frame-exit` of docs/vectors/vm/steps.json,
// run by contracts/test/vm/FrameSteps.t.sol.

import {IFaultVM} from "../../interfaces/IFaultVM.sol";
import {StepBase} from "../StepBase.sol";
import {ExitOps} from "./ExitOps.sol";
import {Route} from "../Route.sol";
import {Machine} from "../Machine.sol";

/// @title FrameSteps
/// @notice The FRAMES module's FrameExit: a finished frame (its failed records undone)
///         returns to its caller, or ends the transaction's execution.
contract FrameSteps is IFaultVM {
    /// @param engine The KeccakEngine (unused: every module is built with it).
    constructor(address engine) {
        engine;
    }

    /// @inheritdoc IFaultVM
    function step(bytes32 pre, bytes calldata witness) external view returns (bytes32) {
        Machine memory m = StepBase.open(pre, witness);
        if (Route.moduleOf(m) != Route.FRAMES) revert IFaultVM.Inconsistent(StepBase.WRONG_MODULE);
        ExitOps.frameExit(m, m.top);
        return StepBase.close(m);
    }
}
