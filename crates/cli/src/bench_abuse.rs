//! `faultline bench --abuse`: issue 13's two attacks on a fresh node, measured.
//!
//! 1. One JSON-RPC batch of 1,000 `eth_call`s of an endless loop (`0x5b600056`) at 50 M
//!    gas each: how long the batch takes, how its entries end, and the block interval
//!    while it runs (new heads observed every 100 ms, and block timestamps).
//! 2. Senders fill the pool with nonce-gapped transfers; then a normal transfer and the
//!    transfer that closes a gap are sent: whether they get in, and the time from send
//!    to receipt.
//!
//! `--node-bin` runs another `faultline` binary (an older build) for a before/after
//! comparison. Numbers, not assertions.

use crate::bench::{free_port, sign};
use alloy::signers::local::PrivateKeySigner;
use alloy_primitives::{keccak256, Address, Bytes, TxKind, U256};
use eyre::{eyre, WrapErr};
use faultline_primitives::{ChainConfig, GenesisAccount};
use serde_json::{json, Value};
use std::{
    path::PathBuf,
    process::Stdio,
    time::{Duration, Instant},
};
use tokio::process::Command;

fn key(tag: &str, i: usize) -> PrivateKeySigner {
    PrivateKeySigner::from_bytes(&keccak256(format!("faultline-abuse-{tag}-{i}"))).unwrap_or_else(|_| PrivateKeySigner::random())
}

async fn rpc(http: &reqwest::Client, url: &str, body: &Value) -> eyre::Result<Value> {
    Ok(http.post(url).json(body).send().await?.json().await?)
}

async fn head(http: &reqwest::Client, url: &str) -> eyre::Result<u64> {
    let v = rpc(http, url, &json!({"jsonrpc": "2.0", "id": 1, "method": "eth_blockNumber", "params": []})).await?;
    quantity(&v["result"])
}

fn quantity(v: &Value) -> eyre::Result<u64> {
    let s = v.as_str().ok_or_else(|| eyre!("not a quantity: {v}"))?;
    Ok(u64::from_str_radix(s.trim_start_matches("0x"), 16)?)
}

/// Runs both measurements: `gapped_senders` senders send `gapped_per_sender` gapped
/// transfers each.
pub async fn run(node_bin: Option<PathBuf>, gapped_senders: usize, gapped_per_sender: usize) -> eyre::Result<()> {
    let attackers: Vec<_> = (0..gapped_senders).map(|i| key("attacker", i)).collect();
    let user = key("user", 0);
    let mut chain = ChainConfig::devnet();
    for a in attackers.iter().chain(std::iter::once(&user)) {
        chain.alloc.insert(a.address(), GenesisAccount { balance: U256::from(10u64).pow(U256::from(21)), ..Default::default() });
    }
    let dir = tempfile::tempdir()?;
    let port = free_port()?;
    let url = format!("http://127.0.0.1:{port}");
    let config = toml::to_string(&json!({
        "node": {"data_dir": dir.path().join("data"), "rpc_addr": format!("127.0.0.1:{port}"), "block_time": "1s"},
        "chain": chain,
    }))?;
    let cfg_path = dir.path().join("abuse.toml");
    std::fs::write(&cfg_path, config)?;
    let bin = match node_bin {
        Some(b) => b,
        None => std::env::current_exe()?,
    };
    let mut child = Command::new(&bin)
        .args(["node", "--config"])
        .arg(&cfg_path)
        .env("RUST_LOG", "warn")
        .stdin(Stdio::null())
        .stdout(Stdio::null())
        .kill_on_drop(true)
        .spawn()
        .wrap_err_with(|| format!("starting {}", bin.display()))?;
    let http = reqwest::Client::builder().timeout(Duration::from_secs(300)).build()?;
    let mut up = false;
    for _ in 0..400 {
        if head(&http, &url).await.is_ok() {
            up = true;
            break;
        }
        tokio::time::sleep(Duration::from_millis(50)).await;
    }
    if !up {
        return Err(eyre!("the node did not come up"));
    }
    println!("faultline bench --abuse: node {}", bin.display());
    let r1 = heavy_batch(&http, &url).await;
    let r2 = gapped_fill(&http, &url, &attackers, &user, gapped_per_sender).await;
    let _ = child.kill().await;
    r1.and(r2)
}

async fn heavy_batch(http: &reqwest::Client, url: &str) -> eyre::Result<()> {
    while head(http, url).await? < 2 {
        tokio::time::sleep(Duration::from_millis(100)).await;
    }
    let first = head(http, url).await?;
    let batch: Vec<Value> =
        (0..1000).map(|i| json!({"jsonrpc": "2.0", "id": i, "method": "eth_call", "params": [{"data": "0x5b600056", "gas": "0x2faf080"}, "latest"]})).collect();
    let t0 = Instant::now();
    let (h2, u2) = (http.clone(), url.to_string());
    let running = tokio::spawn(async move { rpc(&h2, &u2, &Value::Array(batch)).await });
    // Watch heads every 100 ms; time eth_blockNumber itself.
    let (mut last_head, mut last_change) = (first, t0);
    let (mut worst_gap, mut worst_latency) = (Duration::ZERO, Duration::ZERO);
    while !running.is_finished() {
        let q = Instant::now();
        let n = head(http, url).await?;
        worst_latency = worst_latency.max(q.elapsed());
        if n != last_head {
            worst_gap = worst_gap.max(last_change.elapsed());
            last_head = n;
            last_change = Instant::now();
        }
        tokio::time::sleep(Duration::from_millis(100)).await;
    }
    worst_gap = worst_gap.max(last_change.elapsed());
    let took = t0.elapsed();
    let answers = running.await??;
    let last = head(http, url).await?;
    let (mut ok, mut errors) = (0usize, std::collections::BTreeMap::<String, usize>::new());
    for a in answers.as_array().map(Vec::as_slice).unwrap_or_default() {
        match a["error"]["message"].as_str() {
            Some(m) => *errors.entry(m.split(';').next().unwrap_or(m).to_string()).or_default() += 1,
            None => ok += 1,
        }
    }
    let mut stamps = Vec::new();
    for n in first..=last {
        let b = rpc(http, url, &json!({"jsonrpc": "2.0", "id": 1, "method": "eth_getBlockByNumber", "params": [format!("{n:#x}"), false]})).await?;
        stamps.push(quantity(&b["result"]["timestamp"])?);
    }
    let worst_stamp_gap = stamps.windows(2).map(|w| w[1] - w[0]).max().unwrap_or(0);
    println!("heavy batch: 1000 eth_call x 50M gas of 0x5b600056, answered in {:.1} s", took.as_secs_f64());
    println!("  blocks sealed meanwhile: {} (heads {first}..{last}), block time 1 s", last - first);
    println!("  longest interval between new heads: {:.2} s; longest block-timestamp gap: {worst_stamp_gap} s", worst_gap.as_secs_f64());
    println!("  slowest eth_blockNumber meanwhile: {:.2} s", worst_latency.as_secs_f64());
    println!("  entries: {ok} results; errors: {errors:?}");
    Ok(())
}

async fn send_batch(http: &reqwest::Client, url: &str, raws: &[Bytes]) -> eyre::Result<Vec<Option<String>>> {
    let reqs: Vec<Value> =
        raws.iter().enumerate().map(|(i, r)| json!({"jsonrpc": "2.0", "id": i, "method": "eth_sendRawTransaction", "params": [r]})).collect();
    let v = rpc(http, url, &Value::Array(reqs)).await?;
    Ok(v.as_array().map(Vec::as_slice).unwrap_or_default().iter().map(|a| a["error"]["message"].as_str().map(str::to_string)).collect())
}

async fn time_to_inclusion(http: &reqwest::Client, url: &str, raw: Bytes) -> eyre::Result<String> {
    let t0 = Instant::now();
    let v = rpc(http, url, &json!({"jsonrpc": "2.0", "id": 1, "method": "eth_sendRawTransaction", "params": [raw]})).await?;
    if let Some(e) = v["error"]["message"].as_str() {
        return Ok(format!("refused: {e}"));
    }
    let hash = v["result"].clone();
    while t0.elapsed() < Duration::from_secs(60) {
        let r = rpc(http, url, &json!({"jsonrpc": "2.0", "id": 1, "method": "eth_getTransactionReceipt", "params": [hash]})).await?;
        if !r["result"].is_null() {
            return Ok(format!("included after {:.2} s", t0.elapsed().as_secs_f64()));
        }
        tokio::time::sleep(Duration::from_millis(20)).await;
    }
    Ok("accepted, not included within 60 s".into())
}

async fn gapped_fill(http: &reqwest::Client, url: &str, attackers: &[PrivateKeySigner], user: &PrivateKeySigner, per: usize) -> eyre::Result<()> {
    let v = rpc(http, url, &json!({"jsonrpc": "2.0", "id": 1, "method": "eth_chainId", "params": []})).await?;
    let chain_id = quantity(&v["result"])?;
    let to = TxKind::Call(Address::repeat_byte(0xbb));
    let t0 = Instant::now();
    let signed: Vec<Vec<Bytes>> = std::thread::scope(|s| {
        let hs: Vec<_> = attackers
            .iter()
            .map(|a| s.spawn(move || (1..=per as u64).map(|n| sign(a, chain_id, n, to, U256::from(1u64), Bytes::new(), 21_000)).collect::<Vec<_>>()))
            .collect();
        hs.into_iter().map(|h| h.join().unwrap_or_default()).collect()
    });
    let signing = t0.elapsed();
    let t1 = Instant::now();
    let (mut accepted, mut refused, mut first_refusal) = (0usize, 0usize, None);
    for txs in &signed {
        for chunk in txs.chunks(100) {
            for e in send_batch(http, url, chunk).await? {
                match e {
                    None => accepted += 1,
                    Some(m) => {
                        refused += 1;
                        first_refusal.get_or_insert(m);
                    }
                }
            }
        }
    }
    println!(
        "gapped fill: {} senders x {per} nonce-gapped transfers (signed in {:.1} s, sent in {:.1} s): {accepted} accepted, {refused} refused{}",
        attackers.len(),
        signing.as_secs_f64(),
        t1.elapsed().as_secs_f64(),
        first_refusal.map(|m| format!(" (first: {m})")).unwrap_or_default()
    );
    let normal = sign(user, chain_id, 0, to, U256::from(1u64), Bytes::new(), 21_000);
    println!("  normal transfer (next nonce of a fresh sender): {}", time_to_inclusion(http, url, normal).await?);
    if let Some(a) = attackers.first() {
        let closing = sign(a, chain_id, 0, to, U256::from(1u64), Bytes::new(), 21_000);
        println!("  the transfer closing sender 0's gap: {}", time_to_inclusion(http, url, closing).await?);
    }
    Ok(())
}
