// SPDX-License-Identifier: MIT
pragma solidity ^0.8.24;

// The storage opcodes: SLOAD and SSTORE (EIP-2929 access costs, EIP-2200/3529 metering
// and refunds), TLOAD and TSTORE (EIP-1153, in the substate). Rust twin:
// `Machine::storage` in crates/vm-core/src/step/instructions/storage.rs; vectors:
// opcode-54-storage-sload, opcode-55-storage-sstore, opcode-5c-transient-tload and
// opcode-5d-transient-tstore of docs/vectors/vm/steps.json and the SLOAD witnesses of
// errors.json, run by contracts/test/vm/HostSteps.t.sol.

import {IFaultVM} from "../../interfaces/IFaultVM.sol";
import {Io} from "../Io.sol";
import {Stacks} from "../Stacks.sol";
import {StepBase} from "../StepBase.sol";
import {Machine, Frame, Undo, SlotRef, HashStack} from "../Machine.sol";

/// @title HostStorageOps
/// @notice SLOAD (0x54), SSTORE (0x55), TLOAD (0x5c), TSTORE (0x5d).
library HostStorageOps {
    using Stacks for HashStack;

    uint256 internal constant SLOAD = 0x54;
    uint256 internal constant SSTORE = 0x55;
    uint256 internal constant TLOAD = 0x5c;
    uint256 internal constant TSTORE = 0x5d;

    /// @notice One of the part's opcodes (the pc already past it); its halt word.
    function run(Machine memory m, Frame memory f, uint256 op) internal pure returns (uint256) {
        if (op == SLOAD) return sload(m, f);
        if (op == SSTORE) return sstore(m, f);
        if (op == TLOAD) return tload(m, f);
        if (op == TSTORE) return tstore(m, f);
        revert IFaultVM.Inconsistent(StepBase.WRONG_MODULE);
    }

    /// @notice SLOAD: `warmSlot(self, s)`; cold 2,100, warm 100.
    function sload(Machine memory m, Frame memory f) internal pure returns (uint256 h) {
        uint256 slot;
        (slot, h) = StepBase.pop(f);
        if (h != 0) return h;
        (bool cold, uint256 v) = StepBase.warmSlot(m, f.addr, slot, true);
        h = StepBase.useGas(f, cold ? StepBase.COLD_SLOAD : StepBase.G_WARM_ACCESS);
        if (h != 0) return h;
        return StepBase.push(f, v);
    }

    /// @notice SSTORE: `warmSlot(self, s)`, if it was warm `U(original)`, then if the
    ///         value changes `S!(self, s) U(created self)`; the gas and the refund of
    ///         EIP-2200 with EIP-2929's and EIP-3529's numbers.
    function sstore(Machine memory m, Frame memory f) internal pure returns (uint256 h) {
        if (f.isStatic) return StepBase.STATIC_WRITE;
        if (f.gas <= StepBase.SSTORE_SENTRY) return StepBase.OUT_OF_GAS;
        uint256 slot;
        (slot, h) = StepBase.pop(f);
        if (h != 0) return h;
        uint256 nv;
        (nv, h) = StepBase.pop(f);
        if (h != 0) return h;
        address a = f.addr;
        (bool cold, uint256 current) = StepBase.warmSlot(m, a, slot, true);
        uint256 cost = cold ? StepBase.COLD_SLOAD : 0;
        uint256 original = cold ? current : uint256(StepBase.subGet(m, Io.ORIGINAL, a, true, slot));
        int256 refund;
        if (current == nv) {
            cost += StepBase.G_WARM_ACCESS;
        } else if (original == current) {
            if (original == 0) {
                cost += StepBase.G_SSTORE_SET;
            } else {
                cost += StepBase.G_SSTORE_RESET;
                if (nv == 0) refund += StepBase.R_SSTORE_CLEARS;
            }
        } else {
            cost += StepBase.G_WARM_ACCESS;
            if (original != 0) {
                if (current == 0) refund -= StepBase.R_SSTORE_CLEARS;
                else if (nv == 0) refund += StepBase.R_SSTORE_CLEARS;
            }
            if (original == nv) {
                refund += original == 0
                    ? int256(StepBase.G_SSTORE_SET - StepBase.G_WARM_ACCESS)
                    : int256(StepBase.G_SSTORE_RESET - StepBase.G_WARM_ACCESS);
            }
        }
        h = StepBase.useGas(f, cost);
        if (h != 0) return h;
        f.refund += refund;
        if (current != nv) {
            Undo memory u;
            u.tag = 1;
            u.addr = a;
            u.slot = slot;
            u.value = current;
            m.journal.pushUndo(u);
            m.worldRoot = Io.writeSlot(m.accesses, m.worldRoot, a, slot, nv);
            if (StepBase.created(m, a)) m.createdSlots.pushSlot(SlotRef(a, slot));
        }
    }

    /// @notice TLOAD: `U(transient)`.
    function tload(Machine memory m, Frame memory f) internal pure returns (uint256 h) {
        h = StepBase.useGas(f, StepBase.G_WARM_ACCESS);
        if (h != 0) return h;
        uint256 slot;
        (slot, h) = StepBase.pop(f);
        if (h != 0) return h;
        return StepBase.push(f, uint256(StepBase.subGet(m, Io.TRANSIENT, f.addr, true, slot)));
    }

    /// @notice TSTORE: `U(transient) U!(transient)`, journaled.
    function tstore(Machine memory m, Frame memory f) internal pure returns (uint256 h) {
        if (f.isStatic) return StepBase.STATIC_WRITE;
        h = StepBase.useGas(f, StepBase.G_WARM_ACCESS);
        if (h != 0) return h;
        uint256 slot;
        (slot, h) = StepBase.pop(f);
        if (h != 0) return h;
        uint256 v;
        (v, h) = StepBase.pop(f);
        if (h != 0) return h;
        address a = f.addr;
        bytes32 old = StepBase.subGet(m, Io.TRANSIENT, a, true, slot);
        StepBase.subSet(m, Io.TRANSIENT, a, true, slot, bytes32(v));
        Undo memory u;
        u.tag = 2;
        u.addr = a;
        u.slot = slot;
        u.value = uint256(old);
        m.journal.pushUndo(u);
    }
}
