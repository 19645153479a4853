// SPDX-License-Identifier: MIT
pragma solidity ^0.8.24;

// Tests contracts/src/vm/lib/WordTree.sol (Rust twin: crates/vm-core/src/words.rs, tag 0x01
// of crates/vm-core/src/witness.rs) against docs/vectors/vm/trees.json ("ranges",
// "badRanges"; written by crates/vm-core/tests/tree_vectors.rs) and a reference tree
// built here.

import {Test, console} from "forge-std/Test.sol";
import {IFaultVM} from "../../src/interfaces/IFaultVM.sol";
import {WitnessReader} from "../../src/vm/lib/WitnessReader.sol";
import {WordTree} from "../../src/vm/lib/WordTree.sol";

/// @dev Calldata entry points: an access's bytes, tag first.
contract WordTreeHarness {
    using WitnessReader for WitnessReader.Cursor;

    function parse(bytes calldata access) public pure returns (WordTree.Range memory r) {
        WitnessReader.Cursor memory c = WitnessReader.open(access);
        require(c.tag(5) == 1, "not a range");
        r = WordTree.readRange(c);
        c.finish();
    }

    function readBytes(bytes calldata access, bytes32 root, uint256 at, uint256 len)
        external
        pure
        returns (bytes memory)
    {
        WordTree.Range memory r = parse(access);
        WordTree.checkBytes(r, root, at, len);
        return WordTree.readBytes(r, at, len);
    }

    function writeBytes(bytes calldata access, bytes32 root, uint256 at, bytes calldata data)
        external
        pure
        returns (bytes32)
    {
        WordTree.Range memory r = parse(access);
        WordTree.checkBytes(r, root, at, data.length);
        return WordTree.rootWith(r, WordTree.writeBytes(r, at, data));
    }

    /// Gas of the whole open of one word: the tag, the range, the check, the read.
    function mloadGas(bytes calldata access, bytes32 root, uint256 at) external view returns (uint256 used, bytes32 w) {
        uint256 g = gasleft();
        WitnessReader.Cursor memory c = WitnessReader.open(access);
        c.tag(5);
        WordTree.Range memory r = WordTree.readRange(c);
        WordTree.checkBytes(r, root, at, 32);
        w = WordTree.readWord(r, at);
        used = g - gasleft();
    }

    /// Gas of an MSTORE's open and new root.
    function mstoreGas(bytes calldata access, bytes32 root, uint256 at, bytes32 v)
        external
        view
        returns (uint256 used, bytes32 newRoot)
    {
        uint256 g = gasleft();
        WitnessReader.Cursor memory c = WitnessReader.open(access);
        c.tag(5);
        WordTree.Range memory r = WordTree.readRange(c);
        WordTree.checkBytes(r, root, at, 32);
        newRoot = WordTree.rootWith(r, WordTree.writeWord(r, at, v));
        used = g - gasleft();
    }

    function rootOf(WordTree.Range memory r) external pure returns (bytes32) {
        return WordTree.rootOf(r);
    }

    function rootWith(WordTree.Range memory r, bytes32[] memory w) external pure returns (bytes32) {
        return WordTree.rootWith(r, w);
    }

    function readBytesOf(WordTree.Range memory r, uint256 at, uint256 n) external pure returns (bytes memory) {
        return WordTree.readBytes(r, at, n);
    }

    function readWordOf(WordTree.Range memory r, uint256 at) external pure returns (bytes32) {
        return WordTree.readWord(r, at);
    }

    function writeBytesOf(WordTree.Range memory r, uint256 at, bytes memory d)
        external
        pure
        returns (bytes32[] memory)
    {
        return WordTree.writeBytes(r, at, d);
    }

    function check(WordTree.Range memory r, bytes32 root, uint256 first, uint256 count) external pure {
        WordTree.check(r, root, first, count);
    }
}

contract WordTreeTest is Test {
    struct RangeVector {
        bytes access;
        uint256 at;
        bytes data;
        uint256 len;
        string name;
        bytes32 newRoot;
        bytes read;
        bytes32 root;
    }

    struct BadRange {
        bytes access;
        uint256 at;
        string error;
        uint256 len;
        string name;
        bytes32 root;
    }

    WordTreeHarness internal h = new WordTreeHarness();

    function _json() internal view returns (string memory) {
        return vm.readFile("docs/vectors/vm/trees.json");
    }

    // ---- vectors --------------------------------------------------------------------

    function test_vectors() public view {
        RangeVector[] memory vs = abi.decode(
            vm.parseJsonTypeArray(
                _json(),
                ".ranges",
                "RangeVector(bytes access,uint256 at,bytes data,uint256 len,string name,bytes32 newRoot,bytes read,bytes32 root)"
            ),
            (RangeVector[])
        );
        assertGt(vs.length, 10);
        for (uint256 i = 0; i < vs.length; i++) {
            RangeVector memory v = vs[i];
            WordTree.Range memory r = h.parse(v.access);
            (uint256 first, uint256 count) = WordTree.wordsFor(v.at, v.len);
            assertEq(r.first, first, v.name);
            assertEq(r.words.length, count, v.name);
            assertEq(r.at, 0, v.name);
            assertEq(WordTree.rootOf(r), v.root, v.name);
            assertEq(h.readBytes(v.access, v.root, v.at, v.len), v.read, v.name);
            assertEq(h.writeBytes(v.access, v.root, v.at, v.data), v.newRoot, v.name);
            if (v.len == 32) {
                assertEq(WordTree.readWord(r, v.at), bytes32(v.read), v.name);
                assertEq(WordTree.rootWith(r, WordTree.writeWord(r, v.at, bytes32(v.data))), v.newRoot, v.name);
            }
            if (v.len == 1) {
                assertEq(WordTree.rootWith(r, WordTree.writeByte(r, v.at, uint8(v.data[0]))), v.newRoot, v.name);
            }
        }
    }

    function test_badVectors() public view {
        BadRange[] memory vs = abi.decode(
            vm.parseJsonTypeArray(
                _json(),
                ".badRanges",
                "BadRange(bytes access,uint256 at,string error,uint256 len,string name,bytes32 root)"
            ),
            (BadRange[])
        );
        assertGt(vs.length, 10);
        for (uint256 i = 0; i < vs.length; i++) {
            BadRange memory v = vs[i];
            bytes4 want = keccak256(bytes(v.error)) == keccak256("malformed")
                ? IFaultVM.Malformed.selector
                : IFaultVM.Missing.selector;
            try h.readBytes(v.access, v.root, v.at, v.len) returns (bytes memory) {
                revert(string.concat("accepted: ", v.name));
            } catch (bytes memory reason) {
                assertEq(bytes4(reason), want, v.name);
            }
        }
    }

    function test_zeroHashes() public pure {
        bytes32 z;
        for (uint256 i = 0; i <= 32; i++) {
            assertEq(WordTree.zeroHash(i), z);
            z = keccak256(abi.encodePacked(z, z));
        }
        assertEq(WordTree.zeroHash(32), WordTree.EMPTY_ROOT);
    }

    function test_siblingHeights() public pure {
        assertEq(WordTree.siblingHeights(0, 1).length, 32);
        assertEq(WordTree.siblingHeights(0, 0).length, 0);
        assertEq(WordTree.siblingHeights(1 << 32, 1).length, 0);
        assertEq(WordTree.siblingHeights((1 << 32) - 1, 2).length, 0);
        assertEq(WordTree.siblingHeights(0, 1 << 32).length, 0);
        uint256[] memory hs = WordTree.siblingHeights(3, 2); // 0 (left of 3), 0 (right of 4), ...
        assertEq(hs[0], 0);
        assertEq(hs[1], 0);
        assertEq(hs[2], 1);
    }

    function test_wordsFor() public pure {
        (uint256 f, uint256 n) = WordTree.wordsFor(0, 0);
        assertEq(n, 0);
        (f, n) = WordTree.wordsFor(31, 1);
        assertEq(f, 0);
        assertEq(n, 1);
        (f, n) = WordTree.wordsFor(31, 2);
        assertEq(f, 0);
        assertEq(n, 2);
        (f, n) = WordTree.wordsFor(64, 32);
        assertEq(f, 2);
        assertEq(n, 1);
        (f, n) = WordTree.wordsFor(65, 64);
        assertEq(f, 2);
        assertEq(n, 3);
    }

    // ---- a reference tree -----------------------------------------------------------

    /// @dev A buffer of `words` words: every node's hash, levels 0..top, and the nodes on
    ///      the left edge above.
    struct Ref {
        bytes32[][] levels;
        uint256 top;
        bytes32[33] edge;
    }

    function _ref(bytes32[] memory words) internal pure returns (Ref memory t) {
        uint256 top;
        while ((uint256(1) << top) < words.length) top++;
        t.top = top;
        t.levels = new bytes32[][](top + 1);
        t.levels[0] = new bytes32[](uint256(1) << top);
        for (uint256 i = 0; i < words.length; i++) {
            t.levels[0][i] = words[i];
        }
        for (uint256 l = 1; l <= top; l++) {
            uint256 n = uint256(1) << (top - l);
            t.levels[l] = new bytes32[](n);
            for (uint256 i = 0; i < n; i++) {
                t.levels[l][i] = keccak256(abi.encodePacked(t.levels[l - 1][2 * i], t.levels[l - 1][2 * i + 1]));
            }
        }
        t.edge[top] = t.levels[top][0];
        for (uint256 l = top + 1; l <= 32; l++) {
            t.edge[l] = keccak256(abi.encodePacked(t.edge[l - 1], WordTree.zeroHash(l - 1)));
        }
    }

    function _node(Ref memory t, uint256 l, uint256 i) internal pure returns (bytes32) {
        if (l <= t.top) return i < t.levels[l].length ? t.levels[l][i] : WordTree.zeroHash(l);
        return i == 0 ? t.edge[l] : WordTree.zeroHash(l);
    }

    /// @dev The access bytes (tag first) of words `first .. first + count` of `t`.
    function _access(Ref memory t, uint256 first, uint256 count) internal pure returns (bytes memory a) {
        a = abi.encodePacked(uint8(1), uint64(first), uint32(count));
        for (uint256 i = first; i < first + count; i++) {
            a = bytes.concat(a, _node(t, 0, i));
        }
        uint256 lo = first;
        uint256 hi = first + count - 1;
        for (uint256 l = 0; l < 32; l++) {
            if (lo & 1 == 1) a = bytes.concat(a, _sib(_node(t, l, lo - 1), l));
            if (hi & 1 == 0) a = bytes.concat(a, _sib(_node(t, l, hi + 1), l));
            lo >>= 1;
            hi >>= 1;
        }
    }

    function _sib(bytes32 s, uint256 l) internal pure returns (bytes memory) {
        return s == WordTree.zeroHash(l) ? abi.encodePacked(uint8(0)) : abi.encodePacked(uint8(1), s);
    }

    function _words(uint256 seed, uint256 n) internal pure returns (bytes32[] memory w) {
        w = new bytes32[](n);
        for (uint256 i = 0; i < n; i++) {
            uint256 x = uint256(keccak256(abi.encode(seed, i)));
            w[i] = x % 5 == 0 ? bytes32(0) : bytes32(x);
        }
    }

    /// @dev Words none of which is zero.
    function _nonZero(uint256 seed, uint256 n) internal pure returns (bytes32[] memory w) {
        w = new bytes32[](n);
        for (uint256 i = 0; i < n; i++) {
            w[i] = keccak256(abi.encode(seed, i));
        }
    }

    function _root(bytes32[] memory words) internal pure returns (bytes32) {
        return _ref(words).edge[32];
    }

    /// Random buffers and ranges: the range opens to the reference root, and a write
    /// through it gives the reference root of the written buffer.
    function testFuzz_rangesMatchTheReference(uint256 seed, uint8 nRaw, uint8 firstRaw, uint8 countRaw) public view {
        uint256 n = bound(nRaw, 1, 40);
        uint256 first = bound(firstRaw, 0, n + 4);
        uint256 count = bound(countRaw, 1, 9);
        bytes32[] memory words = _words(seed, n);
        Ref memory t = _ref(words);
        bytes32 root = t.edge[32];
        WordTree.Range memory r = h.parse(_access(t, first, count));
        assertEq(WordTree.rootOf(r), root);
        WordTree.check(r, root, first, count);
        // A write through the same siblings.
        bytes32[] memory fresh = _words(seed ^ 0xabc, count);
        uint256 m = first + count > n ? first + count : n;
        bytes32[] memory after_ = new bytes32[](m);
        for (uint256 i = 0; i < n; i++) {
            after_[i] = words[i];
        }
        for (uint256 i = 0; i < count; i++) {
            after_[first + i] = fresh[i];
        }
        assertEq(WordTree.rootWith(r, fresh), _root(after_));
        // A wrong word does not open.
        r.words[count - 1] ^= bytes32(uint256(1));
        assertTrue(WordTree.rootOf(r) != root);
    }

    /// Random byte reads and writes against the buffer's bytes.
    function testFuzz_bytesMatchTheReference(uint256 seed, uint16 atRaw, uint8 lenRaw) public view {
        uint256 n = 12;
        bytes32[] memory words = _words(seed, n);
        Ref memory t = _ref(words);
        bytes32 root = t.edge[32];
        uint256 at = bound(atRaw, 0, n * 32 + 40);
        uint256 len = bound(lenRaw, 1, 100);
        (uint256 first, uint256 count) = WordTree.wordsFor(at, len);
        bytes memory acc = _access(t, first, count);
        bytes memory buf = new bytes((first + count) * 32 > n * 32 ? (first + count) * 32 : n * 32);
        for (uint256 i = 0; i < n * 32; i++) {
            buf[i] = bytes32(words[i / 32])[i % 32];
        }
        bytes memory want = new bytes(len);
        for (uint256 i = 0; i < len; i++) {
            want[i] = buf[at + i];
        }
        assertEq(h.readBytes(acc, root, at, len), want);
        bytes memory data = abi.encodePacked(keccak256(abi.encode(seed, 1)), keccak256(abi.encode(seed, 2)));
        data = bytes.concat(data, data, data, data);
        assembly ("memory-safe") {
            mstore(data, len)
        }
        for (uint256 i = 0; i < len; i++) {
            buf[at + i] = data[i];
        }
        bytes32[] memory after_ = new bytes32[](buf.length / 32);
        for (uint256 i = 0; i < after_.length; i++) {
            bytes32 w;
            assembly ("memory-safe") {
                w := mload(add(add(buf, 0x20), mul(i, 0x20)))
            }
            after_[i] = w;
        }
        assertEq(h.writeBytes(acc, root, at, data), _root(after_));
    }

    /// The last word of the tree, and ranges ending there.
    function testFuzz_theTopOfTheTree(uint256 seed, uint8 countRaw) public view {
        uint256 count = bound(countRaw, 1, 6);
        uint256 first = (uint256(1) << 32) - count;
        seed = seed >> 1;
        bytes32[] memory words = _words(seed, 3);
        Ref memory t = _ref(words);
        WordTree.Range memory r = h.parse(_access(t, first, count));
        assertEq(WordTree.rootOf(r), t.edge[32]);
        // Writing there: the root of a tree with words only at both ends, hashed by hand.
        bytes32[] memory fresh = _words(seed + 1, count);
        bytes32 right = _rightEdge(fresh, count);
        assertEq(WordTree.rootWith(r, fresh), keccak256(abi.encodePacked(t.edge[31], right)));
    }

    /// The hash of the height-31 subtree holding words 2^32 − count .. 2^32 − 1 (= fresh).
    function _rightEdge(bytes32[] memory fresh, uint256 count) internal pure returns (bytes32) {
        // Pad the words to the 8-word block they end in, then hash up its right edge.
        bytes32[] memory block_ = new bytes32[](8);
        for (uint256 i = 0; i < count; i++) {
            block_[8 - count + i] = fresh[i];
        }
        bytes32 hsh = _ref(block_).levels[3][0];
        for (uint256 l = 3; l < 31; l++) {
            hsh = keccak256(abi.encodePacked(WordTree.zeroHash(l), hsh));
        }
        return hsh;
    }

    // ---- refusals -------------------------------------------------------------------

    function _bad(bytes memory access) internal view returns (bytes4) {
        try h.parse(access) returns (WordTree.Range memory) {
            return bytes4(0);
        } catch (bytes memory reason) {
            return bytes4(reason);
        }
    }

    function test_malformedRanges() public view {
        bytes32[] memory words = _nonZero(1, 5);
        Ref memory t = _ref(words);
        bytes memory good = _access(t, 1, 2);
        assertEq(_bad(good), bytes4(0));
        bytes4 m = IFaultVM.Malformed.selector;
        // Truncated at every byte.
        for (uint256 cut = 0; cut < good.length; cut++) {
            bytes memory a = new bytes(cut);
            for (uint256 i = 0; i < cut; i++) {
                a[i] = good[i];
            }
            assertEq(_bad(a), m);
        }
        // Count 0, over 2^20, over the bytes, past the tree.
        assertEq(_bad(_patch(good, 9, abi.encodePacked(uint32(0)))), m);
        assertEq(_bad(_patch(good, 9, abi.encodePacked(uint32(1 << 20) + 1))), m);
        assertEq(_bad(_patch(good, 9, abi.encodePacked(uint32(1000)))), m);
        assertEq(_bad(_patch(good, 1, abi.encodePacked(uint64((1 << 32) - 1)))), m);
        // A sibling flag of 2, a present sibling equal to Z(h).
        uint256 flag = 13 + 64;
        assertEq(uint8(good[flag]), 1); // word 0, present
        assertEq(_bad(_patch(good, flag, hex"02")), m);
        assertEq(_bad(_patch(good, flag + 1, abi.encodePacked(bytes32(0)))), m);
        // An extra byte.
        assertEq(_bad(bytes.concat(good, hex"00")), m);
        // The offset: a bad flag is reported where it sits.
        try h.parse(_patch(good, flag, hex"02")) {}
        catch (bytes memory reason) {
            assertEq(reason, abi.encodeWithSelector(m, flag));
        }
    }

    function test_malformedPresentZeroAboveTheBuffer() public view {
        bytes32[] memory words = _nonZero(1, 2);
        Ref memory t = _ref(words);
        bytes memory good = _access(t, 0, 1);
        // Words 0: siblings: word 1 (present), then Z(1) .. Z(31) as flags 0.
        uint256 flag = 13 + 32 + 33; // the height-1 sibling
        assertEq(uint8(good[flag]), 0);
        bytes memory a =
            bytes.concat(_slice(good, 0, flag), hex"01", WordTree.zeroHash(1), _slice(good, flag + 1, good.length));
        try h.parse(a) {
            revert("accepted Z(1) flagged present");
        } catch (bytes memory reason) {
            assertEq(reason, abi.encodeWithSelector(IFaultVM.Malformed.selector, flag + 1));
        }
    }

    function test_missingPaths() public {
        bytes32[] memory words = _words(2, 6);
        Ref memory t = _ref(words);
        bytes32 root = t.edge[32];
        WordTree.Range memory r = h.parse(_access(t, 2, 3));
        bytes memory missing = abi.encodeWithSelector(IFaultVM.Missing.selector, uint256(0));
        // check: another first, count, root.
        vm.expectRevert(missing);
        h.check(r, root, 1, 3);
        vm.expectRevert(missing);
        h.check(r, root, 2, 2);
        vm.expectRevert(missing);
        h.check(r, bytes32(uint256(root) ^ 1), 2, 3);
        h.check(r, root, 2, 3);
        // Bytes outside the range.
        vm.expectRevert(missing);
        h.readBytesOf(r, 63, 2);
        vm.expectRevert(missing);
        h.readBytesOf(r, 64, 97);
        vm.expectRevert(missing);
        h.readWordOf(r, 129);
        vm.expectRevert(missing);
        h.writeBytesOf(r, 150, new bytes(11));
        assertEq(h.readBytesOf(r, 64, 96).length, 96);
        assertEq(h.readBytesOf(r, 160, 0).length, 0);
        // A new word list of another length.
        vm.expectRevert(missing);
        h.rootWith(r, new bytes32[](2));
        // Siblings short or extra (a range not from readRange).
        bytes32[] memory sibs = r.siblings;
        r.siblings = new bytes32[](sibs.length - 1);
        vm.expectRevert(missing);
        h.rootOf(r);
        r.siblings = new bytes32[](sibs.length + 1);
        vm.expectRevert(missing);
        h.rootOf(r);
        // One word with the wrong count of siblings.
        WordTree.Range memory one = h.parse(_access(t, 0, 1));
        one.siblings = new bytes32[](31);
        vm.expectRevert(missing);
        h.rootOf(one);
        // Outside the tree, or empty.
        one.siblings = new bytes32[](32);
        one.first = 1 << 32;
        vm.expectRevert(missing);
        h.rootOf(one);
        one.first = 0;
        one.words = new bytes32[](0);
        vm.expectRevert(missing);
        h.rootOf(one);
    }

    // ---- gas ------------------------------------------------------------------------

    /// An access of one word whose 32 siblings are all present (the worst case).
    function _fullAccess(uint256 first) internal pure returns (bytes memory a, bytes32 root, bytes32 word) {
        word = keccak256("word");
        a = abi.encodePacked(uint8(1), uint64(first), uint32(1), word);
        root = word;
        for (uint256 l = 0; l < 32; l++) {
            bytes32 s = keccak256(abi.encode("sibling", l));
            a = bytes.concat(a, hex"01", s);
            root = (first >> l) & 1 == 1 ? keccak256(abi.encodePacked(s, root)) : keccak256(abi.encodePacked(root, s));
        }
    }

    function test_gasOneWordRead() public view {
        // 32 present siblings (a word deep in a huge tree).
        (bytes memory a, bytes32 root, bytes32 word) = _fullAccess(0x12345678);
        (uint256 used, bytes32 w) = h.mloadGas(a, root, uint256(0x12345678) * 32);
        assertEq(w, word);
        console.log("gas: 1-word read, 32 present siblings:", used);
        assertLt(used, 21000);
        // A small memory: 4 present siblings, 28 zero flags.
        bytes32[] memory words = _words(3, 16);
        Ref memory t = _ref(words);
        (used, w) = h.mloadGas(_access(t, 5, 1), t.edge[32], 5 * 32);
        assertEq(w, words[5]);
        console.log("gas: 1-word read, 16-word memory:", used);
        assertLt(used, 21000);
        // An unaligned MLOAD (two words).
        (used, w) = h.mloadGas(_access(t, 5, 2), t.edge[32], 5 * 32 + 7);
        console.log("gas: unaligned 32-byte read, 16-word memory:", used);
        (uint256 st,) = h.mstoreGas(_access(t, 5, 1), t.edge[32], 5 * 32, keccak256("v"));
        console.log("gas: aligned MSTORE (check + new root), 16-word memory:", st);
        assertLt(st, 27000);
    }

    // ---- bytes ----------------------------------------------------------------------

    function _patch(bytes memory a, uint256 at, bytes memory with) internal pure returns (bytes memory b) {
        b = bytes.concat(a);
        for (uint256 i = 0; i < with.length; i++) {
            b[at + i] = with[i];
        }
    }

    function _slice(bytes memory a, uint256 from, uint256 to) internal pure returns (bytes memory b) {
        b = new bytes(to - from);
        for (uint256 i = from; i < to; i++) {
            b[i - from] = a[i];
        }
    }
}
