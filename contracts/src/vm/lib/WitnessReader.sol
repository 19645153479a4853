// SPDX-License-Identifier: MIT
pragma solidity ^0.8.24;

import {IFaultVM} from "../../interfaces/IFaultVM.sol";

/// @title WitnessReader
/// @notice A cursor over a witness in calldata: every read checks the bytes left first
///         and reverts `IFaultVM.Malformed` at the witness offset where it ran out. The
///         Rust twin is `Reader` in crates/vm-core/src/witness.rs. Integers are
///         big-endian, fixed width; a flag is 0 or 1; a tag is at most its bound.
library WitnessReader {
    /// @notice A read position: `at` and `end` are absolute calldata offsets, `base` the
    ///         witness's first byte (errors report `at - base`).
    struct Cursor {
        uint256 at;
        uint256 end;
        uint256 base;
    }

    /// @notice A cursor over `witness`.
    function open(bytes calldata witness) internal pure returns (Cursor memory c) {
        uint256 off;
        assembly ("memory-safe") {
            off := witness.offset
        }
        c.at = off;
        c.end = off + witness.length;
        c.base = off;
    }

    /// @notice Reverts `Malformed` at the cursor.
    function fail(Cursor memory c) internal pure {
        revert IFaultVM.Malformed(c.at - c.base);
    }

    /// @notice Bytes not read yet.
    function left(Cursor memory c) internal pure returns (uint256) {
        return c.end - c.at;
    }

    /// @notice Reverts `Malformed` unless `n` bytes are left.
    function need(Cursor memory c, uint256 n) internal pure {
        if (c.end - c.at < n) revert IFaultVM.Malformed(c.at - c.base);
    }

    /// @notice The next `n` (1..32) bytes as a big-endian unsigned integer.
    function uintN(Cursor memory c, uint256 n) internal pure returns (uint256 v) {
        uint256 at = c.at;
        if (c.end - at < n) revert IFaultVM.Malformed(at - c.base);
        assembly ("memory-safe") {
            v := shr(sub(256, shl(3, n)), calldataload(at))
        }
        c.at = at + n;
    }

    /// @notice One byte.
    function u8(Cursor memory c) internal pure returns (uint256) {
        return uintN(c, 1);
    }

    /// @notice A big-endian u16.
    function u16(Cursor memory c) internal pure returns (uint256) {
        return uintN(c, 2);
    }

    /// @notice A big-endian u32.
    function u32(Cursor memory c) internal pure returns (uint256) {
        return uintN(c, 4);
    }

    /// @notice A big-endian u64.
    function u64(Cursor memory c) internal pure returns (uint256) {
        return uintN(c, 8);
    }

    /// @notice A big-endian u128.
    function u128(Cursor memory c) internal pure returns (uint256) {
        return uintN(c, 16);
    }

    /// @notice A big-endian two's complement i64.
    function i64(Cursor memory c) internal pure returns (int256 v) {
        uint256 u = uintN(c, 8);
        assembly ("memory-safe") {
            v := signextend(7, u)
        }
    }

    /// @notice A 32-byte word.
    function b256(Cursor memory c) internal pure returns (bytes32 v) {
        uint256 at = c.at;
        if (c.end - at < 32) revert IFaultVM.Malformed(at - c.base);
        assembly ("memory-safe") {
            v := calldataload(at)
        }
        c.at = at + 32;
    }

    /// @notice A 20-byte address.
    function addr(Cursor memory c) internal pure returns (address) {
        return address(uint160(uintN(c, 20)));
    }

    /// @notice A flag byte: 0 or 1, anything else is malformed.
    function flag(Cursor memory c) internal pure returns (bool) {
        uint256 at = c.at;
        uint256 b = uintN(c, 1);
        if (b > 1) revert IFaultVM.Malformed(at - c.base);
        return b == 1;
    }

    /// @notice A tag byte at most `max`.
    function tag(Cursor memory c, uint256 max) internal pure returns (uint256 t) {
        uint256 at = c.at;
        t = uintN(c, 1);
        if (t > max) revert IFaultVM.Malformed(at - c.base);
    }

    /// @notice Skips `n` bytes and returns the calldata offset of the first.
    function skip(Cursor memory c, uint256 n) internal pure returns (uint256 at) {
        at = c.at;
        if (c.end - at < n) revert IFaultVM.Malformed(at - c.base);
        c.at = at + n;
    }

    /// @notice The next `n` bytes copied to memory.
    function bytesN(Cursor memory c, uint256 n) internal pure returns (bytes memory out) {
        uint256 at = skip(c, n);
        out = new bytes(n);
        assembly ("memory-safe") {
            calldatacopy(add(out, 32), at, n)
        }
    }

    /// @notice Reverts `Malformed` unless a count `n` of items of at least `minSize`
    ///         bytes each is within `max` and fits the bytes left (checked before anything
    ///         is allocated).
    function count(Cursor memory c, uint256 n, uint256 max, uint256 minSize) internal pure {
        if (n > max || n * minSize > c.end - c.at) revert IFaultVM.Malformed(c.at - c.base);
    }

    /// @notice Reverts `Malformed` if any byte is left.
    function finish(Cursor memory c) internal pure {
        if (c.at != c.end) revert IFaultVM.Malformed(c.at - c.base);
    }
}
