// SPDX-License-Identifier: MIT
pragma solidity ^0.8.24;

import {console} from "forge-std/console.sol";
import {FaultDisputeGame} from "../../src/dispute/FaultDisputeGame.sol";
import {Positions} from "../../src/dispute/lib/Positions.sol";
import {GameGas} from "./FaultDisputeGameGas.t.sol";
import {RealTrace, RealTraceFixture, TraceData} from "./RealTrace.t.sol";

/// @notice The router's module table (`FaultVM.modulesInOrder`), named without importing
///         the router (which would compile this file at the router's optimizer runs too).
interface IModuleTable {
    function modulesInOrder() external view returns (address[] memory);
}

/// @notice The L1 gas of a full path on the real deployment (docs/dispute.md, "Measured"),
///         priced as `GameGas` prices it: the split move carrying a real block's Done
///         state preimage, and the leaf's step through the real `BlockStart` and verifier
///         (the block's first step, the one that needs `BlockStart` too).
contract RealTraceGasTest is GameGas, RealTraceFixture {
    using Positions for uint128;

    function setUp() public {
        _loadVectors();
    }

    function _cold() internal override {
        super._cold();
        vm.cool(address(verifier));
        vm.cool(engine);
        address[] memory m = IModuleTable(address(verifier)).modulesInOrder();
        for (uint256 i = 0; i < m.length; ++i) {
            vm.cool(m[i]);
        }
        vm.cool(address(realStart));
        vm.cool(address(inbox));
        vm.cool(address(portal));
    }

    /// @notice The devnet's geometry: 30 levels of machine trace (max depth 33).
    function test_gas_realPath_devnetDepth() public {
        _realPath(30);
    }

    /// @notice Production's level-2 depth (26), over this rollup's 3-block outputs.
    function test_gas_realPath_productionExecDepth() public {
        _realPath(26);
    }

    function _realPath(uint8 execDepth) internal {
        _deployReal(execDepth);
        RealTrace truth = _realModel(type(uint256).max, 0, false);
        bytes32 root = keccak256("wrong");
        uint256 index = _propose(makeAddr("p"), root);
        uint256 g = _call(
            game.challengeBond(),
            abi.encodeCall(FaultDisputeGame.challenge, (index, root, keccak256(abi.encode(truth.valueAt(2)))))
        );
        console.log("challenge:", g);
        uint256 i = 1;
        uint256 maxMove;
        while (true) {
            FaultDisputeGame.Claim memory c = game.claim(0, i);
            uint128 pos = c.position;
            uint256 d = pos.depth();
            if (d == game.maxDepth()) break;
            // Every claim attacks, each wrong but the split's, a real Done state.
            bytes memory proof = d == game.splitDepth() ? truth.donePreimage(pos.indexAtDepth()) : bytes("");
            bytes32 v = proof.length > 0 ? keccak256(proof) : keccak256(abi.encode("wrong", d));
            g = _call(
                game.bondAt(d + 1), abi.encodeCall(FaultDisputeGame.move, (0, i, c.value, c.position, true, v, proof))
            );
            if (proof.length > 0) {
                console.log("move to the split, with the real Done preimage (bytes):", proof.length);
                console.log("  gas:", g);
            } else if (g > maxMove) {
                maxMove = g;
            }
            i = game.claimCount(0) - 1;
        }
        console.log("largest other move:", maxMove);
        FaultDisputeGame.Claim memory leaf = game.claim(0, i);
        (bytes memory witness, bytes memory startProof) = truth.stepProof(uint128(leaf.position), true);
        assertEq(keccak256(startProof), keccak256(TraceData.at("startProof", 0, 0).code), "the block's first step");
        g = _call(
            0, abi.encodeCall(FaultDisputeGame.step, (0, i, leaf.value, leaf.position, true, witness, startProof))
        );
        assertEq(game.claim(0, i).counteredBy, address(this), "the step countered the leaf");
        console.log("step of block 1's first step (BlockStart, verifier, game):", g);
        console.log("  witness bytes:", witness.length);
        console.log("  BlockStart proof bytes:", startProof.length);
        console.log("moves on the path:", game.maxDepth());
    }
}
