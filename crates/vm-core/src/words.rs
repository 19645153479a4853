//! Byte buffers as binary Merkle trees of 32-byte words (docs/fault-vm.md, "Word
//! trees"): frame memory, call data, return data, code and its jump-destination bitmap,
//! the block's recent hashes and its inputs. A step opens a contiguous range of words with
//! one range proof instead of carrying the buffer.
//!
//! The tree has a fixed depth of [`DEPTH`] levels (2^32 words): leaves are the words
//! themselves, `node = keccak256(left ‖ right)`, and a subtree holding only zero words
//! hashes to [`zero_hash`] of its height, so a buffer of n words costs about log2(n)
//! hashes per opened range whatever the depth. A range proof lists, level by level, the
//! siblings the range's boundary needs; a sibling that is an all-zero subtree is left out
//! (one flag byte), which is what keeps proofs short.

use crate::meter::Meter;
use alloy_primitives::{keccak256, B256};
use std::{cell::RefCell, sync::OnceLock};

/// Levels of the tree: 2^32 words (128 GiB) is beyond any buffer the EVM can build.
pub const DEPTH: usize = 32;

/// The hash of an all-zero subtree of height `h` (`h` = 0: a zero word).
pub fn zero_hash(h: usize) -> B256 {
    static ZEROS: OnceLock<[B256; DEPTH + 1]> = OnceLock::new();
    ZEROS.get_or_init(|| {
        let mut z = [B256::ZERO; DEPTH + 1];
        for i in 1..=DEPTH {
            z[i] = node(&z[i - 1], &z[i - 1]);
        }
        z
    })[h]
}

/// `keccak256(left ‖ right)` (not counted: [`metered_node`] is).
pub fn node(l: &B256, r: &B256) -> B256 {
    let mut buf = [0u8; 64];
    buf[..32].copy_from_slice(l.as_slice());
    buf[32..].copy_from_slice(r.as_slice());
    keccak256(buf)
}

/// [`node`], counted by `m`.
pub fn metered_node(l: &B256, r: &B256, m: &mut Meter) -> B256 {
    m.hashed(64);
    node(l, r)
}

/// The root of the empty buffer.
pub fn empty_root() -> B256 {
    zero_hash(DEPTH)
}

/// The siblings that open words `first .. first + count` (count ≥ 1): for each level from
/// the leaves up, the left neighbour of the range if its first node is a right child, then
/// the right neighbour if its last node is a left child. `None` is an all-zero subtree.
#[derive(Clone, Debug, Default, PartialEq, Eq)]
pub struct RangeProof {
    /// Siblings in the order [`range_root`] consumes them.
    pub siblings: Vec<Option<B256>>,
}

/// The height of each sibling a proof of words `first .. first + count` lists, in the
/// order [`range_root`] consumes them (empty for a range outside the tree): a decoder
/// reads exactly these, and a sibling flagged present must not be the zero subtree of its
/// height (`docs/fault-vm.md`, "Witness wire format").
pub fn sibling_heights(first: u64, count: u64) -> Vec<usize> {
    let mut out = Vec::new();
    let Some(end) = first.checked_add(count) else { return out };
    if count == 0 || end > 1u64 << DEPTH {
        return out;
    }
    let (mut lo, mut hi) = (first, end - 1);
    for h in 0..DEPTH {
        if lo % 2 == 1 {
            out.push(h);
        }
        if hi.is_multiple_of(2) {
            out.push(h);
        }
        lo /= 2;
        hi /= 2;
    }
    out
}

/// Why a range proof does not open a range.
#[derive(Debug, Clone, PartialEq, Eq, thiserror::Error)]
pub enum RangeError {
    /// The range is empty or runs past the tree.
    #[error("range of {count} words at {first} is outside the tree")]
    OutOfTree {
        /// First word.
        first: u64,
        /// Words.
        count: usize,
    },
    /// Fewer or more siblings than the range's boundary needs.
    #[error("range proof has the wrong number of siblings")]
    SiblingCount,
}

/// The root of a tree whose words `first ..` are `words`, given the siblings of the
/// range's boundary. The same siblings give the root before and after a write to the
/// range, which is how a step both checks and updates a buffer. `m` counts the nodes.
pub fn range_root(first: u64, words: &[B256], proof: &RangeProof, m: &mut Meter) -> Result<B256, RangeError> {
    let count = words.len();
    let end = first.checked_add(count as u64);
    if count == 0 || end.is_none_or(|e| e > 1u64 << DEPTH) {
        return Err(RangeError::OutOfTree { first, count });
    }
    let mut level: Vec<B256> = words.to_vec();
    let mut lo = first;
    let mut sib = proof.siblings.iter();
    let mut take = |h: usize| -> Result<B256, RangeError> {
        match sib.next() {
            Some(Some(s)) => Ok(*s),
            Some(None) => Ok(zero_hash(h)),
            None => Err(RangeError::SiblingCount),
        }
    };
    for h in 0..DEPTH {
        let hi = lo + level.len() as u64 - 1;
        if lo % 2 == 1 {
            level.insert(0, take(h)?);
        }
        if hi.is_multiple_of(2) {
            level.push(take(h)?);
        }
        level = level.chunks(2).map(|c| metered_node(&c[0], &c[1], m)).collect();
        lo /= 2;
    }
    if sib.next().is_some() {
        return Err(RangeError::SiblingCount);
    }
    Ok(level[0])
}

/// The words of `bytes` (zero padded to a multiple of 32).
pub fn words_of(bytes: &[u8]) -> Vec<B256> {
    bytes
        .chunks(32)
        .map(|c| {
            let mut w = [0u8; 32];
            w[..c.len()].copy_from_slice(c);
            B256::from(w)
        })
        .collect()
}

/// A whole buffer with its tree (the prover's side). Internal hashes are computed on
/// demand and kept until a write dirties them, so writing costs nothing until a root or a
/// proof is asked for.
#[derive(Debug)]
pub struct WordTree {
    /// The bytes, a multiple of 32 long.
    bytes: Vec<u8>,
    /// The generation of the step that made the tree ([`crate::machine::Io::generation`];
    /// 0: made outside any step): a tree made during the step being recorded exists in
    /// the witness too (the step builds it), so its reads are not witness accesses.
    born: u64,
    /// `levels[h - 1][i]`: hash of the height-`h` node `i`, for heights up to the one
    /// whose single node covers every word; `None` until computed.
    cache: RefCell<Option<Levels>>,
}

#[derive(Debug, Clone, Default)]
struct Levels {
    levels: Vec<Vec<B256>>,
    dirty: Vec<usize>,
    /// The root, while no write has dirtied it.
    root: Option<B256>,
}

impl Default for WordTree {
    fn default() -> Self {
        Self { bytes: Vec::new(), born: 0, cache: RefCell::new(None) }
    }
}

impl Clone for WordTree {
    fn clone(&self) -> Self {
        Self { bytes: self.bytes.clone(), born: self.born, cache: RefCell::new(self.cache.borrow().clone()) }
    }
}

impl PartialEq for WordTree {
    fn eq(&self, other: &Self) -> bool {
        self.bytes == other.bytes
    }
}
impl Eq for WordTree {}

impl WordTree {
    /// A tree over `bytes` (zero padded to a multiple of 32).
    pub fn from_bytes(bytes: &[u8]) -> Self {
        let mut b = bytes.to_vec();
        b.resize(bytes.len().div_ceil(32) * 32, 0);
        Self { bytes: b, born: 0, cache: RefCell::new(None) }
    }

    /// A tree over these words.
    pub fn from_words(words: &[B256]) -> Self {
        Self { bytes: words.iter().flat_map(|w| w.0).collect(), born: 0, cache: RefCell::new(None) }
    }

    /// The same tree, made by the step of generation `generation`
    /// ([`crate::machine::Io::new_tree`]).
    pub fn made_in(mut self, generation: u64) -> Self {
        self.born = generation;
        self
    }

    /// The generation of the step that made the tree (0: outside any step).
    pub fn born(&self) -> u64 {
        self.born
    }

    /// The bytes held (words past them are zero).
    pub fn bytes(&self) -> &[u8] {
        &self.bytes
    }

    /// Number of words held.
    pub fn len_words(&self) -> u64 {
        self.bytes.len() as u64 / 32
    }

    /// Word `i` (zero past the end).
    pub fn word(&self, i: u64) -> B256 {
        let at = i as usize * 32;
        self.bytes.get(at..at + 32).map(B256::from_slice).unwrap_or_default()
    }

    /// Bytes `[at, at + n)`, zero past the end.
    pub fn read(&self, at: u64, n: usize) -> Vec<u8> {
        let mut out = vec![0u8; n];
        let at = at as usize;
        if at < self.bytes.len() {
            let k = n.min(self.bytes.len() - at);
            out[..k].copy_from_slice(&self.bytes[at..at + k]);
        }
        out
    }

    /// Writes `data` at byte `at`, growing the buffer (with zeros) as needed.
    pub fn write(&mut self, at: u64, data: &[u8]) {
        if data.is_empty() {
            return;
        }
        let at = at as usize;
        let end = at + data.len();
        let old_words = self.bytes.len() / 32;
        if end > self.bytes.len() {
            self.bytes.resize(end.div_ceil(32) * 32, 0);
        }
        self.bytes[at..end].copy_from_slice(data);
        let cache = self.cache.get_mut();
        if self.bytes.len() / 32 != old_words {
            *cache = None;
        } else if let Some(c) = cache.as_mut() {
            c.dirty.extend(at / 32..end.div_ceil(32));
            c.root = None;
        }
    }

    /// Height of the lowest node covering every word.
    fn top_height(words: usize) -> usize {
        words.max(1).next_power_of_two().trailing_zeros() as usize
    }

    fn leaf(&self, i: usize) -> B256 {
        self.bytes.get(i * 32..i * 32 + 32).map(B256::from_slice).unwrap_or_default()
    }

    /// Brings the cached hashes up to date (`m` counts the nodes hashed).
    fn refresh(&self, m: &mut Meter) {
        let mut cache = self.cache.borrow_mut();
        let words = self.bytes.len() / 32;
        let top = Self::top_height(words);
        match cache.as_mut() {
            Some(c) if c.dirty.is_empty() => {}
            Some(c) => {
                let mut dirty: Vec<usize> = c.dirty.drain(..).collect();
                dirty.sort_unstable();
                dirty.dedup();
                for h in 1..=top {
                    for d in dirty.iter_mut() {
                        *d /= 2;
                    }
                    dirty.dedup();
                    let (below, this) = c.levels.split_at_mut(h - 1);
                    let level = &mut this[0];
                    for &i in &dirty {
                        let (l, r) = if h == 1 {
                            (self.leaf(2 * i), self.leaf(2 * i + 1))
                        } else {
                            let b = &below[h - 2];
                            (b[2 * i], b[2 * i + 1])
                        };
                        level[i] = metered_node(&l, &r, m);
                    }
                }
            }
            None => {
                let cap = 1usize << top;
                let mut levels = Vec::with_capacity(top);
                let mut prev: Vec<B256> = (0..cap).map(|i| self.leaf(i)).collect();
                for _ in 1..=top {
                    let next: Vec<B256> = prev.chunks(2).map(|c| metered_node(&c[0], &c[1], m)).collect();
                    levels.push(next.clone());
                    prev = next;
                }
                *cache = Some(Levels { levels, dirty: Vec::new(), root: None });
            }
        }
    }

    /// The hash of the height-`h` node `i` (zero subtrees above the stored part).
    fn hash_at(&self, h: usize, i: u64, m: &mut Meter) -> B256 {
        let top = Self::top_height(self.bytes.len() / 32);
        if h > top {
            // Above the stored levels: node 0 covers every word, the others none.
            if i != 0 {
                return zero_hash(h);
            }
            let mut r = self.hash_at(top, 0, m);
            for l in top..h {
                r = metered_node(&r, &zero_hash(l), m);
            }
            return r;
        }
        if h == 0 {
            return self.word(i);
        }
        let cache = self.cache.borrow();
        let levels = &cache.as_ref().expect("refreshed").levels;
        match levels.get(h - 1).and_then(|l| l.get(i as usize)) {
            Some(x) => *x,
            None => zero_hash(h),
        }
    }

    /// The root (kept until a write; `m` counts what computing it hashes).
    pub fn root(&self, m: &mut Meter) -> B256 {
        self.refresh(m);
        if let Some(r) = self.cache.borrow().as_ref().and_then(|c| c.root) {
            return r;
        }
        let r = self.hash_at(DEPTH, 0, m);
        if let Some(c) = self.cache.borrow_mut().as_mut() {
            c.root = Some(r);
        }
        r
    }

    /// The proof opening words `first .. first + count` (count ≥ 1; `m` counts what
    /// computing it hashes).
    pub fn prove_range(&self, first: u64, count: u64, m: &mut Meter) -> RangeProof {
        self.refresh(m);
        let mut siblings = Vec::new();
        let (mut lo, mut hi) = (first, first + count - 1);
        for h in 0..DEPTH {
            let mut push = |i: u64| {
                let s = self.hash_at(h, i, m);
                siblings.push((s != zero_hash(h)).then_some(s));
            };
            if lo % 2 == 1 {
                push(lo - 1);
            }
            if hi % 2 == 0 {
                push(hi + 1);
            }
            lo /= 2;
            hi /= 2;
        }
        RangeProof { siblings }
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    fn sample(n: usize, seed: u8) -> Vec<u8> {
        (0..n).map(|i| (i as u8).wrapping_mul(37).wrapping_add(seed)).collect()
    }

    #[test]
    fn empty_and_zero_buffers_have_the_empty_root() {
        assert_eq!(WordTree::default().root(&mut Meter::default()), empty_root());
        assert_eq!(WordTree::from_bytes(&[0u8; 100]).root(&mut Meter::default()), empty_root());
        assert_ne!(WordTree::from_bytes(&[1]).root(&mut Meter::default()), empty_root());
    }

    #[test]
    fn every_range_opens_and_updates_to_the_rebuilt_root() {
        for n in [1usize, 2, 3, 5, 8, 13, 33] {
            let bytes = sample(n * 32, n as u8);
            let tree = WordTree::from_bytes(&bytes);
            let root = tree.root(&mut Meter::default());
            let words = words_of(&bytes);
            for first in 0..n as u64 + 2 {
                for count in 1..=(n as u64 + 3 - first).min(6) {
                    let proof = tree.prove_range(first, count, &mut Meter::default());
                    let opened: Vec<B256> = (first..first + count).map(|i| tree.word(i)).collect();
                    assert_eq!(range_root(first, &opened, &proof, &mut Meter::default()).unwrap(), root, "n={n} first={first} count={count}");
                    // A write through the same siblings gives the root of the rebuilt tree.
                    let new: Vec<B256> = opened.iter().map(keccak256).collect();
                    let mut after = words.clone();
                    after.resize(after.len().max((first + count) as usize), B256::ZERO);
                    after[first as usize..(first + count) as usize].copy_from_slice(&new);
                    assert_eq!(range_root(first, &new, &proof, &mut Meter::default()).unwrap(), WordTree::from_words(&after).root(&mut Meter::default()));
                    // A wrong word does not open.
                    let mut bad = opened.clone();
                    bad[0] = B256::repeat_byte(9);
                    assert_ne!(range_root(first, &bad, &proof, &mut Meter::default()).unwrap(), root);
                }
            }
        }
    }

    #[test]
    fn incremental_writes_match_a_rebuild() {
        let mut t = WordTree::from_bytes(&sample(200, 1));
        let _ = t.root(&mut Meter::default());
        for (at, len) in [(0u64, 1usize), (31, 2), (64, 64), (199, 1), (150, 100), (1000, 3)] {
            t.write(at, &sample(len, at as u8));
            assert_eq!(t.root(&mut Meter::default()), WordTree::from_bytes(t.bytes()).root(&mut Meter::default()), "after a write at {at}");
        }
    }

    #[test]
    fn proofs_of_small_buffers_are_short() {
        // 4 MB of memory (2^17 words): 17 levels of real siblings, 15 zero flags.
        let t = WordTree::from_bytes(&sample(1 << 22, 3));
        let p = t.prove_range(12345, 1, &mut Meter::default());
        assert_eq!(p.siblings.len(), DEPTH);
        assert_eq!(p.siblings.iter().filter(|s| s.is_some()).count(), 17);
        let p = t.prove_range(100, 32, &mut Meter::default());
        let bytes: usize = p.siblings.iter().map(|s| 1 + if s.is_some() { 32 } else { 0 }).sum();
        assert!(bytes < 40 * 33, "{bytes}");
        assert_eq!(sibling_heights(100, 32).len(), p.siblings.len());
    }

    #[test]
    fn malformed_proofs_are_errors() {
        let t = WordTree::from_bytes(&sample(96, 2));
        let mut p = t.prove_range(1, 1, &mut Meter::default());
        assert_eq!(range_root(1, &[], &p, &mut Meter::default()), Err(RangeError::OutOfTree { first: 1, count: 0 }));
        p.siblings.pop();
        assert_eq!(range_root(1, &[t.word(1)], &p, &mut Meter::default()), Err(RangeError::SiblingCount));
        let mut p = t.prove_range(1, 1, &mut Meter::default());
        p.siblings.push(None);
        assert_eq!(range_root(1, &[t.word(1)], &p, &mut Meter::default()), Err(RangeError::SiblingCount));
        assert!(range_root(u64::MAX, &[B256::ZERO], &p, &mut Meter::default()).is_err());
    }
}
