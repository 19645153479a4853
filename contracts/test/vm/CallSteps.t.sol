// SPDX-License-Identifier: MIT
pragma solidity ^0.8.24;

import {VmVectorsTest} from "./VmVectors.t.sol";
import {Route} from "../../src/vm/Route.sol";
import {CallSteps, CreateSteps, ReturnSteps, Create2HashSteps} from "../../src/vm/steps/CallSteps.sol";

/// @notice The vectors of the calls, creates and RETURN (opcode-f0-create, opcode-f1-call,
///         opcode-f3-return, opcode-f5-create2 of docs/vectors/vm/steps.json) through the
///         router with the four modules of steps/CallSteps.sol.
contract CallStepsTest is VmVectorsTest {
    function modules() internal virtual override returns (address[] memory m) {
        m = new address[](Route.COUNT);
        m[Route.HOST_CALL] = address(new CallSteps(engine));
        m[Route.HOST_CREATE] = address(new CreateSteps(engine));
        m[Route.HOST_RETURN] = address(new ReturnSteps(engine));
        m[Route.HOST_CREATE2_HASH] = address(new Create2HashSteps(engine));
    }
}
