// SPDX-License-Identifier: MIT
pragma solidity ^0.8.24;

import {console} from "forge-std/Test.sol";
import {VmVectorsTest} from "./VmVectors.t.sol";
import {CoreSteps, CoreTxSteps, CoreFrameSteps} from "../../src/vm/steps/CoreSteps.sol";
import {Route} from "../../src/vm/Route.sol";
import {WitnessDecoder} from "../../src/vm/WitnessDecoder.sol";
import {Machine} from "../../src/vm/Machine.sol";
import {MerkleOps} from "../../src/vm/steps/MerkleOps.sol";
import {BlockOps} from "../../src/vm/steps/BlockOps.sol";

/// @notice Exposes the block end's parts for debugging.
contract BlockProbe {
    function parts(bytes calldata witness) external pure returns (bytes32 txs, bytes32 receipts, bytes32 blockHash) {
        (Machine memory m,) = WitnessDecoder.decode(witness);
        txs = MerkleOps.root(m.acc.txs);
        receipts = MerkleOps.root(m.acc.receipts);
        blockHash = BlockOps.headerHash(m, m.worldRoot);
    }
}

/// @notice The vectors through the router with the CORE module deployed (NextTx and
///         BlockEnd of given inputs, TxBegin, Warm, Enter, TxEnd, Sweep, Bloom, Done).
contract CoreStepsTest is VmVectorsTest {
    function modules() internal virtual override returns (address[] memory m) {
        m = new address[](5);
        m[Route.CORE] = address(new CoreSteps(address(new CoreTxSteps()), address(new CoreFrameSteps())));
    }

    /// @notice Steps the vector `name` of `file` and checks its post.
    function runNamed(string memory file, string memory name) internal view {
        string memory json = vm.readFile(path(file));
        uint256 n = count(json);
        for (uint256 i = 0; i < n; ++i) {
            if (keccak256(bytes(vm.parseJsonString(json, key(i, "name")))) != keccak256(bytes(name))) continue;
            bytes32 pre = vm.parseJsonBytes32(json, key(i, "pre"));
            bytes memory witness = vm.parseJsonBytes(json, key(i, "witness"));
            uint256 g = gasleft();
            bytes32 post = verifier.step(pre, witness);
            console.log(name, "gas", g - gasleft());
            assertEq(post, vm.parseJsonBytes32(json, key(i, "post")), name);
            return;
        }
        revert(string.concat("no vector ", name));
    }

    function test_blockEnd() public {
        string memory json = vm.readFile(path("steps"));
        BlockProbe probe_ = new BlockProbe();
        (bytes32 a, bytes32 b, bytes32 c) = probe_.parts(vm.parseJsonBytes(json, key(1, "witness")));
        console.logBytes32(a);
        console.logBytes32(b);
        console.logBytes32(c);
        runNamed("steps", "block-end");
    }

    function test_doneNoOp() public view {
        runNamed("steps", "done-no-op");
    }

    function test_bloom() public view {
        runNamed("steps", "bloom");
    }
}
