// SPDX-License-Identifier: MIT
pragma solidity ^0.8.24;
// INTERIM STUB (uncommitted): replaced by the real library.
import {WitnessReader} from "./WitnessReader.sol";

library Smt {
    struct Access {
        uint256 depth;
        uint256 bitmap;
        bytes32[] siblings;
        bytes32 leafKey;
        bytes32 leafValueHash;
        bool hasRecord;
        uint256 nonce;
        uint256 balance;
        bytes32 codeHash;
        uint256 codeSize;
        bool hasSibling;
        uint256 siblingTag;
        bytes32 siblingLeft;
        bytes32 siblingRight;
        uint256 at;
    }

    function readAccess(WitnessReader.Cursor memory c) internal pure returns (Access memory a) {
        c;
        a;
        revert();
    }

    function verify(bytes32 root, bytes32 key, Access memory a) internal pure returns (bool, bytes32) {
        root;
        key;
        a;
        revert();
    }

    function update(bytes32 root, bytes32 key, bytes32 v, Access memory a) internal pure returns (bytes32) {
        root;
        key;
        v;
        a;
        revert();
    }

    function remove(bytes32 root, bytes32 key, Access memory a) internal pure returns (bytes32) {
        root;
        key;
        a;
        revert();
    }

    function needsSibling(Access memory a, bytes32 key) internal pure returns (bool) {
        a;
        key;
        revert();
    }

    function accountValueHash(uint256 n, uint256 b, bytes32 c, uint256 s) internal pure returns (bytes32) {
        return keccak256(abi.encodePacked(uint64(n), b, c, uint64(s)));
    }
}
