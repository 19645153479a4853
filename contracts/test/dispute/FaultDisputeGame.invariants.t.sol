// SPDX-License-Identifier: MIT
pragma solidity ^0.8.24;

import {CommonBase} from "forge-std/Base.sol";
import {GameFixture} from "./FaultDisputeGame.t.sol";
import {FaultDisputeGame} from "../../src/dispute/FaultDisputeGame.sol";
import {IFaultDisputeGame} from "../../src/interfaces/IFaultDisputeGame.sol";
import {OutputOracle} from "../../src/L1/OutputOracle.sol";
import {GameTrace, TraceModel, Actor, Adversary} from "./Actors.sol";

/// @notice Drives random adversaries against one game; the honest actor answers after
///         every action (it is never asleep longer than an extension).
contract GameHandler is CommonBase {
    FaultDisputeGame public immutable game;
    Actor public immutable honest;
    Adversary[] public adversaries;
    uint256 public immutable gameId;
    uint256 public actions;

    constructor(FaultDisputeGame game_, Actor honest_, Adversary[] memory adversaries_, uint256 gameId_) {
        game = game_;
        honest = honest_;
        adversaries = adversaries_;
        gameId = gameId_;
    }

    function adversaryActs(uint256 who, uint256 seed, uint256 wait) external {
        if (game.game(gameId).status != IFaultDisputeGame.Status.InProgress) return;
        Adversary a = adversaries[who % adversaries.length];
        if (a.act(gameId, seed)) ++actions;
        vm.warp(block.timestamp + wait % 1 hours);
        honest.act(gameId);
    }

    function honestActs(uint256 wait) external {
        vm.warp(block.timestamp + wait % 1 hours);
        honest.act(gameId);
    }
}

/// @notice Random adversaries (attacks, defences, freeloaders, duplicates, garbage, silence)
///         beside one honest actor, on a wrong output (`WrongOutputInvariants`) and on a
///         right one (`RightOutputInvariants`): the honest side wins, the honest actor
///         loses no bond, and ETH is conserved between the game and its credits.
abstract contract GameInvariants is GameFixture {
    GameHandler internal handler;
    Actor internal honest;
    GameTrace internal truth;
    Adversary[] internal adversaries;
    uint256 internal gameId;
    uint256 internal outputIndex;
    bool internal outputIsRight;

    /// @dev The rollup and game the run plays on (here: over the test doubles).
    function _deployForInvariants() internal virtual {
        _deployGame();
    }

    /// @dev The honest view of the trace.
    function _truthModel() internal virtual returns (GameTrace) {
        TraceModel m = new TraceModel(game, 0, GENESIS_ROOT, type(uint256).max, 0, false);
        m.teach(tvm);
        return m;
    }

    /// @dev The right output root of the disputed output.
    function _rightRoot() internal view virtual returns (bytes32) {
        return TraceModel(address(truth)).output(15);
    }

    function _setUp(bool right) internal {
        _deployForInvariants();
        outputIsRight = right;
        truth = _truthModel();
        honest = _actor(truth);
        for (uint256 i = 0; i < 3; ++i) {
            adversaries.push(new Adversary{value: 1000 ether}(game, truth));
        }
        bytes32 root = right ? _rightRoot() : keccak256("wrong output");
        outputIndex = _propose(right ? address(honest) : makeAddr("liar"), root);
        if (right) {
            require(adversaries[0].challenge(outputIndex, root, keccak256("bogus")), "open");
            gameId = 0;
            honest.act(gameId);
        } else {
            gameId = honest.challenge(outputIndex, root);
        }
        handler = new GameHandler(game, honest, adversaries, gameId);
        targetContract(address(handler));
    }

    /// @notice While the game runs: the game holds exactly the bonds of its claims
    ///         (unresolved) and the honest actor was never refused.
    function invariant_bondsHeldAndHonestNeverRefused() public view {
        assertEq(honest.refused(), 0, "the game refused an honest move");
        uint256 n = game.claimCount(gameId);
        // Claim 1, the opening claim, locked the challenge bond; the others their depth's.
        uint256 locked = game.game(gameId).openingBond;
        for (uint256 i = 2; i < n; ++i) {
            locked += game.bondAt(_depth(game.claim(gameId, i).position));
        }
        assertEq(address(game).balance, locked, "bonds held");
    }

    function _depth(uint64 g) internal pure returns (uint256 d) {
        while (g > 1) {
            g >>= 1;
            ++d;
        }
    }

    /// @notice At the end of each run: the honest actor plays on to the end, every claim is
    ///         resolved, the honest side has won and the honest actor got back at least
    ///         what it locked; all of the game's ETH is in credits, and the oracle's is in
    ///         bonds, credits and the burn (the winner's share of a wrong output's bond to
    ///         the honest challenger).
    function afterInvariant() public {
        for (uint256 r = 0; r < 200; ++r) {
            vm.warp(block.timestamp + 60);
            if (honest.act(gameId) == 0) break;
        }
        assertEq(honest.refused(), 0, "the game refused an honest move");
        vm.warp(block.timestamp + game.maxGameDuration());
        _resolveAll(gameId);
        IFaultDisputeGame.Status want =
            outputIsRight ? IFaultDisputeGame.Status.DefenderWins : IFaultDisputeGame.Status.ChallengerWins;
        assertEq(uint8(game.game(gameId).status), uint8(want), "honest side wins");
        assertGe(game.credit(address(honest)), honest.spent(), "honest actor loses no bond");
        uint256 credits = game.credit(address(honest));
        for (uint256 i = 0; i < adversaries.length; ++i) {
            credits += game.credit(address(adversaries[i]));
        }
        assertEq(address(game).balance, credits, "ETH conserved");
        assertEq(oracle.outputCount(), outputIsRight ? 2 : 1);
        uint256 prize = BOND * oracle.WINNER_SHARE_BPS() / 10_000;
        assertEq(oracle.credit(address(honest)), outputIsRight ? 0 : prize, "the winner's share");
        address[] memory accounts = new address[](adversaries.length + 2);
        accounts[0] = address(honest);
        accounts[1] = makeAddr("liar");
        for (uint256 i = 0; i < adversaries.length; ++i) {
            accounts[i + 2] = address(adversaries[i]);
        }
        _oracleConserved(accounts);
    }
}

contract WrongOutputInvariants is GameInvariants {
    function setUp() public {
        _setUp(false);
    }
}

contract RightOutputInvariants is GameInvariants {
    function setUp() public {
        _setUp(true);
    }
}
