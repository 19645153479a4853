//! L1 reorgs on anvil (`anvil_reorg`): a reorg that drops a posted batch makes the batcher
//! post those blocks again (the inbox's `nextBlock` goes back), the proposer follows, and
//! the verifier still agrees; a deposit dropped before its confirmation depth never
//! reaches L2, and the next deposit takes its index. A verifier node following L1 with
//! no confirmation depth at all sees both reorgs after having read what they dropped,
//! detects them (its L1 anchor changed), derives again, and agrees.

mod harness;

use harness::{call, faultline, tool, wait_until, Devnet};

fn cast(args: &[&str]) -> String {
    tool("cast", args)
}
use serde_json::{json, Value};
use std::time::Duration;

fn hex_u64(v: &Value) -> u64 {
    u64::from_str_radix(v.as_str().unwrap_or("0x0").trim_start_matches("0x"), 16).unwrap_or(0)
}

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn batcher_proposer_and_verifier_survive_reorgs() {
    let Some(devnet) = Devnet::start(&["--block-time", "500ms", "--proposal-interval", "4", "--l1-confirmations", "4"]) else {
        return;
    };
    let (l1, l2) = (devnet.l1(), devnet.l2());
    let book: Value = serde_json::from_str(&std::fs::read_to_string(devnet.data_dir.join("deploy/31337.json")).unwrap()).unwrap();
    let inbox = book["batchInbox"].as_str().unwrap().to_string();
    let portal = book["portal"].as_str().unwrap().to_string();
    let next_block = || cast(&["call", "--rpc-url", &l1, &inbox, "nextBlock()(uint64)"]).parse::<u64>().unwrap();
    let batch_count = || cast(&["call", "--rpc-url", &l1, &inbox, "batchCount()(uint256)"]).parse::<u64>().unwrap();

    // A verifier node that reads L1 at its tip (0 confirmations), so both reorgs below
    // drop data it has already derived from.
    let vdir = tempfile::tempdir().unwrap();
    let vout = vdir.path().join("verifier.out");
    let book_path = devnet.data_dir.join("deploy/31337.json");
    let mut verifier = std::process::Command::new(harness::bin())
        .args(["node", "--verifier", "--l1-confirmations", "0", "--l1-rpc", &l1, "--address-book"])
        .arg(&book_path)
        .arg("--data-dir")
        .arg(vdir.path().join("data"))
        .stdout(std::fs::File::create(&vout).unwrap())
        .stderr(std::fs::File::create(vdir.path().join("verifier.err")).unwrap())
        .spawn()
        .unwrap();

    // 1. A reorg that drops the newest batch.
    wait_until("two batches", 30, || async { batch_count() >= 2 }).await;
    wait_until("the verifier to read the newest batch", 30, || async {
        std::fs::read_to_string(vdir.path().join("verifier.err")).unwrap_or_default().contains("derived")
    })
    .await;
    let before = next_block();
    let l1_head = hex_u64(&call(&l1, "eth_blockNumber", json!([])).await["result"]);
    let last = cast(&["call", "--rpc-url", &l1, &inbox, "batch(uint256)((bytes32,uint64,uint32,uint32,uint64))", &(batch_count() - 1).to_string()]);
    let batch_l1_block: u64 = last.trim_matches(|c| c == '(' || c == ')').split(", ").nth(4).unwrap().split_whitespace().next().unwrap().parse().unwrap();
    let depth = l1_head - batch_l1_block + 1;
    let r = call(&l1, "anvil_reorg", json!([depth, []])).await;
    assert!(r.get("error").is_none(), "{r}");
    let after = next_block();
    assert!(after < before, "the reorg dropped a batch ({before} -> {after})");
    wait_until("the batcher to post the dropped blocks again", 30, || async { next_block() > before }).await;

    // 2. A deposit dropped by a reorg before its 4 confirmations never reaches L2.
    let key = "0x8b3a350cf5c34c9194ca85829a2df0ec3153be0318b5e2d3348e872092edffba";
    let dropped_to = "0x00000000000000000000000000000000000d0d0d";
    let count_before = cast(&["call", "--rpc-url", &l1, &portal, "depositCount()(uint256)"]);
    cast(&["send", "--rpc-url", &l1, "--private-key", key, &portal, "depositETH(address)", dropped_to, "--value", "999"]);
    tokio::time::sleep(Duration::from_millis(1500)).await; // the tip-following verifier reads it
    let r = call(&l1, "anvil_reorg", json!([2, []])).await;
    assert!(r.get("error").is_none(), "{r}");
    assert_eq!(cast(&["call", "--rpc-url", &l1, &portal, "depositCount()(uint256)"]), count_before, "the reorg dropped the deposit");
    // Long enough for 4 confirmations of the dropped block to have passed.
    tokio::time::sleep(Duration::from_secs(6)).await;
    let bal = call(&l2, "eth_getBalance", json!([dropped_to, "latest"])).await;
    assert_eq!(bal["result"], json!("0x0"), "a dropped deposit must not be credited");
    // The next deposit gets the index and lands.
    let kept_to = "0x00000000000000000000000000000000000e0e0e";
    cast(&["send", "--rpc-url", &l1, "--private-key", key, &portal, "depositETH(address)", kept_to, "--value", "555"]);
    wait_until("the kept deposit on L2", 60, || async { call(&l2, "eth_getBalance", json!([kept_to, "latest"])).await["result"] == json!("0x22b") }).await;

    // 3. The verifier, from L1 alone, agrees with every surviving output.
    let l2_head = hex_u64(&call(&l2, "eth_blockNumber", json!([])).await["result"]);
    wait_until("batches past the deposit", 30, || async { next_block() > l2_head }).await;
    let data_dir = devnet.data_dir.to_str().unwrap().to_string();
    let (ok, out, err) = faultline(&["verify", "--l1-rpc", &l1, "--data-dir", &data_dir]);
    assert!(ok, "verify:\n{out}\n{err}\n{}", devnet.log());
    assert!(out.contains(" 0 disagree"), "{out}");
    let log = devnet.log();
    assert!(!log.contains("panicked"), "{log}");

    // The tip-following verifier noticed the reorgs, derived again, and agrees with the
    // outputs proposed after the dropped deposit (whose index the kept one took).
    let wanted = cast(&["call", "--rpc-url", &l1, book["outputOracle"].as_str().unwrap(), "outputCount()(uint256)"]).parse::<u64>().unwrap() - 1;
    wait_until("the verifier node to check the newest output", 60, || async {
        std::fs::read_to_string(&vout).unwrap_or_default().contains(&format!("output {wanted} "))
    })
    .await;
    harness::sigterm_and_wait(&mut verifier, Duration::from_secs(10));
    let text = std::fs::read_to_string(&vout).unwrap();
    let err = std::fs::read_to_string(vdir.path().join("verifier.err")).unwrap();
    assert!(text.contains("deriving again"), "the verifier must have detected a reorg:\n{text}\n{err}");
    let after_last_reset = text.rsplit("deriving again").next().unwrap();
    assert!(after_last_reset.contains(&format!("output {wanted} (")), "{text}");
    assert!(!after_last_reset.contains("DISAGREES"), "{text}\n{err}");
}
