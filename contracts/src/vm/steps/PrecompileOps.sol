// SPDX-License-Identifier: MIT
pragma solidity ^0.8.24;

// A precompile frame's step within the L2's bounds (docs/fault-vm.md, "Precompiles and
// the L2's bounds"). Rust twin: crates/vm-core/src/step/precompile.rs (`run_precompile`
// of `Machine` and the free `run_precompile`, `l1_precompile_gas`),
// crates/primitives/src/limits.rs (`precompile_refused`, `ModexpHeader::l1_gas`) and the
// Cancun prices of revm-precompile (`hash.rs`, `identity.rs`, `modexp.rs`'s
// `berlin_gas_calc`, `bn254.rs`, `blake2`, `kzg_point_evaluation.rs`, `secp256k1.rs`);
// vectors: `precompile-01-ecrecover` … `precompile-0a-point-evaluation-fails` of
// docs/vectors/vm/steps.json and the unit tests of contracts/test/vm/FrameSteps.t.sol.

import {StepBase} from "../StepBase.sol";
import {MicroOps} from "./MicroOps.sol";
import {Machine, Frame, Slice} from "../Machine.sol";

/// @title PrecompileOps
/// @notice Runs the Cancun precompile at a frame's code address on its call data: the L2's
///         bounds and the Cancun price decide here, without a call, whether the call fails
///         on them; else the L1's precompile at the same address (Osaka: Cancun's rules but
///         modexp's EIP-7883 price) runs it with exactly the gas it charges for the input,
///         and its verdict is the call's.
library PrecompileOps {
    /// @notice The L2's bound on a precompile call's input.
    uint256 internal constant MAX_INPUT = 32 * 1024;
    /// @notice The L2's bound on a precompile call's gas.
    uint256 internal constant MAX_GAS = 1_000_000;
    /// @notice The L2's bound on a modexp operand's length (EIP-7823).
    uint256 internal constant MODEXP_MAX_OPERAND = 1_024;
    /// @notice The halt code of a failed precompile (docs/fault-vm.md, "Halt codes").
    uint256 internal constant HALT_PRECOMPILE_FAILED = 11;
    /// @notice Gas kept back beyond what the L1 precompile is given: the call's own cost
    ///         and what EIP-150 withholds are checked for before calling.
    uint256 internal constant CALL_MARGIN = 5_000;

    /// @notice `Machine::run_precompile`: the frame's call data through the precompile at
    ///         its code address; success leaves the gas left and the output (a tree built
    ///         in the step); any failure halts the frame with PRECOMPILE_FAILED.
    function run(Machine memory m, Frame memory f) internal view {
        if (f.callData.len > MAX_INPUT) return fail(f);
        bytes memory input = MicroOps.readSlice(m, f.callData, 0, f.callData.len);
        uint256 id = uint160(f.codeAddress);
        (bool ok, uint256 price, uint256 l1Gas) = pricing(id, input);
        uint256 limit = f.gas < MAX_GAS ? f.gas : MAX_GAS;
        if (!ok || price > limit) return fail(f);
        bytes memory out;
        if (id == 4) {
            // Identity: its output is its input.
            out = input;
        } else {
            (ok, out) = callL1(id, input, l1Gas);
            if (!ok) return fail(f);
        }
        f.gas -= price;
        f.status = StepBase.SUCCESS;
        f.output = Slice(StepBase.builtTree(out), 0, out.length);
    }

    /// @notice A failed call: the frame halts (its gas is consumed at its exit).
    function fail(Frame memory f) private pure {
        f.status = StepBase.HALT;
        f.haltCode = HALT_PRECOMPILE_FAILED;
    }

    /// @notice What the call costs the L2 (Cancun's price) and the L1 (Osaka's), or
    ///         `ok == false` if it fails whatever the gas: refused by the L2's bounds
    ///         (`precompile_refused`) or of an input length the precompile refuses.
    /// @param id The precompile (1 … 10).
    /// @param input The call data.
    /// @return ok Whether the call may succeed.
    /// @return price The L2's price.
    /// @return l1Gas The L1 precompile's price.
    function pricing(uint256 id, bytes memory input) internal pure returns (bool ok, uint256 price, uint256 l1Gas) {
        uint256 len = input.length;
        uint256 w = (len + 31) / 32;
        ok = true;
        if (id == 1) {
            price = 3_000;
        } else if (id == 2) {
            price = 60 + 12 * w;
        } else if (id == 3) {
            price = 600 + 120 * w;
        } else if (id == 4) {
            price = 15 + 3 * w;
        } else if (id == 5) {
            return modexpPricing(input);
        } else if (id == 6) {
            price = 150;
        } else if (id == 7) {
            price = 6_000;
        } else if (id == 8) {
            price = 45_000 + 34_000 * (len / 192);
            ok = len % 192 == 0;
        } else if (id == 9) {
            ok = len == 213 && uint8(input[212]) <= 1;
            if (ok) price = uint32(bytes4(wordAt(input, 0)));
        } else {
            price = 50_000;
            ok = len == 192;
        }
        l1Gas = price;
    }

    /// @notice The 32 bytes of `input` from `at`, zero past its end.
    function wordAt(bytes memory input, uint256 at) internal pure returns (bytes32 v) {
        uint256 len = input.length;
        if (at >= len) return 0;
        assembly ("memory-safe") {
            v := mload(add(add(input, 32), at))
        }
        uint256 k = len - at;
        if (k < 32) v &= bytes32(~(type(uint256).max >> (8 * k)));
    }

    /// @notice The bit length of `x`.
    function bitLen(uint256 x) internal pure returns (uint256 n) {
        while (x != 0) {
            x >>= 1;
            ++n;
        }
    }

    /// @notice modexp's prices: Cancun's (EIP-2565) for the L2, Osaka's (EIP-7883) for
    ///         the L1, and the L2's refusal (`precompile_refused`: an operand over 1,024
    ///         bytes, or an L1 price over 1 M).
    function modexpPricing(bytes memory input) internal pure returns (bool ok, uint256 price, uint256 l1Gas) {
        uint256 baseLen = uint256(wordAt(input, 0));
        uint256 expLen = uint256(wordAt(input, 32));
        uint256 modLen = uint256(wordAt(input, 64));
        if (baseLen > MODEXP_MAX_OPERAND || expLen > MODEXP_MAX_OPERAND || modLen > MODEXP_MAX_OPERAND) {
            return (false, 0, 0);
        }
        // The exponent's first min(expLen, 32) bytes (zero past the input).
        uint256 head = uint256(wordAt(input, 96 + baseLen));
        uint256 n = expLen < 32 ? expLen : 32;
        head = n == 0 ? 0 : head >> (8 * (32 - n));
        uint256 bits = bitLen(head);
        uint256 longest = baseLen > modLen ? baseLen : modLen;
        uint256 words = (longest + 7) / 8;
        // Osaka (EIP-7883; `ModexpHeader::l1_gas`).
        uint256 iterations = expLen <= 32 ? (bits == 0 ? 0 : bits - 1) : 16 * (expLen - 32) + (bits == 0 ? 1 : bits) - 1;
        if (iterations == 0) iterations = 1;
        uint256 complexity = longest <= 32 ? 16 : 2 * words * words;
        l1Gas = complexity * iterations;
        if (l1Gas < 500) l1Gas = 500;
        if (l1Gas > MAX_GAS) return (false, 0, 0);
        // Cancun (EIP-2565; revm's `berlin_gas_calc`).
        iterations = expLen <= 32 ? (bits == 0 ? 0 : bits - 1) : 8 * (expLen - 32) + (bits == 0 ? 1 : bits) - 1;
        if (iterations == 0) iterations = 1;
        price = (words * words * iterations) / 3;
        if (price < 200) price = 200;
        ok = true;
    }

    /// @notice Calls the L1 precompile `id` on `input` with `g` gas, its price: its
    ///         success and output. Runs out of gas itself unless the precompile surely gets
    ///         all of `g` (EIP-150 keeps back a 64th), so that too little gas for the
    ///         verifier can never pass for a failure of the precompile.
    function callL1(uint256 id, bytes memory input, uint256 g) internal view returns (bool ok, bytes memory out) {
        assembly ("memory-safe") {
            if lt(gas(), add(add(g, div(g, 63)), CALL_MARGIN)) { invalid() }
            ok := staticcall(g, id, add(input, 32), mload(input), 0, 0)
            out := mload(0x40)
            let n := returndatasize()
            mstore(out, n)
            returndatacopy(add(out, 32), 0, n)
            mstore(0x40, add(add(out, 32), and(add(n, 31), not(31))))
        }
    }
}
