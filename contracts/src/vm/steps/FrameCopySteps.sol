// SPDX-License-Identifier: MIT
pragma solidity ^0.8.24;

// The frame module's Copy micro-steps (docs/verifier.md, "Modules"). Rust twin:
// `pending_step`'s Copy and CopyView arms in crates/vm-core/src/step/micro.rs; vectors:
// `copy` of docs/vectors/vm/steps.json, run by contracts/test/vm/FrameSteps.t.sol.

import {IFaultVM} from "../../interfaces/IFaultVM.sol";
import {StepBase} from "../StepBase.sol";
import {MicroOps} from "./MicroOps.sol";
import {Route} from "../Route.sol";
import {Machine, Frame} from "../Machine.sol";

/// @title FrameCopySteps
/// @notice One chunk of the running frame's pending copy.
contract FrameCopySteps is IFaultVM {
    /// @param engine The KeccakEngine (unused: every module is built with it).
    constructor(address engine) {
        engine;
    }

    /// @inheritdoc IFaultVM
    function step(bytes32 pre, bytes calldata witness) external view returns (bytes32) {
        Machine memory m = StepBase.open(pre, witness);
        if (Route.moduleOf(m) != Route.FRAME_COPY) revert IFaultVM.Inconsistent(StepBase.WRONG_MODULE);
        Frame memory f = m.top;
        if (f.pending.tag == MicroOps.PENDING_COPY) MicroOps.copyStep(m, f, f.pending);
        else MicroOps.copyViewStep(m, f, f.pending);
        return StepBase.close(m);
    }
}
