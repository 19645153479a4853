// SPDX-License-Identifier: MIT
pragma solidity ^0.8.24;

import {GameFixture} from "./FaultDisputeGame.t.sol";
import {FaultDisputeGame} from "../../src/dispute/FaultDisputeGame.sol";
import {IFaultDisputeGame} from "../../src/interfaces/IFaultDisputeGame.sol";
import {OutputOracle} from "../../src/L1/OutputOracle.sol";
import {Positions} from "../../src/dispute/lib/Positions.sol";
import {TraceModel, Actor} from "./Actors.sol";

/// @notice Refuses ETH, to test a failed credit transfer.
contract Refuser {
    function claimFrom(FaultDisputeGame g) external {
        g.claimCredit();
    }
}

/// @notice Claims its credit again from inside the transfer.
contract Reenterer {
    FaultDisputeGame internal immutable g;
    uint256 public entered;

    constructor(FaultDisputeGame g_) {
        g = g_;
    }

    function claim() external {
        g.claimCredit();
    }

    receive() external payable {
        ++entered;
        try g.claimCredit() {} catch {}
    }
}

/// @notice Every revert path of the game, and the oracle's finality rules with games.
contract FaultDisputeGameRevertsTest is GameFixture {
    using Positions for uint128;

    TraceModel internal truth;
    bytes32 internal root;
    uint256 internal index;
    address internal proposer = makeAddr("proposer");

    function setUp() public {
        _deployGame();
        truth = new TraceModel(game, 0, GENESIS_ROOT, type(uint256).max, 0, false);
        truth.teach(tvm);
        root = keccak256("a wrong output");
        index = _propose(proposer, root);
    }

    function _open() internal returns (uint256 gameId) {
        gameId = game.challenge{value: game.challengeBond()}(index, root, truth.valueAt(2));
    }

    /// @dev Attacks down from claim `from` to depth `toDepth` with the truth's values,
    ///      returning the last claim's index.
    function _down(uint256 gameId, uint256 from, uint256 toDepth) internal returns (uint256 i) {
        i = from;
        while (true) {
            FaultDisputeGame.Claim memory c = game.claim(gameId, i);
            uint128 pos = c.position;
            uint256 d = pos.depth();
            if (d == toDepth) return i;
            uint128 next = pos.attack();
            bytes memory proof = d == game.splitDepth() ? truth.donePreimage(pos.indexAtDepth()) : bytes("");
            bytes32 v = truth.valueAt(next);
            // The truth never counters its own claims: alternate a wrong value on odd depths.
            if ((d + 1) % 2 == 0 && d + 1 != game.splitDepth() + 1) v = keccak256(abi.encode(v));
            i = game.move{value: game.bondAt(d + 1)}(gameId, i, c.value, c.position, true, v, proof);
        }
    }

    // ---------------------------------------------------------------- challenge

    function test_challenge_refusesGenesisWrongRootUnknownFinal() public {
        uint256 b = game.challengeBond();
        vm.expectRevert(abi.encodeWithSelector(IFaultDisputeGame.WrongOutput.selector, 0, GENESIS_ROOT));
        game.challenge{value: b}(0, GENESIS_ROOT, bytes32(0));
        vm.expectRevert(abi.encodeWithSelector(IFaultDisputeGame.WrongOutput.selector, index, bytes32(uint256(1))));
        game.challenge{value: b}(index, bytes32(uint256(1)), bytes32(0));
        vm.expectRevert(abi.encodeWithSelector(OutputOracle.UnknownOutput.selector, 2));
        game.challenge{value: b}(2, root, bytes32(0));
        vm.expectRevert(abi.encodeWithSelector(IFaultDisputeGame.WrongBond.selector, b));
        game.challenge{value: b - 1}(index, root, bytes32(0));
        // A depth-1 bond alone no longer opens a game.
        uint256 b1 = game.bondAt(1);
        vm.expectRevert(abi.encodeWithSelector(IFaultDisputeGame.WrongBond.selector, b));
        game.challenge{value: b1}(index, root, bytes32(0));
        vm.warp(block.timestamp + WINDOW);
        vm.expectRevert(abi.encodeWithSelector(OutputOracle.AlreadyFinalized.selector, index));
        game.challenge{value: b}(index, root, bytes32(0));
    }

    /// @notice The attack of review finding 3: a depth-1 bond held every later output's
    ///         finality for up to `maxGameDuration`. Opening a game now locks the larger of
    ///         `bondAt(1)` and the proposer bond as of the opening, and resolution pays back
    ///         exactly that, whatever the bond is by then.
    function test_challengeBond_isTheProposerBondAsOfTheOpening() public {
        assertEq(game.challengeBond(), BOND, "the proposer bond, above bondAt(1)");
        uint256 g1 = _open();
        assertEq(game.game(g1).openingBond, BOND);
        vm.prank(owner);
        config.setProposerBond(5 ether);
        assertEq(game.challengeBond(), 5 ether);
        uint256 g2 = _open();
        uint256 least = config.MIN_BOND();
        vm.prank(owner);
        config.setProposerBond(least);
        assertEq(game.challengeBond(), game.bondAt(1), "never below the depth-1 bond");
        assertEq(address(game).balance, BOND + 5 ether);
        vm.warp(block.timestamp + MAX_CLOCK);
        game.resolveClaim(g1, 1);
        assertEq(game.credit(address(this)), BOND, "paid back what it locked");
        game.resolveClaim(g2, 1);
        assertEq(game.credit(address(this)), BOND + 5 ether);
        assertEq(address(game).balance, game.credit(address(this)));
    }

    function test_challenge_openerIsMsgSender() public {
        address opener = makeAddr("opener");
        uint256 b = game.challengeBond();
        vm.deal(opener, b);
        vm.prank(opener, makeAddr("origin"));
        uint256 gameId = game.challenge{value: b}(index, root, bytes32(uint256(7)));
        assertEq(game.claim(gameId, 1).claimant, opener);
        assertEq(game.claim(gameId, 0).claimant, proposer, "root claimant is the proposer");
    }

    function test_onlyTheGameOpensAndClosesDisputes() public {
        vm.expectRevert(OutputOracle.NotDisputeGame.selector);
        oracle.openDispute(index, root);
        vm.expectRevert(OutputOracle.NotDisputeGame.selector);
        oracle.closeDispute(index, 1);
    }

    // ---------------------------------------------------------------- moves

    function test_move_refusals() public {
        uint256 gameId = _open();
        bytes32 v1 = game.claim(gameId, 1).value;
        uint256 b2 = game.bondAt(2);
        vm.expectRevert(abi.encodeWithSelector(IFaultDisputeGame.UnknownGame.selector, 9));
        game.move{value: b2}(9, 1, v1, uint64(2), true, bytes32(0), "");
        vm.expectRevert(abi.encodeWithSelector(IFaultDisputeGame.UnknownClaim.selector, 5));
        game.move{value: b2}(gameId, 5, v1, uint64(2), true, bytes32(0), "");
        vm.expectRevert(abi.encodeWithSelector(IFaultDisputeGame.WrongClaim.selector, 1, root, uint64(2)));
        game.move{value: b2}(gameId, 1, root, uint64(2), true, bytes32(0), "");
        // The right value at another position (values repeat across positions: a reorg
        // that moved another claim with the same value to this index must not redirect it).
        vm.expectRevert(abi.encodeWithSelector(IFaultDisputeGame.WrongClaim.selector, 1, v1, uint64(3)));
        game.move{value: b2}(gameId, 1, v1, uint64(3), true, bytes32(0), "");
        uint256 b1 = game.bondAt(1);
        vm.expectRevert(IFaultDisputeGame.CannotDefend.selector);
        game.move{value: b1}(gameId, 0, root, uint64(1), false, bytes32(0), "");
        vm.expectRevert(abi.encodeWithSelector(IFaultDisputeGame.WrongBond.selector, b2));
        game.move{value: b2 + 1}(gameId, 1, v1, uint64(2), true, bytes32(0), "");
        vm.expectRevert(IFaultDisputeGame.UnexpectedProof.selector);
        game.move{value: b2}(gameId, 1, v1, uint64(2), true, bytes32(0), hex"00");
        vm.warp(block.timestamp + MAX_CLOCK);
        vm.expectRevert(IFaultDisputeGame.ClockExpired.selector);
        game.move{value: b2}(gameId, 1, v1, uint64(2), true, bytes32(0), "");
    }

    function test_move_splitRefusesBadDoneStates() public {
        uint256 gameId = _open();
        uint256 leaf = _down(gameId, 1, game.splitDepth()); // trace index 0, block 1
        FaultDisputeGame.Claim memory c = game.claim(gameId, leaf);
        assertEq(uint128(c.position).indexAtDepth(), 0);
        uint256 b = game.bondAt(game.splitDepth() + 1);
        bytes memory good = truth.donePreimage(0);
        // The preimage must hash to the value.
        vm.expectRevert(IFaultDisputeGame.WrongDoneState.selector);
        game.move{value: b}(gameId, leaf, c.value, c.position, true, bytes32(uint256(1)), good);
        // Phase tag 8.
        bytes memory badTag = bytes.concat(good);
        badTag[badTag.length - 65] = 0x07;
        vm.expectRevert(IFaultDisputeGame.WrongDoneState.selector);
        game.move{value: b}(gameId, leaf, c.value, c.position, true, keccak256(badTag), badTag);
        // Too short to hold the tag, hash and root.
        vm.expectRevert(IFaultDisputeGame.WrongDoneState.selector);
        game.move{value: b}(gameId, leaf, c.value, c.position, true, keccak256(hex"08"), hex"08");
        // No proof at all.
        vm.expectRevert(IFaultDisputeGame.WrongDoneState.selector);
        game.move{value: b}(gameId, leaf, c.value, c.position, true, keccak256(""), "");
    }

    function test_move_splitAttackMustDisagree() public {
        uint256 gameId = _open();
        uint256 leaf = _down(gameId, 1, game.splitDepth());
        FaultDisputeGame.Claim memory c = game.claim(gameId, leaf);
        uint256 b = game.bondAt(game.splitDepth() + 1);
        // A Done state carrying the very output it attacks.
        bytes memory same = abi.encodePacked(bytes15("faultline.vm.v2"), uint8(8), bytes32(0), c.value);
        if (c.value != truth.output(0)) {
            vm.expectRevert(IFaultDisputeGame.WrongDoneState.selector);
            game.move{value: b}(gameId, leaf, c.value, c.position, true, keccak256(same), same);
        }
        bytes memory good = truth.donePreimage(0);
        if (truth.output(0) != c.value) {
            game.move{value: b}(gameId, leaf, c.value, c.position, true, keccak256(good), good);
        }
    }

    function test_move_paddedBlockHasNoMachine() public {
        uint256 gameId = _open();
        // Claim 1 is at depth 1, trace index 7; defend to the right half (index 11), then
        // attack down the right until the split, in the padding.
        FaultDisputeGame.Claim memory c = game.claim(gameId, 1);
        uint256 i = game.move{value: game.bondAt(2)}(gameId, 1, c.value, c.position, false, bytes32(uint256(11)), "");
        i = game.move{value: game.bondAt(3)}(
            gameId, i, bytes32(uint256(11)), game.claim(gameId, i).position, false, bytes32(uint256(13)), ""
        );
        i = game.move{value: game.bondAt(4)}(
            gameId, i, bytes32(uint256(13)), game.claim(gameId, i).position, true, bytes32(uint256(12)), ""
        );
        FaultDisputeGame.Claim memory leaf = game.claim(gameId, i);
        assertEq(uint128(leaf.position).depth(), 4);
        assertEq(uint128(leaf.position).indexAtDepth(), 12);
        bytes memory good = truth.donePreimage(0);
        uint256 b5 = game.bondAt(5);
        vm.expectRevert(abi.encodeWithSelector(IFaultDisputeGame.PaddedBlock.selector, 12));
        game.move{value: b5}(gameId, i, leaf.value, leaf.position, true, keccak256(good), good);
        // Padding: output 12 must equal output 11 (both claims here): 12 != 11, so an
        // attack counters it; a defence (13 vs 12's value) is not padding-valid either way.
        game.stepPadding(gameId, i, leaf.value, leaf.position, true);
        assertEq(game.claim(gameId, i).counteredBy, address(this));
        vm.expectRevert(IFaultDisputeGame.AlreadyCountered.selector);
        game.stepPadding(gameId, i, leaf.value, leaf.position, true);
    }

    function test_stepPadding_refusesRealBlocksAndOtherDepths() public {
        uint256 gameId = _open();
        uint256 leaf = _down(gameId, 1, game.splitDepth());
        FaultDisputeGame.Claim memory c = game.claim(gameId, leaf);
        vm.expectRevert(abi.encodeWithSelector(IFaultDisputeGame.NotPadding.selector, 0));
        game.stepPadding(gameId, leaf, c.value, c.position, true);
        bytes32 v1 = game.claim(gameId, 1).value;
        vm.expectRevert(abi.encodeWithSelector(IFaultDisputeGame.WrongDepth.selector, 1));
        game.stepPadding(gameId, 1, v1, uint64(2), true);
    }

    // ---------------------------------------------------------------- steps

    function test_step_refusals() public {
        uint256 gameId = _open();
        uint256 leaf = _down(gameId, 1, game.maxDepth());
        FaultDisputeGame.Claim memory c = game.claim(gameId, leaf);
        uint256 bLeaf = game.bondAt(game.maxDepth() + 1);
        bytes32 v1 = game.claim(gameId, 1).value;
        vm.expectRevert(IFaultDisputeGame.MaxDepthReached.selector);
        game.move{value: bLeaf}(gameId, leaf, c.value, c.position, true, bytes32(0), "");
        vm.expectRevert(abi.encodeWithSelector(IFaultDisputeGame.WrongDepth.selector, 1));
        game.step(gameId, 1, v1, uint64(2), true, "", "");
        // A step and a padding step name the claim's position too.
        vm.expectRevert(abi.encodeWithSelector(IFaultDisputeGame.WrongClaim.selector, leaf, c.value, c.position + 1));
        game.step(gameId, leaf, c.value, c.position + 1, true, "", "");
        vm.expectRevert(abi.encodeWithSelector(IFaultDisputeGame.WrongClaim.selector, leaf, c.value, c.position + 1));
        game.stepPadding(gameId, leaf, c.value, c.position + 1, true);
        // The leaf (trace index 0 of block 1's machine) holds the truth's value on an even
        // depth or a wrong one on an odd: the step against it decides which.
        bool right = c.value == truth.valueAt(uint128(c.position));
        if (right) {
            vm.expectRevert(IFaultDisputeGame.ValidStep.selector);
            game.step(gameId, leaf, c.value, c.position, true, "", "");
        } else {
            game.step(gameId, leaf, c.value, c.position, true, "", "");
            vm.expectRevert(IFaultDisputeGame.AlreadyCountered.selector);
            game.step(gameId, leaf, c.value, c.position, true, "", "");
        }
    }

    function test_step_afterClockRunsOut() public {
        uint256 gameId = _open();
        uint256 leaf = _down(gameId, 1, game.maxDepth());
        FaultDisputeGame.Claim memory c = game.claim(gameId, leaf);
        vm.warp(block.timestamp + MAX_CLOCK);
        vm.expectRevert(IFaultDisputeGame.ClockExpired.selector);
        game.step(gameId, leaf, c.value, c.position, true, "", "");
    }

    // ---------------------------------------------------------------- resolution

    function test_resolve_order() public {
        uint256 gameId = _open();
        vm.expectRevert(IFaultDisputeGame.ClockNotExpired.selector);
        game.resolveClaim(gameId, 1);
        vm.warp(block.timestamp + MAX_CLOCK);
        vm.expectRevert(abi.encodeWithSelector(IFaultDisputeGame.ChildrenUnresolved.selector, 1));
        game.resolveClaim(gameId, 0);
        game.resolveClaim(gameId, 1);
        vm.expectRevert(IFaultDisputeGame.AlreadyResolved.selector);
        game.resolveClaim(gameId, 1);
        // Output still not final while the game is open, though its window has passed.
        vm.warp(block.timestamp + WINDOW);
        assertFalse(oracle.isFinalized(index));
        game.resolveClaim(gameId, 0);
        assertEq(uint8(game.game(gameId).status), uint8(IFaultDisputeGame.Status.ChallengerWins));
        assertEq(oracle.outputCount(), 1);
        assertEq(oracle.credit(address(this)), _prize(), "the winner's share");
        assertEq(game.credit(address(this)), game.challengeBond());
        vm.expectRevert(IFaultDisputeGame.GameOver.selector);
        game.resolveClaim(gameId, 0);
        uint256 b2 = game.bondAt(2);
        bytes32 v1 = game.claim(gameId, 1).value;
        vm.expectRevert(IFaultDisputeGame.GameOver.selector);
        game.move{value: b2}(gameId, 1, v1, uint64(2), true, bytes32(0), "");
    }

    function test_staleGameAfterDeletionLeavesTheReproposalAlone() public {
        uint256 g1 = _open();
        uint256 g2 = _open();
        vm.warp(block.timestamp + MAX_CLOCK);
        game.resolveClaim(g1, 1);
        game.resolveClaim(g1, 0); // deletes output 1
        assertEq(oracle.outputCount(), 1);
        // The same root proposed again at index 1 (a new proposal, a new nonce).
        uint256 again = _propose(proposer, root);
        assertEq(again, index);
        game.resolveClaim(g2, 1);
        game.resolveClaim(g2, 0); // challenger wins, but the proposal it disputed is gone
        assertEq(oracle.outputCount(), 2, "the re-proposal stands");
        vm.warp(block.timestamp + WINDOW);
        assertTrue(oracle.isFinalized(again));
    }

    function test_laterOutputWaitsForAnEarlierDispute() public {
        uint256 gameId = _open();
        uint256 second = _propose(proposer, keccak256("second"));
        vm.warp(block.timestamp + WINDOW + 1);
        assertFalse(oracle.isFinalized(second), "an open dispute on an earlier output holds it");
        game.move{value: game.bondAt(2)}(
            gameId, 1, game.claim(gameId, 1).value, uint64(2), true, bytes32(uint256(3)), ""
        );
        vm.warp(block.timestamp + game.maxGameDuration());
        game.resolveClaim(gameId, 2);
        game.resolveClaim(gameId, 1);
        game.resolveClaim(gameId, 0); // claim 1 countered by claim 2: the root stands
        assertEq(uint8(game.game(gameId).status), uint8(IFaultDisputeGame.Status.DefenderWins));
        assertTrue(oracle.isFinalized(index));
        assertTrue(oracle.isFinalized(second));
        assertEq(oracle.earliestDispute(), oracle.NO_DISPUTE());
    }

    /// @dev The attack of review 16 (finding 2): a wrong output 1, a true output 2, and a
    ///      challenge on output 2 whose trace starts at the wrong output 1. The game on
    ///      output 2 cannot be decided before output 1 is; once output 1 is disproven (which
    ///      deletes output 2, its proposer refunded by pull), it is void and every bond goes back.
    function test_gameWaitsForItsStart_andIsVoidWhenTheStartFalls() public {
        // Output 1 (setUp) is `root`, a wrong output proposed by `proposer`.
        TraceModel fromWrong = new TraceModel(game, 10, root, type(uint256).max, 0, false);
        fromWrong.teach(tvm);
        Actor honest = _actor(new TraceModel(game, 10, root, type(uint256).max, 0, false));
        Actor liar = _actor(new TraceModel(game, 10, root, 3, 1, false));
        // The honest proposer of output 2 builds on output 1 as L1 has it (its own trace).
        bytes32 out2 = fromWrong.output(15);
        uint256 i2 = _propose(address(honest), out2);
        uint256 g1 = _open(); // an honest challenge on output 1
        uint256 g2 = liar.challenge(i2, out2);
        Actor[] memory actors = new Actor[](2);
        actors[0] = honest;
        actors[1] = liar;
        for (uint256 r = 0; r < 50; ++r) {
            if (honest.act(g2) + liar.act(g2) == 0) break;
            vm.warp(block.timestamp + 60);
        }
        vm.warp(block.timestamp + game.maxGameDuration());
        uint256 n = game.claimCount(g2);
        vm.expectRevert(abi.encodeWithSelector(IFaultDisputeGame.StartNotFinal.selector, 1));
        game.resolveClaim(g2, n - 1);
        // Output 1 falls (its only counter stands), deleting output 2 too.
        game.resolveClaim(g1, 1);
        game.resolveClaim(g1, 0);
        assertEq(oracle.outputCount(), 1);
        oracle.refundDeleted(i2);
        assertEq(oracle.credit(address(honest)), BOND, "output 2's proposer refunded");
        _resolveAll(g2);
        assertEq(uint8(game.game(g2).status), uint8(IFaultDisputeGame.Status.Void));
        assertEq(game.credit(address(honest)), honest.spent(), "every bond back");
        assertEq(game.credit(address(liar)), liar.spent(), "every bond back");
    }

    // ---------------------------------------------------------------- credit

    function test_claimCredit_noneFailedReentrant() public {
        vm.expectRevert(IFaultDisputeGame.NoCredit.selector);
        game.claimCredit();
        Refuser r = new Refuser();
        Reenterer e = new Reenterer(game);
        uint256 b = game.challengeBond();
        vm.deal(address(r), b);
        vm.deal(address(e), b);
        vm.prank(address(r));
        uint256 g1 = game.challenge{value: b}(index, root, bytes32(uint256(1)));
        vm.prank(address(e));
        uint256 g2 = game.challenge{value: b}(index, root, bytes32(uint256(2)));
        vm.warp(block.timestamp + MAX_CLOCK);
        game.resolveClaim(g1, 1);
        game.resolveClaim(g2, 1);
        vm.expectRevert(IFaultDisputeGame.TransferFailed.selector);
        r.claimFrom(game);
        assertEq(game.credit(address(r)), b, "credit kept");
        uint256 before = address(e).balance;
        e.claim();
        assertEq(address(e).balance - before, b, "paid once");
        assertEq(e.entered(), 1);
        assertEq(game.credit(address(e)), 0);
    }

    // ---------------------------------------------------------------- construction

    function test_constructor_refusesBadParameters() public {
        FaultDisputeGame.Params memory p = FaultDisputeGame.Params({
            execDepth: 4,
            maxClockDuration: MAX_CLOCK,
            clockExtension: EXT,
            splitExtension: EXT,
            stepExtension: EXT,
            baseBond: 1,
            bondGrowthBps: 10_000
        });
        p.execDepth = 0;
        vm.expectRevert(abi.encodeWithSelector(IFaultDisputeGame.BadParameter.selector, "execDepth"));
        new FaultDisputeGame(oracle, tvm, start, p);
        p.execDepth = 60;
        vm.expectRevert(abi.encodeWithSelector(IFaultDisputeGame.BadParameter.selector, "depth"));
        new FaultDisputeGame(oracle, tvm, start, p);
        p.execDepth = 4;
        p.clockExtension = 0;
        vm.expectRevert(abi.encodeWithSelector(IFaultDisputeGame.BadParameter.selector, "extensions"));
        new FaultDisputeGame(oracle, tvm, start, p);
        p.clockExtension = EXT;
        p.maxClockDuration = EXT;
        vm.expectRevert(abi.encodeWithSelector(IFaultDisputeGame.BadParameter.selector, "maxClockDuration"));
        new FaultDisputeGame(oracle, tvm, start, p);
        p.maxClockDuration = MAX_CLOCK;
        p.bondGrowthBps = 9_999;
        vm.expectRevert(abi.encodeWithSelector(IFaultDisputeGame.BadParameter.selector, "bond"));
        new FaultDisputeGame(oracle, tvm, start, p);
        // Review finding 6: upper bounds on the bond curve.
        p.bondGrowthBps = 20_001;
        vm.expectRevert(abi.encodeWithSelector(IFaultDisputeGame.BadParameter.selector, "bond"));
        new FaultDisputeGame(oracle, tvm, start, p);
        p.bondGrowthBps = 20_000;
        p.baseBond = 10 ether + 1;
        vm.expectRevert(abi.encodeWithSelector(IFaultDisputeGame.BadParameter.selector, "bond"));
        new FaultDisputeGame(oracle, tvm, start, p);
        p.baseBond = 10 ether;
        new FaultDisputeGame(oracle, tvm, start, p); // both bounds are allowed
    }
}
