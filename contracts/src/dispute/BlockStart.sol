// SPDX-License-Identifier: MIT
pragma solidity ^0.8.24;

import {IBlockStart} from "../interfaces/IBlockStart.sol";
import {BatchInbox} from "../L1/BatchInbox.sol";
import {BatchReader} from "../L1/BatchReader.sol";
import {Portal} from "../L1/Portal.sol";
import {RollupConfig} from "../L1/RollupConfig.sol";
import {Hashing} from "../lib/Hashing.sol";
import {InitialState} from "./lib/InitialState.sol";
import {BlockCtx} from "../vm/Machine.sol";

/// @title BlockStart
/// @notice The initial machine commitment of an L2 block, from what L1 holds
///         (docs/dispute.md, "The block's start"): the dispute game's level-2 trace starts
///         here, never at a claimant's value. The caller gives the agreed parent output and
///         a proof; the contract checks the parent header against the output, the block's
///         leaf against its batch record in `BatchInbox`, and reads the forced deposit
///         cursor and accumulators from `Portal` and the origin's L1 fee record from the
///         inbox. Rust twin: `faultline_vm_core::initial::initial_commitment`
///         (crates/vm-core/src/initial.rs); the computation is `InitialState`, tied to Rust
///         by docs/vectors/dispute/block-start.json; the prover's proof is built by
///         `faultline_l1::dispute::block_start_proof`.
contract BlockStart is IBlockStart {
    /// @notice What `initialCommitment`'s `proof` decodes to (`abi.encode` of this struct).
    /// @param header The parent header's RLP encoding.
    /// @param batchIndex The inbox batch holding the block.
    /// @param leaf The block's leaf in that batch (its `number` is the disputed block).
    /// @param itemProof The leaf's Merkle proof under the batch root.
    struct Proof {
        bytes header;
        uint256 batchIndex;
        InitialState.Leaf leaf;
        bytes32[] itemProof;
    }

    BatchInbox public immutable inbox;
    Portal public immutable portal;
    uint256 internal immutable _chainId;
    uint256 internal immutable _blockGasLimit;
    uint256 internal immutable _baseFeeFloor;
    uint256 internal immutable _baseFeeChangeDenominator;
    uint256 internal immutable _elasticityMultiplier;
    address internal immutable _feeRecipient;
    uint256 internal immutable _l1BaseFeeScalar;
    uint256 internal immutable _l1BlobBaseFeeScalar;

    /// @notice The parent header does not hash, with its state root, to the agreed output.
    /// @param parentOutputRoot The agreed parent output.
    error WrongParent(bytes32 parentOutputRoot);
    /// @notice The proof's leaf is for block `leaf`, not the disputed `l2Block`.
    /// @param leaf The leaf's number.
    /// @param l2Block The disputed block.
    error WrongBlock(uint256 leaf, uint256 l2Block);
    /// @notice The leaf is not item `index` of batch `batchIndex`, or a field of it does
    ///         not fit the width the inbox hashes it at.
    /// @param batchIndex The batch.
    /// @param index The item index.
    error WrongLeaf(uint256 batchIndex, uint256 index);
    /// @notice A zero address at construction.
    error ZeroAddress();

    /// @param inbox_ The rollup's batch inbox (its config and portal are the rollup's).
    constructor(BatchInbox inbox_) {
        if (address(inbox_) == address(0)) revert ZeroAddress();
        inbox = inbox_;
        portal = inbox_.portal();
        RollupConfig c = inbox_.config();
        _chainId = c.l2ChainId();
        _blockGasLimit = c.blockGasLimit();
        _baseFeeFloor = c.baseFeeFloor();
        _baseFeeChangeDenominator = c.baseFeeChangeDenominator();
        _elasticityMultiplier = c.elasticityMultiplier();
        _feeRecipient = c.feeRecipient();
        _l1BaseFeeScalar = c.l1BaseFeeScalar();
        _l1BlobBaseFeeScalar = c.l1BlobBaseFeeScalar();
    }

    /// @notice The chain's parameters, as `InitialState` takes them.
    /// @return c The parameters (the rollup config's immutables).
    function chain() public view returns (InitialState.Chain memory c) {
        c = InitialState.Chain({
            chainId: _chainId,
            blockGasLimit: _blockGasLimit,
            baseFeeFloor: _baseFeeFloor,
            baseFeeChangeDenominator: _baseFeeChangeDenominator,
            elasticityMultiplier: _elasticityMultiplier,
            feeRecipient: _feeRecipient,
            l1BaseFeeScalar: _l1BaseFeeScalar,
            l1BlobBaseFeeScalar: _l1BlobBaseFeeScalar
        });
    }

    /// @inheritdoc IBlockStart
    /// @dev `proof` is `abi.encode(Proof)`. Reverts with `WrongParent`, `WrongBlock`,
    ///      `BatchInbox.UnknownBatch`, `WrongLeaf`, `InitialState.MalformedHeader`,
    ///      `InitialState.NotTheNextBlock` or `InitialState.OriginDecreased`.
    function initialCommitment(bytes32 parentOutputRoot, uint256 l2Block, bytes calldata proof)
        external
        view
        returns (bytes32)
    {
        Proof memory pr = abi.decode(proof, (Proof));
        InitialState.Parent memory p = InitialState.parent(pr.header);
        if (Hashing.outputRoot(Hashing.OutputRootProof(p.stateRoot, p.hash)) != parentOutputRoot) {
            revert WrongParent(parentOutputRoot);
        }
        InitialState.Leaf memory leaf = pr.leaf;
        if (leaf.number != l2Block) revert WrongBlock(leaf.number, l2Block);
        InitialState.Record memory r = _record(pr.batchIndex, leaf, pr.itemProof);
        // `_record` checked the leaf's fields fit 64 bits, and the header's are at most 8
        // bytes (`InitialState.parent`), so these casts keep every value.
        uint256 timestamp = leaf.timestamp > p.timestamp ? leaf.timestamp : p.timestamp;
        // forge-lint: disable-start(unsafe-typecast) both fit 64 bits, as above
        BatchInbox.L1Fee memory fee = inbox.l1Fee(uint64(leaf.l1Origin));
        uint256 forced = portal.forcedCursor(uint64(timestamp));
        // forge-lint: disable-end(unsafe-typecast)
        InitialState.Deposits memory d;
        BlockCtx memory ctx;
        (ctx, d.from, d.to) = InitialState.blockCtx(p, leaf, forced, fee.baseFee, fee.blobBaseFee, chain());
        d.accFrom = d.from == 0 ? bytes32(0) : portal.accumulator(d.from - 1);
        d.accTo = d.to == 0 ? bytes32(0) : portal.accumulator(d.to - 1);
        return InitialState.commitment(ctx, r, leaf, d, p.stateRoot);
    }

    /// @dev Batch `batchIndex`'s record, once `leaf` is shown to be its item `leaf.index`
    ///      (hashed as the inbox hashed it: docs/batches.md, "Commitment").
    function _record(uint256 batchIndex, InitialState.Leaf memory leaf, bytes32[] memory itemProof)
        internal
        view
        returns (InitialState.Record memory r)
    {
        BatchInbox.BatchRecord memory b = inbox.batch(batchIndex);
        bool fits = leaf.number <= type(uint64).max && leaf.timestamp <= type(uint64).max
            && leaf.depositCursor <= type(uint64).max && leaf.l1Origin <= type(uint64).max
            && leaf.txCount <= type(uint16).max && leaf.firstTx <= type(uint32).max;
        if (!fits) revert WrongLeaf(batchIndex, leaf.index);
        bytes32 item;
        // forge-lint: disable-start(unsafe-typecast) every field was checked to fit above
        if (b.blobs == bytes32(0)) {
            item = BatchReader.blockLeaf(
                uint64(leaf.number),
                uint64(leaf.timestamp),
                uint64(leaf.depositCursor),
                uint64(leaf.l1Origin),
                uint16(leaf.txCount)
            );
        } else {
            item = BatchReader.blobBlockLeaf(
                uint64(leaf.number),
                uint64(leaf.timestamp),
                uint64(leaf.depositCursor),
                uint64(leaf.l1Origin),
                uint16(leaf.txCount),
                uint32(leaf.firstTx)
            );
        }
        // forge-lint: disable-end(unsafe-typecast)
        if (!BatchReader.verifyItem(b.root, b.itemCount, item, leaf.index, itemProof)) {
            revert WrongLeaf(batchIndex, leaf.index);
        }
        r = InitialState.Record({
            root: b.root, itemCount: b.itemCount, length: b.length, txCount: b.txCount, blobs: b.blobs
        });
    }
}
