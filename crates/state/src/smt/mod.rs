//! The compacted binary sparse Merkle tree of `docs/state.md`: node hashing, batch
//! updates over any [`NodeStore`], and compressed proofs.
//!
//! The tree is persistent (nodes are content addressed and never rewritten), so every
//! historical root stays readable and provable as long as its nodes are kept.

mod keys;
mod proof;
#[cfg(test)]
mod vectors;

pub use keys::{account_key, account_value_hash, storage_key};
pub use proof::{Proof, ProofError};

use alloy_primitives::{keccak256, B256};
use std::collections::HashMap;

/// The hash of the empty subtree, and the root of the empty tree.
pub const EMPTY_ROOT: B256 = B256::ZERO;

/// A stored node. The empty subtree is never stored: its hash is [`EMPTY_ROOT`].
#[derive(Clone, Copy, Debug, PartialEq, Eq)]
pub enum Node {
    /// A leaf `(key, valueHash)`.
    Leaf {
        /// The 256-bit key.
        key: B256,
        /// The value hash (an account's hash, or a storage slot's value).
        value: B256,
    },
    /// An internal node over two child hashes.
    Internal {
        /// Hash of the subtree whose next key bit is 0.
        left: B256,
        /// Hash of the subtree whose next key bit is 1.
        right: B256,
    },
}

impl Node {
    /// The node's hash per `docs/state.md`.
    pub fn hash(&self) -> B256 {
        match self {
            Node::Leaf { key, value } => leaf_hash(key, value),
            Node::Internal { left, right } => internal_hash(left, right),
        }
    }

    /// 65-byte storage encoding: a tag byte (0 leaf, 1 internal) and two words.
    pub fn encode(&self) -> [u8; 65] {
        let mut out = [0u8; 65];
        let (tag, a, b) = match self {
            Node::Leaf { key, value } => (0u8, key, value),
            Node::Internal { left, right } => (1u8, left, right),
        };
        out[0] = tag;
        out[1..33].copy_from_slice(a.as_slice());
        out[33..].copy_from_slice(b.as_slice());
        out
    }

    /// Decodes [`Node::encode`]'s output.
    pub fn decode(bytes: &[u8]) -> Option<Self> {
        if bytes.len() != 65 {
            return None;
        }
        let a = B256::from_slice(&bytes[1..33]);
        let b = B256::from_slice(&bytes[33..]);
        match bytes[0] {
            0 => Some(Node::Leaf { key: a, value: b }),
            1 => Some(Node::Internal { left: a, right: b }),
            _ => None,
        }
    }
}

/// `keccak256(0x00 ‖ key ‖ valueHash)`.
pub fn leaf_hash(key: &B256, value: &B256) -> B256 {
    let mut buf = [0u8; 65];
    buf[1..33].copy_from_slice(key.as_slice());
    buf[33..].copy_from_slice(value.as_slice());
    keccak256(buf)
}

/// `keccak256(left ‖ right)`.
pub fn internal_hash(left: &B256, right: &B256) -> B256 {
    let mut buf = [0u8; 64];
    buf[..32].copy_from_slice(left.as_slice());
    buf[32..].copy_from_slice(right.as_slice());
    keccak256(buf)
}

/// Bit `i` of `key`, most significant bit of byte 0 first.
#[inline]
pub fn bit(key: &B256, i: usize) -> bool {
    (key[i / 8] >> (7 - (i % 8))) & 1 == 1
}

/// Errors reading tree nodes.
#[derive(Debug, thiserror::Error)]
pub enum SmtError {
    /// A node the tree references is not in the store: the store is corrupt or pruned.
    #[error("missing SMT node {0}")]
    MissingNode(B256),
    /// The backing store failed.
    #[error("node store: {0}")]
    Store(String),
}

/// Where nodes live. Implemented in memory here and over RocksDB by the state store.
pub trait NodeStore {
    /// The node with this hash, if stored.
    fn node(&self, hash: &B256) -> Result<Option<Node>, SmtError>;
}

/// An in-memory node store, for tests, vectors and the fault VM's witnesses.
#[derive(Clone, Debug, Default)]
pub struct MemStore {
    nodes: HashMap<B256, Node>,
}

impl MemStore {
    /// Adds nodes (as returned by [`update`]).
    pub fn extend(&mut self, nodes: impl IntoIterator<Item = (B256, Node)>) {
        self.nodes.extend(nodes);
    }

    /// Number of stored nodes.
    pub fn len(&self) -> usize {
        self.nodes.len()
    }

    /// Whether no node is stored.
    pub fn is_empty(&self) -> bool {
        self.nodes.is_empty()
    }
}

impl NodeStore for MemStore {
    fn node(&self, hash: &B256) -> Result<Option<Node>, SmtError> {
        Ok(self.nodes.get(hash).copied())
    }
}

fn load<S: NodeStore + ?Sized>(store: &S, hash: &B256) -> Result<Option<Node>, SmtError> {
    if *hash == EMPTY_ROOT {
        return Ok(None);
    }
    store.node(hash)?.map(Some).ok_or(SmtError::MissingNode(*hash))
}

/// The value hash stored under `key` in the tree with this root, if any.
pub fn get<S: NodeStore + ?Sized>(store: &S, root: B256, key: &B256) -> Result<Option<B256>, SmtError> {
    let mut hash = root;
    let mut depth = 0;
    loop {
        match load(store, &hash)? {
            None => return Ok(None),
            Some(Node::Leaf { key: k, value }) => return Ok((k == *key).then_some(value)),
            Some(Node::Internal { left, right }) => {
                hash = if bit(key, depth) { right } else { left };
                depth += 1;
            }
        }
    }
}

/// What a subtree turned into: its hash and whether it is a single leaf (which moves up
/// when its sibling is empty).
#[derive(Clone, Copy)]
struct Sub {
    hash: B256,
    leaf: bool,
}

const EMPTY: Sub = Sub { hash: EMPTY_ROOT, leaf: false };

/// Applies `updates` (key, `Some(valueHash)` to insert or update, `None` to delete) to the
/// tree with `root`. `updates` must be sorted by key with no key twice.
///
/// Returns the new root and the nodes created (to be stored; old nodes are kept, so
/// older roots stay valid). Each touched node is hashed once, whatever the batch size.
pub fn update<S: NodeStore + ?Sized>(store: &S, root: B256, updates: &[(B256, Option<B256>)]) -> Result<(B256, Vec<(B256, Node)>), SmtError> {
    debug_assert!(updates.windows(2).all(|w| w[0].0 < w[1].0), "updates must be sorted and unique");
    let mut created = Vec::new();
    let sub = update_sub(store, root, 0, updates, &mut created)?;
    Ok((sub.hash, created))
}

fn update_sub<S: NodeStore + ?Sized>(
    store: &S,
    hash: B256,
    depth: usize,
    updates: &[(B256, Option<B256>)],
    out: &mut Vec<(B256, Node)>,
) -> Result<Sub, SmtError> {
    let node = load(store, &hash)?;
    if updates.is_empty() {
        return Ok(Sub { hash, leaf: matches!(node, Some(Node::Leaf { .. })) });
    }
    match node {
        Some(Node::Internal { left, right }) => {
            let split = updates.partition_point(|(k, _)| !bit(k, depth));
            let l = update_sub(store, left, depth + 1, &updates[..split], out)?;
            let r = update_sub(store, right, depth + 1, &updates[split..], out)?;
            Ok(join(l, r, out))
        }
        other => {
            // The subtree holds at most one leaf: merge it with the updates and rebuild.
            let mut leaves: Vec<(B256, B256)> = Vec::with_capacity(updates.len() + 1);
            leaves.extend(updates.iter().filter_map(|(k, v)| v.map(|v| (*k, v))));
            if let Some(Node::Leaf { key, value }) = other {
                if updates.binary_search_by(|(k, _)| k.cmp(&key)).is_err() {
                    let at = leaves.partition_point(|(k, _)| *k < key);
                    leaves.insert(at, (key, value));
                }
            }
            Ok(build(depth, &leaves, out))
        }
    }
}

/// An internal node over two new children, compacted per `docs/state.md`.
fn join(l: Sub, r: Sub, out: &mut Vec<(B256, Node)>) -> Sub {
    match (l.hash == EMPTY_ROOT, r.hash == EMPTY_ROOT) {
        (true, true) => EMPTY,
        (true, false) if r.leaf => r,
        (false, true) if l.leaf => l,
        _ => {
            let node = Node::Internal { left: l.hash, right: r.hash };
            let hash = node.hash();
            out.push((hash, node));
            Sub { hash, leaf: false }
        }
    }
}

/// The compacted subtree at `depth` over sorted `leaves`.
fn build(depth: usize, leaves: &[(B256, B256)], out: &mut Vec<(B256, Node)>) -> Sub {
    match leaves {
        [] => EMPTY,
        [(key, value)] => {
            let node = Node::Leaf { key: *key, value: *value };
            let hash = node.hash();
            out.push((hash, node));
            Sub { hash, leaf: true }
        }
        _ => {
            let split = leaves.partition_point(|(k, _)| !bit(k, depth));
            let l = build(depth + 1, &leaves[..split], out);
            let r = build(depth + 1, &leaves[split..], out);
            join(l, r, out)
        }
    }
}

/// The node whose hash is the deepest sibling on `key`'s path (what [`Proof::update`]
/// needs to delete `key`), or `None` when the path has no sibling at that depth.
pub fn deepest_sibling<S: NodeStore + ?Sized>(store: &S, root: B256, key: &B256) -> Result<Option<Node>, SmtError> {
    let proof = prove(store, root, key)?;
    let depth = proof.depth as usize;
    if depth == 0 || !proof.bitmap.bit(256 - depth) {
        return Ok(None);
    }
    match proof.siblings.last() {
        Some(hash) => load(store, hash),
        None => Ok(None),
    }
}

/// A proof for `key` in the tree with `root` (see [`Proof`]).
pub fn prove<S: NodeStore + ?Sized>(store: &S, root: B256, key: &B256) -> Result<Proof, SmtError> {
    let mut proof = Proof::default();
    let mut hash = root;
    let mut depth = 0usize;
    loop {
        match load(store, &hash)? {
            None => break,
            Some(Node::Leaf { key: k, value }) => {
                proof.leaf_key = k;
                proof.leaf_value_hash = value;
                break;
            }
            Some(Node::Internal { left, right }) => {
                let (next, sibling) = if bit(key, depth) { (right, left) } else { (left, right) };
                if sibling != EMPTY_ROOT {
                    proof.bitmap.set_bit(255 - depth, true);
                    proof.siblings.push(sibling);
                }
                hash = next;
                depth += 1;
            }
        }
    }
    proof.depth = depth as u16;
    Ok(proof)
}

#[cfg(test)]
mod tests {
    use super::*;
    use proptest::prelude::*;
    use std::collections::BTreeMap;

    /// Reference: the root of the compacted tree over a set of leaves, built from scratch.
    fn reference_root(leaves: &BTreeMap<B256, B256>) -> B256 {
        let v: Vec<_> = leaves.iter().map(|(k, v)| (*k, *v)).collect();
        build(0, &v, &mut Vec::new()).hash
    }

    fn apply(store: &mut MemStore, root: B256, ups: &BTreeMap<B256, Option<B256>>) -> B256 {
        let ups: Vec<_> = ups.iter().map(|(k, v)| (*k, *v)).collect();
        let (root, nodes) = update(store, root, &ups).expect("update");
        store.extend(nodes);
        root
    }

    fn key(prefix: &[u8]) -> B256 {
        let mut k = B256::ZERO;
        k[..prefix.len()].copy_from_slice(prefix);
        k
    }

    #[test]
    fn empty_and_single_leaf() {
        let mut s = MemStore::default();
        let k = key(&[0x80]);
        let v = B256::repeat_byte(7);
        let root = apply(&mut s, EMPTY_ROOT, &[(k, Some(v))].into());
        assert_eq!(root, leaf_hash(&k, &v));
        let root = apply(&mut s, root, &[(k, None)].into());
        assert_eq!(root, EMPTY_ROOT);
    }

    #[test]
    fn shared_prefix_builds_chain_and_delete_moves_leaf_up() {
        let mut s = MemStore::default();
        let (a, b) = (key(&[0b0000_0000]), key(&[0b0000_0001]));
        let v = B256::repeat_byte(1);
        let root = apply(&mut s, EMPTY_ROOT, &[(a, Some(v)), (b, Some(v))].into());
        // a and b share 7 bits, so both leaves sit at depth 8.
        let p = prove(&s, root, &a).unwrap();
        assert_eq!(p.depth, 8);
        assert_eq!(p.siblings.len(), 1);
        let root = apply(&mut s, root, &[(b, None)].into());
        assert_eq!(root, leaf_hash(&a, &v));
        assert_eq!(prove(&s, root, &a).unwrap().depth, 0);
    }

    proptest! {
        #![proptest_config(ProptestConfig::with_cases(64))]
        /// Any sequence of batched updates gives the same root as building the final set
        /// from scratch (order independence), and every key's proof verifies.
        #[test]
        fn incremental_equals_rebuild(batches in prop::collection::vec(
            prop::collection::btree_map(0u8..40, prop::option::of(1u8..4), 0..12), 1..8)) {
            let mut s = MemStore::default();
            let mut root = EMPTY_ROOT;
            let mut model = BTreeMap::new();
            // Keys share long prefixes on purpose: only the last byte and the first differ.
            let mk = |i: u8| { let mut k = B256::ZERO; k[0] = i & 0xc0; k[31] = i; k };
            for batch in batches {
                let ups: BTreeMap<B256, Option<B256>> =
                    batch.iter().map(|(k, v)| (mk(*k), v.map(B256::repeat_byte))).collect();
                for (k, v) in &ups {
                    match v { Some(v) => { model.insert(*k, *v); } None => { model.remove(k); } }
                }
                root = apply(&mut s, root, &ups);
                prop_assert_eq!(root, reference_root(&model));
            }
            for i in 0u8..40 {
                let k = mk(i);
                let p = prove(&s, root, &k).unwrap();
                prop_assert_eq!(p.verify(root, &k).unwrap(), model.get(&k).copied());
                prop_assert_eq!(get(&s, root, &k).unwrap(), model.get(&k).copied());
            }
        }

        /// Every single-key insert, update and delete computed from a proof alone (and
        /// the deepest sibling's node) gives the root the tree itself gives.
        #[test]
        fn update_from_a_proof_equals_the_tree(
            start in prop::collection::btree_map(0u8..64, 1u8..4, 0..24),
            ops in prop::collection::vec((0u8..64, prop::option::of(1u8..4)), 1..24)) {
            let mk = |i: u8| { let mut k = B256::ZERO; k[0] = i & 0xe0; k[31] = i; k };
            let mut s = MemStore::default();
            let ups: BTreeMap<B256, Option<B256>> = start.iter().map(|(k, v)| (mk(*k), Some(B256::repeat_byte(*v)))).collect();
            let mut root = apply(&mut s, EMPTY_ROOT, &ups);
            for (k, v) in ops {
                let (k, v) = (mk(k), v.map(B256::repeat_byte));
                let proof = prove(&s, root, &k).unwrap();
                let sibling = deepest_sibling(&s, root, &k).unwrap();
                let from_proof = proof.update(root, &k, v, sibling.as_ref()).unwrap();
                root = apply(&mut s, root, &[(k, v)].into());
                prop_assert_eq!(from_proof, root);
            }
        }
    }

    #[test]
    fn a_delete_rejects_a_missing_or_forged_sibling() {
        let mut s = MemStore::default();
        let (a, b) = (key(&[0b0000_0000]), key(&[0b1000_0000]));
        let v = B256::repeat_byte(1);
        let root = apply(&mut s, EMPTY_ROOT, &[(a, Some(v)), (b, Some(v))].into());
        let p = prove(&s, root, &a).unwrap();
        assert_eq!(p.update(root, &a, None, None), Err(ProofError::MissingSibling(1)));
        // Claiming the sibling leaf is internal would leave a non-compacted tree.
        let forged = Node::Internal { left: B256::repeat_byte(9), right: B256::ZERO };
        assert_eq!(p.update(root, &a, None, Some(&forged)), Err(ProofError::SiblingMismatch));
        let real = deepest_sibling(&s, root, &a).unwrap().expect("b's leaf");
        assert_eq!(p.update(root, &a, None, Some(&real)), Ok(leaf_hash(&b, &v)));
        // A proof against another root is refused before anything is computed.
        assert!(matches!(p.update(B256::repeat_byte(3), &a, Some(v), None), Err(ProofError::RootMismatch { .. })));
    }
}
