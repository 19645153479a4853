// SPDX-License-Identifier: MIT
pragma solidity ^0.8.24;

// Rust twin: crates/vm-core/src/sponge.rs (`Sponge`, `Absorber`; decoded by `sponge` and
// `absorber` in crates/vm-core/src/witness.rs). Vectors: docs/vectors/vm/sponge.json.

import {KeccakF} from "./KeccakF.sol";
import {WitnessReader} from "./WitnessReader.sol";

/// @title Sponge
/// @notice keccak256 taken in pieces (docs/fault-vm.md, "Micro-steps" and "Byte
///         encodings" → Sponge): the 25-lane state between the verifier's Hash, TxChunk
///         and TxSignHash steps, and the absorber (a sponge and the bytes, fewer than a
///         block, not yet absorbed) that takes bytes in any pieces. A sponge is a
///         `uint256[25]` of u64 lanes (lane (x, y) in word x + 5y), its encoding 200 bytes:
///         the lanes little-endian. An absorber's encoding is `sponge:200 ‖ bufLen:u8
///         (≤ 135) ‖ buf`.
/// @dev Blocks are absorbed into KeccakF's workspace between one `enter` and one `leave`
///      (no Solidity memory use in between), so a run of blocks pays the workspace's set-up
///      once. Input bytes in low memory are copied above the saved workspace first.
library Sponge {
    using WitnessReader for WitnessReader.Cursor;

    /// @notice keccak256's rate: bytes absorbed per permutation.
    uint256 internal constant RATE = 136;

    /// @notice The encoding's size.
    uint256 internal constant ENCODED = 200;

    /// @notice A sponge taking bytes in any pieces (Rust's `Absorber`).
    /// @param sponge The sponge after the whole blocks so far.
    /// @param buf The bytes after them (fewer than `RATE`).
    struct Absorber {
        uint256[25] sponge;
        bytes buf;
    }

    /// @notice `absorb` was given bytes that are not whole blocks (a bug of the caller,
    ///         never of a witness: Rust's `Sponge::absorb` asserts the same).
    /// @param length The length given.
    error NotWholeBlocks(uint256 length);

    // ---------------------------------------------------------------- the sponge

    /// @notice Absorbs whole blocks (Rust's `Sponge::absorb`).
    /// @param s The sponge, updated in place.
    /// @param data The bytes: a multiple of `RATE` long.
    function absorb(uint256[25] memory s, bytes memory data) internal pure {
        uint256 p;
        assembly ("memory-safe") {
            p := add(data, 32)
        }
        absorb(s, p, data.length);
    }

    /// @notice Absorbs whole blocks from memory (Rust's `Sponge::absorb`).
    /// @param s The sponge, updated in place.
    /// @param p The first byte's memory offset.
    /// @param n The byte count: a multiple of `RATE`.
    function absorb(uint256[25] memory s, uint256 p, uint256 n) internal pure {
        if (n % RATE != 0) revert NotWholeBlocks(n);
        if (n == 0) return;
        uint256 save = KeccakF.scratch(_max(p + n, _end(s)));
        p = _lift(p, n, save);
        KeccakF.enter(s, save);
        _blocks(p, n / RATE);
        KeccakF.leave(s, save);
    }

    /// @notice Absorbs whole blocks from calldata (Rust's `Sponge::absorb`).
    /// @param s The sponge, updated in place.
    /// @param data The bytes: a multiple of `RATE` long.
    function absorbCalldata(uint256[25] memory s, bytes calldata data) internal pure {
        uint256 n = data.length;
        if (n % RATE != 0) revert NotWholeBlocks(n);
        if (n == 0) return;
        uint256 save = KeccakF.scratch(_end(s));
        KeccakF.enter(s, save);
        uint256 off;
        assembly ("memory-safe") {
            off := data.offset
        }
        unchecked {
            for (uint256 i = 0; i < n; i += RATE) {
                _xorCalldata(off + i);
                KeccakF.core();
            }
        }
        KeccakF.leave(s, save);
    }

    /// @notice Absorbs the last bytes (any length), pads (keccak's `0x01 … 0x80`) and
    ///         returns the hash (Rust's `Sponge::finish`). `s` is left as it was.
    /// @param s The sponge.
    /// @param tail The last bytes.
    /// @return The keccak256 of everything the sponge took and `tail`.
    function finish(uint256[25] memory s, bytes memory tail) internal pure returns (bytes32) {
        uint256 p;
        assembly ("memory-safe") {
            p := add(tail, 32)
        }
        return finish(s, p, tail.length);
    }

    /// @notice `finish` of the `n` bytes at memory offset `p`.
    /// @param s The sponge (left as it was).
    /// @param p The tail's first byte.
    /// @param n The tail's length.
    /// @return The keccak256 of everything the sponge took and the tail.
    function finish(uint256[25] memory s, uint256 p, uint256 n) internal pure returns (bytes32) {
        uint256 save = KeccakF.scratch(_max(p + n, _end(s)));
        uint256 q = save + KeccakF.SCRATCH;
        assembly ("memory-safe") {
            mcopy(q, p, n)
        }
        return _finishAt(s, save, q, n);
    }

    /// @notice `finish` of a tail in calldata.
    /// @param s The sponge (left as it was).
    /// @param tail The last bytes.
    /// @return The keccak256 of everything the sponge took and `tail`.
    function finishCalldata(uint256[25] memory s, bytes calldata tail) internal pure returns (bytes32) {
        uint256 save = KeccakF.scratch(_end(s));
        uint256 q = save + KeccakF.SCRATCH;
        uint256 n = tail.length;
        assembly ("memory-safe") {
            calldatacopy(q, tail.offset, n)
        }
        return _finishAt(s, save, q, n);
    }

    // ---------------------------------------------------------------- the absorber

    /// @notice Takes `data`: whole blocks are absorbed, the rest is kept (Rust's
    ///         `Absorber::update`).
    /// @dev Rust fills the buffer to a block, absorbs it, then the whole blocks of the
    ///      rest, and keeps what is left; that is absorbing the whole blocks of
    ///      `buf ‖ data` and keeping its last `(buf + data) mod RATE` bytes, which is what
    ///      this does (one workspace entry for all the blocks).
    /// @param a The absorber, updated in place.
    /// @param data The bytes.
    function update(Absorber memory a, bytes memory data) internal pure {
        uint256 p;
        assembly ("memory-safe") {
            p := add(data, 32)
        }
        bytes memory buf = a.buf;
        uint256 b = buf.length;
        uint256 n = data.length;
        uint256 total = b + n;
        if (total < RATE) {
            a.buf = bytes.concat(buf, data);
            return;
        }
        uint256 bufEnd;
        assembly ("memory-safe") {
            bufEnd := add(add(buf, 32), b)
        }
        uint256 save = KeccakF.scratch(_max(_max(p + n, bufEnd), _end(a.sponge)));
        uint256 q = save + KeccakF.SCRATCH;
        assembly ("memory-safe") {
            mcopy(q, add(buf, 32), b)
            mcopy(add(q, b), p, n)
        }
        _updateAt(a, save, q, total);
    }

    /// @notice `update` with bytes from calldata.
    /// @param a The absorber, updated in place.
    /// @param data The bytes.
    function updateCalldata(Absorber memory a, bytes calldata data) internal pure {
        bytes memory buf = a.buf;
        uint256 b = buf.length;
        uint256 n = data.length;
        uint256 total = b + n;
        if (total < RATE) {
            a.buf = bytes.concat(buf, data);
            return;
        }
        uint256 bufEnd;
        assembly ("memory-safe") {
            bufEnd := add(add(buf, 32), b)
        }
        uint256 save = KeccakF.scratch(_max(bufEnd, _end(a.sponge)));
        uint256 q = save + KeccakF.SCRATCH;
        assembly ("memory-safe") {
            mcopy(q, add(buf, 32), b)
            calldatacopy(add(q, b), data.offset, n)
        }
        _updateAt(a, save, q, total);
    }

    /// @notice The keccak256 of everything taken (Rust's `Absorber::finish`).
    /// @param a The absorber (left as it was).
    /// @return The hash.
    function finish(Absorber memory a) internal pure returns (bytes32) {
        return finish(a.sponge, a.buf);
    }

    // ---------------------------------------------------------------- encodings

    /// @notice Reads a sponge's 200-byte encoding (25 little-endian u64 lanes; Rust's
    ///         `sponge` in witness.rs).
    /// @param c The cursor (advanced; `Malformed` if fewer than 200 bytes are left).
    /// @return s The lanes.
    function read(WitnessReader.Cursor memory c) internal pure returns (uint256[25] memory s) {
        uint256 at = c.skip(ENCODED);
        assembly ("memory-safe") {
            let m := 0xffffffffffffffff
            for { let k := 0 } lt(k, 0xc0) { k := add(k, 0x20) } {
                let w := _swap(calldataload(add(at, k)))
                let o := add(s, shl(2, k))
                mstore(o, shr(192, w))
                mstore(add(o, 0x20), and(shr(128, w), m))
                mstore(add(o, 0x40), and(shr(64, w), m))
                mstore(add(o, 0x60), and(w, m))
            }
            mstore(add(s, 0x300), shr(192, _swap(calldataload(add(at, 0xc0)))))

            // Each 64-bit quarter of `w` byte-reversed.
            function _swap(w) -> r {
                let m8 := 0x00ff00ff00ff00ff00ff00ff00ff00ff00ff00ff00ff00ff00ff00ff00ff00ff
                w := or(shl(8, and(w, m8)), and(shr(8, w), m8))
                let m16 := 0x0000ffff0000ffff0000ffff0000ffff0000ffff0000ffff0000ffff0000ffff
                w := or(shl(16, and(w, m16)), and(shr(16, w), m16))
                let m32 := 0x00000000ffffffff00000000ffffffff00000000ffffffff00000000ffffffff
                r := or(shl(32, and(w, m32)), and(shr(32, w), m32))
            }
        }
    }

    /// @notice Appends a sponge's 200-byte encoding at `out` (Rust's `Sponge::encode`).
    ///         The bytes after the 200 are left as they were.
    /// @param s The lanes (each below 2^64; higher bits are ignored).
    /// @param out Where the encoding goes.
    /// @return The offset after it (`out + 200`).
    function write(uint256[25] memory s, uint256 out) internal pure returns (uint256) {
        assembly ("memory-safe") {
            let m := 0xffffffffffffffff
            for { let k := 0 } lt(k, 0xc0) { k := add(k, 0x20) } {
                let o := add(s, shl(2, k))
                let w :=
                    or(
                        or(shl(192, and(mload(o), m)), shl(128, and(mload(add(o, 0x20)), m))),
                        or(shl(64, and(mload(add(o, 0x40)), m)), and(mload(add(o, 0x60)), m))
                    )
                mstore(add(out, k), _swap(w))
            }
            let last := add(out, 0xc0)
            mstore(last, or(_swap(shl(192, and(mload(add(s, 0x300)), m))), and(mload(last), sub(shl(192, 1), 1))))

            function _swap(w) -> r {
                let m8 := 0x00ff00ff00ff00ff00ff00ff00ff00ff00ff00ff00ff00ff00ff00ff00ff00ff
                w := or(shl(8, and(w, m8)), and(shr(8, w), m8))
                let m16 := 0x0000ffff0000ffff0000ffff0000ffff0000ffff0000ffff0000ffff0000ffff
                w := or(shl(16, and(w, m16)), and(shr(16, w), m16))
                let m32 := 0x00000000ffffffff00000000ffffffff00000000ffffffff00000000ffffffff
                r := or(shl(32, and(w, m32)), and(shr(32, w), m32))
            }
        }
        return out + ENCODED;
    }

    /// @notice Reads an absorber's encoding `sponge:200 ‖ bufLen:u8 (≤ 135) ‖ buf`
    ///         (Rust's `absorber` in witness.rs): a longer buffer, or one past the
    ///         witness's end, is `Malformed`.
    /// @param c The cursor (advanced).
    /// @return a The absorber.
    function readAbsorber(WitnessReader.Cursor memory c) internal pure returns (Absorber memory a) {
        a.sponge = read(c);
        uint256 n = c.u8();
        c.count(n, RATE - 1, 1);
        a.buf = c.bytesN(n);
    }

    /// @notice Appends an absorber's encoding at `out` (Rust's `Absorber::encode`).
    /// @param a The absorber (its buffer fewer than `RATE` bytes, as `update` keeps it).
    /// @param out Where the encoding goes.
    /// @return The offset after it.
    function writeAbsorber(Absorber memory a, uint256 out) internal pure returns (uint256) {
        out = write(a.sponge, out);
        bytes memory buf = a.buf;
        uint256 n = buf.length;
        assembly ("memory-safe") {
            mstore8(out, n)
            mcopy(add(out, 1), add(buf, 32), n)
        }
        return out + 1 + n;
    }

    // ---------------------------------------------------------------- internals

    /// @dev Pads the `n` bytes at `q` (above the workspace's save area) to whole blocks,
    ///      absorbs them into `s`'s lanes and squeezes the hash.
    function _finishAt(uint256[25] memory s, uint256 save, uint256 q, uint256 n) private pure returns (bytes32) {
        uint256 padded = (n / RATE + 1) * RATE;
        assembly ("memory-safe") {
            calldatacopy(add(q, n), calldatasize(), sub(padded, n))
            mstore8(add(q, n), 0x01)
            let last := add(q, sub(padded, 1))
            mstore8(last, or(byte(0, mload(last)), 0x80))
        }
        KeccakF.enter(s, save);
        _blocks(q, padded / RATE);
        return KeccakF.squeeze(save);
    }

    /// @dev Absorbs the whole blocks of the `total` bytes at `q` into `a` and keeps the
    ///      rest as its buffer.
    function _updateAt(Absorber memory a, uint256 save, uint256 q, uint256 total) private pure {
        uint256 whole = total - total % RATE;
        // The lanes' pointer is read before the workspace covers `a` (it may be low).
        uint256[25] memory s = a.sponge;
        KeccakF.enter(s, save);
        _blocks(q, whole / RATE);
        KeccakF.leave(s, save);
        uint256 rest = total - whole;
        bytes memory buf = new bytes(rest);
        assembly ("memory-safe") {
            mcopy(add(buf, 32), add(q, whole), rest)
        }
        a.buf = buf;
    }

    /// @dev Absorbs `count` blocks from memory at `p` (not below the workspace) into the
    ///      entered workspace.
    function _blocks(uint256 p, uint256 count) private pure {
        unchecked {
            for (uint256 i = 0; i < count; ++i) {
                _xorMemory(p + i * RATE);
                KeccakF.core();
            }
        }
    }

    /// @dev Where to read `n` bytes at `p` from once the workspace is entered: in place,
    ///      or (when they start below the workspace's end) a copy above the save area.
    function _lift(uint256 p, uint256 n, uint256 save) private pure returns (uint256) {
        if (p >= KeccakF.WORKSPACE) return p;
        uint256 q = save + KeccakF.SCRATCH;
        assembly ("memory-safe") {
            mcopy(q, p, n)
        }
        return q;
    }

    /// @dev XORs the block at memory offset `p` into the workspace's lanes 0..16 (held
    ///      spread, see KeccakF: lane times 2^192 + 2^128 + 2^64 + 1).
    function _xorMemory(uint256 p) private pure {
        assembly {
            let m := 0xffffffffffffffff
            let k4 := 0x1000000000000000100000000000000010000000000000001
            for { let k := 0 } lt(k, 0x80) { k := add(k, 0x20) } {
                let w := _swap(mload(add(p, k)))
                let o := shl(2, k)
                mstore(o, xor(mload(o), mul(shr(192, w), k4)))
                mstore(add(o, 0x20), xor(mload(add(o, 0x20)), mul(and(shr(128, w), m), k4)))
                mstore(add(o, 0x40), xor(mload(add(o, 0x40)), mul(and(shr(64, w), m), k4)))
                mstore(add(o, 0x60), xor(mload(add(o, 0x60)), mul(and(w, m), k4)))
            }
            mstore(0x200, xor(mload(0x200), mul(shr(192, _swap(mload(add(p, 0x80)))), k4)))

            function _swap(w) -> r {
                let m8 := 0x00ff00ff00ff00ff00ff00ff00ff00ff00ff00ff00ff00ff00ff00ff00ff00ff
                w := or(shl(8, and(w, m8)), and(shr(8, w), m8))
                let m16 := 0x0000ffff0000ffff0000ffff0000ffff0000ffff0000ffff0000ffff0000ffff
                w := or(shl(16, and(w, m16)), and(shr(16, w), m16))
                let m32 := 0x00000000ffffffff00000000ffffffff00000000ffffffff00000000ffffffff
                r := or(shl(32, and(w, m32)), and(shr(32, w), m32))
            }
        }
    }

    /// @dev `_xorMemory` of the block at calldata offset `p`.
    function _xorCalldata(uint256 p) private pure {
        assembly {
            let m := 0xffffffffffffffff
            let k4 := 0x1000000000000000100000000000000010000000000000001
            for { let k := 0 } lt(k, 0x80) { k := add(k, 0x20) } {
                let w := _swap(calldataload(add(p, k)))
                let o := shl(2, k)
                mstore(o, xor(mload(o), mul(shr(192, w), k4)))
                mstore(add(o, 0x20), xor(mload(add(o, 0x20)), mul(and(shr(128, w), m), k4)))
                mstore(add(o, 0x40), xor(mload(add(o, 0x40)), mul(and(shr(64, w), m), k4)))
                mstore(add(o, 0x60), xor(mload(add(o, 0x60)), mul(and(w, m), k4)))
            }
            mstore(0x200, xor(mload(0x200), mul(shr(192, _swap(calldataload(add(p, 0x80)))), k4)))

            function _swap(w) -> r {
                let m8 := 0x00ff00ff00ff00ff00ff00ff00ff00ff00ff00ff00ff00ff00ff00ff00ff00ff
                w := or(shl(8, and(w, m8)), and(shr(8, w), m8))
                let m16 := 0x0000ffff0000ffff0000ffff0000ffff0000ffff0000ffff0000ffff0000ffff
                w := or(shl(16, and(w, m16)), and(shr(16, w), m16))
                let m32 := 0x00000000ffffffff00000000ffffffff00000000ffffffff00000000ffffffff
                r := or(shl(32, and(w, m32)), and(shr(32, w), m32))
            }
        }
    }

    /// @dev The memory offset after a sponge's lanes.
    function _end(uint256[25] memory s) private pure returns (uint256 e) {
        assembly ("memory-safe") {
            e := add(s, 0x320)
        }
    }

    function _max(uint256 x, uint256 y) private pure returns (uint256) {
        return x > y ? x : y;
    }
}
