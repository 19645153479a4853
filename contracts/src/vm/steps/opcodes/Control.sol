// SPDX-License-Identifier: MIT
pragma solidity ^0.8.24;

// Control flow: STOP, JUMP, JUMPI, PC, JUMPDEST and REVERT (RETURN is the host's: a
// create frame's deposits its code, steps/HostSteps), with MSIZE and GAS. Rust twin:
// crates/vm-core/src/step/instructions/control.rs (`control`, but its RETURN arm), the
// MSIZE arm of memory.rs's `memory` and the GAS arm of system.rs's `system`.
// Vectors: docs/vectors/vm/steps.json (opcode-56-flow-jump, opcode-56-flow-jump-bad,
// opcode-57-flow-jumpi, opcode-5b-flow-jumpdest, opcode-fd-revert).

import {StepBase} from "../../StepBase.sol";
import {FrameOps} from "../FrameOps.sol";
import {Operands} from "./Operands.sol";
import {Machine, Frame, Slice} from "../../Machine.sol";

/// @title Control
/// @notice STOP (success with no output), JUMP and JUMPI (the destination's chunk opened:
///         its JUMPDEST check is local to the chunk, docs/fault-vm.md "Code"), PC,
///         JUMPDEST, REVERT (the memory's view as the output); MSIZE and GAS.
library Control {
    /// @notice One control-flow opcode (`op` 0x00, 0x56, 0x57, 0x58, 0x5b or 0xfd), MSIZE
    ///         (0x59) or GAS (0x5a); `pc` is the opcode's.
    function run(Machine memory m, Frame memory f, uint256 op, uint256 pc) internal pure returns (uint256) {
        if (op == 0x00) {
            f.status = StepBase.SUCCESS;
            f.output = Slice(StepBase.emptyTree(), 0, 0);
            return 0;
        }
        if (op == 0x56 || op == 0x57) return jump(m, f, op);
        if (op >= 0x58 && op <= 0x5a) {
            uint256 h0 = StepBase.useGas(f, StepBase.G_BASE);
            if (h0 != 0) return h0;
            // PC, MSIZE, GAS (what is left after its own 2).
            return StepBase.push(f, op == 0x58 ? pc : op == 0x59 ? f.memLen : f.gas);
        }
        if (op == 0x5b) return StepBase.useGas(f, StepBase.G_JUMPDEST);
        // REVERT (0xfd)
        (uint256 off, uint256 size,, uint256 h) = Operands.take(f, 0, 2);
        if (h != 0) return h;
        uint256 o;
        uint256 n;
        (o, n, h) = StepBase.expand(f, off, size);
        if (h != 0) return h;
        f.status = StepBase.REVERT;
        f.output = Slice(f.mem, o, n);
        return 0;
    }

    /// @notice JUMP (0x56) or JUMPI (0x57).
    function jump(Machine memory m, Frame memory f, uint256 op) internal pure returns (uint256) {
        (uint256 dest, uint256 cond,, uint256 h) =
            Operands.take(f, op == 0x56 ? StepBase.G_MID : StepBase.G_HIGH, op == 0x56 ? 1 : 2);
        if (h != 0 || (op == 0x57 && cond == 0)) return h;
        // A destination beyond u64 is beyond the code.
        if (dest >= f.codeLen) return StepBase.BAD_JUMP;
        bytes32 chunk = FrameOps.chunkAt(m, f, dest);
        if (!FrameOps.isJumpdest(chunk, dest % FrameOps.CHUNK)) return StepBase.BAD_JUMP;
        f.pc = dest;
        return 0;
    }
}
