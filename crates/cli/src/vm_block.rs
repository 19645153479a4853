//! `faultline vm block`: replays blocks of a node's store through the step machine (the
//! world before each block from the store's history, the deposits it includes from L1)
//! and checks that each ends with the node's own block hash and output root; with
//! `--check`, every step is also checked from its witness; with `--l1` (which implies
//! `--check`), each checked step also goes through the Solidity verifier in revm under
//! Osaka, its post required to equal Rust's, and the per-kind L1 gas table is printed.
//! What a challenger computes
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
    /// Also run every checked step through the Solidity verifier in revm (Osaka), its
    /// post required to equal Rust's; prints its L1 gas by kind of step (implies
    /// `--check`). `FAULTLINE_VM_L1_OUT=contracts/out` takes the contracts from `forge
    /// build`; unsupported steps fail the run unless `FAULTLINE_VM_L1_ALLOW_UNSUPPORTED=1`.
    #[arg(long)]
    pub l1: bool,
    /// L1 JSON-RPC URL, for the deposits the blocks include.
    #[arg(long, env = "FAULTLINE_L1_RPC", default_value = "http://127.0.0.1:8545")]
    pub l1_rpc: String,
    /// Address book (default: the devnet's, beside the data dir).
    #[arg(long, env = "FAULTLINE_ADDRESS_BOOK")]
    pub address_book: Option<PathBuf>,
    /// Build each block's machine from L1 alone (docs/fault-vm-inputs.md): its batch
    /// entries and deposits opened by the machine's input steps, its initial state from
    /// the batch record, leaf, accumulators, forced cursor and L1 fee the contracts hold
    /// (the commitment the dispute game computes), with no transaction taken from the
    /// node's store.
    #[arg(long)]
    pub l1_inputs: bool,
    /// L1 beacon API URL for blob batches' blobs (default: the L1 RPC URL, right for
    /// anvil).
    #[arg(long, env = "FAULTLINE_L1_BEACON")]
    pub l1_beacon: Option<String>,
    /// L2 chain config (TOML `[chain]` table), for `--l1-inputs`; default:
    /// `chain.toml` beside the data dir if the devnet wrote one, else the devnet's
    /// defaults. Checked against the deployment's `RollupConfig`.
    #[arg(long)]
    pub chain_config: Option<PathBuf>,
}

/// `faultline vm block`.
pub async fn run(mut args: VmBlockArgs) -> eyre::Result<()> {
    args.check |= args.l1;
    let mut l1 = if args.l1 { Some(faultline_vm_verifier::L1Check::new()?) } else { None };
    let result = replay(&args, l1.as_mut()).await;
    if let Some(l1) = &l1 {
        println!("L1 verifier (revm, Osaka; gas of the whole transaction), every checked step:\n{}", l1.stats);
        result?;
        return l1.finish().map_err(|e| eyre!(e));
    }
    result
}

/// Checks a block's every step: the reference step, and the L1 verifier if given.
fn run_checked(
    m: faultline_vm_core::machine::Machine,
    l1: Option<&mut faultline_vm_verifier::L1Check>,
) -> Result<(faultline_vm_core::machine::Machine, trace::TraceStats), trace::TraceError> {
    match l1 {
        Some(l1) => trace::run_checked_with(m, l1),
        None => trace::run_checked(m),
    }
}

async fn replay(args: &VmBlockArgs, mut l1: Option<&mut faultline_vm_verifier::L1Check>) -> eyre::Result<()> {
    let db = args.data_dir.join("db");
    if !db.exists() {
        bail!("no store at {}", db.display());
    }
    let store = Arc::new(Store::open_read_only(&db).wrap_err("opening the store read-only")?);
    let head = store.head()?.ok_or_else(|| eyre!("the store has no blocks"))?;
    let to = args.to.unwrap_or(head).min(head);
    if args.from == 0 || args.from > to {
        bail!("nothing to replay: blocks {}..={to} (genesis is not a block of the machine)", args.from);
    }
    if args.l1_inputs {
        return run_from_l1(args, &store, args.from, to, l1).await;
    }
    let chain_id = store.chain_id()?.ok_or_else(|| eyre!("the store has no chain id"))?;
    // The chain's L1 fee scalars: genesis wrote them into the GasPriceOracle (docs/chain.md, "L1 fee").
    let scalar = |slot: u64| -> eyre::Result<u32> {
        let v = store.storage(&faultline_primitives::GAS_PRICE_ORACLE, &alloy::primitives::U256::from(slot))?;
        u32::try_from(v).map_err(|_| eyre!("GasPriceOracle slot {slot} holds {v}, not an L1 fee scalar"))
    };
    let l1_scalars = faultline_primitives::l1fee::L1FeeScalars {
        base_fee_scalar: scalar(faultline_primitives::l1fee::oracle_slots::BASE_FEE_SCALAR)?,
        blob_base_fee_scalar: scalar(faultline_primitives::l1fee::oracle_slots::BLOB_BASE_FEE_SCALAR)?,
    };
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
            let (end, s) = run_checked(block.machine(), l1.as_deref_mut()).map_err(|e| eyre!("block {number}: {e}"))?;
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

/// `faultline vm block --l1-inputs`: every block from L1 alone. For each block the
/// initial commitment is computed from the contracts' values (what the dispute game
/// computes) and must equal the prover's initial state, built from the batch's bytes (and
/// blobs) and the deposits as L1 serves them; the machine then runs (with `--check`,
/// every step checked) and must end with the store's block hash and output root.
async fn run_from_l1(args: &VmBlockArgs, store: &Arc<Store>, from: u64, to: u64, mut l1: Option<&mut faultline_vm_verifier::L1Check>) -> eyre::Result<()> {
    use faultline_l1::bindings::{BatchInbox, Portal};
    use faultline_vm_core::initial::{self, InitialSource};
    use faultline_vm_prover::{
        block::Block,
        l1::{batch_leaf, of_batch},
        store::StoreWorld,
    };
    let devnet_dir = args.data_dir.parent().map(PathBuf::from).unwrap_or_else(|| PathBuf::from("."));
    let chain_path = args.chain_config.clone().or_else(|| Some(devnet_dir.join("chain.toml")).filter(|p| p.exists()));
    let chain = crate::deploy::load_chain_config(chain_path.as_deref())?;
    let book = crate::l1::find_address_book(args.address_book.as_deref(), &devnet_dir, &args.l1_rpc).await?;
    let provider = ProviderBuilder::new().connect_http(args.l1_rpc.parse().wrap_err("bad --l1-rpc URL")?);
    crate::l1::check_deployment(&provider, &book, &chain).await?;
    let beacon = faultline_derivation::BeaconBlobs::new(args.l1_beacon.clone().unwrap_or_else(|| args.l1_rpc.clone()));
    let reader = L1Reader::new(provider.clone(), book.portal, book.batch_inbox).with_beacon(beacon);
    let latest = alloy::providers::Provider::get_block_number(&provider).await?;
    let deposits: BTreeMap<u64, _> = reader.deposits(book.deployment_block, latest).await?.into_iter().map(|d| (d.index, d)).collect();
    let batches = reader.batches(book.deployment_block, latest).await?;
    let (inbox, portal) = (BatchInbox::new(book.batch_inbox, provider.clone()), Portal::new(book.portal, provider.clone()));
    let (mut steps, mut input_steps, mut worst_witness, mut worst_gas, mut over, mut skipped) = (0u64, 0u64, 0usize, 0u64, 0u64, 0usize);
    let started = Instant::now();
    for number in from..=to {
        let (hash, header) = store.header(number)?.ok_or_else(|| eyre!("block {number} is not in the store"))?;
        let (_, parent) = store.header(number - 1)?.ok_or_else(|| eyre!("block {} is not in the store", number - 1))?;
        // The last batch on L1 that holds the block (the inbox numbers blocks contiguously).
        let l1_batch = batches
            .iter()
            .rev()
            .find(|b| b.batch.as_ref().is_ok_and(|x| x.first_block <= number && number < x.first_block + x.blocks.len() as u64))
            .ok_or_else(|| eyre!("block {number}: no batch on L1 holds it (batched yet?)"))?;
        let batch = l1_batch.batch.as_ref().map_err(|e| eyre!("batch {}: {e}", l1_batch.index))?;
        // The contracts' values: the record, the forced cursor at the block's timestamp,
        // the origin's fee record, and (below) the accumulators at the range's ends.
        let rec = inbox.batch(alloy::primitives::U256::from(l1_batch.index)).call().await.wrap_err("BatchInbox.batch")?;
        let b = &batch.blocks[(number - batch.first_block) as usize];
        let timestamp = b.timestamp.max(parent.timestamp);
        let forced: u64 = portal.forcedCursor(timestamp).call().await.wrap_err("Portal.forcedCursor")?.saturating_to();
        let fee = inbox.l1Fee(b.l1_origin).call().await.wrap_err("BatchInbox.l1Fee")?;
        let l1_fee = faultline_primitives::l1fee::L1FeeInputs { origin: b.l1_origin, base_fee: fee.baseFee, blob_base_fee: fee.blobBaseFee };
        let blobs = (!l1_batch.blob_hashes.is_empty()).then(|| (l1_batch.blobs.as_slice(), l1_batch.length));
        let version = u8::from(blobs.is_some());
        let leaf = batch_leaf(batch, blobs.is_some(), number).map_err(|e| eyre!("block {number}: {e}"))?;
        let (ctx, dep_from, dep_to) = initial::block_ctx(&parent, &leaf, forced, l1_fee, &chain).map_err(|e| eyre!("block {number}: {e}"))?;
        let (l1_block, record, leaf) = of_batch(batch, blobs, number, &deposits, (dep_from, dep_to)).map_err(|e| eyre!("block {number}: {e}"))?;
        // The record the prover rebuilt from the batch's bytes is the one the inbox keeps.
        let onchain = initial::BatchRecord {
            root: rec.root,
            first_block: rec.firstBlock,
            item_count: u64::from(rec.itemCount),
            length: if version == 1 { u64::from(rec.length) } else { 0 },
            tx_count: u64::from(rec.txCount),
            blobs: rec.blobs,
        };
        if onchain != record {
            bail!("block {number}: batch {} as read back ({record:?}) is not the inbox's record ({onchain:?})", l1_batch.index);
        }
        let mut accs = BTreeMap::new();
        for i in [dep_from.checked_sub(1), dep_to.checked_sub(1)].into_iter().flatten() {
            accs.insert(i, portal.accumulator(alloy::primitives::U256::from(i)).call().await.wrap_err("Portal.accumulator")?);
        }
        let src = InitialSource { parent_state_root: parent.state_root, parent: parent.clone(), record: onchain, leaf, forced_cursor: forced, l1_fee };
        let game = initial::initial_commitment(&src, &chain, |i| accs.get(&i).copied().unwrap_or_default()).map_err(|e| eyre!("block {number}: {e}"))?;
        // The contract's own computation, where the deployment has the dispute contracts:
        // BlockStart.initialCommitment with the proof a challenger sends.
        let on_l1 = match &book.dispute {
            Some(d) => {
                let mut rlp = Vec::new();
                alloy::rlp::Encodable::encode(&parent, &mut rlp);
                let item_proof = faultline_primitives::batch::merkle_proof(l1_block.batch_leaves.clone(), leaf.index as usize);
                let proof = faultline_l1::dispute::block_start_proof(&rlp, l1_batch.index, &leaf, &item_proof);
                let parent_output = output_root(parent.state_root, parent.hash_slow());
                let start = faultline_l1::bindings::BlockStart::new(d.block_start, provider.clone());
                let got = start
                    .initialCommitment(parent_output, alloy::primitives::U256::from(number), proof)
                    .call()
                    .await
                    .map_err(|e| eyre!("block {number}: BlockStart.initialCommitment refused the proof: {e}"))?;
                if got != game {
                    bail!("block {number}: BlockStart on L1 computes the initial commitment {got}, Rust {game}");
                }
                " (BlockStart on L1 agrees)"
            }
            None => "",
        };
        let pre = StoreWorld::new(store.clone(), number - 1).map_err(|e| eyre!("block {number}: {e}"))?;
        let block = Block { ctx, txs: Vec::new(), pre: std::rc::Rc::new(pre), l1: Some(l1_block.inputs()?) };
        let machine = block.machine();
        let prover = machine.commitment().map_err(|e| eyre!("block {number}: {e}"))?;
        if prover != game {
            bail!("block {number}: the initial commitment from the contracts is {game}, the prover's from L1's bytes is {prover}");
        }
        let (end, n) = if args.check {
            let (end, s) = run_checked(machine, l1.as_deref_mut()).map_err(|e| eyre!("block {number}: {e}"))?;
            worst_witness = worst_witness.max(s.max_witness);
            worst_gas = worst_gas.max(s.max_l1_gas);
            over += s.over_l1_target;
            input_steps += s.kinds.iter().filter(|(k, _)| k.is_input()).map(|(_, n)| n).sum::<u64>();
            (end, s.steps)
        } else {
            trace::run(machine).map_err(|e| eyre!("block {number}: {e}"))?
        };
        steps += n;
        let want = output_root(header.state_root, hash);
        let Phase::Done { block_hash, output_root: got } = end.phase else { bail!("block {number}: the machine did not end the block") };
        if (block_hash, got) != (hash, want) {
            bail!("block {number}: from L1 the machine ends with block hash {block_hash} and output root {got}; the store has {hash} and {want}");
        }
        let skips = match &end.inputs {
            faultline_vm_core::machine::Inputs::L1(l) => l.skipped.clone(),
            _ => Vec::new(),
        };
        skipped += skips.len();
        let form = if version == 1 { "blob" } else { "calldata" };
        println!(
            "block {number}: from L1 ({form} batch {}, deposits {dep_from}..{dep_to}{}): {} inputs, {} entries skipped, {n} steps, initial commitment {game} as the game computes it{on_l1}, output root {got} agrees with the node",
            l1_batch.index,
            if dep_to > b.deposit_cursor.max(dep_from) { ", forced in" } else { "" },
            end.outcomes.len(),
            skips.len(),
        );
        for (k, why) in skips {
            println!("  entry {k} skipped: {why}");
        }
    }
    let secs = started.elapsed().as_secs_f64();
    print!("replayed blocks {from}..={to} from L1 alone: {steps} steps in {secs:.2} s, {skipped} entries skipped");
    if args.check {
        print!("; every step checked ({input_steps} input steps); largest witness {worst_witness} bytes, most expensive step about {worst_gas} L1 gas, {over} over the 2 M target");
    }
    println!();
    Ok(())
}
