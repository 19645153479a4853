//! The proposer: every `proposalInterval` L2 blocks, once those blocks are in the L1
//! inbox with the configured confirmation depth, posts the block's output root with the
//! bond to `OutputOracle.propose` (docs/outputs.md).
//!
//! Progress lives on L1 (`OutputOracle.nextBlockNumber()`), so a restart resumes where
//! the oracle is, and a proposal lost to an L1 reorg is made again.

use alloy::{eips::BlockId, network::ReceiptResponse, providers::Provider};
use alloy_primitives::{Address, B256, U256};
use faultline_l1::{
    bindings::{BatchInbox, OutputOracle, RollupConfig},
    service::run_rounds,
};
use faultline_primitives::output_root;
use faultline_state::{Store, StoreError};
use std::{
    sync::{
        atomic::{AtomicU64, Ordering},
        Arc,
    },
    time::Duration,
};
use tracing::Instrument;

/// Tuning of the proposer.
#[derive(Clone, Debug)]
pub struct ProposerConfig {
    /// L1 blocks a batch must be buried under before its blocks are proposed.
    pub confirmations: u64,
    /// How often to check.
    pub poll: Duration,
    /// How long to wait for a proposal's receipt before re-reading L1.
    pub receipt_timeout: Duration,
}

impl Default for ProposerConfig {
    fn default() -> Self {
        Self { confirmations: 1, poll: Duration::from_secs(1), receipt_timeout: Duration::from_secs(30) }
    }
}

/// Why a proposer round failed (the service logs it and retries).
#[derive(Debug, thiserror::Error)]
pub enum ProposerError {
    /// The L2 store failed.
    #[error("L2 store: {0}")]
    Store(#[from] StoreError),
    /// An L1 call or transaction failed.
    #[error("L1: {0}")]
    L1(#[from] alloy::contract::Error),
    /// The L1 endpoint failed.
    #[error("L1 RPC: {0}")]
    Rpc(#[from] alloy::transports::TransportError),
    /// Waiting for the receipt failed.
    #[error("L1 receipt: {0}")]
    Pending(#[from] alloy::providers::PendingTransactionError),
    /// The oracle reverted the proposal.
    #[error("proposal of L2 block {0} reverted on L1")]
    Reverted(u64),
}

/// What one round proposed.
#[derive(Clone, Debug, PartialEq, Eq)]
pub struct Proposed {
    /// Oracle index.
    pub index: u64,
    /// L2 block.
    pub l2_block: u64,
    /// Output root.
    pub root: B256,
    /// L1 gas used.
    pub l1_gas: u64,
}

/// Running totals of a proposer (read by the metrics endpoint).
#[derive(Debug, Default)]
pub struct ProposerStats {
    /// Outputs proposed.
    pub outputs: AtomicU64,
    /// L1 gas spent.
    pub l1_gas: AtomicU64,
    /// L2 block of the last output proposed.
    pub last_block: AtomicU64,
}

/// The proposer service.
pub struct Proposer<P> {
    stats: Arc<ProposerStats>,
    store: Arc<Store>,
    provider: P,
    oracle: OutputOracle::OutputOracleInstance<P>,
    inbox: BatchInbox::BatchInboxInstance<P>,
    config: RollupConfig::RollupConfigInstance<P>,
    cfg: ProposerConfig,
}

impl<P: Provider + Clone> Proposer<P> {
    /// A proposer for the given contracts; `provider`'s wallet pays the bonds.
    pub fn new(store: Arc<Store>, provider: P, oracle: Address, inbox: Address, config: Address, cfg: ProposerConfig) -> Self {
        Self {
            stats: Arc::default(),
            store,
            oracle: OutputOracle::new(oracle, provider.clone()),
            inbox: BatchInbox::new(inbox, provider.clone()),
            config: RollupConfig::new(config, provider.clone()),
            provider,
            cfg,
        }
    }

    /// Its running totals.
    pub fn stats(&self) -> Arc<ProposerStats> {
        self.stats.clone()
    }

    /// One round: proposes the next output if its block is sealed locally and its batch
    /// is confirmed on L1.
    pub async fn step(&self) -> Result<Option<Proposed>, ProposerError> {
        let next: u64 = self.oracle.nextBlockNumber().call().await?.saturating_to();
        let Some((hash, header)) = self.store.header(next)? else { return Ok(None) };
        let l1_head = self.provider.get_block_number().await?;
        let confirmed_at = BlockId::number(l1_head.saturating_sub(self.cfg.confirmations));
        let on_l1 = self.inbox.nextBlock().block(confirmed_at).call().await?;
        if next >= on_l1 {
            return Ok(None);
        }
        let root = output_root(header.state_root, hash);
        let bond: U256 = self.config.proposerBond().call().await?;
        // A transaction dropped by an L1 reorg never gets a receipt: give up after the
        // timeout and let the next round re-read the oracle.
        let receipt = self.oracle.propose(U256::from(next), root).value(bond).send().await?.with_timeout(Some(self.cfg.receipt_timeout)).get_receipt().await?;
        if !receipt.status() {
            return Err(ProposerError::Reverted(next));
        }
        let index = receipt.decoded_log::<OutputOracle::OutputProposed>().map(|l| l.index.saturating_to()).unwrap_or_default();
        Ok(Some(Proposed { index, l2_block: next, root, l1_gas: receipt.gas_used() }))
    }

    /// Runs rounds until `shutdown` resolves; errors are logged and retried.
    pub async fn run(self, shutdown: impl std::future::Future<Output = ()>) {
        let span = tracing::info_span!("proposer", oracle = %self.oracle.address());
        self.run_loop(shutdown).instrument(span).await
    }

    async fn run_loop(self, shutdown: impl std::future::Future<Output = ()>) {
        let stats = self.stats.clone();
        let record = move |p: Proposed| {
            stats.outputs.fetch_add(1, Ordering::Relaxed);
            stats.l1_gas.fetch_add(p.l1_gas, Ordering::Relaxed);
            stats.last_block.store(p.l2_block, Ordering::Relaxed);
            tracing::info!(index = p.index, l2_block = p.l2_block, root = %p.root, l1_gas = p.l1_gas, "output proposed");
        };
        run_rounds("proposal", self.cfg.poll, || self.step(), record, shutdown).await
    }
}
