// SPDX-License-Identifier: MIT
pragma solidity ^0.8.24;

import {IFaultVM} from "../../interfaces/IFaultVM.sol";
import {Io} from "../Io.sol";
import {Stacks} from "../Stacks.sol";
import {StepBase} from "../StepBase.sol";
import {Machine, Frame, HashStack} from "../Machine.sol";

/// @title FrameOps
/// @notice The running frame's code and its hand-over to a child (docs/fault-vm.md,
///         "Code"): the opcode at the pc, bytes of the code from its chunks, the
///         JUMPDEST check of one chunk, EIP-2926's chunking, and putting the frame that
///         stepped back on top or under the child its step started. Rust twin:
///         crates/vm-core/src/step/frame.rs (`resume`, `opcode_at`, `code_bytes`) and
///         crates/vm-core/src/code.rs (`chunks_from`, `byte_of`, `is_jumpdest`); vectors:
///         every opcode vector of docs/vectors/vm/steps.json (the good and the bad JUMP,
///         the code loads).
library FrameOps {
    using Stacks for HashStack;

    /// @notice Code bytes per chunk.
    uint256 internal constant CHUNK = 31;

    /// @notice `resume`: the frame that stepped stays on top, or (a call or a create
    ///         started `child`) is suspended under it. Call last, once `f` is final: the
    ///         suspended frame is hashed as it is now.
    function resume(Machine memory m, Frame memory f, bool hasChild, Frame memory child) internal pure {
        if (hasChild) {
            m.frames.pushFrame(f);
            m.top = child;
        } else {
            m.top = f;
        }
        m.hasTop = true;
    }

    /// @notice `opcode_at`: the opcode at the frame's pc (STOP past the code's end), from
    ///         the chunk holding it.
    function opcodeAt(Machine memory m, Frame memory f) internal pure returns (uint256) {
        uint256 pc = f.pc;
        if (pc >= f.codeLen) return 0;
        return uint8(chunkAt(m, f, pc)[1 + (pc % CHUNK)]);
    }

    /// @notice `code_bytes`: bytes `[at, at + n)` of the frame's code (zero past its end),
    ///         from its chunks.
    function codeBytes(Machine memory m, Frame memory f, uint256 at, uint256 n)
        internal
        pure
        returns (bytes memory out)
    {
        out = new bytes(n);
        uint256 end = at + n;
        if (end > type(uint64).max) end = type(uint64).max;
        if (end > f.codeLen) end = f.codeLen;
        if (at >= end) return out;
        if (!f.hasChunks) revert IFaultVM.Inconsistent(StepBase.OTHER);
        uint256 first = at / CHUNK;
        uint256 last = (end - 1) / CHUNK;
        bytes memory w = Io.read(m.accesses, f.chunks, first * 32, (last - first + 1) * 32);
        // Each chunk's part of [at, end): its bytes 1.. of the word, 31 code bytes a word.
        assembly ("memory-safe") {
            let words := add(w, 32)
            let dst := add(out, 32)
            for { let c := first } iszero(gt(c, last)) { c := add(c, 1) } {
                let cs := mul(c, 31)
                let lo := cs
                if lt(lo, at) { lo := at }
                let hi := add(cs, 31)
                if gt(hi, end) { hi := end }
                mcopy(add(dst, sub(lo, at)), add(add(words, shl(5, sub(c, first))), add(1, sub(lo, cs))), sub(hi, lo))
            }
        }
    }

    /// @notice The chunk holding code byte `pc` (a JUMP's destination), opened.
    function chunkAt(Machine memory m, Frame memory f, uint256 pc) internal pure returns (bytes32 c) {
        if (!f.hasChunks) revert IFaultVM.Inconsistent(StepBase.OTHER);
        bytes memory w = Io.read(m.accesses, f.chunks, (pc / CHUNK) * 32, 32);
        assembly ("memory-safe") {
            c := mload(add(w, 32))
        }
    }

    function pushLen(uint256 op) internal pure returns (uint256) {
        return op >= 0x60 && op <= 0x7f ? op - 0x5f : 0;
    }

    /// @notice `is_jumpdest`: whether offset `at` (0..30) of `chunk` is a JUMPDEST that is
    ///         not push data.
    function isJumpdest(bytes32 chunk, uint256 at) internal pure returns (bool) {
        uint256 i = uint8(chunk[0]);
        if (at >= CHUNK || at < i) return false;
        while (i < at) {
            i += 1 + pushLen(uint8(chunk[1 + i]));
        }
        return i == at && uint8(chunk[1 + at]) == 0x5b;
    }

    /// @notice `chunks_from`: the chunks of a part of some code that starts on a chunk
    ///         boundary with `pending` bytes of push data still to come, as the bytes of
    ///         their words; and the push data running past the part's end.
    function chunksFrom(bytes memory code, uint256 pending) internal pure returns (bytes memory words, uint256 carry) {
        uint256 len = code.length;
        uint256 count = (len + CHUNK - 1) / CHUNK;
        words = new bytes(count * 32);
        assembly ("memory-safe") {
            let src := add(code, 32)
            let dst := add(words, 32)
            for { let c := 0 } lt(c, count) { c := add(c, 1) } {
                let start := mul(c, 31)
                let partLen := sub(len, start)
                if gt(partLen, 31) { partLen := 31 }
                let lead := pending
                if gt(lead, 31) { lead := 31 }
                // lead ‖ the part's bytes, zero past them.
                let keep := and(not(shr(shl(3, add(partLen, 1)), not(0))), shr(8, not(0)))
                mstore(add(dst, shl(5, c)), or(shl(248, lead), and(shr(8, mload(add(src, start))), keep)))
                let at := add(start, lead)
                let rest := 0
                if gt(pending, 31) { rest := sub(pending, 31) }
                pending := rest
                let partEnd := add(start, partLen)
                // One push a turn: the first PUSH1..PUSH32 (a byte 0x60..0x7f) of the
                // part's bytes from `at`, found in the 32 bytes there at once, and its data
                // skipped; none left, the part is done.
                for {} lt(at, partEnd) {} {
                    let w := mload(add(src, at))
                    // A push right here (the common case in push-dense code): skip its
                    // data without the search.
                    let first := byte(0, w)
                    if lt(sub(first, 0x60), 0x20) {
                        at := add(at, sub(first, 0x5e))
                        continue
                    }
                    // One other opcode, then a push (PUSH1 x ADD PUSH1 y ...).
                    let second := byte(1, w)
                    if and(lt(sub(second, 0x60), 0x20), lt(add(at, 1), partEnd)) {
                        at := add(at, sub(second, 0x5d))
                        continue
                    }
                    let x :=
                        xor(
                            and(w, 0xe0e0e0e0e0e0e0e0e0e0e0e0e0e0e0e0e0e0e0e0e0e0e0e0e0e0e0e0e0e0e0e0),
                            0x6060606060606060606060606060606060606060606060606060606060606060
                        )
                    let lo := 0x7f7f7f7f7f7f7f7f7f7f7f7f7f7f7f7f7f7f7f7f7f7f7f7f7f7f7f7f7f7f7f7f
                    // 0x80 in each byte of x that is zero (a push), exactly.
                    let mask := not(or(or(add(and(x, lo), lo), x), lo))
                    mask := and(mask, not(shr(shl(3, sub(partEnd, at)), not(0))))
                    if iszero(mask) {
                        at := partEnd
                        break
                    }
                    let j := 0
                    if iszero(shr(128, mask)) {
                        j := 16
                        mask := shl(128, mask)
                    }
                    if iszero(shr(192, mask)) {
                        j := add(j, 8)
                        mask := shl(64, mask)
                    }
                    if iszero(shr(224, mask)) {
                        j := add(j, 4)
                        mask := shl(32, mask)
                    }
                    if iszero(shr(240, mask)) {
                        j := add(j, 2)
                        mask := shl(16, mask)
                    }
                    if iszero(shr(248, mask)) { j := add(j, 1) }
                    at := add(add(at, j), sub(byte(j, w), 0x5e))
                }
                if gt(at, partEnd) { pending := sub(at, partEnd) }
            }
        }
        carry = pending;
    }
}
