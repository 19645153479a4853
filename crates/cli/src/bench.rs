//! `faultline bench`: the same pre-signed load (ETH transfers and ERC-20 transfers from
//! concurrent senders, as single requests and as JSON-RPC batches) against a fresh
//! faultline node and a fresh anvil with the same block time and gas limit. Prints the
//! sustained inclusion rate (included / (last inclusion − first send)) and p50/p99
//! send-to-inclusion latency. Numbers, not assertions.

use crate::l1::anvil_path;
use alloy::{consensus::TxEip1559, signers::local::PrivateKeySigner};
use alloy_primitives::{keccak256, Address, Bytes, TxKind, B256, U256};
use clap::Args;
use eyre::{bail, eyre, WrapErr};
use faultline_primitives::{ChainConfig, GenesisAccount};
use serde_json::{json, Value};
use std::{
    collections::HashMap,
    path::PathBuf,
    process::Stdio,
    sync::Arc,
    time::{Duration, Instant},
};
use tokio::{process::Command, sync::Mutex};

/// Flags of `faultline bench`.
#[derive(Args, Debug, Clone)]
pub struct BenchArgs {
    /// Transactions per run (split evenly over the senders).
    #[arg(long, default_value_t = 20_000)]
    pub txs: usize,
    /// Concurrent senders.
    #[arg(long, default_value_t = 10)]
    pub senders: usize,
    /// Block time in seconds, for both chains.
    #[arg(long, default_value_t = 1)]
    pub block_time: u64,
    /// Block gas limit, for both chains.
    #[arg(long, default_value_t = 1_000_000_000)]
    pub gas_limit: u64,
    /// JSON-RPC batch size of the batched style.
    #[arg(long, default_value_t = 100)]
    pub batch: usize,
    /// Targets to run, comma separated: faultline, anvil.
    #[arg(long, default_value = "faultline,anvil")]
    pub targets: String,
    /// Loads, comma separated: eth, erc20.
    #[arg(long, default_value = "eth,erc20")]
    pub kinds: String,
    /// Request styles, comma separated: single, batch.
    #[arg(long, default_value = "single,batch")]
    pub styles: String,
    /// Measure the rollup instead: L1 gas and bytes per L2 transfer (batches and outputs,
    /// against the same transfer on L1) and the verifier's derivation speed, on a devnet.
    #[arg(long)]
    pub rollup: bool,
    /// With `--rollup`: data-availability modes to measure, comma separated: blobs, calldata.
    #[arg(long, default_value = "blobs,calldata")]
    pub da: String,
    /// Measure issue 13's attacks instead: a batch of 1,000 heavy `eth_call`s (block
    /// interval meanwhile) and a pool filled with nonce-gapped transactions (time for a
    /// normal transfer to get in).
    #[arg(long)]
    pub abuse: bool,
    /// With `--abuse`: senders of gapped transactions.
    #[arg(long, default_value_t = 17)]
    pub gapped_senders: usize,
    /// With `--abuse`: gapped transactions per sender (17 x 15,421 fill the pool's 262,144).
    #[arg(long, default_value_t = 15_421)]
    pub gapped_per_sender: usize,
    /// With `--abuse`: the `faultline` binary to run as the node (default: this one), to
    /// compare builds.
    #[arg(long)]
    pub node_bin: Option<PathBuf>,
    /// The BenchToken artifact (built by `forge build`).
    #[arg(long, default_value = "contracts/out/BenchToken.sol/BenchToken.json")]
    pub token_artifact: PathBuf,
}

#[derive(Clone, Copy, PartialEq, Eq, Debug)]
enum Kind {
    Eth,
    Erc20,
}

#[derive(Debug)]
struct Outcome {
    sent: usize,
    included: usize,
    errors: usize,
    first_error: Option<String>,
    rate: f64,
    p50_ms: f64,
    p99_ms: f64,
}

fn sender_key(i: usize) -> PrivateKeySigner {
    let key = keccak256(format!("faultline-bench-sender-{i}"));
    PrivateKeySigner::from_bytes(&key).unwrap_or_else(|_| PrivateKeySigner::random())
}

fn recipient(i: usize) -> Address {
    Address::from_slice(&keccak256(format!("faultline-bench-recipient-{i}"))[12..])
}

const FEE_CAP: u128 = 50_000_000_000;
const TIP: u128 = 1_000_000;

/// Signs an EIP-1559 transaction of the bench load (also used by `--rollup`).
pub(crate) fn sign(signer: &PrivateKeySigner, chain_id: u64, nonce: u64, to: TxKind, value: U256, input: Bytes, gas: u64) -> Bytes {
    let tx = TxEip1559 {
        chain_id,
        nonce,
        gas_limit: gas,
        max_fee_per_gas: FEE_CAP,
        max_priority_fee_per_gas: TIP,
        to,
        value,
        input,
        access_list: Default::default(),
    };
    faultline_primitives::dev::sign_tx(signer, tx).into()
}

/// A JSON-RPC client of the bench (raw, so batches are real JSON-RPC batches).
#[derive(Clone)]
struct Rpc {
    http: reqwest::Client,
    url: String,
}

impl Rpc {
    async fn call(&self, method: &str, params: Value) -> eyre::Result<Value> {
        let body = json!({"jsonrpc": "2.0", "id": 1, "method": method, "params": params});
        let v: Value = self.http.post(&self.url).json(&body).send().await?.json().await?;
        if let Some(e) = v.get("error") {
            bail!("{method}: {e}");
        }
        Ok(v.get("result").cloned().unwrap_or(Value::Null))
    }

    /// Sends raw transactions in one request (a batch when more than one); returns the
    /// error messages of the rejected ones.
    async fn send_raw(&self, raws: &[Bytes]) -> eyre::Result<Vec<String>> {
        let reqs: Vec<Value> =
            raws.iter().enumerate().map(|(i, r)| json!({"jsonrpc": "2.0", "id": i, "method": "eth_sendRawTransaction", "params": [r]})).collect();
        let body = if reqs.len() == 1 { reqs[0].clone() } else { Value::Array(reqs) };
        let v: Value = self.http.post(&self.url).json(&body).send().await?.json().await?;
        let items = match v {
            Value::Array(a) => a,
            other => vec![other],
        };
        Ok(items.iter().filter_map(|i| i.get("error").map(|e| e.to_string())).collect())
    }

    async fn wait_receipt(&self, hash: B256) -> eyre::Result<Value> {
        for _ in 0..600 {
            let r = self.call("eth_getTransactionReceipt", json!([hash])).await?;
            if !r.is_null() {
                return Ok(r);
            }
            tokio::time::sleep(Duration::from_millis(50)).await;
        }
        Err(eyre!("no receipt for {hash} within 30 s"))
    }
}

struct Target {
    name: &'static str,
    rpc: Rpc,
    chain_id: u64,
    child: tokio::process::Child,
    _dir: tempfile::TempDir,
}

/// A free loopback port (also used by `--rollup`).
pub(crate) fn free_port() -> eyre::Result<u16> {
    Ok(std::net::TcpListener::bind("127.0.0.1:0")?.local_addr()?.port())
}

async fn wait_up(rpc: &Rpc) -> eyre::Result<u64> {
    for _ in 0..400 {
        if let Ok(v) = rpc.call("eth_chainId", json!([])).await {
            let s = v.as_str().unwrap_or("0x0");
            return Ok(u64::from_str_radix(s.trim_start_matches("0x"), 16)?);
        }
        tokio::time::sleep(Duration::from_millis(50)).await;
    }
    Err(eyre!("{} did not come up", rpc.url))
}

async fn start_faultline(args: &BenchArgs, funded: &[Address]) -> eyre::Result<Target> {
    let dir = tempfile::tempdir()?;
    let mut chain = ChainConfig::devnet();
    chain.block_gas_limit = args.gas_limit;
    for a in funded {
        chain.alloc.insert(*a, GenesisAccount { balance: U256::from(10u64).pow(U256::from(24)), ..Default::default() });
    }
    let port = free_port()?;
    let config = toml::to_string(&json!({
        "node": {"data_dir": dir.path().join("data"), "rpc_addr": format!("127.0.0.1:{port}"),
                 "block_time": format!("{}s", args.block_time)},
        "chain": chain,
    }))?;
    let cfg_path = dir.path().join("bench.toml");
    std::fs::write(&cfg_path, config)?;
    let exe = std::env::current_exe()?;
    let child = Command::new(exe)
        .args(["node", "--config"])
        .arg(&cfg_path)
        .env("RUST_LOG", "warn")
        .stdin(Stdio::null())
        .stdout(Stdio::null())
        .kill_on_drop(true)
        .spawn()?;
    let rpc = Rpc { http: reqwest::Client::new(), url: format!("http://127.0.0.1:{port}") };
    let chain_id = wait_up(&rpc).await?;
    Ok(Target { name: "faultline", rpc, chain_id, child, _dir: dir })
}

async fn start_anvil(args: &BenchArgs, funded: &[Address]) -> eyre::Result<Target> {
    let dir = tempfile::tempdir()?;
    let port = free_port()?;
    let child = Command::new(anvil_path())
        .args(["--host", "127.0.0.1", "--silent", "--port", &port.to_string()])
        .args(["--block-time", &args.block_time.to_string(), "--gas-limit", &args.gas_limit.to_string()])
        .stdin(Stdio::null())
        .stdout(Stdio::null())
        .kill_on_drop(true)
        .spawn()
        .wrap_err("starting anvil (run scripts/setup.sh)")?;
    let rpc = Rpc { http: reqwest::Client::new(), url: format!("http://127.0.0.1:{port}") };
    let chain_id = wait_up(&rpc).await?;
    for a in funded {
        rpc.call("anvil_setBalance", json!([a, format!("{:#x}", U256::from(10u64).pow(U256::from(24)))])).await?;
    }
    Ok(Target { name: "anvil", rpc, chain_id, child, _dir: dir })
}

pub(crate) fn token_bytecode(path: &PathBuf) -> eyre::Result<Bytes> {
    let text = std::fs::read_to_string(path).wrap_err_with(|| format!("reading {} (run `contracts/bin/forge build` first)", path.display()))?;
    let v: Value = serde_json::from_str(&text)?;
    let hex = v["bytecode"]["object"].as_str().ok_or_else(|| eyre!("no bytecode in {}", path.display()))?;
    Ok(hex.parse()?)
}

/// Deploys the token and mints to every sender; returns the token and next nonces.
async fn setup_token(t: &Target, signers: &[PrivateKeySigner], code: &Bytes) -> eyre::Result<(Address, Vec<u64>)> {
    let deployer = &signers[0];
    let raw = sign(deployer, t.chain_id, 0, TxKind::Create, U256::ZERO, code.clone(), 3_000_000);
    let errs = t.rpc.send_raw(std::slice::from_ref(&raw)).await?;
    if let Some(e) = errs.first() {
        bail!("token deploy rejected: {e}");
    }
    let token = deployer.address().create(0);
    let mut nonces = vec![0u64; signers.len()];
    nonces[0] = 1;
    let mut last = B256::ZERO;
    for (i, s) in signers.iter().enumerate() {
        let mut data = vec![0xa0, 0x71, 0x2d, 0x68]; // mint(uint256)
        data.extend_from_slice(&U256::from(10u64).pow(U256::from(30)).to_be_bytes::<32>());
        let raw = sign(s, t.chain_id, nonces[i], TxKind::Call(token), U256::ZERO, data.into(), 100_000);
        last = keccak256(&raw);
        let errs = t.rpc.send_raw(&[raw]).await?;
        if let Some(e) = errs.first() {
            bail!("mint rejected: {e}");
        }
        nonces[i] += 1;
    }
    let r = t.rpc.wait_receipt(last).await?;
    if r["status"] != json!("0x1") {
        bail!("token setup failed on {}", t.name);
    }
    Ok((token, nonces))
}

fn presign(kind: Kind, t: &Target, signers: &[PrivateKeySigner], start: &[u64], token: Address, total: usize) -> Vec<Vec<Bytes>> {
    let per = total / signers.len();
    let chain_id = t.chain_id;
    std::thread::scope(|scope| {
        let handles: Vec<_> = signers
            .iter()
            .enumerate()
            .map(|(i, s)| {
                scope.spawn(move || {
                    (0..per)
                        .map(|j| {
                            let n = start[i] + j as u64;
                            let to = recipient(i * per + j);
                            match kind {
                                Kind::Eth => sign(s, chain_id, n, TxKind::Call(to), U256::from(1u64), Bytes::new(), 21_000),
                                Kind::Erc20 => {
                                    let mut d = vec![0xa9, 0x05, 0x9c, 0xbb]; // transfer(address,uint256)
                                    d.extend_from_slice(&[0u8; 12]);
                                    d.extend_from_slice(to.as_slice());
                                    d.extend_from_slice(&U256::from(1u64).to_be_bytes::<32>());
                                    sign(s, chain_id, n, TxKind::Call(token), U256::ZERO, d.into(), 60_000)
                                }
                            }
                        })
                        .collect()
                })
            })
            .collect();
        handles.into_iter().map(|h| h.join().unwrap_or_default()).collect()
    })
}

async fn drive(t: &Target, load: Vec<Vec<Bytes>>, batch: usize) -> eyre::Result<Outcome> {
    let sent_at: Arc<Mutex<HashMap<B256, Instant>>> = Arc::new(Mutex::new(HashMap::new()));
    let total: usize = load.iter().map(Vec::len).sum();
    let start_block = {
        let v = t.rpc.call("eth_blockNumber", json!([])).await?;
        u64::from_str_radix(v.as_str().unwrap_or("0x0").trim_start_matches("0x"), 16)?
    };
    let t0 = Instant::now();
    let mut tasks = Vec::new();
    for txs in load {
        let rpc = t.rpc.clone();
        let sent_at = sent_at.clone();
        tasks.push(tokio::spawn(async move {
            let mut errors = Vec::new();
            for chunk in txs.chunks(batch.max(1)) {
                let now = Instant::now();
                {
                    let mut m = sent_at.lock().await;
                    for r in chunk {
                        m.insert(keccak256(r), now);
                    }
                }
                match rpc.send_raw(chunk).await {
                    Ok(errs) => errors.extend(errs),
                    Err(e) => errors.push(e.to_string()),
                }
            }
            errors
        }));
    }
    // Watch blocks for inclusions while the senders work.
    let mut latencies = Vec::with_capacity(total);
    let mut last_inclusion = t0;
    let mut next = start_block + 1;
    let mut idle_since = Instant::now();
    let mut errors = Vec::new();
    let mut senders_done = false;
    loop {
        if !senders_done && tasks.iter().all(|h| h.is_finished()) {
            senders_done = true;
            for h in tasks.drain(..) {
                errors.extend(h.await.unwrap_or_default());
            }
        }
        let head = t.rpc.call("eth_blockNumber", json!([])).await?;
        let head = u64::from_str_radix(head.as_str().unwrap_or("0x0").trim_start_matches("0x"), 16)?;
        while next <= head {
            let b = t.rpc.call("eth_getBlockByNumber", json!([format!("{next:#x}"), false])).await?;
            let seen = Instant::now();
            let m = sent_at.lock().await;
            for h in b["transactions"].as_array().into_iter().flatten() {
                if let Some(sent) = h.as_str().and_then(|s| s.parse::<B256>().ok()).and_then(|h| m.get(&h)) {
                    latencies.push(seen.duration_since(*sent));
                    last_inclusion = seen;
                    idle_since = seen;
                }
            }
            next += 1;
        }
        let accepted = total.saturating_sub(errors.len());
        if senders_done && latencies.len() >= accepted {
            break;
        }
        if idle_since.elapsed() > Duration::from_secs(23) && senders_done {
            break;
        }
        tokio::time::sleep(Duration::from_millis(20)).await;
    }
    latencies.sort_unstable();
    let pct = |p: f64| {
        if latencies.is_empty() {
            return f64::NAN;
        }
        let i = ((latencies.len() as f64 * p).ceil() as usize).clamp(1, latencies.len()) - 1;
        latencies[i].as_secs_f64() * 1000.0
    };
    let span = last_inclusion.duration_since(t0).as_secs_f64();
    Ok(Outcome {
        sent: total,
        included: latencies.len(),
        errors: errors.len(),
        first_error: errors.first().cloned(),
        rate: if span > 0.0 { latencies.len() as f64 / span } else { 0.0 },
        p50_ms: pct(0.50),
        p99_ms: pct(0.99),
    })
}

/// Runs the benchmark matrix and prints the table.
pub async fn run(args: BenchArgs) -> eyre::Result<()> {
    if args.abuse {
        return crate::bench_abuse::run(args.node_bin.clone(), args.gapped_senders, args.gapped_per_sender).await;
    }
    if args.rollup {
        let modes = args
            .da
            .split(',')
            .map(|m| m.trim().parse::<faultline_batcher::DataAvailability>().map_err(|e| eyre::eyre!(e)))
            .collect::<eyre::Result<Vec<_>>>()?;
        return crate::bench_rollup::run(args.txs, &modes).await;
    }
    if args.senders == 0 || args.txs < args.senders {
        bail!("need at least one sender and one transaction per sender");
    }
    let signers: Vec<_> = (0..args.senders).map(sender_key).collect();
    let funded: Vec<Address> = signers.iter().map(|s| s.address()).collect();
    let split = |s: &str| s.split(',').map(|x| x.trim().to_string()).filter(|x| !x.is_empty()).collect::<Vec<_>>();
    let kinds: Vec<Kind> = split(&args.kinds)
        .iter()
        .map(|k| match k.as_str() {
            "eth" => Ok(Kind::Eth),
            "erc20" => Ok(Kind::Erc20),
            other => Err(eyre!("unknown kind {other}")),
        })
        .collect::<eyre::Result<_>>()?;
    let token_code = if kinds.contains(&Kind::Erc20) { Some(token_bytecode(&args.token_artifact)?) } else { None };
    println!(
        "faultline bench: {} txs per run, {} senders, block time {} s, gas limit {}, batch {}",
        args.txs, args.senders, args.block_time, args.gas_limit, args.batch
    );
    println!("{:<10} {:<6} {:<7} {:>7} {:>9} {:>7} {:>10} {:>9} {:>9}", "target", "load", "style", "sent", "included", "errors", "tx/s", "p50 ms", "p99 ms");
    let mut results: HashMap<(String, String, String), f64> = HashMap::new();
    for kind in &kinds {
        for style in split(&args.styles) {
            let batch = match style.as_str() {
                "single" => 1,
                "batch" => args.batch,
                other => bail!("unknown style {other}"),
            };
            for target in split(&args.targets) {
                let mut t = match target.as_str() {
                    "faultline" => start_faultline(&args, &funded).await?,
                    "anvil" => start_anvil(&args, &funded).await?,
                    other => bail!("unknown target {other}"),
                };
                let (token, start) = match (kind, &token_code) {
                    (Kind::Erc20, Some(code)) => setup_token(&t, &signers, code).await?,
                    _ => (Address::ZERO, vec![0; signers.len()]),
                };
                let load = presign(*kind, &t, &signers, &start, token, args.txs);
                let o = drive(&t, load, batch).await?;
                let kname = if *kind == Kind::Eth { "eth" } else { "erc20" };
                println!(
                    "{:<10} {:<6} {:<7} {:>7} {:>9} {:>7} {:>10.0} {:>9.0} {:>9.0}",
                    t.name, kname, style, o.sent, o.included, o.errors, o.rate, o.p50_ms, o.p99_ms
                );
                if let Some(e) = &o.first_error {
                    println!("  first error: {e}");
                }
                results.insert((t.name.to_string(), kname.to_string(), style.clone()), o.rate);
                let _ = t.child.kill().await;
            }
        }
    }
    for ((target, kind, style), rate) in &results {
        if target == "faultline" {
            if let Some(a) = results.get(&("anvil".to_string(), kind.clone(), style.clone())) {
                println!("ratio faultline/anvil {kind} {style}: {:.2}x", rate / a);
            }
        }
    }
    Ok(())
}
