// SPDX-License-Identifier: MIT
pragma solidity ^0.8.24;

// The frame module's Undo micro-steps (docs/verifier.md, "Modules"). Rust twin: the undo
// branch of `run_step` (crates/vm-core/src/step/frame.rs) and `undo_one`
// (crates/vm-core/src/step/exit.rs); vectors: `undo` of docs/vectors/vm/steps.json, run
// by contracts/test/vm/FrameSteps.t.sol.

import {IFaultVM} from "../../interfaces/IFaultVM.sol";
import {StepBase} from "../StepBase.sol";
import {ExitOps} from "./ExitOps.sol";
import {Route} from "../Route.sol";
import {Machine} from "../Machine.sol";

/// @title FrameUndoSteps
/// @notice One journal record of a failed frame undone.
contract FrameUndoSteps is IFaultVM {
    /// @param engine The KeccakEngine (unused: every module is built with it).
    constructor(address engine) {
        engine;
    }

    /// @inheritdoc IFaultVM
    function step(bytes32 pre, bytes calldata witness) external view returns (bytes32) {
        Machine memory m = StepBase.open(pre, witness);
        if (Route.moduleOf(m) != Route.FRAME_UNDO) revert IFaultVM.Inconsistent(StepBase.WRONG_MODULE);
        ExitOps.undoOne(m);
        return StepBase.close(m);
    }
}
