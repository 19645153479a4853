// SPDX-License-Identifier: MIT
pragma solidity ^0.8.24;

/// @title RollupConfig
/// @notice The parameters of one faultline rollup, read by the inbox, the output oracle
///         and the portal. What may change after deployment, and by whom, is in
///         docs/contracts.md ("Rollup config"):
///         - fixed forever: the L2 chain id, the challenge window, the proposal interval,
///           the two L1 fee scalars (docs/chain.md, "L1 fee");
///         - the owner (two-step transfer) may rotate the sequencer key, change the
///           proposer bond (it applies to new proposals only: a posted bond is never
///           touched), and set the dispute game once (the only contract allowed to delete
///           outputs; zero until the dispute game is deployed).
contract RollupConfig {
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
        uint32 l1BaseFeeScalar_,
        uint32 l1BlobBaseFeeScalar_
    ) {
        if (owner_ == address(0) || sequencer_ == address(0)) revert ZeroAddress();
        if (l2ChainId_ == 0 || l2ChainId_ == block.chainid || l2ChainId_ > type(uint64).max) {
            revert InvalidChainId();
        }
        if (challengeWindow_ == 0 || challengeWindow_ > MAX_CHALLENGE_WINDOW) revert InvalidChallengeWindow();
        if (proposalInterval_ == 0 || proposalInterval_ > 1_000_000) revert InvalidProposalInterval();
        if (proposerBond_ < MIN_BOND || proposerBond_ > MAX_BOND) revert BondOutOfRange(proposerBond_);
        owner = owner_;
        l2ChainId = l2ChainId_;
        sequencer = sequencer_;
        challengeWindow = challengeWindow_;
        proposalInterval = proposalInterval_;
        proposerBond = proposerBond_;
        l1BaseFeeScalar = l1BaseFeeScalar_;
        l1BlobBaseFeeScalar = l1BlobBaseFeeScalar_;
        emit OwnershipTransferred(address(0), owner_);
        emit SequencerChanged(address(0), sequencer_);
        emit ProposerBondChanged(0, proposerBond_);
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
