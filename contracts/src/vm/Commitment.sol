// SPDX-License-Identifier: MIT
pragma solidity ^0.8.24;

import {BuiltTree} from "./lib/BuiltTree.sol";
import {
    Machine,
    BlockCtx,
    Inputs,
    DepositSource,
    BatchSource,
    ChunkCursor,
    Entry,
    BlockAcc,
    MerkleBuilder,
    TxCtx,
    Tree,
    Slice,
    HashStack,
    Frame,
    Pending,
    Undo,
    AccountRecord,
    LogItem,
    SlotRef,
    Phase
} from "./Machine.sol";

/// @title Commitment
/// @notice The machine commitment (docs/fault-vm.md, "Machine state" and "Byte
///         encodings"): keccak256 of `faultline.vm.v2` and every part's encoding, trees
///         as their roots. Rust twin: the `Encode` impls of crates/vm-core/src/machine.rs
///         and inputs.rs, and `Machine::commitment`; vectors: docs/vectors/vm/*.json (a
///         step's post is the commitment of the machine after it).
/// @dev Encoders append to a memory buffer at a write pointer `w` and return the pointer
///      after what they wrote. Nothing here checks widths: the steps keep every field in
///      range, and the vectors catch a step that does not.
library Commitment {
    bytes15 internal constant TAG = "faultline.vm.v2";
    /// @notice Room for the longest encoding of a machine, and the 32 bytes the last
    ///         word-wide store may write past it.
    uint256 internal constant MAX_ENCODING = 8192 + 32;

    /// @notice The commitment of `m`.
    function commit(Machine memory m) internal pure returns (bytes32 h) {
        // At most about 6.5 kB (a builder of 64 peaks is 2 kB): the buffer is allocated
        // first, so the roots of trees the step built, computed while encoding, cannot
        // overwrite it.
        uint256 buf;
        assembly ("memory-safe") {
            buf := mload(0x40)
            mstore(0x40, add(buf, MAX_ENCODING))
            mstore(buf, TAG)
        }
        uint256 w = buf + 15;
        w = putBlock(w, m.block_);
        w = putInputs(w, m.inputs);
        w = putAcc(w, m.acc);
        w = putU(w, m.hasTx ? 1 : 0, 1);
        if (m.hasTx) w = putTx(w, m.tx_);
        w = putB(w, m.worldRoot);
        w = putB(w, m.substateRoot);
        w = putHeader(w, m.frames);
        w = putU(w, m.hasTop ? 1 : 0, 1);
        if (m.hasTop) w = putFrame(w, m.top);
        w = putHeader(w, m.journal);
        w = putHeader(w, m.logs);
        w = putHeader(w, m.destroyed);
        w = putHeader(w, m.createdSlots);
        w = putPhase(w, m.phase);
        assembly ("memory-safe") {
            h := keccak256(buf, sub(w, buf))
        }
    }

    // ---- primitives ------------------------------------------------------------------

    /// @notice Appends the low `n` bytes of `v`, big-endian.
    function putU(uint256 w, uint256 v, uint256 n) internal pure returns (uint256) {
        assembly ("memory-safe") {
            mstore(w, shl(sub(256, shl(3, n)), v))
        }
        return w + n;
    }

    /// @notice Appends a 32-byte word.
    function putB(uint256 w, bytes32 v) internal pure returns (uint256) {
        assembly ("memory-safe") {
            mstore(w, v)
        }
        return w + 32;
    }

    /// @notice Appends an address (20 bytes).
    function putA(uint256 w, address a) internal pure returns (uint256) {
        return putU(w, uint160(a), 20);
    }

    /// @notice Appends the bytes of `b`.
    function putBytes(uint256 w, bytes memory b) internal pure returns (uint256) {
        uint256 n = b.length;
        assembly ("memory-safe") {
            mcopy(w, add(b, 32), n)
        }
        return w + n;
    }

    /// @notice Appends an i64, two's complement.
    function putI64(uint256 w, int256 v) internal pure returns (uint256) {
        return putU(w, uint256(v) & 0xffffffffffffffff, 8);
    }

    /// @notice A tree's root (a tree the step built: its bytes' root).
    function root(Tree memory t) internal pure returns (bytes32) {
        return t.full ? BuiltTree.rootOf(t.data) : t.root;
    }

    function putSlice(uint256 w, Slice memory s) internal pure returns (uint256) {
        w = putB(w, root(s.tree));
        w = putU(w, s.offset, 8);
        return putU(w, s.len, 8);
    }

    // ---- parts -------------------------------------------------------------------------

    function putBlock(uint256 w, BlockCtx memory b) internal pure returns (uint256) {
        w = putU(w, b.number, 8);
        w = putU(w, b.timestamp, 8);
        w = putU(w, b.gasLimit, 8);
        w = putU(w, b.basefee, 8);
        w = putA(w, b.coinbase);
        w = putB(w, b.prevrandao);
        w = putU(w, b.chainId, 8);
        w = putU(w, b.blobBasefee, 16);
        w = putB(w, b.parentHash);
        w = putU(w, b.depositCursor, 8);
        w = putU(w, b.l1Origin, 8);
        w = putU(w, b.l1BaseFee, 8);
        w = putU(w, b.l1BlobBaseFee, 8);
        w = putU(w, b.baseFeeScalar, 4);
        w = putU(w, b.blobBaseFeeScalar, 4);
        if (b.hashesInState) return putU(w, 1, 1);
        w = putU(w, 0, 1);
        return putB(w, b.hashesRoot);
    }

    function putCursor(uint256 w, ChunkCursor memory k) internal pure returns (uint256) {
        w = putB(w, k.expected);
        w = putU(w, k.at, 8);
        return putU(w, k.len, 8);
    }

    function putEntry(uint256 w, Entry memory e) internal pure returns (uint256) {
        w = putU(w, e.len, 8);
        w = putU(w, e.start, 8);
        w = putB(w, root(e.raw));
        w = putU(w, e.bodyStart, 8);
        uint256 st = e.stage;
        w = putU(w, st, 1);
        if (st == 0) {
            w = putCursor(w, e.cursor);
            return putBytes(w, e.absorber);
        }
        if (st == 1 || st == 4) return putU(w, e.at, 8);
        if (st == 2) {
            w = putU(w, e.at, 8);
            return putU(w, e.end, 8);
        }
        if (st == 3) {
            w = putU(w, e.at, 8);
            w = putU(w, e.keysEnd, 8);
            w = putU(w, e.end, 8);
            return putA(w, e.itemAddress);
        }
        w = putBytes(w, e.absorber);
        w = putU(w, e.at, 8);
        w = putU(w, e.bodyEnd, 8);
        w = putU(w, e.tail.length, 1);
        w = putBytes(w, e.tail);
        w = putU(w, e.yParity ? 1 : 0, 1);
        w = putU(w, e.r, 32);
        return putU(w, e.s, 32);
    }

    function putDeposits(uint256 w, DepositSource memory d) internal pure returns (uint256) {
        w = putU(w, d.from, 8);
        w = putU(w, d.next, 8);
        w = putU(w, d.end, 8);
        w = putU(w, d.unlinked, 8);
        w = putB(w, d.acc);
        w = putB(w, d.accFrom);
        return putB(w, root(d.hashes));
    }

    function putBatch(uint256 w, BatchSource memory b) internal pure returns (uint256) {
        w = putU(w, b.version, 1);
        w = putB(w, b.root);
        w = putU(w, b.itemCount, 8);
        w = putU(w, b.first, 8);
        w = putU(w, b.count, 8);
        w = putU(w, b.next, 8);
        w = putB(w, b.blobs);
        w = putU(w, b.length, 8);
        w = putU(w, b.txTotal, 8);
        return putU(w, b.firstTx, 8);
    }

    function putInputs(uint256 w, Inputs memory i) internal pure returns (uint256) {
        if (!i.l1) {
            w = putU(w, 0, 1);
            w = putB(w, i.givenRoot);
            return putU(w, i.givenCount, 8);
        }
        w = putU(w, 1, 1);
        w = putU(w, i.started ? 1 : 0, 1);
        w = putDeposits(w, i.deposits);
        w = putBatch(w, i.batch);
        w = putU(w, i.hasChunk ? 1 : 0, 1);
        if (i.hasChunk) w = putCursor(w, i.chunk);
        w = putU(w, i.hasEntry ? 1 : 0, 1);
        if (i.hasEntry) w = putEntry(w, i.entry);
        return w;
    }

    function putMerkle(uint256 w, MerkleBuilder memory b) internal pure returns (uint256) {
        uint256 count = b.count;
        w = putU(w, count, 8);
        for (uint256 l = 0; l < 64; ++l) {
            if ((count >> l) & 1 == 1) w = putB(w, b.peaks[l]);
        }
        return w;
    }

    function putAcc(uint256 w, BlockAcc memory a) internal pure returns (uint256) {
        w = putU(w, a.next, 8);
        w = putU(w, a.gasUsed, 8);
        w = putBytes(w, a.bloom);
        w = putMerkle(w, a.txs);
        return putMerkle(w, a.receipts);
    }

    function putTx(uint256 w, TxCtx memory t) internal pure returns (uint256) {
        w = putU(w, t.txType, 1);
        w = putB(w, t.hash);
        w = putA(w, t.sender);
        if (t.hasTo) {
            w = putU(w, 1, 1);
            w = putA(w, t.to);
        } else {
            w = putU(w, 0, 1);
        }
        w = putU(w, t.value, 32);
        w = putSlice(w, t.data);
        w = putU(w, t.dataZeros, 8);
        w = putU(w, t.gasLimit, 8);
        w = putU(w, t.maxFee, 16);
        w = putU(w, t.hasTip ? 1 : 0, 1);
        w = putU(w, t.hasTip ? t.tip : 0, 16);
        w = putU(w, t.nonce, 8);
        w = putU(w, t.hasChainId ? 1 : 0, 1);
        w = putU(w, t.hasChainId ? t.chainId : 0, 8);
        w = putB(w, root(t.access));
        w = putU(w, t.accessLen, 8);
        w = putU(w, t.accessAddresses, 8);
        w = putU(w, t.hasMint ? 1 : 0, 1);
        w = putU(w, t.hasMint ? t.mint : 0, 32);
        return putU(w, t.size, 8);
    }

    function putHeader(uint256 w, HashStack memory s) internal pure returns (uint256) {
        w = putB(w, s.head);
        return putU(w, s.len, 8);
    }

    function putPending(uint256 w, Pending memory p) internal pure returns (uint256) {
        uint256 tag = p.tag;
        w = putU(w, tag, 1);
        if (tag == 1) {
            w = putU(w, p.src, 1);
            if (p.src == 4) {
                w = putB(w, p.srcHash);
                w = putU(w, p.srcLen, 8);
            }
            w = putU(w, p.from, 8);
            w = putU(w, p.to, 8);
            w = putU(w, p.left, 8);
            return putU(w, p.backwards ? 1 : 0, 1);
        }
        if (tag == 2) {
            w = putBytes(w, p.sponge);
            w = putU(w, p.at, 8);
            w = putU(w, p.left, 8);
            w = putU(w, p.done, 8);
            w = putU(w, p.then, 1);
            if (p.then == 1) return putTopics(w, p.topics);
            if (p.then == 2) {
                w = putU(w, p.value, 32);
                return putU(w, p.salt, 32);
            }
            return w;
        }
        if (tag == 3) {
            w = putSlice(w, p.viewed);
            w = putU(w, p.from, 8);
            w = putU(w, p.to, 8);
            return putU(w, p.left, 8);
        }
        return w;
    }

    function putTopics(uint256 w, bytes32[] memory t) internal pure returns (uint256) {
        w = putU(w, t.length, 1);
        for (uint256 i = 0; i < t.length; ++i) {
            w = putB(w, t[i]);
        }
        return w;
    }

    function putFrame(uint256 w, Frame memory f) internal pure returns (uint256) {
        w = putU(w, f.create ? 1 : 0, 1);
        w = putB(w, f.codeHash);
        w = putU(w, f.codeLen, 8);
        w = putU(w, f.hasChunks ? 1 : 0, 1);
        if (f.hasChunks) w = putB(w, root(f.chunks));
        w = putU(w, f.hasInit ? 1 : 0, 1);
        if (f.hasInit) w = putSlice(w, f.init);
        w = putU(w, f.loading ? 1 : 0, 1);
        if (f.loading) {
            w = putB(w, root(f.loadChunks));
            w = putU(w, f.loadDone, 8);
            w = putU(w, f.loadCarry, 1);
        }
        w = putA(w, f.codeAddress);
        w = putU(w, f.pc, 8);
        w = putU(w, f.gas, 8);
        w = putI64(w, f.refund);
        w = putHeader(w, f.stack);
        w = putB(w, root(f.mem));
        w = putU(w, f.memLen, 8);
        w = putSlice(w, f.callData);
        w = putSlice(w, f.returnData);
        w = putA(w, f.addr);
        w = putA(w, f.caller);
        w = putU(w, f.value, 32);
        w = putU(w, f.isStatic ? 1 : 0, 1);
        w = putU(w, f.checkpoint, 8);
        w = putU(w, f.retOffset, 8);
        w = putU(w, f.retSize, 8);
        uint256 st = f.status;
        w = putU(w, st, 1);
        if (st == 1 || st == 2) w = putSlice(w, f.output);
        else if (st == 3) w = putU(w, f.haltCode, 1);
        return putPending(w, f.pending);
    }

    function putRecord(uint256 w, AccountRecord memory r) internal pure returns (uint256) {
        w = putU(w, r.nonce, 8);
        w = putU(w, r.balance, 32);
        w = putB(w, r.codeHash);
        return putU(w, r.codeSize, 8);
    }

    function putUndo(uint256 w, Undo memory u) internal pure returns (uint256) {
        uint256 tag = u.tag;
        w = putU(w, tag, 1);
        if (tag == 5) return w;
        w = putA(w, u.addr);
        if (tag == 0) {
            w = putU(w, u.hasRecord ? 1 : 0, 1);
            if (u.hasRecord) w = putRecord(w, u.record);
        } else if (tag == 1 || tag == 2) {
            w = putU(w, u.slot, 32);
            w = putU(w, u.value, 32);
        } else if (tag == 4) {
            w = putU(w, u.slot, 32);
        }
        return w;
    }

    function putLog(uint256 w, LogItem memory l) internal pure returns (uint256) {
        w = putA(w, l.addr);
        w = putTopics(w, l.topics);
        w = putB(w, l.dataHash);
        return putU(w, l.dataLen, 8);
    }

    function putSlot(uint256 w, SlotRef memory s) internal pure returns (uint256) {
        w = putA(w, s.addr);
        return putU(w, s.slot, 32);
    }

    function putPhase(uint256 w, Phase memory p) internal pure returns (uint256) {
        uint256 tag = p.tag;
        w = putU(w, tag, 1);
        if (tag == 2) return putU(w, p.next, 8);
        if (tag == 5) {
            w = putU(w, p.gasLeft, 8);
            w = putI64(w, p.refund);
            return putU(w, p.success ? 1 : 0, 1);
        }
        if (tag == 7) return putU(w, p.keep ? 1 : 0, 1);
        if (tag == 8) {
            w = putB(w, p.blockHash);
            return putB(w, p.outputRoot);
        }
        return w;
    }
}
