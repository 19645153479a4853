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

/// @dev Drives proposals, time, bond releases, dispute openings and closings, deletions (as
///      the dispute game), scans, refunds, withdrawals and bond changes over a fixed set of
///      actors, and keeps a reference model for the invariants: the disputes open on each
///      proposal (by nonce) and the wei each actor is owed.
contract OracleHandler is Test {
    OutputOracle internal immutable oracle;
    RollupConfig internal immutable config;
    BatchInbox internal immutable inbox;
    address internal immutable sequencer;
    address internal immutable configOwner;

    address[] public actors;

    /// @dev One dispute as its game holds it.
    struct Dispute {
        uint256 index;
        uint64 nonce;
    }

    // Ghosts.
    uint256 public lastCount = 1;
    uint256 public countDecreasedOutsideDelete;
    uint256 public finalDeleted;
    uint256 public deletions;
    uint256 public releases;
    uint256 public withdrawals;
    uint256 public refunds;
    uint256 public opened;
    uint256 public closed;
    uint256 public staleClosedLive;
    /// @dev Final outputs form a prefix of the live ones (timestamps never decrease); the
    ///      roots and proposal times of that prefix as first seen final.
    bytes32[] public finalRoots;
    uint64[] public finalTimestamps;
    /// @notice The model: disputes open on each proposal (by nonce) ...
    mapping(uint64 nonce => uint256) public openOn;
    /// @notice ... the games still holding one on a live proposal, and on a deleted one.
    Dispute[] public liveDisputes;
    Dispute[] public staleDisputes;
    /// @notice Wei the model says each account is owed in total (credited, withdrawn, or
    ///         still held in a deleted record for it).
    mapping(address => uint256) public entitled;
    mapping(address => uint256) public withdrawn;
    /// @notice One past the highest index ever proposed (records beyond it are empty).
    uint256 public recordEnd = 1;
    /// @notice Wei the model says was burned.
    uint256 public burned;

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

    function liveDisputeCount() external view returns (uint256) {
        return liveDisputes.length;
    }

    modifier track(bool isDelete) {
        _;
        uint256 count = oracle.outputCount();
        if (!isDelete && count < lastCount) countDecreasedOutsideDelete += 1;
        lastCount = count;
        if (count > recordEnd) recordEnd = count;
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
        OutputOracle.Output memory o = oracle.output(index);
        oracle.releaseBond(index);
        entitled[o.proposer] += o.bond;
        releases += 1;
    }

    /// @notice As a game opening on a random live output still in its window.
    function openDispute(uint256 indexSeed) external track(false) {
        uint256 count = oracle.outputCount();
        if (count < 2) return;
        uint256 index = 1 + indexSeed % (count - 1);
        // The earliest output still in its window at or after the pick, if any.
        while (index < count && oracle.windowPassed(index)) ++index;
        if (index == count) return;
        uint64 nonce = oracle.openDispute(index, oracle.outputRoot(index));
        openOn[nonce] += 1;
        liveDisputes.push(Dispute(index, nonce));
        opened += 1;
    }

    /// @notice As a game resolving: mostly one holding a dispute on a live proposal (it
    ///         stood), sometimes one on a proposal deleted since (a no-op).
    function closeDispute(uint256 seed) external track(false) {
        if (seed % 4 == 0 && staleDisputes.length != 0) {
            uint256 k = (seed >> 8) % staleDisputes.length;
            Dispute memory d = staleDisputes[k];
            if (oracle.closeDispute(d.index, d.nonce)) staleClosedLive += 1;
            staleDisputes[k] = staleDisputes[staleDisputes.length - 1];
            staleDisputes.pop();
            return;
        }
        if (liveDisputes.length == 0) return;
        uint256 j = (seed >> 8) % liveDisputes.length;
        Dispute memory l = liveDisputes[j];
        if (!oracle.closeDispute(l.index, l.nonce)) staleClosedLive += 1;
        openOn[l.nonce] -= 1;
        liveDisputes[j] = liveDisputes[liveDisputes.length - 1];
        liveDisputes.pop();
        closed += 1;
    }

    /// @notice As a game won: deletes a random output from some index on (mostly a disputed
    ///         one), as the game would.
    function deleteOutputs(uint256 indexSeed, uint256 winnerSeed) external track(true) {
        uint256 count = oracle.outputCount();
        if (count < 2) return;
        uint256 from = 1 + indexSeed % (count - 1);
        if (indexSeed % 4 != 0 && liveDisputes.length != 0) {
            from = liveDisputes[(indexSeed >> 8) % liveDisputes.length].index;
        }
        bool anyFinal;
        for (uint256 i = from; i < count; ++i) {
            if (oracle.isFinalized(i)) anyFinal = true;
        }
        address winner = actors[winnerSeed % actors.length];
        oracle.deleteOutputs(from, winner);
        // The model: the winner is owed its share of the disproven bond, the rest is
        // burned; every later proposer is owed its own bond.
        uint256 bond = oracle.outputRecord(from).bond;
        uint256 prize = bond * oracle.WINNER_SHARE_BPS() / 10_000;
        entitled[winner] += prize;
        burned += bond - prize;
        for (uint256 i = from + 1; i < count; ++i) {
            OutputOracle.Output memory o = oracle.outputRecord(i);
            entitled[o.proposer] += o.bond;
        }
        // Games on the deleted outputs now hold stale disputes.
        for (uint256 j = liveDisputes.length; j > 0; --j) {
            Dispute memory d = liveDisputes[j - 1];
            if (d.index < from) continue;
            staleDisputes.push(d);
            liveDisputes[j - 1] = liveDisputes[liveDisputes.length - 1];
            liveDisputes.pop();
        }
        deletions += 1;
        if (anyFinal) finalDeleted += 1;
    }

    function advanceDisputeScan(uint256 maxSeed) external track(false) {
        oracle.advanceDisputeScan(maxSeed % 6);
    }

    function refundDeleted(uint256 indexSeed) external track(false) {
        uint256 count = oracle.outputCount();
        if (recordEnd <= count) return;
        oracle.refundDeleted(count + indexSeed % (recordEnd - count));
        refunds += 1;
    }

    function withdraw(uint256 actorSeed) external track(false) {
        address actor = actors[actorSeed % actors.length];
        uint256 amount = oracle.credit(actor);
        vm.prank(actor);
        oracle.withdraw();
        withdrawn[actor] += amount;
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

        bytes4[] memory selectors = new bytes4[](11);
        selectors[0] = OracleHandler.propose.selector;
        selectors[1] = OracleHandler.warp.selector;
        selectors[2] = OracleHandler.releaseBond.selector;
        selectors[3] = OracleHandler.deleteOutputs.selector;
        selectors[4] = OracleHandler.withdraw.selector;
        selectors[5] = OracleHandler.setBond.selector;
        selectors[6] = OracleHandler.openDispute.selector;
        selectors[7] = OracleHandler.closeDispute.selector;
        selectors[8] = OracleHandler.advanceDisputeScan.selector;
        selectors[9] = OracleHandler.refundDeleted.selector;
        selectors[10] = OracleHandler.propose.selector; // proposals twice as often
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

    /// @notice The dispute bound: each live output counts exactly the model's open disputes
    ///         on its proposal; none below `earliestDispute` has one; the bound is below the
    ///         count or `NO_DISPUTE`; a stale game's close never touches a live proposal.
    function invariant_disputeBound() public view {
        uint256 count = oracle.outputCount();
        uint256 bound = oracle.earliestDispute();
        assertTrue(bound == oracle.NO_DISPUTE() || bound < count, "bound in range");
        for (uint256 i = 1; i < count; ++i) {
            OutputOracle.Output memory o = oracle.output(i);
            assertEq(o.disputes, handler.openOn(o.nonce), "disputes counted");
            if (i < bound) assertEq(o.disputes, 0, "an open dispute below the bound");
        }
        assertEq(handler.staleClosedLive(), 0);
    }

    /// @notice No output at or after an open dispute (by the model) is final; after a full
    ///         scan, finality is exactly "window passed, no open dispute at or before it".
    function invariant_finalityRespectsOpenDisputes() public {
        uint256 count = oracle.outputCount();
        bool open;
        for (uint256 i = 1; i < count; ++i) {
            if (handler.openOn(oracle.output(i).nonce) != 0) open = true;
            if (open) assertFalse(oracle.isFinalized(i), "final at or after an open dispute");
        }
        uint256 snap = vm.snapshotState();
        oracle.advanceDisputeScan(count);
        open = false;
        for (uint256 i = 1; i < count; ++i) {
            if (handler.openOn(oracle.output(i).nonce) != 0) open = true;
            assertEq(oracle.isFinalized(i), !open && oracle.windowPassed(i), "scanned finality exact");
        }
        vm.revertToState(snap);
    }

    /// @dev Bonds still held in deleted records (not refunded, not forfeited), in total and
    ///      for `who`.
    function _heldInDeleted(address who) internal view returns (uint256 all, uint256 theirs) {
        for (uint256 i = oracle.outputCount(); i < handler.recordEnd(); ++i) {
            OutputOracle.Output memory o = oracle.outputRecord(i);
            if (o.bondReleased) continue;
            all += o.bond;
            if (o.proposer == who) theirs += o.bond;
        }
    }

    /// @notice Bond conservation: the oracle's balance is the bonds of live unreleased
    ///         outputs, plus those of deleted records not refunded yet, plus everyone's
    ///         credit, plus the burn (as the model has it).
    function invariant_bondConservation() public view {
        uint256 locked;
        uint256 count = oracle.outputCount();
        for (uint256 i = 0; i < count; ++i) {
            OutputOracle.Output memory o = oracle.output(i);
            if (!o.bondReleased) locked += o.bond;
        }
        (uint256 deleted,) = _heldInDeleted(address(0));
        uint256 credits;
        uint256 actors = handler.actorCount();
        for (uint256 i = 0; i < actors; ++i) {
            credits += oracle.credit(handler.actors(i));
        }
        assertEq(oracle.burned(), handler.burned(), "burned as modelled");
        assertEq(address(oracle).balance, locked + deleted + credits + oracle.burned());
    }

    /// @notice Every account got exactly what the model owes it, but for what deleted
    ///         records still hold for it: refunds arrive once, never to a disproven
    ///         proposer, and none is lost by a proposal reusing an index.
    function invariant_paidAsOwed() public view {
        uint256 actors = handler.actorCount();
        for (uint256 i = 0; i < actors; ++i) {
            address a = handler.actors(i);
            (, uint256 held) = _heldInDeleted(a);
            assertEq(oracle.credit(a) + handler.withdrawn(a) + held, handler.entitled(a), "paid as owed");
        }
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
        handler.openDispute(2); // output 3 (1 + 2 % 4), in its window
        assertEq(handler.liveDisputeCount(), 1);
        assertEq(oracle.earliestDispute(), 3);
        handler.deleteOutputs(1, 3); // from the disputed output 3 (and 4), winner actor 3
        assertEq(handler.deletions(), 1);
        assertEq(oracle.outputCount(), 3);
        assertEq(oracle.earliestDispute(), oracle.NO_DISPUTE());
        handler.closeDispute(0); // the stale game: a no-op
        handler.refundDeleted(1); // output 4's record: the stubborn actor's refund
        assertEq(handler.refunds(), 1);
        handler.withdraw(3);
        handler.withdraw(1);
        vm.expectRevert(OutputOracle.TransferFailed.selector);
        handler.withdraw(4);
        handler.warp(120);
        handler.releaseBond(2); // output 1 (actor 0)
        assertEq(handler.releases(), 2);
        handler.propose(4, 5);
        handler.openDispute(2); // output 3 (1 + 2 % 3), the new proposal there
        handler.propose(0, 6);
        handler.closeDispute(1 << 8);
        handler.advanceDisputeScan(5);
        invariant_countOnlyShrinksByDeletion();
        invariant_liveOutputsOnTheGrid();
        invariant_finalOutputsNeverDeleted();
        invariant_disputeBound();
        invariant_finalityRespectsOpenDisputes();
        invariant_bondConservation();
        invariant_paidAsOwed();
        assertEq(handler.finalCount(), 3);
        assertEq(oracle.earliestDispute(), oracle.NO_DISPUTE());
    }
}
