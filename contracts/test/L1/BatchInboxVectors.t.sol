// SPDX-License-Identifier: MIT
pragma solidity ^0.8.24;

import {Test} from "forge-std/Test.sol";
import {RollupConfig} from "../../src/L1/RollupConfig.sol";
import {Portal} from "../../src/L1/Portal.sol";
import {BatchInbox} from "../../src/L1/BatchInbox.sol";
import {OutputOracle} from "../../src/L1/OutputOracle.sol";

/// @notice The inbox accepts the batches the Rust codec wrote to docs/vectors/batches.json
///         (crates/primitives/src/batch.rs) and records the same root and item count.
contract BatchInboxVectorsTest is Test {
    struct Vector {
        bytes data;
        uint256 itemCount;
        bytes32 root;
    }

    address internal constant SEQUENCER = address(0x5E9);

    function test_rustVectors_sameRootAndItemCount() public {
        string memory json = vm.readFile("docs/vectors/batches.json");
        Vector[] memory vectors = abi.decode(vm.parseJson(json, ".batches"), (Vector[]));
        assertGt(vectors.length, 0);
        vm.warp(1_000);
        for (uint256 i = 0; i < vectors.length; i++) {
            RollupConfig config = new RollupConfig(address(this), 64023, SEQUENCER, 60, 10, 0.01 ether);
            Portal portal = new Portal(config, OutputOracle(address(0xdead)));
            // The vectors' deposit cursors go up to 2.
            address user = address(0xbeef);
            vm.deal(user, 1 ether);
            vm.startPrank(user, user);
            portal.depositETH{value: 1}(user);
            portal.depositETH{value: 1}(user);
            vm.stopPrank();
            BatchInbox inbox = new BatchInbox(config, portal);
            vm.prank(SEQUENCER);
            inbox.submitBatch(vectors[i].data);
            BatchInbox.BatchRecord memory r = inbox.batch(0);
            assertEq(r.root, vectors[i].root, "root");
            assertEq(r.itemCount, vectors[i].itemCount, "item count");
        }
    }
}
