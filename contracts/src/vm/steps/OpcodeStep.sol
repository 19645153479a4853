// SPDX-License-Identifier: MIT
pragma solidity ^0.8.24;

// The frame of an opcode step, shared by the OPCODES and HOST modules' parts (the call
// and create parts open theirs in CallSteps.sol, for room, and end them here). Rust twin:
// crates/vm-core/src/step/frame.rs (`run_step` from `opcode_at` on: a halt sets the
// frame's status with its code and clears its pending micro-step; an opcode step of these
// parts leaves its frame on top) and crates/vm-core/src/step/instructions/mod.rs (`exec`'s
// pc + 1). Vectors: every Opcode(n) vector of docs/vectors/vm/steps.json, run by
// contracts/test/vm/OpcodeSteps.t.sol, HostSteps.t.sol and CallSteps.t.sol.

import {IFaultVM} from "../../interfaces/IFaultVM.sol";
import {StepBase} from "../StepBase.sol";
import {Route} from "../Route.sol";
import {FrameOps} from "./FrameOps.sol";
import {MicroOps} from "./MicroOps.sol";
import {Machine, Frame} from "../Machine.sol";

/// @title OpcodeStep
/// @notice Opening and closing an opcode step of a module part: each part decodes the
///         witness and takes only its own opcodes (`Route.opcodeModule`).
library OpcodeStep {
    /// @notice Opens the witness of an opcode step of part `part` (`Inconsistent(WRONG_MODULE)`
    ///         for a step of another module) and reads the opcode at the pc; moves the pc
    ///         past it (`exec`). Returns the opened machine, its top frame, the opcode and
    ///         the opcode's pc.
    function begin(bytes32 pre, bytes calldata witness, uint256 part)
        internal
        pure
        returns (Machine memory m, Frame memory f, uint256 op, uint256 pc)
    {
        m = StepBase.open(pre, witness);
        // `Route.moduleOf`, on the opcode the chunk proves (the router peeked at the
        // unchecked one; the two agree whenever the chunk's proof holds).
        if (!Route.isOpcodeStep(m)) revert IFaultVM.Inconsistent(StepBase.WRONG_MODULE);
        f = m.top;
        op = FrameOps.opcodeAt(m, f);
        if (Route.opcodeModule(op) != part) revert IFaultVM.Inconsistent(StepBase.WRONG_MODULE);
        pc = f.pc;
        f.pc = pc + 1;
    }

    /// @notice Ends the step with the halt word `h` of the instruction (0: it went on): a
    ///         halt records its code and clears the pending micro-step (`run_step`'s
    ///         `Exit::Halt` arm); returns the post-state's commitment. The frame is the
    ///         machine's top (`f` is `m.top`), or the suspended caller of a child the step
    ///         started (`CallOps.suspend`).
    function end(Machine memory m, Frame memory f, uint256 h) internal pure returns (bytes32) {
        if (h != 0) {
            f.status = StepBase.HALT;
            f.haltCode = h - 1;
            f.pending = MicroOps.none();
        }
        return StepBase.close(m);
    }
}
