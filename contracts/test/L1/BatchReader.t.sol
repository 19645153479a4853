// SPDX-License-Identifier: MIT
pragma solidity ^0.8.24;

import {console2} from "forge-std/console2.sol";
import {BatchInbox} from "../../src/L1/BatchInbox.sol";
import {BatchReader} from "../../src/L1/BatchReader.sol";
import {InboxFixtures} from "../helpers/InboxFixtures.sol";

/// @dev Exposes the library with calldata arguments, as a verifier contract would call it.
contract BatchReaderHarness {
    function openBlobTx(
        BatchInbox.BatchRecord memory r,
        bytes32[] calldata hashes,
        bytes[] calldata commitments,
        uint256 k,
        BatchReader.Element[] calldata entries,
        BatchReader.Element[] calldata data
    ) external view returns (bool, bytes memory) {
        return BatchReader.openBlobTx(r, hashes, commitments, k, entries, data);
    }

    function verifyItem(bytes32 root, uint256 count, bytes32 leaf, uint256 index, bytes32[] calldata proof)
        external
        pure
        returns (bool)
    {
        return BatchReader.verifyItem(root, count, leaf, index, proof);
    }

    function evaluationPoint(uint256 i) external view returns (uint256) {
        return BatchReader.evaluationPoint(i);
    }
}

/// @notice A blob batch written by the Rust codec (docs/vectors/blob_batches.json, from
///         crates/primitives/src/batch.rs) is accepted by the inbox with the same root, and
///         every one of its transactions opens on L1 from real KZG proofs to exactly what
///         derivation reads, void entries included; forged openings revert.
contract BatchReaderTest is InboxFixtures {
    string internal json;
    BatchInbox internal inbox;
    BatchReaderHarness internal reader;
    bytes32[] internal hashes;
    bytes[] internal commitments;

    function setUp() public {
        json = vm.readFile("docs/vectors/blob_batches.json");
        vm.warp(1_000);
        inbox = _inboxWithDeposits(2);
        reader = new BatchReaderHarness();
        hashes = vm.parseJsonBytes32Array(json, ".versionedHashes");
        commitments = vm.parseJsonBytesArray(json, ".commitments");
        vm.blobhashes(hashes);
        vm.prank(SEQUENCER);
        inbox.submitBlobBatch(vm.parseJsonBytes(json, ".header"));
    }

    function _elements(string memory key, uint256 k, string memory which)
        internal
        view
        returns (BatchReader.Element[] memory els)
    {
        string memory base = string.concat(key, "[", vm.toString(k), "].");
        bytes32[] memory ys = vm.parseJsonBytes32Array(json, string.concat(base, which, "Ys"));
        bytes[] memory proofs = vm.parseJsonBytesArray(json, string.concat(base, which, "Proofs"));
        els = new BatchReader.Element[](ys.length);
        for (uint256 i = 0; i < ys.length; i++) {
            els[i] = BatchReader.Element(ys[i], proofs[i]);
        }
    }

    function test_record_matchesRust() public view {
        BatchInbox.BatchRecord memory r = inbox.batch(0);
        assertEq(r.root, vm.parseJsonBytes32(json, ".root"));
        assertEq(r.txCount, vm.parseJsonUint(json, ".txCount"));
        assertEq(r.length, vm.parseJsonUint(json, ".length"));
        assertEq(r.blobs, keccak256(abi.encodePacked(hashes)));
    }

    function test_everyBlockOpens() public view {
        BatchInbox.BatchRecord memory r = inbox.batch(0);
        for (uint256 i = 0; i < r.blockCount; i++) {
            string memory b = string.concat(".blocks[", vm.toString(i), "].");
            bytes32 leaf = BatchReader.blobBlockLeaf(
                uint64(vm.parseJsonUint(json, string.concat(b, "number"))),
                uint64(vm.parseJsonUint(json, string.concat(b, "timestamp"))),
                uint64(vm.parseJsonUint(json, string.concat(b, "cursor"))),
                uint64(vm.parseJsonUint(json, string.concat(b, "l1Origin"))),
                uint16(vm.parseJsonUint(json, string.concat(b, "txCount"))),
                uint32(vm.parseJsonUint(json, string.concat(b, "firstTx")))
            );
            bytes32[] memory proof = vm.parseJsonBytes32Array(json, string.concat(b, "proof"));
            assertTrue(reader.verifyItem(r.root, r.itemCount, leaf, i, proof), "block opens");
            assertFalse(reader.verifyItem(r.root, r.itemCount, leaf, (i + 1) % r.itemCount, proof), "not at another index");
            assertFalse(reader.verifyItem(r.root, r.itemCount + 5, leaf, i, proof), "not with another count");
        }
    }

    function test_everyTransactionOpens() public {
        BatchInbox.BatchRecord memory r = inbox.batch(0);
        uint256 voids;
        for (uint256 k = 0; k < r.txCount; k++) {
            string memory t = string.concat(".txs[", vm.toString(k), "].");
            bool valid = vm.parseJsonBool(json, string.concat(t, "valid"));
            bytes memory expected = vm.parseJsonBytes(json, string.concat(t, "bytes"));
            BatchReader.Element[] memory entries = _elements(".txs", k, "entry");
            BatchReader.Element[] memory data = _elements(".txs", k, "data");
            uint256 g = gasleft();
            (bool ok, bytes memory got) = reader.openBlobTx(r, hashes, commitments, k, entries, data);
            g -= gasleft();
            assertEq(ok, valid, "valid");
            assertEq(got, expected, "bytes");
            if (!valid) voids++;
            console2.log("tx %d: %d bytes, opening gas %d", k, expected.length, g);
        }
        assertEq(voids, 3, "the vector makes three entries void");
    }

    function test_forgedOpeningsRevert() public {
        BatchInbox.BatchRecord memory r = inbox.batch(0);
        BatchReader.Element[] memory entries = _elements(".txs", 0, "entry");
        BatchReader.Element[] memory data = _elements(".txs", 0, "data");

        // Another value for one element of the transaction.
        BatchReader.Element[] memory forged = _elements(".txs", 0, "data");
        forged[1].y = bytes32(uint256(forged[1].y) ^ 1);
        vm.expectRevert(abi.encodeWithSelector(BatchReader.BadElementProof.selector, uint256(1)));
        reader.openBlobTx(r, hashes, commitments, 0, entries, forged);

        // A proof of another element.
        forged = _elements(".txs", 0, "data");
        forged[0] = data[1];
        vm.expectRevert(abi.encodeWithSelector(BatchReader.BadElementProof.selector, uint256(0)));
        reader.openBlobTx(r, hashes, commitments, 0, entries, forged);

        // One element short.
        BatchReader.Element[] memory shorter = new BatchReader.Element[](data.length - 1);
        for (uint256 i = 0; i < shorter.length; i++) shorter[i] = data[i];
        vm.expectRevert(abi.encodeWithSelector(BatchReader.WrongElementCount.selector, data.length, shorter.length));
        reader.openBlobTx(r, hashes, commitments, 0, entries, shorter);

        // Other blobs than the batch's.
        bytes32[] memory other = new bytes32[](1);
        other[0] = bytes32(uint256(hashes[0]) ^ 1);
        vm.expectRevert(BatchReader.WrongBlobHashes.selector);
        reader.openBlobTx(r, other, commitments, 0, entries, data);

        // A commitment that is not the blob's.
        bytes[] memory badCommitments = new bytes[](1);
        badCommitments[0] = new bytes(48);
        vm.expectRevert(abi.encodeWithSelector(BatchReader.BadElementProof.selector, uint256(0)));
        reader.openBlobTx(r, hashes, badCommitments, 0, entries, data);

        // Past the last transaction.
        vm.expectRevert(abi.encodeWithSelector(BatchReader.TxIndexOutOfRange.selector, uint256(r.txCount), uint256(r.txCount)));
        reader.openBlobTx(r, hashes, commitments, r.txCount, entries, data);

        // A void entry cannot be given data.
        BatchReader.Element[] memory voidEntries = _elements(".txs", 4, "entry");
        vm.expectRevert(abi.encodeWithSelector(BatchReader.WrongElementCount.selector, uint256(0), data.length));
        reader.openBlobTx(r, hashes, commitments, 4, voidEntries, data);
    }

    /// A forged opening fails cheaply: the precompile calls are capped, so an attacker's
    /// bad proof cannot burn the caller's gas (uncapped, a failing precompile takes 63/64
    /// of it).
    function test_forgedOpening_costsBoundedGas() public view {
        BatchInbox.BatchRecord memory r = inbox.batch(0);
        BatchReader.Element[] memory entries = _elements(".txs", 0, "entry");
        BatchReader.Element[] memory data = _elements(".txs", 0, "data");
        data[0].proof = new bytes(48);
        uint256 g = gasleft();
        try reader.openBlobTx{gas: 10_000_000}(r, hashes, commitments, 0, entries, data) {
            revert("forged opening accepted");
        } catch {}
        assertLt(g - gasleft(), 250_000);
    }

    function test_evaluationPoints() public view {
        assertEq(reader.evaluationPoint(0), 1);
        assertEq(reader.evaluationPoint(1), BatchReader.BLS_MODULUS - 1);
    }
}
