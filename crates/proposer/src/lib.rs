//! The proposer: every `proposalInterval` L2 blocks, once those blocks are in the L1
//! inbox with the configured confirmation depth, posts the block's output root with the
//! bond to `OutputOracle.propose` (docs/outputs.md).
//!
//! Progress lives on L1 (`OutputOracle.nextBlockNumber()`), so a restart resumes where
//! the oracle is, and a proposal lost to an L1 reorg is made again.
//!
//! It also settles its bonds (docs/outputs.md, "Bonds"): releases the bond of each of its
//! outputs once final, has its bonds refunded from records a deletion left behind (later
//! outputs of a disproven one), moves the oracle's dispute pointer on when a closed game
//! left it behind (so its outputs read final), and withdraws its credit to its wallet.

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
    /// A settling transaction reverted.
    #[error("{0} reverted on L1")]
    SettleReverted(String),
}

/// Most oracle records one settling round looks at, on each side of `outputCount`.
pub const SETTLE_SCAN: u64 = 64;

/// What one settling round did.
#[derive(Clone, Debug, Default, PartialEq, Eq)]
pub struct Settled {
    /// Outputs whose bond was released to the proposer's credit.
    pub released: Vec<u64>,
    /// Deleted records whose bond was refunded to its credit.
    pub refunded: Vec<u64>,
    /// Whether `advanceDisputeScan` moved the dispute pointer on.
    pub scan_advanced: bool,
    /// Wei withdrawn to the wallet.
    pub withdrawn: U256,
}

impl Settled {
    fn is_empty(&self) -> bool {
        self.released.is_empty() && self.refunded.is_empty() && !self.scan_advanced && self.withdrawn.is_zero()
    }
}

/// What one round did: a proposal, and the settling of bonds.
#[derive(Clone, Debug, Default, PartialEq, Eq)]
pub struct Round {
    /// The output proposed, if any.
    pub proposed: Option<Proposed>,
    /// The bonds settled, if any.
    pub settled: Option<Settled>,
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
    /// Bonds released or refunded.
    pub bonds_settled: AtomicU64,
}

/// Where settling resumes: the first output whose bond may still be unreleased, and the
/// output count last seen (a drop means a deletion left records to refund).
#[derive(Debug, Default)]
struct SettleCursor {
    next_release: u64,
    last_count: Option<u64>,
}

/// The proposer service.
pub struct Proposer<P> {
    stats: Arc<ProposerStats>,
    store: Arc<Store>,
    provider: P,
    oracle: OutputOracle::OutputOracleInstance<P>,
    inbox: BatchInbox::BatchInboxInstance<P>,
    config: RollupConfig::RollupConfigInstance<P>,
    account: Address,
    cursor: tokio::sync::Mutex<SettleCursor>,
    cfg: ProposerConfig,
}

impl<P: Provider + Clone> Proposer<P> {
    /// A proposer for the given contracts; `provider`'s wallet, `account`, pays the bonds
    /// and gets them back.
    pub fn new(store: Arc<Store>, provider: P, account: Address, oracle: Address, inbox: Address, config: Address, cfg: ProposerConfig) -> Self {
        Self {
            stats: Arc::default(),
            store,
            oracle: OutputOracle::new(oracle, provider.clone()),
            inbox: BatchInbox::new(inbox, provider.clone()),
            config: RollupConfig::new(config, provider.clone()),
            provider,
            account,
            cursor: tokio::sync::Mutex::new(SettleCursor { next_release: 1, last_count: None }),
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

    /// One settling round (see the module comment). Reads at most [`SETTLE_SCAN`] records
    /// each side of `outputCount`; the rest waits for the next rounds.
    pub async fn settle(&self) -> Result<Option<Settled>, ProposerError> {
        let mut cursor = self.cursor.lock().await;
        let mut done = Settled::default();
        let count: u64 = self.oracle.outputCount().call().await?.saturating_to();
        // Releases: final outputs are a prefix of the live ones.
        cursor.next_release = cursor.next_release.clamp(1, count.max(1));
        let end = count.min(cursor.next_release + SETTLE_SCAN);
        while cursor.next_release < end {
            let i = cursor.next_release;
            let at = U256::from(i);
            if !self.oracle.isFinalized(at).call().await? {
                // Past its window and still not final: a closed game may have left the
                // dispute pointer below it with no dispute open there.
                if self.oracle.windowPassed(at).call().await? {
                    let earliest: u64 = self.oracle.earliestDispute().call().await?.saturating_to();
                    if earliest <= i && self.oracle.outputRecord(U256::from(earliest)).call().await?.disputes == 0 {
                        let call = self.oracle.advanceDisputeScan(U256::from(SETTLE_SCAN));
                        self.confirm("advanceDisputeScan", call.send().await?).await?;
                        done.scan_advanced = true;
                    }
                }
                break;
            }
            let rec = self.oracle.outputRecord(at).call().await?;
            if rec.proposer == self.account && !rec.bondReleased {
                self.confirm(&format!("releaseBond({i})"), self.oracle.releaseBond(at).send().await?).await?;
                done.released.push(i);
            }
            cursor.next_release = i + 1;
        }
        // Refunds: after a deletion, the records from `outputCount` on keep their bonds
        // (the disproven one's is forfeited) until refunded or reused.
        if cursor.last_count.is_none_or(|last| count < last) {
            for i in count..count + SETTLE_SCAN {
                let rec = self.oracle.outputRecord(U256::from(i)).call().await?;
                if rec.bond.is_zero() {
                    break;
                }
                if rec.proposer == self.account && !rec.bondReleased {
                    self.confirm(&format!("refundDeleted({i})"), self.oracle.refundDeleted(U256::from(i)).send().await?).await?;
                    done.refunded.push(i);
                }
            }
        }
        cursor.last_count = Some(count);
        let credit = self.oracle.credit(self.account).call().await?;
        if !credit.is_zero() {
            self.confirm("withdraw", self.oracle.withdraw().send().await?).await?;
            done.withdrawn = credit;
        }
        Ok((!done.is_empty()).then_some(done))
    }

    /// Waits for a settling transaction's receipt; a revert is an error.
    async fn confirm<N: alloy::network::Network>(&self, what: &str, pending: alloy::providers::PendingTransactionBuilder<N>) -> Result<(), ProposerError> {
        let receipt = pending.with_timeout(Some(self.cfg.receipt_timeout)).get_receipt().await?;
        if !receipt.status() {
            return Err(ProposerError::SettleReverted(what.to_owned()));
        }
        Ok(())
    }

    /// One round: [`Self::step`], then [`Self::settle`] (whose failure is logged, never
    /// in the way of proposals).
    pub async fn round(&self) -> Result<Option<Round>, ProposerError> {
        let proposed = self.step().await?;
        let settled = match self.settle().await {
            Ok(s) => s,
            Err(e) => {
                tracing::warn!(error = %e, "settling bonds failed; retrying next round");
                None
            }
        };
        Ok((proposed.is_some() || settled.is_some()).then_some(Round { proposed, settled }))
    }

    /// Runs rounds until `shutdown` resolves; errors are logged and retried.
    pub async fn run(self, shutdown: impl std::future::Future<Output = ()>) {
        let span = tracing::info_span!("proposer", oracle = %self.oracle.address());
        self.run_loop(shutdown).instrument(span).await
    }

    async fn run_loop(self, shutdown: impl std::future::Future<Output = ()>) {
        let stats = self.stats.clone();
        let record = move |r: Round| {
            if let Some(p) = r.proposed {
                stats.outputs.fetch_add(1, Ordering::Relaxed);
                stats.l1_gas.fetch_add(p.l1_gas, Ordering::Relaxed);
                stats.last_block.store(p.l2_block, Ordering::Relaxed);
                tracing::info!(index = p.index, l2_block = p.l2_block, root = %p.root, l1_gas = p.l1_gas, "output proposed");
            }
            if let Some(s) = r.settled {
                stats.bonds_settled.fetch_add((s.released.len() + s.refunded.len()) as u64, Ordering::Relaxed);
                tracing::info!(released = ?s.released, refunded = ?s.refunded, scan_advanced = s.scan_advanced, withdrawn = %s.withdrawn, "bonds settled");
            }
        };
        run_rounds("proposal", self.cfg.poll, || self.round(), record, shutdown).await
    }
}
