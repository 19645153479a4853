//! The state-test harness against real fixtures (`../shared/fixtures/ethereum-tests`,
//! read in place; skipped with a message when absent): on these folders every Cancun
//! case's revm post-state root and logs hash match the fixture.

use faultline_fault_vm::statetest::{run_case, RevmOutcome, Suite};
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
fn revm_matches_fixtures_on_core_folders() {
    let Some(root) = fixtures() else { return };
    let mut cases = 0;
    // stEIP150singleCodeGasPrices and stStackTests catch a stale gas table (a context built
    // for another fork and switched to Cancun afterwards).
    for folder in ["stExample", "stLogTests", "stCallCodes", "stArgsZeroOneBalance", "stMemoryStressTest", "stEIP150singleCodeGasPrices", "stStackTests", "stEIP2930"] {
        let mut files: Vec<_> = std::fs::read_dir(root.join(folder)).unwrap().flatten().map(|e| e.path()).collect();
        files.sort();
        for f in files.iter().filter(|f| f.extension().is_some_and(|e| e == "json")) {
            let suite: Suite = serde_json::from_slice(&std::fs::read(f).unwrap()).unwrap();
            for (name, test) in &suite {
                for (i, entry) in test.post.get("Cancun").into_iter().flatten().enumerate() {
                    cases += 1;
                    assert_eq!(run_case(test, entry), RevmOutcome::Match, "{}::{name}[{i}]", f.display());
                }
            }
        }
    }
    assert!(cases > 300, "ran {cases} cases");
}
