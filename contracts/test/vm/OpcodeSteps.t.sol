// SPDX-License-Identifier: MIT
pragma solidity ^0.8.24;

import {Test, console} from "forge-std/Test.sol";
import {IFaultVM} from "../../src/interfaces/IFaultVM.sol";
import {Route} from "../../src/vm/Route.sol";
import {OpcodeSteps} from "../../src/vm/steps/OpcodeSteps.sol";
import {VmVectorsTest} from "./VmVectors.t.sol";

/// @notice The vectors of the OPCODES module's kinds (docs/vectors/vm/steps.json's
///         Opcode(n) vectors of the opcodes `Route.isHostOpcode` leaves to it, and
///         errors.json's ADD witnesses) through the router with the OPCODES module only.
contract OpcodeStepsVectorsTest is VmVectorsTest {
    function modules() internal virtual override returns (address[] memory m) {
        m = new address[](Route.COUNT);
        m[Route.OPCODES] = address(new OpcodeSteps(engine));
    }
}

/// @notice Gas of each OPCODES vector's step, through the router and in the module alone.
contract OpcodeStepsGasTest is OpcodeStepsVectorsTest {
    function test_gasPerStep() public view {
        string memory json = vm.readFile(path("steps"));
        uint256 n = count(json);
        address module = verifier.modulesInOrder()[Route.OPCODES];
        for (uint256 i = 0; i < n; ++i) {
            bytes32 pre = vm.parseJsonBytes32(json, key(i, "pre"));
            bytes memory witness = vm.parseJsonBytes(json, key(i, "witness"));
            uint256 g = gasleft();
            try verifier.step(pre, witness) returns (bytes32) {
                uint256 routed = g - gasleft();
                g = gasleft();
                IFaultVM(module).step(pre, witness);
                uint256 alone = g - gasleft();
                console.log(vm.parseJsonString(json, key(i, "name")), routed, alone);
            } catch {}
        }
    }
}
