// SPDX-License-Identifier: MIT
pragma solidity ^0.8.24;

import {Commitment} from "../../vm/Commitment.sol";
import {Machine, BlockCtx} from "../../vm/Machine.sol";

/// @title InitialState
/// @notice A block's initial machine commitment from what L1 holds (docs/fault-vm-inputs.md,
///         "`initial_commitment`"; docs/dispute.md, "The block's start"): the parent
///         header's fields, the block context derivation gives the block, and the machine
///         before its first step. Rust twin: `faultline_vm_core::initial`
///         (crates/vm-core/src/initial.rs: `block_ctx`, `l1_inputs`, `initial_machine`);
///         vectors: docs/vectors/dispute/block-start.json (crates/vm-core/tests/
///         initial_vectors.rs writes them; contracts/test/dispute/InitialState.t.sol
///         runs them). Where the values come from and how they are checked against L1 is
///         `BlockStart`'s job.
library InitialState {
    /// @notice The parent header's fields the block's context is built from.
    struct Parent {
        bytes32 hash;
        bytes32 stateRoot;
        uint256 number;
        uint256 gasLimit;
        uint256 gasUsed;
        uint256 timestamp;
        uint256 baseFee;
        /// @dev From extraData: bytes 0..8 the deposit cursor; for 32 bytes, 8..16 the L1
        ///      fee origin (zero otherwise), as `faultline_primitives::l1fee` reads them.
        uint256 depositCursor;
        uint256 l1Origin;
    }

    /// @notice The chain's parameters (`RollupConfig`'s immutables).
    struct Chain {
        uint256 chainId;
        uint256 blockGasLimit;
        uint256 baseFeeFloor;
        uint256 baseFeeChangeDenominator;
        uint256 elasticityMultiplier;
        address feeRecipient;
        uint256 l1BaseFeeScalar;
        uint256 l1BlobBaseFeeScalar;
    }

    /// @notice A batch record as `BatchInbox` keeps it (the fields the machine holds).
    struct Record {
        bytes32 root;
        uint256 itemCount;
        uint256 length;
        uint256 txCount;
        bytes32 blobs;
    }

    /// @notice The block's deposits `[from, to)` and the accumulator values before each
    ///         end: `accFrom = Portal.accumulator(from − 1)`, `accTo = accumulator(to − 1)`
    ///         (zero at 0).
    struct Deposits {
        uint256 from;
        uint256 to;
        bytes32 accFrom;
        bytes32 accTo;
    }

    /// @notice A block's leaf in its batch (`BlockLeaf`).
    struct Leaf {
        uint256 index;
        uint256 number;
        uint256 timestamp;
        uint256 depositCursor;
        uint256 l1Origin;
        uint256 txCount;
        uint256 firstTx;
    }

    /// @notice The leaf is block `leaf`, not the parent's successor `want`.
    /// @param leaf The leaf's block number.
    /// @param want The parent's number plus one.
    error NotTheNextBlock(uint256 leaf, uint256 want);
    /// @notice The leaf's L1 fee origin is older than the parent's.
    /// @param origin The leaf's origin.
    /// @param parent The parent's.
    error OriginDecreased(uint256 origin, uint256 parent);
    /// @notice The parent header is not a well-formed L2 header (RLP list of at least 16
    ///         items whose integers fit 64 bits).
    /// @param at The byte offset where decoding failed.
    error MalformedHeader(uint256 at);

    // ------------------------------------------------------------ the parent header

    /// @notice The fields of the RLP-encoded header `rlp` (an Ethereum header: items 3
    ///         state root, 8 number, 9 gas limit, 10 gas used, 11 timestamp, 12 extra
    ///         data, 15 base fee) and its hash.
    /// @param rlp The header's RLP encoding.
    /// @return p The fields.
    function parent(bytes memory rlp) internal pure returns (Parent memory p) {
        p.hash = keccak256(rlp);
        (uint256 at, uint256 end) = _listBody(rlp);
        uint256 start;
        uint256 len;
        for (uint256 item = 0; item < 16; ++item) {
            if (at >= end) revert MalformedHeader(at);
            (start, len, at) = _string(rlp, at, end);
            if (item == 3) {
                if (len != 32) revert MalformedHeader(start);
                p.stateRoot = bytes32(_word(rlp, start, 32));
            } else if (item == 8) {
                p.number = _uint64(rlp, start, len);
            } else if (item == 9) {
                p.gasLimit = _uint64(rlp, start, len);
            } else if (item == 10) {
                p.gasUsed = _uint64(rlp, start, len);
            } else if (item == 11) {
                p.timestamp = _uint64(rlp, start, len);
            } else if (item == 12) {
                if (len >= 8) p.depositCursor = _word(rlp, start, 8);
                if (len == 32) p.l1Origin = _word(rlp, start + 8, 8);
            } else if (item == 15) {
                p.baseFee = _uint64(rlp, start, len);
            }
        }
    }

    /// @dev The body `[at, end)` of the RLP list that is all of `b`.
    function _listBody(bytes memory b) private pure returns (uint256 at, uint256 end) {
        uint256 n = b.length;
        if (n == 0) revert MalformedHeader(0);
        uint256 prefix = uint8(b[0]);
        if (prefix < 0xc0) revert MalformedHeader(0);
        uint256 len;
        if (prefix <= 0xf7) {
            (at, len) = (1, prefix - 0xc0);
        } else {
            uint256 ll = prefix - 0xf7;
            if (ll > 4 || n < 1 + ll) revert MalformedHeader(0);
            (at, len) = (1 + ll, _word(b, 1, ll));
        }
        end = at + len;
        if (end != n) revert MalformedHeader(0);
    }

    /// @dev The string item at `at` (before `end`): its payload `[start, start + len)` and
    ///      the next item's offset. Lists are refused: no header field is one.
    function _string(bytes memory b, uint256 at, uint256 end)
        private
        pure
        returns (uint256 start, uint256 len, uint256 next)
    {
        uint256 prefix = uint8(b[at]);
        if (prefix < 0x80) {
            (start, len) = (at, 1);
        } else if (prefix <= 0xb7) {
            (start, len) = (at + 1, prefix - 0x80);
        } else if (prefix < 0xc0) {
            uint256 ll = prefix - 0xb7;
            if (ll > 4 || at + 1 + ll > end) revert MalformedHeader(at);
            (start, len) = (at + 1 + ll, _word(b, at + 1, ll));
        } else {
            revert MalformedHeader(at);
        }
        next = start + len;
        if (next > end) revert MalformedHeader(at);
    }

    /// @dev The big-endian integer in `b[start, start + len)`, `len <= 32`.
    function _word(bytes memory b, uint256 start, uint256 len) private pure returns (uint256 v) {
        assembly ("memory-safe") {
            v := shr(sub(256, shl(3, len)), mload(add(add(b, 32), start)))
        }
        if (len == 0) v = 0;
    }

    /// @dev An integer field of at most 8 bytes.
    function _uint64(bytes memory b, uint256 start, uint256 len) private pure returns (uint256) {
        if (len > 8) revert MalformedHeader(start);
        return _word(b, start, len);
    }

    // ------------------------------------------------------------ the block

    /// @notice The base fee of the block after `p` (EIP-1559 under the chain's parameters,
    ///         never below its floor: `ChainConfig::next_base_fee`).
    /// @param p The parent.
    /// @param c The chain.
    /// @return The base fee.
    function nextBaseFee(Parent memory p, Chain memory c) internal pure returns (uint256) {
        uint256 base = p.baseFee;
        uint256 next = base;
        uint256 denominator = c.baseFeeChangeDenominator;
        uint256 target = c.elasticityMultiplier == 0 ? 0 : p.gasLimit / c.elasticityMultiplier;
        if (denominator != 0 && target != 0) {
            uint256 used = p.gasUsed;
            if (used > target) {
                uint256 up = base * (used - target) / (target * denominator);
                next = base + (up == 0 ? 1 : up);
            } else if (used < target) {
                uint256 down = base * (target - used) / (target * denominator);
                next = down > base ? 0 : base - down;
            }
        }
        return next < c.baseFeeFloor ? c.baseFeeFloor : next;
    }

    /// @notice The block's context and its deposit range `[from, to)` by derivation's
    ///         rules (`block_ctx`): the timestamp never below the parent's, the deposit
    ///         cursor raised to the forced one, the base fee from the parent.
    /// @param p The parent.
    /// @param leaf The block's leaf.
    /// @param forcedCursor `Portal.forcedCursor` at the block's timestamp.
    /// @param l1BaseFee The leaf's origin's recorded L1 base fee.
    /// @param l1BlobBaseFee Its blob base fee.
    /// @param c The chain.
    /// @return ctx The block context.
    /// @return from The first deposit of the block.
    /// @return to The deposit cursor after it.
    function blockCtx(
        Parent memory p,
        Leaf memory leaf,
        uint256 forcedCursor,
        uint256 l1BaseFee,
        uint256 l1BlobBaseFee,
        Chain memory c
    ) internal pure returns (BlockCtx memory ctx, uint256 from, uint256 to) {
        if (leaf.number != p.number + 1) revert NotTheNextBlock(leaf.number, p.number + 1);
        if (leaf.l1Origin < p.l1Origin) revert OriginDecreased(leaf.l1Origin, p.l1Origin);
        from = p.depositCursor;
        to = _max(_max(leaf.depositCursor, from), forcedCursor);
        ctx.number = leaf.number;
        ctx.timestamp = _max(leaf.timestamp, p.timestamp);
        ctx.gasLimit = c.blockGasLimit;
        ctx.basefee = nextBaseFee(p, c);
        ctx.coinbase = c.feeRecipient;
        ctx.prevrandao = p.hash;
        ctx.chainId = c.chainId;
        ctx.blobBasefee = 1;
        ctx.parentHash = p.hash;
        ctx.depositCursor = to;
        ctx.l1Origin = leaf.l1Origin;
        ctx.l1BaseFee = l1BaseFee;
        ctx.l1BlobBaseFee = l1BlobBaseFee;
        ctx.baseFeeScalar = c.l1BaseFeeScalar;
        ctx.blobBaseFeeScalar = c.l1BlobBaseFeeScalar;
        ctx.hashesInState = true;
    }

    /// @notice The commitment of the block's machine before its first step
    ///         (`initial_machine`): context `ctx`, deposits `d`, the block's entries in
    ///         its batch, over `stateRoot`.
    /// @param ctx The block context.
    /// @param r The batch record.
    /// @param leaf The block's leaf.
    /// @param d The block's deposits.
    /// @param stateRoot The parent's state root.
    /// @return The commitment.
    function commitment(BlockCtx memory ctx, Record memory r, Leaf memory leaf, Deposits memory d, bytes32 stateRoot)
        internal
        pure
        returns (bytes32)
    {
        Machine memory m;
        m.block_ = ctx;
        m.inputs.l1 = true;
        m.inputs.deposits.from = d.from;
        m.inputs.deposits.next = d.from;
        m.inputs.deposits.end = d.to;
        m.inputs.deposits.unlinked = d.to - d.from;
        m.inputs.deposits.acc = d.accTo;
        m.inputs.deposits.accFrom = d.accFrom;
        m.inputs.deposits.hashes.full = true; // the empty tree the step builds on
        bool blobs = r.blobs != bytes32(0);
        m.inputs.batch.version = blobs ? 1 : 0;
        m.inputs.batch.root = r.root;
        m.inputs.batch.itemCount = r.itemCount;
        m.inputs.batch.first = leaf.index;
        m.inputs.batch.count = leaf.txCount;
        m.inputs.batch.blobs = r.blobs;
        if (blobs) {
            m.inputs.batch.length = r.length;
            m.inputs.batch.txTotal = r.txCount;
            m.inputs.batch.firstTx = leaf.firstTx;
        }
        m.acc.bloom = new bytes(256);
        m.worldRoot = stateRoot;
        // The empty substate, the empty hash stacks (head zero) and phase NextTx (tag 0)
        // are the zero values.
        return Commitment.commit(m);
    }

    function _max(uint256 a, uint256 b) private pure returns (uint256) {
        return a > b ? a : b;
    }
}
