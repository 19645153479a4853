//! Censorship resistance: a sequencer that ignores L1 deposits (a fault-injection flag,
//! `--fault-censor-deposits`) cannot keep a deposit out. Once the sequencing window has
//! passed, derivation forces the deposit in; the verifier's chain then credits it, and
//! the censoring sequencer's outputs are reported as wrong. An honest sequencer through
//! an L1 stall longer than the window holds its blocks instead of making ones derivation
//! would force a deposit into, and its outputs stay right.

mod harness;

use harness::{call, faultline, tool, wait_until, Devnet};

fn cast(args: &[&str]) -> String {
    tool("cast", args)
}
use serde_json::{json, Value};
use std::time::{Duration, Instant};

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn a_censored_deposit_is_forced_in_after_the_sequencing_window() {
    let Some(devnet) = Devnet::start(&["--block-time", "500ms", "--proposal-interval", "2", "--sequencing-window", "31", "--fault-censor-deposits"]) else {
        return;
    };
    let (l1, l2) = (devnet.l1(), devnet.l2());
    let book: Value = serde_json::from_str(&std::fs::read_to_string(devnet.data_dir.join("deploy/31337.json")).unwrap()).unwrap();
    let portal = book["portal"].as_str().unwrap();
    let inbox = book["batchInbox"].as_str().unwrap();
    let oracle = book["outputOracle"].as_str().unwrap();
    let key = "0x92db14e403b83dfe3df233f83dfa3a0d7096f21ca9b0d6d6b8d88b2b4ec1564e";
    let to = "0x00000000000000000000000000000000000f0ced";
    cast(&["send", "--rpc-url", &l1, "--private-key", key, portal, "depositETH(address)", to, "--value", "1000000000000000000"]);

    // The censoring sequencer never credits it, past the window (the shortest a
    // RollupConfig accepts: above the inbox's 30 s timestamp drift)...
    tokio::time::sleep(Duration::from_secs(34)).await;
    let bal = call(&l2, "eth_getBalance", json!([to, "latest"])).await;
    assert_eq!(bal["result"], json!("0x0"), "the fault-injected sequencer ignores deposits");

    // ...but once batches and an output cover blocks past the window, the verifier,
    // deriving from L1 alone, forces the deposit in and rejects the sequencer's outputs.
    let head = u64::from_str_radix(call(&l2, "eth_blockNumber", json!([])).await["result"].as_str().unwrap().trim_start_matches("0x"), 16).unwrap();
    wait_for_pipeline(&l1, inbox, oracle, head).await;
    let vdir = tempfile::tempdir().unwrap();
    let data_dir = devnet.data_dir.to_str().unwrap().to_string();
    let (ok, out, err) = faultline(&["verify", "--l1-rpc", &l1, "--data-dir", &data_dir, "--verifier-dir", vdir.path().to_str().unwrap()]);
    assert!(!ok, "verify must fail against a censoring sequencer:\n{out}\n{err}");
    assert!(out.contains("DISAGREES"), "{out}");
    assert!(err.contains("disagree with the chain derived from L1"), "{err}");
    let store = faultline_state::Store::open(&vdir.path().join("db")).unwrap();
    let acc = store.account(&to.parse().unwrap()).unwrap().expect("the forced deposit credited the recipient");
    assert_eq!(acc.balance, alloy::primitives::U256::from(1_000_000_000_000_000_000u64));
    drop(store);

    // The fault VM, from L1 alone, replays the derived chain: the block that forces the
    // deposit in starts from the deposit range the portal's forced cursor gives, as the
    // dispute game computes it, and ends with the derived block's hash — the one a
    // challenger proves the censoring sequencer's output wrong with.
    let book = devnet.data_dir.join("deploy/31337.json");
    let chain = devnet.data_dir.join("chain.toml");
    let out = harness::vm_block_from_l1(vdir.path(), &l1, &["--address-book", book.to_str().unwrap(), "--chain-config", chain.to_str().unwrap()]);
    assert_eq!(out.lines().filter(|l| l.contains(", forced in)")).count(), 1, "exactly one block forces the deposit in:\n{out}");
}

/// Waits until the inbox has batched L2 block `head` and an output covers it.
async fn wait_for_pipeline(l1: &str, inbox: &str, oracle: &str, head: u64) {
    let deadline = Instant::now() + Duration::from_secs(60);
    loop {
        let next: u64 = cast(&["call", "--rpc-url", l1, inbox, "nextBlock()(uint64)"]).parse().unwrap();
        let out_block: u64 = {
            let count: u64 = cast(&["call", "--rpc-url", l1, oracle, "outputCount()(uint256)"]).split_whitespace().next().unwrap().parse().unwrap();
            let o = cast(&["call", "--rpc-url", l1, oracle, "output(uint256)((bytes32,uint64,uint64,bool,address,uint96))", &(count - 1).to_string()]);
            o.trim_matches(|c| c == '(' || c == ')').split(", ").nth(1).unwrap().split_whitespace().next().unwrap().parse().unwrap()
        };
        if next > head && out_block >= head {
            break;
        }
        assert!(Instant::now() < deadline, "pipeline did not catch up");
        tokio::time::sleep(Duration::from_millis(300)).await;
    }
}

fn hex_u64(v: &Value) -> u64 {
    u64::from_str_radix(v.as_str().unwrap_or("0x0").trim_start_matches("0x"), 16).unwrap()
}

/// L1 stops with a deposit in its head block, which the deposit follower (one
/// confirmation deep) cannot read. Without the hold, the sequencer would seal blocks a
/// window past the deposit without it, and derivation would force it in. The producer
/// holds once its clock is a window past the last L1 block read; when L1 moves again,
/// the deposit is credited and `faultline verify` agrees with every output.
#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn an_honest_sequencer_holds_through_an_l1_stall_longer_than_the_window() {
    let Some(devnet) = Devnet::start(&["--block-time", "1s", "--proposal-interval", "5", "--sequencing-window", "31"]) else {
        return;
    };
    let (l1, l2) = (devnet.l1(), devnet.l2());
    let metrics_url = format!("http://127.0.0.1:{}/metrics", devnet.metrics_port);
    let metric = |name: &'static str| {
        let url = metrics_url.clone();
        async move {
            let text = reqwest::get(&url).await.ok()?.text().await.ok()?;
            text.lines().find_map(|l| l.strip_prefix(name).and_then(|v| v.strip_prefix(' '))).and_then(|v| v.trim().parse::<u64>().ok())
        }
    };
    wait_until("the first L2 blocks", 60, || async { hex_u64(&call(&l2, "eth_blockNumber", json!([])).await["result"]) > 0 }).await;
    let book: Value = serde_json::from_str(&std::fs::read_to_string(devnet.data_dir.join("deploy/31337.json")).unwrap()).unwrap();
    let portal = book["portal"].as_str().unwrap();
    let key = "0x92db14e403b83dfe3df233f83dfa3a0d7096f21ca9b0d6d6b8d88b2b4ec1564e";
    let to = "0x00000000000000000000000000000000000b1a11";

    // L1 stops; the deposit goes into one last block.
    assert!(call(&l1, "evm_setIntervalMining", json!([0])).await.get("error").is_none());
    let tx = cast(&["send", "--async", "--rpc-url", &l1, "--private-key", key, portal, "depositETH(address)", to, "--value", "1000000000000000000"]);
    assert!(call(&l1, "evm_mine", json!([])).await.get("error").is_none());
    let receipt = call(&l1, "eth_getTransactionReceipt", json!([tx.trim()])).await;
    let deposit_block = hex_u64(&receipt["result"]["blockNumber"]);
    let block = call(&l1, "eth_getBlockByNumber", json!([format!("{deposit_block:#x}"), false])).await;
    let deposit_time = hex_u64(&block["result"]["timestamp"]);

    // A window later the producer holds: no block is sealed that the deposit, unseen by
    // the follower, would be forced into.
    wait_until("the producer holds for L1", 90, || async { metric("faultline_producer_held_for_l1").await == Some(1) }).await;
    let read_block = metric("faultline_l1_deposits_read_block").await.expect("read block metric");
    let read_time = metric("faultline_l1_deposits_read_timestamp").await.expect("read time metric");
    assert!(read_block < deposit_block, "the follower has not read the deposit's block");
    let head = call(&l2, "eth_getBlockByNumber", json!(["latest", false])).await;
    let head_time = hex_u64(&head["result"]["timestamp"]);
    assert!(head_time < read_time + 31, "a block at {head_time} was sealed with L1 read only through {read_time}");
    assert!(head_time < deposit_time + 31, "a block at {head_time} lacks the deposit of L1 block {deposit_block} at {deposit_time}");
    assert_eq!(call(&l2, "eth_getBalance", json!([to, "latest"])).await["result"], json!("0x0"));
    assert!(devnet.log().contains("not sealing blocks until the L1 deposit follower reads further"), "{}", devnet.log());

    // L1 moves again: the follower reads on, the producer resumes with the deposit.
    assert!(call(&l1, "evm_setIntervalMining", json!([1])).await.get("error").is_none());
    wait_until("the deposit on L2", 60, || async { call(&l2, "eth_getBalance", json!([to, "latest"])).await["result"] == json!("0xde0b6b3a7640000") }).await;
    assert_eq!(metric("faultline_producer_held_for_l1").await, Some(0));

    // Once batches and an output cover the head, the chain derived from L1 agrees.
    let head = hex_u64(&call(&l2, "eth_blockNumber", json!([])).await["result"]);
    let inbox = book["batchInbox"].as_str().unwrap();
    let oracle = book["outputOracle"].as_str().unwrap();
    wait_for_pipeline(&l1, inbox, oracle, head).await;
    let vdir = tempfile::tempdir().unwrap();
    let data_dir = devnet.data_dir.to_str().unwrap().to_string();
    let (ok, out, err) = faultline(&["verify", "--l1-rpc", &l1, "--data-dir", &data_dir, "--verifier-dir", vdir.path().to_str().unwrap()]);
    assert!(ok, "verify must agree with an honest sequencer held through the stall:\n{out}\n{err}");
    assert!(!out.contains("DISAGREES"), "{out}");
}
