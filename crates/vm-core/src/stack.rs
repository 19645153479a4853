//! Stacks committed as hash chains (docs/fault-vm.md, "Hash stacks"): the EVM stack of
//! each frame, the suspended frames, the journal, the logs of a transaction and the
//! per-transaction lists the end of a transaction walks. `head' = keccak256(head ‖ item)`
//! over the items bottom first (zero when empty), with the length beside it, so a step
//! opens only the items it pops, each with the chain value below it.
//!
//! A full stack (the prover's) holds every item and hashes lazily: pushes and pops cost
//! nothing until a head is asked for, then the missing prefix hashes are computed once.
//! A witness stack holds the head, the length and the items the step will pop. It keeps
//! a [`Tally`] of what its own pushes and pops did (the chain hashes, the carried items
//! popped), which the step collects from the machine's stacks (`Machine::take_tallies`):
//! so a push or a pop takes no meter.

use crate::{encode::Encode, error::StepError, meter::Meter};
use alloy_primitives::B256;
use std::cell::RefCell;

/// `keccak256(below ‖ encode(item))`, counted by `m`.
pub fn chain<T: Encode>(below: &B256, item: &T, m: &mut Meter) -> B256 {
    let mut v = Vec::with_capacity(96);
    v.extend_from_slice(below.as_slice());
    item.encode(&mut v, m);
    m.keccak(&v)
}

/// What a witness stack's pushes and pops did since [`HashStack::take_tally`] (not
/// committed, not encoded, not compared).
#[derive(Debug, Clone, Default, PartialEq, Eq)]
pub struct Tally {
    /// Carried items popped: the reference step requires the sum over the machine's
    /// stacks to equal the items its witness carries, so a witness cannot carry an item
    /// its step does not pop (docs/fault-vm.md, "Witness").
    pub carried_pops: u64,
    /// The chain hashes of the pushes and pops (an item's encoding included).
    pub meter: Meter,
}

impl Tally {
    /// Adds `other`.
    pub fn add(&mut self, other: &Tally) {
        self.carried_pops += other.carried_pops;
        self.meter.add(&other.meter);
    }
}

/// A hash-chained stack.
#[derive(Debug, Clone)]
pub enum HashStack<T> {
    /// Every item, bottom first; `heads[i]` (when computed) is the chain value over items
    /// `0..=i`. `floor` is the lowest length reached since [`HashStack::mark`].
    Full {
        /// Items, bottom first.
        items: Vec<T>,
        /// Prefix chain values, computed lazily.
        heads: RefCell<Vec<B256>>,
        /// Lowest length since the last mark.
        floor: usize,
    },
    /// A witness: the chain head and length, and the items a step pops (bottom first, the
    /// next to pop last), each with the chain value below it.
    Witness {
        /// Chain value over every item.
        head: B256,
        /// Number of items.
        len: u64,
        /// Items known, bottom first, each with the chain value below it (the carried
        /// ones, then any the step pushed).
        top: Vec<(B256, T)>,
        /// How many of `top`'s bottom items came with the witness and are not popped yet.
        carried: usize,
        /// What its pushes and pops did since [`HashStack::take_tally`].
        tally: Tally,
    },
}

impl<T> Default for HashStack<T> {
    fn default() -> Self {
        HashStack::Full { items: Vec::new(), heads: RefCell::new(Vec::new()), floor: 0 }
    }
}

impl<T: Encode + Clone> HashStack<T> {
    /// A full stack with these items.
    pub fn from_items(items: Vec<T>) -> Self {
        let floor = items.len();
        HashStack::Full { items, heads: RefCell::new(Vec::new()), floor }
    }

    /// A witness stack: its header and the items it carries (bottom first), each with the
    /// chain value below it.
    pub fn witness(head: B256, len: u64, top: Vec<(B256, T)>) -> Self {
        let carried = top.len();
        HashStack::Witness { head, len, top, carried, tally: Tally::default() }
    }

    /// Items a witness stack carries and its step has not popped (0 for a full stack).
    pub fn carried(&self) -> usize {
        match self {
            HashStack::Full { .. } => 0,
            HashStack::Witness { carried, .. } => *carried,
        }
    }

    /// The items a witness stack carries (empty for a full stack).
    pub fn carried_items(&self) -> &[(B256, T)] {
        match self {
            HashStack::Full { .. } => &[],
            HashStack::Witness { top, carried, .. } => &top[..(*carried).min(top.len())],
        }
    }

    /// Number of items.
    pub fn len(&self) -> u64 {
        match self {
            HashStack::Full { items, .. } => items.len() as u64,
            HashStack::Witness { len, .. } => *len,
        }
    }

    /// Whether it is empty.
    pub fn is_empty(&self) -> bool {
        self.len() == 0
    }

    fn prefix(items: &[T], heads: &RefCell<Vec<B256>>, n: usize, m: &mut Meter) -> B256 {
        if n == 0 {
            return B256::ZERO;
        }
        let mut h = heads.borrow_mut();
        while h.len() < n {
            let below = h.last().copied().unwrap_or_default();
            let i = h.len();
            h.push(chain(&below, &items[i], m));
        }
        h[n - 1]
    }

    /// The chain value over every item (a full stack hashes what it has not yet: `m`
    /// counts it).
    pub fn head(&self, m: &mut Meter) -> B256 {
        match self {
            HashStack::Full { items, heads, .. } => Self::prefix(items, heads, items.len(), m),
            HashStack::Witness { head, .. } => *head,
        }
    }

    /// Pushes an item.
    pub fn push(&mut self, item: T) {
        match self {
            HashStack::Full { items, .. } => items.push(item),
            HashStack::Witness { head, len, top, tally, .. } => {
                let below = *head;
                *head = chain(&below, &item, &mut tally.meter);
                *len += 1;
                top.push((below, item));
            }
        }
    }

    /// Pops the top item (a witness's is checked against the chain).
    pub fn pop(&mut self) -> Result<T, StepError> {
        match self {
            HashStack::Full { items, heads, floor } => {
                let item = items.pop().ok_or(StepError::Inconsistent("pop of an empty hash stack"))?;
                heads.get_mut().truncate(items.len());
                *floor = (*floor).min(items.len());
                Ok(item)
            }
            HashStack::Witness { head, len, top, carried, tally } => {
                if *len == 0 {
                    return Err(StepError::Inconsistent("pop of an empty hash stack"));
                }
                let from_witness = top.len() == *carried;
                let (below, item) = top.pop().ok_or_else(|| StepError::Missing("the top item of a hash stack".into()))?;
                if chain(&below, &item, &mut tally.meter) != *head {
                    return Err(StepError::Missing("an item matching the hash chain".into()));
                }
                if from_witness {
                    *carried -= 1;
                    tally.carried_pops += 1;
                }
                *head = below;
                *len -= 1;
                Ok(item)
            }
        }
    }

    /// The item `depth` below the top (0: the top) without removing it, for a full stack
    /// or when a witness carries it.
    pub fn peek(&self, depth: usize) -> Option<&T> {
        match self {
            HashStack::Full { items, .. } => items.len().checked_sub(depth + 1).map(|i| &items[i]),
            HashStack::Witness { top, .. } => top.len().checked_sub(depth + 1).map(|i| &top[i].1),
        }
    }

    /// Empties the stack. What it drops is not popped: the floor stays (a step that
    /// clears a stack, the end of a transaction, pushes and pops nothing after), so a
    /// witness carries none of those items, and a witness stack counts them as unused.
    pub fn clear(&mut self) {
        match self {
            HashStack::Full { items, heads, .. } => {
                items.clear();
                heads.get_mut().clear();
            }
            HashStack::Witness { head, len, top, carried, .. } => {
                *head = B256::ZERO;
                *len = 0;
                top.clear();
                *carried = 0;
            }
        }
    }

    /// Starts counting how deep a step reaches into the stack (a full stack).
    pub fn mark(&mut self) {
        if let HashStack::Full { items, floor, .. } = self {
            *floor = items.len();
        }
    }

    /// Lowest length since [`Self::mark`] (a full stack; a witness: its length).
    pub fn floor(&self) -> usize {
        match self {
            HashStack::Full { floor, .. } => *floor,
            HashStack::Witness { len, .. } => *len as usize,
        }
    }

    /// This stack as a witness carrying its top `carry` items (the prover's: what a full
    /// stack hashes for it is not counted).
    pub fn to_witness(&self, carry: usize) -> Self {
        let m = &mut Meter::default();
        match self {
            HashStack::Full { items, heads, .. } => {
                let n = items.len();
                let from = n.saturating_sub(carry);
                let top = (from..n).map(|i| (Self::prefix(items, heads, i, m), items[i].clone())).collect();
                Self::witness(self.head(m), n as u64, top)
            }
            HashStack::Witness { head, len, top, .. } => {
                let from = top.len().saturating_sub(carry);
                Self::witness(*head, *len, top[from..].to_vec())
            }
        }
    }

    /// What a witness stack's pushes and pops did since the last call (nothing for a full
    /// stack, whose pushes and pops hash nothing), and restarts the tally.
    pub fn take_tally(&mut self) -> Tally {
        match self {
            HashStack::Full { .. } => Tally::default(),
            HashStack::Witness { tally, .. } => std::mem::take(tally),
        }
    }

    /// Every item, bottom first, if it is a full stack.
    pub fn items(&self) -> Option<&[T]> {
        match self {
            HashStack::Full { items, .. } => Some(items),
            HashStack::Witness { .. } => None,
        }
    }
}

impl<T: Encode + Clone> Encode for HashStack<T> {
    /// The commitment covers the chain and the length only.
    fn encode(&self, out: &mut Vec<u8>, m: &mut Meter) {
        out.extend_from_slice(self.head(m).as_slice());
        out.extend_from_slice(&self.len().to_be_bytes());
    }
}

impl<T: PartialEq> PartialEq for HashStack<T> {
    fn eq(&self, other: &Self) -> bool {
        match (self, other) {
            (HashStack::Full { items: a, .. }, HashStack::Full { items: b, .. }) => a == b,
            (HashStack::Witness { head: h1, len: l1, top: t1, carried: c1, .. }, HashStack::Witness { head: h2, len: l2, top: t2, carried: c2, .. }) => {
                h1 == h2 && l1 == l2 && t1 == t2 && c1 == c2
            }
            _ => false,
        }
    }
}
impl<T: Eq> Eq for HashStack<T> {}

#[cfg(test)]
mod tests {
    use super::*;
    use alloy_primitives::U256;

    #[test]
    fn full_and_witness_stacks_agree() {
        let mut full = HashStack::from_items((1..=5u64).map(U256::from).collect());
        let mut w = full.to_witness(2);
        assert_eq!(full.head(&mut Meter::default()), w.head(&mut Meter::default()));
        for s in [&mut full, &mut w] {
            let a = s.pop().unwrap();
            let b = s.pop().unwrap();
            s.push(a + b);
        }
        assert_eq!(full.head(&mut Meter::default()), w.head(&mut Meter::default()));
        assert_eq!(full.len(), 4);
        // The witness carried two items: a third pop is missing, not wrong.
        let mut w2 = w.clone();
        w2.pop().unwrap();
        assert!(matches!(w2.pop(), Err(StepError::Missing(_))));
    }

    #[test]
    fn a_forged_item_is_refused_and_floor_counts_depth() {
        let mut full: HashStack<U256> = HashStack::from_items((1..=4u64).map(U256::from).collect());
        let mut w = full.to_witness(1);
        if let HashStack::Witness { top, .. } = &mut w {
            top[0].1 = U256::from(99);
        }
        assert!(matches!(w.pop(), Err(StepError::Missing(_))));
        full.mark();
        full.pop().unwrap();
        full.push(U256::from(7));
        full.pop().unwrap();
        full.pop().unwrap();
        assert_eq!(full.floor(), 2);
    }
}
