// SPDX-License-Identifier: MIT
pragma solidity ^0.8.24;

import {BlockStart} from "../../src/dispute/BlockStart.sol";
import {InitialState} from "../../src/dispute/lib/InitialState.sol";
import {InboxFixtures} from "./InboxFixtures.sol";

/// @notice What the `BlockStart` tests build their proofs with: a parent output from a
///         header, a block leaf, and `BlockStart.Proof`'s encoding.
abstract contract BlockStartFixtures is InboxFixtures {
    /// @dev The output root of the block whose RLP header is `header`.
    function _outputRoot(bytes memory header) internal pure returns (bytes32) {
        InitialState.Parent memory p = InitialState.parent(header);
        return keccak256(abi.encode(bytes32(0), p.stateRoot, p.hash));
    }

    /// @dev A calldata batch's block leaf (`firstTx` unused).
    function _leaf(uint256 index, uint256 number, uint256 ts, uint256 cursor, uint256 origin, uint256 txs)
        internal
        pure
        returns (InitialState.Leaf memory)
    {
        return InitialState.Leaf({
            index: index,
            number: number,
            timestamp: ts,
            depositCursor: cursor,
            l1Origin: origin,
            txCount: txs,
            firstTx: 0
        });
    }

    /// @dev `abi.encode(BlockStart.Proof)`.
    function _encode(bytes memory header, uint256 batchIndex, InitialState.Leaf memory leaf, bytes32[] memory proof)
        internal
        pure
        returns (bytes memory)
    {
        return abi.encode(BlockStart.Proof({header: header, batchIndex: batchIndex, leaf: leaf, itemProof: proof}));
    }
}
