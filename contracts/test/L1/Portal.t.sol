// SPDX-License-Identifier: MIT
pragma solidity ^0.8.24;

import {ReentrancyGuard} from "../../src/lib/ReentrancyGuard.sol";
import {Portal} from "../../src/L1/Portal.sol";
import {OutputOracle} from "../../src/L1/OutputOracle.sol";
import {RollupConfig} from "../../src/L1/RollupConfig.sol";
import {Hashing} from "../../src/lib/Hashing.sol";
import {SmtVerifier} from "../../src/lib/SmtVerifier.sol";
import {OracleFixtures} from "../helpers/OracleFixtures.sol";
import {SmtTestTree} from "../helpers/SmtTestTree.sol";

/// @dev An L1 contract that deposits (its L2 sender is aliased).
contract Depositor {
    Portal internal immutable portal;

    constructor(Portal portal_) {
        portal = portal_;
    }

    function depositETH(address to) external payable {
        portal.depositETH{value: msg.value}(to);
    }

    function depositTransaction(address to, uint256 value, uint64 gasLimit, bytes calldata data) external payable {
        portal.depositTransaction{value: msg.value}(to, value, gasLimit, data);
    }

    function sendPlain() external payable {
        (bool ok,) = address(portal).call{value: msg.value}("");
        require(ok, "plain deposit failed");
    }
}

/// @dev A withdrawal target that records what it saw.
contract Recorder {
    Portal internal immutable portal;
    address public seenL2Sender;
    uint256 public received;
    uint256 public calls;
    bytes public lastData;

    constructor(Portal portal_) {
        portal = portal_;
    }

    fallback() external payable {
        _hit();
    }

    receive() external payable {
        _hit();
    }

    function _hit() internal {
        seenL2Sender = portal.l2Sender();
        received += msg.value;
        calls += 1;
        lastData = msg.data;
    }
}

/// @dev A withdrawal target that rejects calls until told otherwise.
contract Toggle {
    bool public accept;
    uint256 public received;

    function setAccept(bool a) external {
        accept = a;
    }

    fallback() external payable {
        _hit();
    }

    receive() external payable {
        _hit();
    }

    function _hit() internal {
        require(accept, "not yet");
        received += msg.value;
    }
}

/// @dev A withdrawal target that spends a fixed amount of gas (to see the gas limit honoured).
contract GasBurner {
    uint256 public done;

    receive() external payable {
        _burn();
    }

    fallback() external payable {
        _burn();
    }

    function _burn() internal {
        // ~ 22k gas per fresh slot write; 40 writes ≈ 900k gas.
        for (uint256 i = 0; i < 40; ++i) {
            assembly {
                sstore(add(100, i), 1)
            }
        }
        done = 1;
    }
}

/// @dev A malicious withdrawal target that re-enters finalizeWithdrawal when paid.
contract Reenterer {
    Portal internal immutable portal;
    bytes public reentry; // calldata of the inner finalizeWithdrawal
    bool public bubble; // let the inner revert fail the outer call
    bytes public innerRevert;
    uint256 public received;
    uint256 public calls;

    constructor(Portal portal_) {
        portal = portal_;
    }

    function arm(bytes calldata reentry_, bool bubble_) external {
        reentry = reentry_;
        bubble = bubble_;
    }

    receive() external payable {
        _hit();
    }

    fallback() external payable {
        _hit();
    }

    function _hit() internal {
        received += msg.value;
        calls += 1;
        if (reentry.length == 0) return;
        bytes memory call_ = reentry;
        delete reentry; // re-enter once
        (bool ok, bytes memory ret) = address(portal).call(call_);
        innerRevert = ret;
        if (!ok && bubble) {
            assembly {
                revert(add(ret, 32), mload(ret))
            }
        }
    }
}

contract PortalTest is OracleFixtures {
    using SmtTestTree for SmtTestTree.Tree;

    address internal alice = makeAddr("alice");
    address internal bob = makeAddr("bob");
    address internal proposer = makeAddr("proposer");
    address internal relayer = makeAddr("relayer");
    address internal l2Alice = makeAddr("l2 alice");

    address internal constant MESSAGE_PASSER = 0x4200000000000000000000000000000000000016;
    uint160 internal constant ALIAS_OFFSET = uint160(0x1111000000000000000000000000000000001111);

    event DepositQueued(
        uint256 indexed index,
        address indexed from,
        address indexed to,
        uint256 mint,
        uint256 value,
        uint64 gasLimit,
        uint64 l1BlockNumber,
        bytes data,
        bytes32 accumulator
    );
    event WithdrawalFinalized(bytes32 indexed withdrawalHash, address indexed target, uint256 value);

    Recorder internal recorder;

    function setUp() public {
        _deployRollup();
        recorder = new Recorder(portal);
        // Liquidity for withdrawals: ETH deposited earlier.
        vm.deal(bob, 100 ether);
        vm.prank(bob, bob);
        portal.depositETH{value: 100 ether}(bob);
    }

    // ================================================================ helpers

    function _alias(address a) internal pure returns (address) {
        unchecked {
            return address(uint160(a) + ALIAS_OFFSET);
        }
    }

    function _expectedAcc(uint256 index, bytes32 prev, address from, address to, uint256 mint, uint256 value, uint64 gas, bytes memory data)
        internal
        view
        returns (bytes32)
    {
        return Hashing.accumulate(
            prev, Hashing.depositHash(index, from, to, mint, value, gas, uint64(block.number), data)
        );
    }

    function _withdrawal(uint256 nonce, address target, uint256 value, uint256 gasLimit, bytes memory data)
        internal
        view
        returns (Hashing.Withdrawal memory)
    {
        return Hashing.Withdrawal({
            nonce: nonce, sender: l2Alice, target: target, value: value, gasLimit: gasLimit, data: data
        });
    }

    function _slotKey(Hashing.Withdrawal memory w) internal pure returns (bytes32) {
        return SmtVerifier.storageKey(MESSAGE_PASSER, keccak256(abi.encode(Hashing.withdrawalHash(w), uint256(0))));
    }

    /// @dev An L2 state with some unrelated leaves (accounts, the passer's nonce slot).
    function _baseTree() internal pure returns (SmtTestTree.Tree memory t) {
        t = SmtTestTree.create(32);
        t.set(SmtVerifier.accountKey(MESSAGE_PASSER), SmtVerifier.accountValueHash(1, 5 ether, keccak256("passer"), 900));
        t.set(SmtVerifier.accountKey(address(0xA11CE)), SmtVerifier.accountValueHash(3, 1 ether, bytes32(0), 0));
        t.set(SmtVerifier.accountKey(address(0xB0B)), SmtVerifier.accountValueHash(0, 2 ether, bytes32(0), 0));
        t.set(SmtVerifier.storageKey(MESSAGE_PASSER, bytes32(uint256(1))), bytes32(uint256(7)));
        t.set(SmtVerifier.storageKey(address(0xC0DE), bytes32(uint256(3))), bytes32(uint256(0xbeef)));
    }

    function _treeWith(Hashing.Withdrawal[] memory ws) internal pure returns (SmtTestTree.Tree memory t) {
        t = _baseTree();
        for (uint256 i = 0; i < ws.length; ++i) {
            t.set(_slotKey(ws[i]), bytes32(uint256(1)));
        }
    }

    function _one(Hashing.Withdrawal memory w) internal pure returns (Hashing.Withdrawal[] memory ws) {
        ws = new Hashing.Withdrawal[](1);
        ws[0] = w;
    }

    function _outputProof(SmtTestTree.Tree memory t) internal view returns (Hashing.OutputRootProof memory) {
        return Hashing.OutputRootProof({stateRoot: t.root(), blockHash: keccak256(abi.encode("block", oracle.outputCount()))});
    }

    /// @dev Proposes the output of tree `t` (not final yet).
    function _publish(SmtTestTree.Tree memory t) internal returns (uint256 index, Hashing.OutputRootProof memory op) {
        op = _outputProof(t);
        index = _propose(proposer, Hashing.outputRoot(op));
    }

    /// @dev Proposes the output of tree `t` and lets it become final.
    function _publishFinal(SmtTestTree.Tree memory t)
        internal
        returns (uint256 index, Hashing.OutputRootProof memory op)
    {
        (index, op) = _publish(t);
        vm.warp(block.timestamp + WINDOW);
    }

    function _finalize(
        Hashing.Withdrawal memory w,
        uint256 index,
        Hashing.OutputRootProof memory op,
        SmtTestTree.Tree memory t
    ) internal {
        SmtVerifier.Proof memory proof = t.proof(_slotKey(w));
        vm.prank(relayer);
        portal.finalizeWithdrawal(w, index, op, proof);
    }

    // ================================================================ deposits

    function test_depositETH_eventIndexAccumulator() public {
        // setUp made deposit 0.
        assertEq(portal.depositCount(), 1);
        bytes32 acc0 = _expectedAcc(0, bytes32(0), bob, bob, 100 ether, 100 ether, 100_000, "");
        assertEq(portal.accumulator(0), acc0);

        vm.deal(alice, 3 ether);
        bytes32 acc1 = _expectedAcc(1, acc0, alice, bob, 1 ether, 1 ether, 100_000, "");
        vm.expectEmit(address(portal));
        emit DepositQueued(1, alice, bob, 1 ether, 1 ether, 100_000, uint64(block.number), "", acc1);
        vm.prank(alice, alice);
        portal.depositETH{value: 1 ether}(bob);
        assertEq(portal.depositCount(), 2);
        assertEq(portal.accumulator(1), acc1);
        assertEq(address(portal).balance, 101 ether);
    }

    // ============================================= deposit times and forced inclusion

    /// @dev Makes `n` deposits, advancing L1 time by `gaps[i] % 4000` seconds before each,
    ///      and returns their timestamps (after setUp's deposit 0).
    function _depositsAt(uint16[] memory gaps) internal returns (uint64[] memory times) {
        times = new uint64[](gaps.length + 1);
        times[0] = portal.depositTime(0);
        vm.deal(alice, 1000 ether);
        for (uint256 i = 0; i < gaps.length; i++) {
            vm.warp(block.timestamp + (gaps[i] % 4000));
            vm.roll(block.number + 1);
            vm.prank(alice, alice);
            portal.depositETH{value: 1 wei}(bob);
            times[i + 1] = uint64(block.timestamp);
        }
    }

    /// @dev The forced cursor by derivation's own loop (crates/derivation/src/derive.rs):
    ///      deposits are forced while `time + window <= t`.
    function _forcedByScan(uint64[] memory times, uint64 t) internal view returns (uint256 c) {
        uint256 window = config.sequencingWindow();
        while (c < times.length && times[c] + window <= t) c++;
    }

    function test_depositTime_recordsEachDepositsL1Timestamp() public {
        uint16[] memory gaps = new uint16[](9);
        for (uint256 i = 0; i < gaps.length; i++) gaps[i] = uint16(7 * i + 1);
        uint64[] memory times = _depositsAt(gaps);
        // Four to a slot: indices 0..9 span three slots, each read back exactly.
        for (uint256 i = 0; i < times.length; i++) assertEq(portal.depositTime(i), times[i], "time");
        assertEq(portal.depositTime(times.length), 0, "no deposit yet");
    }

    function test_forcedCursor_edges() public {
        uint16[] memory gaps = new uint16[](3);
        gaps[0] = 10;
        gaps[1] = 0; // two deposits in one L1 second
        gaps[2] = 100;
        uint64[] memory times = _depositsAt(gaps);
        uint64 w = config.sequencingWindow();
        assertEq(portal.forcedCursor(0), 0, "before any window");
        assertEq(portal.forcedCursor(times[0] + w - 1), 0, "one second early");
        assertEq(portal.forcedCursor(times[0] + w), 1, "exactly a window later: forced");
        assertEq(portal.forcedCursor(times[1] + w), 3, "deposits of one second go together");
        assertEq(portal.forcedCursor(times[3] + w), 4, "all");
        assertEq(portal.forcedCursor(type(uint64).max), 4, "far future");
    }

    /// @notice The binary search equals derivation's linear rule for any deposit times and
    ///         any L2 timestamp.
    function testFuzz_forcedCursor_equalsDerivationsScan(uint16[] memory gaps, uint64 t) public {
        vm.assume(gaps.length <= 40);
        uint64[] memory times = _depositsAt(gaps);
        // Half the draws near the deposit times, where the answer changes.
        if (t % 2 == 0) t = times[uint256(t / 2) % times.length] + config.sequencingWindow() + uint64(t % 7) - 3;
        assertEq(portal.forcedCursor(t), _forcedByScan(times, t));
    }

    /// @notice A deposit made after a batch can never be forced into that batch's blocks:
    ///         a block is at most `MAX_TIMESTAMP_DRIFT` past its batch's L1 time, and the
    ///         window is longer (docs/fault-vm-inputs.md).
    function test_forcedCursor_laterDepositNeverForcedIntoEarlierBatch() public {
        uint64 batchL1Time = uint64(block.timestamp);
        uint64 newestBlockTime = batchL1Time + config.MAX_TIMESTAMP_DRIFT();
        uint256 before = portal.forcedCursor(newestBlockTime);
        vm.deal(alice, 1 ether);
        vm.prank(alice, alice);
        portal.depositETH{value: 1 wei}(bob); // same L1 block as the batch, or later
        assertEq(portal.forcedCursor(newestBlockTime), before);
    }

    /// @notice Every deposit the portal accepts fits an L2 block: the config's smallest
    ///         block gas limit is the portal's largest deposit gas limit.
    function test_largestDepositFitsTheSmallestBlock() public view {
        assertEq(config.MIN_BLOCK_GAS_LIMIT(), portal.MAX_DEPOSIT_GAS());
        assertGe(config.blockGasLimit(), portal.MAX_DEPOSIT_GAS());
    }

    function test_gas_depositETH_withTime() public {
        vm.deal(alice, 10 ether);
        for (uint256 i = 0; i < 4; i++) {
            vm.prank(alice, alice);
            uint256 g = gasleft();
            portal.depositETH{value: 1 wei}(bob);
            emit log_named_uint("depositETH gas (index 1..4)", g - gasleft());
        }
    }

    /// @notice Execution gas of `depositTransaction` by data size (0, 100, 10,000 and
    ///         120,000 bytes, the largest the portal takes; non-zero bytes). Each is
    ///         deposit 1 of the same state (reverted to between them), in a fresh L1 block.
    function test_gas_depositTransaction_byDataSize() public {
        uint256[4] memory sizes = [uint256(0), 100, 10_000, 120_000];
        vm.roll(block.number + 1);
        uint256 state = vm.snapshotState();
        for (uint256 s = 0; s < sizes.length; ++s) {
            bytes memory data = new bytes(sizes[s]);
            for (uint256 i = 0; i < data.length; ++i) data[i] = bytes1(uint8(1 + (i * 31 + 7) % 255));
            vm.prank(alice, alice);
            portal.depositTransaction(bob, 0, 1_000_000, data);
            emit log_named_uint(string.concat("depositTransaction gas, data bytes ", vm.toString(sizes[s])), vm.lastCallGas().gasTotalUsed);
            vm.revertToState(state);
        }
    }

    function test_receive_depositsToSender() public {
        vm.deal(alice, 1 ether);
        bytes32 acc = _expectedAcc(1, portal.accumulator(0), alice, alice, 0.25 ether, 0.25 ether, 100_000, "");
        vm.expectEmit(address(portal));
        emit DepositQueued(1, alice, alice, 0.25 ether, 0.25 ether, 100_000, uint64(block.number), "", acc);
        vm.prank(alice, alice);
        (bool ok,) = address(portal).call{value: 0.25 ether}("");
        assertTrue(ok);
        assertEq(portal.accumulator(1), acc);
        assertEq(portal.depositCount(), 2);
    }

    function test_depositTransaction_eventAndAccumulatorChain() public {
        vm.deal(alice, 10 ether);
        bytes32 prev = portal.accumulator(0);
        for (uint256 i = 1; i <= 5; ++i) {
            bytes memory data = abi.encodeWithSignature("f(uint256)", i);
            uint64 gas = uint64(21_000 + i * 1000);
            uint256 mint = i * 0.1 ether;
            uint256 value = i * 0.05 ether;
            bytes32 acc = _expectedAcc(i, prev, alice, address(recorder), mint, value, gas, data);
            vm.expectEmit(address(portal));
            emit DepositQueued(i, alice, address(recorder), mint, value, gas, uint64(block.number), data, acc);
            vm.prank(alice, alice);
            portal.depositTransaction{value: mint}(address(recorder), value, gas, data);
            assertEq(portal.accumulator(i), acc);
            assertEq(portal.depositCount(), i + 1);
            prev = acc;
            vm.roll(block.number + 1);
        }
    }

    function test_depositTransaction_valueWithoutMint() public {
        // value is paid on L2 from the sender's existing balance: no ETH need be sent.
        vm.prank(alice, alice);
        portal.depositTransaction(bob, 5 ether, 50_000, "");
        assertEq(portal.depositCount(), 2);
        assertEq(address(portal).balance, 100 ether);
    }

    function test_deposit_aliasesContractSender() public {
        Depositor d = new Depositor(portal);
        address aliased = _alias(address(d));
        assertEq(aliased, address(uint160(address(d)) + ALIAS_OFFSET));

        vm.deal(alice, 10 ether);
        bytes32 acc1 = _expectedAcc(1, portal.accumulator(0), aliased, bob, 1 ether, 1 ether, 100_000, "");
        vm.expectEmit(address(portal));
        emit DepositQueued(1, aliased, bob, 1 ether, 1 ether, 100_000, uint64(block.number), "", acc1);
        vm.prank(alice, alice); // tx.origin = alice, msg.sender at the portal = d
        d.depositETH{value: 1 ether}(bob);

        bytes32 acc2 = _expectedAcc(2, acc1, aliased, bob, 1 ether, 2, 30_000, hex"01");
        vm.expectEmit(address(portal));
        emit DepositQueued(2, aliased, bob, 1 ether, 2, 30_000, uint64(block.number), hex"01", acc2);
        vm.prank(alice, alice);
        d.depositTransaction{value: 1 ether}(bob, 2, 30_000, hex"01");

        // receive() from a contract: the L2 recipient is the contract itself, the sender aliased.
        bytes32 acc3 = _expectedAcc(3, acc2, aliased, address(d), 1 ether, 1 ether, 100_000, "");
        vm.expectEmit(address(portal));
        emit DepositQueued(3, aliased, address(d), 1 ether, 1 ether, 100_000, uint64(block.number), "", acc3);
        vm.prank(alice, alice);
        d.sendPlain{value: 1 ether}();

        // An EOA (msg.sender == tx.origin) is not aliased.
        bytes32 acc4 = _expectedAcc(4, acc3, alice, bob, 1 ether, 1 ether, 100_000, "");
        vm.expectEmit(address(portal));
        emit DepositQueued(4, alice, bob, 1 ether, 1 ether, 100_000, uint64(block.number), "", acc4);
        vm.prank(alice, alice);
        portal.depositETH{value: 1 ether}(bob);
    }

    /// @notice docs/bridge.md: the alias is computed mod 2^160, so a contract at a high
    ///         address (>= 2^160 - offset) must still be able to deposit.
    function test_deposit_aliasWrapsForHighContractAddress() public {
        Depositor d = new Depositor(portal);
        address high = address(type(uint160).max);
        vm.etch(high, address(d).code);
        address aliased = _alias(high);
        assertEq(aliased, address(ALIAS_OFFSET - 1));

        vm.deal(alice, 1 ether);
        bytes32 acc = _expectedAcc(1, portal.accumulator(0), aliased, bob, 1 ether, 1 ether, 100_000, "");
        vm.expectEmit(address(portal));
        emit DepositQueued(1, aliased, bob, 1 ether, 1 ether, 100_000, uint64(block.number), "", acc);
        vm.prank(alice, alice);
        Depositor(high).depositETH{value: 1 ether}(bob);
    }

    function testFuzz_deposit_aliasAnyContractAddress(address at) public {
        vm.assume(uint160(at) > 0x10000 && at.code.length == 0 && at != alice);
        vm.assume(at != address(vm) && at != 0x000000000000000000636F6e736F6c652e6c6f67);
        Depositor d = new Depositor(portal);
        vm.etch(at, address(d).code);
        vm.prank(alice, alice);
        Depositor(at).depositTransaction(bob, 0, 21_000, "");
        bytes32 expected = _expectedAcc(1, portal.accumulator(0), _alias(at), bob, 0, 0, 21_000, "");
        assertEq(portal.accumulator(1), expected);
    }

    function test_deposit_revertsToZeroAddress() public {
        vm.deal(alice, 1 ether);
        vm.startPrank(alice, alice);
        vm.expectRevert(Portal.DepositToZeroAddress.selector);
        portal.depositETH{value: 1}(address(0));
        vm.expectRevert(Portal.DepositToZeroAddress.selector);
        portal.depositTransaction{value: 1}(address(0), 0, 100_000, "");
        vm.stopPrank();
        assertEq(portal.depositCount(), 1);
    }

    function test_deposit_revertsGasOutOfRange() public {
        vm.startPrank(alice, alice);
        vm.expectRevert(abi.encodeWithSelector(Portal.DepositGasOutOfRange.selector, 20_999, 21_000, 10_000_000));
        portal.depositTransaction(bob, 0, 20_999, "");
        vm.expectRevert(abi.encodeWithSelector(Portal.DepositGasOutOfRange.selector, 0, 21_000, 10_000_000));
        portal.depositTransaction(bob, 0, 0, "");
        vm.expectRevert(
            abi.encodeWithSelector(Portal.DepositGasOutOfRange.selector, 10_000_001, 21_000, 10_000_000)
        );
        portal.depositTransaction(bob, 0, 10_000_001, "");
        vm.expectRevert(
            abi.encodeWithSelector(
                Portal.DepositGasOutOfRange.selector, type(uint64).max, 21_000, 10_000_000
            )
        );
        portal.depositTransaction(bob, 0, type(uint64).max, "");
        // Both bounds are inclusive.
        portal.depositTransaction(bob, 0, 21_000, "");
        portal.depositTransaction(bob, 0, 10_000_000, "");
        vm.stopPrank();
        assertEq(portal.depositCount(), 3);
    }

    function test_deposit_revertsDataTooLarge() public {
        vm.startPrank(alice, alice);
        vm.expectRevert(abi.encodeWithSelector(Portal.DepositDataTooLarge.selector, 120_001));
        portal.depositTransaction(bob, 0, 1_000_000, new bytes(120_001));
        portal.depositTransaction(bob, 0, 1_000_000, new bytes(120_000));
        vm.stopPrank();
        assertEq(portal.depositCount(), 2);
    }

    function test_deposit_blockGasBudgetExactBoundary() public {
        // setUp's deposit used 100k of its block; start from a fresh block.
        vm.roll(block.number + 1);
        vm.startPrank(alice, alice);
        portal.depositTransaction(bob, 0, 10_000_000, "");
        portal.depositTransaction(bob, 0, 10_000_000, "");
        portal.depositTransaction(bob, 0, 9_950_000, "");
        // 50,000 left: a 100k ETH deposit (depositETH or receive) does not fit ...
        vm.expectRevert(abi.encodeWithSelector(Portal.DepositBlockGasExhausted.selector, 100_000, 50_000));
        portal.depositETH(bob);
        vm.expectRevert(abi.encodeWithSelector(Portal.DepositBlockGasExhausted.selector, 100_000, 50_000));
        payable(address(portal)).transfer(0);
        // ... 29k does, leaving 21k: 21,001 does not fit, exactly 21,000 does.
        portal.depositTransaction(bob, 0, 29_000, "");
        vm.expectRevert(abi.encodeWithSelector(Portal.DepositBlockGasExhausted.selector, 21_001, 21_000));
        portal.depositTransaction(bob, 0, 21_001, "");
        portal.depositTransaction(bob, 0, 21_000, "");
        vm.expectRevert(abi.encodeWithSelector(Portal.DepositBlockGasExhausted.selector, 21_000, 0));
        portal.depositTransaction(bob, 0, 21_000, "");
        vm.stopPrank();
        assertEq(portal.depositCount(), 1 + 5);
    }

    function test_deposit_blockGasExhaustedThenReset() public {
        vm.roll(block.number + 1);
        vm.startPrank(alice, alice);
        portal.depositTransaction(bob, 0, 10_000_000, "");
        portal.depositTransaction(bob, 0, 10_000_000, "");
        portal.depositTransaction(bob, 0, 10_000_000, "");
        vm.expectRevert(abi.encodeWithSelector(Portal.DepositBlockGasExhausted.selector, 21_000, 0));
        portal.depositTransaction(bob, 0, 21_000, "");
        vm.expectRevert(abi.encodeWithSelector(Portal.DepositBlockGasExhausted.selector, 100_000, 0));
        portal.depositETH(bob);

        vm.roll(block.number + 1);
        portal.depositTransaction(bob, 0, 10_000_000, "");
        portal.depositTransaction(bob, 0, 10_000_000, "");
        portal.depositTransaction(bob, 0, 10_000_000, "");
        vm.stopPrank();
        assertEq(portal.depositCount(), 7);
    }

    /// @notice 1000 cheap deposits in one L1 block: only the per-block L2 gas budget's worth
    ///         lands (300 × 100k), the rest revert; an honest deposit in the next block lands
    ///         right after them with the right index and accumulator.
    function test_griefing_depositSpamCappedPerBlock() public {
        vm.roll(block.number + 1);
        address attacker = makeAddr("attacker");
        vm.deal(attacker, 1 ether);
        uint256 landed;
        uint256 rejected;
        vm.startPrank(attacker, attacker);
        for (uint256 i = 0; i < 1000; ++i) {
            try portal.depositETH{value: 1}(attacker) {
                ++landed;
            } catch (bytes memory reason) {
                assertEq(bytes4(reason), Portal.DepositBlockGasExhausted.selector);
                ++rejected;
            }
        }
        vm.stopPrank();
        assertEq(landed, 300, "budget / 100k");
        assertEq(rejected, 700);
        assertEq(portal.depositCount(), 1 + 300);

        // An honest deposit in the same block is crowded out ...
        vm.deal(alice, 1 ether);
        vm.prank(alice, alice);
        vm.expectRevert(abi.encodeWithSelector(Portal.DepositBlockGasExhausted.selector, 100_000, 0));
        portal.depositETH{value: 1 ether}(alice);

        // ... but lands in the next block at the next index.
        vm.roll(block.number + 1);
        bytes32 acc = _expectedAcc(301, portal.accumulator(300), alice, alice, 1 ether, 1 ether, 100_000, "");
        vm.expectEmit(address(portal));
        emit DepositQueued(301, alice, alice, 1 ether, 1 ether, 100_000, uint64(block.number), "", acc);
        vm.prank(alice, alice);
        portal.depositETH{value: 1 ether}(alice);
        assertEq(portal.depositCount(), 302);
        assertEq(portal.accumulator(301), acc);
        assertEq(address(portal).balance, 100 ether + 300 + 1 ether);
    }

    /// @notice Minimum-gas spam: 1000 deposits of 21k gas fit (21 M), the 1429th does not.
    function test_griefing_minGasSpamCappedPerBlock() public {
        vm.roll(block.number + 1);
        vm.startPrank(alice, alice);
        uint256 landed;
        for (uint256 i = 0; i < 1500; ++i) {
            try portal.depositTransaction(bob, 0, 21_000, "") {
                ++landed;
            } catch {}
        }
        vm.stopPrank();
        assertEq(landed, 30_000_000 / uint256(21_000));
    }

    // ================================================================ withdrawals

    function test_finalizeWithdrawal_happyPath() public {
        bytes memory data = abi.encodeWithSignature("hello(uint256)", 42);
        Hashing.Withdrawal memory w = _withdrawal(0, address(recorder), 3 ether, 200_000, data);
        SmtTestTree.Tree memory t = _treeWith(_one(w));
        (uint256 index, Hashing.OutputRootProof memory op) = _publishFinal(t);
        bytes32 h = Hashing.withdrawalHash(w);
        assertEq(portal.l2Sender(), portal.NO_L2_SENDER());

        vm.expectEmit(address(portal));
        emit WithdrawalFinalized(h, address(recorder), 3 ether);
        _finalize(w, index, op, t);

        assertTrue(portal.finalizedWithdrawals(h));
        assertEq(recorder.calls(), 1);
        assertEq(recorder.received(), 3 ether);
        assertEq(address(recorder).balance, 3 ether);
        assertEq(recorder.lastData(), data);
        assertEq(recorder.seenL2Sender(), l2Alice, "l2Sender set during the call");
        assertEq(portal.l2Sender(), portal.NO_L2_SENDER(), "l2Sender reset after");
        assertEq(address(portal).balance, 97 ether);
    }

    function test_finalizeWithdrawal_toEOA() public {
        address payee = makeAddr("payee");
        Hashing.Withdrawal memory w = _withdrawal(0, payee, 1 ether, 100_000, "");
        SmtTestTree.Tree memory t = _treeWith(_one(w));
        (uint256 index, Hashing.OutputRootProof memory op) = _publishFinal(t);
        _finalize(w, index, op, t);
        assertEq(payee.balance, 1 ether);
    }

    function test_finalizeWithdrawal_severalFromOneOutputAndLaterOutput() public {
        Hashing.Withdrawal[] memory ws = new Hashing.Withdrawal[](3);
        for (uint256 i = 0; i < 3; ++i) {
            ws[i] = _withdrawal(i, address(recorder), (i + 1) * 1 ether, 100_000, "");
        }
        SmtTestTree.Tree memory t = _treeWith(ws);
        (uint256 index, Hashing.OutputRootProof memory op) = _publishFinal(t);
        _finalize(ws[2], index, op, t);
        _finalize(ws[0], index, op, t);

        // A later output (the passer's mapping only grows) proves the remaining one too.
        Hashing.Withdrawal[] memory more = new Hashing.Withdrawal[](4);
        for (uint256 i = 0; i < 3; ++i) {
            more[i] = ws[i];
        }
        more[3] = _withdrawal(3, address(recorder), 1 wei, 100_000, "");
        SmtTestTree.Tree memory t2 = _treeWith(more);
        (uint256 index2, Hashing.OutputRootProof memory op2) = _publishFinal(t2);
        _finalize(ws[1], index2, op2, t2);
        _finalize(more[3], index2, op2, t2);
        assertEq(recorder.received(), 6 ether + 1);
        assertEq(recorder.calls(), 4);

        // Replaying any of them against either output fails.
        vm.expectRevert(abi.encodeWithSelector(Portal.WithdrawalAlreadyFinalized.selector, Hashing.withdrawalHash(ws[0])));
        this.finalizeExternal(ws[0], index2, op2, t2.proof(_slotKey(ws[0])));
    }

    function finalizeExternal(
        Hashing.Withdrawal memory w,
        uint256 index,
        Hashing.OutputRootProof memory op,
        SmtVerifier.Proof memory proof
    ) external {
        portal.finalizeWithdrawal(w, index, op, proof);
    }

    function test_finalizeWithdrawal_revertsReplay() public {
        Hashing.Withdrawal memory w = _withdrawal(0, address(recorder), 1 ether, 100_000, "");
        SmtTestTree.Tree memory t = _treeWith(_one(w));
        (uint256 index, Hashing.OutputRootProof memory op) = _publishFinal(t);
        _finalize(w, index, op, t);
        SmtVerifier.Proof memory proof = t.proof(_slotKey(w));
        vm.expectRevert(abi.encodeWithSelector(Portal.WithdrawalAlreadyFinalized.selector, Hashing.withdrawalHash(w)));
        portal.finalizeWithdrawal(w, index, op, proof);
        assertEq(recorder.received(), 1 ether);
        assertEq(recorder.calls(), 1);
    }

    function test_finalizeWithdrawal_revertsOutputNotFinalized() public {
        Hashing.Withdrawal memory w = _withdrawal(0, address(recorder), 1 ether, 100_000, "");
        SmtTestTree.Tree memory t = _treeWith(_one(w));
        (uint256 index, Hashing.OutputRootProof memory op) = _publish(t);
        SmtVerifier.Proof memory proof = t.proof(_slotKey(w));

        vm.warp(block.timestamp + WINDOW - 1);
        vm.expectRevert(abi.encodeWithSelector(Portal.OutputNotFinalized.selector, index));
        portal.finalizeWithdrawal(w, index, op, proof);
        // An output that does not exist is not final.
        vm.expectRevert(abi.encodeWithSelector(Portal.OutputNotFinalized.selector, index + 1));
        portal.finalizeWithdrawal(w, index + 1, op, proof);

        vm.warp(block.timestamp + 1);
        portal.finalizeWithdrawal(w, index, op, proof);
        assertEq(recorder.received(), 1 ether);
    }

    function test_finalizeWithdrawal_revertsDeletedOutput() public {
        _setDisputeGame(address(this));
        Hashing.Withdrawal memory w = _withdrawal(0, address(recorder), 50 ether, 100_000, "");
        SmtTestTree.Tree memory t = _treeWith(_one(w)); // a forged state: w never happened
        (uint256 index, Hashing.OutputRootProof memory op) = _publish(t);
        SmtVerifier.Proof memory proof = t.proof(_slotKey(w));

        oracle.deleteOutputs(index, address(this));
        vm.warp(block.timestamp + WINDOW);
        vm.expectRevert(abi.encodeWithSelector(Portal.OutputNotFinalized.selector, index));
        portal.finalizeWithdrawal(w, index, op, proof);

        // The slot is re-proposed with the honest state and becomes final: the old proof
        // no longer matches the output at that index.
        (uint256 again, Hashing.OutputRootProof memory honestOp) = _publishFinal(_baseTree());
        assertEq(again, index);
        vm.expectRevert(Portal.OutputRootMismatch.selector);
        portal.finalizeWithdrawal(w, index, op, proof);
        // And the honest state has no such withdrawal (exclusion).
        SmtTestTree.Tree memory honest = _baseTree();
        SmtVerifier.Proof memory exclusion = honest.proof(_slotKey(w));
        vm.expectRevert(abi.encodeWithSelector(Portal.WithdrawalNotProven.selector, Hashing.withdrawalHash(w)));
        portal.finalizeWithdrawal(w, index, honestOp, exclusion);
        assertEq(recorder.received(), 0);
    }

    function test_finalizeWithdrawal_revertsOutputRootMismatch() public {
        Hashing.Withdrawal memory w = _withdrawal(0, address(recorder), 1 ether, 100_000, "");
        SmtTestTree.Tree memory t = _treeWith(_one(w));
        (uint256 index, Hashing.OutputRootProof memory op) = _publishFinal(t);
        SmtVerifier.Proof memory proof = t.proof(_slotKey(w));

        Hashing.OutputRootProof memory badHash = Hashing.OutputRootProof({stateRoot: op.stateRoot, blockHash: keccak256("x")});
        vm.expectRevert(Portal.OutputRootMismatch.selector);
        portal.finalizeWithdrawal(w, index, badHash, proof);

        Hashing.OutputRootProof memory badState = Hashing.OutputRootProof({stateRoot: keccak256("x"), blockHash: op.blockHash});
        vm.expectRevert(Portal.OutputRootMismatch.selector);
        portal.finalizeWithdrawal(w, index, badState, proof);

        // The right preimage against the wrong (genesis) output.
        vm.expectRevert(Portal.OutputRootMismatch.selector);
        portal.finalizeWithdrawal(w, 0, op, proof);
    }

    function test_finalizeWithdrawal_revertsNotProvenWrongValue() public {
        Hashing.Withdrawal memory w = _withdrawal(0, address(recorder), 1 ether, 100_000, "");
        SmtTestTree.Tree memory t = _baseTree();
        t.set(_slotKey(w), bytes32(uint256(2))); // the slot holds 2, not true (1)
        (uint256 index, Hashing.OutputRootProof memory op) = _publishFinal(t);
        SmtVerifier.Proof memory proof = t.proof(_slotKey(w));
        assertEq(proof.leafKey, _slotKey(w), "an inclusion proof");
        vm.expectRevert(abi.encodeWithSelector(Portal.WithdrawalNotProven.selector, Hashing.withdrawalHash(w)));
        portal.finalizeWithdrawal(w, index, op, proof);
    }

    function test_finalizeWithdrawal_revertsNotProvenExclusion() public {
        Hashing.Withdrawal memory w = _withdrawal(0, address(recorder), 1 ether, 100_000, "");
        Hashing.Withdrawal memory other = _withdrawal(1, address(recorder), 1 ether, 100_000, "");
        SmtTestTree.Tree memory t = _treeWith(_one(other)); // only the other one was initiated
        (uint256 index, Hashing.OutputRootProof memory op) = _publishFinal(t);
        SmtVerifier.Proof memory proof = t.proof(_slotKey(w));
        assertTrue(proof.leafKey != _slotKey(w), "an exclusion proof");
        vm.expectRevert(abi.encodeWithSelector(Portal.WithdrawalNotProven.selector, Hashing.withdrawalHash(w)));
        portal.finalizeWithdrawal(w, index, op, proof);

        // The valid inclusion proof of the other withdrawal does not prove this one: its
        // leaf is off w's path or hashes to another root.
        SmtVerifier.Proof memory otherProof = t.proof(_slotKey(other));
        vm.expectRevert();
        portal.finalizeWithdrawal(w, index, op, otherProof);

        // Nor does changing the withdrawal's fields (e.g. value) keep the proof valid.
        Hashing.Withdrawal memory inflated = _withdrawal(1, address(recorder), 90 ether, 100_000, "");
        vm.expectRevert();
        portal.finalizeWithdrawal(inflated, index, op, otherProof);

        // The other one itself goes through.
        portal.finalizeWithdrawal(other, index, op, otherProof);
        assertEq(recorder.received(), 1 ether);
    }

    function test_finalizeWithdrawal_revertsNotProvenEmptyState() public {
        Hashing.Withdrawal memory w = _withdrawal(0, address(recorder), 1 ether, 100_000, "");
        SmtTestTree.Tree memory t = SmtTestTree.create(1); // empty state, root zero
        (uint256 index, Hashing.OutputRootProof memory op) = _publishFinal(t);
        SmtVerifier.Proof memory proof = t.proof(_slotKey(w));
        vm.expectRevert(abi.encodeWithSelector(Portal.WithdrawalNotProven.selector, Hashing.withdrawalHash(w)));
        portal.finalizeWithdrawal(w, index, op, proof);
    }

    function test_finalizeWithdrawal_revertsInvalidTarget() public {
        Hashing.Withdrawal[] memory ws = new Hashing.Withdrawal[](2);
        ws[0] = _withdrawal(0, address(portal), 1 ether, 100_000, "");
        ws[1] = _withdrawal(1, address(0), 1 ether, 100_000, "");
        SmtTestTree.Tree memory t = _treeWith(ws);
        (uint256 index, Hashing.OutputRootProof memory op) = _publishFinal(t);
        for (uint256 i = 0; i < 2; ++i) {
            SmtVerifier.Proof memory proof = t.proof(_slotKey(ws[i]));
            vm.expectRevert(Portal.InvalidTarget.selector);
            portal.finalizeWithdrawal(ws[i], index, op, proof);
        }
        assertEq(address(portal).balance, 100 ether);
    }

    function test_finalizeWithdrawal_insufficientGas() public {
        GasBurner burner = new GasBurner();
        uint256 gasLimit = 1_000_000;
        Hashing.Withdrawal memory w = _withdrawal(0, address(burner), 1 ether, gasLimit, "");
        SmtTestTree.Tree memory t = _treeWith(_one(w));
        (uint256 index, Hashing.OutputRootProof memory op) = _publishFinal(t);
        SmtVerifier.Proof memory proof = t.proof(_slotKey(w));
        bytes32 h = Hashing.withdrawalHash(w);

        // Enough to pass every check but not to forward the target's gas limit.
        try portal.finalizeWithdrawal{gas: 600_000}(w, index, op, proof) {
            revert("should not finalize with too little gas");
        } catch (bytes memory reason) {
            assertEq(bytes4(reason), Portal.InsufficientGasForWithdrawal.selector);
            (uint256 needed, uint256 available) = abi.decode(_tail(reason), (uint256, uint256));
            assertEq(needed, gasLimit + 40_000);
            assertLt(available, needed);
        }
        // Forwarding exactly the gas limit is not enough either (the reserve is missing).
        try portal.finalizeWithdrawal{gas: gasLimit}(w, index, op, proof) {
            revert("should not finalize with too little gas");
        } catch (bytes memory reason) {
            assertEq(bytes4(reason), Portal.InsufficientGasForWithdrawal.selector);
        }
        assertFalse(portal.finalizedWithdrawals(h));
        assertEq(burner.done(), 0);

        // With enough gas it goes through and the target gets its full limit.
        portal.finalizeWithdrawal{gas: 1_200_000}(w, index, op, proof);
        assertTrue(portal.finalizedWithdrawals(h));
        assertEq(burner.done(), 1);
        assertEq(address(burner).balance, 1 ether);
    }

    function _tail(bytes memory reason) internal pure returns (bytes memory out) {
        out = new bytes(reason.length - 4);
        for (uint256 i = 0; i < out.length; ++i) {
            out[i] = reason[i + 4];
        }
    }

    function test_finalizeWithdrawal_failingTargetRetryable() public {
        Toggle target = new Toggle();
        Hashing.Withdrawal memory w = _withdrawal(0, address(target), 2 ether, 100_000, hex"c0ffee");
        SmtTestTree.Tree memory t = _treeWith(_one(w));
        (uint256 index, Hashing.OutputRootProof memory op) = _publishFinal(t);
        SmtVerifier.Proof memory proof = t.proof(_slotKey(w));
        bytes32 h = Hashing.withdrawalHash(w);

        vm.expectRevert(abi.encodeWithSelector(Portal.WithdrawalCallFailed.selector, h));
        portal.finalizeWithdrawal(w, index, op, proof);
        assertFalse(portal.finalizedWithdrawals(h), "still unfinalized");
        assertEq(address(portal).balance, 100 ether, "nothing left the portal");
        assertEq(portal.l2Sender(), portal.NO_L2_SENDER());

        target.setAccept(true);
        portal.finalizeWithdrawal(w, index, op, proof);
        assertTrue(portal.finalizedWithdrawals(h));
        assertEq(target.received(), 2 ether);
        assertEq(address(target).balance, 2 ether);
    }

    function test_finalizeWithdrawal_valueBeyondPortalBalanceFailsRetryably() public {
        Hashing.Withdrawal memory w = _withdrawal(0, address(recorder), 150 ether, 100_000, "");
        SmtTestTree.Tree memory t = _treeWith(_one(w));
        (uint256 index, Hashing.OutputRootProof memory op) = _publishFinal(t);
        SmtVerifier.Proof memory proof = t.proof(_slotKey(w));
        bytes32 h = Hashing.withdrawalHash(w);
        vm.expectRevert(abi.encodeWithSelector(Portal.WithdrawalCallFailed.selector, h));
        portal.finalizeWithdrawal(w, index, op, proof);
        // More deposits arrive; now it can be paid.
        vm.deal(alice, 50 ether);
        vm.prank(alice, alice);
        portal.depositETH{value: 50 ether}(alice);
        portal.finalizeWithdrawal(w, index, op, proof);
        assertEq(address(recorder).balance, 150 ether);
        assertEq(address(portal).balance, 0);
    }

    /// @notice A target re-entering finalizeWithdrawal for the same withdrawal (swallowing
    ///         the inner revert) is paid once.
    function test_reentrancy_sameWithdrawal() public {
        Reenterer evil = new Reenterer(portal);
        Hashing.Withdrawal memory w = _withdrawal(0, address(evil), 5 ether, 500_000, "");
        SmtTestTree.Tree memory t = _treeWith(_one(w));
        (uint256 index, Hashing.OutputRootProof memory op) = _publishFinal(t);
        SmtVerifier.Proof memory proof = t.proof(_slotKey(w));
        evil.arm(abi.encodeCall(Portal.finalizeWithdrawal, (w, index, op, proof)), false);

        portal.finalizeWithdrawal(w, index, op, proof);
        assertEq(evil.calls(), 1, "inner call never reached the target");
        assertEq(evil.received(), 5 ether);
        assertEq(address(evil).balance, 5 ether, "paid once");
        assertEq(bytes4(evil.innerRevert()), ReentrancyGuard.Reentrancy.selector);
        assertEq(address(portal).balance, 95 ether);

        vm.expectRevert(abi.encodeWithSelector(Portal.WithdrawalAlreadyFinalized.selector, Hashing.withdrawalHash(w)));
        portal.finalizeWithdrawal(w, index, op, proof);
    }

    /// @notice Re-entering for another (valid) withdrawal is blocked too; that withdrawal
    ///         stays unfinalized and is relayed normally afterwards, paid once.
    function test_reentrancy_otherWithdrawal() public {
        Reenterer evil = new Reenterer(portal);
        Hashing.Withdrawal[] memory ws = new Hashing.Withdrawal[](2);
        ws[0] = _withdrawal(0, address(evil), 5 ether, 500_000, "");
        ws[1] = _withdrawal(1, address(evil), 7 ether, 500_000, "");
        SmtTestTree.Tree memory t = _treeWith(ws);
        (uint256 index, Hashing.OutputRootProof memory op) = _publishFinal(t);
        SmtVerifier.Proof memory p0 = t.proof(_slotKey(ws[0]));
        SmtVerifier.Proof memory p1 = t.proof(_slotKey(ws[1]));
        evil.arm(abi.encodeCall(Portal.finalizeWithdrawal, (ws[1], index, op, p1)), false);

        portal.finalizeWithdrawal(ws[0], index, op, p0);
        assertEq(bytes4(evil.innerRevert()), ReentrancyGuard.Reentrancy.selector);
        assertEq(evil.calls(), 1);
        assertEq(address(evil).balance, 5 ether);
        assertFalse(portal.finalizedWithdrawals(Hashing.withdrawalHash(ws[1])));

        portal.finalizeWithdrawal(ws[1], index, op, p1);
        assertEq(address(evil).balance, 12 ether);
        assertEq(evil.calls(), 2);
        assertEq(address(portal).balance, 88 ether);
    }

    /// @notice A target that lets the blocked re-entry bubble fails its own withdrawal:
    ///         nothing is paid and both withdrawals stay retryable.
    function test_reentrancy_bubbledRevertPaysNothing() public {
        Reenterer evil = new Reenterer(portal);
        Hashing.Withdrawal[] memory ws = new Hashing.Withdrawal[](2);
        ws[0] = _withdrawal(0, address(evil), 5 ether, 500_000, "");
        ws[1] = _withdrawal(1, address(evil), 7 ether, 500_000, "");
        SmtTestTree.Tree memory t = _treeWith(ws);
        (uint256 index, Hashing.OutputRootProof memory op) = _publishFinal(t);
        SmtVerifier.Proof memory p0 = t.proof(_slotKey(ws[0]));
        SmtVerifier.Proof memory p1 = t.proof(_slotKey(ws[1]));
        evil.arm(abi.encodeCall(Portal.finalizeWithdrawal, (ws[1], index, op, p1)), true);

        vm.expectRevert(abi.encodeWithSelector(Portal.WithdrawalCallFailed.selector, Hashing.withdrawalHash(ws[0])));
        portal.finalizeWithdrawal(ws[0], index, op, p0);
        assertEq(address(evil).balance, 0);
        assertEq(address(portal).balance, 100 ether);
        assertFalse(portal.finalizedWithdrawals(Hashing.withdrawalHash(ws[0])));
        assertFalse(portal.finalizedWithdrawals(Hashing.withdrawalHash(ws[1])));
    }

    /// @notice l2Sender is the placeholder outside a withdrawal.
    function test_l2Sender_defaultOutsideWithdrawal() public view {
        assertEq(portal.l2Sender(), address(0xdEaD));
    }
}
