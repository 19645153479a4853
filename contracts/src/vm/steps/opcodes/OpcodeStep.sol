// SPDX-License-Identifier: MIT
pragma solidity ^0.8.24;

// The frame of an opcode step shared by the OPCODES module's parts. Rust twin:
// crates/vm-core/src/step/frame.rs (`run_step` from `opcode_at` on: a halt sets the
// frame's status with its code and clears its pending micro-step, then `resume`; an
// opcode step of these parts starts no child) and crates/vm-core/src/step/instructions/
// mod.rs (`exec`'s pc + 1). Vectors: every Opcode(n) vector of docs/vectors/vm/steps.json
// the module takes, run by contracts/test/vm/OpcodeSteps.t.sol.

import {IFaultVM} from "../../../interfaces/IFaultVM.sol";
import {StepBase} from "../../StepBase.sol";
import {Route} from "../../Route.sol";
import {FrameOps} from "../FrameOps.sol";
import {MicroOps} from "../MicroOps.sol";
import {Machine, Frame} from "../../Machine.sol";

/// @title OpcodeStep
/// @notice The OPCODES module is three router modules, each under EIP-170
///         (docs/verifier.md, "Modules"): OpcodeSteps (Route.OPCODES: the bulk of every
///         trace), OpcodeEnvSteps (Route.OPCODE_ENV: the environment and the block's
///         context) and OpcodeCopySteps (Route.OPCODE_COPY: the copies into memory). Each
///         decodes the witness and takes only its own opcodes (`Route.opcodeModule`).
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
        if (Route.moduleOf(m) != part) revert IFaultVM.Inconsistent(StepBase.WRONG_MODULE);
        f = m.top;
        op = FrameOps.opcodeAt(m, f);
        // The router peeked at the unchecked chunk; the opened one must agree.
        if (Route.opcodeModule(op) != part) revert IFaultVM.Inconsistent(StepBase.WRONG_MODULE);
        pc = f.pc;
        f.pc = pc + 1;
    }

    /// @notice Ends the step with the halt word `h` of the instruction: a halt records its
    ///         code and clears the pending micro-step; the frame stays on top (`resume`
    ///         without a child); the post-state's commitment.
    function end(Machine memory m, Frame memory f, uint256 h) internal pure returns (bytes32) {
        if (h != 0) {
            f.status = StepBase.HALT;
            f.haltCode = h - 1;
            f.pending = MicroOps.none();
        }
        FrameOps.resume(m, f, false, f);
        return StepBase.close(m);
    }
}
