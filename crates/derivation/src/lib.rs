//! Derivation: the rollup's inputs read from L1 alone. [`L1Reader`] turns the portal's
//! `DepositQueued` logs into [`Deposit`]s and the inbox's `BatchSubmitted` and
//! `BlobBatchSubmitted` logs (with their transactions' calldata, and for blob batches
//! the blobs from a beacon endpoint, [`blobs`]) into decoded [`Batch`]es. The
//! sequencer's deposit follower and the verifier both read L1 through it, and a
//! sequencer compares its chain with L1's at start-up ([`reconcile`]).

pub mod blobs;
pub mod derive;
pub mod reconcile;
pub mod verifier;

pub use blobs::{BeaconBlobs, BlobFetchError};
pub use derive::{check_stored_block, derive_block, DeriveError, Derived};

use alloy::{
    consensus::Transaction as _,
    providers::Provider,
    rpc::types::Filter,
    sol_types::{SolCall, SolEvent},
};
use alloy_primitives::{Address, B256};
use faultline_l1::bindings::{BatchInbox, Portal};
use faultline_primitives::{
    batch::{Batch, BatchError},
    l1fee::L1FeeInputs,
    Deposit,
};

/// Why reading L1 failed.
#[derive(Debug, thiserror::Error)]
pub enum ReadError {
    /// The L1 endpoint failed.
    #[error("L1 RPC: {0}")]
    Rpc(#[from] alloy::transports::TransportError),
    /// A log of the portal or inbox did not decode (wrong address book?).
    #[error("undecodable {what} log in L1 block {block:?}: {reason}")]
    BadLog {
        /// Which event.
        what: &'static str,
        /// Where.
        block: Option<u64>,
        /// Decoder message.
        reason: String,
    },
    /// The L1 node does not know the block a log points to (a lagging or reorged node).
    #[error("L1 block {0} of a deposit log is missing")]
    MissingBlock(B256),
    /// The L1 node does not know a block below its own head (a lagging or reorged node).
    #[error("L1 block {0} is missing")]
    MissingBlockNumber(u64),
    /// The L1 node does not know a transaction its own log points to.
    #[error("L1 transaction {0} of a batch log is missing")]
    MissingTx(B256),
    /// A blob batch's blobs could not be had (retried: never skipped).
    #[error("blobs of batch {index}: {source}")]
    Blobs {
        /// Inbox index of the batch.
        index: u64,
        /// Why.
        source: BlobFetchError,
    },
    /// A blob batch was found but the reader has no beacon endpoint.
    #[error("batch {0} is a blob batch and no beacon endpoint is configured (--l1-beacon)")]
    NoBeacon(u64),
}

/// A batch as found on L1.
#[derive(Clone, Debug, PartialEq, Eq)]
pub struct L1Batch {
    /// Inbox index.
    pub index: u64,
    /// L1 block that included it.
    pub l1_block: u64,
    /// The commitment the inbox recorded.
    pub root: B256,
    /// The versioned hashes of its blobs (empty for a calldata batch).
    pub blob_hashes: Vec<B256>,
    /// Its blobs as the beacon endpoint served them (empty for a calldata batch): the
    /// fault VM opens a blob batch's entries from these, not from a re-encoding.
    pub blobs: Vec<faultline_primitives::blob::Blob>,
    /// The payload's length the inbox recorded (blobs), or the calldata batch's bytes.
    pub length: u64,
    /// The decoded batch; the inbox only accepts well-formed headers and calldata
    /// batches, so an error here means the calldata is not a direct `submitBatch` or
    /// `submitBlobBatch` call (e.g. from a contract).
    pub batch: Result<Batch, BatchError>,
}

/// Reads deposits and batches from one deployment.
#[derive(Clone, Debug)]
pub struct L1Reader<P> {
    provider: P,
    portal: Address,
    inbox: Address,
    beacon: Option<std::sync::Arc<BeaconBlobs>>,
}

impl<P: Provider + Clone> L1Reader<P> {
    /// A reader of the portal and inbox at these addresses (calldata batches only; see
    /// [`Self::with_beacon`]).
    pub fn new(provider: P, portal: Address, inbox: Address) -> Self {
        Self { provider, portal, inbox, beacon: None }
    }

    /// Reads blob batches' blobs from this beacon endpoint.
    pub fn with_beacon(mut self, beacon: BeaconBlobs) -> Self {
        self.beacon = Some(std::sync::Arc::new(beacon));
        self
    }

    /// The provider.
    pub fn provider(&self) -> &P {
        &self.provider
    }

    /// The batch inbox it reads.
    pub fn inbox(&self) -> Address {
        self.inbox
    }

    /// The timestamp of L1 block `number`.
    pub async fn block_time(&self, number: u64) -> Result<u64, ReadError> {
        let block = self.provider.get_block_by_number(number.into()).await?;
        block.map(|b| b.header.timestamp).ok_or(ReadError::MissingBlockNumber(number))
    }

    /// Deposits queued in L1 blocks `from..=to`, in index order.
    pub async fn deposits(&self, from: u64, to: u64) -> Result<Vec<Deposit>, ReadError> {
        let filter = Filter::new().address(self.portal).event_signature(Portal::DepositQueued::SIGNATURE_HASH).from_block(from).to_block(to);
        let mut out = Vec::new();
        let mut timestamps = std::collections::HashMap::new();
        for log in self.provider.get_logs(&filter).await? {
            let block = log.block_number;
            // The deposit's L1 time decides forced inclusion, so it is read from the log's
            // own block (by hash: a reorged block's time never leaks in) and never guessed:
            // a node that cannot say is an error to retry, not a time of 0.
            let l1_timestamp = match (log.block_timestamp, log.block_hash) {
                (Some(t), _) => t,
                (None, Some(h)) => match timestamps.get(&h) {
                    Some(t) => *t,
                    None => {
                        let t = self.provider.get_block_by_hash(h).await?.map(|b| b.header.timestamp).ok_or(ReadError::MissingBlock(h))?;
                        timestamps.insert(h, t);
                        t
                    }
                },
                (None, None) => return Err(ReadError::BadLog { what: "DepositQueued", block, reason: "the log names no block".into() }),
            };
            let ev =
                log.log_decode::<Portal::DepositQueued>().map_err(|e| ReadError::BadLog { what: "DepositQueued", block, reason: e.to_string() })?.inner.data;
            out.push(Deposit {
                index: ev.index.saturating_to(),
                from: ev.from,
                to: ev.to,
                mint: ev.mint,
                value: ev.value,
                gas_limit: ev.gasLimit,
                l1_block: ev.l1BlockNumber,
                l1_timestamp,
                data: ev.data,
            });
        }
        out.sort_by_key(|d| d.index);
        Ok(out)
    }

    /// The L1 fee values the inbox recorded in L1 blocks `from..=to` (`L1FeeRecorded`),
    /// by L1 block: what L2 blocks may name as their L1 fee origin (`docs/chain.md`, "L1 fee").
    pub async fn l1_fees(&self, from: u64, to: u64) -> Result<Vec<L1FeeInputs>, ReadError> {
        let filter = Filter::new().address(self.inbox).event_signature(BatchInbox::L1FeeRecorded::SIGNATURE_HASH).from_block(from).to_block(to);
        let mut out = Vec::new();
        for log in self.provider.get_logs(&filter).await? {
            let block = log.block_number;
            let ev = log
                .log_decode::<BatchInbox::L1FeeRecorded>()
                .map_err(|e| ReadError::BadLog { what: "L1FeeRecorded", block, reason: e.to_string() })?
                .inner
                .data;
            out.push(L1FeeInputs { origin: ev.l1Block, base_fee: ev.baseFee, blob_base_fee: ev.blobBaseFee });
        }
        out.sort_by_key(|f| f.origin);
        Ok(out)
    }

    /// Batches posted in L1 blocks `from..=to`, in inbox order.
    pub async fn batches(&self, from: u64, to: u64) -> Result<Vec<L1Batch>, ReadError> {
        let filter = Filter::new()
            .address(self.inbox)
            .event_signature(vec![BatchInbox::BatchSubmitted::SIGNATURE_HASH, BatchInbox::BlobBatchSubmitted::SIGNATURE_HASH])
            .from_block(from)
            .to_block(to);
        let mut out = Vec::new();
        for log in self.provider.get_logs(&filter).await? {
            let block = log.block_number;
            let tx_hash = log.transaction_hash.unwrap_or_default();
            let bad = |what: &'static str, e: alloy::sol_types::Error| ReadError::BadLog { what, block, reason: e.to_string() };
            let tx = self.provider.get_transaction_by_hash(tx_hash).await?.ok_or(ReadError::MissingTx(tx_hash))?;
            if log.topic0() == Some(&BatchInbox::BatchSubmitted::SIGNATURE_HASH) {
                let ev = log.log_decode::<BatchInbox::BatchSubmitted>().map_err(|e| bad("BatchSubmitted", e))?.inner.data;
                let batch = match BatchInbox::submitBatchCall::abi_decode(tx.input()) {
                    Ok(call) => Batch::decode(&call.data),
                    Err(_) => Err(BatchError::DoesNotFit("not a direct submitBatch call")),
                };
                let length = BatchInbox::submitBatchCall::abi_decode(tx.input()).map_or(0, |c| c.data.len() as u64);
                out.push(L1Batch {
                    index: ev.index.saturating_to(),
                    l1_block: block.unwrap_or_default(),
                    root: ev.root,
                    blob_hashes: Vec::new(),
                    blobs: Vec::new(),
                    length,
                    batch,
                });
                continue;
            }
            let ev = log.log_decode::<BatchInbox::BlobBatchSubmitted>().map_err(|e| bad("BlobBatchSubmitted", e))?.inner.data;
            let index: u64 = ev.index.saturating_to();
            let header = match BatchInbox::submitBlobBatchCall::abi_decode(tx.input()) {
                Ok(call) => call.header,
                Err(_) => {
                    out.push(L1Batch {
                        index,
                        l1_block: block.unwrap_or_default(),
                        root: ev.root,
                        blob_hashes: ev.blobHashes,
                        blobs: Vec::new(),
                        length: u64::from(ev.length),
                        batch: Err(BatchError::DoesNotFit("not a direct submitBlobBatch call")),
                    });
                    continue;
                }
            };
            let beacon = self.beacon.as_ref().ok_or(ReadError::NoBeacon(index))?;
            let number = block.unwrap_or_default();
            let timestamp = match log.block_timestamp {
                Some(t) => t,
                None => self.provider.get_block_by_number(number.into()).await?.map(|b| b.header.timestamp).unwrap_or_default(),
            };
            let blobs = beacon.blobs(number, timestamp, &ev.blobHashes).await.map_err(|source| ReadError::Blobs { index, source })?;
            let payload = faultline_primitives::blob::decode(&blobs, ev.length as usize).map_err(|e| ReadError::Blobs { index, source: e.into() })?;
            out.push(L1Batch {
                index,
                l1_block: number,
                root: ev.root,
                blob_hashes: ev.blobHashes,
                blobs,
                length: u64::from(ev.length),
                batch: Batch::decode_blob(&header, &payload),
            });
        }
        out.sort_by_key(|b| b.index);
        Ok(out)
    }
}
