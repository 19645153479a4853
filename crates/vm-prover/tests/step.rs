//! Unit tests of the step machine: opcodes, micro-steps, undo, the witness checks and
//! the precompile bounds, each through recorded witnesses and the reference step.

//! (In the prover's tests: they build their cases with its traces.)

use alloy_primitives::{keccak256, Address, Bytes, B256, U256};
use faultline_vm_core::{
    error::StepError,
    machine::{AccessItem, BlockCtx, Inputs, IoMode, Machine, Phase, TxCtx, TxOutcome, Undo},
    meter::Meter,
    step::*,
    witness::{decode, encode},
    world::{Account, FullWorld, MemWorld, World},
};
use faultline_vm_prover::{
    l2::tx_ctx_of,
    trace::{commitment_at, run, run_checked, state_at, step_recorded, witness_at},
};
use std::{collections::BTreeMap, rc::Rc};

fn addr_of(v: U256) -> Address {
    Address::from_word(B256::from(v.to_be_bytes::<32>()))
}

const SENDER: Address = Address::with_last_byte(0xaa);
const CONTRACT: Address = Address::with_last_byte(0xcc);

fn world(accounts: &BTreeMap<Address, Account>) -> World {
    World::Full(Box::new(FullWorld::new(Rc::new(MemWorld::new(accounts)))))
}

fn block() -> BlockCtx {
    BlockCtx { number: 1, gas_limit: 30_000_000, basefee: 7, chain_id: 1, ..Default::default() }
}

fn call(data: Vec<u8>, gas: u64) -> TxCtx {
    tx_ctx_of(2, B256::repeat_byte(0x11), SENDER, Some(CONTRACT), U256::ZERO, data.into(), gas, 10, Some(1), 0, Some(1), &[], None)
}

/// A block calling `code` at CONTRACT from a funded sender.
fn machine_with(code: &[u8], data: Vec<u8>, gas: u64) -> Machine {
    let mut accounts = BTreeMap::new();
    accounts.insert(SENDER, Account { balance: U256::from(10u64).pow(U256::from(18)), ..Default::default() });
    accounts.insert(CONTRACT, Account { code: Bytes::copy_from_slice(code), ..Default::default() });
    Machine::new(block(), vec![call(data, gas)], world(&accounts))
}

fn machine(code: &[u8]) -> Machine {
    machine_with(code, Vec::new(), 100_000)
}

fn slot(m: &Machine, a: Address, s: u64) -> U256 {
    m.world.full().expect("full").storage(&a, &U256::from(s)).expect("read")
}

/// Runs `code` (which must store its result in slot 0) and returns slot 0.
fn slot0(code: &[u8]) -> U256 {
    let (end, _) = run(machine(code)).expect("runs");
    assert!(matches!(end.outcomes[0], TxOutcome::Ran { success: true, .. }), "{:?}", end.outcomes);
    slot(&end, CONTRACT, 0)
}

fn push32(v: U256) -> Vec<u8> {
    let mut c = vec![0x7f];
    c.extend_from_slice(&v.to_be_bytes::<32>());
    c
}

/// `b OP a` with a on top, result into slot 0.
fn binop(op: u8, a: U256, b: U256) -> U256 {
    let mut c = push32(b);
    c.extend(push32(a));
    c.extend([op, 0x5f, 0x55, 0x00]);
    slot0(&c)
}

#[test]
fn signed_arithmetic_edges() {
    let min = U256::from(1) << 255;
    let minus_one = U256::MAX;
    assert_eq!(binop(0x05, min, minus_one), min, "SDIV(MIN, -1) = MIN");
    assert_eq!(binop(0x05, U256::from(7), minus_one), U256::from(7).wrapping_neg());
    assert_eq!(binop(0x07, U256::from(7).wrapping_neg(), U256::from(3)), U256::from(1).wrapping_neg(), "SMOD takes the dividend's sign");
    assert_eq!(binop(0x1d, U256::from(4), min), !(U256::MAX >> 5usize), "SAR keeps the sign");
    assert_eq!(binop(0x1d, U256::from(300), minus_one), U256::MAX);
    assert_eq!(binop(0x0b, U256::ZERO, U256::from(0xff)), U256::MAX, "SIGNEXTEND byte 0 of 0xff");
    assert_eq!(binop(0x12, minus_one, U256::ZERO), U256::from(1), "SLT(-1, 0)");
    assert_eq!(binop(0x1a, U256::from(31), U256::from(0xabcd)), U256::from(0xcd), "BYTE 31");
}

#[test]
fn errors_are_steps_that_consume_the_frame_gas() {
    // JUMP to a non-JUMPDEST: the call fails, the sender pays all 100k gas.
    let (end, steps) = run(machine(&[0x60, 0x03, 0x56, 0x00])).expect("runs");
    assert_eq!(end.outcomes[0], TxOutcome::Ran { success: false, gas_used: 100_000, logs: vec![] });
    // NextTx, tx-begin, enter, code load, PUSH1, JUMP (halts), frame-exit, tx-end, block end.
    assert_eq!(steps, 9);
    // A JUMPDEST byte inside push data is not a destination.
    let (end, _) = run(machine(&[0x60, 0x03, 0x56, 0x60, 0x5b, 0x00])).expect("runs");
    assert!(matches!(end.outcomes[0], TxOutcome::Ran { success: false, .. }));
    // Stack underflow and an undefined opcode end the same way.
    for code in [&[0x01u8][..], &[0x0c]] {
        let (end, _) = run(machine(code)).expect("runs");
        assert_eq!(end.outcomes[0], TxOutcome::Ran { success: false, gas_used: 100_000, logs: vec![] });
    }
}

/// Every step of `m` checks, and the witness of step k from re-execution steps
/// commitment k to commitment k + 1.
fn every_step_checks(m: &Machine) -> faultline_vm_prover::trace::TraceStats {
    let (_, stats) = run_checked(m.clone()).expect("every step checks");
    for k in 0..stats.steps {
        let w = witness_at(m, k).expect("witness");
        let pre = commitment_at(m, k).expect("commitment");
        assert_eq!(step(pre, &w).expect("step"), commitment_at(m, k + 1).expect("commitment"), "step {k}");
    }
    // Done stays Done: past the end, the step is a no-op.
    for k in [stats.steps, stats.steps + 1, stats.steps.next_power_of_two()] {
        let end = commitment_at(m, k).expect("commitment");
        assert_eq!(step(end, &witness_at(m, k).expect("witness")), Ok(end), "padding step {k}");
    }
    stats
}

#[test]
fn every_step_checks_and_random_access_agrees() {
    // SSTORE 1 into slot 0, LOG0 of 32 bytes of memory, KECCAK of it, RETURN.
    let code = [0x60, 0x01, 0x5f, 0x55, 0x60, 0x2a, 0x5f, 0x52, 0x60, 0x20, 0x5f, 0xa0, 0x60, 0x20, 0x5f, 0x20, 0x50, 0x60, 0x20, 0x5f, 0xf3];
    let m = machine(&code);
    let stats = every_step_checks(&m);
    let (end, _) = run(m).expect("runs");
    let TxOutcome::Ran { success: true, logs, .. } = &end.outcomes[0] else { panic!("{:?}", end.outcomes) };
    assert_eq!(logs.len(), 1);
    assert_eq!(logs[0].data.data.as_ref(), &U256::from(0x2a).to_be_bytes::<32>());
    assert!(stats.kinds.contains_key(&StepKind::Bloom));
    assert!(end.output_root().is_some());
}

#[test]
fn long_copies_hashes_and_logs_are_micro_steps_with_small_witnesses() {
    // CALLDATACOPY 10,000 bytes of call data to memory 0; KECCAK256 over them into
    // slot 0; LOG0 of them; RETURN 10,000 bytes.
    let n: u16 = 10_000;
    let [hi, lo] = n.to_be_bytes();
    let code = [
        0x61, hi, lo, 0x5f, 0x5f, 0x37, // CALLDATACOPY(0, 0, n)
        0x61, hi, lo, 0x5f, 0x20, 0x5f, 0x55, // SSTORE(0, KECCAK256(0, n))
        0x61, hi, lo, 0x5f, 0xa0, // LOG0(0, n)
        0x61, hi, lo, 0x5f, 0xf3, // RETURN(0, n)
    ];
    let data: Vec<u8> = (0..n as usize).map(|i| (i * 31 % 251) as u8 + 1).collect();
    let m = machine_with(&code, data.clone(), 1_000_000);
    let stats = every_step_checks(&m);
    let (end, _) = run(m).expect("runs");
    assert_eq!(slot(&end, CONTRACT, 0), U256::from_be_bytes(keccak256(&data).0));
    let TxOutcome::Ran { success: true, logs, .. } = &end.outcomes[0] else { panic!("{:?}", end.outcomes) };
    assert_eq!(logs[0].data.data.as_ref(), &data[..]);
    assert!(stats.kinds[&StepKind::Copy] >= 2, "{:?}", stats.kinds);
    assert!(stats.kinds[&StepKind::Hash] >= 2 * 9, "{:?}", stats.kinds);
    assert!(stats.max_witness < 16_000, "largest witness {} ({:?})", stats.max_witness, stats.max_witness_kind);
}

#[test]
fn calls_creates_and_destruction_in_one_transaction() {
    // Init code that stores CALLVALUE in slot 7 and returns runtime code
    // (PUSH1 0x2a PUSH0 SSTORE SELFDESTRUCT(0xbb) ): the creator calls it, which
    // destroys it (created in this transaction: EIP-6780 deletes it and its slots).
    let runtime = [0x60, 0x2a, 0x5f, 0x55, 0x60, 0xbb, 0xff];
    let len = runtime.len() as u8;
    // SSTORE(7, CALLVALUE); CODECOPY(0, 14, len); RETURN(0, len); runtime.
    let mut init = vec![0x34, 0x60, 0x07, 0x55, 0x60, len, 0x60, 14, 0x5f, 0x39, 0x60, len, 0x5f, 0xf3];
    assert_eq!(init.len(), 14);
    init.extend(runtime);
    // Creator: store the init code in memory, CREATE2 it with value 5 and salt 1, call
    // it, store the created address in slot 0.
    let mut code = Vec::new();
    let mut padded = init.clone();
    padded.resize(32, 0);
    code.extend(push32(U256::from_be_slice(&padded)));
    code.extend([0x5f, 0x52]); // MSTORE(0, init)
    code.extend([0x60, 0x01, 0x60, init.len() as u8, 0x5f, 0x60, 0x05, 0xf5]); // CREATE2(5, 0, len, 1)
    code.extend([0x80, 0x5f, 0x55]); // SSTORE(0, address)
    code.extend([0x5f, 0x5f, 0x5f, 0x5f, 0x5f, 0x85, 0x61, 0xff, 0xff, 0xf1, 0x00]); // CALL(0xffff, addr, 0, 0, 0, 0, 0)
    let mut accounts = BTreeMap::new();
    accounts.insert(SENDER, Account { balance: U256::from(10u64).pow(U256::from(18)), ..Default::default() });
    accounts.insert(CONTRACT, Account { balance: U256::from(100), code: code.into(), ..Default::default() });
    let m = Machine::new(block(), vec![call(vec![], 500_000)], world(&accounts));
    let stats = every_step_checks(&m);
    let (end, _) = run(m).expect("runs");
    assert!(matches!(end.outcomes[0], TxOutcome::Ran { success: true, .. }), "{:?}", end.outcomes);
    let created = addr_of(slot(&end, CONTRACT, 0));
    assert_ne!(created, Address::ZERO);
    let w = end.world.full().unwrap();
    assert_eq!(w.account(&created), Ok(None), "destroyed with its account");
    assert_eq!(w.storage(&created, &U256::from(7)), Ok(U256::ZERO), "and its slots");
    assert_eq!(w.storage(&created, &U256::ZERO), Ok(U256::ZERO));
    assert_eq!(w.account(&Address::with_last_byte(0xbb)).unwrap().map(|r| r.balance), Some(U256::from(5)), "its balance went to the beneficiary");
    assert!(stats.kinds[&StepKind::Sweep] >= 3, "{:?}", stats.kinds);
}

#[test]
fn a_revert_is_undone_one_record_per_step_and_a_forged_record_is_refused() {
    // SSTORE 1→0, 2→1, 3→2, then REVERT(0, 0).
    let code = [0x60, 1, 0x5f, 0x55, 0x60, 2, 0x60, 1, 0x55, 0x60, 3, 0x60, 2, 0x55, 0x5f, 0x5f, 0xfd];
    let m = machine(&code);
    let (end, stats) = run_checked(m.clone()).expect("every step checks");
    assert!(matches!(end.outcomes[0], TxOutcome::Ran { success: false, .. }));
    assert_eq!(slot(&end, CONTRACT, 0), U256::ZERO, "the writes are undone");
    // Each SSTORE journals the warm slot and the value: six records, six undo steps.
    assert_eq!(stats.kinds.get(&StepKind::Undo), Some(&6));
    let k = (0..stats.steps)
        .find(|k| {
            let mut s = state_at(&m, *k).expect("state");
            matches!(s.step(), Ok(StepKind::Undo))
        })
        .expect("an undo step");
    let pre = commitment_at(&m, k).expect("commitment");
    let mut s = state_at(&m, k).expect("state");
    let (_, bytes) = step_recorded(&mut s, k).expect("witness");
    let honest = decode(&bytes).expect("decodes");
    assert_eq!(honest.journal.carried_items().len(), 1, "the undo step carries exactly the record it pops");
    assert_eq!(step(pre, &bytes).expect("honest"), commitment_at(&m, k + 1).expect("commitment"));
    let mut forged = honest.clone();
    if let faultline_vm_core::stack::HashStack::Witness { top, .. } = &mut forged.journal {
        if let (_, Undo::Storage(_, _, v)) = &mut top[0] {
            *v = U256::from(99);
        }
    }
    assert!(matches!(step(pre, &encode(&forged).unwrap()), Err(StepError::Missing(_))));
    let mut short = honest.clone();
    short.journal = faultline_vm_core::stack::HashStack::witness(honest.journal.head(&mut Meter::default()), honest.journal.len(), Vec::new());
    assert!(matches!(step(pre, &encode(&short).unwrap()), Err(StepError::Missing(_))));
}

#[test]
fn a_witness_cannot_lie() {
    let m = machine(&[0x60, 0x01, 0x60, 0x02, 0x01, 0x5f, 0x55, 0x00]);
    let k = 6; // NextTx, Begin, Enter, CodeLoad, PUSH1, PUSH1, ADD
    let pre = commitment_at(&m, k).expect("commitment");
    let mut s = state_at(&m, k).expect("state");
    let (kind, bytes) = step_recorded(&mut s, k).expect("witness");
    assert_eq!(kind, StepKind::Opcode(0x01));
    let honest = decode(&bytes).expect("decodes");
    let post = step(pre, &bytes).expect("honest step");
    // A different stack item: it no longer matches the chain.
    let mut forged = honest.clone();
    if let Some(faultline_vm_core::stack::HashStack::Witness { top, .. }) = forged.top.as_mut().map(|f| &mut f.stack) {
        top[0].1 = U256::from(40);
    }
    assert!(step(pre, &encode(&forged).unwrap()).is_err());
    // A stack item the step does not pop (the real one, with its chain value): the
    // second PUSH1 pops nothing, so a witness carrying the item below is refused.
    let mut at5 = state_at(&m, 5).expect("state");
    let full_stack = at5.top.as_ref().unwrap().stack.clone();
    let (_, push_bytes) = step_recorded(&mut at5, 5).expect("witness");
    let mut long = decode(&push_bytes).expect("decodes");
    assert!(long.top.as_ref().unwrap().stack.carried_items().is_empty());
    long.top.as_mut().unwrap().stack = full_stack.to_witness(1);
    let pre5 = commitment_at(&m, 5).expect("commitment");
    assert!(step(pre5, &push_bytes).is_ok());
    assert!(matches!(step(pre5, &encode(&long).unwrap()), Err(StepError::Unused(_))));
    // A different opcode in the code chunk the step opens.
    let mut forged = honest.clone();
    if let IoMode::Witness(q) = &mut forged.io.mode {
        if let Some(faultline_vm_core::machine::Access::Range { words, .. }) = q.front_mut() {
            let mut w = words[0];
            w[1 + 4] = 0x02; // MUL instead of ADD
            words[0] = w;
        }
    }
    assert!(matches!(step(pre, &encode(&forged).unwrap()), Err(StepError::Missing(_))));
    // An access left out, or one too many.
    let mut short = honest.clone();
    if let IoMode::Witness(q) = &mut short.io.mode {
        q.clear();
    }
    assert!(matches!(step(pre, &encode(&short).unwrap()), Err(StepError::Missing(_))));
    let mut long = honest.clone();
    if let IoMode::Witness(q) = &mut long.io.mode {
        let extra = q.front().cloned().expect("an access");
        q.push_back(extra);
    }
    assert!(matches!(step(pre, &encode(&long).unwrap()), Err(StepError::Unused(_))));
    // A wrong claimed pre-state.
    assert!(matches!(step(post, &bytes), Err(StepError::WrongPreState { .. })));
    // Truncated, or a byte too many.
    assert!(matches!(step(pre, &bytes[..bytes.len() - 1]), Err(StepError::Malformed(_))));
    let mut trailing = bytes.clone();
    trailing.push(0);
    assert!(matches!(step(pre, &trailing), Err(StepError::Malformed(_))));
}

#[test]
fn forged_world_proofs_are_refused() {
    // SLOAD of a slot that holds 5.
    let mut accounts = BTreeMap::new();
    accounts.insert(SENDER, Account { balance: U256::from(10u64).pow(U256::from(18)), ..Default::default() });
    accounts.insert(CONTRACT, Account::new(0, U256::ZERO, Bytes::from_static(&[0x60, 0x03, 0x54, 0x00]), [(U256::from(3), U256::from(5))]));
    let m = Machine::new(block(), vec![call(vec![], 100_000)], world(&accounts));
    let k = 5; // the SLOAD
    let pre = commitment_at(&m, k).expect("commitment");
    let mut s = state_at(&m, k).expect("state");
    let (kind, bytes) = step_recorded(&mut s, k).expect("witness");
    assert_eq!(kind, StepKind::Opcode(0x54));
    assert!(step(pre, &bytes).is_ok());
    let mut forged = decode(&bytes).expect("decodes");
    let mut tampered = false;
    if let IoMode::Witness(q) = &mut forged.io.mode {
        for a in q.iter_mut() {
            if let faultline_vm_core::machine::Access::Smt(acc) = a {
                if acc.proof.leaf_value_hash == B256::from(U256::from(5)) {
                    acc.proof.leaf_value_hash = B256::from(U256::from(6));
                    tampered = true;
                }
            }
        }
    }
    assert!(tampered, "the step opens the slot");
    assert!(matches!(step(pre, &encode(&forged).unwrap()), Err(StepError::Missing(_))));
}

#[test]
fn a_witness_reads_no_prover_only_field() {
    // v1 read the prover's inputs list and access-list items when a witness carried
    // them: a witness holding a forged input stepped to the forged transaction. The
    // decoder never builds them, and the step ignores them on a witness.
    let mut tx = call(vec![], 100_000);
    tx = tx_ctx_of(1, tx.hash, SENDER, tx.to, U256::ZERO, Bytes::new(), 100_000, 10, None, 0, Some(1), &[(CONTRACT, vec![B256::ZERO])], None);
    let m = Machine::new(block(), vec![tx.clone()], machine(&[0x00]).world);
    for (k, kind) in [(0u64, StepKind::NextTx), (2, StepKind::Warm)] {
        let mut s = state_at(&m, k).expect("state");
        let pre = s.commitment().expect("commitment");
        let (got, bytes) = step_recorded(&mut s, k).expect("witness");
        assert_eq!(got, kind);
        let post = s.commitment().expect("commitment");
        let mut w = decode(&bytes).expect("decodes");
        let Inputs::Given(given) = &mut w.inputs else { panic!("given inputs") };
        assert!(given.txs.is_none() && w.tx.as_ref().is_none_or(|t| t.access_items.is_none()));
        let mut forged = tx.clone();
        forged.gas_limit = 99;
        given.txs = Some(Rc::new(vec![forged]));
        if let Some(t) = w.tx.as_mut() {
            t.access_items = Some(vec![AccessItem { address: Address::with_last_byte(0x77), slot: None }]);
        }
        assert_eq!(step_machine(pre, w), Ok(post), "{kind:?} ignores the prover-only fields");
    }
}

#[test]
fn invalid_transactions_are_skipped_and_the_block_goes_on() {
    let mut m = machine(&[0x00]);
    let mut bad = call(vec![], 100_000);
    bad.nonce = 5;
    let good = call(vec![], 100_000);
    m = Machine::new(m.block.clone(), vec![bad, good], m.world.clone());
    let (end, _) = run_checked(m).expect("checks");
    assert!(matches!(&end.outcomes[0], TxOutcome::Invalid(why) if why.contains("nonce")));
    assert!(matches!(end.outcomes[1], TxOutcome::Ran { success: true, .. }));
    assert_eq!(end.acc.txs.count, 1, "only the valid one is in the transactions root");
    assert!(matches!(end.phase, Phase::Done { .. }));
}

fn modexp_input(lens: [usize; 3], fill: u8) -> Vec<u8> {
    let mut v: Vec<u8> = lens.iter().flat_map(|l| U256::from(*l).to_be_bytes::<32>()).collect();
    v.extend(std::iter::repeat_n(fill, lens.iter().sum()));
    v
}

/// EIP-7823 on the L2: a modexp with operands of 1,024 bytes runs, one declaring
/// 1,025 fails (as on the sequencer), and that failure is marked as the L2's bound
/// (Cancun would have run it). The L1 meter counts Osaka's price.
#[test]
fn modexp_operands_over_1024_bytes_fail() {
    // CALLDATACOPY(0, 0, size); SSTORE(0, STATICCALL(gas, 5, 0, size, 0, 32)).
    let code = [0x36, 0x5f, 0x5f, 0x37, 0x60, 0x20, 0x5f, 0x36, 0x5f, 0x60, 0x05, 0x5a, 0xfa, 0x5f, 0x55, 0x00];
    let m = MODEXP_MAX_OPERAND;
    for (lens, ok) in [([m, 1, 1], true), ([1, m, 1], true), ([1, 1, m], true), ([m + 1, 1, 1], false), ([1, m + 1, 1], false), ([1, 1, m + 1], false)] {
        let input = modexp_input(lens, 3);
        let (end, stats) = run_checked(machine_with(&code, input.clone(), 1_000_000)).expect("every step checks");
        assert!(matches!(end.outcomes[0], TxOutcome::Ran { success: true, .. }), "{:?}", end.outcomes);
        assert_eq!(slot(&end, CONTRACT, 0), U256::from(ok as u8), "{lens:?}");
        assert_eq!(end.io.meter.bound_hit(), (!ok).then_some(5), "{lens:?}: a failure of the L2's bound");
        assert!(stats.kinds.contains_key(&StepKind::Precompile(5)));
        if ok {
            let cancun = revm::precompile::modexp::berlin_run(&input, u64::MAX).expect("runs").gas_used;
            let osaka = revm::precompile::modexp::osaka_run(&input, u64::MAX).expect("runs").gas_used;
            assert_eq!(
                run_precompile(&Address::with_last_byte(5), &input, 1_000_000, &mut Meter::default()).map(|r| r.0),
                Some(cancun),
                "the L2 charges Cancun's price"
            );
            assert_eq!(l1_precompile_gas(&Address::with_last_byte(5), &input, cancun), osaka, "the L1 meter counts Osaka's");
        }
    }
    // Cancun's price far under the gas bound, the L1's over it: refused too.
    let mut over_l1 = modexp_input([m, 32, m], 1);
    over_l1[96 + m..96 + m + 32].copy_from_slice(&(U256::from(1u64) << 39usize).to_be_bytes::<32>());
    let mut meter = Meter::default();
    assert_eq!(run_precompile(&Address::with_last_byte(5), &over_l1, 1_000_000, &mut meter), None);
    assert_eq!(meter.bound_hit(), Some(5));
}

/// Osaka prices every Cancun precompile but modexp as Cancun does, so the L2's gas
/// bound on what a call used bounds what the L1 precompile charges.
#[test]
fn osaka_prices_the_other_precompiles_as_cancun() {
    let (cancun, osaka) = (revm::precompile::Precompiles::cancun(), revm::precompile::Precompiles::osaka());
    let inputs: Vec<Vec<u8>> = vec![vec![], vec![1; 64], vec![0; 128], vec![0; 192], vec![0; 384], vec![7; 1000], vec![0; 213]];
    for id in (1..=10u8).filter(|i| *i != 5) {
        let a = Address::with_last_byte(id);
        for input in &inputs {
            let run = |p: &revm::precompile::Precompiles| {
                p.get(&a).expect("a precompile").execute(input, 10_000_000, 0).ok().map(|o| (o.status.is_success(), o.gas_used))
            };
            assert_eq!(run(cancun), run(osaka), "precompile {id} on {} bytes", input.len());
        }
    }
}

/// CREATE2 of init code longer than a step hashes (micro-steps of the sponge, the
/// frame starting in the last), and EXTCODECOPY longer than a step copies (the code
/// loaded once into a tree, then copied from it, zero past its end): every step checks.
#[test]
fn long_create2_and_extcodecopy_are_micro_steps() {
    const OTHER: Address = Address::with_last_byte(0xdd);
    // Init code: SSTORE(0, 0x2a); STOP, then zeros to 10,000 bytes.
    let mut init = vec![0x60, 0x2a, 0x5f, 0x55, 0x00];
    init.resize(10_000, 0);
    let other: Vec<u8> = (0..10_000u32).map(|i| (i * 7 % 251) as u8).collect();
    let mut code = vec![0x36, 0x5f, 0x5f, 0x37]; // CALLDATACOPY(0, 0, size)
    code.extend([0x60, 0x07, 0x36, 0x5f, 0x5f, 0xf5, 0x5f, 0x55]); // SSTORE(0, CREATE2(0, 0, size, 7))
                                                                   // EXTCODECOPY(OTHER, 20,000, 5, 9,000); SSTORE(1, KECCAK256(20,000, 9,000))
    code.extend([0x61, 0x23, 0x28, 0x60, 0x05, 0x61, 0x4e, 0x20, 0x73]);
    code.extend_from_slice(OTHER.as_slice());
    code.extend([0x3c, 0x61, 0x23, 0x28, 0x61, 0x4e, 0x20, 0x20, 0x60, 0x01, 0x55]);
    // EXTCODECOPY(OTHER, 40,000, 9,000, 5,000): its last 4,000 bytes past the code.
    code.extend([0x61, 0x13, 0x88, 0x61, 0x23, 0x28, 0x61, 0x9c, 0x40, 0x73]);
    code.extend_from_slice(OTHER.as_slice());
    code.extend([0x3c, 0x61, 0x13, 0x88, 0x61, 0x9c, 0x40, 0x20, 0x60, 0x02, 0x55, 0x00]); // SSTORE(2, KECCAK256(40,000, 5,000))
    let mut accounts = BTreeMap::new();
    accounts.insert(SENDER, Account { balance: U256::from(10u64).pow(U256::from(18)), ..Default::default() });
    accounts.insert(CONTRACT, Account { code: code.into(), ..Default::default() });
    accounts.insert(OTHER, Account { code: other.clone().into(), ..Default::default() });
    let m = Machine::new(block(), vec![call(init.clone(), 3_000_000)], world(&accounts));
    let stats = every_step_checks(&m);
    let (end, _) = run(m).expect("runs");
    assert!(matches!(end.outcomes[0], TxOutcome::Ran { success: true, .. }), "{:?}", end.outcomes);
    let created = CONTRACT.create2(B256::from(U256::from(7).to_be_bytes::<32>()), keccak256(&init));
    assert_eq!(addr_of(slot(&end, CONTRACT, 0)), created);
    assert_eq!(slot(&end, created, 0), U256::from(0x2a), "the init code ran");
    assert_eq!(slot(&end, CONTRACT, 1), U256::from_be_bytes(keccak256(&other[5..9_005]).0));
    let mut tail = other[9_000..].to_vec();
    tail.resize(5_000, 0);
    assert_eq!(slot(&end, CONTRACT, 2), U256::from_be_bytes(keccak256(&tail).0));
    assert!(stats.kinds[&StepKind::Hash] >= 10 + 9 + 5, "{:?}", stats.kinds);
    assert!(stats.kinds[&StepKind::Copy] >= 3 + 3 + 2, "{:?}", stats.kinds);
    assert!(stats.max_witness < 16_000, "largest witness {} ({:?})", stats.max_witness, stats.max_witness_kind);
}
