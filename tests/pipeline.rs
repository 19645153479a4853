//! End to end: `faultline devnet` runs the batcher and the proposer against its anvil.
//! Sealed L2 blocks reach the inbox with the commitment the Rust codec computes, the
//! proposer posts the output roots the L2 node reports, and after a restart both resume
//! from L1 with no gap and no duplicate.

mod harness;

use alloy::{
    consensus::Transaction,
    network::{EthereumWallet, TransactionBuilder},
    primitives::{Address, U256},
    providers::{Provider, ProviderBuilder},
    rpc::types::{Filter, TransactionRequest},
    signers::local::PrivateKeySigner,
    sol_types::{SolCall, SolEvent},
};
use faultline_l1::{
    bindings::{BatchInbox, OutputOracle},
    AddressBook,
};
use faultline_primitives::{batch::Batch, blob, dev::DEV_ACCOUNTS};
use harness::{call, Devnet};
use serde_json::json;
use std::{
    str::FromStr,
    time::{Duration, Instant},
};

async fn wait_for<F, Fut>(what: &str, timeout: Duration, mut f: F)
where
    F: FnMut() -> Fut,
    Fut: std::future::Future<Output = bool>,
{
    let deadline = Instant::now() + timeout;
    while Instant::now() < deadline {
        if f().await {
            return;
        }
        tokio::time::sleep(Duration::from_millis(250)).await;
    }
    panic!("timed out waiting for {what}");
}

/// The transactions in the inbox's batches, each batch decoded independently of the
/// derivation crate and checked against the commitment the inbox recorded.
async fn batched_txs(provider: &impl Provider, l1: &str, book: &AddressBook) -> usize {
    let filter = Filter::new()
        .address(book.batch_inbox)
        .event_signature(vec![BatchInbox::BatchSubmitted::SIGNATURE_HASH, BatchInbox::BlobBatchSubmitted::SIGNATURE_HASH])
        .from_block(0);
    let mut txs = 0;
    for log in provider.get_logs(&filter).await.unwrap() {
        let tx = provider.get_transaction_by_hash(log.transaction_hash.unwrap()).await.unwrap().unwrap();
        let batch = if let Ok(ev) = log.log_decode::<BatchInbox::BlobBatchSubmitted>() {
            let ev = ev.inner.data;
            let header = BatchInbox::submitBlobBatchCall::abi_decode(tx.input()).unwrap().header;
            // anvil's beacon API indexes blobs by execution block number.
            let url = format!("{l1}/eth/v1/beacon/blobs/{}", log.block_number.unwrap());
            let served: serde_json::Value = reqwest::get(url).await.unwrap().json().await.unwrap();
            let blobs: Vec<blob::Blob> = served["data"]
                .as_array()
                .unwrap()
                .iter()
                .map(|b| blob::Blob::from_str(b.as_str().unwrap()).unwrap())
                .filter(|b| ev.blobHashes.contains(&blob::versioned_hash(b).unwrap()))
                .collect();
            assert_eq!(blobs.len(), ev.blobHashes.len(), "every blob of batch {} is served", ev.index);
            let payload = blob::decode(&blobs, ev.length as usize).unwrap();
            let batch = Batch::decode_blob(&header, &payload).expect("blob batch decodes");
            assert_eq!(batch.blob_root(), ev.root);
            assert_eq!(batch.tx_count(), ev.txCount as usize);
            assert_eq!(batch.first_block, ev.firstBlock);
            batch
        } else {
            let ev = log.log_decode::<BatchInbox::BatchSubmitted>().unwrap().inner.data;
            let batch = Batch::decode(&BatchInbox::submitBatchCall::abi_decode(tx.input()).unwrap().data).expect("batch decodes");
            assert_eq!(batch.root(), ev.root);
            assert_eq!(batch.first_block, ev.firstBlock);
            batch
        };
        assert!(batch.blocks.iter().flat_map(|b| &b.txs).all(|t| !t.is_empty()), "the honest batcher posts no void entry");
        txs += batch.tx_count();
    }
    txs
}

/// The calldata mode (`--da calldata`, for an L1 without blobs) carries the chain too,
/// and a verifier agrees with it.
#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn calldata_batches_carry_the_chain_too() {
    let Some(devnet) = Devnet::start(&["--block-time", "500ms", "--proposal-interval", "4", "--da", "calldata"]) else {
        return;
    };
    let book = AddressBook::load(&AddressBook::default_path(&devnet.data_dir, 31337)).unwrap();
    let provider = ProviderBuilder::new().connect_http(devnet.l1().parse().unwrap());
    let alice = PrivateKeySigner::from_bytes(&DEV_ACCOUNTS[0].1).unwrap();
    let l2 = ProviderBuilder::new().wallet(EthereumWallet::from(alice)).connect_http(devnet.l2().parse().unwrap());
    for i in 0..3u64 {
        let tx = TransactionRequest::default().with_to(Address::repeat_byte(0xb0)).with_value(U256::from(i + 1));
        assert!(l2.send_transaction(tx).await.unwrap().get_receipt().await.unwrap().status());
    }
    wait_for("the transfers to be batched", Duration::from_secs(30), || async { batched_txs(&provider, &devnet.l1(), &book).await >= 3 }).await;
    let logs = provider
        .get_logs(&Filter::new().address(book.batch_inbox).event_signature(BatchInbox::BlobBatchSubmitted::SIGNATURE_HASH).from_block(0))
        .await
        .unwrap();
    assert!(logs.is_empty(), "calldata mode posts no blobs");
    let oracle = OutputOracle::new(book.output_oracle, &provider);
    wait_for("an output on L1", Duration::from_secs(60), || async { oracle.outputCount().call().await.map(|c| c >= U256::from(2)).unwrap_or(false) }).await;
    let out = std::process::Command::new(harness::bin()).args(["verify", "--l1-rpc", &devnet.l1(), "--data-dir"]).arg(&devnet.data_dir).output().unwrap();
    let text = String::from_utf8_lossy(&out.stdout);
    assert!(out.status.success(), "{text}\n{}", String::from_utf8_lossy(&out.stderr));
    assert!(text.contains("agrees") && !text.contains("DISAGREES"), "{text}");
}

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn batches_and_outputs_reach_l1_and_resume_after_restart() {
    let Some(mut devnet) = Devnet::start(&["--block-time", "500ms", "--proposal-interval", "4", "--challenge-window", "5"]) else {
        return;
    };
    let book = AddressBook::load(&AddressBook::default_path(&devnet.data_dir, 31337)).unwrap();
    let provider = ProviderBuilder::new().connect_http(devnet.l1().parse().unwrap());
    let inbox = BatchInbox::new(book.batch_inbox, &provider);
    let oracle = OutputOracle::new(book.output_oracle, &provider);

    // Some L2 traffic, so batches carry transactions.
    let alice = PrivateKeySigner::from_bytes(&DEV_ACCOUNTS[0].1).unwrap();
    let l2 = ProviderBuilder::new().wallet(EthereumWallet::from(alice)).connect_http(devnet.l2().parse().unwrap());
    for i in 0..3u64 {
        let tx = TransactionRequest::default().with_to(Address::repeat_byte(0xb0)).with_value(U256::from(i + 1));
        let receipt = l2.send_transaction(tx).await.unwrap().get_receipt().await.unwrap();
        assert!(receipt.status());
    }

    wait_for("two outputs on L1", Duration::from_secs(60), || async { oracle.outputCount().call().await.map(|c| c >= U256::from(3)).unwrap_or(false) }).await;
    for index in 1..3u64 {
        let out = oracle.output(U256::from(index)).call().await.unwrap();
        assert_eq!(out.l2Block, index * 4);
        let l2 = call(&devnet.l2(), "rollup_outputAtBlock", json!([format!("{:#x}", out.l2Block)])).await;
        assert_eq!(l2["result"]["outputRoot"], json!(out.root), "output {index} matches the L2 node");
        assert_eq!(out.proposer, DEV_ACCOUNTS[2].0);
    }
    // The proposer settles its bonds: each output's is released once final (a 5 s window
    // here) and the credit withdrawn to its wallet.
    wait_for("the proposer to release its first two bonds and withdraw them", Duration::from_secs(60), || async {
        let mut settled = true;
        for index in 1..3u64 {
            settled &= oracle.output(U256::from(index)).call().await.map(|o| o.bondReleased).unwrap_or(false);
        }
        settled && oracle.credit(DEV_ACCOUNTS[2].0).call().await.map(|c| c.is_zero()).unwrap_or(false)
    })
    .await;
    // Every batch on L1 is a blob batch (the devnet's default) that decodes with the Rust
    // codec from its calldata header and its blobs, fetched straight from anvil's beacon
    // API, and has the commitment the inbox recorded.
    wait_for("the transfers to be batched", Duration::from_secs(30), || async { batched_txs(&provider, &devnet.l1(), &book).await >= 3 }).await;
    // Prometheus metrics of the running pipeline.
    let metrics = reqwest::get(format!("http://127.0.0.1:{}/metrics", devnet.metrics_port)).await.unwrap().text().await.unwrap();
    for name in [
        "faultline_l2_head",
        "faultline_batches_total",
        "faultline_batch_bytes_total",
        "faultline_batcher_l1_gas_total",
        "faultline_outputs_total",
        "faultline_batcher_lag_blocks",
    ] {
        assert!(
            metrics.contains(&format!("\n{name} ")) || metrics.starts_with(&format!("{name} ")) || metrics.contains(&format!("{name} ")),
            "{name} missing:\n{metrics}"
        );
    }
    let batches_line = metrics.lines().find(|l| l.starts_with("faultline_batches_total ")).unwrap();
    assert_ne!(batches_line, "faultline_batches_total 0", "{metrics}");

    // A verifier node (`faultline node --verifier`) follows the same L1 on its own and
    // reports the outputs as agreeing.
    let vdir = tempfile::tempdir().unwrap();
    let vout = vdir.path().join("verifier.out");
    let book_path = AddressBook::default_path(&devnet.data_dir, 31337);
    let mut verifier = std::process::Command::new(harness::bin())
        .args(["node", "--verifier", "--l1-rpc", &devnet.l1(), "--address-book"])
        .arg(&book_path)
        .arg("--data-dir")
        .arg(vdir.path().join("data"))
        .stdout(std::fs::File::create(&vout).unwrap())
        .stderr(std::process::Stdio::null())
        .spawn()
        .unwrap();
    wait_for("the verifier node to agree with two outputs", Duration::from_secs(60), || async {
        let text = std::fs::read_to_string(&vout).unwrap_or_default();
        text.matches("agrees").count() >= 2
    })
    .await;
    let text = std::fs::read_to_string(&vout).unwrap();
    assert!(!text.contains("DISAGREES"), "{text}");
    harness::sigterm_and_wait(&mut verifier, Duration::from_secs(10));
    // Restarted on its data dir, it resumes from the L1 block it had read (its anchor)
    // instead of reading L1 from the deployment again, and keeps agreeing.
    let verr = vdir.path().join("verifier.err");
    let vout2 = vdir.path().join("verifier2.out");
    let mut verifier = std::process::Command::new(harness::bin())
        .args(["node", "--verifier", "--l1-rpc", &devnet.l1(), "--address-book"])
        .arg(&book_path)
        .arg("--data-dir")
        .arg(vdir.path().join("data"))
        .stdout(std::fs::File::create(&vout2).unwrap())
        .stderr(std::fs::File::create(&verr).unwrap())
        .spawn()
        .unwrap();
    let checked: u64 = oracle.outputCount().call().await.unwrap().saturating_to::<u64>() + 1;
    wait_for("the restarted verifier to check a new output", Duration::from_secs(60), || async {
        std::fs::read_to_string(&vout2).unwrap_or_default().contains(&format!("output {checked} ("))
    })
    .await;
    harness::sigterm_and_wait(&mut verifier, Duration::from_secs(10));
    let text = std::fs::read_to_string(&vout2).unwrap();
    assert!(!text.contains("DISAGREES"), "{text}");
    assert!(std::fs::read_to_string(&verr).unwrap().contains("resumes from its L1 anchor"), "{text}");

    let before: u64 = inbox.nextBlock().call().await.unwrap();
    assert!(devnet.stop(), "clean stop; log:\n{}", devnet.log());
    devnet.restart();
    wait_for("the batcher to resume", Duration::from_secs(60), || async { inbox.nextBlock().call().await.map(|n| n > before + 2).unwrap_or(false) }).await;
    // No gap and no duplicate: batches are contiguous by construction of the inbox, and
    // the batcher never hit a revert.
    let log = devnet.log();
    assert!(!log.contains("batch round failed"), "batcher errors:\n{log}");
    let n: u64 = inbox.batchCount().call().await.unwrap().saturating_to();
    let mut expect = 1u64;
    for i in 0..n {
        let b = inbox.batch(U256::from(i)).call().await.unwrap();
        assert_eq!(b.firstBlock, expect, "batch {i} starts where the previous ended");
        expect = b.firstBlock + b.blockCount as u64;
    }
    assert_eq!(expect, inbox.nextBlock().call().await.unwrap());
}
