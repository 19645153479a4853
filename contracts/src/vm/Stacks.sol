// SPDX-License-Identifier: MIT
pragma solidity ^0.8.24;

import {IFaultVM} from "../interfaces/IFaultVM.sol";
import {Commitment} from "./Commitment.sol";
import {HashStack, Frame, Undo, LogItem, SlotRef} from "./Machine.sol";

/// @title Stacks
/// @notice Hash stacks as a witness holds them (docs/fault-vm.md, "Hash stacks"):
///         `head' = keccak256(head ‖ enc(item))`, a pop checks the item it takes against
///         the chain, a push extends it. Rust twin: `HashStack::Witness` in
///         crates/vm-core/src/stack.rs (`push`, `pop`, `peek`, `clear`); vectors: the
///         steps of docs/vectors/vm/steps.json and the forged stack item of errors.json.
/// @dev Items are words (the EVM stack) or memory pointers to their structs. A pop of an
///      item the witness carried counts it in the shared tally, so the step can refuse a
///      carried item it never popped (`IFaultVM.Unused`).
library Stacks {
    /// @notice The chain value over `below` and an item's encoding at `[from, to)`.
    function chain(bytes32 below, uint256 from, uint256 to) private pure returns (bytes32 h) {
        assembly ("memory-safe") {
            mstore(sub(from, 32), below)
            h := keccak256(sub(from, 32), add(sub(to, from), 32))
        }
    }

    /// @notice A scratch buffer for one item's encoding, 32 bytes in (room for `below`).
    function scratch() private pure returns (uint256 p) {
        assembly ("memory-safe") {
            p := add(mload(0x40), 32)
            // A frame's encoding is under 1 kB; trees it holds that the step built are
            // hashed while encoding, with memory above this buffer.
            mstore(0x40, add(p, 2048))
        }
    }

    function grow(HashStack memory s) private pure {
        if (s.top < s.items.length) return;
        uint256 n = s.items.length * 2 + 8;
        bytes32[] memory b = new bytes32[](n);
        uint256[] memory it = new uint256[](n);
        for (uint256 i = 0; i < s.top; ++i) {
            b[i] = s.belows[i];
            it[i] = s.items[i];
        }
        s.belows = b;
        s.items = it;
    }

    /// @notice Pushes an item whose encoding is at `[from, to)`.
    function pushEncoded(HashStack memory s, uint256 item, uint256 from, uint256 to) private pure {
        grow(s);
        s.belows[s.top] = s.head;
        s.items[s.top] = item;
        s.head = chain(s.head, from, to);
        s.top += 1;
        s.len += 1;
    }

    /// @notice Takes the top entry; reverts `Missing` if the witness lacks it. Returns the
    ///         item and whether it came with the witness (its chain must be checked).
    function take(HashStack memory s, uint256 at) private pure returns (uint256 item, bool carried, bytes32 below) {
        // An empty stack is a state no run pops (Rust: Inconsistent); a missing item is Missing.
        if (s.len == 0) revert IFaultVM.Inconsistent(3); // StepBase.EMPTY_STACK
        if (s.top == 0) revert IFaultVM.Missing(at);
        uint256 i = s.top - 1;
        item = s.items[i];
        below = s.belows[i];
        carried = s.top == s.carried;
        s.top = i;
        s.len -= 1;
        if (carried) {
            s.carried -= 1;
            s.tally.popped += 1;
        }
    }

    /// @notice Checks a carried item's chain and moves the head below it.
    function settle(HashStack memory s, bool carried, bytes32 below, uint256 from, uint256 to, uint256 at)
        private
        pure
    {
        if (carried && chain(below, from, to) != s.head) revert IFaultVM.Missing(at);
        s.head = below;
    }

    // ---- the EVM stack: words ---------------------------------------------------------

    /// @notice Pushes a word.
    function pushWord(HashStack memory s, uint256 v) internal pure {
        grow(s);
        bytes32 below = s.head;
        s.belows[s.top] = below;
        s.items[s.top] = v;
        bytes32 h;
        assembly ("memory-safe") {
            mstore(0, below)
            mstore(32, v)
            h := keccak256(0, 64)
        }
        s.head = h;
        s.top += 1;
        s.len += 1;
    }

    /// @notice Pops a word (`at`: the witness offset errors report).
    function popWord(HashStack memory s, uint256 at) internal pure returns (uint256 v) {
        (uint256 item, bool carried, bytes32 below) = take(s, at);
        if (carried) {
            bytes32 h;
            assembly ("memory-safe") {
                mstore(0, below)
                mstore(32, item)
                h := keccak256(0, 64)
            }
            if (h != s.head) revert IFaultVM.Missing(at);
        }
        s.head = below;
        return item;
    }

    /// @notice The word `depth` items below the top (0: the top), if the witness holds it.
    function peekWord(HashStack memory s, uint256 depth, uint256 at) internal pure returns (uint256) {
        if (depth >= s.top) revert IFaultVM.Missing(at);
        return s.items[s.top - 1 - depth];
    }

    // ---- typed stacks ------------------------------------------------------------------

    function pushFrame(HashStack memory s, Frame memory f) internal pure {
        uint256 p = scratch();
        uint256 q = Commitment.putFrame(p, f);
        uint256 item;
        assembly ("memory-safe") {
            item := f
        }
        pushEncoded(s, item, p, q);
    }

    function popFrame(HashStack memory s, uint256 at) internal pure returns (Frame memory f) {
        (uint256 item, bool carried, bytes32 below) = take(s, at);
        assembly ("memory-safe") {
            f := item
        }
        uint256 p = scratch();
        settle(s, carried, below, p, carried ? Commitment.putFrame(p, f) : p, at);
    }

    function pushUndo(HashStack memory s, Undo memory u) internal pure {
        uint256 p = scratch();
        uint256 q = Commitment.putUndo(p, u);
        uint256 item;
        assembly ("memory-safe") {
            item := u
        }
        pushEncoded(s, item, p, q);
    }

    function popUndo(HashStack memory s, uint256 at) internal pure returns (Undo memory u) {
        (uint256 item, bool carried, bytes32 below) = take(s, at);
        assembly ("memory-safe") {
            u := item
        }
        uint256 p = scratch();
        settle(s, carried, below, p, carried ? Commitment.putUndo(p, u) : p, at);
    }

    function pushLog(HashStack memory s, LogItem memory l) internal pure {
        uint256 p = scratch();
        uint256 q = Commitment.putLog(p, l);
        uint256 item;
        assembly ("memory-safe") {
            item := l
        }
        pushEncoded(s, item, p, q);
    }

    function popLog(HashStack memory s, uint256 at) internal pure returns (LogItem memory l) {
        (uint256 item, bool carried, bytes32 below) = take(s, at);
        assembly ("memory-safe") {
            l := item
        }
        uint256 p = scratch();
        settle(s, carried, below, p, carried ? Commitment.putLog(p, l) : p, at);
    }

    function pushAddress(HashStack memory s, address a) internal pure {
        uint256 p = scratch();
        pushEncoded(s, uint160(a), p, Commitment.putA(p, a));
    }

    function popAddress(HashStack memory s, uint256 at) internal pure returns (address a) {
        (uint256 item, bool carried, bytes32 below) = take(s, at);
        a = address(uint160(item));
        uint256 p = scratch();
        settle(s, carried, below, p, carried ? Commitment.putA(p, a) : p, at);
    }

    function pushSlot(HashStack memory s, SlotRef memory r) internal pure {
        uint256 p = scratch();
        uint256 q = Commitment.putSlot(p, r);
        uint256 item;
        assembly ("memory-safe") {
            item := r
        }
        pushEncoded(s, item, p, q);
    }

    function popSlot(HashStack memory s, uint256 at) internal pure returns (SlotRef memory r) {
        (uint256 item, bool carried, bytes32 below) = take(s, at);
        assembly ("memory-safe") {
            r := item
        }
        uint256 p = scratch();
        settle(s, carried, below, p, carried ? Commitment.putSlot(p, r) : p, at);
    }

    /// @notice Empties the stack (the end of a transaction): head zero, length zero.
    function clear(HashStack memory s) internal pure {
        s.head = bytes32(0);
        s.len = 0;
        s.top = 0;
        s.carried = 0;
    }
}
