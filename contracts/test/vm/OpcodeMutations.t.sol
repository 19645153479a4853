// SPDX-License-Identifier: MIT
pragma solidity ^0.8.24;

import {VmMutationsTest} from "./VmMutations.t.sol";
import {Route} from "../../src/vm/Route.sol";
import {OpcodeSteps} from "../../src/vm/steps/OpcodeSteps.sol";
import {OpcodeEnvSteps} from "../../src/vm/steps/OpcodeEnvSteps.sol";
import {OpcodeCopySteps} from "../../src/vm/steps/OpcodeCopySteps.sol";
import {OpcodeMemorySteps} from "../../src/vm/steps/OpcodeMemorySteps.sol";

/// @notice The witness mutations of VmMutations.t.sol on the vectors the OPCODES module
///         (OpcodeSteps and its parts OpcodeEnvSteps, OpcodeCopySteps, OpcodeMemorySteps)
///         takes: never the honest post, never a refusal but an `IFaultVM` error,
///         whichever part the router's reading of the mutated bytes sends them to.
contract OpcodeMutationsTest is VmMutationsTest {
    function modules() internal override returns (address[] memory m) {
        m = new address[](Route.COUNT);
        m[Route.OPCODES] = address(new OpcodeSteps(engine));
        m[Route.OPCODE_ENV] = address(new OpcodeEnvSteps(engine));
        m[Route.OPCODE_COPY] = address(new OpcodeCopySteps(engine));
        m[Route.OPCODE_MEMORY] = address(new OpcodeMemorySteps(engine));
    }
}
