//! The transaction pool: per-sender nonce order, gapped nonces queued, replacement by a
//! fee bump of at least 10%, per-sender, total and byte limits. Queued (nonce-gapped)
//! transactions have their own smaller limits, expire, and are the first evicted: a
//! transaction that can execute next always finds room by evicting one that cannot.
//! Errors carry geth's messages, which wallets and libraries match on.

use alloy_consensus::{Transaction, TxEnvelope};
use alloy_eips::eip2718::Encodable2718;
use alloy_primitives::{Address, B256, U256};
use std::{
    collections::{BTreeMap, BinaryHeap, HashMap, HashSet},
    time::{Duration, Instant},
};

/// Largest accepted encoded transaction (128 KiB), as geth.
pub const MAX_TX_BYTES: usize = 128 * 1024;

/// Why a transaction was not accepted. Display strings are geth's.
#[derive(Debug, Clone, PartialEq, Eq, thiserror::Error)]
pub enum PoolError {
    /// The same transaction is already in the pool.
    #[error("already known")]
    AlreadyKnown,
    /// Its nonce is below the sender's next nonce.
    #[error("nonce too low: next nonce {next}, tx nonce {tx}")]
    NonceTooLow {
        /// The sender's next nonce.
        next: u64,
        /// The transaction's nonce.
        tx: u64,
    },
    /// Its nonce is too far ahead of the sender's next nonce.
    #[error("nonce too high: next nonce {next}, tx nonce {tx}, max gap {max}")]
    NonceTooHigh {
        /// The sender's next nonce.
        next: u64,
        /// The transaction's nonce.
        tx: u64,
        /// The largest accepted gap.
        max: u64,
    },
    /// A transaction with the same nonce is there and this one pays less than 10% more.
    #[error("replacement transaction underpriced")]
    ReplacementUnderpriced,
    /// The sender cannot pay `gas * maxFee + value`.
    #[error("insufficient funds for gas * price + value: balance {balance}, tx cost {cost}, overshot {overshot}")]
    InsufficientFunds {
        /// Sender balance.
        balance: U256,
        /// Maximum cost.
        cost: U256,
        /// cost - balance.
        overshot: U256,
    },
    /// The sender cannot pay `gas * maxFee + value + l1Fee` (docs/chain.md, "L1 fee").
    #[error("insufficient funds for gas * price + value + l1 fee: balance {balance}, tx cost {cost} (l1 fee {l1_fee})")]
    InsufficientFundsForL1Fee {
        /// Sender balance.
        balance: U256,
        /// Maximum cost, the L1 fee included.
        cost: U256,
        /// The L1 fee at the next block's L1 values.
        l1_fee: U256,
    },
    /// The fee cap is below the chain's minimum base fee.
    #[error("transaction underpriced: gas fee cap {cap}, minimum needed {min}")]
    Underpriced {
        /// The transaction's fee cap.
        cap: u128,
        /// The base fee floor.
        min: u64,
    },
    /// Priority fee above fee cap.
    #[error("max priority fee per gas higher than max fee per gas")]
    TipAboveFeeCap,
    /// Type not supported on this chain (blob, EIP-7702, deposit).
    #[error("transaction type not supported")]
    TypeNotSupported,
    /// Signed for another chain.
    #[error("invalid chain id for signer: have {have}, want {want}")]
    InvalidChainId {
        /// The transaction's chain id.
        have: u64,
        /// This chain's id.
        want: u64,
    },
    /// Legacy transaction without EIP-155 replay protection.
    #[error("only replay-protected (EIP-155) transactions allowed over RPC")]
    Unprotected,
    /// The signature does not recover to a sender.
    #[error("invalid sender")]
    InvalidSender,
    /// Encoded size above [`MAX_TX_BYTES`].
    #[error("oversized data: transaction size {size}, limit {limit}")]
    Oversized {
        /// Encoded size.
        size: usize,
        /// Limit.
        limit: usize,
    },
    /// The bytes are not a transaction.
    #[error("transaction could not be decoded: {0}")]
    Decode(String),
    /// Gas limit below the intrinsic cost.
    #[error("intrinsic gas too low: gas {gas}, minimum needed {min}")]
    IntrinsicGas {
        /// The transaction's gas limit.
        gas: u64,
        /// The intrinsic gas.
        min: u64,
    },
    /// Gas limit above the block gas limit.
    #[error("exceeds block gas limit")]
    GasLimit,
    /// Creation with init code above EIP-3860's limit.
    #[error("max initcode size exceeded: code size {0}, limit 49152")]
    InitCodeTooLarge(usize),
    /// The sender or the pool holds as many transactions (or bytes) as allowed, and no
    /// queued transaction can be evicted for this one.
    #[error("txpool is full")]
    Full,
    /// The sender, or the pool as a whole, holds as many queued (nonce-gapped)
    /// transactions as allowed.
    #[error("txpool is full: queued (nonce-gapped) transaction limit of {limit} reached; send the missing nonces first")]
    QueuedFull {
        /// The limit that was hit (per sender or in total).
        limit: usize,
    },
    /// The store failed while checking or journaling.
    #[error("internal error: {0}")]
    Internal(String),
}

/// Default most transactions per sender, pending and queued (`--pool-max-per-sender`).
pub const DEFAULT_MAX_PER_SENDER: usize = 16_384;
/// Default most transactions in the pool (`--pool-max-total`).
pub const DEFAULT_MAX_TOTAL: usize = 262_144;
/// Default most encoded bytes in the pool, 256 MiB (`--pool-max-bytes`).
pub const DEFAULT_MAX_BYTES: usize = 256 * 1024 * 1024;
/// Default most queued (nonce-gapped) transactions per sender, as geth's
/// `txpool.accountqueue` (`--pool-max-queued-per-sender`).
pub const DEFAULT_MAX_QUEUED_PER_SENDER: usize = 64;
/// Default most queued transactions in the pool, as geth's `txpool.globalqueue`
/// (`--pool-max-queued`).
pub const DEFAULT_MAX_QUEUED_TOTAL: usize = 1_024;
/// Default lifetime of a queued transaction, as geth's `txpool.lifetime` (3 h,
/// `--pool-queued-lifetime`).
pub const DEFAULT_QUEUED_LIFETIME: Duration = Duration::from_secs(3 * 3600);

/// Transactions of one sender that an executable newcomer never evicts (geth's
/// `txpool.accountslots`): past them, the tail of the longest run makes room.
pub const PENDING_SLOTS_PER_SENDER: usize = 16;

/// Pool limits.
#[derive(Clone, Copy, Debug)]
pub struct PoolConfig {
    /// Transactions per sender (pending and queued); also the largest nonce gap.
    pub max_per_sender: usize,
    /// Transactions in the pool.
    pub max_total: usize,
    /// Encoded bytes in the pool.
    pub max_bytes: usize,
    /// Queued (nonce-gapped) transactions per sender.
    pub max_queued_per_sender: usize,
    /// Queued transactions in the pool.
    pub max_queued_total: usize,
    /// How long a transaction may stay queued before it is dropped.
    pub queued_lifetime: Duration,
    /// Fee bump (percent) a replacement must pay on both fee cap and tip.
    pub price_bump_percent: u128,
}

impl Default for PoolConfig {
    fn default() -> Self {
        Self {
            max_per_sender: DEFAULT_MAX_PER_SENDER,
            max_total: DEFAULT_MAX_TOTAL,
            max_bytes: DEFAULT_MAX_BYTES,
            max_queued_per_sender: DEFAULT_MAX_QUEUED_PER_SENDER,
            max_queued_total: DEFAULT_MAX_QUEUED_TOTAL,
            queued_lifetime: DEFAULT_QUEUED_LIFETIME,
            price_bump_percent: 10,
        }
    }
}

/// A pooled transaction.
#[derive(Clone, Debug)]
pub struct PooledTx {
    /// Transaction hash.
    pub hash: B256,
    /// Recovered sender.
    pub sender: Address,
    /// The transaction.
    pub tx: TxEnvelope,
}

/// What [`Pool::add`] did besides adding.
#[derive(Clone, Debug, Default, PartialEq, Eq)]
pub struct Added {
    /// The transaction this one replaced (same sender and nonce).
    pub replaced: Option<B256>,
    /// Transactions dropped to make room, or found stale: the journal must forget them.
    pub evicted: Vec<B256>,
}

#[derive(Debug)]
struct Entry {
    ptx: PooledTx,
    size: usize,
    added: Instant,
}

/// One sender's transactions: `[state_nonce, pending_end)` are all present (pending,
/// executable in order); the rest, above a gap at `pending_end`, are queued.
#[derive(Debug, Default)]
struct Account {
    txs: BTreeMap<u64, Entry>,
    state_nonce: u64,
    pending_end: u64,
    queued: usize,
}

impl Account {
    /// Moves queued transactions that now follow the pending run into it; returns how
    /// many stopped being queued.
    fn promote(&mut self) -> usize {
        let mut n = 0;
        while self.txs.contains_key(&self.pending_end) {
            self.pending_end += 1;
            n += 1;
        }
        self.queued -= n;
        n
    }

    fn is_queued(&self, nonce: u64) -> bool {
        nonce > self.pending_end
    }
}

/// The pool. Not synchronised: the chain wraps it in a mutex.
#[derive(Debug, Default)]
pub struct Pool {
    config: PoolConfig,
    by_sender: HashMap<Address, Account>,
    by_hash: HashMap<B256, (Address, u64)>,
    bytes: usize,
    queued: usize,
    /// Senders with at least one queued transaction (eviction and expiry candidates).
    queued_senders: HashSet<Address>,
    /// Transactions an add dropped (found stale, or evicted for room) before it was
    /// refused: gone from the pool, so the journal must forget them too
    /// ([`Pool::take_dropped`]).
    dropped: Vec<B256>,
}

fn tip(tx: &TxEnvelope, base_fee: u64) -> u128 {
    tx.effective_tip_per_gas(base_fee).unwrap_or(0)
}

/// `gas_limit * max_fee + value`, or `None` past 2^256 - 1.
pub fn max_cost(tx: &TxEnvelope) -> Option<U256> {
    U256::from(tx.gas_limit()).checked_mul(U256::from(tx.max_fee_per_gas()))?.checked_add(tx.value())
}

/// Whether `new` is at least `bump` percent above `old`, without overflow.
fn bumped(old: u128, new: u128, bump: u128) -> bool {
    U256::from(new) * U256::from(100u8) >= U256::from(old) * (U256::from(100u8) + U256::from(bump))
}

impl Pool {
    /// An empty pool with these limits.
    pub fn new(config: PoolConfig) -> Self {
        Self { config, ..Default::default() }
    }

    /// Number of pooled transactions.
    pub fn len(&self) -> usize {
        self.by_hash.len()
    }

    /// Whether the pool is empty.
    pub fn is_empty(&self) -> bool {
        self.by_hash.is_empty()
    }

    /// Number of queued (nonce-gapped) transactions.
    pub fn queued_len(&self) -> usize {
        self.queued
    }

    /// Encoded bytes of the pooled transactions.
    pub fn bytes(&self) -> usize {
        self.bytes
    }

    /// Whether this hash is pooled.
    pub fn contains(&self, hash: &B256) -> bool {
        self.by_hash.contains_key(hash)
    }

    /// The pooled transaction with this hash.
    pub fn get(&self, hash: &B256) -> Option<&PooledTx> {
        let (sender, nonce) = self.by_hash.get(hash)?;
        self.by_sender.get(sender)?.txs.get(nonce).map(|e| &e.ptx)
    }

    /// The sender's next nonce counting its contiguous pooled transactions.
    pub fn pending_nonce(&self, sender: &Address, state_nonce: u64) -> u64 {
        let Some(acct) = self.by_sender.get(sender) else { return state_nonce };
        if acct.state_nonce == state_nonce {
            return acct.pending_end;
        }
        let mut next = state_nonce;
        for n in acct.txs.range(state_nonce..).map(|(n, _)| *n) {
            if n != next {
                break;
            }
            next += 1;
        }
        next
    }

    /// Adds a validated transaction given the sender's state nonce and balance. Returns
    /// the replaced transaction, if any, and those evicted to make room.
    pub fn add(&mut self, ptx: PooledTx, state_nonce: u64, balance: U256) -> Result<Added, PoolError> {
        let mut out = Added::default();
        match self.add_inner(ptx, state_nonce, balance, &mut out) {
            Ok(()) => Ok(out),
            Err(e) => {
                // A refusal may come after stale entries were pruned or others evicted.
                self.dropped.extend(out.evicted);
                Err(e)
            }
        }
    }

    /// Transactions dropped by adds that were then refused (see [`Pool::add`]), since
    /// the last call: the journal must forget them as it does [`Added::evicted`].
    pub fn take_dropped(&mut self) -> Vec<B256> {
        std::mem::take(&mut self.dropped)
    }

    fn add_inner(&mut self, ptx: PooledTx, state_nonce: u64, balance: U256, out: &mut Added) -> Result<(), PoolError> {
        if self.by_hash.contains_key(&ptx.hash) {
            return Err(PoolError::AlreadyKnown);
        }
        let nonce = ptx.tx.nonce();
        if nonce < state_nonce {
            return Err(PoolError::NonceTooLow { next: state_nonce, tx: nonce });
        }
        let max_gap = self.config.max_per_sender as u64;
        if nonce - state_nonce >= max_gap {
            return Err(PoolError::NonceTooHigh { next: state_nonce, tx: nonce, max: max_gap });
        }
        // Checked: a value near 2^256 must not wrap the cost below the balance, and a
        // cost past 2^256 - 1 is more than any balance.
        match max_cost(&ptx.tx) {
            Some(cost) if cost <= balance => {}
            cost => {
                let cost = cost.unwrap_or(U256::MAX);
                return Err(PoolError::InsufficientFunds { balance, cost, overshot: cost.saturating_sub(balance).max(U256::from(1u8)) });
            }
        }
        // The state moved on since this sender was last seen: drop what it made stale.
        if self.by_sender.get(&ptx.sender).is_some_and(|a| a.state_nonce < state_nonce) {
            out.evicted = self.prune_sender(&ptx.sender, state_nonce);
        }
        if let Some(a) = self.by_sender.get(&ptx.sender).filter(|a| a.state_nonce > nonce) {
            return Err(PoolError::NonceTooLow { next: a.state_nonce, tx: nonce });
        }
        let size = ptx.tx.encode_2718_len();
        let (pending_end, sender_len, sender_queued, old) = match self.by_sender.get(&ptx.sender) {
            Some(a) => (a.pending_end, a.txs.len(), a.queued, a.txs.get(&nonce).map(|e| (e.ptx.tx.clone(), e.ptx.hash, e.size))),
            None => (state_nonce, 0, 0, None),
        };
        let queued = nonce > pending_end;
        if let Some((old_tx, old_hash, old_size)) = old {
            let old_tip = old_tx.max_priority_fee_per_gas().unwrap_or(old_tx.max_fee_per_gas());
            let new_tip = ptx.tx.max_priority_fee_per_gas().unwrap_or(ptx.tx.max_fee_per_gas());
            let bump = self.config.price_bump_percent;
            if !bumped(old_tx.max_fee_per_gas(), ptx.tx.max_fee_per_gas(), bump) || !bumped(old_tip, new_tip, bump) {
                return Err(PoolError::ReplacementUnderpriced);
            }
            let grow = size.saturating_sub(old_size);
            if grow > 0 {
                self.make_room(0, grow, queued, None, &mut out.evicted)?;
            }
            self.remove(&old_hash);
            out.replaced = Some(old_hash);
        } else {
            if sender_len >= self.config.max_per_sender {
                return Err(PoolError::Full);
            }
            if queued {
                if sender_queued >= self.config.max_queued_per_sender {
                    return Err(PoolError::QueuedFull { limit: self.config.max_queued_per_sender });
                }
                if self.queued >= self.config.max_queued_total {
                    // Only at the expense of a sender holding more queued than this one.
                    match self.evict_worst_queued(Some(sender_queued + 1)) {
                        Some(h) => out.evicted.push(h),
                        None => return Err(PoolError::QueuedFull { limit: self.config.max_queued_total }),
                    }
                }
            }
            let next_of = (nonce == state_nonce).then_some(ptx.sender);
            self.make_room(1, size, queued, next_of, &mut out.evicted)?;
        }
        self.insert(ptx, size, state_nonce);
        Ok(())
    }

    /// Frees room for `count` more transactions and `bytes` more bytes by evicting
    /// queued transactions, which only a newcomer that is not queued itself may do.
    /// Frees room for `count` more transactions and `bytes` more bytes. A queued
    /// newcomer evicts nothing; another evicts queued transactions first; and one its
    /// sender can execute next (`next_of`: that sender) then evicts the last nonce of the
    /// sender holding the most transactions that are not next (never a gap: a run only
    /// loses its tail), so an executable transaction always finds room.
    fn make_room(&mut self, count: usize, bytes: usize, queued: bool, next_of: Option<Address>, evicted: &mut Vec<B256>) -> Result<(), PoolError> {
        while self.by_hash.len() + count > self.config.max_total || self.bytes + bytes > self.config.max_bytes {
            if queued {
                return Err(PoolError::Full);
            }
            let freed = self.evict_worst_queued(None).or_else(|| next_of.and_then(|s| self.evict_worst_pending(&s)));
            match freed {
                Some(h) => evicted.push(h),
                None => return Err(PoolError::Full),
            }
        }
        Ok(())
    }

    /// Evicts the last transaction of the sender (other than `except`) holding the most
    /// transactions, if it holds more than [`PENDING_SLOTS_PER_SENDER`] and that one is
    /// not the next it can execute.
    fn evict_worst_pending(&mut self, except: &Address) -> Option<B256> {
        let (_, acct) = self
            .by_sender
            .iter()
            .filter(|(s, a)| *s != except && a.txs.len() > PENDING_SLOTS_PER_SENDER && a.txs.last_key_value().is_some_and(|(n, _)| *n > a.state_nonce))
            .max_by_key(|(_, a)| a.txs.len())?;
        let hash = acct.txs.last_key_value().map(|(_, e)| e.ptx.hash)?;
        self.remove(&hash).map(|p| {
            tracing::debug!(hash = %p.hash, sender = %p.sender, "evicted a later-nonce transaction for an executable one");
            p.hash
        })
    }

    /// Evicts the highest-nonce queued transaction of the sender with the most queued
    /// ones, if it holds at least `min_queued`.
    fn evict_worst_queued(&mut self, min_queued: Option<usize>) -> Option<B256> {
        let sender = self.queued_senders.iter().max_by_key(|s| self.by_sender.get(*s).map_or(0, |a| a.queued)).copied()?;
        let acct = self.by_sender.get(&sender)?;
        if min_queued.is_some_and(|min| acct.queued < min) || acct.queued == 0 {
            return None;
        }
        let hash = acct.txs.last_key_value().map(|(_, e)| e.ptx.hash)?;
        self.remove(&hash).map(|p| {
            tracing::debug!(hash = %p.hash, sender = %p.sender, "evicted a queued transaction from the full pool");
            p.hash
        })
    }

    fn insert(&mut self, ptx: PooledTx, size: usize, state_nonce: u64) {
        let nonce = ptx.tx.nonce();
        let sender = ptx.sender;
        self.by_hash.insert(ptx.hash, (sender, nonce));
        self.bytes += size;
        let acct = self.by_sender.entry(sender).or_insert_with(|| Account { state_nonce, pending_end: state_nonce, ..Default::default() });
        let queued = acct.is_queued(nonce);
        acct.txs.insert(nonce, Entry { ptx, size, added: Instant::now() });
        if queued {
            acct.queued += 1;
            self.queued += 1;
            self.queued_senders.insert(sender);
        } else {
            // nonce == pending_end: the run grows, and may absorb queued ones.
            acct.pending_end += 1;
            self.queued -= acct.promote();
            if acct.queued == 0 {
                self.queued_senders.remove(&sender);
            }
        }
    }

    /// Ready transactions in block order: for each sender its contiguous run from the
    /// state nonce, senders interleaved by effective tip at `base_fee` (highest first).
    /// `state_nonce` gives a sender's current nonce.
    pub fn best(&self, base_fee: u64, mut state_nonce: impl FnMut(&Address) -> u64) -> Vec<PooledTx> {
        type Cursor<'a> = (std::collections::btree_map::Range<'a, u64, Entry>, u64, &'a PooledTx);
        let mut heap = BinaryHeap::new();
        let mut cursors: Vec<Cursor<'_>> = Vec::new();
        for (sender, acct) in &self.by_sender {
            let nonce = state_nonce(sender);
            let mut range = acct.txs.range(nonce..);
            if let Some((n, first)) = range.next() {
                if *n == nonce {
                    heap.push((tip(&first.ptx.tx, base_fee), std::cmp::Reverse(cursors.len())));
                    cursors.push((range, nonce + 1, &first.ptx));
                }
            }
        }
        let mut out = Vec::with_capacity(self.by_hash.len().saturating_sub(self.queued));
        while let Some((_, std::cmp::Reverse(i))) = heap.pop() {
            let (range, expect, current) = &mut cursors[i];
            out.push((*current).clone());
            if let Some((n, next)) = range.next() {
                if *n == *expect {
                    *expect += 1;
                    *current = &next.ptx;
                    heap.push((tip(&next.ptx.tx, base_fee), std::cmp::Reverse(i)));
                }
            }
        }
        out
    }

    /// Removes a transaction by hash. The sender's later transactions become queued
    /// if this one was pending.
    pub fn remove(&mut self, hash: &B256) -> Option<PooledTx> {
        let (sender, nonce) = self.by_hash.remove(hash)?;
        let acct = self.by_sender.get_mut(&sender)?;
        let entry = acct.txs.remove(&nonce)?;
        self.bytes -= entry.size;
        if acct.is_queued(nonce) {
            acct.queued -= 1;
            self.queued -= 1;
        } else {
            // A hole in the pending run: what followed it is queued now.
            let n = acct.txs.range(nonce + 1..acct.pending_end).count();
            acct.pending_end = nonce;
            acct.queued += n;
            self.queued += n;
        }
        if acct.queued > 0 {
            self.queued_senders.insert(sender);
        } else {
            self.queued_senders.remove(&sender);
        }
        if acct.txs.is_empty() {
            self.by_sender.remove(&sender);
        }
        Some(entry.ptx)
    }

    /// Drops the sender's transactions with nonces below `state_nonce` (included or
    /// made stale by a block). Returns their hashes.
    pub fn prune_sender(&mut self, sender: &Address, state_nonce: u64) -> Vec<B256> {
        let Some(acct) = self.by_sender.get_mut(sender) else { return Vec::new() };
        let keep = acct.txs.split_off(&state_nonce);
        let dropped = std::mem::replace(&mut acct.txs, keep);
        let mut hashes = Vec::with_capacity(dropped.len());
        for (n, e) in &dropped {
            self.bytes -= e.size;
            if acct.is_queued(*n) {
                acct.queued -= 1;
                self.queued -= 1;
            }
            hashes.push(e.ptx.hash);
        }
        acct.state_nonce = acct.state_nonce.max(state_nonce);
        if acct.pending_end < acct.state_nonce {
            // The state jumped past a gap: whatever starts at the new nonce is pending.
            acct.pending_end = acct.state_nonce;
            // Everything left was counted queued; promote() moves the new run out.
            self.queued -= acct.promote();
        }
        if acct.queued == 0 {
            self.queued_senders.remove(sender);
        }
        if acct.txs.is_empty() {
            self.by_sender.remove(sender);
        }
        for h in &hashes {
            self.by_hash.remove(h);
        }
        hashes
    }

    /// Evicts queued transactions past the queued limits (per sender and in total),
    /// which removals can cause: a pending transaction dropped from the middle of a run
    /// turns those after it into queued ones. Returns their hashes.
    pub fn enforce_queued_limits(&mut self) -> Vec<B256> {
        let mut out = Vec::new();
        let per_sender = self.config.max_queued_per_sender;
        let over: Vec<Address> = self.queued_senders.iter().filter(|s| self.by_sender.get(*s).is_some_and(|a| a.queued > per_sender)).copied().collect();
        for sender in over {
            while let Some(a) = self.by_sender.get(&sender).filter(|a| a.queued > per_sender) {
                let Some(hash) = a.txs.last_key_value().map(|(_, e)| e.ptx.hash) else { break };
                self.remove(&hash);
                out.push(hash);
            }
        }
        while self.queued > self.config.max_queued_total {
            match self.evict_worst_queued(None) {
                Some(h) => out.push(h),
                None => break,
            }
        }
        out
    }

    /// Drops queued transactions older than the configured lifetime at `now`. Returns
    /// their hashes.
    pub fn expire_queued(&mut self, now: Instant) -> Vec<B256> {
        let lifetime = self.config.queued_lifetime;
        let mut old = Vec::new();
        for sender in &self.queued_senders {
            let Some(acct) = self.by_sender.get(sender) else { continue };
            for (_, e) in acct.txs.range(acct.pending_end + 1..) {
                if now.saturating_duration_since(e.added) >= lifetime {
                    old.push(e.ptx.hash);
                }
            }
        }
        for h in &old {
            self.remove(h);
        }
        old
    }
}

#[cfg(test)]
mod tests {
    use super::*;
    use alloy::{
        consensus::{SignableTransaction, TxEip1559},
        network::TxSignerSync,
        signers::local::PrivateKeySigner,
    };
    use alloy_primitives::TxKind;

    fn signed(signer: &PrivateKeySigner, nonce: u64, fee: u128, tip: u128) -> PooledTx {
        signed_with(signer, nonce, fee, tip, Vec::new())
    }

    fn signed_with(signer: &PrivateKeySigner, nonce: u64, fee: u128, tip: u128, input: Vec<u8>) -> PooledTx {
        let mut tx = TxEip1559 {
            chain_id: 1,
            nonce,
            gas_limit: 21_000 + 16 * input.len() as u64,
            max_fee_per_gas: fee,
            max_priority_fee_per_gas: tip,
            to: TxKind::Call(Address::ZERO),
            input: input.into(),
            ..Default::default()
        };
        let sig = sign_full_width(signer, &mut tx);
        let tx: TxEnvelope = tx.into_signed(sig).into();
        PooledTx { hash: *tx.tx_hash(), sender: signer.address(), tx }
    }

    const RICH: U256 = U256::MAX;

    #[test]
    fn nonce_order_gaps_and_replacement() {
        let s = PrivateKeySigner::random();
        let mut pool = Pool::new(PoolConfig::default());
        pool.add(signed(&s, 0, 100, 1), 0, RICH).unwrap();
        pool.add(signed(&s, 2, 100, 1), 0, RICH).unwrap(); // gapped: queued
        assert_eq!(pool.pending_nonce(&s.address(), 0), 1);
        assert_eq!(pool.best(1, |_| 0).len(), 1);
        pool.add(signed(&s, 1, 100, 1), 0, RICH).unwrap(); // fills the gap
        assert_eq!(pool.best(1, |_| 0).iter().map(|p| p.tx.nonce()).collect::<Vec<_>>(), vec![0, 1, 2]);
        let dup = signed(&s, 1, 100, 1);
        assert_eq!(pool.add(dup, 0, RICH), Err(PoolError::AlreadyKnown));
        assert_eq!(pool.add(signed(&s, 1, 105, 2), 0, RICH), Err(PoolError::ReplacementUnderpriced));
        let added = pool.add(signed(&s, 1, 110, 2), 0, RICH).unwrap();
        assert!(added.replaced.is_some());
        assert_eq!(pool.len(), 3);
        assert_eq!(pool.add(signed(&s, 0, 1, 1), 1, RICH), Err(PoolError::NonceTooLow { next: 1, tx: 0 }));
    }

    #[test]
    fn best_interleaves_senders_by_tip_and_prune_drops_included() {
        let (a, b) = (PrivateKeySigner::random(), PrivateKeySigner::random());
        let mut pool = Pool::new(PoolConfig::default());
        pool.add(signed(&a, 0, 100, 1), 0, RICH).unwrap();
        pool.add(signed(&b, 0, 100, 5), 0, RICH).unwrap();
        let best = pool.best(10, |_| 0);
        assert_eq!(best[0].sender, b.address());
        assert_eq!(pool.prune_sender(&a.address(), 1).len(), 1);
        assert_eq!(pool.len(), 1);
    }

    #[test]
    fn limits_and_funds() {
        let s = PrivateKeySigner::random();
        let mut pool = Pool::new(PoolConfig { max_per_sender: 2, max_total: 10, ..Default::default() });
        pool.add(signed(&s, 0, 100, 1), 0, RICH).unwrap();
        pool.add(signed(&s, 1, 100, 1), 0, RICH).unwrap();
        assert!(matches!(pool.add(signed(&s, 2, 100, 1), 0, RICH), Err(PoolError::NonceTooHigh { .. })));
        let t = PrivateKeySigner::random();
        assert!(matches!(pool.add(signed(&t, 0, 100, 1), 0, U256::from(5)), Err(PoolError::InsufficientFunds { .. })));
    }

    /// Signs `tx` so that every test transaction of one shape has one length: a signature
    /// whose r or s has a leading zero byte encodes a byte shorter, so it signs again with
    /// one more unit of gas (the same width) until neither has (about 1 in 128 needs it).
    fn sign_full_width(signer: &PrivateKeySigner, tx: &mut TxEip1559) -> alloy_primitives::Signature {
        let full = U256::from(1) << 248;
        loop {
            let sig = signer.sign_transaction_sync(tx).expect("sign");
            if sig.r() >= full && sig.s() >= full {
                return sig;
            }
            tx.gas_limit += 1;
        }
    }

    fn signed_value(signer: &PrivateKeySigner, nonce: u64, value: U256) -> PooledTx {
        let mut tx = TxEip1559 {
            chain_id: 1,
            nonce,
            gas_limit: 21_000,
            max_fee_per_gas: 100,
            max_priority_fee_per_gas: 1,
            to: TxKind::Call(Address::ZERO),
            value,
            ..Default::default()
        };
        let sig = sign_full_width(signer, &mut tx);
        let tx: TxEnvelope = tx.into_signed(sig).into();
        PooledTx { hash: *tx.tx_hash(), sender: signer.address(), tx }
    }

    #[test]
    fn value_max_is_refused_with_insufficient_funds() {
        // gas * fee + (2^256 - 1) wraps to a small number in unchecked arithmetic.
        let s = PrivateKeySigner::random();
        let mut pool = Pool::new(PoolConfig::default());
        let balance = U256::from(10u64).pow(U256::from(22));
        match pool.add(signed_value(&s, 0, U256::MAX), 0, balance) {
            Err(PoolError::InsufficientFunds { cost, .. }) => assert_eq!(cost, U256::MAX),
            other => panic!("expected insufficient funds, got {other:?}"),
        }
        assert!(pool.is_empty());
        // Even an account holding 2^256 - 1 cannot pay more than that.
        assert!(matches!(pool.add(signed_value(&s, 0, U256::MAX), 0, U256::MAX), Err(PoolError::InsufficientFunds { .. })));
        assert_eq!(max_cost(&signed_value(&s, 0, U256::MAX).tx), None);
        assert!(bumped(u128::MAX / 2, u128::MAX, 10), "the bump check does not overflow");
    }

    fn small() -> PoolConfig {
        PoolConfig { max_total: 8, max_queued_per_sender: 2, max_queued_total: 4, ..Default::default() }
    }

    #[test]
    fn queued_transactions_have_their_own_limits() {
        let mut pool = Pool::new(small());
        let a = PrivateKeySigner::random();
        pool.add(signed(&a, 1, 100, 1), 0, RICH).unwrap();
        pool.add(signed(&a, 2, 100, 1), 0, RICH).unwrap();
        assert_eq!(pool.add(signed(&a, 3, 100, 1), 0, RICH), Err(PoolError::QueuedFull { limit: 2 }));
        assert_eq!(pool.queued_len(), 2);
        // Closing the gap promotes them, and frees the sender's queued allowance.
        pool.add(signed(&a, 0, 100, 1), 0, RICH).unwrap();
        assert_eq!(pool.queued_len(), 0);
        assert_eq!(pool.best(1, |_| 0).len(), 3);
        pool.add(signed(&a, 3, 100, 1), 0, RICH).unwrap();
        // In total: 4 queued; a fifth sender's gapped one only displaces a sender with more.
        let (b, c, d) = (PrivateKeySigner::random(), PrivateKeySigner::random(), PrivateKeySigner::random());
        pool.add(signed(&b, 5, 100, 1), 0, RICH).unwrap();
        pool.add(signed(&b, 6, 100, 1), 0, RICH).unwrap();
        pool.add(signed(&c, 5, 100, 1), 0, RICH).unwrap();
        pool.add(signed(&c, 6, 100, 1), 0, RICH).unwrap();
        assert_eq!(pool.queued_len(), 4);
        let added = pool.add(signed(&d, 9, 100, 1), 0, RICH).unwrap();
        assert_eq!(added.evicted.len(), 1, "one of b's or c's highest queued made room");
        assert_eq!(pool.queued_len(), 4);
        assert_eq!(pool.add(signed(&d, 10, 100, 1), 0, RICH).map(|_| ()), Ok(()), "d (1 queued) may displace b or c (2)");
        assert!(matches!(pool.add(signed(&d, 11, 100, 1), 0, RICH), Err(PoolError::QueuedFull { .. })));
    }

    #[test]
    fn the_next_executable_transaction_evicts_a_gapped_one_when_full() {
        let mut pool = Pool::new(PoolConfig { max_total: 4, max_queued_per_sender: 4, max_queued_total: 4, ..Default::default() });
        let attacker = PrivateKeySigner::random();
        let gapped: Vec<_> = (1..=4).map(|n| signed(&attacker, n, 100, 1)).collect();
        for g in &gapped {
            pool.add(g.clone(), 0, RICH).unwrap();
        }
        assert_eq!((pool.len(), pool.queued_len()), (4, 4));
        // An executable one gets in, evicting the attacker's highest queued nonce.
        let user = PrivateKeySigner::random();
        let added = pool.add(signed(&user, 0, 100, 1), 0, RICH).unwrap();
        assert_eq!(added.evicted, vec![gapped[3].hash]);
        assert_eq!(pool.best(1, |_| 0).len(), 1);
        // So does the transaction that closes the attacker's gap, which promotes the rest.
        let added = pool.add(signed(&attacker, 0, 100, 1), 0, RICH).unwrap();
        assert_eq!(added.evicted, vec![gapped[2].hash]);
        assert_eq!((pool.len(), pool.queued_len()), (4, 0));
        assert_eq!(pool.best(1, |_| 0).len(), 4);
        // Full of short pending runs (each within PENDING_SLOTS_PER_SENDER): nothing is
        // evictable, for either kind (a_pending_run_cannot_keep_an_executable_transaction_out
        // covers a long run).
        let other = PrivateKeySigner::random();
        assert_eq!(pool.add(signed(&other, 0, 100, 1), 0, RICH).map(|_| ()), Err(PoolError::Full));
        assert_eq!(pool.add(signed(&other, 3, 100, 1), 0, RICH).map(|_| ()), Err(PoolError::Full));
    }

    /// The jam the review found: one sender's pending run fills the byte cap; a user's
    /// next-nonce transaction still gets in, and the run only loses its tail.
    #[test]
    fn a_pending_run_cannot_keep_an_executable_transaction_out() {
        let one = signed(&PrivateKeySigner::random(), 0, 100, 1).tx.encode_2718_len();
        let n = PENDING_SLOTS_PER_SENDER + 3;
        let mut pool = Pool::new(PoolConfig { max_bytes: n * one, ..Default::default() });
        let attacker = PrivateKeySigner::random();
        let run: Vec<_> = (0..n as u64).map(|i| signed(&attacker, i, 100, 1)).collect();
        for t in &run {
            pool.add(t.clone(), 0, RICH).unwrap();
        }
        assert_eq!((pool.bytes(), pool.queued_len()), (n * one, 0));
        for i in 0..3 {
            let added = pool.add(signed(&PrivateKeySigner::random(), 0, 100, 1), 0, RICH).unwrap();
            assert_eq!(added.evicted, vec![run[n - 1 - i].hash]);
        }
        let kept = pool.best(1, |_| 0).iter().filter(|p| p.sender == attacker.address()).count();
        assert_eq!(kept, PENDING_SLOTS_PER_SENDER, "the run keeps its first slots, in order, no gap");
        // At its guaranteed slots the run is left alone: the next newcomer finds no room.
        assert_eq!(pool.add(signed(&PrivateKeySigner::random(), 0, 100, 1), 0, RICH).map(|_| ()), Err(PoolError::Full));
    }

    #[test]
    fn byte_cap_evicts_queued_for_executable() {
        let one = signed(&PrivateKeySigner::random(), 0, 100, 1).tx.encode_2718_len();
        let mut pool = Pool::new(PoolConfig { max_bytes: 3 * one, ..Default::default() });
        let a = PrivateKeySigner::random();
        for n in 1..=3 {
            pool.add(signed(&a, n, 100, 1), 0, RICH).unwrap();
        }
        assert_eq!(pool.bytes(), 3 * one);
        assert_eq!(pool.add(signed(&PrivateKeySigner::random(), 2, 100, 1), 0, RICH).map(|_| ()), Err(PoolError::Full));
        let added = pool.add(signed(&PrivateKeySigner::random(), 0, 100, 1), 0, RICH).unwrap();
        assert_eq!(added.evicted.len(), 1);
        assert_eq!(pool.bytes(), 3 * one);
    }

    /// A refused add that evicted first (a new sender's gapped transaction displaces the
    /// largest queued holder, then finds no bytes) leaves the evicted one to the journal
    /// through take_dropped, so journal and pool stay the same set (review of issue 13).
    #[test]
    fn a_refused_add_hands_over_what_it_evicted() {
        let one = signed(&PrivateKeySigner::random(), 0, 100, 1).tx.encode_2718_len();
        let mut pool = Pool::new(PoolConfig { max_bytes: 3 * one, max_queued_total: 2, ..Default::default() });
        let (a, b) = (PrivateKeySigner::random(), PrivateKeySigner::random());
        pool.add(signed(&a, 0, 100, 1), 0, RICH).unwrap();
        let q1 = signed(&b, 2, 100, 1);
        let q2 = signed(&b, 3, 100, 1);
        pool.add(q1.clone(), 0, RICH).unwrap();
        pool.add(q2.clone(), 0, RICH).unwrap();
        // A third sender's gapped transaction, larger than the room an eviction frees.
        let big = signed_with(&PrivateKeySigner::random(), 5, 100, 1, vec![0u8; 2 * one]);
        assert!(pool.add(big, 0, RICH).is_err());
        let dropped = pool.take_dropped();
        for h in &dropped {
            assert!(!pool.contains(h), "a dropped transaction has left the pool");
        }
        let left = [q1.hash, q2.hash].iter().filter(|h| pool.contains(h)).count();
        assert_eq!(left + dropped.len(), 2, "every queued transaction is either in the pool or handed to the journal");
        assert!(pool.take_dropped().is_empty(), "handed over once");
    }

    #[test]
    fn queued_transactions_expire_and_pending_ones_do_not() {
        let mut pool = Pool::new(PoolConfig { queued_lifetime: Duration::from_secs(60), ..Default::default() });
        let a = PrivateKeySigner::random();
        let pending = signed(&a, 0, 100, 1);
        let queued = signed(&a, 5, 100, 1);
        pool.add(pending.clone(), 0, RICH).unwrap();
        pool.add(queued.clone(), 0, RICH).unwrap();
        assert!(pool.expire_queued(Instant::now()).is_empty());
        assert_eq!(pool.expire_queued(Instant::now() + Duration::from_secs(61)), vec![queued.hash]);
        assert!(pool.contains(&pending.hash));
        assert_eq!((pool.len(), pool.queued_len()), (1, 0));
    }

    #[test]
    fn counters_follow_removals_and_blocks() {
        let mut pool = Pool::new(PoolConfig::default());
        let a = PrivateKeySigner::random();
        let txs: Vec<_> = (0..6).map(|n| signed(&a, n, 100, 1)).collect();
        for t in &txs {
            pool.add(t.clone(), 0, RICH).unwrap();
        }
        assert_eq!(pool.queued_len(), 0);
        pool.remove(&txs[2].hash); // 3, 4, 5 now wait behind a gap
        assert_eq!(pool.queued_len(), 3);
        assert_eq!(pool.pending_nonce(&a.address(), 0), 2);
        pool.prune_sender(&a.address(), 3); // a block took 0..=2 (2 from elsewhere)
        assert_eq!(pool.queued_len(), 0);
        assert_eq!(pool.pending_nonce(&a.address(), 3), 6);
        assert_eq!(pool.best(1, |_| 3).len(), 3);
        pool.prune_sender(&a.address(), 6);
        assert!(pool.is_empty());
        assert_eq!((pool.bytes(), pool.queued_len()), (0, 0));
    }

    impl Pool {
        /// Recomputes every counter from scratch and compares.
        fn check(&self) {
            let (mut bytes, mut queued, mut senders) = (0, 0, HashSet::new());
            for (addr, a) in &self.by_sender {
                assert!(!a.txs.is_empty());
                assert!(a.txs.keys().all(|n| *n >= a.state_nonce));
                let mut end = a.state_nonce;
                while a.txs.contains_key(&end) {
                    end += 1;
                }
                assert_eq!(a.pending_end, end, "pending run of {addr}");
                let q = a.txs.keys().filter(|n| **n > end).count();
                assert_eq!(a.queued, q);
                if q > 0 {
                    senders.insert(*addr);
                }
                queued += q;
                bytes += a.txs.values().map(|e| e.size).sum::<usize>();
                for (n, e) in &a.txs {
                    assert_eq!(self.by_hash.get(&e.ptx.hash), Some(&(*addr, *n)));
                }
            }
            assert_eq!(self.by_hash.len(), self.by_sender.values().map(|a| a.txs.len()).sum::<usize>());
            assert_eq!((self.bytes, self.queued), (bytes, queued));
            assert_eq!(self.queued_senders, senders);
            assert!(self.by_hash.len() <= self.config.max_total && self.bytes <= self.config.max_bytes);
            assert!(self.queued <= self.config.max_queued_total);
            assert!(self.by_sender.values().all(|a| a.queued <= self.config.max_queued_per_sender));
        }
    }

    proptest::proptest! {
        #![proptest_config(proptest::prelude::ProptestConfig::with_cases(64))]

        /// Any sequence of adds, removals and blocks keeps the counters exact and the
        /// limits held.
        #[test]
        fn counters_stay_exact(ops in proptest::collection::vec((0u8..4, 0usize..3, 0u64..8, 1u128..4), 1..60)) {
            let signers: Vec<_> = (0..3).map(|_| PrivateKeySigner::random()).collect();
            let mut state = [0u64; 3];
            let mut pool = Pool::new(PoolConfig { max_total: 10, max_queued_per_sender: 2, max_queued_total: 3, ..Default::default() });
            for (op, who, nonce, fee) in ops {
                let s = &signers[who];
                match op {
                    0 | 1 => {
                        let _ = pool.add(signed(s, state[who] + nonce, 100 * fee, fee), state[who], RICH);
                    }
                    2 => {
                        let hashes: Vec<B256> = pool.by_hash.keys().copied().collect();
                        if let Some(h) = hashes.get(nonce as usize % hashes.len().max(1)) {
                            pool.remove(h);
                        }
                        pool.enforce_queued_limits();
                    }
                    _ => {
                        state[who] += nonce % 3;
                        pool.prune_sender(&s.address(), state[who]);
                    }
                }
                pool.check();
            }
            let _ = pool.expire_queued(Instant::now() + Duration::from_secs(4 * 3600));
            pool.check();
            proptest::prop_assert_eq!(pool.queued_len(), 0);
        }
    }
}
