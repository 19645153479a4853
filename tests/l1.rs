//! End to end on a real anvil: `faultline deploy` writes an address book whose
//! contracts answer through the generated bindings, agree with the L2 node's genesis,
//! take a deposit, and hold the dispute game wired to the one-step verifier (every
//! vector of docs/vectors/vm/steps.json steps through the deployed router, for
//! `faultline deploy` and `Deploy.s.sol` alike); bad input fails with a clear message; `faultline devnet` deploys on
//! start and reuses the deployment after a restart; a node whose chain config differs
//! from the deployment's `RollupConfig` refuses to start, and so do a node and a devnet
//! whose sequencing window is shorter than their deposit follower's lag.

mod harness;

use alloy::{
    network::EthereumWallet,
    primitives::{Address, U256},
    providers::ProviderBuilder,
    signers::local::PrivateKeySigner,
};
use faultline_l1::{
    bindings::{BatchInbox, BlockStart, FaultDisputeGame, OutputOracle, Portal, RollupConfig},
    AddressBook,
};

/// Every step vector of docs/vectors/vm/steps.json, sent to the router at `vm` as an
/// `eth_call`, gives its post-state: the modules sit at their `Route` indices.
async fn router_steps_the_vectors<P: alloy::providers::Provider>(provider: &P, vm: Address) {
    use alloy::rpc::types::TransactionRequest;
    let text = std::fs::read_to_string(harness::repo_root().join("docs/vectors/vm/steps.json")).unwrap();
    let vectors: serde_json::Value = serde_json::from_str(&text).unwrap();
    let cases = vectors["vectors"].as_array().unwrap();
    assert!(cases.len() > 60);
    for v in cases {
        let hex = |k: &str| -> Vec<u8> { alloy::primitives::hex::decode(v[k].as_str().unwrap()).unwrap() };
        let pre = alloy::primitives::B256::from_slice(&hex("pre"));
        let data = faultline_vm_verifier::L1Verifier::calldata(pre, &hex("witness"));
        let tx = TransactionRequest::default().to(vm).input(data.into()).gas_limit(faultline_vm_verifier::TX_GAS_LIMIT);
        let out = provider.call(tx).await.unwrap_or_else(|e| panic!("{}: {e}", v["name"]));
        assert_eq!(out.as_ref(), hex("post").as_slice(), "{} ({}) on the deployed router", v["name"], v["kind"]);
    }
}

/// The dispute game at `game` is the config's, runs on `vm` and `start`, and sizes its
/// trace for the chain's block gas limit.
async fn game_is_wired<P: alloy::providers::Provider>(provider: &P, config: Address, game: Address, vm: Address, start: Address, oracle: Address) {
    assert_eq!(RollupConfig::new(config, provider).disputeGame().call().await.unwrap(), game);
    let g = FaultDisputeGame::new(game, provider);
    assert_eq!(g.oracle().call().await.unwrap(), oracle);
    assert_eq!(g.vm().call().await.unwrap(), vm);
    assert_eq!(g.blockStart().call().await.unwrap(), start);
    let gas = RollupConfig::new(config, provider).blockGasLimit().call().await.unwrap();
    let (split, max) = (g.splitDepth().call().await.unwrap(), g.maxDepth().call().await.unwrap());
    assert_eq!(max - split - U256::from(1), U256::from(faultline_l1::dispute::exec_depth_for(gas)), "trace depth for {gas} gas blocks");
    let s = BlockStart::new(start, provider);
    let inbox = s.inbox().call().await.unwrap();
    assert_eq!(BatchInbox::new(inbox, provider).config().call().await.unwrap(), config);
}
use faultline_primitives::dev::{roles, DEV_ACCOUNTS};
use harness::{call, faultline, Anvil, Devnet, Node};
use serde_json::json;

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn deploy_writes_address_book_and_contracts_answer() {
    let Some(anvil) = Anvil::start(0) else { return };
    let tmp = tempfile::tempdir().unwrap();
    let out = tmp.path().join("book.json");
    let (ok, stdout, stderr) =
        faultline(&["deploy", "--l1-rpc", &anvil.url, "--challenge-window", "30", "--proposal-interval", "5", "--out", out.to_str().unwrap()]);
    assert!(ok, "deploy failed:\n{stdout}\n{stderr}");
    let book = AddressBook::load(&out).expect("address book written");
    assert_eq!(book.l1_chain_id, 31337);
    assert_eq!(book.l2_chain_id, 64023);
    assert_eq!(book.deployer, DEV_ACCOUNTS[roles::DEPLOYER].0);
    assert_eq!(book.challenge_window, 30);
    assert!(book.deployment_block >= 1);

    let user = PrivateKeySigner::from_bytes(&DEV_ACCOUNTS[5].1).unwrap();
    let provider = ProviderBuilder::new().wallet(EthereumWallet::from(user.clone())).connect_http(anvil.url.parse().unwrap());
    let config = RollupConfig::new(book.rollup_config, &provider);
    assert_eq!(config.l2ChainId().call().await.unwrap(), U256::from(64023));
    assert_eq!(config.sequencer().call().await.unwrap(), DEV_ACCOUNTS[roles::SEQUENCER].0);
    assert_eq!(config.challengeWindow().call().await.unwrap(), 30);
    assert_eq!(config.proposalInterval().call().await.unwrap(), 5);
    assert_eq!(config.owner().call().await.unwrap(), book.deployer);

    // Output 0 is L2 genesis, and the real node computes the same output root.
    let oracle = OutputOracle::new(book.output_oracle, &provider);
    let genesis = oracle.outputRoot(U256::ZERO).call().await.unwrap();
    assert_eq!(genesis, book.genesis_output_root);
    let node = Node::start();
    let at0 = call(&node.http(), "rollup_outputAtBlock", json!(["0x0"])).await;
    assert_eq!(at0["result"]["outputRoot"], json!(genesis), "{at0}");
    assert!(oracle.isFinalized(U256::ZERO).call().await.unwrap());
    assert_eq!(oracle.nextBlockNumber().call().await.unwrap(), U256::from(5));

    let inbox = BatchInbox::new(book.batch_inbox, &provider);
    assert_eq!(inbox.nextBlock().call().await.unwrap(), 1);
    assert_eq!(inbox.portal().call().await.unwrap(), book.portal);

    // A deposit lands in the accumulator.
    let portal = Portal::new(book.portal, &provider);
    assert_eq!(portal.oracle().call().await.unwrap(), book.output_oracle);
    let to = Address::repeat_byte(0x42);
    let receipt = portal.depositETH(to).value(U256::from(1_000_000_000u64)).send().await.unwrap().get_receipt().await.unwrap();
    assert!(receipt.status());
    let log = receipt.decoded_log::<Portal::DepositQueued>().expect("DepositQueued");
    assert_eq!(log.index, U256::ZERO);
    assert_eq!(log.from, user.address());
    assert_eq!(log.to, to);
    assert_eq!(portal.depositCount().call().await.unwrap(), U256::from(1));
    assert_eq!(portal.accumulator(U256::ZERO).call().await.unwrap(), log.accumulator);

    // The dispute game, set in the config, on the one-step verifier and BlockStart.
    let d = book.dispute.clone().expect("the book names the dispute contracts");
    game_is_wired(&provider, book.rollup_config, d.dispute_game, d.fault_vm, d.block_start, book.output_oracle).await;
    router_steps_the_vectors(&provider, d.fault_vm).await;

    // A second deploy on the same L1 gets fresh addresses (new nonces), not a clash.
    let out2 = tmp.path().join("book2.json");
    let (ok, _, stderr) = faultline(&["deploy", "--l1-rpc", &anvil.url, "--out", out2.to_str().unwrap()]);
    assert!(ok, "{stderr}");
    assert_ne!(AddressBook::load(&out2).unwrap().portal, book.portal);
}

/// `RollupConfig` fixes the chain parameters the node's `[chain]` config holds (a dispute
/// game computes block contexts from them), and a node whose config differs refuses to
/// start against the deployment, naming the field and both values.
#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn node_refuses_a_chain_config_the_deployment_does_not_fix() {
    let Some(anvil) = Anvil::start(0) else { return };
    let tmp = tempfile::tempdir().unwrap();
    let out = tmp.path().join("book.json");
    let (ok, stdout, stderr) = faultline(&["deploy", "--l1-rpc", &anvil.url, "--out", out.to_str().unwrap()]);
    assert!(ok, "deploy failed:\n{stdout}\n{stderr}");
    let book = AddressBook::load(&out).unwrap();
    let provider = ProviderBuilder::new().connect_http(anvil.url.parse().unwrap());
    let devnet = faultline_primitives::ChainConfig::devnet();
    let on_l1 = RollupConfig::new(book.rollup_config, &provider).l2Chain().call().await.unwrap();
    assert_eq!(format!("{on_l1:?}"), format!("{:?}", faultline_l1::chain::l2_chain_of(&devnet)));
    assert_eq!(on_l1.sequencingWindow, 3600);
    let genesis = book.genesis_output_root;
    faultline_l1::chain::check_chain(&provider, &book, &devnet, genesis).await.expect("the devnet config matches its deployment");
    // An address book mixing deployments, and a genesis the deployment did not start from.
    let other = tmp.path().join("other.json");
    let (ok, _, stderr) = faultline(&["deploy", "--l1-rpc", &anvil.url, "--out", other.to_str().unwrap()]);
    assert!(ok, "{stderr}");
    let mixed = AddressBook { portal: AddressBook::load(&other).unwrap().portal, ..book.clone() };
    let err = faultline_l1::chain::check_chain(&provider, &mixed, &devnet, genesis).await.expect_err("mixed book");
    assert!(matches!(err, faultline_l1::chain::ChainCheckError::MixedDeployment { what: "Portal", .. }) && !err.is_transient(), "{err}");
    let err = faultline_l1::chain::check_chain(&provider, &book, &devnet, alloy::primitives::B256::repeat_byte(1)).await.expect_err("genesis");
    assert!(matches!(err, faultline_l1::chain::ChainCheckError::Genesis { .. }) && !err.is_transient(), "{err}");
    // A contract without l2Chain() (an older RollupConfig; here the portal) answers with a
    // revert: the deployment's answer, refused, not retried forever.
    let source = RollupConfig::new(book.portal, &provider).l2Chain().call().await.expect_err("the portal has no l2Chain()");
    let err = faultline_l1::chain::ChainCheckError::Call { address: book.portal, source };
    assert!(!err.is_transient(), "{err}");

    for (field, change) in [
        ("block_gas_limit", (|c: &mut faultline_primitives::ChainConfig| c.block_gas_limit = 30_000_000) as fn(&mut _)),
        ("sequencing_window_secs", |c| c.sequencing_window_secs = 600),
        ("l1_blob_base_fee_scalar", |c| c.l1_blob_base_fee_scalar = 1),
        ("fee_recipient", |c| c.fee_recipient = Address::repeat_byte(0x11)),
    ] {
        let mut chain = devnet.clone();
        change(&mut chain);
        let err = faultline_l1::chain::check_chain(&provider, &book, &chain, genesis).await.expect_err(field);
        assert!(err.to_string().contains(field) && !err.is_transient(), "{err}");
        // The node itself: it exits before making a block, with the same message.
        #[derive(serde::Serialize)]
        struct File {
            chain: faultline_primitives::ChainConfig,
        }
        let config = tmp.path().join(format!("{field}.toml"));
        std::fs::write(&config, toml::to_string(&File { chain }).unwrap()).unwrap();
        let data = tmp.path().join(format!("data-{field}"));
        let port = harness::free_port().to_string();
        let (ok, _, stderr) = faultline(&[
            "node",
            "--config",
            config.to_str().unwrap(),
            "--address-book",
            out.to_str().unwrap(),
            "--l1-rpc",
            &anvil.url,
            "--data-dir",
            data.to_str().unwrap(),
            "--rpc-addr",
            &format!("127.0.0.1:{port}"),
        ]);
        assert!(!ok, "the node ran with a {field} the deployment does not fix");
        assert!(stderr.contains("does not match the L1 deployment") && stderr.contains(field), "{stderr}");
    }
}

/// A sequencer holds every block at `t` until L1 is read through `t − window`, so one
/// whose window is below its deposit follower's lag (`confirmations` L1 blocks behind the
/// head) would never seal: the devnet and a node refuse to start, and say where their
/// figure for L1's block time comes from.
#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn a_sequencer_refuses_a_window_below_its_confirmation_lag() {
    // Runs `faultline <args>`, which must exit (a process that starts instead is killed).
    let refused = |args: &[&str]| {
        let mut child = std::process::Command::new(harness::bin())
            .args(args)
            .current_dir(harness::repo_root())
            .stdin(std::process::Stdio::null())
            .stdout(std::process::Stdio::null())
            .stderr(std::process::Stdio::piped())
            .spawn()
            .unwrap();
        let deadline = std::time::Instant::now() + std::time::Duration::from_secs(60);
        while child.try_wait().unwrap().is_none() {
            if std::time::Instant::now() > deadline {
                let _ = child.kill();
                let out = child.wait_with_output().unwrap();
                panic!("faultline {args:?} started instead of refusing:\n{}", String::from_utf8_lossy(&out.stderr));
            }
            std::thread::sleep(std::time::Duration::from_millis(50));
        }
        let out = child.wait_with_output().unwrap();
        assert!(!out.status.success(), "faultline {args:?} succeeded");
        String::from_utf8_lossy(&out.stderr).into_owned()
    };

    // The devnet knows its anvil's block time and refuses before starting anything:
    // (25 + 1) × 1 s + 10 s = 36 s of lag against a 31 s window.
    let tmp = tempfile::tempdir().unwrap();
    let data = tmp.path().join("devnet");
    let ports: Vec<String> = (0..3).map(|_| harness::free_port().to_string()).collect();
    let stderr = refused(&[
        "devnet",
        "--data-dir",
        data.to_str().unwrap(),
        "--l1-port",
        &ports[0],
        "--l2-port",
        &ports[1],
        "--metrics-port",
        &ports[2],
        "--sequencing-window",
        "31",
        "--l1-confirmations",
        "25",
    ]);
    assert!(stderr.contains("refusing to start the devnet") && stderr.contains("sequencing window (31 s)"), "{stderr}");
    assert!(stderr.contains("lag of 36 s") && stderr.contains("(25 confirmations + 1) × 1 s L1 blocks (configured)"), "{stderr}");
    assert!(!data.exists(), "nothing was started or written");

    // A node against a deployment with a 60 s window: refused at 12 confirmations of 12 s
    // blocks, whether the block time is configured or measured from L1's headers.
    let Some(anvil) = Anvil::start(0) else { return };
    #[derive(serde::Serialize)]
    struct File {
        chain: faultline_primitives::ChainConfig,
    }
    let config = tmp.path().join("window60.toml");
    let chain = faultline_primitives::ChainConfig { sequencing_window_secs: 60, ..faultline_primitives::ChainConfig::devnet() };
    std::fs::write(&config, toml::to_string(&File { chain }).unwrap()).unwrap();
    let book = tmp.path().join("book.json");
    let (ok, out, err) = faultline(&["deploy", "--l1-rpc", &anvil.url, "--chain-config", config.to_str().unwrap(), "--out", book.to_str().unwrap()]);
    assert!(ok, "deploy failed:\n{out}\n{err}");
    let node = |extra: &[&str], name: &str| {
        let data = tmp.path().join(name);
        let rpc = format!("127.0.0.1:{}", harness::free_port());
        let mut args = vec!["node", "--config", config.to_str().unwrap(), "--address-book", book.to_str().unwrap(), "--l1-rpc", &anvil.url];
        args.extend(["--data-dir", data.to_str().unwrap(), "--rpc-addr", &rpc, "--l1-confirmations", "12"]);
        args.extend(extra);
        refused(&args)
    };
    let stderr = node(&["--l1-block-time", "12"], "configured");
    assert!(stderr.contains("refusing to start the sequencer") && stderr.contains("sequencing window (60 s)"), "{stderr}");
    assert!(stderr.contains("lag of 166 s") && stderr.contains("12 s L1 blocks (configured)"), "{stderr}");
    // 102 L1 blocks 12 s apart: the node measures 12 s itself over the last 100, none of
    // them the deployment's last block (whose gap to the first mined one is wall time:
    // measured 13 s on a loaded machine with 101).
    let mined = call(&anvil.url, "anvil_mine", json!(["0x66", "0xc"])).await;
    assert!(mined.get("error").is_none(), "{mined}");
    let stderr = node(&[], "measured");
    assert!(stderr.contains("lag of 166 s") && stderr.contains("12 s L1 blocks (measured between L1 blocks"), "{stderr}");
}

#[test]
fn deploy_bad_input_fails_clearly() {
    let (ok, _, stderr) = faultline(&["deploy", "--private-key", "0x1234", "--l1-rpc", "http://127.0.0.1:9"]);
    assert!(!ok);
    assert!(stderr.contains("invalid private key"), "{stderr}");

    let (ok, _, stderr) = faultline(&["deploy", "--l1-rpc", "http://127.0.0.1:9"]);
    assert!(!ok);
    assert!(stderr.contains("deploying the L1 contracts") || stderr.contains("L1 RPC"), "{stderr}");
    assert!(!stderr.contains("panicked"), "{stderr}");

    let (ok, _, stderr) = faultline(&["deploy", "--l1-rpc", "not a url"]);
    assert!(!ok);
    assert!(stderr.contains("bad --l1-rpc URL"), "{stderr}");
}

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn devnet_deploys_on_start_and_reuses_after_restart() {
    let Some(mut devnet) = Devnet::start(&["--block-time", "0"]) else { return };
    let book_path = AddressBook::default_path(&devnet.data_dir, 31337);
    let book = AddressBook::load(&book_path).expect("devnet wrote its address book");
    let provider = ProviderBuilder::new().connect_http(devnet.l1().parse().unwrap());
    let oracle = OutputOracle::new(book.output_oracle, &provider);
    assert_eq!(oracle.outputRoot(U256::ZERO).call().await.unwrap(), book.genesis_output_root);
    let l2 = call(&devnet.l2(), "eth_chainId", json!([])).await;
    assert_eq!(l2["result"], json!("0xfa17"));
    let at0 = call(&devnet.l2(), "rollup_outputAtBlock", json!(["0x0"])).await;
    assert_eq!(at0["result"]["outputRoot"], json!(book.genesis_output_root));

    assert!(devnet.stop(), "devnet exits cleanly on SIGTERM; log:\n{}", devnet.log());
    devnet.restart();
    let again = AddressBook::load(&book_path).unwrap();
    assert_eq!(again, book, "restart reuses the deployment");
    assert!(devnet.log().contains("L1 contracts already deployed"), "{}", devnet.log());
    let code = call(&devnet.l1(), "eth_getCode", json!([book.portal, "latest"])).await;
    assert_ne!(code["result"], json!("0x"), "anvil kept its state across the restart");
}

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn forge_script_deploys_the_same_contracts() {
    let (Some(anvil), Some(forge)) = (Anvil::start(0), harness::foundry_tool("forge")) else { return };
    let genesis = format!("{:#x}", faultline_executor::genesis::genesis_output(&faultline_primitives::ChainConfig::devnet()).unwrap().1);
    let out = std::process::Command::new(&forge)
        // `--slow`: one transaction at a time, each priced when sent (the creations fill
        // blocks, and a fee fixed up front falls below the base fee they raise).
        .args(["script", "contracts/script/Deploy.s.sol", "--rpc-url", &anvil.url, "--broadcast", "--slow", "--private-key"])
        .arg(format!("{}", DEV_ACCOUNTS[roles::DEPLOYER].1))
        .env("GENESIS_OUTPUT_ROOT", &genesis)
        .env("CHALLENGE_WINDOW", "45")
        .current_dir(harness::repo_root())
        .output()
        .unwrap();
    let stdout = String::from_utf8_lossy(&out.stdout);
    assert!(out.status.success(), "forge script failed:\n{stdout}\n{}", String::from_utf8_lossy(&out.stderr));
    let book_path = harness::repo_root().join("deploy/31337-forge.json");
    let book: serde_json::Value = serde_json::from_str(&std::fs::read_to_string(&book_path).unwrap()).unwrap();
    let _ = std::fs::remove_file(&book_path);
    let provider = ProviderBuilder::new().connect_http(anvil.url.parse().unwrap());
    let oracle: Address = book["outputOracle"].as_str().unwrap().parse().unwrap();
    let config: Address = book["rollupConfig"].as_str().unwrap().parse().unwrap();
    let oracle = OutputOracle::new(oracle, &provider);
    assert_eq!(format!("{:#x}", oracle.outputRoot(U256::ZERO).call().await.unwrap()), genesis);
    let addr = |k: &str| -> Address { book[k].as_str().unwrap_or_else(|| panic!("{k} in {book}")).parse().unwrap() };
    game_is_wired(&provider, config, addr("disputeGame"), addr("faultVm"), addr("blockStart"), *oracle.address()).await;
    router_steps_the_vectors(&provider, addr("faultVm")).await;
    let config = RollupConfig::new(config, &provider);
    assert_eq!(config.challengeWindow().call().await.unwrap(), 45);
    assert_eq!(config.sequencer().call().await.unwrap(), DEV_ACCOUNTS[roles::SEQUENCER].0);
}
