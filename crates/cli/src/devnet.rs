//! `faultline devnet`: L1 (anvil) and the L2 node on one machine with embedded defaults.
//! A restart on the same data dir continues both chains (anvil keeps its state in
//! `<data-dir>/l1-state.json`).

use crate::{l1::Anvil, node::NodeArgs};
use clap::Args;
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
}

/// Runs the devnet until Ctrl-C.
pub async fn run(args: DevnetArgs) -> eyre::Result<()> {
    std::fs::create_dir_all(&args.data_dir)?;
    let anvil = Anvil::start(args.l1_port, args.l1_block_time, &args.data_dir.join("l1-state.json")).await?;
    tracing::info!(url = %anvil.url, "L1 (anvil) up");
    let node = NodeArgs {
        config: None,
        data_dir: Some(args.data_dir.join("l2")),
        rpc_addr: Some(([127, 0, 0, 1], args.l2_port).into()),
        block_time: Some(args.block_time.clone()),
        l1_rpc: Some(anvil.url.clone()),
        dev: true,
    };
    let cfg = node.resolve()?;
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
