// SPDX-License-Identifier: MIT
pragma solidity ^0.8.24;

// Stack opcodes: POP, PUSH0 through PUSH32, DUP1 through DUP16, SWAP1 through SWAP16.
// Rust twin: crates/vm-core/src/step/instructions/stack.rs (`stack_op`). Vectors:
// docs/vectors/vm/steps.json (opcode-50-stack-pop, opcode-5f-stack-push0,
// opcode-60-stack-push1, opcode-80-stack-dup1, opcode-90-stack-swap1).

import {IFaultVM} from "../../../interfaces/IFaultVM.sol";
import {Io} from "../../Io.sol";
import {Stacks} from "../../Stacks.sol";
import {StepBase} from "../../StepBase.sol";
import {FrameOps} from "../FrameOps.sol";
import {Operands} from "./Operands.sol";
import {Machine, Frame, HashStack} from "../../Machine.sol";

/// @title StackOps
/// @notice POP, PUSHn (the push data read from the code's chunks: one access when any of
///         it is inside the code), DUPn and SWAPn. A witness stack opens only what a step
///         pops, so DUPn and SWAPn pop their n (n + 1) items, as Rust's do, and put them
///         back: the witness carries them all.
library StackOps {
    using Stacks for HashStack;

    /// @notice One stack opcode (`op` 0x50 or 0x5f..=0x9f); `pc` is the opcode's.
    function run(Machine memory m, Frame memory f, uint256 op, uint256 pc) internal pure returns (uint256 h) {
        if (op == 0x50) {
            (,,, h) = Operands.take(f, StepBase.G_BASE, 1);
            return h;
        }
        if (op < 0x80) return pushN(m, f, op - 0x5f, pc);
        if (op < 0x90) return dup(f, op - 0x7f);
        return swap(f, op - 0x8f);
    }

    /// @notice PUSHn: the `n` bytes after the opcode (zero past the code's end).
    function pushN(Machine memory m, Frame memory f, uint256 n, uint256 pc) internal pure returns (uint256 h) {
        h = StepBase.useGas(f, n == 0 ? StepBase.G_BASE : StepBase.G_VERYLOW);
        if (h != 0) return h;
        // The code is read before the push's overflow check, as Rust's.
        uint256 v = n == 0 ? 0 : pushData(m, f, pc + 1, n);
        h = StepBase.push(f, v);
        if (h != 0) return h;
        f.pc += n;
    }

    /// @notice `code_bytes(at, n)` as a big-endian word (`n` ≤ 32; zero past the code's
    ///         end): the same one range read of the chunks as FrameOps.codeBytes, its
    ///         bytes gathered without a per-byte bounds check (each index is inside the
    ///         words read).
    function pushData(Machine memory m, Frame memory f, uint256 at, uint256 n) internal pure returns (uint256 v) {
        uint256 end = at + n;
        if (end > f.codeLen) end = f.codeLen;
        if (at >= end) return 0;
        if (!f.hasChunks) revert IFaultVM.Inconsistent(StepBase.OTHER);
        uint256 first = at / FrameOps.CHUNK;
        uint256 last = (end - 1) / FrameOps.CHUNK;
        bytes memory w = Io.read(m.accesses, f.chunks, first * 32, (last - first + 1) * 32);
        assembly ("memory-safe") {
            let base := add(w, 32)
            for { let i := at } lt(i, end) { i := add(i, 1) } {
                // Chunk word `i / 31 - first`, its byte `1 + i % 31` (byte 0 is the marker).
                let at_ := add(add(shl(5, sub(div(i, 31), first)), 1), mod(i, 31))
                v := or(shl(8, v), byte(0, mload(add(base, at_))))
            }
            // The bytes past the code's end are zero, at the low end.
            v := shl(shl(3, sub(add(at, n), end)), v)
        }
    }

    /// @notice DUPn: pops the top `n` items (each checked against the chain), puts them
    ///         back and pushes a copy of the deepest.
    function dup(Frame memory f, uint256 n) internal pure returns (uint256 h) {
        h = StepBase.useGas(f, StepBase.G_VERYLOW);
        if (h != 0) return h;
        HashStack memory s = f.stack;
        if (s.len < n) return StepBase.STACK_UNDERFLOW;
        if (s.len >= StepBase.STACK_LIMIT) return StepBase.STACK_OVERFLOW;
        bytes32 head = s.head;
        uint256 v;
        for (uint256 i = 0; i < n; ++i) {
            v = s.popWord(0);
        }
        // Pushing the same items back in order gives back the same chain values: restore
        // the head and the entries (they stay in place, no longer carried, as Rust's).
        s.head = head;
        s.top += n;
        s.len += n;
        s.pushWord(v);
    }

    /// @notice SWAPn: pops the top `n + 1` items, swaps the top with the deepest and
    ///         pushes them back.
    function swap(Frame memory f, uint256 n) internal pure returns (uint256 h) {
        h = StepBase.useGas(f, StepBase.G_VERYLOW);
        if (h != 0) return h;
        HashStack memory s = f.stack;
        if (s.len < n + 1) return StepBase.STACK_UNDERFLOW;
        uint256[] memory taken = new uint256[](n + 1);
        for (uint256 i = 0; i <= n; ++i) {
            taken[i] = s.popWord(0);
        }
        (taken[0], taken[n]) = (taken[n], taken[0]);
        for (uint256 i = n + 1; i > 0; --i) {
            s.pushWord(taken[i - 1]);
        }
    }
}
