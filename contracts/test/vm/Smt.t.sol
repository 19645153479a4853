// SPDX-License-Identifier: MIT
pragma solidity ^0.8.24;

// Tests contracts/src/vm/lib/Smt.sol (Rust twin: crates/vm-core/src/world.rs and io.rs,
// tag 0x02 of crates/vm-core/src/witness.rs, crates/state/src/smt/proof.rs) against
// docs/vectors/vm/trees.json ("smt", "badSmt"; written by
// crates/vm-core/tests/tree_vectors.rs), docs/vectors/smt.json ("ops") and random insert /
// delete sequences on contracts/test/helpers/SmtTestTree.sol.

import {Test, console} from "forge-std/Test.sol";
import {IFaultVM} from "../../src/interfaces/IFaultVM.sol";
import {SmtVerifier} from "../../src/lib/SmtVerifier.sol";
import {WitnessReader} from "../../src/vm/lib/WitnessReader.sol";
import {Smt} from "../../src/vm/lib/Smt.sol";
import {SmtTestTree} from "../helpers/SmtTestTree.sol";

/// @dev Calldata entry points: an access's bytes, tag first.
contract SmtHarness {
    using WitnessReader for WitnessReader.Cursor;

    function parse(bytes calldata access) public pure returns (Smt.Access memory a) {
        WitnessReader.Cursor memory c = WitnessReader.open(access);
        require(c.tag(5) == 2, "not a keyed-tree access");
        a = Smt.readAccess(c);
        c.finish();
    }

    function read(bytes calldata access, bytes32 root, bytes32 key) external pure returns (bytes32) {
        return Smt.read(root, key, parse(access));
    }

    function readAccount(bytes calldata access, bytes32 root, bytes32 key)
        external
        pure
        returns (bool, Smt.Record memory)
    {
        return Smt.readAccount(root, key, parse(access));
    }

    function write(bytes calldata access, bytes32 root, bytes32 key, bytes32 value) external pure returns (bytes32) {
        return Smt.write(root, key, value, parse(access));
    }

    function writeAccount(bytes calldata access, bytes32 root, bytes32 key, Smt.Record memory r)
        external
        pure
        returns (bytes32)
    {
        return Smt.writeAccount(root, key, r, parse(access));
    }

    /// Memory entry points (for expectRevert).
    function writeOf(bytes32 root, bytes32 key, bytes32 value, Smt.Access memory a) external pure returns (bytes32) {
        return Smt.write(root, key, value, a);
    }

    function verifyOf(bytes32 root, bytes32 key, Smt.Access memory a) external pure returns (bool, bytes32) {
        return Smt.verify(root, key, a);
    }

    /// Gas of a write's parse and update (an SSTORE's `S!`).
    function writeGas(bytes calldata access, bytes32 root, bytes32 key, bytes32 value)
        external
        view
        returns (uint256 used, bytes32 newRoot)
    {
        uint256 g = gasleft();
        WitnessReader.Cursor memory c = WitnessReader.open(access);
        c.tag(5);
        Smt.Access memory a = Smt.readAccess(c);
        newRoot = Smt.write(root, key, value, a);
        used = g - gasleft();
    }

    /// Gas of an account read (parse, verify, record check).
    function readAccountGas(bytes calldata access, bytes32 root, bytes32 key) external view returns (uint256 used) {
        uint256 g = gasleft();
        WitnessReader.Cursor memory c = WitnessReader.open(access);
        c.tag(5);
        Smt.Access memory a = Smt.readAccess(c);
        Smt.readAccount(root, key, a);
        used = g - gasleft();
    }
}

contract SmtTest is Test {
    using SmtTestTree for SmtTestTree.Tree;

    struct SmtVector {
        bytes access;
        address account;
        bytes32 balance;
        bytes32 codeHash;
        uint256 codeSize;
        string error;
        bool exists;
        bytes32 key;
        string name;
        bytes32 newRoot;
        uint256 nonce;
        string op;
        bytes32 root;
        bytes32 value;
    }

    struct BadSmt {
        bytes access;
        string name;
    }

    struct Op {
        bytes32 key;
        bytes32 root;
        bytes32 value;
    }

    SmtHarness internal h = new SmtHarness();

    function _is(string memory a, string memory b) internal pure returns (bool) {
        return keccak256(bytes(a)) == keccak256(bytes(b));
    }

    // ---- vectors --------------------------------------------------------------------

    function _run(SmtVector memory v) internal view returns (bool ok, bytes memory reason) {
        Smt.Record memory r = Smt.Record({
            nonce: uint64(v.nonce), balance: uint256(v.balance), codeHash: v.codeHash, codeSize: uint64(v.codeSize)
        });
        if (_is(v.op, "read")) {
            try h.read(v.access, v.root, v.key) returns (bytes32 got) {
                assertEq(got, v.value, v.name);
                return (true, "");
            } catch (bytes memory e) {
                return (false, e);
            }
        }
        if (_is(v.op, "readAccount")) {
            assertEq(SmtVerifier.accountKey(v.account), v.key, v.name);
            try h.readAccount(v.access, v.root, v.key) returns (bool exists, Smt.Record memory got) {
                assertEq(exists, v.exists, v.name);
                assertEq(got.nonce, r.nonce, v.name);
                assertEq(got.balance, r.balance, v.name);
                assertEq(got.codeHash, r.codeHash, v.name);
                assertEq(got.codeSize, r.codeSize, v.name);
                return (true, "");
            } catch (bytes memory e) {
                return (false, e);
            }
        }
        if (_is(v.op, "write")) {
            try h.write(v.access, v.root, v.key, v.value) returns (bytes32 got) {
                assertEq(got, v.newRoot, v.name);
                return (true, "");
            } catch (bytes memory e) {
                return (false, e);
            }
        }
        assertTrue(_is(v.op, "writeAccount"), v.name);
        assertEq(SmtVerifier.accountKey(v.account), v.key, v.name);
        try h.writeAccount(v.access, v.root, v.key, r) returns (bytes32 got) {
            assertEq(got, v.newRoot, v.name);
            return (true, "");
        } catch (bytes memory e) {
            return (false, e);
        }
    }

    function test_vectors() public view {
        SmtVector[] memory vs = abi.decode(
            vm.parseJsonTypeArray(
                vm.readFile("docs/vectors/vm/trees.json"),
                ".smt",
                "SmtVector(bytes access,address account,bytes32 balance,bytes32 codeHash,uint256 codeSize,string error,bool exists,bytes32 key,string name,bytes32 newRoot,uint256 nonce,string op,bytes32 root,bytes32 value)"
            ),
            (SmtVector[])
        );
        assertGt(vs.length, 100);
        uint256 refused;
        for (uint256 i = 0; i < vs.length; i++) {
            SmtVector memory v = vs[i];
            assertEq(h.parse(v.access).at, 0);
            (bool ok, bytes memory reason) = _run(v);
            if (bytes(v.error).length == 0) {
                assertTrue(ok, v.name);
            } else {
                assertFalse(ok, v.name);
                refused++;
                if (_is(v.error, "unused")) {
                    assertEq(reason, abi.encodeWithSelector(IFaultVM.Unused.selector, 0, 0), v.name);
                } else {
                    assertTrue(_is(v.error, "missing"), v.name);
                    assertEq(reason, abi.encodeWithSelector(IFaultVM.Missing.selector, 0), v.name);
                }
            }
        }
        assertGt(refused, 10);
    }

    function test_badVectors() public view {
        BadSmt[] memory vs = abi.decode(
            vm.parseJsonTypeArray(
                vm.readFile("docs/vectors/vm/trees.json"), ".badSmt", "BadSmt(bytes access,string name)"
            ),
            (BadSmt[])
        );
        assertGt(vs.length, 10);
        for (uint256 i = 0; i < vs.length; i++) {
            try h.parse(vs[i].access) {
                revert(string.concat("accepted: ", vs[i].name));
            } catch (bytes memory reason) {
                assertEq(bytes4(reason), IFaultVM.Malformed.selector, vs[i].name);
            }
        }
    }

    /// docs/vectors/smt.json `ops` (inserts, updates, deletes from the empty tree): each
    /// applied from a proof of the tree before it.
    function test_stateOps() public view {
        Op[] memory ops = abi.decode(vm.parseJson(vm.readFile("docs/vectors/smt.json"), ".ops"), (Op[]));
        assertGt(ops.length, 5);
        SmtTestTree.Tree memory t = SmtTestTree.create(ops.length);
        bytes32 root;
        for (uint256 i = 0; i < ops.length; i++) {
            Smt.Access memory a = _access(t, ops[i].key, ops[i].value == bytes32(0));
            bytes32 direct = Smt.write(root, ops[i].key, ops[i].value, a);
            // The same through the wire format.
            root = h.write(_encode(a), root, ops[i].key, ops[i].value);
            assertEq(root, ops[i].root);
            assertEq(direct, root);
            t.set(ops[i].key, ops[i].value);
            assertEq(t.root(), root);
        }
    }

    // ---- a reference: SmtTestTree with the delete's sibling node ----------------------

    /// @dev The honest access of `key` in `t` (with the deepest sibling's node when a
    ///      delete needs it).
    function _access(SmtTestTree.Tree memory t, bytes32 key, bool deleting)
        internal
        pure
        returns (Smt.Access memory a)
    {
        a.proof = t.proof(key);
        if (deleting && Smt.needsSibling(key, a)) {
            a.hasSibling = true;
            a.sibling = _deepestSibling(t, key, a.proof.depth);
        }
    }

    /// @dev The node at depth `depth` on the other side of `key`'s path: the leaves that
    ///      share its first `depth − 1` bits and differ at bit `depth − 1`.
    function _deepestSibling(SmtTestTree.Tree memory t, bytes32 key, uint256 depth)
        internal
        pure
        returns (Smt.Node memory n)
    {
        (bytes32[] memory ks, bytes32[] memory vs, uint256 m) =
            _under(t.keys, t.values, t.size, key ^ bytes32(uint256(1) << (256 - depth)), depth);
        require(m > 0, "no sibling");
        if (m == 1) return Smt.Node({tag: 0, a: ks[0], b: vs[0]});
        n.tag = 1;
        n.a = _side(ks, vs, m, depth, 0);
        n.b = _side(ks, vs, m, depth, 1);
    }

    /// @dev The subtree at depth `depth + 1` of the leaves (sharing their first `depth`
    ///      bits) whose bit `depth` is `bit`.
    function _side(bytes32[] memory ks, bytes32[] memory vs, uint256 n, uint256 depth, uint256 bit)
        internal
        pure
        returns (bytes32)
    {
        bytes32 pre = (ks[0] & _mask(depth)) | bytes32(bit << (255 - depth));
        (bytes32[] memory sk, bytes32[] memory sv, uint256 sn) = _under(ks, vs, n, pre, depth + 1);
        return _subtree(sk, sv, sn, depth + 1);
    }

    function _mask(uint256 bits) internal pure returns (bytes32) {
        return bits == 0 ? bytes32(0) : bytes32(~(type(uint256).max >> bits));
    }

    /// @dev The leaves whose first `bits` bits are those of `prefix`.
    function _under(bytes32[] memory ks, bytes32[] memory vs, uint256 n, bytes32 prefix, uint256 bits)
        internal
        pure
        returns (bytes32[] memory ok, bytes32[] memory ov, uint256 m)
    {
        ok = new bytes32[](n);
        ov = new bytes32[](n);
        bytes32 mask = _mask(bits);
        for (uint256 i = 0; i < n; i++) {
            if ((ks[i] & mask) == (prefix & mask)) {
                ok[m] = ks[i];
                ov[m] = vs[i];
                m++;
            }
        }
    }

    /// @dev The hash of the subtree at depth `depth` holding these leaves (docs/state.md):
    ///      empty 0, one leaf its hash, else the internal node below their common prefix
    ///      under a chain of one-child internal nodes up to `depth`.
    function _subtree(bytes32[] memory ks, bytes32[] memory vs, uint256 n, uint256 depth)
        internal
        pure
        returns (bytes32)
    {
        if (n == 0) return bytes32(0);
        if (n == 1) return SmtVerifier.leafHash(ks[0], vs[0]);
        uint256 p = 256;
        for (uint256 i = 1; i < n; i++) {
            uint256 x = uint256(ks[0] ^ ks[i]);
            uint256 c = 0;
            while (x >> (255 - c) == 0) c++;
            if (c < p) p = c;
        }
        bytes32 hsh = keccak256(abi.encodePacked(_side(ks, vs, n, p, 0), _side(ks, vs, n, p, 1)));
        for (uint256 i = p; i > depth;) {
            i--;
            hsh = (uint256(ks[0]) >> (255 - i)) & 1 == 0
                ? keccak256(abi.encodePacked(hsh, bytes32(0)))
                : keccak256(abi.encodePacked(bytes32(0), hsh));
        }
        return hsh;
    }

    /// @dev The wire bytes of an access (tag first).
    function _encode(Smt.Access memory a) internal pure returns (bytes memory b) {
        b = abi.encodePacked(uint8(2), a.proof.depth, a.proof.bitmap);
        for (uint256 i = 0; i < a.proof.siblings.length; i++) {
            b = bytes.concat(b, a.proof.siblings[i]);
        }
        b = bytes.concat(b, a.proof.leafKey, a.proof.leafValueHash);
        b = a.hasRecord
            ? bytes.concat(
                b, hex"01", abi.encodePacked(a.record.nonce, a.record.balance, a.record.codeHash, a.record.codeSize)
            )
            : bytes.concat(b, hex"00");
        b = a.hasSibling
            ? bytes.concat(b, hex"01", abi.encodePacked(a.sibling.tag, a.sibling.a, a.sibling.b))
            : bytes.concat(b, hex"00");
    }

    /// @dev Keys that share long prefixes: the low `free` bits random, the rest fixed.
    function _key(uint256 seed, uint256 i, uint256 free) internal pure returns (bytes32) {
        uint256 r = uint256(keccak256(abi.encode(seed, i)));
        return bytes32((r & ((uint256(1) << free) - 1)) | (uint256(0xa5) << 248));
    }

    /// forge-config: default.fuzz.runs = 128
    /// Random insert / modify / delete sequences through the wire format: each write's
    /// root is the reference tree's, and reads see what was written.
    function testFuzz_sequencesMatchTheReference(uint256 seed, uint8 freeRaw) public view {
        uint256 free = bound(freeRaw, 3, 248);
        uint256 n = 14;
        SmtTestTree.Tree memory t = SmtTestTree.create(n);
        bytes32 root;
        for (uint256 step = 0; step < 24; step++) {
            uint256 r = uint256(keccak256(abi.encode(seed, "op", step)));
            bytes32 key = _key(seed, r % n, free);
            bytes32 value = r % 3 == 0 ? bytes32(0) : keccak256(abi.encode(r));
            if (value != bytes32(0) && t.size == n && t.get(key) == bytes32(0)) value = bytes32(0);
            bytes memory wire = _encode(_access(t, key, value == bytes32(0)));
            // A read first: the value the tree holds.
            Smt.Access memory plain = _access(t, key, false);
            assertEq(h.read(_encode(plain), root, key), t.get(key));
            root = h.write(wire, root, key, value);
            t.set(key, value);
            assertEq(root, t.root());
        }
    }

    // ---- refusals -------------------------------------------------------------------

    function _tree() internal pure returns (SmtTestTree.Tree memory t, bytes32 root) {
        t = SmtTestTree.create(8);
        for (uint256 i = 0; i < 8; i++) {
            t.set(keccak256(abi.encode(i)), keccak256(abi.encode("v", i)));
        }
        root = t.root();
    }

    function test_unusedAndMissing() public {
        (SmtTestTree.Tree memory t, bytes32 root) = _tree();
        bytes32 key = keccak256(abi.encode(uint256(3)));
        bytes memory unused = abi.encodeWithSelector(IFaultVM.Unused.selector, 0, 0);
        bytes memory missing = abi.encodeWithSelector(IFaultVM.Missing.selector, 7);
        Smt.Access memory del = _access(t, key, true);
        del.at = 7;
        assertTrue(del.hasSibling);
        // A read with the node; an insert or modify with it; a write with a record.
        vm.expectRevert(unused);
        h.verifyOf(root, key, del);
        vm.expectRevert(unused);
        h.writeOf(root, key, bytes32(uint256(1)), del);
        Smt.Access memory rec = _access(t, key, false);
        rec.at = 7;
        rec.hasRecord = true;
        vm.expectRevert(unused);
        h.writeOf(root, key, bytes32(uint256(1)), rec);
        vm.expectRevert(unused);
        h.writeOf(root, key, 0, rec);
        // The node on a delete of an absent key.
        Smt.Access memory absent = _access(t, keccak256("absent"), false);
        absent.at = 7;
        absent.hasSibling = true;
        absent.sibling = del.sibling;
        vm.expectRevert(unused);
        h.writeOf(root, keccak256("absent"), 0, absent);
        // A delete without its node, or with another.
        Smt.Access memory bare = _access(t, key, false);
        bare.at = 7;
        vm.expectRevert(missing);
        h.writeOf(root, key, 0, bare);
        del.sibling.tag ^= 1;
        vm.expectRevert(missing);
        h.writeOf(root, key, 0, del);
        del.sibling.tag ^= 1;
        del.sibling.b ^= bytes32(uint256(1));
        vm.expectRevert(missing);
        h.writeOf(root, key, 0, del);
        del.sibling.b ^= bytes32(uint256(1));
        assertEq(h.writeOf(root, key, 0, del), _without(t, key));
        // Another root; a proof off the path; a wrong count of siblings.
        vm.expectRevert(missing);
        h.verifyOf(bytes32(uint256(root) ^ 1), key, bare);
        vm.expectRevert(missing);
        h.writeOf(bytes32(uint256(root) ^ 1), key, bytes32(uint256(5)), bare);
        vm.expectRevert(missing);
        h.writeOf(bytes32(uint256(root) ^ 1), key, 0, del);
        Smt.Access memory off = _access(t, key, false);
        off.at = 7;
        off.proof.leafKey = ~key;
        vm.expectRevert(missing);
        h.verifyOf(root, key, off);
        vm.expectRevert(missing);
        h.writeOf(root, key, bytes32(uint256(5)), off);
        Smt.Access memory count = _access(t, key, false);
        count.at = 7;
        count.proof.siblings = new bytes32[](count.proof.siblings.length + 1);
        vm.expectRevert(missing);
        h.verifyOf(root, key, count);
        vm.expectRevert(missing);
        h.writeOf(root, key, 0, count);
    }

    function _without(SmtTestTree.Tree memory t, bytes32 key) internal pure returns (bytes32) {
        SmtTestTree.Tree memory c = SmtTestTree.create(t.keys.length);
        for (uint256 i = 0; i < t.size; i++) {
            if (t.keys[i] != key) c.set(t.keys[i], t.values[i]);
        }
        return c.root();
    }

    function test_accountReads() public view {
        SmtTestTree.Tree memory t = SmtTestTree.create(4);
        Smt.Record memory r = Smt.Record({nonce: 3, balance: 1 ether, codeHash: keccak256("code"), codeSize: 4});
        bytes32 key = SmtVerifier.accountKey(address(0xbeef));
        t.set(key, Smt.recordHash(r));
        t.set(SmtVerifier.accountKey(address(0xcafe)), keccak256("other"));
        bytes32 root = t.root();
        Smt.Access memory a = _access(t, key, false);
        a.hasRecord = true;
        a.record = r;
        (bool exists, Smt.Record memory got) = h.readAccount(_encode(a), root, key);
        assertTrue(exists);
        assertEq(got.balance, 1 ether);
        // The record must match the leaf, be there for a present account and not for an
        // absent one.
        a.record.balance += 1;
        bytes memory missing = abi.encodeWithSelector(IFaultVM.Missing.selector, 0);
        try h.readAccount(_encode(a), root, key) {
            revert("accepted another record");
        } catch (bytes memory e) {
            assertEq(e, missing);
        }
        a.hasRecord = false;
        a.record.balance = 0;
        try h.readAccount(_encode(a), root, key) {
            revert("accepted no record");
        } catch (bytes memory e) {
            assertEq(e, missing);
        }
        bytes32 other = SmtVerifier.accountKey(address(0xdead));
        Smt.Access memory b = _access(t, other, false);
        (exists,) = h.readAccount(_encode(b), root, other);
        assertFalse(exists);
        b.hasRecord = true;
        b.record = r;
        try h.readAccount(_encode(b), root, other) {
            revert("accepted a record of an absent account");
        } catch (bytes memory e) {
            assertEq(e, missing);
        }
        // An empty record deletes; a record on a slot read is unused.
        Smt.Access memory d = _access(t, key, true);
        assertEq(h.writeAccount(_encode(d), root, key, Smt.Record(0, 0, keccak256(""), 0)), _without(t, key));
        try h.read(_encode(b), root, other) {
            revert("accepted a record on a slot read");
        } catch (bytes memory e) {
            assertEq(e, abi.encodeWithSelector(IFaultVM.Unused.selector, 0, 0));
        }
    }

    function test_malformedAccesses() public view {
        (SmtTestTree.Tree memory t,) = _tree();
        bytes32 key = keccak256(abi.encode(uint256(3)));
        Smt.Access memory a = _access(t, key, true);
        bytes memory good = _encode(a);
        assertEq(h.parse(good).sibling.b, a.sibling.b);
        uint256 n = a.proof.siblings.length;
        assertGt(n, 1);
        bytes4 m = IFaultVM.Malformed.selector;
        for (uint256 cut = 0; cut < good.length; cut++) {
            bytes memory b = new bytes(cut);
            for (uint256 i = 0; i < cut; i++) {
                b[i] = good[i];
            }
            assertEq(_refusal(b), m);
        }
        assertEq(_refusal(bytes.concat(good, hex"00")), m);
        // Depth over 256, at the depth's offset.
        assertEq(_refusalData(_patch(good, 1, abi.encodePacked(uint16(257)))), abi.encodeWithSelector(m, 1));
        // A bitmap bit at the depth, at the bitmap's offset.
        bytes memory bit = _patch(good, 1, abi.encodePacked(uint16(0)));
        assertEq(_refusalData(bit), abi.encodeWithSelector(m, 3));
        // A zero sibling, at its offset.
        bytes memory zero = _patch(good, 35 + 32, abi.encodePacked(bytes32(0)));
        assertEq(_refusalData(zero), abi.encodeWithSelector(m, 35 + 32));
        // Flags and the node's tag.
        uint256 flags = 35 + 32 * n + 64;
        assertEq(_refusalData(_patch(good, flags, hex"02")), abi.encodeWithSelector(m, flags));
        assertEq(_refusalData(_patch(good, flags + 1, hex"02")), abi.encodeWithSelector(m, flags + 1));
        assertEq(_refusalData(_patch(good, flags + 2, hex"02")), abi.encodeWithSelector(m, flags + 2));
        // Every sibling at depth 256.
        bytes memory many = abi.encodePacked(uint8(2), uint16(256), type(uint256).max);
        assertEq(_refusal(bytes.concat(many, new bytes(1000))), m);
    }

    function _refusalData(bytes memory a) internal view returns (bytes memory) {
        try h.parse(a) {
            return "";
        } catch (bytes memory reason) {
            return reason;
        }
    }

    function _refusal(bytes memory a) internal view returns (bytes4) {
        return bytes4(_refusalData(a));
    }

    function _patch(bytes memory a, uint256 at, bytes memory with) internal pure returns (bytes memory b) {
        b = bytes.concat(a);
        for (uint256 i = 0; i < with.length; i++) {
            b[at + i] = with[i];
        }
    }

    function verifyLegacy(bytes32 root, bytes32 key, SmtVerifier.Proof memory p) external pure returns (bool, bytes32) {
        return SmtVerifier.verify(root, key, p);
    }

    /// SmtVerifier.verify (the Portal's) and computeRoot (the VM's) accept the same
    /// proofs with the same answer, tampered or not.
    function testFuzz_verifiersAgree(uint256 seed, uint8 which, uint256 noise) public view {
        (SmtTestTree.Tree memory t, bytes32 root) = _tree();
        bytes32 key = noise % 3 == 0 ? keccak256(abi.encode(seed)) : keccak256(abi.encode(noise % 8));
        SmtVerifier.Proof memory p = t.proof(key);
        uint256 field = which % 6;
        if (field == 0 && p.siblings.length > 0) p.siblings[noise % p.siblings.length] ^= bytes32(noise | 1);
        else if (field == 1) p.bitmap ^= (uint256(1) << (noise % 256));
        else if (field == 2) p.depth = uint16(bound(noise, 0, 300));
        else if (field == 3) p.leafKey ^= bytes32(noise | 1);
        else if (field == 4) p.leafValueHash ^= bytes32(noise | 1);
        (uint256 shape, bytes32 computed) = SmtVerifier.computeRoot(key, p);
        bool vmOk = shape == SmtVerifier.SHAPE_OK && computed == root;
        try this.verifyLegacy(root, key, p) returns (bool inc, bytes32 v) {
            assertTrue(vmOk);
            (bool inc2, bytes32 v2) = SmtVerifier.found(key, p);
            assertEq(inc, inc2);
            assertEq(v, v2);
        } catch {
            assertFalse(vmOk);
        }
    }

    function testFuzz_popcount(uint256 x) public pure {
        uint256 c;
        for (uint256 y = x; y != 0; y &= y - 1) {
            c++;
        }
        assertEq(SmtVerifier.popcount(x), c);
        assertEq(SmtVerifier.popcount(type(uint256).max), 256);
    }

    // ---- gas ------------------------------------------------------------------------

    /// A proof of depth 22 with 20 siblings (a tree of about a million leaves), the key
    /// present: the root it hashes to.
    function _deep(bytes32 key, bytes32 value) internal pure returns (Smt.Access memory a, bytes32 root) {
        a.proof.depth = 22;
        a.proof.siblings = new bytes32[](20);
        uint256 j;
        for (uint256 i = 0; i < 22; i++) {
            if (i == 5 || i == 13) continue;
            a.proof.bitmap |= uint256(1) << (255 - i);
            a.proof.siblings[j++] = keccak256(abi.encode("s", i));
        }
        a.proof.leafKey = key;
        a.proof.leafValueHash = value;
        (, root) = SmtVerifier.computeRoot(key, a.proof);
    }

    function test_gasUpdateWith20Siblings() public view {
        bytes32 key = keccak256("slot");
        (Smt.Access memory a, bytes32 root) = _deep(key, bytes32(uint256(7)));
        (uint256 used, bytes32 newRoot) = h.writeGas(_encode(a), root, key, bytes32(uint256(8)));
        (, bytes32 want) = SmtVerifier.computeRoot(key, _withValue(a, bytes32(uint256(8))).proof);
        assertEq(newRoot, want);
        console.log("gas: SMT modify, 20 siblings (depth 22):", used);
        assertLt(used, 20000);
        // An insert that splits the leaf, and an account read.
        bytes32 other = key ^ bytes32(uint256(1) << 200);
        (used,) = h.writeGas(_encode(a), root, other, bytes32(uint256(9)));
        console.log("gas: SMT insert splitting a leaf 34 levels below, 20 siblings:", used);
        Smt.Record memory r = Smt.Record({nonce: 1, balance: 2, codeHash: keccak256(""), codeSize: 0});
        (Smt.Access memory b, bytes32 broot) = _deep(key, Smt.recordHash(r));
        b.hasRecord = true;
        b.record = r;
        console.log("gas: SMT account read, 20 siblings:", h.readAccountGas(_encode(b), broot, key));
    }

    function _withValue(Smt.Access memory a, bytes32 v) internal pure returns (Smt.Access memory b) {
        b.at = a.at;
        b.proof = SmtVerifier.Proof(a.proof.depth, a.proof.bitmap, a.proof.siblings, a.proof.leafKey, v);
    }
}
