//! The committed contract artifacts (ABI + bytecode the `sol!` bindings are generated
//! from) must equal what `forge build` produces from `contracts/src`. Skips with a
//! message when `contracts/out` has not been built (scripts/test.sh builds it first);
//! `FAULTLINE_WRITE_ARTIFACTS=1` rewrites the committed files.

use serde_json::{json, Value};
use std::path::{Path, PathBuf};

/// (contract, folder of its committed artifact, relative to the repository root).
const ARTIFACTS: &[(&str, &str)] = &[
    ("RollupConfig", "crates/l1/artifacts"),
    ("Portal", "crates/l1/artifacts"),
    ("BatchInbox", "crates/l1/artifacts"),
    ("OutputOracle", "crates/l1/artifacts"),
    ("L2ToL1MessagePasser", "crates/primitives/artifacts"),
    ("GasPriceOracle", "crates/primitives/artifacts"),
];

fn repo_root() -> PathBuf {
    Path::new(env!("CARGO_MANIFEST_DIR")).join("../..")
}

/// The part of a forge artifact the bindings use.
fn trimmed(forge: &Value) -> Value {
    json!({
        "abi": forge["abi"],
        "bytecode": { "object": forge["bytecode"]["object"] },
        "deployedBytecode": { "object": forge["deployedBytecode"]["object"] },
    })
}

#[test]
fn artifacts_match_forge_build() {
    let root = repo_root();
    let out = root.join("contracts/out");
    if !out.exists() {
        eprintln!("skipped: contracts/out is missing (run `contracts/bin/forge build` first)");
        return;
    }
    let write = std::env::var_os("FAULTLINE_WRITE_ARTIFACTS").is_some();
    let mut stale = Vec::new();
    for (name, folder) in ARTIFACTS {
        let built = out.join(format!("{name}.sol/{name}.json"));
        let forge: Value =
            serde_json::from_str(&std::fs::read_to_string(&built).unwrap_or_else(|e| panic!("{}: {e}", built.display()))).expect("forge artifact is JSON");
        let want = trimmed(&forge);
        let committed_path = root.join(folder).join(format!("{name}.json"));
        let committed: Option<Value> = std::fs::read_to_string(&committed_path).ok().and_then(|t| serde_json::from_str(&t).ok());
        if committed.as_ref() != Some(&want) {
            if write {
                let mut text = serde_json::to_string_pretty(&want).unwrap();
                text.push('\n');
                std::fs::write(&committed_path, text).unwrap();
                eprintln!("rewrote {}", committed_path.display());
            } else {
                stale.push(committed_path.display().to_string());
            }
        }
    }
    assert!(
        stale.is_empty(),
        "committed artifacts differ from `forge build` (rebuild the Rust side with FAULTLINE_WRITE_ARTIFACTS=1 cargo test -p faultline-l1 --test artifacts): {stale:?}"
    );
}
