// SPDX-License-Identifier: MIT
pragma solidity ^0.8.24;

import {Test} from "forge-std/Test.sol";
import {console2} from "forge-std/console2.sol";
import {RollupConfig} from "../../src/L1/RollupConfig.sol";
import {DevChain} from "../helpers/DevChain.sol";
import {Portal} from "../../src/L1/Portal.sol";
import {BatchInbox} from "../../src/L1/BatchInbox.sol";
import {OutputOracle} from "../../src/L1/OutputOracle.sol";

/// @notice Every rule of the inbox (docs/batches.md): the happy path, each revert, fuzzed
///         well-formed batches against an independent Merkle root, and garbage.
contract BatchInboxTest is Test {
    address internal constant SEQUENCER = address(0x5E9);
    address internal constant USER = address(0xbeef);
    RollupConfig internal config;
    Portal internal portal;
    BatchInbox internal inbox;

    struct Blk {
        uint64 timestamp;
        uint64 cursor;
        uint64 origin; // L1 fee origin; 0 stands for the inbox's deployment block (1)
        bytes[] txs;
    }

    /// The L1 fee origin a test block names (0: the deployment block, recorded by the constructor).
    function _origin(Blk memory b) internal pure returns (uint64) {
        return b.origin == 0 ? 1 : b.origin;
    }

    function setUp() public {
        vm.warp(1_700_000_000);
        config = new RollupConfig(address(this), 64023, SEQUENCER, 60, 10, 0.01 ether, DevChain.params());
        portal = new Portal(config, OutputOracle(address(0xdead)));
        inbox = new BatchInbox(config, portal);
        vm.deal(USER, 100 ether);
    }

    // ---- encoding helpers (independent of the contract) ----

    function _encode(uint64 first, Blk[] memory blocks) internal pure returns (bytes memory out) {
        out = abi.encodePacked(uint8(0), first, uint32(blocks.length));
        for (uint256 i = 0; i < blocks.length; i++) {
            out = abi.encodePacked(out, blocks[i].timestamp, blocks[i].cursor, _origin(blocks[i]), uint16(blocks[i].txs.length));
            for (uint256 j = 0; j < blocks[i].txs.length; j++) {
                out = abi.encodePacked(out, uint24(blocks[i].txs[j].length), blocks[i].txs[j]);
            }
        }
    }

    function _leaves(uint64 first, Blk[] memory blocks) internal pure returns (bytes32[] memory leaves) {
        uint256 n;
        for (uint256 i = 0; i < blocks.length; i++) n += 1 + blocks[i].txs.length;
        leaves = new bytes32[](n);
        uint256 k;
        for (uint256 i = 0; i < blocks.length; i++) {
            leaves[k++] = keccak256(
                abi.encodePacked(
                    uint8(1),
                    first + uint64(i),
                    blocks[i].timestamp,
                    blocks[i].cursor,
                    _origin(blocks[i]),
                    uint16(blocks[i].txs.length)
                )
            );
            for (uint256 j = 0; j < blocks[i].txs.length; j++) {
                bytes memory t = blocks[i].txs[j];
                leaves[k++] = keccak256(abi.encodePacked(uint8(2), uint32(t.length), _refChunked(t)));
            }
        }
    }

    /// Recursive reference of the chunked hash: keccak256 up to 4352 bytes, else
    /// keccak256(first 4352 bytes ‖ chunked(the rest)).
    function _refChunked(bytes memory d) internal pure returns (bytes32) {
        if (d.length <= 4352) return keccak256(d);
        bytes memory head = new bytes(4352);
        bytes memory rest = new bytes(d.length - 4352);
        for (uint256 i = 0; i < d.length; i++) {
            if (i < 4352) head[i] = d[i];
            else rest[i - 4352] = d[i];
        }
        return keccak256(abi.encodePacked(head, _refChunked(rest)));
    }

    /// Recursive reference: root(level) pairs nodes, an odd last node paired with zero.
    function _refRoot(bytes32[] memory level) internal pure returns (bytes32) {
        if (level.length == 0) return bytes32(0);
        if (level.length == 1) return level[0];
        bytes32[] memory up = new bytes32[]((level.length + 1) / 2);
        for (uint256 i = 0; i < up.length; i++) {
            bytes32 r = 2 * i + 1 < level.length ? level[2 * i + 1] : bytes32(0);
            up[i] = keccak256(abi.encodePacked(level[2 * i], r));
        }
        return _refRoot(up);
    }

    function _oneBlock(uint64 ts, uint64 cursor, uint256 ntx) internal pure returns (Blk[] memory b) {
        b = new Blk[](1);
        b[0].timestamp = ts;
        b[0].cursor = cursor;
        b[0].txs = new bytes[](ntx);
        for (uint256 i = 0; i < ntx; i++) b[0].txs[i] = abi.encodePacked(bytes2(0x02f8), uint256(i));
    }

    function _submit(bytes memory data) internal returns (uint256) {
        vm.prank(SEQUENCER);
        return inbox.submitBatch(data);
    }

    // ---- happy path ----

    function test_submit_recordsAndAdvances() public {
        Blk[] memory b = new Blk[](2);
        b[0] = _oneBlock(uint64(block.timestamp - 10), 0, 2)[0];
        b[1] = _oneBlock(uint64(block.timestamp - 5), 0, 0)[0];
        bytes memory data = _encode(1, b);
        bytes32 root = _refRoot(_leaves(1, b));
        vm.expectEmit(true, true, false, true, address(inbox));
        emit BatchInbox.BatchSubmitted(0, 1, 2, 2, root);
        assertEq(_submit(data), 0);
        BatchInbox.BatchRecord memory r = inbox.batch(0);
        assertEq(r.root, root);
        assertEq(r.firstBlock, 1);
        assertEq(r.blockCount, 2);
        assertEq(r.itemCount, 4);
        assertEq(r.l1Block, block.number);
        assertEq(inbox.batchCount(), 1);
        assertEq(inbox.nextBlock(), 3);
        assertEq(inbox.lastTimestamp(), block.timestamp - 5);

        // Contiguous second batch.
        assertEq(_submit(_encode(3, _oneBlock(uint64(block.timestamp), 0, 1))), 1);
        assertEq(inbox.nextBlock(), 4);
    }

    function test_depositCursor_withinPortal() public {
        vm.startPrank(USER, USER);
        portal.depositETH{value: 1}(USER);
        portal.depositETH{value: 1}(USER);
        vm.stopPrank();
        _submit(_encode(1, _oneBlock(uint64(block.timestamp), 2, 0)));
        assertEq(inbox.depositCursor(), 2);
        vm.expectRevert(abi.encodeWithSelector(BatchInbox.DepositCursorBeyondPortal.selector, uint64(3), uint256(2)));
        _submit(_encode(2, _oneBlock(uint64(block.timestamp), 3, 0)));
        vm.expectRevert(abi.encodeWithSelector(BatchInbox.DepositCursorDecreased.selector, uint64(2), uint64(1)));
        _submit(_encode(2, _oneBlock(uint64(block.timestamp), 1, 0)));
    }

    // ---- reverts ----

    function testFuzz_notSequencer(address who) public {
        vm.assume(who != SEQUENCER);
        bytes memory data = _encode(1, _oneBlock(uint64(block.timestamp), 0, 0));
        vm.prank(who);
        vm.expectRevert(BatchInbox.NotSequencer.selector);
        inbox.submitBatch(data);
    }

    function test_reverts_formatErrors() public {
        bytes memory good = _encode(1, _oneBlock(uint64(block.timestamp), 0, 1));
        // Header too short.
        vm.expectRevert(abi.encodeWithSelector(BatchInbox.Truncated.selector, uint256(5)));
        _submit(hex"0000000000");
        // Version.
        bytes memory v1 = bytes.concat(good);
        v1[0] = 0x01;
        vm.expectRevert(abi.encodeWithSelector(BatchInbox.UnsupportedVersion.selector, uint8(1)));
        _submit(v1);
        // Empty batch.
        vm.expectRevert(BatchInbox.EmptyBatch.selector);
        _submit(abi.encodePacked(uint8(0), uint64(1), uint32(0)));
        // Block header truncated (offset 13).
        vm.expectRevert(abi.encodeWithSelector(BatchInbox.Truncated.selector, uint256(13)));
        _submit(abi.encodePacked(uint8(0), uint64(1), uint32(1), uint64(1)));
        // Tx length prefix truncated (offset 39).
        uint64 ts = uint64(block.timestamp);
        vm.expectRevert(abi.encodeWithSelector(BatchInbox.Truncated.selector, uint256(39)));
        _submit(abi.encodePacked(uint8(0), uint64(1), uint32(1), ts, uint64(0), uint64(1), uint16(1), uint8(0)));
        // Tx body truncated (body at 42).
        vm.expectRevert(abi.encodeWithSelector(BatchInbox.Truncated.selector, uint256(42)));
        _submit(abi.encodePacked(uint8(0), uint64(1), uint32(1), ts, uint64(0), uint64(1), uint16(1), uint24(5), hex"0102"));
        // Zero-length tx.
        vm.expectRevert(abi.encodeWithSelector(BatchInbox.Truncated.selector, uint256(42)));
        _submit(abi.encodePacked(uint8(0), uint64(1), uint32(1), ts, uint64(0), uint64(1), uint16(1), uint24(0)));
        // Trailing bytes.
        vm.expectRevert(abi.encodeWithSelector(BatchInbox.TrailingBytes.selector, good.length));
        _submit(bytes.concat(good, hex"00"));
        // Nothing was recorded by any of these.
        assertEq(inbox.batchCount(), 0);
        assertEq(inbox.nextBlock(), 1);
    }

    function test_reverts_wrongFirstBlock_gapAndReplay() public {
        bytes memory first = _encode(1, _oneBlock(uint64(block.timestamp), 0, 1));
        vm.expectRevert(abi.encodeWithSelector(BatchInbox.WrongFirstBlock.selector, uint64(1), uint64(2)));
        _submit(_encode(2, _oneBlock(uint64(block.timestamp), 0, 1)));
        _submit(first);
        vm.expectRevert(abi.encodeWithSelector(BatchInbox.WrongFirstBlock.selector, uint64(2), uint64(1)));
        _submit(first); // replay
    }

    function test_reverts_timestamps() public {
        uint64 t = uint64(block.timestamp);
        Blk[] memory b = new Blk[](2);
        b[0] = _oneBlock(t, 0, 0)[0];
        b[1] = _oneBlock(t - 1, 0, 0)[0];
        vm.expectRevert(abi.encodeWithSelector(BatchInbox.TimestampDecreased.selector, t, t - 1));
        _submit(_encode(1, b));

        vm.expectRevert(abi.encodeWithSelector(BatchInbox.TimestampTooFarAhead.selector, t + 31, block.timestamp));
        _submit(_encode(1, _oneBlock(t + 31, 0, 0)));
        _submit(_encode(1, _oneBlock(t + 30, 0, 0))); // at the drift bound

        vm.expectRevert(abi.encodeWithSelector(BatchInbox.TimestampDecreased.selector, t + 30, t));
        _submit(_encode(2, _oneBlock(t, 0, 0))); // across batches
    }

    // ---- L1 fee origins (docs/chain.md, "L1 fee") ----

    function test_l1Fee_recordedAtDeploymentAndWithEveryBatch() public {
        BatchInbox.L1Fee memory f = inbox.l1Fee(1);
        assertEq(f.timestamp, block.timestamp, "the deployment block is recorded");
        assertEq(inbox.latestL1Fee(), 1);
        vm.roll(10);
        vm.fee(7 gwei);
        vm.blobBaseFee(1_000_000);
        _submit(_encode(1, _oneBlock(uint64(block.timestamp), 0, 1)));
        f = inbox.l1Fee(10);
        assertEq(f.baseFee, 7 gwei);
        assertEq(f.blobBaseFee, block.blobbasefee);
        assertEq(inbox.latestL1Fee(), 10);
        assertEq(inbox.l1Fee(9).timestamp, 0, "an L1 block without a batch is not recorded");
        // A second batch in the same L1 block keeps the first record.
        vm.fee(9 gwei);
        Blk[] memory b = _oneBlock(uint64(block.timestamp), 0, 0);
        b[0].origin = 10;
        _submit(_encode(2, b));
        assertEq(inbox.l1Fee(10).baseFee, 7 gwei);
        assertEq(inbox.lastL1Origin(), 10);
    }

    function test_reverts_l1Origins() public {
        uint64 t = uint64(block.timestamp);
        // Not recorded: the sequencer cannot price with a value L1 does not hold.
        Blk[] memory b = _oneBlock(t, 0, 0);
        b[0].origin = 2;
        vm.expectRevert(abi.encodeWithSelector(BatchInbox.UnknownL1Origin.selector, uint64(2)));
        _submit(_encode(1, b));
        vm.roll(5);
        _submit(_encode(1, _oneBlock(t, 0, 0))); // records block 5
        b[0].origin = 5;
        _submit(_encode(2, b));
        // Never decreasing, within and across batches.
        vm.roll(6);
        b[0].origin = 1;
        vm.expectRevert(abi.encodeWithSelector(BatchInbox.L1OriginDecreased.selector, uint64(5), uint64(1)));
        _submit(_encode(3, b));
        // No bound on the origin's age when the batch lands: blocks sealed during a long
        // batcher outage name the newest record then, and post after it (a lag rule here
        // made every batch after such an outage revert for good).
        vm.roll(5 + 257);
        b[0].origin = 5;
        _submit(_encode(3, b)); // records 262
        vm.roll(263 + 10_000);
        _submit(_encode(4, b)); // origin 5, 10,257 L1 blocks behind the newest record
        b[0].origin = 6; // never recorded
        vm.expectRevert(abi.encodeWithSelector(BatchInbox.UnknownL1Origin.selector, uint64(6)));
        _submit(_encode(5, b));
        b[0].origin = 262;
        _submit(_encode(5, b));
        assertEq(inbox.lastL1Origin(), 262);
    }

    function testFuzz_l1Origin_mustBeRecorded(uint64 origin) public {
        vm.assume(origin > 1); // 0 stands for 1 in these helpers
        Blk[] memory b = _oneBlock(uint64(block.timestamp), 0, 0);
        b[0].origin = origin;
        vm.expectRevert(abi.encodeWithSelector(BatchInbox.UnknownL1Origin.selector, origin));
        _submit(_encode(1, b));
    }

    function test_unknownBatch() public {
        vm.expectRevert(abi.encodeWithSelector(BatchInbox.UnknownBatch.selector, uint256(0)));
        inbox.batch(0);
    }

    // ---- fuzz ----

    function testFuzz_wellFormedBatchesAccepted(uint256 seed, uint8 nBlocks) public {
        uint256 nb = bound(nBlocks, 1, 8);
        Blk[] memory b = new Blk[](nb);
        for (uint256 i = 0; i < nb; i++) {
            uint256 r = uint256(keccak256(abi.encode(seed, i)));
            b[i].timestamp = uint64(block.timestamp - 100 + i);
            uint256 ntx = r % 6;
            b[i].txs = new bytes[](ntx);
            for (uint256 j = 0; j < ntx; j++) {
                // One block in eight opens with a transaction of up to three chunks.
                uint256 h = uint256(keccak256(abi.encode(r, j)));
                uint256 len = 1 + h % (j == 0 && r % 8 == 0 ? 3 * 4352 : 200);
                bytes memory t = new bytes(len);
                for (uint256 k = 0; k < len; k++) t[k] = bytes1(uint8(uint256(keccak256(abi.encode(r, j, k)))));
                b[i].txs[j] = t;
            }
        }
        bytes memory data = _encode(1, b);
        _submit(data);
        assertEq(inbox.batch(0).root, _refRoot(_leaves(1, b)));
        assertEq(inbox.nextBlock(), 1 + nb);

        // Every strict prefix of a valid batch is rejected.
        uint256 cut = seed % data.length;
        bytes memory prefix = new bytes(cut);
        for (uint256 i = 0; i < cut; i++) prefix[i] = data[i];
        Blk[] memory none;
        none = none;
        vm.expectRevert();
        _submit(prefix);
    }

    /// @dev One block of transactions of the given lengths (deterministic non-zero bytes).
    function _blockOfLengths(uint256[] memory lengths, uint256 seed) internal view returns (Blk[] memory b) {
        b = new Blk[](1);
        b[0].timestamp = uint64(block.timestamp);
        b[0].txs = new bytes[](lengths.length);
        for (uint256 j = 0; j < lengths.length; j++) {
            bytes memory t = new bytes(lengths[j]);
            for (uint256 k = 0; k < t.length; k++) t[k] = bytes1(uint8(1 + (k * 131 + j * 17 + seed % 255) % 255));
            b[0].txs[j] = t;
        }
    }

    /// @notice Transactions around every chunk boundary of the chunked hash (one byte, a
    ///         chunk less one, one chunk, one chunk and one byte, two chunks, two chunks
    ///         and one byte, 20,000 bytes), each at its own offset in the batch: the root
    ///         is the reference's (recursive chunked hash, leaf 0x02 ‖ len:u32 ‖ chunked).
    function test_txLeaves_atChunkBoundaries() public {
        uint256[] memory lengths = new uint256[](7);
        (lengths[0], lengths[1], lengths[2], lengths[3]) = (1, 4351, 4352, 4353);
        (lengths[4], lengths[5], lengths[6]) = (8704, 8705, 20_000);
        Blk[] memory b = _blockOfLengths(lengths, 0);
        _submit(_encode(1, b));
        assertEq(inbox.batch(0).root, _refRoot(_leaves(1, b)));
        // A leaf past one chunk is not the plain keccak256 one.
        bytes32[] memory plain = _leaves(1, b);
        plain[4] = keccak256(abi.encodePacked(uint8(2), uint32(4353), keccak256(b[0].txs[3])));
        assertTrue(_refRoot(plain) != inbox.batch(0).root);
    }

    /// @notice The inbox's chunked hash of a transaction equals the reference for random
    ///         lengths up to 20,000 bytes; a quarter of the runs land within one byte of a
    ///         chunk boundary. Two transactions, so the second sits at an odd offset.
    function testFuzz_txLeaf_equalsReference(uint256 seed, uint256 len) public {
        if (seed % 4 == 0) {
            len = bound(len, 0, 11);
            len = (len / 3 + 1) * 4352 + (len % 3) - 1; // k·4352 − 1, k·4352 or k·4352 + 1
        } else {
            len = bound(len, 1, 20_000);
        }
        uint256[] memory lengths = new uint256[](2);
        (lengths[0], lengths[1]) = (1 + seed % 7, len);
        Blk[] memory b = _blockOfLengths(lengths, seed);
        _submit(_encode(1, b));
        assertEq(inbox.batch(0).root, _refRoot(_leaves(1, b)));
    }

    function testFuzz_garbageWithBadVersionReverts(bytes calldata garbage) public {
        vm.assume(garbage.length > 0 && garbage[0] != 0x00);
        vm.expectRevert();
        _submit(garbage);
        assertEq(inbox.batchCount(), 0);
    }

    function testFuzz_garbageNeverCorruptsState(bytes calldata garbage) public {
        vm.prank(SEQUENCER);
        try inbox.submitBatch(garbage) {
            // Accepted only if well formed: then it starts at block 1 and the state is consistent.
            assertEq(inbox.batchCount(), 1);
            assertEq(inbox.batch(0).firstBlock, 1);
        } catch {
            assertEq(inbox.batchCount(), 0);
            assertEq(inbox.nextBlock(), 1);
        }
    }

    // ---- blob batches ----

    function _hashes(uint256 n, uint256 seed) internal pure returns (bytes32[] memory h) {
        h = new bytes32[](n);
        for (uint256 i = 0; i < n; i++) {
            h[i] = bytes32((uint256(0x01) << 248) | (uint256(keccak256(abi.encode(seed, i))) >> 8));
        }
    }

    /// Independent encoding of a blob batch header (docs/batches.md, "Blob batches").
    function _blobHeader(uint64 first, uint32 length, Blk[] memory blocks) internal pure returns (bytes memory out) {
        out = abi.encodePacked(uint8(1), first, uint32(blocks.length), length);
        for (uint256 i = 0; i < blocks.length; i++) {
            out = abi.encodePacked(out, blocks[i].timestamp, blocks[i].cursor, _origin(blocks[i]), uint16(blocks[i].txs.length));
        }
    }

    function _blobRoot(uint64 first, Blk[] memory blocks) internal pure returns (bytes32) {
        bytes32[] memory leaves = new bytes32[](blocks.length);
        uint32 firstTx;
        for (uint256 i = 0; i < blocks.length; i++) {
            leaves[i] = keccak256(
                abi.encodePacked(
                    uint8(3),
                    first + uint64(i),
                    blocks[i].timestamp,
                    blocks[i].cursor,
                    _origin(blocks[i]),
                    uint16(blocks[i].txs.length),
                    firstTx
                )
            );
            firstTx += uint32(blocks[i].txs.length);
        }
        return _refRoot(leaves);
    }

    function _submitBlob(bytes32[] memory hashes, bytes memory header) internal returns (uint256) {
        vm.blobhashes(hashes);
        vm.prank(SEQUENCER);
        return inbox.submitBlobBatch(header);
    }

    function _blk(uint64 ts, uint64 cursor, uint256 ntx) internal pure returns (Blk[] memory) {
        return _oneBlock(ts, cursor, ntx);
    }

    function test_blob_recordsAndAdvances() public {
        bytes32[] memory h = _hashes(2, 1);
        uint64 t = uint64(block.timestamp);
        Blk[] memory b = new Blk[](2);
        b[0] = _oneBlock(t - 5, 0, 3)[0];
        b[1] = _oneBlock(t - 3, 0, 2)[0];
        bytes memory header = _blobHeader(1, 126_977, b);
        bytes32 root = _blobRoot(1, b);
        vm.expectEmit(true, true, false, true, address(inbox));
        emit BatchInbox.BlobBatchSubmitted(0, 1, 2, 5, root, 126_977, h);
        assertEq(_submitBlob(h, header), 0);
        BatchInbox.BatchRecord memory r = inbox.batch(0);
        assertEq(r.root, root);
        assertEq(r.firstBlock, 1);
        assertEq(r.blockCount, 2);
        assertEq(r.itemCount, 2);
        assertEq(r.txCount, 5);
        assertEq(r.length, 126_977);
        assertEq(r.blobs, keccak256(abi.encodePacked(h)));
        assertEq(r.l1Block, block.number);
        assertEq(inbox.nextBlock(), 3);
        assertEq(inbox.lastTimestamp(), t - 3);

        // Calldata and blob batches interleave on one sequence of blocks.
        assertEq(_submit(_encode(3, _oneBlock(t - 2, 0, 1))), 1);
        assertEq(inbox.batch(1).blobs, bytes32(0));
        assertEq(_submitBlob(_hashes(1, 2), _blobHeader(4, 0, _blk(t, 0, 0))), 2);
        assertEq(inbox.nextBlock(), 5);
    }

    function testFuzz_blob_notSequencer(address who) public {
        vm.assume(who != SEQUENCER);
        vm.blobhashes(_hashes(1, 0));
        vm.prank(who);
        vm.expectRevert(BatchInbox.NotSequencer.selector);
        inbox.submitBlobBatch(_blobHeader(1, 100, _blk(uint64(block.timestamp), 0, 0)));
    }

    function test_blob_reverts_format() public {
        uint64 t = uint64(block.timestamp);
        bytes32[] memory one = _hashes(1, 0);
        bytes memory good = _blobHeader(1, 100, _blk(t, 0, 1));
        vm.expectRevert(abi.encodeWithSelector(BatchInbox.Truncated.selector, uint256(16)));
        _submitBlob(one, _slice(good, 16));
        vm.expectRevert(abi.encodeWithSelector(BatchInbox.Truncated.selector, uint256(42)));
        _submitBlob(one, _slice(good, 42));
        vm.expectRevert(abi.encodeWithSelector(BatchInbox.TrailingBytes.selector, uint256(43)));
        _submitBlob(one, abi.encodePacked(good, uint8(0)));
        bytes memory v0 = _blobHeader(1, 100, _blk(t, 0, 1));
        v0[0] = 0x00;
        vm.expectRevert(abi.encodeWithSelector(BatchInbox.UnsupportedVersion.selector, uint8(0)));
        _submitBlob(one, v0);
        vm.expectRevert(BatchInbox.EmptyBatch.selector);
        _submitBlob(one, abi.encodePacked(uint8(1), uint64(1), uint32(0), uint32(100)));
        // The offset table (3 bytes per transaction) must fit the payload.
        vm.expectRevert(abi.encodeWithSelector(BatchInbox.PayloadTooShort.selector, uint256(8), uint256(3)));
        _submitBlob(one, _blobHeader(1, 8, _blk(t, 0, 3)));
        _submitBlob(one, _blobHeader(1, 9, _blk(t, 0, 3)));
    }

    function _slice(bytes memory b, uint256 n) internal pure returns (bytes memory out) {
        out = new bytes(n);
        for (uint256 i = 0; i < n; i++) out[i] = b[i];
    }

    function test_blob_reverts_headerRules() public {
        uint64 t = uint64(block.timestamp);
        bytes32[] memory one = _hashes(1, 0);
        vm.expectRevert(abi.encodeWithSelector(BatchInbox.WrongFirstBlock.selector, uint64(1), uint64(2)));
        _submitBlob(one, _blobHeader(2, 100, _blk(t, 0, 0)));
        vm.expectRevert(abi.encodeWithSelector(BatchInbox.TimestampTooFarAhead.selector, t + 31, block.timestamp));
        _submitBlob(one, _blobHeader(1, 100, _blk(t + 31, 0, 0)));
        vm.expectRevert(abi.encodeWithSelector(BatchInbox.DepositCursorBeyondPortal.selector, uint64(1), uint256(0)));
        _submitBlob(one, _blobHeader(1, 100, _blk(t, 1, 0)));
        // Within a batch too: the second block's timestamp goes back.
        Blk[] memory b = new Blk[](2);
        b[0] = _oneBlock(t, 0, 0)[0];
        b[1] = _oneBlock(t - 1, 0, 0)[0];
        vm.expectRevert(abi.encodeWithSelector(BatchInbox.TimestampDecreased.selector, t, t - 1));
        _submitBlob(one, _blobHeader(1, 100, b));

        _submitBlob(one, _blobHeader(1, 100, _blk(t + 30, 0, 0)));
        vm.expectRevert(abi.encodeWithSelector(BatchInbox.TimestampDecreased.selector, t + 30, t));
        _submitBlob(one, _blobHeader(2, 100, _blk(t, 0, 0)));

        vm.startPrank(USER, USER);
        portal.depositETH{value: 1}(USER);
        vm.stopPrank();
        _submitBlob(one, _blobHeader(2, 100, _blk(t + 30, 1, 0)));
        vm.expectRevert(abi.encodeWithSelector(BatchInbox.DepositCursorDecreased.selector, uint64(1), uint64(0)));
        _submitBlob(one, _blobHeader(3, 100, _blk(t + 30, 0, 0)));
        // Replaying the same header is a wrong first block.
        vm.expectRevert(abi.encodeWithSelector(BatchInbox.WrongFirstBlock.selector, uint64(3), uint64(2)));
        _submitBlob(one, _blobHeader(2, 100, _blk(t + 30, 1, 0)));
    }

    function test_blob_reverts_wrongBlobCount() public {
        uint64 t = uint64(block.timestamp);
        uint32 perBlob = uint32(inbox.PAYLOAD_BYTES_PER_BLOB());
        // No blobs at all.
        vm.expectRevert(abi.encodeWithSelector(BatchInbox.WrongBlobCount.selector, uint256(1), uint256(0)));
        _submitBlob(new bytes32[](0), _blobHeader(1, 100, _blk(t, 0, 0)));
        // Too few for the length.
        vm.expectRevert(abi.encodeWithSelector(BatchInbox.WrongBlobCount.selector, uint256(2), uint256(1)));
        _submitBlob(_hashes(1, 0), _blobHeader(1, perBlob + 1, _blk(t, 0, 0)));
        // More than the length needs (a blob derivation would ignore).
        vm.expectRevert(abi.encodeWithSelector(BatchInbox.WrongBlobCount.selector, uint256(1), uint256(2)));
        _submitBlob(_hashes(2, 0), _blobHeader(1, perBlob, _blk(t, 0, 0)));
        // More than six.
        vm.expectRevert(abi.encodeWithSelector(BatchInbox.WrongBlobCount.selector, uint256(6), uint256(7)));
        _submitBlob(_hashes(7, 0), _blobHeader(1, 6 * perBlob + 1, _blk(t, 0, 0)));
        // Exactly six full blobs is fine.
        _submitBlob(_hashes(6, 0), _blobHeader(1, 6 * perBlob, _blk(t, 0, 0)));
        assertEq(inbox.batch(0).length, 6 * perBlob);
    }

    function testFuzz_blob_countMatchesLength(uint32 length, uint8 given) public {
        uint256 perBlob = inbox.PAYLOAD_BYTES_PER_BLOB();
        uint256 need = length == 0 ? 1 : (uint256(length) + perBlob - 1) / perBlob;
        uint256 n = bound(given, 0, 8);
        vm.blobhashes(_hashes(n, length));
        vm.prank(SEQUENCER);
        try inbox.submitBlobBatch(_blobHeader(1, length, _blk(uint64(block.timestamp), 0, 0))) {
            assertEq(n, need);
            assertLe(n, 6);
            assertEq(inbox.batch(0).blobs, keccak256(abi.encodePacked(_hashes(n, length))));
        } catch {
            assertTrue(n != need || need > 6);
            assertEq(inbox.batchCount(), 0);
            assertEq(inbox.nextBlock(), 1);
        }
    }

    /// Garbage headers never corrupt the inbox: either accepted as a well-formed header
    /// or reverted with nothing recorded.
    function testFuzz_blob_garbageHeader(bytes calldata garbage) public {
        vm.blobhashes(_hashes(1, 0));
        vm.prank(SEQUENCER);
        try inbox.submitBlobBatch(garbage) {
            assertEq(inbox.batchCount(), 1);
            assertEq(garbage.length, 17 + 18 * uint256(uint32(bytes4(garbage[9:13]))));
        } catch {
            assertEq(inbox.batchCount(), 0);
            assertEq(inbox.nextBlock(), 1);
        }
    }

    function test_gas_blobBatch() public {
        vm.startPrank(USER, USER);
        portal.depositETH{value: 1}(USER);
        vm.stopPrank();
        uint64 t = uint64(block.timestamp);
        _submitBlob(_hashes(1, 9), _blobHeader(1, 100, _blk(t, 0, 0))); // warm the counters
        uint32 perBlob = uint32(inbox.PAYLOAD_BYTES_PER_BLOB());
        // 12 blocks (12 s of 1 s L2 blocks) of 550 transfers: 6,600 transactions in 6 blobs.
        Blk[] memory b = new Blk[](12);
        for (uint256 i = 0; i < 12; i++) {
            b[i].timestamp = t;
            b[i].cursor = 1;
            b[i].txs = new bytes[](550);
        }
        bytes memory header = _blobHeader(2, 6 * perBlob, b);
        vm.blobhashes(_hashes(6, 1));
        vm.prank(SEQUENCER);
        uint256 before = gasleft();
        inbox.submitBlobBatch(header);
        uint256 used = before - gasleft();
        console2.log("submitBlobBatch, 12 blocks, 6 blobs: execution gas", used);
        console2.log("header calldata bytes", header.length);
    }

    // ---- gas ----

    function test_gas_batchOf500Transfers() public {
        // 5 blocks of 100 transactions of 112 mostly non-zero bytes (a signed EIP-1559
        // transfer's size), written in place: no quadratic re-encoding in the test frame.
        uint256 nb = 5;
        uint256 per = 100;
        uint256 len = 112;
        bytes memory data = new bytes(13 + nb * (26 + per * (3 + len)));
        uint256 o;
        data[o++] = 0x00;
        o = _put(data, o, 1, 8);
        o = _put(data, o, nb, 4);
        for (uint256 i = 0; i < nb; i++) {
            o = _put(data, o, block.timestamp - nb + i, 8);
            o = _put(data, o, 0, 8);
            o = _put(data, o, 1, 8); // L1 fee origin: the deployment block
            o = _put(data, o, per, 2);
            for (uint256 j = 0; j < per; j++) {
                o = _put(data, o, len, 3);
                for (uint256 k = 0; k < len; k++) data[o++] = bytes1(uint8(1 + (i * 7 + j * 13 + k) % 255));
            }
        }
        assertEq(o, data.length);
        vm.prank(SEQUENCER);
        inbox.submitBatch(data);
        uint256 used = vm.lastCallGas().gasTotalUsed;
        uint256 nonzero;
        for (uint256 i = 0; i < data.length; i++) if (data[i] != 0) nonzero++;
        uint256 calldataGas = 16 * nonzero + 4 * (data.length - nonzero);
        console2.log("batch bytes", data.length);
        console2.log("inbox execution gas per tx", used / (nb * per));
        console2.log("calldata gas per tx (Cancun pricing)", calldataGas / (nb * per));
        assertLt(used / (nb * per), 4_000, "sanity bound; the figure is printed, and docs/batches.md records it");
    }

    function _put(bytes memory d, uint256 o, uint256 v, uint256 width) internal pure returns (uint256) {
        for (uint256 i = 0; i < width; i++) d[o + i] = bytes1(uint8(v >> (8 * (width - 1 - i))));
        return o + width;
    }
}
