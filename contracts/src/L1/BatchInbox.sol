// SPDX-License-Identifier: MIT
pragma solidity ^0.8.24;

import {RollupConfig} from "./RollupConfig.sol";
import {Portal} from "./Portal.sol";

/// @title BatchInbox
/// @notice Where the sequencer posts L2 blocks as calldata. Each batch is checked (sender,
///         format, contiguous L2 block numbers, timestamps, deposit cursor), numbered, and
///         committed on chain as a Merkle root over its items (block headers and
///         transactions), the commitment a one-step proof opens later. Format and
///         commitment: docs/batches.md.
contract BatchInbox {
    /// @notice Batch format version this contract accepts.
    uint8 public constant VERSION = 0;
    /// @notice How far (seconds) an L2 block's timestamp may run ahead of the L1 block
    ///         that carries it.
    uint64 public constant MAX_TIMESTAMP_DRIFT = 30;

    /// @notice What the chain keeps of one batch.
    struct BatchRecord {
        bytes32 root; // Merkle root over the batch's items (docs/batches.md)
        uint64 firstBlock; // L2 number of the batch's first block
        uint32 blockCount;
        uint32 itemCount; // Merkle leaves: blocks + transactions (fixes a proof's depth)
        uint64 l1Block; // L1 block that included it
    }

    RollupConfig public immutable config;
    Portal public immutable portal;

    /// @notice Number of batches so far; the next batch gets this index.
    uint256 public batchCount;
    /// @notice The L2 block number the next batch must start with (genesis, block 0, is in no batch).
    uint64 public nextBlock = 1;
    /// @notice Timestamp of the last L2 block posted (L2 timestamps never decrease).
    uint64 public lastTimestamp;
    /// @notice Deposits included by the last L2 block posted (a cursor into the portal's accumulator).
    uint64 public depositCursor;

    mapping(uint256 => BatchRecord) internal _batches;

    event BatchSubmitted(
        uint256 indexed index, uint64 indexed firstBlock, uint32 blockCount, uint32 txCount, bytes32 root
    );

    error NotSequencer();
    error UnsupportedVersion(uint8 version);
    error Truncated(uint256 offset);
    error TrailingBytes(uint256 offset);
    error EmptyBatch();
    error WrongFirstBlock(uint64 expected, uint64 got);
    error TimestampDecreased(uint64 previous, uint64 got);
    error TimestampTooFarAhead(uint64 timestamp, uint256 l1Timestamp);
    error DepositCursorDecreased(uint64 previous, uint64 got);
    error DepositCursorBeyondPortal(uint64 cursor, uint256 depositCount);
    error UnknownBatch(uint256 index);

    constructor(RollupConfig config_, Portal portal_) {
        config = config_;
        portal = portal_;
    }

    /// @notice The record of batch `index`.
    function batch(uint256 index) external view returns (BatchRecord memory) {
        if (index >= batchCount) revert UnknownBatch(index);
        return _batches[index];
    }

    /// @notice Posts one batch (docs/batches.md). Only the sequencer; malformed input
    ///         reverts with the offset where parsing failed.
    function submitBatch(bytes calldata data) external returns (uint256 index) {
        if (msg.sender != config.sequencer()) revert NotSequencer();
        // Header: version:u8 ‖ firstBlock:u64 ‖ blockCount:u32.
        if (data.length < 13) revert Truncated(data.length);
        uint8 version = uint8(data[0]);
        if (version != VERSION) revert UnsupportedVersion(version);
        uint64 firstBlock = uint64(bytes8(data[1:9]));
        uint32 blockCount = uint32(bytes4(data[9:13]));
        if (blockCount == 0) revert EmptyBatch();
        if (firstBlock != nextBlock) revert WrongFirstBlock(nextBlock, firstBlock);

        // First pass: validate and count items, so the leaf array is allocated once.
        (uint256 items, uint32 txCount, uint64 timestamp, uint64 cursor) = _scan(data, blockCount);

        bytes32[] memory leaves = new bytes32[](items);
        _leaves(data, blockCount, firstBlock, leaves);
        bytes32 root = merkleRoot(leaves);

        index = batchCount;
        // forge-lint: disable-next-line(unsafe-typecast) items <= calldata length / 3 < 2^32
        _batches[index] = BatchRecord(root, firstBlock, blockCount, uint32(items), uint64(block.number));
        batchCount = index + 1;
        nextBlock = firstBlock + blockCount;
        lastTimestamp = timestamp;
        depositCursor = cursor;
        emit BatchSubmitted(index, firstBlock, blockCount, txCount, root);
    }

    /// @dev Walks the blocks, checking bounds and the header rules. Returns the number of
    ///      Merkle leaves (one per block plus one per transaction), the transaction count
    ///      and the last block's timestamp and deposit cursor.
    function _scan(bytes calldata data, uint32 blockCount)
        private
        view
        returns (uint256 items, uint32 txCount, uint64 timestamp, uint64 cursor)
    {
        uint256 offset = 13;
        uint64 prevTimestamp = lastTimestamp;
        uint64 prevCursor = depositCursor;
        uint256 deposits = portal.depositCount();
        for (uint256 b = 0; b < blockCount; ++b) {
            // Block header: timestamp:u64 ‖ depositCursor:u64 ‖ txCount:u16.
            if (data.length < offset + 18) revert Truncated(offset);
            timestamp = uint64(bytes8(data[offset:offset + 8]));
            cursor = uint64(bytes8(data[offset + 8:offset + 16]));
            uint16 n = uint16(bytes2(data[offset + 16:offset + 18]));
            offset += 18;
            if (timestamp < prevTimestamp) revert TimestampDecreased(prevTimestamp, timestamp);
            if (timestamp > block.timestamp + MAX_TIMESTAMP_DRIFT) revert TimestampTooFarAhead(timestamp, block.timestamp);
            if (cursor < prevCursor) revert DepositCursorDecreased(prevCursor, cursor);
            if (cursor > deposits) revert DepositCursorBeyondPortal(cursor, deposits);
            prevTimestamp = timestamp;
            prevCursor = cursor;
            for (uint256 t = 0; t < n; ++t) {
                // Transaction: length:u24 ‖ EIP-2718 bytes (length >= 1).
                if (data.length < offset + 3) revert Truncated(offset);
                uint256 len = uint24(bytes3(data[offset:offset + 3]));
                offset += 3;
                if (len == 0 || data.length < offset + len) revert Truncated(offset);
                offset += len;
            }
            items += 1 + n;
            txCount += n;
        }
        if (offset != data.length) revert TrailingBytes(offset);
    }

    /// @dev Fills `leaves` (docs/batches.md, "Commitment"):
    ///      block leaf = keccak256(0x01 ‖ number:u64 ‖ timestamp:u64 ‖ depositCursor:u64 ‖ txCount:u16),
    ///      tx leaf    = keccak256(0x02 ‖ tx bytes). Bounds were checked by `_scan`.
    function _leaves(bytes calldata data, uint32 blockCount, uint64 firstBlock, bytes32[] memory leaves) private pure {
        uint256 offset = 13;
        uint256 item;
        for (uint256 b = 0; b < blockCount; ++b) {
            uint16 n = uint16(bytes2(data[offset + 16:offset + 18]));
            // forge-lint: disable-next-line(unsafe-typecast) b < blockCount (u32), and firstBlock + blockCount was checked to fit by nextBlock arithmetic
            leaves[item++] = keccak256(abi.encodePacked(uint8(0x01), firstBlock + uint64(b), data[offset:offset + 18]));
            offset += 18;
            for (uint256 t = 0; t < n; ++t) {
                uint256 len = uint24(bytes3(data[offset:offset + 3]));
                offset += 3;
                bytes32 h;
                assembly ("memory-safe") {
                    let m := mload(0x40)
                    mstore8(m, 0x02)
                    calldatacopy(add(m, 1), add(data.offset, offset), len)
                    h := keccak256(m, add(len, 1))
                }
                leaves[item++] = h;
                offset += len;
            }
        }
    }

    /// @notice Binary Merkle root over `leaves`, padded with zero leaves to a power of two;
    ///         node = keccak256(left ‖ right); one leaf is its own root. Overwrites `leaves`.
    function merkleRoot(bytes32[] memory leaves) public pure returns (bytes32 root) {
        uint256 n = leaves.length;
        if (n == 0) return bytes32(0);
        while (n > 1) {
            uint256 half = (n + 1) / 2;
            for (uint256 i = 0; i < half; ++i) {
                bytes32 l = leaves[2 * i];
                bytes32 r = 2 * i + 1 < n ? leaves[2 * i + 1] : bytes32(0);
                bytes32 h;
                assembly ("memory-safe") {
                    mstore(0x00, l)
                    mstore(0x20, r)
                    h := keccak256(0x00, 0x40)
                }
                leaves[i] = h;
            }
            n = half;
        }
        root = leaves[0];
    }
}
