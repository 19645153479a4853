//! What the durability rule costs block production (`docs/storage.md`, "Durability"):
//! blocks of ETH transfers produced into a RocksDB store on disk, without a sync, with a
//! WAL fsync ([`faultline_state::Store::sync`]) after every block (an upper bound: the
//! batcher syncs once per batch, several blocks), and the fsync alone. Prints figures:
//!
//!     cargo test -p faultline-sequencer --test sync_cost -- --ignored --nocapture

use alloy::signers::local::PrivateKeySigner;
use alloy_primitives::{Address, Bytes, TxKind, U256};
use faultline_primitives::{dev::DEV_ACCOUNTS, ChainConfig};
use faultline_sequencer::{Chain, PoolConfig};
use std::time::{Duration, Instant};

const BLOCKS: u64 = 60;
const TXS_PER_BLOCK: usize = 500;
const SENDERS: usize = 10;

/// Milliseconds per block, and the fsyncs' own milliseconds (if synced).
fn run(sync_per_block: bool) -> (f64, Vec<f64>) {
    // On the disk the node's data dir would be on (the test's target dir), not tmpfs.
    let dir = tempfile::tempdir_in(env!("CARGO_TARGET_TMPDIR")).unwrap();
    let cfg = ChainConfig::devnet();
    let chain = Chain::open(dir.path(), cfg.clone(), PoolConfig::default()).unwrap();
    let signers: Vec<PrivateKeySigner> = (0..SENDERS).map(|i| PrivateKeySigner::from_bytes(&DEV_ACCOUNTS[i].1).unwrap()).collect();
    let per_sender = (TXS_PER_BLOCK / SENDERS) as u64;
    let mut busy = Duration::ZERO;
    let mut syncs = Vec::new();
    for b in 0..BLOCKS {
        let raws: Vec<Bytes> = (0..TXS_PER_BLOCK)
            .map(|i| {
                let nonce = b * per_sender + (i / SENDERS) as u64;
                let raw = faultline_primitives::dev::sign_eip1559(
                    &signers[i % SENDERS],
                    cfg.chain_id,
                    nonce,
                    TxKind::Call(Address::repeat_byte(0xb0)),
                    U256::from(1),
                    Bytes::new(),
                    21_000,
                );
                Bytes::from(raw)
            })
            .collect();
        assert!(chain.submit_raw_many(&raws).iter().all(Result::is_ok));
        let started = Instant::now();
        let block = chain.produce_block(1_800_000_000 + b).unwrap();
        if sync_per_block {
            let t = Instant::now();
            assert_eq!(chain.store().sync().unwrap(), block.record.header.number);
            syncs.push(t.elapsed().as_secs_f64() * 1e3);
        }
        busy += started.elapsed();
        assert_eq!(block.record.body.transactions.len(), TXS_PER_BLOCK);
    }
    (busy.as_secs_f64() * 1e3 / BLOCKS as f64, syncs)
}

#[test]
#[ignore = "a measurement: run with --ignored --nocapture"]
fn sync_cost_on_block_production() {
    run(false); // warm-up (caches, page cache)
    for round in 1..=2 {
        let (plain, _) = run(false);
        let (synced, mut fsyncs) = run(true);
        fsyncs.sort_by(f64::total_cmp);
        let median = fsyncs[fsyncs.len() / 2];
        let max = fsyncs[fsyncs.len() - 1];
        println!(
            "round {round}: {BLOCKS} blocks of {TXS_PER_BLOCK} transfers: no sync {plain:.2} ms/block ({:.0} blocks/s); \
             WAL fsync after every block {synced:.2} ms/block ({:.0} blocks/s, +{:.1}%); the fsync alone: median {median:.2} ms, max {max:.2} ms",
            1e3 / plain,
            1e3 / synced,
            (synced / plain - 1.0) * 100.0
        );
    }
}
