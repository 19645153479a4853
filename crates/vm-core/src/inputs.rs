//! The block's inputs (docs/fault-vm-inputs.md): what the machine runs, and where it
//! comes from.
//!
//! Every L2 block's machine starts from [`L1Inputs`]: the deposit accumulators and the
//! batch record and block leaf that L1 contracts hold, from which the input steps
//! (`crate::step`, `input`) open the deposits and the batch's entries one bounded,
//! self-checking step at a time. The state tests, which have no L1, start from
//! [`GivenInputs`]: transaction contexts given whole, as in v1. A dispute game never
//! starts a block from given inputs (`initial_commitment` builds [`L1Inputs`] only).
//!
//! The encodings here are part of the commitment (docs/fault-vm.md, "Byte encodings").

use crate::{
    encode::{hash_of, put_u256, put_u64, Encode},
    machine::{Tree, TxCtx},
    meter::Meter,
    sponge::Absorber,
};
use alloy_primitives::{Address, Bytes, B256, U256};
use faultline_primitives::Deposit;
use std::rc::Rc;

/// The block's inputs.
#[derive(Debug, Clone, PartialEq, Eq)]
pub enum Inputs {
    /// Transaction contexts given whole (the state tests). Tag 0.
    Given(GivenInputs),
    /// Opened from L1 (every L2 block). Tag 1.
    L1(Box<L1Inputs>),
}

/// Inputs given whole: one word per transaction (the hash of its [`TxCtx`] encoding).
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct GivenInputs {
    /// The tree of input hashes.
    pub tree: Tree,
    /// How many.
    pub count: u64,
    /// The inputs themselves (prover only).
    pub txs: Option<Rc<Vec<TxCtx>>>,
}

impl GivenInputs {
    /// The inputs of a block.
    pub fn new(txs: Vec<TxCtx>) -> Self {
        let words: Vec<B256> = txs.iter().map(hash_of).collect();
        Self { tree: Tree::from_words(&words), count: txs.len() as u64, txs: Some(Rc::new(txs)) }
    }
}

/// A block's inputs as L1 holds them, and how far the input steps have opened them.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct L1Inputs {
    /// Whether the block's first step (the EIP-2935 and L1 fee writes) has been taken.
    pub started: bool,
    /// The block's deposits.
    pub deposits: DepositSource,
    /// The block's batch entries.
    pub batch: BatchSource,
    /// The current deposit's data still to open (its context is the machine's `tx`).
    pub chunk: Option<ChunkCursor>,
    /// The batch entry being opened.
    pub entry: Option<Entry>,
    /// What the prover opens them from (not committed).
    pub data: Option<Rc<L1Data>>,
    /// The entries skipped so far, with why (prover only; not committed).
    pub skipped: Vec<(u64, String)>,
}

/// Deposits `[from, end)` of the portal, opened against its accumulator: first the links
/// from `acc[end − 1]` down to `acc[from − 1]` (each gives one deposit's hash), then the
/// deposits in index order.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct DepositSource {
    /// The block's first deposit.
    pub from: u64,
    /// The next deposit to open.
    pub next: u64,
    /// One past the block's last deposit (its deposit cursor).
    pub end: u64,
    /// Links still to check, from `from + unlinked − 1` down.
    pub unlinked: u64,
    /// `acc[from + unlinked − 1]`: the accumulator value the next link opens.
    pub acc: B256,
    /// `acc[from − 1]` (zero for `from = 0`), where the links must end.
    pub acc_from: B256,
    /// Word `i`: the hash of deposit `from + i`, as its link gave it.
    pub hashes: Tree,
}

impl DepositSource {
    /// Deposits `[from, end)` between the accumulator values `acc[from − 1]` and
    /// `acc[end − 1]`.
    pub fn new(from: u64, end: u64, acc_from: B256, acc_end: B256) -> Self {
        Self { from, next: from, end, unlinked: end.saturating_sub(from), acc: acc_end, acc_from, hashes: Tree::default() }
    }
}

/// The block's entries in its batch (docs/batches.md): in a calldata batch (version 0),
/// items `first + 1 ..= first + count` of the tree with `root` over `item_count` items;
/// in a blob batch (version 1), transactions `first_tx ..` of the payload in the blobs
/// whose versioned hashes hash to `blobs`, the block's leaf being item `first`.
#[derive(Debug, Clone, PartialEq, Eq, Default)]
pub struct BatchSource {
    /// The batch form: 0 calldata, 1 blobs.
    pub version: u8,
    /// The batch's Merkle root.
    pub root: B256,
    /// Its item count (fixes every proof's depth).
    pub item_count: u64,
    /// The item index of the block's leaf.
    pub first: u64,
    /// The block's transaction count.
    pub count: u64,
    /// The next entry to open.
    pub next: u64,
    /// Blobs: keccak256 of the blobs' versioned hashes (zero for calldata).
    pub blobs: B256,
    /// Blobs: the payload's length (zero for calldata).
    pub length: u64,
    /// Blobs: the batch's transaction count, the payload table's length (zero for
    /// calldata).
    pub tx_total: u64,
    /// Blobs: the batch-wide index of the block's first transaction (zero for calldata).
    pub first_tx: u64,
}

/// Where the opening of a chunked string stands (docs/fault-vm-inputs.md, "Chunked
/// hash"): the hash of what is left, and how far it has come.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub struct ChunkCursor {
    /// `chunked(d[at..])`.
    pub expected: B256,
    /// Bytes opened so far.
    pub at: u64,
    /// The string's length.
    pub len: u64,
}

impl Encode for ChunkCursor {
    fn encode(&self, out: &mut Vec<u8>, _: &mut Meter) {
        out.extend_from_slice(self.expected.as_slice());
        put_u64(out, self.at);
        put_u64(out, self.len);
    }
}

/// A batch entry being opened: its bytes so far and what is left to read of them.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct Entry {
    /// Its length.
    pub len: u64,
    /// Blobs: the payload offset of its first byte (zero for calldata).
    pub start: u64,
    /// Its bytes (written as they are opened).
    pub raw: Tree,
    /// Where its signed fields start.
    pub body_start: u64,
    /// The next part to read.
    pub stage: EntryStage,
}

/// What an entry's next step reads.
#[derive(Debug, Clone, PartialEq, Eq)]
pub enum EntryStage {
    /// Its next chunk, into the raw tree and the transaction hash. Tag 0.
    Load {
        /// The chunk cursor.
        cursor: ChunkCursor,
        /// keccak256 of the bytes so far.
        hash: Absorber,
    },
    /// The access list's header at `at`. Tag 1.
    AccessList {
        /// Its position.
        at: u64,
    },
    /// The head of the access-list item at `at` (address and the keys' list header),
    /// in the list ending at `end`. Tag 2.
    AccessItem {
        /// The item's position.
        at: u64,
        /// The list payload's end.
        end: u64,
    },
    /// The storage key at `at` of `address`'s item, whose keys end at `keys_end`. Tag 3.
    AccessKey {
        /// The key's position.
        at: u64,
        /// The item's keys' end (the item's end).
        keys_end: u64,
        /// The list payload's end.
        end: u64,
        /// The item's address.
        address: Address,
    },
    /// The signature at `at`, which must end the entry. Tag 4.
    Signature {
        /// Its position.
        at: u64,
    },
    /// The signing hash over the body from `at`, then the tail. Tag 5.
    SignHash {
        /// The sponge so far (the head and the body before `at`).
        sponge: Absorber,
        /// The next body byte.
        at: u64,
        /// The body's end.
        body_end: u64,
        /// The EIP-155 tail (empty otherwise).
        tail: Vec<u8>,
        /// The signature's y-parity.
        y_parity: bool,
        /// Its `r`.
        r: U256,
        /// Its `s`.
        s: U256,
    },
}

impl Encode for EntryStage {
    fn encode(&self, out: &mut Vec<u8>, m: &mut Meter) {
        match self {
            EntryStage::Load { cursor, hash } => {
                out.push(0);
                cursor.encode(out, m);
                hash.encode(out);
            }
            EntryStage::AccessList { at } => {
                out.push(1);
                put_u64(out, *at);
            }
            EntryStage::AccessItem { at, end } => {
                out.push(2);
                put_u64(out, *at);
                put_u64(out, *end);
            }
            EntryStage::AccessKey { at, keys_end, end, address } => {
                out.push(3);
                put_u64(out, *at);
                put_u64(out, *keys_end);
                put_u64(out, *end);
                out.extend_from_slice(address.as_slice());
            }
            EntryStage::Signature { at } => {
                out.push(4);
                put_u64(out, *at);
            }
            EntryStage::SignHash { sponge, at, body_end, tail, y_parity, r, s } => {
                out.push(5);
                sponge.encode(out);
                put_u64(out, *at);
                put_u64(out, *body_end);
                out.push(tail.len() as u8);
                out.extend_from_slice(tail);
                out.push(*y_parity as u8);
                put_u256(out, r);
                put_u256(out, s);
            }
        }
    }
}

impl Encode for Entry {
    fn encode(&self, out: &mut Vec<u8>, m: &mut Meter) {
        put_u64(out, self.len);
        put_u64(out, self.start);
        out.extend_from_slice(self.raw.root(m).as_slice());
        put_u64(out, self.body_start);
        self.stage.encode(out, m);
    }
}

impl Encode for DepositSource {
    fn encode(&self, out: &mut Vec<u8>, m: &mut Meter) {
        for v in [self.from, self.next, self.end, self.unlinked] {
            put_u64(out, v);
        }
        out.extend_from_slice(self.acc.as_slice());
        out.extend_from_slice(self.acc_from.as_slice());
        out.extend_from_slice(self.hashes.root(m).as_slice());
    }
}

impl Encode for BatchSource {
    fn encode(&self, out: &mut Vec<u8>, _: &mut Meter) {
        out.push(self.version);
        out.extend_from_slice(self.root.as_slice());
        for v in [self.item_count, self.first, self.count, self.next] {
            put_u64(out, v);
        }
        out.extend_from_slice(self.blobs.as_slice());
        for v in [self.length, self.tx_total, self.first_tx] {
            put_u64(out, v);
        }
    }
}

impl Encode for Inputs {
    fn encode(&self, out: &mut Vec<u8>, m: &mut Meter) {
        match self {
            Inputs::Given(g) => {
                out.push(0);
                out.extend_from_slice(g.tree.root(m).as_slice());
                put_u64(out, g.count);
            }
            Inputs::L1(l) => {
                out.push(1);
                out.push(l.started as u8);
                l.deposits.encode(out, m);
                l.batch.encode(out, m);
                match &l.chunk {
                    Some(c) => {
                        out.push(1);
                        c.encode(out, m);
                    }
                    None => out.push(0),
                }
                match &l.entry {
                    Some(e) => {
                        out.push(1);
                        e.encode(out, m);
                    }
                    None => out.push(0),
                }
            }
        }
    }
}

impl Inputs {
    /// As a witness holds them: trees as roots, no prover data.
    pub fn proven(&self) -> Self {
        match self {
            Inputs::Given(g) => Inputs::Given(GivenInputs { tree: g.tree.proven(), count: g.count, txs: None }),
            Inputs::L1(l) => Inputs::L1(Box::new(L1Inputs {
                deposits: DepositSource { hashes: l.deposits.hashes.proven(), ..l.deposits.clone() },
                entry: l.entry.as_ref().map(|e| Entry { raw: e.raw.proven(), ..e.clone() }),
                data: None,
                skipped: Vec::new(),
                ..(**l).clone()
            })),
        }
    }
}

/// Reads a deposit hash's preimage back (`Deposit::hash_preimage`): the deposit but its
/// data (empty) and L1 time (zero, not hashed), with the data's length and chunked hash;
/// `None` unless it is nine canonical words (addresses and the 64-bit fields
/// zero-extended).
pub fn parse_deposit(p: &[u8]) -> Option<(Deposit, u64, B256)> {
    if p.len() != 9 * 32 {
        return None;
    }
    let w = |i: usize| &p[32 * i..32 * i + 32];
    let small = |i: usize| -> Option<u64> { w(i)[..24].iter().all(|b| *b == 0).then(|| u64::from_be_bytes(w(i)[24..].try_into().unwrap_or_default())) };
    let addr = |i: usize| -> Option<Address> { w(i)[..12].iter().all(|b| *b == 0).then(|| Address::from_slice(&w(i)[12..])) };
    let d = Deposit {
        index: small(0)?,
        from: addr(1)?,
        to: addr(2)?,
        mint: U256::from_be_slice(w(3)),
        value: U256::from_be_slice(w(4)),
        gas_limit: small(5)?,
        l1_block: small(6)?,
        l1_timestamp: 0,
        data: Bytes::new(),
    };
    Some((d, small(7)?, B256::from_slice(w(8))))
}

/// What the prover opens a block's L1 inputs from (not committed; a witness carries what
/// each step opens of it).
#[derive(Debug, Clone, PartialEq, Eq, Default)]
pub struct L1Data {
    /// Deposits `[from, end)`.
    pub deposits: Vec<Deposit>,
    /// `acc[from − 1] ..= acc[end − 1]`.
    pub accumulators: Vec<B256>,
    /// The block's entries, in order.
    pub entries: Vec<Bytes>,
    /// Every level of the batch's item tree, leaves first (docs/batches.md).
    pub levels: Vec<Vec<B256>>,
    /// A blob batch's blobs (empty for a calldata batch).
    pub blobs: Vec<faultline_primitives::blob::Blob>,
    /// Their KZG commitments.
    pub commitments: Vec<alloy_primitives::FixedBytes<48>>,
    /// Their versioned hashes.
    pub versioned_hashes: Vec<B256>,
    /// Openings made so far, by (blob, element): value and proof (a KZG proof takes
    /// milliseconds; an element is opened once per step that reads it).
    pub openings: std::cell::RefCell<std::collections::BTreeMap<(usize, usize), (B256, alloy_primitives::FixedBytes<48>)>>,
}

impl L1Data {
    /// The prover's data for a blob batch's `blobs` (commitments and versioned hashes
    /// computed once).
    pub fn with_blobs(mut self, blobs: Vec<faultline_primitives::blob::Blob>) -> Result<Self, faultline_primitives::blob::BlobError> {
        self.commitments = blobs.iter().map(faultline_primitives::blob::commitment).collect::<Result<_, _>>()?;
        self.versioned_hashes = self.commitments.iter().map(|c| alloy_eips::eip4844::kzg_to_versioned_hash(c.as_slice())).collect();
        self.blobs = blobs;
        Ok(self)
    }

    /// The value and proof of element `g` of blob `b`.
    pub fn open(&self, b: usize, g: usize) -> Option<(alloy_primitives::FixedBytes<48>, B256, alloy_primitives::FixedBytes<48>)> {
        let c = *self.commitments.get(b)?;
        if let Some((y, p)) = self.openings.borrow().get(&(b, g)) {
            return Some((c, *y, *p));
        }
        let (_, y, p) = faultline_primitives::blob::open_element(self.blobs.get(b)?, g).ok()?;
        self.openings.borrow_mut().insert((b, g), (y, p));
        Some((c, y, p))
    }
}

/// Field elements a blob entry step opens at most (about 56,000 L1 gas each with the
/// point evaluation: docs/batches.md, "Opening a transaction on L1").
pub const BLOB_CHUNK_ELEMENTS: u64 = 24;

/// The depth of an item proof in a batch of `item_count` items: `ceil(log2(item_count))`.
pub fn item_depth(item_count: u64) -> u32 {
    if item_count <= 1 {
        0
    } else {
        64 - (item_count - 1).leading_zeros()
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn item_depth_is_the_ceiling_log() {
        for (n, d) in [(0, 0), (1, 0), (2, 1), (3, 2), (4, 2), (5, 3), (8, 3), (9, 4)] {
            assert_eq!(item_depth(n), d, "n = {n}");
            if n > 0 {
                let leaves: Vec<B256> = (0..n).map(|i| B256::with_last_byte(i as u8 + 1)).collect();
                assert_eq!(faultline_primitives::batch::merkle_levels(&leaves).len() as u32 - 1, d);
            }
        }
    }

    #[test]
    fn a_deposit_preimage_parses_back() {
        let d = Deposit {
            index: 7,
            from: Address::repeat_byte(1),
            to: Address::repeat_byte(2),
            mint: U256::from(3),
            value: U256::from(4),
            gas_limit: 5,
            l1_block: 6,
            l1_timestamp: 99,
            data: Bytes::from(vec![9u8; 5000]),
        };
        let (f, len, chunked) = parse_deposit(&d.hash_preimage()).expect("parses");
        assert_eq!((f.index, f.from, f.to, f.mint, f.value, f.gas_limit, f.l1_block), (7, d.from, d.to, d.mint, d.value, 5, 6));
        assert_eq!((len, chunked), (5000, faultline_primitives::chunked::hash(&d.data)));
        let mut bad = d.hash_preimage();
        bad[32] = 1;
        assert!(parse_deposit(&bad).is_none(), "an address word with a high byte set");
    }
}
