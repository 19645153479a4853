//! End to end, issue 13: the node's limits against abuse, on the real binary. A batch of
//! heavy `eth_call`s does not stop block production; a call past the gas cap or its
//! time budget gets a clear error; an L1 outage is logged with its length and exported
//! as metrics.

mod harness;

use harness::{call, post, Node};
use serde_json::{json, Value};
use std::time::Duration;

/// `JUMPDEST PUSH1 0 JUMP`: an endless loop, as init code of a create call.
const LOOP: &str = "0x5b600056";

fn hex_u64(v: &Value) -> u64 {
    v.as_str().and_then(|s| u64::from_str_radix(s.trim_start_matches("0x"), 16).ok()).unwrap_or_else(|| panic!("not a quantity: {v}"))
}

async fn head(url: &str) -> u64 {
    hex_u64(&call(url, "eth_blockNumber", json!([])).await["result"])
}

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn blocks_keep_coming_while_a_batch_of_heavy_calls_runs() {
    let node = Node::start_with_args("1s", &["--rpc-batch-timeout", "6s"]);
    let url = node.http();
    while head(&url).await < 1 {
        tokio::time::sleep(Duration::from_millis(100)).await;
    }
    let first = head(&url).await;
    // 1,000 endless loops at 50 M gas each, in one batch (issue 13's attack).
    let batch: Vec<Value> =
        (0..1000).map(|i| json!({"jsonrpc": "2.0", "id": i, "method": "eth_call", "params": [{"data": LOOP, "gas": "0x2faf080"}, "latest"]})).collect();
    let body = serde_json::to_string(&batch).unwrap();
    let u = url.clone();
    let running = tokio::spawn(async move { post(&u, body).await });
    // While it runs, other requests are answered.
    let mut polls = 0;
    while !running.is_finished() {
        let n = tokio::time::timeout(Duration::from_secs(5), head(&url)).await.expect("eth_blockNumber answers during the batch");
        assert!(n >= first);
        polls += 1;
        tokio::time::sleep(Duration::from_millis(250)).await;
    }
    let answers = running.await.unwrap();
    let answers = answers.as_array().expect("a batch answer");
    assert_eq!(answers.len(), 1000);
    let capped = answers.iter().filter(|a| a["error"]["message"].as_str().is_some_and(|m| m.starts_with("out of gas: the call used all 50000000 gas"))).count();
    let unrun = answers.iter().filter(|a| a["error"]["code"] == json!(-32005)).count();
    assert_eq!(capped + unrun, 1000, "every entry is a clear error: {:?}", answers.iter().find(|a| a["error"]["code"] != json!(-32005)));
    assert!(capped > 0 && unrun > 0, "some ran to the gas cap ({capped}), the rest hit the batch budget ({unrun})");
    assert!(polls > 0);
    // No gap of more than three block times between the blocks sealed meanwhile.
    let last = head(&url).await;
    assert!(last >= first + 3, "blocks were sealed while the batch ran ({first}..{last})");
    let mut stamps = Vec::new();
    for n in first..=last {
        let b = call(&url, "eth_getBlockByNumber", json!([format!("{n:#x}"), false])).await;
        stamps.push(hex_u64(&b["result"]["timestamp"]));
    }
    let worst = stamps.windows(2).map(|w| w[1] - w[0]).max().unwrap_or(0);
    assert!(worst <= 3, "block production stalled {worst} s during the batch; stamps {stamps:?}");
}

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn calls_past_the_gas_cap_or_the_time_budget_get_clear_errors() {
    // The gas cap: a request for more gas runs with the cap, and says so when it runs out.
    let node = Node::start_with_args("0", &["--rpc-gas-cap", "1000000"]);
    let v = call(&node.http(), "eth_call", json!([{"data": LOOP, "gas": "0x3b9aca00"}, "latest"])).await;
    assert_eq!(v["error"]["code"], json!(-32000), "{v}");
    assert_eq!(v["error"]["message"], json!("out of gas: the call used all 1000000 gas of the RPC gas cap"));
    let v = call(&node.http(), "eth_estimateGas", json!([{"data": LOOP}])).await;
    assert_eq!(v["error"]["message"], json!("gas required exceeds allowance (1000000)"), "{v}");
    drop(node);
    // The time budget: 300 M gas of loop takes far longer than 20 ms.
    let node = Node::start_with_args("0", &["--rpc-gas-cap", "300000000", "--rpc-call-timeout", "20ms"]);
    let v = call(&node.http(), "eth_call", json!([{"data": LOOP}, "latest"])).await;
    assert_eq!(v["error"]["code"], json!(-32000), "{v}");
    assert_eq!(v["error"]["message"], json!("execution aborted (timeout = 20ms)"));
    let v = call(&node.http(), "eth_estimateGas", json!([{"data": LOOP}])).await;
    assert_eq!(v["error"]["message"], json!("execution aborted (timeout = 20ms)"), "{v}");
    // A bad flag value is refused at start with a clear message.
    let (ok, _, err) = harness::faultline(&["node", "--rpc-call-timeout", "soon", "--data-dir", "/nonexistent/x"]);
    assert!(!ok && err.contains("bad duration"), "{err}");
}

async fn wait_until<F, Fut>(what: &str, mut f: F)
where
    F: FnMut() -> Fut,
    Fut: std::future::Future<Output = bool>,
{
    let deadline = std::time::Instant::now() + Duration::from_secs(30);
    while !f().await {
        assert!(std::time::Instant::now() < deadline, "timed out waiting for {what}");
        tokio::time::sleep(Duration::from_millis(200)).await;
    }
}

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn an_l1_outage_is_logged_with_its_length_and_exported() {
    let Some(anvil) = harness::Anvil::start(1) else { return };
    let l1_port = anvil.port;
    let dir = tempfile::tempdir().unwrap();
    let book = dir.path().join("book.json");
    let (ok, out, err) = harness::faultline(&["deploy", "--l1-rpc", &anvil.url, "--out", book.to_str().unwrap()]);
    assert!(ok, "deploy failed:\n{out}\n{err}");
    let metrics_port = harness::free_port();
    let metrics_addr = format!("127.0.0.1:{metrics_port}");
    let node = Node::start_with_args("1s", &["--address-book", book.to_str().unwrap(), "--l1-rpc", &anvil.url, "--metrics-addr", &metrics_addr]);
    let metrics = || async move {
        match reqwest::get(format!("http://127.0.0.1:{metrics_port}/metrics")).await {
            Ok(r) => r.text().await.unwrap_or_default(),
            Err(_) => String::new(),
        }
    };
    wait_until("L1 up", || async { metrics().await.contains("\nfaultline_l1_up 1") }).await;
    drop(anvil); // L1 goes away
    wait_until("L1 down in the metrics", || async { metrics().await.contains("\nfaultline_l1_up 0") }).await;
    wait_until("the outage warning", || async { node.log().contains("L1 unreachable") }).await;
    tokio::time::sleep(Duration::from_secs(2)).await;
    let m = metrics().await;
    let secs: u64 =
        m.lines().find_map(|l| l.strip_prefix("faultline_l1_unreachable_seconds ")).and_then(|v| v.trim().parse().ok()).expect("outage length metric");
    assert!(secs >= 1, "{m}");
    assert!(m.contains("\nfaultline_l1_outages_total 1"), "{m}");
    let _anvil = harness::Anvil::start_on(l1_port, 1).expect("anvil again");
    wait_until("L1 back in the metrics", || async { metrics().await.contains("\nfaultline_l1_up 1") }).await;
    wait_until("the recovery warning", || async { node.log().contains("L1 reachable again after an outage of") }).await;
}
