//! Blob contents for derivation: fetched from an L1 beacon endpoint's `getBlobs`
//! (`GET /eth/v1/beacon/blobs/{block_id}?versioned_hashes=…`) and checked against the
//! versioned hashes the inbox recorded, so a lying endpoint can delay derivation but
//! never change it (`docs/pipeline.md`, "Blobs").
//!
//! The block id: a consensus client indexes blocks by slot, computed here from the
//! execution block's timestamp with `/eth/v1/beacon/genesis` and `SECONDS_PER_SLOT`
//! (`/eth/v1/config/spec`); anvil's beacon API has no spec endpoint and indexes by
//! execution block number, which is used when the spec is absent.

use alloy_primitives::B256;
use faultline_primitives::blob::{self, Blob, BlobError};
use tokio::sync::OnceCell;

/// Why blobs could not be had.
#[derive(Debug, thiserror::Error)]
pub enum BlobFetchError {
    /// The HTTP request failed.
    #[error("beacon endpoint {url}: {reason}")]
    Http {
        /// The request.
        url: String,
        /// What went wrong.
        reason: String,
    },
    /// The endpoint did not return a blob the inbox recorded (not yet available, or
    /// pruned: blobs are kept for about 18 days on Ethereum).
    #[error("blob {0} not served by the beacon endpoint")]
    Missing(B256),
    /// A returned blob is not a valid blob.
    #[error("blob from the beacon endpoint: {0}")]
    Invalid(#[from] BlobError),
}

/// How a beacon endpoint numbers blocks.
#[derive(Clone, Copy, Debug)]
enum BlockIds {
    /// A consensus client: by slot.
    Slots { genesis_time: u64, seconds_per_slot: u64 },
    /// anvil: by execution block number.
    ExecutionNumbers,
}

/// A beacon API client for blobs.
#[derive(Debug)]
pub struct BeaconBlobs {
    http: reqwest::Client,
    base: String,
    ids: OnceCell<BlockIds>,
}

#[derive(serde::Deserialize)]
struct Data<T> {
    data: T,
}

#[derive(serde::Deserialize)]
struct Genesis {
    genesis_time: String,
}

impl BeaconBlobs {
    /// A client of the beacon API at `base` (e.g. `http://127.0.0.1:5052`; anvil serves
    /// it on its JSON-RPC port).
    pub fn new(base: impl Into<String>) -> Self {
        Self { http: reqwest::Client::new(), base: base.into().trim_end_matches('/').to_string(), ids: OnceCell::new() }
    }

    async fn get_json<T: serde::de::DeserializeOwned>(&self, path: &str) -> Result<Option<T>, BlobFetchError> {
        let url = format!("{}{path}", self.base);
        let err = |e: reqwest::Error| BlobFetchError::Http { url: url.clone(), reason: e.to_string() };
        let resp = self.http.get(&url).send().await.map_err(err)?;
        if resp.status() == reqwest::StatusCode::NOT_FOUND {
            return Ok(None);
        }
        let resp = resp.error_for_status().map_err(err)?;
        resp.json::<T>().await.map(Some).map_err(err)
    }

    async fn block_ids(&self) -> Result<BlockIds, BlobFetchError> {
        self.ids
            .get_or_try_init(|| async {
                let spec: Option<Data<serde_json::Value>> = self.get_json("/eth/v1/config/spec").await?;
                let Some(spec) = spec else { return Ok(BlockIds::ExecutionNumbers) };
                let seconds_per_slot = spec.data.get("SECONDS_PER_SLOT").and_then(|v| v.as_str()).and_then(|s| s.parse().ok());
                let genesis: Option<Data<Genesis>> = self.get_json("/eth/v1/beacon/genesis").await?;
                let genesis_time = genesis.and_then(|g| g.data.genesis_time.parse().ok());
                match (genesis_time, seconds_per_slot) {
                    (Some(genesis_time), Some(seconds_per_slot)) if seconds_per_slot > 0 => {
                        Ok(BlockIds::Slots { genesis_time, seconds_per_slot })
                    }
                    _ => Err(BlobFetchError::Http {
                        url: self.base.clone(),
                        reason: "beacon spec without SECONDS_PER_SLOT or genesis time".into(),
                    }),
                }
            })
            .await
            .copied()
    }

    /// The blobs with versioned hashes `hashes`, in that order, of the L1 block
    /// `number` (timestamp `timestamp`). Each returned blob is checked to commit to its
    /// hash.
    pub async fn blobs(&self, number: u64, timestamp: u64, hashes: &[B256]) -> Result<Vec<Blob>, BlobFetchError> {
        let id = match self.block_ids().await? {
            BlockIds::Slots { genesis_time, seconds_per_slot } => timestamp.saturating_sub(genesis_time) / seconds_per_slot,
            BlockIds::ExecutionNumbers => number,
        };
        // The filter is a comma-separated list (as anvil and the beacon-API spec read
        // it); if an endpoint ignores or misreads it, every blob of the block is asked for.
        let list: Vec<String> = hashes.iter().map(|h| h.to_string()).collect();
        let mut by_hash = std::collections::HashMap::new();
        for query in [format!("?versioned_hashes={}", list.join(",")), String::new()] {
            let served: Vec<alloy_primitives::Bytes> = self
                .get_json::<Data<Vec<alloy_primitives::Bytes>>>(&format!("/eth/v1/beacon/blobs/{id}{query}"))
                .await?
                .map(|d| d.data)
                .unwrap_or_default();
            for bytes in served {
                let Ok(b) = Blob::try_from(bytes.as_ref()) else { continue };
                by_hash.insert(blob::versioned_hash(&b)?, b);
            }
            if hashes.iter().all(|h| by_hash.contains_key(h)) {
                break;
            }
        }
        hashes.iter().map(|h| by_hash.get(h).cloned().ok_or(BlobFetchError::Missing(*h))).collect()
    }
}
