//! Embeds the verifier's committed artifacts: every `*.json` under
//! `crates/l1/artifacts/vm/` (written by `FAULTLINE_WRITE_ARTIFACTS=1 cargo test -p
//! faultline-l1 --test artifacts`), as `(name, text)` pairs in `$OUT_DIR/embedded.rs`.
//! Which of them are deployed, and in what order, is `faultline_vm_verifier::MODULES`
//! and `ROUTER`; a missing one is an error at `L1Verifier::new`, not at build time.

use std::{fmt::Write, path::PathBuf};

fn main() {
    let dir = PathBuf::from(std::env::var("CARGO_MANIFEST_DIR").expect("cargo sets it")).join("../l1/artifacts/vm");
    println!("cargo:rerun-if-changed={}", dir.display());
    let mut files: Vec<PathBuf> =
        std::fs::read_dir(&dir).map(|d| d.flatten().map(|e| e.path()).filter(|p| p.extension().is_some_and(|e| e == "json")).collect()).unwrap_or_default();
    files.sort();
    let mut out = String::from(
        "/// The committed artifacts of crates/l1/artifacts/vm: (contract name, artifact JSON).\npub(crate) const EMBEDDED: &[(&str, &str)] = &[\n",
    );
    for f in files {
        let name = f.file_stem().and_then(|s| s.to_str()).expect("a UTF-8 file name");
        let path = f.canonicalize().expect("the artifact exists");
        writeln!(out, "    ({name:?}, include_str!({:?})),", path.display().to_string()).expect("write to a string");
    }
    out.push_str("];\n");
    let dest = PathBuf::from(std::env::var("OUT_DIR").expect("cargo sets it")).join("embedded.rs");
    std::fs::write(dest, out).expect("write embedded.rs");
}
