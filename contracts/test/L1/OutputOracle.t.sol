// SPDX-License-Identifier: MIT
pragma solidity ^0.8.24;

import {console} from "forge-std/console.sol";
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
    event OutputsDeleted(
        uint256 indexed fromIndex, uint256 previousCount, address indexed winner, uint256 prize, uint256 burn
    );
    event BondReleased(uint256 indexed index, address indexed proposer, uint256 bond);
    event BondRefunded(uint256 indexed index, address indexed proposer, uint256 bond);
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
        emit OutputsDeleted(i2, 5, challenger, 0.5 ether, 0.5 ether);
        oracle.deleteOutputs(i2, challenger);

        assertEq(oracle.outputCount(), 2, "count truncated");
        assertEq(oracle.latestOutputIndex(), i1);
        assertEq(oracle.credit(challenger), 0.5 ether, "winner gets half the disproven bond");
        assertEq(oracle.burned(), 0.5 ether, "the other half is burned");
        assertEq(oracle.credit(bob), 0, "disproven proposer loses");
        assertTrue(oracle.outputRecord(i2).bondReleased, "the disproven bond is marked gone");
        assertEq(oracle.output(i1).root, ROOT_A, "earlier output kept");
        for (uint256 i = i2; i <= i4; ++i) {
            vm.expectRevert(abi.encodeWithSelector(OutputOracle.UnknownOutput.selector, i));
            oracle.output(i);
        }
        assertFalse(oracle.isFinalized(i3));
        assertEq(oracle.nextBlockNumber(), 20);

        // Later proposers are refunded by pull: by anyone's refundDeleted ...
        assertEq(oracle.credit(carol), 0, "no loop in the deletion");
        vm.expectEmit(address(oracle));
        emit BondRefunded(i3, carol, 2 ether);
        vm.prank(bob);
        oracle.refundDeleted(i3);
        assertEq(oracle.credit(carol), 2 ether, "later proposer refunded");

        // ... or by the proposal that reuses the index. New proposals reuse the slot and
        // index, at the current bond, with fresh state; the disproven record pays nobody.
        uint256 again = _propose(carol, ROOT_A);
        assertEq(again, i2);
        assertEq(oracle.credit(bob), 0, "the disproven proposer is never refunded");
        OutputOracle.Output memory o = oracle.output(again);
        assertEq(o.l2Block, 20);
        assertEq(o.root, ROOT_A);
        assertEq(o.proposer, carol);
        assertEq(o.bond, 2 ether);
        assertFalse(o.bondReleased);
        assertEq(_propose(bob, ROOT_B), i3);
        assertEq(oracle.credit(carol), 2 ether, "refunded once");
        vm.expectEmit(address(oracle));
        emit BondRefunded(i4, alice, 2 ether);
        assertEq(_propose(bob, ROOT_C), i4);
        assertEq(oracle.credit(alice), 2 ether, "later proposer refunded (output 1's bond still locked)");

        // Everyone can take their credit; output 1's and the three new outputs' bonds remain.
        oracle.releaseBond(i1);
        vm.prank(challenger);
        oracle.withdraw();
        vm.prank(carol);
        oracle.withdraw();
        vm.prank(alice);
        oracle.withdraw();
        assertEq(challenger.balance, 0.5 ether);
        assertEq(address(oracle).balance, 3 * 2 ether + oracle.burned());
    }

    function test_deleteOutputs_lastOutputOnly() public {
        _setDisputeGame(address(this));
        _propose(alice, ROOT_A);
        _propose(bob, ROOT_B);
        oracle.deleteOutputs(2, alice);
        assertEq(oracle.outputCount(), 2);
        assertEq(oracle.credit(alice), BOND / 2);
        assertEq(oracle.output(1).proposer, alice);
        assertEq(oracle.nextBlockNumber(), 20);
    }

    function test_refundDeleted_refusals() public {
        _setDisputeGame(address(this));
        uint256 i1 = _propose(alice, ROOT_A);
        uint256 i2 = _propose(bob, ROOT_B);
        // A live output is released, not refunded.
        vm.expectRevert(abi.encodeWithSelector(OutputOracle.NotDeleted.selector, i1));
        oracle.refundDeleted(i1);
        vm.expectRevert(abi.encodeWithSelector(OutputOracle.NotDeleted.selector, 0));
        oracle.refundDeleted(0);
        // No proposal was ever made at index 3.
        vm.expectRevert(abi.encodeWithSelector(OutputOracle.UnknownOutput.selector, 3));
        oracle.refundDeleted(3);
        oracle.deleteOutputs(i1, challenger);
        // The disproven bond is forfeited.
        vm.expectRevert(abi.encodeWithSelector(OutputOracle.BondAlreadyReleased.selector, i1));
        oracle.refundDeleted(i1);
        oracle.refundDeleted(i2);
        assertEq(oracle.credit(bob), BOND);
        // Never twice.
        vm.expectRevert(abi.encodeWithSelector(OutputOracle.BondAlreadyReleased.selector, i2));
        oracle.refundDeleted(i2);
        // Nor again when a proposal reuses the index.
        _propose(carol, ROOT_C);
        _propose(carol, ROOT_C);
        assertEq(oracle.credit(bob), BOND);
        assertEq(oracle.credit(alice), 0);
        vm.expectRevert(abi.encodeWithSelector(OutputOracle.NotDeleted.selector, i2));
        oracle.refundDeleted(i2);
        assertEq(address(oracle).balance, oracle.credit(challenger) + oracle.credit(bob) + 2 * BOND + oracle.burned());
    }

    /// @notice A second deletion at a lower index leaves the records of the first one
    ///         beyond the new count: each is still refunded, once, to its own proposer.
    function test_refund_nestedDeletions() public {
        _setDisputeGame(address(this));
        address[11] memory p;
        for (uint256 i = 1; i <= 10; ++i) {
            p[i] = makeAddr(string.concat("p", vm.toString(i)));
            _propose(p[i], keccak256(abi.encode(i)));
        }
        oracle.deleteOutputs(5, challenger); // 5 disproven; 6..10 deleted
        address q5 = makeAddr("q5");
        address q6 = makeAddr("q6");
        _propose(q5, ROOT_A); // over the disproven record: nobody refunded
        _propose(q6, ROOT_B); // over 6: p6 refunded
        assertEq(oracle.credit(p[5]), 0);
        assertEq(oracle.credit(p[6]), BOND);
        oracle.deleteOutputs(3, challenger); // 3 disproven; 4, q5, q6 deleted; 7..10 stay deleted
        assertEq(oracle.outputCount(), 3);
        for (uint256 i = 4; i <= 10; ++i) {
            oracle.refundDeleted(i);
        }
        for (uint256 i = 4; i <= 10; ++i) {
            vm.expectRevert(abi.encodeWithSelector(OutputOracle.BondAlreadyReleased.selector, i));
            oracle.refundDeleted(i);
        }
        assertEq(oracle.credit(q5), BOND);
        assertEq(oracle.credit(q6), BOND);
        for (uint256 i = 1; i <= 10; ++i) {
            assertEq(oracle.credit(p[i]), i == 3 || i == 5 ? 0 : (i < 3 ? 0 : BOND), "each once, never the disproven");
        }
        assertEq(oracle.credit(challenger), BOND);
        assertEq(oracle.burned(), BOND);
        // Outputs 1 and 2 live; the two disproven bonds split between the winner and the
        // burn; eight refunds.
        assertEq(address(oracle).balance, 2 * BOND + 2 * BOND + 8 * BOND);
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

    // ---------------------------------------------------------------- at scale

    uint160 internal constant ORIGINAL = 0xB0B00000;
    uint160 internal constant AGAIN = 0xCAFE0000;

    /// @dev Thousands of outputs' blocks would cost more gas to post than a test has, so
    ///      the inbox's cursor is mocked: every block is on L1.
    function _allBlocksOnL1() internal {
        vm.mockCall(address(inbox), abi.encodeWithSelector(inbox.nextBlock.selector), abi.encode(type(uint64).max));
    }

    /// @dev Proposes `n` outputs after the current ones, output `i` (index) by
    ///      `_proposerOf(i)`.
    function _proposeMany(uint256 n) internal returns (uint256 first) {
        return _proposeMany(n, ORIGINAL);
    }

    /// @dev The same, output `i` by `address(base + i)`.
    function _proposeMany(uint256 n, uint160 base) internal returns (uint256 first) {
        first = oracle.outputCount();
        for (uint256 k = 0; k < n; ++k) {
            uint256 l2Block = oracle.nextBlockNumber();
            _postThrough(l2Block);
            address proposer = address(base + uint160(first + k));
            vm.deal(proposer, BOND);
            vm.prank(proposer);
            oracle.propose{value: BOND}(l2Block, keccak256(abi.encode(first + k)));
        }
    }

    function _proposerOf(uint256 index) internal pure returns (address) {
        return address(ORIGINAL + uint160(index));
    }

    /// @dev The gas of one `propose` call (storage cold), its block on L1 already.
    function _proposeGas(address who) internal returns (uint256 used) {
        uint256 l2Block = oracle.nextBlockNumber();
        _postThrough(l2Block);
        vm.deal(who, BOND);
        vm.cool(address(oracle));
        vm.cool(address(config));
        vm.cool(address(inbox));
        vm.prank(who);
        uint256 before = gasleft();
        oracle.propose{value: BOND}(l2Block, keccak256(abi.encode(who, l2Block)));
        used = before - gasleft();
    }

    function _deletionGas(uint256 fromIndex) internal returns (uint256 used) {
        vm.cool(address(oracle));
        vm.cool(address(config));
        uint256 before = gasleft();
        oracle.deleteOutputs(fromIndex, challenger);
        used = before - gasleft();
    }

    /// @notice The attack of review finding 1: proposals piled up after a wrong output
    ///         made its deletion, and so the winning game's resolution, cost gas linear in
    ///         their number. Now 3,000 later outputs cost what one does, every later
    ///         proposer is refunded once (by `refundDeleted` or by the proposal reusing the
    ///         index) and the disproven one never.
    function test_deleteOutputs_gasFlatWithThousandsOfLaterOutputs() public {
        _setDisputeGame(address(this));
        _allBlocksOnL1();
        uint256 snap = vm.snapshotState();
        _proposeMany(2);
        uint256 one = _deletionGas(1);
        vm.revertToState(snap);
        _proposeMany(3001);
        assertEq(oracle.outputCount(), 3002);
        uint256 many = _deletionGas(1);
        console.log("deleteOutputs, 1 later output:", one);
        console.log("deleteOutputs, 3,000 later outputs:", many);
        assertLt(many, 200_000);
        assertLe(many, one + 1_000, "flat in the later outputs");
        assertEq(oracle.outputCount(), 1);

        // The first 50 indices are proposed again (refunds by overwrite), the rest pulled.
        _proposeMany(50, AGAIN);
        for (uint256 i = 51; i <= 3001; ++i) {
            oracle.refundDeleted(i);
        }
        assertEq(oracle.credit(_proposerOf(1)), 0, "the disproven proposer is never refunded");
        for (uint256 i = 2; i <= 3001; ++i) {
            assertEq(oracle.credit(_proposerOf(i)), BOND, "every later proposer once");
        }
        for (uint256 i = 51; i <= 3001; i += 250) {
            vm.expectRevert(abi.encodeWithSelector(OutputOracle.BondAlreadyReleased.selector, i));
            oracle.refundDeleted(i);
        }
        assertEq(oracle.credit(challenger), BOND / 2);
        // 50 live bonds (indices 1..50), the credits and the burn.
        assertEq(address(oracle).balance, 50 * BOND + 3000 * BOND + BOND / 2 + oracle.burned());
    }

    /// @notice What a proposal costs at a fresh index, over the disproven record and over a
    ///         deleted record it refunds (its blocks on L1 already; storage cold).
    function test_propose_gasOverDeletedRecords() public {
        _setDisputeGame(address(this));
        uint256 fresh = _proposeGas(alice);
        _proposeGas(bob);
        oracle.deleteOutputs(1, challenger);
        uint256 overDisproven = _proposeGas(carol);
        uint256 overDeleted = _proposeGas(carol);
        console.log("propose at a fresh index:", fresh);
        console.log("propose over the disproven record:", overDisproven);
        console.log("propose over a deleted record (refunds it):", overDeleted);
        assertEq(oracle.credit(bob), BOND);
        assertEq(oracle.credit(alice), 0);
        assertLt(overDeleted, fresh, "rewriting used slots costs less than fresh ones");
    }

    /// @notice After the only dispute closes, the bound moves `DISPUTE_SCAN` outputs on;
    ///         thousands of undisputed outputs behind it become final through bounded
    ///         `advanceDisputeScan` chunks, which stop at the next open dispute.
    function test_disputeScan_acrossThousandsOfOutputs() public {
        _setDisputeGame(address(this));
        _allBlocksOnL1();
        _proposeMany(3000);
        uint64 n1 = oracle.openDispute(1, oracle.outputRoot(1));
        uint64 n2 = oracle.openDispute(2500, oracle.outputRoot(2500));
        assertEq(oracle.earliestDispute(), 1);
        vm.warp(block.timestamp + WINDOW);
        assertFalse(oracle.isFinalized(1));
        vm.cool(address(oracle));
        uint256 before = gasleft();
        oracle.closeDispute(1, n1);
        console.log("closeDispute with a full scan:", before - gasleft());
        uint256 bound = 2 + oracle.DISPUTE_SCAN();
        assertEq(oracle.earliestDispute(), bound);
        assertTrue(oracle.isFinalized(bound - 1));
        assertFalse(oracle.isFinalized(bound), "a lower bound, not yet scanned past");
        uint256 chunks;
        uint256 maxChunk;
        while (oracle.earliestDispute() != 2500) {
            before = gasleft();
            oracle.advanceDisputeScan(500);
            uint256 used = before - gasleft();
            if (used > maxChunk) maxChunk = used;
            ++chunks;
            assertLt(chunks, 10);
        }
        console.log("advanceDisputeScan(500), largest chunk:", maxChunk);
        assertEq(chunks, 5);
        assertLt(maxChunk, 2_000_000);
        assertTrue(oracle.isFinalized(2499));
        assertFalse(oracle.isFinalized(2500), "held by its open dispute");
        assertFalse(oracle.isFinalized(3000));
        // At an open dispute the scan does nothing.
        assertEq(oracle.advanceDisputeScan(1000), 2500);
        oracle.closeDispute(2500, n2);
        assertEq(oracle.earliestDispute(), 2501 + oracle.DISPUTE_SCAN());
        assertEq(oracle.advanceDisputeScan(1000), oracle.NO_DISPUTE());
        assertTrue(oracle.isFinalized(3000));
    }

    /// @notice The bound under every kind of step: a dispute opened below it and above it,
    ///         a close that leaves it a lower bound, deletions above and below it, and a
    ///         re-proposal at an index whose deleted record had an open dispute.
    function test_disputeBound_sequence() public {
        _setDisputeGame(address(this));
        _proposeMany(40);
        uint64 n1 = oracle.openDispute(1, oracle.outputRoot(1));
        uint64 n30 = oracle.openDispute(30, oracle.outputRoot(30));
        oracle.closeDispute(1, n1);
        assertEq(oracle.earliestDispute(), 2 + oracle.DISPUTE_SCAN(), "a lower bound below 30");
        // Below the bound: it drops.
        uint64 n5 = oracle.openDispute(5, oracle.outputRoot(5));
        assertEq(oracle.earliestDispute(), 5);
        // Above it: it stays.
        oracle.openDispute(35, oracle.outputRoot(35));
        assertEq(oracle.earliestDispute(), 5);
        vm.warp(block.timestamp + WINDOW);
        assertTrue(oracle.isFinalized(4));
        assertFalse(oracle.isFinalized(5));
        assertFalse(oracle.isFinalized(20));
        // One second earlier (windows open): deleting above the bound keeps it; closing 5
        // scans on to the lower bound 22.
        vm.warp(block.timestamp - 1);
        oracle.deleteOutputs(33, challenger);
        assertEq(oracle.earliestDispute(), 5);
        oracle.closeDispute(5, n5);
        assertEq(oracle.earliestDispute(), 6 + oracle.DISPUTE_SCAN());
        // Deleting at or below the bound clears it: no live output below it had a dispute.
        oracle.deleteOutputs(20, challenger);
        assertEq(oracle.earliestDispute(), oracle.NO_DISPUTE());
        vm.warp(block.timestamp + 1);
        assertTrue(oracle.isFinalized(19));
        // 30's record keeps its old dispute; the re-proposal there starts with none, and the
        // old game's close is a no-op.
        assertEq(oracle.outputRecord(30).disputes, 1);
        _proposeMany(11, AGAIN);
        assertEq(oracle.outputRecord(30).disputes, 0);
        assertFalse(oracle.closeDispute(30, n30));
        assertEq(oracle.earliestDispute(), oracle.NO_DISPUTE());
        vm.warp(block.timestamp + WINDOW);
        assertTrue(oracle.isFinalized(30));
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
        assertEq(oracle.credit(honest), BOND / 2);

        vm.prank(honest);
        assertEq(oracle.propose{value: BOND}(10, honestRoot), 1);
        assertEq(oracle.outputRoot(1), honestRoot);
        vm.warp(block.timestamp + WINDOW);
        assertTrue(oracle.isFinalized(1));
        oracle.releaseBond(1);
        vm.prank(honest);
        oracle.withdraw();
        assertEq(honest.balance, BOND + BOND / 2, "honest gets its bond back plus half the attacker's");
        assertEq(address(oracle).balance, oracle.burned(), "the other half stays burned");
        assertEq(oracle.burned(), BOND / 2);
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
