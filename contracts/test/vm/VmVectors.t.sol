// SPDX-License-Identifier: MIT
pragma solidity ^0.8.24;

import {Route} from "../../src/vm/Route.sol";
import {Test, console} from "forge-std/Test.sol";
import {IFaultVM} from "../../src/interfaces/IFaultVM.sol";
import {FaultVM} from "../../src/vm/FaultVM.sol";
import {KeccakEngine} from "../../src/vm/KeccakEngine.sol";
import {WitnessDecoder} from "../../src/vm/WitnessDecoder.sol";
import {Commitment} from "../../src/vm/Commitment.sol";
import {Machine} from "../../src/vm/Machine.sol";
import {EdgeVector} from "./EdgeVector.sol";

/// @notice Exposes the decoder and the encoder: the commitment a witness's bytes hash to,
///         and the commitment of the machine it decodes to (they must be equal).
contract DecoderProbe {
    function commitments(bytes calldata witness) external pure returns (bytes32 pre, bytes32 encoded) {
        Machine memory m;
        (m, pre) = WitnessDecoder.decode(witness);
        encoded = Commitment.commit(m);
    }

    /// @notice The witness offset of each access's tag, and the witness's length.
    function accessOffsets(bytes calldata witness) external pure returns (uint256[] memory ats, uint256 end) {
        (Machine memory m,) = WitnessDecoder.decode(witness);
        return (m.accesses.ats, witness.length);
    }
}

/// @notice The Rust-written vectors (docs/vectors/vm/, written by
///         crates/vm-prover/tests/wire.rs) through the Solidity verifier: every witness
///         decodes to its pre-state and re-encodes to it; every step gives its post or its
///         error's category. The router is deployed with the modules that exist
///         (`modules`); a step of a module not yet deployed is counted as unsupported.
contract VmVectorsTest is Test {
    FaultVM internal verifier;
    DecoderProbe internal probe;
    /// @notice The keccak-f engine every module is built with.
    address internal engine;

    string[4] internal FILES = ["steps", "inputs", "errors", "l1-inputs"];

    function setUp() public virtual {
        engine = address(new KeccakEngine());
        verifier = new FaultVM(modules());
        probe = new DecoderProbe();
    }

    /// @notice The module contracts in `Route`'s order (zero: not written yet).
    function modules() internal virtual returns (address[] memory m) {
        m = new address[](Route.COUNT);
    }

    function path(string memory file) internal pure returns (string memory) {
        return string.concat("docs/vectors/vm/", file, ".json");
    }

    function key(uint256 i, string memory field) internal pure returns (string memory) {
        return string.concat(".vectors[", vm.toString(i), "].", field);
    }

    function count(string memory json) internal view returns (uint256 n) {
        while (vm.keyExistsJson(json, string.concat(".vectors[", vm.toString(n), "]"))) ++n;
    }

    /// @notice The vector `name` of `file`: its pre-state, witness and post (zero for an
    ///         error vector).
    function vector(string memory file, string memory name)
        internal
        view
        returns (bytes32 pre, bytes memory witness, bytes32 post)
    {
        string memory json = vm.readFile(path(file));
        uint256 n = count(json);
        for (uint256 i = 0; i < n; ++i) {
            if (keccak256(bytes(vm.parseJsonString(json, key(i, "name")))) != keccak256(bytes(name))) continue;
            pre = vm.parseJsonBytes32(json, key(i, "pre"));
            witness = vm.parseJsonBytes(json, key(i, "witness"));
            if (vm.keyExistsJson(json, key(i, "post"))) post = vm.parseJsonBytes32(json, key(i, "post"));
            return (pre, witness, post);
        }
        revert(string.concat("no vector ", name, " in ", file));
    }

    /// @notice The steps.json vector `name`.
    function vector(string memory name) internal view returns (bytes32 pre, bytes memory witness, bytes32 post) {
        return vector("steps", name);
    }

    /// @notice Steps every steps.json vector `take(kind, name)` selects, each of which must
    ///         give its post (its gas logged); returns how many.
    function runSelected(function(string memory, string memory) internal pure returns (bool) take)
        internal
        view
        returns (uint256 passed)
    {
        string memory json = vm.readFile(path("steps"));
        uint256 n = count(json);
        for (uint256 i = 0; i < n; ++i) {
            string memory name = vm.parseJsonString(json, key(i, "name"));
            if (!take(vm.parseJsonString(json, key(i, "kind")), name)) continue;
            bytes32 pre = vm.parseJsonBytes32(json, key(i, "pre"));
            bytes memory witness = vm.parseJsonBytes(json, key(i, "witness"));
            uint256 g = gasleft();
            try verifier.step(pre, witness) returns (bytes32 post) {
                g -= gasleft();
                assertEq(post, vm.parseJsonBytes32(json, key(i, "post")), name);
                console.log(name, "gas", g);
                ++passed;
            } catch (bytes memory err) {
                console.log(name, "refused");
                console.logBytes(err);
                revert(string.concat(name, ": refused"));
            }
        }
    }

    /// @notice Every edge witness decodes to its pre-state and steps to Rust's post.
    function checkEdges(EdgeVector[] memory vs) internal view {
        for (uint256 i = 0; i < vs.length; ++i) {
            (bytes32 pre,) = probe.commitments(vs[i].witness);
            assertEq(pre, vs[i].pre, string.concat(vs[i].name, ": pre-state"));
            try verifier.step(vs[i].pre, vs[i].witness) returns (bytes32 post) {
                assertEq(post, vs[i].post, vs[i].name);
            } catch (bytes memory err) {
                console.log(vs[i].name, "refused");
                console.logBytes(err);
                revert(vs[i].name);
            }
        }
    }

    /// @notice The edge witness `name` of `vs`.
    function edge(EdgeVector[] memory vs, string memory name) internal pure returns (EdgeVector memory) {
        for (uint256 i = 0; i < vs.length; ++i) {
            if (keccak256(bytes(vs[i].name)) == keccak256(bytes(name))) return vs[i];
        }
        revert(string.concat("no edge witness ", name));
    }

    function selectorOf(string memory code) internal pure returns (bytes4) {
        bytes32 h = keccak256(bytes(code));
        if (h == keccak256("malformed")) return IFaultVM.Malformed.selector;
        if (h == keccak256("wrong-pre-state")) return IFaultVM.WrongPreState.selector;
        if (h == keccak256("missing")) return IFaultVM.Missing.selector;
        if (h == keccak256("unused")) return IFaultVM.Unused.selector;
        revert(string.concat("unknown error code ", code));
    }

    /// @notice Every witness that decodes hashes to its vector's pre-state, and its
    ///         machine re-encodes to the same commitment.
    function test_everyWitnessDecodesToItsPreState() public view {
        uint256 checked;
        for (uint256 f = 0; f < FILES.length; ++f) {
            string memory json = vm.readFile(path(FILES[f]));
            uint256 n = count(json);
            for (uint256 i = 0; i < n; ++i) {
                string memory name = vm.parseJsonString(json, key(i, "name"));
                bytes32 pre = vm.parseJsonBytes32(json, key(i, "pre"));
                bytes memory witness = vm.parseJsonBytes(json, key(i, "witness"));
                bool isError = vm.keyExistsJson(json, key(i, "error"));
                try probe.commitments(witness) returns (bytes32 got, bytes32 encoded) {
                    assertEq(got, encoded, string.concat(name, ": re-encoding"));
                    if (
                        !isError
                            || keccak256(bytes(vm.parseJsonString(json, key(i, "error"))))
                                != keccak256("wrong-pre-state")
                    ) {
                        assertEq(got, pre, string.concat(name, ": pre-state"));
                    }
                    ++checked;
                } catch (bytes memory err) {
                    assertTrue(isError, string.concat(name, ": decoding failed"));
                    assertEq(bytes4(err), IFaultVM.Malformed.selector, name);
                }
            }
        }
        console.log("witnesses decoded to their pre-state:", checked);
    }

    /// @notice Runs one vector file through the verifier.
    function run(string memory file) internal view returns (uint256 passed, uint256 unsupported) {
        string memory json = vm.readFile(path(file));
        uint256 n = count(json);
        for (uint256 i = 0; i < n; ++i) {
            string memory name = string.concat(file, "/", vm.parseJsonString(json, key(i, "name")));
            bytes32 pre = vm.parseJsonBytes32(json, key(i, "pre"));
            bytes memory witness = vm.parseJsonBytes(json, key(i, "witness"));
            bool isError = vm.keyExistsJson(json, key(i, "error"));
            try verifier.step(pre, witness) returns (bytes32 post) {
                assertFalse(isError, string.concat(name, ": an error vector stepped"));
                assertEq(post, vm.parseJsonBytes32(json, key(i, "post")), name);
                ++passed;
            } catch (bytes memory err) {
                if (bytes4(err) == FaultVM.Unsupported.selector) {
                    ++unsupported;
                    continue;
                }
                if (!isError) {
                    console.logBytes(err);
                    revert(string.concat(name, ": refused"));
                }
                assertEq(bytes4(err), selectorOf(vm.parseJsonString(json, key(i, "error"))), name);
                ++passed;
            }
        }
        console.log(file, "passed", passed);
        console.log(file, "unsupported", unsupported);
    }

    function test_stepVectors() public view {
        run("steps");
    }

    function test_inputVectors() public view {
        run("inputs");
    }

    function test_errorVectors() public view {
        run("errors");
    }

    function test_l1InputVectors() public view {
        run("l1-inputs");
    }
}
