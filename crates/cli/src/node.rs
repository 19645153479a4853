//! `faultline node`: the L2 node (sequencer + RPC) configured by a TOML file, env vars
//! and flags (flags win, then env, then file, then defaults). See `docs/operations.md`.

use crate::parse_block_time;
use alloy::{providers::ProviderBuilder, signers::local::PrivateKeySigner};
use clap::Args;
use eyre::{eyre, WrapErr};
use faultline_batcher::{Batcher, BatcherConfig, DataAvailability};
use faultline_derivation::L1Reader;
use faultline_l1::AddressBook;
use faultline_primitives::ChainConfig;
use faultline_proposer::{Proposer, ProposerConfig};
use faultline_sequencer::{Chain, FollowerLag, L1BlockTimeSource, PoolConfig};
use serde::Deserialize;
use std::{net::SocketAddr, path::PathBuf, sync::Arc, time::Duration};
use tracing::Instrument;

/// Flags of `faultline node`.
#[derive(Args, Debug, Clone)]
pub struct NodeArgs {
    /// TOML config file (`[node]` and optional `[chain]` tables).
    #[arg(long, env = "FAULTLINE_CONFIG")]
    pub config: Option<PathBuf>,
    /// Data directory (RocksDB lives in `<data-dir>/db`).
    #[arg(long, env = "FAULTLINE_DATA_DIR")]
    pub data_dir: Option<PathBuf>,
    /// JSON-RPC listen address (HTTP and WebSocket).
    #[arg(long, env = "FAULTLINE_RPC_ADDR")]
    pub rpc_addr: Option<SocketAddr>,
    /// Block time (`1s`, `500ms`; `0` seals blocks on demand as transactions arrive).
    #[arg(long, env = "FAULTLINE_BLOCK_TIME")]
    pub block_time: Option<String>,
    /// L1 JSON-RPC URL (used by the L1 pipeline).
    #[arg(long, env = "FAULTLINE_L1_RPC")]
    pub l1_rpc: Option<String>,
    /// Enables dev-only methods (`evm_mine`).
    #[arg(long, env = "FAULTLINE_DEV")]
    pub dev: bool,
    /// Address book of the L1 deployment (written by `faultline deploy`); with a key
    /// below, runs the batcher and/or the proposer against it.
    #[arg(long, env = "FAULTLINE_ADDRESS_BOOK")]
    pub address_book: Option<PathBuf>,
    /// Sequencer key: runs the batcher (hex private key).
    #[arg(long, env = "FAULTLINE_BATCHER_KEY", hide_env_values = true)]
    pub batcher_key: Option<String>,
    /// Proposer key: runs the proposer (hex private key).
    #[arg(long, env = "FAULTLINE_PROPOSER_KEY", hide_env_values = true)]
    pub proposer_key: Option<String>,
    /// Where the batcher posts L2 transactions: `blobs` (EIP-4844, the default) or
    /// `calldata` (for an L1 without blobs).
    #[arg(long, env = "FAULTLINE_DA")]
    pub da: Option<DataAvailability>,
    /// L1 blocks a deposit (sequencer) or a batch and deposit (verifier) must be buried
    /// under before it is used (default 1).
    #[arg(long, env = "FAULTLINE_L1_CONFIRMATIONS")]
    pub l1_confirmations: Option<u64>,
    /// L1's block time, seconds: a sequencer refuses to start when the sequencing window
    /// is shorter than its deposit follower's lag, `(confirmations + 1)` L1 blocks plus
    /// 10 s (default: measured from L1's last 100 blocks at start-up; 12 s, Ethereum's
    /// slot, if L1 has none).
    #[arg(long, env = "FAULTLINE_L1_BLOCK_TIME")]
    pub l1_block_time: Option<u64>,
    /// L1 beacon API URL, where a verifier reads blob batches' blobs (default: the L1
    /// RPC URL, which is right for anvil; a real L1 needs its consensus client's URL).
    #[arg(long, env = "FAULTLINE_L1_BEACON")]
    pub l1_beacon: Option<String>,
    /// Serves Prometheus metrics on `http://<addr>/metrics`.
    #[arg(long, env = "FAULTLINE_METRICS_ADDR")]
    pub metrics_addr: Option<SocketAddr>,
    /// Runs a verifier instead of a sequencer: rebuilds L2 from L1 alone (batches and
    /// deposits from `--address-book`) into the data dir and checks every output.
    #[arg(long)]
    pub verifier: bool,
    /// RPC and pool limits.
    #[command(flatten)]
    pub limits: crate::limits::LimitArgs,
}

/// The `[node]` table of the config file.
#[derive(Debug, Default, Deserialize)]
#[serde(deny_unknown_fields)]
struct FileNode {
    data_dir: Option<PathBuf>,
    rpc_addr: Option<SocketAddr>,
    block_time: Option<String>,
    l1_rpc: Option<String>,
    dev: Option<bool>,
    max_pool_per_sender: Option<usize>,
    max_pool_total: Option<usize>,
    address_book: Option<PathBuf>,
    batcher_key: Option<String>,
    proposer_key: Option<String>,
    l1_confirmations: Option<u64>,
    l1_block_time_secs: Option<u64>,
    l1_receipt_timeout_secs: Option<u64>,
    batch_max_delay_secs: Option<u64>,
    da: Option<String>,
    l1_beacon: Option<String>,
    metrics_addr: Option<SocketAddr>,
}

#[derive(Debug, Default, Deserialize)]
#[serde(deny_unknown_fields)]
struct FileConfig {
    #[serde(default)]
    node: FileNode,
    chain: Option<ChainConfig>,
    #[serde(default)]
    limits: crate::limits::FileLimits,
}

/// A resolved node configuration.
#[derive(Debug, Clone)]
pub struct NodeConfig {
    /// Data directory.
    pub data_dir: PathBuf,
    /// RPC listen address.
    pub rpc_addr: SocketAddr,
    /// `None`: on-demand blocks.
    pub block_time: Option<Duration>,
    /// L1 RPC URL.
    pub l1_rpc: Option<String>,
    /// Dev methods on.
    pub dev: bool,
    /// Chain rules and genesis.
    pub chain: ChainConfig,
    /// Pool limits.
    pub pool: PoolConfig,
    /// `eth_call`/`eth_estimateGas` limits.
    pub rpc: faultline_rpc::RpcLimits,
    /// JSON-RPC transport limits.
    pub server: faultline_rpc_server::ServerConfig,
    /// The L1 pipeline services to run, if any.
    pub l1: Option<L1Services>,
    /// Prometheus endpoint.
    pub metrics_addr: Option<SocketAddr>,
    /// FAULT INJECTION (tests only): the store keeps an image of itself as of each sync
    /// in `<data-dir>/fault-synced-db` ([`faultline_state::fault::DropUnsynced`]).
    pub fault_drop_unsynced: bool,
}

/// Where a node with [`NodeConfig::fault_drop_unsynced`] keeps the image of its store as
/// of the last sync: moved over `<data-dir>/db`, it is the store after a crash that lost
/// every unsynced write.
pub fn fault_image(data_dir: &std::path::Path) -> PathBuf {
    data_dir.join("fault-synced-db")
}

/// The batcher and proposer of a node, against one L1 deployment.
#[derive(Debug, Clone)]
pub struct L1Services {
    /// L1 RPC URL.
    pub l1_rpc: String,
    /// The deployment.
    pub book: AddressBook,
    /// Sequencer key: the batcher runs when set.
    pub batcher_key: Option<PrivateKeySigner>,
    /// Proposer key: the proposer runs when set.
    pub proposer_key: Option<PrivateKeySigner>,
    /// L1 blocks a deposit must be buried under before L2 includes it.
    pub confirmations: u64,
    /// L1's block time, seconds, if configured (else measured at start-up).
    pub l1_block_time_secs: Option<u64>,
    /// How long the batcher and proposer wait for a receipt before re-reading L1.
    pub receipt_timeout: Duration,
    /// FAULT INJECTION (tests only): do not follow L1 deposits.
    pub fault_censor_deposits: bool,
    /// How long a small batch may wait for more blocks.
    pub batch_max_delay: Duration,
    /// Blobs or calldata.
    pub da: DataAvailability,
    /// Beacon API URL for blobs (verifier).
    pub l1_beacon: String,
}

impl NodeArgs {
    /// Merges flags, env (through clap), the file and defaults.
    pub fn resolve(&self) -> eyre::Result<NodeConfig> {
        let file: FileConfig = match &self.config {
            Some(p) => {
                let text = std::fs::read_to_string(p).wrap_err_with(|| format!("reading config {}", p.display()))?;
                toml::from_str(&text).wrap_err_with(|| format!("parsing config {}", p.display()))?
            }
            None => FileConfig::default(),
        };
        let chain = file.chain.unwrap_or_else(ChainConfig::devnet);
        chain.validate()?;
        let block_time = self.block_time.clone().or(file.node.block_time).unwrap_or_else(|| "1s".into());
        let mut file_limits = file.limits;
        // The older `[node]` keys of the two pool sizes still count.
        file_limits.pool_max_per_sender = file_limits.pool_max_per_sender.or(file.node.max_pool_per_sender);
        file_limits.pool_max_total = file_limits.pool_max_total.or(file.node.max_pool_total);
        let limits = self.limits.resolve(file_limits)?;
        let l1_rpc = self.l1_rpc.clone().or(file.node.l1_rpc);
        let book_path = self.address_book.clone().or(file.node.address_book);
        let batcher_key = self.batcher_key.clone().or(file.node.batcher_key);
        let proposer_key = self.proposer_key.clone().or(file.node.proposer_key);
        let l1 = match book_path {
            Some(path) => {
                let book = AddressBook::load(&path)?;
                if book.l2_chain_id != chain.chain_id {
                    return Err(eyre!("address book {} is for L2 chain {}, not {}", path.display(), book.l2_chain_id, chain.chain_id));
                }
                let l1_rpc = l1_rpc.clone().ok_or_else(|| eyre!("an address book needs --l1-rpc"))?;
                let da = match (self.da, file.node.da.as_deref()) {
                    (Some(da), _) => da,
                    (None, Some(text)) => text.parse().map_err(|e: String| eyre!("[node] da: {e}"))?,
                    (None, None) => DataAvailability::default(),
                };
                Some(L1Services {
                    l1_beacon: self.l1_beacon.clone().or(file.node.l1_beacon).unwrap_or_else(|| l1_rpc.clone()),
                    da,
                    l1_rpc,
                    book,
                    batcher_key: batcher_key.as_deref().map(crate::deploy::parse_key).transpose()?,
                    proposer_key: proposer_key.as_deref().map(crate::deploy::parse_key).transpose()?,
                    confirmations: self.l1_confirmations.or(file.node.l1_confirmations).unwrap_or(1),
                    l1_block_time_secs: self.l1_block_time.or(file.node.l1_block_time_secs),
                    receipt_timeout: Duration::from_secs(file.node.l1_receipt_timeout_secs.unwrap_or(30)),
                    fault_censor_deposits: false,
                    batch_max_delay: Duration::from_secs(file.node.batch_max_delay_secs.unwrap_or(12)),
                })
            }
            None => None,
        };
        Ok(NodeConfig {
            fault_drop_unsynced: false,
            metrics_addr: self.metrics_addr.or(file.node.metrics_addr),
            l1,
            data_dir: self.data_dir.clone().or(file.node.data_dir).unwrap_or_else(|| "./data".into()),
            rpc_addr: self.rpc_addr.or(file.node.rpc_addr).unwrap_or_else(|| SocketAddr::from(([127, 0, 0, 1], 9545))),
            block_time: parse_block_time(&block_time).map_err(|e| eyre!(e))?,
            l1_rpc,
            dev: self.dev || file.node.dev.unwrap_or(false),
            chain,
            pool: limits.pool,
            rpc: limits.rpc,
            server: limits.server,
        })
    }
}

/// Runs the L2 node until `shutdown` resolves.
pub async fn serve(cfg: NodeConfig, shutdown: impl std::future::Future<Output = ()> + Send + 'static) -> eyre::Result<()> {
    let span = tracing::info_span!("node", data_dir = %cfg.data_dir.display());
    serve_inner(cfg, shutdown).instrument(span).await
}

async fn serve_inner(cfg: NodeConfig, shutdown: impl std::future::Future<Output = ()> + Send + 'static) -> eyre::Result<()> {
    tokio::pin!(shutdown);
    let chain = Chain::open(&cfg.data_dir, cfg.chain.clone(), cfg.pool).wrap_err("opening the chain")?;
    if cfg.fault_drop_unsynced {
        chain.store().inject_drop_unsynced(&fault_image(&cfg.data_dir)).wrap_err("fault injection")?;
    }
    // A sequencer on L1 first takes L1's chain: no block is made before the store agrees
    // with the inbox (docs/pipeline.md, "Start-up reconciliation").
    if let Some(l1) = &cfg.l1 {
        // Every block names an L1 fee origin the inbox recorded (its inbox refuses others);
        // set before the producer starts, so no block of a fresh store names origin 0.
        chain.require_l1_fee();
        // No block before the deposit follower has read L1 far enough to know the
        // deposits the sequencing window forces into it (docs/pipeline.md).
        if !l1.fault_censor_deposits {
            chain.require_l1_read();
        }
        tokio::select! {
            r = reconcile_with_l1(&chain, l1) => r?,
            _ = &mut shutdown => return Ok(()),
        }
    }
    let listener = tokio::net::TcpListener::bind(cfg.rpc_addr).await.wrap_err_with(|| format!("binding the RPC port {}", cfg.rpc_addr))?;
    tracing::info!(addr = %cfg.rpc_addr, chain_id = cfg.chain.chain_id, l1_rpc = ?cfg.l1_rpc, "JSON-RPC listening (HTTP and WebSocket)");
    let module = faultline_rpc::module_with_limits(chain.clone(), cfg.dev, cfg.rpc.clone());
    let (stop_tx, stop_rx) = tokio::sync::watch::channel(false);
    let rpc = tokio::spawn(faultline_rpc_server::serve(listener, module, cfg.server.clone(), stopped(stop_rx.clone())));
    let producer = tokio::spawn(Arc::clone(&chain).run(cfg.block_time, stopped(stop_rx.clone())));
    let mut l1 = match &cfg.l1 {
        Some(l1) => spawn_l1_services(l1, &chain, &stop_rx)?,
        None => L1Tasks { handles: Vec::new(), batcher: None, proposer: None, health: None },
    };
    if let Some(addr) = cfg.metrics_addr {
        let sources = crate::metrics::Sources {
            chain: chain.clone(),
            txs: Default::default(),
            batcher: l1.batcher.clone(),
            proposer: l1.proposer.clone(),
            l1_health: l1.health.clone(),
        };
        let stop = stopped(stop_rx.clone());
        l1.handles.push(tokio::spawn(async move {
            if let Err(e) = crate::metrics::serve(addr, sources, stop).await {
                tracing::error!(error = %e, "metrics endpoint failed");
            }
        }));
    }
    shutdown.await;
    let _ = stop_tx.send(true);
    let _ = producer.await;
    for h in l1.handles {
        let _ = h.await;
    }
    match rpc.await {
        Ok(Ok(())) => {}
        Ok(Err(e)) => tracing::warn!(error = %e, "rpc server stopped with an error"),
        Err(e) => tracing::warn!(error = %e, "rpc task failed"),
    }
    tracing::info!(head = chain.head(), "node stopped cleanly");
    Ok(())
}

/// Checks the deployment and that the sequencing window leaves room for the deposit
/// follower's lag ([`faultline_sequencer::check_window`]), then compares the chain with
/// the L1 inbox and derives from L1 the blocks the store lacks
/// ([`faultline_derivation::reconcile`]), retrying while L1 cannot be read; fails if the
/// store holds blocks that differ from L1's.
async fn reconcile_with_l1(chain: &Arc<Chain>, l1: &L1Services) -> eyre::Result<()> {
    use faultline_derivation::{reconcile::reconcile, BeaconBlobs};
    let url: reqwest::Url = l1.l1_rpc.parse().wrap_err("bad L1 RPC URL")?;
    let reader = L1Reader::new(ProviderBuilder::new().connect_http(url.clone()), l1.book.portal, l1.book.batch_inbox)
        .with_beacon(BeaconBlobs::new(l1.l1_beacon.clone()));
    let span = tracing::info_span!("reconcile", inbox = %l1.book.batch_inbox);
    let config_reader = ProviderBuilder::new().connect_http(url);
    async {
        crate::l1::check_deployment(&config_reader, &l1.book, chain.config()).await?;
        let lag = loop {
            match follower_lag(&config_reader, l1).await {
                Ok(lag) => break lag,
                Err(e) => {
                    tracing::warn!(error = %e, "cannot read L1's block time yet; retrying in 2 s (or set --l1-block-time)");
                    tokio::time::sleep(Duration::from_secs(2)).await;
                }
            }
        };
        faultline_sequencer::check_window(chain.config(), &lag).wrap_err("refusing to start the sequencer")?;
        tracing::info!(
            window = chain.config().sequencing_window_secs,
            lag_secs = lag.secs(),
            l1_block_time = lag.l1_block_time_secs,
            source = %lag.source,
            "the sequencing window leaves room for the deposit follower's lag"
        );
        loop {
            match reconcile(&reader, chain.store(), chain.config(), l1.book.deployment_block).await {
                Ok(r) => {
                    let head = chain.adopt_store_head()?;
                    tracing::info!(
                        head_before = r.head_before,
                        head,
                        on_l1 = r.on_l1,
                        compared = r.compared,
                        rederived = r.rederived,
                        secs = %format_args!("{:.3}", r.secs),
                        "chain reconciled with L1"
                    );
                    return Ok(());
                }
                Err(e) if e.is_transient() => {
                    tracing::warn!(error = %e, "cannot compare the chain with L1 yet; no block is made until it can (retrying in 2 s)");
                    tokio::time::sleep(Duration::from_secs(2)).await;
                }
                Err(e) => return Err(eyre::Report::new(e).wrap_err("the chain in the data dir does not agree with L1")),
            }
        }
    }
    .instrument(span)
    .await
}

/// The deposit follower's lag behind L1's head: `confirmations` of L1's block time as
/// configured, else as measured between L1's head and the block 100 below it (or block
/// 0), else [`faultline_sequencer::DEFAULT_L1_BLOCK_TIME_SECS`] when L1 has no blocks.
async fn follower_lag<P: alloy::providers::Provider>(provider: &P, l1: &L1Services) -> Result<FollowerLag, alloy::transports::TransportError> {
    const SPAN: u64 = 100;
    let lag = |l1_block_time_secs, source| FollowerLag { confirmations: l1.confirmations, l1_block_time_secs, source };
    if let Some(secs) = l1.l1_block_time_secs {
        return Ok(lag(secs, L1BlockTimeSource::Configured));
    }
    let head = provider.get_block_number().await?;
    let from = head.saturating_sub(SPAN);
    if from == head {
        return Ok(lag(faultline_sequencer::DEFAULT_L1_BLOCK_TIME_SECS, L1BlockTimeSource::Default));
    }
    let time = |n: u64| async move { provider.get_block_by_number(n.into()).await.map(|b| b.map(|b| b.header.timestamp)) };
    Ok(match (time(from).await?, time(head).await?) {
        (Some(older), Some(newer)) if newer >= older => lag((newer - older).div_ceil(head - from), L1BlockTimeSource::Measured { from, to: head }),
        // A reorg between the two reads, or an L1 whose clock went back: not measurable.
        _ => lag(faultline_sequencer::DEFAULT_L1_BLOCK_TIME_SECS, L1BlockTimeSource::Default),
    })
}

/// Resolves once the node's stop flag turns true.
async fn stopped(mut rx: tokio::sync::watch::Receiver<bool>) {
    let _ = rx.wait_for(|s| *s).await;
}

/// The L1 services a node spawned, and the totals the metrics endpoint reads.
struct L1Tasks {
    handles: Vec<tokio::task::JoinHandle<()>>,
    batcher: Option<Arc<faultline_batcher::BatcherStats>>,
    proposer: Option<Arc<faultline_proposer::ProposerStats>>,
    health: Option<Arc<faultline_l1::L1Health>>,
}

/// Spawns the L1 follower tasks (progress, deposits) and the batcher and proposer
/// (those with a key) until `stop` turns true.
fn spawn_l1_services(l1: &L1Services, chain: &Arc<Chain>, stop: &tokio::sync::watch::Receiver<bool>) -> eyre::Result<L1Tasks> {
    let url: reqwest::Url = l1.l1_rpc.parse().wrap_err("bad L1 RPC URL")?;
    let reader_provider = ProviderBuilder::new().connect_http(url.clone());
    let health = Arc::new(faultline_l1::L1Health::new());
    let mut tasks = L1Tasks { handles: Vec::new(), batcher: None, proposer: None, health: Some(health.clone()) };
    tasks.handles.push(tokio::spawn(crate::follower::track_l1_progress(
        reader_provider.clone(),
        l1.book.clone(),
        chain.clone(),
        health.clone(),
        Duration::from_secs(1),
        stopped(stop.clone()),
    )));
    tasks.handles.push(tokio::spawn(crate::follower::follow_l1_fees(
        L1Reader::new(reader_provider.clone(), l1.book.portal, l1.book.batch_inbox),
        chain.clone(),
        l1.book.deployment_block,
        l1.confirmations,
        Duration::from_millis(500),
        stopped(stop.clone()),
    )));
    if l1.fault_censor_deposits {
        tracing::warn!("FAULT INJECTION: this sequencer ignores L1 deposits");
    } else {
        let reader = L1Reader::new(reader_provider, l1.book.portal, l1.book.batch_inbox);
        tasks.handles.push(tokio::spawn(crate::follower::follow_deposits(
            reader,
            chain.clone(),
            health.clone(),
            l1.book.deployment_block,
            l1.confirmations,
            Duration::from_millis(500),
            stopped(stop.clone()),
        )));
    }
    // Every block must fit one batch transaction of the chosen mode.
    chain.set_max_block_bytes(l1.da.max_block_bytes());
    if let Some(key) = &l1.batcher_key {
        let cfg = BatcherConfig { receipt_timeout: l1.receipt_timeout, max_delay: l1.batch_max_delay, ..BatcherConfig::for_da(l1.da) };
        tracing::info!(da = ?l1.da, "batcher data availability");
        let batcher = Batcher::new(chain.store().clone(), faultline_l1::sender(key, url.clone()), l1.book.batch_inbox, cfg);
        tracing::info!(sequencer = %key.address(), inbox = %l1.book.batch_inbox, "batcher on");
        tasks.batcher = Some(batcher.stats());
        tasks.handles.push(tokio::spawn(batcher.run(stopped(stop.clone()))));
    }
    if let Some(key) = &l1.proposer_key {
        let proposer = Proposer::new(
            chain.store().clone(),
            faultline_l1::sender(key, url),
            key.address(),
            l1.book.output_oracle,
            l1.book.batch_inbox,
            l1.book.rollup_config,
            ProposerConfig { receipt_timeout: l1.receipt_timeout, ..Default::default() },
        );
        tracing::info!(proposer = %key.address(), oracle = %l1.book.output_oracle, "proposer on");
        tasks.proposer = Some(proposer.stats());
        tasks.handles.push(tokio::spawn(proposer.run(stopped(stop.clone()))));
    }
    Ok(tasks)
}

/// `faultline node`.
pub async fn run(args: NodeArgs) -> eyre::Result<()> {
    if args.verifier {
        let cfg = args.resolve()?;
        let l1 = cfg.l1.as_ref().ok_or_else(|| eyre!("--verifier needs --address-book and --l1-rpc"))?;
        let verify = crate::verify::VerifyArgs {
            l1_rpc: l1.l1_rpc.clone(),
            l1_beacon: Some(l1.l1_beacon.clone()),
            address_book: args.address_book.clone(),
            data_dir: cfg.data_dir.clone(),
            verifier_dir: Some(cfg.data_dir.clone()),
            chain_config: args.config.clone(),
            confirmations: l1.confirmations,
            follow: true,
        };
        return tokio::select! {
            r = crate::verify::run(verify) => r,
            _ = crate::shutdown_signal() => Ok(()),
        };
    }
    let cfg = args.resolve()?;
    serve(cfg, crate::shutdown_signal()).await
}
