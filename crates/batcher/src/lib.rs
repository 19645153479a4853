//! The batcher: takes sealed L2 blocks from the store, encodes them per
//! `docs/batches.md` and posts them to the inbox, in EIP-4844 blobs
//! (`BatchInbox.submitBlobBatch`, the default) or as calldata (`submitBatch`).
//!
//! The L1 inbox is the source of truth for progress: each round reads
//! `BatchInbox.nextBlock()` and posts from there. So a restart resumes with no gap and
//! no duplicate (the inbox rejects both), and a batch dropped by an L1 reorg is posted
//! again when `nextBlock` goes back.
//!
//! Durability rule: a batch goes to L1 only once every block in it is durable in the
//! store ([`Store::sync`], one WAL fsync per batch), so a node that loses its unsynced
//! writes never lacks a block it has posted (`docs/storage.md`, "Durability"). After a
//! batch lands, the store's [`L1Mark`] records it, bounding the start-up comparison of
//! the chain with L1.

use alloy::{network::ReceiptResponse, providers::Provider};
use alloy_eips::{eip2718::Encodable2718, eip7594::BlobTransactionSidecarEip7594};
use alloy_primitives::Bytes;
use faultline_l1::{bindings::BatchInbox, service::run_rounds};
use faultline_primitives::{
    batch::{Batch, BatchBlock, BatchError},
    blob,
};
use faultline_state::{L1Mark, Store, StoreError};
use std::{
    sync::{
        atomic::{AtomicU64, Ordering},
        Arc,
    },
    time::Duration,
};
use tracing::Instrument;

/// Where batches are posted on L1.
#[derive(Clone, Copy, Debug, Default, PartialEq, Eq)]
pub enum DataAvailability {
    /// Block headers in calldata, transactions in EIP-4844 blobs (with EIP-7594 cell
    /// proofs), up to six blobs per batch (`docs/batches.md`, "Blob batches").
    #[default]
    Blobs,
    /// Everything as calldata, checked and Merkle-committed in full by the inbox; for an
    /// L1 without blobs. About 30 times the L1 cost of blobs (`docs/bench.md`).
    Calldata,
}

impl DataAvailability {
    /// The largest batch this mode posts in one L1 transaction: the blob payload (offset
    /// table and transactions) of six blobs, or 120,000 calldata bytes.
    pub fn max_batch_bytes(self) -> usize {
        match self {
            Self::Blobs => blob::MAX_BLOBS_PER_TX * blob::PAYLOAD_BYTES_PER_BLOB,
            Self::Calldata => 120_000,
        }
    }

    /// The sequencer's block byte budget ([`DataAvailability::block_bytes`] of one
    /// block) that lets any block be posted alone in one batch.
    pub fn max_block_bytes(self) -> usize {
        match self {
            Self::Blobs => self.max_batch_bytes(),
            Self::Calldata => self.max_batch_bytes() - 13 - faultline_primitives::batch::BLOCK_HEADER_BYTES,
        }
    }

    /// The bytes a block takes in a batch of this mode: for blobs, its share of the
    /// payload (3 bytes of offset table and the bytes of each transaction; its 26-byte
    /// header goes to calldata); for calldata, header and length-prefixed transactions.
    pub fn block_bytes<'a>(self, txs: impl IntoIterator<Item = &'a [u8]>) -> usize {
        let body: usize = txs.into_iter().map(|t| 3 + t.len()).sum();
        match self {
            Self::Blobs => body,
            Self::Calldata => faultline_primitives::batch::BLOCK_HEADER_BYTES + body,
        }
    }
}

/// Most block headers a blob batch carries in its calldata (26 bytes each: about an
/// hour of 1 s blocks, posted after an outage).
pub const MAX_BLOB_BATCH_BLOCKS: usize = 4096;

impl std::str::FromStr for DataAvailability {
    type Err = String;
    fn from_str(s: &str) -> Result<Self, String> {
        match s {
            "blobs" => Ok(Self::Blobs),
            "calldata" => Ok(Self::Calldata),
            other => Err(format!("unknown data availability {other:?} (blobs or calldata)")),
        }
    }
}

/// Tuning of the batcher.
#[derive(Clone, Debug)]
pub struct BatcherConfig {
    /// Blobs or calldata.
    pub da: DataAvailability,
    /// A batch stops growing at the block that takes it past this many bytes (a single
    /// block larger than this is posted alone).
    pub max_batch_bytes: usize,
    /// How often to look for new blocks.
    pub poll: Duration,
    /// How long to wait for a batch's receipt before re-reading L1 (reorgs drop
    /// transactions without a receipt).
    pub receipt_timeout: Duration,
    /// A batch smaller than half of `max_batch_bytes` waits until its oldest block is
    /// this old, so an idle chain does not pay one L1 transaction per block.
    pub max_delay: Duration,
}

impl Default for BatcherConfig {
    fn default() -> Self {
        Self::for_da(DataAvailability::default())
    }
}

impl BatcherConfig {
    /// The defaults for one data-availability mode (batch size at its maximum).
    pub fn for_da(da: DataAvailability) -> Self {
        Self {
            da,
            max_batch_bytes: da.max_batch_bytes(),
            poll: Duration::from_secs(1),
            receipt_timeout: Duration::from_secs(30),
            max_delay: Duration::from_secs(12),
        }
    }
}

/// Why a batcher round failed (the service logs it and retries).
#[derive(Debug, thiserror::Error)]
pub enum BatcherError {
    /// The L2 store failed.
    #[error("L2 store: {0}")]
    Store(#[from] StoreError),
    /// A block the store reports as sealed is missing.
    #[error("L2 block {0} is missing from the store")]
    MissingBlock(u64),
    /// Encoding failed.
    #[error("encoding: {0}")]
    Encode(#[from] BatchError),
    /// An L1 call or transaction failed.
    #[error("L1: {0}")]
    L1(#[from] alloy::contract::Error),
    /// Computing the blobs' KZG commitments and cell proofs failed.
    #[error("KZG: {0}")]
    Kzg(String),
    /// Waiting for the batch's receipt failed.
    #[error("L1 receipt: {0}")]
    Pending(#[from] alloy::providers::PendingTransactionError),
    /// The store's sync did not cover the batch (it must: the batch is built first).
    #[error("L2 blocks up to {last} are not durable (the store synced up to {durable}); not posting")]
    NotDurable {
        /// Last block of the batch.
        last: u64,
        /// The store's durable head.
        durable: u64,
    },
    /// The inbox reverted the batch.
    #[error("batch for L2 blocks {first}..={last} reverted on L1")]
    Reverted {
        /// First block.
        first: u64,
        /// Last block.
        last: u64,
    },
}

/// What one round posted.
#[derive(Clone, Debug, PartialEq, Eq)]
pub struct Posted {
    /// L2 blocks `first..=last`.
    pub first: u64,
    /// Last L2 block.
    pub last: u64,
    /// Bytes of the batch (calldata, plus the payload in the blobs).
    pub bytes: usize,
    /// Blobs carrying it (0 for calldata).
    pub blobs: usize,
    /// L1 gas the transaction used.
    pub l1_gas: u64,
    /// Blob gas the transaction used.
    pub blob_gas: u64,
    /// L1 block that included it.
    pub l1_block: u64,
}

/// Builds the batch of sealed blocks `from..=head` for `da`, cut before the block that
/// takes it past `max_bytes` (a single larger block goes alone; the sequencer's block
/// byte budget keeps blocks below the mode's maximum).
pub fn build_batch(store: &Store, from: u64, head: u64, da: DataAvailability, max_bytes: usize) -> Result<Option<Batch>, BatcherError> {
    if from > head {
        return Ok(None);
    }
    let mut batch = Batch { first_block: from, blocks: Vec::new() };
    let mut size = match da {
        DataAvailability::Blobs => 0,
        DataAvailability::Calldata => 13,
    };
    for n in from..=head {
        if da == DataAvailability::Blobs && batch.blocks.len() >= MAX_BLOB_BATCH_BLOCKS {
            break;
        }
        let (_, header) = store.header(n)?.ok_or(BatcherError::MissingBlock(n))?;
        let body = store.body(n)?.ok_or(BatcherError::MissingBlock(n))?;
        let txs: Vec<Bytes> = body.transactions.iter().map(|(_, tx)| Bytes::from(tx.encoded_2718())).collect();
        let block_size = da.block_bytes(txs.iter().map(|t| t.as_ref()));
        if !batch.blocks.is_empty() && size + block_size > max_bytes {
            break;
        }
        size += block_size;
        batch.blocks.push(BatchBlock::of_block(&header, txs));
    }
    Ok(Some(batch))
}

/// The EIP-7594 sidecar carrying `payload` (`docs/batches.md`, "Blob batches"): the
/// blobs, their KZG commitments and 128 cell proofs per blob. CPU-bound; run it off the
/// async workers.
pub fn blob_sidecar(payload: &[u8]) -> Result<BlobTransactionSidecarEip7594, BatcherError> {
    BlobTransactionSidecarEip7594::try_from_blobs(blob::encode(payload)).map_err(|e| BatcherError::Kzg(e.to_string()))
}

/// Running totals of a batcher (read by the metrics endpoint).
#[derive(Debug, Default)]
pub struct BatcherStats {
    /// Batches posted.
    pub batches: AtomicU64,
    /// Batch bytes posted (calldata and blob payload).
    pub bytes: AtomicU64,
    /// L1 gas spent.
    pub l1_gas: AtomicU64,
    /// Blobs posted.
    pub blobs: AtomicU64,
    /// Blob gas spent.
    pub blob_gas: AtomicU64,
    /// Last L2 block posted.
    pub last_block: AtomicU64,
}

/// The batcher service.
pub struct Batcher<P> {
    store: Arc<Store>,
    inbox: BatchInbox::BatchInboxInstance<P>,
    cfg: BatcherConfig,
    stats: Arc<BatcherStats>,
}

impl<P: Provider + Clone> Batcher<P> {
    /// A batcher posting to the inbox at `inbox` through `provider` (whose wallet must
    /// hold the sequencer key).
    pub fn new(store: Arc<Store>, provider: P, inbox: alloy_primitives::Address, cfg: BatcherConfig) -> Self {
        Self { store, inbox: BatchInbox::new(inbox, provider), cfg, stats: Arc::default() }
    }

    /// Its running totals.
    pub fn stats(&self) -> Arc<BatcherStats> {
        self.stats.clone()
    }

    /// One round: posts the next batch if there are sealed blocks the inbox lacks.
    pub async fn step(&self) -> Result<Option<Posted>, BatcherError> {
        let next = self.inbox.nextBlock().call().await?;
        let head = self.store.head()?.unwrap_or(0);
        let Some(batch) = build_batch(&self.store, next, head, self.cfg.da, self.cfg.max_batch_bytes)? else { return Ok(None) };
        let first = batch.first_block;
        let last = first + batch.blocks.len() as u64 - 1;
        let (calldata, payload) = match self.cfg.da {
            DataAvailability::Calldata => (batch.encode()?, None),
            DataAvailability::Blobs => {
                let b = batch.encode_blob()?;
                (b.header, Some(b.payload))
            }
        };
        let bytes = calldata.len() + payload.as_ref().map_or(0, Vec::len);
        let oldest = batch.blocks.first().map(|b| b.timestamp).unwrap_or_default();
        let now = std::time::SystemTime::now().duration_since(std::time::UNIX_EPOCH).map(|d| d.as_secs()).unwrap_or(0);
        let size = payload.as_ref().map_or(calldata.len(), Vec::len);
        if size < self.cfg.max_batch_bytes / 2 && now.saturating_sub(oldest) < self.cfg.max_delay.as_secs() {
            return Ok(None); // not worth an L1 transaction yet
        }
        // Durability: a block on L1 must never be one a crash of this node can take back
        // (it would restart behind L1 and fork from it).
        let durable = self.store.sync()?;
        if durable < last {
            return Err(BatcherError::NotDurable { last, durable });
        }
        // A transaction dropped by an L1 reorg never gets a receipt: give up after the
        // timeout and let the next round re-read the inbox.
        let (pending, blobs) = match payload {
            None => (self.inbox.submitBatch(calldata.into()).send().await?, 0),
            Some(payload) => {
                let sidecar = tokio::task::spawn_blocking(move || blob_sidecar(&payload)).await.map_err(|e| BatcherError::Kzg(e.to_string()))??;
                let blobs = sidecar.blobs.len();
                (self.inbox.submitBlobBatch(calldata.into()).sidecar_7594(sidecar).send().await?, blobs)
            }
        };
        let receipt = pending.with_timeout(Some(self.cfg.receipt_timeout)).get_receipt().await?;
        if !receipt.status() {
            return Err(BatcherError::Reverted { first, last });
        }
        let l1_block = receipt.block_number().unwrap_or_default();
        if let Err(e) = self.store.put_l1_mark(L1Mark { l2_block: last, l1_block }) {
            tracing::warn!(error = %e, "could not record the batch in the store; the next start compares more blocks with L1");
        }
        Ok(Some(Posted { first, last, bytes, blobs, l1_gas: receipt.gas_used(), blob_gas: receipt.blob_gas_used().unwrap_or_default(), l1_block }))
    }

    /// Runs rounds until `shutdown` resolves; errors are logged and retried.
    pub async fn run(self, shutdown: impl std::future::Future<Output = ()>) {
        let span = tracing::info_span!("batcher", inbox = %self.inbox.address());
        self.run_loop(shutdown).instrument(span).await
    }

    async fn run_loop(self, shutdown: impl std::future::Future<Output = ()>) {
        let stats = self.stats.clone();
        let record = move |p: Posted| {
            stats.batches.fetch_add(1, Ordering::Relaxed);
            stats.bytes.fetch_add(p.bytes as u64, Ordering::Relaxed);
            stats.l1_gas.fetch_add(p.l1_gas, Ordering::Relaxed);
            stats.blobs.fetch_add(p.blobs as u64, Ordering::Relaxed);
            stats.blob_gas.fetch_add(p.blob_gas, Ordering::Relaxed);
            stats.last_block.store(p.last, Ordering::Relaxed);
            tracing::info!(
                first = p.first,
                last = p.last,
                bytes = p.bytes,
                blobs = p.blobs,
                l1_gas = p.l1_gas,
                blob_gas = p.blob_gas,
                l1_block = p.l1_block,
                "batch posted"
            );
        };
        run_rounds("batch", self.cfg.poll, || self.step(), record, shutdown).await
    }
}
