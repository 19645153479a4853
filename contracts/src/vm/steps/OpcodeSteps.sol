// SPDX-License-Identifier: MIT
pragma solidity ^0.8.24;

// The OPCODES module's entry: one opcode of the running frame that touches no account,
// slot or other frame. Its parts take the environment and the block's context
// (OpcodeEnvSteps), the copies into memory (OpcodeCopySteps) and MLOAD, MSTORE, MSTORE8
// (OpcodeMemorySteps); the router picks the part (`Route.opcodeModule`). Rust twin:
// crates/vm-core/src/step/frame.rs (`run_step` from `opcode_at` on) and
// crates/vm-core/src/step/instructions/mod.rs (`exec`), with the families of
// steps/opcodes/ (arithmetic.rs, bitwise.rs, stack.rs, control.rs, memory.rs's MSIZE,
// system.rs's GAS). Vectors: the Opcode(n) vectors of docs/vectors/vm/steps.json of these
// opcodes and the ADD witnesses of errors.json; run by contracts/test/vm/OpcodeSteps.t.sol.

import {IFaultVM} from "../../interfaces/IFaultVM.sol";
import {StepBase} from "../StepBase.sol";
import {Route} from "../Route.sol";
import {OpcodeStep} from "./OpcodeStep.sol";
import {Arithmetic} from "./opcodes/Arithmetic.sol";
import {Bitwise} from "./opcodes/Bitwise.sol";
import {StackOps} from "./opcodes/StackOps.sol";
import {Control} from "./opcodes/Control.sol";
import {Machine, Frame} from "../Machine.sol";

/// @title OpcodeSteps
/// @notice The verifier's module for the opcodes of arithmetic, comparison and bitwise
///         logic, the stack, control flow, MSIZE, GAS, REVERT and INVALID
///         (docs/verifier.md, "Modules").
contract OpcodeSteps is IFaultVM {
    /// @param engine The KeccakEngine (unused: every module is built with it).
    constructor(address engine) {
        engine;
    }

    /// @inheritdoc IFaultVM
    function step(bytes32 pre, bytes calldata witness) external view returns (bytes32) {
        (Machine memory m, Frame memory f, uint256 op, uint256 pc) = OpcodeStep.begin(pre, witness, Route.OPCODES);
        return OpcodeStep.end(m, f, exec(m, f, op, pc));
    }

    /// @notice `exec` of an opcode this part takes (the pc already past it): its family's
    ///         halt word (undefined opcodes and INVALID halt with InvalidOpcode, no gas).
    function exec(Machine memory m, Frame memory f, uint256 op, uint256 pc) internal pure returns (uint256) {
        // The commonest first: PUSH1..PUSH32, DUP, SWAP.
        if (op >= 0x60 && op < 0xa0) return StackOps.run(m, f, op, pc);
        if (op < 0x20) {
            if (op == 0x00) return Control.run(m, f, op, pc);
            if (op <= 0x0b) return Arithmetic.run(f, op);
            if (op >= 0x10 && op <= 0x1d) return Bitwise.run(f, op);
        } else if (op >= 0x50 && op < 0x60) {
            // 0x50 POP, 0x56 JUMP, 0x57 JUMPI, 0x58 PC, 0x59 MSIZE, 0x5a GAS, 0x5b JUMPDEST,
            // 0x5f PUSH0 (MLOAD, MSTORE, MSTORE8 are OpcodeMemorySteps').
            if (op == 0x50 || op == 0x5f) return StackOps.run(m, f, op, pc);
            if (op >= 0x56 && op <= 0x5b) return Control.run(m, f, op, pc);
        } else if (op == 0xfd) {
            return Control.run(m, f, op, pc);
        }
        return StepBase.INVALID_OPCODE;
    }
}
