// SPDX-License-Identifier: MIT
pragma solidity ^0.8.24;

/// @title IFaultDisputeGame
/// @notice The permissionless bisection game over L2 outputs (docs/dispute.md): any
///         number of games on an output in its challenge window, any number of parties
///         on either side, a claim tree of attack and defend moves in two levels (per-block
///         output roots, then one block's machine steps), chess clocks, bonds by depth, a
///         one-step proof at the leaf, bottom-up resolution into `OutputOracle`.
interface IFaultDisputeGame {
    /// @notice Where a game stands.
    enum Status {
        InProgress,
        ChallengerWins,
        DefenderWins,
        Void
    }

    /// @notice A game was opened on output `outputIndex` (its root claim is the output).
    event GameOpened(uint256 indexed gameId, uint256 indexed outputIndex, bytes32 root, address indexed opener);
    /// @notice A claim was made.
    event Move(
        uint256 indexed gameId,
        uint256 indexed parentIndex,
        uint256 claimIndex,
        uint128 position,
        bytes32 value,
        address indexed claimant
    );
    /// @notice A one-step (or padding) proof countered claim `claimIndex`.
    event Stepped(uint256 indexed gameId, uint256 indexed claimIndex, address indexed stepper);
    /// @notice Claim `claimIndex` was resolved; `counteredBy` zero if it stood.
    event ClaimResolved(uint256 indexed gameId, uint256 indexed claimIndex, address counteredBy);
    /// @notice The game's root claim was resolved.
    event GameResolved(uint256 indexed gameId, Status status);
    /// @notice `account` was paid its credit.
    event CreditClaimed(address indexed account, uint256 amount);

    /// @notice The game's root claim is resolved: nothing more can happen in it.
    error GameOver();
    /// @notice No game with this id.
    error UnknownGame(uint256 gameId);
    /// @notice No claim with this index in the game.
    error UnknownClaim(uint256 claimIndex);
    /// @notice The claim at the index named does not hold the value and position named (a
    ///         reorg or a front-run moved it; values repeat across positions, in the padding
    ///         and past a block's Done state): the move is refused rather than redirected.
    /// @param claimIndex The claim named.
    /// @param value Its value.
    /// @param position Its position.
    error WrongClaim(uint256 claimIndex, bytes32 value, uint64 position);
    /// @notice The output named is not the live output at that index.
    error WrongOutput(uint256 outputIndex, bytes32 root);
    /// @notice The root claim and the last claim of each level cannot be defended:
    ///         nothing lies to their right.
    error CannotDefend();
    /// @notice A move below the leaves; counter a leaf claim with `step`.
    error MaxDepthReached();
    /// @notice The side to move has used its whole clock on this claim.
    error ClockExpired();
    /// @notice The claim's clock has not run out yet, so it may still be countered.
    error ClockNotExpired();
    /// @notice Some child of the claim is not resolved yet.
    error ChildrenUnresolved(uint256 unresolved);
    /// @notice The claim is resolved already.
    error AlreadyResolved();
    /// @notice The bond sent is not the one required at this depth (`challengeBond()` for
    ///         `challenge`).
    /// @param required The bond at the new claim's depth.
    error WrongBond(uint256 required);
    /// @notice The block disputed at this split-depth claim is past the output's last
    ///         block: the padded trace repeats the output, decided by `stepPadding`.
    error PaddedBlock(uint256 traceIndex);
    /// @notice `stepPadding` on a block that exists: dispute it with the machine.
    error NotPadding(uint256 traceIndex);
    /// @notice The claim is not at the depth this call works on.
    error WrongDepth(uint256 depth);
    /// @notice The first claim of a block's machine trace must be a Done state (proven by
    ///         its commitment's preimage) whose output root agrees or disagrees with the
    ///         disputed output as the mover's side does.
    error WrongDoneState();
    /// @notice A proof was sent with a move that takes none.
    error UnexpectedProof();
    /// @notice The step proves the claim right, not wrong: it counters nothing.
    error ValidStep();
    /// @notice The claim is countered already.
    error AlreadyCountered();
    /// @notice No claim on the path commits to the trace index a proof needs (a path that
    ///         bisection cannot build; kept as an error, not an assumption).
    error NoTraceAncestor(uint256 traceIndex);
    /// @notice The game's start, output `startIndex`, is neither final nor deleted yet: the
    ///         game cannot be decided before it is.
    error StartNotFinal(uint256 startIndex);
    /// @notice Nothing to pay.
    error NoCredit();
    /// @notice The ETH transfer failed; the credit stays.
    error TransferFailed();
    /// @notice A construction parameter is out of range.
    error BadParameter(string what);

    /// @notice The bond `challenge` locks for a game's first claim: at least the proposer
    ///         bond, since an open game holds the finality of every later output.
    /// @return bond The bond in wei.
    function challengeBond() external view returns (uint256 bond);

    /// @notice Opens a game on output `outputIndex` by attacking its root, locking
    ///         `challengeBond()` (as of the opening: that much is paid out at resolution).
    /// @param outputIndex The disputed output (in its challenge window).
    /// @param root Its root, as the caller read it.
    /// @param value The caller's claim at the attack's position.
    /// @return gameId The new game.
    function challenge(uint256 outputIndex, bytes32 root, bytes32 value) external payable returns (uint256 gameId);

    /// @notice Counters claim `parentIndex` (holding `parentValue` at `parentPosition`) by an
    ///         attack (its left child) or a defence (the left child of its right neighbour),
    ///         with the bond of the new depth.
    /// @param gameId The game.
    /// @param parentIndex The countered claim.
    /// @param parentValue Its value.
    /// @param parentPosition Its position.
    /// @param isAttack Attack (true) or defend.
    /// @param value The new claim.
    /// @param proof Empty, except for the first claim of a block's machine trace: the
    ///        preimage of `value`, a Done state.
    /// @return claimIndex The new claim's index.
    function move(
        uint256 gameId,
        uint256 parentIndex,
        bytes32 parentValue,
        uint64 parentPosition,
        bool isAttack,
        bytes32 value,
        bytes calldata proof
    ) external payable returns (uint256 claimIndex);

    /// @notice Counters a leaf claim by running the one-step verifier.
    /// @param gameId The game.
    /// @param claimIndex The leaf claim.
    /// @param claimValue Its value.
    /// @param claimPosition Its position.
    /// @param isAttack Whether the step ends at the claim (attack) or starts at it.
    /// @param witness The step's witness.
    /// @param startProof For the block's first step only: `IBlockStart`'s proof.
    function step(
        uint256 gameId,
        uint256 claimIndex,
        bytes32 claimValue,
        uint64 claimPosition,
        bool isAttack,
        bytes calldata witness,
        bytes calldata startProof
    ) external;

    /// @notice Counters a split-depth claim on a padded block (past the output's last):
    ///         there the trace repeats its previous output.
    /// @param gameId The game.
    /// @param claimIndex The split-depth claim.
    /// @param claimValue Its value.
    /// @param claimPosition Its position.
    /// @param isAttack Whether the padded output is the claim's (attack) or after it.
    function stepPadding(uint256 gameId, uint256 claimIndex, bytes32 claimValue, uint64 claimPosition, bool isAttack)
        external;

    /// @notice Resolves claim `claimIndex` once its clock ran out and its children are
    ///         resolved; the root's resolution decides the game and the output.
    function resolveClaim(uint256 gameId, uint256 claimIndex) external;

    /// @notice Pays the caller's credit (won and returned bonds).
    function claimCredit() external;
}
