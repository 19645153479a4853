// SPDX-License-Identifier: MIT
pragma solidity ^0.8.24;

// Rust twin: crates/vm-core/src/words.rs (`zero_hash`, `sibling_heights`, `range_root`,
// `WordTree::read` / `write`), the decoding of access tag 0x01 in
// crates/vm-core/src/witness.rs (`access`) and the checks of crates/vm-core/src/io.rs
// (`Io::opened_range`, `Io::read`, `Io::write`).
// Vectors: docs/vectors/vm/trees.json ("ranges", "badRanges"), written by
// crates/vm-core/tests/tree_vectors.rs; tested in contracts/test/vm/WordTree.t.sol.

import {IFaultVM} from "../../interfaces/IFaultVM.sol";
import {WitnessReader} from "./WitnessReader.sol";

/// @title WordTree
/// @notice Range proofs of the fault VM's word trees (docs/fault-vm.md, "Word trees"):
///         byte buffers committed as binary Merkle trees of 32-byte words of fixed depth
///         32, `node = keccak256(left ‖ right)`, an all-zero subtree of height `h` hashing
///         to `Z(h)` (`Z(0)` is the zero word). A range proof opens words
///         `first .. first + count`; the same siblings give the root before and after a
///         write to the range.
/// @dev A step reads an access with `readRange` (after its tag byte, 0x01), checks it with
///      `check` / `checkBytes` (reverting `IFaultVM.Missing` at the access's offset),
///      reads bytes with `readBytes` / `readWord`, and for a write computes the new words
///      with `writeBytes` / `writeWord` / `writeByte` and the new root with `rootWith`.
library WordTree {
    using WitnessReader for WitnessReader.Cursor;

    /// @notice Levels of the tree: 2^32 words.
    uint256 internal constant DEPTH = 32;
    /// @notice Words in the tree.
    uint256 internal constant LEAVES = 1 << 32;
    /// @notice Most words one range access may carry (docs/fault-vm.md, "One encoding
    ///         per witness").
    uint256 internal constant MAX_WORDS = 1 << 20;

    /// @dev `IFaultVM.Malformed(uint256)`'s selector, for the assembly sibling reader.
    uint256 private constant MALFORMED = 0x45ef4133;

    // Z(h) = keccak256(Z(h-1) ‖ Z(h-1)), Z(0) = 0.
    bytes32 internal constant Z1 = 0xad3228b676f7d3cd4284a5443f17f1962b36e491b30a40b2405849e597ba5fb5;
    bytes32 internal constant Z2 = 0xb4c11951957c6f8f642c4af61cd6b24640fec6dc7fc607ee8206a99e92410d30;
    bytes32 internal constant Z3 = 0x21ddb9a356815c3fac1026b6dec5df3124afbadb485c9ba5a3e3398a04b7ba85;
    bytes32 internal constant Z4 = 0xe58769b32a1beaf1ea27375a44095a0d1fb664ce2dd358e7fcbfb78c26a19344;
    bytes32 internal constant Z5 = 0x0eb01ebfc9ed27500cd4dfc979272d1f0913cc9f66540d7e8005811109e1cf2d;
    bytes32 internal constant Z6 = 0x887c22bd8750d34016ac3c66b5ff102dacdd73f6b014e710b51e8022af9a1968;
    bytes32 internal constant Z7 = 0xffd70157e48063fc33c97a050f7f640233bf646cc98d9524c6b92bcf3ab56f83;
    bytes32 internal constant Z8 = 0x9867cc5f7f196b93bae1e27e6320742445d290f2263827498b54fec539f756af;
    bytes32 internal constant Z9 = 0xcefad4e508c098b9a7e1d8feb19955fb02ba9675585078710969d3440f5054e0;
    bytes32 internal constant Z10 = 0xf9dc3e7fe016e050eff260334f18a5d4fe391d82092319f5964f2e2eb7c1c3a5;
    bytes32 internal constant Z11 = 0xf8b13a49e282f609c317a833fb8d976d11517c571d1221a265d25af778ecf892;
    bytes32 internal constant Z12 = 0x3490c6ceeb450aecdc82e28293031d10c7d73bf85e57bf041a97360aa2c5d99c;
    bytes32 internal constant Z13 = 0xc1df82d9c4b87413eae2ef048f94b4d3554cea73d92b0f7af96e0271c691e2bb;
    bytes32 internal constant Z14 = 0x5c67add7c6caf302256adedf7ab114da0acfe870d449a3a489f781d659e8becc;
    bytes32 internal constant Z15 = 0xda7bce9f4e8618b6bd2f4132ce798cdc7a60e7e1460a7299e3c6342a579626d2;
    bytes32 internal constant Z16 = 0x2733e50f526ec2fa19a22b31e8ed50f23cd1fdf94c9154ed3a7609a2f1ff981f;
    bytes32 internal constant Z17 = 0xe1d3b5c807b281e4683cc6d6315cf95b9ade8641defcb32372f1c126e398ef7a;
    bytes32 internal constant Z18 = 0x5a2dce0a8a7f68bb74560f8f71837c2c2ebbcbf7fffb42ae1896f13f7c7479a0;
    bytes32 internal constant Z19 = 0xb46a28b6f55540f89444f63de0378e3d121be09e06cc9ded1c20e65876d36aa0;
    bytes32 internal constant Z20 = 0xc65e9645644786b620e2dd2ad648ddfcbf4a7e5b1a3a4ecfe7f64667a3f0b7e2;
    bytes32 internal constant Z21 = 0xf4418588ed35a2458cffeb39b93d26f18d2ab13bdce6aee58e7b99359ec2dfd9;
    bytes32 internal constant Z22 = 0x5a9c16dc00d6ef18b7933a6f8dc65ccb55667138776f7dea101070dc8796e377;
    bytes32 internal constant Z23 = 0x4df84f40ae0c8229d0d6069e5c8f39a7c299677a09d367fc7b05e3bc380ee652;
    bytes32 internal constant Z24 = 0xcdc72595f74c7b1043d0e1ffbab734648c838dfb0527d971b602bc216c9619ef;
    bytes32 internal constant Z25 = 0x0abf5ac974a1ed57f4050aa510dd9c74f508277b39d7973bb2dfccc5eeb0618d;
    bytes32 internal constant Z26 = 0xb8cd74046ff337f0a7bf2c8e03e10f642c1886798d71806ab1e888d9e5ee87d0;
    bytes32 internal constant Z27 = 0x838c5655cb21c6cb83313b5a631175dff4963772cce9108188b34ac87c81c41e;
    bytes32 internal constant Z28 = 0x662ee4dd2dd7b2bc707961b1e646c4047669dcb6584f0d8d770daf5d7e7deb2e;
    bytes32 internal constant Z29 = 0x388ab20e2573d171a88108e79d820e98f26c0b84aa8b2f4aa4968dbb818ea322;
    bytes32 internal constant Z30 = 0x93237c50ba75ee485f4c22adf2f741400bdf8d6a9cc7df7ecae576221665d735;
    bytes32 internal constant Z31 = 0x8448818bb4ae4562849e949e17ac16e0be16688e156b5cf15e098c627c0056a9;
    /// @notice Z(32): the root of the empty buffer (words.rs `empty_root`).
    bytes32 internal constant EMPTY_ROOT = 0x27ae5ba08d7291c96c8cbddcc148bf48a6d68c7974b94356f53754ef6171d757;

    /// @notice An opened range: words `first .. first + words.length` with the siblings of
    ///         its boundary, resolved (a flag-0 sibling is `Z(h)`), in the order
    ///         `rootOf` consumes them (words.rs `sibling_heights`).
    /// @param first The first word's index.
    /// @param words The words.
    /// @param siblings The boundary's siblings, leaves first.
    /// @param at The witness offset of the access's tag byte (what `Missing` reports).
    struct Range {
        uint256 first;
        bytes32[] words;
        bytes32[] siblings;
        uint256 at;
    }

    // ---- hashes ---------------------------------------------------------------------

    /// @notice `Z(h)`, the hash of an all-zero subtree of height `h` (0..32); words.rs
    ///         `zero_hash`.
    function zeroHash(uint256 h) internal pure returns (bytes32) {
        return _zeros()[h];
    }

    /// @dev Z(0..32) in memory (33 words): one table per range read, cheaper than
    ///      hashing the zero chain or branching on the height.
    function _zeros() private pure returns (bytes32[33] memory z) {
        z[1] = Z1;
        z[2] = Z2;
        z[3] = Z3;
        z[4] = Z4;
        z[5] = Z5;
        z[6] = Z6;
        z[7] = Z7;
        z[8] = Z8;
        z[9] = Z9;
        z[10] = Z10;
        z[11] = Z11;
        z[12] = Z12;
        z[13] = Z13;
        z[14] = Z14;
        z[15] = Z15;
        z[16] = Z16;
        z[17] = Z17;
        z[18] = Z18;
        z[19] = Z19;
        z[20] = Z20;
        z[21] = Z21;
        z[22] = Z22;
        z[23] = Z23;
        z[24] = Z24;
        z[25] = Z25;
        z[26] = Z26;
        z[27] = Z27;
        z[28] = Z28;
        z[29] = Z29;
        z[30] = Z30;
        z[31] = Z31;
        z[32] = EMPTY_ROOT;
    }

    /// @notice The height of each sibling a proof of words `first .. first + count` lists,
    ///         in the order `rootOf` consumes them; empty for a range outside the tree
    ///         (count 0 or past word 2^32 − 1). words.rs `sibling_heights`.
    function siblingHeights(uint256 first, uint256 count) internal pure returns (uint256[] memory out) {
        out = new uint256[](2 * DEPTH);
        uint256 n;
        if (count != 0 && first < LEAVES && count <= LEAVES - first) {
            uint256 lo = first;
            uint256 hi = first + count - 1;
            for (uint256 h = 0; h < DEPTH; ++h) {
                if (lo & 1 == 1) out[n++] = h;
                if (hi & 1 == 0) out[n++] = h;
                lo >>= 1;
                hi >>= 1;
            }
        }
        assembly ("memory-safe") {
            mstore(out, n)
        }
    }

    // ---- the witness ----------------------------------------------------------------

    /// @notice Reads a range access (tag 0x01), the cursor just past its tag byte:
    ///         `first:u64 ‖ count:u32 ‖ words:h×count ‖ siblings`, each sibling `0` (the
    ///         zero subtree) or `1 ‖ hash` with `hash ≠ Z(h)`.
    /// @dev Reverts `IFaultVM.Malformed` (witness.rs `access`, TAG_RANGE): bytes short of a
    ///      field (at the field), `count = 0`, `count > 2^20` or more words than bytes left
    ///      (checked before allocating), `first + count > 2^32` (at the word bytes), a flag
    ///      other than 0/1 (at the flag), a present sibling equal to `Z(h)` (at its hash).
    /// @param c The cursor, just past the access's tag byte; left after the access.
    /// @return r The range, siblings resolved.
    function readRange(WitnessReader.Cursor memory c) internal pure returns (Range memory r) {
        r.at = c.at - c.base - 1;
        uint256 first = c.u64();
        uint256 count = c.u32();
        if (count == 0) c.fail();
        c.count(count, MAX_WORDS, 32);
        if (first + count > LEAVES) c.fail();
        r.first = first;
        uint256 src = c.skip(count << 5);
        bytes32[] memory words = new bytes32[](count);
        assembly ("memory-safe") {
            calldatacopy(add(words, 0x20), src, shl(5, count))
        }
        r.words = words;
        r.siblings = _readSiblings(c, first, count);
    }

    /// @dev The siblings of words `first .. first + count` (in the tree, count ≥ 1), read
    ///      from `c` into a new array.
    function _readSiblings(WitnessReader.Cursor memory c, uint256 first, uint256 count)
        private
        pure
        returns (bytes32[] memory sibs)
    {
        bytes32[33] memory zeros = _zeros();
        assembly ("memory-safe") {
            function fail(off) {
                mstore(0x00, shl(224, MALFORMED))
                mstore(0x04, off)
                revert(0x00, 0x24)
            }
            let at := mload(c)
            let end := mload(add(c, 0x20))
            let base := mload(add(c, 0x40))
            sibs := mload(0x40)
            let out := add(sibs, 0x20)
            let lo := first
            let hi := add(first, sub(count, 1))
            // One sibling, branch-free: flag 0 is Z(h); flag 1 a hash, which must not be
            // Z(h). A flag byte at or past the end fails the bound check too.
            function take(p, e, b, z, o) -> np {
                let f := byte(0, calldataload(p))
                let v := calldataload(add(p, 1))
                np := add(add(p, 1), shl(5, f))
                if or(or(gt(f, 1), gt(np, e)), and(f, eq(v, z))) {
                    // The offset: of the flag (past the end or not 0/1), else of the hash.
                    if or(iszero(lt(p, e)), gt(f, 1)) { fail(sub(p, b)) }
                    fail(sub(add(p, 1), b))
                }
                mstore(o, xor(z, mul(f, xor(v, z))))
            }
            let zp := zeros
            let ze := add(zeros, 0x400)
            // Left neighbour when the level's first node is a right child, then the right
            // neighbour when its last is a left child.
            for {} lt(zp, ze) { zp := add(zp, 0x20) } {
                if and(lo, 1) {
                    at := take(at, end, base, mload(zp), out)
                    out := add(out, 0x20)
                }
                if iszero(and(hi, 1)) {
                    at := take(at, end, base, mload(zp), out)
                    out := add(out, 0x20)
                }
                lo := shr(1, lo)
                hi := shr(1, hi)
            }
            mstore(sibs, shr(5, sub(out, add(sibs, 0x20))))
            mstore(0x40, out)
            mstore(c, at)
        }
    }

    // ---- roots ----------------------------------------------------------------------

    /// @notice The root of a tree whose words `r.first ..` are `r.words`, given the
    ///         range's siblings (words.rs `range_root`).
    /// @dev Reverts `IFaultVM.Missing(r.at)` for a range outside the tree or the wrong
    ///      number of siblings (never for a range from `readRange`).
    function rootOf(Range memory r) internal pure returns (bytes32) {
        return _root(r, r.words);
    }

    /// @notice The root after a write: the same siblings over `newWords` (as many as
    ///         `r.words`; reverts `IFaultVM.Missing(r.at)` otherwise).
    function rootWith(Range memory r, bytes32[] memory newWords) internal pure returns (bytes32) {
        if (newWords.length != r.words.length) revert IFaultVM.Missing(r.at);
        return _root(r, newWords);
    }

    /// @dev The range root over `words` at `r.first` with `r.siblings`. A single word (the
    ///      common case) folds up the 32 levels in scratch space; a longer range hashes
    ///      each level in place in a buffer past the free memory pointer.
    function _root(Range memory r, bytes32[] memory words) private pure returns (bytes32 h) {
        uint256 first = r.first;
        uint256 n = words.length;
        bytes32[] memory sibs = r.siblings;
        if (n == 0 || first >= LEAVES || n > LEAVES - first) revert IFaultVM.Missing(r.at);
        bool ok;
        assembly ("memory-safe") {
            let sl := mload(sibs)
            let sp := add(sibs, 0x20)
            let se := add(sp, shl(5, sl))
            switch n
            case 1 {
                // One word: one sibling a level, on the side the index's bit says.
                h := mload(add(words, 0x20))
                ok := eq(sl, 32)
                if ok {
                    let lo := first
                    for {} lt(sp, se) { sp := add(sp, 0x20) } {
                        let b := shl(5, and(lo, 1))
                        mstore(b, h)
                        mstore(xor(b, 0x20), mload(sp))
                        h := keccak256(0x00, 0x40)
                        lo := shr(1, lo)
                    }
                }
            }
            default {
                // buf[0] takes a left neighbour; the level's nodes start at `s`, and each
                // level's parents are written from `base` on (never over a node unread).
                let buf := mload(0x40)
                let base := add(buf, 0x20)
                mcopy(base, add(words, 0x20), shl(5, n))
                let s := base
                let cnt := n
                let lo := first
                ok := 1
                for { let lvl := 0 } lt(lvl, 32) { lvl := add(lvl, 1) } {
                    let hi := add(lo, sub(cnt, 1))
                    if and(lo, 1) {
                        if iszero(lt(sp, se)) {
                            ok := 0
                            break
                        }
                        s := sub(s, 0x20)
                        mstore(s, mload(sp))
                        sp := add(sp, 0x20)
                        cnt := add(cnt, 1)
                    }
                    if iszero(and(hi, 1)) {
                        if iszero(lt(sp, se)) {
                            ok := 0
                            break
                        }
                        mstore(add(s, shl(5, cnt)), mload(sp))
                        sp := add(sp, 0x20)
                        cnt := add(cnt, 1)
                    }
                    cnt := shr(1, cnt)
                    for { let j := 0 } lt(j, cnt) { j := add(j, 1) } {
                        mstore(add(base, shl(5, j)), keccak256(add(s, shl(6, j)), 0x40))
                    }
                    s := base
                    lo := shr(1, lo)
                }
                h := mload(base)
                if lt(sp, se) { ok := 0 }
            }
        }
        if (!ok) revert IFaultVM.Missing(r.at);
    }

    // ---- checks ---------------------------------------------------------------------

    /// @notice Reverts `IFaultVM.Missing(r.at)` unless `r` opens exactly words
    ///         `first .. first + count` of the tree with root `root` (io.rs
    ///         `opened_range`).
    function check(Range memory r, bytes32 root, uint256 first, uint256 count) internal pure {
        if (r.first != first || r.words.length != count || rootOf(r) != root) revert IFaultVM.Missing(r.at);
    }

    /// @notice `check` for the words bytes `[off, off + n)` touch (n ≥ 1; a read of no
    ///         bytes opens nothing, so the step takes no access for it).
    function checkBytes(Range memory r, bytes32 root, uint256 off, uint256 n) internal pure {
        (uint256 first, uint256 count) = wordsFor(off, n);
        check(r, root, first, count);
    }

    // ---- bytes ----------------------------------------------------------------------

    /// @notice The words bytes `[off, off + n)` touch: `first = off / 32` and
    ///         `count = (off + n − 1) / 32 − first + 1` (io.rs `read` / `write`);
    ///         `count = 0` for `n = 0` (nothing is opened).
    function wordsFor(uint256 off, uint256 n) internal pure returns (uint256 first, uint256 count) {
        first = off >> 5;
        if (n != 0) count = ((off + n - 1) >> 5) - first + 1;
    }

    /// @dev The offset of byte `off` in the words' bytes, reverting `Missing(r.at)` unless
    ///      `[off, off + n)` lies inside the range.
    function _within(Range memory r, uint256 off, uint256 n) private pure returns (uint256 skip) {
        uint256 start = r.first << 5;
        uint256 len = r.words.length << 5;
        if (off < start || off - start > len || n > len - (off - start)) revert IFaultVM.Missing(r.at);
        return off - start;
    }

    /// @notice Bytes `[off, off + n)` of the buffer (`off` a byte offset in the whole
    ///         buffer), from the range's words, which must cover them (else
    ///         `IFaultVM.Missing(r.at)`). words.rs `WordTree::read` over the opened words.
    function readBytes(Range memory r, uint256 off, uint256 n) internal pure returns (bytes memory out) {
        uint256 skip = _within(r, off, n);
        bytes32[] memory words = r.words;
        out = new bytes(n);
        assembly ("memory-safe") {
            mcopy(add(out, 0x20), add(add(words, 0x20), skip), n)
        }
    }

    /// @notice The 32 bytes at byte `off` (MLOAD, CALLDATALOAD), which the range must
    ///         cover (else `IFaultVM.Missing(r.at)`).
    function readWord(Range memory r, uint256 off) internal pure returns (bytes32 w) {
        uint256 skip = _within(r, off, 32);
        bytes32[] memory words = r.words;
        assembly ("memory-safe") {
            w := mload(add(add(words, 0x20), skip))
        }
    }

    /// @notice The range's words after writing `data` at byte `off` (MSTORE, the copies),
    ///         which the range must cover (else `IFaultVM.Missing(r.at)`); `r` is not
    ///         changed. words.rs `WordTree::write` over the opened words; the new root is
    ///         `rootWith(r, newWords)`.
    function writeBytes(Range memory r, uint256 off, bytes memory data) internal pure returns (bytes32[] memory newWords) {
        uint256 skip = _within(r, off, data.length);
        newWords = _copy(r.words);
        assembly ("memory-safe") {
            mcopy(add(add(newWords, 0x20), skip), add(data, 0x20), mload(data))
        }
    }

    /// @notice The range's words after writing the word `w` at byte `off` (MSTORE).
    function writeWord(Range memory r, uint256 off, bytes32 w) internal pure returns (bytes32[] memory newWords) {
        uint256 skip = _within(r, off, 32);
        newWords = _copy(r.words);
        assembly ("memory-safe") {
            mstore(add(add(newWords, 0x20), skip), w)
        }
    }

    /// @notice The range's words after writing the byte `b` at byte `off` (MSTORE8).
    function writeByte(Range memory r, uint256 off, uint8 b) internal pure returns (bytes32[] memory newWords) {
        uint256 skip = _within(r, off, 1);
        newWords = _copy(r.words);
        assembly ("memory-safe") {
            mstore8(add(add(newWords, 0x20), skip), b)
        }
    }

    function _copy(bytes32[] memory a) private pure returns (bytes32[] memory b) {
        uint256 n = a.length;
        b = new bytes32[](n);
        assembly ("memory-safe") {
            mcopy(add(b, 0x20), add(a, 0x20), shl(5, n))
        }
    }
}
