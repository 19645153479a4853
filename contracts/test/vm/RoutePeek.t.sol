// SPDX-License-Identifier: MIT
pragma solidity ^0.8.24;

import {Test, console} from "forge-std/Test.sol";
import {Route} from "../../src/vm/Route.sol";
import {RoutePeek} from "../../src/vm/RoutePeek.sol";
import {WitnessDecoder} from "../../src/vm/WitnessDecoder.sol";
import {Machine} from "../../src/vm/Machine.sol";

/// @notice Exposes the router's two readings of a witness.
contract PeekProbe {
    /// @notice The key read from the bytes (and whether the walk stayed inside them).
    function peeked(bytes calldata w) external view returns (bytes memory key, bool ok, uint256 id, uint256 gasUsed) {
        uint256 g = gasleft();
        (Route.Key memory k, bool inside) = RoutePeek.keyAt(w);
        id = Route.ofKey(k);
        gasUsed = g - gasleft();
        return (abi.encode(k), inside, id, gasUsed);
    }

    /// @notice The key of the decoded state (reverts on a malformed state).
    function decoded(bytes calldata w) external pure returns (bytes memory key, uint256 id) {
        Machine memory m = WitnessDecoder.decodeState(w);
        Route.Key memory k = Route.keyOf(m);
        // An opcode's module comes from ofKey's last branch alone (the other branches'
        // modules are not opcodes').
        require(
            Route.isOpcodeStep(m) == (Route.ofKey(k) == Route.opcodeModule(k.op)), "isOpcodeStep and ofKey disagree"
        );
        return (abi.encode(k), Route.ofKey(k));
    }
}

/// @notice The router's fast path (RoutePeek.sol) against its slow one: on every vector of
///         docs/vectors/vm/ whose state decodes, the key read from the bytes is the
///         decoded machine's, field for field, so an honest step never pays the fallback.
contract RoutePeekTest is Test {
    PeekProbe internal probe;
    string[4] internal FILES = ["steps", "inputs", "errors", "l1-inputs"];

    function setUp() public {
        probe = new PeekProbe();
    }

    function test_thePeekedKeyIsTheDecodedOne() public view {
        uint256 checked;
        uint256 maxGas;
        for (uint256 f = 0; f < FILES.length; ++f) {
            string memory json = vm.readFile(string.concat("docs/vectors/vm/", FILES[f], ".json"));
            for (uint256 i = 0; vm.keyExistsJson(json, string.concat(".vectors[", vm.toString(i), "]")); ++i) {
                string memory at = string.concat(".vectors[", vm.toString(i), "].");
                string memory name = vm.parseJsonString(json, string.concat(at, "name"));
                bytes memory w = vm.parseJsonBytes(json, string.concat(at, "witness"));
                (bytes memory pk, bool ok, uint256 pid, uint256 g) = probe.peeked(w);
                try probe.decoded(w) returns (bytes memory dk, uint256 did) {
                    assertTrue(ok, string.concat(name, ": the walk left the witness"));
                    assertEq(pk, dk, string.concat(name, ": key"));
                    assertEq(pid, did, string.concat(name, ": module"));
                    if (g > maxGas) maxGas = g;
                    ++checked;
                } catch (bytes memory err) {
                    assertTrue(
                        keccak256(err)
                            != keccak256(abi.encodeWithSignature("Error(string)", "isOpcodeStep and ofKey disagree")),
                        name
                    );
                    // A malformed state: the peek may say anything, the module refuses.
                    assertTrue(vm.keyExistsJson(json, string.concat(at, "error")), name);
                }
            }
        }
        console.log("keys checked", checked);
        console.log("largest peek gas", maxGas);
        assertGt(checked, 100);
    }

    /// @notice Garbage never makes the peek revert: it is a guess the module checks.
    function testFuzz_thePeekNeverReverts(bytes calldata w) public view {
        probe.peeked(w);
    }
}
