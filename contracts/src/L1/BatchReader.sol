// SPDX-License-Identifier: MIT
pragma solidity ^0.8.24;

import {BatchInbox} from "./BatchInbox.sol";
import {Hashing} from "../lib/Hashing.sol";

/// @title BatchReader
/// @notice Opens what `BatchInbox` committed to, on L1, for a one-step proof: an item of a
///         batch's Merkle root (a block header, or a calldata batch's transaction by its
///         length and chunked hash, `txLeaf`), and a transaction of a blob batch read
///         from its blobs with the point-evaluation precompile (EIP-4844), one 31-byte
///         field element at a time. Rules: docs/batches.md ("Commitment", "Blob
///         batches", "Opening a transaction on L1").
library BatchReader {
    /// @dev EIP-4844 point evaluation and EIP-198 modexp precompiles.
    address internal constant POINT_EVALUATION = address(0x0a);
    address internal constant MODEXP = address(0x05);
    /// @dev Gas given to each precompile call: a failing precompile consumes all the gas it
    ///      is given, so an uncapped call of a forged opening would burn 63/64 of the
    ///      caller's gas. Point evaluation costs exactly 50,000; modexp of 32-byte
    ///      operands a few hundred (EIP-2565/EIP-7883).
    uint256 internal constant POINT_EVALUATION_GAS = 50_000;
    uint256 internal constant MODEXP_GAS = 10_000;
    /// @dev The BLS12-381 scalar field modulus and a primitive 4096th root of unity in it
    ///      (7^((r-1)/4096) mod r).
    uint256 internal constant BLS_MODULUS = 0x73eda753299d7d483339d80809a1d80553bda402fffe5bfeffffffff00000001;
    uint256 internal constant ROOT_OF_UNITY = 0x564c0a11a0f704f4fc3e8acfe0f8245f0ad1347b378fbf96e206da11a5d36306;
    uint256 internal constant FIELD_ELEMENTS_PER_BLOB = 4096;
    uint256 internal constant BYTES_PER_ELEMENT = 31;

    /// @notice One field element's opening: its value `y` (32 bytes; payload in bytes
    ///         1..32) and the 48-byte KZG proof of it.
    struct Element {
        bytes32 y;
        bytes proof;
    }

    error NotABlobBatch();
    error WrongBlobHashes();
    error MissingCommitment(uint256 blob);
    error WrongElementCount(uint256 expected, uint256 got);
    error BadElementProof(uint256 element);
    error TxIndexOutOfRange(uint256 index, uint256 txCount);
    error RangeOutOfPayload(uint256 offset, uint256 length, uint256 payloadLength);

    /// @notice Whether `leaf` is item `index` of the `count` items under `root`
    ///         (docs/batches.md, "Commitment": the proof's length is fixed by `count`).
    function verifyItem(bytes32 root, uint256 count, bytes32 leaf, uint256 index, bytes32[] memory proof)
        internal
        pure
        returns (bool)
    {
        if (index >= count) return false;
        uint256 depth;
        for (uint256 n = count - 1; n > 0; n >>= 1) {
            ++depth;
        }
        if (proof.length != depth) return false;
        bytes32 h = leaf;
        for (uint256 i = 0; i < depth; ++i) {
            h = Hashing.parent(h, proof[i], index & 1 == 1);
            index >>= 1;
        }
        return h == root;
    }

    /// @notice A calldata batch's transaction leaf (docs/batches.md, "Commitment"):
    ///         keccak256(0x02 ‖ length:u32 ‖ chunked), what a step opening the
    ///         transaction holds before it reads the bytes chunk by chunk
    ///         (docs/fault-vm-inputs.md, "Batch entries").
    /// @param length The transaction's length in bytes.
    /// @param chunked The transaction's `Hashing.chunkedHash`.
    /// @return The leaf.
    function txLeaf(uint32 length, bytes32 chunked) internal pure returns (bytes32) {
        return keccak256(abi.encodePacked(uint8(0x02), length, chunked));
    }

    /// @notice A calldata batch's block leaf (docs/batches.md, "Commitment"): what
    ///         `BatchInbox` hashes from the block's header in the batch.
    function blockLeaf(uint64 number, uint64 timestamp, uint64 cursor, uint64 l1Origin, uint16 txCount)
        internal
        pure
        returns (bytes32)
    {
        return keccak256(abi.encodePacked(uint8(0x01), number, timestamp, cursor, l1Origin, txCount));
    }

    /// @notice A blob batch's block leaf.
    function blobBlockLeaf(
        uint64 number,
        uint64 timestamp,
        uint64 cursor,
        uint64 l1Origin,
        uint16 txCount,
        uint32 firstTx
    ) internal pure returns (bytes32) {
        return keccak256(abi.encodePacked(uint8(0x03), number, timestamp, cursor, l1Origin, txCount, firstTx));
    }

    /// @notice The evaluation point of field element `i` of a blob: ω^bitreverse12(i).
    function evaluationPoint(uint256 i) internal view returns (uint256 z) {
        uint256 rev;
        for (uint256 b = 0; b < 12; ++b) {
            rev = (rev << 1) | ((i >> b) & 1);
        }
        (bool ok, bytes memory out) = MODEXP.staticcall{gas: MODEXP_GAS}(
            abi.encodePacked(uint256(32), uint256(32), uint256(32), ROOT_OF_UNITY, rev, BLS_MODULUS)
        );
        require(ok && out.length == 32);
        z = abi.decode(out, (uint256));
    }

    /// @notice Checks `el` is global field element `g` (blob g / 4096) of the blobs with
    ///         versioned hashes `hashes`, whose KZG commitments are `commitments`.
    function verifyElement(bytes32[] calldata hashes, bytes[] calldata commitments, uint256 g, Element calldata el)
        internal
        view
    {
        uint256 blob = g / FIELD_ELEMENTS_PER_BLOB;
        if (blob >= commitments.length || commitments[blob].length != 48) revert MissingCommitment(blob);
        uint256 z = evaluationPoint(g % FIELD_ELEMENTS_PER_BLOB);
        (bool ok, bytes memory out) = POINT_EVALUATION.staticcall{gas: POINT_EVALUATION_GAS}(
            abi.encodePacked(hashes[blob], z, el.y, commitments[blob], el.proof)
        );
        // The precompile fails on a wrong proof, a commitment not matching the versioned
        // hash, or y not below the modulus; it returns (4096, modulus) when it holds.
        if (!ok || out.length != 64) revert BadElementProof(g);
    }

    /// @notice Payload bytes `[offset, offset + length)` of a blob batch, from the
    ///         openings `els` of exactly the field elements covering them, in order.
    function readPayload(
        bytes32[] calldata hashes,
        bytes[] calldata commitments,
        uint256 offset,
        uint256 length,
        Element[] calldata els
    ) internal view returns (bytes memory out) {
        if (length == 0) {
            if (els.length != 0) revert WrongElementCount(0, els.length);
            return out;
        }
        uint256 first = offset / BYTES_PER_ELEMENT;
        uint256 last = (offset + length - 1) / BYTES_PER_ELEMENT;
        if (els.length != last - first + 1) revert WrongElementCount(last - first + 1, els.length);
        bytes memory buf = new bytes(31 * els.length + 1);
        for (uint256 j = 0; j < els.length; ++j) {
            verifyElement(hashes, commitments, first + j, els[j]);
            bytes32 y = els[j].y;
            assembly ("memory-safe") {
                // bytes 1..32 of y: shift out byte 0, store 32 bytes (the 32nd is
                // overwritten by the next element or lies past the slice).
                mstore(add(add(buf, 0x20), mul(j, 31)), shl(8, y))
            }
        }
        uint256 skip = offset - first * BYTES_PER_ELEMENT;
        out = new bytes(length);
        assembly ("memory-safe") {
            mcopy(add(out, 0x20), add(add(buf, 0x20), skip), length)
        }
    }

    /// @notice Opens transaction `k` (batch-wide index) of blob batch `r`: `valid` is
    ///         false for a void entry (derivation skips it), else `txBytes` are its bytes.
    ///         `hashes` must be the batch's versioned hashes; `entries` open the payload
    ///         bytes of the offset-table entries k-1 and k, `data` the transaction's bytes
    ///         (none for a void entry).
    function openBlobTx(
        BatchInbox.BatchRecord memory r,
        bytes32[] calldata hashes,
        bytes[] calldata commitments,
        uint256 k,
        Element[] calldata entries,
        Element[] calldata data
    ) internal view returns (bool valid, bytes memory txBytes) {
        if (r.blobs == bytes32(0)) revert NotABlobBatch();
        if (keccak256(abi.encodePacked(hashes)) != r.blobs) revert WrongBlobHashes();
        if (k >= r.txCount) revert TxIndexOutOfRange(k, r.txCount);
        (uint256 start, uint256 end) = _entryRange(hashes, commitments, k, entries);
        uint256 tableEnd = 3 * uint256(r.txCount);
        if (start >= end || end > uint256(r.length) - tableEnd) {
            if (data.length != 0) revert WrongElementCount(0, data.length);
            return (false, txBytes);
        }
        return (true, readPayload(hashes, commitments, tableEnd + start, end - start, data));
    }

    /// @dev The raw range `[end(k-1), end(k))` of offset-table entry `k` (end(-1) = 0).
    function _entryRange(bytes32[] calldata hashes, bytes[] calldata commitments, uint256 k, Element[] calldata entries)
        private
        view
        returns (uint256 start, uint256 end)
    {
        uint256 from = k == 0 ? 0 : 3 * (k - 1);
        bytes memory e = readPayload(hashes, commitments, from, 3 * k + 3 - from, entries);
        end = uint24(bytes3(_word(e, e.length - 3)));
        start = k == 0 ? 0 : uint24(bytes3(_word(e, 0)));
    }

    /// @dev The 32 bytes of `b` from `at` (reads past the end as whatever memory holds;
    ///      callers use only the bytes inside `b`).
    function _word(bytes memory b, uint256 at) private pure returns (bytes32 w) {
        assembly ("memory-safe") {
            w := mload(add(add(b, 0x20), at))
        }
    }
}
