// SPDX-License-Identifier: MIT
pragma solidity ^0.8.24;

import {RollupConfig} from "./RollupConfig.sol";
import {ReentrancyGuard} from "../lib/ReentrancyGuard.sol";
import {BatchInbox} from "./BatchInbox.sol";

/// @title OutputOracle
/// @notice Bonded L2 output roots. Anyone may propose the output of the next L2 block on
///         the fixed interval (first valid proposal per slot wins) by locking the bond, once
///         that block's data is on L1 in the inbox. An output is final when its challenge
///         window has passed, no dispute game on it or on an earlier output is open, and
///         the dispute game has not deleted it; its bond can then be released. The dispute
///         game (set once in the config) opens and closes disputes on outputs and deletes
///         a disproven output and every later one. Every call costs O(1) in the number of
///         outputs: a deletion truncates the list and leaves the later proposals' records
///         behind, refunded by pull (`refundDeleted`, or `propose` reusing the index), and
///         the earliest open dispute is tracked by a lower bound that a bounded scan moves
///         up (`advanceDisputeScan`). A disproven output's bond goes half to the winner
///         and half is burned (locked here for good), so that a wrong proposer winning
///         against itself still loses half. Bonds are paid by pull (`withdraw`), so no
///         recipient can block a deletion. Spec: docs/outputs.md.
contract OutputOracle is ReentrancyGuard {
    /// @notice One proposed output (live below `outputCount`; at or above it, a deleted
    ///         proposal kept until its index is proposed again).
    struct Output {
        bytes32 root;
        uint64 l2Block;
        uint64 timestamp; // L1 time of the proposal
        bool bondReleased; // the bond is gone from the record: released, refunded or forfeited
        uint32 disputes; // open dispute games on this proposal
        uint64 nonce; // unique per proposal: names it after a deletion reuses the index
        address proposer;
        uint96 bond;
    }

    RollupConfig public immutable config;
    BatchInbox public immutable inbox;

    /// @notice Number of live outputs; output 0 is the genesis output, final from the start.
    uint256 public outputCount;
    /// @notice Wei each account may withdraw (released bonds, won bonds, refunds).
    mapping(address => uint256) public credit;
    /// @notice A lower bound on the lowest live output index with an open dispute: no live
    ///         output below it has one (`NO_DISPUTE`: no live output has one), so no output
    ///         at or after it is final. Exact when the output there has an open dispute;
    ///         otherwise `advanceDisputeScan` moves it up. Always below `outputCount` or
    ///         `NO_DISPUTE`.
    uint256 public earliestDispute = NO_DISPUTE;
    /// @notice Proposals made so far; the next one's nonce.
    uint64 public proposals;
    /// @notice Wei burned so far: the part of disproven bonds no winner got, locked in this
    ///         contract for good (counted so that its ETH still balances).
    uint256 public burned;

    /// @notice `earliestDispute` when no live output has an open dispute.
    uint256 public constant NO_DISPUTE = type(uint256).max;
    /// @notice Outputs `closeDispute` scans forward at most when it closes the last dispute
    ///         on the earliest disputed output (bounds its gas; `advanceDisputeScan` goes on).
    uint256 public constant DISPUTE_SCAN = 16;
    /// @notice The part of a disproven output's bond its winner gets, in basis points; the
    ///         rest is burned. Below the whole bond, so a proposer whose colluder wins the
    ///         game on its wrong output still loses the rest.
    uint256 public constant WINNER_SHARE_BPS = 5_000;

    mapping(uint256 => Output) internal _outputs;

    event OutputProposed(uint256 indexed index, uint64 indexed l2Block, bytes32 root, address indexed proposer);
    event OutputsDeleted(
        uint256 indexed fromIndex, uint256 previousCount, address indexed winner, uint256 prize, uint256 burn
    );
    event BondReleased(uint256 indexed index, address indexed proposer, uint256 bond);
    /// @notice The bond of deleted (not disproven) proposal record `index` was credited back.
    event BondRefunded(uint256 indexed index, address indexed proposer, uint256 bond);
    event Withdrawn(address indexed account, uint256 amount);
    event DisputeOpened(uint256 indexed index, uint64 nonce, uint32 disputes);
    event DisputeClosed(uint256 indexed index, uint64 nonce, uint32 disputes);

    error WrongBlockNumber(uint256 expected, uint256 got);
    error BlockNotOnL1(uint256 l2Block, uint256 nextBlockInInbox);
    error WrongBond(uint256 expected, uint256 got);
    error ZeroRoot();
    error UnknownOutput(uint256 index);
    error NotFinalized(uint256 index);
    error AlreadyFinalized(uint256 index);
    error BondAlreadyReleased(uint256 index);
    error NotDisputeGame();
    error CannotDeleteGenesis();
    error ZeroAddress();
    error NothingToWithdraw();
    error TransferFailed();
    /// @notice The output at `index` is not the one the caller names (deleted since, or
    ///         another root).
    /// @param index The output index.
    error NotThatOutput(uint256 index);
    /// @notice The proposal named has no open dispute to close.
    /// @param index The output index.
    error NoOpenDispute(uint256 index);
    /// @notice Output `index` is live: its bond is released by `releaseBond` once final.
    /// @param index The output index.
    error NotDeleted(uint256 index);

    constructor(RollupConfig config_, BatchInbox inbox_, bytes32 genesisOutputRoot) {
        if (address(config_) == address(0) || address(inbox_) == address(0)) revert ZeroAddress();
        if (genesisOutputRoot == bytes32(0)) revert ZeroRoot();
        config = config_;
        inbox = inbox_;
        _outputs[0] = Output({
            root: genesisOutputRoot,
            l2Block: 0,
            timestamp: 0,
            bondReleased: true,
            disputes: 0,
            nonce: 0,
            proposer: address(0),
            bond: 0
        });
        outputCount = 1;
        proposals = 1;
        emit OutputProposed(0, 0, genesisOutputRoot, address(0));
    }

    /// @notice The L2 block number the next output must be for.
    function nextBlockNumber() public view returns (uint256) {
        return uint256(_outputs[outputCount - 1].l2Block) + config.proposalInterval();
    }

    /// @notice Proposes `root` as the output of L2 block `l2Block`, locking exactly the
    ///         configured bond. Permissionless; the first valid proposal for a slot wins. A
    ///         deleted proposal still recorded at the index, its bond not refunded yet, is
    ///         refunded first.
    /// @param l2Block The L2 block, `nextBlockNumber()`.
    /// @param root Its output root (non-zero).
    /// @return index The new output's index.
    function propose(uint256 l2Block, bytes32 root) external payable returns (uint256 index) {
        uint256 expected = nextBlockNumber();
        if (l2Block != expected) revert WrongBlockNumber(expected, l2Block);
        uint256 available = inbox.nextBlock();
        if (l2Block >= available) revert BlockNotOnL1(l2Block, available);
        uint256 bond = config.proposerBond();
        if (msg.value != bond) revert WrongBond(bond, msg.value);
        if (root == bytes32(0)) revert ZeroRoot();
        index = outputCount;
        Output storage old = _outputs[index];
        // A later output of a disproven one, deleted with it and not refunded yet (a
        // disproven record has its bond marked gone): the overwrite must not lose its bond.
        if (!old.bondReleased && old.bond != 0) {
            credit[old.proposer] += old.bond;
            emit BondRefunded(index, old.proposer, old.bond);
        }
        _outputs[index] = Output({
            root: root,
            // forge-lint: disable-next-line(unsafe-typecast) l2Block equals nextBlockNumber(), below the inbox u64 cursor
            l2Block: uint64(l2Block),
            timestamp: uint64(block.timestamp),
            bondReleased: false,
            disputes: 0,
            nonce: proposals++,
            proposer: msg.sender,
            // forge-lint: disable-next-line(unsafe-typecast) proposerBond <= MAX_BOND (1000 ether) < 2^96
            bond: uint96(bond)
        });
        outputCount = index + 1;
        // forge-lint: disable-next-line(unsafe-typecast) l2Block equals nextBlockNumber(): a u64 block plus a u64 interval, below the inbox u64 cursor
        emit OutputProposed(index, uint64(l2Block), root, msg.sender);
    }

    /// @notice Output `index` (reverts if there is none).
    /// @param index The output index.
    /// @return The live output.
    function output(uint256 index) external view returns (Output memory) {
        if (index >= outputCount) revert UnknownOutput(index);
        return _outputs[index];
    }

    /// @notice The record stored at `index`, live or not: below `outputCount` the live
    ///         output; at or above it a deleted proposal, kept until the index is proposed
    ///         again (its bond refundable by `refundDeleted` unless `bondReleased`), or
    ///         zeros if no proposal was ever made there.
    /// @param index The output index.
    /// @return The stored record.
    function outputRecord(uint256 index) external view returns (Output memory) {
        return _outputs[index];
    }

    /// @notice The root of live output `index` (reverts if there is none).
    function outputRoot(uint256 index) external view returns (bytes32) {
        if (index >= outputCount) revert UnknownOutput(index);
        return _outputs[index].root;
    }

    /// @notice Index of the newest live output.
    function latestOutputIndex() external view returns (uint256) {
        return outputCount - 1;
    }

    /// @notice Whether output `index` exists, its challenge window has passed, and it is
    ///         below `earliestDispute`, so no dispute is open on it or on an earlier output
    ///         (output 0, L2 genesis, is final from the start). After a dispute closes, the
    ///         outputs it held may need `advanceDisputeScan` before they read final.
    /// @param index The output index.
    /// @return Whether it is final.
    function isFinalized(uint256 index) public view returns (bool) {
        if (index >= outputCount) return false;
        if (index == 0) return true;
        return index < earliestDispute && windowPassed(index);
    }

    /// @notice Whether the challenge window of existing output `index` has passed (a
    ///         dispute can then no longer be opened on it).
    function windowPassed(uint256 index) public view returns (bool) {
        return block.timestamp >= uint256(_outputs[index].timestamp) + config.challengeWindow();
    }

    /// @notice Opens a dispute on output `index`, which must have root `root` and be in
    ///         its challenge window (dispute game only). Until the dispute is closed,
    ///         neither it nor any later output is final.
    /// @param index The disputed output.
    /// @param root Its root as the game read it (a deletion and a new proposal in
    ///        between would change it).
    /// @return nonce The proposal's nonce, which closes the dispute.
    function openDispute(uint256 index, bytes32 root) external returns (uint64 nonce) {
        if (msg.sender != config.disputeGame()) revert NotDisputeGame();
        if (index == 0) revert CannotDeleteGenesis();
        if (index >= outputCount) revert UnknownOutput(index);
        Output storage o = _outputs[index];
        if (o.root != root) revert NotThatOutput(index);
        if (windowPassed(index)) revert AlreadyFinalized(index);
        uint32 disputes = ++o.disputes;
        if (index < earliestDispute) earliestDispute = index;
        nonce = o.nonce;
        emit DisputeOpened(index, nonce, disputes);
    }

    /// @notice Closes one dispute on proposal `nonce` at `index`, which stood (dispute game
    ///         only). Closing a dispute on a proposal deleted since is a no-op, so a game
    ///         always resolves. Closing the last dispute on the output at `earliestDispute`
    ///         moves it past that output and on over at most `DISPUTE_SCAN` undisputed ones.
    /// @param index The disputed output.
    /// @param nonce The nonce `openDispute` returned.
    /// @return live Whether the proposal was still live.
    function closeDispute(uint256 index, uint64 nonce) external returns (bool live) {
        if (msg.sender != config.disputeGame()) revert NotDisputeGame();
        if (!isLive(index, nonce)) return false;
        Output storage o = _outputs[index];
        if (o.disputes == 0) revert NoOpenDispute(index);
        uint32 disputes = --o.disputes;
        if (disputes == 0 && index == earliestDispute) _scanDisputes(index + 1, DISPUTE_SCAN);
        emit DisputeClosed(index, nonce, disputes);
        return true;
    }

    /// @notice Moves `earliestDispute` up over at most `maxOutputs` live outputs without an
    ///         open dispute, stopping at the first with one (to `NO_DISPUTE` past the last
    ///         live output). Anyone may call, in chunks, to let the outputs it passes become
    ///         final; a no-op when the output at `earliestDispute` has an open dispute.
    /// @param maxOutputs The most outputs to look at.
    /// @return earliest `earliestDispute` afterwards.
    function advanceDisputeScan(uint256 maxOutputs) external returns (uint256 earliest) {
        earliest = earliestDispute;
        if (earliest == NO_DISPUTE || _outputs[earliest].disputes != 0) return earliest;
        return _scanDisputes(earliest, maxOutputs);
    }

    /// @dev Sets `earliestDispute` to the first live index at or after `from` (at most
    ///      `outputCount`) with an open dispute, looking at no more than `maxOutputs`
    ///      outputs: where the look stops, else `NO_DISPUTE` if it passed the last output.
    ///      Callers pass `from` with no open dispute on a live output below it.
    function _scanDisputes(uint256 from, uint256 maxOutputs) internal returns (uint256 earliest) {
        uint256 count = outputCount;
        uint256 end = maxOutputs < count - from ? from + maxOutputs : count;
        uint256 i = from;
        while (i < end && _outputs[i].disputes == 0) ++i;
        earliest = i == count ? NO_DISPUTE : i;
        earliestDispute = earliest;
    }

    /// @notice Whether proposal `nonce` is the live output at `index`.
    /// @param index The output index.
    /// @param nonce The proposal's nonce.
    /// @return Whether it is live.
    function isLive(uint256 index, uint64 nonce) public view returns (bool) {
        return index != 0 && index < outputCount && _outputs[index].nonce == nonce;
    }

    /// @notice Moves the bond of final output `index` to its proposer's credit. Anyone may call.
    /// @param index The output index.
    function releaseBond(uint256 index) external {
        if (!isFinalized(index)) revert NotFinalized(index);
        Output storage o = _outputs[index];
        if (o.bondReleased) revert BondAlreadyReleased(index);
        o.bondReleased = true;
        credit[o.proposer] += o.bond;
        emit BondReleased(index, o.proposer, o.bond);
    }

    /// @notice Credits the proposer of deleted proposal record `index` (a later output of a
    ///         disproven one, not disproven itself) with its bond, once. Anyone may call;
    ///         `propose` does the same before it reuses the index.
    /// @param index The record's index, at or above `outputCount`.
    function refundDeleted(uint256 index) external {
        if (index < outputCount) revert NotDeleted(index);
        Output storage o = _outputs[index];
        uint256 bond = o.bond;
        if (bond == 0) revert UnknownOutput(index);
        // Refunded already, or the disproven proposal's (forfeited).
        if (o.bondReleased) revert BondAlreadyReleased(index);
        o.bondReleased = true;
        credit[o.proposer] += bond;
        emit BondRefunded(index, o.proposer, bond);
    }

    /// @notice Deletes the disproven output `fromIndex` and every later one (dispute game
    ///         only; never a final output, never genesis) by truncating the list, in O(1).
    ///         `WINNER_SHARE_BPS` of the disproven output's bond goes to `winner`, the rest
    ///         is burned, and the bond is marked gone from its record; later outputs were
    ///         not shown wrong, so their records stay with their bonds, refunded by
    ///         `refundDeleted` or when `propose` reuses the index.
    /// @param fromIndex The disproven output.
    /// @param winner Who disproved it.
    function deleteOutputs(uint256 fromIndex, address winner) external {
        if (msg.sender != config.disputeGame()) revert NotDisputeGame();
        if (fromIndex == 0) revert CannotDeleteGenesis();
        uint256 count = outputCount;
        if (fromIndex >= count) revert UnknownOutput(fromIndex);
        // Every later output is no older and no lower than `earliestDispute`: none is final.
        if (isFinalized(fromIndex)) revert AlreadyFinalized(fromIndex);
        if (winner == address(0)) revert ZeroAddress();
        Output storage o = _outputs[fromIndex];
        o.bondReleased = true; // forfeited: never released nor refunded
        uint256 bond = o.bond;
        uint256 prize = bond * WINNER_SHARE_BPS / 10_000;
        credit[winner] += prize;
        burned += bond - prize;
        outputCount = fromIndex;
        // Disputes on the deleted outputs go with them (their games close as no-ops), and
        // no live output below the old bound had one.
        if (earliestDispute >= fromIndex) earliestDispute = NO_DISPUTE;
        emit OutputsDeleted(fromIndex, count, winner, prize, bond - prize);
    }

    /// @notice Pays the caller's credit.
    function withdraw() external nonReentrant {
        uint256 amount = credit[msg.sender];
        if (amount == 0) revert NothingToWithdraw();
        credit[msg.sender] = 0;
        (bool ok,) = msg.sender.call{value: amount}("");
        if (!ok) revert TransferFailed();
        emit Withdrawn(msg.sender, amount);
    }
}
