// SPDX-License-Identifier: MIT
pragma solidity ^0.8.24;

// The end of a frame: the undo micro-steps of a failed frame (one journal record a step)
// and the frame-exit handing its result to its caller or to tx-end (which of the two a
// finished frame takes, `run_step`'s first branch, is FrameKinds'). Rust twin:
// crates/vm-core/src/step/exit.rs (`undo_one`, `frame_exit`); vectors: `undo` and `frame-exit` of
// docs/vectors/vm/steps.json.

import {IFaultVM} from "../../interfaces/IFaultVM.sol";
import {Io} from "../Io.sol";
import {Stacks} from "../Stacks.sol";
import {StepBase} from "../StepBase.sol";
import {MicroOps} from "./MicroOps.sol";
import {Machine, Frame, Undo, Slice, Pending, HashStack} from "../Machine.sol";

/// @title ExitOps
/// @notice Undo and FrameExit (docs/fault-vm.md, "Step kinds").
library ExitOps {
    using Stacks for HashStack;

    /// @notice `undo_one`: pops the top journal record and restores what it records.
    function undoOne(Machine memory m) internal pure {
        Undo memory u = m.journal.popUndo(0);
        uint256 tag = u.tag;
        if (tag == 0) {
            m.worldRoot = Io.putAccount(m.accesses, m.worldRoot, u.addr, u.hasRecord, u.record);
        } else if (tag == 1) {
            m.worldRoot = Io.writeSlot(m.accesses, m.worldRoot, u.addr, u.slot, u.value);
        } else if (tag == 2) {
            StepBase.subSet(m, Io.TRANSIENT, u.addr, true, u.slot, bytes32(u.value));
        } else if (tag == 3) {
            StepBase.subSet(m, Io.WARM_ADDRESS, u.addr, false, 0, bytes32(0));
        } else if (tag == 4) {
            StepBase.subSet(m, Io.WARM_SLOT, u.addr, true, u.slot, bytes32(0));
        } else if (tag == 5) {
            m.logs.popLog(0);
        } else if (tag == 6) {
            StepBase.subSet(m, Io.CREATED, u.addr, false, 0, bytes32(0));
        } else {
            StepBase.subSet(m, Io.DESTROYED, u.addr, false, 0, bytes32(0));
            // The destroyed list and the journal must agree.
            if (m.destroyed.popAddress(0) != u.addr) revert IFaultVM.Inconsistent(StepBase.OTHER);
        }
    }

    /// @notice `frame_exit`: pops the finished innermost frame `f` (the running one) and
    ///         hands its result to the caller, or (the outermost) to tx-end.
    function frameExit(Machine memory m, Frame memory f) internal pure {
        m.hasTop = false;
        uint256 st = f.status;
        bool success = st == StepBase.SUCCESS;
        uint256 gasLeft = st == StepBase.HALT ? 0 : f.gas;
        int256 refund = success ? f.refund : int256(0);
        if (st == StepBase.RUNNING) revert IFaultVM.Inconsistent(StepBase.OTHER);
        if (!success && m.journal.len != f.checkpoint) revert IFaultVM.Inconsistent(StepBase.OTHER);
        if (m.frames.len == 0) {
            m.phase.tag = StepBase.END;
            m.phase.gasLeft = gasLeft;
            m.phase.refund = refund;
            m.phase.success = success;
            return;
        }
        Frame memory p = m.frames.popFrame(0);
        p.gas += gasLeft;
        p.refund += refund;
        Slice memory output = st == StepBase.HALT ? Slice(StepBase.emptyTree(), 0, 0) : f.output;
        uint256 pushed;
        if (!f.create) {
            uint256 n = p.retSize < output.len ? p.retSize : output.len;
            p.returnData = output;
            if (n > 0) {
                Pending memory q;
                q.tag = MicroOps.PENDING_COPY;
                q.src = MicroOps.SRC_RETURNDATA;
                q.to = p.retOffset;
                q.left = n;
                p.pending = q;
            }
            pushed = success ? 1 : 0;
        } else {
            p.returnData = success ? Slice(StepBase.emptyTree(), 0, 0) : output;
            pushed = success ? uint160(f.addr) : 0;
        }
        // The caller's stack had room: the call opcode popped at least 3 items.
        p.stack.pushWord(pushed);
        m.top = p;
        m.hasTop = true;
    }
}
