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

    /// @notice `opcode_at`: the opcode at the frame's pc (STOP past the code's end).
    function opcodeAt(Machine memory m, Frame memory f) internal pure returns (uint256) {
        if (f.pc >= f.codeLen) return 0;
        return uint8(codeBytes(m, f, f.pc, 1)[0]);
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
        for (uint256 pc = at; pc < end; ++pc) {
            out[pc - at] = w[(pc / CHUNK - first) * 32 + 1 + (pc % CHUNK)];
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
        for (uint256 c = 0; c < count; ++c) {
            uint256 start = c * CHUNK;
            uint256 partLen = len - start < CHUNK ? len - start : CHUNK;
            uint256 lead = pending < CHUNK ? pending : CHUNK;
            words[c * 32] = bytes1(uint8(lead));
            assembly ("memory-safe") {
                mcopy(add(add(words, 32), add(shl(5, c), 1)), add(add(code, 32), start), partLen)
            }
            uint256 pc = start + lead;
            pending = pending > CHUNK ? pending - CHUNK : 0;
            uint256 partEnd = start + partLen;
            while (pc < partEnd) {
                pc += 1 + pushLen(uint8(code[pc]));
            }
            if (pc > partEnd) pending = pc - partEnd;
        }
        carry = pending;
    }
}
