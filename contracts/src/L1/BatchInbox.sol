// SPDX-License-Identifier: MIT
pragma solidity ^0.8.24;

import {RollupConfig, L2_TIMESTAMP_DRIFT} from "./RollupConfig.sol";
import {Portal} from "./Portal.sol";

/// @title BatchInbox
/// @notice Where the sequencer posts L2 blocks: as calldata (`submitBatch`, version 0) or
///         as a calldata header with the transactions in EIP-4844 blobs (`submitBlobBatch`,
///         version 1). Every block header is checked here either way (sender, format,
///         contiguous L2 block numbers, timestamps, deposit cursor, L1 fee origin); the
///         inbox records the L1 base fee and blob base fee of every L1 block that includes
///         a batch (and of its deployment block), which L2 blocks price their L1 fees
///         with (docs/chain.md, "L1 fee"); the batch is numbered
///         and committed on chain as a Merkle root, over blocks and transactions for
///         calldata, over blocks plus the blobs' versioned hashes for blobs. Those
///         commitments are what a one-step proof opens (`BatchReader`). Format, rules and
///         commitments: docs/batches.md.
contract BatchInbox {
    /// @notice Calldata batch format version.
    uint8 public constant VERSION = 0;
    /// @notice Blob batch header format version.
    uint8 public constant BLOB_VERSION = 1;
    /// @notice How far (seconds) an L2 block's timestamp may run ahead of the L1 block
    ///         that carries it.
    uint64 public constant MAX_TIMESTAMP_DRIFT = L2_TIMESTAMP_DRIFT;
    /// @notice Payload bytes one blob carries (4096 field elements × 31 bytes).
    uint256 public constant PAYLOAD_BYTES_PER_BLOB = 4096 * 31;
    /// @notice Most blobs one batch may use (the per-transaction cap since Osaka).
    uint256 public constant MAX_BLOBS = 6;
    /// @notice Bytes of one block's header: `timestamp:u64 ‖ depositCursor:u64 ‖
    ///         l1Origin:u64 ‖ txCount:u16`.
    uint256 public constant BLOCK_HEADER_BYTES = 26;
    /// @dev Bytes per chunk of a transaction's chunked hash: `Hashing.CHUNK`, repeated as a
    ///      literal for the leaf's assembly (docs/vectors/chunked.json and the
    ///      boundary-length transactions of docs/vectors/batches.json pin the two together).
    uint256 private constant TX_CHUNK = 4352;
    /// @notice The L1 fee values of one L1 block, as recorded when it was the current block
    ///         (one slot; fees saturate at 2^64 - 1 wei).
    struct L1Fee {
        uint64 timestamp; // non-zero: recorded
        uint64 baseFee;
        uint64 blobBaseFee;
    }

    /// @notice What the chain keeps of one batch (three slots).
    struct BatchRecord {
        bytes32 root; // Merkle root: over block and tx items (calldata), over blocks (blobs)
        uint64 firstBlock; // L2 number of the batch's first block
        uint32 blockCount;
        uint32 itemCount; // Merkle leaves (fixes a proof's depth): blocks + txs (calldata), blocks (blobs)
        uint64 l1Block; // L1 block that included it
        uint32 length; // batch bytes: the calldata (calldata), the payload in the blobs (blobs)
        uint32 txCount;
        bytes32 blobs; // keccak256 of the blobs' versioned hashes; zero for a calldata batch
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
    /// @notice The L1 fee origin of the last L2 block posted (L1 fee origins never decrease).
    uint64 public lastL1Origin;
    /// @notice The newest L1 block whose fees are recorded.
    uint64 public latestL1Fee;

    mapping(uint256 => BatchRecord) internal _batches;
    mapping(uint64 => L1Fee) internal _l1Fees;

    /// @notice The L1 fee values of L1 block `l1Block` are recorded: L2 blocks may name it
    ///         as their L1 fee origin from the next L1 block on.
    event L1FeeRecorded(uint64 indexed l1Block, uint64 timestamp, uint64 baseFee, uint64 blobBaseFee);
    event BatchSubmitted(
        uint256 indexed index, uint64 indexed firstBlock, uint32 blockCount, uint32 txCount, bytes32 root
    );
    /// @notice A blob batch: its header is the call's calldata; its payload of `length`
    ///         bytes is in the blobs `blobHashes` (docs/batches.md, "Blob batches").
    event BlobBatchSubmitted(
        uint256 indexed index,
        uint64 indexed firstBlock,
        uint32 blockCount,
        uint32 txCount,
        bytes32 root,
        uint32 length,
        bytes32[] blobHashes
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
    error PayloadTooShort(uint256 length, uint256 txCount);
    error WrongBlobCount(uint256 expected, uint256 got);
    /// @notice An L2 block names an L1 fee origin that the inbox never recorded.
    /// @param l1Block The named L1 block.
    error UnknownL1Origin(uint64 l1Block);
    /// @notice An L2 block's L1 fee origin is older than its predecessor's.
    /// @param previous The previous block's origin.
    /// @param got The named origin.
    error L1OriginDecreased(uint64 previous, uint64 got);

    constructor(RollupConfig config_, Portal portal_) {
        config = config_;
        portal = portal_;
        _recordL1Fee();
    }

    /// @notice The recorded L1 fee values of L1 block `l1Block` (timestamp zero: not recorded).
    /// @param l1Block The L1 block number.
    /// @return The record.
    function l1Fee(uint64 l1Block) external view returns (L1Fee memory) {
        return _l1Fees[l1Block];
    }

    /// @dev Records this L1 block's base fee and blob base fee, once per L1 block.
    function _recordL1Fee() private {
        // forge-lint: disable-next-line(unsafe-typecast) L1 block numbers fit 64 bits
        uint64 n = uint64(block.number);
        if (_l1Fees[n].timestamp != 0) return;
        uint64 baseFee = block.basefee > type(uint64).max ? type(uint64).max : uint64(block.basefee);
        uint64 blobBaseFee = block.blobbasefee > type(uint64).max ? type(uint64).max : uint64(block.blobbasefee);
        // forge-lint: disable-next-line(unsafe-typecast) timestamps fit 64 bits
        _l1Fees[n] = L1Fee(uint64(block.timestamp), baseFee, blobBaseFee);
        latestL1Fee = n;
        emit L1FeeRecorded(n, uint64(block.timestamp), baseFee, blobBaseFee);
    }

    /// @notice The record of batch `index`.
    function batch(uint256 index) external view returns (BatchRecord memory) {
        if (index >= batchCount) revert UnknownBatch(index);
        return _batches[index];
    }

    /// @notice Posts one calldata batch (docs/batches.md). Only the sequencer; malformed
    ///         input reverts with the offset where parsing failed.
    function submitBatch(bytes calldata data) external returns (uint256 index) {
        // Header: version:u8 ‖ firstBlock:u64 ‖ blockCount:u32.
        (uint64 firstBlock, uint32 blockCount) = _prefix(data, VERSION, 13);

        // First pass: validate and count items, so the leaf array is allocated once.
        (uint256 items, uint32 txCount, BlockState memory last) = _scan(data, blockCount);

        bytes32[] memory leaves = new bytes32[](items);
        _leaves(data, blockCount, firstBlock, leaves);
        bytes32 root = merkleRoot(leaves);

        index = batchCount;
        // forge-lint: disable-next-line(unsafe-typecast) items and the length are bounded by the calldata a block can carry (< 2^32)
        _batches[index] = BatchRecord(root, firstBlock, blockCount, uint32(items), uint64(block.number), uint32(data.length), txCount, 0);
        _advance(index, firstBlock, blockCount, last);
        emit BatchSubmitted(index, firstBlock, blockCount, txCount, root);
    }

    /// @notice Posts one blob batch (docs/batches.md, "Blob batches"). `header` is
    ///         `version:u8 (= 1) ‖ firstBlock:u64 ‖ blockCount:u32 ‖ payloadLength:u32 ‖
    ///         block × blockCount` with block = `timestamp:u64 ‖ depositCursor:u64 ‖
    ///         l1Origin:u64 ‖ txCount:u16`;
    ///         the transaction carries exactly the blobs a payload of `payloadLength`
    ///         bytes needs (at least one, at most MAX_BLOBS), holding the transactions'
    ///         offset table and bytes. The block headers are checked with the same rules
    ///         as a calldata batch's; the payload is out of the EVM's reach, and
    ///         derivation reads it by a total rule (a malformed entry is a skipped
    ///         transaction), so nothing in it can make the batch invalid.
    function submitBlobBatch(bytes calldata header) external returns (uint256 index) {
        (uint64 firstBlock, uint32 blockCount) = _prefix(header, BLOB_VERSION, 17);
        uint32 length = uint32(bytes4(header[13:17]));
        uint256 headerEnd = 17 + BLOCK_HEADER_BYTES * uint256(blockCount);
        if (header.length < headerEnd) revert Truncated(header.length);
        if (header.length > headerEnd) revert TrailingBytes(headerEnd);

        (bytes32[] memory leaves, uint32 txCount, BlockState memory last) = _blobBlocks(header, firstBlock, blockCount);
        if (uint256(length) < 3 * uint256(txCount)) revert PayloadTooShort(length, txCount);
        bytes32[] memory hashes = _blobHashes(length);
        bytes32 blobs;
        assembly ("memory-safe") {
            blobs := keccak256(add(hashes, 0x20), mul(mload(hashes), 0x20))
        }
        bytes32 root = merkleRoot(leaves);

        index = batchCount;
        _batches[index] = BatchRecord(root, firstBlock, blockCount, blockCount, uint64(block.number), length, txCount, blobs);
        _advance(index, firstBlock, blockCount, last);
        emit BlobBatchSubmitted(index, firstBlock, blockCount, txCount, root, length, hashes);
    }

    /// @dev The rules every batch's first bytes obey (`version:u8 ‖ firstBlock:u64 ‖
    ///      blockCount:u32`, at least `minLength` bytes): the sender, the version, at least
    ///      one block, contiguity.
    function _prefix(bytes calldata data, uint8 version, uint256 minLength)
        private
        view
        returns (uint64 firstBlock, uint32 blockCount)
    {
        if (msg.sender != config.sequencer()) revert NotSequencer();
        if (data.length < minLength) revert Truncated(data.length);
        if (uint8(data[0]) != version) revert UnsupportedVersion(uint8(data[0]));
        firstBlock = uint64(bytes8(data[1:9]));
        blockCount = uint32(bytes4(data[9:13]));
        if (blockCount == 0) revert EmptyBatch();
        if (firstBlock != nextBlock) revert WrongFirstBlock(nextBlock, firstBlock);
    }

    /// @dev The header fields one block's checks compare with its predecessor's.
    struct BlockState {
        uint64 timestamp;
        uint64 cursor;
        uint64 origin;
    }

    /// @dev The state after the last block posted.
    function _lastState() private view returns (BlockState memory) {
        return BlockState(lastTimestamp, depositCursor, lastL1Origin);
    }

    /// @dev Checks a blob batch header's blocks and returns their Merkle leaves
    ///      (`keccak256(0x03 ‖ number ‖ timestamp ‖ depositCursor ‖ l1Origin ‖ txCount ‖ firstTx:u32)`),
    ///      the transaction count and the last block's state.
    function _blobBlocks(bytes calldata header, uint64 firstBlock, uint32 blockCount)
        private
        view
        returns (bytes32[] memory leaves, uint32 txCount, BlockState memory last)
    {
        leaves = new bytes32[](blockCount);
        last = _lastState();
        uint256 deposits = portal.depositCount();
        for (uint256 b = 0; b < blockCount; ++b) {
            uint256 o = 17 + BLOCK_HEADER_BYTES * b;
            _checkBlock(last, header[o:o + 24], deposits);
            // forge-lint: disable-next-line(unsafe-typecast) b < blockCount (u32)
            leaves[b] = keccak256(abi.encodePacked(uint8(0x03), firstBlock + uint64(b), header[o:o + 26], txCount));
            txCount += uint16(bytes2(header[o + 24:o + 26]));
        }
    }

    /// @dev The versioned hashes of this transaction's blobs, which must be exactly as
    ///      many as a payload of `length` bytes needs.
    function _blobHashes(uint256 length) private view returns (bytes32[] memory hashes) {
        uint256 expected = length == 0 ? 1 : (length + PAYLOAD_BYTES_PER_BLOB - 1) / PAYLOAD_BYTES_PER_BLOB;
        if (expected > MAX_BLOBS) revert WrongBlobCount(MAX_BLOBS, expected);
        hashes = new bytes32[](expected);
        for (uint256 i = 0; i < expected; ++i) {
            bytes32 h = blobhash(i);
            if (h == bytes32(0)) revert WrongBlobCount(expected, i);
            hashes[i] = h;
        }
        if (blobhash(expected) != bytes32(0)) revert WrongBlobCount(expected, expected + 1);
    }

    /// @dev Moves the inbox past an accepted batch and records this L1 block's fees.
    function _advance(uint256 index, uint64 firstBlock, uint32 blockCount, BlockState memory last) private {
        batchCount = index + 1;
        nextBlock = firstBlock + blockCount;
        lastTimestamp = last.timestamp;
        depositCursor = last.cursor;
        lastL1Origin = last.origin;
        _recordL1Fee();
    }

    /// @dev The rules every block header obeys (`h` = `timestamp ‖ depositCursor ‖
    ///      l1Origin`), against the previous block's state, which it then advances. The
    ///      origin must be an L1 block recorded before this batch (so the sequencer
    ///      cannot price with a value L1 does not hold) and never older than the previous
    ///      block's. No bound on its age when the batch lands: blocks sealed during a
    ///      batcher outage name the newest record then, and must still post after it
    ///      (docs/chain.md, "L1 fee", for what that leaves to the sequencer).
    function _checkBlock(BlockState memory s, bytes calldata h, uint256 deposits) private view {
        uint64 timestamp = uint64(bytes8(h[0:8]));
        uint64 cursor = uint64(bytes8(h[8:16]));
        uint64 origin = uint64(bytes8(h[16:24]));
        if (timestamp < s.timestamp) revert TimestampDecreased(s.timestamp, timestamp);
        if (timestamp > block.timestamp + MAX_TIMESTAMP_DRIFT) revert TimestampTooFarAhead(timestamp, block.timestamp);
        if (cursor < s.cursor) revert DepositCursorDecreased(s.cursor, cursor);
        if (cursor > deposits) revert DepositCursorBeyondPortal(cursor, deposits);
        if (origin < s.origin) revert L1OriginDecreased(s.origin, origin);
        if (_l1Fees[origin].timestamp == 0) revert UnknownL1Origin(origin);
        (s.timestamp, s.cursor, s.origin) = (timestamp, cursor, origin);
    }

    /// @dev Walks the blocks, checking bounds and the header rules. Returns the number of
    ///      Merkle leaves (one per block plus one per transaction), the transaction count
    ///      and the last block's state.
    function _scan(bytes calldata data, uint32 blockCount)
        private
        view
        returns (uint256 items, uint32 txCount, BlockState memory last)
    {
        uint256 offset = 13;
        last = _lastState();
        uint256 deposits = portal.depositCount();
        for (uint256 b = 0; b < blockCount; ++b) {
            // Block header: timestamp:u64 ‖ depositCursor:u64 ‖ l1Origin:u64 ‖ txCount:u16.
            if (data.length < offset + BLOCK_HEADER_BYTES) revert Truncated(offset);
            _checkBlock(last, data[offset:offset + 24], deposits);
            uint16 n = uint16(bytes2(data[offset + 24:offset + 26]));
            offset += BLOCK_HEADER_BYTES;
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
    ///      block leaf = keccak256(0x01 ‖ number:u64 ‖ timestamp:u64 ‖ depositCursor:u64 ‖ l1Origin:u64 ‖ txCount:u16),
    ///      tx leaf    = keccak256(0x02 ‖ length:u32 ‖ chunkedHash(tx bytes)), the chunked hash
    ///      (`Hashing.chunkedHash`, here read from calldata) letting a one-step proof open
    ///      a long transaction one checked chunk a step (`BatchReader.txLeaf`). Bounds
    ///      were checked by `_scan`.
    function _leaves(bytes calldata data, uint32 blockCount, uint64 firstBlock, bytes32[] memory leaves) private pure {
        uint256 offset = 13;
        uint256 item;
        for (uint256 b = 0; b < blockCount; ++b) {
            uint16 n = uint16(bytes2(data[offset + 24:offset + 26]));
            // forge-lint: disable-next-line(unsafe-typecast) b < blockCount (u32), and firstBlock + blockCount was checked to fit by nextBlock arithmetic
            leaves[item++] = keccak256(abi.encodePacked(uint8(0x01), firstBlock + uint64(b), data[offset:offset + 26]));
            offset += BLOCK_HEADER_BYTES;
            for (uint256 t = 0; t < n; ++t) {
                uint256 len = uint24(bytes3(data[offset:offset + 3]));
                offset += 3;
                bytes32 h;
                assembly ("memory-safe") {
                    // The chunked hash, from the last chunk backwards: each chunk with its
                    // successor's hash in one scratch buffer past the free memory pointer.
                    let m := mload(0x40)
                    let src := add(data.offset, offset)
                    let at := 0
                    if gt(len, TX_CHUNK) { at := mul(div(sub(len, 1), TX_CHUNK), TX_CHUNK) }
                    calldatacopy(m, add(src, at), sub(len, at))
                    let c := keccak256(m, sub(len, at))
                    for {} at {} {
                        at := sub(at, TX_CHUNK)
                        calldatacopy(m, add(src, at), TX_CHUNK)
                        mstore(add(m, TX_CHUNK), c)
                        c := keccak256(m, add(TX_CHUNK, 0x20))
                    }
                    // 0x02 ‖ len:u32 ‖ chunked (len < 2^24).
                    mstore(m, or(shl(248, 0x02), shl(216, len)))
                    mstore(add(m, 5), c)
                    h := keccak256(m, 37)
                }
                leaves[item++] = h;
                offset += len;
            }
        }
    }

    /// @notice Binary Merkle root over `leaves`: at each level nodes pair left to right,
    ///         node = keccak256(left ‖ right), and an odd level's last node pairs with
    ///         0x00…00 (not padding to a power of two with zero leaves); one leaf is its
    ///         own root (docs/batches.md, "Commitment"). Overwrites `leaves`.
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
