// SPDX-License-Identifier: MIT
pragma solidity ^0.8.24;

import {SmtVerifier} from "../../src/lib/SmtVerifier.sol";

/// @title SmtTestTree
/// @notice A small in-memory compacted sparse Merkle tree (docs/state.md) for tests: a
///         handful of leaves, root and compressed proofs computed from scratch each time
///         (no node storage), so it cannot drift from the spec's shape rules. Checked
///         against docs/vectors/smt.json in SmtTestTree.t.sol.
///
///         The tree is the set of (key, valueHash) leaves; the hash of a subtree is
///         computed from the leaves under it:
///         - no leaf: 0;
///         - one leaf: H(0x00 ‖ key ‖ valueHash) (the leaf sits at the subtree's top);
///         - two or more: an internal node; runs of single-child internal nodes over the
///           leaves' common prefix are hashed with an empty sibling.
library SmtTestTree {
    struct Tree {
        bytes32[] keys;
        bytes32[] values;
        uint256 size;
    }

    error TreeFull();

    /// @notice An empty tree that holds up to `capacity` leaves.
    function create(uint256 capacity) internal pure returns (Tree memory t) {
        t.keys = new bytes32[](capacity);
        t.values = new bytes32[](capacity);
    }

    /// @notice Inserts or updates `key`; a zero `valueHash` deletes it (docs/state.md:
    ///         zero storage has no leaf).
    function set(Tree memory t, bytes32 key, bytes32 valueHash) internal pure {
        for (uint256 i = 0; i < t.size; ++i) {
            if (t.keys[i] == key) {
                if (valueHash == bytes32(0)) {
                    t.size -= 1;
                    t.keys[i] = t.keys[t.size];
                    t.values[i] = t.values[t.size];
                } else {
                    t.values[i] = valueHash;
                }
                return;
            }
        }
        if (valueHash == bytes32(0)) return;
        if (t.size == t.keys.length) revert TreeFull();
        t.keys[t.size] = key;
        t.values[t.size] = valueHash;
        t.size += 1;
    }

    function get(Tree memory t, bytes32 key) internal pure returns (bytes32) {
        for (uint256 i = 0; i < t.size; ++i) {
            if (t.keys[i] == key) return t.values[i];
        }
        return bytes32(0);
    }

    function root(Tree memory t) internal pure returns (bytes32) {
        return _node(Set({k: t.keys, v: t.values, n: t.size}), 0);
    }

    /// @dev A set of leaves: the first `n` entries of (k, v).
    struct Set {
        bytes32[] k;
        bytes32[] v;
        uint256 n;
    }

    /// @notice The compressed proof of `key` (inclusion or exclusion) against `root(t)`.
    function proof(Tree memory t, bytes32 key) internal pure returns (SmtVerifier.Proof memory p) {
        Set memory path = Set({k: t.keys, v: t.values, n: t.size});
        bytes32[] memory sibs = new bytes32[](256);
        uint256 count;
        uint256 d;
        while (path.n >= 2) {
            // The path node at depth d is internal: split its leaves by bit d.
            (Set memory zero, Set memory one) = _split(path, d);
            Set memory other;
            (path, other) = _bit(key, d) == 0 ? (zero, one) : (one, zero);
            bytes32 s = _node(other, d + 1);
            if (s != bytes32(0)) {
                p.bitmap |= uint256(1) << (255 - d);
                sibs[count++] = s;
            }
            d += 1;
        }
        // forge-lint: disable-next-line(unsafe-typecast) d <= 256
        p.depth = uint16(d);
        assembly ("memory-safe") {
            mstore(sibs, count)
        }
        p.siblings = sibs;
        if (path.n == 1) {
            p.leafKey = path.k[0];
            p.leafValueHash = path.v[0];
        }
    }

    /// @dev Hash of the subtree holding the leaves of `s`, which all share their first
    ///      `depth` bits; the subtree's top is at `depth`.
    function _node(Set memory s, uint256 depth) private pure returns (bytes32 h) {
        if (s.n == 0) return bytes32(0);
        if (s.n == 1) return SmtVerifier.leafHash(s.k[0], s.v[0]);
        // p: the first bit (>= depth) where the leaves do not all agree.
        uint256 p = 256;
        for (uint256 i = 1; i < s.n; ++i) {
            uint256 c = _clz(uint256(s.k[0]) ^ uint256(s.k[i]));
            if (c < p) p = c;
        }
        require(p >= depth && p < 256, "SmtTestTree: bad subtree");
        (Set memory zero, Set memory one) = _split(s, p);
        h = keccak256(abi.encodePacked(_node(zero, p + 1), _node(one, p + 1)));
        // Internal nodes at depths depth..p-1 on the shared prefix: one empty child each.
        for (uint256 i = p; i > depth;) {
            --i;
            h = _bit(s.k[0], i) == 0
                ? keccak256(abi.encodePacked(h, bytes32(0)))
                : keccak256(abi.encodePacked(bytes32(0), h));
        }
    }

    /// @dev Partitions `s` by bit `i` of the keys.
    function _split(Set memory s, uint256 i) private pure returns (Set memory zero, Set memory one) {
        zero = Set({k: new bytes32[](s.n), v: new bytes32[](s.n), n: 0});
        one = Set({k: new bytes32[](s.n), v: new bytes32[](s.n), n: 0});
        for (uint256 j = 0; j < s.n; ++j) {
            Set memory dst = _bit(s.k[j], i) == 0 ? zero : one;
            dst.k[dst.n] = s.k[j];
            dst.v[dst.n] = s.v[j];
            dst.n += 1;
        }
    }

    function _bit(bytes32 k, uint256 i) private pure returns (uint256) {
        return (uint256(k) >> (255 - i)) & 1;
    }

    /// @dev Leading zero bits of x (256 for zero).
    function _clz(uint256 x) private pure returns (uint256 n) {
        if (x == 0) return 256;
        if (x >> 128 == 0) {
            n += 128;
            x <<= 128;
        }
        if (x >> 192 == 0) {
            n += 64;
            x <<= 64;
        }
        if (x >> 224 == 0) {
            n += 32;
            x <<= 32;
        }
        if (x >> 240 == 0) {
            n += 16;
            x <<= 16;
        }
        if (x >> 248 == 0) {
            n += 8;
            x <<= 8;
        }
        if (x >> 252 == 0) {
            n += 4;
            x <<= 4;
        }
        if (x >> 254 == 0) {
            n += 2;
            x <<= 2;
        }
        if (x >> 255 == 0) {
            n += 1;
        }
    }
}
