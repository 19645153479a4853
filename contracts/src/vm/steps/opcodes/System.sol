// SPDX-License-Identifier: MIT
pragma solidity ^0.8.24;

// The frame's and the transaction's environment: KECCAK256, ADDRESS, ORIGIN, CALLER,
// CALLVALUE, CALLDATALOAD, CALLDATASIZE, CODESIZE, GASPRICE and RETURNDATASIZE (BALANCE
// and the EXTCODE* reads are the host's, steps/HostSteps; the copies are Copies.sol's,
// GAS Control.sol's). Rust twin: crates/vm-core/src/step/instructions/system.rs
// (`system`, but its BALANCE, EXTCODESIZE, EXTCODECOPY, EXTCODEHASH, GAS arms and its
// copies) with `hash_memory` of crates/vm-core/src/step/micro.rs (its push arm). Vectors: docs/vectors/vm/steps.json
// (opcode-20-sha3, opcode-30-env-address, opcode-33-env-caller,
// opcode-35-env-calldataload).

import {IFaultVM} from "../../../interfaces/IFaultVM.sol";
import {Io} from "../../Io.sol";
import {Stacks} from "../../Stacks.sol";
import {StepBase} from "../../StepBase.sol";
import {MicroOps} from "../MicroOps.sol";
import {Operands} from "./Operands.sol";
import {Machine, Frame, HashStack, Pending} from "../../Machine.sol";

/// @title System
/// @notice The environment opcodes of the OPCODES module: a KECCAK256 of at most 4,096
///         bytes is hashed here, a longer one left as a pending hash.
library System {
    using Stacks for HashStack;

    /// @notice One environment opcode (`op` 0x20, 0x30, 0x32..=0x36, 0x38, 0x3a or 0x3d).
    function run(Machine memory m, Frame memory f, uint256 op) internal pure returns (uint256) {
        if (op == 0x20) return keccak(m, f);
        bool load = op == 0x35;
        (uint256 a,,, uint256 h) = Operands.take(f, load ? StepBase.G_VERYLOW : StepBase.G_BASE, load ? 1 : 0);
        if (h != 0) return h;
        uint256 v;
        if (load) {
            // CALLDATALOAD: zero past the call data's end, and for an offset beyond u64.
            if (a <= type(uint64).max) {
                bytes memory w = MicroOps.readSlice(m, f.callData, a, 32);
                assembly ("memory-safe") {
                    v := mload(add(w, 32))
                }
            }
        } else if (op == 0x30) {
            v = uint160(f.addr);
        } else if (op == 0x32) {
            if (!m.hasTx) revert IFaultVM.Inconsistent(StepBase.NO_TX);
            v = uint160(m.tx_.sender);
        } else if (op == 0x33) {
            v = uint160(f.caller);
        } else if (op == 0x34) {
            v = f.value;
        } else if (op == 0x36) {
            v = f.callData.len;
        } else if (op == 0x38) {
            v = f.codeLen;
        } else if (op == 0x3a) {
            v = StepBase.effectiveGasPrice(m);
        } else {
            v = f.returnData.len; // RETURNDATASIZE (0x3d)
        }
        return StepBase.push(f, v);
    }

    /// @notice KECCAK256: gas by the size's words, the expansion, then the hash (`hash_memory`
    ///         with `AfterHash::Push`: the two pops left room for the push).
    function keccak(Machine memory m, Frame memory f) internal pure returns (uint256) {
        (uint256 off, uint256 size,, uint256 h) = Operands.take(f, 0, 2);
        if (h != 0) return h;
        h = StepBase.useGas(
            f, Operands.sat64(StepBase.G_KECCAK256 + StepBase.G_KECCAK256_WORD * StepBase.words(Operands.sat64(size)))
        );
        if (h != 0) return h;
        uint256 o;
        uint256 n;
        (o, n, h) = StepBase.expand(f, off, size);
        if (h != 0) return h;
        if (n <= StepBase.CHUNK) {
            f.stack.pushWord(uint256(keccak256(Io.read(m.accesses, f.mem, o, n))));
        } else {
            Pending memory p;
            p.tag = MicroOps.PENDING_HASH;
            p.sponge = new bytes(200);
            p.at = o;
            p.left = n;
            p.then = MicroOps.THEN_PUSH;
            f.pending = p;
        }
        return 0;
    }
}
