// SPDX-License-Identifier: MIT
pragma solidity ^0.8.24;

import {BatchInbox} from "../../src/L1/BatchInbox.sol";
import {InboxFixtures} from "../helpers/InboxFixtures.sol";

/// @notice The inbox accepts the batches the Rust codec wrote to docs/vectors/batches.json
///         (crates/primitives/src/batch.rs) and records the same root and item count.
contract BatchInboxVectorsTest is InboxFixtures {
    struct Vector {
        bytes data;
        uint256 itemCount;
        bytes32 root;
    }

    function test_rustVectors_sameRootAndItemCount() public {
        string memory json = vm.readFile("docs/vectors/batches.json");
        Vector[] memory vectors = abi.decode(vm.parseJson(json, ".batches"), (Vector[]));
        assertGt(vectors.length, 0);
        vm.warp(1_000);
        for (uint256 i = 0; i < vectors.length; i++) {
            // The vectors' deposit cursors go up to 2.
            BatchInbox inbox = _inboxWithDeposits(2);
            vm.prank(SEQUENCER);
            inbox.submitBatch(vectors[i].data);
            BatchInbox.BatchRecord memory r = inbox.batch(0);
            assertEq(r.root, vectors[i].root, "root");
            assertEq(r.itemCount, vectors[i].itemCount, "item count");
        }
    }
}
