//! The driver end to end against a throwaway IFaultVM (contracts/test/vm/StubFaultVM.sol,
//! built by `contracts/bin/forge build`; scripts/test.sh runs it first): deployment of a
//! module and the router, a call returning a post, each revert decoded, the gas figure
//! equal to what revm reports for the same transaction in an EVM of the test's own and
//! at least EIP-7623's floor, no state carried between calls, the hook of the checked
//! runs, and the cost of one call (printed; `--nocapture`).

use alloy_primitives::{keccak256, Address, Bytes, TxKind, B256, U256};
use faultline_vm_verifier::{compare, Agreement, Artifacts, L1Check, L1Verifier, Refusal};
use revm::{
    context::{BlockEnv, Context, TxEnv},
    database::{CacheDB, EmptyDB},
    handler::{ExecuteCommitEvm, ExecuteEvm, MainBuilder, MainnetContext},
    primitives::hardfork::SpecId,
    state::AccountInfo,
};
use std::path::PathBuf;

fn out() -> PathBuf {
    let dir = PathBuf::from(env!("CARGO_MANIFEST_DIR")).join("../../contracts/out");
    assert!(dir.join("StubFaultVM.sol/StubFaultVM.json").exists(), "{}: run `contracts/bin/forge build` first (scripts/test.sh does)", dir.display());
    dir
}

fn stub() -> Artifacts {
    Artifacts::from_forge_out(&out(), &["StubFaultVMModule"], "StubFaultVM").expect("the stub's artifacts")
}

fn pre(n: u64) -> B256 {
    B256::from(U256::from(n))
}

/// EIP-7623's floor of a transaction with `calldata`, computed here: 21,000 + 10 ×
/// (zero bytes + 4 × nonzero bytes).
fn floor(calldata: &[u8]) -> u64 {
    let zeros = calldata.iter().filter(|b| **b == 0).count() as u64;
    let nonzero = calldata.len() as u64 - zeros;
    21_000 + 10 * (zeros + 4 * nonzero)
}

/// The same deployment and call in an EVM built here, without the driver: the gas revm
/// reports for `step(pre, witness)`.
fn revm_gas(artifacts: &Artifacts, pre: B256, witness: &[u8]) -> u64 {
    let sender = Address::repeat_byte(0x77);
    let mut db = CacheDB::new(EmptyDB::default());
    db.insert_account_info(sender, AccountInfo { balance: U256::from(10u64).pow(U256::from(24)), ..Default::default() });
    let ctx: MainnetContext<_> = Context::new(db, SpecId::OSAKA);
    let mut evm = ctx.with_block(BlockEnv { gas_limit: 60_000_000, ..Default::default() }).build_mainnet();
    let tx = |nonce: u64, kind: TxKind, data: Vec<u8>| TxEnv { caller: sender, gas_limit: 1 << 24, kind, data: data.into(), nonce, ..Default::default() };
    let module = sender.create(0);
    assert!(evm.transact_commit(tx(0, TxKind::Create, artifacts.modules[0].1.to_vec())).expect("deploys").is_success());
    let mut init = artifacts.router.1.to_vec();
    init.extend_from_slice(&U256::from(0x20).to_be_bytes::<32>());
    init.extend_from_slice(&U256::from(1).to_be_bytes::<32>());
    init.extend_from_slice(module.into_word().as_slice());
    assert!(evm.transact_commit(tx(1, TxKind::Create, init)).expect("deploys").is_success());
    let data = L1Verifier::calldata(pre, witness);
    evm.transact(tx(2, TxKind::Call(sender.create(1)), data)).expect("runs").result.tx_gas_used()
}

#[test]
fn deploys_calls_decodes_and_measures() {
    let artifacts = stub();
    let mut v = L1Verifier::with_artifacts(&artifacts).expect("deploys");
    assert_eq!(v.modules().len(), 1);
    let witness: Vec<u8> = (0..300u32).map(|i| (i % 7) as u8).collect();

    // A post: the module's keccak256(pre ‖ witness), through the router.
    let ok = v.verify(pre(1), &witness).expect("runs");
    assert_eq!(ok.result, Ok(keccak256([pre(1).as_slice(), &witness].concat())));
    assert_eq!((ok.witness_len, ok.calldata_len), (300, 4 + 32 + 32 + 32 + 320));

    // Each revert.
    let cases: [(u64, Refusal); 6] = [
        (2, Refusal::Malformed { at: U256::from(300) }),
        (3, Refusal::WrongPreState { got: keccak256(&witness), claimed: pre(3) }),
        (4, Refusal::Missing { at: U256::from(7) }),
        (5, Refusal::Unused { accesses: U256::from(2), items: U256::from(3) }),
        (0xabcd, Refusal::Unsupported { kind: 0 }),
        (0xabce, Refusal::Unsupported { kind: 0 }),
    ];
    for (p, want) in cases {
        assert_eq!(v.verify(pre(p), &witness).expect("runs").result, Err(want), "pre {p}");
    }
    assert_eq!(v.verify(pre(0xabcd), &[0x42]).expect("runs").result, Err(Refusal::Unsupported { kind: 0x42 }));
    let unknown = v.verify(pre(6), &witness).expect("runs");
    assert!(matches!(&unknown.result, Err(Refusal::UnknownRevert(d)) if d.starts_with(&[0x08, 0xc3, 0x79, 0xa0])), "Error(string): {:?}", unknown.result);
    let halt = v.verify(pre(7), &witness).expect("runs");
    assert!(matches!(halt.result, Err(Refusal::Halt(_))), "{:?}", halt.result);
    assert_eq!(halt.gas_used, 1 << 24, "a halt burns the whole limit");
    assert_eq!(Refusal::Missing { at: U256::ZERO }.code(), Some("missing"));
    assert_eq!(Refusal::Unsupported { kind: 1 }.code(), None);

    // Gas: what revm reports for the same transaction, at least the floor; the floor
    // binds where execution is cheap (a long witness refused at once), not where it is
    // heavy (16 hashes of the witness); the same call costs the same every time (no
    // state carried over).
    for (p, w) in [(1, witness.clone()), (2, vec![0x5a; 40_000]), (8, vec![0x5a; 40_000]), (8, vec![0u8; 40_000]), (1, Vec::new())] {
        let got = v.verify(pre(p), &w).expect("runs");
        let calldata = L1Verifier::calldata(pre(p), &w);
        let (want, floor) = (revm_gas(&artifacts, pre(p), &w), floor(&calldata));
        assert_eq!(got.gas_used, want, "pre {p}, {} bytes: the figure is revm's", w.len());
        assert!(got.gas_used >= floor, "pre {p}: {} under the floor {floor}", got.gas_used);
        assert_eq!(v.verify(pre(p), &w).expect("runs").gas_used, got.gas_used, "pre {p}: the same again");
        println!("pre {p}, witness {:>6} bytes: {:>8} gas (floor {floor})", w.len(), got.gas_used);
        if p == 2 {
            assert_eq!(got.gas_used, floor, "a cheap refusal of a long witness pays exactly the floor");
        }
        if p == 8 && w[0] != 0 {
            assert!(got.gas_used > floor, "execution past the floor");
        }
    }
}

#[test]
fn compares_with_rust_and_tabulates() {
    let post = pre(9);
    let ok: Result<B256, Refusal> = Ok(post);
    assert_eq!(compare(Ok(post), &ok), Agreement::Agree);
    assert!(matches!(compare(Ok(pre(8)), &ok), Agreement::Mismatch(_)));
    assert!(matches!(compare(Err("missing"), &ok), Agreement::Mismatch(_)));
    let missing = Err(Refusal::Missing { at: U256::ZERO });
    assert_eq!(compare(Err("missing"), &missing), Agreement::Agree);
    assert!(matches!(compare(Err("malformed"), &missing), Agreement::Mismatch(_)));
    assert!(matches!(compare(Ok(post), &missing), Agreement::Mismatch(_)));
    assert!(matches!(compare(Err("unused"), &Err(Refusal::Halt("x".into()))), Agreement::Mismatch(_)));
    assert_eq!(compare(Ok(post), &Err(Refusal::Unsupported { kind: 3 })), Agreement::Unsupported(3));

    // As an observer: a post other than Rust's ends the run with what differs; an
    // agreeing error passes; both are counted.
    use faultline_vm_prover::trace::{CheckedStep, StepObserver};
    let mut check = L1Check::with_verifier(L1Verifier::with_artifacts(&stub()).expect("deploys"));
    let wrong = CheckedStep { index: 3, kind: faultline_vm_core::step::StepKind::Hash, pre: pre(1), witness: &[1, 2, 3], rust: Ok(post) };
    let err = check.observe(&wrong).expect_err("a mismatch");
    assert!(err.contains("on L1") && err.contains(&post.to_string()), "{err}");
    let missing = faultline_vm_core::error::StepError::Missing("x".into());
    let agreeing = CheckedStep { rust: Err(&missing), pre: pre(4), ..wrong };
    check.observe(&agreeing).expect("the same category");
    assert_eq!((check.stats.steps(), check.stats.mismatches()), (2, 1));
    assert!(check.stats.verdict(true).is_err());
}

/// The hook of the checked runs: a small transaction's steps, each handed to the stub,
/// which refuses every real commitment as unsupported; then the cost of one call.
#[test]
fn observes_a_checked_run_and_costs_little() {
    use faultline_vm_core::{
        machine::{BlockCtx, BlockHashes, Machine, Tree},
        world::{Account, FullWorld, MemWorld, World},
    };
    use std::{collections::BTreeMap, rc::Rc};
    let sender = Address::with_last_byte(0xaa);
    let target = Address::with_last_byte(0xcc);
    let accounts = BTreeMap::from([
        (sender, Account { balance: U256::from(10u64).pow(U256::from(20)), ..Default::default() }),
        (target, Account { code: vec![0x60, 0x02, 0x60, 0x03, 0x01, 0x5f, 0x55, 0x00].into(), ..Default::default() }),
    ]);
    let block = BlockCtx {
        number: 1,
        gas_limit: 30_000_000,
        basefee: 7,
        chain_id: 1,
        block_hashes: BlockHashes::Tree(Tree::from_words(&[B256::ZERO; 256])),
        ..Default::default()
    };
    let tx = faultline_vm_prover::l2::tx_ctx_of(2, B256::ZERO, sender, Some(target), U256::ZERO, Bytes::new(), 100_000, 10, Some(1), 0, Some(1), &[], None);
    let world = World::Full(Box::new(FullWorld::new(Rc::new(MemWorld::new(&accounts)))));
    let mut check = L1Check::with_verifier(L1Verifier::with_artifacts(&stub()).expect("deploys"));
    let (_, stats) = faultline_vm_prover::trace::run_checked_with(Machine::new(block, vec![tx], world), &mut check).expect("runs");
    assert_eq!(check.stats.steps(), stats.steps);
    assert_eq!(check.stats.unsupported(), stats.steps, "the stub supports no real step");
    assert!(check.stats.verdict(true).is_ok() && check.stats.verdict(false).is_err());
    println!("{}", check.stats);

    // The cost of one call beyond the EVM's work: the stub's cheapest path, many times.
    let w = vec![0x11u8; 1_000];
    let n = 5_000;
    let t0 = std::time::Instant::now();
    for _ in 0..n {
        check.verifier.verify(pre(2), &w).expect("runs");
    }
    let us = t0.elapsed().as_secs_f64() * 1e6 / n as f64;
    println!("{us:.1} µs per verify call (a 1,000-byte witness refused at once)");
}

/// The committed artifacts of `MODULES` and `ROUTER`: deployed by `L1Verifier::new`'s
/// path once committed; until then, the error names what is missing.
#[test]
fn the_committed_verifier_deploys_once_committed() {
    match Artifacts::embedded() {
        Ok(a) => {
            let v = L1Verifier::with_artifacts(&a).expect("the committed verifier deploys");
            assert_eq!(v.modules().len(), faultline_vm_verifier::MODULES.len());
        }
        Err(e @ faultline_vm_verifier::Error::MissingArtifact { .. }) => println!("not committed yet: {e}"),
        Err(e) => panic!("{e}"),
    }
}
