// SPDX-License-Identifier: MIT
pragma solidity ^0.8.24;

import {VmMutationsTest} from "./VmMutations.t.sol";
import {CoreDeploy} from "./CoreSteps.t.sol";

/// @notice The witness mutation fuzz (VmMutations.t.sol) on the CORE module's vectors: a
///         mutated witness is refused with an IFaultVM error or gives another post, never
///         the honest one and never a panic.
contract CoreMutationsTest is VmMutationsTest {
    function modules() internal virtual override returns (address[] memory) {
        return CoreDeploy.modules();
    }
}
