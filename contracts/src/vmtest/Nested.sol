// SPDX-License-Identifier: MIT
pragma solidity ^0.8.24;

/// @title Nested
/// @notice Deep and reverting call trees for the fault-VM differential tests: every level
///         writes storage and logs, one level reverts and its caller catches it, so the
///         journal must undo exactly the levels below. Not for any real deployment.
contract Nested {
    uint256 public writes;
    mapping(uint256 => uint256) public at;

    event Level(uint256 depth);

    error Bottom(uint256 depth);

    /// @notice Calls itself `depth` times; level `revertAt` reverts and the level above
    ///         catches it. Returns how many levels below this one completed.
    function dive(uint256 depth, uint256 revertAt) public returns (uint256 reached) {
        at[depth] = depth + 1;
        writes += 1;
        emit Level(depth);
        if (depth == revertAt) revert Bottom(depth);
        if (depth == 0) return 0;
        try this.dive(depth - 1, revertAt) returns (uint256 r) {
            return r + 1;
        } catch {
            return 0;
        }
    }

    /// @notice `dive` run in this contract's context through DELEGATECALL.
    function viaDelegate(uint256 depth, uint256 revertAt) external returns (bool ok, uint256 reached) {
        bytes memory ret;
        (ok, ret) = address(this).delegatecall(abi.encodeCall(this.dive, (depth, revertAt)));
        if (ok) reached = abi.decode(ret, (uint256));
    }

    /// @notice A write attempted under STATICCALL fails; returns whether the call succeeded.
    function viaStatic() external returns (bool ok) {
        (ok,) = address(this).staticcall(abi.encodeCall(this.dive, (1, type(uint256).max)));
        writes += 1;
    }

    /// @notice Calls a loop that runs out of the gas it was given; the caller continues.
    function starve(uint256 gas) external returns (bool ok) {
        (ok,) = address(this).call{gas: gas}(abi.encodeCall(this.spin, ()));
        writes += 1;
    }

    function spin() external {
        uint256 i;
        while (true) {
            at[i] = i;
            unchecked {
                ++i;
            }
        }
    }
}
