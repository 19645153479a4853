// SPDX-License-Identifier: MIT
pragma solidity ^0.8.24;

/// @title IBlockStart
/// @notice The initial machine commitment of one L2 block, computed on L1 from what L1
///         holds (docs/fault-vm-inputs.md, "`initial_commitment`"): the level-2 trace of
///         the dispute game starts there, never at a value a claimant chose. Rust twin:
///         `faultline_vm_core::initial::initial_commitment` (crates/vm-core/src/initial.rs).
interface IBlockStart {
    /// @notice The commitment of L2 block `l2Block`'s initial machine state, built on the
    ///         parent output `parentOutputRoot`.
    /// @param parentOutputRoot The agreed output root of block `l2Block - 1`.
    /// @param l2Block The disputed block.
    /// @param proof What the computation reads that L1 storage does not hold (the parent
    ///        output's preimage and header, the block's leaf and its item proof), in the
    ///        encoding the implementation documents; it reverts on any that does not check.
    /// @return commitment The initial machine commitment.
    function initialCommitment(bytes32 parentOutputRoot, uint256 l2Block, bytes calldata proof)
        external
        view
        returns (bytes32 commitment);
}
