//! `faultline vm block`: replays blocks of a node's store through the step machine (the
//! world before each block from the store's history, the deposits it includes from L1)
//! and checks that each ends with the node's own block hash and output root; with
//! `--check`, every step is also checked from its witness. What a challenger computes
//! before it disputes an output (docs/fault-vm.md, "One machine per block").

use alloy::providers::ProviderBuilder;
use clap::Args;
use eyre::{bail, eyre, WrapErr};
use faultline_derivation::L1Reader;
use faultline_primitives::output_root;
use faultline_state::Store;
use faultline_vm_core::machine::Phase;
use faultline_vm_prover::{l2, trace};
use std::{collections::BTreeMap, path::PathBuf, sync::Arc, time::Instant};

/// Flags of `faultline vm block`.
#[derive(Args, Debug)]
pub struct VmBlockArgs {
    /// The node's data dir (its store is `<dir>/db`; the devnet's L2 node: `./data/l2`).
    #[arg(long, default_value = "./data/l2")]
    pub data_dir: PathBuf,
    /// First block (default 1).
    #[arg(long, default_value_t = 1)]
    pub from: u64,
    /// Last block (default: the store's head).
    #[arg(long)]
    pub to: Option<u64>,
    /// Check every step from its witness with the reference step.
    #[arg(long)]
    pub check: bool,
    /// L1 JSON-RPC URL, for the deposits the blocks include.
    #[arg(long, env = "FAULTLINE_L1_RPC", default_value = "http://127.0.0.1:8545")]
    pub l1_rpc: String,
    /// Address book (default: the devnet's, beside the data dir).
    #[arg(long, env = "FAULTLINE_ADDRESS_BOOK")]
    pub address_book: Option<PathBuf>,
}

/// `faultline vm block`.
pub async fn run(args: VmBlockArgs) -> eyre::Result<()> {
    let db = args.data_dir.join("db");
    if !db.exists() {
        bail!("no store at {}", db.display());
    }
    let store = Arc::new(Store::open_read_only(&db).wrap_err("opening the store read-only")?);
    let chain_id = store.chain_id()?.ok_or_else(|| eyre!("the store has no chain id"))?;
    let head = store.head()?.ok_or_else(|| eyre!("the store has no blocks"))?;
    // The chain's L1 fee scalars: genesis wrote them into the GasPriceOracle (docs/chain.md, "L1 fee").
    let scalar = |slot: u64| -> eyre::Result<u32> {
        let v = store.storage(&faultline_primitives::GAS_PRICE_ORACLE, &alloy::primitives::U256::from(slot))?;
        u32::try_from(v).map_err(|_| eyre!("GasPriceOracle slot {slot} holds {v}, not an L1 fee scalar"))
    };
    let l1_scalars = faultline_primitives::l1fee::L1FeeScalars {
        base_fee_scalar: scalar(faultline_primitives::l1fee::oracle_slots::BASE_FEE_SCALAR)?,
        blob_base_fee_scalar: scalar(faultline_primitives::l1fee::oracle_slots::BLOB_BASE_FEE_SCALAR)?,
    };
    let to = args.to.unwrap_or(head).min(head);
    if args.from == 0 || args.from > to {
        bail!("nothing to replay: blocks {}..={to} (genesis is not a block of the machine)", args.from);
    }
    // The deposits the blocks include, by index, from L1, if any block includes one.
    let cursor = |n: u64| -> eyre::Result<u64> {
        let (_, h) = store.header(n)?.ok_or_else(|| eyre!("block {n} is not in the store"))?;
        Ok(faultline_primitives::deposit_cursor(&h.extra_data))
    };
    let mut deposits = BTreeMap::new();
    if cursor(to)? > cursor(args.from - 1)? {
        let devnet_dir = args.data_dir.parent().map(PathBuf::from).unwrap_or_else(|| PathBuf::from("."));
        let book = crate::l1::find_address_book(args.address_book.as_deref(), &devnet_dir, &args.l1_rpc).await?;
        let provider = ProviderBuilder::new().connect_http(args.l1_rpc.parse().wrap_err("bad --l1-rpc URL")?);
        let reader = L1Reader::new(provider.clone(), book.portal, book.batch_inbox);
        let latest = alloy::providers::Provider::get_block_number(&provider).await?;
        for d in reader.deposits(book.deployment_block, latest).await? {
            deposits.insert(d.index, d);
        }
    }
    let (mut steps, mut worst_witness, mut worst_gas, mut over) = (0u64, 0usize, 0u64, 0u64);
    let started = Instant::now();
    for number in args.from..=to {
        let block = l2::block_from_store(&store, chain_id, l1_scalars, number, &deposits)?;
        let inputs = block.txs.len();
        let (end, n) = if args.check {
            let (end, s) = trace::run_checked(block.machine()).map_err(|e| eyre!("block {number}: {e}"))?;
            worst_witness = worst_witness.max(s.max_witness);
            worst_gas = worst_gas.max(s.max_l1_gas);
            over += s.over_l1_target;
            (end, s.steps)
        } else {
            trace::run(block.machine()).map_err(|e| eyre!("block {number}: {e}"))?
        };
        steps += n;
        let (hash, header) = store.header(number)?.ok_or_else(|| eyre!("block {number} is not in the store"))?;
        let want = output_root(header.state_root, hash);
        let Phase::Done { block_hash, output_root: got } = end.phase else { bail!("block {number}: the machine did not end the block") };
        if (block_hash, got) != (hash, want) {
            bail!("block {number}: the machine ends with block hash {block_hash} and output root {got}; the node has {hash} and {want}");
        }
        println!("block {number}: {inputs} inputs, {n} steps, output root {got} agrees with the node");
    }
    let secs = started.elapsed().as_secs_f64();
    print!("replayed blocks {}..={to}: {steps} steps in {secs:.2} s", args.from);
    if args.check {
        print!("; every step checked; largest witness {worst_witness} bytes, most expensive step about {worst_gas} L1 gas, {over} over the 2 M target");
    }
    println!();
    Ok(())
}
