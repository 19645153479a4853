// SPDX-License-Identifier: MIT
pragma solidity ^0.8.24;

import {Hashing} from "./Hashing.sol";

/// @title SmtVerifier
/// @notice Verifies compressed proofs of faultline's compacted sparse Merkle tree, the L2
///         world-state commitment. Normative spec: docs/state.md ("Proofs"); the Rust
///         implementation is crates/state/src/smt, and both are checked against
///         docs/vectors/smt.json.
library SmtVerifier {
    /// @notice A compressed proof of one key (docs/state.md, "Proofs").
    struct Proof {
        uint16 depth;
        uint256 bitmap;
        bytes32[] siblings;
        bytes32 leafKey;
        bytes32 leafValueHash;
    }

    error ProofDepthTooLarge(uint256 depth);
    error ProofBitmapBeyondDepth();
    error ProofSiblingCount(uint256 expected, uint256 given);
    error ProofLeafOffPath();
    error ProofRootMismatch(bytes32 computed, bytes32 root);

    /// @notice The tree key of an L2 account: H(0x01 ‖ address).
    function accountKey(address account) internal pure returns (bytes32) {
        return keccak256(abi.encodePacked(uint8(0x01), account));
    }

    /// @notice The tree key of storage slot `slot` of `account`: H(0x02 ‖ address ‖ slot).
    function storageKey(address account, bytes32 slot) internal pure returns (bytes32) {
        return keccak256(abi.encodePacked(uint8(0x02), account, slot));
    }

    /// @notice The value hash of an account leaf: H(nonce:u64 ‖ balance ‖ codeHash ‖ codeSize:u64).
    function accountValueHash(uint64 nonce, uint256 balance, bytes32 codeHash, uint64 codeSize)
        internal
        pure
        returns (bytes32)
    {
        return keccak256(abi.encodePacked(nonce, balance, codeHash, codeSize));
    }

    /// @notice Hash of the leaf (key, valueHash): H(0x00 ‖ key ‖ valueHash).
    function leafHash(bytes32 key, bytes32 valueHash) internal pure returns (bytes32 h) {
        assembly ("memory-safe") {
            let m := mload(0x40)
            mstore8(m, 0)
            mstore(add(m, 1), key)
            mstore(add(m, 33), valueHash)
            h := keccak256(m, 65)
        }
    }

    /// @notice Checks `proof` for `key` against `root`, reverting if it is not a valid
    ///         proof. Returns whether the key is in the tree and, if so, its value hash
    ///         (for a storage leaf, the slot's value itself).
    function verify(bytes32 root, bytes32 key, Proof memory proof)
        internal
        pure
        returns (bool included, bytes32 valueHash)
    {
        uint256 depth = proof.depth;
        if (depth > 256) revert ProofDepthTooLarge(depth);
        uint256 bitmap = proof.bitmap;
        // Bits at index >= depth must be clear (docs/state.md).
        if (depth < 256 && (bitmap << depth) != 0) revert ProofBitmapBeyondDepth();
        uint256 count = _popcount(bitmap);
        if (count != proof.siblings.length) revert ProofSiblingCount(count, proof.siblings.length);

        bytes32 h;
        bool emptyTerminal = proof.leafKey == bytes32(0) && proof.leafValueHash == bytes32(0);
        if (!emptyTerminal) {
            // A leaf terminal must sit on the key's path: first `depth` bits agree.
            if (depth != 0 && ((uint256(proof.leafKey) ^ uint256(key)) >> (256 - depth)) != 0) {
                revert ProofLeafOffPath();
            }
            h = leafHash(proof.leafKey, proof.leafValueHash);
            if (proof.leafKey == key) {
                included = true;
                valueHash = proof.leafValueHash;
            }
        }

        bytes32[] memory siblings = proof.siblings;
        uint256 next = count;
        uint256 k = uint256(key);
        for (uint256 i = depth; i > 0;) {
            unchecked {
                --i;
            }
            bytes32 s;
            if ((bitmap >> (255 - i)) & 1 == 1) {
                unchecked {
                    --next;
                }
                s = siblings[next];
            }
            h = Hashing.parent(h, s, (k >> (255 - i)) & 1 == 1);
        }
        if (h != root) revert ProofRootMismatch(h, root);
    }

    /// @notice Proves that storage slot `slot` of `account` holds `value` (non-zero) under `root`.
    function verifyStorage(bytes32 root, address account, bytes32 slot, bytes32 value, Proof memory proof)
        internal
        pure
        returns (bool)
    {
        (bool included, bytes32 got) = verify(root, storageKey(account, slot), proof);
        return included && got == value;
    }

    function _popcount(uint256 x) private pure returns (uint256 c) {
        unchecked {
            while (x != 0) {
                x &= x - 1;
                ++c;
            }
        }
    }
}
