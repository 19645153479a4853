// SPDX-License-Identifier: MIT
pragma solidity ^0.8.24;

import {GameFixture} from "./FaultDisputeGame.t.sol";
import {GameInvariants} from "./FaultDisputeGame.invariants.t.sol";
import {GameTrace} from "./Actors.sol";
import {RealTrace, RealTraceFixture} from "./RealTrace.t.sol";

/// @notice `GameInvariants` on the real blocks of docs/vectors/dispute/game.json, the real
///         verifier and `BlockStart`: random adversaries (with the truth's witnesses or
///         garbage) beside one honest actor, which wins; fewer runs, each step being real.
abstract contract RealTraceInvariants is GameInvariants, RealTraceFixture {
    function _deployForInvariants() internal override {
        _loadVectors();
        _deployReal(5);
    }

    function _truthModel() internal override returns (GameTrace) {
        return _realModel(type(uint256).max, 0, false);
    }

    function _rightRoot() internal view override returns (bytes32) {
        return RealTrace(address(truth)).output(BLOCKS);
    }
}

/// forge-config: default.invariant.runs = 32
contract RealWrongOutputInvariants is RealTraceInvariants {
    function setUp() public {
        _setUp(false);
    }
}

/// forge-config: default.invariant.runs = 32
contract RealRightOutputInvariants is RealTraceInvariants {
    function setUp() public {
        _setUp(true);
    }
}
