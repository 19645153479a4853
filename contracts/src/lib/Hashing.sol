// SPDX-License-Identifier: MIT
pragma solidity ^0.8.24;

/// @title Hashing
/// @notice The hashes L1 and L2 agree on: output roots (docs/state.md, "Output root"),
///         withdrawals (docs/bridge.md), deposits (docs/bridge.md), and the chunked hash
///         deposits and calldata batch transactions commit their bytes with
///         (docs/fault-vm-inputs.md, "Chunked hash"). The Rust side (crates/primitives)
///         computes the same values; tests check both (docs/vectors/chunked.json).
library Hashing {
    /// @notice Output root format version 0.
    bytes32 internal constant OUTPUT_VERSION = bytes32(0);
    /// @notice Bytes per chunk of the chunked hash: 32 keccak256 blocks of 136 bytes.
    uint256 internal constant CHUNK = 4352;

    /// @notice A withdrawal initiated on L2 by the message passer.
    struct Withdrawal {
        uint256 nonce;
        address sender;
        address target;
        uint256 value;
        uint256 gasLimit;
        bytes data;
    }

    /// @notice The preimage of an output root (version 0).
    struct OutputRootProof {
        bytes32 stateRoot;
        bytes32 blockHash;
    }

    /// @notice The parent of `node` and its `sibling` in a binary tree: keccak256 of the
    ///         two, `node` on the right when `nodeIsRight` (the step of every Merkle path
    ///         the L1 contracts check: SMT proofs and batch item proofs).
    function parent(bytes32 node, bytes32 sibling, bool nodeIsRight) internal pure returns (bytes32 h) {
        assembly ("memory-safe") {
            switch nodeIsRight
            case 0 {
                mstore(0x00, node)
                mstore(0x20, sibling)
            }
            default {
                mstore(0x00, sibling)
                mstore(0x20, node)
            }
            h := keccak256(0x00, 0x40)
        }
    }

    /// @notice keccak256(abi.encode(version, stateRoot, blockHash)).
    function outputRoot(OutputRootProof memory p) internal pure returns (bytes32) {
        return keccak256(abi.encode(OUTPUT_VERSION, p.stateRoot, p.blockHash));
    }

    /// @notice keccak256(abi.encode(nonce, sender, target, value, gasLimit, data)).
    function withdrawalHash(Withdrawal memory w) internal pure returns (bytes32) {
        return keccak256(abi.encode(w.nonce, w.sender, w.target, w.value, w.gasLimit, w.data));
    }

    /// @notice The hash of deposit number `index` (docs/bridge.md, "Accumulator"):
    ///         keccak256(abi.encode(index, from, to, mint, value, gasLimit, l1BlockNumber,
    ///         data.length, chunkedHash(data))).
    /// @param index The deposit's index in the accumulator.
    /// @param from The L2 sender (aliased for an L1 contract).
    /// @param to The L2 call target.
    /// @param mint Wei minted to `from` on L2.
    /// @param value Wei `from` sends with the call.
    /// @param gasLimit Gas of the L2 call.
    /// @param l1BlockNumber The L1 block of the deposit.
    /// @param data The call data.
    /// @return The deposit hash.
    function depositHash(
        uint256 index,
        address from,
        address to,
        uint256 mint,
        uint256 value,
        uint64 gasLimit,
        uint64 l1BlockNumber,
        bytes memory data
    ) internal pure returns (bytes32) {
        return keccak256(
            abi.encode(index, from, to, mint, value, gasLimit, l1BlockNumber, data.length, chunkedHash(data))
        );
    }

    /// @notice The chunked hash of `data` (docs/fault-vm-inputs.md, "Chunked hash"):
    ///         keccak256(data) for at most CHUNK bytes, else
    ///         keccak256(data[:CHUNK] ‖ chunkedHash(data[CHUNK:])), so a one-step proof
    ///         can open the data one checked chunk a step.
    /// @dev From the last chunk backwards, each chunk copied with its successor's hash
    ///      into one scratch buffer of CHUNK + 32 bytes past the free memory pointer
    ///      (never allocated, reused by every chunk).
    /// @param data The bytes, in memory.
    /// @return h The chunked hash.
    function chunkedHash(bytes memory data) internal pure returns (bytes32 h) {
        assembly ("memory-safe") {
            let len := mload(data)
            let src := add(data, 0x20)
            // Start of the last chunk (0 for at most one chunk, the empty string included).
            let at := 0
            if gt(len, CHUNK) { at := mul(div(sub(len, 1), CHUNK), CHUNK) }
            h := keccak256(add(src, at), sub(len, at))
            if at {
                let buf := mload(0x40)
                for {} at {} {
                    at := sub(at, CHUNK)
                    mcopy(buf, add(src, at), CHUNK)
                    mstore(add(buf, CHUNK), h)
                    h := keccak256(buf, add(CHUNK, 0x20))
                }
            }
        }
    }

    /// @notice The next value of the deposit accumulator: keccak256(previous ‖ depositHash).
    function accumulate(bytes32 previous, bytes32 deposit) internal pure returns (bytes32 h) {
        assembly ("memory-safe") {
            mstore(0x00, previous)
            mstore(0x20, deposit)
            h := keccak256(0x00, 0x40)
        }
    }
}
