//! Generates `docs/vectors/smt.json`, the vectors the Solidity verifier is tested with,
//! and checks that the committed file is what this implementation produces.

use super::*;
use alloy_primitives::{address, Address, U256};
use serde_json::{json, Value};

fn hex32(b: &B256) -> String {
    format!("{b}")
}

fn crafted(prefix: &[u8], last: u8) -> B256 {
    let mut k = B256::ZERO;
    k[..prefix.len()].copy_from_slice(prefix);
    k[31] = last;
    k
}

fn generate() -> Value {
    let addrs: [Address; 3] = [address!("f39Fd6e51aad88F6F4ce6aB8827279cffFb92266"), address!("4200000000000000000000000000000000000016"), Address::ZERO];
    let slots = [B256::ZERO, B256::with_last_byte(1), B256::repeat_byte(0xab)];
    let keys: Vec<Value> = addrs
        .iter()
        .zip(slots.iter())
        .map(|(a, s)| {
            json!({"account": format!("{a}"), "accountKey": hex32(&account_key(a)),
                   "slot": hex32(s), "storageKey": hex32(&storage_key(a, s))})
        })
        .collect();
    let accounts: Vec<Value> = [
        (0u64, U256::ZERO, B256::ZERO, 0u64),
        (1, U256::from(10u64).pow(U256::from(22)), alloy_primitives::KECCAK256_EMPTY, 0),
        (1u64 << 32, U256::MAX, B256::repeat_byte(0x5a), 24576),
    ]
    .iter()
    .map(|(n, b, c, z)| {
        json!({"balance": format!("{:#066x}", b), "codeHash": hex32(c), "codeSize": z,
               "nonce": n, "valueHash": hex32(&account_value_hash(*n, b, c, *z))})
    })
    .collect();

    // Keys chosen to hit every shape rule: a split at depth 0, a 15-bit shared prefix
    // (a chain of internal nodes with empty siblings), a delete whose sibling leaf moves
    // up several levels, and deleting down to the empty tree.
    let k = [
        crafted(&[0x00], 1),
        crafted(&[0x80], 2),
        crafted(&[0x00, 0x01], 3),
        crafted(&[0x00, 0x00], 4),
        account_key(&addrs[0]),
        storage_key(&addrs[1], &slots[1]),
    ];
    let v = |i: u8| B256::with_last_byte(i);
    let script: Vec<(B256, Option<B256>)> = vec![
        (k[0], Some(v(1))),
        (k[1], Some(v(2))),
        (k[2], Some(v(3))),
        (k[3], Some(v(4))),
        (k[4], Some(v(5))),
        (k[5], Some(v(6))),
        (k[0], Some(v(7))),
        (k[1], None),
        (k[3], None),
        (k[0], None),
        (k[0], Some(v(8))),
    ];
    let mut store = MemStore::default();
    let mut root = EMPTY_ROOT;
    let mut ops = Vec::new();
    for (key, value) in &script {
        let (r, nodes) = update(&store, root, &[(*key, *value)]).expect("update");
        store.extend(nodes);
        root = r;
        ops.push(json!({"key": hex32(key), "root": hex32(&root),
                        "value": hex32(&value.unwrap_or(B256::ZERO))}));
    }
    let mut probe: Vec<B256> = k.to_vec();
    probe.push(crafted(&[0x00, 0x01], 9)); // absent, ends at another leaf
    probe.push(crafted(&[0xc0], 0)); // absent, ends at an empty subtree
    probe.push(crafted(&[0x80], 2)); // deleted earlier
    let proofs: Vec<Value> = probe
        .iter()
        .map(|key| {
            let p = prove(&store, root, key).expect("prove");
            let value = p.verify(root, key).expect("verifies");
            json!({"bitmap": format!("{:#066x}", p.bitmap), "depth": p.depth,
                   "included": value.is_some(), "key": hex32(key), "leafKey": hex32(&p.leaf_key),
                   "leafValueHash": hex32(&p.leaf_value_hash), "root": hex32(&root),
                   "siblings": p.siblings.iter().map(hex32).collect::<Vec<_>>(),
                   "value": hex32(&value.unwrap_or(B256::ZERO))})
        })
        .collect();
    json!({"accounts": accounts, "keys": keys, "ops": ops, "proofs": proofs})
}

#[test]
fn committed_vectors_match() {
    let path = concat!(env!("CARGO_MANIFEST_DIR"), "/../../docs/vectors/smt.json");
    let text = serde_json::to_string_pretty(&generate()).expect("json") + "\n";
    if std::env::var_os("FAULTLINE_WRITE_VECTORS").is_some() {
        std::fs::create_dir_all(std::path::Path::new(path).parent().expect("dir")).expect("mkdir");
        std::fs::write(path, &text).expect("write vectors");
    }
    let committed = std::fs::read_to_string(path).expect("docs/vectors/smt.json missing: run with FAULTLINE_WRITE_VECTORS=1");
    assert_eq!(committed, text, "SMT vectors changed: the spec and the Solidity verifier must follow");
}
