//! End to end with Foundry's own tools against the real node: `cast send`, `cast call`,
//! `forge create` of an ERC-20 and of an event-emitting contract. The tools are the
//! npm-pinned ones `scripts/setup.sh` installs; without them each test says SKIP.

mod harness;

use harness::{call, foundry_tool, repo_root, Node};
use serde_json::json;
use std::{path::Path, process::Command};

const KEY0: &str = "0xac0974bec39a17e36ba4a6b4d238ff944bacb478cbed5efcae784d7bf4f2ff80";
const ADDR0: &str = "0xf39Fd6e51aad88F6F4ce6aB8827279cffFb92266";
const BOB: &str = "0x000000000000000000000000000000000000b0b0";

fn run(tool: &Path, args: &[&str]) -> String {
    let out = Command::new(tool).args(args).current_dir(repo_root()).output().expect("run tool");
    assert!(
        out.status.success(),
        "{} {:?} failed:\nstdout: {}\nstderr: {}",
        tool.display(),
        args,
        String::from_utf8_lossy(&out.stdout),
        String::from_utf8_lossy(&out.stderr)
    );
    String::from_utf8_lossy(&out.stdout).trim().to_string()
}

fn deployed_to(out: &str) -> String {
    out.lines().find_map(|l| l.strip_prefix("Deployed to: ")).unwrap_or_else(|| panic!("no 'Deployed to' in forge output:\n{out}")).trim().to_string()
}

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn cast_send_and_call() {
    let Some(cast) = foundry_tool("cast") else { return };
    let node = Node::start();
    let url = node.http();
    assert_eq!(run(&cast, &["chain-id", "--rpc-url", &url]), "64023");
    run(&cast, &["send", "--rpc-url", &url, "--private-key", KEY0, BOB, "--value", "1ether"]);
    assert_eq!(run(&cast, &["balance", "--rpc-url", &url, BOB]), "1000000000000000000");
    assert_eq!(run(&cast, &["nonce", "--rpc-url", &url, ADDR0]), "1");
    let block = run(&cast, &["block", "--rpc-url", &url, "latest", "--json"]);
    let block: serde_json::Value = serde_json::from_str(&block).expect("block json");
    assert_eq!(block["transactions"].as_array().map(Vec::len), Some(1));
}

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn forge_create_erc20_and_events() {
    let (Some(forge), Some(cast)) = (foundry_tool("forge"), foundry_tool("cast")) else { return };
    let node = Node::start();
    let url = node.http();
    let token =
        deployed_to(&run(&forge, &["create", "contracts/src/bench/BenchToken.sol:BenchToken", "--rpc-url", &url, "--private-key", KEY0, "--broadcast"]));
    run(&cast, &["send", "--rpc-url", &url, "--private-key", KEY0, &token, "mint(uint256)", "1000"]);
    run(&cast, &["send", "--rpc-url", &url, "--private-key", KEY0, &token, "transfer(address,uint256)", BOB, "10"]);
    let bal = |who: &str| run(&cast, &["call", "--rpc-url", &url, &token, "balanceOf(address)(uint256)", who]);
    assert_eq!(bal(ADDR0), "990");
    assert_eq!(bal(BOB), "10");
    // Transfer(address,address,uint256) logs: the mint and the transfer.
    let logs = call(&url, "eth_getLogs", json!([{"address": token, "fromBlock": "0x0"}])).await;
    assert_eq!(logs["result"].as_array().map(Vec::len), Some(2), "{logs}");

    let emitter = deployed_to(&run(&forge, &["create", "contracts/src/bench/Emitter.sol:Emitter", "--rpc-url", &url, "--private-key", KEY0, "--broadcast"]));
    run(&cast, &["send", "--rpc-url", &url, "--private-key", KEY0, &emitter, "ping(string)", "hello"]);
    run(&cast, &["send", "--rpc-url", &url, "--private-key", KEY0, &emitter, "ping(string)", "again"]);
    assert_eq!(run(&cast, &["call", "--rpc-url", &url, &emitter, "count()(uint256)"]), "2");
    // Filter by the indexed `n == 2` topic.
    let ping_sig = run(&cast, &["keccak", "Ping(address,uint256,string)"]);
    let two = format!("0x{:064x}", 2);
    let logs = call(&url, "eth_getLogs", json!([{"address": emitter, "fromBlock": "0x0", "topics": [ping_sig, null, two]}])).await;
    assert_eq!(logs["result"].as_array().map(Vec::len), Some(1), "{logs}");
    // A revert with a reason reaches cast as "execution reverted".
    let out = Command::new(&cast).args(["call", "--rpc-url", &url, &emitter, "fail(string)", "boom"]).output().expect("cast call");
    assert!(!out.status.success());
    let err = String::from_utf8_lossy(&out.stderr);
    assert!(err.contains("execution reverted") && err.contains("boom"), "{err}");
}

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn forge_script_salted_create2_lands_where_forge_predicts() {
    let Some(forge) = foundry_tool("forge") else { return };
    let node = Node::start();
    let url = node.http();
    let out = run(&forge, &["script", "contracts/script/SaltedDeploy.s.sol", "--rpc-url", &url, "--private-key", KEY0, "--broadcast", "--slow"]);
    let predicted = out
        .lines()
        .find_map(|l| l.trim().strip_prefix("predicted: "))
        .unwrap_or_else(|| panic!("no prediction in the script's output:\n{out}"))
        .trim()
        .to_string();
    let code = call(&url, "eth_getCode", json!([predicted, "latest"])).await;
    let code = code["result"].as_str().unwrap_or_default();
    assert!(code.len() > 2, "code at the predicted address {predicted}:\n{out}");
    // The proxy made it: the transaction went to the deterministic deployment proxy.
    let block = call(&url, "eth_getBlockByNumber", json!(["latest", true])).await;
    let to = block["result"]["transactions"][0]["to"].as_str().unwrap_or_default().to_lowercase();
    assert_eq!(to, "0x4e59b44847b379578588920ca78fbf26c0b4956c", "{block}");
}

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn preinstalled_create2_proxy_is_the_one_anvil_ships() {
    let Some(anvil) = harness::Anvil::start(0) else { return };
    let node = Node::start();
    let proxy = "0x4e59b44847b379578588920cA78FbF26c0B4956C";
    let on_anvil = call(&anvil.url, "eth_getCode", json!([proxy, "latest"])).await;
    let on_l2 = call(&node.http(), "eth_getCode", json!([proxy, "latest"])).await;
    assert!(on_anvil["result"].as_str().is_some_and(|c| c.len() > 2), "{on_anvil}");
    assert_eq!(on_l2["result"], on_anvil["result"]);
}
