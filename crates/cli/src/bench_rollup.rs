//! `faultline bench --rollup`: what an L2 transfer costs on L1 and how fast the verifier
//! derives L2 from L1 data. For each data-availability mode (blobs, calldata) it starts a
//! real devnet (anvil, contracts, sequencer, batcher, proposer), sends pre-signed ETH
//! transfers from the dev accounts, waits until their blocks are batched, sums the L1
//! execution gas, blob gas, calldata and blob payload of every batch and output proposal,
//! compares with an ETH transfer made directly on the same L1, then runs
//! `faultline verify` over the result. Numbers, not assertions.

use alloy::{
    consensus::Transaction as _,
    network::{EthereumWallet, ReceiptResponse, TransactionBuilder},
    providers::{Provider, ProviderBuilder},
    rpc::types::{Filter, TransactionRequest},
    signers::local::PrivateKeySigner,
    sol_types::SolEvent,
};
use alloy_primitives::{Address, TxKind, U256};
use eyre::{bail, eyre};
use faultline_batcher::DataAvailability;
use faultline_l1::{
    bindings::{BatchInbox, OutputOracle},
    AddressBook,
};
use faultline_primitives::dev::DEV_ACCOUNTS;
use std::{
    process::Stdio,
    time::{Duration, Instant},
};
use tokio::process::Command;

/// What one mode cost.
struct Figures {
    da: DataAvailability,
    l2_txs: usize,
    batches: u64,
    blobs: u64,
    calldata: usize,
    payload: usize,
    batch_gas: u64,
    blob_gas: u64,
    batch_fee_wei: u128,
    outputs: u64,
    output_gas: u64,
    l1_transfer_gas: u64,
    l1_transfer_fee_wei: u128,
    /// Sum of the L2 receipts' `l1Fee` (what users paid for their L1 data).
    l1_fees_paid_wei: u128,
    /// Receipts summed.
    l1_fee_receipts: usize,
    /// The L1 fee vault's balance after the run.
    vault_wei: u128,
    verifier: String,
}

/// Runs the measurement with `txs` transfers for each mode in `modes`.
pub async fn run(txs: usize, modes: &[DataAvailability]) -> eyre::Result<()> {
    let mut all = Vec::new();
    for &da in modes {
        let f = run_mode(txs, da).await?;
        print_mode(txs, &f);
        all.push(f);
    }
    if all.len() > 1 {
        println!();
        println!("| mode | L1 execution gas / tx | blob gas / tx | total gas / tx | ratio to an L1 transfer | bytes / tx |");
        println!("| --- | --- | --- | --- | --- | --- |");
        for f in &all {
            let n = f.l2_txs.max(1) as f64;
            let exec = (f.batch_gas + f.output_gas) as f64 / n;
            let blob = f.blob_gas as f64 / n;
            println!(
                "| {:?} | {exec:.0} | {blob:.0} | {:.0} | 1/{:.1} | {:.1} |",
                f.da,
                exec + blob,
                f.l1_transfer_gas as f64 / (exec + blob),
                (f.calldata + f.payload) as f64 / n
            );
        }
    }
    Ok(())
}

fn print_mode(txs: usize, f: &Figures) {
    let n = f.l2_txs.max(1) as f64;
    let per_tx = |g: u64| g as f64 / n;
    println!("faultline bench --rollup ({:?}): {txs} ETH transfers on L2 (1 s L2 blocks, anvil L1 with its default hardfork)", f.da);
    println!("L2 transactions batched        {}", f.l2_txs);
    println!(
        "batches                        {} ({} calldata bytes, {} blobs carrying {} payload bytes: {:.1} bytes per L2 tx)",
        f.batches,
        f.calldata,
        f.blobs,
        f.payload,
        (f.calldata + f.payload) as f64 / n
    );
    println!("L1 execution gas of batches    {} ({:.0} per L2 tx)", f.batch_gas, per_tx(f.batch_gas));
    println!("blob gas of batches            {} ({:.0} per L2 tx)", f.blob_gas, per_tx(f.blob_gas));
    println!("L1 gas of outputs              {} over {} outputs ({:.0} per L2 tx)", f.output_gas, f.outputs, per_tx(f.output_gas));
    let total = per_tx(f.batch_gas + f.output_gas + f.blob_gas);
    println!("L1 gas per L2 transfer         {total:.0} (execution + blob gas, counted alike)");
    println!("same transfer directly on L1   {} gas", f.l1_transfer_gas);
    println!("ratio                          1/{:.1} of L1 (target 1/15 = {:.0} gas)", f.l1_transfer_gas as f64 / total, f.l1_transfer_gas as f64 / 15.0);
    println!(
        "fees at this run's L1 prices   {:.0} wei per L2 tx for batches, vs {} wei for the L1 transfer",
        f.batch_fee_wei as f64 / n,
        f.l1_transfer_fee_wei
    );
    let paid = f.l1_fees_paid_wei as f64 / f.l1_fee_receipts.max(1) as f64;
    let cost = f.batch_fee_wei as f64 / n;
    println!(
        "L1 fee users paid              {paid:.0} wei per L2 tx ({} receipts, {} wei in all; the L1 fee vault holds {} wei{})",
        f.l1_fee_receipts,
        f.l1_fees_paid_wei,
        f.vault_wei,
        if f.vault_wei == f.l1_fees_paid_wei { ", equal" } else { ", NOT EQUAL" }
    );
    println!("L1 cost the batcher paid       {cost:.0} wei per L2 tx (blob gas at the blob base fee, execution at the base fee)");
    println!(
        "margin                         {:.0} wei per L2 tx ({:+.1}% of the cost)",
        paid - cost,
        if cost > 0.0 { (paid - cost) / cost * 100.0 } else { 0.0 }
    );
    println!("verifier: {}", f.verifier);
}

async fn run_mode(txs: usize, da: DataAvailability) -> eyre::Result<Figures> {
    let dir = tempfile::tempdir()?;
    let data = dir.path().join("data");
    let (l1_port, l2_port) = (crate::bench::free_port()?, crate::bench::free_port()?);
    let exe = std::env::current_exe()?;
    let mut devnet = Command::new(&exe)
        .args(["devnet", "--block-time", "1s", "--proposal-interval", "10"])
        .arg("--data-dir")
        .arg(&data)
        .args(["--l1-port", &l1_port.to_string(), "--l2-port", &l2_port.to_string()])
        .args(["--metrics-port", &crate::bench::free_port()?.to_string()])
        .args([
            "--da",
            match da {
                DataAvailability::Blobs => "blobs",
                DataAvailability::Calldata => "calldata",
            },
        ])
        .env("RUST_LOG", "warn")
        .stdin(Stdio::null())
        .stdout(Stdio::null())
        .kill_on_drop(true)
        .spawn()?;
    let l1_url = format!("http://127.0.0.1:{l1_port}");
    let l2_url = format!("http://127.0.0.1:{l2_port}");
    let book_path = AddressBook::default_path(&data, 31337);
    let deadline = Instant::now() + Duration::from_secs(90);
    while !book_path.exists() || std::net::TcpStream::connect(("127.0.0.1", l2_port)).is_err() {
        if Instant::now() > deadline {
            bail!("devnet did not come up");
        }
        tokio::time::sleep(Duration::from_millis(100)).await;
    }
    let book = AddressBook::load(&book_path)?;
    let l1 = ProviderBuilder::new().connect_http(l1_url.parse()?);
    let l2 = ProviderBuilder::new().connect_http(l2_url.parse()?);

    // The same transfer directly on L1, for comparison.
    let direct_signer = PrivateKeySigner::from_bytes(&DEV_ACCOUNTS[9].1)?;
    let direct = ProviderBuilder::new().wallet(EthereumWallet::from(direct_signer)).connect_http(l1_url.parse()?);
    let r = direct.send_transaction(TransactionRequest::default().with_to(Address::repeat_byte(0x77)).with_value(U256::from(1))).await?.get_receipt().await?;
    let l1_transfer_gas = r.gas_used();
    let l1_transfer_fee_wei = r.gas_used() as u128 * r.effective_gas_price();

    // Pre-signed L2 transfers from the ten dev accounts (0..=8 on L2; 9 is used on L1).
    let senders: Vec<PrivateKeySigner> = (0..9).map(|i| PrivateKeySigner::from_bytes(&DEV_ACCOUNTS[i].1)).collect::<Result<_, _>>()?;
    let chain_id = l2.get_chain_id().await?;
    let mut raws = Vec::with_capacity(txs);
    let mut nonces = Vec::new();
    for s in &senders {
        nonces.push(l2.get_transaction_count(s.address()).await?);
    }
    for i in 0..txs {
        let s = i % senders.len();
        let to = Address::from_slice(&alloy_primitives::keccak256(format!("rollup-bench-{i}"))[12..]);
        raws.push(crate::bench::sign(&senders[s], chain_id, nonces[s], TxKind::Call(to), U256::from(1), Default::default(), 21_000));
        nonces[s] += 1;
    }
    let rpc = reqwest::Client::new();
    for chunk in raws.chunks(100) {
        let reqs: Vec<_> =
            chunk.iter().enumerate().map(|(i, r)| serde_json::json!({"jsonrpc": "2.0", "id": i, "method": "eth_sendRawTransaction", "params": [r]})).collect();
        rpc.post(&l2_url).json(&reqs).send().await?.error_for_status()?;
    }
    // Wait until every sender's last transfer is on L2, then until its block is on L1.
    let deadline = Instant::now() + Duration::from_secs(300);
    loop {
        let mut done = true;
        for (s, n) in senders.iter().zip(&nonces) {
            if l2.get_transaction_count(s.address()).await? < *n {
                done = false;
            }
        }
        if done {
            break;
        }
        if Instant::now() > deadline {
            bail!("transfers not included on L2 in time");
        }
        tokio::time::sleep(Duration::from_millis(200)).await;
    }
    let l2_head = l2.get_block_number().await?;
    let inbox = BatchInbox::new(book.batch_inbox, &l1);
    while inbox.nextBlock().call().await? <= l2_head {
        if Instant::now() > deadline {
            bail!("blocks not batched in time");
        }
        tokio::time::sleep(Duration::from_millis(200)).await;
    }
    let oracle = OutputOracle::new(book.output_oracle, &l1);
    let _ = oracle.outputCount().call().await?;

    // Sum batches and outputs.
    let mut f = Figures {
        da,
        l2_txs: 0,
        batches: 0,
        blobs: 0,
        calldata: 0,
        payload: 0,
        batch_gas: 0,
        blob_gas: 0,
        batch_fee_wei: 0,
        outputs: 0,
        output_gas: 0,
        l1_transfer_gas,
        l1_transfer_fee_wei,
        l1_fees_paid_wei: 0,
        l1_fee_receipts: 0,
        vault_wei: 0,
        verifier: String::new(),
    };
    // What users paid for their L1 data: every receipt's l1Fee, and the vault.
    for n in 1..=l2_head {
        let v: serde_json::Value = rpc
            .post(&l2_url)
            .json(&serde_json::json!({"jsonrpc": "2.0", "id": 1, "method": "eth_getBlockReceipts", "params": [format!("{n:#x}")]}))
            .send()
            .await?
            .json()
            .await?;
        for r in v["result"].as_array().into_iter().flatten() {
            let fee = r["l1Fee"].as_str().ok_or_else(|| eyre!("block {n}: a receipt without l1Fee"))?;
            f.l1_fees_paid_wei += u128::from_str_radix(fee.trim_start_matches("0x"), 16)?;
            f.l1_fee_receipts += 1;
        }
    }
    f.vault_wei = l2.get_balance(faultline_primitives::L1_FEE_VAULT).await?.saturating_to();
    let logs = l1
        .get_logs(
            &Filter::new()
                .address(book.batch_inbox)
                .event_signature(vec![BatchInbox::BatchSubmitted::SIGNATURE_HASH, BatchInbox::BlobBatchSubmitted::SIGNATURE_HASH])
                .from_block(0),
        )
        .await?;
    for log in logs {
        let hash = log.transaction_hash.ok_or_else(|| eyre!("log without tx"))?;
        let rc = l1.get_transaction_receipt(hash).await?.ok_or_else(|| eyre!("no receipt"))?;
        let tx = l1.get_transaction_by_hash(hash).await?.ok_or_else(|| eyre!("no tx"))?;
        if let Ok(ev) = log.log_decode::<BatchInbox::BlobBatchSubmitted>() {
            f.l2_txs += ev.inner.data.txCount as usize;
            f.payload += ev.inner.data.length as usize;
            f.blobs += ev.inner.data.blobHashes.len() as u64;
        } else {
            f.l2_txs += log.log_decode::<BatchInbox::BatchSubmitted>()?.inner.data.txCount as usize;
        }
        let blob_gas = rc.blob_gas_used().unwrap_or_default();
        f.batch_gas += rc.gas_used();
        f.blob_gas += blob_gas;
        f.batch_fee_wei += rc.gas_used() as u128 * rc.effective_gas_price() + blob_gas as u128 * rc.blob_gas_price().unwrap_or_default();
        f.calldata += tx.input().len();
        f.batches += 1;
    }
    let logs = l1.get_logs(&Filter::new().address(book.output_oracle).event_signature(OutputOracle::OutputProposed::SIGNATURE_HASH).from_block(0)).await?;
    for log in logs {
        let Some(hash) = log.transaction_hash else { continue };
        if let Some(rc) = l1.get_transaction_receipt(hash).await? {
            if rc.contract_address().is_none() {
                f.output_gas += rc.gas_used();
                f.outputs += 1;
            }
        }
    }

    // Derivation speed: the verifier over the same L1.
    let out = Command::new(&exe).args(["verify", "--l1-rpc", &l1_url, "--data-dir"]).arg(&data).env("RUST_LOG", "warn").output().await?;
    let text = String::from_utf8_lossy(&out.stdout);
    f.verifier = match text.lines().find(|l| l.starts_with("derived ")) {
        Some(line) => line.to_string(),
        None => format!("failed: {}", String::from_utf8_lossy(&out.stderr)),
    };
    let _ = devnet.kill().await;
    Ok(f)
}
