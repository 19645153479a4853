// SPDX-License-Identifier: MIT
pragma solidity ^0.8.24;

import {BatchInbox} from "../../src/L1/BatchInbox.sol";
import {BatchReader} from "../../src/L1/BatchReader.sol";
import {Portal} from "../../src/L1/Portal.sol";
import {Hashing} from "../../src/lib/Hashing.sol";
import {BlockStart} from "../../src/dispute/BlockStart.sol";
import {InitialState} from "../../src/dispute/lib/InitialState.sol";
import {BlockCtx} from "../../src/vm/Machine.sol";
import {BlockStartFixtures} from "../helpers/BlockStartFixtures.sol";

/// @dev Calls the library externally, so that its reverts can be expected.
contract ParentHarness {
    function parent(bytes memory header) external pure returns (InitialState.Parent memory) {
        return InitialState.parent(header);
    }

    function nextBaseFee(InitialState.Parent memory p, InitialState.Chain memory c) external pure returns (uint256) {
        return InitialState.nextBaseFee(p, c);
    }
}

/// @notice Attacker review of `BlockStart` (review-blockstart): every attack tried on the
///         uniqueness of a block's start, and on the honest side's ability to prove it.
///         Tests named `test_finding_*` demonstrate a confirmed problem (they pass by
///         showing the bad behaviour); the rest pin attacks that fail.
contract BlockStartAttackTest is BlockStartFixtures {
    BatchInbox internal inbox;
    Portal internal portal;
    BlockStart internal start;
    ParentHarness internal h;
    bytes internal genesis; // the vectors' block-0 header: cursor 0, origin 0, timestamp 0
    bytes32 internal genesisOutput;

    bytes internal constant TX = hex"02c0ff";
    uint256 internal constant WINDOW = 3600; // DevChain's sequencing window

    function setUp() public {
        vm.warp(1_000);
        inbox = _inboxWithDeposits(2); // deposits 0 and 1 at L1 time 1000
        portal = inbox.portal();
        start = new BlockStart(inbox);
        h = new ParentHarness();
        genesis = vm.parseJsonBytes(vm.readFile("docs/vectors/dispute/block-start.json"), ".cases[6].header");
        genesisOutput = _outputRoot(genesis);
    }

    // ------------------------------------------------------------------ helpers

    function _submit(bytes memory data) internal {
        vm.prank(SEQUENCER);
        inbox.submitBatch(data);
    }

    /// @dev The base batch 0: block 1 (ts 100, cursor 1, origin 1, one tx), block 2 (ts 101,
    ///      cursor 2, origin 1, none): three items.
    function _submitBase() internal {
        _submit(
            abi.encodePacked(
                uint8(0),
                uint64(1),
                uint32(2),
                abi.encodePacked(uint64(100), uint64(1), uint64(1), uint16(1), uint24(TX.length), TX),
                abi.encodePacked(uint64(101), uint64(2), uint64(1), uint16(0))
            )
        );
    }

    function _baseLeaves() internal pure returns (bytes32[3] memory l) {
        l[0] = BatchReader.blockLeaf(1, 100, 1, 1, 1);
        l[1] = BatchReader.txLeaf(uint32(TX.length), Hashing.chunkedHash(TX));
        l[2] = BatchReader.blockLeaf(2, 101, 2, 1, 0);
    }

    function _proofOf(uint256 index) internal pure returns (bytes32[] memory p) {
        bytes32[3] memory l = _baseLeaves();
        p = new bytes32[](2);
        if (index == 0) {
            (p[0], p[1]) = (l[1], keccak256(abi.encodePacked(l[2], bytes32(0))));
        } else if (index == 1) {
            (p[0], p[1]) = (l[0], keccak256(abi.encodePacked(l[2], bytes32(0))));
        } else {
            (p[0], p[1]) = (bytes32(0), keccak256(abi.encodePacked(l[0], l[1])));
        }
    }

    /// @dev A one-block, no-transaction calldata batch (one item: its root is the leaf).
    function _submitSingle(uint64 number, uint64 ts, uint64 cursor, uint64 origin) internal {
        _submit(abi.encodePacked(uint8(0), number, uint32(1), ts, cursor, origin, uint16(0)));
    }

    /// @dev The commitment from explicitly given L1 values (not read from the portal).
    function _commit(bytes memory header, uint256 batchIndex, InitialState.Leaf memory leaf, uint256 forced)
        internal
        view
        returns (bytes32 c, uint256 to)
    {
        InitialState.Parent memory p = InitialState.parent(header);
        BatchInbox.BatchRecord memory b = inbox.batch(batchIndex);
        BatchInbox.L1Fee memory fee = inbox.l1Fee(uint64(leaf.l1Origin));
        InitialState.Deposits memory d;
        BlockCtx memory ctx;
        (ctx, d.from, d.to) = InitialState.blockCtx(p, leaf, forced, fee.baseFee, fee.blobBaseFee, start.chain());
        d.accFrom = d.from == 0 ? bytes32(0) : portal.accumulator(d.from - 1);
        d.accTo = d.to == 0 ? bytes32(0) : portal.accumulator(d.to - 1);
        c = InitialState.commitment(
            ctx, InitialState.Record(b.root, b.itemCount, b.length, b.txCount, b.blobs), leaf, d, p.stateRoot
        );
        to = d.to;
    }

    // --- a minimal RLP encoder, for headers built here

    function _rlpBytes(bytes memory b) internal pure returns (bytes memory) {
        if (b.length == 1 && uint8(b[0]) < 0x80) return b;
        if (b.length <= 55) return abi.encodePacked(uint8(0x80 + b.length), b);
        bytes memory len = _be(b.length);
        return abi.encodePacked(uint8(0xb7 + len.length), len, b);
    }

    function _rlpUint(uint256 v) internal pure returns (bytes memory) {
        return _rlpBytes(_be(v));
    }

    function _rlpList(bytes memory payload) internal pure returns (bytes memory) {
        if (payload.length <= 55) return abi.encodePacked(uint8(0xc0 + payload.length), payload);
        bytes memory len = _be(payload.length);
        return abi.encodePacked(uint8(0xf7 + len.length), len, payload);
    }

    /// @dev Minimal big-endian bytes of `v` (empty for 0).
    function _be(uint256 v) internal pure returns (bytes memory out) {
        uint256 n;
        for (uint256 x = v; x != 0; x >>= 8) {
            ++n;
        }
        out = new bytes(n);
        for (uint256 i = 0; i < n; ++i) {
            out[n - 1 - i] = bytes1(uint8(v >> (8 * i)));
        }
    }

    struct H {
        uint256 number;
        uint256 gasLimit;
        uint256 gasUsed;
        uint256 timestamp;
        bytes extra;
        uint256 baseFee;
        bytes32 stateRoot;
        bool withBaseFee;
        bool withTail; // the four Cancun fields after the base fee, as l2_header has them
    }

    /// @dev An Ethereum (Cancun) header as `faultline_primitives::l2_header` builds it.
    function _header(H memory x) internal pure returns (bytes memory b) {
        b = _rlpBytes(abi.encodePacked(bytes32(uint256(1)))); // parent hash
        b = bytes.concat(b, _rlpBytes(abi.encodePacked(bytes32(uint256(2))))); // ommers hash
        b = bytes.concat(b, _rlpBytes(abi.encodePacked(address(0xfefe)))); // beneficiary
        b = bytes.concat(b, _rlpBytes(abi.encodePacked(x.stateRoot)));
        b = bytes.concat(b, _rlpBytes(abi.encodePacked(bytes32(uint256(3))))); // transactions root
        b = bytes.concat(b, _rlpBytes(abi.encodePacked(bytes32(uint256(4))))); // receipts root
        b = bytes.concat(b, _rlpBytes(new bytes(256))); // logs bloom
        b = bytes.concat(b, _rlpUint(0)); // difficulty
        b = bytes.concat(b, _rlpUint(x.number), _rlpUint(x.gasLimit));
        b = bytes.concat(b, _rlpUint(x.gasUsed), _rlpUint(x.timestamp));
        b = bytes.concat(b, _rlpBytes(x.extra));
        b = bytes.concat(b, _rlpBytes(abi.encodePacked(bytes32(uint256(1))))); // mix hash
        b = bytes.concat(b, _rlpBytes(new bytes(8))); // nonce
        if (x.withBaseFee) b = bytes.concat(b, _rlpUint(x.baseFee));
        if (x.withTail) {
            b = bytes.concat(b, _rlpBytes(abi.encodePacked(bytes32(uint256(5)))), _rlpUint(0));
            b = bytes.concat(b, _rlpUint(0), _rlpBytes(new bytes(32)));
        }
        b = _rlpList(b);
    }

    function _genesisLike(uint256 timestamp) internal pure returns (bytes memory) {
        return _header(
            H({
                number: 0,
                gasLimit: 300_000_000,
                gasUsed: 0,
                timestamp: timestamp,
                extra: new bytes(32),
                baseFee: 1_000_000_000,
                stateRoot: keccak256("genesis state"),
                withBaseFee: true,
                withTail: true
            })
        );
    }

    // ------------------------------------------------------------------ findings

    /// @notice FINDING (low; deployment-dependent): nothing on L1 bounds the genesis
    ///         timestamp. With a genesis header timestamped more than a sequencing window
    ///         past the L1 time of the first batches (the inbox accepts their leaves'
    ///         smaller timestamps, derivation raises them to the parent's), the block's
    ///         timestamp lies so far ahead that `Portal.forcedCursor` counts deposits made
    ///         *after* the batch. `BlockStart.initialCommitment` for the same parent output,
    ///         block and proof then returns a different value once such a deposit lands:
    ///         the start depends on when the step is played, and derivation (which forced in
    ///         only the deposits it had seen) disagrees with the game. Only the Rust deploy
    ///         tool's off-chain `GENESIS_DRIFT` check prevents it.
    function test_finding_futureGenesis_startChangesWithLaterDeposits() public {
        uint256 g = block.timestamp + 2 * WINDOW; // 8200: 2 windows past L1 now
        bytes memory header = _genesisLike(g);
        bytes32 out = _outputRoot(header);
        _submitSingle(1, 100, 0, 1); // block 1 at L1 time 1000 (leaf ts 100 < genesis ts)
        bytes memory proof = _encode(header, 0, _leaf(0, 1, 100, 0, 1, 0), new bytes32[](0));

        bytes32 before = start.initialCommitment(out, 1, proof);
        assertEq(portal.forcedCursor(uint64(g)), 2, "both deposits made before the batch are forced");

        // After the batch is on L1, someone deposits (L1 time 2000 <= 8200 - 3600).
        vm.warp(2_000);
        vm.roll(block.number + 10);
        address user = address(0xbeef);
        vm.prank(user, user);
        portal.depositETH{value: 1}(user);
        assertEq(portal.forcedCursor(uint64(g)), 3, "a deposit made after the batch is forced into block 1");

        bytes32 afterDeposit = start.initialCommitment(out, 1, proof);
        assertTrue(afterDeposit != before, "same parent, block and proof: two starts");
        // What derivation computed when it derived block 1 (deposits 0, 1 only) is `before`.
        (bytes32 derived,) = _commit(header, 0, _leaf(0, 1, 100, 0, 1, 0), 2);
        assertEq(derived, before);
    }

    /// @notice INFO: a header without a base fee (fewer than 16 items) is refused, where
    ///         Rust's `block_ctx` falls back to `genesis_base_fee`. No header the chain
    ///         builds lacks it (`l2_header` always sets it), so no honest proof fails.
    function test_info_headerWithoutBaseFee_isRefused() public {
        H memory x = H(0, 300_000_000, 0, 0, new bytes(32), 0, keccak256("s"), false, false);
        vm.expectPartialRevert(InitialState.MalformedHeader.selector);
        h.parent(_header(x));
    }

    /// @notice INFO: a parent (necessarily a made-up one: no honest header has it) whose
    ///         deposit cursor is past the portal's count is not refused; the start is built
    ///         with `accumulator(from - 1) = 0`. Only a claimant defending a wrong
    ///         pre-state output can get there.
    function test_info_cursorPastThePortal_notRefused() public {
        bytes memory extra = abi.encodePacked(uint64(10), uint64(0), uint64(0), uint64(0));
        H memory x = H(0, 300_000_000, 0, 0, extra, 1e9, keccak256("s"), true, true);
        bytes memory header = _header(x);
        _submitSingle(1, 100, 0, 1);
        bytes32 c = start.initialCommitment(
            _outputRoot(header), 1, _encode(header, 0, _leaf(0, 1, 100, 0, 1, 0), new bytes32[](0))
        );
        assertTrue(c != bytes32(0));
        assertEq(portal.accumulator(9), bytes32(0));
    }

    // ------------------------------------------------------------------ attacks that fail

    /// @notice A transaction's item is never a block's leaf: the contract hashes the leaf
    ///         itself with the 0x01 prefix, so item 1 (0x02 ‖ length ‖ chunked) opens to
    ///         no `Leaf`.
    function test_txLeafCannotPassAsBlockLeaf() public {
        _submitBase();
        InitialState.Leaf memory l = _leaf(1, 1, 100, 1, 1, 1);
        vm.expectRevert(abi.encodeWithSelector(BlockStart.WrongLeaf.selector, 0, 1));
        start.initialCommitment(genesisOutput, 1, _encode(genesis, 0, l, _proofOf(1)));
        // And a block leaf's fields at the tx's index with block 1's proof: refused too.
        vm.expectRevert(abi.encodeWithSelector(BlockStart.WrongLeaf.selector, 0, 1));
        start.initialCommitment(genesisOutput, 1, _encode(genesis, 0, l, _proofOf(0)));
    }

    /// @notice A genuine leaf of one batch, named with another batch's index, is refused.
    function test_leafOfAnotherBatch_isRefused() public {
        _submitBase();
        _submitSingle(3, 102, 2, 1);
        InitialState.Leaf memory l = _leaf(0, 3, 102, 2, 1, 0);
        vm.expectRevert(abi.encodeWithSelector(BlockStart.WrongLeaf.selector, 0, 0));
        start.initialCommitment(genesisOutput, 3, _encode(genesis, 0, l, new bytes32[](0)));
        // In its own batch the leaf checks (and the genesis parent is then the wrong one).
        vm.expectRevert(abi.encodeWithSelector(InitialState.NotTheNextBlock.selector, 3, 1));
        start.initialCommitment(genesisOutput, 3, _encode(genesis, 1, l, new bytes32[](0)));
    }

    /// @notice A one-item batch: the root is the leaf, the proof must be empty, index 0.
    function test_singleItemBatch_proofShape() public {
        _submitSingle(1, 100, 0, 1);
        InitialState.Leaf memory l = _leaf(0, 1, 100, 0, 1, 0);
        bytes32 honest = start.initialCommitment(genesisOutput, 1, _encode(genesis, 0, l, new bytes32[](0)));
        (bytes32 want,) = _commit(genesis, 0, l, 0);
        assertEq(honest, want);

        bytes32[] memory one = new bytes32[](1);
        vm.expectRevert(abi.encodeWithSelector(BlockStart.WrongLeaf.selector, 0, 0));
        start.initialCommitment(genesisOutput, 1, _encode(genesis, 0, l, one));
        l.index = 1;
        vm.expectRevert(abi.encodeWithSelector(BlockStart.WrongLeaf.selector, 0, 1));
        start.initialCommitment(genesisOutput, 1, _encode(genesis, 0, l, new bytes32[](0)));
    }

    /// @notice The odd level's last node pairs only with zero; the padding slot (index
    ///         `count`) and any other sibling are refused.
    function test_oddLevelPadding() public {
        _submitBase();
        bytes memory header = _header(
            H(
                1,
                300_000_000,
                0,
                100,
                abi.encodePacked(uint64(1), uint64(1), uint64(0), uint64(0)),
                1e9,
                keccak256("b1"),
                true,
                true
            )
        );
        bytes32 out = _outputRoot(header);
        InitialState.Leaf memory l = _leaf(2, 2, 101, 2, 1, 0);
        bytes32 honest = start.initialCommitment(out, 2, _encode(header, 0, l, _proofOf(2)));
        (bytes32 want,) = _commit(header, 0, l, 0);
        assertEq(honest, want);

        bytes32[] memory p = _proofOf(2);
        p[0] = bytes32(uint256(1));
        vm.expectRevert(abi.encodeWithSelector(BlockStart.WrongLeaf.selector, 0, 2));
        start.initialCommitment(out, 2, _encode(header, 0, l, p));
        l.index = 3; // the zero slot past the last item: index >= itemCount
        vm.expectRevert(abi.encodeWithSelector(BlockStart.WrongLeaf.selector, 0, 3));
        start.initialCommitment(out, 2, _encode(header, 0, l, _proofOf(2)));
        // Index 6 = 3 + 3 (high bits the proof would ignore) is refused too.
        l.index = 6;
        vm.expectRevert(abi.encodeWithSelector(BlockStart.WrongLeaf.selector, 0, 6));
        start.initialCommitment(out, 2, _encode(header, 0, l, _proofOf(2)));
    }

    /// @notice With a genesis timestamp as deployed (at most 30 s past L1), the start never
    ///         changes after the batch: later deposits never reach the block's timestamp
    ///         minus the window (the window exceeds the drift), however long they age, and
    ///         the inbox's fee records and batch records only grow.
    function test_startIsStable_asLaterDepositsAgeAndBatchesLand() public {
        _submitBase();
        bytes memory proof = _encode(genesis, 0, _leaf(0, 1, 100, 1, 1, 1), _proofOf(0));
        bytes32 before = start.initialCommitment(genesisOutput, 1, proof);
        address user = address(0xbeef);
        for (uint256 i = 0; i < 3; ++i) {
            vm.warp(block.timestamp + 10 * WINDOW);
            vm.roll(block.number + 100);
            vm.prank(user, user);
            portal.depositETH{value: 1}(user);
        }
        _submitSingle(3, uint64(block.timestamp), 5, 1); // a later batch in a later L1 block
        vm.warp(block.timestamp + 100 * WINDOW);
        assertEq(start.initialCommitment(genesisOutput, 1, proof), before);
    }

    /// @notice A block with deposits forced in past the leaf's cursor: the honest proof
    ///         works and the range ends at the forced cursor; the leaf's own (lower)
    ///         cursor cannot be used instead.
    function test_forcedDeposits_honestProofWorks() public {
        vm.warp(1_000 + WINDOW); // deposits 0, 1 (time 1000) are forced at ts >= 4600
        _submitSingle(1, uint64(block.timestamp), 0, 1);
        InitialState.Leaf memory l = _leaf(0, 1, block.timestamp, 0, 1, 0);
        bytes32 got = start.initialCommitment(genesisOutput, 1, _encode(genesis, 0, l, new bytes32[](0)));
        (bytes32 forced, uint256 to) = _commit(genesis, 0, l, 2);
        (bytes32 unforced,) = _commit(genesis, 0, l, 0);
        assertEq(to, 2);
        assertEq(got, forced);
        assertTrue(got != unforced);
    }

    /// @notice The parent header's fields as Rust reads them from the same header: the
    ///         cursor from extraData's first 8 bytes (any length >= 8), the origin only
    ///         for exactly 32 bytes; a zero integer (0x80), single-byte integers below
    ///         0x80, a long list prefix, the Cancun fields after the base fee.
    function test_headerEdges_matchRust() public view {
        bytes memory cur = abi.encodePacked(uint64(7));
        bytes memory orig = abi.encodePacked(uint64(9));
        bytes[6] memory extras = [
            bytes(""),
            cur,
            abi.encodePacked(cur, new bytes(23)), // 31 bytes
            abi.encodePacked(cur, orig, new bytes(16)), // 32 bytes
            abi.encodePacked(cur, orig, new bytes(17)), // 33 bytes
            abi.encodePacked(cur, orig, new bytes(48)) // 64 bytes (a long string)
        ];
        uint256[6] memory wantCursor = [uint256(0), 7, 7, 7, 7, 7];
        uint256[6] memory wantOrigin = [uint256(0), 0, 0, 9, 0, 0];
        for (uint256 i = 0; i < extras.length; ++i) {
            InitialState.Parent memory p = h.parent(_header(H(5, 0x7f, 0, 1, extras[i], 0, keccak256("s"), true, true)));
            assertEq(p.depositCursor, wantCursor[i], "cursor");
            assertEq(p.l1Origin, wantOrigin[i], "origin");
            assertEq(p.number, 5);
            assertEq(p.gasLimit, 0x7f);
            assertEq(p.gasUsed, 0);
            assertEq(p.timestamp, 1);
            assertEq(p.baseFee, 0);
        }
        // A u64::MAX field is read (alloy's u64 fields never need more).
        InitialState.Parent memory q =
            h.parent(_header(H(type(uint64).max, 1, 1, 1, "", type(uint64).max, keccak256("s"), true, false)));
        assertEq(q.number, type(uint64).max);
        assertEq(q.baseFee, type(uint64).max);
    }

    /// @notice An integer field of 9 bytes (2^64) is refused, not truncated.
    function test_headerNineByteInteger_isRefused() public {
        bytes memory header = _header(H(1 << 64, 1, 1, 1, "", 1, keccak256("s"), true, false));
        vm.expectPartialRevert(InitialState.MalformedHeader.selector);
        h.parent(header);
    }

    /// @dev alloy-eips 2.5.0 `calc_next_block_base_fee` (u64/u128 arithmetic) then the
    ///      floor (`ChainConfig::next_base_fee`).
    function _alloyNextBaseFee(uint64 used, uint64 limit, uint64 base, uint64 den, uint64 el, uint64 floor)
        internal
        pure
        returns (uint64 next)
    {
        if (el == 0 || den == 0) {
            next = base;
        } else {
            uint64 target = limit / el;
            if (target == 0 || used == target) {
                next = base;
            } else if (used > target) {
                uint128 up = uint128(base) * uint128(used - target) / (uint128(target) * den);
                next = base + uint64(up == 0 ? 1 : up);
            } else {
                uint128 down = uint128(base) * uint128(target - used) / (uint128(target) * den);
                next = uint64(down) > base ? 0 : base - uint64(down);
            }
        }
        if (next < floor) next = floor;
    }

    /// @notice `nextBaseFee` equals Rust's for every header a chain can produce (gas used at
    ///         most the limit, base fees below 2^60), including gas target 0 and rounding
    ///         to a 1 wei rise.
    function testFuzz_nextBaseFee_matchesAlloy(
        uint64 used,
        uint64 limit,
        uint64 base,
        uint64 den,
        uint64 el,
        uint64 floor
    ) public view {
        limit = uint64(bound(limit, 0, 1 << 40));
        used = uint64(bound(used, 0, limit));
        base = uint64(bound(base, 0, 1 << 60));
        den = uint64(bound(den, 0, 1_000));
        el = uint64(bound(el, 0, 100));
        floor = uint64(bound(floor, 0, 1 << 60));
        InitialState.Parent memory p;
        (p.gasUsed, p.gasLimit, p.baseFee) = (used, limit, base);
        InitialState.Chain memory c;
        (c.baseFeeChangeDenominator, c.elasticityMultiplier, c.baseFeeFloor) = (den, el, floor);
        assertEq(h.nextBaseFee(p, c), _alloyNextBaseFee(used, limit, base, den, el, floor));
    }
}
