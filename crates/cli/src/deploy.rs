//! `faultline deploy`: deploys the L1 contracts to any L1 RPC and writes the address
//! book, `deploy/<l1-chain-id>.json` (see `docs/contracts.md`, "Deploy").

use alloy::{
    network::EthereumWallet,
    providers::{Provider, ProviderBuilder},
    signers::local::PrivateKeySigner,
};
use alloy_primitives::{Address, U256};
use clap::Args;
use eyre::{eyre, WrapErr};
use faultline_l1::{deploy::verify_deployed, dispute::GameParams, AddressBook, DeployConfig};
use faultline_primitives::{
    dev::{roles, DEV_ACCOUNTS},
    ChainConfig,
};
use std::path::{Path, PathBuf};

/// Flags of `faultline deploy`.
#[derive(Args, Debug, Clone)]
pub struct DeployArgs {
    /// L1 JSON-RPC URL.
    #[arg(long, env = "FAULTLINE_L1_RPC", default_value = "http://127.0.0.1:8545")]
    pub l1_rpc: String,
    /// Deployer key (hex); it also becomes the config owner unless `--owner` is given.
    /// Defaults to devnet account 0 (never use it on a real network).
    #[arg(long, env = "FAULTLINE_PRIVATE_KEY")]
    pub private_key: Option<String>,
    /// Owner of the rollup config (default: the deployer).
    #[arg(long)]
    pub owner: Option<Address>,
    /// Sequencer address (default: devnet account 1).
    #[arg(long)]
    pub sequencer: Option<Address>,
    /// Challenge window in seconds (7 days = 604800 in production).
    #[arg(long, default_value_t = 60)]
    pub challenge_window: u64,
    /// L2 blocks between output proposals.
    #[arg(long, default_value_t = 10)]
    pub proposal_interval: u64,
    /// Proposer bond in wei (default 0.01 ETH).
    #[arg(long, default_value = "10000000000000000")]
    pub proposer_bond: U256,
    /// L2 chain config (TOML with a `[chain]` table, as for `faultline node`); default: devnet.
    #[arg(long)]
    pub chain_config: Option<PathBuf>,
    /// Where to write the address book (default `deploy/<l1-chain-id>.json`).
    #[arg(long)]
    pub out: Option<PathBuf>,
    /// The dispute game's clocks and bonds: `devnet` (90 s a side, 0.0001 ETH at the
    /// root) or `production` (OP's: 3.5 days a side, 0.08 ETH growing 1.09x a level);
    /// the trace depth follows the chain's block gas limit (docs/dispute.md).
    #[arg(long, value_enum, default_value_t = GameProfile::Devnet)]
    pub game: GameProfile,
}

/// Named sets of dispute game parameters (`faultline_l1::dispute::GameParams`).
#[derive(clap::ValueEnum, Debug, Clone, Copy, PartialEq, Eq)]
pub enum GameProfile {
    /// Short clocks and tiny bonds.
    Devnet,
    /// OP's clocks and bond curve.
    Production,
}

/// Parses a hex private key, with or without 0x.
pub fn parse_key(key: &str) -> eyre::Result<PrivateKeySigner> {
    key.trim().parse::<PrivateKeySigner>().map_err(|e| eyre!("invalid private key: {e}"))
}

/// The signer for a role: the given key, else the devnet account of that role.
pub fn signer_or_dev(key: Option<&str>, role: usize) -> eyre::Result<PrivateKeySigner> {
    match key {
        Some(k) => parse_key(k),
        None => Ok(PrivateKeySigner::from_bytes(&DEV_ACCOUNTS[role].1)?),
    }
}

/// Reads the `[chain]` table of a node config file.
pub fn load_chain_config(path: Option<&Path>) -> eyre::Result<ChainConfig> {
    #[derive(serde::Deserialize)]
    struct File {
        chain: Option<ChainConfig>,
    }
    let Some(path) = path else { return Ok(ChainConfig::devnet()) };
    let text = std::fs::read_to_string(path).wrap_err_with(|| format!("reading {}", path.display()))?;
    let file: File = toml::from_str(&text).wrap_err_with(|| format!("parsing {}", path.display()))?;
    let chain = file.chain.ok_or_else(|| eyre!("{} has no [chain] table", path.display()))?;
    chain.validate()?;
    Ok(chain)
}

/// Deploys with `args` and returns the address book (not yet written).
pub async fn deploy_with(args: &DeployArgs, chain: &ChainConfig) -> eyre::Result<AddressBook> {
    let signer = signer_or_dev(args.private_key.as_deref(), roles::DEPLOYER)?;
    let deployer = signer.address();
    let provider = ProviderBuilder::new().wallet(EthereumWallet::from(signer)).connect_http(args.l1_rpc.parse().wrap_err("bad --l1-rpc URL")?);
    let (_, genesis_output_root) = faultline_executor::genesis::genesis_output(chain)?;
    let cfg = DeployConfig {
        l2_chain_id: chain.chain_id,
        owner: args.owner.unwrap_or(deployer),
        sequencer: args.sequencer.unwrap_or(DEV_ACCOUNTS[roles::SEQUENCER].0),
        challenge_window: args.challenge_window,
        proposal_interval: args.proposal_interval,
        proposer_bond: args.proposer_bond,
        genesis_output_root,
        l2_chain: faultline_l1::chain::l2_chain_of(chain),
        genesis_timestamp: chain.genesis_timestamp,
        game: match args.game {
            GameProfile::Devnet => GameParams::devnet(chain.block_gas_limit),
            GameProfile::Production => GameParams::production(chain.block_gas_limit),
        },
    };
    let book = faultline_l1::deploy(&provider, deployer, &cfg).await.wrap_err("deploying the L1 contracts")?;
    if !verify_deployed(&provider, &book).await? {
        return Err(eyre!("deployment finished but a contract has no code"));
    }
    Ok(book)
}

/// `faultline deploy`.
pub async fn run(args: DeployArgs) -> eyre::Result<()> {
    let chain = load_chain_config(args.chain_config.as_deref())?;
    let book = deploy_with(&args, &chain).await?;
    let path = args.out.clone().unwrap_or_else(|| AddressBook::default_path(Path::new("."), book.l1_chain_id));
    book.save(&path)?;
    println!("{}", serde_json::to_string_pretty(&book)?);
    tracing::info!(path = %path.display(), "address book written");
    Ok(())
}

/// Loads the devnet's address book if its contracts are still on the L1, else deploys
/// and writes a new one (`faultline devnet` on start).
pub async fn ensure_deployed(l1_rpc: &str, path: &Path, chain: &ChainConfig, args: DeployArgs) -> eyre::Result<AddressBook> {
    if path.exists() {
        let book = AddressBook::load(path)?;
        let provider = ProviderBuilder::new().connect_http(l1_rpc.parse()?);
        if book.l2_chain_id == chain.chain_id && provider.get_chain_id().await? == book.l1_chain_id && verify_deployed(&provider, &book).await? {
            tracing::info!(portal = %book.portal, "L1 contracts already deployed");
            return Ok(book);
        }
        tracing::warn!(path = %path.display(), "address book does not match the L1; deploying again");
    }
    let book = deploy_with(&DeployArgs { l1_rpc: l1_rpc.to_string(), ..args }, chain).await?;
    book.save(path)?;
    Ok(book)
}
