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

/// @notice `BlockStart` against a real inbox and portal: a calldata batch built here and
///         the Rust codec's blob batch (docs/vectors/blob_batches.json), each block's start
///         computed from the parent header of docs/vectors/dispute/block-start.json
///         ("genesis parent"). The computation itself is `InitialState`, tied to Rust by
///         InitialState.t.sol; here: that the contract feeds it exactly what L1 holds, and
///         refuses every proof that does not check. The Rust prover's proofs against the
///         devnet's own contracts are checked by `faultline vm block --l1-inputs`.
contract BlockStartTest is BlockStartFixtures {
    BatchInbox internal inbox;
    Portal internal portal;
    BlockStart internal start;
    bytes internal genesis; // a block-0 header: cursor 0, origin 0, timestamp 0
    bytes32 internal genesisOutput;
    string internal blobs;

    bytes internal constant TX = hex"02c0ff";

    function setUp() public {
        vm.warp(1_000);
        inbox = _inboxWithDeposits(2);
        portal = inbox.portal();
        start = new BlockStart(inbox);
        string memory v = vm.readFile("docs/vectors/dispute/block-start.json");
        genesis = vm.parseJsonBytes(v, ".cases[6].header");
        assertEq(InitialState.parent(genesis).number, 0, "case 6 is a block-0 header");
        genesisOutput = _outputRoot(genesis);
        // Calldata batch 0: block 1 (timestamp 100, cursor 1, origin 1, one transaction),
        // block 2 (timestamp 101, cursor 2, origin 1, none).
        bytes memory data = abi.encodePacked(
            uint8(0),
            uint64(1),
            uint32(2),
            abi.encodePacked(uint64(100), uint64(1), uint64(1), uint16(1), uint24(TX.length), TX),
            abi.encodePacked(uint64(101), uint64(2), uint64(1), uint16(0))
        );
        vm.prank(SEQUENCER);
        inbox.submitBatch(data);
        // The Rust codec's blob batch also starts at block 1: it goes to a second rollup.
        blobs = vm.readFile("docs/vectors/blob_batches.json");
    }

    /// @dev Batch 0's three leaves: block 1, its transaction, block 2.
    function _calldataLeaves() internal pure returns (bytes32[3] memory l) {
        l[0] = BatchReader.blockLeaf(1, 100, 1, 1, 1);
        l[1] = BatchReader.txLeaf(uint32(TX.length), Hashing.chunkedHash(TX));
        l[2] = BatchReader.blockLeaf(2, 101, 2, 1, 0);
    }

    function _proofOfBlock1() internal pure returns (bytes32[] memory p) {
        bytes32[3] memory l = _calldataLeaves();
        p = new bytes32[](2);
        p[0] = l[1];
        p[1] = keccak256(abi.encodePacked(l[2], bytes32(0)));
    }

    function _proofOfBlock2() internal pure returns (bytes32[] memory p) {
        bytes32[3] memory l = _calldataLeaves();
        p = new bytes32[](2);
        p[0] = bytes32(0);
        p[1] = keccak256(abi.encodePacked(l[0], l[1]));
    }

    /// @dev The commitment from what the test reads off the contracts itself.
    function _expected(BatchInbox box, bytes memory header, uint256 batchIndex, InitialState.Leaf memory leaf)
        internal
        view
        returns (bytes32)
    {
        InitialState.Parent memory p = InitialState.parent(header);
        BatchInbox.BatchRecord memory b = box.batch(batchIndex);
        BatchInbox.L1Fee memory fee = box.l1Fee(uint64(leaf.l1Origin));
        Portal pt = box.portal();
        uint256 forced = pt.forcedCursor(uint64(leaf.timestamp > p.timestamp ? leaf.timestamp : p.timestamp));
        InitialState.Deposits memory d;
        BlockCtx memory ctx;
        (ctx, d.from, d.to) = InitialState.blockCtx(p, leaf, forced, fee.baseFee, fee.blobBaseFee, start.chain());
        d.accFrom = d.from == 0 ? bytes32(0) : pt.accumulator(d.from - 1);
        d.accTo = d.to == 0 ? bytes32(0) : pt.accumulator(d.to - 1);
        InitialState.Record memory r = InitialState.Record(b.root, b.itemCount, b.length, b.txCount, b.blobs);
        return InitialState.commitment(ctx, r, leaf, d, p.stateRoot);
    }

    function test_calldataBlock_startsFromL1() public view {
        InitialState.Leaf memory leaf = _leaf(0, 1, 100, 1, 1, 1);
        bytes32 got = start.initialCommitment(genesisOutput, 1, _encode(genesis, 0, leaf, _proofOfBlock1()));
        assertEq(got, _expected(inbox, genesis, 0, leaf));
        assertTrue(got != bytes32(0));
    }

    function test_blobBlock_startsFromL1() public {
        // A second rollup whose inbox holds the Rust codec's blob batch (blocks 1..3).
        BatchInbox box = _inboxWithDeposits(2);
        BlockStart s = new BlockStart(box);
        bytes32[] memory hashes = vm.parseJsonBytes32Array(blobs, ".versionedHashes");
        vm.blobhashes(hashes);
        vm.prank(SEQUENCER);
        box.submitBlobBatch(vm.parseJsonBytes(blobs, ".header"));
        InitialState.Leaf memory leaf = InitialState.Leaf({
            index: 0,
            number: vm.parseJsonUint(blobs, ".blocks[0].number"),
            timestamp: vm.parseJsonUint(blobs, ".blocks[0].timestamp"),
            depositCursor: vm.parseJsonUint(blobs, ".blocks[0].cursor"),
            l1Origin: vm.parseJsonUint(blobs, ".blocks[0].l1Origin"),
            txCount: vm.parseJsonUint(blobs, ".blocks[0].txCount"),
            firstTx: vm.parseJsonUint(blobs, ".blocks[0].firstTx")
        });
        bytes32[] memory proof = vm.parseJsonBytes32Array(blobs, ".blocks[0].proof");
        bytes32 got = s.initialCommitment(genesisOutput, 1, _encode(genesis, 0, leaf, proof));
        assertEq(got, _expected(box, genesis, 0, leaf));
        // The same block in calldata form starts elsewhere: the form is committed.
        assertTrue(
            got
                != start.initialCommitment(
                    genesisOutput, 1, _encode(genesis, 0, _leaf(0, 1, 100, 1, 1, 1), _proofOfBlock1())
                )
        );
    }

    function test_revert_wrongParent() public {
        bytes memory proof = _encode(genesis, 0, _leaf(0, 1, 100, 1, 1, 1), _proofOfBlock1());
        bytes32 other = keccak256("another output");
        vm.expectRevert(abi.encodeWithSelector(BlockStart.WrongParent.selector, other));
        start.initialCommitment(other, 1, proof);
    }

    function test_revert_wrongBlock() public {
        bytes memory proof = _encode(genesis, 0, _leaf(0, 1, 100, 1, 1, 1), _proofOfBlock1());
        vm.expectRevert(abi.encodeWithSelector(BlockStart.WrongBlock.selector, 1, 2));
        start.initialCommitment(genesisOutput, 2, proof);
    }

    function test_revert_notTheParentsSuccessor() public {
        // Block 2's leaf is genuine, but the parent given is block 0.
        bytes memory proof = _encode(genesis, 0, _leaf(2, 2, 101, 2, 1, 0), _proofOfBlock2());
        vm.expectRevert(abi.encodeWithSelector(InitialState.NotTheNextBlock.selector, 2, 1));
        start.initialCommitment(genesisOutput, 2, proof);
    }

    function test_revert_leafNotInBatch() public {
        InitialState.Leaf[] memory bad = new InitialState.Leaf[](6);
        bad[0] = _leaf(0, 1, 99, 1, 1, 1); // timestamp
        bad[1] = _leaf(0, 1, 100, 0, 1, 1); // deposit cursor
        bad[2] = _leaf(0, 1, 100, 1, 2, 1); // origin
        bad[3] = _leaf(0, 1, 100, 1, 1, 0); // transaction count
        bad[4] = _leaf(1, 1, 100, 1, 1, 1); // index
        bad[5] = _leaf(0, 1, 100, 1, 1, 1 + (1 << 16)); // a count the inbox hashes at 16 bits
        for (uint256 i = 0; i < bad.length; ++i) {
            bytes memory proof = _encode(genesis, 0, bad[i], _proofOfBlock1());
            vm.expectRevert(abi.encodeWithSelector(BlockStart.WrongLeaf.selector, 0, bad[i].index));
            start.initialCommitment(genesisOutput, 1, proof);
        }
        // A genuine proof in another batch's place.
        bytes memory p2 = _encode(genesis, 1, _leaf(0, 1, 100, 1, 1, 1), _proofOfBlock1());
        vm.expectRevert(abi.encodeWithSelector(BatchInbox.UnknownBatch.selector, 1));
        start.initialCommitment(genesisOutput, 1, p2);
    }

    function test_revert_malformed() public {
        vm.expectRevert();
        start.initialCommitment(genesisOutput, 1, hex"1234");
        bytes memory proof = _encode(hex"c0", 0, _leaf(0, 1, 100, 1, 1, 1), _proofOfBlock1());
        vm.expectPartialRevert(InitialState.MalformedHeader.selector);
        start.initialCommitment(genesisOutput, 1, proof);
    }

    /// @notice However a proof is mutated, the contract refuses it or gives the honest
    ///         commitment: no claimant can start a block elsewhere.
    function testFuzz_mutatedProof(uint256 at, uint8 x) public view {
        bytes memory proof = _encode(genesis, 0, _leaf(0, 1, 100, 1, 1, 1), _proofOfBlock1());
        bytes32 honest = start.initialCommitment(genesisOutput, 1, proof);
        at = bound(at, 0, proof.length - 1);
        if (x == 0) x = 1;
        proof[at] = bytes1(uint8(proof[at]) ^ x);
        try start.initialCommitment(genesisOutput, 1, proof) returns (bytes32 got) {
            assertEq(got, honest, "a mutated proof gives the honest start or nothing");
        } catch {}
    }

    function test_gas() public {
        bytes memory proof = _encode(genesis, 0, _leaf(0, 1, 100, 1, 1, 1), _proofOfBlock1());
        uint256 g = gasleft();
        start.initialCommitment(genesisOutput, 1, proof);
        emit log_named_uint("BlockStart.initialCommitment gas (warm call, execution only)", g - gasleft());
    }
}
