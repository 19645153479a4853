// SPDX-License-Identifier: MIT
pragma solidity ^0.8.24;

/// @title BuiltTree
/// @notice Word trees a step builds itself (docs/fault-vm.md, "Word trees": a new frame's
///         empty memory, a precompile's output, a loaded code's chunks, the data tree an
///         input step fills): their bytes are in memory, so reading and writing them needs
///         no proof, and their root is computed when the machine is encoded. Rust twin:
///         `WordTree::from_bytes`, `read`, `write` and `root` in crates/vm-core/src/words.rs
///         (a tree `Io::new_tree` made, of the step's own generation); vectors: the steps of
///         docs/vectors/vm/ that build trees (a precompile's output, a code load).
library BuiltTree {
    /// @notice The root of the depth-32 word tree over `data` (words past it zero).
    function rootOf(bytes memory data) internal pure returns (bytes32 r) {
        assembly ("memory-safe") {
            let len := mload(data)
            let n := shr(5, add(len, 31))
            // Scratch: the words, zero-padded, then each level over them in place.
            let a := mload(0x40)
            mcopy(a, add(data, 32), len)
            mstore(add(a, len), 0)
            let z := 0
            for { let h := 0 } lt(h, 32) { h := add(h, 1) } {
                let m := shr(1, add(n, 1))
                for { let i := 0 } lt(i, m) { i := add(i, 1) } {
                    let l := add(a, shl(6, i))
                    let right := z
                    if lt(add(shl(1, i), 1), n) { right := mload(add(l, 32)) }
                    mstore(0, mload(l))
                    mstore(32, right)
                    mstore(add(a, shl(5, i)), keccak256(0, 64))
                }
                mstore(0, z)
                mstore(32, z)
                z := keccak256(0, 64)
                n := m
            }
            r := z
            if n { r := mload(a) }
        }
    }

    /// @notice `n` bytes of `data` from `at` (zeros past its end).
    function read(bytes memory data, uint256 at, uint256 n) internal pure returns (bytes memory out) {
        out = new bytes(n);
        uint256 len = data.length;
        if (at >= len) return out;
        uint256 k = len - at < n ? len - at : n;
        assembly ("memory-safe") {
            mcopy(add(out, 32), add(add(data, 32), at), k)
        }
    }

    /// @notice `data` with `bytes_` written at `at`, grown (with zeros) to reach it.
    function write(bytes memory data, uint256 at, bytes memory bytes_) internal pure returns (bytes memory out) {
        uint256 n = bytes_.length;
        if (n == 0) return data;
        uint256 end = at + n;
        out = data;
        if (end > data.length) {
            out = new bytes(end);
            uint256 len = data.length;
            assembly ("memory-safe") {
                mcopy(add(out, 32), add(data, 32), len)
            }
        }
        assembly ("memory-safe") {
            mcopy(add(add(out, 32), at), add(bytes_, 32), n)
        }
    }
}
