//! The L1 fee end to end (`docs/chain.md`, "L1 fee"), on a devnet (anvil L1, blobs): a
//! transfer's sender pays exactly its L2 gas × price + value + the `l1Fee` its receipt
//! reports, the L1 fee vault receives exactly that fee, the `GasPriceOracle` predeploy's
//! `getL1Fee` of the signed bytes equals it, a sender who can afford the L2 gas but not
//! the L1 fee is refused by the pool with a clear error, and `faultline verify` rebuilds
//! the same chain from L1 (so the fee inputs every block names are the ones L1 recorded).

mod harness;

use alloy::{signers::local::PrivateKeySigner, sol_types::SolCall};
use alloy_primitives::{Address, Bytes, TxKind, U256};
use faultline_primitives::{
    dev::{sign_eip1559, DEV_ACCOUNTS, DEV_FEE_CAP},
    l1fee::l1_fee_inputs,
    predeploys::GasPriceOracle,
    GAS_PRICE_ORACLE, L1_FEE_VAULT,
};
use harness::{call, faultline, tool, wait_until, Devnet};
use serde_json::{json, Value};

fn q(v: &Value) -> U256 {
    U256::from_str_radix(v.as_str().unwrap_or_else(|| panic!("not a quantity: {v}")).trim_start_matches("0x"), 16).unwrap()
}

async fn balance(l2: &str, a: Address, block: u64) -> U256 {
    q(&call(l2, "eth_getBalance", json!([a, format!("{block:#x}")])).await["result"])
}

async fn get_l1_fee(l2: &str, data: &[u8], block: &str) -> U256 {
    let input = GasPriceOracle::getL1FeeCall { data: Bytes::copy_from_slice(data) }.abi_encode();
    let r = call(l2, "eth_call", json!([{"to": GAS_PRICE_ORACLE, "data": Bytes::from(input)}, block])).await;
    q(&r["result"])
}

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn transfers_pay_the_l1_fee_into_the_vault_and_the_verifier_agrees() {
    let Some(devnet) = Devnet::start(&["--block-time", "500ms"]) else { return };
    let (l1, l2) = (devnet.l1(), devnet.l2());
    let chain_id = q(&call(&l2, "eth_chainId", json!([])).await["result"]).to::<u64>();
    let head = || async { q(&call(&l2, "eth_blockNumber", json!([])).await["result"]).to::<u64>() };
    let header = |n: u64| {
        let l2 = l2.clone();
        async move { call(&l2, "eth_getBlockByNumber", json!([format!("{n:#x}"), false])).await["result"].clone() }
    };
    // Blocks name an L1 fee origin once the follower has seen the inbox's first record.
    wait_until("a block with an L1 fee origin", 60, || async {
        let h = header(head().await).await;
        let extra: Bytes = serde_json::from_value(h["extraData"].clone()).unwrap_or_default();
        l1_fee_inputs(&extra).origin != 0
    })
    .await;

    // 1. A transfer pays L2 gas × price + value + l1Fee, and the vault gets l1Fee.
    let alice = PrivateKeySigner::from_bytes(&DEV_ACCOUNTS[5].1).unwrap();
    let bob = Address::repeat_byte(0xb0);
    let value = U256::from(1_000_000u64);
    let raw = sign_eip1559(&alice, chain_id, 0, TxKind::Call(bob), value, Bytes::new(), 21_000);
    let sent = call(&l2, "eth_sendRawTransaction", json!([Bytes::from(raw.clone())])).await;
    let hash = sent["result"].as_str().unwrap_or_else(|| panic!("{sent}")).to_string();
    wait_until("the transfer's receipt", 30, || async { !call(&l2, "eth_getTransactionReceipt", json!([hash])).await["result"].is_null() }).await;
    let receipt = call(&l2, "eth_getTransactionReceipt", json!([hash])).await["result"].clone();
    for f in ["l1Fee", "l1GasUsed", "l1GasPrice", "l1BlobBaseFee", "l1BaseFeeScalar", "l1BlobBaseFeeScalar"] {
        assert!(receipt[f].as_str().is_some_and(|s| s.starts_with("0x")), "receipt field {f}: {receipt}");
    }
    let l1_fee = q(&receipt["l1Fee"]);
    assert!(l1_fee > U256::ZERO, "{receipt}");
    assert_eq!(q(&receipt["l1GasUsed"]), U256::from(16 * raw.len()));
    assert_eq!(q(&receipt["l1BaseFeeScalar"]), U256::from(faultline_primitives::config::DEVNET_L1_BASE_FEE_SCALAR));
    let n = q(&receipt["blockNumber"]).to::<u64>();
    let (gas, price) = (q(&receipt["gasUsed"]), q(&receipt["effectiveGasPrice"]));
    let paid = balance(&l2, alice.address(), n - 1).await - balance(&l2, alice.address(), n).await;
    assert_eq!(paid, gas * price + value + l1_fee, "the sender pays L2 gas × price + value + l1Fee, exactly");
    let vault_gain = balance(&l2, L1_FEE_VAULT, n).await - balance(&l2, L1_FEE_VAULT, n - 1).await;
    assert_eq!(vault_gain, l1_fee, "the vault receives exactly the L1 fee");
    // The receipt's L1 values are the block's, as its header names them.
    let extra: Bytes = serde_json::from_value(header(n).await["extraData"].clone()).unwrap();
    let inputs = l1_fee_inputs(&extra);
    assert_eq!(q(&receipt["l1GasPrice"]), U256::from(inputs.base_fee));
    assert_eq!(q(&receipt["l1BlobBaseFee"]), U256::from(inputs.blob_base_fee));

    // 2. The oracle's getL1Fee of the signed bytes at that block equals the receipt's.
    assert_eq!(get_l1_fee(&l2, &raw, &format!("{n:#x}")).await, l1_fee);

    // 3. A sender who can pay the L2 gas and the value, but not the L1 fee, is refused.
    let poor = PrivateKeySigner::random();
    let poor_raw = sign_eip1559(&poor, chain_id, 0, TxKind::Call(bob), U256::ZERO, Bytes::new(), 21_000);
    let fee = get_l1_fee(&l2, &poor_raw, "latest").await;
    assert!(fee > U256::from(1u64), "a transfer's L1 fee at the devnet's L1 prices: {fee}");
    let gas_cost = U256::from(21_000u64) * U256::from(DEV_FEE_CAP);
    let fund = sign_eip1559(&alice, chain_id, 1, TxKind::Call(poor.address()), gas_cost + fee / U256::from(2u64), Bytes::new(), 21_000);
    let r = call(&l2, "eth_sendRawTransaction", json!([Bytes::from(fund)])).await;
    assert!(r.get("error").is_none(), "{r}");
    wait_until("the poor sender to be funded", 30, || async {
        q(&call(&l2, "eth_getBalance", json!([poor.address(), "latest"])).await["result"]) > U256::ZERO
    })
    .await;
    let refused = call(&l2, "eth_sendRawTransaction", json!([Bytes::from(poor_raw)])).await;
    let msg = refused["error"]["message"].as_str().unwrap_or_else(|| panic!("the pool must refuse: {refused}")).to_string();
    assert!(msg.contains("insufficient funds for gas * price + value + l1 fee"), "{msg}");
    // eth_estimateGas counts the L1 fee in the funds it checks too.
    let est = call(&l2, "eth_estimateGas", json!([{"from": poor.address(), "to": bob, "maxFeePerGas": format!("{:#x}", DEV_FEE_CAP)}])).await;
    assert!(est["error"]["message"].as_str().is_some_and(|m| m.contains("l1 fee")), "{est}");

    // 4. The verifier rebuilds the chain from L1 alone: same blocks, so the same fees,
    //    priced with the L1 values the inbox recorded.
    let target = head().await;
    let inbox = {
        let book: Value = serde_json::from_str(&std::fs::read_to_string(devnet.data_dir.join("deploy/31337.json")).unwrap()).unwrap();
        book["batchInbox"].as_str().unwrap().to_string()
    };
    wait_until("the batcher to post the blocks", 60, || async {
        tool("cast", &["call", "--rpc-url", &l1, &inbox, "nextBlock()(uint64)"]).parse::<u64>().unwrap_or(0) > target
    })
    .await;
    let vdir = tempfile::tempdir().unwrap();
    let (ok, out, err) =
        faultline(&["verify", "--l1-rpc", &l1, "--data-dir", devnet.data_dir.to_str().unwrap(), "--verifier-dir", vdir.path().to_str().unwrap()]);
    assert!(ok, "verify failed:\n{out}\n{err}");
    assert!(out.contains(" 0 disagree"), "{out}");
    let store = faultline_state::Store::open(&vdir.path().join("db")).unwrap();
    let vhead = store.head().unwrap().unwrap();
    assert!(vhead >= target, "verifier derived up to {vhead}");
    for k in 0..=vhead {
        let (hash, _) = store.header(k).unwrap().unwrap();
        assert_eq!(header(k).await["hash"], json!(hash), "block {k} differs between sequencer and verifier");
    }
    assert_eq!(store.account(&L1_FEE_VAULT).unwrap().map(|a| a.balance).unwrap_or_default(), balance(&l2, L1_FEE_VAULT, vhead).await);
}
