//! A batch entry decoded the way the L2 runs it (docs/fault-vm-inputs.md, "TxDecode"):
//! the entries that alloy's `TxEnvelope::decode_2718_exact` accepts as a legacy, EIP-2930
//! or EIP-1559 transaction, with the sender recovered under EIP-2's low-s rule, and
//! nothing else. Every other entry (void, undecodable, a blob or EIP-7702 transaction,
//! which the executor skips, a signature that does not recover) is skipped by
//! derivation, and so by the machine.
//!
//! The decoder reads the entry in three bounded pieces, so that the fault VM can take
//! each piece in one step from a word tree: the **prefix** (the type byte, the list
//! header and every field up to the data's header: at most [`PREFIX_MAX`] bytes), the
//! **access list** (typed transactions; walked item by item), and the **signature** at the
//! end (at most [`SIGNATURE_MAX`] bytes). The data itself is never read: it is a range of
//! the entry. The signing hash is `keccak256(head ‖ raw[body] ‖ tail)` with the parts of
//! [`SigningPayload`], so it too is hashed from the entry's bytes in place.
//!
//! The rules are canonical RLP as alloy-rlp decodes it: no leading zero in an integer or
//! a length, the shortest length form, a single byte below 0x80 as itself, a list's items
//! exactly filling it, nothing after the transaction. The differential test in
//! `crates/vm-prover/tests/entries.rs` holds this module, whole and in the machine's
//! pieces, to alloy on valid transactions of every kind and on their mutations.

use alloy_primitives::{Address, U256};

/// Most bytes of an entry before its data (the type byte, the list header, and every
/// field up to the data's own header, each at its widest): what the first decoding step
/// reads.
pub const PREFIX_MAX: usize = 1 + 9 + 9 + 9 + 17 + 17 + 9 + 21 + 33 + 9;
/// Most bytes of a signature at an entry's end (`v` or y-parity, `r`, `s`).
pub const SIGNATURE_MAX: usize = 17 + 33 + 33;

/// Why an entry is skipped.
#[derive(Debug, Clone, PartialEq, Eq, thiserror::Error)]
pub enum Skip {
    /// Not a well-formed EIP-2718 transaction of a type alloy decodes.
    #[error("undecodable entry: {0}")]
    Undecodable(&'static str),
    /// A blob (3) or EIP-7702 (4) transaction, or another type byte: not run on the L2.
    #[error("transaction type {0} is not run on the L2")]
    Unsupported(u8),
    /// The signature does not recover a sender (EIP-2 high `s`, or no point).
    #[error("bad signature: {0}")]
    BadSignature(&'static str),
}

fn bad<T>(why: &'static str) -> Result<T, Skip> {
    Err(Skip::Undecodable(why))
}

/// A byte range `[start, start + len)` of the entry.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Default)]
pub struct Span {
    /// First byte.
    pub start: usize,
    /// Length.
    pub len: usize,
}

impl Span {
    /// One past the last byte.
    pub fn end(&self) -> usize {
        self.start + self.len
    }
}

/// What the signing hash is the keccak256 of: `head ‖ raw[body] ‖ tail`.
#[derive(Debug, Clone, PartialEq, Eq, Default)]
pub struct SigningPayload {
    /// The type byte (typed transactions) and the re-encoded list header.
    pub head: Vec<u8>,
    /// The fields that are signed, in place in the entry.
    pub body: Span,
    /// EIP-155: `rlp(chainId) ‖ 0x80 ‖ 0x80`; else empty.
    pub tail: Vec<u8>,
}

/// An entry's fields, decoded.
#[derive(Debug, Clone, PartialEq, Eq, Default)]
pub struct Decoded {
    /// 0 (legacy), 1 (EIP-2930) or 2 (EIP-1559).
    pub tx_type: u8,
    /// The chain id (`None`: a legacy transaction without EIP-155).
    pub chain_id: Option<u64>,
    /// Nonce.
    pub nonce: u64,
    /// Legacy and EIP-2930 gas price, or the EIP-1559 fee cap.
    pub max_fee: u128,
    /// EIP-1559 tip cap.
    pub max_priority_fee: Option<u128>,
    /// Gas limit.
    pub gas_limit: u64,
    /// Recipient; `None` creates.
    pub to: Option<Address>,
    /// Value.
    pub value: U256,
    /// The data, in place.
    pub data: Span,
    /// The access list's payload, in place (typed transactions; empty for legacy).
    pub access_list: Span,
    /// The signature's y-parity.
    pub y_parity: bool,
    /// Signature `r`.
    pub r: U256,
    /// Signature `s`.
    pub s: U256,
    /// What the signature signs.
    pub signing: SigningPayload,
}

/// An RLP item header.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
struct Item {
    list: bool,
    /// The payload (for a single byte below 0x80: that byte).
    payload: Span,
}

/// Reads the header of the item at `at` of `buf` (canonical forms only), whose payload
/// must lie within `buf[..limit]`.
fn item(buf: &[u8], at: usize, limit: usize) -> Result<Item, Skip> {
    header(buf, at, limit.min(buf.len()))
}

/// [`item`] for a header whose bytes are in `buf` while its payload may extend to `limit`,
/// past `buf`'s end (the list and the data of an entry read from its prefix only).
fn header(buf: &[u8], at: usize, limit: usize) -> Result<Item, Skip> {
    let b = *buf.get(at).filter(|_| at < limit).ok_or(Skip::Undecodable("input too short"))?;
    let (list, start, len) = match b {
        0x00..=0x7f => (false, at, 1),
        0x80..=0xb7 => {
            let len = (b - 0x80) as usize;
            if len == 1 && *buf.get(at + 1).filter(|_| at + 1 < limit).ok_or(Skip::Undecodable("input too short"))? < 0x80 {
                return bad("non-canonical single byte");
            }
            (false, at + 1, len)
        }
        0xc0..=0xf7 => (true, at + 1, (b - 0xc0) as usize),
        0xb8..=0xbf | 0xf8..=0xff => {
            let list = b >= 0xf8;
            let len_of_len = (b - if list { 0xf7 } else { 0xb7 }) as usize;
            let bytes = buf.get(at + 1..at + 1 + len_of_len).filter(|_| at + 1 + len_of_len <= limit).ok_or(Skip::Undecodable("input too short"))?;
            if bytes[0] == 0 {
                return bad("leading zero in a length");
            }
            let len = bytes.iter().fold(0u128, |v, x| (v << 8) | *x as u128);
            if len < 56 {
                return bad("non-canonical length");
            }
            let len = usize::try_from(len).map_err(|_| Skip::Undecodable("input too big"))?;
            (list, at + 1 + len_of_len, len)
        }
    };
    if start.checked_add(len).is_none_or(|end| end > limit) {
        return bad("input too short");
    }
    Ok(Item { list, payload: Span { start, len } })
}

/// A canonical unsigned integer of at most `max` bytes at `at`; returns it and the next
/// position.
fn uint(buf: &[u8], at: usize, limit: usize, max: usize) -> Result<(U256, usize), Skip> {
    let it = item(buf, at, limit)?;
    if it.list {
        return bad("a list where an integer belongs");
    }
    let p = &buf[it.payload.start..it.payload.end()];
    if p.len() > max {
        return bad("integer overflow");
    }
    if p.first() == Some(&0) {
        return bad("leading zero in an integer");
    }
    Ok((U256::from_be_slice(p), it.payload.end()))
}

fn uint64(buf: &[u8], at: usize, limit: usize) -> Result<(u64, usize), Skip> {
    let (v, next) = uint(buf, at, limit, 8)?;
    Ok((v.to::<u64>(), next))
}

fn uint128(buf: &[u8], at: usize, limit: usize) -> Result<(u128, usize), Skip> {
    let (v, next) = uint(buf, at, limit, 16)?;
    Ok((v.to::<u128>(), next))
}

/// A byte string at `at`; returns its payload and the next position.
fn string(buf: &[u8], at: usize, limit: usize) -> Result<(Span, usize), Skip> {
    let it = item(buf, at, limit)?;
    if it.list {
        return bad("a list where a string belongs");
    }
    Ok((it.payload, it.payload.end()))
}

/// A recipient: the empty string (create) or 20 bytes.
fn kind(buf: &[u8], at: usize, limit: usize) -> Result<(Option<Address>, usize), Skip> {
    if buf.get(at) == Some(&0x80) && at < limit {
        return Ok((None, at + 1));
    }
    let (s, next) = string(buf, at, limit)?;
    if s.len != 20 {
        return bad("a recipient that is neither empty nor 20 bytes");
    }
    Ok((Some(Address::from_slice(&buf[s.start..s.end()])), next))
}

/// The RLP encoding of an unsigned integer (the EIP-155 tail).
fn encode_uint(v: u64) -> Vec<u8> {
    let bytes = v.to_be_bytes();
    let trimmed: Vec<u8> = bytes.iter().copied().skip_while(|b| *b == 0).collect();
    match trimmed.as_slice() {
        [] => vec![0x80],
        [b] if *b < 0x80 => vec![*b],
        t => [vec![0x80 + t.len() as u8], t.to_vec()].concat(),
    }
}

/// A list header for a payload of `len` bytes.
fn list_header(len: usize) -> Vec<u8> {
    if len < 56 {
        return vec![0xc0 + len as u8];
    }
    let bytes: Vec<u8> = (len as u64).to_be_bytes().iter().copied().skip_while(|b| *b == 0).collect();
    [vec![0xf7 + bytes.len() as u8], bytes].concat()
}

/// Where the prefix piece leaves the decoder: the fields read so far, and where the data
/// (and after it the access list or the signature) lies.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct Prefix {
    /// The fields up to the data (data, access list and signature still default).
    pub fields: Decoded,
    /// The transaction list's payload, in place.
    pub list: Span,
    /// Where the signed fields start (the first field).
    pub body_start: usize,
}

/// Piece 1: the type byte, the list header and the fields up to the data's header, read
/// from `head`, the entry's first `min(len, PREFIX_MAX)` bytes, of an entry `len` bytes
/// long. Fails with [`Skip::Unsupported`] for a type the L2 does not run.
pub fn decode_prefix(head: &[u8], len: usize) -> Result<Prefix, Skip> {
    let first = *head.first().ok_or(Skip::Undecodable("empty entry"))?;
    let (tx_type, list_at) = match first {
        0xc0..=0xff => (0u8, 0usize),
        1 | 2 => (first, 1),
        0x80..=0xbf => return bad("a string where a transaction belongs"),
        t => return Err(Skip::Unsupported(t)),
    };
    // The list header is read against the whole entry's length; the fields against the
    // prefix bytes at hand (which hold them all, at their widest).
    let tx_list = header(head, list_at, len)?;
    if !tx_list.list {
        return bad("a string where a transaction belongs");
    }
    if tx_list.payload.end() != len {
        return bad("bytes after the transaction");
    }
    let mut d = Decoded { tx_type, ..Default::default() };
    let end = tx_list.payload.end();
    let mut at = tx_list.payload.start;
    let body_start = at;
    if tx_type != 0 {
        let (c, n) = uint64(head, at, end)?;
        d.chain_id = Some(c);
        at = n;
    }
    let (nonce, n) = uint64(head, at, end)?;
    d.nonce = nonce;
    at = n;
    if tx_type == 2 {
        let (tip, n) = uint128(head, at, end)?;
        d.max_priority_fee = Some(tip);
        at = n;
    }
    let (fee, n) = uint128(head, at, end)?;
    d.max_fee = fee;
    let (gas, n) = uint64(head, n, end)?;
    d.gas_limit = gas;
    let (to, n) = kind(head, n, end)?;
    d.to = to;
    let (value, n) = uint(head, n, end, 32)?;
    d.value = value;
    // The data's header: its payload may run past the prefix bytes.
    let data = header(head, n, end)?;
    if data.list {
        return bad("a list where the data belongs");
    }
    d.data = data.payload;
    Ok(Prefix { fields: d, list: tx_list.payload, body_start })
}

/// One access-list item: an address and its storage keys, each in place.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct AccessEntry {
    /// The address.
    pub address: Address,
    /// The storage keys' positions (32 bytes each).
    pub keys: Vec<usize>,
}

/// Piece 2: the access list of a typed transaction, at `at` (the data's end) within the
/// transaction list ending at `end`: the items and the position after the list. The
/// machine walks the same list one item per step.
pub fn decode_access_list(raw: &[u8], at: usize, end: usize) -> Result<(Span, Vec<AccessEntry>, usize), Skip> {
    let list = item(raw, at, end)?;
    if !list.list {
        return bad("a string where the access list belongs");
    }
    let mut items = Vec::new();
    let mut p = list.payload.start;
    while p < list.payload.end() {
        let (entry, next) = decode_access_item(raw, p, list.payload.end())?;
        items.push(entry);
        p = next;
    }
    Ok((list.payload, items, list.payload.end()))
}

/// One item of an access list at `at`, within the list's payload ending at `end`.
pub fn decode_access_item(raw: &[u8], at: usize, end: usize) -> Result<(AccessEntry, usize), Skip> {
    let (address, keys_span, item_end) = decode_access_item_head(raw, at, end)?;
    let mut keys = Vec::new();
    let mut k = keys_span.start;
    while k < keys_span.end() {
        let (_, next) = decode_storage_key(raw, k, keys_span.end())?;
        keys.push(k + 1);
        k = next;
    }
    Ok((AccessEntry { address, keys }, item_end))
}

/// The list header at `at` of a list whose payload must end by `limit` but may run past
/// `buf` (the machine reads the header alone): its payload.
pub fn list_payload(buf: &[u8], at: usize, limit: usize) -> Result<Span, Skip> {
    let it = header(buf, at, limit)?;
    if !it.list {
        return bad("a string where the access list belongs");
    }
    Ok(it.payload)
}

/// The head of the access-list item at `at`, within the list's payload ending at `end`:
/// its address, its storage keys' payload and the item's end. Reads at most
/// [`ACCESS_ITEM_HEAD_MAX`] bytes; the keys may run past `buf`.
pub fn decode_access_item_head(buf: &[u8], at: usize, end: usize) -> Result<(Address, Span, usize), Skip> {
    let it = header(buf, at, end)?;
    if !it.list {
        return bad("a string where an access-list item belongs");
    }
    let (a, p) = string(buf, it.payload.start, it.payload.end())?;
    if a.len != 20 {
        return bad("an access-list address that is not 20 bytes");
    }
    let keys_list = header(buf, p, it.payload.end())?;
    if !keys_list.list {
        return bad("a string where storage keys belong");
    }
    if keys_list.payload.end() != it.payload.end() {
        return bad("an access-list item with extra fields");
    }
    Ok((Address::from_slice(&buf[a.start..a.end()]), keys_list.payload, it.payload.end()))
}

/// Most bytes of an access-list item before its first key: the item's header, the
/// address and the keys' list header, each at its widest.
pub const ACCESS_ITEM_HEAD_MAX: usize = 9 + 21 + 9;

/// Bytes of one storage key in an access list.
pub const STORAGE_KEY_LEN: usize = 33;

/// The storage key at `at`, within the keys' payload ending at `end`: it and the next
/// position.
pub fn decode_storage_key(buf: &[u8], at: usize, end: usize) -> Result<(alloy_primitives::B256, usize), Skip> {
    let (s, next) = string(buf, at, end)?;
    if s.len != 32 {
        return bad("a storage key that is not 32 bytes");
    }
    Ok((alloy_primitives::B256::from_slice(&buf[s.start..s.end()]), next))
}

/// Piece 3: the signature at `at` (after the data, or after the access list), which must
/// end the transaction list at `end`. Also fixes the signing payload.
pub fn decode_signature(raw: &[u8], at: usize, end: usize, prefix: &Prefix, d: &mut Decoded) -> Result<(), Skip> {
    let body_end = at;
    let next = if d.tx_type == 0 {
        let (v, n) = uint(raw, at, end, 16)?;
        let v = v.to::<u128>();
        let (parity, chain_id) = match v {
            27 => (false, None),
            28 => (true, None),
            v @ 35.. if (v - 35) / 2 <= u64::MAX as u128 => ((v - 35) % 2 != 0, Some(((v - 35) / 2) as u64)),
            _ => return bad("invalid parity value"),
        };
        d.y_parity = parity;
        d.chain_id = chain_id;
        n
    } else {
        let (v, n) = uint(raw, at, end, 1)?;
        d.y_parity = match v.to::<u8>() {
            0 => false,
            1 => true,
            _ => return bad("a y-parity that is not 0 or 1"),
        };
        n
    };
    let (r, n) = uint(raw, next, end, 32)?;
    let (s, n) = uint(raw, n, end, 32)?;
    if n != end {
        return bad("list length mismatch");
    }
    d.r = r;
    d.s = s;
    let body = Span { start: prefix.body_start, len: body_end - prefix.body_start };
    d.signing = match (d.tx_type, d.chain_id) {
        (0, Some(c)) => {
            let tail = [encode_uint(c), vec![0x80, 0x80]].concat();
            SigningPayload { head: list_header(body.len + tail.len()), body, tail }
        }
        (0, None) => SigningPayload { head: list_header(body.len), body, tail: Vec::new() },
        (t, _) => SigningPayload { head: [vec![t], list_header(body.len)].concat(), body, tail: Vec::new() },
    };
    Ok(())
}

/// Decodes a whole entry (the three pieces in order). The fault VM takes the same pieces
/// one step each.
pub fn decode(raw: &[u8]) -> Result<Decoded, Skip> {
    let prefix = decode_prefix(&raw[..raw.len().min(PREFIX_MAX)], raw.len())?;
    let mut d = prefix.fields.clone();
    let end = prefix.list.end();
    let mut at = d.data.end();
    if d.tx_type != 0 {
        let (span, _, next) = decode_access_list(raw, at, end)?;
        d.access_list = span;
        at = next;
    }
    decode_signature(raw, at, end, &prefix, &mut d)?;
    Ok(d)
}

/// secp256k1's order halved: a larger `s` is refused (EIP-2), as alloy's `recover_signer`
/// does.
pub const SECP256K1N_HALF: U256 = U256::from_be_bytes([
    0x7F, 0xFF, 0xFF, 0xFF, 0xFF, 0xFF, 0xFF, 0xFF, 0xFF, 0xFF, 0xFF, 0xFF, 0xFF, 0xFF, 0xFF, 0xFF, 0x5D, 0x57, 0x6E, 0x73, 0x57, 0xA4, 0x50, 0x1D, 0xDF, 0xE9,
    0x2F, 0x46, 0x68, 0x1B, 0x20, 0xA0,
]);

/// The input of the `ecrecover` precompile (0x01) that recovers `d`'s sender from its
/// signing hash, or why none can: the machine calls the precompile with it (the L1
/// verifier calls L1's), so that recovery is the same on both sides.
pub fn ecrecover_input(d: &Decoded, signing_hash: alloy_primitives::B256) -> Result<[u8; 128], Skip> {
    if d.s > SECP256K1N_HALF {
        return Err(Skip::BadSignature("s above secp256k1n/2 (EIP-2)"));
    }
    let mut input = [0u8; 128];
    input[..32].copy_from_slice(signing_hash.as_slice());
    input[63] = 27 + d.y_parity as u8;
    input[64..96].copy_from_slice(&d.r.to_be_bytes::<32>());
    input[96..].copy_from_slice(&d.s.to_be_bytes::<32>());
    Ok(input)
}

/// The sender of `d` by the `ecrecover` precompile (revm's, as the machine runs it).
pub fn recover(d: &Decoded, signing_hash: alloy_primitives::B256) -> Result<Address, Skip> {
    let input = ecrecover_input(d, signing_hash)?;
    let p = revm::precompile::Precompiles::cancun().get(&Address::with_last_byte(1)).ok_or(Skip::BadSignature("no ecrecover precompile"))?;
    match p.execute(&input, 3_000, 0) {
        Ok(out) if out.status.is_success() && out.bytes.len() == 32 => Ok(Address::from_slice(&out.bytes[12..])),
        _ => Err(Skip::BadSignature("no point recovers it")),
    }
}

/// `keccak256(head ‖ raw[body] ‖ tail)`.
pub fn signing_hash(raw: &[u8], p: &SigningPayload) -> alloy_primitives::B256 {
    let mut buf = p.head.clone();
    buf.extend_from_slice(&raw[p.body.start..p.body.end()]);
    buf.extend_from_slice(&p.tail);
    alloy_primitives::keccak256(&buf)
}

#[cfg(test)]
mod tests {
    //! The differential tests against alloy (whole entries and the machine's pieces, on
    //! valid and mutated transactions) are in `crates/vm-prover/tests/entries.rs`.
    use super::*;

    #[test]
    fn header_bytes_and_types() {
        // Types the L2 does not run, strings, an empty entry, junk.
        for (raw, skip) in [(vec![3u8, 0xc0], Skip::Unsupported(3)), (vec![4u8, 0xc0], Skip::Unsupported(4)), (vec![0x7f, 0xc0], Skip::Unsupported(0x7f))] {
            assert_eq!(decode(&raw), Err(skip));
        }
        assert!(matches!(decode(&[]), Err(Skip::Undecodable(_))));
        assert!(matches!(decode(&[0x83, 1, 2, 3]), Err(Skip::Undecodable(_))));
        assert!(matches!(decode(&[0xc0]), Err(Skip::Undecodable(_))));
    }
}
