//! `faultline verify`: rebuilds the L2 chain from L1 data alone (batches, their blobs and
//! deposits; no connection to the sequencer) and checks every proposed output root. One-off by
//! default; `--follow` (and `faultline node --verifier`) keeps following L1.

use alloy::providers::ProviderBuilder;
use clap::Args;
use eyre::{bail, WrapErr};
use faultline_derivation::{
    verifier::{Verifier, VerifyError},
    BeaconBlobs, L1Reader,
};
use faultline_l1::bindings::BatchInbox;
use faultline_state::Store;
use std::{path::PathBuf, sync::Arc, time::Duration};
use tracing::Instrument;

/// Flags of `faultline verify`.
#[derive(Args, Debug, Clone)]
pub struct VerifyArgs {
    /// L1 JSON-RPC URL.
    #[arg(long, env = "FAULTLINE_L1_RPC", default_value = "http://127.0.0.1:8545")]
    pub l1_rpc: String,
    /// L1 beacon API URL for blob batches' blobs (default: the L1 RPC URL, right for
    /// anvil; a real L1 needs its consensus client's URL).
    #[arg(long, env = "FAULTLINE_L1_BEACON")]
    pub l1_beacon: Option<String>,
    /// Address book (default: the devnet's, under `--data-dir`, else `deploy/<id>.json`).
    #[arg(long, env = "FAULTLINE_ADDRESS_BOOK")]
    pub address_book: Option<PathBuf>,
    /// Devnet data dir, where the default address book is.
    #[arg(long, default_value = "./data")]
    pub data_dir: PathBuf,
    /// Where the verifier keeps its derived chain (default: a temporary folder).
    #[arg(long)]
    pub verifier_dir: Option<PathBuf>,
    /// L2 chain config (TOML `[chain]` table); default: `<data-dir>/chain.toml` if the
    /// devnet wrote one, else the devnet's defaults.
    #[arg(long)]
    pub chain_config: Option<PathBuf>,
    /// L1 blocks a batch or deposit must be buried under before it is derived.
    #[arg(long, default_value_t = 0)]
    pub confirmations: u64,
    /// Keep following L1 instead of stopping once caught up.
    #[arg(long)]
    pub follow: bool,
}

/// `faultline verify`.
pub async fn run(args: VerifyArgs) -> eyre::Result<()> {
    // The chain config: --chain-config, else the one the devnet wrote to its data dir.
    let devnet_chain = args.data_dir.join("chain.toml");
    let chain_path = args.chain_config.clone().or_else(|| devnet_chain.exists().then_some(devnet_chain));
    let chain = crate::deploy::load_chain_config(chain_path.as_deref())?;
    let book = crate::l1::find_address_book(args.address_book.as_deref(), &args.data_dir, &args.l1_rpc).await?;
    let tmp;
    let dir = match &args.verifier_dir {
        Some(d) => d.clone(),
        None => {
            tmp = tempfile::tempdir()?;
            tmp.path().to_path_buf()
        }
    };
    std::fs::create_dir_all(&dir)?;
    let provider = ProviderBuilder::new().connect_http(args.l1_rpc.parse().wrap_err("bad --l1-rpc URL")?);
    // A verifier on another chain config than the deployment's would call honest outputs
    // wrong: it checks the deployment first, as the node does.
    crate::l1::check_deployment(&provider, &book, &chain).await?;
    let beacon_url = args.l1_beacon.clone().unwrap_or_else(|| args.l1_rpc.clone());
    // A verifier over the store in `dir`, resumed from its L1 anchor; after an L1 reorg
    // below the confirmation depth the store is discarded and derived again.
    let open = |fresh: bool| {
        let (provider, chain, book, dir, beacon_url) = (provider.clone(), chain.clone(), book.clone(), dir.clone(), beacon_url.clone());
        async move {
            let db = dir.join("db");
            if fresh && db.exists() {
                std::fs::remove_dir_all(&db).wrap_err("discarding the verifier's store")?;
            }
            let store = Arc::new(Store::open(&db)?);
            faultline_executor::genesis::init_genesis(&store, &chain)?;
            let reader = L1Reader::new(provider, book.portal, book.batch_inbox).with_beacon(BeaconBlobs::new(beacon_url));
            let mut verifier = Verifier::new(reader, store, chain, book.output_oracle, book.deployment_block, args.confirmations);
            verifier.resume().await?;
            Ok::<_, eyre::Report>(verifier)
        }
    };
    let mut verifier = match open(false).await {
        Ok(v) => v,
        Err(e) if matches!(e.downcast_ref::<VerifyError>(), Some(VerifyError::L1Reorged { .. })) => {
            tracing::warn!(error = %e, "the verifier's store was derived from L1 blocks that are gone; deriving again");
            open(true).await?
        }
        Err(e) => return Err(e),
    };
    let inbox = BatchInbox::new(book.batch_inbox, provider.clone());
    let span = tracing::info_span!("verifier", oracle = %book.output_oracle);
    let (blocks, txs, gas, secs, agree, disagree) = async {
        let (mut blocks, mut txs, mut gas, mut secs, mut agree, mut disagree) = (0u64, 0u64, 0u64, 0f64, 0u64, 0u64);
        loop {
            let round = match verifier.round().await {
                Ok(round) => round,
                Err(e @ VerifyError::L1Reorged { .. }) => {
                    tracing::warn!(error = %e, "deriving again from L1 into a fresh store");
                    println!("L1 reorganised below the confirmation depth: deriving again (earlier verdicts void)");
                    drop(verifier);
                    verifier = open(true).await?;
                    (blocks, txs, gas, secs, agree, disagree) = (0, 0, 0, 0.0, 0, 0);
                    continue;
                }
                Err(e) => return Err(e.into()),
            };
            blocks += round.blocks;
            txs += round.txs;
            gas += round.gas;
            secs += round.derive_secs;
            for c in &round.checks {
                if c.agrees() {
                    agree += 1;
                    println!("output {} (L2 block {}): agrees {}", c.index, c.l2_block, c.proposed);
                } else {
                    disagree += 1;
                    println!("output {} (L2 block {}): DISAGREES: proposed {}, derived {}", c.index, c.l2_block, c.proposed, c.derived);
                }
            }
            if round.blocks > 0 {
                tracing::info!(head = verifier.head()?, blocks = round.blocks, txs = round.txs, skipped = round.skipped, "derived");
            }
            if !args.follow {
                let on_l1: u64 = inbox.nextBlock().call().await?;
                if verifier.head()? + 1 >= on_l1 && round.blocks == 0 {
                    break;
                }
            }
            tokio::time::sleep(Duration::from_millis(if args.follow { 500 } else { 50 })).await;
        }
        Ok::<_, eyre::Report>((blocks, txs, gas, secs, agree, disagree))
    }
    .instrument(span)
    .await?;
    let rate = if secs > 0.0 { blocks as f64 / secs } else { 0.0 };
    let mgas = if secs > 0.0 { gas as f64 / secs / 1e6 } else { 0.0 };
    println!(
        "derived {blocks} L2 blocks ({txs} txs) from L1 alone in {secs:.3} s of execution: {rate:.0} blocks/s, {mgas:.1} Mgas/s; outputs: {agree} agree, {disagree} disagree"
    );
    if disagree > 0 {
        bail!("{disagree} proposed output(s) disagree with the chain derived from L1");
    }
    Ok(())
}
