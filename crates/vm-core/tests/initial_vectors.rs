//! A block's initial machine commitment from what L1 holds (`crates/vm-core/src/
//! initial.rs`, docs/fault-vm-inputs.md "`initial_commitment`"), written to
//! `docs/vectors/dispute/block-start.json` for the Solidity twin
//! `contracts/src/dispute/lib/InitialState.sol`, tested with it in
//! `contracts/test/dispute/InitialState.t.sol`.
//!
//! `committed_vectors_match` requires the committed file to equal what this generates
//! (`FAULTLINE_WRITE_VECTORS=1` rewrites it). Each case gives the parent header (RLP, as
//! the node builds it: `faultline_primitives::commitments::l2_header`), the batch record
//! and the block's leaf, the forced cursor, the origin's L1 fee record, the accumulator
//! values at the deposit range's ends and the chain's parameters; and either what
//! `block_ctx` and `initial_commitment` give, or the error they refuse it with.

use alloy_consensus::Header;
use alloy_primitives::{hex, keccak256, Address, B256};
use alloy_rlp::Encodable;
use faultline_primitives::{
    commitments::{l2_header, HeaderFields},
    l1fee::L1FeeInputs,
    ChainConfig,
};
use faultline_vm_core::initial::{block_ctx, initial_commitment, BatchRecord, BlockLeaf, InitialError, InitialSource};
use serde_json::{json, Value};

/// A parent header as the node builds it.
fn parent(number: u64, timestamp: u64, gas_used: u64, base_fee: u64, cursor: u64, fee: L1FeeInputs, seed: u8) -> Header {
    l2_header(&HeaderFields {
        parent_hash: B256::repeat_byte(seed),
        beneficiary: Address::repeat_byte(0xfe),
        state_root: keccak256([seed, 1]),
        transactions_root: keccak256([seed, 2]),
        receipts_root: keccak256([seed, 3]),
        logs_bloom: Default::default(),
        number,
        gas_limit: 300_000_000,
        gas_used,
        timestamp,
        deposit_cursor: cursor,
        l1_fee: fee,
        base_fee,
    })
}

/// The second chain: other EIP-1559 parameters, no base fee floor, other scalars.
fn other_chain() -> ChainConfig {
    let mut c = ChainConfig::devnet();
    c.chain_id = 901;
    c.block_gas_limit = 30_000_000;
    c.base_fee_floor = 0;
    c.base_fee_change_denominator = 50;
    c.elasticity_multiplier = 6;
    c.fee_recipient = Address::repeat_byte(0x42);
    c.l1_base_fee_scalar = 1_368;
    c.l1_blob_base_fee_scalar = 810_949;
    c
}

fn chain_json(c: &ChainConfig) -> Value {
    json!({
        "chainId": c.chain_id,
        "blockGasLimit": c.block_gas_limit,
        "baseFeeFloor": c.base_fee_floor,
        "baseFeeChangeDenominator": c.base_fee_change_denominator,
        "elasticityMultiplier": c.elasticity_multiplier,
        "feeRecipient": c.fee_recipient.to_string(),
        "l1BaseFeeScalar": c.l1_base_fee_scalar,
        "l1BlobBaseFeeScalar": c.l1_blob_base_fee_scalar,
    })
}

fn error_name(e: &InitialError) -> &'static str {
    match e {
        InitialError::NotTheNextBlock { .. } => "NotTheNextBlock",
        InitialError::OriginDecreased { .. } => "OriginDecreased",
        InitialError::WrongFeeRecord { .. } => "WrongFeeRecord",
        InitialError::StateRootMismatch { .. } => "StateRootMismatch",
        InitialError::Inconsistent(_) => "Inconsistent",
    }
}

struct Case {
    name: &'static str,
    chain: ChainConfig,
    parent: Header,
    record: BatchRecord,
    leaf: BlockLeaf,
    forced_cursor: u64,
    fee: L1FeeInputs,
}

fn calldata_record(seed: u8) -> BatchRecord {
    BatchRecord { root: keccak256([seed, 9]), first_block: 40, item_count: 10, length: 0, tx_count: 6, blobs: B256::ZERO }
}

fn blob_record(seed: u8) -> BatchRecord {
    BatchRecord { root: keccak256([seed, 9]), first_block: 40, item_count: 5, length: 5_000, tx_count: 17, blobs: keccak256([seed, 10]) }
}

fn leaf(index: u64, number: u64, timestamp: u64, deposit_cursor: u64, l1_origin: u64, tx_count: u64, first_tx: u64) -> BlockLeaf {
    BlockLeaf { index, number, timestamp, deposit_cursor, l1_origin, tx_count, first_tx }
}

fn fee(origin: u64, base_fee: u64, blob_base_fee: u64) -> L1FeeInputs {
    L1FeeInputs { origin, base_fee, blob_base_fee }
}

fn cases() -> Vec<Case> {
    let devnet = ChainConfig::devnet();
    let p_fee = fee(7, 3_000_000_000, 2);
    // Above the devnet's target (150 M): the base fee rises.
    let busy = parent(41, 1_000, 200_000_000, 1_000_000_000, 3, p_fee, 1);
    vec![
        Case {
            name: "calldata batch, base fee rising, deposits 3..5",
            chain: devnet.clone(),
            parent: busy.clone(),
            record: calldata_record(1),
            leaf: leaf(4, 42, 1_002, 5, 8, 3, 0),
            forced_cursor: 4,
            fee: fee(8, 9_000_000_000, 3),
        },
        Case {
            name: "blob batch, first transaction 6 of 17",
            chain: devnet.clone(),
            parent: busy.clone(),
            record: blob_record(2),
            leaf: leaf(2, 42, 1_001, 3, 7, 4, 6),
            forced_cursor: 0,
            fee: p_fee,
        },
        Case {
            name: "timestamp raised to the parent's, the forced cursor raises the range",
            chain: devnet.clone(),
            parent: busy.clone(),
            record: calldata_record(3),
            leaf: leaf(0, 42, 990, 3, 7, 0, 0),
            forced_cursor: 9,
            fee: p_fee,
        },
        Case {
            name: "an empty parent on another chain: the base fee falls",
            chain: other_chain(),
            parent: parent(41, 1_000, 0, 875_000_000, 12, p_fee, 4),
            record: calldata_record(4),
            leaf: leaf(7, 42, 1_012, 12, 9, 2, 0),
            forced_cursor: 12,
            fee: fee(9, u64::MAX, u64::MAX),
        },
        Case {
            name: "base fee held at the floor",
            chain: devnet.clone(),
            parent: parent(41, 1_000, 0, 1_000_001, 3, p_fee, 5),
            record: calldata_record(5),
            leaf: leaf(1, 42, 1_001, 3, 7, 1, 0),
            forced_cursor: 0,
            fee: p_fee,
        },
        Case {
            name: "parent at its gas target: the base fee stays",
            chain: other_chain(),
            parent: parent(41, 1_000, 50_000_000, 123_456_789, 3, p_fee, 6),
            record: blob_record(6),
            leaf: leaf(0, 42, 1_000, 3, 7, 17, 0),
            forced_cursor: 0,
            fee: p_fee,
        },
        Case {
            name: "genesis parent: no deposits before, two now",
            chain: devnet.clone(),
            parent: parent(0, 0, 0, 1_000_000_000, 0, L1FeeInputs::default(), 7),
            record: calldata_record(7),
            leaf: leaf(0, 1, 2, 2, 5, 0, 0),
            forced_cursor: 0,
            fee: fee(5, 1, 1),
        },
        Case {
            name: "refused: the leaf is not the parent's successor",
            chain: devnet.clone(),
            parent: busy.clone(),
            record: calldata_record(8),
            leaf: leaf(4, 43, 1_002, 5, 8, 3, 0),
            forced_cursor: 4,
            fee: fee(8, 9, 3),
        },
        Case {
            name: "refused: the L1 fee origin is older than the parent's",
            chain: devnet,
            parent: busy,
            record: calldata_record(9),
            leaf: leaf(4, 42, 1_002, 5, 6, 3, 0),
            forced_cursor: 4,
            fee: fee(6, 9, 3),
        },
    ]
}

/// The accumulator values the cases read: any distinct words.
fn acc(i: u64) -> B256 {
    keccak256(i.to_be_bytes())
}

fn case_json(c: &Case) -> Value {
    let mut rlp = Vec::new();
    c.parent.encode(&mut rlp);
    let src = InitialSource {
        parent_state_root: c.parent.state_root,
        parent: c.parent.clone(),
        record: c.record,
        leaf: c.leaf,
        forced_cursor: c.forced_cursor,
        l1_fee: c.fee,
    };
    let mut v = json!({
        "name": c.name,
        "chain": chain_json(&c.chain),
        "header": hex::encode_prefixed(&rlp),
        "parentHash": c.parent.hash_slow().to_string(),
        "stateRoot": c.parent.state_root.to_string(),
        "record": {
            "root": c.record.root.to_string(),
            "itemCount": c.record.item_count,
            "length": c.record.length,
            "txCount": c.record.tx_count,
            "blobs": c.record.blobs.to_string(),
        },
        "leaf": {
            "index": c.leaf.index,
            "number": c.leaf.number,
            "timestamp": c.leaf.timestamp,
            "depositCursor": c.leaf.deposit_cursor,
            "l1Origin": c.leaf.l1_origin,
            "txCount": c.leaf.tx_count,
            "firstTx": c.leaf.first_tx,
        },
        "forcedCursor": c.forced_cursor,
        "l1BaseFee": c.fee.base_fee,
        "l1BlobBaseFee": c.fee.blob_base_fee,
    });
    match block_ctx(&c.parent, &c.leaf, c.forced_cursor, c.fee, &c.chain) {
        Err(e) => v["error"] = json!(error_name(&e)),
        Ok((ctx, from, to)) => {
            let at = |n: u64| if n == 0 { B256::ZERO } else { acc(n - 1) };
            let commitment = initial_commitment(&src, &c.chain, acc).expect("a case that derives has a commitment");
            v["from"] = json!(from);
            v["to"] = json!(to);
            v["accFrom"] = json!(at(from).to_string());
            v["accTo"] = json!(at(to).to_string());
            v["timestamp"] = json!(ctx.timestamp);
            v["basefee"] = json!(ctx.basefee);
            v["commitment"] = json!(commitment.to_string());
        }
    }
    v
}

fn generate() -> Value {
    json!({
        "about": "initial_commitment (crates/vm-core/src/initial.rs; Solidity twin contracts/src/dispute/lib/InitialState.sol): the parent header's RLP, the batch record and block leaf, Portal.forcedCursor at the block's timestamp, BatchInbox.l1Fee of the leaf's origin, and accFrom = accumulator(from - 1), accTo = accumulator(to - 1) (zero at 0) give the block's initial machine commitment over the parent's state root, or the error named.",
        "cases": cases().iter().map(case_json).collect::<Vec<_>>(),
    })
}

#[test]
fn committed_vectors_match() {
    let path = concat!(env!("CARGO_MANIFEST_DIR"), "/../../docs/vectors/dispute/block-start.json");
    let text = serde_json::to_string_pretty(&generate()).expect("json") + "\n";
    if std::env::var_os("FAULTLINE_WRITE_VECTORS").is_some() {
        std::fs::create_dir_all(std::path::Path::new(path).parent().expect("a parent dir")).expect("mkdir");
        std::fs::write(path, &text).expect("write vectors");
    }
    let committed = std::fs::read_to_string(path).unwrap_or_else(|_| panic!("{path} missing: run with FAULTLINE_WRITE_VECTORS=1"));
    assert!(committed == text, "block-start.json changed: the Solidity twin must follow (FAULTLINE_WRITE_VECTORS=1 rewrites it)");
}
