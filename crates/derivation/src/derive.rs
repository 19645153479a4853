//! Rebuilding L2 blocks from L1 data alone: a batch block's transactions (decoded and
//! sender-recovered here; undecodable or unsigned ones are skipped), the deposits its
//! cursor includes, and the chain config. The block is executed by the same
//! [`execute_block`] the sequencer runs and committed to a store of the verifier's own.

use alloy_consensus::{transaction::SignerRecoverable, Header, TxEnvelope};
use alloy_eips::eip2718::Decodable2718;
use alloy_primitives::B256;
use faultline_executor::{assemble_header, execute_block, BlockInputs, ExecError};
use faultline_primitives::{batch::BatchBlock, deposit_cursor, l1fee::L1FeeInputs, output_root, ChainConfig, Deposit};
use faultline_state::{BlockBody, BlockRecord, Store, StoreError};

/// Why a block could not be derived (never a transaction's content: those are skipped).
#[derive(Debug, thiserror::Error)]
pub enum DeriveError {
    /// The verifier's store failed.
    #[error("store: {0}")]
    Store(#[from] StoreError),
    /// Execution failed outside any transaction.
    #[error("execution: {0}")]
    Exec(#[from] ExecError<StoreError>),
    /// A batch skips blocks the verifier does not have (the inbox makes this impossible
    /// for batches read in order).
    #[error("block {number} does not follow the derived head {head}")]
    Gap {
        /// The block.
        number: u64,
        /// The verifier's head.
        head: u64,
    },
    /// A block's L1 fee origin breaks the rule the inbox enforces (recorded on L1 no later
    /// than the block's batch, never older than the parent's): L1 data an inbox cannot
    /// have accepted, so the address book or the L1 is not what it claims.
    #[error("block {number} names L1 fee origin {origin}: {why}")]
    BadL1Origin {
        /// The block.
        number: u64,
        /// The named L1 block.
        origin: u64,
        /// Which rule.
        why: String,
    },
    /// A block includes a deposit that L1 has not shown the verifier.
    #[error("block {number} includes deposit {index}, unknown on L1 so far")]
    UnknownDeposit {
        /// The block.
        number: u64,
        /// The deposit index.
        index: u64,
    },
}

/// What deriving one block produced.
#[derive(Clone, Debug, PartialEq, Eq)]
pub struct Derived {
    /// Block number.
    pub number: u64,
    /// Block hash.
    pub hash: B256,
    /// Output root (`docs/outputs.md`).
    pub output_root: B256,
    /// Transactions included.
    pub txs: usize,
    /// Transactions skipped (undecodable, unsigned, or invalid at their position).
    pub skipped: usize,
    /// Gas used.
    pub gas_used: u64,
}

/// The L1 fee inputs of a block naming `origin`, in a batch included by L1 block
/// `batch_l1_block`, after a parent that named `parent_origin`: checked against the
/// inbox's records `l1_fees` (by L1 block) by the inbox's own rules.
pub fn l1_fee_of(
    number: u64,
    origin: u64,
    parent_origin: u64,
    batch_l1_block: u64,
    l1_fees: &std::collections::BTreeMap<u64, L1FeeInputs>,
) -> Result<L1FeeInputs, DeriveError> {
    let bad = |why: String| DeriveError::BadL1Origin { number, origin, why };
    let rec =
        l1_fees.get(&origin).filter(|_| origin <= batch_l1_block).ok_or_else(|| bad(format!("not recorded by the inbox by L1 block {batch_l1_block}")))?;
    if origin < parent_origin {
        return Err(bad(format!("older than the parent's origin {parent_origin}")));
    }
    Ok(*rec)
}

/// A batch block's execution inputs on top of a given parent, by the derivation rules.
struct Plan {
    inputs: BlockInputs,
    deposits: Vec<Deposit>,
    candidates: Vec<(alloy_primitives::Address, TxEnvelope)>,
    undecodable: usize,
}

fn plan(
    config: &ChainConfig,
    number: u64,
    parent_hash: B256,
    parent: &Header,
    block: &BatchBlock,
    deposits: &std::collections::BTreeMap<u64, Deposit>,
    batch_l1_block: u64,
    l1_fees: &std::collections::BTreeMap<u64, L1FeeInputs>,
) -> Result<Plan, DeriveError> {
    let parent_cursor = deposit_cursor(&parent.extra_data);
    // The inbox guarantees the cursor never decreases; take the max anyway. Forced
    // inclusion: every deposit whose L1 time is a sequencing window or more before this
    // block's timestamp is included, whatever the batch says.
    let timestamp = block.timestamp.max(parent.timestamp);
    let batch_cursor = block.deposit_cursor.max(parent_cursor);
    let cursor = config.forced_cursor(batch_cursor, timestamp, |i| deposits.get(&i).map(|d| d.l1_timestamp));
    if cursor > batch_cursor {
        tracing::warn!(number, from = batch_cursor, to = cursor, "deposits forced in: the sequencer left them out past the sequencing window");
    }
    let mut included_deposits = Vec::with_capacity((cursor - parent_cursor) as usize);
    for index in parent_cursor..cursor {
        let d = deposits.get(&index).ok_or(DeriveError::UnknownDeposit { number, index })?;
        included_deposits.push(d.clone());
    }
    let base_fee = config.next_base_fee(parent.gas_used, parent.gas_limit, parent.base_fee_per_gas.unwrap_or(config.genesis_base_fee));
    let parent_origin = faultline_primitives::l1fee::l1_fee_inputs(&parent.extra_data).origin;
    let l1_fee = l1_fee_of(number, block.l1_origin, parent_origin, batch_l1_block, l1_fees)?;
    let inputs = BlockInputs {
        number,
        timestamp,
        parent_hash,
        base_fee,
        gas_limit: config.block_gas_limit,
        beneficiary: config.fee_recipient,
        deposit_cursor: cursor,
        l1_fee,
    };
    let candidates: Vec<(alloy_primitives::Address, TxEnvelope)> = block
        .txs
        .iter()
        .filter_map(|raw| {
            let tx = TxEnvelope::decode_2718_exact(raw).ok()?;
            let sender = tx.recover_signer().ok()?;
            Some((sender, tx))
        })
        .collect();
    let undecodable = block.txs.len() - candidates.len();
    Ok(Plan { inputs, deposits: included_deposits, candidates, undecodable })
}

/// Derives block `number` (from a batch included by L1 block `batch_l1_block`) on top of
/// the store's head; `l1_fees` are the inbox's L1 fee records by L1 block.
pub fn derive_block(
    store: &Store,
    config: &ChainConfig,
    number: u64,
    block: &BatchBlock,
    deposits: &std::collections::BTreeMap<u64, Deposit>,
    batch_l1_block: u64,
    l1_fees: &std::collections::BTreeMap<u64, L1FeeInputs>,
) -> Result<Derived, DeriveError> {
    let head = store.head()?.unwrap_or(0);
    if number != head + 1 {
        return Err(DeriveError::Gap { number, head });
    }
    let (parent_hash, parent) = store.header(head)?.ok_or(StoreError::UnknownBlock(head))?;
    let Plan { inputs, deposits: included_deposits, candidates, undecodable } =
        plan(config, number, parent_hash, &parent, block, deposits, batch_l1_block, l1_fees)?;
    let exec = execute_block(config, &inputs, store.latest(), &included_deposits, candidates)?;
    let prepared = store.prepare(number, parent.state_root, &exec.changes)?;
    let header = assemble_header(&inputs, &exec.included, exec.gas_used, prepared.state_root);
    let hash = header.hash_slow();
    let state_root = header.state_root;
    let record = BlockRecord {
        header,
        hash,
        body: BlockBody { transactions: exec.included.iter().map(|i| (i.sender, i.tx.clone())).collect() },
        receipts: exec.included.iter().map(|i| i.receipt.clone()).collect(),
    };
    store.commit(prepared, &record, &[])?;
    Ok(Derived {
        number,
        hash,
        output_root: output_root(state_root, hash),
        txs: exec.included.len(),
        skipped: undecodable + exec.skipped.len(),
        gas_used: exec.gas_used,
    })
}

/// Whether the store's block `number` is the one `block` derives to on top of the
/// store's block `number - 1`: `Ok(None)` if it is, else `Ok(Some(hash))`, the hash of
/// the block L1's data derives to there. The store's block may be below its head (the
/// parent state is read from history); nothing is written.
///
/// Same inputs on the same parent are the same block (one deterministic executor), so
/// a block whose timestamp, deposit cursor, L1 fee inputs and transactions are the derived inputs
/// agrees without executing; otherwise the block is executed and the hashes compared.
pub fn check_stored_block(
    store: &Store,
    config: &ChainConfig,
    number: u64,
    block: &BatchBlock,
    deposits: &std::collections::BTreeMap<u64, Deposit>,
    batch_l1_block: u64,
    l1_fees: &std::collections::BTreeMap<u64, L1FeeInputs>,
) -> Result<Option<B256>, DeriveError> {
    let parent_number = number.checked_sub(1).ok_or(StoreError::UnknownBlock(0))?;
    let (parent_hash, parent) = store.header(parent_number)?.ok_or(StoreError::UnknownBlock(parent_number))?;
    let (hash, header) = store.header(number)?.ok_or(StoreError::UnknownBlock(number))?;
    let body = store.body(number)?.ok_or(StoreError::UnknownBlock(number))?;
    let Plan { inputs, deposits: included_deposits, candidates, .. } = plan(config, number, parent_hash, &parent, block, deposits, batch_l1_block, l1_fees)?;
    let same_inputs = header.parent_hash == parent_hash
        && header.timestamp == inputs.timestamp
        && deposit_cursor(&header.extra_data) == inputs.deposit_cursor
        && faultline_primitives::l1fee::l1_fee_inputs(&header.extra_data) == inputs.l1_fee
        && body.transactions.len() == candidates.len()
        && body.transactions.iter().zip(&candidates).all(|((_, a), (_, b))| a.tx_hash() == b.tx_hash());
    if same_inputs {
        return Ok(None);
    }
    let exec = execute_block(config, &inputs, store.state_at(parent_number), &included_deposits, candidates)?;
    let state_root = store.root_over(parent_number, parent.state_root, &exec.changes)?;
    let derived = assemble_header(&inputs, &exec.included, exec.gas_used, state_root).hash_slow();
    Ok((derived != hash).then_some(derived))
}

#[cfg(test)]
mod tests {
    use super::*;

    fn fees(origins: &[u64]) -> std::collections::BTreeMap<u64, L1FeeInputs> {
        origins.iter().map(|&o| (o, L1FeeInputs { origin: o, base_fee: o * 10, blob_base_fee: 1 })).collect()
    }

    #[test]
    fn an_origin_must_be_recorded_non_decreasing_and_fresh() {
        let f = fees(&[5, 9, 300]);
        assert_eq!(l1_fee_of(1, 9, 5, 10, &f).unwrap().base_fee, 90);
        // Not recorded, or recorded only after the batch.
        assert!(matches!(l1_fee_of(1, 7, 5, 10, &f), Err(DeriveError::BadL1Origin { .. })));
        assert!(matches!(l1_fee_of(1, 300, 5, 10, &f), Err(DeriveError::BadL1Origin { .. })));
        // Older than the parent's.
        assert!(matches!(l1_fee_of(1, 5, 9, 10, &f), Err(DeriveError::BadL1Origin { .. })));
        // No bound on its age when the batch lands (as the inbox): an origin far behind the
        // newest record is still the block's (blocks sealed during a batcher outage).
        assert_eq!(l1_fee_of(1, 9, 9, 10_301, &f).unwrap().origin, 9);
        assert_eq!(l1_fee_of(1, 300, 9, 301, &f).unwrap().origin, 300);
    }
}
