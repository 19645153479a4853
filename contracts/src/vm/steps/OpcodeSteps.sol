// SPDX-License-Identifier: MIT
pragma solidity ^0.8.24;

// The OPCODES module: one opcode of the running frame that touches no account, slot or
// other frame. Rust twin: crates/vm-core/src/step/frame.rs (`run_step` from `opcode_at`
// on, `opcode_at`) and crates/vm-core/src/step/instructions/mod.rs (`exec`), with the
// families of steps/opcodes/ (arithmetic.rs, bitwise.rs, system.rs, block_info.rs,
// stack.rs, memory.rs, control.rs). Vectors: the Opcode(n) vectors of
// docs/vectors/vm/steps.json whose opcode `Route.isHostOpcode` leaves here, and the ADD
// witnesses of errors.json; run by contracts/test/vm/OpcodeSteps.t.sol.

import {IFaultVM} from "../../interfaces/IFaultVM.sol";
import {StepBase} from "../StepBase.sol";
import {Route} from "../Route.sol";
import {FrameOps} from "./FrameOps.sol";
import {MicroOps} from "./MicroOps.sol";
import {Arithmetic} from "./opcodes/Arithmetic.sol";
import {Bitwise} from "./opcodes/Bitwise.sol";
import {System} from "./opcodes/System.sol";
import {BlockInfo} from "./opcodes/BlockInfo.sol";
import {StackOps} from "./opcodes/StackOps.sol";
import {MemoryOps} from "./opcodes/MemoryOps.sol";
import {Control} from "./opcodes/Control.sol";
import {Machine, Frame} from "../Machine.sol";

/// @title OpcodeSteps
/// @notice The verifier's module for the opcodes of arithmetic, comparison and bitwise
///         logic, the stack, memory, control flow, the environment, the block's context,
///         KECCAK256, REVERT and INVALID (docs/verifier.md, "Modules").
contract OpcodeSteps is IFaultVM {
    /// @notice The KeccakEngine every module is deployed with (this one hashes nothing in
    ///         pieces: a long KECCAK256 is left to the Hash micro-steps).
    address internal immutable engine;

    /// @param engine_ The KeccakEngine's address.
    constructor(address engine_) {
        engine = engine_;
    }

    /// @inheritdoc IFaultVM
    function step(bytes32 pre, bytes calldata witness) external view returns (bytes32) {
        Machine memory m = StepBase.open(pre, witness, engine);
        if (Route.moduleOf(m) != Route.OPCODES) revert IFaultVM.Inconsistent(StepBase.WRONG_MODULE);
        Frame memory f = m.top;
        uint256 op = FrameOps.opcodeAt(m, f);
        // The router peeked at the unchecked chunk; the opened one must agree.
        if (Route.isHostOpcode(op)) revert IFaultVM.Inconsistent(StepBase.WRONG_MODULE);
        uint256 h = exec(m, f, op);
        if (h != 0) {
            f.status = StepBase.HALT;
            f.haltCode = h - 1;
            f.pending = MicroOps.none();
        }
        FrameOps.resume(m, f, false, f);
        return StepBase.close(m);
    }

    /// @notice `exec`: the pc moves past the opcode, then its family takes it; returns a
    ///         halt word (undefined opcodes and INVALID halt with InvalidOpcode, no gas).
    function exec(Machine memory m, Frame memory f, uint256 op) internal pure returns (uint256) {
        uint256 pc = f.pc;
        f.pc = pc + 1;
        if (op < 0x20) {
            if (op == 0x00) return Control.run(m, f, op, pc);
            if (op <= 0x0b) return Arithmetic.run(f, op);
            if (op >= 0x10 && op <= 0x1d) return Bitwise.run(f, op);
        } else if (op < 0x50) {
            if (op == 0x20 || (op >= 0x30 && op < 0x40)) return System.run(m, f, op);
            if (op >= 0x40 && op <= 0x4a) return BlockInfo.run(m, f, op);
        } else if (op < 0x60) {
            // 0x50 POP, 0x51 MLOAD, 0x52 MSTORE, 0x53 MSTORE8, 0x56 JUMP, 0x57 JUMPI,
            // 0x58 PC, 0x59 MSIZE, 0x5a GAS, 0x5b JUMPDEST, 0x5e MCOPY, 0x5f PUSH0.
            if (op == 0x50 || op == 0x5f) return StackOps.run(m, f, op, pc);
            if (op == 0x51 || op == 0x52 || op == 0x53 || op == 0x59 || op == 0x5e) return MemoryOps.run(m, f, op);
            if (op == 0x56 || op == 0x57 || op == 0x58 || op == 0x5b) return Control.run(m, f, op, pc);
            if (op == 0x5a) return System.run(m, f, op);
        } else if (op < 0xa0) {
            return StackOps.run(m, f, op, pc);
        } else if (op == 0xfd) {
            return Control.run(m, f, op, pc);
        }
        return StepBase.INVALID_OPCODE;
    }
}
