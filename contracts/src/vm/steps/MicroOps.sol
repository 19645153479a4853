// SPDX-License-Identifier: MIT
pragma solidity ^0.8.24;

import {IFaultVM} from "../../interfaces/IFaultVM.sol";
import {Io} from "../Io.sol";
import {Stacks} from "../Stacks.sol";
import {StepBase} from "../StepBase.sol";
import {FrameOps} from "./FrameOps.sol";
import {Machine, Frame, Pending, Slice, LogItem, Undo, HashStack} from "../Machine.sol";

/// @title MicroOps
/// @notice Copies and hashes of memory (docs/fault-vm.md, "Micro-steps"): a copy of at
///         most 4,096 bytes in the step that asks for it, a longer one as a pending copy
///         (one chunk a step); a hash of at most 4,096 bytes with the EVM's keccak256, a
///         longer one as a pending hash; what a finished hash does (push it, append a
///         log). Rust twin: crates/vm-core/src/step/micro.rs (`pending_step`'s copy arms,
///         `after_hash`'s push and log arms, `read_source`, `read_slice`, `copy`,
///         `hash_memory`); vectors: the Copy, Hash, CALLDATACOPY, KECCAK256 and LOG vectors
///         of docs/vectors/vm/steps.json. The pending hash's own steps (keccak-f over the
///         sponge) and a CREATE2's finished hash are in their modules.
library MicroOps {
    using Stacks for HashStack;

    /// @notice Copy sources (`Source`).
    uint256 internal constant SRC_CALLDATA = 0;
    uint256 internal constant SRC_CODE = 1;
    uint256 internal constant SRC_RETURNDATA = 2;
    uint256 internal constant SRC_MEMORY = 3;
    uint256 internal constant SRC_EXTCODE = 4;

    /// @notice Pending tags.
    uint256 internal constant PENDING_COPY = 1;
    uint256 internal constant PENDING_HASH = 2;
    uint256 internal constant PENDING_COPY_VIEW = 3;

    /// @notice What a hash is for (`AfterHash`).
    uint256 internal constant THEN_PUSH = 0;
    uint256 internal constant THEN_LOG = 1;
    uint256 internal constant THEN_CREATE2 = 2;

    /// @notice One chunk of a pending copy (`pending_step`'s Copy arm); `p` is taken off
    ///         the frame first and put back if bytes are left.
    function copyStep(Machine memory m, Frame memory f, Pending memory p) internal pure {
        uint256 left = p.left;
        uint256 n = left < StepBase.CHUNK ? left : StepBase.CHUNK;
        uint256 fromHere = p.backwards ? p.from + left - n : p.from;
        uint256 toHere = p.backwards ? p.to + left - n : p.to;
        bytes memory data = readSource(m, f, p, fromHere, n);
        Io.write(m.accesses, f.mem, toHere, data);
        f.pending = none();
        if (left > n) {
            Pending memory q = copyOf(p);
            if (!p.backwards) {
                q.from = p.from + n;
                q.to = p.to + n;
            }
            q.left = left - n;
            f.pending = q;
        }
    }

    /// @notice One chunk of a pending copy from a view (`pending_step`'s CopyView arm).
    function copyViewStep(Machine memory m, Frame memory f, Pending memory p) internal pure {
        uint256 left = p.left;
        uint256 n = left < StepBase.CHUNK ? left : StepBase.CHUNK;
        bytes memory data = readSlice(m, p.viewed, p.from, n);
        Io.write(m.accesses, f.mem, p.to, data);
        f.pending = none();
        if (left > n) {
            Pending memory q;
            q.tag = PENDING_COPY_VIEW;
            q.viewed = p.viewed;
            uint256 next = p.from + n;
            q.from = next > type(uint64).max ? type(uint64).max : next;
            q.to = p.to + n;
            q.left = left - n;
            f.pending = q;
        }
    }

    /// @notice No pending micro-step.
    function none() internal pure returns (Pending memory p) {}

    function copyOf(Pending memory p) private pure returns (Pending memory q) {
        q.tag = p.tag;
        q.src = p.src;
        q.srcHash = p.srcHash;
        q.srcLen = p.srcLen;
        q.from = p.from;
        q.to = p.to;
        q.left = p.left;
        q.backwards = p.backwards;
    }

    /// @notice `read_source`: `n` bytes at `at` of a copy's source.
    function readSource(Machine memory m, Frame memory f, Pending memory p, uint256 at, uint256 n)
        internal
        pure
        returns (bytes memory out)
    {
        uint256 src = p.src;
        if (src == SRC_CALLDATA) return readSlice(m, f.callData, at, n);
        if (src == SRC_RETURNDATA) return readSlice(m, f.returnData, at, n);
        if (src == SRC_MEMORY) return Io.read(m.accesses, f.mem, at, n);
        if (src == SRC_CODE) return FrameOps.codeBytes(m, f, at, n);
        bytes memory code = Io.code(m.accesses, p.srcHash, p.srcLen);
        out = new bytes(n);
        if (at < code.length) {
            uint256 k = code.length - at < n ? code.length - at : n;
            assembly ("memory-safe") {
                mcopy(add(out, 32), add(add(code, 32), at), k)
            }
        }
    }

    /// @notice `read_slice`: `n` bytes at `p` of a view (zero past its length).
    function readSlice(Machine memory m, Slice memory s, uint256 p, uint256 n)
        internal
        pure
        returns (bytes memory out)
    {
        if (p >= s.len || n == 0) return new bytes(n);
        uint256 k = s.len - p < n ? s.len - p : n;
        bytes memory got = Io.read(m.accesses, s.tree, s.offset + p, k);
        if (k == n) return got;
        out = new bytes(n);
        assembly ("memory-safe") {
            mcopy(add(out, 32), add(got, 32), k)
        }
    }

    /// @notice `copy`: starts a copy of `n` bytes into memory at `to` from source `src`
    ///         (with the other account's code hash and length for EXTCODECOPY): at once if
    ///         it fits a step, else as a pending copy.
    function copy(
        Machine memory m,
        Frame memory f,
        uint256 src,
        bytes32 srcHash,
        uint256 srcLen,
        uint256 from,
        uint256 to,
        uint256 n
    ) internal pure {
        if (n == 0) return;
        Pending memory p;
        p.tag = PENDING_COPY;
        p.src = src;
        p.srcHash = srcHash;
        p.srcLen = srcLen;
        p.from = from;
        p.to = to;
        p.left = n;
        p.backwards = src == SRC_MEMORY && to > from && to < from + n;
        if (n <= StepBase.CHUNK) copyStep(m, f, p);
        else f.pending = p;
    }

    /// @notice `hash_memory` for KECCAK256 and LOG: hashes memory `[at, at + n)` with the
    ///         EVM's keccak256 if it fits a step and finishes (`afterHash`), else leaves a
    ///         pending hash with an empty sponge. `topics` is the log's (`then == THEN_LOG`).
    function hashMemory(Machine memory m, Frame memory f, uint256 at, uint256 n, uint256 then, bytes32[] memory topics)
        internal
        pure
    {
        if (n <= StepBase.CHUNK) {
            bytes memory data = Io.read(m.accesses, f.mem, at, n);
            afterHash(m, f, keccak256(data), n, then, topics);
        } else {
            Pending memory p;
            p.tag = PENDING_HASH;
            p.sponge = new bytes(200);
            p.at = at;
            p.left = n;
            p.then = then;
            p.topics = topics;
            f.pending = p;
        }
    }

    /// @notice `after_hash`'s push and log arms (`len`: the bytes hashed).
    function afterHash(
        Machine memory m,
        Frame memory f,
        bytes32 hash,
        uint256 len,
        uint256 then,
        bytes32[] memory topics
    ) internal pure {
        if (then == THEN_PUSH) {
            // The opcode popped two items and pushes one: there is room.
            f.stack.pushWord(uint256(hash));
        } else if (then == THEN_LOG) {
            m.logs.pushLog(LogItem(f.addr, topics, hash, len));
            Undo memory u;
            u.tag = 5;
            m.journal.pushUndo(u);
        } else {
            revert IFaultVM.Inconsistent(StepBase.WRONG_MODULE);
        }
    }
}
