// SPDX-License-Identifier: MIT
pragma solidity ^0.8.24;

/// @title Positions
/// @notice Positions in the claim tree of the dispute game (docs/dispute.md,
///         "Positions"): a generalized index `g = 2^depth + indexAtDepth`, the root 1.
///         Its Rust twin is `faultline_dispute::position` (the challenger's), tied by
///         docs/vectors/dispute/positions.json once that crate lands.
/// @dev Depths stay below 64 (the game's constructor bounds them), so every position
///      fits a uint128 and no shift here overflows.
library Positions {
    /// @notice The root claim's position.
    uint128 internal constant ROOT = 1;

    /// @notice The depth of `g`: the index of its highest set bit.
    function depth(uint128 g) internal pure returns (uint256 d) {
        assembly ("memory-safe") {
            // Binary search for the highest set bit of a value below 2^128.
            let x := g
            if gt(x, 0xffffffffffffffff) {
                x := shr(64, x)
                d := 64
            }
            if gt(x, 0xffffffff) {
                x := shr(32, x)
                d := add(d, 32)
            }
            if gt(x, 0xffff) {
                x := shr(16, x)
                d := add(d, 16)
            }
            if gt(x, 0xff) {
                x := shr(8, x)
                d := add(d, 8)
            }
            if gt(x, 0xf) {
                x := shr(4, x)
                d := add(d, 4)
            }
            if gt(x, 0x3) {
                x := shr(2, x)
                d := add(d, 2)
            }
            if gt(x, 0x1) { d := add(d, 1) }
        }
    }

    /// @notice The index of `g` among the positions at its depth, from the left.
    function indexAtDepth(uint128 g) internal pure returns (uint256) {
        return uint256(g) - (uint256(1) << depth(g));
    }

    /// @notice The position an attack on `g` takes: its left child.
    function attack(uint128 g) internal pure returns (uint128) {
        return g << 1;
    }

    /// @notice The position a defence of `g` takes: the left child of its right
    ///         neighbour. Callers first check that `g` is not the last at its depth.
    function defend(uint128 g) internal pure returns (uint128) {
        return (g + 1) << 1;
    }

    /// @notice Whether `g` is the last position at its depth (the right spine of the
    ///         tree), which cannot be defended: nothing lies to its right.
    function isRightmost(uint128 g) internal pure returns (bool) {
        return (uint256(g) + 1) & uint256(g) == 0;
    }

    /// @notice The trace index `g` commits to, in a trace whose leaves are at depth
    ///         `leafDepth` (≥ depth(g)): the rightmost leaf under `g`.
    function traceIndex(uint128 g, uint256 leafDepth) internal pure returns (uint256) {
        uint256 d = depth(g);
        return ((indexAtDepth(g) + 1) << (leafDepth - d)) - 1;
    }

    /// @notice The ancestor of `g` at depth `d` (≤ depth(g)).
    function ancestorAt(uint128 g, uint256 d) internal pure returns (uint128) {
        return uint128(uint256(g) >> (depth(g) - d));
    }
}
