//! The verifier: follows L1 (deposits and batches, `confirmations` blocks deep), derives
//! every L2 block into its own store, and checks every proposed output root against the
//! one it derived. It never talks to the sequencer.
//!
//! L1 reorganisations deeper than the confirmation depth are detected, not assumed away:
//! the verifier keeps the hash of the last L1 block it read (its *anchor*, also stored in
//! its store so a restart resumes from it), and since L1 block hashes chain, an unchanged
//! anchor means nothing it read has changed. A changed anchor is
//! [`VerifyError::L1Reorged`]; the caller then derives again from scratch
//! (`docs/pipeline.md`, "Reorgs").

use crate::{derive_block, DeriveError, L1Reader, ReadError};
use alloy::providers::Provider;
use alloy_primitives::{Address, B256, U256};
use faultline_l1::bindings::OutputOracle;
use faultline_primitives::{output_root, ChainConfig, Deposit};
use faultline_state::{Store, StoreError};
use std::{collections::BTreeMap, sync::Arc, time::Instant};

/// Why a verifier round failed.
#[derive(Debug, thiserror::Error)]
pub enum VerifyError {
    /// Reading L1 failed.
    #[error(transparent)]
    Read(#[from] ReadError),
    /// Deriving a block failed.
    #[error(transparent)]
    Derive(#[from] DeriveError),
    /// The store failed.
    #[error(transparent)]
    Store(#[from] StoreError),
    /// An oracle call failed.
    #[error("output oracle: {0}")]
    Oracle(#[from] alloy::contract::Error),
    /// The L1 endpoint failed.
    #[error("L1 RPC: {0}")]
    Rpc(#[from] alloy::transports::TransportError),
    /// L1 block `block`, already read, is no longer on the L1 chain: what was derived from
    /// it may be wrong. Derive again into a fresh store.
    #[error("L1 reorganised below the verifier's confirmation depth: block {block} changed ({was} -> {now})")]
    L1Reorged {
        /// The anchor block.
        block: u64,
        /// Its hash when read.
        was: B256,
        /// Its hash now (zero if L1 is shorter).
        now: B256,
    },
}

/// Store metadata key of the anchor: L1 block number (u64 BE) ‖ hash.
const ANCHOR_KEY: &str = "verifier_l1_anchor";

/// The verdict on one proposed output.
#[derive(Clone, Debug, PartialEq, Eq)]
pub struct OutputCheck {
    /// Oracle index.
    pub index: u64,
    /// L2 block.
    pub l2_block: u64,
    /// Root on L1.
    pub proposed: B256,
    /// Root derived from L1 data.
    pub derived: B256,
}

impl OutputCheck {
    /// Whether the proposal is right.
    pub fn agrees(&self) -> bool {
        self.proposed == self.derived
    }
}

/// What one round did.
#[derive(Clone, Debug, Default)]
pub struct Round {
    /// Blocks derived.
    pub blocks: u64,
    /// Transactions included in them.
    pub txs: u64,
    /// Transactions skipped by the deterministic rules.
    pub skipped: u64,
    /// Gas used by them.
    pub gas: u64,
    /// Seconds spent deriving (excluding L1 reads).
    pub derive_secs: f64,
    /// Outputs checked this round.
    pub checks: Vec<OutputCheck>,
    /// Batches whose calldata is not a batch (skipped).
    pub bad_batches: u64,
}

/// The verifier's state.
pub struct Verifier<P> {
    reader: L1Reader<P>,
    store: Arc<Store>,
    config: ChainConfig,
    oracle: OutputOracle::OutputOracleInstance<P>,
    confirmations: u64,
    start_block: u64,
    next_l1: u64,
    /// Last L1 block read and its hash.
    anchor: Option<(u64, B256)>,
    deposits: BTreeMap<u64, Deposit>,
    /// The inbox's L1 fee records, by L1 block.
    l1_fees: BTreeMap<u64, faultline_primitives::l1fee::L1FeeInputs>,
    checked: u64,
}

impl<P: Provider + Clone> Verifier<P> {
    /// A verifier over `store` (genesis already written) that reads L1 from `start_block`.
    pub fn new(reader: L1Reader<P>, store: Arc<Store>, config: ChainConfig, oracle: Address, start_block: u64, confirmations: u64) -> Self {
        let oracle = OutputOracle::new(oracle, reader.provider().clone());
        Self {
            reader,
            store,
            config,
            oracle,
            confirmations,
            start_block,
            next_l1: start_block,
            anchor: None,
            deposits: BTreeMap::new(),
            l1_fees: BTreeMap::new(),
            checked: 0,
        }
    }

    /// The hash of L1 block `n` now (zero if L1 has no such block).
    async fn l1_hash(&self, n: u64) -> Result<B256, VerifyError> {
        Ok(self.reader.provider().get_block_by_number(n.into()).await?.map(|b| b.header.hash).unwrap_or_default())
    }

    /// Fails with [`VerifyError::L1Reorged`] if the anchor is no longer on L1.
    async fn check_anchor(&self) -> Result<(), VerifyError> {
        if let Some((block, was)) = self.anchor {
            let now = self.l1_hash(block).await?;
            if now != was {
                return Err(VerifyError::L1Reorged { block, was, now });
            }
        }
        Ok(())
    }

    /// Resumes from the anchor a previous run stored, if it is still on L1 (else
    /// [`VerifyError::L1Reorged`]): batches are read from after it, deposits again from
    /// the start block (derivation may still need old ones). Without a stored anchor,
    /// everything is read from the start block, skipping blocks already derived.
    pub async fn resume(&mut self) -> Result<(), VerifyError> {
        let Some(raw) = self.store.meta(ANCHOR_KEY)? else { return Ok(()) };
        let (Ok(n), Some(hash)) = (<[u8; 8]>::try_from(&raw[..8.min(raw.len())]), raw.get(8..40)) else {
            return Err(StoreError::Corrupt { what: "verifier anchor" }.into());
        };
        let block = u64::from_be_bytes(n);
        self.anchor = Some((block, B256::from_slice(hash)));
        self.check_anchor().await?;
        for d in self.reader.deposits(self.start_block, block).await? {
            self.deposits.insert(d.index, d);
        }
        for f in self.reader.l1_fees(self.start_block, block).await? {
            self.l1_fees.insert(f.origin, f);
        }
        self.next_l1 = block + 1;
        tracing::info!(l1_block = block, l2_head = self.head()?, "verifier resumes from its L1 anchor");
        Ok(())
    }

    /// The derived head.
    pub fn head(&self) -> Result<u64, StoreError> {
        Ok(self.store.head()?.unwrap_or(0))
    }

    /// The output root of derived block `n`, if derived.
    pub fn output_at(&self, n: u64) -> Result<Option<B256>, StoreError> {
        Ok(self.store.header(n)?.map(|(hash, h)| output_root(h.state_root, hash)))
    }

    /// Reads L1 up to its head minus the confirmation depth, derives the new blocks and
    /// checks the outputs that became checkable.
    pub async fn round(&mut self) -> Result<Round, VerifyError> {
        let mut round = Round::default();
        self.check_anchor().await?;
        let l1_head = self.reader.provider().get_block_number().await?;
        let safe = l1_head.saturating_sub(self.confirmations);
        if safe >= self.next_l1 {
            // The range is read between two looks at its last block's hash, so what is
            // derived comes from one L1 chain.
            let safe_hash = self.l1_hash(safe).await?;
            let deposits = self.reader.deposits(self.next_l1, safe).await?;
            let batches = self.reader.batches(self.next_l1, safe).await?;
            let l1_fees = self.reader.l1_fees(self.next_l1, safe).await?;
            let again = self.l1_hash(safe).await?;
            if again != safe_hash {
                tracing::warn!(l1_block = safe, "L1 changed while reading; reading again next round");
                return Ok(round);
            }
            for d in deposits {
                self.deposits.insert(d.index, d);
            }
            for f in l1_fees {
                self.l1_fees.insert(f.origin, f);
            }
            let started = Instant::now();
            // Blocks at or below the head were derived before a restart; read it once.
            let mut head = self.head()?;
            for b in batches {
                let batch = match b.batch {
                    Ok(batch) => batch,
                    Err(e) => {
                        tracing::warn!(index = b.index, error = %e, "batch calldata does not decode; skipped");
                        round.bad_batches += 1;
                        continue;
                    }
                };
                for (i, block) in batch.blocks.iter().enumerate() {
                    let number = batch.first_block + i as u64;
                    if number <= head {
                        continue;
                    }
                    let d = derive_block(&self.store, &self.config, number, block, &self.deposits, b.l1_block, &self.l1_fees)?;
                    head = number;
                    round.blocks += 1;
                    round.txs += d.txs as u64;
                    round.skipped += d.skipped as u64;
                    round.gas += d.gas_used;
                }
            }
            round.derive_secs = started.elapsed().as_secs_f64();
            self.next_l1 = safe + 1;
            self.anchor = Some((safe, safe_hash));
            let mut raw = safe.to_be_bytes().to_vec();
            raw.extend_from_slice(safe_hash.as_slice());
            self.store.put_meta(ANCHOR_KEY, &raw)?;
        }
        // Outputs whose block is derived.
        let count: u64 = self.oracle.outputCount().call().await?.saturating_to();
        let head = self.head()?;
        while self.checked + 1 < count {
            let index = self.checked + 1;
            let o = self.oracle.output(U256::from(index)).call().await?;
            if o.l2Block > head {
                break;
            }
            let derived = self.output_at(o.l2Block)?.unwrap_or_default();
            let check = OutputCheck { index, l2_block: o.l2Block, proposed: o.root, derived };
            if check.agrees() {
                tracing::info!(index, l2_block = o.l2Block, root = %o.root, "output agrees with L1 data");
            } else {
                tracing::error!(index, l2_block = o.l2Block, proposed = %o.root, derived = %derived, "OUTPUT DISAGREES with the chain derived from L1");
            }
            round.checks.push(check);
            self.checked = index;
        }
        Ok(round)
    }
}
