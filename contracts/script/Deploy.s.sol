// SPDX-License-Identifier: MIT
pragma solidity ^0.8.24;

import {Script, console2} from "forge-std/Script.sol";
import {RollupConfig} from "../src/L1/RollupConfig.sol";
import {Portal} from "../src/L1/Portal.sol";
import {BatchInbox} from "../src/L1/BatchInbox.sol";
import {OutputOracle} from "../src/L1/OutputOracle.sol";
import {VmArtifacts} from "./VmArtifacts.sol";
import {BlockStart} from "../src/dispute/BlockStart.sol";
import {FaultDisputeGame} from "../src/dispute/FaultDisputeGame.sol";
import {IFaultVM} from "../src/interfaces/IFaultVM.sol";

/// @notice Deploys the faultline L1 contracts, as `faultline deploy` does, for those who
///         prefer Foundry. The genesis output root of the L2 chain must be given (print it
///         with `cast rpc rollup_outputAtBlock 0` on a running node, or read the
///         genesisOutputRoot of an address book written by `faultline deploy`).
///
///   GENESIS_OUTPUT_ROOT=0x... forge script contracts/script/Deploy.s.sol \
///     --rpc-url http://127.0.0.1:8545 --private-key $KEY --broadcast --slow
///
/// (`--slow` sends one transaction at a time, each priced when sent: the verifier's 24
/// module creations fill blocks and raise the base fee past a price fixed up front.)
///
/// Optional env: L2_CHAIN_ID (64023), SEQUENCER (devnet account 1), OWNER (the sender),
/// CHALLENGE_WINDOW (60), PROPOSAL_INTERVAL (10), PROPOSER_BOND (0.01 ether), and the L2
/// chain's parameters, which must equal the node's `[chain]` config (the devnet's by
/// default): BLOCK_GAS_LIMIT, BASE_FEE_FLOOR, BASE_FEE_CHANGE_DENOMINATOR,
/// ELASTICITY_MULTIPLIER, FEE_RECIPIENT, SEQUENCING_WINDOW, L1_BASE_FEE_SCALAR,
/// L1_BLOB_BASE_FEE_SCALAR. The dispute game (with the one-step verifier and BlockStart)
/// takes `faultline deploy --game devnet`'s parameters unless given: EXEC_DEPTH (the
/// smallest V with 2^V >= 2 x the block gas limit), MAX_CLOCK (90), CLOCK_EXTENSION (5),
/// SPLIT_EXTENSION (10), STEP_EXTENSION (20), BASE_BOND (0.0001 ether), BOND_GROWTH_BPS
/// (10900); it is set in the config when the sender is the owner.
/// Writes deploy/<chainid>-forge.json.
contract Deploy is Script {
    struct Params {
        bytes32 genesis;
        uint256 l2ChainId;
        address sequencer;
        uint64 window;
        uint64 interval;
        uint256 bond;
        RollupConfig.L2Chain chain;
    }

    /// @notice The dispute contracts.
    struct Dispute {
        address vm;
        BlockStart start;
        FaultDisputeGame game;
    }

    function run() external returns (RollupConfig config, Portal portal, BatchInbox inbox, OutputOracle oracle) {
        Params memory p = Params({
            genesis: vm.envBytes32("GENESIS_OUTPUT_ROOT"),
            l2ChainId: vm.envOr("L2_CHAIN_ID", uint256(64023)),
            sequencer: vm.envOr("SEQUENCER", address(0x70997970C51812dc3A010C7d01b50e0d17dc79C8)),
            window: uint64(vm.envOr("CHALLENGE_WINDOW", uint256(60))),
            interval: uint64(vm.envOr("PROPOSAL_INTERVAL", uint256(10))),
            bond: vm.envOr("PROPOSER_BOND", uint256(0.01 ether)),
            chain: _chain()
        });
        (config, portal, inbox, oracle) = _deploy(p);
        Dispute memory d = _deployDispute(config, inbox, oracle, p.chain.blockGasLimit);
        _write(address(config), address(portal), address(inbox), address(oracle), d);
    }

    /// @dev The smallest V with 2^V >= 2 x the block gas limit (`faultline_l1::dispute::exec_depth_for`).
    function _execDepth(uint256 blockGasLimit) internal pure returns (uint256 v) {
        while ((uint256(1) << v) < 2 * blockGasLimit) ++v;
    }

    function _gameParams(uint256 blockGasLimit) internal view returns (FaultDisputeGame.Params memory) {
        return FaultDisputeGame.Params({
            execDepth: uint8(vm.envOr("EXEC_DEPTH", _execDepth(blockGasLimit))),
            maxClockDuration: uint32(vm.envOr("MAX_CLOCK", uint256(90))),
            clockExtension: uint32(vm.envOr("CLOCK_EXTENSION", uint256(5))),
            splitExtension: uint32(vm.envOr("SPLIT_EXTENSION", uint256(10))),
            stepExtension: uint32(vm.envOr("STEP_EXTENSION", uint256(20))),
            baseBond: uint128(vm.envOr("BASE_BOND", uint256(0.0001 ether))),
            bondGrowthBps: uint16(vm.envOr("BOND_GROWTH_BPS", uint256(10_900)))
        });
    }

    function _deployDispute(RollupConfig config, BatchInbox inbox, OutputOracle oracle, uint256 blockGasLimit)
        internal
        returns (Dispute memory d)
    {
        FaultDisputeGame.Params memory params = _gameParams(blockGasLimit);
        vm.startBroadcast();
        (, address sender,) = vm.readCallers();
        (d.vm,) = VmArtifacts.deploy(vm);
        d.start = new BlockStart(inbox);
        d.game = new FaultDisputeGame(oracle, IFaultVM(d.vm), d.start, params);
        if (config.owner() == sender) config.setDisputeGame(address(d.game));
        else console2.log("the owner must call RollupConfig.setDisputeGame", address(d.game));
        vm.stopBroadcast();
    }

    function _chain() internal view returns (RollupConfig.L2Chain memory) {
        return RollupConfig.L2Chain({
            blockGasLimit: uint64(vm.envOr("BLOCK_GAS_LIMIT", uint256(300_000_000))),
            baseFeeFloor: uint64(vm.envOr("BASE_FEE_FLOOR", uint256(1_000_000))),
            baseFeeChangeDenominator: uint64(vm.envOr("BASE_FEE_CHANGE_DENOMINATOR", uint256(8))),
            elasticityMultiplier: uint64(vm.envOr("ELASTICITY_MULTIPLIER", uint256(2))),
            feeRecipient: vm.envOr("FEE_RECIPIENT", address(0xfefeFEFeFEFEFEFEFeFefefefefeFEfEfefefEfe)),
            sequencingWindow: uint64(vm.envOr("SEQUENCING_WINDOW", uint256(3600))),
            l1BaseFeeScalar: uint32(vm.envOr("L1_BASE_FEE_SCALAR", uint256(20_000))),
            l1BlobBaseFeeScalar: uint32(vm.envOr("L1_BLOB_BASE_FEE_SCALAR", uint256(1_200_000)))
        });
    }

    function _deploy(Params memory p)
        internal
        returns (RollupConfig config, Portal portal, BatchInbox inbox, OutputOracle oracle)
    {
        vm.startBroadcast();
        (, address sender,) = vm.readCallers();
        address owner = vm.envOr("OWNER", sender);
        address oracleAddr = vm.computeCreateAddress(sender, vm.getNonce(sender) + 3);
        config = new RollupConfig(owner, p.l2ChainId, p.sequencer, p.window, p.interval, p.bond, p.chain);
        portal = new Portal(config, OutputOracle(oracleAddr));
        inbox = new BatchInbox(config, portal);
        oracle = new OutputOracle(config, inbox, p.genesis);
        vm.stopBroadcast();
        require(address(oracle) == oracleAddr, "oracle address prediction failed");
    }

    function _write(address config, address portal, address inbox, address oracle, Dispute memory d) internal {
        string memory o = "book";
        vm.serializeAddress(o, "disputeGame", address(d.game));
        vm.serializeAddress(o, "faultVm", address(d.vm));
        vm.serializeAddress(o, "blockStart", address(d.start));
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
        console2.log("FaultVM", address(d.vm));
        console2.log("BlockStart", address(d.start));
        console2.log("FaultDisputeGame", address(d.game));
    }
}
