// SPDX-License-Identifier: MIT
pragma solidity ^0.8.24;
// INTERIM STUB (uncommitted): replaced by the real library.
import {WitnessReader} from "./WitnessReader.sol";

library WordTree {
    struct Range {
        uint256 first;
        bytes32[] words;
        bytes32[] siblings;
    }

    function readRange(WitnessReader.Cursor memory c) internal pure returns (Range memory r) {
        c;
        r;
        revert();
    }

    function rootOf(Range memory r) internal pure returns (bytes32) {
        r;
        revert();
    }

    function rootWith(Range memory r, bytes32[] memory w) internal pure returns (bytes32) {
        r;
        w;
        revert();
    }
}
