// SPDX-License-Identifier: MIT
pragma solidity ^0.8.24;

// Memory opcodes: MLOAD, MSTORE and MSTORE8 (MSIZE is Control.sol's, MCOPY Copies.sol's).
// Rust twin: crates/vm-core/src/step/instructions/memory.rs (`memory`, but its MSIZE and
// MCOPY arms). Vectors:
// docs/vectors/vm/steps.json (opcode-51-memory-mload, opcode-52-memory-mstore).

import {Io} from "../../Io.sol";
import {StepBase} from "../../StepBase.sol";
import {Operands} from "./Operands.sol";
import {Machine, Frame} from "../../Machine.sol";

/// @title MemoryOps
/// @notice MLOAD, MSTORE, MSTORE8: gas, expansion, then the memory tree's range read or
///         write (one access).
library MemoryOps {
    /// @notice One memory opcode (`op` 0x51, 0x52 or 0x53); returns a halt word.
    function run(Machine memory m, Frame memory f, uint256 op) internal pure returns (uint256) {
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
}
