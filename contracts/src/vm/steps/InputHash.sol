// SPDX-License-Identifier: MIT
pragma solidity ^0.8.24;

// Rust twin: `Absorber::update`, `Absorber::finish` and `Absorber::default` in
// crates/vm-core/src/sponge.rs, as the input steps use them (the transaction hash over an
// entry's chunks, the signing hash over its body), on lib/Sponge.sol. Vectors:
// docs/vectors/vm/l1-inputs.json (tx-open-eip1559-long-data, tx-open-high-s, tx-chunk,
// tx-sign-hash*, blob-tx-chunk-*).

import {Sponge} from "../lib/Sponge.sol";

/// @title InputHash
/// @notice The input steps' absorbers, held as their encodings `sponge:200 ‖ bufLen:u8 ‖
///         buf` (Machine.sol, `Entry.absorber`), taken through lib/Sponge.sol.
library InputHash {
    /// @notice `Absorber::default()`: the zero sponge and no kept bytes (201 zero bytes).
    function empty() internal pure returns (bytes memory) {
        return new bytes(201);
    }

    /// @notice `Absorber::update`: the absorber after taking `data`.
    function update(bytes memory ab, bytes memory data) internal pure returns (bytes memory out) {
        Sponge.Absorber memory a = decode(ab);
        Sponge.update(a, data);
        out = new bytes(201 + a.buf.length);
        uint256 w;
        assembly ("memory-safe") {
            w := add(out, 32)
        }
        Sponge.writeAbsorber(a, w);
    }

    /// @notice `Absorber::finish`: keccak256 of everything the absorber took.
    function finish(bytes memory ab) internal pure returns (bytes32) {
        return Sponge.finish(decode(ab));
    }

    /// @notice An absorber from its encoding in memory (the lanes little-endian; a buffer
    ///         of `bufLen` bytes, which the decoder bounded).
    function decode(bytes memory ab) private pure returns (Sponge.Absorber memory a) {
        uint256[25] memory s = a.sponge;
        uint256 n;
        assembly ("memory-safe") {
            let p := add(ab, 32)
            for { let k := 0 } lt(k, 25) { k := add(k, 1) } {
                let w := shr(192, mload(add(p, shl(3, k))))
                // The 8 bytes read big-endian, reversed.
                w := or(shl(8, and(w, 0x00ff00ff00ff00ff)), and(shr(8, w), 0x00ff00ff00ff00ff))
                w := or(shl(16, and(w, 0x0000ffff0000ffff)), and(shr(16, w), 0x0000ffff0000ffff))
                w := or(shl(32, and(w, 0x00000000ffffffff)), shr(32, w))
                mstore(add(s, shl(5, k)), w)
            }
            n := byte(0, mload(add(p, 200)))
        }
        bytes memory buf = new bytes(n);
        assembly ("memory-safe") {
            mcopy(add(buf, 32), add(ab, 233), n)
        }
        a.buf = buf;
    }
}
