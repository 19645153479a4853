//! The transaction pool: per-sender nonce order, gapped nonces queued, replacement by a
//! fee bump of at least 10%, per-sender and total limits. Errors carry geth's messages,
//! which wallets and libraries match on.

use alloy_consensus::{Transaction, TxEnvelope};
use alloy_primitives::{Address, B256, U256};
use std::collections::{BTreeMap, BinaryHeap, HashMap};

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
    /// The sender or the pool holds as many transactions as allowed.
    #[error("txpool is full")]
    Full,
    /// The store failed while checking or journaling.
    #[error("internal error: {0}")]
    Internal(String),
}

/// Pool limits.
#[derive(Clone, Copy, Debug)]
pub struct PoolConfig {
    /// Transactions per sender (pending and queued).
    pub max_per_sender: usize,
    /// Transactions in the pool.
    pub max_total: usize,
    /// Fee bump (percent) a replacement must pay on both fee cap and tip.
    pub price_bump_percent: u128,
}

impl Default for PoolConfig {
    fn default() -> Self {
        Self { max_per_sender: 16_384, max_total: 262_144, price_bump_percent: 10 }
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

/// The pool. Not synchronised: the chain wraps it in a mutex.
#[derive(Debug, Default)]
pub struct Pool {
    config: PoolConfig,
    by_sender: HashMap<Address, BTreeMap<u64, PooledTx>>,
    by_hash: HashMap<B256, (Address, u64)>,
}

fn tip(tx: &TxEnvelope, base_fee: u64) -> u128 {
    tx.effective_tip_per_gas(base_fee).unwrap_or(0)
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

    /// Whether this hash is pooled.
    pub fn contains(&self, hash: &B256) -> bool {
        self.by_hash.contains_key(hash)
    }

    /// The pooled transaction with this hash.
    pub fn get(&self, hash: &B256) -> Option<&PooledTx> {
        let (sender, nonce) = self.by_hash.get(hash)?;
        self.by_sender.get(sender)?.get(nonce)
    }

    /// The sender's next nonce counting its contiguous pooled transactions.
    pub fn pending_nonce(&self, sender: &Address, state_nonce: u64) -> u64 {
        let mut next = state_nonce;
        if let Some(q) = self.by_sender.get(sender) {
            for n in q.range(state_nonce..).map(|(n, _)| *n) {
                if n != next {
                    break;
                }
                next += 1;
            }
        }
        next
    }

    /// Adds a validated transaction given the sender's state nonce and balance. Returns
    /// the hash of a replaced transaction, if any.
    pub fn add(&mut self, ptx: PooledTx, state_nonce: u64, balance: U256) -> Result<Option<B256>, PoolError> {
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
        let cost = U256::from(ptx.tx.gas_limit()) * U256::from(ptx.tx.max_fee_per_gas()) + ptx.tx.value();
        if cost > balance {
            return Err(PoolError::InsufficientFunds { balance, cost, overshot: cost - balance });
        }
        let queue = self.by_sender.entry(ptx.sender).or_default();
        let replaced = match queue.get(&nonce) {
            Some(old) => {
                let bump = |old: u128, new: u128| new * 100 >= old * (100 + self.config.price_bump_percent);
                let old_tip = old.tx.max_priority_fee_per_gas().unwrap_or(old.tx.max_fee_per_gas());
                let new_tip = ptx.tx.max_priority_fee_per_gas().unwrap_or(ptx.tx.max_fee_per_gas());
                if !bump(old.tx.max_fee_per_gas(), ptx.tx.max_fee_per_gas()) || !bump(old_tip, new_tip) {
                    return Err(PoolError::ReplacementUnderpriced);
                }
                Some(old.hash)
            }
            None => {
                if queue.len() >= self.config.max_per_sender || self.by_hash.len() >= self.config.max_total {
                    return Err(PoolError::Full);
                }
                None
            }
        };
        if let Some(old) = replaced {
            self.by_hash.remove(&old);
        }
        self.by_hash.insert(ptx.hash, (ptx.sender, nonce));
        queue.insert(nonce, ptx);
        Ok(replaced)
    }

    /// Ready transactions in block order: for each sender its contiguous run from the
    /// state nonce, senders interleaved by effective tip at `base_fee` (highest first).
    /// `state_nonce` gives a sender's current nonce.
    pub fn best(&self, base_fee: u64, mut state_nonce: impl FnMut(&Address) -> u64) -> Vec<PooledTx> {
        type Cursor<'a> = (std::collections::btree_map::Range<'a, u64, PooledTx>, u64, &'a PooledTx);
        let mut heap = BinaryHeap::new();
        let mut cursors: Vec<Cursor<'_>> = Vec::new();
        for (sender, q) in &self.by_sender {
            let nonce = state_nonce(sender);
            let mut range = q.range(nonce..);
            if let Some((n, first)) = range.next() {
                if *n == nonce {
                    heap.push((tip(&first.tx, base_fee), std::cmp::Reverse(cursors.len())));
                    cursors.push((range, nonce + 1, first));
                }
            }
        }
        let mut out = Vec::with_capacity(self.by_hash.len());
        while let Some((_, std::cmp::Reverse(i))) = heap.pop() {
            let (range, expect, current) = &mut cursors[i];
            out.push((*current).clone());
            if let Some((n, next)) = range.next() {
                if *n == *expect {
                    *expect += 1;
                    *current = next;
                    heap.push((tip(&next.tx, base_fee), std::cmp::Reverse(i)));
                }
            }
        }
        out
    }

    /// Removes a transaction by hash.
    pub fn remove(&mut self, hash: &B256) -> Option<PooledTx> {
        let (sender, nonce) = self.by_hash.remove(hash)?;
        let q = self.by_sender.get_mut(&sender)?;
        let ptx = q.remove(&nonce);
        if q.is_empty() {
            self.by_sender.remove(&sender);
        }
        ptx
    }

    /// Drops the sender's transactions with nonces below `state_nonce` (included or
    /// made stale by a block). Returns their hashes.
    pub fn prune_sender(&mut self, sender: &Address, state_nonce: u64) -> Vec<B256> {
        let Some(q) = self.by_sender.get_mut(sender) else { return Vec::new() };
        let keep = q.split_off(&state_nonce);
        let dropped: Vec<B256> = q.values().map(|p| p.hash).collect();
        *q = keep;
        if q.is_empty() {
            self.by_sender.remove(sender);
        }
        for h in &dropped {
            self.by_hash.remove(h);
        }
        dropped
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
        let mut tx = TxEip1559 {
            chain_id: 1,
            nonce,
            gas_limit: 21_000,
            max_fee_per_gas: fee,
            max_priority_fee_per_gas: tip,
            to: TxKind::Call(Address::ZERO),
            ..Default::default()
        };
        let sig = signer.sign_transaction_sync(&mut tx).expect("sign");
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
        let replaced = pool.add(signed(&s, 1, 110, 2), 0, RICH).unwrap();
        assert!(replaced.is_some());
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
        let mut pool = Pool::new(PoolConfig { max_per_sender: 2, max_total: 10, price_bump_percent: 10 });
        pool.add(signed(&s, 0, 100, 1), 0, RICH).unwrap();
        pool.add(signed(&s, 1, 100, 1), 0, RICH).unwrap();
        assert!(matches!(pool.add(signed(&s, 2, 100, 1), 0, RICH), Err(PoolError::NonceTooHigh { .. })));
        let t = PrivateKeySigner::random();
        assert!(matches!(pool.add(signed(&t, 0, 100, 1), 0, U256::from(5)), Err(PoolError::InsufficientFunds { .. })));
    }
}
