// SPDX-License-Identifier: MIT
pragma solidity ^0.8.24;

/// @dev How far past its batch's L1 block an L2 block's timestamp may be: the inbox's
///      rule, and the bound the sequencing window must exceed.
uint64 constant L2_TIMESTAMP_DRIFT = 30;

/// @title RollupConfig
/// @notice The parameters of one faultline rollup, read by the inbox, the output oracle
///         and the portal. What may change after deployment, and by whom, is in
///         docs/contracts.md ("Rollup config"):
///         - fixed forever: the L2 chain id, the challenge window, the proposal interval,
///           and the L2 chain's parameters the state transition needs and L1 does not
///           otherwise hold (`L2Chain`: block gas limit, base-fee rules, fee recipient,
///           sequencing window, the two L1 fee scalars), so that a dispute game can
///           compute a block's context on L1 (docs/fault-vm-inputs.md);
///         - the owner (two-step transfer) may rotate the sequencer key, change the
///           proposer bond (it applies to new proposals only: a posted bond is never
///           touched), and set the dispute game once (the only contract allowed to delete
///           outputs; zero until the dispute game is deployed).
contract RollupConfig {
    /// @notice The L2 chain's parameters fixed at deployment (the node's `[chain]` config
    ///         must equal them: docs/chain.md).
    /// @param blockGasLimit Gas limit of every L2 block.
    /// @param baseFeeFloor The L2 base fee never drops below this (wei).
    /// @param baseFeeChangeDenominator EIP-1559 max change denominator.
    /// @param elasticityMultiplier EIP-1559 elasticity multiplier.
    /// @param feeRecipient Receives the L2 priority fees (the header's beneficiary).
    /// @param sequencingWindow Seconds after which derivation forces a deposit in.
    /// @param l1BaseFeeScalar L1 fee weight of the L1 base fee (OP's `baseFeeScalar`).
    /// @param l1BlobBaseFeeScalar L1 fee weight of the L1 blob base fee.
    struct L2Chain {
        uint64 blockGasLimit;
        uint64 baseFeeFloor;
        uint64 baseFeeChangeDenominator;
        uint64 elasticityMultiplier;
        address feeRecipient;
        uint64 sequencingWindow;
        uint32 l1BaseFeeScalar;
        uint32 l1BlobBaseFeeScalar;
    }

    /// @notice L2 chain id (EIP-155), fixed.
    uint256 public immutable l2ChainId;
    /// @notice Seconds an output must stand unchallenged before it is final, fixed.
    uint64 public immutable challengeWindow;
    /// @notice L2 blocks between two consecutive outputs, fixed.
    uint64 public immutable proposalInterval;
    /// @notice L1 fee: weight of the L1 base fee, millionths per 16 gas of a byte (OP
    ///         Stack's `baseFeeScalar`), fixed; the L2 state transition prices with it.
    uint32 public immutable l1BaseFeeScalar;
    /// @notice L1 fee: weight of the L1 blob base fee, millionths per byte (OP Stack's
    ///         `blobBaseFeeScalar`), fixed.
    uint32 public immutable l1BlobBaseFeeScalar;
    /// @notice Gas limit of every L2 block, fixed.
    uint64 public immutable blockGasLimit;
    /// @notice Floor of the L2 base fee (wei), fixed.
    uint64 public immutable baseFeeFloor;
    /// @notice EIP-1559 max change denominator of the L2 base fee, fixed.
    uint64 public immutable baseFeeChangeDenominator;
    /// @notice EIP-1559 elasticity multiplier of the L2, fixed.
    uint64 public immutable elasticityMultiplier;
    /// @notice Receives the L2 priority fees, fixed.
    address public immutable feeRecipient;
    /// @notice Seconds after a deposit's L1 block from which an L2 block must include it
    ///         (derivation forces it in), fixed. Longer than `MAX_TIMESTAMP_DRIFT`, so no
    ///         deposit made after a batch can be forced into that batch's blocks.
    uint64 public immutable sequencingWindow;

    /// @notice The only account that may post batches to the inbox.
    address public sequencer;
    /// @notice Wei a proposer locks with each output.
    uint256 public proposerBond;
    /// @notice The contract allowed to delete disproven outputs (set once).
    address public disputeGame;

    address public owner;
    address public pendingOwner;

    uint256 public constant MAX_CHALLENGE_WINDOW = 30 days;
    uint256 public constant MIN_BOND = 0.001 ether;
    uint256 public constant MAX_BOND = 1000 ether;
    /// @notice How far past its batch's L1 block an L2 block's timestamp may be (the
    ///         inbox's rule; `BatchInbox.MAX_TIMESTAMP_DRIFT` is this value).
    uint64 public constant MAX_TIMESTAMP_DRIFT = L2_TIMESTAMP_DRIFT;
    /// @notice Smallest L2 block gas limit: `Portal.MAX_DEPOSIT_GAS`, so every deposit
    ///         the portal accepts fits an L2 block.
    uint64 public constant MIN_BLOCK_GAS_LIMIT = 10_000_000;
    /// @notice Smallest L2 gas target (`blockGasLimit / elasticityMultiplier`): a transfer.
    uint64 public constant MIN_GAS_TARGET = 21_000;
    /// @notice Longest sequencing window.
    uint64 public constant MAX_SEQUENCING_WINDOW = 30 days;

    event SequencerChanged(address indexed previous, address indexed current);
    event ProposerBondChanged(uint256 previous, uint256 current);
    event DisputeGameSet(address indexed game);
    event OwnershipTransferStarted(address indexed owner, address indexed pendingOwner);
    event OwnershipTransferred(address indexed previous, address indexed current);

    error NotOwner();
    error NotPendingOwner();
    error ZeroAddress();
    error InvalidChainId();
    error InvalidChallengeWindow();
    error InvalidProposalInterval();
    error BondOutOfRange(uint256 bond);
    error DisputeGameAlreadySet();
    /// @notice The block gas limit is below `MIN_BLOCK_GAS_LIMIT`.
    error InvalidBlockGasLimit();
    /// @notice A base-fee parameter is zero, or the gas target is below `MIN_GAS_TARGET`.
    error InvalidBaseFeeParams();
    /// @notice The sequencing window is not above `MAX_TIMESTAMP_DRIFT` or is above
    ///         `MAX_SEQUENCING_WINDOW`.
    error InvalidSequencingWindow();

    modifier onlyOwner() {
        if (msg.sender != owner) revert NotOwner();
        _;
    }

    constructor(
        address owner_,
        uint256 l2ChainId_,
        address sequencer_,
        uint64 challengeWindow_,
        uint64 proposalInterval_,
        uint256 proposerBond_,
        L2Chain memory chain_
    ) {
        if (owner_ == address(0) || sequencer_ == address(0)) revert ZeroAddress();
        if (l2ChainId_ == 0 || l2ChainId_ == block.chainid || l2ChainId_ > type(uint64).max) {
            revert InvalidChainId();
        }
        if (challengeWindow_ == 0 || challengeWindow_ > MAX_CHALLENGE_WINDOW) revert InvalidChallengeWindow();
        if (proposalInterval_ == 0 || proposalInterval_ > 1_000_000) revert InvalidProposalInterval();
        if (proposerBond_ < MIN_BOND || proposerBond_ > MAX_BOND) revert BondOutOfRange(proposerBond_);
        if (chain_.blockGasLimit < MIN_BLOCK_GAS_LIMIT) revert InvalidBlockGasLimit();
        if (
            chain_.baseFeeChangeDenominator == 0 || chain_.elasticityMultiplier == 0
                || chain_.blockGasLimit / chain_.elasticityMultiplier < MIN_GAS_TARGET
        ) revert InvalidBaseFeeParams();
        if (chain_.sequencingWindow <= MAX_TIMESTAMP_DRIFT || chain_.sequencingWindow > MAX_SEQUENCING_WINDOW) {
            revert InvalidSequencingWindow();
        }
        if (chain_.feeRecipient == address(0)) revert ZeroAddress();
        owner = owner_;
        l2ChainId = l2ChainId_;
        sequencer = sequencer_;
        challengeWindow = challengeWindow_;
        proposalInterval = proposalInterval_;
        proposerBond = proposerBond_;
        l1BaseFeeScalar = chain_.l1BaseFeeScalar;
        l1BlobBaseFeeScalar = chain_.l1BlobBaseFeeScalar;
        blockGasLimit = chain_.blockGasLimit;
        baseFeeFloor = chain_.baseFeeFloor;
        baseFeeChangeDenominator = chain_.baseFeeChangeDenominator;
        elasticityMultiplier = chain_.elasticityMultiplier;
        feeRecipient = chain_.feeRecipient;
        sequencingWindow = chain_.sequencingWindow;
        emit OwnershipTransferred(address(0), owner_);
        emit SequencerChanged(address(0), sequencer_);
        emit ProposerBondChanged(0, proposerBond_);
    }

    /// @notice The L2 chain's fixed parameters in one call.
    /// @return chain_ The parameters the contract was deployed with.
    function l2Chain() external view returns (L2Chain memory chain_) {
        chain_ = L2Chain({
            blockGasLimit: blockGasLimit,
            baseFeeFloor: baseFeeFloor,
            baseFeeChangeDenominator: baseFeeChangeDenominator,
            elasticityMultiplier: elasticityMultiplier,
            feeRecipient: feeRecipient,
            sequencingWindow: sequencingWindow,
            l1BaseFeeScalar: l1BaseFeeScalar,
            l1BlobBaseFeeScalar: l1BlobBaseFeeScalar
        });
    }

    /// @notice Rotates the sequencer key. Batches already posted stay valid.
    function setSequencer(address sequencer_) external onlyOwner {
        if (sequencer_ == address(0)) revert ZeroAddress();
        emit SequencerChanged(sequencer, sequencer_);
        sequencer = sequencer_;
    }

    /// @notice Changes the bond for new proposals; bonds already posted are unaffected.
    function setProposerBond(uint256 bond) external onlyOwner {
        if (bond < MIN_BOND || bond > MAX_BOND) revert BondOutOfRange(bond);
        emit ProposerBondChanged(proposerBond, bond);
        proposerBond = bond;
    }

    /// @notice Installs the dispute game, once. Until then no output can be deleted.
    function setDisputeGame(address game) external onlyOwner {
        if (game == address(0)) revert ZeroAddress();
        if (disputeGame != address(0)) revert DisputeGameAlreadySet();
        disputeGame = game;
        emit DisputeGameSet(game);
    }

    /// @notice Starts a two-step ownership transfer; `newOwner` must accept.
    function transferOwnership(address newOwner) external onlyOwner {
        pendingOwner = newOwner;
        emit OwnershipTransferStarted(owner, newOwner);
    }

    /// @notice Completes a transfer started by the owner.
    function acceptOwnership() external {
        if (msg.sender != pendingOwner || msg.sender == address(0)) revert NotPendingOwner();
        emit OwnershipTransferred(owner, msg.sender);
        owner = msg.sender;
        pendingOwner = address(0);
    }
}
