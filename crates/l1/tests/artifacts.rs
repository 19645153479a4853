//! The committed contract artifacts (ABI + bytecode the `sol!` bindings are generated
//! from) must equal what `forge build` produces from `contracts/src`. Skips with a
//! message when `contracts/out` has not been built (scripts/test.sh builds it first);
//! `FAULTLINE_WRITE_ARTIFACTS=1` rewrites the committed files.
//!
//! The one-step verifier's contracts (`faultline_vm_verifier::MODULES` and `ROUTER`,
//! committed under `crates/l1/artifacts/vm/` and embedded by crates/vm-verifier) are
//! checked the same way; one not built yet and not committed is noted and passed over
//! (the verifier is being written), and a committed file under `artifacts/vm/` that is
//! none of them is stale.

use serde_json::{json, Value};
use std::path::{Path, PathBuf};

/// (contract, folder of its committed artifact, relative to the repository root).
const ARTIFACTS: &[(&str, &str)] = &[
    ("RollupConfig", "crates/l1/artifacts"),
    ("Portal", "crates/l1/artifacts"),
    ("BatchInbox", "crates/l1/artifacts"),
    ("OutputOracle", "crates/l1/artifacts"),
    ("BlockStart", "crates/l1/artifacts"),
    ("FaultDisputeGame", "crates/l1/artifacts"),
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
    // The verifier's contracts, wherever forge put them (`<File>.sol/<Name>.json`).
    let vm_dir = root.join("crates/l1/artifacts/vm");
    let names: Vec<&str> = [faultline_vm_verifier::ENGINE]
        .into_iter()
        .chain(faultline_vm_verifier::MODULES.iter().copied().filter(|m| *m != faultline_vm_verifier::NOT_DEPLOYED))
        .chain([faultline_vm_verifier::ROUTER])
        .collect();
    for name in &names {
        let committed_path = vm_dir.join(format!("{name}.json"));
        let committed: Option<Value> = std::fs::read_to_string(&committed_path).ok().and_then(|t| serde_json::from_str(&t).ok());
        let Ok(built) = faultline_vm_verifier::find_in_forge_out(&out, name) else {
            if committed_path.exists() {
                stale.push(format!("{} (forge built no {name})", committed_path.display()));
            } else {
                eprintln!("note: the verifier's {name} is neither built nor committed (contracts/src/vm is being written)");
            }
            continue;
        };
        let forge: Value =
            serde_json::from_str(&std::fs::read_to_string(&built).unwrap_or_else(|e| panic!("{}: {e}", built.display()))).expect("forge artifact is JSON");
        let want = trimmed(&forge);
        if committed.as_ref() != Some(&want) {
            if write {
                std::fs::create_dir_all(&vm_dir).unwrap();
                let mut text = serde_json::to_string_pretty(&want).unwrap();
                text.push('\n');
                std::fs::write(&committed_path, text).unwrap();
                eprintln!("rewrote {}", committed_path.display());
            } else {
                stale.push(committed_path.display().to_string());
            }
        }
    }
    for entry in std::fs::read_dir(&vm_dir).into_iter().flatten().flatten() {
        let path = entry.path();
        let stem = path.file_stem().and_then(|s| s.to_str()).unwrap_or_default().to_string();
        if path.extension().is_some_and(|e| e == "json") && !names.contains(&stem.as_str()) {
            if write {
                std::fs::remove_file(&path).unwrap();
                eprintln!("removed {} (not in MODULES or ROUTER)", path.display());
            } else {
                stale.push(format!("{} (not in faultline_vm_verifier::MODULES or ROUTER)", path.display()));
            }
        }
    }
    assert!(
        stale.is_empty(),
        "committed artifacts differ from `forge build` (rebuild the Rust side with FAULTLINE_WRITE_ARTIFACTS=1 cargo test -p faultline-l1 --test artifacts): {stale:?}"
    );
}
