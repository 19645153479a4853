//! Durability of a sequencer against L1, end to end (real anvil, real `faultline devnet`
//! processes, RocksDB on disk):
//!
//! - a crash that loses every write after the store's last sync (the fault-injection
//!   double `--fault-drop-unsynced`: the store keeps an image of itself as of each sync,
//!   moved over the store while the devnet is stopped) never loses a block the batcher had
//!   posted, and the node continues with no output disagreeing;
//! - a store behind L1 (an older copy of the data dir restored after the batcher posted
//!   more) re-derives the missing blocks from L1 at start and continues on L1's chain, and
//!   `faultline verify` agrees with every output;
//! - a store whose block differs from L1's at the same height is refused at start, with
//!   an error naming the block and both hashes.
//!
//! Run with `--nocapture` for the restart figures.

mod harness;

use harness::{call, faultline, free_port, wait_until, Devnet};
use serde_json::{json, Value};
use std::{
    path::{Path, PathBuf},
    process::{Command, Stdio},
    time::{Duration, Instant},
};

fn hex_u64(v: &Value) -> u64 {
    u64::from_str_radix(v.as_str().unwrap_or("0x0").trim_start_matches("0x"), 16).unwrap_or(0)
}

async fn l2_head(url: &str) -> u64 {
    hex_u64(&call(url, "eth_blockNumber", json!([])).await["result"])
}

/// `BatchInbox.nextBlock() - 1`: the newest L2 block on L1.
fn on_l1(devnet: &Devnet) -> u64 {
    let book: Value = serde_json::from_str(&std::fs::read_to_string(devnet.data_dir.join("deploy/31337.json")).unwrap()).unwrap();
    let inbox = book["batchInbox"].as_str().unwrap();
    harness::tool("cast", &["call", "--rpc-url", &devnet.l1(), inbox, "nextBlock()(uint64)"]).parse::<u64>().unwrap() - 1
}

/// Sends `n` L2 transfers from dev account 0, each waited for; returns their hashes.
fn transfers(devnet: &Devnet, n: usize) -> Vec<String> {
    (0..n)
        .map(|i| {
            let receipt = harness::tool(
                "cast",
                &[
                    "send",
                    "--json",
                    "--rpc-url",
                    &devnet.l2(),
                    "--private-key",
                    "0xac0974bec39a17e36ba4a6b4d238ff944bacb478cbed5efcae784d7bf4f2ff80",
                    "0x000000000000000000000000000000000000b0b0",
                    "--value",
                    &(i + 1).to_string(),
                ],
            );
            let receipt: Value = serde_json::from_str(&receipt).unwrap();
            assert_eq!(receipt["status"], json!("0x1"), "{receipt}");
            receipt["transactionHash"].as_str().unwrap().to_string()
        })
        .collect()
}

/// The value of `key=` in the last log line containing `what`.
fn logged(log: &str, what: &str, key: &str) -> Option<String> {
    let line = log.lines().rev().find(|l| l.contains(what))?;
    let at = line.find(&format!(" {key}="))? + key.len() + 2;
    Some(line[at..].split_whitespace().next()?.trim_matches('"').to_string())
}

fn logged_u64(log: &str, what: &str, key: &str) -> u64 {
    logged(log, what, key).and_then(|v| v.parse().ok()).unwrap_or_else(|| panic!("no {key} in a `{what}` line:\n{log}"))
}

/// The log lines of the last start's reconciliation (for the figures).
fn print_reconcile_lines(log: &str) {
    let last_start = log.rfind("L1 (anvil) up").unwrap_or(0);
    for line in log[last_start..].lines().filter(|l| l.contains("reconcile") || l.contains("compare the chain")) {
        println!("  log: {line}");
    }
}

fn copy_dir(from: &Path, to: &Path) {
    let _ = std::fs::remove_dir_all(to);
    std::fs::create_dir_all(to).unwrap();
    for entry in std::fs::read_dir(from).unwrap() {
        let entry = entry.unwrap();
        let target = to.join(entry.file_name());
        if entry.file_type().unwrap().is_dir() {
            copy_dir(&entry.path(), &target);
        } else {
            std::fs::copy(entry.path(), target).unwrap();
        }
    }
}

fn verify_agrees(devnet: &Devnet) -> String {
    let data_dir = devnet.data_dir.to_str().unwrap();
    let (ok, out, err) = faultline(&["verify", "--l1-rpc", &devnet.l1(), "--data-dir", data_dir]);
    assert!(ok, "verify failed:\n{out}\n{err}");
    assert!(out.contains("agrees") && !out.contains("DISAGREES"), "{out}");
    out.lines().last().unwrap_or_default().to_string()
}

/// Waits until the node has made a block past L1's head and the batcher posted it.
async fn producing_and_batching_again(devnet: &Devnet, past: u64) {
    let url = devnet.l2();
    wait_until("new L2 blocks", 60, || async { l2_head(&url).await > past + 2 }).await;
    wait_until("new blocks on L1", 60, || async { on_l1(devnet) > past + 2 }).await;
}

/// Waits until the proposer has posted an output for block `block` or later.
async fn output_at_least(devnet: &Devnet, block: u64) {
    let data_dir = devnet.data_dir.to_str().unwrap().to_string();
    wait_until("an output past the restart", 120, || async {
        let (ok, out, _) = faultline(&["status", "--l1-rpc", &devnet.l1(), "--l2-rpc", &devnet.l2(), "--data-dir", &data_dir]);
        ok && out.lines().any(|l| l.starts_with("last output") && l.split_whitespace().filter_map(|w| w.parse::<u64>().ok()).any(|n| n >= block))
    })
    .await;
}

const FLAGS: [&str; 4] = ["--block-time", "500ms", "--proposal-interval", "4"];

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn losing_unsynced_writes_never_loses_a_posted_block() {
    // Batches every ~8 s, so the node holds unposted (unsynced) blocks most of the time.
    let mut flags = FLAGS.to_vec();
    flags.extend(["--batch-max-delay", "8", "--fault-drop-unsynced"]);
    let Some(mut devnet) = Devnet::start(&flags) else { return };
    transfers(&devnet, 3);
    let url = devnet.l2();
    wait_until("a few batches", 90, || async { on_l1(&devnet) >= 10 }).await;
    // Stop while the node holds blocks it has not posted (so not synced) yet: right after
    // a batch lands the next sync is several seconds away (its oldest block must first be
    // 8 s old), and 3 blocks come in 1.5 s.
    let landed = on_l1(&devnet);
    wait_until("the next batch to land", 60, || async { on_l1(&devnet) > landed }).await;
    let posted_before_stop = on_l1(&devnet);
    wait_until("unposted blocks", 30, || async { l2_head(&url).await >= posted_before_stop + 3 }).await;
    let head_at_stop = l2_head(&url).await;
    assert!(devnet.stop(), "clean stop; log:\n{}", devnet.log());

    // The fault: every write after the last sync is lost.
    let l2 = devnet.data_dir.join("l2");
    faultline_state::fault::DropUnsynced::lose_unsynced(&l2.join("db"), &faultline_image(&l2)).unwrap();
    let started = Instant::now();
    devnet.restart();
    let log = devnet.log();
    print_reconcile_lines(&log);
    let kept = logged_u64(&log, "chain reconciled with L1", "head_before");
    let posted = logged_u64(&log, "chain reconciled with L1", "on_l1");
    let rederived = logged_u64(&log, "chain reconciled with L1", "rederived");
    println!(
        "lost-writes fault: head {head_at_stop} at the stop, {kept} after losing the unsynced writes ({} blocks lost); L1 held {posted}; \
         re-derived {rederived}; reconciled in {} s",
        head_at_stop - kept,
        logged(&log, "chain reconciled with L1", "secs").unwrap_or_default()
    );
    assert!(kept < head_at_stop, "the fault lost writes (otherwise this test shows nothing)");
    assert!(kept >= posted, "the batcher posted block {posted} but the store kept only {kept}: a block went to L1 before it was durable");
    assert_eq!(rederived, 0);
    producing_and_batching_again(&devnet, posted).await;
    println!("lost-writes fault: producing again {:.1} s after the restart", started.elapsed().as_secs_f64());
    output_at_least(&devnet, l2_head(&devnet.l2()).await).await;
    println!("lost-writes fault: {}", verify_agrees(&devnet));
}

fn faultline_image(l2: &Path) -> PathBuf {
    l2.join("fault-synced-db")
}

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn a_store_behind_l1_rederives_and_a_store_that_differs_is_refused() {
    let Some(mut devnet) = Devnet::start(&FLAGS) else { return };
    transfers(&devnet, 2);
    wait_until("a few batches", 90, || async { on_l1(&devnet) >= 4 }).await;
    assert!(devnet.stop(), "clean stop; log:\n{}", devnet.log());
    let l2 = devnet.data_dir.join("l2");
    let backup = devnet.data_dir.join("l2-backup-db");
    copy_dir(&l2.join("db"), &backup);

    // The node goes on; L1 gets blocks (with transactions) the copy does not have.
    devnet.restart();
    let later = transfers(&devnet, 3);
    let url = devnet.l2();
    let copy_head = logged_u64(&devnet.log(), "chain reconciled with L1", "head_before");
    wait_until("L1 well past the copy", 90, || async { on_l1(&devnet) >= copy_head + 10 }).await;
    assert!(devnet.stop(), "clean stop; log:\n{}", devnet.log());

    // (c) The copy, then blocks made on it without L1: they differ from L1's.
    copy_dir(&backup, &l2.join("db"));
    let port = free_port();
    let mut plain = Command::new(harness::bin())
        .args(["node", "--dev", "--block-time", "0", "--rpc-addr", &format!("127.0.0.1:{port}"), "--data-dir"])
        .arg(&l2)
        .arg("--config")
        .arg(devnet.data_dir.join("chain.toml"))
        .stdin(Stdio::null())
        .stdout(Stdio::null())
        .stderr(Stdio::null())
        .spawn()
        .unwrap();
    let plain_url = format!("http://127.0.0.1:{port}");
    wait_until("the plain node", 30, || async { std::net::TcpStream::connect(("127.0.0.1", port)).is_ok() }).await;
    tokio::time::sleep(Duration::from_millis(1100)).await; // a timestamp L1's blocks do not have
    for _ in 0..2 {
        call(&plain_url, "evm_mine", json!([])).await;
    }
    assert_eq!(l2_head(&plain_url).await, copy_head + 2);
    assert!(harness::sigterm_and_wait(&mut plain, Duration::from_secs(15)));
    let refused = Command::new(harness::bin())
        .args(["devnet", "--data-dir"])
        .arg(&devnet.data_dir)
        .args(["--l1-port", &devnet.l1_port.to_string(), "--l2-port", &devnet.l2_port.to_string()])
        .args(["--metrics-port", &devnet.metrics_port.to_string()])
        .args(FLAGS)
        .current_dir(harness::repo_root())
        .env("RUST_LOG", "info")
        .stdin(Stdio::null())
        .output()
        .unwrap();
    let err = String::from_utf8_lossy(&refused.stderr);
    assert!(!refused.status.success(), "the devnet ran on a store that differs from L1:\n{err}");
    let first = copy_head + 1;
    assert!(err.contains("does not agree with L1") && err.contains(&format!("block {first} is 0x")), "{err}");
    assert!(err.contains(&format!("L1's block {first} (inbox batch")) && err.contains("start on an empty one"), "{err}");
    println!("differing store refused: {}", err.lines().find(|l| l.contains("L1's block")).unwrap_or_default().trim());

    // (b) The copy as it was: behind L1, which the node re-derives from before producing.
    copy_dir(&backup, &l2.join("db"));
    let started = Instant::now();
    devnet.restart();
    let log = devnet.log();
    print_reconcile_lines(&log);
    let before = logged_u64(&log, "chain reconciled with L1", "head_before");
    let posted = logged_u64(&log, "chain reconciled with L1", "on_l1");
    let rederived = logged_u64(&log, "chain reconciled with L1", "rederived");
    assert_eq!(before, copy_head);
    assert_eq!(rederived, posted - copy_head, "every block L1 holds beyond the copy is re-derived");
    for h in &later {
        let r = call(&url, "eth_getTransactionReceipt", json!([h])).await;
        assert_eq!(r["result"]["status"], json!("0x1"), "transaction {h}, on L1 only, is back in the node: {r}");
    }
    producing_and_batching_again(&devnet, posted).await;
    let resumed = started.elapsed().as_secs_f64();
    println!(
        "store behind L1: copy at {copy_head}, L1 at {posted}: re-derived {rederived} blocks, reconciled in {} s, producing and batching again {resumed:.1} s after the restart",
        logged(&log, "chain reconciled with L1", "secs").unwrap_or_default()
    );
    let log = devnet.log();
    assert!(!log.contains("batch round failed"), "the batcher continued without a revert:\n{log}");
    output_at_least(&devnet, l2_head(&url).await).await;
    println!("store behind L1: {}", verify_agrees(&devnet));
}
