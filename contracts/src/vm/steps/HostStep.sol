// SPDX-License-Identifier: MIT
pragma solidity ^0.8.24;

// An opcode step of the HOST module's parts: the witness opened and checked, the opcode
// at the pc read from the frame's chunks, the pc moved past it; at the end a halt
// recorded in the frame's status (its pending micro-step dropped) and the post-state.
// Rust twin: crates/vm-core/src/step/frame.rs (`run_step` from `opcode_at` on, its halt
// arm) and crates/vm-core/src/step/instructions/mod.rs (`exec`'s `f.pc += 1`); vectors:
// the host opcodes of docs/vectors/vm/steps.json, run by contracts/test/vm/HostSteps.t.sol.

import {IFaultVM} from "../../interfaces/IFaultVM.sol";
import {StepBase} from "../StepBase.sol";
import {Route} from "../Route.sol";
import {FrameOps} from "./FrameOps.sol";
import {Machine, Frame} from "../Machine.sol";

/// @title HostStep
/// @notice The opening and the closing of a HOST opcode step.
library HostStep {
    /// @notice Opens the witness, requires its step to be of part `id` (else
    ///         `Inconsistent(WRONG_MODULE)`), reads the opcode at the running frame's pc
    ///         (`opcode_at`) and moves the pc past it (`exec`).
    function begin(bytes32 pre, bytes calldata witness, uint256 id)
        internal
        pure
        returns (Machine memory m, Frame memory f, uint256 op)
    {
        m = StepBase.open(pre, witness);
        // `Route.moduleOf`, on the opcode the chunk proves rather than the one the first
        // access shows (the same when the proof holds).
        if (!Route.isOpcodeStep(m)) revert IFaultVM.Inconsistent(StepBase.WRONG_MODULE);
        f = m.top;
        uint256 pc = f.pc;
        // `opcode_at`: the chunk holding the pc (past the code's end is STOP, not a host
        // opcode).
        if (pc >= f.codeLen) revert IFaultVM.Inconsistent(StepBase.WRONG_MODULE);
        op = uint8(FrameOps.chunkAt(m, f, pc)[1 + (pc % FrameOps.CHUNK)]);
        if (!Route.isHostOpcode(op) || Route.hostModule(op) != id) {
            revert IFaultVM.Inconsistent(StepBase.WRONG_MODULE);
        }
        f.pc = pc + 1;
    }

    /// @notice Ends the step with the halt word `h` of the opcode (0: it went on): a halt
    ///         sets the frame's status and drops its pending micro-step (`run_step`'s
    ///         `Exit::Halt` arm). Returns the post-state's commitment.
    function end(Machine memory m, Frame memory f, uint256 h) internal pure returns (bytes32) {
        if (h != 0) {
            f.status = StepBase.HALT;
            f.haltCode = h - 1;
            // No pending micro-step (tag 0: the rest of the struct is not encoded).
            f.pending.tag = 0;
        }
        return StepBase.close(m);
    }
}
