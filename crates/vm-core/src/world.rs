//! Keyed state as compacted sparse Merkle trees (docs/state.md), for the step machine
//! (docs/fault-vm.md, "World" and "Substate"): the world, whose root is the L2 state
//! root, and the per-transaction substate (warm sets, original values, transient storage,
//! created and destroyed accounts) under domain-separated keys.
//!
//! A full tree (the prover's) holds a read-only base (the world before the block) and the
//! changes since; its root and proofs are computed on demand from the changes not yet
//! applied, so a plain run pays nothing for the tree. A proven tree is just a root: every
//! read or write a step makes comes with a proof against the root at that moment, checked
//! and applied with [`Proof::verify`] and [`Proof::update`].

use crate::{error::StepError, meter::Meter};
use alloy_primitives::{Address, Bytes, B256, KECCAK256_EMPTY, U256};
use faultline_state::{
    smt::{self, MemStore, Node, NodeStore, Proof, SmtError},
    AccountRecord,
};
use std::{
    cell::RefCell,
    collections::{BTreeMap, HashMap},
    fmt::Debug,
    rc::Rc,
};

/// A read-only world to run over: accounts, slots, code and the SMT nodes of its root.
pub trait WorldBase: NodeStore + Debug {
    /// The SMT root.
    fn root(&self) -> B256;
    /// An account (`None`: absent, i.e. empty).
    fn account(&self, a: &Address) -> Result<Option<AccountRecord>, StepError>;
    /// A slot's value (zero when absent).
    fn storage(&self, a: &Address, slot: &U256) -> Result<U256, StepError>;
    /// Code by hash.
    fn code(&self, hash: &B256) -> Result<Option<Bytes>, StepError>;
    /// Every account and slot, if this base can list them (an in-memory one).
    fn list(&self) -> Option<Listing> {
        None
    }
}

/// What a listable base holds: its accounts and its non-zero slots.
pub type Listing = (Vec<Address>, Vec<((Address, U256), U256)>);

/// An account with its code and non-zero storage, to build an in-memory world from.
#[derive(Debug, Clone, Default, PartialEq, Eq)]
pub struct Account {
    /// Nonce.
    pub nonce: u64,
    /// Balance.
    pub balance: U256,
    /// Code.
    pub code: Bytes,
    /// Non-zero storage slots.
    pub storage: BTreeMap<U256, U256>,
}

impl Account {
    /// An account from its fields; zero slots are left out of its storage.
    pub fn new(nonce: u64, balance: U256, code: Bytes, storage: impl IntoIterator<Item = (U256, U256)>) -> Self {
        Self { nonce, balance, code, storage: storage.into_iter().filter(|(_, v)| !v.is_zero()).collect() }
    }

    /// EIP-161 empty: no nonce, no balance, no code.
    pub fn is_empty(&self) -> bool {
        self.nonce == 0 && self.balance.is_zero() && self.code.is_empty()
    }

    /// The record its leaf commits to.
    pub fn record(&self) -> AccountRecord {
        AccountRecord {
            nonce: self.nonce,
            balance: self.balance,
            code_hash: if self.code.is_empty() { KECCAK256_EMPTY } else { alloy_primitives::keccak256(&self.code) },
            code_size: self.code.len() as u64,
        }
    }
}

/// An in-memory world (genesis, a state test's pre-state, the world after a replayed
/// block).
#[derive(Debug, Default)]
pub struct MemWorld {
    root: B256,
    nodes: MemStore,
    accounts: HashMap<Address, AccountRecord>,
    storage: HashMap<(Address, U256), U256>,
    codes: HashMap<B256, Bytes>,
}

impl MemWorld {
    /// The world of these accounts (empty accounts and zero slots have no leaf).
    pub fn new(accounts: &BTreeMap<Address, Account>) -> Self {
        let mut w = MemWorld::default();
        let mut leaves = Vec::new();
        for (a, acc) in accounts {
            if !acc.is_empty() {
                let r = acc.record();
                leaves.push((smt::account_key(a), Some(r.value_hash())));
                w.accounts.insert(*a, r);
                if !acc.code.is_empty() {
                    w.codes.insert(r.code_hash, acc.code.clone());
                }
            }
            for (s, v) in &acc.storage {
                if !v.is_zero() {
                    leaves.push((smt::storage_key(a, &B256::from(*s)), Some(B256::from(*v))));
                    w.storage.insert((*a, *s), *v);
                }
            }
        }
        leaves.sort_unstable_by_key(|(k, _)| *k);
        // Building from the empty root reads no node, so the empty store cannot fail.
        if let Ok((root, nodes)) = smt::update(&MemStore::default(), smt::EMPTY_ROOT, &leaves) {
            w.root = root;
            w.nodes.extend(nodes);
        }
        w
    }
}

impl NodeStore for MemWorld {
    fn node(&self, hash: &B256) -> Result<Option<Node>, SmtError> {
        self.nodes.node(hash)
    }
}

impl WorldBase for MemWorld {
    fn root(&self) -> B256 {
        self.root
    }
    fn account(&self, a: &Address) -> Result<Option<AccountRecord>, StepError> {
        Ok(self.accounts.get(a).copied())
    }
    fn storage(&self, a: &Address, slot: &U256) -> Result<U256, StepError> {
        Ok(self.storage.get(&(*a, *slot)).copied().unwrap_or_default())
    }
    fn code(&self, hash: &B256) -> Result<Option<Bytes>, StepError> {
        if *hash == KECCAK256_EMPTY {
            return Ok(Some(Bytes::new()));
        }
        Ok(self.codes.get(hash).cloned())
    }
    fn list(&self) -> Option<Listing> {
        Some((self.accounts.keys().copied().collect(), self.storage.iter().map(|(k, v)| (*k, *v)).collect()))
    }
}

/// The empty base (the substate starts empty every transaction).
#[derive(Debug, Default)]
pub struct EmptyBase;

impl NodeStore for EmptyBase {
    fn node(&self, _: &B256) -> Result<Option<Node>, SmtError> {
        Ok(None)
    }
}

/// One read or write of a keyed tree as a witness carries it: the proof of the key
/// against the root at that moment, the preimage of the value read (an account record),
/// and for a delete the node of the deepest sibling (docs/state.md, "Updating from a
/// proof").
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct SmtAccess {
    /// Proof of the key against the current root.
    pub proof: Proof,
    /// The account a read of an account leaf found (its value hash is proven).
    pub account: Option<AccountRecord>,
    /// For a delete of a present key below the root: the deepest sibling's node.
    pub sibling: Option<Node>,
}

impl SmtAccess {
    /// Whether a write of `value` under `key` needs [`SmtAccess::sibling`]: a delete of a
    /// present key below the root (docs/state.md, "Updating from a proof"). A witness
    /// carries the sibling exactly then, so an access has one encoding.
    pub fn needs_sibling(&self, key: &B256, value: Option<B256>) -> bool {
        value.is_none() && self.proof.depth > 0 && !self.proof.terminal_is_empty() && self.proof.leaf_key == *key
    }
}

/// A node store: `top` over `base`.
struct Layered<'a> {
    top: &'a MemStore,
    base: &'a dyn NodeStore,
}

impl NodeStore for Layered<'_> {
    fn node(&self, hash: &B256) -> Result<Option<Node>, SmtError> {
        match self.top.node(hash)? {
            Some(n) => Ok(Some(n)),
            None => self.base.node(hash),
        }
    }
}

#[derive(Debug, Default)]
struct Cache {
    valid: bool,
    root: B256,
    nodes: MemStore,
    pending: Vec<(B256, Option<B256>)>,
}

/// A full keyed tree: a base and the changes since, with the root and proofs computed on
/// demand.
pub struct FullSmt {
    base: Rc<dyn NodeStore>,
    base_root: B256,
    changes: HashMap<B256, Option<B256>>,
    cache: RefCell<Cache>,
}

impl Debug for FullSmt {
    fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
        f.debug_struct("FullSmt").field("base_root", &self.base_root).field("changes", &self.changes.len()).finish()
    }
}

impl Clone for FullSmt {
    /// A clone shares the base and copies the changes; its node cache starts empty (it is
    /// rebuilt from the changes when a root is asked for), so clones are cheap.
    fn clone(&self) -> Self {
        Self { base: self.base.clone(), base_root: self.base_root, changes: self.changes.clone(), cache: RefCell::default() }
    }
}

fn smt_err(e: SmtError) -> StepError {
    StepError::Inconsistent(match e {
        SmtError::MissingNode(_) => "a tree node is missing from the prover's store",
        SmtError::Store(_) => "the prover's node store failed",
    })
}

impl FullSmt {
    /// A tree over `base` with root `base_root`.
    pub fn new(base: Rc<dyn NodeStore>, base_root: B256) -> Self {
        Self { base, base_root, changes: HashMap::new(), cache: RefCell::default() }
    }

    /// An empty tree.
    pub fn empty() -> Self {
        Self::new(Rc::new(EmptyBase), smt::EMPTY_ROOT)
    }

    /// Sets `key` (`None` deletes).
    pub fn set(&mut self, key: B256, value: Option<B256>) {
        self.changes.insert(key, value);
        let c = self.cache.get_mut();
        if c.valid {
            c.pending.push((key, value));
        }
    }

    /// The value hash under `key` as changed so far, if changed.
    pub fn changed(&self, key: &B256) -> Option<Option<B256>> {
        self.changes.get(key).copied()
    }

    fn refresh(&self) -> Result<(), StepError> {
        let mut c = self.cache.borrow_mut();
        if !c.valid {
            *c = Cache { valid: true, root: self.base_root, nodes: MemStore::default(), pending: self.changes.iter().map(|(k, v)| (*k, *v)).collect() };
        }
        if c.pending.is_empty() {
            return Ok(());
        }
        let mut pending = std::mem::take(&mut c.pending);
        // Last write wins: keep the final value of each key.
        pending.reverse();
        pending.sort_by_key(|(k, _)| *k);
        pending.dedup_by_key(|(k, _)| *k);
        let store = Layered { top: &c.nodes, base: self.base.as_ref() };
        let (root, nodes) = smt::update(&store, c.root, &pending).map_err(smt_err)?;
        c.root = root;
        c.nodes.extend(nodes);
        // Superseded nodes are never removed: start over when they dominate.
        if c.nodes.len() > 1 << 20 && c.nodes.len() > 64 * self.changes.len().max(1) {
            c.valid = false;
        }
        Ok(())
    }

    /// The root.
    pub fn root(&self) -> Result<B256, StepError> {
        self.refresh()?;
        let c = self.cache.borrow();
        if c.valid {
            return Ok(c.root);
        }
        drop(c);
        self.refresh()?;
        Ok(self.cache.borrow().root)
    }

    /// The proof of `key` against the current root, and for a delete the deepest sibling.
    pub fn prove(&self, key: &B256, deleting: bool) -> Result<(Proof, Option<Node>), StepError> {
        let root = self.root()?;
        let c = self.cache.borrow();
        let store = Layered { top: &c.nodes, base: self.base.as_ref() };
        let proof = smt::prove(&store, root, key).map_err(smt_err)?;
        // Only a delete of a present key below the root uses the sibling; a witness
        // carries it exactly then ([`SmtAccess::needs_sibling`]).
        let present = proof.depth > 0 && !proof.terminal_is_empty() && proof.leaf_key == *key;
        let sibling = if deleting && present { smt::deepest_sibling(&store, root, key).map_err(smt_err)? } else { None };
        Ok((proof, sibling))
    }
}

/// Checks `access` against `root` for `key`: the value hash it proves (`m` counts the
/// hashes).
pub fn verify_access(root: B256, key: &B256, access: &SmtAccess, m: &mut Meter) -> Result<Option<B256>, StepError> {
    if access.sibling.is_some() {
        return Err(StepError::Unused("a delete's sibling node on a read".into()));
    }
    count_proof(&access.proof, m);
    access.proof.verify(root, key).map_err(|e| StepError::Missing(format!("a valid tree proof ({e})")))
}

/// The root after writing `value` under `key`, from `access` (checked against `root`;
/// `m` counts the hashes).
pub fn apply_access(root: B256, key: &B256, value: Option<B256>, access: &SmtAccess, m: &mut Meter) -> Result<B256, StepError> {
    if access.account.is_some() {
        return Err(StepError::Unused("an account record on a write".into()));
    }
    if access.sibling.is_some() && !access.needs_sibling(key, value) {
        return Err(StepError::Unused("a sibling node on a write that is not a delete of a present key".into()));
    }
    count_proof(&access.proof, m);
    access.proof.update(root, key, value, access.sibling.as_ref()).map_err(|e| StepError::Missing(format!("a valid tree proof for a write ({e})")))
}

/// Counts the hashes of checking or applying a proof (one per level and the leaf's).
fn count_proof(p: &Proof, m: &mut Meter) {
    m.hashed(65);
    for _ in 0..p.depth {
        m.hashed(64);
    }
}

/// The world: the L2 state tree with typed reads.
#[derive(Debug, Clone)]
pub enum World {
    /// The prover's: a base world and the changes since, typed.
    Full(Box<FullWorld>),
    /// A witness's: the root.
    Proven(B256),
}

/// The prover's world.
#[derive(Debug, Clone)]
pub struct FullWorld {
    base: Rc<dyn WorldBase>,
    smt: FullSmt,
    accounts: HashMap<Address, Option<AccountRecord>>,
    storage: HashMap<(Address, U256), U256>,
    codes: HashMap<B256, Bytes>,
}

/// Adapts a world base to the node-store trait object.
#[derive(Debug)]
struct BaseNodes(Rc<dyn WorldBase>);

impl NodeStore for BaseNodes {
    fn node(&self, hash: &B256) -> Result<Option<Node>, SmtError> {
        self.0.node(hash)
    }
}

impl FullWorld {
    /// A world over `base` with no changes.
    pub fn new(base: Rc<dyn WorldBase>) -> Self {
        let root = base.root();
        let smt = FullSmt::new(Rc::new(BaseNodes(base.clone())), root);
        Self { base, smt, accounts: HashMap::new(), storage: HashMap::new(), codes: HashMap::new() }
    }

    /// An account (`None`: absent).
    pub fn account(&self, a: &Address) -> Result<Option<AccountRecord>, StepError> {
        match self.accounts.get(a) {
            Some(v) => Ok(*v),
            None => self.base.account(a),
        }
    }

    /// A slot's value.
    pub fn storage(&self, a: &Address, s: &U256) -> Result<U256, StepError> {
        match self.storage.get(&(*a, *s)) {
            Some(v) => Ok(*v),
            None => self.base.storage(a, s),
        }
    }

    /// Code by hash.
    pub fn code(&self, hash: &B256) -> Result<Option<Bytes>, StepError> {
        match self.codes.get(hash) {
            Some(c) => Ok(Some(c.clone())),
            None => self.base.code(hash),
        }
    }

    /// Sets an account (`None` or an empty one deletes its leaf).
    pub fn set_account(&mut self, a: Address, r: Option<AccountRecord>) {
        let r = r.filter(|r| !(r.nonce == 0 && r.balance.is_zero() && r.code_size == 0));
        self.accounts.insert(a, r);
        self.smt.set(smt::account_key(&a), r.map(|r| r.value_hash()));
    }

    /// Sets a slot (zero deletes its leaf).
    pub fn set_storage(&mut self, a: Address, s: U256, v: U256) {
        self.storage.insert((a, s), v);
        self.smt.set(smt::storage_key(&a, &B256::from(s)), (!v.is_zero()).then(|| B256::from(v)));
    }

    /// Keeps code under its hash.
    pub fn put_code(&mut self, hash: B256, code: Bytes) {
        self.codes.insert(hash, code);
    }

    /// The root.
    pub fn root(&self) -> Result<B256, StepError> {
        self.smt.root()
    }

    /// A witness access for `key` against the current root (a read of an account carries
    /// its record).
    pub fn access(&self, key: &B256, account: Option<AccountRecord>, deleting: bool) -> Result<SmtAccess, StepError> {
        let (proof, sibling) = self.smt.prove(key, deleting)?;
        Ok(SmtAccess { proof, account, sibling })
    }

    /// Every non-empty account with its code and non-zero storage, if the base can be
    /// listed: the world after a run, to compare with a post-state.
    pub fn all_accounts(&self) -> Option<BTreeMap<Address, Account>> {
        let (mut addresses, base_slots) = self.base.list()?;
        addresses.extend(self.accounts.keys().copied());
        addresses.extend(self.storage.keys().map(|(a, _)| *a));
        addresses.sort();
        addresses.dedup();
        let mut slots: BTreeMap<Address, BTreeMap<U256, U256>> = BTreeMap::new();
        for ((a, s), v) in base_slots.into_iter().chain(self.storage.iter().map(|(k, v)| (*k, *v))) {
            slots.entry(a).or_default().insert(s, v);
        }
        let mut out = BTreeMap::new();
        for a in addresses {
            let rec = self.account(&a).ok()?;
            let mut storage = slots.remove(&a).unwrap_or_default();
            storage.retain(|_, v| !v.is_zero());
            let code = match rec {
                Some(r) => self.code(&r.code_hash).ok()?.unwrap_or_default(),
                None => Bytes::new(),
            };
            let acc = Account { nonce: rec.map_or(0, |r| r.nonce), balance: rec.map_or(U256::ZERO, |r| r.balance), code, storage };
            if !acc.is_empty() || !acc.storage.is_empty() {
                out.insert(a, acc);
            }
        }
        Some(out)
    }
}

/// A finished block's world is the base of the next.
impl NodeStore for FullWorld {
    fn node(&self, hash: &B256) -> Result<Option<Node>, SmtError> {
        self.smt.refresh().map_err(|_| SmtError::Store("refreshing the tree".into()))?;
        let c = self.smt.cache.borrow();
        Layered { top: &c.nodes, base: self.smt.base.as_ref() }.node(hash)
    }
}

impl WorldBase for FullWorld {
    fn root(&self) -> B256 {
        self.smt.root().unwrap_or_default()
    }
    fn account(&self, a: &Address) -> Result<Option<AccountRecord>, StepError> {
        FullWorld::account(self, a)
    }
    fn storage(&self, a: &Address, slot: &U256) -> Result<U256, StepError> {
        FullWorld::storage(self, a, slot)
    }
    fn code(&self, hash: &B256) -> Result<Option<Bytes>, StepError> {
        FullWorld::code(self, hash)
    }
    fn list(&self) -> Option<Listing> {
        let all = self.all_accounts()?;
        let slots = all.iter().flat_map(|(a, acc)| acc.storage.iter().map(|(s, v)| ((*a, *s), *v))).collect();
        Some((all.keys().copied().collect(), slots))
    }
}

impl World {
    /// The full world, if this is one.
    pub fn full(&self) -> Option<&FullWorld> {
        match self {
            World::Full(f) => Some(f),
            World::Proven(_) => None,
        }
    }

    /// The root.
    pub fn root(&self) -> Result<B256, StepError> {
        match self {
            World::Full(f) => f.root(),
            World::Proven(r) => Ok(*r),
        }
    }
}
