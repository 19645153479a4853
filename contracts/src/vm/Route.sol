// SPDX-License-Identifier: MIT
pragma solidity ^0.8.24;

import {StepBase} from "./StepBase.sol";
import {Machine, Frame, DepositSource} from "./Machine.sol";

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

    /// @notice The module of the step `m` takes.
    function moduleOf(Machine memory m) internal pure returns (uint256) {
        uint256 p = m.phase.tag;
        if (p == StepBase.NEXT_TX) return m.inputs.l1 ? inputModule(m) : CORE;
        if (p != StepBase.RUN || !m.hasTop) return coreModule(p);
        Frame memory f = m.top;
        if (f.status != StepBase.RUNNING) return frameEnd(m, f);
        uint256 pending = f.pending.tag;
        if (pending == PENDING_HASH) return f.pending.then == HASH_THEN_CREATE2 ? HOST_CREATE2_HASH : FRAME_HASH;
        if (pending != 0) return FRAME_COPY;
        if (!f.hasChunks) return FRAME_START;
        if (!f.create && StepBase.isPrecompile(f.codeAddress)) return FRAME_START;
        uint256 op = peekOpcode(m, f);
        if (!isHostOpcode(op)) return OPCODES;
        return op >= 0xf0 && op != 0xff ? callModule(op) : HOST;
    }

    /// @notice The part of HOST that takes the call, create or RETURN opcode `op`.
    function callModule(uint256 op) internal pure returns (uint256) {
        if (op == 0xf0 || op == 0xf5) return HOST_CREATE;
        if (op == 0xf3) return HOST_RETURN;
        return HOST_CALL;
    }

    /// @notice A finished frame's step: a failed one's journal records above its
    ///         checkpoint are undone first (FRAME_UNDO), then it exits (FRAMES).
    function frameEnd(Machine memory m, Frame memory f) internal pure returns (uint256) {
        bool failed = f.status == StepBase.REVERT || f.status == StepBase.HALT;
        return failed && m.journal.len > f.checkpoint ? FRAME_UNDO : FRAMES;
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
        if (d.unlinked != 0) return INPUT_TAIL;
        if (m.inputs.hasChunk || d.next < d.end) return INPUTS;
        if (m.inputs.hasEntry) return m.inputs.entry.stage == 0 ? INPUTS : INPUT_TAIL;
        return m.inputs.batch.next < m.inputs.batch.count ? INPUTS : INPUT_TAIL;
    }

    /// @notice The opcode at the frame's pc as the witness's first access shows it (STOP
    ///         past the code's end; unchecked: the module checks it), read from calldata
    ///         without parsing the accesses: a range access is `0x01 ‖ first:u64 ‖
    ///         count:u32 ‖ words`, its first word 13 bytes after its tag.
    function peekOpcode(Machine memory m, Frame memory f) internal pure returns (uint256 op) {
        if (f.pc >= f.codeLen) return 0;
        uint256 at = m.accesses.countAt;
        uint256 end = m.accesses.witnessEnd;
        uint256 pcAt = f.pc;
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
}
