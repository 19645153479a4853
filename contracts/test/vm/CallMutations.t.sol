// SPDX-License-Identifier: MIT
pragma solidity ^0.8.24;

import {VmMutationsTest} from "./VmMutations.t.sol";
import {Route} from "../../src/vm/Route.sol";
import {CallSteps, CreateSteps, ReturnSteps, Create2HashSteps} from "../../src/vm/steps/CallSteps.sol";

/// @notice The witness mutations of VmMutations.t.sol on the vectors the call, create and
///         RETURN modules take (opcode-f0-create, opcode-f1-call, opcode-f3-return,
///         opcode-f5-create2): never the honest post, never a refusal but an `IFaultVM`
///         error.
contract CallMutationsTest is VmMutationsTest {
    function modules() internal override returns (address[] memory m) {
        m = new address[](Route.COUNT);
        m[Route.HOST_CALL] = address(new CallSteps(engine));
        m[Route.HOST_CREATE] = address(new CreateSteps(engine));
        m[Route.HOST_RETURN] = address(new ReturnSteps(engine));
        m[Route.HOST_CREATE2_HASH] = address(new Create2HashSteps(engine));
    }
}
