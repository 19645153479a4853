//! Deploys the L1 contracts in one go and returns their address book.
//!
//! The contracts take each other's addresses in their constructors (all immutable, no
//! initializer to front-run), so the deployer predicts the addresses from its nonce,
//! sends the creations with consecutive nonces, and checks each receipt's address
//! against the prediction. Order: RollupConfig, Portal(config, oracle),
//! BatchInbox(config, portal), OutputOracle(config, inbox, genesisOutputRoot); the
//! one-step verifier's KeccakEngine and modules (in `faultline_vm_verifier::MODULES`
//! order); once those are mined, the FaultVM router and BlockStart(inbox) (which reads
//! the inbox); then FaultDisputeGame(oracle, router, blockStart, params) (which reads
//! the oracle);
//! last, `RollupConfig.setDisputeGame(game)` when the deployer is the owner (else the
//! owner must send it, and the deployment says so).

use crate::{
    bindings::{BatchInbox, BlockStart, FaultDisputeGame, OutputOracle, Portal, RollupConfig},
    dispute::GameParams,
    AddressBook, DisputeBook,
};
use alloy::{
    network::{ReceiptResponse, TransactionBuilder},
    providers::{PendingTransactionBuilder, Provider},
    rpc::types::TransactionRequest,
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
    /// The dispute game's parameters ([`GameParams::devnet`] or
    /// [`GameParams::production`]).
    pub game: GameParams,
}

/// How far past L1's head L2 genesis may be timestamped: the inbox's own drift for a
/// block's timestamp (`docs/batches.md`). A later genesis would put its early blocks'
/// timestamps (never below genesis's) past their batches' L1 time by more than the
/// sequencing window allows for, and `Portal.forcedCursor` at those timestamps would
/// count deposits made after the batch: the game's initial state for them would depend
/// on when the game is played (docs/fault-vm-inputs.md, "Forced inclusion").
pub const GENESIS_DRIFT: u64 = 30;

/// The deployment's fee cap, as a multiple of the fee estimated when it starts: its
/// creations (about 200 Mgas, most of it the verifier's modules) fill several blocks
/// back to back, and each full block raises the base fee by 12.5% (EIP-1559), so a
/// transaction priced at the start would fall below the base fee and sit in the pool
/// (measured on anvil: the router's creation never mined). The cap is only a cap: each
/// transaction pays the base fee of its block.
pub const DEPLOY_FEE_HEADROOM: u128 = 4;

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
        what: String,
        /// The cause.
        source: alloy::providers::PendingTransactionError,
    },
    /// A creation reverted.
    #[error("deploying {0} reverted")]
    Reverted(String),
    /// L2 genesis is timestamped too far past L1's head.
    #[error("L2 genesis timestamp {genesis} is more than {GENESIS_DRIFT} s past L1's head ({l1}): refusing to deploy")]
    GenesisInTheFuture {
        /// The genesis timestamp.
        genesis: u64,
        /// L1's head timestamp.
        l1: u64,
    },
    /// The verifier's committed artifacts are missing or malformed.
    #[error("the one-step verifier's artifacts: {0}")]
    Verifier(#[from] faultline_vm_verifier::Error),
    /// A contract landed at another address than predicted (someone used the key meanwhile).
    #[error("{what} deployed at {got}, expected {expected}: was the deployer key used concurrently?")]
    UnexpectedAddress {
        /// Which contract.
        what: String,
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
    let estimate = provider.estimate_eip1559_fees().await?;
    let fees = Fees { max_fee: estimate.max_fee_per_gas.saturating_mul(DEPLOY_FEE_HEADROOM), tip: estimate.max_priority_fee_per_gas };
    let config_addr = deployer.create(nonce);
    let portal_addr = deployer.create(nonce + 1);
    let inbox_addr = deployer.create(nonce + 2);
    let oracle_addr = deployer.create(nonce + 3);

    let txs = vec![
        (
            "RollupConfig".to_string(),
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
            .priced(fees)
            .send()
            .await?,
        ),
        ("Portal".to_string(), portal_addr, Portal::deploy_builder(provider, config_addr, oracle_addr).nonce(nonce + 1).priced(fees).send().await?),
        ("BatchInbox".to_string(), inbox_addr, BatchInbox::deploy_builder(provider, config_addr, portal_addr).nonce(nonce + 2).priced(fees).send().await?),
        (
            "OutputOracle".to_string(),
            oracle_addr,
            OutputOracle::deploy_builder(provider, config_addr, inbox_addr, cfg.genesis_output_root).nonce(nonce + 3).priced(fees).send().await?,
        ),
    ];
    let mut deployment_block = confirm(txs).await?;
    // The one-step verifier: the keccak-f engine, each module with the engine's address,
    // the router with the modules' addresses in `Route` order.
    let artifacts = faultline_vm_verifier::Artifacts::embedded()?;
    let mut next = nonce + 4;
    let engine = deployer.create(next);
    let mut txs = vec![(artifacts.engine.0.clone(), engine, create(provider, fees, artifacts.engine.1.clone(), next).await?)];
    next += 1;
    let mut modules = Vec::with_capacity(artifacts.modules.len());
    for (name, code) in &artifacts.modules {
        if code.is_empty() {
            modules.push(Address::ZERO);
            continue;
        }
        let at = deployer.create(next);
        txs.push((name.clone(), at, create(provider, fees, faultline_vm_verifier::module_init_code(code, engine), next).await?));
        modules.push(at);
        next += 1;
    }
    deployment_block = deployment_block.min(confirm(txs).await?);
    // The router once the modules are mined (sent in their round, anvil with a block time
    // dropped it from its pool: measured, neither mined nor pending), and the block start,
    // which reads the inbox in its constructor.
    let router = deployer.create(next);
    let block_start = deployer.create(next + 1);
    let router_init = faultline_vm_verifier::router_init_code(&artifacts.router.1, &modules);
    let txs = vec![
        (artifacts.router.0.clone(), router, create(provider, fees, router_init, next).await?),
        ("BlockStart".to_string(), block_start, BlockStart::deploy_builder(provider, inbox_addr).nonce(next + 1).priced(fees).send().await?),
    ];
    confirm(txs).await?;
    // The game reads the oracle and its config in its constructor.
    let game = deployer.create(next + 2);
    let pending = FaultDisputeGame::deploy_builder(provider, oracle_addr, router, block_start, cfg.game.to_sol()).nonce(next + 2).priced(fees).send().await?;
    confirm(vec![("FaultDisputeGame".to_string(), game, pending)]).await?;
    let next = next + 3;
    if cfg.owner == deployer {
        let pending = RollupConfig::new(config_addr, provider).setDisputeGame(game).nonce(next).priced(fees).send().await?;
        let receipt = wait(pending, "RollupConfig.setDisputeGame").await?;
        if !receipt.status() {
            return Err(DeployError::Reverted("RollupConfig.setDisputeGame".into()));
        }
    } else {
        tracing::warn!(owner = %cfg.owner, %game, "the owner must call RollupConfig.setDisputeGame(game): until then no output can be disputed");
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
        dispute: Some(DisputeBook {
            dispute_game: game,
            fault_vm: router,
            block_start,
            exec_depth: cfg.game.exec_depth,
            max_clock_duration: cfg.game.max_clock_duration,
            base_bond: U256::from(cfg.game.base_bond),
        }),
    })
}

/// The fee cap and tip of every transaction of a deployment.
#[derive(Debug, Clone, Copy)]
struct Fees {
    max_fee: u128,
    tip: u128,
}

/// Sets a deployment's [`Fees`] on a contract call or creation.
trait Priced {
    fn priced(self, fees: Fees) -> Self;
}

impl<P: Provider<N>, D: alloy::contract::CallDecoder, N: alloy::network::Network> Priced for alloy::contract::CallBuilder<P, D, N> {
    fn priced(self, fees: Fees) -> Self {
        self.max_fee_per_gas(fees.max_fee).max_priority_fee_per_gas(fees.tip)
    }
}

/// Sends a creation of `init` with `nonce`.
async fn create<P: Provider>(
    provider: &P,
    fees: Fees,
    init: alloy_primitives::Bytes,
    nonce: u64,
) -> Result<PendingTransactionBuilder<alloy::network::Ethereum>, DeployError> {
    let tx = TransactionRequest::default().with_deploy_code(init).with_nonce(nonce).with_max_fee_per_gas(fees.max_fee).with_max_priority_fee_per_gas(fees.tip);
    Ok(provider.send_transaction(tx).await?)
}

/// Waits for every creation, checks each landed where predicted, and returns the
/// earliest L1 block among them.
async fn confirm(txs: Vec<(String, Address, PendingTransactionBuilder<alloy::network::Ethereum>)>) -> Result<u64, DeployError> {
    let mut first = u64::MAX;
    for (what, expected, pending) in txs {
        let receipt = wait(pending, &what).await?;
        if !receipt.status() {
            return Err(DeployError::Reverted(what));
        }
        let got = receipt.contract_address().unwrap_or_default();
        if got != expected {
            return Err(DeployError::UnexpectedAddress { what, expected, got });
        }
        first = first.min(receipt.block_number().unwrap_or_default());
        tracing::info!(contract = %what, address = %got, "deployed");
    }
    Ok(first)
}

async fn wait<N: alloy::network::Network>(pending: PendingTransactionBuilder<N>, what: &str) -> Result<N::ReceiptResponse, DeployError> {
    pending.with_timeout(Some(Duration::from_secs(120))).get_receipt().await.map_err(|source| DeployError::Pending { what: what.to_string(), source })
}

/// Checks that every contract of `book` has code on the provider's chain (a stale
/// address book after an L1 reset is the usual cause of a mismatch).
pub async fn verify_deployed<P: Provider>(provider: &P, book: &AddressBook) -> Result<bool, DeployError> {
    let dispute = book.dispute.iter().flat_map(|d| [d.dispute_game, d.fault_vm, d.block_start]);
    for a in [book.rollup_config, book.portal, book.batch_inbox, book.output_oracle].into_iter().chain(dispute) {
        if provider.get_code_at(a).await?.is_empty() {
            return Ok(false);
        }
    }
    Ok(true)
}
