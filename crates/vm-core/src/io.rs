//! How a step reads and writes what is not open in the machine state (docs/fault-vm.md,
//! "Witness"): word trees by range, the world and substate trees by key, code and
//! preimages by hash. The same calls serve the prover (a full state, optionally recording
//! each access with its proof) and the verifier (a witness, whose recorded accesses are
//! checked and consumed in the same order), so the two cannot disagree on what a step
//! opens. The [`Io`] also carries the machine's [`Meter`] (what the step's hashes and
//! precompile calls cost on L1) and the generation of the step being taken.

use crate::{
    error::StepError,
    machine::{Access, Io, IoMode, Substate, Tree},
    meter::Meter,
    words::{range_root, words_of, RangeProof, WordTree},
    world::{apply_access, verify_access, World},
};
use alloy_primitives::{Address, Bytes, B256, U256};
use faultline_state::{smt, AccountRecord};
use std::rc::Rc;

fn missing(what: &str) -> StepError {
    StepError::Missing(what.to_string())
}

impl Io {
    /// Whether accesses are being recorded (a full state building a witness).
    pub fn recording(&self) -> bool {
        matches!(self.mode, IoMode::Full { recording: Some(_) })
    }

    fn record(&mut self, a: impl FnOnce(&mut Meter) -> Result<Access, StepError>) -> Result<(), StepError> {
        if let IoMode::Full { recording: Some(v) } = &mut self.mode {
            v.push(a(&mut self.meter)?);
        }
        Ok(())
    }

    fn next(&mut self, what: &str) -> Result<Access, StepError> {
        match &mut self.mode {
            IoMode::Witness(q) => q.pop_front().ok_or_else(|| missing(what)),
            _ => Err(StepError::Inconsistent("a full state has no witness accesses")),
        }
    }

    /// Whether this is a witness.
    pub fn is_witness(&self) -> bool {
        matches!(self.mode, IoMode::Witness(_))
    }

    /// Whether `t` was made in the step being taken: the witness builds it too, so
    /// opening it is no witness access.
    fn made_in_this_step(&self, t: &WordTree) -> bool {
        t.born() == self.generation
    }

    /// A word tree over `bytes` that the step being taken builds (a precompile's output,
    /// loaded code, a buffer it fills): opening it in this step opens nothing in the
    /// witness, which builds it too; later steps open it with range proofs. A tree the
    /// step builds or fills must be made here; an empty one it only holds (a new frame's
    /// memory, an empty view, a tree later steps fill) may be a default one.
    pub fn new_tree(&self, bytes: &[u8]) -> Tree {
        Tree::Full(Rc::new(WordTree::from_bytes(bytes).made_in(self.generation)))
    }

    /// [`Io::new_tree`] over these words.
    pub fn new_tree_of_words(&self, words: &[B256]) -> Tree {
        Tree::Full(Rc::new(WordTree::from_words(words).made_in(self.generation)))
    }

    /// Words `first .. first + count` of `tree`, opened with a range proof in a witness.
    pub fn words(&mut self, tree: &Tree, first: u64, count: u64) -> Result<Vec<B256>, StepError> {
        match tree {
            Tree::Full(t) => {
                let words: Vec<B256> = (first..first + count).map(|i| t.word(i)).collect();
                if !self.made_in_this_step(t) {
                    self.record(|m| Ok(Access::Range { first, words: words.clone(), proof: t.prove_range(first, count, m) }))?;
                }
                Ok(words)
            }
            Tree::Proven(root) => Ok(self.opened_range(*root, first, count, "a range of words", "a range proof of the words the step reads")?.0),
        }
    }

    /// The witness's next access as words `first .. first + count` proven against `root`
    /// (`what`: the access expected; `range`: the range it must cover), with its proof.
    fn opened_range(&mut self, root: B256, first: u64, count: u64, what: &str, range: &str) -> Result<(Vec<B256>, RangeProof), StepError> {
        let Access::Range { first: f, words, proof } = self.next(what)? else {
            return Err(missing("a range proof"));
        };
        if f != first || words.len() as u64 != count {
            return Err(missing(range));
        }
        let r = range_root(first, &words, &proof, &mut self.meter).map_err(|e| StepError::Missing(format!("a valid range proof ({e})")))?;
        if r != root {
            return Err(missing("a range proof matching the tree"));
        }
        Ok((words, proof))
    }

    /// Bytes `[at, at + n)` of `tree` (zero past its end); nothing is opened for `n = 0`.
    pub fn read(&mut self, tree: &Tree, at: u64, n: usize) -> Result<Vec<u8>, StepError> {
        if n == 0 {
            return Ok(Vec::new());
        }
        let first = at / 32;
        let last = at.checked_add(n as u64 - 1).ok_or(StepError::Inconsistent("a read past any tree"))? / 32;
        let words = self.words(tree, first, last - first + 1)?;
        let bytes: Vec<u8> = words.iter().flat_map(|w| w.0).collect();
        let skip = (at - first * 32) as usize;
        Ok(bytes[skip..skip + n].to_vec())
    }

    /// Writes `data` at byte `at` of `tree`.
    pub fn write(&mut self, tree: &mut Tree, at: u64, data: &[u8]) -> Result<(), StepError> {
        if data.is_empty() {
            return Ok(());
        }
        let first = at / 32;
        let last = at.checked_add(data.len() as u64 - 1).ok_or(StepError::Inconsistent("a write past any tree"))? / 32;
        let count = last - first + 1;
        match tree {
            Tree::Full(t) => {
                if !self.made_in_this_step(t) {
                    self.record(|m| {
                        let words = (first..=last).map(|i| t.word(i)).collect();
                        Ok(Access::Range { first, words, proof: t.prove_range(first, count, m) })
                    })?;
                }
                Rc::make_mut(t).write(at, data);
                Ok(())
            }
            Tree::Proven(root) => {
                let (words, proof) = self.opened_range(*root, first, count, "a range of words to write", "a range proof of the words the step writes")?;
                let mut bytes: Vec<u8> = words.iter().flat_map(|w| w.0).collect();
                let skip = (at - first * 32) as usize;
                bytes[skip..skip + data.len()].copy_from_slice(data);
                let new = range_root(first, &words_of(&bytes), &proof, &mut self.meter).map_err(|_| missing("a valid range proof"))?;
                *tree = Tree::Proven(new);
                Ok(())
            }
        }
    }

    /// Code bytes with keccak256 `hash` and length `len`: from the prover's store, or
    /// carried by the witness and checked.
    pub fn code(&mut self, hash: B256, len: u64, full: impl FnOnce() -> Result<Option<Bytes>, StepError>) -> Result<Bytes, StepError> {
        if len == 0 {
            return Ok(Bytes::new());
        }
        if self.is_witness() {
            let Access::Code(code) = self.next("code")? else { return Err(missing("code bytes")) };
            if code.len() as u64 != len || self.meter.keccak(&code) != hash {
                return Err(missing("code matching its hash"));
            }
            return Ok(code);
        }
        let code = full()?.ok_or(StepError::Inconsistent("code missing from the prover's store"))?;
        self.record(|_| Ok(Access::Code(code.clone())))?;
        Ok(code)
    }

    /// The preimage of `word` (keccak256 of it): from the prover, or carried by the
    /// witness and checked.
    pub fn preimage(&mut self, word: B256, full: impl FnOnce() -> Vec<u8>) -> Result<Vec<u8>, StepError> {
        if self.is_witness() {
            let Access::Preimage(p) = self.next("a preimage")? else { return Err(missing("a preimage")) };
            if self.meter.keccak(&p) != word {
                return Err(missing("a preimage matching its hash"));
            }
            return Ok(p);
        }
        let p = full();
        self.record(|_| Ok(Access::Preimage(p.clone())))?;
        Ok(p)
    }

    /// The value of a blob's field element at point `z`, opened by point evaluation
    /// against the blob's versioned hash: from the prover (`full` gives the commitment,
    /// value and proof), or carried by the witness and checked with the precompile
    /// (0x0a) the L1 verifier calls.
    pub fn blob_element(
        &mut self,
        versioned_hash: B256,
        z: B256,
        full: impl FnOnce() -> Option<(alloy_primitives::FixedBytes<48>, B256, alloy_primitives::FixedBytes<48>)>,
    ) -> Result<B256, StepError> {
        let (commitment, y, proof) = if self.is_witness() {
            let Access::Blob { commitment, y, proof } = self.next("a blob element opening")? else { return Err(missing("a blob element opening")) };
            (commitment, y, proof)
        } else {
            let (c, y, p) = full().ok_or(StepError::Inconsistent("the prover lacks the blob"))?;
            self.record(|_| Ok(Access::Blob { commitment: c, y, proof: p }))?;
            (c, y, p)
        };
        let mut input = Vec::with_capacity(192);
        for part in [versioned_hash.as_slice(), z.as_slice(), y.as_slice(), commitment.as_slice(), proof.as_slice()] {
            input.extend_from_slice(part);
        }
        self.meter.precompile(crate::gas::POINT_EVALUATION);
        let p = revm::precompile::Precompiles::cancun().get(&Address::with_last_byte(0x0a)).ok_or(StepError::Inconsistent("no point-evaluation precompile"))?;
        match p.execute(&input, crate::gas::POINT_EVALUATION, 0) {
            Ok(out) if out.status.is_success() => Ok(y),
            _ => Err(missing("a blob element opening that the point evaluation accepts")),
        }
    }

    fn smt_next(&mut self) -> Result<crate::world::SmtAccess, StepError> {
        match self.next("a tree proof")? {
            Access::Smt(a) => Ok(*a),
            _ => Err(missing("a tree proof")),
        }
    }

    // ---- the world ------------------------------------------------------------------

    /// An account (`None`: absent, i.e. empty).
    pub fn account(&mut self, world: &World, a: &Address) -> Result<Option<AccountRecord>, StepError> {
        let key = account_key(a, &mut self.meter);
        match world {
            World::Full(w) => {
                let r = w.account(a)?;
                self.record(|_| w.access(&key, r, false).map(|a| Access::Smt(Box::new(a))))?;
                Ok(r)
            }
            World::Proven(root) => {
                let acc = self.smt_next()?;
                let proven = verify_access(*root, &key, &acc, &mut self.meter)?;
                match (proven, acc.account) {
                    (None, None) => Ok(None),
                    (Some(h), Some(r)) if r.value_hash() == h => Ok(Some(r)),
                    _ => Err(missing("the account matching its leaf")),
                }
            }
        }
    }

    /// Writes an account (`None` or an empty one removes the leaf).
    pub fn put_account(&mut self, world: &mut World, a: &Address, r: Option<AccountRecord>) -> Result<(), StepError> {
        let r = r.filter(|r| !(r.nonce == 0 && r.balance.is_zero() && r.code_size == 0));
        let key = account_key(a, &mut self.meter);
        match world {
            World::Full(w) => {
                self.record(|_| w.access(&key, None, r.is_none()).map(|a| Access::Smt(Box::new(a))))?;
                w.set_account(*a, r);
                Ok(())
            }
            World::Proven(root) => {
                let acc = self.smt_next()?;
                *root = apply_access(*root, &key, r.map(|r| r.value_hash()), &acc, &mut self.meter)?;
                Ok(())
            }
        }
    }

    /// A slot's value.
    pub fn storage(&mut self, world: &World, a: &Address, s: &U256) -> Result<U256, StepError> {
        let key = storage_key(a, s, &mut self.meter);
        match world {
            World::Full(w) => {
                let v = w.storage(a, s)?;
                self.record(|_| w.access(&key, None, false).map(|a| Access::Smt(Box::new(a))))?;
                Ok(v)
            }
            World::Proven(root) => {
                let acc = self.smt_next()?;
                no_record(&acc)?;
                Ok(verify_access(*root, &key, &acc, &mut self.meter)?.map(|h| U256::from_be_bytes(h.0)).unwrap_or_default())
            }
        }
    }

    /// Writes a slot (zero removes the leaf).
    pub fn put_storage(&mut self, world: &mut World, a: &Address, s: &U256, v: U256) -> Result<(), StepError> {
        let key = storage_key(a, s, &mut self.meter);
        let value = (!v.is_zero()).then(|| B256::from(v));
        match world {
            World::Full(w) => {
                self.record(|_| w.access(&key, None, value.is_none()).map(|a| Access::Smt(Box::new(a))))?;
                w.set_storage(*a, *s, v);
                Ok(())
            }
            World::Proven(root) => {
                let acc = self.smt_next()?;
                *root = apply_access(*root, &key, value, &acc, &mut self.meter)?;
                Ok(())
            }
        }
    }

    // ---- the substate ---------------------------------------------------------------

    /// The substate word under `key` (zero when absent).
    pub fn sub(&mut self, sub: &Substate, key: &B256) -> Result<B256, StepError> {
        match sub {
            Substate::Full(s) => {
                let v = s.changed(key).flatten();
                self.record(|_| {
                    let (proof, _) = s.prove(key, false)?;
                    Ok(Access::Smt(Box::new(crate::world::SmtAccess { proof, account: None, sibling: None })))
                })?;
                Ok(v.unwrap_or_default())
            }
            Substate::Proven(root) => {
                let acc = self.smt_next()?;
                no_record(&acc)?;
                Ok(verify_access(*root, key, &acc, &mut self.meter)?.unwrap_or_default())
            }
        }
    }

    /// Sets the substate word under `key` (zero removes it).
    pub fn set_sub(&mut self, sub: &mut Substate, key: &B256, v: B256) -> Result<(), StepError> {
        let value = (v != B256::ZERO).then_some(v);
        match sub {
            Substate::Full(s) => {
                self.record(|_| {
                    let (proof, sibling) = s.prove(key, value.is_none())?;
                    Ok(Access::Smt(Box::new(crate::world::SmtAccess { proof, account: None, sibling })))
                })?;
                s.set(*key, value);
                Ok(())
            }
            Substate::Proven(root) => {
                let acc = self.smt_next()?;
                *root = apply_access(*root, key, value, &acc, &mut self.meter)?;
                Ok(())
            }
        }
    }
}

/// A read of a slot or a substate word carries no account record.
fn no_record(acc: &crate::world::SmtAccess) -> Result<(), StepError> {
    match acc.account {
        Some(_) => Err(StepError::Unused("an account record on a read that is not of an account".into())),
        None => Ok(()),
    }
}

/// `keccak256(0x01 ‖ address)`, counted by `m`.
pub fn account_key(a: &Address, m: &mut Meter) -> B256 {
    m.hashed(21);
    smt::account_key(a)
}

/// `keccak256(0x02 ‖ address ‖ slot)`, counted by `m`.
pub fn storage_key(a: &Address, s: &U256, m: &mut Meter) -> B256 {
    m.hashed(53);
    smt::storage_key(a, &B256::from(*s))
}

/// A substate key: `keccak256(tag ‖ address [‖ slot])` (docs/fault-vm.md, "Substate"),
/// counted by `m`.
pub fn sub_key(tag: u8, a: &Address, s: Option<&U256>, m: &mut Meter) -> B256 {
    let mut buf = Vec::with_capacity(53);
    buf.push(tag);
    buf.extend_from_slice(a.as_slice());
    if let Some(s) = s {
        buf.extend_from_slice(&s.to_be_bytes::<32>());
    }
    m.keccak(&buf)
}

/// Substate key tags.
pub mod tags {
    /// A warm address.
    pub const WARM_ADDRESS: u8 = 0x03;
    /// A warm slot.
    pub const WARM_SLOT: u8 = 0x04;
    /// A slot's value at the start of the transaction (recorded when it is first warmed).
    pub const ORIGINAL: u8 = 0x05;
    /// A transient slot.
    pub const TRANSIENT: u8 = 0x06;
    /// An account created in this transaction.
    pub const CREATED: u8 = 0x07;
    /// An account destroyed in this transaction (EIP-6780).
    pub const DESTRUCTED: u8 = 0x08;
}

/// The word a set flag is stored as.
pub const ONE: B256 = B256::with_last_byte(1);
