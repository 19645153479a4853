// SPDX-License-Identifier: MIT
pragma solidity ^0.8.24;

// Rust twin: crates/vm-core/src/step/input.rs (`entry_open`, `blob_entry_open`,
// `blob_bytes`, `blob_chunk`, `entry_step`, `next_access`, `append_access`, `window`,
// `load_chunk`, `signature`, `recover`, `skip_entry`), with `evaluation_point` of
// crates/primitives/src/blob.rs and `BLOB_CHUNK_ELEMENTS` of crates/vm-core/src/inputs.rs;
// the RLP pieces are TxDecode.sol. Vectors: docs/vectors/vm/l1-inputs.json (tx-open-*,
// tx-chunk, tx-access-*, tx-signature-*, tx-sign-hash*, blob-tx-*).

import {IFaultVM} from "../../interfaces/IFaultVM.sol";
import {Io} from "../Io.sol";
import {StepBase} from "../StepBase.sol";
import {Machine, Inputs, BatchSource, Entry, TxCtx, ChunkCursor} from "../Machine.sol";
import {InputBase} from "./InputBase.sol";
import {InputHash} from "./InputHash.sol";
import {TxDecode, Buf, Sig} from "./TxDecode.sol";

/// @title EntrySteps
/// @notice A batch entry opened step by step: its item proof or blob table entries
///         (TxOpen), its bytes (TxChunk), its access list (TxAccess), its signature
///         (TxSignature), its signing hash (TxSignHash) and its sender, or its skip.
library EntrySteps {
    /// @notice Payload bytes per blob field element, elements per blob, elements a blob
    ///         chunk opens at most.
    uint256 internal constant PER = 31;
    uint256 internal constant ELEMENTS_PER_BLOB = 4096;
    uint256 internal constant BLOB_CHUNK_ELEMENTS = 24;

    /// @notice Stage tags (`EntryStage`).
    uint256 internal constant LOAD = 0;
    uint256 internal constant ACCESS_LIST = 1;
    uint256 internal constant ACCESS_ITEM = 2;
    uint256 internal constant ACCESS_KEY = 3;
    uint256 internal constant SIGNATURE = 4;
    uint256 internal constant SIGN_HASH = 5;

    // ---- opening an entry -----------------------------------------------------------

    /// @notice `entry_open`: entry `next` of the block, by its item proof (top-down, one
    ///         preimage per level) and its leaf, then its first chunk; or, in a blob
    ///         batch, by its table entries.
    function entryOpen(Machine memory m, Inputs memory l) internal view {
        unchecked {
            BatchSource memory b = l.batch;
            if (b.version == 1) return blobEntryOpen(m, l);
            if (b.version != 0) InputBase.inconsistent();
            uint256 index = InputBase.sat(InputBase.sat(b.first, 1), b.next);
            if (index >= b.itemCount) InputBase.inconsistent();
            bytes32 node = b.root;
            uint256 at;
            uint256 len;
            for (uint256 level = InputBase.itemDepth(b.itemCount); level > 0;) {
                --level;
                (at, len) = Io.preimage(m.accesses, node);
                if (len != 64) InputBase.missing(m);
                uint256 off = ((index >> level) & 1) * 32;
                assembly ("memory-safe") {
                    node := calldataload(add(at, off))
                }
            }
            (at, len) = Io.preimage(m.accesses, node);
            uint256 head;
            bytes32 chunked;
            assembly ("memory-safe") {
                head := shr(216, calldataload(at))
                chunked := calldataload(add(at, 5))
            }
            if (len != 37 || head >> 32 != 0x02) InputBase.missing(m);
            uint256 n = head & 0xffffffff;
            if (n == 0) return skip(m, l);
            Entry memory e;
            e.len = n;
            e.raw = StepBase.builtTree("");
            l.entry = e;
            loadChunk(m, l, e, ChunkCursor(chunked, 0, n), InputHash.empty());
        }
    }

    /// @notice `blob_entry_open`: the payload table's entries `end(k − 1)` and `end(k)`
    ///         by point evaluation; a void entry is skipped.
    function blobEntryOpen(Machine memory m, Inputs memory l) internal view {
        unchecked {
            BatchSource memory b = l.batch;
            uint256 k = InputBase.sat(b.firstTx, b.next);
            if (b.txTotal > InputBase.U64 / 3) InputBase.inconsistent();
            uint256 table = b.txTotal * 3;
            if (table > b.length || k >= b.txTotal) InputBase.inconsistent();
            bytes memory t = blobBytes(m, b, k == 0 ? 0 : 3 * (k - 1), 3 * k + 3);
            uint256 v;
            assembly ("memory-safe") {
                v := mload(add(t, 32))
            }
            uint256 prev;
            uint256 this_;
            if (k == 0) {
                this_ = v >> 232;
            } else {
                prev = v >> 232;
                this_ = (v >> 208) & 0xffffff;
            }
            if (prev >= this_ || this_ > b.length - table) return skip(m, l);
            Entry memory e;
            e.len = this_ - prev;
            e.start = table + prev;
            e.raw = StepBase.emptyTree();
            e.stage = LOAD;
            e.cursor = ChunkCursor(bytes32(0), 0, e.len);
            e.absorber = InputHash.empty();
            l.entry = e;
            l.hasEntry = true;
        }
    }

    /// @notice `blob_bytes`: payload bytes `[lo, hi)` of the blob batch: the blobs'
    ///         versioned hashes (the preimage of the record's digest), then each field
    ///         element holding them, by point evaluation (an element's byte 0 ignored).
    function blobBytes(Machine memory m, BatchSource memory b, uint256 lo, uint256 hi)
        internal
        view
        returns (bytes memory out)
    {
        unchecked {
            (uint256 hat, uint256 hlen) = Io.preimage(m.accesses, b.blobs);
            if (hlen == 0 || hlen % 32 != 0) InputBase.missing(m);
            if (hi <= lo) InputBase.inconsistent();
            uint256 first = lo / PER;
            uint256 last = (hi - 1) / PER;
            uint256 count = last - first + 1;
            // One spare byte: each element's 31 bytes are stored as a word.
            bytes memory all = new bytes(count * PER + 1);
            for (uint256 i = 0; i < count; ++i) {
                bytes32 y = element(m, hat, hlen, first + i);
                assembly ("memory-safe") {
                    mstore(add(add(all, 32), mul(i, PER)), shl(8, y))
                }
            }
            uint256 skip_ = lo - first * PER;
            uint256 n = hi - lo;
            out = new bytes(n);
            assembly ("memory-safe") {
                mcopy(add(out, 32), add(add(all, 32), skip_), n)
            }
        }
    }

    /// @notice Payload element `el`: its blob's versioned hash from the hashes at calldata
    ///         `hat` (`hlen` bytes), and its value by point evaluation.
    function element(Machine memory m, uint256 hat, uint256 hlen, uint256 el) private view returns (bytes32) {
        unchecked {
            uint256 blob = el / ELEMENTS_PER_BLOB;
            if (32 * blob + 32 > hlen) InputBase.missing(m);
            bytes32 vh;
            assembly ("memory-safe") {
                vh := calldataload(add(hat, shl(5, blob)))
            }
            return Io.blobElement(m.accesses, vh, evaluationPoint(el % ELEMENTS_PER_BLOB));
        }
    }

    /// @notice `evaluation_point`: `ω^bitreverse12(g)` for the 4096th root of unity
    ///         `ω = 7^((r − 1)/4096)` of BLS12-381's scalar field, as the product of the
    ///         powers `ω^(2^j)` for the set bits `j` of the reversed index.
    function evaluationPoint(uint256 g) internal pure returns (bytes32) {
        unchecked {
            uint256 r = 0x73eda753299d7d483339d80809a1d80553bda402fffe5bfeffffffff00000001;
            uint256[12] memory w = [
                0x564c0a11a0f704f4fc3e8acfe0f8245f0ad1347b378fbf96e206da11a5d36306,
                0x6d031f1b5c49c83409f1ca610a08f16655ea6811be9c622d4a838b5d59cd79e5,
                0x325db5c3debf77a18f4de02c0f776af3ea437f9626fc085e3c28d666a5c2d854,
                0x095166525526a65439feec240d80689fd697168a3a6000fe4541b8ff2ee0434e,
                0x4f9b4098e2e9f12e6b368121ac0cf4ad0a0865a899e8deff4935bd2f817f694b,
                0x6898111413588742b7c68b4d7fdd60d098d0caac87f5713c5130c2c1660125be,
                0x45af6345ec055e4d14a1e27164d8fdbd2d967f4be2f951558140d032f0a9ee53,
                0x50e0903a157988bab4bcd40e22f55448bf6e88fb4c38fb8a360c60997369df4e,
                0x20b1ce9140267af9dd1c0af834cec32c17beb312f20b6f7653ea61d87742bcce,
                0x345766f603fa66e78c0625cd70d77ce2b38b21c28713b7007228fd3397743f7a,
                0x00000000000000008d51ccce760304d0ec030002760300000001000000000000,
                0x73eda753299d7d483339d80809a1d80553bda402fffe5bfeffffffff00000000
            ];
            uint256 z = 1;
            // Bit j of bitreverse12(g) is bit 11 − j of g.
            for (uint256 j = 0; j < 12; ++j) {
                if ((g >> (11 - j)) & 1 == 1) z = mulmod(z, w[j], r);
            }
            return bytes32(z);
        }
    }

    /// @notice `blob_chunk`: up to 24 field elements' bytes from the entry's next byte,
    ///         written into its raw tree.
    function blobChunk(Machine memory m, Inputs memory l, Entry memory e, ChunkCursor memory c)
        internal
        view
        returns (bytes memory b, bool more, ChunkCursor memory next)
    {
        unchecked {
            uint256 from = InputBase.sat(e.start, c.at);
            uint256 to = InputBase.sat(e.start, c.len);
            uint256 cap = InputBase.satMul(InputBase.sat(from / PER, BLOB_CHUNK_ELEMENTS), PER);
            if (cap < to) to = cap;
            b = blobBytes(m, l.batch, from, to);
            Io.write(m.accesses, e.raw, c.at, b);
            uint256 at = c.at + b.length;
            more = at < c.len;
            if (more) next = ChunkCursor(c.expected, at, c.len);
        }
    }

    // ---- the entry's stages -----------------------------------------------------------

    /// @notice `entry_step` of an entry in stage Load (TxChunk).
    function entryStep(Machine memory m, Inputs memory l) internal view {
        unchecked {
            Entry memory e = l.entry;
            l.hasEntry = false;
            // The other stages are InputTailSteps' (InputSteps forwards them).
            if (e.stage != LOAD) revert IFaultVM.Inconsistent(StepBase.WRONG_MODULE);
            loadChunk(m, l, e, e.cursor, e.absorber);
        }
    }

    /// @notice `load_chunk`: the entry's next chunk into its raw tree and its hash; the
    ///         first decodes the prefix, and each counts the zero bytes of the data.
    function loadChunk(Machine memory m, Inputs memory l, Entry memory e, ChunkCursor memory c, bytes memory ab)
        internal
        view
    {
        unchecked {
            bytes memory b;
            bool more;
            ChunkCursor memory next;
            if (l.batch.version == 1) (b, more, next) = blobChunk(m, l, e, c);
            else (b, more, next) = InputBase.openChunk(m, e.raw, c);
            if (c.at == 0 && !startTx(m, e, b)) return skip(m, l);
            if (!m.hasTx) revert IFaultVM.Inconsistent(StepBase.NO_TX);
            TxCtx memory t = m.tx_;
            uint256 dataEnd = InputBase.sat(t.data.offset, t.data.len);
            {
                uint256 lo = t.data.offset > c.at ? t.data.offset : c.at;
                uint256 hi = InputBase.sat(c.at, b.length);
                if (dataEnd < hi) hi = dataEnd;
                if (lo < hi) {
                    t.dataZeros += InputBase.zeros(b, lo - c.at, hi - c.at);
                    if (t.dataZeros > InputBase.U64) InputBase.inconsistent();
                }
            }
            if (more) {
                e.absorber = InputHash.update(ab, b);
                e.stage = LOAD;
                e.cursor = next;
            } else {
                // An entry of one chunk hashes with keccak256 itself; a longer one finishes
                // its sponge.
                t.hash = c.at == 0 ? keccak256(b) : InputHash.finish(InputHash.update(ab, b));
                e.stage = t.txType == 0 ? SIGNATURE : ACCESS_LIST;
                e.at = dataEnd;
            }
            l.entry = e;
            l.hasEntry = true;
        }
    }

    /// @notice The prefix of the first chunk `b` decoded into a new transaction context;
    ///         false if the entry is to be skipped.
    function startTx(Machine memory m, Entry memory e, bytes memory b) private pure returns (bool ok) {
        uint256 n = b.length < TxDecode.PREFIX_MAX ? b.length : TxDecode.PREFIX_MAX;
        TxCtx memory t;
        (ok, e.bodyStart) = TxDecode.decodePrefix(Buf(b, 0, n), e.len, t);
        if (!ok) return false;
        t.data.tree = StepBase.emptyTree();
        t.access = StepBase.emptyTree();
        t.size = e.len;
        m.tx_ = t;
        m.hasTx = true;
    }

    /// @notice `skip_entry`: drops the current entry, as derivation skips it.
    function skip(Machine memory m, Inputs memory l) internal pure {
        unchecked {
            m.hasTx = false;
            l.hasEntry = false;
            l.batch.next += 1;
        }
    }
}
