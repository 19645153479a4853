// SPDX-License-Identifier: MIT
pragma solidity ^0.8.24;

/// @title Emitter
/// @notice Emits events with indexed and non-indexed fields and can revert with a
///         reason; used by the end-to-end tests of the L2 node's logs, filters and
///         `execution reverted` errors. Not for any real deployment.
contract Emitter {
    event Ping(address indexed from, uint256 indexed n, string note);

    uint256 public count;

    error Nope(uint256 code);

    function ping(string calldata note) external returns (uint256 n) {
        n = ++count;
        emit Ping(msg.sender, n, note);
    }

    function fail(string calldata reason) external pure {
        revert(reason);
    }

    function failCustom(uint256 code) external pure {
        revert Nope(code);
    }
}
