//! Compressed SMT proofs and their verification (`docs/state.md`, "Proofs").

use super::{bit, internal_hash, leaf_hash, EMPTY_ROOT};
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
