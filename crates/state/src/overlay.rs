//! One block's pending writes over a read-only base state.
//!
//! The executor runs every transaction of a block against an [`Overlay`]; revm commits
//! each transaction into it, and [`Overlay::into_changes`] yields the block's net
//! [`StateChanges`] for the store to commit and hash.

use crate::AccountRecord;
use alloy_primitives::{map::HashMap, Address, B256, KECCAK256_EMPTY, U256};
use revm::{
    bytecode::Bytecode,
    database_interface::{DBErrorMarker, Database, DatabaseCommit, DatabaseRef},
    primitives::{AddressMap, StorageKey, StorageValue},
    state::{Account, AccountInfo},
};
use std::collections::{BTreeMap, BTreeSet};

/// The net effect of one block on the world state.
#[derive(Clone, Debug, Default, PartialEq, Eq)]
pub struct StateChanges {
    /// Changed accounts: `None` deletes the account (it is empty or self-destructed).
    pub accounts: BTreeMap<Address, Option<AccountRecord>>,
    /// Accounts whose previous storage is wiped before `storage` applies (destroyed or
    /// re-created accounts).
    pub wiped: BTreeSet<Address>,
    /// Changed storage slots; a zero value deletes the slot.
    pub storage: BTreeMap<Address, BTreeMap<U256, U256>>,
    /// New contract code by hash.
    pub code: BTreeMap<B256, Bytecode>,
}

/// A base state that can also answer with the stored record (for code sizes).
pub trait StateReader: DatabaseRef {
    /// The account's stored record.
    fn account_record(&self, address: &Address) -> Result<Option<AccountRecord>, Self::Error>;
}

/// A revm database that reads through to `base` and records committed writes.
#[derive(Debug)]
pub struct Overlay<B: DatabaseRef> {
    base: B,
    changes: StateChanges,
    /// The first base-store failure seen by the infallible `DatabaseCommit::commit`.
    error: Option<B::Error>,
    /// Code sizes of accounts read from the base, so a commit of an unchanged-code
    /// account keeps its size without reloading the code.
    code_sizes: HashMap<Address, u64>,
}

impl<B: StateReader> Overlay<B>
where
    B::Error: DBErrorMarker,
{
    /// An overlay with no writes over `base`.
    pub fn new(base: B) -> Self {
        Self { base, changes: StateChanges::default(), error: None, code_sizes: HashMap::default() }
    }

    /// The base state.
    pub fn base(&self) -> &B {
        &self.base
    }

    /// The writes committed so far.
    pub fn changes(&self) -> &StateChanges {
        &self.changes
    }

    /// Consumes the overlay, returning the block's writes, or the store failure that
    /// happened while committing them.
    pub fn into_changes(self) -> Result<StateChanges, B::Error> {
        match self.error {
            Some(e) => Err(e),
            None => Ok(self.changes),
        }
    }

    fn code_size_of(&self, address: &Address, info: &AccountInfo) -> Result<u64, B::Error> {
        if info.code_hash == KECCAK256_EMPTY {
            return Ok(0);
        }
        if let Some(code) = &info.code {
            return Ok(code.original_bytes().len() as u64);
        }
        if let Some(Some(rec)) = self.changes.accounts.get(address) {
            if rec.code_hash == info.code_hash {
                return Ok(rec.code_size);
            }
        }
        if let Some(size) = self.code_sizes.get(address) {
            return Ok(*size);
        }
        Ok(self.base.code_by_hash_ref(info.code_hash)?.original_bytes().len() as u64)
    }

    /// Adds `amount` wei to `address` (an L1 deposit's mint), creating the account if
    /// needed. Saturates at `U256::MAX` (unreachable: L2 supply is bounded by L1 ETH).
    pub fn credit(&mut self, address: Address, amount: U256) -> Result<(), B::Error> {
        if amount.is_zero() {
            return Ok(());
        }
        let info = revm::Database::basic(self, address)?.unwrap_or_default();
        let code_size = self.code_size_of(&address, &info)?;
        let rec = AccountRecord { nonce: info.nonce, balance: info.balance.saturating_add(amount), code_hash: info.code_hash, code_size };
        self.changes.accounts.insert(address, Some(rec));
        Ok(())
    }

    /// Takes `amount` wei from `address` (a transaction's L1 fee at tx-begin). Returns
    /// false, changing nothing, when the balance is short.
    pub fn debit(&mut self, address: Address, amount: U256) -> Result<bool, B::Error> {
        if amount.is_zero() {
            return Ok(true);
        }
        let info = revm::Database::basic(self, address)?.unwrap_or_default();
        let Some(balance) = info.balance.checked_sub(amount) else { return Ok(false) };
        let code_size = self.code_size_of(&address, &info)?;
        let rec = AccountRecord { nonce: info.nonce, balance, code_hash: info.code_hash, code_size };
        self.changes.accounts.insert(address, Some(rec));
        Ok(true)
    }

    /// The overlay's pending entry for an account (`None`: not written in this block), to
    /// put back with [`Overlay::restore_account`] when a charge must be undone.
    pub fn account_entry(&self, address: &Address) -> Option<Option<AccountRecord>> {
        self.changes.accounts.get(address).copied()
    }

    /// Puts back an entry taken with [`Overlay::account_entry`].
    pub fn restore_account(&mut self, address: Address, entry: Option<Option<AccountRecord>>) {
        match entry {
            Some(e) => {
                self.changes.accounts.insert(address, e);
            }
            None => {
                self.changes.accounts.remove(&address);
            }
        }
    }

    /// Writes one storage slot outside any transaction (the L1 fee parameters the state
    /// transition keeps in the `GasPriceOracle` predeploy).
    pub fn set_storage(&mut self, address: Address, slot: U256, value: U256) {
        self.changes.storage.entry(address).or_default().insert(slot, value);
    }

    /// Applies one transaction's state (as revm returns it), fallibly.
    pub fn try_commit(&mut self, state: AddressMap<Account>) -> Result<(), B::Error> {
        for (address, account) in state {
            if !account.is_touched() {
                continue;
            }
            if account.is_selfdestructed() {
                self.changes.accounts.insert(address, None);
                self.changes.wiped.insert(address);
                self.changes.storage.remove(&address);
                continue;
            }
            if account.is_created() {
                self.changes.wiped.insert(address);
                self.changes.storage.remove(&address);
            }
            if account.is_empty() {
                self.changes.accounts.insert(address, None);
            } else {
                let code_size = self.code_size_of(&address, &account.info)?;
                if let Some(code) = &account.info.code {
                    if account.info.code_hash != KECCAK256_EMPTY {
                        self.changes.code.entry(account.info.code_hash).or_insert_with(|| code.clone());
                    }
                }
                let rec = AccountRecord { nonce: account.info.nonce, balance: account.info.balance, code_hash: account.info.code_hash, code_size };
                self.changes.accounts.insert(address, Some(rec));
            }
            let slots = account.storage.iter().filter(|(_, s)| s.is_changed());
            let mut slots = slots.peekable();
            if slots.peek().is_some() {
                let map = self.changes.storage.entry(address).or_default();
                for (key, slot) in slots {
                    map.insert(*key, slot.present_value);
                }
            }
        }
        Ok(())
    }
}

impl<B: StateReader> Database for Overlay<B>
where
    B::Error: DBErrorMarker,
{
    type Error = B::Error;

    fn basic(&mut self, address: Address) -> Result<Option<AccountInfo>, Self::Error> {
        if let Some(acc) = self.changes.accounts.get(&address) {
            return Ok(acc.map(|r| r.to_info()));
        }
        let rec = self.base.account_record(&address)?;
        if let Some(r) = &rec {
            self.code_sizes.insert(address, r.code_size);
        }
        Ok(rec.map(|r| r.to_info()))
    }

    fn code_by_hash(&mut self, code_hash: B256) -> Result<Bytecode, Self::Error> {
        if let Some(code) = self.changes.code.get(&code_hash) {
            return Ok(code.clone());
        }
        self.base.code_by_hash_ref(code_hash)
    }

    fn storage(&mut self, address: Address, index: StorageKey) -> Result<StorageValue, Self::Error> {
        if let Some(v) = self.changes.storage.get(&address).and_then(|m| m.get(&index)) {
            return Ok(*v);
        }
        if self.changes.wiped.contains(&address) {
            return Ok(U256::ZERO);
        }
        self.base.storage_ref(address, index)
    }

    fn block_hash(&mut self, number: u64) -> Result<B256, Self::Error> {
        self.base.block_hash_ref(number)
    }
}

/// A failure of the base store while committing is kept and returned by
/// [`Overlay::into_changes`], so committing never panics.
impl<B: StateReader> DatabaseCommit for Overlay<B>
where
    B::Error: DBErrorMarker,
{
    fn commit(&mut self, changes: AddressMap<Account>) {
        if let Err(e) = self.try_commit(changes) {
            self.error.get_or_insert(e);
        }
    }
}
