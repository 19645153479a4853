// SPDX-License-Identifier: MIT
pragma solidity ^0.8.24;

// An opcode's static gas and operands, for the families of steps/opcodes/. Rust twin: the
// `use_gas(f, cost)?; let a = pop(f)?; …` that opens most instructions of
// crates/vm-core/src/step/instructions/ (`use_gas`, `pop` of crates/vm-core/src/step/mod.rs).
// Vectors: every Opcode(n) vector of docs/vectors/vm/steps.json this module takes.

import {StepBase} from "../../StepBase.sol";
import {Frame} from "../../Machine.sol";

/// @title Operands
/// @notice One call for an instruction's prologue, to keep the OPCODES module under
///         EIP-170: the static gas, then up to three pops in order, stopping at the first
///         halt as Rust's `?` does (what was popped before it stays popped).
library Operands {
    /// @notice Charges `gas` (none for 0), then pops `k` (≤ 3) items: `a` the top.
    function take(Frame memory f, uint256 gas, uint256 k)
        internal
        pure
        returns (uint256 a, uint256 b, uint256 c, uint256 h)
    {
        if (gas != 0) {
            h = StepBase.useGas(f, gas);
            if (h != 0) return (0, 0, 0, h);
        }
        if (k == 0) return (0, 0, 0, 0);
        (a, h) = StepBase.pop(f);
        if (h != 0 || k == 1) return (a, 0, 0, h);
        (b, h) = StepBase.pop(f);
        if (h != 0 || k == 2) return (a, b, 0, h);
        (c, h) = StepBase.pop(f);
    }

    /// @notice `min(x, u64::MAX)`: Rust's `u64::try_from(x).unwrap_or(u64::MAX)` and its
    ///         saturating u64 arithmetic.
    function sat64(uint256 x) internal pure returns (uint256) {
        return x > type(uint64).max ? type(uint64).max : x;
    }

    /// @notice `G_VERYLOW + G_COPY · words(size)` (the copies' gas), saturating at u64 as
    ///         Rust's, the size itself saturated to u64 first.
    function copyGas(uint256 size) internal pure returns (uint256) {
        return sat64(StepBase.G_VERYLOW + StepBase.G_COPY * StepBase.words(sat64(size)));
    }
}
