//! The blob layout of a blob batch's payload (`docs/batches.md`, "Blob batches"): how
//! payload bytes are laid into EIP-4844 blobs and read back, and the KZG pieces the
//! batcher, derivation and the L1 opening need (versioned hashes, the evaluation point
//! of a field element, single-element opening proofs).
//!
//! Each blob is 4096 field elements of 32 bytes. Element `i` of blob `b` carries payload
//! bytes `[31·(4096·b + i), +31)` in its bytes 1..32. Its byte 0 is written as zero (which
//! keeps every element below the BLS12-381 scalar modulus) and **ignored** when reading,
//! as are bytes past the payload's length: reading never fails, so a blob posted by a
//! faulty sequencer has one meaning, and a one-step proof that opens an element with the
//! point-evaluation precompile reads exactly what derivation read.

use alloy_eips::eip4844::env_settings::EnvKzgSettings;
use alloy_primitives::{FixedBytes, B256, U256};

/// Field elements in a blob.
pub const FIELD_ELEMENTS_PER_BLOB: usize = 4096;
/// Payload bytes carried by one field element.
pub const PAYLOAD_BYTES_PER_ELEMENT: usize = 31;
/// Payload bytes carried by one blob (126,976).
pub const PAYLOAD_BYTES_PER_BLOB: usize = FIELD_ELEMENTS_PER_BLOB * PAYLOAD_BYTES_PER_ELEMENT;
/// Bytes of one blob.
pub const BYTES_PER_BLOB: usize = FIELD_ELEMENTS_PER_BLOB * 32;
/// Most blobs one L1 transaction may carry (the per-transaction cap of Osaka, EIP-7594).
pub const MAX_BLOBS_PER_TX: usize = 6;

/// The BLS12-381 scalar field modulus.
pub const BLS_MODULUS: U256 = U256::from_be_bytes(alloy_primitives::hex!("73eda753299d7d483339d80809a1d80553bda402fffe5bfeffffffff00000001"));
/// A primitive 4096th root of unity of the scalar field: `7^((r-1)/4096) mod r` (7 is the
/// field's multiplicative generator in the KZG spec).
pub fn root_of_unity() -> U256 {
    U256::from(7).pow_mod((BLS_MODULUS - U256::from(1)) / U256::from(FIELD_ELEMENTS_PER_BLOB), BLS_MODULUS)
}

/// One blob's bytes.
pub type Blob = FixedBytes<BYTES_PER_BLOB>;

/// Why blobs could not be read or committed to.
#[derive(Debug, Clone, PartialEq, Eq, thiserror::Error)]
pub enum BlobError {
    /// The number of blobs is not the one the length needs.
    #[error("{got} blobs for {length} payload bytes (needs {expected})")]
    BlobCount {
        /// Stated payload length.
        length: usize,
        /// Blobs the length needs.
        expected: usize,
        /// Blobs present.
        got: usize,
    },
    /// A blob is not a valid blob (an element at or above the field modulus).
    #[error("KZG: {0}")]
    Kzg(String),
}

/// Blobs a payload of `length` bytes needs (at least one, so an empty payload still
/// has a commitment).
pub fn blobs_for(length: usize) -> usize {
    length.div_ceil(PAYLOAD_BYTES_PER_BLOB).max(1)
}

/// Lays `payload` into blobs.
pub fn encode(payload: &[u8]) -> Vec<Blob> {
    let mut blobs = vec![Blob::ZERO; blobs_for(payload.len())];
    for (j, chunk) in payload.chunks(PAYLOAD_BYTES_PER_ELEMENT).enumerate() {
        let (blob, element) = (j / FIELD_ELEMENTS_PER_BLOB, j % FIELD_ELEMENTS_PER_BLOB);
        let at = element * 32 + 1;
        blobs[blob][at..at + chunk.len()].copy_from_slice(chunk);
    }
    blobs
}

/// Reads back `length` payload bytes. Only the blob count is checked (it is fixed by the
/// length, and the inbox enforces it); every element's byte 0 and everything past the
/// length are ignored.
pub fn decode(blobs: &[Blob], length: usize) -> Result<Vec<u8>, BlobError> {
    let expected = blobs_for(length);
    if blobs.len() != expected {
        return Err(BlobError::BlobCount { length, expected, got: blobs.len() });
    }
    let mut out = Vec::with_capacity(length);
    for blob in blobs {
        for element in blob.chunks_exact(32) {
            let keep = (length - out.len()).min(PAYLOAD_BYTES_PER_ELEMENT);
            out.extend_from_slice(&element[1..1 + keep]);
            if out.len() == length {
                return Ok(out);
            }
        }
    }
    Ok(out)
}

/// Where payload byte `j` lives: (blob, field element) — the element's byte
/// `1 + j % 31`.
pub fn locate(j: usize) -> (usize, usize) {
    let e = j / PAYLOAD_BYTES_PER_ELEMENT;
    (e / FIELD_ELEMENTS_PER_BLOB, e % FIELD_ELEMENTS_PER_BLOB)
}

/// The evaluation point of field element `i` of a blob: `ω^bitreverse12(i)`. Blobs are
/// polynomials in evaluation form over the 4096th roots of unity in bit-reversed order,
/// so the element is the polynomial's value there (what the point-evaluation precompile
/// opens).
pub fn evaluation_point(i: usize) -> U256 {
    let brp = (i as u32).reverse_bits() >> (32 - 12);
    root_of_unity().pow_mod(U256::from(brp), BLS_MODULUS)
}

fn settings() -> &'static c_kzg::KzgSettings {
    EnvKzgSettings::Default.get()
}

fn kzg_blob(blob: &Blob) -> c_kzg::Blob {
    c_kzg::Blob::new(blob.0)
}

/// The blob's KZG commitment (48 bytes).
pub fn commitment(blob: &Blob) -> Result<FixedBytes<48>, BlobError> {
    let c = settings().blob_to_kzg_commitment(&kzg_blob(blob)).map_err(|e| BlobError::Kzg(e.to_string()))?;
    Ok(FixedBytes(c.to_bytes().into_inner()))
}

/// The EIP-4844 versioned hash of a blob (`0x01 ‖ sha256(commitment)[1..]`).
pub fn versioned_hash(blob: &Blob) -> Result<B256, BlobError> {
    Ok(alloy_eips::eip4844::kzg_to_versioned_hash(commitment(blob)?.as_slice()))
}

/// A proof that field element `i` of `blob` has the value `y` (its 32 bytes), in the
/// form the point-evaluation precompile takes: `(z, y, proof)`.
pub fn open_element(blob: &Blob, i: usize) -> Result<(B256, B256, FixedBytes<48>), BlobError> {
    let z = B256::from(evaluation_point(i));
    let (proof, y) = settings().compute_kzg_proof(&kzg_blob(blob), &c_kzg::Bytes32::new(z.0)).map_err(|e| BlobError::Kzg(e.to_string()))?;
    Ok((z, B256::from(*y), FixedBytes(proof.to_bytes().into_inner())))
}

#[cfg(test)]
mod tests {
    use super::*;
    use proptest::prelude::*;

    #[test]
    fn sizes() {
        assert_eq!(PAYLOAD_BYTES_PER_BLOB, 126_976);
        assert_eq!(blobs_for(0), 1);
        assert_eq!(blobs_for(126_976), 1);
        assert_eq!(blobs_for(126_977), 2);
        assert_eq!(locate(0), (0, 0));
        assert_eq!(locate(30), (0, 0));
        assert_eq!(locate(31), (0, 1));
        assert_eq!(locate(126_976), (1, 0));
    }

    #[test]
    fn layout_is_31_bytes_per_element_after_a_zero_byte() {
        let payload: Vec<u8> = (1..=62).collect();
        let blobs = encode(&payload);
        assert_eq!(blobs.len(), 1);
        assert_eq!(blobs[0][0], 0);
        assert_eq!(&blobs[0][1..32], &payload[..31]);
        assert_eq!(blobs[0][32], 0);
        assert_eq!(&blobs[0][33..64], &payload[31..]);
        assert!(blobs[0][64..].iter().all(|&b| b == 0));
    }

    #[test]
    fn reading_ignores_byte_zero_and_padding_but_not_the_blob_count() {
        let payload = vec![0xabu8; 100];
        let mut blobs = encode(&payload);
        blobs[0][32 * 2] = 0x5e; // byte 0 of element 2
        blobs[0][BYTES_PER_BLOB - 1] = 9; // padding
        assert_eq!(decode(&blobs, 100).unwrap(), payload);
        assert_eq!(decode(&blobs, 99).unwrap(), payload[..99]);
        assert_eq!(decode(&blobs, 126_977), Err(BlobError::BlobCount { length: 126_977, expected: 2, got: 1 }));
    }

    #[test]
    fn the_root_of_unity_has_order_4096() {
        let w = root_of_unity();
        assert_eq!(w.pow_mod(U256::from(4096), BLS_MODULUS), U256::from(1));
        assert_ne!(w.pow_mod(U256::from(2048), BLS_MODULUS), U256::from(1));
        assert_eq!(evaluation_point(0), U256::from(1));
        assert_eq!(evaluation_point(1), BLS_MODULUS - U256::from(1)); // ω^2048 = -1
    }

    #[test]
    fn element_openings_verify_and_read_the_element() {
        let payload: Vec<u8> = (0..5000u32).map(|i| (i * 7 + 3) as u8).collect();
        let blobs = encode(&payload);
        let c = commitment(&blobs[0]).unwrap();
        let vh = versioned_hash(&blobs[0]).unwrap();
        assert_eq!(vh[0], 1);
        for i in [0usize, 1, 2, 100, 161, 4095] {
            let (z, y, proof) = open_element(&blobs[0], i).unwrap();
            assert_eq!(y.as_slice(), &blobs[0][32 * i..32 * i + 32], "element {i}");
            let ok = settings()
                .verify_kzg_proof(&c_kzg::Bytes48::new(c.0), &c_kzg::Bytes32::new(z.0), &c_kzg::Bytes32::new(y.0), &c_kzg::Bytes48::new(proof.0))
                .unwrap();
            assert!(ok);
        }
    }

    proptest! {
        #![proptest_config(ProptestConfig::with_cases(16))]
        #[test]
        fn round_trip(len in 0usize..300_000, seed in any::<u8>()) {
            let payload: Vec<u8> = (0..len).map(|i| (i as u8).wrapping_mul(31).wrapping_add(seed)).collect();
            let blobs = encode(&payload);
            prop_assert_eq!(blobs.len(), blobs_for(len));
            prop_assert_eq!(decode(&blobs, len).unwrap(), payload);
        }
    }
}
