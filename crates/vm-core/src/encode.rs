//! The canonical byte encodings (docs/fault-vm.md, "Byte encodings"): the [`Encode`]
//! trait every committed part implements, and the big-endian helpers its impls share.

use alloy_primitives::{Address, B256, U256};

/// Canonical byte encoding, the preimage of a part's hash.
pub trait Encode {
    /// Appends the encoding.
    fn encode(&self, out: &mut Vec<u8>);
    /// keccak256 of the encoding (counted by [`crate::meter`]).
    fn hash(&self) -> B256 {
        let mut v = Vec::new();
        self.encode(&mut v);
        crate::meter::keccak(&v)
    }
    /// Length of the encoding.
    fn encoded_len(&self) -> usize {
        let mut v = Vec::new();
        self.encode(&mut v);
        v.len()
    }
}

/// Appends `v` as 8 big-endian bytes.
pub fn put_u64(out: &mut Vec<u8>, v: u64) {
    out.extend_from_slice(&v.to_be_bytes());
}
/// Appends `v` as 32 big-endian bytes.
pub fn put_u256(out: &mut Vec<u8>, v: &U256) {
    out.extend_from_slice(&v.to_be_bytes::<32>());
}

impl Encode for U256 {
    fn encode(&self, out: &mut Vec<u8>) {
        put_u256(out, self)
    }
    fn encoded_len(&self) -> usize {
        32
    }
}

impl Encode for Address {
    fn encode(&self, out: &mut Vec<u8>) {
        out.extend_from_slice(self.as_slice())
    }
    fn encoded_len(&self) -> usize {
        20
    }
}
