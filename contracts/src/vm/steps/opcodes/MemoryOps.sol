// SPDX-License-Identifier: MIT
pragma solidity ^0.8.24;

// Memory opcodes: MLOAD, MSTORE, MSTORE8, MSIZE and MCOPY (a copy over 4,096 bytes goes
// on in Copy micro-steps, steps/FrameSteps). Rust twin:
// crates/vm-core/src/step/instructions/memory.rs (`memory`). Vectors:
// docs/vectors/vm/steps.json (opcode-51-memory-mload, opcode-52-memory-mstore,
// opcode-5e-memory-mcopy).

import {Io} from "../../Io.sol";
import {StepBase} from "../../StepBase.sol";
import {MicroOps} from "../MicroOps.sol";
import {Operands} from "./Operands.sol";
import {Machine, Frame} from "../../Machine.sol";

/// @title MemoryOps
/// @notice MLOAD, MSTORE, MSTORE8, MSIZE, MCOPY: gas, expansion, then the memory tree's
///         range read or write (one access).
library MemoryOps {
    /// @notice One memory opcode (`op` 0x51, 0x52, 0x53, 0x59 or 0x5e).
    function run(Machine memory m, Frame memory f, uint256 op) internal pure returns (uint256) {
        if (op == 0x5e) return mcopy(m, f);
        if (op == 0x59) {
            (,,, uint256 h0) = Operands.take(f, StepBase.G_BASE, 0);
            if (h0 != 0) return h0;
            return StepBase.push(f, f.memLen);
        }
        // MLOAD pops the offset; MSTORE and MSTORE8 the offset and the value.
        (uint256 off, uint256 val,, uint256 h) = Operands.take(f, StepBase.G_VERYLOW, op == 0x51 ? 1 : 2);
        if (h != 0) return h;
        uint256 o;
        (o,, h) = StepBase.expand(f, off, op == 0x53 ? 1 : 32);
        if (h != 0) return h;
        if (op == 0x51) {
            bytes memory w = Io.read(m.accesses, f.mem, o, 32);
            assembly ("memory-safe") {
                val := mload(add(w, 32))
            }
            return StepBase.push(f, val);
        }
        bytes memory data = new bytes(op == 0x53 ? 1 : 32);
        assembly ("memory-safe") {
            switch eq(op, 0x53)
            case 1 { mstore8(add(data, 32), val) }
            default { mstore(add(data, 32), val) }
        }
        Io.write(m.accesses, f.mem, o, data);
        return 0;
    }

    /// @notice MCOPY: the copy's gas, then both expansions (the source's first), then the
    ///         copy (backwards when it overlaps forwards).
    function mcopy(Machine memory m, Frame memory f) internal pure returns (uint256) {
        (uint256 dst, uint256 src, uint256 size, uint256 h) = Operands.take(f, 0, 3);
        if (h != 0) return h;
        h = StepBase.useGas(f, Operands.copyGas(size));
        if (h != 0 || size == 0) return h;
        uint256 s;
        uint256 d;
        uint256 n;
        (s,, h) = StepBase.expand(f, src, size);
        if (h != 0) return h;
        (d, n, h) = StepBase.expand(f, dst, size);
        if (h != 0) return h;
        MicroOps.copy(m, f, MicroOps.SRC_MEMORY, bytes32(0), 0, s, d, n);
        return 0;
    }
}
