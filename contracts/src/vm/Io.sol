// SPDX-License-Identifier: MIT
pragma solidity ^0.8.24;

import {IFaultVM} from "../interfaces/IFaultVM.sol";
import {WordTree} from "./lib/WordTree.sol";
import {Smt} from "./lib/Smt.sol";
import {BuiltTree} from "./lib/BuiltTree.sol";
import {Accesses, Tree, AccountRecord} from "./Machine.sol";

/// @title Io
/// @notice How a step opens what the machine state holds as roots (docs/fault-vm.md,
///         "Witness"): word trees by range, the world and the substate by key, code and
///         preimages by hash, blob field elements by point evaluation; each access is the
///         next of the witness, checked against the current root. Rust twin: `Io` in
///         crates/vm-core/src/io.rs (its witness mode, call by call) with `verify_access`
///         and `apply_access` of crates/vm-core/src/world.rs; vectors: docs/vectors/vm/.
library Io {
    uint256 internal constant TAG_RANGE = 1;
    uint256 internal constant TAG_SMT = 2;
    uint256 internal constant TAG_CODE = 3;
    uint256 internal constant TAG_PREIMAGE = 4;
    uint256 internal constant TAG_BLOB = 5;

    /// @notice Substate key tags (docs/fault-vm.md, "Keyed trees").
    uint256 internal constant WARM_ADDRESS = 0x03;
    uint256 internal constant WARM_SLOT = 0x04;
    uint256 internal constant ORIGINAL = 0x05;
    uint256 internal constant TRANSIENT = 0x06;
    uint256 internal constant CREATED = 0x07;
    uint256 internal constant DESTROYED = 0x08;

    /// @notice keccak256 of the empty string: an account without code.
    bytes32 internal constant EMPTY_CODE = 0xc5d2460186f7233c927e7db2dcc703c0e500b653ca82273b7bfad8045d85a470;
    /// @notice The point-evaluation precompile and its price.
    address internal constant POINT_EVALUATION = address(0x0a);
    uint256 internal constant POINT_EVALUATION_GAS = 50_000;

    /// @notice Takes the next access, which must have tag `tag`; returns its pointer.
    function next(Accesses memory a, uint256 tag) internal pure returns (uint256 ptr, uint256 i) {
        i = a.next;
        if (i >= a.tags.length) revert IFaultVM.Missing(a.end);
        if (a.tags[i] != tag) revert IFaultVM.Missing(a.ats[i]);
        a.next = i + 1;
        ptr = a.ptrs[i];
    }

    /// @notice Whether every access was used.
    function left(Accesses memory a) internal pure returns (uint256) {
        return a.tags.length - a.next;
    }

    // ---- word trees ------------------------------------------------------------------

    function range(Accesses memory a, bytes32 root, uint256 first, uint256 count)
        private
        pure
        returns (WordTree.Range memory r, uint256 i)
    {
        uint256 p;
        (p, i) = next(a, TAG_RANGE);
        assembly ("memory-safe") {
            r := p
        }
        if (r.first != first || r.words.length != count || WordTree.rootOf(r) != root) {
            revert IFaultVM.Missing(a.ats[i]);
        }
    }

    /// @notice `n` bytes of `t` from byte `at` (`Io::read`); none for `n == 0`.
    function read(Accesses memory a, Tree memory t, uint256 at, uint256 n) internal pure returns (bytes memory out) {
        if (n == 0) return out;
        if (t.full) return BuiltTree.read(t.data, at, n);
        uint256 first = at / 32;
        uint256 last = (at + n - 1) / 32;
        (WordTree.Range memory r,) = range(a, t.root, first, last - first + 1);
        out = new bytes(n);
        bytes32[] memory words = r.words;
        uint256 skip = at - first * 32;
        assembly ("memory-safe") {
            mcopy(add(out, 32), add(add(words, 32), skip), n)
        }
    }

    /// @notice Writes `data` into `t` at byte `at` (`Io::write`): the root moves by the
    ///         same siblings over the new words.
    function write(Accesses memory a, Tree memory t, uint256 at, bytes memory data) internal pure {
        uint256 n = data.length;
        if (n == 0) return;
        if (t.full) {
            t.data = BuiltTree.write(t.data, at, data);
            return;
        }
        uint256 first = at / 32;
        uint256 last = (at + n - 1) / 32;
        (WordTree.Range memory r,) = range(a, t.root, first, last - first + 1);
        uint256 count = last - first + 1;
        bytes32[] memory words = new bytes32[](count);
        bytes32[] memory old = r.words;
        uint256 skip = at - first * 32;
        assembly ("memory-safe") {
            mcopy(add(words, 32), add(old, 32), shl(5, count))
            mcopy(add(add(words, 32), skip), add(data, 32), n)
        }
        t.root = WordTree.rootWith(r, words);
    }

    // ---- code, preimages, blob elements -------------------------------------------------

    /// @notice Code of `len` bytes hashing to `hash` (`Io::code`), in memory.
    function code(Accesses memory a, bytes32 hash, uint256 len) internal pure returns (bytes memory out) {
        if (len == 0) return out;
        (uint256 at, uint256 i) = next(a, TAG_CODE);
        if (a.lens[i] != len) revert IFaultVM.Missing(a.ats[i]);
        out = new bytes(len);
        bytes32 h;
        assembly ("memory-safe") {
            calldatacopy(add(out, 32), at, len)
            h := keccak256(add(out, 32), len)
        }
        if (h != hash) revert IFaultVM.Missing(a.ats[i]);
    }

    /// @notice The preimage of `word` (`Io::preimage`): its calldata offset and length.
    function preimage(Accesses memory a, bytes32 word) internal pure returns (uint256 at, uint256 len) {
        uint256 i;
        (at, i) = next(a, TAG_PREIMAGE);
        len = a.lens[i];
        bytes32 h;
        assembly ("memory-safe") {
            let p := mload(0x40)
            calldatacopy(p, at, len)
            h := keccak256(p, len)
        }
        if (h != word) revert IFaultVM.Missing(a.ats[i]);
    }

    /// @notice The preimage of `word`, copied to memory.
    function preimageBytes(Accesses memory a, bytes32 word) internal pure returns (bytes memory out) {
        (uint256 at, uint256 len) = preimage(a, word);
        out = new bytes(len);
        assembly ("memory-safe") {
            calldatacopy(add(out, 32), at, len)
        }
    }

    /// @notice The value of blob field element `z` of the blob with `versionedHash`
    ///         (`Io::blob_element`): the next access's `commitment ‖ y ‖ proof`, which the
    ///         point-evaluation precompile must accept.
    function blobElement(Accesses memory a, bytes32 versionedHash, bytes32 z) internal view returns (bytes32 y) {
        (uint256 at, uint256 i) = next(a, TAG_BLOB);
        bool ok;
        assembly ("memory-safe") {
            let p := mload(0x40)
            mstore(p, versionedHash)
            mstore(add(p, 32), z)
            // y (32) at 48 of the access, after the 48-byte commitment.
            y := calldataload(add(at, 48))
            mstore(add(p, 64), y)
            calldatacopy(add(p, 96), at, 48)
            calldatacopy(add(p, 144), add(at, 80), 48)
            ok := staticcall(POINT_EVALUATION_GAS, 0x0a, p, 192, 0, 64)
            ok := and(ok, eq(returndatasize(), 64))
        }
        if (!ok) revert IFaultVM.Missing(a.ats[i]);
    }

    // ---- the world and the substate -----------------------------------------------------

    function smt(Accesses memory a) private pure returns (Smt.Access memory s) {
        (uint256 p,) = next(a, TAG_SMT);
        assembly ("memory-safe") {
            s := p
        }
    }

    /// @notice The account key `H(0x01 ‖ a)`.
    function accountKey(address acct) internal pure returns (bytes32 k) {
        assembly ("memory-safe") {
            // 0x01 ‖ a: the address's 20 bytes at 1..21.
            // The address cleaned: a caller's may carry dirty high bits.
            mstore(0, or(shl(248, 1), shl(88, and(acct, 0xffffffffffffffffffffffffffffffffffffffff))))
            k := keccak256(0, 21)
        }
    }

    /// @notice The storage key `H(0x02 ‖ a ‖ s)`.
    function storageKey(address acct, uint256 slot) internal pure returns (bytes32 k) {
        k = subKey(0x02, acct, true, slot);
    }

    /// @notice A substate key `H(tag ‖ a [‖ s])`.
    function subKey(uint256 tag, address acct, bool hasSlot, uint256 slot) internal pure returns (bytes32 k) {
        assembly ("memory-safe") {
            let p := mload(0x40)
            mstore(p, or(shl(248, tag), shl(88, and(acct, 0xffffffffffffffffffffffffffffffffffffffff))))
            mstore(add(p, 21), slot)
            k := keccak256(p, add(21, mul(hasSlot, 32)))
        }
    }

    /// @notice An account read (`Io::account`): absent, or its record, which must hash to
    ///         its leaf.
    function account(Accesses memory a, bytes32 worldRoot, address acct)
        internal
        pure
        returns (bool exists, AccountRecord memory r)
    {
        (bool found, Smt.Record memory rec) = Smt.readAccount(worldRoot, accountKey(acct), smt(a));
        if (found) r = AccountRecord(rec.nonce, rec.balance, rec.codeHash, rec.codeSize);
        return (found, r);
    }

    /// @notice An account write (`Io::put_account`): an empty record (no nonce, balance
    ///         or code) deletes the leaf; `exists == false` deletes it too.
    function putAccount(Accesses memory a, bytes32 worldRoot, address acct, bool exists, AccountRecord memory r)
        internal
        pure
        returns (bytes32)
    {
        Smt.Record memory rec;
        if (exists) rec = Smt.Record(uint64(r.nonce), r.balance, r.codeHash, uint64(r.codeSize));
        return Smt.writeAccount(worldRoot, accountKey(acct), rec, smt(a));
    }

    /// @notice A slot read (`Io::storage`): zero when absent.
    function readSlot(Accesses memory a, bytes32 worldRoot, address acct, uint256 slot)
        internal
        pure
        returns (uint256)
    {
        return uint256(keyed(a, worldRoot, storageKey(acct, slot)));
    }

    /// @notice A slot write (`Io::put_storage`): zero deletes it.
    function writeSlot(Accesses memory a, bytes32 worldRoot, address acct, uint256 slot, uint256 v)
        internal
        pure
        returns (bytes32)
    {
        return setKeyed(a, worldRoot, storageKey(acct, slot), bytes32(v));
    }

    /// @notice A read of a keyed value other than an account (a slot, a substate entry):
    ///         no record; zero when absent.
    function keyed(Accesses memory a, bytes32 root, bytes32 key) internal pure returns (bytes32) {
        return Smt.read(root, key, smt(a));
    }

    /// @notice A write of a keyed value: zero deletes it.
    function setKeyed(Accesses memory a, bytes32 root, bytes32 key, bytes32 v) internal pure returns (bytes32) {
        return Smt.write(root, key, v, smt(a));
    }
}
