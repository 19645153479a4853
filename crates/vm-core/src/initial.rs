//! A block's initial machine state from what L1 holds (docs/fault-vm-inputs.md,
//! "`initial_commitment`"): the commitment the dispute game computes itself at the leaf of
//! its first level, so that no claimant chooses the block's inputs. The game contract
//! ports [`initial_commitment`]; its inputs are the values it reads or checks on L1:
//!
//! - the agreed parent output's preimage (state root, block hash) and the parent header,
//!   whose RLP hashes to that block hash;
//! - the batch record (`BatchInbox.batches(j)`) and the block's leaf in it
//!   (`BatchReader.verifyItem`);
//! - `Portal.forcedCursor(timestamp)` and the accumulators `Portal.accumulator(from −
//!   1)` and `accumulator(to − 1)`;
//! - `BatchInbox.l1Fee(origin)`;
//! - the chain's `RollupConfig` immutables (here a [`ChainConfig`] equal to them, which
//!   a node checks at start: `faultline_l1::chain::check_chain`).
//!
//! The rules are derivation's (`crates/derivation/src/derive.rs`, `plan`).

use crate::{
    inputs::{BatchSource, DepositSource, L1Inputs},
    machine::{BlockCtx, BlockHashes, Machine},
    world::World,
};
use alloy_consensus::Header;
use alloy_primitives::B256;
use faultline_primitives::{l1fee::L1FeeInputs, ChainConfig};

/// A batch record as `BatchInbox` keeps it (docs/batches.md, "Posting").
#[derive(Debug, Clone, Copy, PartialEq, Eq, Default)]
pub struct BatchRecord {
    /// The Merkle root over its items.
    pub root: B256,
    /// Its first L2 block.
    pub first_block: u64,
    /// Its item count.
    pub item_count: u64,
    /// The payload's length (blobs; the calldata's for calldata).
    pub length: u64,
    /// Its transaction count.
    pub tx_count: u64,
    /// keccak256 of the blobs' versioned hashes (zero for calldata).
    pub blobs: B256,
}

impl BatchRecord {
    /// The batch's form, which the inbox does not store: 1 (blobs) when the record
    /// commits to blobs, else 0 (calldata).
    pub fn version(&self) -> u8 {
        u8::from(self.blobs != B256::ZERO)
    }
}

/// A block's leaf in its batch, as `BatchReader.verifyItem` proved it.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Default)]
pub struct BlockLeaf {
    /// Its item index in the batch.
    pub index: u64,
    /// The block number.
    pub number: u64,
    /// The batch's timestamp for it.
    pub timestamp: u64,
    /// The batch's deposit cursor for it.
    pub deposit_cursor: u64,
    /// Its L1 fee origin.
    pub l1_origin: u64,
    /// Its transaction count.
    pub tx_count: u64,
    /// Blobs: the batch-wide index of its first transaction.
    pub first_tx: u64,
}

/// Why a block's initial state cannot be computed: the values given are not those of a
/// block L1 derives (a game contract reverts on each).
#[derive(Debug, Clone, PartialEq, Eq, thiserror::Error)]
pub enum InitialError {
    /// The leaf is not the block after the parent.
    #[error("the leaf is block {leaf}, not the parent's successor {want}")]
    NotTheNextBlock {
        /// The leaf's number.
        leaf: u64,
        /// The parent's number plus one.
        want: u64,
    },
    /// The L1 fee origin is older than the parent's.
    #[error("L1 fee origin {origin} is older than the parent's {parent}")]
    OriginDecreased {
        /// The leaf's origin.
        origin: u64,
        /// The parent's.
        parent: u64,
    },
    /// The fee record is not the origin's.
    #[error("the L1 fee record is for L1 block {got}, not the origin {want}")]
    WrongFeeRecord {
        /// The record's L1 block.
        got: u64,
        /// The leaf's origin.
        want: u64,
    },
    /// The parent output's state root is not the parent header's.
    #[error("the parent output's state root {output} is not its header's {header}")]
    StateRootMismatch {
        /// From the output's preimage.
        output: B256,
        /// From the header.
        header: B256,
    },
    /// A leaf or record field out of the machine's range.
    #[error("{0}")]
    Inconsistent(&'static str),
}

/// The block's context and its deposit range `[from, to)` by derivation's rules: the
/// timestamp never below the parent's, the deposit cursor raised to the forced one, the
/// base fee from the parent header under the chain's EIP-1559 parameters.
pub fn block_ctx(
    parent: &Header,
    leaf: &BlockLeaf,
    forced_cursor: u64,
    l1_fee: L1FeeInputs,
    config: &ChainConfig,
) -> Result<(BlockCtx, u64, u64), InitialError> {
    if leaf.number != parent.number + 1 {
        return Err(InitialError::NotTheNextBlock { leaf: leaf.number, want: parent.number + 1 });
    }
    let parent_origin = faultline_primitives::l1fee::l1_fee_inputs(&parent.extra_data).origin;
    if leaf.l1_origin < parent_origin {
        return Err(InitialError::OriginDecreased { origin: leaf.l1_origin, parent: parent_origin });
    }
    if l1_fee.origin != leaf.l1_origin {
        return Err(InitialError::WrongFeeRecord { got: l1_fee.origin, want: leaf.l1_origin });
    }
    let from = faultline_primitives::deposit_cursor(&parent.extra_data);
    let timestamp = leaf.timestamp.max(parent.timestamp);
    let to = leaf.deposit_cursor.max(from).max(forced_cursor);
    let parent_hash = parent.hash_slow();
    let ctx = BlockCtx {
        number: leaf.number,
        timestamp,
        gas_limit: config.block_gas_limit,
        basefee: config.next_base_fee(parent.gas_used, parent.gas_limit, parent.base_fee_per_gas.unwrap_or(config.genesis_base_fee)),
        coinbase: config.fee_recipient,
        prevrandao: parent_hash,
        chain_id: config.chain_id,
        blob_basefee: 1,
        parent_hash,
        deposit_cursor: to,
        l1_fee,
        l1_scalars: config.l1_fee_scalars(),
        block_hashes: BlockHashes::State,
    };
    Ok((ctx, from, to))
}

/// The inputs part of the initial state: the deposits `[from, to)` between the
/// accumulator values `acc[from − 1]` and `acc[to − 1]`, and the block's entries in its
/// batch. No prover data: a witness's view.
pub fn l1_inputs(record: &BatchRecord, leaf: &BlockLeaf, from: u64, to: u64, acc_from: B256, acc_to: B256) -> L1Inputs {
    let version = record.version();
    let batch = BatchSource {
        version,
        root: record.root,
        item_count: record.item_count,
        first: leaf.index,
        count: leaf.tx_count,
        next: 0,
        blobs: record.blobs,
        length: if version == 1 { record.length } else { 0 },
        tx_total: if version == 1 { record.tx_count } else { 0 },
        first_tx: if version == 1 { leaf.first_tx } else { 0 },
    };
    L1Inputs { started: false, deposits: DepositSource::new(from, to, acc_from, acc_to), batch, chunk: None, entry: None, data: None, skipped: Vec::new() }
}

/// Everything [`initial_commitment`] reads, as L1 holds it.
#[derive(Debug, Clone)]
pub struct InitialSource {
    /// The agreed parent output's state root.
    pub parent_state_root: B256,
    /// The parent header (its hash is the agreed parent output's block hash).
    pub parent: Header,
    /// The block's batch record.
    pub record: BatchRecord,
    /// The block's leaf in it.
    pub leaf: BlockLeaf,
    /// `Portal.forcedCursor(max(leaf.timestamp, parent.timestamp))`.
    pub forced_cursor: u64,
    /// `BatchInbox.l1Fee(leaf.l1Origin)`.
    pub l1_fee: L1FeeInputs,
}

/// The block's initial machine over the parent's state root (a witness's view: every
/// tree a root), given the accumulator values at the ends of its deposit range, which
/// [`block_ctx`] gives: `acc(i)` is `Portal.accumulator(i)`, called for `from − 1` (zero
/// for `from = 0`) and `to − 1` only.
pub fn initial_machine(src: &InitialSource, config: &ChainConfig, acc: impl Fn(u64) -> B256) -> Result<Machine, InitialError> {
    if src.parent_state_root != src.parent.state_root {
        return Err(InitialError::StateRootMismatch { output: src.parent_state_root, header: src.parent.state_root });
    }
    let (ctx, from, to) = block_ctx(&src.parent, &src.leaf, src.forced_cursor, src.l1_fee, config)?;
    let at = |n: u64| if n == 0 { B256::ZERO } else { acc(n - 1) };
    let inputs = l1_inputs(&src.record, &src.leaf, from, to, at(from), at(to));
    Ok(Machine::from_l1(ctx, inputs, World::Proven(src.parent_state_root)))
}

/// The commitment of the block's initial machine state: what the dispute game computes
/// at the leaf of its first level.
pub fn initial_commitment(src: &InitialSource, config: &ChainConfig, acc: impl Fn(u64) -> B256) -> Result<B256, InitialError> {
    initial_machine(src, config, acc)?.commitment().map_err(|_| InitialError::Inconsistent("a proven machine always has a commitment"))
}
