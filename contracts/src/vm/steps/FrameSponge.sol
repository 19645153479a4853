// SPDX-License-Identifier: MIT
pragma solidity ^0.8.24;

// The keccak256 sponge a pending hash keeps between its steps (docs/fault-vm.md, "Byte
// encodings" → Sponge: 25 little-endian u64 lanes, 200 bytes), held by the machine as its
// encoding. Rust twin: crates/vm-core/src/sponge.rs (`Sponge::absorb`, `Sponge::finish`);
// vectors: `hash` of docs/vectors/vm/steps.json and the unit tests of
// contracts/test/vm/FrameSteps.t.sol.

import {Sponge} from "../lib/Sponge.sol";

/// @title FrameSponge
/// @notice lib/Sponge.sol over a sponge's 200-byte encoding in memory (a pending hash's
///         `sponge` field), run in its own contract (`SpongeRunner`): keccak-f's unrolled
///         rounds would take the frame module's micro-step contract over EIP-170.
library FrameSponge {
    /// @notice `Sponge::absorb`: absorbs `data` (a multiple of 136 bytes) into the sponge
    ///         whose encoding is `s` (changed in place), by the runner at `runner`.
    function absorb(address runner, bytes memory s, bytes memory data) internal view {
        bool ok;
        assembly ("memory-safe") {
            let p := mload(0x40)
            let n := mload(data)
            mstore8(p, 0)
            mcopy(add(p, 1), add(s, 32), 200)
            mcopy(add(p, 201), add(data, 32), n)
            ok := staticcall(gas(), runner, p, add(201, n), 0, 0)
            ok := and(ok, eq(returndatasize(), 200))
            if ok { returndatacopy(add(s, 32), 0, 200) }
        }
        if (!ok) revert();
    }

    /// @notice `Sponge::finish`: absorbs `tail` (any length), pads and returns the hash.
    function finish(address runner, bytes memory s, bytes memory tail) internal view returns (bytes32 h) {
        bool ok;
        assembly ("memory-safe") {
            let p := mload(0x40)
            let n := mload(tail)
            mstore8(p, 1)
            mcopy(add(p, 1), add(s, 32), 200)
            mcopy(add(p, 201), add(tail, 32), n)
            ok := staticcall(gas(), runner, p, add(201, n), 0, 32)
            ok := and(ok, eq(returndatasize(), 32))
            h := mload(0)
        }
        if (!ok) revert();
    }

    /// @notice The lanes of a 200-byte encoding at memory `at`.
    function lanes(uint256 at) internal pure returns (uint256[25] memory a) {
        assembly ("memory-safe") {
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

/// @title SpongeRunner
/// @notice Runs lib/Sponge.sol for FrameSponge. Calldata `op:u8 ‖ sponge:200 ‖ bytes`:
///         op 0 absorbs the bytes (whole blocks) and returns the sponge's 200 bytes; op 1
///         finishes with them and returns the hash. Anything else reverts, with no data
///         (the caller's bug, never a witness's: the frame module only asks for these).
contract SpongeRunner {
    fallback(bytes calldata input) external returns (bytes memory out) {
        if (input.length < 201 || uint8(input[0]) > 1) revert();
        bytes memory data = input[201:];
        bytes memory enc = input[1:201];
        uint256 at;
        assembly ("memory-safe") {
            at := add(enc, 32)
        }
        uint256[25] memory a = FrameSponge.lanes(at);
        if (uint8(input[0]) == 1) return abi.encodePacked(Sponge.finish(a, data));
        if (data.length % Sponge.RATE != 0) revert();
        Sponge.absorb(a, data);
        Sponge.write(a, at);
        return enc;
    }
}
