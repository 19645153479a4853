// SPDX-License-Identifier: MIT
pragma solidity ^0.8.24;

// The block's transactions and receipts roots, built one leaf at a time. Rust twin:
// crates/vm-core/src/accumulator.rs (`MerkleBuilder::push`, `MerkleBuilder::root`), which
// closes to crates/primitives/src/batch.rs `merkle_root`. Vectors: docs/vectors/vm/steps.json
// (tx-end pushes a leaf to each builder, block-end closes both) and inputs.json.

import {IFaultVM} from "../../interfaces/IFaultVM.sol";
import {StepBase} from "../StepBase.sol";
import {MerkleBuilder} from "../Machine.sol";

/// @title MerkleOps
/// @notice A binary Merkle root over leaves added left to right: one pending node per
///         level (`peaks[l]` present exactly where bit `l` of `count` is set), nodes
///         paired left to right, a level's odd last node paired with zero, one leaf its
///         own root, none zero.
library MerkleOps {
    /// @notice keccak256(l ‖ r).
    function pair(bytes32 l, bytes32 r) internal pure returns (bytes32 h) {
        assembly ("memory-safe") {
            mstore(0, l)
            mstore(32, r)
            h := keccak256(0, 64)
        }
    }

    /// @notice `MerkleBuilder::push`: adds a leaf, carrying up through the set bits.
    function push(MerkleBuilder memory b, bytes32 leaf) internal pure {
        uint256 count = b.count;
        // The count is a u64: a 2^64th leaf is a state no run reaches.
        if (count >= type(uint64).max) revert IFaultVM.Inconsistent(StepBase.OTHER);
        bytes32 carry = leaf;
        uint256 l = 0;
        while ((count >> l) & 1 == 1) {
            carry = pair(b.peaks[l], carry);
            b.peaks[l] = bytes32(0);
            ++l;
        }
        b.peaks[l] = carry;
        b.count = count + 1;
    }

    /// @notice `MerkleBuilder::root`: the root over the leaves so far (zero for none).
    function root(MerkleBuilder memory b) internal pure returns (bytes32) {
        uint256 count = b.count;
        if (count == 0) return bytes32(0);
        // ⌈log2 count⌉: the bit length of count - 1.
        uint256 top = 0;
        for (uint256 x = count - 1; x != 0; x >>= 1) {
            ++top;
        }
        bool hasAcc = false;
        bytes32 acc;
        for (uint256 l = 0; l < top; ++l) {
            bool hasPeak = (count >> l) & 1 == 1;
            if (hasPeak) {
                acc = hasAcc ? pair(b.peaks[l], acc) : pair(b.peaks[l], bytes32(0));
                hasAcc = true;
            } else if (hasAcc) {
                acc = pair(acc, bytes32(0));
            }
        }
        if (!hasAcc && top < 64 && (count >> top) & 1 == 1) return b.peaks[top];
        return acc;
    }
}
