//! `faultline deposit` and `faultline withdraw`: the bridge from a user's side
//! (`docs/bridge.md`). Both default to the devnet's endpoints, dev key and address book.

use alloy::{
    network::EthereumWallet,
    providers::{Provider, ProviderBuilder},
    signers::local::PrivateKeySigner,
    sol_types::SolValue as _,
};
use alloy_primitives::{Address, Bytes, B256, U256};
use clap::Args;
use eyre::{bail, eyre, WrapErr};
use faultline_l1::{
    bindings::{Hashing, OutputOracle, Portal, SmtVerifier},
    AddressBook,
};
use faultline_primitives::{dev::roles, predeploys::L2ToL1MessagePasser, MESSAGE_PASSER};
use std::{
    path::PathBuf,
    time::{Duration, Instant},
};

/// Endpoints, key and address book shared by the user commands.
#[derive(Args, Debug, Clone)]
pub struct Endpoints {
    /// L1 JSON-RPC URL.
    #[arg(long, env = "FAULTLINE_L1_RPC", default_value = "http://127.0.0.1:8545")]
    pub l1_rpc: String,
    /// L2 JSON-RPC URL.
    #[arg(long, env = "FAULTLINE_L2_RPC", default_value = "http://127.0.0.1:9545")]
    pub l2_rpc: String,
    /// Private key (hex) used on L1 and L2; default: devnet account 0.
    #[arg(long, env = "FAULTLINE_PRIVATE_KEY", hide_env_values = true)]
    pub private_key: Option<String>,
    /// Devnet data dir (its address book is `<data-dir>/deploy/<l1-chain-id>.json`).
    #[arg(long, default_value = "./data")]
    pub data_dir: PathBuf,
    /// Address book to use instead of the data dir's.
    #[arg(long, env = "FAULTLINE_ADDRESS_BOOK")]
    pub address_book: Option<PathBuf>,
}

impl Endpoints {
    fn signer(&self) -> eyre::Result<PrivateKeySigner> {
        crate::deploy::signer_or_dev(self.private_key.as_deref(), roles::DEPLOYER)
    }

    /// The address book: `--address-book`, else the devnet's, else `deploy/<id>.json`.
    pub async fn book(&self) -> eyre::Result<AddressBook> {
        crate::l1::find_address_book(self.address_book.as_deref(), &self.data_dir, &self.l1_rpc).await
    }
}

/// Flags of `faultline deposit`.
#[derive(Args, Debug, Clone)]
pub struct DepositArgs {
    /// L2 recipient (default: the key's address).
    #[arg(long)]
    pub to: Option<Address>,
    /// Amount in wei.
    #[arg(long)]
    pub amount: U256,
    /// Return once the L1 transaction is mined, without waiting for L2 to include it.
    #[arg(long)]
    pub no_wait: bool,
    #[command(flatten)]
    pub endpoints: Endpoints,
}

/// `faultline deposit`: `Portal.depositETH(to)` on L1, then wait until L2 includes it.
pub async fn deposit(args: DepositArgs) -> eyre::Result<()> {
    let e = &args.endpoints;
    let signer = e.signer()?;
    let to = args.to.unwrap_or(signer.address());
    let book = e.book().await?;
    let l1 = ProviderBuilder::new().wallet(EthereumWallet::from(signer)).connect_http(e.l1_rpc.parse()?);
    let portal = Portal::new(book.portal, &l1);
    let receipt = portal.depositETH(to).value(args.amount).send().await?.get_receipt().await?;
    if !receipt.status() {
        bail!("deposit transaction {} reverted", receipt.transaction_hash);
    }
    let ev = receipt.decoded_log::<Portal::DepositQueued>().ok_or_else(|| eyre!("no DepositQueued event in {}", receipt.transaction_hash))?;
    let index: u64 = ev.index.saturating_to();
    println!("deposit {index}: {} wei to {to} (L1 tx {}, block {})", args.amount, receipt.transaction_hash, receipt.block_number.unwrap_or_default());
    if args.no_wait {
        return Ok(());
    }
    let l2 = ProviderBuilder::new().connect_http(e.l2_rpc.parse()?);
    let deadline = Instant::now() + Duration::from_secs(120);
    loop {
        if let Some(block) = l2.get_block_by_number(alloy::eips::BlockNumberOrTag::Latest).await? {
            if faultline_primitives::deposit_cursor(&block.header.extra_data) > index {
                println!("included in L2 block {}", block.header.number);
                return Ok(());
            }
        }
        if Instant::now() > deadline {
            bail!("L2 did not include deposit {index} within 120 s (is the sequencer following this L1?)");
        }
        tokio::time::sleep(Duration::from_millis(250)).await;
    }
}

/// Flags of `faultline withdraw`.
#[derive(Args, Debug, Clone)]
pub struct WithdrawArgs {
    /// L1 recipient (default: the key's address).
    #[arg(long)]
    pub to: Option<Address>,
    /// Amount in wei.
    #[arg(long)]
    pub amount: U256,
    /// L1 gas given to the recipient's call.
    #[arg(long, default_value_t = 100_000)]
    pub gas_limit: u64,
    /// Give up after this many seconds (the challenge window must pass first).
    #[arg(long, default_value_t = 900)]
    pub timeout: u64,
    #[command(flatten)]
    pub endpoints: Endpoints,
}

/// `faultline withdraw`: starts a withdrawal on L2, waits for a final output that
/// contains it, proves it with `rollup_getProof` and finalizes it on L1.
pub async fn withdraw(args: WithdrawArgs) -> eyre::Result<()> {
    let e = &args.endpoints;
    let signer = e.signer()?;
    let me = signer.address();
    let to = args.to.unwrap_or(me);
    let book = e.book().await?;
    let wallet = EthereumWallet::from(signer);
    let l2 = ProviderBuilder::new().wallet(wallet.clone()).connect_http(e.l2_rpc.parse()?);
    let l1 = ProviderBuilder::new().wallet(wallet).connect_http(e.l1_rpc.parse()?);
    let deadline = Instant::now() + Duration::from_secs(args.timeout);

    // 1. Initiate on L2.
    let passer = L2ToL1MessagePasser::new(MESSAGE_PASSER, &l2);
    let receipt = passer.initiateWithdrawal(to, U256::from(args.gas_limit), Bytes::new()).value(args.amount).send().await?.get_receipt().await?;
    if !receipt.status() {
        bail!("L2 withdrawal transaction {} reverted", receipt.transaction_hash);
    }
    let ev = receipt.decoded_log::<L2ToL1MessagePasser::MessagePassed>().ok_or_else(|| eyre!("no MessagePassed event"))?;
    let l2_block = receipt.block_number.unwrap_or_default();
    let hash = ev.withdrawalHash;
    println!("withdrawal {hash} started in L2 block {l2_block} (nonce {})", ev.nonce);
    let withdrawal =
        Hashing::Withdrawal { nonce: ev.nonce, sender: me, target: to, value: args.amount, gasLimit: U256::from(args.gas_limit), data: Bytes::new() };

    // 2. Wait for a final output at or after that block.
    let oracle = OutputOracle::new(book.output_oracle, &l1);
    let (index, output) = loop {
        let count: u64 = oracle.outputCount().call().await?.saturating_to();
        let mut found = None;
        for i in (1..count).rev() {
            let o = oracle.output(U256::from(i)).call().await?;
            if o.l2Block < l2_block {
                break;
            }
            found = Some((i, o));
        }
        if let Some((i, o)) = found {
            if oracle.isFinalized(U256::from(i)).call().await? {
                break (i, o);
            }
        }
        if Instant::now() > deadline {
            bail!("no final output covers L2 block {l2_block} yet (challenge window {} s); run the command again later", book.challenge_window);
        }
        tokio::time::sleep(Duration::from_secs(1)).await;
    };
    println!("output {index} (L2 block {}) is final", output.l2Block);

    // 3. Prove: the output root's preimage and the message passer's storage slot.
    let slot = alloy_primitives::keccak256((hash, U256::ZERO).abi_encode_params());
    let at = format!("{:#x}", output.l2Block);
    let proof: serde_json::Value = l2.raw_request("rollup_getProof".into(), (MESSAGE_PASSER, vec![slot], at.clone())).await?;
    let state_root: B256 = serde_json::from_value(proof["stateRoot"].clone())?;
    let smt: faultline_state::smt::Proof =
        serde_json::from_value(proof["storage"][0]["proof"].clone()).wrap_err("rollup_getProof returned no storage proof")?;
    let block = l2.get_block_by_number(output.l2Block.into()).await?.ok_or_else(|| eyre!("L2 block {} unknown to the L2 node", output.l2Block))?;
    if faultline_primitives::output_root(state_root, block.header.hash) != output.root {
        bail!("the L2 node's block {} does not match output {index} on L1: refusing to prove", output.l2Block);
    }

    // 4. Finalize on L1.
    let portal = Portal::new(book.portal, &l1);
    let receipt = portal
        .finalizeWithdrawal(
            withdrawal,
            U256::from(index),
            Hashing::OutputRootProof { stateRoot: state_root, blockHash: block.header.hash },
            SmtVerifier::Proof { depth: smt.depth, bitmap: smt.bitmap, siblings: smt.siblings, leafKey: smt.leaf_key, leafValueHash: smt.leaf_value_hash },
        )
        .gas(args.gas_limit + 300_000)
        .send()
        .await?
        .get_receipt()
        .await?;
    if !receipt.status() {
        bail!("finalizeWithdrawal {} reverted", receipt.transaction_hash);
    }
    println!("finalized on L1 in tx {}: {} wei to {to}", receipt.transaction_hash, args.amount);
    Ok(())
}
