//! One step on the real L1: the one-step verifier (its committed artifacts: the keccak-f
//! engine, the modules, the router) deployed on anvil under Osaka, each Rust-written
//! vector of docs/vectors/vm/ that the verifier takes sent to it as a transaction, and
//! the receipt's gas compared with revm's figure for the same transaction
//! (`faultline_vm_verifier::L1Verifier`, which the `--l1` runs report): the two must be
//! equal, and `eth_call` must return the vector's post-commitment.

mod harness;

use alloy::{
    network::{EthereumWallet, TransactionBuilder},
    providers::{Provider, ProviderBuilder},
    rpc::types::TransactionRequest,
    signers::local::PrivateKeySigner,
};
use alloy_primitives::{Address, Bytes, B256};
use faultline_primitives::dev::DEV_ACCOUNTS;
use faultline_vm_verifier::{module_init_code, router_init_code, Artifacts, L1Verifier, Refusal};
use harness::{repo_root, Anvil};

/// EIP-7825's transaction gas cap: what a step may use on Osaka.
const TX_GAS_CAP: u64 = 1 << 24;

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn steps_sent_to_the_verifier_on_anvil_cost_what_revm_says() {
    let Some(anvil) = Anvil::start_with_args(0, &["--hardfork", "osaka", "--gas-limit", "60000000"]) else { return };
    let signer = PrivateKeySigner::from_bytes(&DEV_ACCOUNTS[9].1).expect("a dev key");
    let provider = ProviderBuilder::new().wallet(EthereumWallet::from(signer)).connect_http(anvil.url.parse().expect("anvil's URL"));

    // Deploy exactly what L1Verifier deploys in revm, in the same order.
    let artifacts = Artifacts::embedded().expect("the committed artifacts");
    let deploy = |code: Bytes| {
        let provider = provider.clone();
        async move {
            let tx = TransactionRequest::default().with_deploy_code(code).with_gas_limit(TX_GAS_CAP);
            let receipt = provider.send_transaction(tx).await.expect("send a deployment").get_receipt().await.expect("its receipt");
            assert!(receipt.status(), "a deployment reverted");
            receipt.contract_address.expect("a created address")
        }
    };
    let engine = deploy(artifacts.engine.1.clone()).await;
    let mut modules = Vec::new();
    for (_, code) in &artifacts.modules {
        modules.push(if code.is_empty() { Address::ZERO } else { deploy(module_init_code(code, engine)).await });
    }
    let router = deploy(router_init_code(&artifacts.router.1, &modules)).await;

    let mut revm = L1Verifier::with_artifacts(&artifacts).expect("the verifier in revm");
    let mut sent = 0;
    let mut unsupported = 0;
    println!("{:<44} {:>10} {:>10}", "vector", "anvil gas", "revm gas");
    for file in ["steps", "inputs", "l1-inputs"] {
        let path = repo_root().join(format!("docs/vectors/vm/{file}.json"));
        let json: serde_json::Value = serde_json::from_str(&std::fs::read_to_string(&path).expect("the vectors")).expect("JSON");
        for v in json["vectors"].as_array().expect("a vector list") {
            let name = v["name"].as_str().expect("a name");
            let pre: B256 = v["pre"].as_str().expect("pre").parse().expect("a hash");
            let post: B256 = v["post"].as_str().expect("post").parse().expect("a hash");
            let witness: Bytes = v["witness"].as_str().expect("witness").parse().expect("hex");
            let verdict = revm.verify(pre, &witness).expect("revm runs the step");
            match verdict.result {
                Err(Refusal::Unsupported { .. }) => {
                    unsupported += 1;
                    continue;
                }
                Err(e) => panic!("{file}/{name}: revm refused an honest step: {e}"),
                Ok(got) => assert_eq!(got, post, "{file}/{name}: revm's post"),
            }
            let data = Bytes::from(L1Verifier::calldata(pre, &witness));
            let call = TransactionRequest::default().with_to(router).with_input(data.clone()).with_gas_limit(TX_GAS_CAP);
            let out = provider.call(call.clone()).await.unwrap_or_else(|e| panic!("{file}/{name}: eth_call: {e}"));
            assert_eq!(out.as_ref(), post.as_slice(), "{file}/{name}: anvil's post");
            let receipt = provider.send_transaction(call).await.expect("send a step").get_receipt().await.expect("its receipt");
            assert!(receipt.status(), "{file}/{name}: the step's transaction reverted on anvil");
            println!("{:<44} {:>10} {:>10}", format!("{file}/{name}"), receipt.gas_used, verdict.gas_used);
            assert_eq!(receipt.gas_used, verdict.gas_used, "{file}/{name}: anvil's receipt and revm differ");
            sent += 1;
        }
    }
    println!("{sent} steps sent to anvil, gas equal to revm's; {unsupported} vectors of modules not deployed yet");
    assert!(sent >= 40, "too few steps reached anvil: {sent}");
}
