// SPDX-License-Identifier: MIT
pragma solidity ^0.8.24;

// Rust twin: crates/vm-core/src/world.rs (`SmtAccess`, `SmtAccess::needs_sibling`,
// `verify_access`, `apply_access`), the account and keyed reads and writes of
// crates/vm-core/src/io.rs (`Io::account`, `put_account`, `storage`, `put_storage`, `sub`,
// `set_sub`, `no_record`), the decoding of access tag 0x02 in crates/vm-core/src/witness.rs
// (`access`) and crates/state/src/smt/proof.rs (`Proof::verify`, `Proof::update`).
// Vectors: docs/vectors/vm/trees.json ("smt", "badSmt"), written by
// crates/vm-core/tests/tree_vectors.rs, and docs/vectors/smt.json ("ops"); tested in
// contracts/test/vm/Smt.t.sol.

import {IFaultVM} from "../../interfaces/IFaultVM.sol";
import {SmtVerifier} from "../../lib/SmtVerifier.sol";
import {WitnessReader} from "./WitnessReader.sol";

/// @title Smt
/// @notice The fault VM's keyed-tree accesses (docs/fault-vm.md, "Keyed trees"; access
///         tag 0x02): a read or write of the world or the substate, each carrying the
///         key's compressed proof against the tree's root at that moment (docs/state.md,
///         "Proofs"), an account read its 80-byte record, and a delete of a present key
///         below the root the deepest sibling's node ("Updating from a proof").
/// @dev Errors, in Rust's order: `IFaultVM.Unused(0, 0)` for a record or sibling node the
///      operation does not use (Rust's `StepError::Unused`, checked before the proof),
///      `IFaultVM.Missing(a.at)` for a proof that does not verify, a record that does not
///      match its leaf, or a delete's sibling node that is missing or of another hash.
///      The step calls one function per access: `readAccount` (A), `read` (S, U),
///      `writeAccount` (A!), `write` (S!, U!); each makes every Unused check itself.
library Smt {
    using WitnessReader for WitnessReader.Cursor;

    /// @dev `IFaultVM.Malformed(uint256)`'s selector, for the assembly sibling reader.
    uint256 private constant MALFORMED = 0x45ef4133;

    /// @notice An account's 80-byte record: `nonce:u64 ‖ balance:u256 ‖ codeHash:h ‖
    ///         codeSize:u64` (crates/state `AccountRecord`).
    struct Record {
        uint64 nonce;
        uint256 balance;
        bytes32 codeHash;
        uint64 codeSize;
    }

    /// @notice A tree node as a delete carries it: `tag:u8 ‖ a:h ‖ b:h`, tag 0 a leaf
    ///         (`a` its key, `b` its value hash), 1 an internal node (`a`, `b` its
    ///         children's hashes). crates/state `Node::encode`.
    struct Node {
        uint8 tag;
        bytes32 a;
        bytes32 b;
    }

    /// @notice One keyed-tree access (world.rs `SmtAccess`).
    /// @param at The witness offset of the access's tag byte (what `Missing` reports).
    /// @param proof The key's proof against the current root.
    /// @param hasRecord Whether an account record follows (an account read that finds
    ///        the account).
    /// @param record The record (zero without one).
    /// @param hasSibling Whether the deepest sibling's node follows (a delete of a present
    ///        key below the root).
    /// @param sibling The node (zero without one).
    struct Access {
        uint256 at;
        SmtVerifier.Proof proof;
        bool hasRecord;
        Record record;
        bool hasSibling;
        Node sibling;
    }

    // ---- the witness ----------------------------------------------------------------

    /// @notice Reads a keyed-tree access (tag 0x02), the cursor just past its tag byte:
    ///         `depth:u16 ‖ bitmap:u256 ‖ siblings:h×popcount(bitmap) ‖ leafKey:h ‖
    ///         leafValueHash:h ‖ [flag] record:80 ‖ [flag] siblingNode:65`.
    /// @dev Reverts `IFaultVM.Malformed` (witness.rs `access`, TAG_SMT): bytes short of a
    ///      field, a depth over 256 (at the depth), a bitmap bit at or below the depth (at
    ///      the bitmap), more siblings than bytes left (checked before allocating), a zero
    ///      sibling (at it), a flag other than 0/1, a node tag over 1 (at the tag).
    /// @param c The cursor, just past the access's tag byte; left after the access.
    function readAccess(WitnessReader.Cursor memory c) internal pure returns (Access memory a) {
        a.at = c.at - c.base - 1;
        uint256 depthAt = c.at - c.base;
        uint256 depth = c.u16();
        if (depth > 256) revert IFaultVM.Malformed(depthAt);
        uint256 bitmapAt = c.at - c.base;
        uint256 bitmap = uint256(c.b256());
        if (depth < 256 && (bitmap << depth) != 0) revert IFaultVM.Malformed(bitmapAt);
        // forge-lint: disable-next-line(unsafe-typecast) depth <= 256
        a.proof.depth = uint16(depth);
        a.proof.bitmap = bitmap;
        a.proof.siblings = _readSiblings(c, SmtVerifier.popcount(bitmap));
        a.proof.leafKey = c.b256();
        a.proof.leafValueHash = c.b256();
        if (c.flag()) {
            a.hasRecord = true;
            a.record = _readRecord(c);
        }
        if (c.flag()) {
            a.hasSibling = true;
            c.need(65);
            // forge-lint: disable-next-line(unsafe-typecast) tag <= 1
            a.sibling.tag = uint8(c.tag(1));
            a.sibling.a = c.b256();
            a.sibling.b = c.b256();
        }
    }

    /// @dev `n` non-zero siblings (the count checked against the bytes left first).
    function _readSiblings(WitnessReader.Cursor memory c, uint256 n) private pure returns (bytes32[] memory s) {
        c.count(n, 256, 32);
        uint256 src = c.skip(n << 5);
        uint256 base = c.base;
        s = new bytes32[](n);
        assembly ("memory-safe") {
            let out := add(s, 0x20)
            for { let i := 0 } lt(i, n) { i := add(i, 1) } {
                let at := add(src, shl(5, i))
                let v := calldataload(at)
                if iszero(v) {
                    mstore(0x00, shl(224, MALFORMED))
                    mstore(0x04, sub(at, base))
                    revert(0x00, 0x24)
                }
                mstore(add(out, shl(5, i)), v)
            }
        }
    }

    function _readRecord(WitnessReader.Cursor memory c) private pure returns (Record memory r) {
        c.need(80);
        // forge-lint: disable-next-line(unsafe-typecast) a u64 field
        r.nonce = uint64(c.u64());
        r.balance = uint256(c.b256());
        r.codeHash = c.b256();
        // forge-lint: disable-next-line(unsafe-typecast) a u64 field
        r.codeSize = uint64(c.u64());
    }

    // ---- records and nodes ----------------------------------------------------------

    /// @notice The value hash of an account leaf: keccak256 of the 80-byte record.
    function recordHash(Record memory r) internal pure returns (bytes32) {
        return SmtVerifier.accountValueHash(r.nonce, r.balance, r.codeHash, r.codeSize);
    }

    /// @notice Whether the record is EIP-161 empty as the world stores it (no nonce, no
    ///         balance, no code): such an account has no leaf (io.rs `put_account`).
    function isEmpty(Record memory r) internal pure returns (bool) {
        return r.nonce == 0 && r.balance == 0 && r.codeSize == 0;
    }

    /// @notice A node's hash: `H(0x00 ‖ a ‖ b)` for a leaf, `H(a ‖ b)` for an internal one.
    function nodeHash(Node memory n) internal pure returns (bytes32) {
        if (n.tag == 0) return SmtVerifier.leafHash(n.a, n.b);
        return keccak256(abi.encodePacked(n.a, n.b));
    }

    /// @notice Whether a write of `key` that deletes it needs the sibling node: the proof
    ///         shows `key` present below the root (world.rs `needs_sibling` with value
    ///         None; never for an insert or a modify). A witness carries the node exactly
    ///         then.
    function needsSibling(bytes32 key, Access memory a) internal pure returns (bool) {
        return a.proof.depth > 0 && !SmtVerifier.terminalIsEmpty(a.proof) && a.proof.leafKey == key;
    }

    // ---- reads ----------------------------------------------------------------------

    /// @notice Checks `a` against `root` for `key` (world.rs `verify_access`): whether the
    ///         key is present and its value hash (zero when absent).
    /// @dev Reverts `Unused(0, 0)` if `a` carries a sibling node, `Missing(a.at)` if the
    ///      proof does not verify. Ignores the record: use `readAccount` or `read`.
    function verify(bytes32 root, bytes32 key, Access memory a) internal pure returns (bool present, bytes32 valueHash) {
        if (a.hasSibling) revert IFaultVM.Unused(0, 0);
        (uint256 shape, bytes32 h) = SmtVerifier.computeRoot(key, a.proof);
        if (shape != SmtVerifier.SHAPE_OK || h != root) revert IFaultVM.Missing(a.at);
        return SmtVerifier.found(key, a.proof);
    }

    /// @notice An account read (io.rs `Io::account`, `A(x)`): whether the account exists
    ///         and its record, from `a` checked against `root` for `key` (the account's
    ///         key, `SmtVerifier.accountKey`).
    /// @dev Reverts as `verify`, then `Missing(a.at)` unless the record is there exactly
    ///      when the leaf is and hashes to the leaf's value hash.
    function readAccount(bytes32 root, bytes32 key, Access memory a)
        internal
        pure
        returns (bool exists, Record memory record)
    {
        (bool present, bytes32 vh) = verify(root, key, a);
        if (!present && !a.hasRecord) return (false, record);
        if (present && a.hasRecord && recordHash(a.record) == vh) return (true, a.record);
        revert IFaultVM.Missing(a.at);
    }

    /// @notice A read of a slot or a substate word (io.rs `Io::storage`, `Io::sub`:
    ///         `S(x, s)`, `U(k)`): its value, zero when absent.
    /// @dev Reverts `Unused(0, 0)` if `a` carries a record (io.rs `no_record`), then as
    ///      `verify`.
    function read(bytes32 root, bytes32 key, Access memory a) internal pure returns (bytes32 value) {
        if (a.hasRecord) revert IFaultVM.Unused(0, 0);
        (, value) = verify(root, key, a);
    }

    // ---- writes ---------------------------------------------------------------------

    /// @notice A write of a slot or a substate word (io.rs `put_storage`, `set_sub`:
    ///         `S!`, `U!`): the root after setting `key` to `value`, zero deleting it.
    function write(bytes32 root, bytes32 key, bytes32 value, Access memory a) internal pure returns (bytes32) {
        return value == bytes32(0) ? remove(root, key, a) : update(root, key, value, a);
    }

    /// @notice An account write (io.rs `put_account`, `A!`): the root after setting the
    ///         account to `r`, an empty record (`isEmpty`) deleting its leaf.
    function writeAccount(bytes32 root, bytes32 key, Record memory r, Access memory a) internal pure returns (bytes32) {
        return isEmpty(r) ? remove(root, key, a) : update(root, key, recordHash(r), a);
    }

    /// @notice The root after inserting or modifying `key` with `valueHash`, from `a`
    ///         checked against `root` (world.rs `apply_access` with Some; state
    ///         `Proof::update`): the key's leaf or an empty terminal is replaced by the new
    ///         leaf; another leaf on the path is split from it below their first
    ///         differing bit.
    /// @dev Reverts `Unused(0, 0)` if `a` carries a record or a sibling node, then
    ///      `Missing(a.at)` if the proof does not verify.
    function update(bytes32 root, bytes32 key, bytes32 valueHash, Access memory a) internal pure returns (bytes32) {
        if (a.hasRecord || a.hasSibling) revert IFaultVM.Unused(0, 0);
        SmtVerifier.Proof memory p = a.proof;
        if (SmtVerifier.checkShape(key, p) != SmtVerifier.SHAPE_OK) revert IFaultVM.Missing(a.at);
        uint256 depth = p.depth;
        bytes32 leaf = SmtVerifier.leafHash(key, valueHash);
        bytes32 old = SmtVerifier.terminalHash(p);
        bytes32 h = leaf;
        if (old != bytes32(0) && p.leafKey != key) {
            // Both leaves go below their first differing bit (>= depth: the proof is on
            // the path), under a chain of internal nodes with one empty child.
            uint256 split = _clz(uint256(key) ^ uint256(p.leafKey));
            h = (uint256(key) >> (255 - split)) & 1 == 1 ? _pair(old, leaf) : _pair(leaf, old);
            h = SmtVerifier.fold(h, key, p, split, depth);
        }
        (bytes32 before, bytes32 afterRoot) = SmtVerifier.fold2(old, h, key, p, depth);
        if (before != root) revert IFaultVM.Missing(a.at);
        return afterRoot;
    }

    /// @notice The root after deleting `key`, from `a` checked against `root` (world.rs
    ///         `apply_access` with None; state `Proof::update`): unchanged when absent,
    ///         empty when its leaf is the root; else the deepest sibling's node decides —
    ///         an internal one keeps the parent (`fold(0, depth)`), a leaf moves up past
    ///         every empty sibling above it.
    /// @dev Reverts `Unused(0, 0)` if `a` carries a record, or a sibling node when
    ///      `needsSibling` is false; then `Missing(a.at)` if the proof does not verify or
    ///      the node is missing or does not hash to the deepest sibling.
    function remove(bytes32 root, bytes32 key, Access memory a) internal pure returns (bytes32) {
        if (a.hasRecord) revert IFaultVM.Unused(0, 0);
        bool needs = needsSibling(key, a);
        if (a.hasSibling && !needs) revert IFaultVM.Unused(0, 0);
        SmtVerifier.Proof memory p = a.proof;
        if (SmtVerifier.checkShape(key, p) != SmtVerifier.SHAPE_OK) revert IFaultVM.Missing(a.at);
        uint256 depth = p.depth;
        // Before and after, if the sibling is internal (or nothing changes).
        (bytes32 before, bytes32 afterRoot) = SmtVerifier.fold2(SmtVerifier.terminalHash(p), bytes32(0), key, p, depth);
        if (before != root) revert IFaultVM.Missing(a.at);
        (bool present,) = SmtVerifier.found(key, p);
        if (!present) return root;
        if (depth == 0) return bytes32(0);
        if (!a.hasSibling) revert IFaultVM.Missing(a.at);
        // s_{depth-1}: the last listed sibling when its bit is set (else empty, which no
        // node hashes to).
        uint256 bitmap = p.bitmap;
        uint256 deepBit = uint256(1) << (256 - depth);
        bytes32 deepest = bitmap & deepBit != 0 ? p.siblings[p.siblings.length - 1] : bytes32(0);
        if (nodeHash(a.sibling) != deepest) revert IFaultVM.Missing(a.at);
        if (a.sibling.tag == 1) return afterRoot;
        // The leaf replaces its parent and keeps moving up while the sibling above is
        // empty: from depth − 1 to just below the deepest non-empty sibling above it.
        uint256 above = bitmap & ~deepBit;
        uint256 to = above == 0 ? 0 : 256 - _ctz(above);
        return SmtVerifier.fold(deepest, key, p, to, 0);
    }

    // ---- bits -----------------------------------------------------------------------

    function _pair(bytes32 l, bytes32 r) private pure returns (bytes32 h) {
        assembly ("memory-safe") {
            mstore(0x00, l)
            mstore(0x20, r)
            h := keccak256(0x00, 0x40)
        }
    }

    /// @dev Trailing zero bits of `x` (non-zero).
    function _ctz(uint256 x) private pure returns (uint256) {
        unchecked {
            return SmtVerifier.popcount((x & (~x + 1)) - 1);
        }
    }

    /// @dev Leading zero bits of `x` (non-zero): the first bit, from the most significant,
    ///      that is set.
    function _clz(uint256 x) private pure returns (uint256 n) {
        unchecked {
            // Smear the top bit down, then count the zeros above it.
            x |= x >> 1;
            x |= x >> 2;
            x |= x >> 4;
            x |= x >> 8;
            x |= x >> 16;
            x |= x >> 32;
            x |= x >> 64;
            x |= x >> 128;
            n = 256 - SmtVerifier.popcount(x);
        }
    }
}
