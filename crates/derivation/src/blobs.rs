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
                    (Some(genesis_time), Some(seconds_per_slot)) if seconds_per_slot > 0 => Ok(BlockIds::Slots { genesis_time, seconds_per_slot }),
                    _ => Err(BlobFetchError::Http { url: self.base.clone(), reason: "beacon spec without SECONDS_PER_SLOT or genesis time".into() }),
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
            let served: Vec<alloy_primitives::Bytes> =
                self.get_json::<Data<Vec<alloy_primitives::Bytes>>>(&format!("/eth/v1/beacon/blobs/{id}{query}")).await?.map(|d| d.data).unwrap_or_default();
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

#[cfg(test)]
mod tests {
    //! Against a **test double** of a consensus client's beacon API (none runs on these
    //! machines; anvil's own endpoint is covered end to end in `tests/blobs.rs`): block
    //! ids by slot, the unfiltered fallback, and a lying endpoint.
    use super::*;
    use axum::{extract::Path, routing::get, Json, Router};
    use serde_json::json;

    const GENESIS: u64 = 1_700_000_000;
    const SLOT: u64 = 12;

    /// Serves `blobs` at slot `at_slot` only; `filters` false: ignores the filter and
    /// serves every blob of the slot (some clients do); `spec` false: anvil's shape.
    async fn double(blobs: Vec<Blob>, at_slot: u64, spec: bool) -> String {
        let served: Vec<String> = blobs.iter().map(|b| alloy_primitives::hex::encode_prefixed(b.as_slice())).collect();
        let mut app = Router::new().route(
            "/eth/v1/beacon/blobs/{id}",
            get(move |Path(id): Path<String>| {
                let served = served.clone();
                async move {
                    if id == at_slot.to_string() {
                        Ok(Json(json!({ "data": served })))
                    } else {
                        Err(axum::http::StatusCode::NOT_FOUND)
                    }
                }
            }),
        );
        if spec {
            app = app
                .route("/eth/v1/config/spec", get(|| async { Json(json!({ "data": { "SECONDS_PER_SLOT": SLOT.to_string() } })) }))
                .route("/eth/v1/beacon/genesis", get(|| async { Json(json!({ "data": { "genesis_time": GENESIS.to_string() } })) }));
        }
        serve(app).await
    }

    /// Serves `app` on a free local port; its base URL.
    async fn serve(app: Router) -> String {
        let listener = tokio::net::TcpListener::bind("127.0.0.1:0").await.expect("bind");
        let addr = listener.local_addr().expect("addr");
        tokio::spawn(async move { axum::serve(listener, app).await });
        format!("http://{addr}")
    }

    fn blob_of(tag: u8) -> Blob {
        blob::encode(&[tag; 100]).remove(0)
    }

    #[tokio::test]
    async fn a_consensus_client_is_asked_by_slot_and_its_blobs_are_checked() {
        let (a, b, c) = (blob_of(1), blob_of(2), blob_of(3));
        // The block at timestamp GENESIS + 7 slots + 5 s is in slot 7; the endpoint
        // serves the whole slot (three blobs) whatever the filter says.
        let url = double(vec![a, b, c], 7, true).await;
        let beacon = BeaconBlobs::new(url);
        let want = [blob::versioned_hash(&c).unwrap(), blob::versioned_hash(&a).unwrap()];
        let got = beacon.blobs(999, GENESIS + 7 * SLOT + 5, &want).await.expect("blobs");
        assert_eq!(got, vec![c, a], "in the order asked for");
        // Another slot: not served.
        let err = beacon.blobs(999, GENESIS + 8 * SLOT, &want).await.unwrap_err();
        assert!(matches!(err, BlobFetchError::Missing(h) if h == want[0]), "{err}");
    }

    #[tokio::test]
    async fn anvil_is_asked_by_execution_block_number() {
        let a = blob_of(9);
        let beacon = BeaconBlobs::new(double(vec![a], 42, false).await);
        let got = beacon.blobs(42, GENESIS, &[blob::versioned_hash(&a).unwrap()]).await.expect("blobs");
        assert_eq!(got, vec![a]);
    }

    #[tokio::test]
    async fn a_lying_endpoint_can_delay_but_not_change_a_blob() {
        // The endpoint serves another blob than the one the inbox recorded.
        let (recorded, served) = (blob_of(1), blob_of(2));
        let beacon = BeaconBlobs::new(double(vec![served], 3, true).await);
        let err = beacon.blobs(0, GENESIS + 3 * SLOT, &[blob::versioned_hash(&recorded).unwrap()]).await.unwrap_err();
        assert!(matches!(err, BlobFetchError::Missing(_)), "{err}");
    }

    #[tokio::test]
    async fn a_spec_without_a_slot_length_is_an_error() {
        let app = Router::new().route("/eth/v1/config/spec", get(|| async { Json(json!({ "data": {} })) }));
        let err = BeaconBlobs::new(serve(app).await).blobs(0, 0, &[B256::ZERO]).await.unwrap_err();
        assert!(matches!(err, BlobFetchError::Http { .. }), "{err}");
    }
}
