// SPDX-License-Identifier: MIT
pragma solidity ^0.8.24;

import {VmMutationsTest} from "./VmMutations.t.sol";
import {Route} from "../../src/vm/Route.sol";
import {InputTailSteps} from "../../src/vm/steps/InputTailSteps.sol";
import {InputSteps} from "../../src/vm/steps/InputSteps.sol";

/// @notice The witness mutations of VmMutations.t.sol on the vectors the INPUTS module
///         (InputSteps and its InputTailSteps) takes: never the honest post, never a
///         refusal but an `IFaultVM` error.
contract InputMutationsTest is VmMutationsTest {
    function modules() internal override returns (address[] memory m) {
        m = new address[](Route.COUNT);
        m[Route.INPUTS] = address(new InputSteps(engine));
        m[Route.INPUT_TAIL] = address(new InputTailSteps(engine));
    }
}
