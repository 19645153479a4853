// SPDX-License-Identifier: MIT
pragma solidity ^0.8.24;

import {Test} from "forge-std/Test.sol";
import {RollupConfig} from "../../src/L1/RollupConfig.sol";
import {DevChain} from "../helpers/DevChain.sol";

/// @notice Who may change what (docs/contracts.md, "Rollup config"), and constructor checks.
contract RollupConfigTest is Test {
    address internal constant OWNER = address(0xA11CE);
    address internal constant SEQ = address(0x5E9);
    RollupConfig internal config;

    function setUp() public {
        config = new RollupConfig(OWNER, 64023, SEQ, 60, 10, 0.01 ether, DevChain.params());
    }

    function test_constructor_setsEverything() public view {
        assertEq(config.owner(), OWNER);
        assertEq(config.l2ChainId(), 64023);
        assertEq(config.sequencer(), SEQ);
        assertEq(config.challengeWindow(), 60);
        assertEq(config.proposalInterval(), 10);
        assertEq(config.proposerBond(), 0.01 ether);
        assertEq(config.l1BaseFeeScalar(), 20_000);
        assertEq(config.l1BlobBaseFeeScalar(), 1_200_000);
        assertEq(config.disputeGame(), address(0));
        RollupConfig.L2Chain memory c = config.l2Chain();
        RollupConfig.L2Chain memory d = DevChain.params();
        assertEq(abi.encode(c), abi.encode(d));
        assertEq(config.blockGasLimit(), 300_000_000);
        assertEq(config.baseFeeFloor(), 1_000_000);
        assertEq(config.baseFeeChangeDenominator(), 8);
        assertEq(config.elasticityMultiplier(), 2);
        assertEq(config.feeRecipient(), d.feeRecipient);
        assertEq(config.sequencingWindow(), 3600);
    }

    function test_constructor_rejectsBadChainParams() public {
        RollupConfig.L2Chain memory c = DevChain.params();
        c.blockGasLimit = 10_000_000 - 1; // below the portal's largest deposit
        vm.expectRevert(RollupConfig.InvalidBlockGasLimit.selector);
        new RollupConfig(OWNER, 64023, SEQ, 60, 10, 0.01 ether, c);
        c = DevChain.params();
        c.blockGasLimit = 10_000_000;
        c.elasticityMultiplier = 477; // gas target 20,964: below a transfer
        vm.expectRevert(RollupConfig.InvalidBaseFeeParams.selector);
        new RollupConfig(OWNER, 64023, SEQ, 60, 10, 0.01 ether, c);
        c = DevChain.params();
        c.baseFeeChangeDenominator = 0;
        vm.expectRevert(RollupConfig.InvalidBaseFeeParams.selector);
        new RollupConfig(OWNER, 64023, SEQ, 60, 10, 0.01 ether, c);
        c = DevChain.params();
        c.elasticityMultiplier = 0;
        vm.expectRevert(RollupConfig.InvalidBaseFeeParams.selector);
        new RollupConfig(OWNER, 64023, SEQ, 60, 10, 0.01 ether, c);
        c = DevChain.params();
        c.feeRecipient = address(0);
        vm.expectRevert(RollupConfig.ZeroAddress.selector);
        new RollupConfig(OWNER, 64023, SEQ, 60, 10, 0.01 ether, c);
        // The window must exceed the inbox's timestamp drift (else a deposit made after a
        // batch could be forced into it) and stay below 30 days.
        c = DevChain.params();
        c.sequencingWindow = config.MAX_TIMESTAMP_DRIFT();
        vm.expectRevert(RollupConfig.InvalidSequencingWindow.selector);
        new RollupConfig(OWNER, 64023, SEQ, 60, 10, 0.01 ether, c);
        c.sequencingWindow = 30 days + 1;
        vm.expectRevert(RollupConfig.InvalidSequencingWindow.selector);
        new RollupConfig(OWNER, 64023, SEQ, 60, 10, 0.01 ether, c);
        // The bounds themselves are accepted.
        c.sequencingWindow = config.MAX_TIMESTAMP_DRIFT() + 1;
        c.blockGasLimit = 10_000_000;
        c.elasticityMultiplier = 476; // gas target 21,008
        new RollupConfig(OWNER, 64023, SEQ, 60, 10, 0.01 ether, c);
        c.sequencingWindow = 30 days;
        new RollupConfig(OWNER, 64023, SEQ, 60, 10, 0.01 ether, c);
    }

    function test_constructor_rejectsBadValues() public {
        vm.expectRevert(RollupConfig.ZeroAddress.selector);
        new RollupConfig(address(0), 64023, SEQ, 60, 10, 0.01 ether, DevChain.params());
        vm.expectRevert(RollupConfig.ZeroAddress.selector);
        new RollupConfig(OWNER, 64023, address(0), 60, 10, 0.01 ether, DevChain.params());
        vm.expectRevert(RollupConfig.InvalidChainId.selector);
        new RollupConfig(OWNER, 0, SEQ, 60, 10, 0.01 ether, DevChain.params());
        vm.expectRevert(RollupConfig.InvalidChainId.selector);
        new RollupConfig(OWNER, block.chainid, SEQ, 60, 10, 0.01 ether, DevChain.params());
        vm.expectRevert(RollupConfig.InvalidChainId.selector);
        new RollupConfig(OWNER, uint256(type(uint64).max) + 1, SEQ, 60, 10, 0.01 ether, DevChain.params());
        vm.expectRevert(RollupConfig.InvalidChallengeWindow.selector);
        new RollupConfig(OWNER, 64023, SEQ, 0, 10, 0.01 ether, DevChain.params());
        vm.expectRevert(RollupConfig.InvalidChallengeWindow.selector);
        new RollupConfig(OWNER, 64023, SEQ, 30 days + 1, 10, 0.01 ether, DevChain.params());
        vm.expectRevert(RollupConfig.InvalidProposalInterval.selector);
        new RollupConfig(OWNER, 64023, SEQ, 60, 0, 0.01 ether, DevChain.params());
        vm.expectRevert(RollupConfig.InvalidProposalInterval.selector);
        new RollupConfig(OWNER, 64023, SEQ, 60, 1_000_001, 0.01 ether, DevChain.params());
        vm.expectRevert(abi.encodeWithSelector(RollupConfig.BondOutOfRange.selector, uint256(0.001 ether - 1)));
        new RollupConfig(OWNER, 64023, SEQ, 60, 10, 0.001 ether - 1, DevChain.params());
        vm.expectRevert(abi.encodeWithSelector(RollupConfig.BondOutOfRange.selector, uint256(1000 ether + 1)));
        new RollupConfig(OWNER, 64023, SEQ, 60, 10, 1000 ether + 1, DevChain.params());
        // The bounds themselves are accepted.
        new RollupConfig(OWNER, 64023, SEQ, 30 days, 1_000_000, 1000 ether, DevChain.params());
        new RollupConfig(OWNER, 64023, SEQ, 1, 1, 0.001 ether, DevChain.params());
    }

    function test_owner_setters() public {
        vm.startPrank(OWNER);
        vm.expectEmit(true, true, false, false, address(config));
        emit RollupConfig.SequencerChanged(SEQ, address(0xB0B));
        config.setSequencer(address(0xB0B));
        assertEq(config.sequencer(), address(0xB0B));
        vm.expectRevert(RollupConfig.ZeroAddress.selector);
        config.setSequencer(address(0));

        config.setProposerBond(1 ether);
        assertEq(config.proposerBond(), 1 ether);
        vm.expectRevert(abi.encodeWithSelector(RollupConfig.BondOutOfRange.selector, uint256(0)));
        config.setProposerBond(0);

        vm.expectRevert(RollupConfig.ZeroAddress.selector);
        config.setDisputeGame(address(0));
        config.setDisputeGame(address(0x6A3E));
        assertEq(config.disputeGame(), address(0x6A3E));
        vm.expectRevert(RollupConfig.DisputeGameAlreadySet.selector);
        config.setDisputeGame(address(0x6A3F));
        vm.stopPrank();
    }

    function testFuzz_nonOwnerCannotChangeAnything(address attacker, address value, uint256 bond) public {
        vm.assume(attacker != OWNER);
        vm.startPrank(attacker);
        vm.expectRevert(RollupConfig.NotOwner.selector);
        config.setSequencer(value);
        vm.expectRevert(RollupConfig.NotOwner.selector);
        config.setProposerBond(bond);
        vm.expectRevert(RollupConfig.NotOwner.selector);
        config.setDisputeGame(value);
        vm.expectRevert(RollupConfig.NotOwner.selector);
        config.transferOwnership(attacker);
        vm.expectRevert(RollupConfig.NotPendingOwner.selector);
        config.acceptOwnership();
        vm.stopPrank();
        assertEq(config.sequencer(), SEQ);
        assertEq(config.owner(), OWNER);
    }

    function test_twoStepOwnership() public {
        address next = address(0xB0B);
        vm.prank(OWNER);
        config.transferOwnership(next);
        assertEq(config.owner(), OWNER, "not yet");
        vm.prank(address(0xEE));
        vm.expectRevert(RollupConfig.NotPendingOwner.selector);
        config.acceptOwnership();
        vm.prank(next);
        config.acceptOwnership();
        assertEq(config.owner(), next);
        assertEq(config.pendingOwner(), address(0));
        // The old owner lost its rights.
        vm.prank(OWNER);
        vm.expectRevert(RollupConfig.NotOwner.selector);
        config.setSequencer(address(1));
        vm.prank(next);
        config.setSequencer(address(1));
    }
}
