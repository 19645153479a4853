//! End to end: the real `faultline` binary driven over JSON-RPC by alloy, as a wallet
//! or a library would, including subscriptions, errors, and crash recovery.

mod harness;

use alloy::{
    eips::BlockNumberOrTag,
    network::{EthereumWallet, TransactionBuilder},
    primitives::{address, b256, Address, Bytes, TxKind, B256, U256},
    providers::{Provider, ProviderBuilder, WsConnect},
    rpc::types::{Filter, TransactionRequest},
    signers::local::PrivateKeySigner,
};
use futures::StreamExt;
use harness::{call, post, Node};
use serde_json::json;
use std::time::Duration;

const DEV0: B256 = b256!("ac0974bec39a17e36ba4a6b4d238ff944bacb478cbed5efcae784d7bf4f2ff80");
const DEV1: B256 = b256!("59c6995e998f97a5a0044966f0945389dc9e86dae88c7a8412f4603b6b78690d");

fn signer(k: B256) -> PrivateKeySigner {
    PrivateKeySigner::from_bytes(&k).expect("key")
}

/// Init code of a contract whose runtime stores CALLVALUE in slot 1 and emits LOG1 with
/// topic 0x..01; `0xdeadbeef` calldata makes it revert with data 0xdeadbeef.
fn logger_init_code() -> Bytes {
    // runtime:
    //   CALLDATASIZE ISZERO PUSH1 ok JUMPI                      (0..5)
    //   PUSH4 deadbeef PUSH1 0 MSTORE PUSH1 4 PUSH1 28 REVERT   (5..19)
    //   ok: JUMPDEST CALLVALUE PUSH1 1 SSTORE PUSH1 1 PUSH1 0 PUSH1 0 LOG1 STOP
    let runtime: Vec<u8> = vec![
        0x36, 0x15, 0x60, 0x13, 0x57, //
        0x63, 0xde, 0xad, 0xbe, 0xef, 0x60, 0x00, 0x52, 0x60, 0x04, 0x60, 0x1c, 0xfd, 0x00, //
        0x5b, 0x34, 0x60, 0x01, 0x55, 0x60, 0x01, 0x60, 0x00, 0x60, 0x00, 0xa1, 0x00,
    ];
    let len = runtime.len() as u8;
    let mut code = vec![0x60, len, 0x60, 12, 0x60, 0x00, 0x39, 0x60, len, 0x60, 0x00, 0xf3];
    code.extend_from_slice(&runtime);
    code.into()
}

const TOPIC1: B256 = b256!("0000000000000000000000000000000000000000000000000000000000000001");

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn wallet_flow_with_alloy() {
    let node = Node::start();
    let alice = signer(DEV0);
    let provider = ProviderBuilder::new().wallet(EthereumWallet::from(alice.clone())).connect_http(node.http().parse().unwrap());
    assert_eq!(provider.get_chain_id().await.unwrap(), 64023);
    let ten_k = U256::from(10_000u64) * U256::from(10u64).pow(U256::from(18));
    assert_eq!(provider.get_balance(alice.address()).await.unwrap(), ten_k);

    let bob = address!("00000000000000000000000000000000000000b0");
    let tx = TransactionRequest::default().with_to(bob).with_value(U256::from(1234));
    let receipt = provider.send_transaction(tx).await.unwrap().get_receipt().await.unwrap();
    assert!(receipt.status());
    assert_eq!(receipt.from, alice.address());
    let n = receipt.block_number.unwrap();
    assert_eq!(provider.get_balance(bob).await.unwrap(), U256::from(1234));
    // State at the block before, by number and by hash.
    assert_eq!(provider.get_balance(bob).number(n - 1).await.unwrap(), U256::ZERO);
    let prev = provider.get_block_by_number(BlockNumberOrTag::Number(n - 1)).await.unwrap().unwrap();
    assert_eq!(provider.get_balance(bob).hash(prev.header.hash).await.unwrap(), U256::ZERO);
    // The block, the transaction, nonces.
    let block = provider.get_block_by_number(BlockNumberOrTag::Number(n)).full().await.unwrap().unwrap();
    assert_eq!(block.transactions.len(), 1);
    let got = provider.get_transaction_by_hash(receipt.transaction_hash).await.unwrap().unwrap();
    assert_eq!(got.block_number, Some(n));
    assert_eq!(provider.get_transaction_count(alice.address()).await.unwrap(), 1);
    assert_eq!(provider.get_transaction_count(alice.address()).pending().await.unwrap(), 1);
    // Fees: N+1 base fees; gas price covers the next base fee.
    let fh = provider.get_fee_history(4, BlockNumberOrTag::Latest, &[25.0, 75.0]).await.unwrap();
    assert_eq!(fh.base_fee_per_gas.len(), fh.gas_used_ratio.len() + 1);
    let next_base = *fh.base_fee_per_gas.last().unwrap();
    assert!(provider.get_gas_price().await.unwrap() >= next_base);
    for tag in ["latest", "pending", "safe", "finalized", "earliest"] {
        let b = call(&node.http(), "eth_getBlockByNumber", json!([tag, false])).await;
        assert!(b["result"]["hash"].is_string(), "{tag}: {b}");
    }
}

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn contract_logs_calls_and_subscriptions() {
    let node = Node::start();
    let alice = signer(DEV0);
    let http = ProviderBuilder::new().wallet(EthereumWallet::from(alice.clone())).connect_http(node.http().parse().unwrap());
    let ws = ProviderBuilder::new().connect_ws(WsConnect::new(node.ws())).await.unwrap();
    let mut heads = ws.subscribe_blocks().await.unwrap().into_stream();

    let deploy = TransactionRequest::default().with_kind(TxKind::Create).with_input(logger_init_code());
    let r = http.send_transaction(deploy).await.unwrap().get_receipt().await.unwrap();
    let contract = r.contract_address.expect("contract address");
    assert!(!http.get_code_at(contract).await.unwrap().is_empty());
    let head = tokio::time::timeout(Duration::from_secs(10), heads.next()).await.unwrap().unwrap();
    assert!(head.number >= 1);

    let mut logs = ws.subscribe_logs(&Filter::new().address(contract)).await.unwrap().into_stream();
    let filter_id = call(&node.http(), "eth_newFilter", json!([{"address": contract}])).await["result"].clone();
    let poke = TransactionRequest::default().with_to(contract).with_value(U256::from(77));
    let r = http.send_transaction(poke).await.unwrap().get_receipt().await.unwrap();
    assert_eq!(r.inner.logs().len(), 1);
    let pushed = tokio::time::timeout(Duration::from_secs(10), logs.next()).await.unwrap().unwrap();
    assert_eq!(pushed.address(), contract);
    assert_eq!(pushed.topics(), &[TOPIC1]);
    assert_eq!(http.get_storage_at(contract, U256::from(1)).await.unwrap(), U256::from(77));

    let found = http.get_logs(&Filter::new().address(contract).event_signature(TOPIC1).from_block(0)).await.unwrap();
    assert_eq!(found.len(), 1);
    assert_eq!(found[0].transaction_hash, Some(r.transaction_hash));
    let changes = call(&node.http(), "eth_getFilterChanges", json!([filter_id])).await;
    assert_eq!(changes["result"].as_array().map(Vec::len), Some(1), "{changes}");
    let again = call(&node.http(), "eth_getFilterChanges", json!([filter_id])).await;
    assert_eq!(again["result"].as_array().map(Vec::len), Some(0));

    // eth_call: success and revert with data (code 3); estimateGas reverts the same way.
    let ok = call(&node.http(), "eth_call", json!([{"to": contract}, "latest"])).await;
    assert_eq!(ok["result"], json!("0x"));
    let rev = call(&node.http(), "eth_call", json!([{"to": contract, "data": "0xdeadbeef"}, "latest"])).await;
    assert_eq!(rev["error"]["code"], json!(3), "{rev}");
    assert_eq!(rev["error"]["data"], json!("0xdeadbeef"));
    assert!(rev["error"]["message"].as_str().unwrap().starts_with("execution reverted"));
    let est = call(&node.http(), "eth_estimateGas", json!([{"from": alice.address(), "to": contract, "data": "0xdeadbeef"}])).await;
    assert_eq!(est["error"]["code"], json!(3), "{est}");
    let est = http.estimate_gas(TransactionRequest::default().with_to(contract).with_value(U256::from(1))).await.unwrap();
    assert!(est > 21_000 && est < 100_000, "{est}");
}

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn json_rpc_errors_are_what_clients_expect() {
    let node = Node::start();
    let url = node.http();
    let parse = post(&url, "{not json").await;
    assert_eq!(parse["error"]["code"], json!(-32700), "{parse}");
    let invalid = post(&url, r#"{"jsonrpc":"2.0","id":1}"#).await;
    assert_eq!(invalid["error"]["code"], json!(-32600), "{invalid}");
    let missing = call(&url, "anvil_nodeInfo", json!([])).await;
    assert_eq!(missing["error"]["code"], json!(-32601), "{missing}");
    let params = call(&url, "eth_getBalance", json!(["0x1234"])).await;
    assert_eq!(params["error"]["code"], json!(-32602), "{params}");
    let batch = post(&url, r#"[{"jsonrpc":"2.0","id":1,"method":"eth_chainId"},{"jsonrpc":"2.0","id":2,"method":"nope"}]"#).await;
    assert_eq!(batch[0]["result"], json!("0xfa17"));
    assert_eq!(batch[1]["error"]["code"], json!(-32601));

    // Transaction rejections: geth's messages under -32000.
    let alice = signer(DEV0);
    let raw = |chain_id: u64, nonce: u64, fee: u128, data: usize| {
        use alloy::{
            consensus::{SignableTransaction, TxEip1559, TxEnvelope},
            eips::eip2718::Encodable2718,
            network::TxSignerSync,
        };
        let mut t = TxEip1559 {
            chain_id,
            nonce,
            gas_limit: 21_000 + 16 * data as u64 + 1_000_000,
            max_fee_per_gas: fee,
            max_priority_fee_per_gas: fee / 10,
            to: TxKind::Call(Address::repeat_byte(9)),
            value: U256::from(1),
            input: vec![1u8; data].into(),
            access_list: Default::default(),
        };
        let sig = alice.sign_transaction_sync(&mut t).unwrap();
        Bytes::from(TxEnvelope::from(t.into_signed(sig)).encoded_2718())
    };
    let send = |r: Bytes| {
        let url = url.clone();
        async move { call(&url, "eth_sendRawTransaction", json!([r])).await }
    };
    let msg = |v: &serde_json::Value| v["error"]["message"].as_str().unwrap_or_default().to_string();
    assert!(msg(&send(raw(1, 0, 10_000_000_000, 0)).await).starts_with("invalid chain id"));
    assert!(msg(&send(raw(64023, 0, 10_000_000_000, 140_000)).await).starts_with("oversized data"));
    assert_eq!(send(Bytes::from_static(&[0x02, 0xc0])).await["error"]["code"], json!(-32000));
    // Hold blocks so the pool keeps the transaction while we replace it.
    let first = raw(64023, 5, 10_000_000_000, 0);
    assert!(send(first.clone()).await["result"].is_string());
    assert_eq!(msg(&send(first).await), "already known");
    assert_eq!(msg(&send(raw(64023, 5, 10_500_000_000, 0)).await), "replacement transaction underpriced");
    assert!(send(raw(64023, 5, 11_000_000_000, 0)).await["result"].is_string());
    let pending = call(&url, "eth_getTransactionCount", json!([alice.address(), "pending"])).await;
    assert_eq!(pending["result"], json!("0x0"), "gapped nonce 5 is queued, not pending");
    // Fill the gap: 0..=4 make 5 executable; nonce 0 again is then too low.
    for n in 0..5 {
        assert!(send(raw(64023, n, 10_000_000_000, 0)).await["result"].is_string());
    }
    let _ = call(&url, "evm_mine", json!([])).await;
    let count = call(&url, "eth_getTransactionCount", json!([alice.address(), "latest"])).await;
    assert_eq!(count["result"], json!("0x6"), "{count}");
    assert!(msg(&send(raw(64023, 0, 10_000_000_000, 0)).await).starts_with("nonce too low"));
}

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn kill9_loses_no_accepted_transaction() {
    // Blocks only on demand (evm_mine) so accepted transactions sit in the pool.
    let mut node = Node::start_with("3600s");
    let bob = signer(DEV1);
    let provider = ProviderBuilder::new().wallet(EthereumWallet::from(bob.clone())).connect_http(node.http().parse().unwrap());
    let mut hashes = Vec::new();
    for i in 0..20u64 {
        let tx = TransactionRequest::default()
            .with_to(Address::repeat_byte(0xa0 + i as u8))
            .with_value(U256::from(i + 1))
            .with_nonce(i)
            .with_gas_limit(21_000)
            .with_max_fee_per_gas(10_000_000_000)
            .with_max_priority_fee_per_gas(1);
        hashes.push(*provider.send_transaction(tx).await.unwrap().tx_hash());
    }
    let head_before = provider.get_block_number().await.unwrap();
    node.kill9();
    node.restart();
    let provider = ProviderBuilder::new().connect_http(node.http().parse().unwrap());
    assert_eq!(provider.get_block_number().await.unwrap(), head_before);
    let _ = call(&node.http(), "evm_mine", json!([])).await;
    for h in &hashes {
        let r = provider.get_transaction_receipt(*h).await.unwrap();
        assert!(r.is_some_and(|r| r.status()), "transaction {h} lost across kill -9; log:\n{}", node.log());
    }
    assert!(node.stop(), "clean shutdown on SIGTERM");
}

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn rollup_proofs_verify_against_block_state_roots() {
    use faultline_state::smt::{account_key, storage_key, Proof};
    let node = Node::start();
    let alice = signer(DEV0);
    let http = ProviderBuilder::new().wallet(EthereumWallet::from(alice.clone())).connect_http(node.http().parse().unwrap());
    let deploy = TransactionRequest::default().with_kind(TxKind::Create).with_input(logger_init_code());
    let contract = http.send_transaction(deploy).await.unwrap().get_receipt().await.unwrap().contract_address.unwrap();
    let r = http.send_transaction(TransactionRequest::default().with_to(contract).with_value(U256::from(5))).await.unwrap().get_receipt().await.unwrap();
    let n = r.block_number.unwrap();
    let slot1 = B256::with_last_byte(1);
    let absent = B256::with_last_byte(9);
    for block in [n - 1, n] {
        let res = call(&node.http(), "rollup_getProof", json!([contract, [slot1, absent], format!("{block:#x}")])).await;
        let res = &res["result"];
        let root: B256 = serde_json::from_value(res["stateRoot"].clone()).unwrap();
        let header = http.get_block_by_number(BlockNumberOrTag::Number(block)).await.unwrap().unwrap();
        assert_eq!(root, header.header.state_root, "proof root is the block's stateRoot");
        let acc: Proof = serde_json::from_value(res["accountProof"].clone()).unwrap();
        let got = acc.verify(root, &account_key(&contract)).expect("account proof verifies");
        assert_eq!(got.map(|h| serde_json::to_value(h).unwrap()), Some(res["account"]["valueHash"].clone()));
        let s: Proof = serde_json::from_value(res["storage"][0]["proof"].clone()).unwrap();
        let v = s.verify(root, &storage_key(&contract, &slot1)).expect("storage proof verifies");
        let want = if block == n { Some(B256::from(U256::from(5))) } else { None };
        assert_eq!(v, want, "slot 1 at block {block}");
        let s: Proof = serde_json::from_value(res["storage"][1]["proof"].clone()).unwrap();
        assert_eq!(s.verify(root, &storage_key(&contract, &absent)).expect("exclusion verifies"), None);
        // A proof checked against another block's root fails.
        assert!(acc.verify(B256::repeat_byte(1), &account_key(&contract)).is_err());
    }
    let out = call(&node.http(), "rollup_outputAtBlock", json!([format!("{n:#x}")])).await;
    let o = &out["result"];
    let sr: B256 = serde_json::from_value(o["stateRoot"].clone()).unwrap();
    let bh: B256 = serde_json::from_value(o["blockHash"].clone()).unwrap();
    let or: B256 = serde_json::from_value(o["outputRoot"].clone()).unwrap();
    assert_eq!(or, faultline_primitives::output_root(sr, bh));
}

/// Issue 12's three RPC regressions, asserted on the wire (tests/clients.rs checks the
/// same through viem and ethers).
#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn estimates_take_pending_nonces_prices_cover_the_head_and_transfers_cost_21000() {
    let node = Node::start_with("3600s");
    let url = node.http();
    let alice = signer(DEV0).address();
    let to = "0x000000000000000000000000000000000000b0b0";
    let quantity = |v: &serde_json::Value| u128::from_str_radix(v.as_str().unwrap_or_default().trim_start_matches("0x"), 16).unwrap_or(0);
    // A nonce ahead of the state (one transaction pending) and one behind it: calls and
    // estimates run either way, as on geth and anvil.
    for nonce in ["0x1", "0x5"] {
        let est = call(&url, "eth_estimateGas", json!([{"from": alice, "to": to, "value": "0x1", "nonce": nonce}])).await;
        assert_eq!(est["result"], json!("0x5208"), "nonce {nonce}: {est}");
        let res = call(&url, "eth_call", json!([{"from": alice, "to": to, "nonce": nonce}, "latest"])).await;
        assert_eq!(res["result"], json!("0x"), "{res}");
    }
    // Empty blocks: the base fee falls, and eth_gasPrice stays above the head's.
    for _ in 0..3 {
        call(&url, "evm_mine", json!([])).await;
    }
    let head = call(&url, "eth_getBlockByNumber", json!(["latest", false])).await;
    let parent = call(&url, "eth_getBlockByNumber", json!(["0x2", false])).await;
    let base = quantity(&head["result"]["baseFeePerGas"]);
    assert!(base < quantity(&parent["result"]["baseFeePerGas"]), "the base fee falls: {head}");
    let price = call(&url, "eth_gasPrice", json!([])).await;
    let price = quantity(&price["result"]);
    assert!(price > base, "eth_gasPrice {price} over the head's base fee {base}");
    let est = call(&url, "eth_estimateGas", json!([{"from": alice, "to": to, "value": "0x1", "gasPrice": format!("{price:#x}")}])).await;
    assert_eq!(est["result"], json!("0x5208"), "a legacy price estimates: {est}");
}
