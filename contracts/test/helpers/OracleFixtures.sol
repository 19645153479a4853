// SPDX-License-Identifier: MIT
pragma solidity ^0.8.24;

import {Test} from "forge-std/Test.sol";
import {Vm} from "forge-std/Vm.sol";

import {RollupConfig} from "../../src/L1/RollupConfig.sol";
import {DevChain} from "./DevChain.sol";
import {Portal} from "../../src/L1/Portal.sol";
import {BatchInbox} from "../../src/L1/BatchInbox.sol";
import {OutputOracle} from "../../src/L1/OutputOracle.sol";

/// @notice Encodes batches of empty L2 blocks (docs/batches.md, version 0):
///         version:u8 ‖ firstBlock:u64 ‖ blockCount:u32 ‖ per block
///         (timestamp:u64 ‖ depositCursor:u64 ‖ l1Origin:u64 ‖ txCount:u16 = 0).
///         Independent of the general-purpose BatchEncoder helper on purpose.
library EmptyBlockBatch {
    function encode(uint64 firstBlock, uint32 blockCount, uint64 timestamp, uint64 depositCursor, uint64 l1Origin)
        internal
        pure
        returns (bytes memory data)
    {
        data = abi.encodePacked(uint8(0), firstBlock, blockCount);
        bytes memory blk = abi.encodePacked(timestamp, depositCursor, l1Origin, uint16(0));
        for (uint256 i = 0; i < blockCount; ++i) {
            data = bytes.concat(data, blk);
        }
    }

    /// @notice Posts `count` empty blocks to `inbox` as `sequencer` (through `vm.prank`),
    ///         continuing the inbox's block numbers, timestamps and deposit cursor.
    function post(Vm vm, BatchInbox inbox, address sequencer, uint32 count) internal {
        if (count == 0) return;
        uint64 ts = inbox.lastTimestamp();
        if (block.timestamp > ts) ts = uint64(block.timestamp);
        bytes memory data = encode(inbox.nextBlock(), count, ts, inbox.depositCursor(), inbox.latestL1Fee());
        vm.prank(sequencer);
        inbox.submitBatch(data);
    }

    /// @notice Posts empty blocks until L2 block `l2Block` is on L1 (inbox.nextBlock() > l2Block).
    function postThrough(Vm vm, BatchInbox inbox, address sequencer, uint256 l2Block) internal {
        uint256 next = inbox.nextBlock();
        if (l2Block < next) return;
        // forge-lint: disable-next-line(unsafe-typecast) test-sized block numbers
        post(vm, inbox, sequencer, uint32(l2Block + 1 - next));
    }
}

/// @notice Deploys a full L1 rollup (config, portal, inbox, oracle) the way production does:
///         the portal and the oracle reference each other, so the oracle's address is
///         predicted from this contract's nonce.
abstract contract OracleFixtures is Test {
    uint256 internal constant L2_CHAIN_ID = 64023;
    uint64 internal constant WINDOW = 100;
    uint64 internal constant INTERVAL = 10;
    uint256 internal constant BOND = 1 ether;
    /// @dev A realistic L1 clock, so the genesis output (timestamp 0) is final as on a real chain.
    uint256 internal constant START_TIME = 1_700_000_000;

    bytes32 internal constant GENESIS_ROOT = keccak256("faultline genesis output root");

    RollupConfig internal config;
    Portal internal portal;
    BatchInbox internal inbox;
    OutputOracle internal oracle;

    address internal owner = makeAddr("owner");
    address internal sequencer = makeAddr("sequencer");

    function _deployRollup() internal {
        vm.warp(START_TIME);
        _deployRollupWith(INTERVAL, GENESIS_ROOT);
    }

    /// @notice The rollup with outputs every `interval` blocks from genesis output `genesis`.
    function _deployRollupWith(uint64 interval, bytes32 genesis) internal {
        uint256 nonce = vm.getNonce(address(this));
        config = new RollupConfig(owner, L2_CHAIN_ID, sequencer, WINDOW, interval, BOND, DevChain.params());
        address predictedOracle = vm.computeCreateAddress(address(this), nonce + 3);
        portal = new Portal(config, OutputOracle(predictedOracle));
        inbox = new BatchInbox(config, portal);
        oracle = new OutputOracle(config, inbox, genesis);
        require(address(oracle) == predictedOracle, "oracle address prediction");
        vm.label(address(config), "RollupConfig");
        vm.label(address(portal), "Portal");
        vm.label(address(inbox), "BatchInbox");
        vm.label(address(oracle), "OutputOracle");
    }

    function _setDisputeGame(address game) internal {
        vm.prank(owner);
        config.setDisputeGame(game);
    }

    function _postEmptyBlocks(uint32 count) internal {
        EmptyBlockBatch.post(vm, inbox, sequencer, count);
    }

    function _postThrough(uint256 l2Block) internal {
        EmptyBlockBatch.postThrough(vm, inbox, sequencer, l2Block);
    }

    /// @notice Makes the next slot's block available and proposes `root` as `proposer` with
    ///         the current bond.
    function _propose(address proposer, bytes32 root) internal returns (uint256 index) {
        uint256 l2Block = oracle.nextBlockNumber();
        _postThrough(l2Block);
        uint256 bond = config.proposerBond();
        vm.deal(proposer, proposer.balance + bond);
        vm.prank(proposer);
        index = oracle.propose{value: bond}(l2Block, root);
    }

    /// @notice Proposes `root` and lets its challenge window pass.
    function _proposeFinal(address proposer, bytes32 root) internal returns (uint256 index) {
        index = _propose(proposer, root);
        vm.warp(block.timestamp + WINDOW);
        require(oracle.isFinalized(index), "not final");
    }
}
