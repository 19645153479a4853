// SPDX-License-Identifier: MIT
pragma solidity ^0.8.24;

import {IFaultVM} from "../interfaces/IFaultVM.sol";
import {WitnessReader} from "./lib/WitnessReader.sol";
import {WordTree} from "./lib/WordTree.sol";
import {Smt} from "./lib/Smt.sol";
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
    Tally,
    Frame,
    Pending,
    Undo,
    AccountRecord,
    LogItem,
    SlotRef,
    Phase,
    Accesses
} from "./Machine.sol";

/// @title WitnessDecoder
/// @notice Decodes a step's witness (docs/fault-vm.md, "Witness wire format") into the
///         machine the step runs, and computes the pre-state commitment from the
///         witness's own bytes. Rust twin: crates/vm-core/src/witness.rs (`read`, and each
///         part's decoder: `block_ctx`, `inputs`, `block_acc`, `tx_ctx`, `frame`,
///         `pending`, `undo`, `log_item`, `phase`, `stack`/`carry`, `access`); vectors:
///         docs/vectors/vm/*.json (every vector's witness decodes, and its commitment is
///         the vector's `pre`).
/// @dev One encoding per witness: the decoder checks every flag, tag, count and bound
///      as Rust's does, and the commitment is keccak256 over the tag and the witness bytes
///      themselves (with the carried stack items cut out), so any other byte string than
///      the canonical one (a non-zero field behind a clear flag, say) is of another state.
library WitnessDecoder {
    using WitnessReader for WitnessReader.Cursor;

    /// @notice The commitment's domain tag, `faultline.vm.v2` (15 bytes, no length).
    bytes15 internal constant TAG = "faultline.vm.v2";
    /// @notice The longest witness (4 MiB).
    uint256 internal constant MAX_WITNESS_LEN = 1 << 22;
    /// @notice Most accesses and carried items per stack.
    uint256 internal constant MAX_COUNT = 65_535;
    /// @notice The largest halt code (`Halt::PrecompileFailed`).
    uint256 internal constant MAX_HALT = 11;
    /// @notice Largest EIP-155 tail of a signing hash.
    uint256 internal constant MAX_TAIL = 11;
    /// @notice The sponge's rate in bytes.
    uint256 internal constant RATE = 136;

    /// @notice Access tags.
    uint256 internal constant TAG_RANGE = 1;
    uint256 internal constant TAG_SMT = 2;
    uint256 internal constant TAG_CODE = 3;
    uint256 internal constant TAG_PREIMAGE = 4;
    uint256 internal constant TAG_BLOB = 5;

    /// @notice Decodes `witness` and returns the machine and the commitment of the state
    ///         it holds (to be compared with the claimed pre-state).
    function decode(bytes calldata witness) internal pure returns (Machine memory m, bytes32 pre) {
        WitnessReader.Cursor memory c = WitnessReader.open(witness);
        uint256[12] memory cut;
        m = state(c, cut);
        pre = commitmentOf(c.base, c.at, cut);
        m.accesses = accesses(c);
        c.finish();
    }

    /// @notice The state part of `witness` (everything before the accesses) for routing:
    ///         no commitment, the accesses not parsed (the module decodes the witness
    ///         whole). `m.accesses.countAt` is where they start.
    function decodeState(bytes calldata witness) internal pure returns (Machine memory m) {
        WitnessReader.Cursor memory c = WitnessReader.open(witness);
        uint256[12] memory cut;
        m = state(c, cut);
        m.accesses.countAt = c.at;
        m.accesses.witnessEnd = c.end;
    }

    /// @notice The state part, recording the carried items' ranges in `cut`.
    function state(WitnessReader.Cursor memory c, uint256[12] memory cut) private pure returns (Machine memory m) {
        if (c.end - c.base > MAX_WITNESS_LEN) c.fail();
        Tally memory tally;
        m.block_ = blockCtx(c);
        m.inputs = inputs(c);
        m.acc = blockAcc(c);
        m.hasTx = c.flag();
        if (m.hasTx) m.tx_ = txCtx(c);
        m.worldRoot = c.b256();
        m.substateRoot = c.b256();
        m.frames = header(c, tally);
        cut[0] = c.at;
        carryFrames(c, m.frames);
        cut[1] = c.at;
        m.hasTop = c.flag();
        if (m.hasTop) {
            m.top = frame(c, tally);
            cut[2] = c.at;
            carryWords(c, m.top.stack);
            cut[3] = c.at;
        } else {
            cut[2] = c.at;
            cut[3] = c.at;
        }
        m.journal = header(c, tally);
        cut[4] = c.at;
        carryUndos(c, m.journal);
        cut[5] = c.at;
        m.logs = header(c, tally);
        cut[6] = c.at;
        carryLogs(c, m.logs);
        cut[7] = c.at;
        m.destroyed = header(c, tally);
        cut[8] = c.at;
        carryAddresses(c, m.destroyed);
        cut[9] = c.at;
        m.createdSlots = header(c, tally);
        cut[10] = c.at;
        carrySlots(c, m.createdSlots);
        cut[11] = c.at;
        m.phase = phase(c);
    }

    /// @notice keccak256(TAG ‖ witness[base, end) without the cut ranges).
    function commitmentOf(uint256 base, uint256 end, uint256[12] memory cut) private pure returns (bytes32 h) {
        assembly ("memory-safe") {
            let buf := mload(0x40)
            mstore(buf, TAG)
            let w := add(buf, 15)
            let from := base
            for { let i := 0 } lt(i, 12) { i := add(i, 2) } {
                let to := mload(add(cut, mul(i, 32)))
                calldatacopy(w, from, sub(to, from))
                w := add(w, sub(to, from))
                from := mload(add(cut, mul(add(i, 1), 32)))
            }
            calldatacopy(w, from, sub(end, from))
            w := add(w, sub(end, from))
            h := keccak256(buf, sub(w, buf))
        }
    }

    // ---- parts of the state -------------------------------------------------------

    /// @notice A tree held as its root.
    function proven(WitnessReader.Cursor memory c) internal pure returns (Tree memory t) {
        t.root = c.b256();
    }

    /// @notice A view: `root:h ‖ offset:u64 ‖ len:u64`.
    function slice(WitnessReader.Cursor memory c) internal pure returns (Slice memory s) {
        s.tree = proven(c);
        s.offset = c.u64();
        s.len = c.u64();
    }

    /// @notice The block context (`block_ctx`).
    function blockCtx(WitnessReader.Cursor memory c) internal pure returns (BlockCtx memory b) {
        b.number = c.u64();
        b.timestamp = c.u64();
        b.gasLimit = c.u64();
        b.basefee = c.u64();
        b.coinbase = c.addr();
        b.prevrandao = c.b256();
        b.chainId = c.u64();
        b.blobBasefee = c.u128();
        b.parentHash = c.b256();
        b.depositCursor = c.u64();
        b.l1Origin = c.u64();
        b.l1BaseFee = c.u64();
        b.l1BlobBaseFee = c.u64();
        b.baseFeeScalar = c.u32();
        b.blobBaseFeeScalar = c.u32();
        // 0: a tree of the recent hashes, 1: L2 state.
        b.hashesInState = c.flag();
        if (!b.hashesInState) b.hashesRoot = c.b256();
    }

    /// @notice A chunk cursor: `expected:h ‖ at:u64 ‖ len:u64`.
    function chunkCursor(WitnessReader.Cursor memory c) internal pure returns (ChunkCursor memory k) {
        k.expected = c.b256();
        k.at = c.u64();
        k.len = c.u64();
    }

    /// @notice An absorber's encoding `sponge:200 ‖ bufLen:u8 (≤ 135) ‖ buf`, copied.
    function absorber(WitnessReader.Cursor memory c) internal pure returns (bytes memory out) {
        uint256 from = c.skip(200);
        uint256 n = c.u8();
        c.count(n, RATE - 1, 1);
        c.skip(n);
        out = new bytes(201 + n);
        assembly ("memory-safe") {
            calldatacopy(add(out, 32), from, add(201, n))
        }
    }

    /// @notice The entry being opened (`Entry` and `entry_stage`).
    function entry(WitnessReader.Cursor memory c) internal pure returns (Entry memory e) {
        e.len = c.u64();
        e.start = c.u64();
        e.raw = proven(c);
        e.bodyStart = c.u64();
        e.stage = c.tag(5);
        if (e.stage == 0) {
            e.cursor = chunkCursor(c);
            e.absorber = absorber(c);
        } else if (e.stage == 1 || e.stage == 4) {
            e.at = c.u64();
        } else if (e.stage == 2) {
            e.at = c.u64();
            e.end = c.u64();
        } else if (e.stage == 3) {
            e.at = c.u64();
            e.keysEnd = c.u64();
            e.end = c.u64();
            e.itemAddress = c.addr();
        } else {
            e.absorber = absorber(c);
            e.at = c.u64();
            e.bodyEnd = c.u64();
            uint256 n = c.u8();
            c.count(n, MAX_TAIL, 1);
            e.tail = c.bytesN(n);
            e.yParity = c.flag();
            e.r = uint256(c.b256());
            e.s = uint256(c.b256());
        }
    }

    /// @notice The block's inputs (`inputs`).
    function inputs(WitnessReader.Cursor memory c) internal pure returns (Inputs memory i) {
        i.l1 = c.tag(1) == 1;
        if (!i.l1) {
            i.givenRoot = c.b256();
            i.givenCount = c.u64();
            return i;
        }
        i.started = c.flag();
        DepositSource memory d = i.deposits;
        d.from = c.u64();
        d.next = c.u64();
        d.end = c.u64();
        d.unlinked = c.u64();
        d.acc = c.b256();
        d.accFrom = c.b256();
        d.hashes = proven(c);
        BatchSource memory b = i.batch;
        b.version = c.u8();
        b.root = c.b256();
        b.itemCount = c.u64();
        b.first = c.u64();
        b.count = c.u64();
        b.next = c.u64();
        b.blobs = c.b256();
        b.length = c.u64();
        b.txTotal = c.u64();
        b.firstTx = c.u64();
        i.hasChunk = c.flag();
        if (i.hasChunk) i.chunk = chunkCursor(c);
        i.hasEntry = c.flag();
        if (i.hasEntry) i.entry = entry(c);
    }

    /// @notice A Merkle builder: the count, then one peak per set bit, from the lowest.
    function merkle(WitnessReader.Cursor memory c) internal pure returns (MerkleBuilder memory b) {
        uint256 count = c.u64();
        b.count = count;
        for (uint256 l = 0; l < 64; ++l) {
            if ((count >> l) & 1 == 1) b.peaks[l] = c.b256();
        }
    }

    /// @notice The block accumulators (`block_acc`).
    function blockAcc(WitnessReader.Cursor memory c) internal pure returns (BlockAcc memory a) {
        a.next = c.u64();
        a.gasUsed = c.u64();
        a.bloom = c.bytesN(256);
        a.txs = merkle(c);
        a.receipts = merkle(c);
    }

    /// @notice A transaction context (`tx_ctx`).
    function txCtx(WitnessReader.Cursor memory c) internal pure returns (TxCtx memory t) {
        t.txType = c.u8();
        t.hash = c.b256();
        t.sender = c.addr();
        t.hasTo = c.flag();
        if (t.hasTo) t.to = c.addr();
        t.value = uint256(c.b256());
        t.data = slice(c);
        t.dataZeros = c.u64();
        t.gasLimit = c.u64();
        t.maxFee = c.u128();
        t.hasTip = c.flag();
        t.tip = c.u128();
        t.nonce = c.u64();
        t.hasChainId = c.flag();
        t.chainId = c.u64();
        t.access = proven(c);
        t.accessLen = c.u64();
        t.accessAddresses = c.u64();
        t.hasMint = c.flag();
        t.mint = uint256(c.b256());
        t.size = c.u64();
    }

    /// @notice A whole transaction context in `bytes` at calldata offset `at` (an input's
    ///         preimage): exactly its canonical encoding, nothing after it (`decode_tx_ctx`).
    ///         Its hash being an input's proves it is that input's, not that it is
    ///         canonical: a non-zero tip, chain id or mint behind a clear flag is refused.
    function txCtxAt(uint256 at, uint256 len, uint256 base) internal pure returns (TxCtx memory t) {
        WitnessReader.Cursor memory c = WitnessReader.Cursor(at, at + len, base);
        t = txCtx(c);
        c.finish();
        if ((!t.hasTip && t.tip != 0) || (!t.hasChainId && t.chainId != 0) || (!t.hasMint && t.mint != 0)) {
            revert IFaultVM.Malformed(at - base);
        }
    }

    /// @notice A frame's pending micro-step (`pending`).
    function pending(WitnessReader.Cursor memory c) internal pure returns (Pending memory p) {
        p.tag = c.tag(3);
        if (p.tag == 1) {
            p.src = c.tag(4);
            if (p.src == 4) {
                p.srcHash = c.b256();
                p.srcLen = c.u64();
            }
            p.from = c.u64();
            p.to = c.u64();
            p.left = c.u64();
            p.backwards = c.flag();
        } else if (p.tag == 2) {
            p.sponge = c.bytesN(200);
            p.at = c.u64();
            p.left = c.u64();
            p.done = c.u64();
            p.then = c.tag(2);
            if (p.then == 1) {
                p.topics = topics(c);
            } else if (p.then == 2) {
                p.value = uint256(c.b256());
                p.salt = uint256(c.b256());
            }
        } else if (p.tag == 3) {
            p.viewed = slice(c);
            p.from = c.u64();
            p.to = c.u64();
            p.left = c.u64();
        }
    }

    /// @notice A topic list: `n:u8 (≤ 4) ‖ topics`.
    function topics(WitnessReader.Cursor memory c) internal pure returns (bytes32[] memory t) {
        uint256 n = c.u8();
        c.count(n, 4, 32);
        t = new bytes32[](n);
        for (uint256 i = 0; i < n; ++i) {
            t[i] = c.b256();
        }
    }

    /// @notice A frame (`frame`): trees as roots, its stack as its header.
    function frame(WitnessReader.Cursor memory c, Tally memory tally) internal pure returns (Frame memory f) {
        f.create = c.flag();
        f.codeHash = c.b256();
        f.codeLen = c.u64();
        f.hasChunks = c.flag();
        if (f.hasChunks) f.chunks = proven(c);
        f.hasInit = c.flag();
        if (f.hasInit) f.init = slice(c);
        f.loading = c.flag();
        if (f.loading) {
            f.loadChunks = proven(c);
            f.loadDone = c.u64();
            f.loadCarry = c.u8();
        }
        f.codeAddress = c.addr();
        f.pc = c.u64();
        f.gas = c.u64();
        f.refund = c.i64();
        f.stack = header(c, tally);
        f.mem = proven(c);
        f.memLen = c.u64();
        f.callData = slice(c);
        f.returnData = slice(c);
        f.addr = c.addr();
        f.caller = c.addr();
        f.value = uint256(c.b256());
        f.isStatic = c.flag();
        f.checkpoint = c.u64();
        f.retOffset = c.u64();
        f.retSize = c.u64();
        f.status = c.tag(3);
        if (f.status == 1 || f.status == 2) {
            f.output = slice(c);
        } else if (f.status == 3) {
            f.haltCode = c.tag(MAX_HALT);
        }
        f.pending = pending(c);
    }

    /// @notice An account record (80 bytes).
    function accountRecord(WitnessReader.Cursor memory c) internal pure returns (AccountRecord memory r) {
        r.nonce = c.u64();
        r.balance = uint256(c.b256());
        r.codeHash = c.b256();
        r.codeSize = c.u64();
    }

    /// @notice A journal record (`undo`).
    function undo(WitnessReader.Cursor memory c) internal pure returns (Undo memory u) {
        u.tag = c.tag(7);
        if (u.tag == 5) return u;
        u.addr = c.addr();
        if (u.tag == 0) {
            u.hasRecord = c.flag();
            if (u.hasRecord) u.record = accountRecord(c);
        } else if (u.tag == 1 || u.tag == 2) {
            u.slot = uint256(c.b256());
            u.value = uint256(c.b256());
        } else if (u.tag == 4) {
            u.slot = uint256(c.b256());
        }
    }

    /// @notice A log item (`log_item`).
    function logItem(WitnessReader.Cursor memory c) internal pure returns (LogItem memory l) {
        l.addr = c.addr();
        l.topics = topics(c);
        l.dataHash = c.b256();
        l.dataLen = c.u64();
    }

    /// @notice The phase (`phase`).
    function phase(WitnessReader.Cursor memory c) internal pure returns (Phase memory p) {
        p.tag = c.tag(8);
        if (p.tag == 2) {
            p.next = c.u64();
        } else if (p.tag == 5) {
            p.gasLeft = c.u64();
            p.refund = c.i64();
            p.success = c.flag();
        } else if (p.tag == 7) {
            p.keep = c.flag();
        } else if (p.tag == 8) {
            p.blockHash = c.b256();
            p.outputRoot = c.b256();
        }
    }

    // ---- hash stacks ---------------------------------------------------------------

    /// @notice A hash stack's header `head:h ‖ len:u64`, sharing `tally`.
    function header(WitnessReader.Cursor memory c, Tally memory tally) internal pure returns (HashStack memory s) {
        s.head = c.b256();
        s.len = c.u64();
        s.tally = tally;
    }

    /// @notice The carried-item count `n:u16`, bounded by the stack's length and the
    ///         bytes left; allocates room for `n` items and a few pushes.
    function carryCount(WitnessReader.Cursor memory c, HashStack memory s, uint256 minSize)
        private
        pure
        returns (uint256 n)
    {
        n = c.u16();
        c.count(n, MAX_COUNT, 32 + minSize);
        if (n > s.len) c.fail();
        s.belows = new bytes32[](n + 8);
        s.items = new uint256[](n + 8);
        s.top = n;
        s.carried = n;
        s.tally.carried += n;
    }

    function carryWords(WitnessReader.Cursor memory c, HashStack memory s) internal pure {
        uint256 n = carryCount(c, s, 32);
        for (uint256 i = 0; i < n; ++i) {
            s.belows[i] = c.b256();
            s.items[i] = uint256(c.b256());
        }
    }

    function carryFrames(WitnessReader.Cursor memory c, HashStack memory s) internal pure {
        uint256 n = carryCount(c, s, 1);
        for (uint256 i = 0; i < n; ++i) {
            s.belows[i] = c.b256();
            Frame memory f = frame(c, s.tally);
            uint256 p;
            assembly ("memory-safe") {
                p := f
            }
            s.items[i] = p;
        }
    }

    function carryUndos(WitnessReader.Cursor memory c, HashStack memory s) internal pure {
        uint256 n = carryCount(c, s, 1);
        for (uint256 i = 0; i < n; ++i) {
            s.belows[i] = c.b256();
            Undo memory u = undo(c);
            uint256 p;
            assembly ("memory-safe") {
                p := u
            }
            s.items[i] = p;
        }
    }

    function carryLogs(WitnessReader.Cursor memory c, HashStack memory s) internal pure {
        uint256 n = carryCount(c, s, 61);
        for (uint256 i = 0; i < n; ++i) {
            s.belows[i] = c.b256();
            LogItem memory l = logItem(c);
            uint256 p;
            assembly ("memory-safe") {
                p := l
            }
            s.items[i] = p;
        }
    }

    function carryAddresses(WitnessReader.Cursor memory c, HashStack memory s) internal pure {
        uint256 n = carryCount(c, s, 20);
        for (uint256 i = 0; i < n; ++i) {
            s.belows[i] = c.b256();
            s.items[i] = uint160(c.addr());
        }
    }

    function carrySlots(WitnessReader.Cursor memory c, HashStack memory s) internal pure {
        uint256 n = carryCount(c, s, 52);
        for (uint256 i = 0; i < n; ++i) {
            s.belows[i] = c.b256();
            SlotRef memory r = SlotRef(c.addr(), uint256(c.b256()));
            uint256 p;
            assembly ("memory-safe") {
                p := r
            }
            s.items[i] = p;
        }
    }

    // ---- accesses --------------------------------------------------------------------

    /// @notice The access count and every access, parsed (`access`).
    function accesses(WitnessReader.Cursor memory c) internal pure returns (Accesses memory a) {
        a.countAt = c.at;
        a.witnessEnd = c.end;
        uint256 n = c.u16();
        c.count(n, MAX_COUNT, 5);
        a.tags = new uint256[](n);
        a.ats = new uint256[](n);
        a.ptrs = new uint256[](n);
        a.lens = new uint256[](n);
        a.end = c.end - c.base;
        for (uint256 i = 0; i < n; ++i) {
            a.ats[i] = c.at - c.base;
            uint256 t = c.u8();
            a.tags[i] = t;
            uint256 p;
            if (t == TAG_RANGE) {
                WordTree.Range memory r = WordTree.readRange(c);
                assembly ("memory-safe") {
                    p := r
                }
            } else if (t == TAG_SMT) {
                Smt.Access memory s = Smt.readAccess(c);
                assembly ("memory-safe") {
                    p := s
                }
            } else if (t == TAG_CODE || t == TAG_PREIMAGE) {
                uint256 len = c.u32();
                c.count(len, MAX_WITNESS_LEN, 1);
                p = c.skip(len);
                a.lens[i] = len;
            } else if (t == TAG_BLOB) {
                p = c.skip(128);
            } else {
                c.at -= 1;
                c.fail();
            }
            a.ptrs[i] = p;
        }
    }
}
