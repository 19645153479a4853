// SPDX-License-Identifier: MIT
pragma solidity ^0.8.24;

import {StepBase} from "./StepBase.sol";
import {Machine, Frame, DepositSource, Inputs} from "./Machine.sol";

/// @title Route
/// @notice Which module of the verifier takes a step (docs/verifier.md, "Modules"): the
///         step kinds split over contracts under EIP-170's 24,576 bytes. Rust twin: the
///         dispatch of `Machine::step` (crates/vm-core/src/step/mod.rs) and `run_step`
///         (step/frame.rs), which this follows branch for branch down to the module.
/// @dev The router routes on the decoded, unchecked witness (for an opcode, the chunk
///      the first access carries); the module checks everything, and refuses a step of
///      another module as `Inconsistent(WRONG_MODULE)`: an honest witness always routes
///      to the module that takes it.
library Route {
    /// @notice The tag of a pending Hash micro-step (`Pending::Hash`).
    uint256 internal constant PENDING_HASH = 2;
    /// @notice A pending hash's continuation that is a CREATE2's address.
    uint256 internal constant HASH_THEN_CREATE2 = 2;

    /// @notice NextTx with given inputs (BlockEnd of given inputs), Bloom, Done, and a
    ///         running phase without a frame (refused). CORE's other phases are its parts'
    ///         (CORE_BEGIN, CORE_WARM, CORE_ENTER, CORE_END).
    uint256 internal constant CORE = 0;
    /// @notice Every step of a block whose inputs come from L1 while its phase is NextTx:
    ///         DepositLink, DepositOpen, DepositData, TxOpen, TxChunk, TxAccess,
    ///         TxSignature, TxSignHash and the block's end.
    uint256 internal constant INPUTS = 1;
    /// @notice FrameExit (the FRAMES module's other kinds are its parts': FRAME_UNDO,
    ///         FRAME_COPY, FRAME_HASH, FRAME_START).
    uint256 internal constant FRAMES = 2;
    /// @notice Opcodes that touch no account, slot or frame of another (arithmetic,
    ///         bitwise, stack, memory, control, environment, block, KECCAK256, REVERT).
    uint256 internal constant OPCODES = 3;
    /// @notice Opcodes of the host (accounts, storage, transient storage, logs, calls,
    ///         creates, RETURN, SELFDESTRUCT) and a CREATE2's hash micro-steps.
    uint256 internal constant HOST = 4;
    /// @notice The INPUTS steps of an entry after its bytes (TxAccess, TxSignature,
    ///         TxSignHash), DepositLink and the block's end of a block with inputs from L1.
    uint256 internal constant INPUT_TAIL = 5;
    /// @notice TxBegin (a part of CORE: steps/CoreSteps.sol).
    uint256 internal constant CORE_BEGIN = 6;
    /// @notice Warm (a part of CORE).
    uint256 internal constant CORE_WARM = 7;
    /// @notice Enter (a part of CORE).
    uint256 internal constant CORE_ENTER = 8;
    /// @notice TxEnd and Sweep (a part of CORE).
    uint256 internal constant CORE_END = 9;
    /// @notice Undo of a failed frame's journal records (a part of FRAMES).
    uint256 internal constant FRAME_UNDO = 10;
    /// @notice A pending Copy micro-step (a part of FRAMES).
    uint256 internal constant FRAME_COPY = 11;
    /// @notice A pending Hash micro-step but a CREATE2's (a part of FRAMES).
    uint256 internal constant FRAME_HASH = 12;
    /// @notice CodeLoad and Precompile (a part of FRAMES).
    uint256 internal constant FRAME_START = 13;
    /// @notice The environment opcodes (KECCAK256, ADDRESS, ORIGIN, CALLER, CALLVALUE,
    ///         CALLDATALOAD, CALLDATASIZE, CODESIZE, GASPRICE, RETURNDATASIZE) and the
    ///         block's context (BLOCKHASH..BLOBBASEFEE but SELFBALANCE): a part of OPCODES.
    uint256 internal constant OPCODE_ENV = 14;
    /// @notice The copies into memory (CALLDATACOPY, CODECOPY, RETURNDATACOPY, MCOPY): a
    ///         part of OPCODES.
    uint256 internal constant OPCODE_COPY = 15;
    /// @notice MLOAD, MSTORE and MSTORE8: a part of OPCODES.
    uint256 internal constant OPCODE_MEMORY = 16;
    /// @notice SLOAD, SSTORE, TLOAD, TSTORE (a part of HOST: steps/HostSteps.sol).
    uint256 internal constant HOST_STORAGE = 17;
    /// @notice EXTCODECOPY (a part of HOST).
    uint256 internal constant HOST_COPY = 18;
    /// @notice SELFDESTRUCT (a part of HOST).
    uint256 internal constant HOST_DESTRUCT = 19;
    /// @notice CALL, CALLCODE, DELEGATECALL, STATICCALL (a part of HOST:
    ///         steps/CallSteps.sol).
    uint256 internal constant HOST_CALL = 20;
    /// @notice CREATE, CREATE2 (a part of HOST).
    uint256 internal constant HOST_CREATE = 21;
    /// @notice RETURN (a part of HOST).
    uint256 internal constant HOST_RETURN = 22;
    /// @notice A CREATE2's pending Hash micro-steps (a part of HOST).
    uint256 internal constant HOST_CREATE2_HASH = 23;
    /// @notice How many modules.
    uint256 internal constant COUNT = 24;

    /// @notice What routing reads of a machine: the fields `Machine::step` and `run_step`
    ///         branch on down to a module. Both the decoded machine (`keyOf`) and the raw
    ///         witness (RoutePeek.sol) give one, and `ofKey` decides from it alone.
    struct Key {
        uint256 phase;
        bool l1;
        uint256 depositNext;
        uint256 depositEnd;
        uint256 depositUnlinked;
        bool hasChunk;
        bool hasEntry;
        uint256 entryStage;
        uint256 batchNext;
        uint256 batchCount;
        bool hasTop;
        uint256 status;
        uint256 journalLen;
        uint256 checkpoint;
        uint256 pending;
        uint256 pendingThen;
        bool hasChunks;
        bool create;
        address codeAddress;
        /// The opcode at the frame's pc as the first access shows it (STOP past the end).
        uint256 op;
    }

    /// @notice The module of the step `m` takes.
    function moduleOf(Machine memory m) internal pure returns (uint256) {
        return ofKey(keyOf(m));
    }

    /// @notice Whether `moduleOf(m)` is an opcode's module (`ofKey`'s last branch;
    ///         RoutePeek.t.sol checks it on every vector): a running frame with its code
    ///         loaded, no pending micro-step, not a precompile's call frame. The opcode
    ///         modules check this, then `opcodeModule` of the opcode their chunk proves
    ///         (smaller in their code than `moduleOf`).
    function isOpcodeStep(Machine memory m) internal pure returns (bool) {
        if (m.phase.tag != StepBase.RUN || !m.hasTop) return false;
        Frame memory f = m.top;
        if (f.status != StepBase.RUNNING || f.pending.tag != 0 || !f.hasChunks) return false;
        return f.create || !StepBase.isPrecompile(f.codeAddress);
    }

    /// @notice The routing fields of a decoded machine.
    function keyOf(Machine memory m) internal pure returns (Key memory k) {
        k.phase = m.phase.tag;
        k.l1 = m.inputs.l1;
        DepositSource memory d = m.inputs.deposits;
        k.depositNext = d.next;
        k.depositEnd = d.end;
        k.depositUnlinked = d.unlinked;
        k.hasChunk = m.inputs.hasChunk;
        k.hasEntry = m.inputs.hasEntry;
        k.entryStage = m.inputs.entry.stage;
        k.batchNext = m.inputs.batch.next;
        k.batchCount = m.inputs.batch.count;
        k.hasTop = m.hasTop;
        k.journalLen = m.journal.len;
        if (!m.hasTop) return k;
        Frame memory f = m.top;
        k.status = f.status;
        k.checkpoint = f.checkpoint;
        k.pending = f.pending.tag;
        k.pendingThen = f.pending.then;
        k.hasChunks = f.hasChunks;
        k.create = f.create;
        k.codeAddress = f.codeAddress;
        k.op = peekOpcode(m, f);
    }

    /// @notice The module of the step a machine with routing fields `k` takes.
    function ofKey(Key memory k) internal pure returns (uint256) {
        uint256 p = k.phase;
        if (p == StepBase.NEXT_TX) return k.l1 ? inputModule(k) : CORE;
        if (p != StepBase.RUN || !k.hasTop) return coreModule(p);
        if (k.status != StepBase.RUNNING) return frameEnd(k.status, k.journalLen, k.checkpoint);
        if (k.pending == PENDING_HASH) return hashModule(k.pendingThen);
        if (k.pending != 0) return FRAME_COPY;
        if (!k.hasChunks) return FRAME_START;
        if (!k.create && StepBase.isPrecompile(k.codeAddress)) return FRAME_START;
        return opcodeModule(k.op);
    }

    /// @notice The module of a pending hash's micro-step by its continuation.
    function hashModule(uint256 then) internal pure returns (uint256) {
        return then == HASH_THEN_CREATE2 ? HOST_CREATE2_HASH : FRAME_HASH;
    }

    /// @notice The module of opcode `op` of a running frame with its code loaded.
    function opcodeModule(uint256 op) internal pure returns (uint256) {
        if (isHostOpcode(op)) return hostModule(op);
        // MLOAD 51, MSTORE 52, MSTORE8 53.
        if (op >= 0x51 && op <= 0x53) return OPCODE_MEMORY;
        // CALLDATACOPY 37, CODECOPY 39, RETURNDATACOPY 3e, MCOPY 5e.
        uint256 copies = (1 << 0x37) | (1 << 0x39) | (1 << 0x3e) | (1 << 0x5e);
        if ((copies >> op) & 1 == 1) return OPCODE_COPY;
        // KECCAK256 20, ADDRESS 30, ORIGIN..CALLDATASIZE 32..36, CODESIZE 38, GASPRICE 3a,
        // RETURNDATASIZE 3d, BLOCKHASH..BLOBBASEFEE 40..4a (SELFBALANCE 47 is the host's).
        uint256 env =
            (1 << 0x20) | (1 << 0x30) | (0x1f << 0x32) | (1 << 0x38) | (1 << 0x3a) | (1 << 0x3d) | (0x7ff << 0x40);
        return (env >> op) & 1 == 1 ? OPCODE_ENV : OPCODES;
    }

    /// @notice A finished frame's step: a failed one's journal records above its
    ///         checkpoint are undone first (FRAME_UNDO), then it exits (FRAMES).
    function frameEnd(uint256 status, uint256 journalLen, uint256 checkpoint) internal pure returns (uint256) {
        bool failed = status == StepBase.REVERT || status == StepBase.HALT;
        return failed && journalLen > checkpoint ? FRAME_UNDO : FRAMES;
    }

    /// @notice The part of CORE that takes phase `p` (not a running one with a frame).
    function coreModule(uint256 p) internal pure returns (uint256) {
        if (p == StepBase.BEGIN) return CORE_BEGIN;
        if (p == StepBase.WARM) return CORE_WARM;
        if (p == StepBase.ENTER) return CORE_ENTER;
        if (p == StepBase.END || p == StepBase.SWEEP) return CORE_END;
        return CORE;
    }

    /// @notice INPUTS or INPUT_TAIL, by `l1_step`'s branches: a link of the deposit
    ///         accumulator, an entry whose bytes are in (a stage after Load) and the block's
    ///         end are the tail's.
    function inputModule(Machine memory m) internal pure returns (uint256) {
        DepositSource memory d = m.inputs.deposits;
        Inputs memory i = m.inputs;
        return
            inputModule(d.unlinked, i.hasChunk, d.next, d.end, i.hasEntry, i.entry.stage, i.batch.next, i.batch.count);
    }

    /// @notice `inputModule` of routing fields.
    function inputModule(Key memory k) internal pure returns (uint256) {
        return inputModule(
            k.depositUnlinked,
            k.hasChunk,
            k.depositNext,
            k.depositEnd,
            k.hasEntry,
            k.entryStage,
            k.batchNext,
            k.batchCount
        );
    }

    /// @notice `inputModule` of the inputs' cursors.
    function inputModule(
        uint256 unlinked,
        bool hasChunk,
        uint256 next,
        uint256 end,
        bool hasEntry,
        uint256 stage,
        uint256 batchNext,
        uint256 batchCount
    ) internal pure returns (uint256) {
        if (unlinked != 0) return INPUT_TAIL;
        if (hasChunk || next < end) return INPUTS;
        if (hasEntry) return stage == 0 ? INPUTS : INPUT_TAIL;
        return batchNext < batchCount ? INPUTS : INPUT_TAIL;
    }

    /// @notice The opcode at the frame's pc as the witness's first access shows it (STOP
    ///         past the code's end; unchecked: the module checks it), read from calldata
    ///         without parsing the accesses: a range access is `0x01 ‖ first:u64 ‖
    ///         count:u32 ‖ words`, its first word 13 bytes after its tag.
    function peekOpcode(Machine memory m, Frame memory f) internal pure returns (uint256 op) {
        return opcodeAt(m.accesses.countAt, m.accesses.witnessEnd, f.pc, f.codeLen);
    }

    /// @notice The opcode at `pc` in the chunk of the first access at calldata offset
    ///         `at` (the access count's) of a witness ending at `end` (0 if none shows).
    function opcodeAt(uint256 at, uint256 end, uint256 pc, uint256 codeLen) internal pure returns (uint256 op) {
        if (pc >= codeLen) return 0;
        uint256 pcAt = pc;
        assembly ("memory-safe") {
            if iszero(gt(add(at, 47), end)) {
                let n := shr(240, calldataload(at))
                let tag := byte(0, calldataload(add(at, 2)))
                if and(gt(n, 0), eq(tag, 1)) {
                    op := byte(add(1, mod(pcAt, 31)), calldataload(add(at, 15)))
                }
            }
        }
    }

    /// @notice Whether the host module takes opcode `op`.
    function isHostOpcode(uint256 op) internal pure returns (bool) {
        // BALANCE 31, EXTCODESIZE 3b, EXTCODECOPY 3c, EXTCODEHASH 3f, SELFBALANCE 47,
        // SLOAD 54, SSTORE 55, TLOAD 5c, TSTORE 5d, LOG0..LOG4 a0..a4, CREATE f0,
        // CALL f1, CALLCODE f2, RETURN f3, DELEGATECALL f4, CREATE2 f5, STATICCALL fa,
        // SELFDESTRUCT ff.
        uint256 host = (1 << 0x31) | (1 << 0x3b) | (1 << 0x3c) | (1 << 0x3f) | (1 << 0x47) | (1 << 0x54) | (1 << 0x55)
            | (1 << 0x5c) | (1 << 0x5d) | (1 << 0xa0) | (1 << 0xa1) | (1 << 0xa2) | (1 << 0xa3) | (1 << 0xa4)
            | (1 << 0xf0) | (1 << 0xf1) | (1 << 0xf2) | (1 << 0xf3) | (1 << 0xf4) | (1 << 0xf5) | (1 << 0xfa)
            | (1 << 0xff);
        return (host >> op) & 1 == 1;
    }

    /// @notice The part of HOST that takes host opcode `op` (`isHostOpcode`): HOST the
    ///         account reads (BALANCE, EXTCODESIZE, EXTCODEHASH, SELFBALANCE) and the
    ///         logs (LOG0–LOG4), HOST_STORAGE the storage and transient opcodes, HOST_COPY
    ///         EXTCODECOPY, HOST_DESTRUCT SELFDESTRUCT, HOST_CREATE CREATE and CREATE2,
    ///         HOST_RETURN RETURN, HOST_CALL the four calls.
    function hostModule(uint256 op) internal pure returns (uint256) {
        if (op == 0x54 || op == 0x55 || op == 0x5c || op == 0x5d) return HOST_STORAGE;
        if (op == 0x3c) return HOST_COPY;
        if (op == 0xff) return HOST_DESTRUCT;
        if (op <= 0xa4) return HOST;
        // The calls, creates and RETURN (steps/CallSteps.sol).
        if (op == 0xf0 || op == 0xf5) return HOST_CREATE;
        if (op == 0xf3) return HOST_RETURN;
        return HOST_CALL;
    }
}
