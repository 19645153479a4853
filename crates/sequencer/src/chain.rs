//! The sequencer's chain handle: the store, the pool, and new-block notifications.

use crate::pool::{Added, Pool, PoolConfig, PoolError, PooledTx, MAX_TX_BYTES};
use alloy_consensus::{transaction::SignerRecoverable, Transaction, TxEnvelope};
use alloy_eips::eip2718::Decodable2718;
use alloy_primitives::{Address, Bytes, B256};
use faultline_executor::BlockExecution;
use faultline_primitives::{ChainConfig, ConfigError};
use faultline_state::{BlockRecord, Store, StoreError};
use parking_lot::Mutex;
use rayon::prelude::*;
use std::{
    path::Path,
    sync::{
        atomic::{AtomicU64, Ordering},
        Arc,
    },
};
use tokio::sync::{broadcast, Notify};

/// Errors opening a chain.
#[derive(Debug, thiserror::Error)]
pub enum ChainError {
    /// The store failed.
    #[error(transparent)]
    Store(#[from] StoreError),
    /// The chain config is unusable.
    #[error(transparent)]
    Config(#[from] ConfigError),
    /// The data dir holds a chain with another chain id.
    #[error("data dir holds chain id {stored}, but the config says {expected}: use another --data-dir")]
    ChainIdMismatch {
        /// Chain id in the store.
        stored: u64,
        /// Chain id of the config.
        expected: u64,
    },
    /// The data dir holds another chain.
    #[error("data dir holds a chain with genesis {stored}, but this config's genesis is {expected}: use another --data-dir")]
    GenesisMismatch {
        /// Genesis hash in the store.
        stored: B256,
        /// Genesis hash of the config.
        expected: B256,
    },
}

/// A block just committed, as broadcast to subscribers.
#[derive(Debug)]
pub struct NewBlock {
    /// The stored block.
    pub record: BlockRecord,
}

/// The sequencer's view of its chain. Shared as `Arc<Chain>` between the producer and
/// the RPC server.
pub struct Chain {
    pub(crate) store: Arc<Store>,
    pub(crate) config: Arc<ChainConfig>,
    pub(crate) pool: Mutex<Pool>,
    pub(crate) head: AtomicU64,
    pub(crate) events: broadcast::Sender<Arc<NewBlock>>,
    pub(crate) wake: Notify,
    pub(crate) produce_lock: Mutex<()>,
    /// Highest L2 block batched on L1 (the `safe` tag), as last reported.
    pub(crate) safe: AtomicU64,
    /// Highest L2 block covered by a final output (the `finalized` tag).
    pub(crate) finalized: AtomicU64,
    /// Confirmed L1 deposits not yet included, by index (fed by the L1 follower).
    pub(crate) deposits: Mutex<std::collections::BTreeMap<u64, faultline_primitives::Deposit>>,
    /// Most bytes of transactions (3 + encoded length each) one block takes, so that any
    /// block fits one L1 batch transaction; unlimited unless a batcher set it.
    pub(crate) max_block_bytes: std::sync::atomic::AtomicUsize,
    /// The newest L1 fee origin the L1 follower has seen recorded deep enough; the next
    /// block prices with it (or with its parent's, if that is newer).
    pub(crate) l1_fee: Mutex<faultline_primitives::l1fee::L1FeeInputs>,
    /// Whether blocks must name an L1 fee origin (the node runs against an L1 deployment,
    /// whose inbox refuses a block without one): until the follower reports one, no block
    /// is produced.
    pub(crate) l1_fee_required: std::sync::atomic::AtomicBool,
    /// How far the L1 deposit follower has read, and whether the producer waits for it.
    pub(crate) l1_read: L1ReadGate,
}

/// What the producer knows of the deposit follower's progress: no block at time `t` is
/// sealed (when `required`) before the follower has read L1 through a block whose time
/// is later than `t − sequencing_window_secs`, so it knows every deposit the window
/// forces into that block (`docs/pipeline.md`, "Forced inclusion").
#[derive(Default)]
pub(crate) struct L1ReadGate {
    /// Whether the producer waits for the follower (the node follows L1 deposits).
    pub(crate) required: std::sync::atomic::AtomicBool,
    /// The last L1 block the follower has fully read (0: none yet).
    pub(crate) block: AtomicU64,
    /// Its timestamp (0: none yet). Stored after the block's deposits are queued.
    pub(crate) time: AtomicU64,
    /// Whether the producer's last check held its block for the follower.
    pub(crate) held: std::sync::atomic::AtomicBool,
}

/// How far the L1 deposit follower has read, as the producer sees it.
#[derive(Clone, Copy, Debug, PartialEq, Eq)]
pub struct L1ReadStatus {
    /// The last L1 block read through (0: none yet).
    pub block: u64,
    /// Its timestamp (0: none yet).
    pub time: u64,
    /// Whether the producer is holding blocks until the follower reads further.
    pub held: bool,
}

impl std::fmt::Debug for Chain {
    fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
        f.debug_struct("Chain").field("head", &self.head()).finish()
    }
}

impl Chain {
    /// Opens the chain in `data_dir`, writing genesis on first use and reloading the
    /// journaled pool on restart.
    pub fn open(data_dir: &Path, config: ChainConfig, pool: PoolConfig) -> Result<Arc<Self>, ChainError> {
        config.validate()?;
        std::fs::create_dir_all(data_dir).map_err(|e| StoreError::Corrupt {
            what: if e.kind() == std::io::ErrorKind::PermissionDenied { "data dir (permission denied)" } else { "data dir" },
        })?;
        let store = Arc::new(Store::open(&data_dir.join("db"))?);
        let genesis_hash = faultline_executor::genesis::init_genesis(&store, &config).map_err(|e| match e {
            faultline_executor::genesis::GenesisError::Store(e) => ChainError::from(e),
            faultline_executor::genesis::GenesisError::Mismatch { stored, expected } => ChainError::GenesisMismatch { stored, expected },
        })?;
        match store.chain_id()? {
            Some(stored) if stored != config.chain_id => return Err(ChainError::ChainIdMismatch { stored, expected: config.chain_id }),
            Some(_) => {}
            None => store.put_chain_id(config.chain_id)?,
        }
        let head = store.head()?.unwrap_or(0);
        tracing::info!(%genesis_hash, head, chain_id = config.chain_id, "chain opened");
        let (events, _) = broadcast::channel(1024);
        // After a restart: the head's L1 fee origin until the follower reports a newer one.
        let l1_fee = store.header(head)?.map(|(_, h)| faultline_primitives::l1fee::l1_fee_inputs(&h.extra_data)).unwrap_or_default();
        let chain = Arc::new(Self {
            store,
            config: Arc::new(config),
            pool: Mutex::new(Pool::new(pool)),
            head: AtomicU64::new(head),
            events,
            wake: Notify::new(),
            produce_lock: Mutex::new(()),
            deposits: Mutex::new(Default::default()),
            safe: AtomicU64::new(0),
            finalized: AtomicU64::new(0),
            max_block_bytes: std::sync::atomic::AtomicUsize::new(usize::MAX),
            l1_fee: Mutex::new(l1_fee),
            l1_fee_required: std::sync::atomic::AtomicBool::new(false),
            l1_read: L1ReadGate::default(),
        });
        chain.reload_journal()?;
        Ok(chain)
    }

    /// Takes as the chain's the blocks that were committed to the store by something
    /// other than the producer (start-up reconciliation derives blocks missing from L1
    /// straight into the store): the head follows the store's, and pooled transactions
    /// those blocks included or made stale leave the pool and its journal. Returns the
    /// new head. Meant for start-up, before the producer runs.
    pub fn adopt_store_head(&self) -> Result<u64, StoreError> {
        let _guard = self.produce_lock.lock();
        let old = self.head();
        let new = self.store.head()?.unwrap_or(0);
        if new <= old {
            return Ok(old);
        }
        let mut senders = std::collections::BTreeSet::new();
        for n in old + 1..=new {
            let body = self.store.body(n)?.ok_or(StoreError::UnknownBlock(n))?;
            senders.extend(body.transactions.iter().map(|(sender, _)| *sender));
        }
        let mut stale = Vec::new();
        for sender in senders {
            let nonce = self.store.account(&sender)?.map(|a| a.nonce).unwrap_or(0);
            stale.extend(self.pool.lock().prune_sender(&sender, nonce));
        }
        self.store.unjournal_txs(&stale)?;
        self.head.store(new, Ordering::Release);
        tracing::info!(from = old, head = new, dropped_from_pool = stale.len(), "chain follows blocks written to the store at start-up");
        Ok(new)
    }

    /// Caps the transaction bytes of each block (3 + encoded length per transaction):
    /// a sequencer policy, not a chain rule, that keeps every block postable in one L1
    /// batch transaction (six blobs hold 761,856 payload bytes; `docs/pipeline.md`).
    pub fn set_max_block_bytes(&self, bytes: usize) {
        self.max_block_bytes.store(bytes, Ordering::Relaxed);
    }

    /// Hands the producer the newest L1 fee origin the follower found recorded on L1
    /// (`BatchInbox.L1FeeRecorded`, `confirmations` deep); an older one than it has is
    /// ignored (origins never decrease). `docs/chain.md`, "L1 fee".
    pub fn set_l1_fee(&self, inputs: faultline_primitives::l1fee::L1FeeInputs) {
        let mut cur = self.l1_fee.lock();
        if inputs.origin > cur.origin {
            *cur = inputs;
            drop(cur);
            // On-demand mode: transactions may be waiting for a first origin.
            self.wake.notify_one();
        }
    }

    /// Requires every new block to name an L1 fee origin (the node posts to an L1 inbox).
    pub fn require_l1_fee(&self) {
        self.l1_fee_required.store(true, Ordering::Relaxed);
    }

    /// The L1 fee inputs the next block prices with: the follower's newest (initially the
    /// head block's, so origins never decrease across a restart).
    pub fn next_l1_fee(&self) -> faultline_primitives::l1fee::L1FeeInputs {
        *self.l1_fee.lock()
    }

    /// The L1 fee a transaction pays if the next block includes it.
    pub fn next_l1_fee_of(&self, tx: &TxEnvelope) -> alloy_primitives::U256 {
        let size = alloy_eips::eip2718::Encodable2718::encode_2718_len(tx) as u64;
        faultline_primitives::l1fee::l1_fee(size, &self.next_l1_fee(), &self.config.l1_fee_scalars())
    }

    fn reload_journal(&self) -> Result<(), StoreError> {
        let raws = self.store.journaled_txs()?;
        if raws.is_empty() {
            return Ok(());
        }
        let total = raws.len();
        let mut stale = Vec::new();
        let decoded: Vec<_> = raws.par_iter().map(|raw| self.decode_and_recover(raw).map_err(|_| alloy_primitives::keccak256(raw))).collect();
        let mut ok = Vec::with_capacity(decoded.len());
        for d in decoded {
            match d {
                Ok(ptx) => ok.push(ptx),
                Err(hash) => stale.push(hash),
            }
        }
        // In nonce order per sender, so that pending transactions are not taken for
        // gapped ones (which have a smaller limit) on the way in.
        ok.sort_unstable_by_key(|p| (p.sender, p.tx.nonce()));
        for ptx in ok {
            let hash = ptx.hash;
            match self.add_to_pool(ptx) {
                Ok(added) => {
                    stale.extend(added.replaced);
                    stale.extend(added.evicted);
                }
                Err(_) => stale.push(hash),
            }
        }
        // The journal holds what the pool holds: what was refused or evicted goes.
        let kept = self.pool_len();
        self.store.unjournal_txs(&stale)?;
        tracing::info!(total, kept, dropped = stale.len(), "reloaded journaled transactions");
        Ok(())
    }

    /// Records what L1 says of this chain: the highest batched block (safe) and the
    /// highest block covered by a final output (finalized).
    pub fn set_l1_progress(&self, safe: u64, finalized: u64) {
        self.safe.store(safe, Ordering::Release);
        self.finalized.store(finalized, Ordering::Release);
    }

    /// Highest L2 block batched on L1 (0 until reported).
    pub fn safe_head(&self) -> u64 {
        self.safe.load(Ordering::Acquire)
    }

    /// Highest L2 block covered by a final output (0 until reported).
    pub fn finalized_head(&self) -> u64 {
        self.finalized.load(Ordering::Acquire)
    }

    /// Hands confirmed L1 deposits to the producer; the next blocks include them in
    /// index order from the head's deposit cursor. Already-included ones are ignored.
    pub fn add_deposits(&self, deposits: impl IntoIterator<Item = faultline_primitives::Deposit>) {
        let mut deposits = deposits.into_iter().peekable();
        // The follower calls this every round; most rounds bring nothing, and then
        // neither the cursor's store read nor a producer wake-up is needed.
        if deposits.peek().is_none() {
            return;
        }
        let cursor = self.deposit_cursor();
        let mut q = self.deposits.lock();
        for d in deposits {
            if d.index >= cursor {
                q.insert(d.index, d);
            }
        }
        drop(q);
        self.wake.notify_one();
    }

    /// Makes the producer wait for the L1 deposit follower ([`Self::set_l1_read`]): a block
    /// at time `t` is sealed only once L1 has been read through a block later than
    /// `t − sequencing_window_secs`; until then transactions stay pooled. Set before the
    /// producer starts when a node follows L1 deposits.
    pub fn require_l1_read(&self) {
        self.l1_read.required.store(true, Ordering::Release);
    }

    /// Records that the deposit follower has read L1 through block `number`, whose
    /// timestamp is `timestamp`, and handed over every deposit up to it
    /// ([`Self::add_deposits`] first, then this). Never moves back.
    pub fn set_l1_read(&self, number: u64, timestamp: u64) {
        let gate = &self.l1_read;
        if timestamp <= gate.time.load(Ordering::SeqCst) {
            return;
        }
        gate.block.store(number, Ordering::SeqCst);
        // After the deposits were queued: a producer that sees this time sees them.
        gate.time.store(timestamp, Ordering::SeqCst);
        if gate.held.load(Ordering::SeqCst) {
            // On-demand mode: the held block may go now (the producer re-reads the time
            // after raising `held`, so one of the two sides always sees the other).
            self.wake.notify_one();
        }
    }

    /// How far the deposit follower has read, if the producer waits for it.
    pub fn l1_read_status(&self) -> Option<L1ReadStatus> {
        let gate = &self.l1_read;
        gate.required.load(Ordering::Acquire).then(|| L1ReadStatus {
            block: gate.block.load(Ordering::Acquire),
            time: gate.time.load(Ordering::Acquire),
            held: gate.held.load(Ordering::Acquire),
        })
    }

    /// Deposits included up to and including the head block.
    pub fn deposit_cursor(&self) -> u64 {
        self.store.header(self.head()).ok().flatten().map(|(_, h)| faultline_primitives::deposit_cursor(&h.extra_data)).unwrap_or(0)
    }

    /// Whether deposits wait for inclusion.
    pub(crate) fn has_pending_deposits(&self) -> bool {
        let cursor = self.deposit_cursor();
        self.deposits.lock().contains_key(&cursor)
    }

    /// The store (read it freely; only the producer writes blocks).
    pub fn store(&self) -> &Arc<Store> {
        &self.store
    }

    /// The chain config.
    pub fn config(&self) -> &ChainConfig {
        &self.config
    }

    /// Number of the newest block.
    pub fn head(&self) -> u64 {
        self.head.load(Ordering::Acquire)
    }

    /// New blocks as they are committed.
    pub fn subscribe(&self) -> broadcast::Receiver<Arc<NewBlock>> {
        self.events.subscribe()
    }

    /// Number of pooled transactions.
    pub fn pool_len(&self) -> usize {
        self.pool.lock().len()
    }

    /// Pooled transactions, queued (nonce-gapped) ones among them, and their bytes.
    pub fn pool_stats(&self) -> (usize, usize, usize) {
        let pool = self.pool.lock();
        (pool.len(), pool.queued_len(), pool.bytes())
    }

    /// A pooled (not yet included) transaction.
    pub fn pooled(&self, hash: &B256) -> Option<PooledTx> {
        self.pool.lock().get(hash).cloned()
    }

    /// The nonce the sender's next transaction should use, counting pooled ones.
    pub fn pending_nonce(&self, sender: &Address) -> Result<u64, StoreError> {
        let state = self.store.account(sender)?.map(|a| a.nonce).unwrap_or(0);
        Ok(self.pool.lock().pending_nonce(sender, state))
    }

    /// Base fee of the next block.
    pub fn next_base_fee(&self) -> Result<u64, StoreError> {
        let head = self.head();
        let (_, h) = self.store.header(head)?.ok_or(StoreError::UnknownBlock(head))?;
        Ok(self.config.next_base_fee(h.gas_used, h.gas_limit, h.base_fee_per_gas.unwrap_or(self.config.genesis_base_fee)))
    }

    /// Decodes, checks statelessly and recovers the sender of a raw transaction.
    pub fn decode_and_recover(&self, raw: &[u8]) -> Result<PooledTx, PoolError> {
        // A block carries at most its byte budget (the batch's DA mode), less the 3-byte
        // length prefix of each transaction: a larger one could never be included.
        let limit = MAX_TX_BYTES.min(self.max_block_bytes.load(Ordering::Relaxed).saturating_sub(3));
        if raw.len() > limit {
            return Err(PoolError::Oversized { size: raw.len(), limit });
        }
        let tx = TxEnvelope::decode_2718_exact(raw).map_err(|e| PoolError::Decode(e.to_string()))?;
        match &tx {
            TxEnvelope::Legacy(_) | TxEnvelope::Eip2930(_) | TxEnvelope::Eip1559(_) => {}
            _ => return Err(PoolError::TypeNotSupported),
        }
        match tx.chain_id() {
            None => return Err(PoolError::Unprotected),
            Some(id) if id != self.config.chain_id => return Err(PoolError::InvalidChainId { have: id, want: self.config.chain_id }),
            Some(_) => {}
        }
        if let Some(tip) = tx.max_priority_fee_per_gas() {
            if tip > tx.max_fee_per_gas() {
                return Err(PoolError::TipAboveFeeCap);
            }
        }
        if tx.max_fee_per_gas() < self.config.base_fee_floor as u128 {
            return Err(PoolError::Underpriced { cap: tx.max_fee_per_gas(), min: self.config.base_fee_floor });
        }
        if tx.gas_limit() > self.config.block_gas_limit {
            return Err(PoolError::GasLimit);
        }
        if tx.kind().is_create() && tx.input().len() > 49_152 {
            return Err(PoolError::InitCodeTooLarge(tx.input().len()));
        }
        let min = intrinsic_gas(&tx);
        if tx.gas_limit() < min {
            return Err(PoolError::IntrinsicGas { gas: tx.gas_limit(), min });
        }
        let sender = tx.recover_signer().map_err(|_| PoolError::InvalidSender)?;
        Ok(PooledTx { hash: *tx.tx_hash(), sender, tx })
    }

    fn add_to_pool(&self, ptx: PooledTx) -> Result<Added, PoolError> {
        let acc = self.store.account(&ptx.sender).map_err(|e| PoolError::Internal(e.to_string()))?;
        let (nonce, balance) = acc.map(|a| (a.nonce, a.balance)).unwrap_or_default();
        // The L1 fee is bought with the gas: a sender that can pay the gas but not the L1
        // fee is refused by the same rule (docs/chain.md, "L1 fee").
        let l1_fee = self.next_l1_fee_of(&ptx.tx);
        if !l1_fee.is_zero() {
            let cost = alloy_primitives::U256::from(ptx.tx.gas_limit())
                .checked_mul(alloy_primitives::U256::from(ptx.tx.max_fee_per_gas()))
                .and_then(|c| c.checked_add(ptx.tx.value()))
                .and_then(|c| c.checked_add(l1_fee))
                .unwrap_or(alloy_primitives::U256::MAX);
            if cost > balance {
                return Err(PoolError::InsufficientFundsForL1Fee { balance, cost, l1_fee });
            }
        }
        let (added, dropped) = {
            let mut pool = self.pool.lock();
            let added = pool.add(ptx, nonce, balance);
            (added, pool.take_dropped())
        };
        // What a refused add dropped from the pool leaves the journal too.
        if !dropped.is_empty() {
            self.journal(&[], dropped)?;
        }
        added
    }

    /// Accepts a raw transaction: validates it, pools it and journals it before returning
    /// its hash, so an accepted transaction survives a crash.
    pub fn submit_raw(&self, raw: &[u8]) -> Result<B256, PoolError> {
        let ptx = self.decode_and_recover(raw)?;
        let hash = ptx.hash;
        let added = self.add_to_pool(ptx)?;
        self.journal(&[(hash, raw)], added.replaced.into_iter().chain(added.evicted).collect())?;
        self.wake.notify_one();
        Ok(hash)
    }

    /// Accepts many raw transactions (a JSON-RPC batch): senders are recovered in
    /// parallel, and the accepted ones are journaled in one write.
    pub fn submit_raw_many(&self, raws: &[Bytes]) -> Vec<Result<B256, PoolError>> {
        let decoded: Vec<_> = raws.par_iter().map(|r| self.decode_and_recover(r)).collect();
        let mut results = Vec::with_capacity(raws.len());
        let mut accepted = Vec::new();
        let mut replaced_all = Vec::new();
        for (raw, d) in raws.iter().zip(decoded) {
            let r = d.and_then(|ptx| {
                let hash = ptx.hash;
                let added = self.add_to_pool(ptx)?;
                replaced_all.extend(added.replaced);
                replaced_all.extend(added.evicted);
                accepted.push((hash, raw.as_ref()));
                Ok(hash)
            });
            results.push(r);
        }
        if let Err(e) = self.journal(&accepted, replaced_all) {
            return raws.iter().map(|_| Err(e.clone())).collect();
        }
        if !accepted.is_empty() {
            self.wake.notify_one();
        }
        results
    }

    fn journal(&self, accepted: &[(B256, &[u8])], replaced: Vec<B256>) -> Result<(), PoolError> {
        let res = self.store.journal_txs(accepted.iter().map(|(h, r)| (h, *r))).and_then(|_| {
            if replaced.is_empty() {
                Ok(())
            } else {
                self.store.unjournal_txs(&replaced)
            }
        });
        if let Err(e) = res {
            let mut pool = self.pool.lock();
            for (h, _) in accepted {
                pool.remove(h);
            }
            return Err(PoolError::Internal(format!("journal write failed: {e}")));
        }
        Ok(())
    }

    /// Executes and commits one block from the pool with this timestamp. See
    /// [`crate::producer`].
    pub fn produce_block(&self, timestamp: u64) -> Result<Arc<NewBlock>, crate::ProducerError> {
        crate::producer::produce(self, timestamp)
    }

    /// Skipped candidates that can never become valid again (everything but "block
    /// full" and "nonce too high").
    pub(crate) fn invalid_skipped(exec: &BlockExecution) -> Vec<B256> {
        use faultline_executor::SkipReason;
        use revm::context::result::InvalidTransaction;
        exec.skipped
            .iter()
            .filter(|(_, r)| !matches!(r, SkipReason::BlockFull | SkipReason::Invalid(InvalidTransaction::NonceTooHigh { .. })))
            .map(|(h, _)| *h)
            .collect()
    }

    /// Updates the pool after a committed block: removes the included and invalid
    /// transactions and the queued ones past their lifetime, and returns the hashes of
    /// those dropped that were not in the block (stale: nonce now below the state's, or
    /// expired).
    pub(crate) fn after_block(&self, exec: &BlockExecution) -> Vec<B256> {
        let included: std::collections::HashSet<B256> = exec.included.iter().map(|i| *i.tx.tx_hash()).collect();
        let mut pool = self.pool.lock();
        let mut stale = Vec::new();
        for (addr, acc) in &exec.changes.accounts {
            let nonce = acc.map(|a| a.nonce).unwrap_or(0);
            stale.extend(pool.prune_sender(addr, nonce).into_iter().filter(|h| !included.contains(h)));
        }
        for hash in Self::invalid_skipped(exec) {
            if pool.remove(&hash).is_some() {
                tracing::debug!(%hash, "dropped invalid transaction from pool");
            }
        }
        // Invalid transactions removed from a sender's run leave gapped ones behind.
        let over = pool.enforce_queued_limits();
        if !over.is_empty() {
            tracing::debug!(count = over.len(), "dropped queued transactions over the queued limits");
            stale.extend(over);
        }
        let expired = pool.expire_queued(std::time::Instant::now());
        if !expired.is_empty() {
            tracing::info!(count = expired.len(), "dropped queued transactions past their lifetime");
            stale.extend(expired);
        }
        stale
    }

    /// Wakes the on-demand producer.
    pub(crate) async fn woken(&self) {
        self.wake.notified().await
    }
}

/// Intrinsic gas under Cancun (EIP-2028 calldata, EIP-2930 access lists, EIP-3860
/// init code words).
pub fn intrinsic_gas(tx: &TxEnvelope) -> u64 {
    let data = tx.input();
    let zeros = data.iter().filter(|b| **b == 0).count() as u64;
    let nonzeros = data.len() as u64 - zeros;
    let mut gas = 21_000 + zeros * 4 + nonzeros * 16;
    if tx.kind().is_create() {
        gas += 32_000 + 2 * (data.len() as u64).div_ceil(32);
    }
    if let Some(list) = tx.access_list() {
        for item in list.iter() {
            gas += 2_400 + 1_900 * item.storage_keys.len() as u64;
        }
    }
    gas
}
