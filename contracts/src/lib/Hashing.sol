// SPDX-License-Identifier: MIT
pragma solidity ^0.8.24;

/// @title Hashing
/// @notice The hashes L1 and L2 agree on: output roots (docs/state.md, "Output root"),
///         withdrawals (docs/bridge.md) and deposits (docs/bridge.md). The Rust side
///         (crates/primitives) computes the same values; tests check both.
library Hashing {
    /// @notice Output root format version 0.
    bytes32 internal constant OUTPUT_VERSION = bytes32(0);

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

    /// @notice The hash of deposit number `index` (docs/bridge.md, "Deposits").
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
        return keccak256(abi.encode(index, from, to, mint, value, gasLimit, l1BlockNumber, keccak256(data)));
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
