// SPDX-License-Identifier: MIT
pragma solidity ^0.8.24;

// The keccak256 sponge a pending hash keeps between its steps (docs/fault-vm.md, "Byte
// encodings" → Sponge: 25 little-endian u64 lanes, 200 bytes). Rust twin:
// crates/vm-core/src/sponge.rs (`Sponge::absorb`, `Sponge::finish`); vectors: `hash` of
// docs/vectors/vm/steps.json and the unit tests of contracts/test/vm/FrameSteps.t.sol.
//
// INTERIM: the shared sponge (contracts/src/vm/lib/Sponge.sol, lib/KeccakF.sol) is being
// written elsewhere; this library is the one place the frame module reaches it, with a
// plain keccak-f[1600] of its own until then.

/// @title FrameSponge
/// @notice Absorbing whole keccak blocks into a sponge's 200-byte encoding, and the last
///         bytes with keccak's padding.
library FrameSponge {
    /// @notice keccak256's rate: bytes absorbed per permutation.
    uint256 internal constant RATE = 136;

    /// @notice `Sponge::absorb`: absorbs `data` (a multiple of `RATE` bytes) into the
    ///         sponge `s` (its 200-byte encoding, changed in place).
    function absorb(bytes memory s, bytes memory data) internal pure {
        uint256[25] memory a = lanes(s);
        uint256 n = data.length / RATE;
        uint256 p;
        assembly ("memory-safe") {
            p := add(data, 32)
        }
        for (uint256 k = 0; k < n; ++k) {
            xorBlock(a, p + k * RATE);
            permute(a);
        }
        store(a, s);
    }

    /// @notice `Sponge::finish`: absorbs `tail` (any length), pads (`0x01 … 0x80`) and
    ///         returns the hash; `s` is left with the final state.
    function finish(bytes memory s, bytes memory tail) internal pure returns (bytes32 h) {
        uint256[25] memory a = lanes(s);
        uint256 n = tail.length / RATE;
        uint256 p;
        assembly ("memory-safe") {
            p := add(tail, 32)
        }
        for (uint256 k = 0; k < n; ++k) {
            xorBlock(a, p + k * RATE);
            permute(a);
        }
        bytes memory last = new bytes(RATE);
        uint256 rest = tail.length - n * RATE;
        uint256 q;
        assembly ("memory-safe") {
            q := add(last, 32)
            mcopy(q, add(p, mul(n, 136)), rest)
        }
        last[rest] = bytes1(uint8(last[rest]) ^ 0x01);
        last[RATE - 1] = bytes1(uint8(last[RATE - 1]) ^ 0x80);
        xorBlock(a, q);
        permute(a);
        store(a, s);
        assembly ("memory-safe") {
            h := mload(add(s, 32))
        }
    }

    /// @notice The 64-bit byte swap (a little-endian lane's bytes ↔ its value).
    function swap(uint256 x) private pure returns (uint256 y) {
        assembly ("memory-safe") {
            y := or(shl(8, and(x, 0x00ff00ff00ff00ff)), and(shr(8, x), 0x00ff00ff00ff00ff))
            y := or(shl(16, and(y, 0x0000ffff0000ffff)), and(shr(16, y), 0x0000ffff0000ffff))
            y := and(or(shl(32, y), shr(32, y)), 0xffffffffffffffff)
        }
    }

    /// @notice The lanes of an encoding.
    function lanes(bytes memory s) private pure returns (uint256[25] memory a) {
        for (uint256 i = 0; i < 25; ++i) {
            uint256 w;
            assembly ("memory-safe") {
                w := shr(192, mload(add(add(s, 32), shl(3, i))))
            }
            a[i] = swap(w);
        }
    }

    /// @notice Writes the lanes back into the encoding.
    function store(uint256[25] memory a, bytes memory s) private pure {
        for (uint256 i = 0; i < 25; ++i) {
            uint256 w = swap(a[i]);
            uint256 at;
            assembly ("memory-safe") {
                at := add(add(s, 32), shl(3, i))
            }
            bytes8 b = bytes8(uint64(w));
            assembly ("memory-safe") {
                mstore(at, or(b, and(mload(at), shr(64, not(0)))))
            }
        }
    }

    /// @notice XORs the block of `RATE` bytes at memory `p` into the first 17 lanes.
    function xorBlock(uint256[25] memory a, uint256 p) private pure {
        for (uint256 i = 0; i < 17; ++i) {
            uint256 w;
            assembly ("memory-safe") {
                w := shr(192, mload(add(p, shl(3, i))))
            }
            a[i] ^= swap(w);
        }
    }

    /// @notice keccak-f[1600] on the 25 lanes (lane (x, y) at `x + 5y`), in place.
    function permute(uint256[25] memory a) internal pure {
        assembly ("memory-safe") {
            // Scratch above the free memory pointer: the round constants, then B.
            let t := mload(0x40)
            mstore(add(t, 0), 0x00000000000000010000000000008082800000000000808a8000000080008000)
            mstore(add(t, 32), 0x000000000000808b000000008000000180000000800080818000000000008009)
            mstore(add(t, 64), 0x000000000000008a00000000000000880000000080008009000000008000000a)
            mstore(add(t, 96), 0x000000008000808b800000000000008b80000000000080898000000000008003)
            mstore(add(t, 128), 0x80000000000080028000000000000080000000000000800a800000008000000a)
            mstore(add(t, 160), 0x8000000080008081800000000000808000000000800000018000000080008008)
            let b := add(t, 192)
            for { let r := 0 } lt(r, 24) { r := add(r, 1) } {
                let c0 := xor(xor(xor(xor(mload(add(a, 0)), mload(add(a, 160))), mload(add(a, 320))), mload(add(a, 480))), mload(add(a, 640)))
                let c1 := xor(xor(xor(xor(mload(add(a, 32)), mload(add(a, 192))), mload(add(a, 352))), mload(add(a, 512))), mload(add(a, 672)))
                let c2 := xor(xor(xor(xor(mload(add(a, 64)), mload(add(a, 224))), mload(add(a, 384))), mload(add(a, 544))), mload(add(a, 704)))
                let c3 := xor(xor(xor(xor(mload(add(a, 96)), mload(add(a, 256))), mload(add(a, 416))), mload(add(a, 576))), mload(add(a, 736)))
                let c4 := xor(xor(xor(xor(mload(add(a, 128)), mload(add(a, 288))), mload(add(a, 448))), mload(add(a, 608))), mload(add(a, 768)))
                let d0 := xor(c4, and(or(shl(1, c1), shr(63, c1)), 0xffffffffffffffff))
                let d1 := xor(c0, and(or(shl(1, c2), shr(63, c2)), 0xffffffffffffffff))
                let d2 := xor(c1, and(or(shl(1, c3), shr(63, c3)), 0xffffffffffffffff))
                let d3 := xor(c2, and(or(shl(1, c4), shr(63, c4)), 0xffffffffffffffff))
                let d4 := xor(c3, and(or(shl(1, c0), shr(63, c0)), 0xffffffffffffffff))
                mstore(add(b, 0), xor(mload(add(a, 0)), d0))
                { let v := xor(mload(add(a, 32)), d1) mstore(add(b, 320), and(or(shl(1, v), shr(63, v)), 0xffffffffffffffff)) }
                { let v := xor(mload(add(a, 64)), d2) mstore(add(b, 640), and(or(shl(62, v), shr(2, v)), 0xffffffffffffffff)) }
                { let v := xor(mload(add(a, 96)), d3) mstore(add(b, 160), and(or(shl(28, v), shr(36, v)), 0xffffffffffffffff)) }
                { let v := xor(mload(add(a, 128)), d4) mstore(add(b, 480), and(or(shl(27, v), shr(37, v)), 0xffffffffffffffff)) }
                { let v := xor(mload(add(a, 160)), d0) mstore(add(b, 512), and(or(shl(36, v), shr(28, v)), 0xffffffffffffffff)) }
                { let v := xor(mload(add(a, 192)), d1) mstore(add(b, 32), and(or(shl(44, v), shr(20, v)), 0xffffffffffffffff)) }
                { let v := xor(mload(add(a, 224)), d2) mstore(add(b, 352), and(or(shl(6, v), shr(58, v)), 0xffffffffffffffff)) }
                { let v := xor(mload(add(a, 256)), d3) mstore(add(b, 672), and(or(shl(55, v), shr(9, v)), 0xffffffffffffffff)) }
                { let v := xor(mload(add(a, 288)), d4) mstore(add(b, 192), and(or(shl(20, v), shr(44, v)), 0xffffffffffffffff)) }
                { let v := xor(mload(add(a, 320)), d0) mstore(add(b, 224), and(or(shl(3, v), shr(61, v)), 0xffffffffffffffff)) }
                { let v := xor(mload(add(a, 352)), d1) mstore(add(b, 544), and(or(shl(10, v), shr(54, v)), 0xffffffffffffffff)) }
                { let v := xor(mload(add(a, 384)), d2) mstore(add(b, 64), and(or(shl(43, v), shr(21, v)), 0xffffffffffffffff)) }
                { let v := xor(mload(add(a, 416)), d3) mstore(add(b, 384), and(or(shl(25, v), shr(39, v)), 0xffffffffffffffff)) }
                { let v := xor(mload(add(a, 448)), d4) mstore(add(b, 704), and(or(shl(39, v), shr(25, v)), 0xffffffffffffffff)) }
                { let v := xor(mload(add(a, 480)), d0) mstore(add(b, 736), and(or(shl(41, v), shr(23, v)), 0xffffffffffffffff)) }
                { let v := xor(mload(add(a, 512)), d1) mstore(add(b, 256), and(or(shl(45, v), shr(19, v)), 0xffffffffffffffff)) }
                { let v := xor(mload(add(a, 544)), d2) mstore(add(b, 576), and(or(shl(15, v), shr(49, v)), 0xffffffffffffffff)) }
                { let v := xor(mload(add(a, 576)), d3) mstore(add(b, 96), and(or(shl(21, v), shr(43, v)), 0xffffffffffffffff)) }
                { let v := xor(mload(add(a, 608)), d4) mstore(add(b, 416), and(or(shl(8, v), shr(56, v)), 0xffffffffffffffff)) }
                { let v := xor(mload(add(a, 640)), d0) mstore(add(b, 448), and(or(shl(18, v), shr(46, v)), 0xffffffffffffffff)) }
                { let v := xor(mload(add(a, 672)), d1) mstore(add(b, 768), and(or(shl(2, v), shr(62, v)), 0xffffffffffffffff)) }
                { let v := xor(mload(add(a, 704)), d2) mstore(add(b, 288), and(or(shl(61, v), shr(3, v)), 0xffffffffffffffff)) }
                { let v := xor(mload(add(a, 736)), d3) mstore(add(b, 608), and(or(shl(56, v), shr(8, v)), 0xffffffffffffffff)) }
                { let v := xor(mload(add(a, 768)), d4) mstore(add(b, 128), and(or(shl(14, v), shr(50, v)), 0xffffffffffffffff)) }
                mstore(add(a, 0), xor(mload(add(b, 0)), and(not(mload(add(b, 32))), mload(add(b, 64)))))
                mstore(add(a, 32), xor(mload(add(b, 32)), and(not(mload(add(b, 64))), mload(add(b, 96)))))
                mstore(add(a, 64), xor(mload(add(b, 64)), and(not(mload(add(b, 96))), mload(add(b, 128)))))
                mstore(add(a, 96), xor(mload(add(b, 96)), and(not(mload(add(b, 128))), mload(add(b, 0)))))
                mstore(add(a, 128), xor(mload(add(b, 128)), and(not(mload(add(b, 0))), mload(add(b, 32)))))
                mstore(add(a, 160), xor(mload(add(b, 160)), and(not(mload(add(b, 192))), mload(add(b, 224)))))
                mstore(add(a, 192), xor(mload(add(b, 192)), and(not(mload(add(b, 224))), mload(add(b, 256)))))
                mstore(add(a, 224), xor(mload(add(b, 224)), and(not(mload(add(b, 256))), mload(add(b, 288)))))
                mstore(add(a, 256), xor(mload(add(b, 256)), and(not(mload(add(b, 288))), mload(add(b, 160)))))
                mstore(add(a, 288), xor(mload(add(b, 288)), and(not(mload(add(b, 160))), mload(add(b, 192)))))
                mstore(add(a, 320), xor(mload(add(b, 320)), and(not(mload(add(b, 352))), mload(add(b, 384)))))
                mstore(add(a, 352), xor(mload(add(b, 352)), and(not(mload(add(b, 384))), mload(add(b, 416)))))
                mstore(add(a, 384), xor(mload(add(b, 384)), and(not(mload(add(b, 416))), mload(add(b, 448)))))
                mstore(add(a, 416), xor(mload(add(b, 416)), and(not(mload(add(b, 448))), mload(add(b, 320)))))
                mstore(add(a, 448), xor(mload(add(b, 448)), and(not(mload(add(b, 320))), mload(add(b, 352)))))
                mstore(add(a, 480), xor(mload(add(b, 480)), and(not(mload(add(b, 512))), mload(add(b, 544)))))
                mstore(add(a, 512), xor(mload(add(b, 512)), and(not(mload(add(b, 544))), mload(add(b, 576)))))
                mstore(add(a, 544), xor(mload(add(b, 544)), and(not(mload(add(b, 576))), mload(add(b, 608)))))
                mstore(add(a, 576), xor(mload(add(b, 576)), and(not(mload(add(b, 608))), mload(add(b, 480)))))
                mstore(add(a, 608), xor(mload(add(b, 608)), and(not(mload(add(b, 480))), mload(add(b, 512)))))
                mstore(add(a, 640), xor(mload(add(b, 640)), and(not(mload(add(b, 672))), mload(add(b, 704)))))
                mstore(add(a, 672), xor(mload(add(b, 672)), and(not(mload(add(b, 704))), mload(add(b, 736)))))
                mstore(add(a, 704), xor(mload(add(b, 704)), and(not(mload(add(b, 736))), mload(add(b, 768)))))
                mstore(add(a, 736), xor(mload(add(b, 736)), and(not(mload(add(b, 768))), mload(add(b, 640)))))
                mstore(add(a, 768), xor(mload(add(b, 768)), and(not(mload(add(b, 640))), mload(add(b, 672)))))

                mstore(a, xor(mload(a), and(shr(sub(192, shl(6, and(r, 3))), mload(add(t, shl(5, shr(2, r))))), 0xffffffffffffffff)))
            }
        }
    }
}
