// SPDX-License-Identifier: MIT
pragma solidity ^0.8.24;

import {Test} from "forge-std/Test.sol";
import {StdInvariant} from "forge-std/StdInvariant.sol";

import {Portal} from "../../src/L1/Portal.sol";
import {OutputOracle} from "../../src/L1/OutputOracle.sol";
import {BatchInbox} from "../../src/L1/BatchInbox.sol";
import {RollupConfig} from "../../src/L1/RollupConfig.sol";
import {Hashing} from "../../src/lib/Hashing.sol";
import {SmtVerifier} from "../../src/lib/SmtVerifier.sol";
import {OracleFixtures, EmptyBlockBatch} from "../helpers/OracleFixtures.sol";
import {SmtTestTree} from "../helpers/SmtTestTree.sol";

/// @dev The L1 target of every modelled withdrawal: counts payments per withdrawal nonce
///      (carried in the call data), independently of the handler's bookkeeping.
contract PaySink {
    mapping(uint256 => uint256) public timesPaid;
    mapping(uint256 => uint256) public amountPaid;
    uint256 public totalReceived;

    fallback() external payable {
        uint256 nonce = abi.decode(msg.data, (uint256));
        timesPaid[nonce] += 1;
        amountPaid[nonce] += msg.value;
        totalReceived += msg.value;
    }
}

/// @dev Drives deposits, L2 withdrawals (modelled as an SMT state), output proposals,
///      time, and finalization attempts (including replays, wrong outputs and forged
///      outputs that the dispute game deletes).
contract PortalHandler is Test {
    using SmtTestTree for SmtTestTree.Tree;

    address internal constant MESSAGE_PASSER = 0x4200000000000000000000000000000000000016;
    address internal constant L2_SENDER = address(0x5E4D);
    uint256 internal constant MAX_WITHDRAWALS = 24;
    uint256 internal constant FORGED_NONCE = 1_000_000;

    Portal internal immutable portal;
    OutputOracle internal immutable oracle;
    BatchInbox internal immutable inbox;
    RollupConfig internal immutable config;
    address internal immutable sequencer;
    PaySink public immutable sink;

    address[] internal actors;

    // L2 model: withdrawal i has nonce i, value wValue[i]; an honest output records how
    // many withdrawals its state holds.
    uint256[] public wValue;
    mapping(uint256 => uint256) internal outputWithdrawals; // output index => count
    mapping(uint256 => bytes32) internal outputBlockHash;

    // Ghosts.
    uint256 public ghostDeposited;
    uint256 public ghostPaid;
    uint256 public ghostDoublePaid;
    uint256 public ghostForgedPaid;
    uint256 public ghostWrongAmount;
    uint256 public ghostPaidOutsideState;
    mapping(uint256 => bool) public ghostFinalized; // by nonce
    uint256 public finalizeSuccesses;
    uint256 public finalizeAttempts;

    constructor(Portal portal_, BatchInbox inbox_, address sequencer_) {
        portal = portal_;
        oracle = portal_.oracle();
        config = portal_.config();
        inbox = inbox_;
        sequencer = sequencer_;
        sink = new PaySink();
        for (uint256 i = 0; i < 4; ++i) {
            actors.push(makeAddr(string.concat("depositor", vm.toString(i))));
        }
    }

    function withdrawalCount() external view returns (uint256) {
        return wValue.length;
    }

    function withdrawal(uint256 nonce) public view returns (Hashing.Withdrawal memory) {
        uint256 value = nonce == FORGED_NONCE ? 1000 ether : wValue[nonce];
        return Hashing.Withdrawal({
            nonce: nonce,
            sender: L2_SENDER,
            target: address(sink),
            value: value,
            gasLimit: 100_000,
            data: abi.encode(nonce)
        });
    }

    function _slotKey(Hashing.Withdrawal memory w) internal pure returns (bytes32) {
        return SmtVerifier.storageKey(MESSAGE_PASSER, keccak256(abi.encode(Hashing.withdrawalHash(w), uint256(0))));
    }

    function _tree(uint256 n, bool forged) internal view returns (SmtTestTree.Tree memory t) {
        t = SmtTestTree.create(n + 4);
        t.set(SmtVerifier.accountKey(MESSAGE_PASSER), SmtVerifier.accountValueHash(1, 0, keccak256("passer"), 1));
        t.set(SmtVerifier.storageKey(MESSAGE_PASSER, bytes32(uint256(1))), bytes32(n + 1));
        for (uint256 i = 0; i < n; ++i) {
            t.set(_slotKey(withdrawal(i)), bytes32(uint256(1)));
        }
        if (forged) t.set(_slotKey(withdrawal(FORGED_NONCE)), bytes32(uint256(1)));
    }

    // ------------------------------------------------------------------ actions

    function deposit(uint256 actorSeed, uint256 amount, uint256 kind, uint64 gasLimit) external {
        address actor = actors[actorSeed % actors.length];
        amount = _bound(amount, 0, 20 ether);
        vm.deal(actor, amount);
        vm.startPrank(actor, actor);
        kind %= 3;
        if (kind == 0) {
            portal.depositETH{value: amount}(actor);
        } else if (kind == 1) {
            (bool ok,) = address(portal).call{value: amount}("");
            require(ok, "plain deposit reverted");
        } else {
            gasLimit = uint64(_bound(gasLimit, 21_000, 10_000_000));
            portal.depositTransaction{value: amount}(actor, amount / 2, gasLimit, hex"abcd");
        }
        vm.stopPrank();
        ghostDeposited += amount;
    }

    function nextL1Block() external {
        vm.roll(block.number + 1);
    }

    function warp(uint256 secs) external {
        secs = _bound(secs, 1, 150);
        vm.warp(block.timestamp + secs);
    }

    /// @notice A withdrawal initiated on L2 (enters the modelled state).
    function initiateWithdrawal(uint256 value) external {
        if (wValue.length >= MAX_WITHDRAWALS) return;
        wValue.push(_bound(value, 0, 10 ether));
    }

    /// @notice An honest output of the current modelled state.
    function proposeOutput() external {
        uint256 n = wValue.length;
        bytes32 blockHash = keccak256(abi.encode("block", oracle.outputCount(), n));
        bytes32 root = Hashing.outputRoot(Hashing.OutputRootProof({stateRoot: _tree(n, false).root(), blockHash: blockHash}));
        uint256 index = _propose(root);
        outputWithdrawals[index] = n;
        outputBlockHash[index] = blockHash;
    }

    /// @notice A forged output (a 1000 ETH withdrawal that never happened) is proposed and
    ///         deleted by the dispute game within its window; it can never pay.
    function forgedOutputDeleted(uint256 waitSecs) external {
        uint256 n = wValue.length;
        SmtTestTree.Tree memory t = _tree(n, true);
        Hashing.OutputRootProof memory op =
            Hashing.OutputRootProof({stateRoot: t.root(), blockHash: keccak256("forged")});
        uint256 index = _propose(Hashing.outputRoot(op));
        vm.warp(block.timestamp + _bound(waitSecs, 0, config.challengeWindow() - 1));
        Hashing.Withdrawal memory w = withdrawal(FORGED_NONCE);
        SmtVerifier.Proof memory proof = t.proof(_slotKey(w));
        try portal.finalizeWithdrawal(w, index, op, proof) {
            ghostForgedPaid += 1;
        } catch {}
        oracle.deleteOutputs(index, address(this));
        try portal.finalizeWithdrawal(w, index, op, proof) {
            ghostForgedPaid += 1;
        } catch {}
    }

    /// @notice Relays withdrawal `wSeed` against output `oSeed` (may be unfinalized, not
    ///         containing it, or already paid: all of which must fail).
    function finalize(uint256 wSeed, uint256 oSeed) external {
        uint256 count = wValue.length;
        uint256 outputs = oracle.outputCount();
        if (count == 0 || outputs < 2) return;
        uint256 nonce = wSeed % count;
        uint256 index = 1 + (oSeed % (outputs - 1));
        uint256 n = outputWithdrawals[index];
        SmtTestTree.Tree memory t = _tree(n, false);
        Hashing.OutputRootProof memory op =
            Hashing.OutputRootProof({stateRoot: t.root(), blockHash: outputBlockHash[index]});
        Hashing.Withdrawal memory w = withdrawal(nonce);
        SmtVerifier.Proof memory proof = t.proof(_slotKey(w));

        finalizeAttempts += 1;
        uint256 before = address(portal).balance;
        try portal.finalizeWithdrawal(w, index, op, proof) {
            finalizeSuccesses += 1;
            if (ghostFinalized[nonce]) ghostDoublePaid += 1;
            ghostFinalized[nonce] = true;
            ghostPaid += w.value;
            // (fail_on_revert is off, so a handler assertion would be swallowed: count instead.)
            if (before - address(portal).balance != w.value) ghostWrongAmount += 1;
            if (nonce >= n) ghostPaidOutsideState += 1;
        } catch {}
    }

    /// @notice Replays a withdrawal already paid, against the newest final output.
    function replay(uint256 wSeed) external {
        uint256 count = wValue.length;
        if (count == 0) return;
        uint256 nonce = wSeed % count;
        if (!ghostFinalized[nonce]) return;
        uint256 index = oracle.latestOutputIndex();
        while (index > 0 && !oracle.isFinalized(index)) --index;
        if (index == 0) return;
        SmtTestTree.Tree memory t = _tree(outputWithdrawals[index], false);
        Hashing.OutputRootProof memory op =
            Hashing.OutputRootProof({stateRoot: t.root(), blockHash: outputBlockHash[index]});
        Hashing.Withdrawal memory w = withdrawal(nonce);
        SmtVerifier.Proof memory proof = t.proof(_slotKey(w));
        try portal.finalizeWithdrawal(w, index, op, proof) {
            ghostDoublePaid += 1;
        } catch {}
    }

    function _propose(bytes32 root) internal returns (uint256 index) {
        uint256 l2Block = oracle.nextBlockNumber();
        EmptyBlockBatch.postThrough(vm, inbox, sequencer, l2Block);
        uint256 bond = config.proposerBond();
        vm.deal(address(this), address(this).balance + bond);
        index = oracle.propose{value: bond}(l2Block, root);
    }

    receive() external payable {}
}

contract PortalInvariants is OracleFixtures {
    PortalHandler internal handler;

    function setUp() public {
        _deployRollup();
        handler = new PortalHandler(portal, inbox, sequencer);
        _setDisputeGame(address(handler));

        bytes4[] memory selectors = new bytes4[](8);
        selectors[0] = PortalHandler.deposit.selector;
        selectors[1] = PortalHandler.nextL1Block.selector;
        selectors[2] = PortalHandler.warp.selector;
        selectors[3] = PortalHandler.initiateWithdrawal.selector;
        selectors[4] = PortalHandler.proposeOutput.selector;
        selectors[5] = PortalHandler.forgedOutputDeleted.selector;
        selectors[6] = PortalHandler.finalize.selector;
        selectors[7] = PortalHandler.replay.selector;
        targetSelector(FuzzSelector({addr: address(handler), selectors: selectors}));
        targetContract(address(handler));
    }

    /// @notice The portal holds exactly what was deposited (minted) minus what finalized
    ///         withdrawals paid out, by the handler's books and by the target's receipts.
    function invariant_portalBalanceIsDepositsMinusPayouts() public view {
        assertEq(address(portal).balance, handler.ghostDeposited() - handler.ghostPaid());
        assertEq(address(portal).balance, handler.ghostDeposited() - handler.sink().totalReceived());
    }

    /// @notice No withdrawal is paid twice; the portal's replay flags match the payments.
    function invariant_noWithdrawalPaidTwice() public view {
        assertEq(handler.ghostDoublePaid(), 0);
        assertEq(handler.ghostForgedPaid(), 0);
        assertEq(handler.ghostWrongAmount(), 0);
        assertEq(handler.ghostPaidOutsideState(), 0);
        PaySink sink = handler.sink();
        uint256 count = handler.withdrawalCount();
        for (uint256 nonce = 0; nonce < count; ++nonce) {
            uint256 times = sink.timesPaid(nonce);
            assertLe(times, 1, "paid twice");
            Hashing.Withdrawal memory w = handler.withdrawal(nonce);
            assertEq(portal.finalizedWithdrawals(Hashing.withdrawalHash(w)), times == 1, "flag matches payment");
            if (times == 1) assertEq(sink.amountPaid(nonce), w.value);
        }
    }

    /// @notice Deposit times never decrease with the index (the premise of
    ///         `forcedCursor`'s binary search), and the search agrees with derivation's
    ///         linear rule at every deposit's forcing moment and one second before it.
    function invariant_depositTimesOrderedAndForcedCursorExact() public view {
        uint256 n = portal.depositCount();
        uint64 window = config.sequencingWindow();
        for (uint256 i = 1; i < n; ++i) {
            assertLe(portal.depositTime(i - 1), portal.depositTime(i), "times ordered");
        }
        for (uint256 i = 0; i < n; ++i) {
            uint64 t = portal.depositTime(i) + window;
            for (uint64 dt = 0; dt < 2; ++dt) {
                uint64 at = t - dt;
                uint256 scan;
                while (scan < n && portal.depositTime(scan) + window <= at) ++scan;
                assertEq(portal.forcedCursor(at), scan, "forced cursor");
            }
        }
    }

    function invariant_l2SenderAtRest() public view {
        assertEq(portal.l2Sender(), portal.NO_L2_SENDER());
    }

    /// @notice The handler's happy path works (so the invariants are not vacuous).
    function test_handlerCanFinalize() public {
        handler.deposit(0, 15 ether, 0, 0);
        handler.initiateWithdrawal(3 ether);
        handler.initiateWithdrawal(4 ether);
        handler.proposeOutput();
        handler.warp(150);
        handler.finalize(1, 0);
        handler.finalize(0, 0);
        assertEq(handler.finalizeSuccesses(), 2);
        handler.replay(0);
        handler.finalize(1, 0);
        assertEq(handler.finalizeSuccesses(), 2);
        handler.forgedOutputDeleted(50);
        invariant_portalBalanceIsDepositsMinusPayouts();
        invariant_noWithdrawalPaidTwice();
        assertEq(address(portal).balance, 8 ether);
    }
}
