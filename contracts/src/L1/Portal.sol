// SPDX-License-Identifier: MIT
pragma solidity ^0.8.24;

import {RollupConfig} from "./RollupConfig.sol";
import {ReentrancyGuard} from "../lib/ReentrancyGuard.sol";
import {OutputOracle} from "./OutputOracle.sol";
import {Hashing} from "../lib/Hashing.sol";
import {SmtVerifier} from "../lib/SmtVerifier.sol";

/// @title Portal
/// @notice The bridge's L1 side: ETH deposits and arbitrary L2 calls go in through an
///         on-chain deposit accumulator that L2 must follow in order; withdrawals come
///         out against finalized output roots with an SMT proof of the L2 message
///         passer's storage. Spec: docs/bridge.md.
contract Portal is ReentrancyGuard {
    /// @notice The L2 message passer predeploy whose storage proves withdrawals.
    address public constant MESSAGE_PASSER = 0x4200000000000000000000000000000000000016;
    /// @notice Placeholder for `l2Sender` outside a withdrawal call.
    address public constant NO_L2_SENDER = 0x000000000000000000000000000000000000dEaD;
    /// @notice Added to an L1 contract's address to make its L2 sender (as OP does), so
    ///         an L1 contract cannot pose as the L2 account at the same address.
    uint160 public constant ALIAS_OFFSET = uint160(0x1111000000000000000000000000000000001111);

    /// @notice L2 gas given to a plain ETH deposit.
    uint64 public constant DEPOSIT_ETH_GAS = 100_000;
    /// @notice Smallest L2 gas limit of a deposit (an L2 transfer's intrinsic gas).
    uint64 public constant MIN_DEPOSIT_GAS = 21_000;
    /// @notice Largest L2 gas limit of one deposit.
    uint64 public constant MAX_DEPOSIT_GAS = 10_000_000;
    /// @notice L2 gas all deposits of one L1 block may request together (anti-griefing).
    uint64 public constant MAX_DEPOSIT_GAS_PER_L1_BLOCK = 30_000_000;
    /// @notice Largest calldata of a deposit.
    uint256 public constant MAX_DEPOSIT_DATA = 120_000;
    /// @notice Gas kept back when calling a withdrawal's target, to finish after it.
    uint256 public constant WITHDRAWAL_GAS_RESERVE = 40_000;

    RollupConfig public immutable config;
    OutputOracle public immutable oracle;

    /// @notice Number of deposits so far; the next deposit gets this index.
    uint256 public depositCount;
    /// @notice accumulator[i] = keccak256(accumulator[i-1] ‖ depositHash(i)), accumulator[-1] = 0.
    mapping(uint256 => bytes32) public accumulator;
    /// @notice Withdrawal hashes already paid out (replay protection).
    mapping(bytes32 => bool) public finalizedWithdrawals;
    /// @notice During a withdrawal call, the L2 account that initiated it.
    address public l2Sender = NO_L2_SENDER;

    /// @dev L1 block number (high 64 bits) and the L2 gas its deposits requested (low 64).
    uint128 private _blockGas;
    /// @dev Deposit L1 timestamps, four per slot: deposit `i` is bits
    ///      `64 * (i % 4) .. 64 * (i % 4) + 63` of `_times[i / 4]`.
    mapping(uint256 => uint256) private _times;

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

    error ZeroAddress();
    error DepositGasOutOfRange(uint64 gasLimit, uint64 min, uint64 max);
    error DepositDataTooLarge(uint256 size);
    error DepositBlockGasExhausted(uint256 requested, uint256 remaining);
    error DepositToZeroAddress();
    error OutputNotFinalized(uint256 outputIndex);
    error OutputRootMismatch();
    error WithdrawalAlreadyFinalized(bytes32 withdrawalHash);
    error WithdrawalNotProven(bytes32 withdrawalHash);
    error InsufficientGasForWithdrawal(uint256 needed, uint256 available);
    error WithdrawalCallFailed(bytes32 withdrawalHash);
    error InvalidTarget();

    constructor(RollupConfig config_, OutputOracle oracle_) {
        if (address(config_) == address(0) || address(oracle_) == address(0)) revert ZeroAddress();
        config = config_;
        oracle = oracle_;
    }

    /// @notice Deposits the ETH sent to the sender's L2 account.
    receive() external payable {
        _deposit(msg.sender, msg.value, DEPOSIT_ETH_GAS, "");
    }

    /// @notice Deposits `msg.value` wei to `to` on L2.
    function depositETH(address to) external payable {
        _deposit(to, msg.value, DEPOSIT_ETH_GAS, "");
    }

    /// @notice Queues an arbitrary L2 call: on L2, `msg.value` is minted to the sender
    ///         (aliased if it is a contract), which then calls `to` with `value` wei,
    ///         `gasLimit` gas and `data`. If that call fails on L2 the mint stays with the
    ///         sender. L2 must include deposits in order (the forced-inclusion path).
    function depositTransaction(address to, uint256 value, uint64 gasLimit, bytes calldata data) external payable {
        _deposit(to, value, gasLimit, data);
    }

    function _deposit(address to, uint256 value, uint64 gasLimit, bytes memory data) private {
        if (to == address(0)) revert DepositToZeroAddress();
        if (gasLimit < MIN_DEPOSIT_GAS || gasLimit > MAX_DEPOSIT_GAS) {
            revert DepositGasOutOfRange(gasLimit, MIN_DEPOSIT_GAS, MAX_DEPOSIT_GAS);
        }
        if (data.length > MAX_DEPOSIT_DATA) revert DepositDataTooLarge(data.length);

        _chargeDepositGas(gasLimit);

        address from = msg.sender;
        // The alias is msg.sender + offset mod 2^160 (docs/bridge.md): wrap, never revert.
        if (msg.sender != tx.origin) {
            unchecked {
                from = address(uint160(msg.sender) + ALIAS_OFFSET);
            }
        }

        uint256 index = depositCount;
        bytes32 h = Hashing.depositHash(index, from, to, msg.value, value, gasLimit, uint64(block.number), data);
        bytes32 acc = Hashing.accumulate(index == 0 ? bytes32(0) : accumulator[index - 1], h);
        accumulator[index] = acc;
        _times[index >> 2] |= uint256(block.timestamp) << ((index & 3) << 6);
        depositCount = index + 1;
        emit DepositQueued(index, from, to, msg.value, value, gasLimit, uint64(block.number), data, acc);
    }

    /// @notice The L1 timestamp of deposit `index` (its L1 block's), what forced
    ///         inclusion is decided by (docs/pipeline.md, "Derivation rules").
    /// @param index A deposit index below `depositCount`.
    /// @return The timestamp (0 for an index not deposited yet).
    function depositTime(uint256 index) public view returns (uint64) {
        return uint64(_times[index >> 2] >> ((index & 3) << 6));
    }

    /// @notice The deposit cursor forced inclusion imposes on an L2 block with timestamp
    ///         `l2Timestamp`: the first index whose L1 time plus the sequencing window is
    ///         after it, so every deposit before it must be included by that block.
    ///         Deposit times never decrease with the index, so this is a binary search
    ///         (docs/fault-vm-inputs.md, "Forced inclusion without a loop"). A deposit
    ///         made after the batch holding the block is never forced into it: the
    ///         window is longer than the inbox's timestamp drift.
    /// @param l2Timestamp The L2 block's timestamp.
    /// @return cursor The number of deposits the block must include at least.
    function forcedCursor(uint64 l2Timestamp) external view returns (uint256 cursor) {
        uint256 window = config.sequencingWindow();
        if (l2Timestamp < window) return 0;
        uint256 limit = l2Timestamp - window; // forced iff time <= limit
        uint256 hi = depositCount;
        // Invariant: every index below `cursor` is forced, none at or above `hi` is.
        while (cursor < hi) {
            uint256 mid = (cursor + hi) >> 1;
            if (depositTime(mid) <= limit) cursor = mid + 1;
            else hi = mid;
        }
    }

    /// @dev Per-L1-block budget of requested L2 gas: spamming deposits costs L1 gas and can
    ///      fill at most this much of L2's deposit space per L1 block.
    function _chargeDepositGas(uint64 gasLimit) private {
        uint128 packed = _blockGas;
        // forge-lint: disable-next-line(unsafe-typecast) packed holds a u64 block number in its high half and u64 gas in its low half
        uint64 used = uint64(packed >> 64) == uint64(block.number) ? uint64(packed) : 0;
        uint256 remaining = MAX_DEPOSIT_GAS_PER_L1_BLOCK - used;
        if (gasLimit > remaining) revert DepositBlockGasExhausted(gasLimit, remaining);
        _blockGas = (uint128(uint64(block.number)) << 64) | uint128(used + gasLimit);
    }

    /// @notice Pays out a withdrawal initiated on L2, proven against finalized output
    ///         `outputIndex`: `outputProof` opens the output root, `proof` shows
    ///         `sentMessages[withdrawalHash] == true` in the message passer's storage.
    ///         Anyone may relay it; the ETH goes to `withdrawal.target`. If the target's
    ///         call fails the whole transaction reverts and the withdrawal stays
    ///         unfinalized, so it can be retried (nothing is lost).
    function finalizeWithdrawal(
        Hashing.Withdrawal calldata withdrawal,
        uint256 outputIndex,
        Hashing.OutputRootProof calldata outputProof,
        SmtVerifier.Proof calldata proof
    ) external nonReentrant {
        if (withdrawal.target == address(this) || withdrawal.target == address(0)) revert InvalidTarget();
        if (!oracle.isFinalized(outputIndex)) revert OutputNotFinalized(outputIndex);
        if (Hashing.outputRoot(outputProof) != oracle.outputRoot(outputIndex)) revert OutputRootMismatch();

        bytes32 h = Hashing.withdrawalHash(withdrawal);
        if (finalizedWithdrawals[h]) revert WithdrawalAlreadyFinalized(h);
        bytes32 slot = keccak256(abi.encode(h, uint256(0)));
        if (!SmtVerifier.verifyStorage(outputProof.stateRoot, MESSAGE_PASSER, slot, bytes32(uint256(1)), proof)) {
            revert WithdrawalNotProven(h);
        }

        finalizedWithdrawals[h] = true;

        // The relayer must forward enough gas for the target's full gas limit (after the
        // 63/64 rule), or a griefing relayer could make the call fail on purpose.
        uint256 needed = withdrawal.gasLimit + WITHDRAWAL_GAS_RESERVE;
        uint256 available = gasleft() - gasleft() / 64;
        if (available < needed) revert InsufficientGasForWithdrawal(needed, available);

        l2Sender = withdrawal.sender;
        (bool ok,) = withdrawal.target.call{value: withdrawal.value, gas: withdrawal.gasLimit}(withdrawal.data);
        l2Sender = NO_L2_SENDER;
        if (!ok) revert WithdrawalCallFailed(h);
        emit WithdrawalFinalized(h, withdrawal.target, withdrawal.value);
    }
}
