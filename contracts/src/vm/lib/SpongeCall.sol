// SPDX-License-Identifier: MIT
pragma solidity ^0.8.24;

import {Sponge} from "./Sponge.sol";

/// @title SpongeCall
/// @notice lib/Sponge.sol's sponge and absorber with the permutations run by the
///         deployed `KeccakEngine` (one static call per run of blocks), so a module that
///         hashes in pieces does not carry keccak-f's code. Rust twin:
///         crates/vm-core/src/sponge.rs (`Sponge::absorb`, `Sponge::finish`,
///         `Absorber::update`, `Absorber::finish`); vectors: docs/vectors/vm/sponge.json.
///         The encodings are Sponge's (`Sponge.read`, `write`, `readAbsorber`,
///         `writeAbsorber`).
library SpongeCall {
    /// @notice The engine refused or is not there (a deployment error, never a witness's).
    error EngineFailed();

    /// @notice Absorbs whole blocks from memory (`Sponge::absorb`).
    /// @param engine The KeccakEngine.
    /// @param s The sponge, updated in place.
    /// @param p The first byte's memory offset.
    /// @param n The byte count: a multiple of 136.
    function absorb(address engine, uint256[25] memory s, uint256 p, uint256 n) internal view {
        if (n % Sponge.RATE != 0) revert Sponge.NotWholeBlocks(n);
        if (n == 0) return;
        bool ok;
        assembly ("memory-safe") {
            let q := mload(0x40)
            mcopy(q, s, 800)
            mcopy(add(q, 800), p, n)
            ok := staticcall(gas(), engine, q, add(800, n), q, 800)
            // A fallback's `bytes` comes back raw: the 800 bytes of lanes.
            ok := and(ok, eq(returndatasize(), 800))
            if ok { returndatacopy(s, 0, 800) }
        }
        if (!ok) revert EngineFailed();
    }

    /// @notice Absorbs whole blocks (`Sponge::absorb`).
    function absorb(address engine, uint256[25] memory s, bytes memory data) internal view {
        uint256 p;
        assembly ("memory-safe") {
            p := add(data, 32)
        }
        absorb(engine, s, p, data.length);
    }

    /// @notice Absorbs the last bytes with keccak's padding and returns the hash
    ///         (`Sponge::finish`); `s` is left as it was.
    function finish(address engine, uint256[25] memory s, bytes memory tail) internal view returns (bytes32 h) {
        uint256 n = tail.length;
        uint256 padded = (n / Sponge.RATE + 1) * Sponge.RATE;
        uint256[25] memory t = s;
        bytes memory blocks = new bytes(padded);
        assembly ("memory-safe") {
            mcopy(add(blocks, 32), add(tail, 32), n)
        }
        blocks[n] = bytes1(uint8(blocks[n]) ^ 0x01);
        blocks[padded - 1] = bytes1(uint8(blocks[padded - 1]) ^ 0x80);
        uint256[25] memory u;
        assembly ("memory-safe") {
            mcopy(u, t, 800)
        }
        absorb(engine, u, blocks);
        // The first 32 bytes of the state: lanes 0..3, each little-endian.
        for (uint256 i = 0; i < 4; ++i) {
            uint64 lane = uint64(u[i]);
            for (uint256 b = 0; b < 8; ++b) {
                h |= bytes32(uint256(uint8(lane >> (8 * b))) << (8 * (31 - (8 * i + b))));
            }
        }
    }

    /// @notice Takes `data`: the whole blocks of `buf ‖ data` are absorbed, the rest kept
    ///         (`Absorber::update`).
    function update(address engine, Sponge.Absorber memory a, bytes memory data) internal view {
        bytes memory all = bytes.concat(a.buf, data);
        uint256 whole = all.length - all.length % Sponge.RATE;
        if (whole != 0) {
            uint256 p;
            assembly ("memory-safe") {
                p := add(all, 32)
            }
            absorb(engine, a.sponge, p, whole);
        }
        uint256 rest = all.length - whole;
        bytes memory buf = new bytes(rest);
        assembly ("memory-safe") {
            mcopy(add(buf, 32), add(add(all, 32), whole), rest)
        }
        a.buf = buf;
    }

    /// @notice The hash of everything taken (`Absorber::finish`).
    function finish(address engine, Sponge.Absorber memory a) internal view returns (bytes32) {
        return finish(engine, a.sponge, a.buf);
    }
}
