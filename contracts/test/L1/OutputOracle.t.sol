// SPDX-License-Identifier: MIT
pragma solidity ^0.8.24;

import {ReentrancyGuard} from "../../src/lib/ReentrancyGuard.sol";
import {OutputOracle} from "../../src/L1/OutputOracle.sol";
import {RollupConfig} from "../../src/L1/RollupConfig.sol";
import {OracleFixtures} from "../helpers/OracleFixtures.sol";

/// @dev A proposer contract whose receive() always reverts (withdraw must fail cleanly).
contract RejectingProposer {
    OutputOracle internal immutable oracle;

    constructor(OutputOracle oracle_) {
        oracle = oracle_;
    }

    function propose(uint256 l2Block, bytes32 root) external payable returns (uint256) {
        return oracle.propose{value: msg.value}(l2Block, root);
    }

    function withdraw() external {
        oracle.withdraw();
    }

    receive() external payable {
        revert("no thanks");
    }
}

/// @dev A proposer contract that re-enters withdraw() when paid.
contract ReentrantProposer {
    OutputOracle internal immutable oracle;
    bool public swallow; // catch the inner revert (else it bubbles and fails the transfer)
    uint256 public reentries;
    bytes public innerRevert;

    constructor(OutputOracle oracle_, bool swallow_) {
        oracle = oracle_;
        swallow = swallow_;
    }

    function propose(uint256 l2Block, bytes32 root) external payable returns (uint256) {
        return oracle.propose{value: msg.value}(l2Block, root);
    }

    function withdraw() external {
        oracle.withdraw();
    }

    receive() external payable {
        if (reentries > 0) return;
        reentries += 1;
        if (swallow) {
            try oracle.withdraw() {}
            catch (bytes memory reason) {
                innerRevert = reason;
            }
        } else {
            oracle.withdraw();
        }
    }
}

contract OutputOracleTest is OracleFixtures {
    address internal alice = makeAddr("alice");
    address internal bob = makeAddr("bob");
    address internal carol = makeAddr("carol");
    address internal challenger = makeAddr("challenger");

    bytes32 internal constant ROOT_A = keccak256("root a");
    bytes32 internal constant ROOT_B = keccak256("root b");
    bytes32 internal constant ROOT_C = keccak256("root c");

    event OutputProposed(uint256 indexed index, uint64 indexed l2Block, bytes32 root, address indexed proposer);
    event OutputsDeleted(uint256 indexed fromIndex, uint256 previousCount, address indexed winner, uint256 prize);
    event BondReleased(uint256 indexed index, address indexed proposer, uint256 bond);
    event Withdrawn(address indexed account, uint256 amount);

    function setUp() public {
        _deployRollup();
    }

    // ---------------------------------------------------------------- genesis

    function test_genesisOutput() public view {
        assertEq(oracle.outputCount(), 1);
        assertEq(oracle.latestOutputIndex(), 0);
        OutputOracle.Output memory g = oracle.output(0);
        assertEq(g.root, GENESIS_ROOT);
        assertEq(g.l2Block, 0);
        assertEq(g.timestamp, 0);
        assertTrue(g.bondReleased);
        assertEq(g.proposer, address(0));
        assertEq(g.bond, 0);
        assertEq(oracle.outputRoot(0), GENESIS_ROOT);
        assertTrue(oracle.isFinalized(0));
        assertEq(oracle.nextBlockNumber(), INTERVAL);
        assertFalse(oracle.isFinalized(1));
    }

    function test_genesis_bondCannotBeReleased() public {
        vm.expectRevert(abi.encodeWithSelector(OutputOracle.BondAlreadyReleased.selector, 0));
        oracle.releaseBond(0);
    }

    function test_constructor_rejectsZeroRootAndAddresses() public {
        vm.expectRevert(OutputOracle.ZeroRoot.selector);
        new OutputOracle(config, inbox, bytes32(0));
        vm.expectRevert(OutputOracle.ZeroAddress.selector);
        new OutputOracle(RollupConfig(address(0)), inbox, GENESIS_ROOT);
    }

    function test_unknownOutputViewsRevert() public {
        vm.expectRevert(abi.encodeWithSelector(OutputOracle.UnknownOutput.selector, 1));
        oracle.output(1);
        vm.expectRevert(abi.encodeWithSelector(OutputOracle.UnknownOutput.selector, 1));
        oracle.outputRoot(1);
    }

    // ---------------------------------------------------------------- propose

    function test_propose_happyPath() public {
        _postEmptyBlocks(10);
        vm.deal(alice, 5 ether);
        vm.expectEmit(address(oracle));
        emit OutputProposed(1, 10, ROOT_A, alice);
        vm.prank(alice);
        uint256 index = oracle.propose{value: BOND}(10, ROOT_A);

        assertEq(index, 1);
        assertEq(oracle.outputCount(), 2);
        assertEq(oracle.latestOutputIndex(), 1);
        assertEq(oracle.nextBlockNumber(), 20);
        OutputOracle.Output memory o = oracle.output(1);
        assertEq(o.root, ROOT_A);
        assertEq(o.l2Block, 10);
        assertEq(o.timestamp, block.timestamp);
        assertFalse(o.bondReleased);
        assertEq(o.proposer, alice);
        assertEq(o.bond, BOND);
        assertEq(address(oracle).balance, BOND);
        assertEq(alice.balance, 4 ether);
        assertFalse(oracle.isFinalized(1));

        // The next slot needs its block on L1 too.
        _postEmptyBlocks(10);
        vm.deal(bob, BOND);
        vm.prank(bob);
        assertEq(oracle.propose{value: BOND}(20, ROOT_B), 2);
        assertEq(oracle.output(2).l2Block, 20);
    }

    function test_propose_revertsWrongBlockNumber() public {
        _postEmptyBlocks(30);
        vm.deal(alice, 10 ether);
        vm.startPrank(alice);
        vm.expectRevert(abi.encodeWithSelector(OutputOracle.WrongBlockNumber.selector, 10, 9));
        oracle.propose{value: BOND}(9, ROOT_A);
        vm.expectRevert(abi.encodeWithSelector(OutputOracle.WrongBlockNumber.selector, 10, 11));
        oracle.propose{value: BOND}(11, ROOT_A);
        vm.expectRevert(abi.encodeWithSelector(OutputOracle.WrongBlockNumber.selector, 10, 20));
        oracle.propose{value: BOND}(20, ROOT_A);
        vm.expectRevert(abi.encodeWithSelector(OutputOracle.WrongBlockNumber.selector, 10, 0));
        oracle.propose{value: BOND}(0, ROOT_A);
        oracle.propose{value: BOND}(10, ROOT_A);
        // The slot is taken: proposing it again is a wrong block number.
        vm.expectRevert(abi.encodeWithSelector(OutputOracle.WrongBlockNumber.selector, 20, 10));
        oracle.propose{value: BOND}(10, ROOT_B);
        vm.stopPrank();
    }

    function test_propose_revertsBlockNotOnL1() public {
        vm.deal(alice, 10 ether);
        // Nothing posted yet: the inbox's next block is 1.
        vm.prank(alice);
        vm.expectRevert(abi.encodeWithSelector(OutputOracle.BlockNotOnL1.selector, 10, 1));
        oracle.propose{value: BOND}(10, ROOT_A);

        _postEmptyBlocks(9); // blocks 1..9: block 10 is still missing
        vm.prank(alice);
        vm.expectRevert(abi.encodeWithSelector(OutputOracle.BlockNotOnL1.selector, 10, 10));
        oracle.propose{value: BOND}(10, ROOT_A);

        _postEmptyBlocks(1);
        vm.prank(alice);
        oracle.propose{value: BOND}(10, ROOT_A);
    }

    function test_propose_revertsWrongBond() public {
        _postEmptyBlocks(10);
        vm.deal(alice, 10 ether);
        vm.startPrank(alice);
        vm.expectRevert(abi.encodeWithSelector(OutputOracle.WrongBond.selector, BOND, BOND - 1));
        oracle.propose{value: BOND - 1}(10, ROOT_A);
        vm.expectRevert(abi.encodeWithSelector(OutputOracle.WrongBond.selector, BOND, 0));
        oracle.propose(10, ROOT_A);
        vm.expectRevert(abi.encodeWithSelector(OutputOracle.WrongBond.selector, BOND, BOND + 1));
        oracle.propose{value: BOND + 1}(10, ROOT_A);
        vm.expectRevert(abi.encodeWithSelector(OutputOracle.WrongBond.selector, BOND, 2 * BOND));
        oracle.propose{value: 2 * BOND}(10, ROOT_A);
        vm.stopPrank();
        assertEq(oracle.outputCount(), 1);
        assertEq(address(oracle).balance, 0);
    }

    function test_propose_revertsZeroRoot() public {
        _postEmptyBlocks(10);
        vm.deal(alice, BOND);
        vm.prank(alice);
        vm.expectRevert(OutputOracle.ZeroRoot.selector);
        oracle.propose{value: BOND}(10, bytes32(0));
    }

    // ---------------------------------------------------------------- finality

    function test_isFinalized_timing() public {
        uint256 index = _propose(alice, ROOT_A);
        uint256 t0 = block.timestamp;
        assertFalse(oracle.isFinalized(index));
        vm.warp(t0 + WINDOW - 1);
        assertFalse(oracle.isFinalized(index));
        vm.warp(t0 + WINDOW);
        assertTrue(oracle.isFinalized(index));
        vm.warp(t0 + WINDOW + 1000);
        assertTrue(oracle.isFinalized(index));
        assertFalse(oracle.isFinalized(index + 1));
    }

    // ---------------------------------------------------------------- bonds

    function test_releaseBond_revertsNotFinalized() public {
        uint256 index = _propose(alice, ROOT_A);
        vm.warp(block.timestamp + WINDOW - 1);
        vm.expectRevert(abi.encodeWithSelector(OutputOracle.NotFinalized.selector, index));
        oracle.releaseBond(index);
        // An index that does not exist is not final either.
        vm.expectRevert(abi.encodeWithSelector(OutputOracle.NotFinalized.selector, 7));
        oracle.releaseBond(7);
    }

    function test_releaseBond_creditsProposerOnce() public {
        uint256 index = _proposeFinal(alice, ROOT_A);
        vm.expectEmit(address(oracle));
        emit BondReleased(index, alice, BOND);
        vm.prank(bob); // anyone may release
        oracle.releaseBond(index);
        assertEq(oracle.credit(alice), BOND);
        assertEq(oracle.credit(bob), 0);
        assertTrue(oracle.output(index).bondReleased);

        vm.expectRevert(abi.encodeWithSelector(OutputOracle.BondAlreadyReleased.selector, index));
        oracle.releaseBond(index);
        assertEq(oracle.credit(alice), BOND);
    }

    function test_withdraw_paysCredit() public {
        uint256 index = _proposeFinal(alice, ROOT_A);
        oracle.releaseBond(index);
        uint256 before = alice.balance;
        vm.expectEmit(address(oracle));
        emit Withdrawn(alice, BOND);
        vm.prank(alice);
        oracle.withdraw();
        assertEq(alice.balance, before + BOND);
        assertEq(oracle.credit(alice), 0);
        assertEq(address(oracle).balance, 0);

        vm.prank(alice);
        vm.expectRevert(OutputOracle.NothingToWithdraw.selector);
        oracle.withdraw();
    }

    function test_withdraw_revertsNothingToWithdraw() public {
        vm.prank(alice);
        vm.expectRevert(OutputOracle.NothingToWithdraw.selector);
        oracle.withdraw();
        // A proposer whose bond is still locked has no credit either.
        _propose(alice, ROOT_A);
        vm.prank(alice);
        vm.expectRevert(OutputOracle.NothingToWithdraw.selector);
        oracle.withdraw();
    }

    function test_withdraw_revertsTransferFailedAndKeepsCredit() public {
        RejectingProposer p = new RejectingProposer(oracle);
        _postThrough(10);
        p.propose{value: BOND}(10, ROOT_A);
        vm.warp(block.timestamp + WINDOW);
        oracle.releaseBond(1);
        assertEq(oracle.credit(address(p)), BOND);

        vm.expectRevert(OutputOracle.TransferFailed.selector);
        p.withdraw();
        assertEq(oracle.credit(address(p)), BOND, "credit kept");
        assertEq(address(oracle).balance, BOND, "nothing paid");
    }

    function test_withdraw_reentrancySwallowedPaysOnce() public {
        // Someone else's credit sits in the oracle too: the attacker must not reach it.
        uint256 i1 = _propose(bob, ROOT_A);
        ReentrantProposer p = new ReentrantProposer(oracle, true);
        _postThrough(20);
        p.propose{value: BOND}(20, ROOT_B);
        vm.warp(block.timestamp + WINDOW);
        oracle.releaseBond(i1);
        oracle.releaseBond(2);
        assertEq(address(oracle).balance, 2 * BOND);

        p.withdraw();
        assertEq(p.reentries(), 1, "re-entered");
        assertEq(bytes4(p.innerRevert()), ReentrancyGuard.Reentrancy.selector, "inner call blocked");
        assertEq(address(p).balance, BOND, "paid exactly once");
        assertEq(oracle.credit(address(p)), 0);
        assertEq(oracle.credit(bob), BOND);
        assertEq(address(oracle).balance, BOND, "bob's bond untouched");

        vm.expectRevert(OutputOracle.NothingToWithdraw.selector);
        p.withdraw();
    }

    function test_withdraw_reentrancyBubbledPaysNothing() public {
        ReentrantProposer p = new ReentrantProposer(oracle, false);
        _postThrough(10);
        p.propose{value: BOND}(10, ROOT_A);
        vm.warp(block.timestamp + WINDOW);
        oracle.releaseBond(1);

        vm.expectRevert(OutputOracle.TransferFailed.selector);
        p.withdraw();
        assertEq(address(p).balance, 0);
        assertEq(oracle.credit(address(p)), BOND);
        assertEq(address(oracle).balance, BOND);
    }

    // ---------------------------------------------------------------- deleteOutputs

    function test_deleteOutputs_revertsNotDisputeGame() public {
        uint256 index = _propose(alice, ROOT_A);
        // No dispute game installed yet: nobody may delete.
        vm.expectRevert(OutputOracle.NotDisputeGame.selector);
        oracle.deleteOutputs(index, challenger);

        _setDisputeGame(address(this));
        vm.prank(owner);
        vm.expectRevert(OutputOracle.NotDisputeGame.selector);
        oracle.deleteOutputs(index, challenger);
        vm.prank(challenger);
        vm.expectRevert(OutputOracle.NotDisputeGame.selector);
        oracle.deleteOutputs(index, challenger);
    }

    function test_deleteOutputs_revertsCannotDeleteGenesis() public {
        _setDisputeGame(address(this));
        vm.expectRevert(OutputOracle.CannotDeleteGenesis.selector);
        oracle.deleteOutputs(0, challenger);
    }

    function test_deleteOutputs_revertsUnknownOutput() public {
        _setDisputeGame(address(this));
        vm.expectRevert(abi.encodeWithSelector(OutputOracle.UnknownOutput.selector, 1));
        oracle.deleteOutputs(1, challenger);
        _propose(alice, ROOT_A);
        vm.expectRevert(abi.encodeWithSelector(OutputOracle.UnknownOutput.selector, 2));
        oracle.deleteOutputs(2, challenger);
    }

    function test_deleteOutputs_revertsAlreadyFinalized() public {
        _setDisputeGame(address(this));
        uint256 index = _propose(alice, ROOT_A);
        vm.warp(block.timestamp + WINDOW - 1);
        // One second before the end of the window it can still be deleted ...
        uint256 snap = vm.snapshotState();
        oracle.deleteOutputs(index, challenger);
        vm.revertToState(snap);
        // ... at the end it is final and cannot.
        vm.warp(block.timestamp + 1);
        vm.expectRevert(abi.encodeWithSelector(OutputOracle.AlreadyFinalized.selector, index));
        oracle.deleteOutputs(index, challenger);
    }

    function test_deleteOutputs_revertsZeroWinner() public {
        _setDisputeGame(address(this));
        uint256 index = _propose(alice, ROOT_A);
        vm.expectRevert(OutputOracle.ZeroAddress.selector);
        oracle.deleteOutputs(index, address(0));
    }

    function test_deleteOutputs_winnerGetsBondLaterProposersRefunded() public {
        _setDisputeGame(address(this));
        uint256 i1 = _proposeFinal(alice, ROOT_A); // final: stays
        uint256 i2 = _propose(bob, ROOT_B); // disproven
        vm.prank(owner);
        config.setProposerBond(2 ether);
        uint256 i3 = _propose(carol, ROOT_C); // later, at the new bond
        uint256 i4 = _propose(alice, ROOT_C); // later
        assertEq(oracle.outputCount(), 5);
        assertEq(address(oracle).balance, 1 ether + 1 ether + 2 ether + 2 ether);

        vm.expectEmit(address(oracle));
        emit OutputsDeleted(i2, 5, challenger, 1 ether);
        oracle.deleteOutputs(i2, challenger);

        assertEq(oracle.outputCount(), 2, "count truncated");
        assertEq(oracle.latestOutputIndex(), i1);
        assertEq(oracle.credit(challenger), 1 ether, "winner gets the disproven bond");
        assertEq(oracle.credit(bob), 0, "disproven proposer loses");
        assertEq(oracle.credit(carol), 2 ether, "later proposer refunded");
        assertEq(oracle.credit(alice), 2 ether, "later proposer refunded (output 1's bond still locked)");
        assertEq(oracle.output(i1).root, ROOT_A, "earlier output kept");
        for (uint256 i = i2; i <= i4; ++i) {
            vm.expectRevert(abi.encodeWithSelector(OutputOracle.UnknownOutput.selector, i));
            oracle.output(i);
        }
        assertFalse(oracle.isFinalized(i3));
        assertEq(oracle.nextBlockNumber(), 20);

        // New proposals reuse the slot and index, at the current bond, with fresh state.
        uint256 again = _propose(carol, ROOT_A);
        assertEq(again, i2);
        OutputOracle.Output memory o = oracle.output(again);
        assertEq(o.l2Block, 20);
        assertEq(o.root, ROOT_A);
        assertEq(o.proposer, carol);
        assertEq(o.bond, 2 ether);
        assertFalse(o.bondReleased);

        // Everyone can take their credit; output 1's and the new output's bonds remain.
        oracle.releaseBond(i1);
        vm.prank(challenger);
        oracle.withdraw();
        vm.prank(carol);
        oracle.withdraw();
        vm.prank(alice);
        oracle.withdraw();
        assertEq(challenger.balance, 1 ether);
        assertEq(address(oracle).balance, 2 ether);
    }

    function test_deleteOutputs_lastOutputOnly() public {
        _setDisputeGame(address(this));
        _propose(alice, ROOT_A);
        _propose(bob, ROOT_B);
        oracle.deleteOutputs(2, alice);
        assertEq(oracle.outputCount(), 2);
        assertEq(oracle.credit(alice), BOND);
        assertEq(oracle.output(1).proposer, alice);
        assertEq(oracle.nextBlockNumber(), 20);
    }

    function test_deletedBondCannotBeReleased() public {
        _setDisputeGame(address(this));
        uint256 index = _propose(alice, ROOT_A);
        oracle.deleteOutputs(index, challenger);
        vm.warp(block.timestamp + WINDOW);
        vm.expectRevert(abi.encodeWithSelector(OutputOracle.NotFinalized.selector, index));
        oracle.releaseBond(index);
        assertEq(oracle.credit(alice), 0);
    }

    // ---------------------------------------------------------------- scenarios

    /// @notice An attacker takes the slot first with a wrong root; the honest proposal then
    ///         reverts, the dispute game removes the wrong one, and the honest one lands.
    function test_frontRunningWrongRoot() public {
        _setDisputeGame(address(this));
        bytes32 honestRoot = ROOT_A;
        bytes32 wrongRoot = keccak256("wrong");
        address attacker = makeAddr("attacker");
        address honest = makeAddr("honest");
        _postThrough(10);
        vm.deal(attacker, BOND);
        vm.deal(honest, BOND);

        vm.prank(attacker);
        oracle.propose{value: BOND}(10, wrongRoot);

        vm.prank(honest);
        vm.expectRevert(abi.encodeWithSelector(OutputOracle.WrongBlockNumber.selector, 20, 10));
        oracle.propose{value: BOND}(10, honestRoot);
        assertEq(honest.balance, BOND, "honest bond not taken");

        // The dispute game shows the root wrong (honest proposer is the challenger here).
        oracle.deleteOutputs(1, honest);
        assertEq(oracle.credit(honest), BOND);

        vm.prank(honest);
        assertEq(oracle.propose{value: BOND}(10, honestRoot), 1);
        assertEq(oracle.outputRoot(1), honestRoot);
        vm.warp(block.timestamp + WINDOW);
        assertTrue(oracle.isFinalized(1));
        oracle.releaseBond(1);
        vm.prank(honest);
        oracle.withdraw();
        assertEq(honest.balance, 2 * BOND, "honest gets its bond back plus the attacker's");
        assertEq(address(oracle).balance, 0);
    }

    function test_bondChangeAppliesToNewProposalsOnly() public {
        uint256 i1 = _propose(alice, ROOT_A);
        vm.prank(owner);
        config.setProposerBond(3 ether);
        assertEq(oracle.output(i1).bond, BOND, "posted bond untouched");

        _postThrough(20);
        vm.deal(bob, 10 ether);
        vm.prank(bob);
        vm.expectRevert(abi.encodeWithSelector(OutputOracle.WrongBond.selector, 3 ether, BOND));
        oracle.propose{value: BOND}(20, ROOT_B);
        vm.prank(bob);
        uint256 i2 = oracle.propose{value: 3 ether}(20, ROOT_B);
        assertEq(oracle.output(i2).bond, 3 ether);

        vm.warp(block.timestamp + WINDOW);
        oracle.releaseBond(i1);
        oracle.releaseBond(i2);
        assertEq(oracle.credit(alice), BOND, "old bond released at its own amount");
        assertEq(oracle.credit(bob), 3 ether);

        // Lowering it works the same way.
        vm.prank(owner);
        config.setProposerBond(0.5 ether);
        uint256 i3 = _propose(carol, ROOT_C);
        assertEq(oracle.output(i3).bond, 0.5 ether);
        assertEq(address(oracle).balance, BOND + 3 ether + 0.5 ether);
    }
}
