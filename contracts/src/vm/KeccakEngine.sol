// SPDX-License-Identifier: MIT
pragma solidity ^0.8.24;

import {Sponge} from "./lib/Sponge.sol";

/// @title KeccakEngine
/// @notice keccak-f[1600] over whole blocks, as a contract of its own: the Yul rounds
///         (lib/KeccakF.sol, about 10 kB of code) are deployed once and every module that
///         hashes in pieces (the Hash micro-steps, an entry's transaction and signing
///         hashes) calls it, so no module carries them under its EIP-170 limit. Rust
///         twin: `Sponge::absorb` in crates/vm-core/src/sponge.rs; vectors:
///         docs/vectors/vm/sponge.json (through lib/SpongeCall.sol).
/// @dev Input: the 25 lanes as 32-byte words (800 bytes, each below 2^64), then whole
///      136-byte blocks; output: the 25 lanes after absorbing them. Stateless and
///      unowned: any input gives the same output to anyone.
contract KeccakEngine {
    /// @notice The input is not 800 bytes of lanes and whole blocks.
    /// @param length The input's length.
    error NotLanesAndBlocks(uint256 length);

    fallback(bytes calldata input) external returns (bytes memory out) {
        uint256 n = input.length;
        if (n < 800 || (n - 800) % Sponge.RATE != 0) revert NotLanesAndBlocks(n);
        uint256[25] memory s;
        assembly ("memory-safe") {
            calldatacopy(s, 0, 800)
        }
        Sponge.absorbCalldata(s, input[800:]);
        out = new bytes(800);
        assembly ("memory-safe") {
            mcopy(add(out, 32), s, 800)
        }
    }
}
