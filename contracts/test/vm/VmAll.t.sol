// SPDX-License-Identifier: MIT
pragma solidity ^0.8.24;

import {console} from "forge-std/Test.sol";
import {VmVectorsTest} from "./VmVectors.t.sol";
import {VmArtifacts} from "../../script/VmArtifacts.sol";
import {Route} from "../../src/vm/Route.sol";

/// @notice The whole verifier as the Rust driver deploys it: every vector of
///         docs/vectors/vm/ through the router with every written module, and every
///         contract within EIP-170 (forge's test EVM does not enforce it; L1 does).
contract VmAllTest is VmVectorsTest {
    uint256 internal constant EIP170 = 24_576;

    function modules() internal virtual override returns (address[] memory) {
        return VmArtifacts.modules(vm, engine);
    }

    function test_everyContractFitsEip170() public view {
        address[] memory m = verifier.modulesInOrder();
        for (uint256 i = 0; i < m.length; ++i) {
            if (m[i] == address(0)) continue;
            console.log("module", i, m[i].code.length);
            assertLe(m[i].code.length, EIP170, string.concat("module ", vm.toString(i)));
        }
        assertLe(address(verifier).code.length, EIP170, "router");
        assertLe(engine.code.length, EIP170, "engine");
    }
}
