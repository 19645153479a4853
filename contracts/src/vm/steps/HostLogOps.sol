// SPDX-License-Identifier: MIT
pragma solidity ^0.8.24;

// The opcodes acting on the transaction's host state beyond storage: LOG0 through LOG4
// (the data hashed in the step up to 4,096 bytes, else in Hash micro-steps) and
// SELFDESTRUCT (EIP-6780). Rust twin: `Machine::host` in
// crates/vm-core/src/step/instructions/host.rs (with `hash_memory` and `after_hash`'s log
// arm of micro.rs, in MicroOps.sol); vectors: opcode-a1-log1 and opcode-ff-selfdestruct of
// docs/vectors/vm/steps.json, run by contracts/test/vm/HostSteps.t.sol.

import {IFaultVM} from "../../interfaces/IFaultVM.sol";
import {Io} from "../Io.sol";
import {Stacks} from "../Stacks.sol";
import {StepBase} from "../StepBase.sol";
import {MicroOps} from "./MicroOps.sol";
import {Machine, Frame, AccountRecord, Undo, Slice, HashStack} from "../Machine.sol";

/// @title HostLogOps
/// @notice LOG0–LOG4 (0xa0–0xa4) and SELFDESTRUCT (0xff).
library HostLogOps {
    using Stacks for HashStack;

    uint256 internal constant LOG0 = 0xa0;
    uint256 internal constant LOG4 = 0xa4;
    uint256 internal constant SELFDESTRUCT = 0xff;

    /// @notice A LOG (the pc already past it); its halt word.
    function runLog(Machine memory m, Frame memory f, uint256 op) internal pure returns (uint256) {
        if (op < LOG0 || op > LOG4) revert IFaultVM.Inconsistent(StepBase.WRONG_MODULE);
        return log(m, f, op - LOG0);
    }

    /// @notice SELFDESTRUCT (the pc already past it); its halt word.
    function runSelfDestruct(Machine memory m, Frame memory f, uint256 op) internal pure returns (uint256) {
        if (op != SELFDESTRUCT) revert IFaultVM.Inconsistent(StepBase.WRONG_MODULE);
        return selfDestruct(m, f);
    }

    /// @notice LOGn: `R(memory)` of at most 4,096 bytes and the log appended, or a pending
    ///         hash of the data whose last step appends it.
    function log(Machine memory m, Frame memory f, uint256 n) internal pure returns (uint256 h) {
        if (f.isStatic) return StepBase.STATIC_WRITE;
        uint256 off;
        (off, h) = StepBase.pop(f);
        if (h != 0) return h;
        uint256 size;
        (size, h) = StepBase.pop(f);
        if (h != 0) return h;
        bytes32[] memory topics = new bytes32[](n);
        for (uint256 i = 0; i < n; ++i) {
            uint256 t;
            (t, h) = StepBase.pop(f);
            if (h != 0) return h;
            topics[i] = bytes32(t);
        }
        uint256 len = size > type(uint64).max ? type(uint64).max : size;
        // u64 arithmetic, saturating as Rust's.
        uint256 cost = StepBase.G_LOG + StepBase.G_LOG_TOPIC * n + StepBase.G_LOG_DATA * len;
        if (cost > type(uint64).max) cost = type(uint64).max;
        h = StepBase.useGas(f, cost);
        if (h != 0) return h;
        uint256 o;
        uint256 l;
        (o, l, h) = StepBase.expand(f, off, size);
        if (h != 0) return h;
        MicroOps.hashMemory(m, f, o, l, MicroOps.THEN_LOG, topics);
    }

    /// @notice SELFDESTRUCT: `warm(to) A(self)`; with a balance `A(to)`, and to another
    ///         account `M(self) M(to)`; `U(created self)`; if created (EIP-6780) `A(self)`,
    ///         `M(self)` if it still has a balance, `U(destroyed self)` and if clear
    ///         `U!(destroyed self)`. The frame succeeds with no output.
    function selfDestruct(Machine memory m, Frame memory f) internal pure returns (uint256 h) {
        if (f.isStatic) return StepBase.STATIC_WRITE;
        uint256 w;
        (w, h) = StepBase.pop(f);
        if (h != 0) return h;
        address to = address(uint160(w));
        uint256 cost = StepBase.G_SELFDESTRUCT;
        if (StepBase.warmAddress(m, to, true)) cost += StepBase.COLD_ACCOUNT_ACCESS;
        address me = f.addr;
        uint256 bal = StepBase.balance(m, me);
        if (bal != 0) {
            (bool toExists,) = StepBase.account(m, to);
            if (!toExists) cost += StepBase.G_NEW_ACCOUNT;
        }
        h = StepBase.useGas(f, cost);
        if (h != 0) return h;
        if (bal != 0 && to != me) {
            (bool e1, AccountRecord memory o1, AccountRecord memory n1) = StepBase.load(m, me);
            n1.balance = 0;
            StepBase.store(m, me, e1, o1, n1);
            (bool e2, AccountRecord memory o2, AccountRecord memory n2) = StepBase.load(m, to);
            unchecked {
                // U256's `+=` wraps.
                n2.balance += bal;
            }
            StepBase.store(m, to, e2, o2, n2);
        }
        if (StepBase.created(m, me)) {
            // EIP-6780: created in this transaction, so it goes; sending to itself burns
            // the balance at once (later calls see zero).
            if (StepBase.balance(m, me) != 0) {
                (bool e, AccountRecord memory o, AccountRecord memory nw) = StepBase.load(m, me);
                nw.balance = 0;
                StepBase.store(m, me, e, o, nw);
            }
            if (StepBase.subGet(m, Io.DESTROYED, me, false, 0) == bytes32(0)) {
                StepBase.subSet(m, Io.DESTROYED, me, false, 0, bytes32(uint256(1)));
                m.destroyed.pushAddress(me);
                Undo memory u;
                u.tag = 7;
                u.addr = me;
                m.journal.pushUndo(u);
            }
        }
        f.status = StepBase.SUCCESS;
        f.output = Slice(StepBase.emptyTree(), 0, 0);
    }
}
