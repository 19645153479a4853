//! The sponge and absorber encodings and hashes (docs/fault-vm.md, "Byte encodings" →
//! Sponge; `crates/vm-core/src/sponge.rs`), written to `docs/vectors/vm/sponge.json` for
//! the Solidity twin: `contracts/src/vm/lib/Sponge.sol` and `KeccakF.sol`, tested with
//! them in `contracts/test/vm/Sponge.t.sol` and `KeccakF.t.sol`.
//!
//! `committed_vectors_match` requires the committed file to equal what this generates
//! (`FAULTLINE_WRITE_VECTORS=1` rewrites it). Contents:
//!
//! - `permutations`: keccak-f[1600] of a few states (200-byte encodings in and out);
//! - `sponges`: for data of each length, the sponge after absorbing its whole blocks, the
//!   tail left and keccak256 of the data (`Sponge::finish` of the tail);
//! - `absorbers`: data taken in the listed pieces, the absorber's encoding after each
//!   piece and the final hash.

use alloy_primitives::{hex, keccak256};
use faultline_vm_core::{
    meter::Meter,
    sponge::{Absorber, Sponge, RATE},
};
use serde_json::{json, Value};

/// The test data: byte `i` is `i * 7 + 1` (mod 256), as in sponge.rs's unit tests.
fn data(len: usize) -> Vec<u8> {
    (0..len).map(|i| (i * 7 + 1) as u8).collect()
}

fn encode(s: &Sponge) -> String {
    let mut v = Vec::new();
    s.encode(&mut v);
    hex::encode_prefixed(v)
}

fn encode_absorber(a: &Absorber) -> String {
    let mut v = Vec::new();
    a.encode(&mut v);
    hex::encode_prefixed(v)
}

fn permutations() -> Value {
    let mut states = vec![[0u64; 25]];
    // Every lane distinct, every byte used.
    states.push(std::array::from_fn(|i| 0x0123_4567_89ab_cdefu64.rotate_left(5 * i as u32) ^ (i as u64).wrapping_mul(0x9e37_79b9_7f4a_7c15)));
    states.push([u64::MAX; 25]);
    let cases: Vec<Value> = states
        .into_iter()
        .map(|s| {
            let mut out = s;
            keccak::f1600(&mut out);
            json!({ "in": encode(&Sponge(s)), "out": encode(&Sponge(out)) })
        })
        .collect();
    Value::Array(cases)
}

fn sponges() -> Value {
    let cases: Vec<Value> = [0usize, 1, 135, 136, 137, 272, 1088, 5000]
        .into_iter()
        .map(|len| {
            let d = data(len);
            let whole = len / RATE * RATE;
            let mut s = Sponge::default();
            s.absorb(&d[..whole], &mut Meter::default());
            let hash = s.finish(&d[whole..], &mut Meter::default());
            assert_eq!(hash, keccak256(&d), "len {len}");
            // finish takes any tail: the same hash from the empty sponge.
            assert_eq!(Sponge::default().finish(&d, &mut Meter::default()), hash);
            json!({
                "length": len,
                "data": hex::encode_prefixed(&d),
                "blocks": whole / RATE,
                "sponge": encode(&s),
                "tail": hex::encode_prefixed(&d[whole..]),
                "hash": hash.to_string(),
            })
        })
        .collect();
    Value::Array(cases)
}

fn absorbers() -> Value {
    // (length, piece sizes, repeat): an explicit split whose last piece takes the rest,
    // or (repeat) pieces of one size, the last one short.
    let splits: Vec<(usize, Vec<usize>, bool)> = vec![
        (0, vec![0], false),
        (1, vec![1], false),
        (135, vec![135], false),
        (136, vec![136], false),
        (137, vec![1, 136], false),
        (272, vec![135, 1, 136], false),
        (272, vec![0, 137, 0, 135], false),
        (1088, vec![100], true),
        (1088, vec![136], true),
        (5000, vec![31, 744, 1, 4352], false),
        (5000, vec![4352], true),
        (5000, vec![137], true),
    ];
    let cases: Vec<Value> = splits
        .into_iter()
        .map(|(len, sizes, repeat)| {
            let d = data(len);
            let mut pieces = Vec::new();
            let mut at = 0;
            if repeat {
                while at < len {
                    let n = sizes[0].min(len - at);
                    pieces.push(n);
                    at += n;
                }
            } else {
                for (i, &n) in sizes.iter().enumerate() {
                    let n = if i + 1 == sizes.len() { len - at } else { n.min(len - at) };
                    pieces.push(n);
                    at += n;
                }
            }
            assert_eq!(pieces.iter().sum::<usize>(), len);
            let mut a = Absorber::default();
            let mut after = Vec::new();
            let mut at = 0;
            for &n in &pieces {
                a.update(&d[at..at + n], &mut Meter::default());
                at += n;
                assert!(a.buf.len() < RATE);
                after.push(Value::String(encode_absorber(&a)));
            }
            let hash = a.finish(&mut Meter::default());
            assert_eq!(hash, keccak256(&d), "len {len} pieces {pieces:?}");
            json!({ "length": len, "pieces": pieces, "after": after, "hash": hash.to_string() })
        })
        .collect();
    Value::Array(cases)
}

fn generate() -> Value {
    json!({
        "about": "keccak-f[1600], the sponge and the absorber (docs/fault-vm.md, Byte encodings: Sponge; crates/vm-core/src/sponge.rs; Solidity twin contracts/src/vm/lib/Sponge.sol). Encodings: sponge = 25 little-endian u64 lanes (200 bytes); absorber = sponge || bufLen:u8 (<= 135) || buf. Data byte i is (i * 7 + 1) mod 256.",
        "rate": RATE,
        "permutations": permutations(),
        "sponges": sponges(),
        "absorbers": absorbers(),
    })
}

#[test]
fn committed_vectors_match() {
    let path = concat!(env!("CARGO_MANIFEST_DIR"), "/../../docs/vectors/vm/sponge.json");
    let text = serde_json::to_string_pretty(&generate()).expect("json") + "\n";
    if std::env::var_os("FAULTLINE_WRITE_VECTORS").is_some() {
        std::fs::write(path, &text).expect("write vectors");
    }
    let committed = std::fs::read_to_string(path).unwrap_or_else(|_| panic!("{path} missing: run with FAULTLINE_WRITE_VECTORS=1"));
    assert!(committed == text, "sponge.json changed: the spec and the Solidity verifier must follow (FAULTLINE_WRITE_VECTORS=1 rewrites it)");
}
