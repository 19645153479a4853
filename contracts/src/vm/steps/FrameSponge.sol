// SPDX-License-Identifier: MIT
pragma solidity ^0.8.24;

// The keccak256 sponge a pending hash keeps between its steps (docs/fault-vm.md, "Byte
// encodings" → Sponge: 25 little-endian u64 lanes, 200 bytes), held by the machine as its
// encoding. Rust twin: crates/vm-core/src/sponge.rs (`Sponge::absorb`, `Sponge::finish`);
// vectors: `hash` of docs/vectors/vm/steps.json and the unit tests of
// contracts/test/vm/FrameSteps.t.sol.

import {Sponge} from "../lib/Sponge.sol";
import {SpongeCall} from "../lib/SpongeCall.sol";

/// @title FrameSponge
/// @notice lib/SpongeCall.sol (the KeccakEngine's permutations) over a sponge's 200-byte
///         encoding in memory, a pending hash's `sponge` field.
library FrameSponge {
    /// @notice `Sponge::absorb`: absorbs `data` (a multiple of 136 bytes) into the sponge
    ///         whose encoding is `s` (changed in place).
    function absorb(address engine, bytes memory s, bytes memory data) internal view {
        uint256[25] memory a = lanes(s);
        SpongeCall.absorb(engine, a, data);
        uint256 at;
        assembly ("memory-safe") {
            at := add(s, 32)
        }
        Sponge.write(a, at);
    }

    /// @notice `Sponge::finish`: absorbs `tail` (any length), pads and returns the hash.
    function finish(address engine, bytes memory s, bytes memory tail) internal view returns (bytes32) {
        return SpongeCall.finish(engine, lanes(s), tail);
    }

    /// @notice The lanes of a 200-byte encoding.
    function lanes(bytes memory s) internal pure returns (uint256[25] memory a) {
        assembly ("memory-safe") {
            let at := add(s, 32)
            for { let i := 0 } lt(i, 25) { i := add(i, 1) } {
                let x := shr(192, mload(add(at, shl(3, i))))
                x := or(shl(8, and(x, 0x00ff00ff00ff00ff)), and(shr(8, x), 0x00ff00ff00ff00ff))
                x := or(shl(16, and(x, 0x0000ffff0000ffff)), and(shr(16, x), 0x0000ffff0000ffff))
                x := and(or(shl(32, x), shr(32, x)), 0xffffffffffffffff)
                mstore(add(a, shl(5, i)), x)
            }
        }
    }
}
