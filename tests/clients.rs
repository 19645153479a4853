//! The wallet libraries users run, against the real node: each `tests/clients/*.test.mjs`
//! (node's test runner, with the npm-pinned viem and ethers that `scripts/setup.sh`
//! installs) runs against a fresh node sealing a block a second, so a transaction sent
//! after another is sent while that one waits in the pool. Then the fault-proof machine
//! replays every block the clients made, each step checked (`faultline vm block --check`).
//! Without Node.js or the installed packages each test says SKIP.

mod harness;

use harness::{faultline, repo_root, Node};
use std::process::Command;

fn run_js(file: &str) {
    let dir = repo_root().join("tests/clients");
    if !dir.join("node_modules/viem").exists() || !dir.join("node_modules/ethers").exists() {
        eprintln!("SKIP: {} has no viem/ethers installed (run scripts/setup.sh)", dir.display());
        return;
    }
    if !repo_root().join("contracts/out/BenchToken.sol/BenchToken.json").exists() {
        eprintln!("SKIP: contracts/out is missing (run contracts/bin/forge build)");
        return;
    }
    let node = Node::start_with("1s");
    let out = match Command::new("node")
        .args(["--test", "--test-reporter=spec", file])
        .current_dir(&dir)
        .env("FAULTLINE_L2_RPC", node.http())
        .env("FAULTLINE_REPO", repo_root())
        .output()
    {
        Ok(out) => out,
        Err(e) => {
            eprintln!("SKIP: cannot run node ({e}): install Node.js");
            return;
        }
    };
    let stdout = String::from_utf8_lossy(&out.stdout);
    let stderr = String::from_utf8_lossy(&out.stderr);
    println!("{stdout}");
    assert!(out.status.success(), "{file} failed:\n{stdout}\n{stderr}\nnode log:\n{}", node.log());
    let data_dir = node.data_dir.to_string_lossy().into_owned();
    let (ok, out, err) = faultline(&["vm", "block", "--data-dir", &data_dir, "--check"]);
    assert!(ok, "vm block failed:\n{out}\n{err}");
    assert!(out.contains("every step checked") && out.contains(" 0 over the 2 M target"), "{out}");
    println!("{out}");
}

#[test]
fn viem_and_ethers_send_back_to_back() {
    run_js("sends.test.mjs");
}

#[test]
fn legacy_fees_and_transfer_estimates() {
    run_js("fees.test.mjs");
}

#[test]
fn viem_multicall_through_the_preinstalled_multicall3() {
    run_js("multicall.test.mjs");
}
