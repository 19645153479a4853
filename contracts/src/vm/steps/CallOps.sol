// SPDX-License-Identifier: MIT
pragma solidity ^0.8.24;

// The calls of the host module: CALL, CALLCODE, DELEGATECALL and STATICCALL (EIP-150's
// 63/64, EIP-2929's warm and cold access, the value's cost, the new account's cost, the
// stipend, the depth bound, the static check) and the child frame they start. Rust twin:
// `Machine::call` in crates/vm-core/src/step/instructions/contract.rs with `new_frame`
// and `call_code` of crates/vm-core/src/step/mod.rs; vectors: opcode-f1-call of
// docs/vectors/vm/steps.json, run by contracts/test/vm/CallSteps.t.sol.

import {StepBase} from "../StepBase.sol";
import {TxOps} from "./TxOps.sol";
import {Io} from "../Io.sol";
import {Stacks} from "../Stacks.sol";
import {Machine, Frame, Slice, AccountRecord, HashStack} from "../Machine.sol";

/// @title CallOps
/// @notice `Machine::call` and what the call and create families share: popping the
///         opcode's operands, a view of the caller's memory.
library CallOps {
    using Stacks for HashStack;

    uint256 internal constant CALL = 0xf1;
    uint256 internal constant CALLCODE = 0xf2;
    uint256 internal constant DELEGATECALL = 0xf4;
    uint256 internal constant STATICCALL = 0xfa;

    /// @notice Pops `n` items into `out` in order, as Rust's successive `pop(f)?`: on an
    ///         underflow the items popped before stay popped. Returns the halt word.
    function pops(Frame memory f, uint256[7] memory out, uint256 n) internal pure returns (uint256 h) {
        for (uint256 i = 0; i < n; ++i) {
            (out[i], h) = StepBase.pop(f);
            if (h != 0) return h;
        }
    }

    /// @notice A view `(tree, o, n)` of the frame's memory (`Slice { tree:
    ///         f.memory.clone(), .. }`). The view shares the tree: no step that makes one
    ///         writes the frame's memory after it.
    function memView(Frame memory f, uint256 o, uint256 n) internal pure returns (Slice memory s) {
        s.tree = f.mem;
        s.offset = o;
        s.len = n;
    }

    /// @notice `Machine::call`: the call opcode `op` on the running frame `f` (its pc
    ///         already past it); a call that starts a frame suspends `f` under it
    ///         (`resume`; a failed call pushes 0 and starts none). Returns the halt word.
    function call(Machine memory m, Frame memory f, uint256 op) internal pure returns (uint256 h) {
        unchecked {
            bool hasValue = op == CALL || op == CALLCODE;
            // v: requested gas, to, value (CALL and CALLCODE: else zero), args offset, args
            // size, return offset, return size; popped in order as Rust's `pop(f)?`s (on
            // an underflow those popped before stay popped).
            uint256[7] memory v;
            for (uint256 i = 0; i < 7; ++i) {
                if (i == 2 && !hasValue) continue;
                (v[i], h) = StepBase.pop(f);
                if (h != 0) return h;
            }
            uint256 value = v[2];
            if (op == CALL && f.isStatic && value != 0) return StepBase.STATIC_WRITE;
            for (uint256 i = 3; i < 7; i += 2) {
                (v[i], v[i + 1], h) = StepBase.expand(f, v[i], v[i + 1]);
                if (h != 0) return h;
            }
            h = StepBase.useGas(f, cost(m, op, address(uint160(v[1])), value));
            if (h != 0) return h;
            uint256 gas = f.gas - f.gas / StepBase.CALL_GAS_RETAINED_DIVISOR;
            // `u64::try_from(requested).unwrap_or(u64::MAX).min(cap)`: the cap is a u64.
            if (v[0] < gas) gas = v[0];
            f.gas -= gas;
            if (value != 0) gas += StepBase.CALL_STIPEND;
            f.returnData = TxOps.emptySlice();
            if (m.frames.len >= StepBase.MAX_DEPTH || (value != 0 && StepBase.balance(m, f.addr) < value)) {
                f.gas += gas;
                // The opcode popped at least six items: there is room.
                f.stack.pushWord(0);
                return 0;
            }
            v[0] = gas;
            child(m, f, op, v);
        }
    }

    /// @notice `resume` with a child: suspends the frame `f` (final: it is hashed as it
    ///         is now) under the child `c`, which runs.
    function suspend(Machine memory m, Frame memory f, Frame memory c) internal pure {
        m.frames.pushFrame(f);
        m.top = c;
    }

    /// @notice The call's cost before its gas: the access (EIP-2929, journaled warming),
    ///         and with a value its cost and, for CALL to an empty account, the new
    ///         account's.
    function cost(Machine memory m, uint256 op, address to, uint256 value) private pure returns (uint256 g) {
        unchecked {
            g = StepBase.accessCost(m, to);
            if (value != 0) {
                g += StepBase.G_CALL_VALUE;
                if (op == CALL) {
                    (bool exists,) = StepBase.account(m, to);
                    if (!exists) g += StepBase.G_NEW_ACCOUNT;
                }
            }
        }
    }

    /// @notice The call's value transfer and frame (`new_frame` of kind Call) over
    ///         `call_code(account(to))`: its address, caller and value by the opcode, its
    ///         call data the arguments' view of the caller's memory (`v` as in `call`);
    ///         the caller keeps the return area and is suspended under it.
    function child(Machine memory m, Frame memory f, uint256 op, uint256[7] memory v) private pure {
        unchecked {
            uint256 cp = m.journal.len;
            address to = address(uint160(v[1]));
            uint256 value = v[2];
            if (op == CALL && to != f.addr) StepBase.transfer(m, f.addr, to, value);
            // An absent account's record reads as zeros.
            (, AccountRecord memory r) = StepBase.account(m, to);
            // (address, caller, value) by the opcode.
            address addr = to;
            address caller = f.addr;
            if (op == CALLCODE) {
                addr = f.addr;
            } else if (op == DELEGATECALL) {
                addr = f.addr;
                caller = f.caller;
                value = f.value;
            }
            Frame memory c = TxOps.newFrame(m, addr, caller, value, v[0], cp);
            c.codeAddress = to;
            // `call_code`: loaded later unless empty; a precompile has none.
            if (r.codeSize > 0 && !StepBase.isPrecompile(to)) {
                c.codeHash = r.codeHash;
                c.codeLen = r.codeSize;
            } else {
                c.codeHash = Io.EMPTY_CODE;
                c.hasChunks = true;
                c.chunks = StepBase.emptyTree();
            }
            c.isStatic = f.isStatic || op == STATICCALL;
            c.callData = memView(f, v[3], v[4]);
            f.retOffset = v[5];
            f.retSize = v[6];
            suspend(m, f, c);
        }
    }
}
