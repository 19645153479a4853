// SPDX-License-Identifier: MIT
pragma solidity ^0.8.24;

import {console} from "forge-std/Test.sol";
import {IFaultVM} from "../../src/interfaces/IFaultVM.sol";
import {Route} from "../../src/vm/Route.sol";
import {OpcodeSteps} from "../../src/vm/steps/OpcodeSteps.sol";
import {OpcodeEnvSteps} from "../../src/vm/steps/OpcodeEnvSteps.sol";
import {OpcodeCopySteps} from "../../src/vm/steps/OpcodeCopySteps.sol";
import {OpcodeMemorySteps} from "../../src/vm/steps/OpcodeMemorySteps.sol";
import {VmVectorsTest} from "./VmVectors.t.sol";

/// @notice The vectors of the OPCODES module's kinds (docs/vectors/vm/steps.json's
///         Opcode(n) vectors of the opcodes `Route.isHostOpcode` leaves to it, and
///         errors.json's ADD witnesses) through the router with the OPCODES module's four
///         parts only.
contract OpcodeStepsVectorsTest is VmVectorsTest {
    function modules() internal virtual override returns (address[] memory m) {
        m = new address[](Route.COUNT);
        m[Route.OPCODES] = address(new OpcodeSteps(engine));
        m[Route.OPCODE_ENV] = address(new OpcodeEnvSteps(engine));
        m[Route.OPCODE_COPY] = address(new OpcodeCopySteps(engine));
        m[Route.OPCODE_MEMORY] = address(new OpcodeMemorySteps(engine));
    }

    /// @notice The opcode of an `Opcode(n)` kind, or 256 for another kind.
    function opcodeOf(string memory kind) internal pure returns (uint256 op) {
        bytes memory k = bytes(kind);
        bytes memory tag = bytes("Opcode(");
        if (k.length <= tag.length + 1) return 256;
        for (uint256 i = 0; i < tag.length; ++i) {
            if (k[i] != tag[i]) return 256;
        }
        for (uint256 i = tag.length; i < k.length - 1; ++i) {
            op = op * 10 + (uint8(k[i]) - 48);
        }
    }

    /// @notice Every Opcode(n) vector of a non-host opcode steps to its post through the
    ///         router (none is unsupported), and its part alone gives the same post; the
    ///         gas of each (routed, alone) is logged.
    function test_everyOpcodeVectorOfTheModule() public view {
        string memory json = vm.readFile(path("steps"));
        uint256 n = count(json);
        address[] memory parts = verifier.modulesInOrder();
        uint256 seen;
        for (uint256 i = 0; i < n; ++i) {
            uint256 op = opcodeOf(vm.parseJsonString(json, key(i, "kind")));
            if (op == 256 || Route.isHostOpcode(op)) continue;
            string memory name = vm.parseJsonString(json, key(i, "name"));
            bytes32 pre = vm.parseJsonBytes32(json, key(i, "pre"));
            bytes32 post = vm.parseJsonBytes32(json, key(i, "post"));
            bytes memory witness = vm.parseJsonBytes(json, key(i, "witness"));
            uint256 g = gasleft();
            assertEq(verifier.step(pre, witness), post, name);
            uint256 routed = g - gasleft();
            address part = parts[Route.opcodeModule(op)];
            g = gasleft();
            assertEq(IFaultVM(part).step(pre, witness), post, name);
            uint256 alone = g - gasleft();
            console.log(name, routed, alone);
            ++seen;
        }
        assertEq(seen, 26, "the module's Opcode(n) vectors");
    }

    /// @notice Each part refuses the steps of the other parts as `Inconsistent(WRONG_MODULE)`.
    function test_eachPartRefusesTheOthersSteps() public view {
        string memory json = vm.readFile(path("steps"));
        uint256 n = count(json);
        address[] memory parts = verifier.modulesInOrder();
        uint256[4] memory ids = [Route.OPCODES, Route.OPCODE_ENV, Route.OPCODE_COPY, Route.OPCODE_MEMORY];
        for (uint256 i = 0; i < n; ++i) {
            uint256 op = opcodeOf(vm.parseJsonString(json, key(i, "kind")));
            if (op == 256) continue;
            bytes32 pre = vm.parseJsonBytes32(json, key(i, "pre"));
            bytes memory witness = vm.parseJsonBytes(json, key(i, "witness"));
            for (uint256 j = 0; j < ids.length; ++j) {
                if (Route.opcodeModule(op) == ids[j]) continue;
                try IFaultVM(parts[ids[j]]).step(pre, witness) returns (bytes32) {
                    revert(string.concat(vm.parseJsonString(json, key(i, "name")), ": taken by another part"));
                } catch (bytes memory err) {
                    assertEq(err, abi.encodeWithSelector(IFaultVM.Inconsistent.selector, uint256(4)));
                }
            }
        }
    }

    /// @notice Every opcode goes to exactly one module: the host's list, the three parts'
    ///         lists, the rest (defined and undefined) to OPCODES.
    function test_opcodeModules() public pure {
        uint256[4] memory copies = [uint256(0x37), 0x39, 0x3e, 0x5e];
        for (uint256 i = 0; i < copies.length; ++i) {
            assertEq(Route.opcodeModule(copies[i]), Route.OPCODE_COPY);
        }
        for (uint256 op = 0x51; op <= 0x53; ++op) {
            assertEq(Route.opcodeModule(op), Route.OPCODE_MEMORY);
        }
        uint256[9] memory env = [uint256(0x20), 0x30, 0x32, 0x33, 0x34, 0x35, 0x36, 0x38, 0x3a];
        for (uint256 i = 0; i < env.length; ++i) {
            assertEq(Route.opcodeModule(env[i]), Route.OPCODE_ENV);
        }
        assertEq(Route.opcodeModule(0x3d), Route.OPCODE_ENV);
        for (uint256 op = 0x40; op <= 0x4a; ++op) {
            assertEq(Route.opcodeModule(op), op == 0x47 ? Route.HOST : Route.OPCODE_ENV);
        }
        uint256[10] memory here = [uint256(0x00), 0x01, 0x1d, 0x50, 0x56, 0x5a, 0x5f, 0x9f, 0xfd, 0xfe];
        for (uint256 i = 0; i < here.length; ++i) {
            assertEq(Route.opcodeModule(here[i]), Route.OPCODES);
        }
        // Undefined opcodes halt in OPCODES.
        uint256[6] memory undefined = [uint256(0x0c), 0x1e, 0x21, 0x4b, 0xa5, 0xef];
        for (uint256 i = 0; i < undefined.length; ++i) {
            assertEq(Route.opcodeModule(undefined[i]), Route.OPCODES);
        }
    }
}
