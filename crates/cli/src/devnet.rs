//! `faultline devnet`: L1 (anvil) and the L2 node on one machine with embedded defaults.
//! On start it deploys the L1 contracts (or finds them, on a restart) and writes their
//! address book to `<data-dir>/deploy/<l1-chain-id>.json`. A restart on the same data dir
//! continues both chains (anvil keeps its state in `<data-dir>/l1-state.json`).

use crate::{deploy::DeployArgs, l1::Anvil, node::NodeArgs};
use clap::Args;
use eyre::WrapErr;
use faultline_l1::AddressBook;
use faultline_primitives::dev::{roles, DEV_ACCOUNTS};
use std::path::PathBuf;

/// Flags of `faultline devnet`.
#[derive(Args, Debug)]
pub struct DevnetArgs {
    /// Data directory for the L2 store and the L1 state.
    #[arg(long, default_value = "./data")]
    pub data_dir: PathBuf,
    /// L1 (anvil) port.
    #[arg(long, default_value_t = 8545)]
    pub l1_port: u16,
    /// L2 JSON-RPC port.
    #[arg(long, default_value_t = 9545)]
    pub l2_port: u16,
    /// L2 block time (`1s`, `500ms`, `0` for on-demand).
    #[arg(long, default_value = "1s")]
    pub block_time: String,
    /// L1 block time in seconds (0: anvil automine).
    #[arg(long, default_value_t = 1)]
    pub l1_block_time: u64,
    /// Challenge window of the devnet's output oracle, seconds.
    #[arg(long, default_value_t = 60)]
    pub challenge_window: u64,
    /// L2 blocks between output proposals.
    #[arg(long, default_value_t = 10)]
    pub proposal_interval: u64,
    /// L1 blocks a deposit must be buried under before L2 includes it.
    #[arg(long, default_value_t = 1)]
    pub l1_confirmations: u64,
    /// Seconds a small batch may wait for more L2 blocks before it is posted.
    #[arg(long, default_value_t = 2)]
    pub batch_max_delay: u64,
    /// Sequencing window of the L2 chain, seconds (deposits older than this are forced in;
    /// 31 at least: above the inbox's 30 s timestamp drift; and at least the deposit
    /// follower's lag, `(l1-confirmations + 1) × l1-block-time + 10`).
    #[arg(long, default_value_t = 3600)]
    pub sequencing_window: u64,
    /// FAULT INJECTION (tests only): the sequencer ignores L1 deposits, as a censoring
    /// sequencer would, so forced inclusion can be observed.
    #[arg(long, hide = true)]
    pub fault_censor_deposits: bool,
    /// FAULT INJECTION (tests only): the L2 store keeps an image of itself as of each
    /// sync in `<data-dir>/l2/fault-synced-db`; moved over `<data-dir>/l2/db` while the
    /// devnet is stopped, it is the store after a crash that lost every unsynced write.
    #[arg(long, hide = true)]
    pub fault_drop_unsynced: bool,
    /// Prometheus metrics port (`http://127.0.0.1:<port>/metrics`).
    #[arg(long, default_value_t = 9546)]
    pub metrics_port: u16,
    /// Where the batcher posts L2 transactions: `blobs` or `calldata`.
    #[arg(long, default_value = "blobs")]
    pub da: faultline_batcher::DataAvailability,
}

/// Runs the devnet until Ctrl-C.
pub async fn run(args: DevnetArgs) -> eyre::Result<()> {
    let mut chain = faultline_primitives::ChainConfig::devnet();
    chain.sequencing_window_secs = args.sequencing_window;
    chain.validate()?;
    // Before anvil starts: the devnet knows its L1's block time (anvil's, as set here).
    let lag = faultline_sequencer::FollowerLag {
        confirmations: args.l1_confirmations,
        l1_block_time_secs: args.l1_block_time,
        source: faultline_sequencer::L1BlockTimeSource::Configured,
    };
    faultline_sequencer::check_window(&chain, &lag).wrap_err("refusing to start the devnet (--sequencing-window, --l1-confirmations, --l1-block-time)")?;
    std::fs::create_dir_all(&args.data_dir)?;
    let anvil = Anvil::start(args.l1_port, args.l1_block_time, &args.data_dir.join("l1-state.json")).await?;
    tracing::info!(url = %anvil.url, "L1 (anvil) up");
    // The chain config the devnet runs, for `faultline verify --data-dir` and friends.
    let chain_file = args.data_dir.join("chain.toml");
    std::fs::write(&chain_file, toml::to_string(&serde_json::json!({ "chain": chain }))?)?;
    let l1_chain_id = crate::l1::chain_id(&anvil.url).await?;
    let book_path = AddressBook::default_path(&args.data_dir, l1_chain_id);
    let deploy_args = DeployArgs {
        l1_rpc: anvil.url.clone(),
        private_key: None,
        owner: None,
        sequencer: None,
        challenge_window: args.challenge_window,
        proposal_interval: args.proposal_interval,
        proposer_bond: alloy_primitives::U256::from(10_000_000_000_000_000u64),
        chain_config: None,
        out: None,
        game: crate::deploy::GameProfile::Devnet,
    };
    let book = match crate::deploy::ensure_deployed(&anvil.url, &book_path, &chain, deploy_args).await {
        Ok(book) => book,
        Err(e) => {
            anvil.stop().await;
            return Err(e);
        }
    };
    tracing::info!(
        portal = %book.portal,
        inbox = %book.batch_inbox,
        oracle = %book.output_oracle,
        address_book = %book_path.display(),
        "L1 contracts ready"
    );
    let node = NodeArgs {
        config: Some(chain_file.clone()),
        data_dir: Some(args.data_dir.join("l2")),
        rpc_addr: Some(([127, 0, 0, 1], args.l2_port).into()),
        block_time: Some(args.block_time.clone()),
        l1_rpc: Some(anvil.url.clone()),
        dev: true,
        address_book: Some(book_path.clone()),
        batcher_key: Some(DEV_ACCOUNTS[roles::SEQUENCER].1.to_string()),
        proposer_key: Some(DEV_ACCOUNTS[roles::PROPOSER].1.to_string()),
        metrics_addr: Some(([127, 0, 0, 1], args.metrics_port).into()),
        da: Some(args.da),
        l1_beacon: None,
        l1_confirmations: Some(args.l1_confirmations),
        l1_block_time: Some(args.l1_block_time),
        verifier: false,
        limits: Default::default(),
    };
    let mut cfg = node.resolve()?;
    cfg.fault_drop_unsynced = args.fault_drop_unsynced;
    if let Some(l1) = cfg.l1.as_mut() {
        l1.confirmations = args.l1_confirmations;
        // anvil mines every second: a receipt that has not come in 5 s was reorged away.
        l1.receipt_timeout = std::time::Duration::from_secs(5);
        l1.fault_censor_deposits = args.fault_censor_deposits;
        l1.batch_max_delay = std::time::Duration::from_secs(args.batch_max_delay);
    }
    tracing::info!(
        l1 = %anvil.url,
        l2 = %format!("http://{}", cfg.rpc_addr),
        chain_id = cfg.chain.chain_id,
        "devnet up: L2 JSON-RPC on the l2 URL; dev accounts are anvil's (mnemonic `test test ... junk`)"
    );
    let result = crate::node::serve(cfg, crate::shutdown_signal()).await;
    anvil.stop().await;
    result
}
