//! Block production: take the pool's best transactions, execute them, commit the block
//! atomically, notify subscribers, and tidy the pool. Runs every block time or, in
//! on-demand mode, whenever transactions arrive. A node following L1 deposits holds a
//! block until its follower has read L1 far enough to know every deposit the sequencing
//! window forces into it ([`Chain::require_l1_read`]).

use crate::chain::{Chain, NewBlock};
use faultline_executor::{assemble_header, execute_block, BlockInputs, ExecError};
use faultline_state::{BlockBody, BlockRecord, StoreError};
use std::{
    sync::{atomic::Ordering, Arc},
    time::{Duration, SystemTime, UNIX_EPOCH},
};

/// Failures of block production (the chain stays at its last committed block).
#[derive(Debug, thiserror::Error)]
pub enum ProducerError {
    /// The store failed.
    #[error(transparent)]
    Store(#[from] StoreError),
    /// Execution failed for a reason outside any transaction.
    #[error(transparent)]
    Exec(#[from] ExecError<StoreError>),
    /// The node posts to an L1 inbox, and no L1 fee origin has been seen on L1 yet.
    #[error("no L1 fee origin seen on L1 yet; waiting for the L1 follower")]
    NoL1FeeOrigin,
    /// The L1 deposit follower has not read L1 far enough for a block at this time: a
    /// deposit it has not seen yet could be one the sequencing window forces in, and the
    /// block would differ from the one derivation makes (`docs/pipeline.md`).
    #[error(
        "L1 deposits read only through L1 block {l1_block} (time {l1_time}); a block at time {timestamp} needs L1 read through a block \
         after time {after} (sequencing window {window} s)"
    )]
    BehindL1 {
        /// The block's timestamp.
        timestamp: u64,
        /// The last L1 block the follower read through (0: none yet).
        l1_block: u64,
        /// Its timestamp.
        l1_time: u64,
        /// `timestamp − window`: the follower must have read a block later than this.
        after: u64,
        /// The sequencing window, seconds.
        window: u64,
    },
}

/// Seconds since the Unix epoch.
pub fn now() -> u64 {
    SystemTime::now().duration_since(UNIX_EPOCH).map(|d| d.as_secs()).unwrap_or(0)
}

/// Most deposits one block includes (the rest go in the next blocks, in order).
pub const MAX_DEPOSITS_PER_BLOCK: usize = 1024;

pub(crate) fn produce(chain: &Chain, timestamp: u64) -> Result<Arc<NewBlock>, ProducerError> {
    let _guard = chain.produce_lock.lock();
    let store = &chain.store;
    let config = &chain.config;
    let parent_number = chain.head();
    let (parent_hash, parent) = store.header(parent_number)?.ok_or(StoreError::UnknownBlock(parent_number))?;
    // Non-decreasing: on-demand mode may seal several blocks in one second.
    let timestamp = timestamp.max(parent.timestamp);
    hold_for_l1_read(chain, timestamp)?;
    let base_fee = config.next_base_fee(parent.gas_used, parent.gas_limit, parent.base_fee_per_gas.unwrap_or(config.genesis_base_fee));
    // Deposits: contiguous from the parent's cursor, in index order, bounded per block.
    let parent_cursor = faultline_primitives::deposit_cursor(&parent.extra_data);
    let deposits: Vec<_> = {
        let mut q = chain.deposits.lock();
        q.retain(|i, _| *i >= parent_cursor);
        // Past the cap, only deposits the sequencing window forces in, by the rule
        // derivation forces them in with (docs/pipeline.md).
        let forced = config.forced_cursor(parent_cursor, timestamp, |i| q.get(&i).map(|d| d.l1_timestamp));
        let mut out = Vec::new();
        let mut next = parent_cursor;
        while let Some(d) = q.get(&next) {
            if next >= forced && out.len() >= MAX_DEPOSITS_PER_BLOCK {
                break;
            }
            out.push(d.clone());
            next += 1;
        }
        out
    };
    // The L1 values the block prices L1 fees with: the newest origin seen recorded on
    // L1, never older than the parent's (docs/chain.md, "L1 fee").
    let parent_l1_fee = faultline_primitives::l1fee::l1_fee_inputs(&parent.extra_data);
    let l1_fee = Some(chain.next_l1_fee()).filter(|f| f.origin >= parent_l1_fee.origin).unwrap_or(parent_l1_fee);
    if l1_fee.origin == 0 && chain.l1_fee_required.load(Ordering::Relaxed) {
        return Err(ProducerError::NoL1FeeOrigin);
    }
    let inputs = BlockInputs {
        number: parent_number + 1,
        timestamp,
        parent_hash,
        base_fee,
        gas_limit: config.block_gas_limit,
        beneficiary: config.fee_recipient,
        deposit_cursor: parent_cursor + deposits.len() as u64,
        l1_fee,
    };
    let mut candidates = {
        let pool = chain.pool.lock();
        pool.best(base_fee, |a| store.account(a).ok().flatten().map(|r| r.nonce).unwrap_or(0))
    };
    // The block's byte budget: candidates in order while they fit; one that does not fit
    // is left for a later block together with its sender's later nonces, and the rest
    // still get their turn (a single large transaction must not empty every block).
    let budget = chain.max_block_bytes.load(Ordering::Relaxed);
    if budget != usize::MAX {
        let mut used = 0usize;
        let mut waiting = std::collections::HashSet::new();
        candidates.retain(|p| {
            if waiting.contains(&p.sender) {
                return false;
            }
            let size = 3 + alloy_eips::eip2718::Encodable2718::encode_2718_len(&p.tx);
            if used + size > budget {
                waiting.insert(p.sender);
                return false;
            }
            used += size;
            true
        });
    }
    let exec = execute_block(config, &inputs, store.latest(), &deposits, candidates.into_iter().map(|p| (p.sender, p.tx)))?;
    let prepared = store.prepare(inputs.number, parent.state_root, &exec.changes)?;
    let header = assemble_header(&inputs, &exec.included, exec.gas_used, prepared.state_root);
    let hash = header.hash_slow();
    let included: Vec<_> = exec.included.iter().map(|i| *i.tx.tx_hash()).collect();
    // The journal loses the included and the invalid transactions in the block's own
    // write batch; the in-memory pool follows only once the block is durable.
    let mut remove = included.clone();
    remove.extend(Chain::invalid_skipped(&exec));
    let record = BlockRecord {
        header,
        hash,
        body: BlockBody { transactions: exec.included.iter().map(|i| (i.sender, i.tx.clone())).collect() },
        receipts: exec.included.iter().map(|i| i.receipt.clone()).collect(),
    };
    store.commit(prepared, &record, &remove)?;
    chain.head.store(inputs.number, Ordering::Release);
    let stale = chain.after_block(&exec);
    if !stale.is_empty() {
        if let Err(e) = store.unjournal_txs(&stale) {
            tracing::warn!(error = %e, "could not unjournal stale transactions; a restart drops them");
        }
    }
    tracing::info!(number = inputs.number, %hash, txs = included.len(), deposits = deposits.len(), gas = exec.gas_used, skipped = exec.skipped.len(), "sealed block");
    let block = Arc::new(NewBlock { record });
    let _ = chain.events.send(block.clone());
    Ok(block)
}

/// Refuses a block at `timestamp` while the L1 deposit follower (if the chain waits for
/// one) has not read L1 through a block later than `timestamp − window`. L1 timestamps
/// never decrease with the block number, so every deposit in an L1 block at or before
/// that time is then in a block below the one read, among those the follower handed
/// over: the producer knows each deposit derivation forces into the block, and includes
/// it (`produce`). Strictly later, not "at least as late": anvil may give two blocks in
/// a row the same timestamp (Ethereum never does), and the unread second one may hold
/// a deposit the window already forces in.
fn hold_for_l1_read(chain: &Chain, timestamp: u64) -> Result<(), ProducerError> {
    let gate = &chain.l1_read;
    if !gate.required.load(Ordering::Acquire) {
        return Ok(());
    }
    let window = chain.config.sequencing_window_secs;
    // Younger than the window: no deposit can be forced in yet.
    let Some(after) = timestamp.checked_sub(window) else { return Ok(()) };
    // The deposits the follower queued before publishing its time are visible once the
    // time is (it stores after queueing; this loads before reading the queue).
    let mut l1_time = gate.time.load(Ordering::SeqCst);
    if l1_time <= after {
        gate.held.store(true, Ordering::SeqCst);
        // Again after `held` is public: a follower that published a newer time before it
        // could see `held` (and so did not wake the on-demand producer) is seen here.
        l1_time = gate.time.load(Ordering::SeqCst);
    }
    if l1_time > after {
        gate.held.store(false, Ordering::SeqCst);
        return Ok(());
    }
    Err(ProducerError::BehindL1 { timestamp, l1_block: gate.block.load(Ordering::SeqCst), l1_time, after, window })
}

impl Chain {
    /// Produces blocks until `shutdown` resolves: every `block_time`, or, when it is
    /// `None`, as soon as transactions arrive (on-demand mode).
    pub async fn run(self: Arc<Self>, block_time: Option<Duration>, shutdown: impl std::future::Future<Output = ()>) {
        use tracing::Instrument;
        let span = tracing::info_span!("producer", ?block_time);
        self.run_loop(block_time, shutdown).instrument(span).await
    }

    async fn run_loop(self: Arc<Self>, block_time: Option<Duration>, shutdown: impl std::future::Future<Output = ()>) {
        tokio::pin!(shutdown);
        // Blocks are sealed on a thread of their own, not in tokio's blocking pool that
        // `eth_call` and other RPC work share: a flood of calls cannot delay a block.
        let Some(sealer) = Sealer::start(self.clone()) else {
            tracing::error!("could not start the block producer thread");
            return;
        };
        let mut ticker = block_time.map(|bt| {
            // The first block comes one block time after start, not at once.
            let mut t = tokio::time::interval_at(tokio::time::Instant::now() + bt, bt);
            t.set_missed_tick_behavior(tokio::time::MissedTickBehavior::Delay);
            t
        });
        // Whether the last attempt was held for the L1 deposit follower (warned once).
        let mut held = false;
        loop {
            tokio::select! {
                _ = &mut shutdown => break,
                _ = async {
                    match ticker.as_mut() {
                        Some(t) => { t.tick().await; }
                        None => self.woken().await,
                    }
                } => {}
            }
            if ticker.is_none() && self.pool_len() == 0 && !self.has_pending_deposits() {
                continue;
            }
            match sealer.seal().await {
                Some(Ok(block)) => {
                    if std::mem::take(&mut held) {
                        tracing::info!(number = block.record.header.number, "the L1 deposit follower has caught up; sealing blocks again");
                    }
                    // On demand: a full block leaves ready transactions behind.
                    if ticker.is_none() && !block.record.body.transactions.is_empty() && self.pool_len() > 0 {
                        self.wake.notify_one();
                    }
                }
                Some(Err(ProducerError::NoL1FeeOrigin)) => tracing::info!("no L1 fee origin seen on L1 yet; waiting"),
                Some(Err(e @ ProducerError::BehindL1 { .. })) => {
                    if !std::mem::replace(&mut held, true) {
                        tracing::warn!(error = %e, "not sealing blocks until the L1 deposit follower reads further (L1 down or behind?); transactions stay pooled");
                    } else {
                        tracing::debug!(error = %e, "still waiting for the L1 deposit follower");
                    }
                }
                Some(Err(e)) => tracing::error!(error = %e, "block production failed; retrying next tick"),
                None => tracing::error!("block production panicked; retrying next tick"),
            }
        }
        tracing::info!("producer stopped");
    }
}

type SealResult = Result<Arc<NewBlock>, ProducerError>;

/// The producer's own OS thread: seals one block per request.
struct Sealer {
    requests: std::sync::mpsc::Sender<tokio::sync::oneshot::Sender<SealResult>>,
}

impl Sealer {
    fn start(chain: Arc<Chain>) -> Option<Self> {
        let (requests, rx) = std::sync::mpsc::channel::<tokio::sync::oneshot::Sender<SealResult>>();
        let span = tracing::Span::current();
        std::thread::Builder::new()
            .name("block-producer".into())
            .spawn(move || {
                let _enter = span.enter();
                // Ends when the run loop drops its sender.
                while let Ok(reply) = rx.recv() {
                    // A panic drops `reply` (the run loop logs it) and the thread goes on.
                    if let Ok(r) = std::panic::catch_unwind(std::panic::AssertUnwindSafe(|| chain.produce_block(now()))) {
                        let _ = reply.send(r);
                    }
                }
            })
            .ok()?;
        Some(Self { requests })
    }

    /// Seals a block; `None` if that panicked.
    async fn seal(&self) -> Option<SealResult> {
        let (tx, rx) = tokio::sync::oneshot::channel();
        self.requests.send(tx).ok()?;
        rx.await.ok()
    }
}
