// SPDX-License-Identifier: MIT
pragma solidity ^0.8.24;

import {IFaultVM} from "../../../src/interfaces/IFaultVM.sol";
import {IBlockStart} from "../../../src/interfaces/IBlockStart.sol";

/// @title TableVM
/// @notice TEST DOUBLE (fault injection), not the verifier: a deterministic step function
///         the game tests define, so that they can script any trace without building
///         witnesses. `step(pre, ·)` is the registered successor of `pre`, else
///         `keccak256(pre)`; the witness is ignored. The games against the real verifier
///         run on Rust-written traces (docs/dispute.md, "Tests").
contract TableVM is IFaultVM {
    mapping(bytes32 => bytes32) public next;

    /// @notice Registers `post` as the successor of `pre`.
    function set(bytes32 pre, bytes32 post) external {
        next[pre] = post;
    }

    /// @inheritdoc IFaultVM
    function step(bytes32 pre, bytes calldata) external view returns (bytes32 post) {
        post = next[pre];
        if (post == bytes32(0)) post = keccak256(abi.encode(pre));
    }
}

/// @title HashBlockStart
/// @notice TEST DOUBLE (fault injection), not `BlockStart`: a block's initial commitment is
///         `keccak256(parentOutputRoot, l2Block)`, the proof ignored.
contract HashBlockStart is IBlockStart {
    /// @inheritdoc IBlockStart
    function initialCommitment(bytes32 parentOutputRoot, uint256 l2Block, bytes calldata)
        external
        pure
        returns (bytes32)
    {
        return keccak256(abi.encode(parentOutputRoot, l2Block));
    }
}
