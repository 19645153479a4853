// SPDX-License-Identifier: MIT
pragma solidity ^0.8.24;

import {Test} from "forge-std/Test.sol";

import {OutputOracle} from "../../src/L1/OutputOracle.sol";
import {BatchInbox} from "../../src/L1/BatchInbox.sol";
import {RollupConfig} from "../../src/L1/RollupConfig.sol";
import {OracleFixtures, EmptyBlockBatch} from "../helpers/OracleFixtures.sol";

/// @dev A proposer/winner that cannot receive ETH: its credit stays in the oracle.
contract StubbornActor {
    receive() external payable {
        revert("no");
    }
}

/// @dev Drives proposals, time, bond releases, deletions (as the dispute game), withdrawals
///      and bond changes over a fixed set of actors, and keeps ghosts for the invariants.
contract OracleHandler is Test {
    OutputOracle internal immutable oracle;
    RollupConfig internal immutable config;
    BatchInbox internal immutable inbox;
    address internal immutable sequencer;
    address internal immutable configOwner;

    address[] public actors;

    // Ghosts.
    uint256 public lastCount = 1;
    uint256 public countDecreasedOutsideDelete;
    uint256 public finalDeleted;
    uint256 public deletions;
    uint256 public releases;
    uint256 public withdrawals;
    /// @dev Final outputs form a prefix of the live ones (timestamps never decrease); the
    ///      roots and proposal times of that prefix as first seen final.
    bytes32[] public finalRoots;
    uint64[] public finalTimestamps;

    constructor(OutputOracle oracle_, BatchInbox inbox_, address sequencer_, address configOwner_) {
        oracle = oracle_;
        config = oracle_.config();
        inbox = inbox_;
        sequencer = sequencer_;
        configOwner = configOwner_;
        for (uint256 i = 0; i < 4; ++i) {
            actors.push(makeAddr(string.concat("actor", vm.toString(i))));
        }
        actors.push(address(new StubbornActor()));
    }

    function actorCount() external view returns (uint256) {
        return actors.length;
    }

    function finalCount() external view returns (uint256) {
        return finalRoots.length;
    }

    modifier track(bool isDelete) {
        _;
        uint256 count = oracle.outputCount();
        if (!isDelete && count < lastCount) countDecreasedOutsideDelete += 1;
        lastCount = count;
        _recordFinal();
    }

    function _recordFinal() internal {
        uint256 count = oracle.outputCount();
        for (uint256 i = finalRoots.length; i < count; ++i) {
            if (!oracle.isFinalized(i)) break;
            OutputOracle.Output memory o = oracle.output(i);
            finalRoots.push(o.root);
            finalTimestamps.push(o.timestamp);
        }
    }

    // ------------------------------------------------------------------ actions

    function propose(uint256 actorSeed, uint256 rootSeed) external track(false) {
        address actor = actors[actorSeed % actors.length];
        uint256 l2Block = oracle.nextBlockNumber();
        EmptyBlockBatch.postThrough(vm, inbox, sequencer, l2Block);
        uint256 bond = config.proposerBond();
        vm.deal(actor, actor.balance + bond);
        vm.prank(actor);
        oracle.propose{value: bond}(l2Block, keccak256(abi.encode(rootSeed)));
    }

    function warp(uint256 secs) external track(false) {
        vm.warp(block.timestamp + _bound(secs, 1, 120));
    }

    function releaseBond(uint256 indexSeed) external track(false) {
        // Mostly a non-genesis output (genesis has no bond: BondAlreadyReleased).
        uint256 count = oracle.outputCount();
        uint256 index = count > 1 && indexSeed % 8 != 0 ? 1 + indexSeed % (count - 1) : indexSeed % count;
        if (indexSeed % 3 == 0) {
            // Or the first final output whose bond is still locked, if any.
            for (uint256 i = 1; i < count && oracle.isFinalized(i); ++i) {
                if (!oracle.output(i).bondReleased) {
                    index = i;
                    break;
                }
            }
        }
        oracle.releaseBond(index);
        releases += 1;
    }

    function deleteOutputs(uint256 indexSeed, uint256 winnerSeed) external track(true) {
        uint256 count = oracle.outputCount();
        if (count < 2) return;
        uint256 from = 1 + indexSeed % (count - 1);
        bool anyFinal;
        for (uint256 i = from; i < count; ++i) {
            if (oracle.isFinalized(i)) anyFinal = true;
        }
        oracle.deleteOutputs(from, actors[winnerSeed % actors.length]);
        deletions += 1;
        if (anyFinal) finalDeleted += 1;
    }

    function withdraw(uint256 actorSeed) external track(false) {
        address actor = actors[actorSeed % actors.length];
        vm.prank(actor);
        oracle.withdraw();
        withdrawals += 1;
    }

    function setBond(uint256 bond) external track(false) {
        vm.prank(configOwner);
        config.setProposerBond(_bound(bond, 0.001 ether, 5 ether));
    }
}

contract OutputOracleInvariants is OracleFixtures {
    OracleHandler internal handler;

    function setUp() public {
        _deployRollup();
        handler = new OracleHandler(oracle, inbox, sequencer, owner);
        _setDisputeGame(address(handler));

        bytes4[] memory selectors = new bytes4[](6);
        selectors[0] = OracleHandler.propose.selector;
        selectors[1] = OracleHandler.warp.selector;
        selectors[2] = OracleHandler.releaseBond.selector;
        selectors[3] = OracleHandler.deleteOutputs.selector;
        selectors[4] = OracleHandler.withdraw.selector;
        selectors[5] = OracleHandler.setBond.selector;
        targetSelector(FuzzSelector({addr: address(handler), selectors: selectors}));
        targetContract(address(handler));
    }

    /// @notice outputCount only grows, except through deleteOutputs.
    function invariant_countOnlyShrinksByDeletion() public view {
        assertEq(handler.countDecreasedOutsideDelete(), 0);
        assertGe(oracle.outputCount(), 1, "genesis always live");
    }

    /// @notice Live outputs sit on the grid: l2Block strictly increasing by the interval,
    ///         proposal times non-decreasing.
    function invariant_liveOutputsOnTheGrid() public view {
        uint256 count = oracle.outputCount();
        assertEq(oracle.output(0).root, GENESIS_ROOT);
        for (uint256 i = 1; i < count; ++i) {
            OutputOracle.Output memory prev = oracle.output(i - 1);
            OutputOracle.Output memory o = oracle.output(i);
            assertEq(uint256(o.l2Block), uint256(prev.l2Block) + INTERVAL);
            assertGe(o.timestamp, prev.timestamp);
            assertTrue(o.root != bytes32(0));
        }
        assertEq(oracle.nextBlockNumber(), count * INTERVAL);
        // Every live output's block is on L1.
        assertLt(uint256(oracle.output(count - 1).l2Block), uint256(inbox.nextBlock()));
    }

    /// @notice A final output is never deleted nor changed.
    function invariant_finalOutputsNeverDeleted() public view {
        assertEq(handler.finalDeleted(), 0);
        uint256 finals = handler.finalCount();
        assertGe(oracle.outputCount(), finals);
        for (uint256 i = 0; i < finals; ++i) {
            assertTrue(oracle.isFinalized(i));
            OutputOracle.Output memory o = oracle.output(i);
            assertEq(o.root, handler.finalRoots(i));
            assertEq(o.timestamp, handler.finalTimestamps(i));
        }
    }

    /// @notice Bond conservation: the oracle's balance is the bonds of live unreleased
    ///         outputs plus everyone's credit.
    function invariant_bondConservation() public view {
        uint256 locked;
        uint256 count = oracle.outputCount();
        for (uint256 i = 0; i < count; ++i) {
            OutputOracle.Output memory o = oracle.output(i);
            if (!o.bondReleased) locked += o.bond;
        }
        uint256 credits;
        uint256 actors = handler.actorCount();
        for (uint256 i = 0; i < actors; ++i) {
            credits += oracle.credit(handler.actors(i));
        }
        assertEq(address(oracle).balance, locked + credits);
    }

    /// @notice The handler's paths work (so the invariants are not vacuous).
    function test_handlerSequence() public {
        handler.propose(0, 1);
        handler.propose(1, 2);
        handler.warp(120);
        handler.propose(2, 3);
        handler.setBond(3 ether);
        handler.propose(4, 4); // the stubborn actor
        handler.releaseBond(1); // output 2 (actor 1)
        handler.deleteOutputs(2, 3); // from 3 (output 3 and 4), winner actor 3
        assertEq(handler.deletions(), 1);
        assertEq(oracle.outputCount(), 3);
        handler.withdraw(3);
        handler.withdraw(1);
        vm.expectRevert(OutputOracle.TransferFailed.selector);
        handler.withdraw(4);
        handler.warp(120);
        handler.releaseBond(2); // output 1 (actor 0)
        assertEq(handler.releases(), 2);
        handler.propose(4, 5);
        invariant_countOnlyShrinksByDeletion();
        invariant_liveOutputsOnTheGrid();
        invariant_finalOutputsNeverDeleted();
        invariant_bondConservation();
        assertEq(handler.finalCount(), 3);
    }
}
