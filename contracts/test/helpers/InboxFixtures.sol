// SPDX-License-Identifier: MIT
pragma solidity ^0.8.24;

import {Test} from "forge-std/Test.sol";
import {RollupConfig} from "../../src/L1/RollupConfig.sol";
import {DevChain} from "./DevChain.sol";
import {Portal} from "../../src/L1/Portal.sol";
import {BatchInbox} from "../../src/L1/BatchInbox.sol";
import {OutputOracle} from "../../src/L1/OutputOracle.sol";

/// @notice A fresh inbox for the tests that submit the Rust side's vectors.
abstract contract InboxFixtures is Test {
    address internal constant SEQUENCER = address(0x5E9);

    /// @dev An inbox (sequencer SEQUENCER) whose portal holds `deposits` deposits, so
    ///      that batches with deposit cursors up to that number are accepted.
    function _inboxWithDeposits(uint256 deposits) internal returns (BatchInbox) {
        RollupConfig config = new RollupConfig(address(this), 64023, SEQUENCER, 60, 10, 0.01 ether, DevChain.params());
        Portal portal = new Portal(config, OutputOracle(address(0xdead)));
        address user = address(0xbeef);
        vm.deal(user, 1 ether);
        vm.startPrank(user, user);
        for (uint256 i = 0; i < deposits; i++) {
            portal.depositETH{value: 1}(user);
        }
        vm.stopPrank();
        return new BatchInbox(config, portal);
    }
}
