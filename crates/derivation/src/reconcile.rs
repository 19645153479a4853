//! Start-up reconciliation of a sequencer's chain with L1 (`docs/pipeline.md`,
//! "Start-up reconciliation").
//!
//! The L1 inbox is the rollup's chain. Before a sequencer produces a block it compares
//! its store with the inbox's batches for the blocks it has not yet checked (those after
//! the store's [`L1Mark`]): a block L1 holds and the store lacks is derived from L1 into
//! the store (the node continues on L1's chain); a block the store holds differently from
//! L1 is [`ReconcileError::Diverged`], and the node must not run on that store; blocks the
//! store holds beyond L1 are fine (not batched yet).

use crate::{check_stored_block, derive_block, DeriveError, L1Batch, L1Reader, ReadError};
use alloy::providers::Provider;
use alloy_primitives::B256;
use faultline_l1::bindings::BatchInbox;
use faultline_primitives::{l1fee::L1FeeInputs, ChainConfig, Deposit};
use faultline_state::{L1Mark, Store, StoreError};
use std::{collections::BTreeMap, time::Instant};

/// Why reconciliation failed.
#[derive(Debug, thiserror::Error)]
pub enum ReconcileError {
    /// Reading L1 failed (transient: retry).
    #[error(transparent)]
    Read(#[from] ReadError),
    /// An inbox call failed (transient: retry).
    #[error("batch inbox: {0}")]
    Inbox(#[from] alloy::contract::Error),
    /// The L1 endpoint failed (transient: retry).
    #[error("L1 RPC: {0}")]
    Rpc(#[from] alloy::transports::TransportError),
    /// Deriving a block from L1 failed.
    #[error(transparent)]
    Derive(#[from] DeriveError),
    /// The store failed.
    #[error(transparent)]
    Store(#[from] StoreError),
    /// The store holds a block that L1's chain does not have at that height.
    #[error(
        "this data dir's block {number} is {local}, but L1's block {number} (inbox batch {batch}) is {l1}: the data dir holds a chain \
         that is not the one on L1 (blocks lost and made again, an old backup, or blocks made without L1), and the node refuses to run on \
         it. Its blocks from {number} on were never posted to L1; to continue on L1's chain, move the data dir aside and start on an \
         empty one (the node derives the chain from L1), or restore a copy taken before block {number} was made"
    )]
    Diverged {
        /// The first block that differs.
        number: u64,
        /// Its hash in the store.
        local: B256,
        /// The hash of L1's block there.
        l1: B256,
        /// The inbox index of the batch holding it.
        batch: u64,
    },
    /// L1's batches, as read, skip blocks (an inbox batch that does not decode, or an
    /// L1 read that missed a batch).
    #[error("L1's batch {batch} holds block {number} where block {expected} was expected next: a batch is missing from what was read of L1")]
    Gap {
        /// The batch.
        batch: u64,
        /// Its block.
        number: u64,
        /// The block expected.
        expected: u64,
    },
    /// The batches read end before the inbox's newest block (an L1 endpoint whose logs lag
    /// its state, or an L1 that moved between the reads): nothing is decided, try again.
    #[error("the batches read from L1 end at block {read}, but the inbox holds blocks up to {on_l1}: L1 was read short")]
    Short {
        /// The last block the batches read hold.
        read: u64,
        /// `BatchInbox.nextBlock() - 1` when the reads began.
        on_l1: u64,
    },
}

impl ReconcileError {
    /// Whether trying again later can succeed (L1 unreachable, changing, or read short),
    /// as opposed to a verdict on the store ([`ReconcileError::Diverged`],
    /// [`ReconcileError::Gap`]) or a store failure.
    pub fn is_transient(&self) -> bool {
        matches!(self, Self::Read(_) | Self::Inbox(_) | Self::Rpc(_) | Self::Short { .. })
    }
}

/// What reconciliation found and did.
#[derive(Clone, Debug, Default, PartialEq)]
pub struct Reconciled {
    /// The store's head before.
    pub head_before: u64,
    /// The store's head after (the node continues from it).
    pub head: u64,
    /// The newest L2 block on L1 (`BatchInbox.nextBlock() - 1`).
    pub on_l1: u64,
    /// Stored blocks compared with L1's and found equal.
    pub compared: u64,
    /// Blocks derived from L1 into the store.
    pub rederived: u64,
    /// Wall-clock seconds, L1 reads included.
    pub secs: f64,
}

/// Compares `batches` (in inbox order) with the store and derives into the store the
/// blocks it lacks; blocks up to `checked` (at most the store's head) are skipped (known
/// to agree), and the batches must hold every block after it. Returns the
/// counts and the mark to record: the newest block now known to be L1's, with the L1
/// block of its batch.
pub fn apply_batches(
    store: &Store,
    config: &ChainConfig,
    batches: &[L1Batch],
    deposits: &BTreeMap<u64, Deposit>,
    l1_fees: &BTreeMap<u64, L1FeeInputs>,
    checked: u64,
) -> Result<(Reconciled, Option<L1Mark>), ReconcileError> {
    let mut head = store.head()?.unwrap_or(0);
    let mut out = Reconciled { head_before: head, ..Default::default() };
    let mut mark = None;
    let mut next = checked + 1;
    for b in batches {
        let batch = match &b.batch {
            Ok(batch) => batch,
            Err(e) => {
                tracing::warn!(index = b.index, error = %e, "batch calldata does not decode; skipped (as derivation does)");
                continue;
            }
        };
        for (i, block) in batch.blocks.iter().enumerate() {
            let number = batch.first_block + i as u64;
            if number <= checked {
                continue;
            }
            if number != next {
                return Err(ReconcileError::Gap { batch: b.index, number, expected: next });
            }
            next += 1;
            if number <= head {
                if let Some(l1) = check_stored_block(store, config, number, block, deposits, b.l1_block, l1_fees)? {
                    let local = store.header(number)?.map(|(h, _)| h).unwrap_or_default();
                    return Err(ReconcileError::Diverged { number, local, l1, batch: b.index });
                }
                out.compared += 1;
            } else {
                let d = derive_block(store, config, number, block, deposits, b.l1_block, l1_fees)?;
                tracing::info!(number, hash = %d.hash, txs = d.txs, "block re-derived from L1");
                head = number;
                out.rederived += 1;
            }
            mark = Some(L1Mark { l2_block: number, l1_block: b.l1_block });
        }
    }
    out.head = head;
    Ok((out, mark))
}

/// Reconciles the store with the inbox `reader` reads (deployed at L1 block
/// `deployment_block`), and records how far they agree in the store's [`L1Mark`].
/// Reads L1 at its head (no confirmation depth: the batches are this sequencer's own,
/// and one an L1 reorg drops is posted again from the store).
pub async fn reconcile<P: Provider + Clone>(
    reader: &L1Reader<P>,
    store: &Store,
    config: &ChainConfig,
    deployment_block: u64,
) -> Result<Reconciled, ReconcileError> {
    let started = Instant::now();
    let inbox = BatchInbox::new(reader.inbox(), reader.provider().clone());
    let on_l1 = inbox.nextBlock().call().await?.saturating_sub(1);
    let head = store.head()?.unwrap_or(0);
    let mark = store.l1_mark()?.filter(|m| m.l2_block <= head);
    let checked = mark.map_or(0, |m| m.l2_block);
    if on_l1 <= checked {
        // L1 has nothing this store has not already found equal.
        return Ok(Reconciled { head_before: head, head, on_l1, secs: started.elapsed().as_secs_f64(), ..Default::default() });
    }
    let l1_head = reader.provider().get_block_number().await?;
    // The batch ending at the mark is in its L1 block, so every later one is at or after it.
    let from = mark.map_or(deployment_block, |m| m.l1_block.max(deployment_block));
    let batches = reader.batches(from, l1_head).await?;
    let deposits: BTreeMap<u64, Deposit> = reader.deposits(deployment_block, l1_head).await?.into_iter().map(|d| (d.index, d)).collect();
    // A block may name any L1 fee record since the deployment (docs/chain.md, "L1 fee").
    let l1_fees: BTreeMap<u64, L1FeeInputs> = reader.l1_fees(deployment_block, l1_head).await?.into_iter().map(|f| (f.origin, f)).collect();
    let (mut out, new_mark) = apply_batches(store, config, &batches, &deposits, &l1_fees, checked)?;
    let read = new_mark.map_or(checked, |m| m.l2_block);
    if read < on_l1 {
        return Err(ReconcileError::Short { read, on_l1 });
    }
    if let Some(m) = new_mark {
        store.put_l1_mark(m)?;
    }
    out.on_l1 = on_l1;
    out.secs = started.elapsed().as_secs_f64();
    Ok(out)
}
