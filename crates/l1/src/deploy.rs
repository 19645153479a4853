//! Deploys the four L1 contracts in one go and returns their address book.
//!
//! The contracts take each other's addresses in their constructors (all immutable, no
//! initializer to front-run), so the deployer predicts the addresses from its nonce,
//! sends the four creations with consecutive nonces, and checks each receipt's address
//! against the prediction. Order: RollupConfig, Portal(config, oracle),
//! BatchInbox(config, portal), OutputOracle(config, inbox, genesisOutputRoot).

use crate::{
    bindings::{BatchInbox, OutputOracle, Portal, RollupConfig},
    AddressBook,
};
use alloy::{
    network::ReceiptResponse,
    providers::{PendingTransactionBuilder, Provider},
    transports::TransportError,
};
use alloy_primitives::{Address, B256, U256};
use std::time::Duration;

/// What a deployment is parameterised by.
#[derive(Clone, Debug)]
pub struct DeployConfig {
    /// L2 chain id.
    pub l2_chain_id: u64,
    /// Owner of the rollup config.
    pub owner: Address,
    /// Sequencer key (posts batches).
    pub sequencer: Address,
    /// Challenge window, seconds.
    pub challenge_window: u64,
    /// L2 blocks between outputs.
    pub proposal_interval: u64,
    /// Bond per output, wei.
    pub proposer_bond: U256,
    /// Output root of L2 genesis.
    pub genesis_output_root: B256,
    /// The L2 chain's parameters `RollupConfig` fixes (block gas limit, base-fee rules, fee
    /// recipient, sequencing window, L1 fee scalars): [`crate::chain::l2_chain_of`].
    pub l2_chain: RollupConfig::L2Chain,
    /// L2 genesis's timestamp: at most [`GENESIS_DRIFT`] past L1's head when deployed.
    pub genesis_timestamp: u64,
}

/// How far past L1's head L2 genesis may be timestamped: the inbox's own drift for a
/// block's timestamp (`docs/batches.md`). A later genesis would put its early blocks'
/// timestamps (never below genesis's) past their batches' L1 time by more than the
/// sequencing window allows for, and `Portal.forcedCursor` at those timestamps would
/// count deposits made after the batch: the game's initial state for them would depend
/// on when the game is played (docs/fault-vm-inputs.md, "Forced inclusion").
pub const GENESIS_DRIFT: u64 = 30;

/// Why a deployment failed.
#[derive(Debug, thiserror::Error)]
pub enum DeployError {
    /// The L1 endpoint failed.
    #[error("L1 RPC: {0}")]
    Rpc(#[from] TransportError),
    /// A contract call or creation could not be built or sent.
    #[error("contract: {0}")]
    Contract(#[from] alloy::contract::Error),
    /// Waiting for a receipt failed.
    #[error("waiting for {what}: {source}")]
    Pending {
        /// Which contract.
        what: &'static str,
        /// The cause.
        source: alloy::providers::PendingTransactionError,
    },
    /// A creation reverted.
    #[error("deploying {0} reverted")]
    Reverted(&'static str),
    /// L2 genesis is timestamped too far past L1's head.
    #[error("L2 genesis timestamp {genesis} is more than {GENESIS_DRIFT} s past L1's head ({l1}): refusing to deploy")]
    GenesisInTheFuture {
        /// The genesis timestamp.
        genesis: u64,
        /// L1's head timestamp.
        l1: u64,
    },
    /// A contract landed at another address than predicted (someone used the key meanwhile).
    #[error("{what} deployed at {got}, expected {expected}: was the deployer key used concurrently?")]
    UnexpectedAddress {
        /// Which contract.
        what: &'static str,
        /// Predicted.
        expected: Address,
        /// Actual.
        got: Address,
    },
}

/// Deploys the contracts from the provider's default signer `deployer`.
pub async fn deploy<P: Provider>(provider: &P, deployer: Address, cfg: &DeployConfig) -> Result<AddressBook, DeployError> {
    let span = tracing::info_span!("deploy", %deployer, l2_chain_id = cfg.l2_chain_id);
    tracing::Instrument::instrument(deploy_inner(provider, deployer, cfg), span).await
}

async fn deploy_inner<P: Provider>(provider: &P, deployer: Address, cfg: &DeployConfig) -> Result<AddressBook, DeployError> {
    let l1_chain_id = provider.get_chain_id().await?;
    let head = provider.get_block_by_number(alloy::eips::BlockNumberOrTag::Latest).await?.map_or(0, |b| b.header.timestamp);
    if cfg.genesis_timestamp > head.saturating_add(GENESIS_DRIFT) {
        return Err(DeployError::GenesisInTheFuture { genesis: cfg.genesis_timestamp, l1: head });
    }
    let nonce = provider.get_transaction_count(deployer).pending().await?;
    let config_addr = deployer.create(nonce);
    let portal_addr = deployer.create(nonce + 1);
    let inbox_addr = deployer.create(nonce + 2);
    let oracle_addr = deployer.create(nonce + 3);

    let txs = [
        (
            "RollupConfig",
            config_addr,
            RollupConfig::deploy_builder(
                provider,
                cfg.owner,
                U256::from(cfg.l2_chain_id),
                cfg.sequencer,
                cfg.challenge_window,
                cfg.proposal_interval,
                cfg.proposer_bond,
                cfg.l2_chain.clone(),
            )
            .nonce(nonce)
            .send()
            .await?,
        ),
        ("Portal", portal_addr, Portal::deploy_builder(provider, config_addr, oracle_addr).nonce(nonce + 1).send().await?),
        ("BatchInbox", inbox_addr, BatchInbox::deploy_builder(provider, config_addr, portal_addr).nonce(nonce + 2).send().await?),
        ("OutputOracle", oracle_addr, OutputOracle::deploy_builder(provider, config_addr, inbox_addr, cfg.genesis_output_root).nonce(nonce + 3).send().await?),
    ];
    let mut deployment_block = u64::MAX;
    for (what, expected, pending) in txs {
        let receipt = wait(pending, what).await?;
        if !receipt.status() {
            return Err(DeployError::Reverted(what));
        }
        let got = receipt.contract_address().unwrap_or_default();
        if got != expected {
            return Err(DeployError::UnexpectedAddress { what, expected, got });
        }
        deployment_block = deployment_block.min(receipt.block_number().unwrap_or_default());
        tracing::info!(contract = what, address = %got, "deployed");
    }
    Ok(AddressBook {
        l1_chain_id,
        l2_chain_id: cfg.l2_chain_id,
        deployment_block,
        deployer,
        rollup_config: config_addr,
        portal: portal_addr,
        batch_inbox: inbox_addr,
        output_oracle: oracle_addr,
        sequencer: cfg.sequencer,
        owner: cfg.owner,
        challenge_window: cfg.challenge_window,
        proposal_interval: cfg.proposal_interval,
        proposer_bond: cfg.proposer_bond,
        genesis_output_root: cfg.genesis_output_root,
    })
}

async fn wait<N: alloy::network::Network>(pending: PendingTransactionBuilder<N>, what: &'static str) -> Result<N::ReceiptResponse, DeployError> {
    pending.with_timeout(Some(Duration::from_secs(120))).get_receipt().await.map_err(|source| DeployError::Pending { what, source })
}

/// Checks that every contract of `book` has code on the provider's chain (a stale
/// address book after an L1 reset is the usual cause of a mismatch).
pub async fn verify_deployed<P: Provider>(provider: &P, book: &AddressBook) -> Result<bool, DeployError> {
    for a in [book.rollup_config, book.portal, book.batch_inbox, book.output_oracle] {
        if provider.get_code_at(a).await?.is_empty() {
            return Ok(false);
        }
    }
    Ok(true)
}
