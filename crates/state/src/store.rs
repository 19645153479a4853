//! The RocksDB store of one L2 node (`docs/storage.md`).
//!
//! Column families:
//!
//! | cf | key | value |
//! | --- | --- | --- |
//! | `meta` | name | head number, genesis hash |
//! | `accounts` | address | [`AccountRecord`] (latest) |
//! | `storage` | address ‖ slot | value (latest, non-zero only) |
//! | `account_history` | address ‖ block | record after that block (empty: deleted) |
//! | `storage_history` | address ‖ slot ‖ block | value after that block |
//! | `code` | code hash | bytecode |
//! | `smt` | node hash | [`Node`] encoding |
//! | `headers` | number | block hash ‖ RLP header |
//! | `hashes` | block hash | number |
//! | `bodies` | number | [`BlockBody`] |
//! | `receipts` | number | 2718-encoded receipts |
//! | `tx_lookup` | tx hash | number ‖ index |
//! | `log_addresses` | address ‖ number | (empty) |
//! | `pool` | tx hash | raw transaction (accepted, not yet included) |
//!
//! Every block is committed with one write batch: state, history, SMT nodes, block data,
//! indexes and the removal of its transactions from the pool journal. A crash leaves the
//! store at the last committed block. History is kept for every block (archive), so state
//! reads and proofs work at any block.
//!
//! Writes are not fsynced one by one: [`Store::sync`] makes everything committed so far
//! durable (it fsyncs the WAL) and advances the [`Store::durable_head`]; what must never
//! be lost (a block about to be posted to L1) is synced first (`docs/storage.md`,
//! "Durability").

use crate::{
    overlay::StateReader,
    smt::{self, Node, NodeStore, Proof, SmtError},
    AccountRecord, StateChanges,
};
use alloy_consensus::{Header, ReceiptEnvelope, TxEnvelope};
use alloy_eips::eip2718::{Decodable2718, Encodable2718};
use alloy_primitives::{Address, B256, KECCAK256_EMPTY, U256};
use alloy_rlp::{Decodable, Encodable};
use parking_lot::Mutex;
use revm::{
    bytecode::Bytecode,
    database_interface::{DBErrorMarker, DatabaseRef},
    primitives::{StorageKey, StorageValue},
    state::AccountInfo,
};
use rocksdb::{ColumnFamily, ColumnFamilyDescriptor, Options, WriteBatch, DB};
use std::{
    collections::HashMap,
    path::Path,
    sync::atomic::{AtomicU64, Ordering},
};

const CFS: [&str; 14] = [
    "meta",
    "accounts",
    "storage",
    "account_history",
    "storage_history",
    "code",
    "smt",
    "headers",
    "hashes",
    "bodies",
    "receipts",
    "tx_lookup",
    "log_addresses",
    "pool",
];
const HEAD: &[u8] = b"head";
const GENESIS: &[u8] = b"genesis";
const CHAIN_ID: &[u8] = b"chain_id";
const L1_MARK: &[u8] = b"l1_mark";
/// Bound on cached SMT nodes before the cache is dropped and refilled.
const NODE_CACHE_MAX: usize = 2_000_000;

/// Errors of the store.
#[derive(Debug, thiserror::Error)]
pub enum StoreError {
    /// RocksDB failed.
    #[error("rocksdb: {0}")]
    Db(#[from] rocksdb::Error),
    /// Stored bytes do not decode: the data dir is corrupt or from another version.
    #[error("corrupt {what} in store")]
    Corrupt {
        /// What failed to decode.
        what: &'static str,
    },
    /// The SMT is missing a node.
    #[error(transparent)]
    Smt(#[from] SmtError),
    /// A block that the store does not have.
    #[error("unknown block {0}")]
    UnknownBlock(u64),
    /// A file-system operation of the store failed (fault injection's images).
    #[error("{what}: {source}")]
    Io {
        /// What was being done.
        what: &'static str,
        /// The OS error.
        source: std::io::Error,
    },
}

impl DBErrorMarker for StoreError {}

fn corrupt(what: &'static str) -> StoreError {
    StoreError::Corrupt { what }
}

/// The transactions of a block with their recovered senders.
#[derive(Clone, Debug, Default, PartialEq, Eq)]
pub struct BlockBody {
    /// `(sender, transaction)` in block order.
    pub transactions: Vec<(Address, TxEnvelope)>,
}

impl BlockBody {
    fn encode(&self) -> Vec<u8> {
        let mut out = Vec::with_capacity(self.transactions.len() * 140);
        out.extend_from_slice(&(self.transactions.len() as u32).to_be_bytes());
        for (sender, tx) in &self.transactions {
            out.extend_from_slice(sender.as_slice());
            let len = tx.encode_2718_len();
            out.extend_from_slice(&(len as u32).to_be_bytes());
            tx.encode_2718(&mut out);
        }
        out
    }

    fn decode(mut buf: &[u8]) -> Option<Self> {
        let take = |buf: &mut &[u8], n: usize| -> Option<Vec<u8>> {
            if buf.len() < n {
                return None;
            }
            let (a, b) = buf.split_at(n);
            *buf = b;
            Some(a.to_vec())
        };
        let count = u32::from_be_bytes(take(&mut buf, 4)?.try_into().ok()?);
        let mut transactions = Vec::with_capacity(count as usize);
        for _ in 0..count {
            let sender = Address::from_slice(&take(&mut buf, 20)?);
            let len = u32::from_be_bytes(take(&mut buf, 4)?.try_into().ok()?) as usize;
            let raw = take(&mut buf, len)?;
            let tx = TxEnvelope::decode_2718(&mut raw.as_slice()).ok()?;
            transactions.push((sender, tx));
        }
        Some(Self { transactions })
    }
}

/// A sealed block as stored.
#[derive(Clone, Debug)]
pub struct BlockRecord {
    /// The header (its `state_root` is the SMT root after the block).
    pub header: Header,
    /// `header.hash_slow()`.
    pub hash: B256,
    /// Transactions and senders.
    pub body: BlockBody,
    /// One receipt per transaction.
    pub receipts: Vec<ReceiptEnvelope>,
}

/// A block's state writes, hashed but not yet committed.
pub struct PreparedState {
    /// The SMT root after the block.
    pub state_root: B256,
    batch: WriteBatch,
    nodes: Vec<(B256, Node)>,
    number: u64,
}

impl std::fmt::Debug for PreparedState {
    fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
        f.debug_struct("PreparedState").field("state_root", &self.state_root).field("number", &self.number).finish()
    }
}

/// The node's store. Cheap to share behind an `Arc`; one writer (the block producer),
/// any number of readers.
pub struct Store {
    db: DB,
    nodes: Mutex<HashMap<B256, Node>>,
    /// Newest block covered by a [`Store::sync`] in this process (0 before the first).
    durable: AtomicU64,
    /// FAULT INJECTION (tests only): keeps an image of the store as of each sync.
    fault: Mutex<Option<crate::fault::DropUnsynced>>,
}

/// How far this node's chain is known to agree with the L1 inbox: blocks up to
/// `l2_block` are L1's, and batches of later blocks are in L1 blocks from `l1_block` on
/// (written by the batcher after each batch and by start-up reconciliation).
#[derive(Clone, Copy, Debug, PartialEq, Eq)]
pub struct L1Mark {
    /// Newest L2 block known to be on L1 as this store has it.
    pub l2_block: u64,
    /// The L1 block that included the batch ending at `l2_block`.
    pub l1_block: u64,
}

impl std::fmt::Debug for Store {
    fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
        f.debug_struct("Store").field("path", &self.db.path()).finish()
    }
}

fn be(n: u64) -> [u8; 8] {
    n.to_be_bytes()
}

fn slot_key(address: &Address, slot: &U256) -> [u8; 52] {
    let mut k = [0u8; 52];
    k[..20].copy_from_slice(address.as_slice());
    k[20..].copy_from_slice(&slot.to_be_bytes::<32>());
    k
}

impl Store {
    /// Opens (or creates) the store in `path`.
    pub fn open(path: &Path) -> Result<Self, StoreError> {
        let mut opts = Options::default();
        opts.create_if_missing(true);
        opts.create_missing_column_families(true);
        opts.increase_parallelism(2);
        let cfs = CFS.iter().map(|name| ColumnFamilyDescriptor::new(*name, Options::default()));
        let db = DB::open_cf_descriptors(&opts, path, cfs)?;
        Ok(Self::with_db(db))
    }

    fn with_db(db: DB) -> Self {
        Self { db, nodes: Mutex::new(HashMap::new()), durable: AtomicU64::new(0), fault: Mutex::new(None) }
    }

    /// Opens the store in `path` for reading only, beside a node that may be writing it
    /// (it sees what was committed when it opened).
    pub fn open_read_only(path: &Path) -> Result<Self, StoreError> {
        let opts = Options::default();
        let db = DB::open_cf_for_read_only(&opts, path, CFS, false)?;
        Ok(Self::with_db(db))
    }

    /// The SMT nodes of every state root the store has committed.
    pub fn node_store(&self) -> impl NodeStore + '_ {
        DbNodes { store: self }
    }

    fn cf(&self, name: &'static str) -> &ColumnFamily {
        // Every name in CFS is created at open, so the handle always exists.
        self.db.cf_handle(name).unwrap_or_else(|| unreachable!("column family {name} created at open"))
    }

    fn get(&self, cf: &'static str, key: &[u8]) -> Result<Option<rocksdb::DBPinnableSlice<'_>>, StoreError> {
        Ok(self.db.get_pinned_cf(self.cf(cf), key)?)
    }

    // ---- meta -------------------------------------------------------------------------

    /// The number of the newest committed block, `None` before genesis.
    pub fn head(&self) -> Result<Option<u64>, StoreError> {
        self.get("meta", HEAD)?.map(|v| v.as_ref().try_into().map(u64::from_be_bytes).map_err(|_| corrupt("head"))).transpose()
    }

    /// The genesis block hash, `None` before genesis.
    pub fn genesis_hash(&self) -> Result<Option<B256>, StoreError> {
        Ok(self.get("meta", GENESIS)?.map(|v| B256::from_slice(&v)))
    }

    /// The chain id the data dir belongs to (written once, when the chain is first
    /// opened), `None` before that.
    pub fn chain_id(&self) -> Result<Option<u64>, StoreError> {
        self.get("meta", CHAIN_ID)?.map(|v| v.as_ref().try_into().map(u64::from_be_bytes).map_err(|_| corrupt("chain id"))).transpose()
    }

    /// Records the chain id the data dir belongs to.
    pub fn put_chain_id(&self, chain_id: u64) -> Result<(), StoreError> {
        Ok(self.db.put_cf(self.cf("meta"), CHAIN_ID, chain_id.to_be_bytes())?)
    }

    /// How far the chain is known to agree with L1 ([`L1Mark`]), `None` if never recorded.
    pub fn l1_mark(&self) -> Result<Option<L1Mark>, StoreError> {
        let Some(v) = self.get("meta", L1_MARK)? else { return Ok(None) };
        let (Ok(l2), Ok(l1)) = (<[u8; 8]>::try_from(&v[..8.min(v.len())]), <[u8; 8]>::try_from(v.get(8..).unwrap_or_default())) else {
            return Err(corrupt("L1 mark"));
        };
        Ok(Some(L1Mark { l2_block: u64::from_be_bytes(l2), l1_block: u64::from_be_bytes(l1) }))
    }

    /// Records how far the chain is known to agree with L1.
    pub fn put_l1_mark(&self, mark: L1Mark) -> Result<(), StoreError> {
        let mut v = [0u8; 16];
        v[..8].copy_from_slice(&be(mark.l2_block));
        v[8..].copy_from_slice(&be(mark.l1_block));
        Ok(self.db.put_cf(self.cf("meta"), L1_MARK, v)?)
    }

    // ---- durability ---------------------------------------------------------------------

    /// Makes every write committed so far durable (fsyncs RocksDB's WAL) and returns the
    /// newest block that is now durable. One fsync, whatever was written since the last
    /// one: call it before something outside the node depends on a block (posting it to
    /// L1), not per write.
    pub fn sync(&self) -> Result<u64, StoreError> {
        // The head is read before the fsync, so every block up to it was written before.
        let head = self.head()?.unwrap_or(0);
        self.db.flush_wal(true)?;
        if let Some(fault) = self.fault.lock().as_ref() {
            fault.synced(&self.db)?;
        }
        Ok(self.durable.fetch_max(head, Ordering::AcqRel).max(head))
    }

    /// The newest block a [`Store::sync`] of this process made durable (0 before the first;
    /// what a restart recovered is not counted until it is synced again).
    pub fn durable_head(&self) -> u64 {
        self.durable.load(Ordering::Acquire)
    }

    /// FAULT INJECTION (tests only): from now on, keeps in `image` a copy of the store as
    /// of the last sync (taking the first copy now); replacing the store's directory by
    /// it ([`crate::fault::DropUnsynced::lose_unsynced`]) is a crash that lost every
    /// unsynced write.
    pub fn inject_drop_unsynced(&self, image: &Path) -> Result<(), StoreError> {
        let fault = crate::fault::DropUnsynced::new(image);
        fault.synced(&self.db)?;
        tracing::warn!(image = %image.display(), "FAULT INJECTION: the store keeps an image of its synced state");
        *self.fault.lock() = Some(fault);
        Ok(())
    }

    /// A named metadata value.
    pub fn meta(&self, key: &str) -> Result<Option<Vec<u8>>, StoreError> {
        Ok(self.get("meta", key.as_bytes())?.map(|v| v.to_vec()))
    }

    /// Writes a named metadata value. `head`, `genesis` and `chain_id` are reserved.
    pub fn put_meta(&self, key: &str, value: &[u8]) -> Result<(), StoreError> {
        debug_assert!(![HEAD, GENESIS, CHAIN_ID, L1_MARK].contains(&key.as_bytes()));
        Ok(self.db.put_cf(self.cf("meta"), key.as_bytes(), value)?)
    }

    // ---- latest state (the block producer's view) --------------------------------------

    /// The latest account record.
    pub fn account(&self, address: &Address) -> Result<Option<AccountRecord>, StoreError> {
        self.get("accounts", address.as_slice())?.map(|v| AccountRecord::decode(&v).ok_or(corrupt("account"))).transpose()
    }

    /// The latest value of a storage slot.
    pub fn storage(&self, address: &Address, slot: &U256) -> Result<U256, StoreError> {
        Ok(self.get("storage", &slot_key(address, slot))?.map(|v| U256::from_be_slice(&v)).unwrap_or_default())
    }

    /// Code by hash.
    pub fn code(&self, code_hash: &B256) -> Result<Option<Bytecode>, StoreError> {
        if *code_hash == KECCAK256_EMPTY {
            return Ok(Some(Bytecode::default()));
        }
        Ok(self.get("code", code_hash.as_slice())?.map(|v| Bytecode::new_raw(v.to_vec().into())))
    }

    /// A revm database over the latest committed state.
    pub fn latest(&self) -> Latest<'_> {
        Latest { store: self }
    }

    /// A revm database over the state after block `number` (history reads).
    pub fn state_at(&self, number: u64) -> StateAt<'_> {
        StateAt { store: self, number }
    }

    // ---- SMT ---------------------------------------------------------------------------

    /// A proof for `key` against the state root of block `number`.
    pub fn prove(&self, number: u64, key: &B256) -> Result<(B256, Proof), StoreError> {
        let header = self.header(number)?.ok_or(StoreError::UnknownBlock(number))?.1;
        let proof = smt::prove(&DbNodes { store: self }, header.state_root, key)?;
        Ok((header.state_root, proof))
    }

    /// Computes a block's state writes and new state root over the latest state (the
    /// parent, with root `parent_root`), without writing anything.
    pub fn prepare(&self, number: u64, parent_root: B256, changes: &StateChanges) -> Result<PreparedState, StoreError> {
        let mut batch = WriteBatch::default();
        let mut updates: Vec<(B256, Option<B256>)> = Vec::new();
        let (accounts, storage, acc_hist, st_hist, code) =
            (self.cf("accounts"), self.cf("storage"), self.cf("account_history"), self.cf("storage_history"), self.cf("code"));
        let hist_key = |prefix: &[u8]| {
            let mut k = Vec::with_capacity(prefix.len() + 8);
            k.extend_from_slice(prefix);
            k.extend_from_slice(&be(number));
            k
        };
        // Storage of wiped accounts: every stored slot not rewritten by this block goes.
        for address in &changes.wiped {
            let rewritten = changes.storage.get(address);
            let iter = self.db.prefix_iterator_cf(storage, address.as_slice());
            for item in iter {
                let (k, _) = item?;
                if !k.starts_with(address.as_slice()) {
                    break;
                }
                let slot = U256::from_be_slice(&k[20..]);
                if rewritten.is_some_and(|m| m.contains_key(&slot)) {
                    continue;
                }
                batch.delete_cf(storage, &k);
                batch.put_cf(st_hist, hist_key(&k), [0u8; 32]);
                updates.push((smt::storage_key(address, &B256::from(slot)), None));
            }
        }
        for (address, rec) in &changes.accounts {
            let key = smt::account_key(address);
            match rec.filter(|r| !r.is_empty()) {
                Some(r) => {
                    let enc = r.encode();
                    batch.put_cf(accounts, address.as_slice(), enc);
                    batch.put_cf(acc_hist, hist_key(address.as_slice()), enc);
                    updates.push((key, Some(r.value_hash())));
                }
                None => {
                    batch.delete_cf(accounts, address.as_slice());
                    batch.put_cf(acc_hist, hist_key(address.as_slice()), []);
                    updates.push((key, None));
                }
            }
        }
        for (address, slots) in &changes.storage {
            for (slot, value) in slots {
                let k = slot_key(address, slot);
                let v = value.to_be_bytes::<32>();
                if value.is_zero() {
                    batch.delete_cf(storage, k);
                } else {
                    batch.put_cf(storage, k, v);
                }
                batch.put_cf(st_hist, hist_key(&k), v);
                let leaf = (!value.is_zero()).then(|| B256::from(v));
                updates.push((smt::storage_key(address, &B256::from(*slot)), leaf));
            }
        }
        for (hash, bytecode) in &changes.code {
            batch.put_cf(code, hash.as_slice(), bytecode.original_bytes());
        }
        updates.sort_unstable_by_key(|a| a.0);
        updates.dedup_by(|later, earlier| later.0 == earlier.0);
        let (state_root, nodes) = smt::update(&DbNodes { store: self }, parent_root, &updates)?;
        let smt_cf = self.cf("smt");
        for (hash, node) in &nodes {
            batch.put_cf(smt_cf, hash.as_slice(), node.encode());
        }
        Ok(PreparedState { state_root, batch, nodes, number })
    }

    /// The state root after `changes` over the state after block `parent` (whose root is
    /// `parent_root`), read from history: what [`Store::prepare`] computes over the latest
    /// state, for any parent the store has (a block below the head). Writes nothing.
    pub fn root_over(&self, parent: u64, parent_root: B256, changes: &StateChanges) -> Result<B256, StoreError> {
        let mut updates: Vec<(B256, Option<B256>)> = Vec::new();
        for address in &changes.wiped {
            let rewritten = changes.storage.get(address);
            for slot in self.slots_at(address, parent)? {
                if !rewritten.is_some_and(|m| m.contains_key(&slot)) {
                    updates.push((smt::storage_key(address, &B256::from(slot)), None));
                }
            }
        }
        for (address, rec) in &changes.accounts {
            let leaf = rec.filter(|r| !r.is_empty()).map(|r| r.value_hash());
            updates.push((smt::account_key(address), leaf));
        }
        for (address, slots) in &changes.storage {
            for (slot, value) in slots {
                let leaf = (!value.is_zero()).then(|| B256::from(value.to_be_bytes::<32>()));
                updates.push((smt::storage_key(address, &B256::from(*slot)), leaf));
            }
        }
        updates.sort_unstable_by_key(|a| a.0);
        updates.dedup_by(|later, earlier| later.0 == earlier.0);
        Ok(smt::update(&DbNodes { store: self }, parent_root, &updates)?.0)
    }

    /// The slots of `address` holding a non-zero value after block `number` (from history).
    fn slots_at(&self, address: &Address, number: u64) -> Result<Vec<U256>, StoreError> {
        let mut latest: std::collections::BTreeMap<U256, bool> = Default::default();
        for item in self.db.prefix_iterator_cf(self.cf("storage_history"), address.as_slice()) {
            let (k, v) = item?;
            if !k.starts_with(address.as_slice()) {
                break;
            }
            if k.len() != 60 {
                return Err(corrupt("storage history key"));
            }
            let block = u64::from_be_bytes(k[52..].try_into().map_err(|_| corrupt("storage history key"))?);
            if block <= number {
                // Keys sort by slot, then block: the last one at or before `number` wins.
                latest.insert(U256::from_be_slice(&k[20..52]), v.iter().any(|b| *b != 0));
            }
        }
        Ok(latest.into_iter().filter(|(_, live)| *live).map(|(slot, _)| slot).collect())
    }

    /// Commits a block atomically: its prepared state, its data and indexes, the new head,
    /// and the removal of `pool_removed` from the pool journal.
    pub fn commit(&self, prepared: PreparedState, block: &BlockRecord, pool_removed: &[B256]) -> Result<(), StoreError> {
        let PreparedState { mut batch, nodes, number, .. } = prepared;
        debug_assert_eq!(number, block.header.number);
        let mut header = Vec::with_capacity(600);
        header.extend_from_slice(block.hash.as_slice());
        block.header.encode(&mut header);
        batch.put_cf(self.cf("headers"), be(number), header);
        batch.put_cf(self.cf("hashes"), block.hash.as_slice(), be(number));
        batch.put_cf(self.cf("bodies"), be(number), block.body.encode());
        let mut receipts = Vec::new();
        for r in &block.receipts {
            let len = r.encode_2718_len();
            receipts.extend_from_slice(&(len as u32).to_be_bytes());
            r.encode_2718(&mut receipts);
        }
        batch.put_cf(self.cf("receipts"), be(number), receipts);
        let (lookup, logs, pool) = (self.cf("tx_lookup"), self.cf("log_addresses"), self.cf("pool"));
        for (i, (_, tx)) in block.body.transactions.iter().enumerate() {
            let mut v = [0u8; 12];
            v[..8].copy_from_slice(&be(number));
            v[8..].copy_from_slice(&(i as u32).to_be_bytes());
            batch.put_cf(lookup, tx.tx_hash().as_slice(), v);
        }
        for r in &block.receipts {
            for log in r.logs() {
                let mut k = [0u8; 28];
                k[..20].copy_from_slice(log.address.as_slice());
                k[20..].copy_from_slice(&be(number));
                batch.put_cf(logs, k, []);
            }
        }
        for hash in pool_removed {
            batch.delete_cf(pool, hash.as_slice());
        }
        if number == 0 {
            batch.put_cf(self.cf("meta"), GENESIS, block.hash.as_slice());
        }
        batch.put_cf(self.cf("meta"), HEAD, be(number));
        self.db.write(batch)?;
        let mut cache = self.nodes.lock();
        if cache.len() + nodes.len() > NODE_CACHE_MAX {
            cache.clear();
        }
        cache.extend(nodes);
        Ok(())
    }

    // ---- chain data --------------------------------------------------------------------

    /// `(hash, header)` of block `number`.
    pub fn header(&self, number: u64) -> Result<Option<(B256, Header)>, StoreError> {
        let Some(v) = self.get("headers", &be(number))? else { return Ok(None) };
        if v.len() < 32 {
            return Err(corrupt("header"));
        }
        let hash = B256::from_slice(&v[..32]);
        let header = Header::decode(&mut &v[32..]).map_err(|_| corrupt("header"))?;
        Ok(Some((hash, header)))
    }

    /// The number of the block with this hash.
    pub fn number_of(&self, hash: &B256) -> Result<Option<u64>, StoreError> {
        self.get("hashes", hash.as_slice())?.map(|v| v.as_ref().try_into().map(u64::from_be_bytes).map_err(|_| corrupt("hash index"))).transpose()
    }

    /// The body of block `number`.
    pub fn body(&self, number: u64) -> Result<Option<BlockBody>, StoreError> {
        self.get("bodies", &be(number))?.map(|v| BlockBody::decode(&v).ok_or(corrupt("body"))).transpose()
    }

    /// The receipts of block `number`.
    pub fn receipts(&self, number: u64) -> Result<Option<Vec<ReceiptEnvelope>>, StoreError> {
        let Some(v) = self.get("receipts", &be(number))? else { return Ok(None) };
        let mut buf: &[u8] = &v;
        let mut out = Vec::new();
        while !buf.is_empty() {
            if buf.len() < 4 {
                return Err(corrupt("receipts"));
            }
            let len = u32::from_be_bytes([buf[0], buf[1], buf[2], buf[3]]) as usize;
            buf = &buf[4..];
            if buf.len() < len {
                return Err(corrupt("receipts"));
            }
            let mut one = &buf[..len];
            out.push(ReceiptEnvelope::decode_2718(&mut one).map_err(|_| corrupt("receipt"))?);
            buf = &buf[len..];
        }
        Ok(Some(out))
    }

    /// `(block number, index)` of an included transaction.
    pub fn tx_location(&self, hash: &B256) -> Result<Option<(u64, u32)>, StoreError> {
        let Some(v) = self.get("tx_lookup", hash.as_slice())? else { return Ok(None) };
        if v.len() != 12 {
            return Err(corrupt("tx lookup"));
        }
        let n = u64::from_be_bytes(v[..8].try_into().map_err(|_| corrupt("tx lookup"))?);
        let i = u32::from_be_bytes(v[8..].try_into().map_err(|_| corrupt("tx lookup"))?);
        Ok(Some((n, i)))
    }

    /// Blocks in `from..=to` with at least one log emitted by `address`, ascending.
    pub fn blocks_with_logs_from(&self, address: &Address, from: u64, to: u64) -> Result<Vec<u64>, StoreError> {
        let mut start = [0u8; 28];
        start[..20].copy_from_slice(address.as_slice());
        start[20..].copy_from_slice(&be(from));
        let mut out = Vec::new();
        let iter = self.db.iterator_cf(self.cf("log_addresses"), rocksdb::IteratorMode::From(&start, rocksdb::Direction::Forward));
        for item in iter {
            let (k, _) = item?;
            if k.len() != 28 || &k[..20] != address.as_slice() {
                break;
            }
            let n = u64::from_be_bytes(k[20..].try_into().map_err(|_| corrupt("log index"))?);
            if n > to {
                break;
            }
            out.push(n);
        }
        Ok(out)
    }

    // ---- pool journal ------------------------------------------------------------------

    /// Journals an accepted transaction, so that a restart finds it again.
    pub fn journal_tx(&self, hash: &B256, raw: &[u8]) -> Result<(), StoreError> {
        Ok(self.db.put_cf(self.cf("pool"), hash.as_slice(), raw)?)
    }

    /// Journals many accepted transactions in one write.
    pub fn journal_txs<'a>(&self, txs: impl IntoIterator<Item = (&'a B256, &'a [u8])>) -> Result<(), StoreError> {
        let mut batch = WriteBatch::default();
        let cf = self.cf("pool");
        for (hash, raw) in txs {
            batch.put_cf(cf, hash.as_slice(), raw);
        }
        Ok(self.db.write(batch)?)
    }

    /// Removes transactions from the journal (dropped from the pool without inclusion).
    pub fn unjournal_txs(&self, hashes: &[B256]) -> Result<(), StoreError> {
        let mut batch = WriteBatch::default();
        let cf = self.cf("pool");
        for h in hashes {
            batch.delete_cf(cf, h.as_slice());
        }
        Ok(self.db.write(batch)?)
    }

    /// Every journaled transaction, raw.
    pub fn journaled_txs(&self) -> Result<Vec<Vec<u8>>, StoreError> {
        let mut out = Vec::new();
        for item in self.db.iterator_cf(self.cf("pool"), rocksdb::IteratorMode::Start) {
            out.push(item?.1.to_vec());
        }
        Ok(out)
    }

    fn history(&self, cf: &'static str, prefix: &[u8], number: u64) -> Result<Option<Vec<u8>>, StoreError> {
        let mut key = Vec::with_capacity(prefix.len() + 8);
        key.extend_from_slice(prefix);
        key.extend_from_slice(&be(number));
        let mut it = self.db.raw_iterator_cf(self.cf(cf));
        it.seek_for_prev(&key);
        if !it.valid() {
            it.status()?;
            return Ok(None);
        }
        match it.key() {
            Some(k) if k.len() == prefix.len() + 8 && k.starts_with(prefix) => Ok(it.value().map(|v| v.to_vec())),
            _ => Ok(None),
        }
    }
}

/// The state root of a fresh state holding exactly `changes` (genesis), computed in
/// memory without touching any store.
pub fn genesis_root(changes: &StateChanges) -> Result<B256, SmtError> {
    let mut updates: Vec<(B256, Option<B256>)> = Vec::new();
    for (address, rec) in &changes.accounts {
        if let Some(r) = rec.filter(|r| !r.is_empty()) {
            updates.push((smt::account_key(address), Some(r.value_hash())));
        }
    }
    for (address, slots) in &changes.storage {
        for (slot, value) in slots.iter().filter(|(_, v)| !v.is_zero()) {
            updates.push((smt::storage_key(address, &B256::from(*slot)), Some(B256::from(*value))));
        }
    }
    updates.sort_unstable_by_key(|a| a.0);
    Ok(smt::update(&smt::MemStore::default(), smt::EMPTY_ROOT, &updates)?.0)
}

/// The SMT node store over RocksDB with an in-memory cache.
struct DbNodes<'a> {
    store: &'a Store,
}

impl NodeStore for DbNodes<'_> {
    fn node(&self, hash: &B256) -> Result<Option<Node>, SmtError> {
        if let Some(n) = self.store.nodes.lock().get(hash) {
            return Ok(Some(*n));
        }
        let v = self.store.get("smt", hash.as_slice()).map_err(|e| SmtError::Store(e.to_string()))?;
        let Some(v) = v else { return Ok(None) };
        let node = Node::decode(&v).ok_or_else(|| SmtError::Store(format!("corrupt node {hash}")))?;
        self.store.nodes.lock().insert(*hash, node);
        Ok(Some(node))
    }
}

/// The latest committed state as a revm database.
#[derive(Clone, Copy, Debug)]
pub struct Latest<'a> {
    store: &'a Store,
}

impl DatabaseRef for Latest<'_> {
    type Error = StoreError;

    fn basic_ref(&self, address: Address) -> Result<Option<AccountInfo>, StoreError> {
        Ok(self.store.account(&address)?.map(|r| r.to_info()))
    }

    fn code_by_hash_ref(&self, code_hash: B256) -> Result<Bytecode, StoreError> {
        Ok(self.store.code(&code_hash)?.unwrap_or_default())
    }

    fn storage_ref(&self, address: Address, index: StorageKey) -> Result<StorageValue, StoreError> {
        self.store.storage(&address, &index)
    }

    fn block_hash_ref(&self, number: u64) -> Result<B256, StoreError> {
        Ok(self.store.header(number)?.map(|(h, _)| h).unwrap_or_default())
    }
}

impl StateReader for Latest<'_> {
    fn account_record(&self, address: &Address) -> Result<Option<AccountRecord>, StoreError> {
        self.store.account(address)
    }
}

/// The state after block `number`, read from history, as a revm database.
#[derive(Clone, Copy, Debug)]
pub struct StateAt<'a> {
    store: &'a Store,
    number: u64,
}

impl StateAt<'_> {
    /// The block this view reads at.
    pub fn number(&self) -> u64 {
        self.number
    }
}

impl DatabaseRef for StateAt<'_> {
    type Error = StoreError;

    fn basic_ref(&self, address: Address) -> Result<Option<AccountInfo>, StoreError> {
        Ok(self.account_record(&address)?.map(|r| r.to_info()))
    }

    fn code_by_hash_ref(&self, code_hash: B256) -> Result<Bytecode, StoreError> {
        Ok(self.store.code(&code_hash)?.unwrap_or_default())
    }

    fn storage_ref(&self, address: Address, index: StorageKey) -> Result<StorageValue, StoreError> {
        let v = self.store.history("storage_history", &slot_key(&address, &index), self.number)?;
        Ok(v.map(|v| U256::from_be_slice(&v)).unwrap_or_default())
    }

    fn block_hash_ref(&self, number: u64) -> Result<B256, StoreError> {
        if number > self.number {
            return Ok(B256::ZERO);
        }
        Ok(self.store.header(number)?.map(|(h, _)| h).unwrap_or_default())
    }
}

impl StateReader for StateAt<'_> {
    fn account_record(&self, address: &Address) -> Result<Option<AccountRecord>, StoreError> {
        match self.store.history("account_history", address.as_slice(), self.number)? {
            None => Ok(None),
            Some(v) if v.is_empty() => Ok(None),
            Some(v) => AccountRecord::decode(&v).map(Some).ok_or(corrupt("account history")),
        }
    }
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::fault::DropUnsynced;

    fn account(nonce: u64) -> Option<AccountRecord> {
        Some(AccountRecord { nonce, balance: U256::from(nonce), code_hash: KECCAK256_EMPTY, code_size: 0 })
    }

    /// Commits block `number` with `changes` on top of the head; returns its state root.
    fn commit(store: &Store, number: u64, changes: &StateChanges) -> B256 {
        let parent_root = match number {
            0 => smt::EMPTY_ROOT,
            n => store.header(n - 1).unwrap().unwrap().1.state_root,
        };
        let prepared = store.prepare(number, parent_root, changes).unwrap();
        let header = Header { number, state_root: prepared.state_root, ..Default::default() };
        let record = BlockRecord { hash: header.hash_slow(), header, body: BlockBody::default(), receipts: Vec::new() };
        store.commit(prepared, &record, &[]).unwrap();
        record.header.state_root
    }

    fn bump(n: u64) -> StateChanges {
        let mut c = StateChanges::default();
        c.accounts.insert(Address::repeat_byte(1), account(n));
        c
    }

    #[test]
    fn sync_makes_the_head_durable() {
        let dir = tempfile::tempdir().unwrap();
        let store = Store::open(dir.path()).unwrap();
        for n in 0..=3 {
            commit(&store, n, &bump(n));
        }
        assert_eq!(store.durable_head(), 0, "nothing is durable before a sync");
        assert_eq!(store.sync().unwrap(), 3);
        commit(&store, 4, &bump(4));
        assert_eq!(store.durable_head(), 3, "block 4 is not durable until the next sync");
        assert_eq!(store.sync().unwrap(), 4);
    }

    /// The fault double: a restart after the fault finds the store as of its last sync.
    #[test]
    fn drop_unsynced_loses_every_write_after_the_last_sync() {
        let dir = tempfile::tempdir().unwrap();
        let (db, image) = (dir.path().join("db"), dir.path().join("synced"));
        {
            let store = Store::open(&db).unwrap();
            store.inject_drop_unsynced(&image).unwrap();
            for n in 0..=2 {
                commit(&store, n, &bump(n));
            }
            assert_eq!(store.sync().unwrap(), 2);
            for n in 3..=4 {
                commit(&store, n, &bump(n));
            }
            store.put_l1_mark(L1Mark { l2_block: 4, l1_block: 9 }).unwrap();
        }
        DropUnsynced::lose_unsynced(&db, &image).unwrap();
        let store = Store::open(&db).unwrap();
        assert_eq!(store.head().unwrap(), Some(2));
        assert!(store.header(3).unwrap().is_none());
        assert_eq!(store.l1_mark().unwrap(), None);
        assert!(DropUnsynced::lose_unsynced(&db, &image).is_err(), "the image was used up");
    }

    #[test]
    fn l1_mark_round_trips() {
        let dir = tempfile::tempdir().unwrap();
        let store = Store::open(dir.path()).unwrap();
        assert_eq!(store.l1_mark().unwrap(), None);
        let mark = L1Mark { l2_block: 56, l1_block: 1234 };
        store.put_l1_mark(mark).unwrap();
        assert_eq!(store.l1_mark().unwrap(), Some(mark));
    }

    /// `root_over` on history gives the root `prepare` gave when the parent was the head,
    /// including a wiped account whose old slots only history knows.
    #[test]
    fn root_over_history_matches_prepare() {
        let dir = tempfile::tempdir().unwrap();
        let store = Store::open(dir.path()).unwrap();
        let a = Address::repeat_byte(0xaa);
        commit(&store, 0, &bump(0));
        let mut one = bump(1);
        one.accounts.insert(a, account(1));
        one.storage.entry(a).or_default().extend([(U256::from(1), U256::from(11)), (U256::from(2), U256::from(22))]);
        let root1 = commit(&store, 1, &one);
        let mut two = bump(2);
        two.wiped.insert(a);
        two.accounts.insert(a, account(5));
        two.storage.entry(a).or_default().insert(U256::from(3), U256::from(33));
        let root2 = commit(&store, 2, &two);
        let three = bump(3);
        let root3 = commit(&store, 3, &three);
        assert_eq!(store.root_over(1, root1, &two).unwrap(), root2);
        assert_eq!(store.root_over(2, root2, &three).unwrap(), root3);
        // Over the head it is prepare's root.
        let four = bump(4);
        assert_eq!(store.root_over(3, root3, &four).unwrap(), store.prepare(4, root3, &four).unwrap().state_root);
    }
}
