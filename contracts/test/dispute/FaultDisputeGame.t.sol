// SPDX-License-Identifier: MIT
pragma solidity ^0.8.24;

import {OracleFixtures, EmptyBlockBatch} from "../helpers/OracleFixtures.sol";
import {FaultDisputeGame} from "../../src/dispute/FaultDisputeGame.sol";
import {IFaultDisputeGame} from "../../src/interfaces/IFaultDisputeGame.sol";
import {OutputOracle} from "../../src/L1/OutputOracle.sol";
import {TableVM, HashBlockStart} from "./doubles/TableVM.sol";
import {IFaultVM} from "../../src/interfaces/IFaultVM.sol";
import {IBlockStart} from "../../src/interfaces/IBlockStart.sol";
import {GameTrace, TraceModel, Actor} from "./Actors.sol";

/// @notice Deploys the rollup with the game over the test doubles (docs/dispute.md,
///         "Tests"): interval 10 blocks (split depth 4, 6 padded leaves), machine traces of
///         16 steps (max depth 9), devnet-like clocks and bonds.
abstract contract GameFixture is OracleFixtures {
    FaultDisputeGame internal game;
    TableVM internal tvm;
    HashBlockStart internal start;

    uint32 internal constant MAX_CLOCK = 1 days;
    uint32 internal constant EXT = 1 hours;

    function _deployGame() internal {
        _deployGameWithDepth(4);
    }

    /// @dev The game with `execDepth` levels of machine trace (split depth 4).
    function _deployGameWithDepth(uint8 execDepth) internal {
        _deployRollup();
        tvm = new TableVM();
        start = new HashBlockStart();
        _installGame(tvm, start, execDepth);
    }

    /// @dev The game over `stepper` and `blockStart` with the tests' clocks and bonds, set
    ///      in the rollup's config.
    function _installGame(IFaultVM stepper, IBlockStart blockStart, uint8 execDepth) internal {
        game = new FaultDisputeGame(
            oracle,
            stepper,
            blockStart,
            FaultDisputeGame.Params({
                execDepth: execDepth,
                maxClockDuration: MAX_CLOCK,
                clockExtension: EXT,
                splitExtension: 2 * EXT,
                stepExtension: 2 * EXT,
                baseBond: 0.01 ether,
                bondGrowthBps: 10_900
            })
        );
        vm.prank(owner);
        config.setDisputeGame(address(game));
    }

    /// @dev A model of output 1's trace (blocks 1..10 from genesis).
    function _model(uint256 lieBlock, uint256 lieStep, bool pad) internal returns (TraceModel) {
        return new TraceModel(game, 0, GENESIS_ROOT, lieBlock, lieStep, pad);
    }

    function _actor(GameTrace m) internal returns (Actor a) {
        a = new Actor{value: 100 ether}(game, m);
    }

    /// @dev Lets the actors move in turn, a minute apart, until neither has a move; then
    ///      runs the clocks out and resolves every claim bottom-up.
    function _play(uint256 gameId, Actor[] memory actors) internal returns (uint256 rounds) {
        for (rounds = 0; rounds < 200; ++rounds) {
            uint256 made;
            for (uint256 j = 0; j < actors.length; ++j) {
                made += actors[j].act(gameId);
                vm.warp(block.timestamp + 60);
            }
            if (made == 0) break;
        }
        vm.warp(block.timestamp + game.maxGameDuration());
        _resolveAll(gameId);
    }

    /// @dev `_play` with two actors, `first` moving first each round.
    function _play(uint256 gameId, Actor first, Actor second) internal returns (uint256) {
        Actor[] memory actors = new Actor[](2);
        actors[0] = first;
        actors[1] = second;
        return _play(gameId, actors);
    }

    function _resolveAll(uint256 gameId) internal {
        for (uint256 i = game.claimCount(gameId); i > 0; --i) {
            game.resolveClaim(gameId, i - 1);
        }
    }

    /// @dev The winner's part of a disproven proposer bond.
    function _prize() internal view returns (uint256) {
        return BOND * oracle.WINNER_SHARE_BPS() / 10_000;
    }

    /// @dev Once every claim is resolved, the game holds exactly the two players' credits,
    ///      and the honest one got back at least what it locked; the oracle's ETH balances.
    function _conserved(Actor honest, Actor liar) internal view {
        assertEq(address(game).balance, game.credit(address(honest)) + game.credit(address(liar)), "ETH conserved");
        assertGe(game.credit(address(honest)), honest.spent(), "honest actor loses no bond");
        address[] memory accounts = new address[](2);
        accounts[0] = address(honest);
        accounts[1] = address(liar);
        _oracleConserved(accounts);
    }

    /// @dev The oracle's ETH is the unreleased bonds of live outputs and of deleted records,
    ///      the credit of `accounts` (everyone it could owe) and the burn.
    function _oracleConserved(address[] memory accounts) internal view {
        uint256 held;
        uint256 count = oracle.outputCount();
        for (uint256 i = 0;; ++i) {
            OutputOracle.Output memory o = oracle.outputRecord(i);
            if (i >= count && o.bond == 0) break;
            if (!o.bondReleased) held += o.bond;
        }
        for (uint256 j = 0; j < accounts.length; ++j) {
            held += oracle.credit(accounts[j]);
        }
        assertEq(address(oracle).balance, held + oracle.burned(), "oracle ETH conserved");
    }
}

contract FaultDisputeGameTest is GameFixture {
    address internal proposer = makeAddr("proposer");

    function setUp() public {
        _deployGame();
    }

    function _status(uint256 gameId) internal view returns (IFaultDisputeGame.Status) {
        return game.game(gameId).status;
    }

    // ---------------------------------------------------------------- geometry

    function test_geometry() public view {
        assertEq(game.splitDepth(), 4);
        assertEq(game.maxDepth(), 9);
        assertEq(game.blocksPerOutput(), 10);
        assertEq(game.bondAt(0), 0.01 ether);
        assertEq(game.bondAt(1), 0.0109 ether);
        assertEq(game.challengeBond(), BOND, "opening a game costs the proposer bond");
        // 2 days of clocks, plus per depth 1..9 one extension (two at depths 3 and 8).
        assertEq(game.maxGameDuration(), 2 days + 7 hours + 2 * 2 hours);
    }

    // ---------------------------------------------------------------- whole games

    /// @dev A wrong output (the proposer's trace departs at block index `lieBlock`, step
    ///      `lieStep`) defended by its proposer's agent loses to one honest challenger.
    function _wrongOutputLoses(uint256 lieBlock, uint256 lieStep, bool pad) internal {
        TraceModel truth = _model(type(uint256).max, 0, false);
        truth.teach(tvm);
        TraceModel lie = _model(lieBlock, lieStep, pad);
        Actor honest = _actor(truth);
        Actor liar = _actor(lie);
        bytes32 wrong = lie.output(15);
        assertTrue(wrong != truth.output(15));
        uint256 index = _propose(address(liar), wrong);
        uint256 gameId = honest.challenge(index, wrong);
        assertFalse(oracle.isFinalized(index));
        _play(gameId, liar, honest);
        assertEq(honest.refused(), 0, "the game refused no honest move");
        assertEq(uint8(_status(gameId)), uint8(IFaultDisputeGame.Status.ChallengerWins), "challenger wins");
        assertEq(oracle.outputCount(), 1, "output deleted");
        assertEq(oracle.credit(address(honest)), _prize(), "half the proposer bond to the challenger");
        assertEq(oracle.burned(), BOND - _prize(), "the rest burned");
        assertEq(oracle.credit(address(liar)), 0);
        // The liar's bonds all went to the honest side.
        assertEq(game.credit(address(liar)), 0, "liar keeps nothing");
        _conserved(honest, liar);
    }

    function test_wrongOutput_lieInLastStepOfABlock() public {
        _wrongOutputLoses(6, 4, false);
    }

    function test_wrongOutput_lieInFirstStep() public {
        _wrongOutputLoses(6, 0, false);
    }

    function test_wrongOutput_lieInFirstBlock() public {
        _wrongOutputLoses(0, 2, false);
    }

    function test_wrongOutput_lieInLastBlock() public {
        _wrongOutputLoses(9, 3, false);
    }

    function test_wrongOutput_lieOnlyInPadding() public {
        _wrongOutputLoses(type(uint256).max, 0, true);
    }

    /// @dev An honest output defended by its proposer's agent survives a lying challenger
    ///      and then finalizes; the challenger's proposer-sized opening bond goes to the
    ///      defender (review finding 3: a finality stall costs the proposer bond).
    function _wrongChallengeLoses(uint256 lieBlock, uint256 lieStep, bool pad) internal {
        TraceModel truth = _model(type(uint256).max, 0, false);
        truth.teach(tvm);
        Actor honest = _actor(truth);
        Actor liar = _actor(_model(lieBlock, lieStep, pad));
        bytes32 root = truth.output(15);
        uint256 index = _propose(address(honest), root);
        uint256 gameId = liar.challenge(index, root);
        _play(gameId, honest, liar);
        assertEq(honest.refused(), 0, "the game refused no honest move");
        assertEq(uint8(_status(gameId)), uint8(IFaultDisputeGame.Status.DefenderWins), "defender wins");
        assertEq(oracle.outputCount(), 2);
        assertTrue(oracle.isFinalized(index), "final once the game is resolved and the window passed");
        assertEq(game.credit(address(liar)), 0, "liar keeps nothing");
        assertEq(game.game(gameId).openingBond, BOND);
        assertGe(liar.spent(), BOND);
        assertEq(game.credit(address(honest)), honest.spent() + liar.spent(), "every bond to the defender");
        assertGe(game.credit(address(honest)) - honest.spent(), BOND, "at least the proposer bond won");
        _conserved(honest, liar);
    }

    function test_wrongChallenge_lieInBlock() public {
        _wrongChallengeLoses(3, 1, false);
    }

    function test_wrongChallenge_lieInFirstStep() public {
        _wrongChallengeLoses(0, 0, false);
    }

    function test_wrongChallenge_lieInPadding() public {
        _wrongChallengeLoses(type(uint256).max, 0, true);
    }

    /// @dev The attack of review finding 2: the wrong proposer's colluder opens a game on
    ///      the wrong output, which nobody defends, and takes the prize at the first chance
    ///      (before an honest challenger's game is played out). The two get back only the
    ///      winner's share: the burn is what the attack costs. The honest challenger loses
    ///      nothing.
    function test_wrongProposerChallengingItselfLosesTheBurn() public {
        TraceModel truth = _model(type(uint256).max, 0, false);
        truth.teach(tvm);
        TraceModel lie = _model(6, 4, false);
        Actor liar = _actor(lie);
        Actor colluder = _actor(truth);
        Actor honest = _actor(truth);
        bytes32 wrong = lie.output(15);
        uint256 index = _propose(address(liar), wrong);
        uint256 g1 = colluder.challenge(index, wrong);
        uint256 g2 = honest.challenge(index, wrong);
        vm.warp(block.timestamp + MAX_CLOCK);
        game.resolveClaim(g1, 1);
        game.resolveClaim(g1, 0);
        assertEq(uint8(_status(g1)), uint8(IFaultDisputeGame.Status.ChallengerWins));
        assertEq(oracle.outputCount(), 1, "output deleted");
        assertEq(oracle.credit(address(colluder)), _prize());
        assertEq(oracle.credit(address(liar)), 0);
        assertEq(oracle.burned(), BOND - _prize());
        assertLe(oracle.credit(address(colluder)) + oracle.credit(address(liar)), BOND / 2, "half lost");
        // The honest game is played out all the same; it decides nothing in the oracle.
        _play(g2, liar, honest);
        assertEq(uint8(_status(g2)), uint8(IFaultDisputeGame.Status.ChallengerWins));
        assertEq(honest.refused(), 0);
        assertGe(game.credit(address(honest)), honest.spent(), "honest actor loses no bond");
        assertEq(oracle.credit(address(honest)), 0);
        address[] memory accounts = new address[](3);
        accounts[0] = address(liar);
        accounts[1] = address(colluder);
        accounts[2] = address(honest);
        _oracleConserved(accounts);
    }
}
