//! The wallet libraries users run, against the real node: each `tests/clients/*.test.mjs`
//! (node's test runner, with the npm-pinned viem and ethers that `scripts/setup.sh`
//! installs) runs against a fresh node sealing a block a second, so a transaction sent
//! after another is sent while that one waits in the pool. Then the fault-proof machine
//! replays every block the clients made, each step checked (`faultline vm block --check`).
//! Without Node.js or the installed packages each test says SKIP.

mod harness;

use harness::{call, faultline, repo_root, Devnet, Node};
use serde_json::json;
use std::process::Command;

/// Whether the client suite can run here (else a SKIP message says why).
fn installed() -> bool {
    let dir = repo_root().join("tests/clients");
    if !dir.join("node_modules/viem").exists() || !dir.join("node_modules/ethers").exists() {
        eprintln!("SKIP: {} has no viem/ethers installed (run scripts/setup.sh)", dir.display());
        return false;
    }
    if !repo_root().join("contracts/out/BenchToken.sol/BenchToken.json").exists() {
        eprintln!("SKIP: contracts/out is missing (run contracts/bin/forge build)");
        return false;
    }
    true
}

/// Runs one test file against the L2 at `url`; `Err` carries its output when it fails.
fn node_test(file: &str, url: &str, env: &[(&str, &str)]) -> Result<String, String> {
    let mut cmd = Command::new("node");
    cmd.args(["--test", "--test-reporter=spec", file]).current_dir(repo_root().join("tests/clients"));
    cmd.env("FAULTLINE_L2_RPC", url).env("FAULTLINE_REPO", repo_root());
    for (k, v) in env {
        cmd.env(k, v);
    }
    let out = cmd.output().map_err(|e| format!("cannot run node ({e}): install Node.js"))?;
    let text = format!("{}\n{}", String::from_utf8_lossy(&out.stdout), String::from_utf8_lossy(&out.stderr));
    if out.status.success() {
        Ok(text)
    } else {
        Err(text)
    }
}

fn run_js(file: &str) {
    if !installed() {
        return;
    }
    let node = Node::start_with("1s");
    match node_test(file, &node.http(), &[]) {
        Ok(out) => println!("{out}"),
        Err(out) => panic!("{file} failed:\n{out}\nnode log:\n{}", node.log()),
    }
    // At least one block to replay, however fast the file ran (dev mode's evm_mine).
    let rt = tokio::runtime::Builder::new_current_thread().enable_all().build().expect("runtime");
    rt.block_on(call(&node.http(), "evm_mine", json!([])));
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

/// viem's OP Stack actions (`estimateL1Fee`, `estimateTotalFee`) through the
/// GasPriceOracle predeploy, and a transfer's receipt `l1Fee`, on a devnet whose blocks
/// price with L1 values the inbox recorded (docs/chain.md, "L1 fee").
#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn viem_op_stack_l1_fee_actions() {
    if !installed() {
        return;
    }
    let Some(devnet) = Devnet::start(&["--block-time", "1s"]) else { return };
    let l2 = devnet.l2();
    // The oracle holds an L1 base fee once a block names an L1 fee origin.
    let selector = format!("0x{}", alloy::hex::encode(&alloy::primitives::keccak256("l1BaseFee()")[..4]));
    let deadline = std::time::Instant::now() + std::time::Duration::from_secs(60);
    loop {
        let r = call(&l2, "eth_call", json!([{"to": "0x420000000000000000000000000000000000000F", "data": selector}, "latest"])).await;
        if r["result"].as_str().is_some_and(|v| v.trim_start_matches("0x").trim_start_matches('0') != "") {
            break;
        }
        assert!(std::time::Instant::now() < deadline, "no L1 fee origin within 60 s: {r}\n{}", devnet.log());
        tokio::time::sleep(std::time::Duration::from_millis(250)).await;
    }
    let key = "0x7c852118294e51e653712a81e05800f419141751be58f605c371e15141b007a6";
    match node_test("l1fee.test.mjs", &l2, &[("FAULTLINE_PRIVATE_KEY", key)]) {
        Ok(out) => println!("{out}"),
        Err(out) => panic!("l1fee.test.mjs failed:\n{out}\ndevnet log:\n{}", devnet.log()),
    }
}
