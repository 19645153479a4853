//! The witness wire format against a real run (docs/fault-vm.md, "Witness wire format"
//! and "Test vectors"): one block whose inputs drive every kind of step (every input
//! kind, every opcode family, every precompile, the micro-steps, the block's end and the
//! Done no-op), every step recorded as witness bytes.
//!
//! - `committed_vectors_match`: writes the vectors under `docs/vectors/vm/` the Solidity
//!   verifier is tested with and requires the committed files to equal them
//!   (`FAULTLINE_WRITE_VECTORS=1` rewrites them).
//! - `mutated_witnesses_never_give_the_honest_post`: flipped bits, truncations,
//!   extensions, inserted and removed bytes and swapped accesses of those witnesses are
//!   each refused or step to another post, never the honest one.
//!
//! With `FAULTLINE_VM_L1=1`, every committed vector also goes through the Solidity
//! verifier in revm under Osaka (`faultline-vm-verifier`): the same post, or an error of
//! the same category; its L1 gas is printed by kind of step. Steps it does not support
//! yet fail the test unless `FAULTLINE_VM_L1_ALLOW_UNSUPPORTED=1`.

use alloy_primitives::{hex, Address, Bytes, B256, U256};
use faultline_vm_core::{
    error::StepError,
    machine::{Access, BlockCtx, BlockHashes, FrameKind, IoMode, Machine, Tree, TxCtx, TxOutcome},
    step::{step, StepKind},
    witness::{decode, encode, layout},
    world::{Account, FullWorld, MemWorld, World},
};
use faultline_vm_prover::{
    l2::{deposit_tx_ctx, tx_ctx_of},
    trace::{run_checked, step_recorded},
};
use serde_json::{json, Value};
use std::{collections::BTreeMap, rc::Rc};

const SENDER: Address = Address::with_last_byte(0xaa);
const DEPOSITOR: Address = Address::with_last_byte(0xab);
/// The opcode tour.
const TOUR: Address = Address::with_last_byte(0xc0);
/// SSTORE then REVERT: undo steps.
const REVERTER: Address = Address::with_last_byte(0xc1);
/// A bad JUMP.
const BAD_JUMP: Address = Address::with_last_byte(0xc2);
/// The INVALID opcode.
const INVALID: Address = Address::with_last_byte(0xc3);
/// CREATE, CREATE2, a call into the created contract, which destroys itself.
const FACTORY: Address = Address::with_last_byte(0xc4);
/// A long CALLDATACOPY and KECCAK256: copy and hash micro-steps.
const LONG: Address = Address::with_last_byte(0xc5);

fn push2(v: usize) -> [u8; 3] {
    [0x61, (v >> 8) as u8, v as u8]
}

fn push32(v: &[u8]) -> Vec<u8> {
    let mut w = [0u8; 32];
    w[..v.len()].copy_from_slice(v);
    let mut c = vec![0x7f];
    c.extend_from_slice(&w);
    c
}

/// CALL(gas, to, 0, 0, 0, 0, 0); POP.
fn call_and_pop(to: Address) -> Vec<u8> {
    vec![0x5f, 0x5f, 0x5f, 0x5f, 0x5f, 0x60, to.as_slice()[19], 0x5a, 0xf1, 0x50]
}

fn tour_code() -> Vec<u8> {
    let mut c = vec![
        0x60, 0x02, 0x60, 0x03, 0x01, // ADD
        0x60, 0x05, 0x10, // LT
        0x60, 0x0f, 0x16, 0x50, // AND, POP
        0x60, 0x2a, 0x5f, 0x52, // MSTORE(0, 42)
        0x60, 0x20, 0x5f, 0x20, 0x50, // KECCAK256(0, 32)
        0x30, 0x50, 0x33, 0x50, // ADDRESS, CALLER
        0x5f, 0x35, 0x50, // CALLDATALOAD(0)
        0x30, 0x31, 0x50, // BALANCE(ADDRESS)
        0x60, 0xc1, 0x3b, 0x50, // EXTCODESIZE (cold)
        0x43, 0x50, 0x42, 0x50, // NUMBER, TIMESTAMP
        0x5f, 0x40, 0x50, // BLOCKHASH(0)
        0x5f, 0x51, 0x50, // MLOAD(0)
        0x60, 0x07, 0x60, 0x01, 0x55, // SSTORE(1, 7)
        0x60, 0x01, 0x54, 0x50, // SLOAD(1)
        0x60, 0x09, 0x60, 0x03, 0x5d, // TSTORE(3, 9)
        0x60, 0x03, 0x5c, 0x50, // TLOAD(3)
        0x60, 0x20, 0x5f, 0x60, 0x40, 0x5e, // MCOPY(0x40, 0, 32)
        0x60, 0x01, 0x80, 0x90, 0x50, 0x50, // DUP1, SWAP1
    ];
    // JUMP to the JUMPDEST right after it, then JUMPI likewise.
    let dest = c.len() + 4;
    c.extend(push2(dest));
    c.extend([0x56, 0x5b]);
    c.extend([0x60, 0x01]);
    let dest = c.len() + 4;
    c.extend(push2(dest));
    c.extend([0x57, 0x5b]);
    c.extend([0x60, 0xaa, 0x60, 0x20, 0x5f, 0xa1]); // LOG1(0, 32, 0xaa)
    for to in [REVERTER, BAD_JUMP, INVALID] {
        c.extend(call_and_pop(to));
    }
    c.extend([0x60, 0x20, 0x5f, 0xf3]); // RETURN(0, 32)
    c
}

fn factory_code() -> Vec<u8> {
    // Init code: SSTORE(7, CALLVALUE); CODECOPY(0, 14, len); RETURN(0, len); then the
    // runtime PUSH1 0x2a PUSH0 SSTORE SELFDESTRUCT(0xbb).
    let runtime = [0x60, 0x2a, 0x5f, 0x55, 0x60, 0xbb, 0xff];
    let len = runtime.len() as u8;
    let mut init = vec![0x34, 0x60, 0x07, 0x55, 0x60, len, 0x60, 14, 0x5f, 0x39, 0x60, len, 0x5f, 0xf3];
    init.extend(runtime);
    let n = init.len() as u8;
    let mut c = push32(&init);
    c.extend([0x5f, 0x52]); // MSTORE(0, init)
    c.extend([0x60, n, 0x5f, 0x5f, 0xf0, 0x50]); // CREATE(0, 0, n); POP
    c.extend([0x60, 0x01, 0x60, n, 0x5f, 0x60, 0x05, 0xf5]); // CREATE2(5, 0, n, 1)
    c.extend([0x5f, 0x5f, 0x5f, 0x5f, 0x5f, 0x85, 0x61, 0xff, 0xff, 0xf1, 0x00]); // CALL(0xffff, it, 0, 0, 0, 0, 0)
    c
}

const LONG_LEN: usize = 5000;

fn long_code() -> Vec<u8> {
    let mut c = push2(LONG_LEN).to_vec();
    c.extend([0x5f, 0x5f, 0x37]); // CALLDATACOPY(0, 0, n)
    c.extend(push2(LONG_LEN));
    c.extend([0x5f, 0x20, 0x50, 0x00]); // KECCAK256(0, n); POP; STOP
    c
}

fn block() -> BlockCtx {
    let hashes: Vec<B256> = (0..256u64).map(|i| B256::from(U256::from(0x1000 + i))).collect();
    BlockCtx {
        number: 1,
        timestamp: 1_700_000_000,
        gas_limit: 30_000_000,
        basefee: 7,
        coinbase: Address::with_last_byte(0xcb),
        prevrandao: B256::repeat_byte(0x5a),
        chain_id: 1,
        parent_hash: B256::repeat_byte(0x5a),
        deposit_cursor: 1,
        block_hashes: BlockHashes::Tree(Tree::from_words(&hashes)),
        ..Default::default()
    }
}

/// What an input exercises, for the vectors' names.
struct Input {
    name: &'static str,
    ctx: TxCtx,
}

fn inputs() -> Vec<Input> {
    let mut nonce = 0u64;
    let mut signed = |ty: u8, to: Option<Address>, data: Vec<u8>, gas: u64, tip: Option<u128>, chain: Option<u64>, access: &[(Address, Vec<B256>)]| {
        let hash = B256::from(U256::from(0xabc0 + nonce));
        let t = tx_ctx_of(ty, hash, SENDER, to, U256::from(3), data.into(), gas, 10, tip, nonce, chain, access, None);
        nonce += 1;
        t
    };
    let deposit = faultline_primitives::Deposit {
        index: 0,
        from: DEPOSITOR,
        to: TOUR,
        mint: U256::from(10u64).pow(U256::from(18)),
        value: U256::from(1),
        gas_limit: 1_000_000,
        l1_block: 1,
        l1_timestamp: 0,
        data: Bytes::new(),
    };
    let mut out = vec![Input { name: "deposit", ctx: deposit_tx_ctx(&deposit) }];
    out.push(Input { name: "legacy", ctx: signed(0, Some(TOUR), vec![1, 2, 3], 1_000_000, None, None, &[]) });
    out.push(Input { name: "eip155-legacy", ctx: signed(0, Some(FACTORY), vec![], 1_000_000, None, Some(1), &[]) });
    let access = [(TOUR, vec![B256::ZERO, B256::with_last_byte(1)]), (REVERTER, vec![])];
    out.push(Input { name: "eip2930", ctx: signed(1, Some(LONG), vec![0x11; LONG_LEN], 1_000_000, None, Some(1), &access) });
    out.push(Input { name: "eip1559", ctx: signed(2, Some(TOUR), vec![], 1_000_000, Some(2), Some(1), &[]) });
    // Init code longer than one load part: STOP, then padding.
    let mut init = vec![0x00];
    init.resize(faultline_vm_core::step::INIT_LOAD_CHUNK as usize + 100, 0x5b);
    out.push(Input { name: "create", ctx: signed(2, None, init, 1_000_000, Some(2), Some(1), &[]) });
    let skipped = tx_ctx_of(2, B256::repeat_byte(0x99), SENDER, Some(TOUR), U256::ZERO, Bytes::new(), 100_000, 10, Some(2), 999, Some(1), &[], None);
    out.push(Input { name: "skipped", ctx: skipped });
    // Each precompile called by a transaction of its own.
    let mut modexp = Vec::new();
    for n in [1u8, 1, 1] {
        modexp.extend_from_slice(&U256::from(n).to_be_bytes::<32>());
    }
    modexp.extend([2, 3, 5]);
    let mut blake = 12u32.to_be_bytes().to_vec();
    blake.resize(212, 0x01);
    blake.push(1);
    let precompile_inputs: [(&str, Vec<u8>); 10] = [
        ("precompile-01-ecrecover", vec![0x01; 128]),
        ("precompile-02-sha256", b"abc".to_vec()),
        ("precompile-03-ripemd160", b"abc".to_vec()),
        ("precompile-04-identity", b"abc".to_vec()),
        ("precompile-05-modexp", modexp),
        ("precompile-06-bn-add", vec![0; 128]),
        ("precompile-07-bn-mul", vec![0; 96]),
        ("precompile-08-bn-pairing", vec![]),
        ("precompile-09-blake2f", blake),
        ("precompile-0a-point-evaluation-fails", vec![0; 192]),
    ];
    for (i, (name, data)) in precompile_inputs.into_iter().enumerate() {
        let mut t = signed(2, Some(Address::with_last_byte(i as u8 + 1)), data, 200_000, Some(2), Some(1), &[]);
        t.value = U256::ZERO;
        out.push(Input { name, ctx: t });
    }
    out
}

fn machine() -> (Machine, Vec<&'static str>) {
    let mut accounts = BTreeMap::new();
    accounts.insert(SENDER, Account { balance: U256::from(10u64).pow(U256::from(20)), ..Default::default() });
    let code = |c: Vec<u8>| Account { code: c.into(), ..Default::default() };
    accounts.insert(TOUR, Account::new(0, U256::from(1000), tour_code().into(), [(U256::ZERO, U256::from(5))]));
    accounts.insert(REVERTER, code(vec![0x60, 0x01, 0x5f, 0x55, 0x5f, 0x5f, 0xfd]));
    accounts.insert(BAD_JUMP, code(vec![0x60, 0x03, 0x56, 0x00]));
    accounts.insert(INVALID, code(vec![0xfe]));
    accounts.insert(FACTORY, Account { balance: U256::from(100), code: factory_code().into(), ..Default::default() });
    accounts.insert(LONG, code(long_code()));
    let world = World::Full(Box::new(FullWorld::new(Rc::new(MemWorld::new(&accounts)))));
    let inputs = inputs();
    let names = inputs.iter().map(|i| i.name).collect();
    (Machine::new(block(), inputs.into_iter().map(|i| i.ctx).collect(), world), names)
}

/// One recorded step.
struct Recorded {
    kind: StepKind,
    /// The input the step belongs to (the block's end: the input count).
    input: u64,
    /// The running frame's kind before the step.
    frame: Option<FrameKind>,
    pre: B256,
    witness: Vec<u8>,
    post: B256,
}

/// Every step of the block, and two no-op steps past its end.
fn record() -> (Vec<Recorded>, Vec<&'static str>) {
    let (m, names) = machine();
    let (end, _) = run_checked(m.clone()).expect("every step checks");
    for (i, o) in end.outcomes.iter().enumerate() {
        let want_ran = names[i] != "skipped";
        assert_eq!(matches!(o, TxOutcome::Ran { .. }), want_ran, "input {i} ({}): {o:?}", names[i]);
    }
    let mut m = m;
    let mut out = Vec::new();
    let mut done = 0;
    let mut index = 0;
    while done < 2 {
        let pre = m.commitment().expect("commitment");
        let (input, frame) = (m.acc.next, m.top.as_ref().map(|f| f.kind));
        let (kind, witness) = step_recorded(&mut m, index).expect("step");
        let post = m.commitment().expect("commitment");
        assert_eq!(step(pre, &witness), Ok(post), "step {index} ({kind:?})");
        if kind == StepKind::Done {
            done += 1;
        }
        out.push(Recorded { kind, input, frame, pre, witness, post });
        index += 1;
    }
    (out, names)
}

/// A signer for the L1-input block's entries.
fn l1_key() -> alloy::signers::local::PrivateKeySigner {
    alloy::signers::local::PrivateKeySigner::from_bytes(&B256::repeat_byte(0x11)).expect("key")
}

/// `tx` signed by [`l1_key`], EIP-2718 encoded.
fn signed_raw<T: alloy_consensus::SignableTransaction<alloy_primitives::Signature>>(mut tx: T) -> Bytes
where
    alloy_consensus::TxEnvelope: From<alloy_consensus::Signed<T>>,
{
    use alloy::network::TxSignerSync;
    let sig = l1_key().sign_transaction_sync(&mut tx).expect("sign");
    alloy_eips::eip2718::Encodable2718::encoded_2718(&alloy_consensus::TxEnvelope::from(tx.into_signed(sig))).into()
}

/// The names of the L1-input block's entries, in order.
const L1_ENTRIES: [&str; 7] = ["legacy-eip155", "eip2930-access-list", "eip1559-long-data", "undecodable", "unsupported-type", "high-s", "create"];

/// A block whose inputs come from L1 (docs/fault-vm-inputs.md): two deposits (one with
/// data over two chunks) against their accumulator, and a calldata batch of the entries
/// [`L1_ENTRIES`] names: every transaction type, an access list, data and a signing hash
/// over several steps, and three entries derivation skips.
fn l1_machine(blobs: bool) -> Machine {
    use alloy_consensus::{TxEip1559, TxEip2930, TxLegacy};
    use alloy_primitives::TxKind;
    let sender = l1_key().address();
    let mut accounts = BTreeMap::new();
    accounts.insert(sender, Account { balance: U256::from(10u64).pow(U256::from(20)), ..Default::default() });
    accounts.insert(TOUR, Account::new(0, U256::from(1000), tour_code().into(), [(U256::ZERO, U256::from(5))]));
    accounts.insert(LONG, Account { code: long_code().into(), ..Default::default() });
    for a in [REVERTER, BAD_JUMP, INVALID] {
        accounts.insert(a, Account { code: vec![0x00].into(), ..Default::default() });
    }
    let world = World::Full(Box::new(FullWorld::new(Rc::new(MemWorld::new(&accounts)))));
    let deposit = |index: u64, to: Address, data: Vec<u8>| faultline_primitives::Deposit {
        index,
        from: DEPOSITOR,
        to,
        mint: U256::from(10u64).pow(U256::from(18)),
        value: U256::from(1),
        gas_limit: 1_000_000,
        l1_block: 1,
        l1_timestamp: 0,
        data: data.into(),
    };
    let deposits = vec![deposit(0, TOUR, Vec::new()), deposit(1, LONG, vec![0x33; 2 * 4352 + 296])];
    let eip1559 = |nonce: u64, to: TxKind, input: Vec<u8>| TxEip1559 {
        chain_id: 1,
        nonce,
        gas_limit: 1_000_000,
        max_fee_per_gas: 10,
        max_priority_fee_per_gas: 2,
        to,
        value: U256::ZERO,
        access_list: Default::default(),
        input: input.into(),
    };
    let long = signed_raw(eip1559(2, TxKind::Call(LONG), vec![0x44; LONG_LEN]));
    let access = alloy_eips::eip2930::AccessList(vec![
        alloy_eips::eip2930::AccessListItem { address: TOUR, storage_keys: vec![B256::ZERO, B256::with_last_byte(1)] },
        alloy_eips::eip2930::AccessListItem { address: REVERTER, storage_keys: vec![] },
    ]);
    let entries: Vec<Bytes> = vec![
        signed_raw(TxLegacy {
            chain_id: Some(1),
            nonce: 0,
            gas_price: 10,
            gas_limit: 1_000_000,
            to: TxKind::Call(TOUR),
            value: U256::from(3),
            input: vec![1, 2, 3].into(),
        }),
        signed_raw(TxEip2930 {
            chain_id: 1,
            nonce: 1,
            gas_price: 10,
            gas_limit: 1_000_000,
            to: TxKind::Call(TOUR),
            value: U256::ZERO,
            access_list: access,
            input: Bytes::new(),
        }),
        long.clone(),
        Bytes::from_static(&[0xde, 0xad]),
        Bytes::from_static(&[0x05, 0xc0]),
        {
            // The malleable twin of the long transaction: alloy decodes it, EIP-2 refuses it.
            let Ok(alloy_consensus::TxEnvelope::Eip1559(t)) = <alloy_consensus::TxEnvelope as alloy_eips::eip2718::Decodable2718>::decode_2718_exact(&long[..])
            else {
                panic!("decodes")
            };
            let n = U256::from_be_bytes(hex!("FFFFFFFFFFFFFFFFFFFFFFFFFFFFFFFEBAAEDCE6AF48A03BBFD25E8CD0364141"));
            let sig = alloy_primitives::Signature::new(t.signature().r(), n - t.signature().s(), !t.signature().v());
            alloy_eips::eip2718::Encodable2718::encoded_2718(&alloy_consensus::TxEnvelope::from(alloy_consensus::SignableTransaction::into_signed(
                t.tx().clone(),
                sig,
            )))
            .into()
        },
        signed_raw(eip1559(3, TxKind::Create, vec![0x00])),
    ];
    let mut leaves = vec![faultline_primitives::batch::block_leaf(1, 1_700_000_000, 2, 0, entries.len() as u16)];
    leaves.extend(entries.iter().map(|e| faultline_primitives::batch::tx_leaf(e)));
    let mut l1 = faultline_vm_prover::l1::L1Block { deposits, from: 0, acc_from: B256::ZERO, entries, batch_leaves: leaves, first: 0, blob: None };
    if blobs {
        // The same entries in a blob batch, after a void one (empty: its end equals the
        // one before): the block's first transaction is the batch's second.
        let all = [vec![Bytes::new()], l1.entries.clone()].concat();
        l1.batch_leaves = vec![faultline_primitives::batch::blob_block_leaf(1, 1_700_000_000, 2, 0, all.len() as u16, 0)];
        l1.blob = Some(faultline_vm_prover::l1::BlobPayload::of(&all, 0));
        l1.entries = all;
    }
    let ctx = BlockCtx { deposit_cursor: 2, block_hashes: BlockHashes::State, ..block() };
    Machine::from_l1(ctx, l1.inputs().expect("L1 inputs"), world)
}

/// Every step of the L1-input block (its entries in a calldata batch, or after a void
/// entry in a blob batch), labelled with the entry (or deposit) it opens.
fn record_l1(blobs: bool) -> Vec<(String, Recorded)> {
    let m = l1_machine(blobs);
    let (end, _) = run_checked(m.clone()).expect("every step checks");
    let faultline_vm_core::machine::Inputs::L1(l) = &end.inputs else { panic!("L1 inputs") };
    let skipped: Vec<u64> = l.skipped.iter().map(|(k, _)| *k).collect();
    let want: Vec<u64> = if blobs { vec![0, 4, 5, 6] } else { vec![3, 4, 5] };
    assert_eq!(skipped, want, "the void, undecodable, unsupported and high-s entries are skipped: {:?}", l.skipped);
    assert!(end.outcomes.iter().all(|o| matches!(o, TxOutcome::Ran { .. })), "{:?}", end.outcomes);
    assert_eq!(end.outcomes.len(), 2 + 4);
    let mut m = m;
    let mut out = Vec::new();
    for index in 0.. {
        let label = match &m.inputs {
            faultline_vm_core::machine::Inputs::L1(l) if l.deposits.unlinked > 0 || l.chunk.is_some() || l.deposits.next < l.deposits.end => {
                format!("deposit-{}", l.deposits.next)
            }
            faultline_vm_core::machine::Inputs::L1(l) => {
                let k = l.batch.next as usize;
                let name = if blobs { k.checked_sub(1).map_or(Some("void"), |k| L1_ENTRIES.get(k).copied()) } else { L1_ENTRIES.get(k).copied() };
                name.map_or("end".into(), |s| s.to_string())
            }
            _ => unreachable!(),
        };
        let pre = m.commitment().expect("commitment");
        let (input, frame) = (m.acc.next, m.top.as_ref().map(|f| f.kind));
        let (kind, witness) = step_recorded(&mut m, index).expect("step");
        let post = m.commitment().expect("commitment");
        assert_eq!(step(pre, &witness), Ok(post), "step {index} ({kind:?})");
        out.push((label, Recorded { kind, input, frame, pre, witness, post }));
        if kind == StepKind::BlockEnd {
            break;
        }
    }
    out
}

fn hex0x(b: &[u8]) -> String {
    format!("0x{}", hex::encode(b))
}

fn vector(name: &str, r: &Recorded) -> Value {
    json!({"name": name, "kind": format!("{:?}", r.kind), "pre": r.pre.to_string(), "witness": hex0x(&r.witness), "post": r.post.to_string()})
}

fn error_vector(name: &str, r: &Recorded, pre: B256, witness: &[u8], want: &str) -> Value {
    let err = step(pre, witness).expect_err(name);
    assert_eq!(err.code(), want, "{name}: {err}");
    json!({"name": name, "kind": format!("{:?}", r.kind), "pre": pre.to_string(), "witness": hex0x(witness), "error": err.code(), "message": err.to_string()})
}

fn first<'a>(rs: &'a [Recorded], what: &str, f: impl Fn(&Recorded) -> bool) -> &'a Recorded {
    rs.iter().find(|r| f(r)).unwrap_or_else(|| panic!("no step for {what}"))
}

fn generate() -> BTreeMap<&'static str, Value> {
    let (rs, names) = record();
    let input_of = |name: &str| names.iter().position(|n| *n == name).expect("input") as u64;
    let mut steps = Vec::new();
    let add = |steps: &mut Vec<Value>, name: &str, f: &dyn Fn(&Recorded) -> bool| steps.push(vector(name, first(&rs, name, f)));
    add(&mut steps, "next-tx", &|r| r.kind == StepKind::NextTx);
    add(&mut steps, "block-end", &|r| r.kind == StepKind::BlockEnd);
    add(&mut steps, "tx-begin", &|r| r.kind == StepKind::TxBegin && r.input == input_of("eip1559"));
    add(&mut steps, "tx-begin-skipped", &|r| r.kind == StepKind::TxBegin && r.input == input_of("skipped"));
    add(&mut steps, "warm", &|r| r.kind == StepKind::Warm);
    add(&mut steps, "enter-call", &|r| r.kind == StepKind::Enter && r.input == input_of("eip1559"));
    add(&mut steps, "enter-create", &|r| r.kind == StepKind::Enter && r.input == input_of("create"));
    add(&mut steps, "code-load-call", &|r| r.kind == StepKind::CodeLoad && r.frame == Some(FrameKind::Call));
    add(&mut steps, "code-load-init-code-part", &|r| r.kind == StepKind::CodeLoad && r.frame == Some(FrameKind::Create) && r.input == input_of("create"));
    let ops: [(&str, u8); 37] = [
        ("arith-add", 0x01),
        ("compare-lt", 0x10),
        ("bitwise-and", 0x16),
        ("sha3", 0x20),
        ("env-address", 0x30),
        ("env-balance", 0x31),
        ("env-caller", 0x33),
        ("env-calldataload", 0x35),
        ("env-codecopy", 0x39),
        ("env-extcodesize", 0x3b),
        ("env-calldatacopy-long", 0x37),
        ("block-blockhash", 0x40),
        ("block-timestamp", 0x42),
        ("block-number", 0x43),
        ("stack-pop", 0x50),
        ("memory-mload", 0x51),
        ("memory-mstore", 0x52),
        ("storage-sload", 0x54),
        ("storage-sstore", 0x55),
        ("flow-jump", 0x56),
        ("flow-jumpi", 0x57),
        ("flow-jumpdest", 0x5b),
        ("transient-tload", 0x5c),
        ("transient-tstore", 0x5d),
        ("memory-mcopy", 0x5e),
        ("stack-push0", 0x5f),
        ("stack-push1", 0x60),
        ("stack-dup1", 0x80),
        ("stack-swap1", 0x90),
        ("log1", 0xa1),
        ("create", 0xf0),
        ("call", 0xf1),
        ("return", 0xf3),
        ("create2", 0xf5),
        ("revert", 0xfd),
        ("invalid", 0xfe),
        ("selfdestruct", 0xff),
    ];
    for (name, op) in ops {
        add(&mut steps, &format!("opcode-{op:02x}-{name}"), &|r| r.kind == StepKind::Opcode(op));
    }
    // The bad jump: a JUMP in the frame of BAD_JUMP (the tour's jumps are good).
    let bad = rs
        .iter()
        .zip(rs.iter().skip(1))
        .find(|(r, next)| r.kind == StepKind::Opcode(0x56) && next.kind == StepKind::FrameExit)
        .map(|(r, _)| r)
        .expect("a bad jump");
    steps.push(vector("opcode-56-flow-jump-bad", bad));
    for (i, name) in names.iter().enumerate() {
        if let Some(id) = name.strip_prefix("precompile-") {
            add(&mut steps, &format!("precompile-{id}"), &|r| matches!(r.kind, StepKind::Precompile(_)) && r.input == i as u64);
        }
    }
    add(&mut steps, "copy", &|r| r.kind == StepKind::Copy);
    add(&mut steps, "hash", &|r| r.kind == StepKind::Hash);
    add(&mut steps, "undo", &|r| r.kind == StepKind::Undo);
    add(&mut steps, "frame-exit", &|r| r.kind == StepKind::FrameExit);
    add(&mut steps, "tx-end", &|r| r.kind == StepKind::TxEnd);
    add(&mut steps, "sweep", &|r| r.kind == StepKind::Sweep);
    add(&mut steps, "bloom", &|r| r.kind == StepKind::Bloom);
    add(&mut steps, "done-no-op", &|r| r.kind == StepKind::Done);
    for r in &rs {
        if r.kind == StepKind::Done {
            assert_eq!(r.pre, r.post, "Done stays Done");
        }
    }

    let mut inputs = Vec::new();
    for (i, name) in names.iter().enumerate().filter(|(_, n)| !n.starts_with("precompile-")) {
        for (kind, what) in [(StepKind::NextTx, "next-tx"), (StepKind::TxBegin, "tx-begin")] {
            let r = first(&rs, name, |r| r.kind == kind && r.input == i as u64);
            inputs.push(vector(&format!("{name}-{what}"), r));
        }
    }

    // Errors, each from an honest witness.
    let sload = first(&rs, "sload", |r| r.kind == StepKind::Opcode(0x54));
    let add_op = first(&rs, "add", |r| r.kind == StepKind::Opcode(0x01));
    let mut errors = vec![error_vector("wrong-pre-state", add_op, add_op.post, &add_op.witness, "wrong-pre-state")];
    let edit = |r: &Recorded, f: &dyn Fn(&mut Machine)| {
        let mut m = decode(&r.witness).expect("decodes");
        f(&mut m);
        encode(&m).expect("encodes")
    };
    let missing = edit(sload, &|m| drop(queue(m).pop_back()));
    errors.push(error_vector("missing-access", sload, sload.pre, &missing, "missing"));
    let extra = edit(sload, &|m| {
        let q = queue(m);
        let a = q.back().cloned().expect("an access");
        q.push_back(a)
    });
    errors.push(error_vector("extra-access", sload, sload.pre, &extra, "unused"));
    let forged = edit(sload, &|m| {
        for a in queue(m).iter_mut() {
            if let Access::Smt(s) = a {
                if s.proof.leaf_value_hash == B256::from(U256::from(7)) {
                    s.proof.leaf_value_hash = B256::from(U256::from(8));
                }
            }
        }
    });
    assert_ne!(forged, sload.witness, "the SLOAD opens the slot holding 7");
    errors.push(error_vector("forged-slot-proof", sload, sload.pre, &forged, "missing"));
    let forged_item = edit(add_op, &|m| {
        if let Some(faultline_vm_core::stack::HashStack::Witness { top, .. }) = m.top.as_mut().map(|f| &mut f.stack) {
            top[0].1 = U256::from(40);
        }
    });
    errors.push(error_vector("forged-stack-item", add_op, add_op.pre, &forged_item, "missing"));
    let w = &add_op.witness;
    errors.push(error_vector("truncated", add_op, add_op.pre, &w[..w.len() - 1], "malformed"));
    errors.push(error_vector("truncated-header", add_op, add_op.pre, &w[..100], "malformed"));
    let mut trailing = w.clone();
    trailing.push(0);
    errors.push(error_vector("trailing-byte", add_op, add_op.pre, &trailing, "malformed"));
    let l = layout(w).expect("layout");
    let mut bad_flag = w.clone();
    bad_flag[l.tx_flag] = 2;
    errors.push(error_vector("bad-flag", add_op, add_op.pre, &bad_flag, "malformed"));
    let mut bad_tag = w.clone();
    bad_tag[l.accesses[0].start] = 9;
    errors.push(error_vector("bad-access-tag", add_op, add_op.pre, &bad_tag, "malformed"));
    let mut bad_count = w.clone();
    bad_count[l.access_count + 1] += 1;
    errors.push(error_vector("access-count-over-the-accesses", add_op, add_op.pre, &bad_count, "malformed"));

    // The input steps of a block from L1: each kind, and each way an entry is skipped.
    let l1 = record_l1(false);
    let mut l1_vectors = Vec::new();
    let mut l1_add = |name: &str, f: &dyn Fn(&str, &Recorded) -> bool| {
        let (_, r) = l1.iter().find(|(label, r)| f(label, r)).unwrap_or_else(|| panic!("no L1 input step for {name}"));
        l1_vectors.push(vector(name, r));
    };
    l1_add("deposit-link", &|_, r| r.kind == StepKind::DepositLink);
    l1_add("deposit-open", &|l, r| r.kind == StepKind::DepositOpen && l == "deposit-0");
    l1_add("deposit-open-long-data", &|l, r| r.kind == StepKind::DepositOpen && l == "deposit-1");
    l1_add("deposit-data", &|_, r| r.kind == StepKind::DepositData);
    for name in L1_ENTRIES {
        l1_add(&format!("tx-open-{name}"), &|l, r| r.kind == StepKind::TxOpen && l == name);
    }
    l1_add("tx-chunk", &|_, r| r.kind == StepKind::TxChunk);
    l1_add("tx-access-list-header", &|l, r| r.kind == StepKind::TxAccess && l == "eip2930-access-list");
    l1_add("tx-signature-legacy-eip155", &|l, r| r.kind == StepKind::TxSignature && l == "legacy-eip155");
    l1_add("tx-signature-eip2930", &|l, r| r.kind == StepKind::TxSignature && l == "eip2930-access-list");
    l1_add("tx-signature-empty-access-list", &|l, r| r.kind == StepKind::TxSignature && l == "create");
    l1_add("tx-sign-hash", &|l, r| r.kind == StepKind::TxSignHash && l == "eip1559-long-data");
    l1_add("tx-sign-hash-skips-high-s", &|l, r| r.kind == StepKind::TxSignHash && l == "high-s");
    l1_add("block-end-from-l1", &|_, r| r.kind == StepKind::BlockEnd);
    let mut access = l1.iter().filter(|(l, r)| r.kind == StepKind::TxAccess && l == "eip2930-access-list").map(|(_, r)| r);
    let (_, item, key) = (access.next(), access.next().expect("an item head"), access.next().expect("a storage key"));
    l1_vectors.push(vector("tx-access-item", item));
    l1_vectors.push(vector("tx-access-key", key));
    // The same block from a blob batch: the table openings (a void entry, a real one) and
    // the chunks of field elements.
    let blob = record_l1(true);
    for (name, label, kind) in [
        ("blob-tx-open-void", "void", StepKind::TxOpen),
        ("blob-tx-open", "legacy-eip155", StepKind::TxOpen),
        ("blob-tx-chunk-first", "legacy-eip155", StepKind::TxChunk),
        ("blob-tx-chunk-first-long", "eip1559-long-data", StepKind::TxChunk),
        ("blob-tx-chunk-skips-undecodable", "undecodable", StepKind::TxChunk),
    ] {
        let (_, r) = blob.iter().find(|(l, r)| l == label && r.kind == kind).unwrap_or_else(|| panic!("no blob step for {name}"));
        l1_vectors.push(vector(name, r));
    }
    let (_, last_chunk) = blob.iter().filter(|(l, r)| l == "eip1559-long-data" && r.kind == StepKind::TxChunk).last().expect("chunks");
    l1_vectors.push(vector("blob-tx-chunk-last", last_chunk));

    let file = |vectors: Vec<Value>| json!({"tag": "faultline.vm.v2", "spec": "docs/fault-vm.md", "vectors": vectors});
    BTreeMap::from([("steps.json", file(steps)), ("inputs.json", file(inputs)), ("errors.json", file(errors)), ("l1-inputs.json", file(l1_vectors))])
}

/// A witness machine's accesses.
fn queue(m: &mut Machine) -> &mut std::collections::VecDeque<Access> {
    match &mut m.io.mode {
        IoMode::Witness(q) => q,
        _ => panic!("a witness machine"),
    }
}

/// The step kind a vector names (its `Debug` form).
fn kind_named(name: &str) -> StepKind {
    use StepKind::*;
    let units = [
        NextTx,
        BlockEnd,
        TxBegin,
        Warm,
        Enter,
        CodeLoad,
        Copy,
        Hash,
        Undo,
        FrameExit,
        TxEnd,
        Sweep,
        Bloom,
        Done,
        DepositLink,
        DepositOpen,
        DepositData,
        TxOpen,
        TxChunk,
        TxAccess,
        TxSignature,
        TxSignHash,
    ];
    let all = units.into_iter().chain((0..=255u8).flat_map(|b| [Opcode(b), Precompile(b)]));
    all.into_iter().find(|k| format!("{k:?}") == name).unwrap_or_else(|| panic!("no step kind {name}"))
}

#[test]
fn committed_vectors_match() {
    let mut l1 = faultline_vm_verifier::L1Check::from_env().expect("the L1 verifier deploys");
    let dir = concat!(env!("CARGO_MANIFEST_DIR"), "/../../docs/vectors/vm");
    let write = std::env::var_os("FAULTLINE_WRITE_VECTORS").is_some();
    for (file, value) in generate() {
        let path = format!("{dir}/{file}");
        let text = serde_json::to_string_pretty(&value).expect("json") + "\n";
        if write {
            std::fs::create_dir_all(dir).expect("mkdir");
            std::fs::write(&path, &text).expect("write vectors");
        }
        let committed = std::fs::read_to_string(&path).unwrap_or_else(|_| panic!("{path} missing: run with FAULTLINE_WRITE_VECTORS=1"));
        assert!(committed == text, "{file} changed: the spec and the Solidity verifier must follow (FAULTLINE_WRITE_VECTORS=1 rewrites it)");
        // Every vector checks against the reference step.
        for v in value["vectors"].as_array().expect("vectors") {
            let pre: B256 = v["pre"].as_str().expect("pre").parse().expect("hash");
            let w = hex::decode(v["witness"].as_str().expect("witness")).expect("hex");
            match v.get("post") {
                Some(post) => assert_eq!(step(pre, &w).map(|p| p.to_string()), Ok(post.as_str().expect("post").to_string()), "{}", v["name"]),
                None => assert_eq!(step(pre, &w).map_err(|e| e.code()), Err(v["error"].as_str().expect("error")), "{}", v["name"]),
            }
            if let Some(l1) = l1.as_mut() {
                let rust = match v.get("post") {
                    Some(post) => Ok(post.as_str().expect("post").parse::<B256>().expect("hash")),
                    None => Err(v["error"].as_str().expect("error")),
                };
                let kind = kind_named(v["kind"].as_str().expect("kind"));
                let (agreement, verdict) = l1.check(kind, pre, &w, rust).expect("the L1 verifier runs");
                assert!(
                    !matches!(agreement, faultline_vm_verifier::Agreement::Mismatch(_)),
                    "{file} {} on L1: {agreement:?} ({} gas)",
                    v["name"],
                    verdict.gas_used
                );
            }
        }
    }
    if let Some(l1) = &l1 {
        println!("the L1 verifier (revm, Osaka; gas of the whole transaction) over every vector:\n{}", l1.stats);
        l1.finish().expect("the L1 verifier agrees with Rust on every vector");
    }
}

#[test]
fn mutated_witnesses_never_give_the_honest_post() {
    use proptest::{
        prelude::*,
        test_runner::{Config, TestRunner},
    };
    use std::cell::RefCell;
    let (mut rs, _) = record();
    rs.extend(record_l1(false).into_iter().map(|(_, r)| r));
    // The blob block's steps as kinds of their own (a blob TxOpen and TxChunk open field
    // elements, not preimages).
    let blob: Vec<Recorded> = record_l1(true).into_iter().map(|(_, r)| r).filter(|r| matches!(r.kind, StepKind::TxOpen | StepKind::TxChunk)).collect();
    // One witness per kind of step (and per opcode), the largest of each.
    let mut by_kind: BTreeMap<StepKind, &Recorded> = BTreeMap::new();
    for r in &rs {
        let e = by_kind.entry(r.kind).or_insert(r);
        if r.witness.len() > e.witness.len() && r.witness.len() < 20_000 {
            *e = r;
        }
    }
    let mut picked: Vec<&Recorded> = by_kind.into_values().collect();
    for kind in [StepKind::TxOpen, StepKind::TxChunk] {
        picked.extend(blob.iter().filter(|r| r.kind == kind).max_by_key(|r| r.witness.len()));
    }
    // A flip anywhere mostly changes the pre-state's bytes (refused by the commitment);
    // "access flip" aims at the accesses alone, which the commitment does not cover.
    const CLASSES: [&str; 7] = ["bit flip", "truncation", "extension", "insertion", "removal", "access swap", "access flip"];
    let tried = RefCell::new([0u64; 7]);
    let refused = RefCell::new([0u64; 7]);
    let mut runner = TestRunner::new(Config { cases: 20_000, failure_persistence: None, ..Config::default() });
    let strategy = (0..picked.len(), 0..CLASSES.len(), any::<u64>(), any::<u64>(), proptest::collection::vec(any::<u8>(), 1..40));
    runner
        .run(&strategy, |(i, class, a, b, extra)| {
            let r = picked[i];
            let w = &r.witness;
            let n = w.len() as u64;
            let mutated: Vec<u8> = match class {
                0 => {
                    let mut m = w.clone();
                    m[(a % n) as usize] ^= 1 << (b % 8);
                    m
                }
                1 => w[..(a % n) as usize].to_vec(),
                2 => [w.as_slice(), &extra].concat(),
                3 => {
                    let at = (a % (n + 1)) as usize;
                    [&w[..at], &extra, &w[at..]].concat()
                }
                4 => {
                    let at = (a % n) as usize;
                    let len = 1 + (b as usize % 64).min(w.len() - at - 1);
                    [&w[..at], &w[at + len..]].concat()
                }
                6 => {
                    let l = layout(w).expect("layout");
                    let from = l.access_count as u64;
                    let mut m = w.clone();
                    m[(from + a % (n - from)) as usize] ^= 1 << (b % 8);
                    m
                }
                _ => {
                    let l = layout(w).expect("layout");
                    if l.accesses.len() < 2 {
                        return Ok(());
                    }
                    let x = (a % l.accesses.len() as u64) as usize;
                    let y = (b % l.accesses.len() as u64) as usize;
                    let (x, y) = (x.min(y), x.max(y));
                    if x == y {
                        return Ok(());
                    }
                    let (p, q) = (l.accesses[x].clone(), l.accesses[y].clone());
                    [&w[..p.start], &w[q.clone()], &w[p.end..q.start], &w[p.clone()], &w[q.end..]].concat()
                }
            };
            if &mutated == w {
                return Ok(());
            }
            tried.borrow_mut()[class] += 1;
            let got = step(r.pre, &mutated);
            prop_assert_ne!(got.clone(), Ok(r.post), "{} of a {:?} witness gave the honest post", CLASSES[class], r.kind);
            if got.is_err() {
                refused.borrow_mut()[class] += 1;
            }
            if let Err(StepError::Inconsistent(why)) = &got {
                prop_assert!(false, "a mutated witness reached an inconsistent state: {why}");
            }
            Ok(())
        })
        .expect("no mutation gives the honest post");
    let (tried, refused) = (tried.into_inner(), refused.into_inner());
    println!("mutations of {} witnesses ({} step kinds):", picked.len(), picked.len());
    for (c, name) in CLASSES.iter().enumerate() {
        println!("  {name:<12} {:>6} tried, {:>6} refused, {:>4} another post", tried[c], refused[c], tried[c] - refused[c]);
        assert!(tried[c] > 0, "no {name} tried");
    }
}
