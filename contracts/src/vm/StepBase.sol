// SPDX-License-Identifier: MIT
pragma solidity ^0.8.24;

import {IFaultVM} from "../interfaces/IFaultVM.sol";
import {WitnessDecoder} from "./WitnessDecoder.sol";
import {Commitment} from "./Commitment.sol";
import {Stacks} from "./Stacks.sol";
import {Io} from "./Io.sol";
import {Machine, Frame, AccountRecord, Undo, Tree, Slice, Pending, HashStack} from "./Machine.sol";

/// @title StepBase
/// @notice What every step family shares (docs/fault-vm.md, "Step kinds"): opening a
///         witness and closing the step (the pre-state check, the unused checks, the
///         post-state commitment), gas, the EVM stack, memory expansion, and the world
///         and substate accessors. Rust twin: crates/vm-core/src/step/mod.rs (`step_machine_metered`,
///         `use_gas`, `pop`, `push`, `expand`, `mem_cost`, `Machine::account`, `modify`,
///         `modify_raw`, `transfer`, `warm_address`, `warm_slot`, `access_cost`, `created`)
///         and crates/vm-core/src/gas.rs; vectors: docs/vectors/vm/.
/// @dev An EVM halt is not a revert: the frame's status records it and the step goes on
///      (the post-state keeps what the instruction did before it halted, as Rust's).
///      Helpers that can halt return a halt word: 0 to go on, else the halt code + 1.
library StepBase {
    using Stacks for HashStack;

    // ---- halts (docs/fault-vm.md, "Halt codes"), as halt words ----------------------
    uint256 internal constant OUT_OF_GAS = 1;
    uint256 internal constant STACK_UNDERFLOW = 2;
    uint256 internal constant STACK_OVERFLOW = 3;
    uint256 internal constant BAD_JUMP = 4;
    uint256 internal constant STATIC_WRITE = 5;
    uint256 internal constant INVALID_OPCODE = 6;
    uint256 internal constant RETURN_DATA_OUT_OF_BOUNDS = 7;
    uint256 internal constant INIT_CODE_TOO_LARGE = 8;
    uint256 internal constant CODE_TOO_LARGE = 9;
    uint256 internal constant CODE_STARTS_WITH_EF = 10;
    uint256 internal constant CREATE_COLLISION = 11;
    uint256 internal constant PRECOMPILE_FAILED = 12;

    // ---- frame status tags -------------------------------------------------------------
    uint256 internal constant RUNNING = 0;
    uint256 internal constant SUCCESS = 1;
    uint256 internal constant REVERT = 2;
    uint256 internal constant HALT = 3;

    // ---- phase tags --------------------------------------------------------------------
    uint256 internal constant NEXT_TX = 0;
    uint256 internal constant BEGIN = 1;
    uint256 internal constant WARM = 2;
    uint256 internal constant ENTER = 3;
    uint256 internal constant RUN = 4;
    uint256 internal constant END = 5;
    uint256 internal constant SWEEP = 6;
    uint256 internal constant BLOOM = 7;
    uint256 internal constant DONE = 8;

    // ---- Inconsistent codes (docs/verifier.md, "Errors") -------------------------------
    uint256 internal constant NO_TX = 1;
    uint256 internal constant NO_FRAME = 2;
    uint256 internal constant EMPTY_STACK = 3;
    uint256 internal constant WRONG_MODULE = 4;
    uint256 internal constant OTHER = 5;

    // ---- limits ------------------------------------------------------------------------
    uint256 internal constant MAX_CODE_SIZE = 24_576;
    uint256 internal constant MAX_INITCODE_SIZE = 49_152;
    uint256 internal constant MAX_DEPTH = 1024;
    uint256 internal constant STACK_LIMIT = 1024;
    uint256 internal constant MEMORY_LIMIT = 0xffffffff;
    uint256 internal constant CHUNK = 4096;

    // ---- gas (crates/vm-core/src/gas.rs) -------------------------------------------------
    uint256 internal constant G_BASE = 2;
    uint256 internal constant G_VERYLOW = 3;
    uint256 internal constant G_LOW = 5;
    uint256 internal constant G_MID = 8;
    uint256 internal constant G_HIGH = 10;
    uint256 internal constant G_JUMPDEST = 1;
    uint256 internal constant G_EXP_BYTE = 50;
    uint256 internal constant G_KECCAK256 = 30;
    uint256 internal constant G_KECCAK256_WORD = 6;
    uint256 internal constant G_COPY = 3;
    uint256 internal constant G_MEMORY = 3;
    uint256 internal constant MEMORY_QUAD_DIVISOR = 512;
    uint256 internal constant G_BLOCKHASH = 20;
    uint256 internal constant G_WARM_ACCESS = 100;
    uint256 internal constant COLD_ACCOUNT_ACCESS = 2_600;
    uint256 internal constant COLD_SLOAD = 2_100;
    uint256 internal constant G_SSTORE_SET = 20_000;
    uint256 internal constant G_SSTORE_RESET = 2_900;
    int256 internal constant R_SSTORE_CLEARS = 4_800;
    uint256 internal constant SSTORE_SENTRY = 2_300;
    uint256 internal constant G_LOG = 375;
    uint256 internal constant G_LOG_TOPIC = 375;
    uint256 internal constant G_LOG_DATA = 8;
    uint256 internal constant G_SELFDESTRUCT = 5_000;
    uint256 internal constant G_NEW_ACCOUNT = 25_000;
    uint256 internal constant G_CALL_VALUE = 9_000;
    uint256 internal constant CALL_STIPEND = 2_300;
    uint256 internal constant G_CREATE = 32_000;
    uint256 internal constant G_INITCODE_WORD = 2;
    uint256 internal constant G_CODE_DEPOSIT = 200;
    uint256 internal constant G_TRANSACTION = 21_000;
    uint256 internal constant G_TX_DATA_ZERO = 4;
    uint256 internal constant G_TX_DATA_NONZERO = 16;
    uint256 internal constant G_ACCESS_LIST_ADDRESS = 2_400;
    uint256 internal constant G_ACCESS_LIST_STORAGE_KEY = 1_900;
    uint256 internal constant MAX_REFUND_QUOTIENT = 5;
    uint256 internal constant CALL_GAS_RETAINED_DIVISOR = 64;

    // ---- opening and closing a step ----------------------------------------------------

    /// @notice Decodes the witness and requires it to be of `pre` (`WrongPreState`).
    function open(bytes32 pre, bytes calldata witness) internal pure returns (Machine memory m) {
        bytes32 got;
        (m, got) = WitnessDecoder.decode(witness);
        if (got != pre) revert IFaultVM.WrongPreState(got, pre);
    }

    /// @notice `open`, for a module that hashes in pieces with the KeccakEngine `engine`.
    function open(bytes32 pre, bytes calldata witness, address engine) internal pure returns (Machine memory m) {
        m = open(pre, witness);
        m.engine = engine;
    }

    /// @notice Requires every access and every carried item to have been used (`Unused`)
    ///         and returns the post-state's commitment.
    function close(Machine memory m) internal pure returns (bytes32) {
        uint256 accesses = Io.left(m.accesses);
        uint256 items = m.frames.tally.carried - m.frames.tally.popped;
        if (accesses != 0 || items != 0) revert IFaultVM.Unused(accesses, items);
        return Commitment.commit(m);
    }

    // ---- gas, stack, memory (step/mod.rs) ------------------------------------------------

    /// @notice `use_gas`: OUT_OF_GAS if the frame has less than `n`.
    function useGas(Frame memory f, uint256 n) internal pure returns (uint256) {
        if (f.gas < n) return OUT_OF_GAS;
        f.gas -= n;
        return 0;
    }

    /// @notice `pop`: the top of the frame's stack, or STACK_UNDERFLOW.
    function pop(Frame memory f) internal pure returns (uint256 v, uint256 h) {
        if (f.stack.len == 0) return (0, STACK_UNDERFLOW);
        v = f.stack.popWord(0);
    }

    /// @notice `push`: STACK_OVERFLOW at 1024 items.
    function push(Frame memory f, uint256 v) internal pure returns (uint256) {
        if (f.stack.len >= STACK_LIMIT) return STACK_OVERFLOW;
        f.stack.pushWord(v);
        return 0;
    }

    /// @notice `words`: ⌈n / 32⌉.
    function words(uint256 n) internal pure returns (uint256) {
        return (n + 31) / 32;
    }

    /// @notice `mem_cost` of `w` words.
    function memCost(uint256 w) internal pure returns (uint256) {
        return G_MEMORY * w + (w * w) / MEMORY_QUAD_DIVISOR;
    }

    /// @notice `expand`: charges and makes the memory expansion for `[offset, offset +
    ///         size)`; returns the offset (0 when size is 0), the size and a halt word.
    function expand(Frame memory f, uint256 offset, uint256 size)
        internal
        pure
        returns (uint256 off, uint256 len, uint256 h)
    {
        if (size == 0) return (0, 0, 0);
        if (offset > type(uint64).max || size > type(uint64).max) return (0, 0, OUT_OF_GAS);
        uint256 end = offset + size;
        if (end > type(uint64).max || end > MEMORY_LIMIT) return (0, 0, OUT_OF_GAS);
        uint256 cur = f.memLen / 32;
        uint256 nw = words(end);
        if (nw > cur) {
            h = useGas(f, memCost(nw) - memCost(cur));
            if (h != 0) return (0, 0, h);
            f.memLen = nw * 32;
        }
        return (offset, size, 0);
    }

    // ---- the world and the substate (step/mod.rs) ----------------------------------------

    /// @notice An empty account's record (no nonce, balance or code).
    function emptyRecord() internal pure returns (AccountRecord memory r) {
        r.codeHash = Io.EMPTY_CODE;
    }

    /// @notice `Machine::account`.
    function account(Machine memory m, address a) internal pure returns (bool exists, AccountRecord memory r) {
        return Io.account(m.accesses, m.worldRoot, a);
    }

    /// @notice The account's record to change (`modify`'s first half): its record before
    ///         (and whether it existed), and a copy to change (empty if absent).
    function load(Machine memory m, address a)
        internal
        pure
        returns (bool existed, AccountRecord memory old, AccountRecord memory nw)
    {
        (existed, old) = account(m, a);
        nw = existed ? AccountRecord(old.nonce, old.balance, old.codeHash, old.codeSize) : emptyRecord();
    }

    /// @notice `modify`'s second half: journals the record before and writes the new one.
    function store(Machine memory m, address a, bool existed, AccountRecord memory old, AccountRecord memory nw)
        internal
        pure
    {
        Undo memory u;
        u.tag = 0;
        u.addr = a;
        u.hasRecord = existed;
        if (existed) u.record = old;
        m.journal.pushUndo(u);
        m.worldRoot = Io.putAccount(m.accesses, m.worldRoot, a, true, nw);
    }

    /// @notice `modify_raw`'s second half: writes without journaling.
    function storeRaw(Machine memory m, address a, AccountRecord memory nw) internal pure {
        m.worldRoot = Io.putAccount(m.accesses, m.worldRoot, a, true, nw);
    }

    /// @notice `Machine::balance`.
    function balance(Machine memory m, address a) internal pure returns (uint256) {
        (bool exists, AccountRecord memory r) = account(m, a);
        return exists ? r.balance : 0;
    }

    /// @notice `transfer`: moves `v` (the caller checked the balance); no-op for zero.
    function transfer(Machine memory m, address from, address to, uint256 v) internal pure {
        if (v == 0) return;
        (bool e1, AccountRecord memory o1, AccountRecord memory n1) = load(m, from);
        n1.balance = n1.balance > v ? n1.balance - v : 0;
        store(m, from, e1, o1, n1);
        (bool e2, AccountRecord memory o2, AccountRecord memory n2) = load(m, to);
        unchecked {
            uint256 b = n2.balance + v;
            n2.balance = b < v ? type(uint256).max : b;
        }
        store(m, to, e2, o2, n2);
    }

    /// @notice A substate read (`sub_get`).
    function subGet(Machine memory m, uint256 tag, address a, bool hasSlot, uint256 s) internal pure returns (bytes32) {
        return Io.keyed(m.accesses, m.substateRoot, Io.subKey(tag, a, hasSlot, s));
    }

    /// @notice A substate write (`sub_set`).
    function subSet(Machine memory m, uint256 tag, address a, bool hasSlot, uint256 s, bytes32 v) internal pure {
        m.substateRoot = Io.setKeyed(m.accesses, m.substateRoot, Io.subKey(tag, a, hasSlot, s), v);
    }

    /// @notice `warm_address`: warms `a`; returns whether it was cold.
    function warmAddress(Machine memory m, address a, bool journal) internal pure returns (bool cold) {
        cold = subGet(m, Io.WARM_ADDRESS, a, false, 0) == bytes32(0);
        if (cold) {
            subSet(m, Io.WARM_ADDRESS, a, false, 0, bytes32(uint256(1)));
            if (journal) {
                Undo memory u;
                u.tag = 3;
                u.addr = a;
                m.journal.pushUndo(u);
            }
        }
    }

    /// @notice `warm_slot`: warms slot `s` of `a`, recording its original value on first
    ///         warming; returns whether it was cold and its current value.
    function warmSlot(Machine memory m, address a, uint256 s, bool journal)
        internal
        pure
        returns (bool cold, uint256 current)
    {
        cold = subGet(m, Io.WARM_SLOT, a, true, s) == bytes32(0);
        current = Io.readSlot(m.accesses, m.worldRoot, a, s);
        if (cold) {
            subSet(m, Io.WARM_SLOT, a, true, s, bytes32(uint256(1)));
            if (current != 0 && subGet(m, Io.ORIGINAL, a, true, s) == bytes32(0)) {
                subSet(m, Io.ORIGINAL, a, true, s, bytes32(current));
            }
            if (journal) {
                Undo memory u;
                u.tag = 4;
                u.addr = a;
                u.slot = s;
                m.journal.pushUndo(u);
            }
        }
    }

    /// @notice `access_cost`: cold 2,600, warm 100 (journaled warming).
    function accessCost(Machine memory m, address a) internal pure returns (uint256) {
        return warmAddress(m, a, true) ? COLD_ACCOUNT_ACCESS : G_WARM_ACCESS;
    }

    /// @notice `created`: whether `a` was created in this transaction.
    function created(Machine memory m, address a) internal pure returns (bool) {
        return subGet(m, Io.CREATED, a, false, 0) != bytes32(0);
    }

    /// @notice `is_precompile`: 0x01 … 0x0a.
    function isPrecompile(address a) internal pure returns (bool) {
        uint160 v = uint160(a);
        return v >= 1 && v <= 10;
    }

    /// @notice `Machine::basefee`: the block's, or 0 for a deposit.
    function basefee(Machine memory m) internal pure returns (uint256) {
        return m.hasTx && m.tx_.hasMint ? 0 : m.block_.basefee;
    }

    /// @notice `Machine::effective_gas_price`.
    function effectiveGasPrice(Machine memory m) internal pure returns (uint256) {
        if (!m.hasTx) return 0;
        if (m.tx_.hasTip) {
            uint256 p = basefee(m) + m.tx_.tip;
            return m.tx_.maxFee < p ? m.tx_.maxFee : p;
        }
        return m.tx_.maxFee;
    }

    /// @notice The running frame, or `Inconsistent`.
    function top(Machine memory m) internal pure returns (Frame memory) {
        if (!m.hasTop) revert IFaultVM.Inconsistent(NO_FRAME);
        return m.top;
    }

    /// @notice An empty tree the step did not build (`Tree::default()`: its accesses need
    ///         proofs against the empty root).
    function emptyTree() internal pure returns (Tree memory t) {
        t.root = EMPTY_ROOT;
    }

    /// @notice A tree the step builds (`Io::new_tree`), over `data`.
    function builtTree(bytes memory data) internal pure returns (Tree memory t) {
        t.full = true;
        t.data = data;
    }

    /// @notice The root of the empty depth-32 word tree, `Z(32)`.
    bytes32 internal constant EMPTY_ROOT = 0x27ae5ba08d7291c96c8cbddcc148bf48a6d68c7974b94356f53754ef6171d757;
}
