//! The canonical byte encodings (docs/fault-vm.md, "Byte encodings"): the [`Encode`]
//! trait every committed part implements, and the big-endian helpers its impls share.

use crate::meter::Meter;
use alloy_primitives::{Address, B256, U256};

/// Canonical byte encoding, the preimage of a part's hash. A part holding a word tree or a
/// hash stack encodes its root or head, which a buffer the step built computes on the way:
/// `m` counts those hashes ([`Meter::hash`] hashes a whole encoding).
pub trait Encode {
    /// Appends the encoding.
    fn encode(&self, out: &mut Vec<u8>, m: &mut Meter);
    /// Length of the encoding.
    fn encoded_len(&self) -> usize {
        let mut v = Vec::new();
        self.encode(&mut v, &mut Meter::default());
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
    fn encode(&self, out: &mut Vec<u8>, _: &mut Meter) {
        put_u256(out, self)
    }
    fn encoded_len(&self) -> usize {
        32
    }
}

impl Encode for Address {
    fn encode(&self, out: &mut Vec<u8>, _: &mut Meter) {
        out.extend_from_slice(self.as_slice())
    }
    fn encoded_len(&self) -> usize {
        20
    }
}

/// keccak256 of a part's encoding, not counted: the prover's (building inputs, outside any
/// step). A step hashes with [`Meter::hash`].
pub fn hash_of<T: Encode + ?Sized>(x: &T) -> B256 {
    Meter::default().hash(x)
}
