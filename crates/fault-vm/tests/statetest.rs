//! The state-test harness against real fixtures (`../shared/fixtures/ethereum-tests`,
//! read in place; skipped with a message when absent): on these folders every Cancun
//! case's revm post-state root and logs hash match the fixture, and the step machine,
//! with every step checked by the reference `step(pre, witness)`, reaches the same root
//! and logs hash.

use faultline_fault_vm::statetest::{machine_case, run_case, MachineOutcome, RevmOutcome, Suite};
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
                        other => panic!("{}::{name}[{i}] machine: {other:?}", f.display()),
                    }
                }
            }
        }
    }
    assert!(cases > 300, "ran {cases} cases");
    assert_eq!(machine_passed, cases);
}
