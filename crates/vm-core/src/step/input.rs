//! The input steps of a block whose inputs come from L1 (docs/fault-vm-inputs.md, "The
//! inputs as steps"): the deposit accumulator's links (backwards), each deposit's fields
//! and data, and each batch entry's item proof, bytes, access list, signature, signing
//! hash and sender. Each step checks everything its witness gives it against the
//! pre-state (one post per pre-state): a preimage against a hash the state holds, a
//! chunk against the chunked hash, bytes of the entry against its raw tree.
//!
//! An entry that derivation skips (void, undecodable, a type the L2 does not run, a
//! signature that recovers no sender) is dropped at the step that finds it, with no
//! receipt, and the next entry follows.

use super::StepKind;
use crate::{
    error::StepError,
    inputs::{item_depth, parse_deposit, ChunkCursor, Entry, EntryStage, Inputs, L1Inputs, BLOB_CHUNK_ELEMENTS},
    machine::{AccessItem, Machine, Phase, Slice, Tree, TxCtx},
    sponge::Absorber,
    txdecode::{self, Skip, ACCESS_ITEM_HEAD_MAX, PREFIX_MAX, SIGNATURE_MAX, STORAGE_KEY_LEN},
};
use alloy_primitives::{Address, B256, U256};
use faultline_primitives::chunked::CHUNK;

/// The longest entry a batch can carry (a calldata leaf commits to a `u32` length; a
/// blob payload is far shorter): a state claiming a longer one is not reachable.
const MAX_ENTRY: u64 = u32::MAX as u64;

// The first chunk of an entry always holds its prefix, which the chunk decodes: a
// calldata chunk is `min(len, CHUNK)` bytes, a blob chunk at least the last byte of its
// first element and 23 whole elements more.
const _: () = assert!(CHUNK >= PREFIX_MAX);
const _: () = assert!(1 + (BLOB_CHUNK_ELEMENTS as usize - 1) * faultline_primitives::blob::PAYLOAD_BYTES_PER_ELEMENT >= PREFIX_MAX);

fn missing(what: &str) -> StepError {
    StepError::Missing(what.to_string())
}

impl Machine {
    /// The next step of a block with L1 inputs: a link, a deposit, a deposit's data, an
    /// entry's next part, or the block's end.
    pub(super) fn next_l1_input(&mut self) -> Result<StepKind, StepError> {
        let Inputs::L1(l) = &self.inputs else { return Err(StepError::Inconsistent("not an L1-input block")) };
        let mut l = (**l).clone();
        let kind = self.l1_step(&mut l);
        self.inputs = Inputs::L1(Box::new(l));
        kind
    }

    fn l1_step(&mut self, l: &mut L1Inputs) -> Result<StepKind, StepError> {
        if !l.started {
            self.first_writes()?;
            l.started = true;
        }
        if l.deposits.unlinked > 0 {
            self.deposit_link(l)?;
            return Ok(StepKind::DepositLink);
        }
        if let Some(c) = l.chunk {
            self.deposit_data(l, c)?;
            return Ok(StepKind::DepositData);
        }
        if l.deposits.next < l.deposits.end {
            self.deposit_open(l)?;
            return Ok(StepKind::DepositOpen);
        }
        if let Some(e) = l.entry.take() {
            return self.entry_step(l, e);
        }
        if l.batch.next < l.batch.count {
            self.entry_open(l)?;
            return Ok(StepKind::TxOpen);
        }
        self.block_end()?;
        Ok(StepKind::BlockEnd)
    }

    // ---- deposits ----------------------------------------------------------------

    /// One link of the accumulator, from the later end: `acc[i] = keccak256(acc[i − 1] ‖
    /// h_i)` gives deposit `i`'s hash.
    fn deposit_link(&mut self, l: &mut L1Inputs) -> Result<(), StepError> {
        let d = &mut l.deposits;
        let i = d.unlinked - 1;
        let data = l.data.clone();
        let p = self.io.preimage(d.acc, || {
            let Some(data) = &data else { return Vec::new() };
            let (Some(prev), Some(dep)) = (data.accumulators.get(i as usize), data.deposits.get(i as usize)) else { return Vec::new() };
            [prev.as_slice(), dep.hash().as_slice()].concat()
        })?;
        if p.len() != 64 {
            return Err(missing("an accumulator link (two words)"));
        }
        let (prev, h) = (B256::from_slice(&p[..32]), B256::from_slice(&p[32..]));
        self.io.write(&mut d.hashes, i.checked_mul(32).ok_or(StepError::Inconsistent("a deposit count past any tree"))?, h.as_slice())?;
        d.acc = prev;
        d.unlinked = i;
        if i == 0 && prev != d.acc_from {
            return Err(missing("accumulator links ending at the block's first accumulator"));
        }
        Ok(())
    }

    /// Deposit `next`: its fields against the hash its link gave, and its data's first
    /// chunk.
    fn deposit_open(&mut self, l: &mut L1Inputs) -> Result<(), StepError> {
        let i = l.deposits.next.checked_sub(l.deposits.from).ok_or(StepError::Inconsistent("a next deposit below the block's first"))?;
        let h = self.io.words(&l.deposits.hashes, i, 1)?[0];
        let full = l.data.as_ref().and_then(|d| d.deposits.get(i as usize)).cloned();
        let p = self.io.preimage(h, || full.as_ref().map(faultline_primitives::Deposit::hash_preimage).unwrap_or_default())?;
        let (f, len, chunked) = parse_deposit(&p).ok_or_else(|| missing("a deposit's fields (nine canonical words)"))?;
        if f.index != l.deposits.next {
            return Err(missing("the deposit of the next index"));
        }
        l.deposits.next += 1;
        let mut tx = TxCtx {
            tx_type: 0,
            hash: B256::ZERO,
            sender: f.from,
            to: Some(f.to),
            value: f.value,
            data: Slice { tree: self.io.new_tree(&[]), offset: 0, len },
            data_zeros: 0,
            gas_limit: f.gas_limit,
            max_fee: 0,
            max_priority_fee: None,
            nonce: 0,
            chain_id: None,
            access: Tree::default(),
            access_items: (!self.io.is_witness()).then(Vec::new),
            access_len: 0,
            access_addresses: 0,
            mint: Some(f.mint),
            size: 0,
        };
        l.chunk = None;
        if len > 0 {
            let (bytes, next) = self.open_chunk(&mut tx.data.tree, ChunkCursor { expected: chunked, at: 0, len }, full.as_ref().map(|d| &d.data[..]))?;
            tx.data_zeros = zeros(&bytes);
            l.chunk = next;
        }
        self.tx = Some(tx);
        if l.chunk.is_none() {
            self.phase = Phase::Begin;
        }
        Ok(())
    }

    /// The current deposit's next data chunk.
    fn deposit_data(&mut self, l: &mut L1Inputs, c: ChunkCursor) -> Result<(), StepError> {
        let i = l.deposits.next.checked_sub(l.deposits.from.saturating_add(1)).ok_or(StepError::Inconsistent("deposit data before any deposit"))?;
        let full = l.data.as_ref().and_then(|d| d.deposits.get(i as usize)).map(|d| d.data.clone());
        let mut tx = self.tx.take().ok_or(StepError::Inconsistent("deposit data without its deposit"))?;
        let (bytes, next) = self.open_chunk(&mut tx.data.tree, c, full.as_ref().map(|b| &b[..]))?;
        tx.data_zeros += zeros(&bytes);
        self.tx = Some(tx);
        l.chunk = next;
        if next.is_none() {
            self.phase = Phase::Begin;
        }
        Ok(())
    }

    /// Opens the chunk at `c` of a chunked string into `tree`: its bytes, and the cursor
    /// after it (`None` after the last). `full` is the prover's whole string.
    fn open_chunk(&mut self, tree: &mut Tree, c: ChunkCursor, full: Option<&[u8]>) -> Result<(Vec<u8>, Option<ChunkCursor>), StepError> {
        let left = c.len.checked_sub(c.at).filter(|l| *l > 0).ok_or(StepError::Inconsistent("a chunk cursor past its string"))?;
        let n = left.min(CHUNK as u64);
        let last = left <= CHUNK as u64;
        let p = self.io.preimage(c.expected, || {
            let Some(s) = full else { return Vec::new() };
            let (at, end) = (c.at as usize, (c.at + n) as usize);
            let Some(bytes) = s.get(at..end) else { return Vec::new() };
            let mut p = bytes.to_vec();
            if !last {
                p.extend_from_slice(faultline_primitives::chunked::hash(&s[end..]).as_slice());
            }
            p
        })?;
        let want = if last { n } else { n + 32 };
        if p.len() as u64 != want {
            return Err(missing("a chunk of the length left (and the next chunk's hash)"));
        }
        let bytes = p[..n as usize].to_vec();
        self.io.write(tree, c.at, &bytes)?;
        let next = (!last).then(|| ChunkCursor { expected: B256::from_slice(&p[n as usize..]), at: c.at + n, len: c.len });
        Ok((bytes, next))
    }

    // ---- batch entries -----------------------------------------------------------

    /// Entry `next` of the block: its item proof (top-down, one preimage per level), its
    /// leaf and its first chunk, which holds the prefix.
    fn entry_open(&mut self, l: &mut L1Inputs) -> Result<(), StepError> {
        let b = l.batch.clone();
        match b.version {
            0 => {}
            1 => return self.blob_entry_open(l),
            _ => return Err(StepError::Inconsistent("a batch version other than 0 and 1")),
        }
        let index = b.first.saturating_add(1).saturating_add(b.next);
        if index >= b.item_count {
            return Err(StepError::Inconsistent("an entry past the batch's items"));
        }
        let data = l.data.clone();
        let mut node = b.root;
        for level in (0..item_depth(b.item_count)).rev() {
            // The node at height `level + 1` above item `index`; its children are at
            // `levels[level]`, an odd level's last node paired with zero.
            let p = self.io.preimage(node, || {
                let Some(children) = data.as_ref().and_then(|d| d.levels.get(level as usize)) else { return Vec::new() };
                let j = ((index >> (level + 1)) << 1) as usize;
                let child = |k: usize| children.get(k).copied().unwrap_or_default();
                [child(j).as_slice(), child(j + 1).as_slice()].concat()
            })?;
            if p.len() != 64 {
                return Err(missing("an item-proof node (two words)"));
            }
            node = if (index >> level) & 1 == 1 { B256::from_slice(&p[32..]) } else { B256::from_slice(&p[..32]) };
        }
        let raw = data.as_ref().and_then(|d| d.entries.get(b.next as usize)).cloned();
        let p = self.io.preimage(node, || raw.as_ref().map(|r| faultline_primitives::batch::tx_leaf_preimage(r).to_vec()).unwrap_or_default())?;
        if p.len() != 37 || p[0] != 0x02 {
            return Err(missing("a transaction leaf (0x02 ‖ len ‖ chunked hash)"));
        }
        let len = u32::from_be_bytes([p[1], p[2], p[3], p[4]]) as u64;
        let chunked = B256::from_slice(&p[5..]);
        if len == 0 {
            self.skip_entry(l, Skip::Undecodable("empty entry"));
            return Ok(());
        }
        let e = Entry { len, start: 0, raw: self.io.new_tree(&[]), body_start: 0, stage: EntryStage::Signature { at: 0 } };
        self.load_chunk(l, e, ChunkCursor { expected: chunked, at: 0, len }, Absorber::default())
    }

    /// Entry `next` of a blob batch: the payload table's two entries around it, opened
    /// by point evaluation; a void entry is skipped, else its bytes follow in TxChunk
    /// steps.
    fn blob_entry_open(&mut self, l: &mut L1Inputs) -> Result<(), StepError> {
        let b = l.batch.clone();
        let k = b.first_tx.saturating_add(b.next);
        let table =
            b.tx_total.checked_mul(3).filter(|t| *t <= b.length && k < b.tx_total).ok_or(StepError::Inconsistent("an entry past the blob batch's table"))?;
        let lo = if k == 0 { 0 } else { 3 * (k - 1) };
        let bytes = self.blob_bytes(l, lo, 3 * k + 3)?;
        let end = |i: usize| u64::from(bytes[i]) << 16 | u64::from(bytes[i + 1]) << 8 | u64::from(bytes[i + 2]);
        let (prev, this) = if k == 0 { (0, end(0)) } else { (end(0), end(3)) };
        if prev >= this || this > b.length - table {
            self.skip_entry(l, Skip::Undecodable("a void entry (docs/batches.md)"));
            return Ok(());
        }
        let len = this - prev;
        let cursor = ChunkCursor { expected: B256::ZERO, at: 0, len };
        l.entry = Some(Entry { len, start: table + prev, raw: Tree::default(), body_start: 0, stage: EntryStage::Load { cursor, hash: Absorber::default() } });
        Ok(())
    }

    /// Payload bytes `[lo, hi)` of the block's blob batch: the blobs' versioned hashes
    /// (the preimage of the record's digest), then each field element holding them,
    /// opened by point evaluation (byte 0 of an element is ignored: docs/batches.md).
    fn blob_bytes(&mut self, l: &L1Inputs, lo: u64, hi: u64) -> Result<Vec<u8>, StepError> {
        use faultline_primitives::blob::{evaluation_point, FIELD_ELEMENTS_PER_BLOB, PAYLOAD_BYTES_PER_ELEMENT};
        let per = PAYLOAD_BYTES_PER_ELEMENT as u64;
        let data = l.data.clone();
        let hashes = self.io.preimage(l.batch.blobs, || data.as_ref().map(|d| d.versioned_hashes.iter().flat_map(|h| h.0).collect()).unwrap_or_default())?;
        if hashes.is_empty() || !hashes.len().is_multiple_of(32) {
            return Err(missing("the blobs' versioned hashes"));
        }
        if hi <= lo {
            return Err(StepError::Inconsistent("an empty range of blob bytes"));
        }
        let mut out = Vec::with_capacity(((hi - lo) + 2 * per) as usize);
        let (first, last) = (lo / per, (hi - 1) / per);
        for e in first..=last {
            let (blob, g) = ((e / FIELD_ELEMENTS_PER_BLOB as u64) as usize, (e % FIELD_ELEMENTS_PER_BLOB as u64) as usize);
            let vh = hashes.get(32 * blob..32 * blob + 32).map(B256::from_slice).ok_or_else(|| missing("the versioned hash of a blob the payload reaches"))?;
            let z = B256::from(evaluation_point(g));
            let y = self.io.blob_element(vh, z, || data.as_ref()?.open(blob, g))?;
            out.extend_from_slice(&y[1..]);
        }
        let skip = (lo - first * per) as usize;
        Ok(out[skip..skip + (hi - lo) as usize].to_vec())
    }

    /// The next chunk of a blob entry: the bytes of up to [`BLOB_CHUNK_ELEMENTS`] field
    /// elements from the entry's next byte, written into its raw tree.
    fn blob_chunk(&mut self, l: &L1Inputs, e: &mut Entry, c: ChunkCursor) -> Result<(Vec<u8>, Option<ChunkCursor>), StepError> {
        let per = faultline_primitives::blob::PAYLOAD_BYTES_PER_ELEMENT as u64;
        let from = e.start.saturating_add(c.at);
        let to = e.start.saturating_add(c.len).min((from / per).saturating_add(BLOB_CHUNK_ELEMENTS).saturating_mul(per));
        let bytes = self.blob_bytes(l, from, to)?;
        self.io.write(&mut e.raw, c.at, &bytes)?;
        let at = c.at + bytes.len() as u64;
        Ok((bytes, (at < c.len).then_some(ChunkCursor { at, ..c })))
    }

    fn entry_step(&mut self, l: &mut L1Inputs, e: Entry) -> Result<StepKind, StepError> {
        match e.stage.clone() {
            EntryStage::Load { cursor, hash } => self.load_chunk(l, e, cursor, hash).map(|_| StepKind::TxChunk),
            EntryStage::AccessList { at } => {
                let w = self.window(&e, at, 9)?;
                match txdecode::list_payload(&w, at as usize, e.len as usize) {
                    Err(s) => self.skip_entry(l, s),
                    // An empty list (most transactions): the signature in the same step.
                    Ok(p) if p.len == 0 => {
                        self.signature(l, e, p.end() as u64)?;
                        return Ok(StepKind::TxSignature);
                    }
                    Ok(p) => self.next_access(l, e, p.start as u64, p.end() as u64),
                }
                Ok(StepKind::TxAccess)
            }
            EntryStage::AccessItem { at, end } => {
                let w = self.window(&e, at, ACCESS_ITEM_HEAD_MAX as u64)?;
                match txdecode::decode_access_item_head(&w, at as usize, end as usize) {
                    Err(s) => self.skip_entry(l, s),
                    Ok((address, keys, item_end)) => {
                        self.append_access(AccessItem { address, slot: None })?;
                        if keys.len > 0 {
                            l.entry = Some(Entry { stage: EntryStage::AccessKey { at: keys.start as u64, keys_end: item_end as u64, end, address }, ..e });
                        } else {
                            self.next_access(l, e, item_end as u64, end);
                        }
                    }
                }
                Ok(StepKind::TxAccess)
            }
            EntryStage::AccessKey { at, keys_end, end, address } => {
                let w = self.window(&e, at, STORAGE_KEY_LEN as u64)?;
                match txdecode::decode_storage_key(&w, at as usize, keys_end as usize) {
                    Err(s) => self.skip_entry(l, s),
                    Ok((key, next)) => {
                        self.append_access(AccessItem { address, slot: Some(key) })?;
                        if (next as u64) < keys_end {
                            l.entry = Some(Entry { stage: EntryStage::AccessKey { at: next as u64, keys_end, end, address }, ..e });
                        } else {
                            self.next_access(l, e, keys_end, end);
                        }
                    }
                }
                Ok(StepKind::TxAccess)
            }
            EntryStage::Signature { at } => self.signature(l, e, at).map(|_| StepKind::TxSignature),
            EntryStage::SignHash { mut sponge, at, body_end, tail, y_parity, r, s } => {
                let n = body_end.checked_sub(at).filter(|n| *n > 0).ok_or(StepError::Inconsistent("a signing hash past its body"))?.min(CHUNK as u64);
                let bytes = self.io.read(&e.raw, at, n as usize)?;
                sponge.update(&bytes, &mut self.io.meter);
                if at + n < body_end {
                    l.entry = Some(Entry { stage: EntryStage::SignHash { sponge, at: at + n, body_end, tail, y_parity, r, s }, ..e });
                } else {
                    sponge.update(&tail, &mut self.io.meter);
                    let h = sponge.finish(&mut self.io.meter);
                    self.recover(l, e, h, y_parity, r, s)?;
                }
                Ok(StepKind::TxSignHash)
            }
        }
    }

    /// The access list goes on at `at` within the list ending at `end`, or the signature
    /// follows it.
    fn next_access(&mut self, l: &mut L1Inputs, e: Entry, at: u64, end: u64) {
        let stage = if at < end { EntryStage::AccessItem { at, end } } else { EntryStage::Signature { at: end } };
        l.entry = Some(Entry { stage, ..e });
    }

    /// Appends one item to the current transaction's access-list tree.
    fn append_access(&mut self, item: AccessItem) -> Result<(), StepError> {
        let tx = self.tx.as_mut().ok_or(StepError::Inconsistent("an access list without its transaction"))?;
        let word = self.io.meter.hash(&item);
        let at = tx.access_len.checked_mul(32).ok_or(StepError::Inconsistent("an access list past any tree"))?;
        self.io.write(&mut tx.access, at, word.as_slice())?;
        tx.access_len += 1;
        if item.slot.is_none() {
            tx.access_addresses += 1;
        }
        if let Some(items) = tx.access_items.as_mut() {
            items.push(item);
        }
        Ok(())
    }

    /// Bytes `[at, min(at + n, len))` of the entry, placed at `at` of a buffer (zeros
    /// before), so the decoder reads them at their positions.
    fn window(&mut self, e: &Entry, at: u64, n: u64) -> Result<Vec<u8>, StepError> {
        if at > e.len || e.len > MAX_ENTRY {
            return Err(StepError::Inconsistent("an entry position past its length"));
        }
        let end = at.saturating_add(n).min(e.len);
        let bytes = self.io.read(&e.raw, at, end.saturating_sub(at) as usize)?;
        let mut w = vec![0u8; at as usize];
        w.extend_from_slice(&bytes);
        Ok(w)
    }

    /// The next chunk of an entry: into its raw tree and its hash; the first decodes the
    /// prefix (the transaction's fields up to its data), and every one counts the zero
    /// bytes of the data it holds.
    fn load_chunk(&mut self, l: &mut L1Inputs, mut e: Entry, cursor: ChunkCursor, mut hash: Absorber) -> Result<(), StepError> {
        let (bytes, next) = if l.batch.version == 1 {
            self.blob_chunk(l, &mut e, cursor)?
        } else {
            let full = l.data.as_ref().and_then(|d| d.entries.get(l.batch.next as usize)).cloned();
            self.open_chunk(&mut e.raw, cursor, full.as_ref().map(|b| &b[..]))?
        };
        if cursor.at == 0 {
            let head = &bytes[..bytes.len().min(PREFIX_MAX)];
            match txdecode::decode_prefix(head, e.len as usize) {
                Err(s) => {
                    self.skip_entry(l, s);
                    return Ok(());
                }
                Ok(p) => {
                    e.body_start = p.body_start as u64;
                    let f = p.fields;
                    self.tx = Some(TxCtx {
                        tx_type: f.tx_type,
                        hash: B256::ZERO,
                        sender: Address::ZERO,
                        to: f.to,
                        value: f.value,
                        data: Slice { tree: Tree::default(), offset: f.data.start as u64, len: f.data.len as u64 },
                        data_zeros: 0,
                        gas_limit: f.gas_limit,
                        max_fee: f.max_fee,
                        max_priority_fee: f.max_priority_fee,
                        nonce: f.nonce,
                        chain_id: f.chain_id,
                        access: Tree::default(),
                        access_items: (!self.io.is_witness()).then(Vec::new),
                        access_len: 0,
                        access_addresses: 0,
                        mint: None,
                        size: e.len,
                    });
                }
            }
        }
        let tx = self.tx.as_mut().ok_or(StepError::Inconsistent("an entry's chunk without its transaction"))?;
        let (lo, hi) = (tx.data.offset.max(cursor.at), tx.data.offset.saturating_add(tx.data.len).min(cursor.at.saturating_add(bytes.len() as u64)));
        if lo < hi {
            tx.data_zeros += zeros(&bytes[(lo - cursor.at) as usize..(hi - cursor.at) as usize]);
        }
        match next {
            Some(c) => {
                hash.update(&bytes, &mut self.io.meter);
                e.stage = EntryStage::Load { cursor: c, hash };
            }
            None => {
                // An entry of one chunk hashes with keccak256 itself; a longer one finishes
                // its sponge.
                tx.hash = if cursor.at == 0 {
                    self.io.meter.keccak(&bytes)
                } else {
                    hash.update(&bytes, &mut self.io.meter);
                    hash.finish(&mut self.io.meter)
                };
                let data_end = tx.data.offset.saturating_add(tx.data.len);
                e.stage = if tx.tx_type == 0 { EntryStage::Signature { at: data_end } } else { EntryStage::AccessList { at: data_end } };
            }
        }
        l.entry = Some(e);
        Ok(())
    }

    /// The signature at `at`; then the signing hash, at once if the body fits a step.
    fn signature(&mut self, l: &mut L1Inputs, e: Entry, at: u64) -> Result<(), StepError> {
        if e.body_start > at {
            return Err(StepError::Inconsistent("a signature before the signed fields"));
        }
        if e.len.checked_sub(at).ok_or(StepError::Inconsistent("a signature past its entry"))? > SIGNATURE_MAX as u64 {
            self.skip_entry(l, Skip::Undecodable("list length mismatch"));
            return Ok(());
        }
        let w = self.window(&e, at, SIGNATURE_MAX as u64)?;
        let tx_type = self.tx.as_ref().map_or(0, |t| t.tx_type);
        let prefix = txdecode::Prefix { fields: Default::default(), list: Default::default(), body_start: e.body_start as usize };
        let mut d = txdecode::Decoded { tx_type, ..Default::default() };
        if let Err(s) = txdecode::decode_signature(&w, at as usize, e.len as usize, &prefix, &mut d) {
            self.skip_entry(l, s);
            return Ok(());
        }
        if tx_type == 0 {
            if let Some(tx) = self.tx.as_mut() {
                tx.chain_id = d.chain_id;
            }
        }
        let p = d.signing;
        let mut sponge = Absorber::default();
        let (start, end) = (p.body.start as u64, p.body.end() as u64);
        if end - start <= CHUNK as u64 {
            let body = self.io.read(&e.raw, start, (end - start) as usize)?;
            let h = self.io.meter.keccak(&[p.head.as_slice(), &body, &p.tail].concat());
            return self.recover(l, e, h, d.y_parity, d.r, d.s);
        }
        sponge.update(&p.head, &mut self.io.meter);
        l.entry = Some(Entry { stage: EntryStage::SignHash { sponge, at: start, body_end: end, tail: p.tail, y_parity: d.y_parity, r: d.r, s: d.s }, ..e });
        Ok(())
    }

    /// The sender by `ecrecover` of the signing hash `h`: the transaction is complete and
    /// tx-begin follows; or the entry is skipped.
    fn recover(&mut self, l: &mut L1Inputs, e: Entry, h: B256, y_parity: bool, r: U256, s: U256) -> Result<(), StepError> {
        let d = txdecode::Decoded { y_parity, r, s, ..Default::default() };
        self.io.meter.precompile(crate::gas::ECRECOVER);
        match txdecode::recover(&d, h) {
            Err(s) => self.skip_entry(l, s),
            Ok(sender) => {
                let tx = self.tx.as_mut().ok_or(StepError::Inconsistent("a signature without its transaction"))?;
                tx.sender = sender;
                tx.data.tree = e.raw;
                l.entry = None;
                l.batch.next += 1;
                self.phase = Phase::Begin;
            }
        }
        Ok(())
    }

    /// Drops the current entry, as derivation skips it.
    fn skip_entry(&mut self, l: &mut L1Inputs, why: Skip) {
        self.tx = None;
        l.entry = None;
        l.skipped.push((l.batch.next, why.to_string()));
        l.batch.next += 1;
    }
}

fn zeros(bytes: &[u8]) -> u64 {
    bytes.iter().filter(|b| **b == 0).count() as u64
}
