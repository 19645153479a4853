// SPDX-License-Identifier: MIT
pragma solidity ^0.8.24;

// Arithmetic opcodes, ADD through SIGNEXTEND (0x01..=0x0b). Rust twin:
// crates/vm-core/src/step/instructions/arithmetic.rs (`arithmetic`). Vectors:
// docs/vectors/vm/steps.json (opcode-01-arith-add), errors.json (the ADD witnesses: a
// forged stack item, a wrong pre-state); the EVM semantics against Rust's are fuzzed in
// contracts/test/vm/OpcodeSteps.t.sol.

import {StepBase} from "../../StepBase.sol";
import {Operands} from "./Operands.sol";
import {Frame} from "../../Machine.sol";

/// @title Arithmetic
/// @notice ADD, MUL, SUB, DIV, SDIV, MOD, SMOD, ADDMOD, MULMOD, EXP, SIGNEXTEND: the gas,
///         the pops and the push of Rust's `arithmetic`, the values by the EVM's own
///         opcodes (whose semantics are Rust's: a zero divisor or modulus gives 0, SDIV
///         of MIN by −1 gives MIN, SMOD takes the dividend's sign, ADDMOD and MULMOD are
///         full-width, SIGNEXTEND of a byte index ≥ 31 leaves the value).
library Arithmetic {
    /// @notice One arithmetic opcode (`op` in 0x01..=0x0b); returns a halt word.
    function run(Frame memory f, uint256 op) internal pure returns (uint256 h) {
        uint256 cost;
        if (op == 0x01 || op == 0x03) cost = StepBase.G_VERYLOW;
        else if (op == 0x08 || op == 0x09) cost = StepBase.G_MID;
        else if (op == 0x0a) cost = StepBase.G_HIGH;
        else cost = StepBase.G_LOW;
        (uint256 a, uint256 b, uint256 c, uint256 h0) = Operands.take(f, cost, op == 0x08 || op == 0x09 ? 3 : 2);
        if (h0 != 0) return h0;
        if (op == 0x0a) {
            h = StepBase.useGas(f, expGas(b));
            if (h != 0) return h;
        }
        return StepBase.push(f, compute(op, a, b, c));
    }

    /// @notice The value of an arithmetic opcode (`a` the top of the stack, `c` the
    ///         modulus of ADDMOD and MULMOD).
    function compute(uint256 op, uint256 a, uint256 b, uint256 c) internal pure returns (uint256 v) {
        assembly ("memory-safe") {
            switch op
            case 0x01 { v := add(a, b) }
            case 0x02 { v := mul(a, b) }
            case 0x03 { v := sub(a, b) }
            case 0x04 { v := div(a, b) }
            case 0x05 { v := sdiv(a, b) }
            case 0x06 { v := mod(a, b) }
            case 0x07 { v := smod(a, b) }
            case 0x08 { v := addmod(a, b, c) }
            case 0x09 { v := mulmod(a, b, c) }
            case 0x0a { v := exp(a, b) }
            // SIGNEXTEND: `a` is the byte index, `b` the value.
            case 0x0b { v := signextend(a, b) }
        }
    }

    /// @notice EXP's dynamic gas: 50 per byte of the exponent (`bit_len` rounded up).
    function expGas(uint256 e) internal pure returns (uint256 n) {
        // The bytes of `e` without its leading zeros.
        while (e != 0) {
            e >>= 8;
            n += StepBase.G_EXP_BYTE;
        }
    }
}
