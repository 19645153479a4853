// SPDX-License-Identifier: MIT
pragma solidity ^0.8.24;

// Comparison and bitwise opcodes, LT through SAR (0x10..=0x1d). Rust twin:
// crates/vm-core/src/step/instructions/bitwise.rs (`bitwise`). Vectors:
// docs/vectors/vm/steps.json (opcode-10-compare-lt, opcode-16-bitwise-and); the EVM
// semantics against Rust's are fuzzed in contracts/test/vm/OpcodeSteps.t.sol.

import {StepBase} from "../../StepBase.sol";
import {Operands} from "./Operands.sol";
import {Frame} from "../../Machine.sol";

/// @title Bitwise
/// @notice LT, GT, SLT, SGT, EQ, ISZERO, AND, OR, XOR, NOT, BYTE, SHL, SHR, SAR: 3 gas,
///         one pop (ISZERO, NOT) or two, one push; the values by the EVM's own opcodes
///         (BYTE past 31 gives 0, a shift of 256 or more gives 0, SAR of a negative value
///         by 256 or more gives all ones, as Rust's).
library Bitwise {
    /// @notice One comparison or bitwise opcode (`op` in 0x10..=0x1d); returns a halt word.
    function run(Frame memory f, uint256 op) internal pure returns (uint256) {
        (uint256 a, uint256 b,, uint256 h) = Operands.take(f, StepBase.G_VERYLOW, op == 0x15 || op == 0x19 ? 1 : 2);
        if (h != 0) return h;
        return StepBase.push(f, compute(op, a, b));
    }

    /// @notice The value of a comparison or bitwise opcode (`a` the top of the stack:
    ///         BYTE's index, a shift's amount; ISZERO and NOT take `a` alone).
    function compute(uint256 op, uint256 a, uint256 b) internal pure returns (uint256 v) {
        assembly ("memory-safe") {
            switch op
            case 0x10 { v := lt(a, b) }
            case 0x11 { v := gt(a, b) }
            case 0x12 { v := slt(a, b) }
            case 0x13 { v := sgt(a, b) }
            case 0x14 { v := eq(a, b) }
            case 0x15 { v := iszero(a) }
            case 0x16 { v := and(a, b) }
            case 0x17 { v := or(a, b) }
            case 0x18 { v := xor(a, b) }
            case 0x19 { v := not(a) }
            case 0x1a { v := byte(a, b) }
            case 0x1b { v := shl(a, b) }
            case 0x1c { v := shr(a, b) }
            case 0x1d { v := sar(a, b) }
        }
    }
}
