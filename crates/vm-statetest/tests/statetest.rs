//! The state-test harness against real fixtures (`../shared/fixtures/ethereum-tests`,
//! read in place; skipped with a message when absent): on these folders every Cancun
//! case's revm post-state root and logs hash match the fixture, and the step machine,
//! with every step checked by the reference `step(pre, witness)`, reaches the same root
//! and logs hash.

use faultline_vm_statetest::{
    has_storage_only_account, machine_case, run_case, MachineOutcome, RevmOutcome, Suite, PRECOMPILE_BOUND_SKIP, STORAGE_WITHOUT_CODE_OR_NONCE,
};
use std::path::{Path, PathBuf};

fn fixtures() -> Option<PathBuf> {
    let p = Path::new(env!("CARGO_MANIFEST_DIR")).join("../../../shared/fixtures/ethereum-tests/GeneralStateTests");
    if p.exists() {
        Some(p)
    } else {
        eprintln!("SKIP: {} is absent (state-test fixtures live outside the repository)", p.display());
        None
    }
}

#[test]
fn revm_and_the_step_machine_match_fixtures_on_core_folders() {
    let Some(root) = fixtures() else { return };
    let mut cases = 0;
    let mut machine_passed = 0;
    // Cases whose precompile call the L2's bounds refuse (and Cancun runs).
    let mut bound_skips = Vec::new();
    // stEIP150singleCodeGasPrices and stStackTests catch a stale gas table (a context built
    // for another fork and switched to Cancun afterwards).
    for folder in [
        "stExample",
        "stLogTests",
        "stCallCodes",
        "stArgsZeroOneBalance",
        "stMemoryStressTest",
        "stEIP150singleCodeGasPrices",
        "stStackTests",
        "stEIP2930",
        "stCallCreateCallCodeTest",
        "stSelfBalance",
        "stReturnDataTest",
        "stRefundTest",
        "stPreCompiledContracts",
        "stCallDelegateCodesHomestead",
    ] {
        let mut files: Vec<_> = std::fs::read_dir(root.join(folder)).unwrap().flatten().map(|e| e.path()).collect();
        files.sort();
        for f in files.iter().filter(|f| f.extension().is_some_and(|e| e == "json")) {
            let suite: Suite = serde_json::from_slice(&std::fs::read(f).unwrap()).unwrap();
            for (name, test) in &suite {
                for (i, entry) in test.post.get("Cancun").into_iter().flatten().enumerate() {
                    cases += 1;
                    assert_eq!(run_case(test, entry), RevmOutcome::Match, "{}::{name}[{i}]", f.display());
                    match machine_case(test, entry, u64::MAX) {
                        MachineOutcome::Pass { .. } => machine_passed += 1,
                        MachineOutcome::Skip(why) if why.starts_with(PRECOMPILE_BOUND_SKIP) => bound_skips.push(format!("{name}[{i}]")),
                        other => panic!("{}::{name}[{i}] machine: {other:?}", f.display()),
                    }
                }
            }
        }
    }
    assert!(cases > 300, "ran {cases} cases");
    println!("{} cases skipped for the L2's precompile bounds: {bound_skips:?}", bound_skips.len());
    // Modexp calls over EIP-7823's operand bound or priced by the L1 (EIP-7883) over 1 M
    // gas, which Cancun runs: docs/fault-vm.md, "Precompiles and the L2's bounds".
    let want =
        ["modexp_modsize0_returndatasize[3]", "modexp[12]", "modexp[13]", "modexp[14]", "modexp[15]", "modexp[76]", "modexp[77]", "modexp[78]", "modexp[79]"];
    assert_eq!(bound_skips, want, "the cases the L2's precompile bounds skip");
    assert_eq!(machine_passed + bound_skips.len(), cases);
}

fn cases_of(root: &Path, file: &str) -> Vec<(String, faultline_vm_statetest::StateTest)> {
    let suite: Suite = serde_json::from_slice(&std::fs::read(root.join(file)).unwrap()).unwrap();
    suite.into_iter().collect()
}

/// Blob transactions the fixtures expect to be invalid and revm 43 would run: one that
/// creates (EIP-4844's `to` is an address, which revm leaves to the type) and one with
/// more blobs than a Cancun block holds (revm's default is no limit). The harness refuses
/// both, as the fixtures do.
#[test]
fn invalid_blob_transactions_leave_the_state_unchanged() {
    let Some(root) = fixtures() else { return };
    for file in ["Cancun/stEIP4844-blobtransactions/createBlobhashTx.json", "Cancun/stEIP4844-blobtransactions/blobhashListBounds7.json"] {
        for (name, test) in cases_of(&root, file) {
            for entry in test.post.get("Cancun").into_iter().flatten() {
                assert!(entry.expect_exception.is_some(), "{file}::{name} expects an invalid transaction");
                assert_eq!(run_case(&test, entry), RevmOutcome::Match, "{file}::{name}");
            }
        }
    }
}

/// EIP-7610 (a create collides with an account's storage) is the one rule where revm 43
/// and the fixtures part; it matters only for an account with storage but neither code nor
/// nonce, which the L2 cannot hold. `vm statetest` skips these cases with that reason;
/// this test pins the divergence, so that a revm with EIP-7610 turns them into passes. The
/// machine differs from revm there too (revm reads the storage of an account it creates
/// over as empty, the machine reads what is there), so it is held to neither.
#[test]
fn eip7610_cases_are_where_revm_and_the_fixtures_part() {
    let Some(root) = fixtures() else { return };
    let mut cases = 0;
    for file in ["stSStoreTest/InitCollisionParis.json", "stCreate2/create2collisionStorageParis.json"] {
        for (name, test) in cases_of(&root, file) {
            assert!(has_storage_only_account(&test), "{file}::{name}");
            for (i, entry) in test.post.get("Cancun").into_iter().flatten().enumerate() {
                assert!(matches!(run_case(&test, entry), RevmOutcome::Eip7610 { .. }), "{file}::{name}[{i}]: revm now matches the fixture");
                assert!(
                    matches!(machine_case(&test, entry, u64::MAX), MachineOutcome::Skip(ref why) if why == STORAGE_WITHOUT_CODE_OR_NONCE),
                    "{file}::{name}[{i}]"
                );
                cases += 1;
            }
        }
    }
    assert_eq!(cases, 7);
}
