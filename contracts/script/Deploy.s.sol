// SPDX-License-Identifier: MIT
pragma solidity ^0.8.24;

import {Script, console2} from "forge-std/Script.sol";
import {RollupConfig} from "../src/L1/RollupConfig.sol";
import {Portal} from "../src/L1/Portal.sol";
import {BatchInbox} from "../src/L1/BatchInbox.sol";
import {OutputOracle} from "../src/L1/OutputOracle.sol";

/// @notice Deploys the faultline L1 contracts, as `faultline deploy` does, for those who
///         prefer Foundry. The genesis output root of the L2 chain must be given (print it
///         with `cast rpc rollup_outputAtBlock 0` on a running node, or read the
///         genesisOutputRoot of an address book written by `faultline deploy`).
///
///   GENESIS_OUTPUT_ROOT=0x... forge script contracts/script/Deploy.s.sol \
///     --rpc-url http://127.0.0.1:8545 --private-key $KEY --broadcast
///
/// Optional env: L2_CHAIN_ID (64023), SEQUENCER (devnet account 1), OWNER (the sender),
/// CHALLENGE_WINDOW (60), PROPOSAL_INTERVAL (10), PROPOSER_BOND (0.01 ether).
/// Writes deploy/<chainid>-forge.json.
contract Deploy is Script {
    struct Params {
        bytes32 genesis;
        uint256 l2ChainId;
        address sequencer;
        uint64 window;
        uint64 interval;
        uint256 bond;
        uint32 l1BaseFeeScalar;
        uint32 l1BlobBaseFeeScalar;
    }

    function run() external returns (RollupConfig config, Portal portal, BatchInbox inbox, OutputOracle oracle) {
        Params memory p = Params({
            genesis: vm.envBytes32("GENESIS_OUTPUT_ROOT"),
            l2ChainId: vm.envOr("L2_CHAIN_ID", uint256(64023)),
            sequencer: vm.envOr("SEQUENCER", address(0x70997970C51812dc3A010C7d01b50e0d17dc79C8)),
            window: uint64(vm.envOr("CHALLENGE_WINDOW", uint256(60))),
            interval: uint64(vm.envOr("PROPOSAL_INTERVAL", uint256(10))),
            bond: vm.envOr("PROPOSER_BOND", uint256(0.01 ether)),
            l1BaseFeeScalar: uint32(vm.envOr("L1_BASE_FEE_SCALAR", uint256(20_000))),
            l1BlobBaseFeeScalar: uint32(vm.envOr("L1_BLOB_BASE_FEE_SCALAR", uint256(1_200_000)))
        });
        (config, portal, inbox, oracle) = _deploy(p);
        _write(address(config), address(portal), address(inbox), address(oracle));
    }

    function _deploy(Params memory p)
        internal
        returns (RollupConfig config, Portal portal, BatchInbox inbox, OutputOracle oracle)
    {
        vm.startBroadcast();
        (, address sender,) = vm.readCallers();
        address owner = vm.envOr("OWNER", sender);
        address oracleAddr = vm.computeCreateAddress(sender, vm.getNonce(sender) + 3);
        config = new RollupConfig(
            owner, p.l2ChainId, p.sequencer, p.window, p.interval, p.bond, p.l1BaseFeeScalar, p.l1BlobBaseFeeScalar
        );
        portal = new Portal(config, OutputOracle(oracleAddr));
        inbox = new BatchInbox(config, portal);
        oracle = new OutputOracle(config, inbox, p.genesis);
        vm.stopBroadcast();
        require(address(oracle) == oracleAddr, "oracle address prediction failed");
    }

    function _write(address config, address portal, address inbox, address oracle) internal {
        string memory o = "book";
        vm.serializeAddress(o, "rollupConfig", config);
        vm.serializeAddress(o, "portal", portal);
        vm.serializeAddress(o, "batchInbox", inbox);
        vm.serializeUint(o, "l1ChainId", block.chainid);
        string memory json = vm.serializeAddress(o, "outputOracle", oracle);
        vm.writeJson(json, string.concat("deploy/", vm.toString(block.chainid), "-forge.json"));
        console2.log("RollupConfig", config);
        console2.log("Portal", portal);
        console2.log("BatchInbox", inbox);
        console2.log("OutputOracle", oracle);
    }
}
