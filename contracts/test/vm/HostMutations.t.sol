// SPDX-License-Identifier: MIT
pragma solidity ^0.8.24;

import {VmMutationsTest} from "./VmMutations.t.sol";
import {Route} from "../../src/vm/Route.sol";
import {HostSteps, HostStorageSteps, HostCopySteps, HostDestructSteps} from "../../src/vm/steps/HostSteps.sol";

/// @notice The witness mutations of VmMutations.t.sol on the vectors the HOST module's
///         parts (HostSteps, HostStorageSteps, HostCopySteps, HostDestructSteps) take:
///         never the honest post, never a refusal but an `IFaultVM` error, whichever part
///         the router's reading of the mutated bytes sends them to.
contract HostMutationsTest is VmMutationsTest {
    function modules() internal override returns (address[] memory m) {
        m = new address[](Route.COUNT);
        m[Route.HOST] = address(new HostSteps(engine));
        m[Route.HOST_STORAGE] = address(new HostStorageSteps(engine));
        m[Route.HOST_COPY] = address(new HostCopySteps(engine));
        m[Route.HOST_DESTRUCT] = address(new HostDestructSteps(engine));
    }
}
