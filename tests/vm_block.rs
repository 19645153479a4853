//! End to end: the step machine replays the blocks of a running devnet's L2 node from its
//! RocksDB store (opened read-only beside the node; the world before each block from the
//! store's history, deposits from L1) with every step checked, and each block ends with
//! the node's own block hash and output root (`faultline vm block --check`); then the same
//! blocks from L1 alone (`--l1-inputs`), with blob batches and with calldata batches, each
//! block's initial state also computed by the deployed `BlockStart` to Rust's value.

mod harness;

use harness::{call, faultline, tool, wait_until, Devnet};
use serde_json::json;

const KEY4: &str = "0x47e179ec197488593b187f80a00eb0da91f1b9d0b13f8733639f19c30a34926a";

async fn head(l2: &str) -> u64 {
    let r = call(l2, "eth_blockNumber", json!([])).await;
    u64::from_str_radix(r["result"].as_str().unwrap().trim_start_matches("0x"), 16).unwrap()
}

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn the_machine_replays_a_running_node_from_its_store() {
    replay("blobs").await;
}

/// The same with the batcher posting calldata batches: the machine opens each entry by
/// its item proof in the batch and the chunked hash.
#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn the_machine_replays_a_node_from_calldata_batches() {
    replay("calldata").await;
}

async fn replay(da: &str) {
    let Some(devnet) = Devnet::start(&["--block-time", "500ms", "--da", da]) else { return };
    let (l1, l2) = (devnet.l1(), devnet.l2());
    let data_dir = devnet.data_dir.to_str().unwrap().to_string();
    // Traffic: a contract deployed and called, a transfer, a deposit with a value.
    let created = tool("forge", &["create", "contracts/src/bench/Emitter.sol:Emitter", "--rpc-url", &l2, "--private-key", KEY4, "--broadcast"]);
    let emitter = created.lines().find_map(|l| l.strip_prefix("Deployed to: ")).unwrap().trim().to_string();
    tool("cast", &["send", "--rpc-url", &l2, "--private-key", KEY4, &emitter, "ping(string)", "replayed"]);
    tool("cast", &["send", "--rpc-url", &l2, "--private-key", KEY4, "0x000000000000000000000000000000000000b0b0", "--value", "7"]);
    let (ok, out, err) = faultline(&[
        "deposit",
        "--to",
        "0x00000000000000000000000000000000000d3905",
        "--amount",
        "1000",
        "--l1-rpc",
        &l1,
        "--l2-rpc",
        &l2,
        "--data-dir",
        &data_dir,
    ]);
    assert!(ok, "deposit failed:\n{out}\n{err}");
    // Credited: a block up to the current head includes the deposit, so the replay below
    // (every block up to two past it) runs a deposit input.
    let credited = call(&l2, "eth_getBalance", json!(["0x00000000000000000000000000000000000d3905", "latest"])).await;
    assert_eq!(credited["result"], "0x3e8", "{credited}");
    let target = head(&l2).await + 2;
    wait_until("two more blocks", 30, || async { head(&l2).await >= target }).await;

    let l2_dir = devnet.data_dir.join("l2");
    let (ok, out, err) = faultline(&["vm", "block", "--data-dir", l2_dir.to_str().unwrap(), "--l1-rpc", &l1, "--check"]);
    assert!(ok, "vm block failed:\n{out}\n{err}");
    let agreed = out.lines().filter(|l| l.contains("agrees with the node")).count() as u64;
    assert!(agreed >= target, "every block up to {target} replayed:\n{out}");
    assert!(out.contains("every step checked") && out.contains(" 0 over the 2 M target"), "{out}");
    // Some block ran inputs (not every block is empty).
    assert!(out.lines().any(|l| l.contains("inputs") && !l.contains(" 0 inputs")), "{out}");

    // The same blocks from L1 alone, once batched: each block's initial state as the
    // dispute game computes it from the contracts, its transactions opened from the
    // blobs and its deposit from the portal's accumulator by the machine's own steps.
    let book: serde_json::Value = serde_json::from_str(&std::fs::read_to_string(devnet.data_dir.join("deploy/31337.json")).unwrap()).unwrap();
    let inbox = book["batchInbox"].as_str().unwrap().to_string();
    wait_until("the blocks batched", 60, || async {
        tool("cast", &["call", "--rpc-url", &l1, &inbox, "nextBlock()(uint64)"]).trim().parse::<u64>().unwrap() > target
    })
    .await;
    let out = harness::vm_block_from_l1(&l2_dir, &l1, &["--to", &target.to_string()]);
    assert_eq!(out.lines().filter(|l| l.contains("agrees with the node")).count() as u64, target, "every block up to {target} from L1:\n{out}");
    // And the deployed BlockStart computes each of those initial states itself, from the
    // proof a challenger sends, to Rust's value.
    assert_eq!(
        out.lines().filter(|l| l.contains("(BlockStart on L1 agrees)")).count() as u64,
        target,
        "BlockStart on L1 agrees with Rust on every block:\n{out}"
    );
    let form = if da == "blobs" { "blob" } else { "calldata" };
    assert!(out.lines().any(|l| l.contains(&format!("from L1 ({form} batch")) && !l.contains(" 0 inputs")), "{out}");
    assert!(out.lines().any(|l| l.contains("deposits 0..1") && l.contains(" 1 inputs")), "the deposit opened from the portal:\n{out}");
}
