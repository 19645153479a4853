// SPDX-License-Identifier: MIT
pragma solidity ^0.8.24;

import {Test} from "forge-std/Test.sol";
import {SmtVerifier} from "../../src/lib/SmtVerifier.sol";
import {SmtTestTree} from "../helpers/SmtTestTree.sol";

/// @dev Exposes the internal library so reverts can be expected.
contract SmtVerifierHarness {
    function verify(bytes32 root, bytes32 key, SmtVerifier.Proof memory p) external pure returns (bool, bytes32) {
        return SmtVerifier.verify(root, key, p);
    }
}

/// @notice The verifier against the shared vectors (keys, account value hashes) and
///         against malformed or tampered proofs: a proof either verifies to the truth or
///         reverts; it never proves a value the tree does not hold.
contract SmtVerifierTest is Test {
    using SmtTestTree for SmtTestTree.Tree;

    struct KeyVector {
        address account;
        bytes32 accountKey;
        bytes32 slot;
        bytes32 storageKey;
    }

    struct AccountVector {
        bytes32 balance;
        bytes32 codeHash;
        uint256 codeSize;
        uint256 nonce;
        bytes32 valueHash;
    }

    SmtVerifierHarness internal h = new SmtVerifierHarness();

    function _json() internal view returns (string memory) {
        return vm.readFile("docs/vectors/smt.json");
    }

    function test_vectorKeysAndAccountHashes() public view {
        string memory json = _json();
        KeyVector[] memory keys = abi.decode(vm.parseJson(json, ".keys"), (KeyVector[]));
        assertGt(keys.length, 0);
        for (uint256 i = 0; i < keys.length; i++) {
            assertEq(SmtVerifier.accountKey(keys[i].account), keys[i].accountKey);
            assertEq(SmtVerifier.storageKey(keys[i].account, keys[i].slot), keys[i].storageKey);
        }
        AccountVector[] memory accs = abi.decode(vm.parseJson(json, ".accounts"), (AccountVector[]));
        assertGt(accs.length, 0);
        for (uint256 i = 0; i < accs.length; i++) {
            bytes32 vh = SmtVerifier.accountValueHash(
                uint64(accs[i].nonce), uint256(accs[i].balance), accs[i].codeHash, uint64(accs[i].codeSize)
            );
            assertEq(vh, accs[i].valueHash);
        }
    }

    /// A tree of `n` fuzzed leaves; returns it with the keys used.
    function _tree(uint256 seed, uint256 n) internal pure returns (SmtTestTree.Tree memory t, bytes32[] memory keys) {
        t = SmtTestTree.create(n + 1);
        keys = new bytes32[](n);
        for (uint256 i = 0; i < n; i++) {
            keys[i] = keccak256(abi.encode(seed, i));
            t.set(keys[i], keccak256(abi.encode("v", seed, i)));
        }
    }

    function testFuzz_inclusionAndExclusion(uint256 seed, uint8 nRaw, bytes32 absent) public view {
        uint256 n = bound(nRaw, 1, 12);
        (SmtTestTree.Tree memory t, bytes32[] memory keys) = _tree(seed, n);
        bytes32 root = t.root();
        for (uint256 i = 0; i < n; i++) {
            (bool inc, bytes32 v) = h.verify(root, keys[i], t.proof(keys[i]));
            assertTrue(inc);
            assertEq(v, keccak256(abi.encode("v", seed, i)));
        }
        for (uint256 i = 0; i < n; i++) vm.assume(absent != keys[i]);
        (bool incAbsent, bytes32 vAbsent) = h.verify(root, absent, t.proof(absent));
        assertFalse(incAbsent);
        assertEq(vAbsent, bytes32(0));
    }

    /// Tampering with any field never yields a different accepted answer.
    function testFuzz_tamperedProofNeverLies(uint256 seed, uint8 nRaw, uint8 which, uint256 noise) public view {
        uint256 n = bound(nRaw, 2, 10);
        (SmtTestTree.Tree memory t, bytes32[] memory keys) = _tree(seed, n);
        bytes32 root = t.root();
        bytes32 key = keys[noise % n];
        bytes32 truth = keccak256(abi.encode("v", seed, noise % n));
        SmtVerifier.Proof memory p = t.proof(key);
        uint256 field = which % 5;
        if (field == 0 && p.siblings.length > 0) p.siblings[noise % p.siblings.length] ^= bytes32(noise | 1);
        else if (field == 1) p.bitmap ^= (uint256(1) << (noise % 256));
        else if (field == 2) p.depth = uint16(bound(noise, 0, 300));
        else if (field == 3) p.leafKey ^= bytes32(noise | 1);
        else p.leafValueHash ^= bytes32(noise | 1);
        try h.verify(root, key, p) returns (bool inc, bytes32 v) {
            // Accepted only if the tampering changed nothing that matters: then the answer is the truth.
            assertTrue(inc);
            assertEq(v, truth);
        } catch {}
    }

    function test_revertsOnMalformedProofs() public {
        (SmtTestTree.Tree memory t, bytes32[] memory keys) = _tree(7, 6);
        bytes32 root = t.root();
        SmtVerifier.Proof memory p = t.proof(keys[0]);

        SmtVerifier.Proof memory deep = _copy(p);
        deep.depth = 257;
        vm.expectRevert(abi.encodeWithSelector(SmtVerifier.ProofDepthTooLarge.selector, uint256(257)));
        h.verify(root, keys[0], deep);

        SmtVerifier.Proof memory beyond = _copy(p);
        beyond.bitmap |= uint256(1) << (255 - p.depth); // bit index == depth
        vm.expectRevert(SmtVerifier.ProofBitmapBeyondDepth.selector);
        h.verify(root, keys[0], beyond);

        SmtVerifier.Proof memory extra = _copy(p);
        extra.siblings = new bytes32[](p.siblings.length + 1);
        vm.expectRevert(
            abi.encodeWithSelector(SmtVerifier.ProofSiblingCount.selector, p.siblings.length, p.siblings.length + 1)
        );
        h.verify(root, keys[0], extra);

        // A leaf terminal whose key leaves the queried key's path.
        SmtVerifier.Proof memory off = _copy(p);
        vm.assume(off.depth > 0);
        off.leafKey = ~keys[0];
        vm.expectRevert(SmtVerifier.ProofLeafOffPath.selector);
        h.verify(root, keys[0], off);

        vm.expectRevert();
        h.verify(bytes32(uint256(root) ^ 1), keys[0], p);
    }

    function _copy(SmtVerifier.Proof memory p) internal pure returns (SmtVerifier.Proof memory c) {
        c.depth = p.depth;
        c.bitmap = p.bitmap;
        c.siblings = new bytes32[](p.siblings.length);
        for (uint256 i = 0; i < p.siblings.length; i++) c.siblings[i] = p.siblings[i];
        c.leafKey = p.leafKey;
        c.leafValueHash = p.leafValueHash;
    }
}
