//! The dispute game's whole-game vectors (docs/vectors/dispute/game.json, read by
//! contracts/test/dispute/RealTrace.t.sol; docs/dispute.md, "Tests"): a real L2
//! chain of three blocks, built by the sequencer (revm over RocksDB) from a deposit and
//! signed transactions (a transfer, a contract creation, a call that writes storage and logs), with everything L1 must hold for them (the L1 fee record, the
//! deposit as `Portal.depositTransaction` makes it, the calldata batch as
//! `BatchInbox.submitBatch` takes it) and, per block, what an honest player needs: the
//! machine's commitment at every position from L1 alone, its Done state's preimage, the
//! proof `BlockStart` takes, and the witnesses of the steps the Forge games dispute.
//!
//! The test checks what it writes: each block's machine starts at the commitment the
//! game computes from L1's values, ends at the node's output root, and every witness
//! written steps to the next commitment.

use alloy::signers::local::PrivateKeySigner;
use alloy_primitives::{hex, Address, Bytes, TxKind, B256, U256};
use faultline_primitives::{
    batch::{Batch, BatchBlock},
    dev::DEV_ACCOUNTS,
    l1fee::L1FeeInputs,
    output_root, ChainConfig, Deposit,
};
use faultline_sequencer::{Chain, PoolConfig};
use faultline_vm_core::{
    initial::{self, BatchRecord, InitialSource},
    machine::Phase,
    step::step,
    world::{MemWorld, WorldBase},
};
use faultline_vm_prover::{
    block::{Block, Checkpoints},
    l1, l2,
};
use serde_json::{json, Value};
use std::{collections::BTreeMap, rc::Rc};

/// The L1 block the blocks take their L1 fee from and the deposit is made in.
const L1_BLOCK: u64 = 100;
/// Its timestamp.
const L1_TIME: u64 = 1_700_000_000;
const L1_BASE_FEE: u64 = 7_000_000_000;
/// The minimum (an idle L1's; forge's test EVM keeps `block.blobbasefee` there).
const L1_BLOB_BASE_FEE: u64 = 1;
/// The L1 account that makes the deposit (an EOA, so its L2 sender is not aliased).
const DEPOSITOR: Address = Address::new(hex!("00000000000000000000000000000000000d0d0d"));

/// A contract whose runtime stores its first calldata word in slot 0 and emits an empty
/// LOG0: `PUSH1 0 CALLDATALOAD PUSH1 0 SSTORE PUSH1 0 PUSH1 0 LOG0 STOP`,
/// behind init code that copies and returns it.
const STORE_INIT: [u8; 24] = hex!("600c600c600039600c6000f3" "6000356000556000" "6000a000");

fn signer(i: usize) -> PrivateKeySigner {
    PrivateKeySigner::from_bytes(&DEV_ACCOUNTS[i].1).expect("dev key")
}

fn generate() -> Value {
    let dir = tempfile::tempdir().expect("tempdir");
    let cfg = ChainConfig::devnet();
    let chain = Chain::open(dir.path(), cfg.clone(), PoolConfig::default()).expect("open");
    let fee = L1FeeInputs { origin: L1_BLOCK, base_fee: L1_BASE_FEE, blob_base_fee: L1_BLOB_BASE_FEE };
    chain.set_l1_fee(fee);
    let (alice, bob) = (signer(0), signer(1));
    let send = |key: &PrivateKeySigner, nonce: u64, to: TxKind, value: u64, input: &[u8], gas: u64| -> Bytes {
        let raw = faultline_primitives::dev::sign_eip1559(key, cfg.chain_id, nonce, to, U256::from(value), input.to_vec().into(), gas);
        chain.submit_raw(&raw).expect("accepted");
        raw.into()
    };
    // Block 1: a deposit (a call with value to a fresh account) and a transfer.
    let deposit = Deposit {
        index: 0,
        from: DEPOSITOR,
        to: Address::repeat_byte(0x77),
        mint: U256::from(3_000_000_000_000_000u64),
        value: U256::from(1_000_000_000_000_000u64),
        gas_limit: 100_000,
        l1_block: L1_BLOCK,
        l1_timestamp: L1_TIME,
        data: Bytes::from_static(b"faultline"),
    };
    chain.add_deposits([deposit.clone()]);
    send(&alice, 0, TxKind::Call(bob.address()), 12_345, &[], 21_000);
    chain.produce_block(L1_TIME + 10).expect("block 1");
    // Block 2: a contract created. Block 3: it is called, to write its slot and log (a
    // block orders its senders as it likes, so the call waits for the next block).
    let store = alice.address().create(1);
    send(&alice, 1, TxKind::Create, 0, &STORE_INIT, 200_000);
    chain.produce_block(L1_TIME + 11).expect("block 2");
    let mut word = [0u8; 32];
    word[31] = 0x2a;
    send(&bob, 0, TxKind::Call(store), 0, &word, 100_000);
    chain.produce_block(L1_TIME + 12).expect("block 3");

    let st = chain.store();
    let header = |n: u64| st.header(n).expect("store").expect("header");
    // The batch as the batcher writes it: each block's transactions in the block's order.
    let entries = |n: u64| -> Vec<Bytes> {
        let body = st.body(n).expect("store").expect("body");
        body.transactions.iter().map(|(_, tx)| alloy_eips::eip2718::Encodable2718::encoded_2718(tx).into()).collect()
    };
    let batch = Batch { first_block: 1, blocks: (1..=3).map(|n| BatchBlock::of_block(&header(n).1, entries(n))).collect() };
    for (n, b) in (1u64..).zip(&batch.blocks) {
        assert_eq!(b.txs.len(), 1, "block {n} holds the transaction sent");
    }
    let calldata = batch.encode().expect("a calldata batch");
    let deposits: BTreeMap<u64, Deposit> = [(0, deposit.clone())].into();
    let record = BatchRecord {
        root: batch.root(),
        first_block: 1,
        item_count: batch.item_count() as u64,
        length: 0,
        tx_count: batch.tx_count() as u64,
        blobs: B256::ZERO,
    };
    let acc = |i: u64| -> B256 { deposits.range(..=i).fold(B256::ZERO, |a, (_, d)| d.accumulate(a)) };

    let mut world: Rc<dyn WorldBase> = Rc::new(MemWorld::new(&l2::genesis_world(&cfg.genesis_alloc())));
    let (genesis_hash, genesis) = header(0);
    let mut rlp = Vec::new();
    alloy::rlp::Encodable::encode(&genesis, &mut rlp);
    let genesis_json = json!({
        "header": Bytes::from(rlp),
        "hash": genesis_hash,
        "outputRoot": output_root(genesis.state_root, genesis_hash),
    });
    let mut blocks = Vec::new();
    for n in 1..=3u64 {
        let (hash, h) = header(n);
        let (_, parent) = header(n - 1);
        let leaf = l1::batch_leaf(&batch, false, n).expect("in the batch");
        // No deposit is old enough to be forced at these timestamps (the window is an hour).
        let forced = 0;
        let (ctx, from, to) = initial::block_ctx(&parent, &leaf, forced, fee, &cfg).expect("the node's block derives");
        let (l1_block, rec, leaf) = l1::of_batch(&batch, None, n, &deposits, (from, to)).expect("L1's view");
        assert_eq!(rec, record, "block {n}: one record");
        let src = InitialSource { parent_state_root: parent.state_root, parent: parent.clone(), record: rec, leaf, forced_cursor: forced, l1_fee: fee };
        let start = initial::initial_commitment(&src, &cfg, |i| acc(i)).expect("an initial commitment");
        let block = Block { ctx, txs: Vec::new(), pre: world.clone(), l1: Some(l1_block.inputs().expect("inputs")) };
        assert_eq!(block.machine().commitment().expect("commitment"), start, "block {n}: the game's start is the prover's");
        let cp = Checkpoints::build(&block, 64).expect("checkpoints");
        let end = cp.state_at(cp.steps()).expect("the end");
        let Phase::Done { block_hash, output_root: out } = end.phase else { panic!("block {n}: not ended") };
        assert_eq!((block_hash, out), (hash, output_root(h.state_root, hash)), "block {n}: from L1 the node's block");
        let mut trace = Vec::with_capacity(32 * (cp.positions() as usize));
        for g in 0..cp.positions() {
            trace.extend_from_slice(cp.commitment_at(g).expect("commitment").as_slice());
        }
        let done = end.preimage().expect("the Done preimage");
        assert_eq!(alloy_primitives::keccak256(&done), cp.commitment_at(cp.steps()).expect("commitment"));
        let mut witnesses = Vec::new();
        // Every step's, and the Done state's no-op past the end (the same at every later position).
        for g in 0..=cp.steps() {
            let (kind, w) = cp.recorded_at(g).expect("witness");
            let (pre, post) = (cp.commitment_at(g).expect("pre"), cp.commitment_at(g + 1).expect("post"));
            assert_eq!(step(pre, &w).expect("the witness suffices"), post, "block {n} step {g}");
            witnesses.push(json!({ "step": g, "kind": format!("{kind:?}"), "witness": Bytes::from(w) }));
        }
        let item_proof = faultline_primitives::batch::merkle_proof(batch.leaves(), leaf.index as usize);
        let mut parent_rlp = Vec::new();
        alloy::rlp::Encodable::encode(&parent, &mut parent_rlp);
        blocks.push(json!({
            "number": n,
            "hash": hash,
            "outputRoot": out,
            "steps": cp.steps(),
            "start": start,
            "startProof": faultline_l1::dispute::block_start_proof(&parent_rlp, 0, &leaf, &item_proof),
            "done": Bytes::from(done),
            "trace": Bytes::from(trace),
            "witnesses": witnesses,
        }));
        world = Rc::new(end.world.full().expect("a full machine").clone());
    }
    json!({
        "about": "Three L2 blocks of the devnet chain from genesis, built by the sequencer (crates/vm-prover/tests/game_vectors.rs writes this; contracts/test/dispute/RealTrace.t.sol plays whole games on it). l1: the L1 block whose fee record the blocks name and the deposit is made in (an EOA's Portal.depositTransaction), and the calldata batch 0 holding the blocks. Per block: its output root, steps, the initial commitment BlockStart computes, BlockStart's proof, the Done state's preimage, the commitment at every position 0..=steps (32 bytes each; past the end the trace pads with the last) and the witness of every step k (it steps commitment k to k+1; the one at k = steps is the Done state's no-op, every later step's too).",
        "chain": {
            "chainId": cfg.chain_id,
            "blockGasLimit": cfg.block_gas_limit,
            "sequencingWindow": cfg.sequencing_window_secs,
        },
        "l1": {
            "block": L1_BLOCK,
            "timestamp": L1_TIME,
            "baseFee": L1_BASE_FEE,
            "blobBaseFee": L1_BLOB_BASE_FEE,
            "deposit": {
                "from": deposit.from,
                "to": deposit.to,
                "mint": deposit.mint,
                "value": deposit.value,
                "gasLimit": deposit.gas_limit,
                "data": deposit.data,
            },
            "batch": Bytes::from(calldata),
        },
        "genesis": genesis_json,
        "blocks": blocks,
    })
}

#[test]
fn committed_vectors_match() {
    let path = concat!(env!("CARGO_MANIFEST_DIR"), "/../../docs/vectors/dispute/game.json");
    let v = generate();
    for b in v["blocks"].as_array().expect("blocks") {
        println!("block {}: {} steps, {} witnesses", b["number"], b["steps"], b["witnesses"].as_array().map_or(0, Vec::len));
    }
    let text = serde_json::to_string_pretty(&v).expect("json") + "\n";
    if std::env::var_os("FAULTLINE_WRITE_VECTORS").is_some() {
        std::fs::write(path, &text).expect("write vectors");
    }
    let committed = std::fs::read_to_string(path).unwrap_or_else(|_| panic!("{path} missing: run with FAULTLINE_WRITE_VECTORS=1"));
    assert!(committed == text, "game.json changed: RealTrace.t.sol plays it (FAULTLINE_WRITE_VECTORS=1 rewrites it)");
}
