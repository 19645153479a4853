//! `faultline vm bench`: trace speed of the step machine and the time to produce the
//! commitment at an arbitrary position of a 30 Mgas block, by re-execution from the
//! block's start and from checkpoints (docs/fault-vm.md, "Blocks and the commitment at
//! step k"). Two blocks: the worst case for steps per gas (one transaction looping over
//! JUMPDESTs, 1 gas per step) and a block of ERC-20 transfers.

use alloy_primitives::{Address, Bytes, B256, U256};
use clap::Args;
use faultline_fault_vm::{
    block::{run_block, Block, Checkpoints},
    machine::{Account, BlockCtx, Machine, Phase, TxCtx},
    trace,
};
use std::{collections::BTreeMap, path::PathBuf, time::Instant};

/// `faultline vm bench`.
#[derive(Args, Debug)]
pub struct VmBenchArgs {
    /// Block gas to fill.
    #[arg(long, default_value_t = 30_000_000)]
    pub gas: u64,
    /// Checkpoint interval in positions.
    #[arg(long, default_value_t = 1_000_000)]
    pub every: u64,
    /// Random positions to ask for.
    #[arg(long, default_value_t = 10)]
    pub queries: usize,
    /// The BenchToken artifact (built by `contracts/bin/forge build`).
    #[arg(long, default_value = "contracts/out/BenchToken.sol/BenchToken.json")]
    pub token_artifact: PathBuf,
}

fn account(balance: U256, code: Bytes) -> Account {
    Account::new(u64::from(!code.is_empty()), balance, code, [])
}

fn sender(i: usize) -> Address {
    Address::from_word(alloy_primitives::keccak256(format!("faultline vm bench sender {i}")))
}

fn ctx(gas: u64) -> BlockCtx {
    BlockCtx {
        number: 1,
        timestamp: 1,
        gas_limit: gas,
        basefee: 7,
        coinbase: Address::repeat_byte(0xfe),
        prevrandao: B256::ZERO,
        chain_id: faultline_primitives::ChainConfig::devnet().chain_id,
        blob_basefee: 1,
        block_hashes: Vec::new(),
    }
}

fn tx(from: Address, nonce: u64, to: Option<Address>, data: Bytes, gas_limit: u64) -> TxCtx {
    TxCtx {
        tx_type: 2,
        sender: from,
        to,
        value: U256::ZERO,
        data,
        gas_limit,
        max_fee: 1_000,
        max_priority_fee: Some(1),
        nonce,
        access_list: Vec::new(),
        mint: None,
    }
}

/// One transaction spending the whole block on JUMPDESTs: 24,572 of them, then
/// `PUSH2 0 JUMP` back (1 gas per step but for the jump), until it runs out of gas.
fn jumpdest_block(gas: u64) -> Block {
    let mut code = vec![0x5b; 24_572];
    code.extend_from_slice(&[0x61, 0x00, 0x00, 0x56]);
    let target = Address::repeat_byte(0x10);
    let from = sender(0);
    let rich = U256::from(10u64).pow(U256::from(24));
    let pre = BTreeMap::from([(from, account(rich, Bytes::new())), (target, account(U256::ZERO, code.into()))]);
    Block { ctx: ctx(gas), txs: vec![tx(from, 0, Some(target), Bytes::new(), gas)], pre }
}

/// Deploys the token, mints to 10 senders, then transfers to fresh recipients while the
/// gas they actually use (each run through the machine as it is added) fits the block.
fn erc20_block(gas: u64, creation: Bytes) -> eyre::Result<Block> {
    const SENDERS: usize = 10;
    let rich = U256::from(10u64).pow(U256::from(24));
    let senders: Vec<Address> = (0..SENDERS).map(sender).collect();
    let mut block = Block { ctx: ctx(gas), txs: Vec::new(), pre: senders.iter().map(|a| (*a, account(rich, Bytes::new()))).collect() };
    let token = senders[0].create(0);
    let mut nonces = [0u64; SENDERS];
    let mut world = block.pre.clone();
    let mut used = 0u64;
    let mut add = |block: &mut Block, from: usize, to: Option<Address>, data: Bytes, limit: u64| -> eyre::Result<bool> {
        let t = tx(senders[from], nonces[from], to, data, limit);
        let (end, _) = trace::run(Machine::new(block.ctx.clone(), t.clone(), world.clone()))?;
        let Phase::Done { success: true, gas_used } = end.phase else { eyre::bail!("setup transaction failed: {:?}", end.phase) };
        if used + gas_used > gas {
            return Ok(false);
        }
        used += gas_used;
        world = end.accounts().ok_or_else(|| eyre::eyre!("sealed account in a full machine"))?;
        nonces[from] += 1;
        block.txs.push(t);
        Ok(true)
    };
    add(&mut block, 0, None, creation, 3_000_000)?;
    for i in 0..SENDERS {
        let mut d = vec![0xa0, 0x71, 0x2d, 0x68]; // mint(uint256)
        d.extend_from_slice(&U256::from(10u64).pow(U256::from(30)).to_be_bytes::<32>());
        add(&mut block, i, Some(token), d.into(), 100_000)?;
    }
    for j in 0usize.. {
        let mut d = vec![0xa9, 0x05, 0x9c, 0xbb]; // transfer(address,uint256)
        d.extend_from_slice(&[0u8; 12]);
        d.extend_from_slice(Address::from_word(alloy_primitives::keccak256(j.to_be_bytes())).as_slice());
        d.extend_from_slice(&U256::from(1u64).to_be_bytes::<32>());
        if !add(&mut block, j % SENDERS, Some(token), d.into(), 60_000)? {
            break;
        }
    }
    Ok(block)
}

/// Deterministic positions spread over `0..n`, always including the last.
fn positions(n: u64, count: usize) -> Vec<u64> {
    let mut x: u64 = 0x9e37_79b9_7f4a_7c15;
    let mut out: Vec<u64> = (1..count)
        .map(|_| {
            x ^= x << 13;
            x ^= x >> 7;
            x ^= x << 17;
            x % n
        })
        .collect();
    out.push(n - 1);
    out
}

fn bench(name: &str, block: &Block, args: &VmBenchArgs) -> eyre::Result<()> {
    let t0 = Instant::now();
    let (_, ends) = run_block(block)?;
    let run_secs = t0.elapsed().as_secs_f64();
    let steps: u64 = ends.iter().map(|e| e.steps).sum();
    let gas: u64 = ends
        .iter()
        .map(|e| match e.phase {
            Phase::Done { gas_used, .. } => gas_used,
            _ => 0,
        })
        .sum();
    let failed = ends.iter().filter(|e| !matches!(e.phase, Phase::Done { success: true, .. })).count();
    println!(
        "{name}: {} txs ({failed} ended unsuccessfully), {:.1} Mgas, {steps} steps ({:.0} steps/Mgas); plain run {run_secs:.2} s = {:.2} M steps/s",
        block.txs.len(),
        gas as f64 / 1e6,
        steps as f64 / (gas as f64 / 1e6).max(1e-9),
        steps as f64 / run_secs.max(1e-9) / 1e6
    );

    let t0 = Instant::now();
    let cp = Checkpoints::build(block, args.every)?;
    println!(
        "  checkpoints every {} positions: built in {:.2} s, {} machines, {:.1} MB of state",
        cp.every(),
        t0.elapsed().as_secs_f64(),
        cp.stored(),
        cp.stored_bytes() as f64 / 1e6
    );
    // Only the block's start stored: every answer re-executes from it.
    let from_start = Checkpoints::build(block, u64::MAX)?;
    let (mut worst_cp, mut total_cp, mut worst_re, mut total_re) = (0f64, 0f64, 0f64, 0f64);
    let asked = positions(cp.positions(), args.queries.max(1));
    for g in &asked {
        let t0 = Instant::now();
        let from_cp = cp.commitment_at(*g)?;
        let secs = t0.elapsed().as_secs_f64();
        worst_cp = worst_cp.max(secs);
        total_cp += secs;
        let t0 = Instant::now();
        let re = from_start.commitment_at(*g)?;
        let secs = t0.elapsed().as_secs_f64();
        worst_re = worst_re.max(secs);
        total_re += secs;
        if from_cp.is_none() || from_cp != re {
            eyre::bail!("position {g}: checkpointed commitment {from_cp:?} != re-executed {re:?}");
        }
    }
    let n = asked.len() as f64;
    println!(
        "  commitment at {} positions (incl. the last): from checkpoints mean {:.3} s, worst {:.3} s; re-executing from the block start mean {:.2} s, worst {:.2} s",
        asked.len(),
        total_cp / n,
        worst_cp,
        total_re / n,
        worst_re
    );
    Ok(())
}

/// `faultline vm bench`.
pub fn run(args: VmBenchArgs) -> eyre::Result<()> {
    println!("faultline vm bench: {} gas blocks, checkpoint every {} positions", args.gas, args.every);
    bench("jumpdest loop (1 gas/step, ends out of gas by design)", &jumpdest_block(args.gas), &args)?;
    match crate::bench::token_bytecode(&args.token_artifact) {
        Ok(code) => bench("erc20 transfers", &erc20_block(args.gas, code)?, &args)?,
        Err(e) => println!("erc20 transfers: skipped ({e})"),
    }
    Ok(())
}
