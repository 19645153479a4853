//! Compressed SMT proofs and their verification (`docs/state.md`, "Proofs").

use super::{bit, internal_hash, leaf_hash, Node, EMPTY_ROOT};
use alloy_primitives::{B256, U256};
use serde::{Deserialize, Serialize};

/// A proof of inclusion or exclusion of one key. Field meanings are those of
/// `docs/state.md`; the Solidity `SmtVerifier` takes the same tuple.
#[derive(Clone, Debug, Default, PartialEq, Eq, Serialize, Deserialize)]
#[serde(rename_all = "camelCase")]
pub struct Proof {
    /// Depth of the terminal node.
    pub depth: u16,
    /// Bit `i` (from the most significant) set when the sibling at level `i` is non-empty.
    pub bitmap: U256,
    /// Non-empty siblings, root side first.
    pub siblings: Vec<B256>,
    /// The terminal leaf's key, zero when the terminal is empty.
    pub leaf_key: B256,
    /// The terminal leaf's value hash, zero when the terminal is empty.
    pub leaf_value_hash: B256,
}

/// Why a proof does not verify.
#[derive(Debug, PartialEq, Eq, thiserror::Error)]
pub enum ProofError {
    /// Depth above 256.
    #[error("proof depth {0} exceeds 256")]
    Depth(u16),
    /// The bitmap sets a bit at or below the terminal's depth.
    #[error("bitmap marks a sibling below the terminal")]
    Bitmap,
    /// The number of siblings differs from the bitmap's population count.
    #[error("proof has {got} siblings, bitmap says {want}")]
    SiblingCount {
        /// Siblings given.
        got: usize,
        /// Bits set in the bitmap.
        want: usize,
    },
    /// A terminal leaf that is not on the key's path.
    #[error("terminal leaf is not on the key's path")]
    OffPath,
    /// A delete needs the preimage of the deepest sibling on the path, to know whether a
    /// leaf moves up; none was given.
    #[error("a delete at depth {0} needs the deepest sibling's node")]
    MissingSibling(u16),
    /// The sibling node given does not hash to the proof's deepest sibling.
    #[error("sibling node does not match the proof")]
    SiblingMismatch,
    /// The recomputed root differs.
    #[error("proof root {computed} does not match {expected}")]
    RootMismatch {
        /// Root the proof hashes to.
        computed: B256,
        /// Root it was checked against.
        expected: B256,
    },
}

impl Proof {
    /// Whether the terminal is the empty node.
    pub fn terminal_is_empty(&self) -> bool {
        self.leaf_key == B256::ZERO && self.leaf_value_hash == B256::ZERO
    }

    /// The root this proof hashes to for `key`, after the structural checks.
    pub fn compute_root(&self, key: &B256) -> Result<B256, ProofError> {
        let depth = self.depth as usize;
        if depth > 256 {
            return Err(ProofError::Depth(self.depth));
        }
        if depth < 256 && (self.bitmap << depth) != U256::ZERO {
            return Err(ProofError::Bitmap);
        }
        let want = self.bitmap.count_ones();
        if want != self.siblings.len() {
            return Err(ProofError::SiblingCount { got: self.siblings.len(), want });
        }
        let mut h = if self.terminal_is_empty() {
            EMPTY_ROOT
        } else {
            if (0..depth).any(|i| bit(&self.leaf_key, i) != bit(key, i)) {
                return Err(ProofError::OffPath);
            }
            leaf_hash(&self.leaf_key, &self.leaf_value_hash)
        };
        let mut next = self.siblings.len();
        for i in (0..depth).rev() {
            let s = if self.bitmap.bit(255 - i) {
                next -= 1;
                self.siblings[next]
            } else {
                EMPTY_ROOT
            };
            h = if bit(key, i) { internal_hash(&s, &h) } else { internal_hash(&h, &s) };
        }
        Ok(h)
    }

    /// The sibling at each depth `0..depth` of the path, empty ones included.
    fn expanded_siblings(&self) -> Vec<B256> {
        let mut next = 0;
        (0..self.depth as usize)
            .map(|i| {
                if self.bitmap.bit(255 - i) {
                    next += 1;
                    self.siblings[next - 1]
                } else {
                    EMPTY_ROOT
                }
            })
            .collect()
    }

    /// The root after setting `key` to `new` (`None` deletes) in the tree with `root`,
    /// from this proof of `key` against `root` alone (`docs/state.md`, "Updating from a
    /// proof"): what a verifier that holds no tree does, on L1 and in the fault VM.
    ///
    /// Deleting a present key below the root needs `sibling`, the node whose hash is
    /// the deepest sibling on the path: if it is a leaf, the leaf moves up past every
    /// empty sibling above it (the compaction rule), which its hash alone cannot tell.
    pub fn update(&self, root: B256, key: &B256, new: Option<B256>, sibling: Option<&Node>) -> Result<B256, ProofError> {
        let old = self.verify(root, key)?;
        let depth = self.depth as usize;
        let sibs = self.expanded_siblings();
        let fold = |mut h: B256, from: usize| {
            for i in (0..from).rev() {
                h = if bit(key, i) { internal_hash(&sibs[i], &h) } else { internal_hash(&h, &sibs[i]) };
            }
            h
        };
        let Some(value) = new else {
            if old.is_none() {
                return Ok(root);
            }
            if depth == 0 {
                return Ok(EMPTY_ROOT);
            }
            let node = sibling.ok_or(ProofError::MissingSibling(self.depth))?;
            if node.hash() != sibs[depth - 1] {
                return Err(ProofError::SiblingMismatch);
            }
            return Ok(match node {
                // The parent keeps an internal child and an empty one.
                Node::Internal { .. } => fold(EMPTY_ROOT, depth),
                // The parent becomes the sibling leaf, which keeps moving up while the
                // node above has nothing else (a leaf's hash does not depend on depth).
                Node::Leaf { .. } => {
                    let mut at = depth - 1;
                    while at > 0 && sibs[at - 1] == EMPTY_ROOT {
                        at -= 1;
                    }
                    fold(sibs[depth - 1], at)
                }
            });
        };
        let leaf = leaf_hash(key, &value);
        if old.is_some() || self.terminal_is_empty() {
            return Ok(fold(leaf, depth));
        }
        // Another leaf sits where the key's path ends: both go below the first bit where
        // their keys differ, under a chain of internal nodes with one empty child.
        let other = leaf_hash(&self.leaf_key, &self.leaf_value_hash);
        let split = (depth..256).find(|&i| bit(key, i) != bit(&self.leaf_key, i)).ok_or(ProofError::OffPath)?;
        let mut h = if bit(key, split) { internal_hash(&other, &leaf) } else { internal_hash(&leaf, &other) };
        for i in (depth..split).rev() {
            h = if bit(key, i) { internal_hash(&EMPTY_ROOT, &h) } else { internal_hash(&h, &EMPTY_ROOT) };
        }
        Ok(fold(h, depth))
    }

    /// Verifies against `root`: `Some(valueHash)` if `key` is in the tree, `None` if
    /// the proof shows it absent.
    pub fn verify(&self, root: B256, key: &B256) -> Result<Option<B256>, ProofError> {
        let computed = self.compute_root(key)?;
        if computed != root {
            return Err(ProofError::RootMismatch { computed, expected: root });
        }
        Ok((!self.terminal_is_empty() && self.leaf_key == *key).then_some(self.leaf_value_hash))
    }
}
