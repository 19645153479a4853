// SPDX-License-Identifier: MIT
pragma solidity ^0.8.24;

// A transaction's phases. Rust twin: crates/vm-core/src/step/tx.rs (`intrinsic_gas`,
// `l1_fee`, `validate`, `tx_begin`, `warm`, `enter`, `collides`, `start_account`, `tx_end`,
// `after_end`, `sweep`, `bloom`, `finish_tx`) with `new_frame` and `call_code` of
// step/mod.rs. Vectors: docs/vectors/vm/steps.json (tx-begin, tx-begin-skipped, warm,
// enter-call, enter-create, tx-end, sweep, bloom) and inputs.json (the tx-begin of each
// input kind).

import {IFaultVM} from "../../interfaces/IFaultVM.sol";
import {Io} from "../Io.sol";
import {Stacks} from "../Stacks.sol";
import {StepBase} from "../StepBase.sol";
import {Commitment} from "../Commitment.sol";
import {MerkleOps} from "./MerkleOps.sol";
import {
    Machine,
    TxCtx,
    Frame,
    Slice,
    Tree,
    HashStack,
    Undo,
    AccountRecord,
    LogItem,
    SlotRef,
    Phase
} from "../Machine.sol";

/// @title TxOps
/// @notice tx-begin (validation, intrinsic gas, the L1 fee, a deposit's mint, the warm
///         sets), the warm micro-steps of the access list, the enter step (the value
///         transfer and the first frame), tx-end (refund, tip, the receipt) and the sweep
///         and bloom micro-steps.
library TxOps {
    using Stacks for HashStack;

    /// @notice The L1 fee vault (`faultline_primitives::L1_FEE_VAULT`).
    address internal constant L1_FEE_VAULT = address(uint160(0x420000000000000000000000000000000000001A));
    uint256 internal constant U64_MAX = type(uint64).max;
    /// @notice `SCALAR_DECIMALS`: a scalar of 1e6 is a factor of 1.
    uint256 internal constant SCALAR_DECIMALS = 1_000_000;

    // ---- helpers ---------------------------------------------------------------------

    /// @notice The current transaction (`Machine::tx`), or `Inconsistent(NO_TX)`.
    function current(Machine memory m) internal pure returns (TxCtx memory) {
        if (!m.hasTx) revert IFaultVM.Inconsistent(StepBase.NO_TX);
        return m.tx_;
    }

    /// @notice A phase with only its tag.
    function phaseOf(uint256 tag) internal pure returns (Phase memory p) {
        p.tag = tag;
    }

    /// @notice `intrinsic_gas` (Cancun), saturating at `u64::MAX` (every term is
    ///         non-negative, so the saturating chain is the exact sum capped).
    function intrinsicGas(TxCtx memory t) internal pure returns (uint256 g) {
        uint256 len = t.data.len;
        uint256 zeros = t.dataZeros < len ? t.dataZeros : len;
        g = StepBase.G_TRANSACTION + StepBase.G_TX_DATA_ZERO * zeros + StepBase.G_TX_DATA_NONZERO * (len - zeros);
        if (!t.hasTo) g += StepBase.G_CREATE + StepBase.G_INITCODE_WORD * StepBase.words(len);
        uint256 keys = t.accessLen > t.accessAddresses ? t.accessLen - t.accessAddresses : 0;
        g += StepBase.G_ACCESS_LIST_ADDRESS * t.accessAddresses + StepBase.G_ACCESS_LIST_STORAGE_KEY * keys;
        if (g > U64_MAX) g = U64_MAX;
    }

    /// @notice `Machine::l1_fee`: `size × (16 × baseFeeScalar × l1BaseFee +
    ///         blobBaseFeeScalar × l1BlobBaseFee) / 1e6`; zero for a deposit.
    function l1Fee(Machine memory m) internal pure returns (uint256) {
        if (!m.hasTx || m.tx_.hasMint) return 0;
        uint256 weighted =
            16 * m.block_.baseFeeScalar * m.block_.l1BaseFee + m.block_.blobBaseFeeScalar * m.block_.l1BlobBaseFee;
        return (m.tx_.size * weighted) / SCALAR_DECIMALS;
    }

    /// @notice `Address::create`: the last 20 bytes of keccak256(rlp([sender, nonce])).
    function createAddress(address sender, uint256 nonce) internal pure returns (address a) {
        uint256 p;
        assembly ("memory-safe") {
            p := mload(0x40)
        }
        uint256 w = p + 1;
        w = Commitment.putU(w, 0x94, 1);
        w = Commitment.putA(w, sender);
        if (nonce == 0) {
            w = Commitment.putU(w, 0x80, 1);
        } else if (nonce < 0x80) {
            w = Commitment.putU(w, nonce, 1);
        } else {
            uint256 n = 0;
            for (uint256 x = nonce; x != 0; x >>= 8) {
                ++n;
            }
            w = Commitment.putU(w, 0x80 + n, 1);
            w = Commitment.putU(w, nonce, n);
        }
        assembly ("memory-safe") {
            // A byte store: a word store would overwrite the payload.
            mstore8(p, add(0xc0, sub(sub(w, p), 1)))
            // Clean: assembly that reads the address (the tree keys) sees every bit.
            a := and(keccak256(p, sub(w, p)), 0xffffffffffffffffffffffffffffffffffffffff)
        }
    }

    /// @notice A view of nothing (`Slice::default()`: its tree a proven empty root).
    function emptySlice() internal pure returns (Slice memory s) {
        s.tree = StepBase.emptyTree();
    }

    // ---- tx-begin ----------------------------------------------------------------------

    /// @notice `validate`: whether the transaction is invalid (it is then skipped). Reads
    ///         the sender's account once the checks on the context alone pass.
    function invalid(Machine memory m, uint256 nonce) internal pure returns (bool) {
        TxCtx memory t = m.tx_;
        if (t.hasTip && t.tip > t.maxFee) return true;
        if (t.maxFee < StepBase.basefee(m)) return true;
        if (t.hasChainId && t.chainId != m.block_.chainId) return true;
        if (t.gasLimit > m.block_.gasLimit) return true;
        if (!t.hasMint) {
            uint256 left = m.block_.gasLimit > m.acc.gasUsed ? m.block_.gasLimit - m.acc.gasUsed : 0;
            if (t.gasLimit > left) return true;
        }
        if (!t.hasTo && t.data.len > StepBase.MAX_INITCODE_SIZE) return true;
        if (intrinsicGas(t) > t.gasLimit) return true;
        (bool exists, AccountRecord memory r) = StepBase.account(m, t.sender);
        if (exists && r.codeSize > 0) return true;
        if ((exists ? r.nonce : 0) != nonce) return true;
        if (nonce == U64_MAX) return true;
        // gasLimit × maxFee < 2^192; the sums are checked.
        uint256 cost = t.gasLimit * t.maxFee;
        unchecked {
            uint256 c = cost + t.value;
            if (c < cost) return true;
            cost = c;
            c = cost + l1Fee(m);
            if (c < cost) return true;
            cost = c;
        }
        return cost > (exists ? r.balance : 0);
    }

    /// @notice `tx_begin`.
    function txBegin(Machine memory m) internal pure {
        TxCtx memory t = current(m);
        if (t.hasMint) {
            (,, AccountRecord memory nw) = StepBase.load(m, t.sender);
            unchecked {
                uint256 b = nw.balance + t.mint;
                nw.balance = b < t.mint ? type(uint256).max : b;
            }
            StepBase.storeRaw(m, t.sender, nw);
        }
        // A deposit runs with the sender's current nonce (it never fails on it).
        uint256 nonce = t.nonce;
        if (t.hasMint) {
            (bool exists, AccountRecord memory r) = StepBase.account(m, t.sender);
            nonce = exists ? r.nonce : 0;
        }
        if (invalid(m, nonce)) {
            finishTx(m);
            return;
        }
        uint256 price = StepBase.effectiveGasPrice(m);
        uint256 fee = l1Fee(m);
        {
            (,, AccountRecord memory nw) = StepBase.load(m, t.sender);
            nw.nonce = nonce + 1;
            // U256 arithmetic wraps as Rust's (validation keeps it in range).
            unchecked {
                nw.balance -= t.gasLimit * price + fee;
            }
            StepBase.storeRaw(m, t.sender, nw);
        }
        // The L1 fee goes to the vault now; nothing the execution does returns it.
        if (fee != 0) {
            (,, AccountRecord memory nw) = StepBase.load(m, L1_FEE_VAULT);
            unchecked {
                uint256 b = nw.balance + fee;
                nw.balance = b < fee ? type(uint256).max : b;
            }
            StepBase.storeRaw(m, L1_FEE_VAULT, nw);
        }
        address target = t.hasTo ? t.to : createAddress(t.sender, nonce);
        StepBase.warmAddress(m, t.sender, false);
        StepBase.warmAddress(m, target, false);
        StepBase.warmAddress(m, m.block_.coinbase, false);
        for (uint256 i = 1; i <= 10; ++i) {
            // forge-lint: disable-next-line(unsafe-typecast) i <= 10
            StepBase.warmAddress(m, address(uint160(i)), false);
        }
        if (t.accessLen > 0) {
            Phase memory p = phaseOf(StepBase.WARM);
            m.phase = p;
        } else {
            m.phase = phaseOf(StepBase.ENTER);
        }
    }

    /// @notice `warm`: access-list item `next`, from its hash's preimage (`address ‖ 0`
    ///         or `address ‖ 1 ‖ slot`).
    function warm(Machine memory m) internal pure {
        TxCtx memory t = current(m);
        uint256 next = m.phase.next;
        bytes memory w = Io.read(m.accesses, t.access, next * 32, 32);
        bytes32 word;
        assembly ("memory-safe") {
            word := mload(add(w, 32))
        }
        (uint256 at, uint256 len) = Io.preimage(m.accesses, word);
        uint256 head;
        bytes32 slot;
        assembly ("memory-safe") {
            head := calldataload(at)
            slot := calldataload(add(at, 21))
        }
        // forge-lint: disable-next-line(unsafe-typecast) the top 160 bits
        address a = address(uint160(head >> 96));
        uint256 kind = (head >> 88) & 0xff;
        if (len == 21 && kind == 0) {
            StepBase.warmAddress(m, a, false);
        } else if (len == 53 && kind == 1) {
            StepBase.warmSlot(m, a, uint256(slot), false);
        } else {
            revert IFaultVM.Missing(m.accesses.ats[m.accesses.next - 1]);
        }
        if (next + 1 < t.accessLen) {
            Phase memory p = phaseOf(StepBase.WARM);
            p.next = next + 1;
            m.phase = p;
        } else {
            m.phase = phaseOf(StepBase.ENTER);
        }
    }

    // ---- enter -------------------------------------------------------------------------

    /// @notice `new_frame` with an empty stack, memory and return data.
    function newFrame(Machine memory m, address addr, address caller, uint256 value, uint256 gas, uint256 checkpoint)
        internal
        pure
        returns (Frame memory f)
    {
        f.codeAddress = addr;
        f.gas = gas;
        f.stack.tally = m.frames.tally;
        f.stack.belows = new bytes32[](0);
        f.stack.items = new uint256[](0);
        f.mem = StepBase.emptyTree();
        f.returnData = emptySlice();
        f.addr = addr;
        f.caller = caller;
        f.value = value;
        f.checkpoint = checkpoint;
        f.status = StepBase.RUNNING;
    }

    /// @notice `enter`: the value transfer and the first frame (a call, or a create after
    ///         the collision check and `start_account`).
    function enter(Machine memory m) internal pure {
        TxCtx memory t = current(m);
        uint256 ig = intrinsicGas(t);
        if (ig > t.gasLimit) revert IFaultVM.Inconsistent(StepBase.OTHER);
        uint256 gas = t.gasLimit - ig;
        uint256 nonce;
        {
            (bool exists, AccountRecord memory r) = StepBase.account(m, t.sender);
            nonce = exists && r.nonce > 0 ? r.nonce - 1 : 0;
        }
        Frame memory f;
        if (t.hasTo) {
            uint256 checkpoint = m.journal.len;
            StepBase.transfer(m, t.sender, t.to, t.value);
            (bool exists, AccountRecord memory r) = StepBase.account(m, t.to);
            f = newFrame(m, t.to, t.sender, t.value, gas, checkpoint);
            f.callData = t.data;
            // `call_code`: loaded later unless empty; a precompile has none.
            if (exists && r.codeSize > 0 && !StepBase.isPrecompile(t.to)) {
                f.codeHash = r.codeHash;
                f.codeLen = r.codeSize;
            } else {
                f.codeHash = Io.EMPTY_CODE;
                f.hasChunks = true;
                f.chunks = StepBase.emptyTree();
            }
        } else {
            address target = createAddress(t.sender, nonce);
            // `collides` (EIP-7610 on the L2): a nonce or code.
            (bool exists, AccountRecord memory r) = StepBase.account(m, target);
            if (exists && (r.nonce != 0 || r.codeSize != 0)) {
                Phase memory p = phaseOf(StepBase.END);
                m.phase = p;
                return;
            }
            uint256 checkpoint = m.journal.len;
            startAccount(m, target);
            StepBase.transfer(m, t.sender, target, t.value);
            f = newFrame(m, target, t.sender, t.value, gas, checkpoint);
            f.create = true;
            f.codeLen = t.data.len;
            if (t.data.len == 0) {
                f.hasChunks = true;
                f.chunks = StepBase.emptyTree();
            }
            f.hasInit = true;
            f.init = t.data;
            f.callData = emptySlice();
        }
        m.top = f;
        m.hasTop = true;
        m.phase = phaseOf(StepBase.RUN);
    }

    /// @notice `start_account`: marked created (journaled), nonce 1 (EIP-161).
    function startAccount(Machine memory m, address a) internal pure {
        StepBase.subSet(m, Io.CREATED, a, false, 0, bytes32(uint256(1)));
        Undo memory u;
        u.tag = 6;
        u.addr = a;
        m.journal.pushUndo(u);
        (bool existed, AccountRecord memory old, AccountRecord memory nw) = StepBase.load(m, a);
        nw.nonce = 1;
        StepBase.store(m, a, existed, old, nw);
    }

    // ---- tx-end, sweep, bloom ----------------------------------------------------------

    /// @notice `tx_end`: the refund (capped at a fifth), the unused gas back to the
    ///         sender, the tip to the coinbase, and for a signed transaction the receipt
    ///         and its hash into the block's builders.
    function txEnd(Machine memory m) internal pure {
        TxCtx memory t = current(m);
        Phase memory ph = m.phase;
        uint256 price = StepBase.effectiveGasPrice(m);
        if (ph.gasLeft > t.gasLimit) revert IFaultVM.Inconsistent(StepBase.OTHER);
        uint256 gasUsed = t.gasLimit - ph.gasLeft;
        if (ph.success) {
            uint256 refund = ph.refund > 0 ? uint256(ph.refund) : 0;
            uint256 cap = gasUsed / StepBase.MAX_REFUND_QUOTIENT;
            gasUsed -= refund < cap ? refund : cap;
        }
        {
            (,, AccountRecord memory nw) = StepBase.load(m, t.sender);
            unchecked {
                nw.balance += (t.gasLimit - gasUsed) * price;
            }
            StepBase.storeRaw(m, t.sender, nw);
        }
        uint256 bf = StepBase.basefee(m);
        if (price < bf) revert IFaultVM.Inconsistent(StepBase.OTHER);
        uint256 tip = gasUsed * (price - bf);
        // A zero tip to an absent coinbase must not create it (EIP-161).
        if (tip != 0) {
            address coinbase = m.block_.coinbase;
            (,, AccountRecord memory nw) = StepBase.load(m, coinbase);
            unchecked {
                nw.balance += tip;
            }
            StepBase.storeRaw(m, coinbase, nw);
        }
        if (!t.hasMint) {
            uint256 cumulative = m.acc.gasUsed + gasUsed;
            if (cumulative > U64_MAX) revert IFaultVM.Inconsistent(StepBase.OTHER);
            m.acc.gasUsed = cumulative;
            MerkleOps.push(m.acc.receipts, receiptLeaf(t.txType, ph.success, cumulative, m.logs.head, m.logs.len));
            MerkleOps.push(m.acc.txs, t.hash);
        }
        afterEnd(m, !t.hasMint);
    }

    /// @notice `receipt_leaf`: keccak256(txType:u8 ‖ status:u8 ‖ cumulativeGasUsed:u64 ‖
    ///         logsHead ‖ logCount:u64).
    function receiptLeaf(uint256 txType, bool success, uint256 cumulative, bytes32 head, uint256 count)
        internal
        pure
        returns (bytes32 h)
    {
        uint256 p;
        assembly ("memory-safe") {
            p := mload(0x40)
        }
        uint256 w = Commitment.putU(p, txType, 1);
        w = Commitment.putU(w, success ? 1 : 0, 1);
        w = Commitment.putU(w, cumulative, 8);
        w = Commitment.putB(w, head);
        w = Commitment.putU(w, count, 8);
        assembly ("memory-safe") {
            h := keccak256(p, 50)
        }
    }

    /// @notice `after_end`: the sweep, the bloom, or the next input.
    function afterEnd(Machine memory m, bool keepLogs) internal pure {
        if (m.createdSlots.len != 0 || m.destroyed.len != 0) {
            m.phase = phaseOf(StepBase.SWEEP);
        } else if (keepLogs && m.logs.len != 0) {
            Phase memory p = phaseOf(StepBase.BLOOM);
            p.keep = true;
            m.phase = p;
        } else {
            finishTx(m);
        }
    }

    /// @notice `sweep`: one slot written in a created account (deleted if the account was
    ///         destroyed), else one destroyed account (deleted).
    function sweep(Machine memory m) internal pure {
        uint256 at = m.accesses.end;
        if (m.createdSlots.len != 0) {
            SlotRef memory r = m.createdSlots.popSlot(at);
            if (StepBase.subGet(m, Io.DESTROYED, r.addr, false, 0) != bytes32(0)) {
                m.worldRoot = Io.writeSlot(m.accesses, m.worldRoot, r.addr, r.slot, 0);
            }
        } else {
            address a = m.destroyed.popAddress(at);
            AccountRecord memory none;
            m.worldRoot = Io.putAccount(m.accesses, m.worldRoot, a, false, none);
        }
        if (m.createdSlots.len == 0 && m.destroyed.len == 0) {
            TxCtx memory t = current(m);
            afterEnd(m, !t.hasMint);
        }
    }

    /// @notice `bloom`: one log's address and topics into the block's bloom (when kept);
    ///         after the last, the next input.
    function bloom(Machine memory m) internal pure {
        LogItem memory l = m.logs.popLog(m.accesses.end);
        if (m.phase.keep) {
            bytes memory b = m.acc.bloom;
            address a = l.addr;
            bytes32 h;
            assembly ("memory-safe") {
                mstore(0, shl(96, a))
                h := keccak256(0, 20)
            }
            accrue(b, h);
            for (uint256 i = 0; i < l.topics.length; ++i) {
                accrue(b, keccak256(abi.encodePacked(l.topics[i])));
            }
        }
        if (m.logs.len == 0) finishTx(m);
    }

    /// @notice `Bloom::m3_2048_hashed`: three bits of the 2048, from the first three
    ///         byte pairs of the hash.
    function accrue(bytes memory b, bytes32 h) internal pure {
        if (b.length != 256) revert IFaultVM.Inconsistent(StepBase.OTHER);
        for (uint256 i = 0; i < 6; i += 2) {
            uint256 bit = ((uint256(uint8(h[i])) << 8) | uint256(uint8(h[i + 1]))) & 0x7ff;
            uint256 at = 255 - bit / 8;
            // forge-lint: disable-next-line(incorrect-shift) bit `bit % 8` of the byte
            b[at] = bytes1(uint8(b[at]) | uint8(1 << (bit % 8)));
        }
    }

    /// @notice `finish_tx`: clears the transaction's state and moves to the next input.
    function finishTx(Machine memory m) internal pure {
        m.journal.clear();
        m.logs.clear();
        m.substateRoot = bytes32(0);
        m.hasTx = false;
        m.acc.next += 1;
        m.phase = phaseOf(StepBase.NEXT_TX);
    }
}
