// SPDX-License-Identifier: MIT
pragma solidity ^0.8.24;

import {VmVectorsTest} from "./VmVectors.t.sol";
import {console} from "forge-std/Test.sol";
import {Route} from "../../src/vm/Route.sol";
import {HostSteps, HostStorageSteps, HostCopySteps, HostDestructSteps} from "../../src/vm/steps/HostSteps.sol";

/// @notice The HOST module's state opcodes on the Rust-written vectors of
///         docs/vectors/vm/.
contract HostStepsTest is VmVectorsTest {
    function modules() internal virtual override returns (address[] memory m) {
        m = new address[](Route.COUNT);
        m[Route.HOST] = address(new HostSteps(engine));
        m[Route.HOST_STORAGE] = address(new HostStorageSteps(engine));
        m[Route.HOST_COPY] = address(new HostCopySteps(engine));
        m[Route.HOST_DESTRUCT] = address(new HostDestructSteps(engine));
    }

    /// @notice Each vector of the module's opcodes, by name, steps to its post (and its gas).
    function test_hostVectorsOneByOne() public {
        string memory json = vm.readFile(path("steps"));
        uint256 n = count(json);
        uint256 passed;
        for (uint256 i = 0; i < n; ++i) {
            string memory name = vm.parseJsonString(json, key(i, "name"));
            if (!isHostVector(name)) continue;
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
                fail();
            }
        }
        console.log("host vectors passed", passed);
        assertEq(passed, 8);
    }

    function isHostVector(string memory name) internal pure returns (bool) {
        string[8] memory names = [
            "opcode-31-env-balance",
            "opcode-3b-env-extcodesize",
            "opcode-54-storage-sload",
            "opcode-55-storage-sstore",
            "opcode-5c-transient-tload",
            "opcode-5d-transient-tstore",
            "opcode-a1-log1",
            "opcode-ff-selfdestruct"
        ];
        for (uint256 i = 0; i < names.length; ++i) {
            if (keccak256(bytes(name)) == keccak256(bytes(names[i]))) return true;
        }
        return false;
    }
}
