// SPDX-License-Identifier: MIT
pragma solidity ^0.8.24;

// The copies into memory: CALLDATACOPY, CODECOPY, RETURNDATACOPY (system.rs) and MCOPY
// (memory.rs); a copy over 4,096 bytes goes on in Copy micro-steps (steps/FrameSteps).
// Rust twins: the CALLDATACOPY | CODECOPY | RETURNDATACOPY arm of `system` in
// crates/vm-core/src/step/instructions/system.rs and the MCOPY arm of `memory` in
// crates/vm-core/src/step/instructions/memory.rs, with `copy` of
// crates/vm-core/src/step/micro.rs. Vectors: docs/vectors/vm/steps.json
// (opcode-39-env-codecopy, opcode-37-env-calldatacopy-long, opcode-5e-memory-mcopy).

import {StepBase} from "../../StepBase.sol";
import {MicroOps} from "../MicroOps.sol";
import {Operands} from "./Operands.sol";
import {Machine, Frame} from "../../Machine.sol";

/// @title Copies
/// @notice The four copy opcodes: three pops, the copy's gas, (RETURNDATACOPY) the bounds
///         check, the expansion(s), then the copy.
library Copies {
    /// @notice One copy opcode (`op` 0x37, 0x39, 0x3e or 0x5e); returns a halt word.
    function run(Machine memory m, Frame memory f, uint256 op) internal pure returns (uint256) {
        (uint256 a, uint256 b, uint256 size, uint256 h) = Operands.take(f, 0, 3);
        if (h != 0) return h;
        h = StepBase.useGas(f, Operands.copyGas(size));
        if (h != 0) return h;
        uint256 o;
        uint256 n;
        if (op == 0x5e) {
            // MCOPY dst (a), src (b): both expansions, the source's first (the cost
            // depends only on the final size).
            if (size == 0) return 0;
            uint256 s;
            (s,, h) = StepBase.expand(f, b, size);
            if (h != 0) return h;
            (o, n, h) = StepBase.expand(f, a, size);
            if (h != 0) return h;
            MicroOps.copy(m, f, MicroOps.SRC_MEMORY, bytes32(0), 0, s, o, n);
            return 0;
        }
        // memory offset (a), data offset (b).
        if (op == 0x3e) {
            // `data_off + size` past U256 or past the return data.
            unchecked {
                uint256 end = b + size;
                if (end < b || end > f.returnData.len) return StepBase.RETURN_DATA_OUT_OF_BOUNDS;
            }
        }
        (o, n, h) = StepBase.expand(f, a, size);
        if (h != 0 || n == 0) return h;
        uint256 src = op == 0x37 ? MicroOps.SRC_CALLDATA : op == 0x39 ? MicroOps.SRC_CODE : MicroOps.SRC_RETURNDATA;
        // Past the end of the source reads zeros: an offset beyond u64 is past it.
        uint256 from = Operands.sat64(b);
        if (from > type(uint64).max - n) from = type(uint64).max - n;
        MicroOps.copy(m, f, src, bytes32(0), 0, from, o, n);
        return 0;
    }
}
