// SPDX-License-Identifier: MIT
pragma solidity ^0.8.24;

// Rust twin: `Absorber::update`, `Absorber::finish` and `Absorber::default` in
// crates/vm-core/src/sponge.rs, as the input steps use them (the transaction hash over an
// entry's chunks, the signing hash over its body). Vectors: docs/vectors/vm/l1-inputs.json
// (tx-open-eip1559-long-data, tx-chunk, tx-sign-hash, blob-tx-chunk-*).

/// @title InputHash
/// @notice The input steps' view of an absorber, held as its encoding
///         `sponge:200 ‖ bufLen:u8 ‖ buf` (Machine.sol, `Entry.absorber`).
library InputHash {
    /// @notice `Absorber::default()`: the zero sponge and no kept bytes (201 zero bytes).
    function empty() internal pure returns (bytes memory) {
        return new bytes(201);
    }

    /// @notice `Absorber::update`: the absorber after taking `data`.
    function update(bytes memory ab, bytes memory data) internal pure returns (bytes memory) {
        ab;
        data;
        revert("InputHash: no sponge yet");
    }

    /// @notice `Absorber::finish`: keccak256 of everything the absorber took.
    function finish(bytes memory ab) internal pure returns (bytes32) {
        ab;
        revert("InputHash: no sponge yet");
    }
}
