//! The Prometheus `/metrics` endpoint of a node: L2 blocks and transactions, deposits
//! included, the pool (queued and bytes too), L1 reachability, how far the deposit
//! follower has read L1 and whether the producer waits for it, and, when the node runs
//! them, the batcher's and proposer's totals (batches, batch bytes, blobs, L1 execution
//! and blob gas, outputs) and the lag of L1 behind the L2 head.

use axum::{routing::get, Router};
use faultline_batcher::BatcherStats;
use faultline_proposer::ProposerStats;
use faultline_sequencer::Chain;
use std::{
    fmt::Write,
    net::SocketAddr,
    sync::{
        atomic::{AtomicU64, Ordering},
        Arc,
    },
};

/// Where the numbers come from.
#[derive(Clone)]
pub struct Sources {
    /// The chain.
    pub chain: Arc<Chain>,
    /// Transactions included since start (counted from new blocks).
    pub txs: Arc<AtomicU64>,
    /// The batcher's totals, if it runs here.
    pub batcher: Option<Arc<BatcherStats>>,
    /// The proposer's totals, if it runs here.
    pub proposer: Option<Arc<ProposerStats>>,
    /// L1 reachability, if the node follows an L1.
    pub l1_health: Option<Arc<faultline_l1::L1Health>>,
}

fn render(s: &Sources) -> String {
    let mut out = String::new();
    let mut metric = |name: &str, kind: &str, help: &str, value: u64| {
        let _ = writeln!(out, "# HELP {name} {help}\n# TYPE {name} {kind}\n{name} {value}");
    };
    let head = s.chain.head();
    metric("faultline_l2_head", "gauge", "Number of the newest L2 block.", head);
    metric("faultline_l2_transactions_total", "counter", "L2 transactions included since the node started.", s.txs.load(Ordering::Relaxed));
    metric("faultline_l2_deposits_included", "gauge", "L1 deposits included by the L2 head.", s.chain.deposit_cursor());
    let (pooled, queued, bytes) = s.chain.pool_stats();
    metric("faultline_pool_transactions", "gauge", "Transactions waiting in the pool.", pooled as u64);
    metric("faultline_pool_queued_transactions", "gauge", "Pooled transactions behind a nonce gap.", queued as u64);
    metric("faultline_pool_bytes", "gauge", "Encoded bytes of the pooled transactions.", bytes as u64);
    if let Some(r) = s.chain.l1_read_status() {
        metric("faultline_l1_deposits_read_block", "gauge", "Last L1 block the deposit follower has read through.", r.block);
        metric("faultline_l1_deposits_read_timestamp", "gauge", "Timestamp of that L1 block.", r.time);
        metric(
            "faultline_producer_held_for_l1",
            "gauge",
            "1 while the producer holds blocks until the deposit follower reads L1 further, else 0.",
            r.held as u64,
        );
    }
    if let Some(h) = &s.l1_health {
        metric("faultline_l1_up", "gauge", "1 if the last L1 request succeeded, else 0.", h.is_up() as u64);
        metric("faultline_l1_unreachable_seconds", "gauge", "Length of the current L1 outage (0 when L1 is up).", h.unreachable_for().as_secs());
        metric("faultline_l1_outages_total", "counter", "L1 outages since the node started.", h.outages());
    }
    if let Some(b) = &s.batcher {
        let last = b.last_block.load(Ordering::Relaxed);
        metric("faultline_batches_total", "counter", "Batches posted to L1.", b.batches.load(Ordering::Relaxed));
        metric("faultline_batch_bytes_total", "counter", "Batch bytes posted to L1 (calldata and blob payload).", b.bytes.load(Ordering::Relaxed));
        metric("faultline_batcher_l1_gas_total", "counter", "L1 execution gas spent by the batcher.", b.l1_gas.load(Ordering::Relaxed));
        metric("faultline_batcher_blobs_total", "counter", "Blobs posted to L1.", b.blobs.load(Ordering::Relaxed));
        metric("faultline_batcher_blob_gas_total", "counter", "L1 blob gas spent by the batcher.", b.blob_gas.load(Ordering::Relaxed));
        metric("faultline_batcher_lag_blocks", "gauge", "L2 blocks not yet posted to L1.", head.saturating_sub(last));
    }
    if let Some(p) = &s.proposer {
        metric("faultline_outputs_total", "counter", "Outputs proposed to L1.", p.outputs.load(Ordering::Relaxed));
        metric("faultline_proposer_l1_gas_total", "counter", "L1 gas spent by the proposer (bonds excluded).", p.l1_gas.load(Ordering::Relaxed));
        metric("faultline_last_output_block", "gauge", "L2 block of the last output proposed.", p.last_block.load(Ordering::Relaxed));
    }
    out
}

/// Serves `/metrics` on `addr` until `shutdown` resolves; counts transactions of new blocks.
pub async fn serve(addr: SocketAddr, sources: Sources, shutdown: impl std::future::Future<Output = ()> + Send + 'static) -> eyre::Result<()> {
    let mut blocks = sources.chain.subscribe();
    let txs = sources.txs.clone();
    tokio::spawn(async move {
        while let Ok(b) = blocks.recv().await {
            txs.fetch_add(b.record.body.transactions.len() as u64, Ordering::Relaxed);
        }
    });
    let app = Router::new().route(
        "/metrics",
        get(move || {
            let s = sources.clone();
            async move { ([("content-type", "text/plain; version=0.0.4")], render(&s)) }
        }),
    );
    let listener = tokio::net::TcpListener::bind(addr).await?;
    tracing::info!(%addr, "metrics on /metrics");
    axum::serve(listener, app).with_graceful_shutdown(shutdown).await?;
    Ok(())
}
