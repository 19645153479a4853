// SPDX-License-Identifier: MIT
pragma solidity ^0.8.24;

// Rust twin: crates/vm-core/src/step/input.rs (`open_chunk`, `zeros`, the `missing` and
// saturating arithmetic of the input steps), crates/primitives/src/chunked.rs (`CHUNK`,
// the chunked hash a chunk is opened against) and `item_depth` of
// crates/vm-core/src/inputs.rs. Vectors: docs/vectors/vm/l1-inputs.json (deposit-open*,
// deposit-data, tx-open-*, tx-chunk).

import {IFaultVM} from "../../interfaces/IFaultVM.sol";
import {Io} from "../Io.sol";
import {StepBase} from "../StepBase.sol";
import {Machine, Tree, ChunkCursor} from "../Machine.sol";

/// @title InputBase
/// @notice What the input steps share: opening a chunk of a chunked string, counting zero
///         bytes, u64 arithmetic as Rust saturates it.
library InputBase {
    /// @notice Bytes per chunk of the chunked hash: 32 keccak blocks, 136 words.
    uint256 internal constant CHUNK = 32 * 136;
    uint256 internal constant U64 = type(uint64).max;
    uint256 internal constant U32 = type(uint32).max;

    /// @notice `u64::saturating_add`.
    function sat(uint256 a, uint256 b) internal pure returns (uint256) {
        unchecked {
            uint256 c = a + b;
            return c > U64 ? U64 : c;
        }
    }

    /// @notice `u64::saturating_mul`.
    function satMul(uint256 a, uint256 b) internal pure returns (uint256) {
        unchecked {
            if (a == 0) return 0;
            return b > U64 / a ? U64 : a * b;
        }
    }

    /// @notice `Inconsistent(OTHER)`: a state no run reaches.
    function inconsistent() internal pure {
        unchecked {
            revert IFaultVM.Inconsistent(StepBase.OTHER);
        }
    }

    /// @notice `Missing` at the access the step took last (a preimage that does not parse).
    function missing(Machine memory m) internal pure {
        unchecked {
            uint256 i = m.accesses.next;
            revert IFaultVM.Missing(i == 0 ? m.accesses.end : m.accesses.ats[i - 1]);
        }
    }

    /// @notice `item_depth`: ⌈log2 itemCount⌉ (0 for at most one item).
    function itemDepth(uint256 itemCount) internal pure returns (uint256 d) {
        unchecked {
            if (itemCount <= 1) return 0;
            uint256 v = itemCount - 1;
            while (v != 0) {
                ++d;
                v >>= 1;
            }
        }
    }

    /// @notice `zeros`: the zero bytes of `b[from, to)`, a word at a time.
    function zeros(bytes memory b, uint256 from, uint256 to) internal pure returns (uint256 n) {
        unchecked {
            assembly ("memory-safe") {
                let lo7 := 0x7f7f7f7f7f7f7f7f7f7f7f7f7f7f7f7f7f7f7f7f7f7f7f7f7f7f7f7f7f7f7f7f
                let ones := 0x0101010101010101010101010101010101010101010101010101010101010101
                let p := add(add(b, 32), from)
                let end := add(add(b, 32), to)
                for {} lt(p, end) { p := add(p, 32) } {
                    let x := mload(p)
                    let left := sub(end, p)
                    // Bytes past the range count as non-zero.
                    if lt(left, 32) { x := or(x, shr(shl(3, left), not(0))) }
                    // High bit of each byte set exactly where the byte is zero.
                    let y := not(or(or(add(and(x, lo7), lo7), x), lo7))
                    n := add(n, shr(248, mul(shr(7, y), ones)))
                }
            }
        }
    }

    /// @notice `open_chunk`: the chunk at `c` of a chunked string, opened against
    ///         `c.expected` by its preimage (the chunk, and the next chunk's hash unless
    ///         it is the last) and written into `t` at `c.at`; the chunk's bytes and the
    ///         cursor after it (`more == false` after the last).
    function openChunk(Machine memory m, Tree memory t, ChunkCursor memory c)
        internal
        pure
        returns (bytes memory bytes_, bool more, ChunkCursor memory next)
    {
        unchecked {
            if (c.at >= c.len) inconsistent();
            uint256 left = c.len - c.at;
            uint256 n = left < CHUNK ? left : CHUNK;
            bool last = left <= CHUNK;
            (uint256 at, uint256 len) = Io.preimage(m.accesses, c.expected);
            if (len != (last ? n : n + 32)) missing(m);
            bytes_ = new bytes(n);
            bytes32 h;
            assembly ("memory-safe") {
                calldatacopy(add(bytes_, 32), at, n)
                h := calldataload(add(at, n))
            }
            Io.write(m.accesses, t, c.at, bytes_);
            if (!last) {
                more = true;
                next = ChunkCursor(h, c.at + n, c.len);
            }
        }
    }
}
