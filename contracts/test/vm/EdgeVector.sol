// SPDX-License-Identifier: MIT
pragma solidity ^0.8.24;

/// @notice A witness Rust stepped outside docs/vectors/vm/ (a vector with its frame changed
///         to reach a halt or an edge), with its pre-state and Rust's post: the element of
///         HostHaltVectors.sol and CallHaltVectors.sol, checked by
///         `VmVectorsTest.checkEdges`.
struct EdgeVector {
    string name;
    bytes32 pre;
    bytes witness;
    bytes32 post;
}
