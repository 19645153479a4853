// SPDX-License-Identifier: MIT
pragma solidity ^0.8.24;

import {Script, console2} from "forge-std/Script.sol";
import {BenchToken} from "../src/bench/BenchToken.sol";

/// @notice A salted CREATE2 deployment as deployment scripts write them: forge sends
///         `new C{salt: s}()` through the deterministic deployment proxy
///         (0x4e59b44847b379578588920cA78FbF26c0B4956C), which the L2 preinstalls, so
///         the contract lands at the same address on every chain. `tests/tooling.rs` runs
///         it against the node and checks the code is where the script predicted.
///
///   SALT=0x... forge script contracts/script/SaltedDeploy.s.sol \
///     --rpc-url http://127.0.0.1:9545 --private-key $KEY --broadcast
contract SaltedDeploy is Script {
    /// @notice Deploys BenchToken with CREATE2 under `SALT` (default: keccak256("faultline")).
    /// @return deployed The deployed address (equal to the prediction, or the script reverts).
    function run() external returns (address deployed) {
        bytes32 salt = vm.envOr("SALT", keccak256("faultline"));
        address predicted = vm.computeCreate2Address(salt, keccak256(type(BenchToken).creationCode));
        console2.log("predicted:", predicted);
        vm.startBroadcast();
        deployed = address(new BenchToken{salt: salt}());
        vm.stopBroadcast();
        require(deployed == predicted, "CREATE2 address differs from the prediction");
    }
}
