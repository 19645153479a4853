// SPDX-License-Identifier: MIT
pragma solidity ^0.8.24;

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

    /// @notice What `computeRoot` found wrong with a proof's shape (0: nothing).
    uint256 internal constant SHAPE_OK = 0;
    uint256 internal constant SHAPE_DEPTH = 1;
    uint256 internal constant SHAPE_BITMAP = 2;
    uint256 internal constant SHAPE_COUNT = 3;
    uint256 internal constant SHAPE_OFF_PATH = 4;

    /// @notice Checks `proof` for `key` against `root`, reverting if it is not a valid
    ///         proof. Returns whether the key is in the tree and, if so, its value hash
    ///         (for a storage leaf, the slot's value itself).
    function verify(bytes32 root, bytes32 key, Proof memory proof)
        internal
        pure
        returns (bool included, bytes32 valueHash)
    {
        (uint256 shape, bytes32 h) = computeRoot(key, proof);
        if (shape == SHAPE_DEPTH) revert ProofDepthTooLarge(proof.depth);
        if (shape == SHAPE_BITMAP) revert ProofBitmapBeyondDepth();
        if (shape == SHAPE_COUNT) revert ProofSiblingCount(popcount(proof.bitmap), proof.siblings.length);
        if (shape == SHAPE_OFF_PATH) revert ProofLeafOffPath();
        if (h != root) revert ProofRootMismatch(h, root);
        return found(key, proof);
    }

    /// @notice Whether `proof` shows `key` present (its terminal is `key`'s leaf) and its
    ///         value hash then (zero otherwise). Says nothing of the proof's validity.
    function found(bytes32 key, Proof memory proof) internal pure returns (bool included, bytes32 valueHash) {
        if (proof.leafKey == key && !terminalIsEmpty(proof)) return (true, proof.leafValueHash);
    }

    /// @notice Whether the proof's terminal is the empty node (leaf key and value hash
    ///         both zero).
    function terminalIsEmpty(Proof memory proof) internal pure returns (bool) {
        return proof.leafKey == bytes32(0) && proof.leafValueHash == bytes32(0);
    }

    /// @notice The hash of the proof's terminal: zero when empty, else its leaf's hash.
    function terminalHash(Proof memory proof) internal pure returns (bytes32) {
        return terminalIsEmpty(proof) ? bytes32(0) : leafHash(proof.leafKey, proof.leafValueHash);
    }

    /// @notice The shape checks of docs/state.md ("Proofs") and the root the proof hashes
    ///         to for `key` (Rust: `Proof::compute_root`), without reverting: `shape` is
    ///         `SHAPE_OK` or the first check that failed (depth over 256, a bitmap bit at
    ///         or below the depth, a sibling count other than the bitmap's, a leaf
    ///         terminal off the key's path), `root` meaningful only when it is `SHAPE_OK`.
    function computeRoot(bytes32 key, Proof memory proof) internal pure returns (uint256 shape, bytes32 root) {
        shape = checkShape(key, proof);
        if (shape == SHAPE_OK) root = fold(terminalHash(proof), key, proof, proof.depth, 0);
    }

    /// @notice `computeRoot`'s shape checks alone.
    function checkShape(bytes32 key, Proof memory proof) internal pure returns (uint256) {
        uint256 depth = proof.depth;
        if (depth > 256) return SHAPE_DEPTH;
        uint256 bitmap = proof.bitmap;
        // Bits at index >= depth must be clear (docs/state.md).
        if (depth < 256 && (bitmap << depth) != 0) return SHAPE_BITMAP;
        if (popcount(bitmap) != proof.siblings.length) return SHAPE_COUNT;
        // A leaf terminal must sit on the key's path: first `depth` bits agree.
        if (
            depth != 0 && !terminalIsEmpty(proof)
                && ((uint256(proof.leafKey) ^ uint256(key)) >> (256 - depth)) != 0
        ) return SHAPE_OFF_PATH;
        return SHAPE_OK;
    }

    /// @notice Folds `h`, the hash of the node at depth `from` on `key`'s path, up to
    ///         depth `to` (`to <= from <= depth`): for `i = from − 1` down to `to`,
    ///         `h = bit(key, i) == 0 ? H(h ‖ s_i) : H(s_i ‖ h)` with `s_i` the proof's
    ///         sibling at level `i` (zero where the bitmap bit is clear). docs/state.md,
    ///         "Updating from a proof" (`fold(h, d)` is `fold(h, key, proof, d, 0)`).
    /// @dev The proof's shape must be checked (`checkShape`): the siblings are indexed
    ///      by the bitmap without bounds checks.
    function fold(bytes32 h, bytes32 key, Proof memory proof, uint256 from, uint256 to)
        internal
        pure
        returns (bytes32)
    {
        uint256 bitmap = proof.bitmap;
        // The siblings above `from`: the bitmap's bits at levels 0 .. from − 1.
        uint256 next = from == 0 ? 0 : popcount(bitmap >> (256 - from));
        bytes32[] memory siblings = proof.siblings;
        assembly ("memory-safe") {
            let sp := add(siblings, 0x20)
            for { let i := from } gt(i, to) {} {
                i := sub(i, 1)
                let s := 0
                let sh := sub(255, i)
                if and(shr(sh, bitmap), 1) {
                    next := sub(next, 1)
                    s := mload(add(sp, shl(5, next)))
                }
                let b := shl(5, and(shr(sh, key), 1))
                mstore(b, h)
                mstore(xor(b, 0x20), s)
                h := keccak256(0x00, 0x40)
            }
        }
        return h;
    }

    /// @notice `fold` of two nodes at depth `from` up to the root over the same siblings:
    ///         the root before and after a write, in one pass.
    /// @dev As `fold`, the proof's shape must be checked.
    function fold2(bytes32 a, bytes32 b, bytes32 key, Proof memory proof, uint256 from)
        internal
        pure
        returns (bytes32, bytes32)
    {
        uint256 bitmap = proof.bitmap;
        uint256 next = from == 0 ? 0 : popcount(bitmap >> (256 - from));
        bytes32[] memory siblings = proof.siblings;
        assembly ("memory-safe") {
            let sp := add(siblings, 0x20)
            for { let i := from } gt(i, 0) {} {
                i := sub(i, 1)
                let s := 0
                let sh := sub(255, i)
                if and(shr(sh, bitmap), 1) {
                    next := sub(next, 1)
                    s := mload(add(sp, shl(5, next)))
                }
                let o := shl(5, and(shr(sh, key), 1))
                let so := xor(o, 0x20)
                mstore(o, a)
                mstore(so, s)
                a := keccak256(0x00, 0x40)
                mstore(o, b)
                mstore(so, s)
                b := keccak256(0x00, 0x40)
            }
        }
        return (a, b);
    }

    /// @notice Bits set in `x` (a branch-free SWAR count).
    function popcount(uint256 x) internal pure returns (uint256 c) {
        unchecked {
            x -= (x >> 1) & 0x5555555555555555555555555555555555555555555555555555555555555555;
            x = (x & 0x3333333333333333333333333333333333333333333333333333333333333333)
                + ((x >> 2) & 0x3333333333333333333333333333333333333333333333333333333333333333);
            x = (x + (x >> 4)) & 0x0f0f0f0f0f0f0f0f0f0f0f0f0f0f0f0f0f0f0f0f0f0f0f0f0f0f0f0f0f0f0f0f;
            x = (x + (x >> 8)) & 0x00ff00ff00ff00ff00ff00ff00ff00ff00ff00ff00ff00ff00ff00ff00ff00ff;
            // 16 lanes of at most 16: their sum (at most 256) in the top lane.
            c = (x * 0x0001000100010001000100010001000100010001000100010001000100010001) >> 240;
        }
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
}
