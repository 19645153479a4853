// SPDX-License-Identifier: MIT
pragma solidity ^0.8.24;

import {console} from "forge-std/console.sol";
import {GameFixture} from "./FaultDisputeGame.t.sol";
import {FaultDisputeGame} from "../../src/dispute/FaultDisputeGame.sol";
import {Positions} from "../../src/dispute/lib/Positions.sol";
import {TraceModel} from "./Actors.sol";

/// @notice How the gas tests price a call: a transaction's whole gas under Osaka, 21,000
///         plus calldata (EIP-7623's floor when larger) plus execution with the game's
///         storage and every contract it calls cold.
abstract contract GameGas is GameFixture {
    function _txGas(bytes memory data, uint256 exec) internal pure returns (uint256) {
        uint256 zeros;
        for (uint256 i = 0; i < data.length; ++i) {
            if (data[i] == 0) ++zeros;
        }
        uint256 tokens = zeros + 4 * (data.length - zeros);
        uint256 standard = 21_000 + 4 * tokens + exec;
        uint256 floor = 21_000 + 10 * tokens;
        return standard > floor ? standard : floor;
    }

    /// @dev Cools the game and what it reads (override to add more).
    function _cold() internal virtual {
        vm.cool(address(game));
        vm.cool(address(oracle));
        vm.cool(address(config));
        vm.cool(address(tvm));
        vm.cool(address(start));
    }

    function _call(uint256 value, bytes memory data) internal returns (uint256 gas) {
        _cold();
        (bool ok, bytes memory ret) = address(game).call{value: value}(data);
        if (!ok) {
            assembly ("memory-safe") {
                revert(add(ret, 32), mload(ret))
            }
        }
        gas = _txGas(data, vm.lastCallGas().gasTotalUsed);
    }
}

/// @notice Prints the L1 gas of each move along a full path, of the step's game part and
///         of resolution (docs/dispute.md, "Measured"), priced by `GameGas`. The step's
///         figure leaves out the verifier's own gas (the TableVM double stands in; the
///         real verifier's, with a real Done preimage at the split: RealTraceGas.t.sol).
contract FaultDisputeGameGasTest is GameGas {
    using Positions for uint128;

    function test_gas_fullPath() public {
        _fullPath(4);
    }

    /// @notice The same path at the production deployment's total depth (38: split depth
    ///         4 here plus 33 levels of machine trace, against production's 11 + 26; a
    ///         move's cost depends on its depth, not on where the split is).
    function test_gas_fullPath_productionDepth() public {
        _fullPath(33);
    }

    function _fullPath(uint8 execDepth) internal {
        _deployGameWithDepth(execDepth);
        TraceModel truth = new TraceModel(game, 0, GENESIS_ROOT, type(uint256).max, 0, false);
        truth.teach(tvm);
        bytes32 root = keccak256("wrong");
        uint256 index = _propose(makeAddr("p"), root);
        uint256 maxMove;
        uint256 total;
        bytes memory data = abi.encodeCall(FaultDisputeGame.challenge, (index, root, truth.valueAt(2)));
        uint256 g = _call(game.challengeBond(), data);
        console.log("challenge (opens the game, first move):", g);
        total += g;
        uint256 i = 1;
        uint256 gameId = 0;
        while (true) {
            FaultDisputeGame.Claim memory c = game.claim(gameId, i);
            uint128 pos = c.position;
            uint256 d = pos.depth();
            if (d == game.maxDepth()) break;
            uint128 next = pos.attack();
            bytes memory proof = d == game.splitDepth() ? truth.donePreimage(pos.indexAtDepth()) : bytes("");
            bytes32 v = truth.valueAt(next);
            v = keccak256(abi.encode(v));
            if (d + 1 == game.splitDepth() + 1) v = keccak256(proof);
            data = abi.encodeCall(FaultDisputeGame.move, (gameId, i, c.value, c.position, true, v, proof));
            g = _call(game.bondAt(d + 1), data);
            console.log("move to depth", d + 1, g);
            if (d + 1 != game.splitDepth() + 1 && g > maxMove) maxMove = g;
            total += g;
            i = game.claimCount(gameId) - 1;
        }
        FaultDisputeGame.Claim memory leaf = game.claim(gameId, i);
        data = abi.encodeCall(FaultDisputeGame.step, (gameId, i, leaf.value, leaf.position, true, "", ""));
        assertTrue(leaf.value != truth.valueAt(uint128(leaf.position)), "the leaf is wrong");
        g = _call(0, data);
        console.log("step, game part (block's first step: IBlockStart double):", g);
        console.log("largest move (not the split):", maxMove);
        console.log("moves on the path:", game.maxDepth());
        console.log("all moves of one path:", total);
        vm.warp(block.timestamp + game.maxGameDuration());
        uint256 maxResolve;
        for (uint256 j = game.claimCount(gameId); j > 1; --j) {
            g = _call(0, abi.encodeCall(FaultDisputeGame.resolveClaim, (gameId, j - 1)));
            if (g > maxResolve) maxResolve = g;
        }
        console.log("largest resolveClaim (not the root):", maxResolve);
        g = _call(0, abi.encodeCall(FaultDisputeGame.resolveClaim, (gameId, 0)));
        console.log("resolveClaim of the root (deletes the output):", g);
    }

    /// @notice `challenge` of output 2, whose start (output 1) has a non-zero nonce: the
    ///         game's third slot is written whatever the opening bond, unlike output 1's
    ///         (genesis start, nonce 0) above.
    function test_gas_challengeOfALaterOutput() public {
        _deployGame();
        _propose(makeAddr("p"), keccak256("first"));
        bytes32 root = keccak256("wrong");
        uint256 index = _propose(makeAddr("p"), root);
        bytes memory data = abi.encodeCall(FaultDisputeGame.challenge, (index, root, keccak256("value")));
        uint256 g = _call(game.challengeBond(), data);
        console.log("challenge of output 2 (start nonce non-zero):", g);
    }

    /// @notice What a party's first claim in any game costs over its later ones: its entry
    ///         in the party registry (two fresh slots, written once per address).
    function test_gas_firstClaimOfAParty() public {
        _deployGame();
        bytes32 root = keccak256("wrong");
        uint256 index = _propose(makeAddr("p"), root);
        _call(game.challengeBond(), abi.encodeCall(FaultDisputeGame.challenge, (index, root, keccak256("c1"))));
        // A second game on the same output: the challenger and proposer are registered.
        uint256 g =
            _call(game.challengeBond(), abi.encodeCall(FaultDisputeGame.challenge, (index, root, keccak256("c2"))));
        console.log("challenge by a registered party, proposer registered:", g);
        // A fresh address attacks claim 1 of game 0 (its first claim ever), then claim 1 of game 1.
        address fresh = makeAddr("fresh");
        vm.deal(fresh, 10 ether);
        uint256 bond = game.bondAt(2);
        bytes memory first =
            abi.encodeCall(FaultDisputeGame.move, (0, 1, keccak256("c1"), uint64(2), true, keccak256("x"), ""));
        bytes memory again =
            abi.encodeCall(FaultDisputeGame.move, (1, 1, keccak256("c2"), uint64(2), true, keccak256("y"), ""));
        vm.startPrank(fresh);
        uint256 g1 = _call(bond, first);
        uint256 g2 = _call(bond, again);
        vm.stopPrank();
        console.log("move, the party's first claim ever:", g1);
        console.log("move, a registered party:", g2);
        assertGt(g1, g2, "registration is paid once");
    }
}
