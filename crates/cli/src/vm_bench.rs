//! `faultline vm bench`: trace speed of the step machine and the time to produce the
//! commitment at an arbitrary position of a 30 Mgas block, by re-execution from the
//! block's start and from checkpoints (docs/fault-vm.md, "Blocks and the commitment at
//! step k"). Two blocks: the worst case for steps per gas (one transaction looping over
//! JUMPDESTs, 1 gas per step) and a block of ERC-20 transfers.

use alloy_primitives::{Address, Bytes, B256, U256};
use clap::Args;
use faultline_vm_core::{
    machine::{BlockCtx, BlockHashes, Tree, TxCtx, TxOutcome},
    world::{Account, MemWorld},
};
use faultline_vm_prover::block::{run_block, Block, Checkpoints};
use std::{collections::BTreeMap, path::PathBuf, rc::Rc, time::Instant};

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
        parent_hash: B256::ZERO,
        deposit_cursor: 0,
        // No L1 fee: the state tests (and the bench's blocks) have none.
        l1_fee: Default::default(),
        l1_scalars: Default::default(),
        block_hashes: BlockHashes::Tree(Tree::from_words(&[B256::ZERO; 256])),
    }
}

fn tx(from: Address, nonce: u64, to: Option<Address>, data: Bytes, gas_limit: u64) -> TxCtx {
    let chain_id = faultline_primitives::ChainConfig::devnet().chain_id;
    faultline_vm_prover::l2::tx_ctx_of(2, B256::ZERO, from, to, U256::ZERO, data, gas_limit, 1_000, Some(1), nonce, Some(chain_id), &[], None)
}

fn pre(accounts: &BTreeMap<Address, Account>) -> Rc<MemWorld> {
    Rc::new(MemWorld::new(accounts))
}

/// One transaction spending the whole block on JUMPDESTs: 24,572 of them, then
/// `PUSH2 0 JUMP` back (1 gas per step but for the jump), until it runs out of gas.
fn jumpdest_block(gas: u64) -> Block {
    let mut code = vec![0x5b; 24_572];
    code.extend_from_slice(&[0x61, 0x00, 0x00, 0x56]);
    let target = Address::repeat_byte(0x10);
    let from = sender(0);
    let rich = U256::from(10u64).pow(U256::from(24));
    let accounts = BTreeMap::from([(from, account(rich, Bytes::new())), (target, account(U256::ZERO, code.into()))]);
    Block { ctx: ctx(gas), txs: vec![tx(from, 0, Some(target), Bytes::new(), gas)], pre: pre(&accounts), l1: None }
}

/// Gas used by each input of a block, failing if one did not succeed.
fn gas_used(block: &Block) -> eyre::Result<Vec<u64>> {
    let (end, _) = run_block(block)?;
    end.outcomes
        .iter()
        .map(|o| match o {
            TxOutcome::Ran { success: true, gas_used, .. } => Ok(*gas_used),
            other => eyre::bail!("setup transaction failed: {other:?}"),
        })
        .collect()
}

fn transfer_data(j: usize) -> Bytes {
    let mut d = vec![0xa9, 0x05, 0x9c, 0xbb]; // transfer(address,uint256)
    d.extend_from_slice(&[0u8; 12]);
    d.extend_from_slice(Address::from_word(alloy_primitives::keccak256(j.to_be_bytes())).as_slice());
    d.extend_from_slice(&U256::from(1u64).to_be_bytes::<32>());
    d.into()
}

/// Deploys the token, mints to 10 senders, then transfers to fresh recipients, each with
/// the gas a transfer uses as its limit, until the block is full.
fn erc20_block(gas: u64, creation: Bytes) -> eyre::Result<Block> {
    const SENDERS: usize = 10;
    let rich = U256::from(10u64).pow(U256::from(24));
    let senders: Vec<Address> = (0..SENDERS).map(sender).collect();
    let accounts: BTreeMap<Address, Account> = senders.iter().map(|a| (*a, account(rich, Bytes::new()))).collect();
    let mut block = Block { ctx: ctx(gas), txs: Vec::new(), pre: pre(&accounts), l1: None };
    let token = senders[0].create(0);
    let mut nonces = [0u64; SENDERS];
    block.txs.push(tx(senders[0], 0, None, creation, 3_000_000));
    nonces[0] += 1;
    for (i, s) in senders.iter().enumerate() {
        let mut d = vec![0xa0, 0x71, 0x2d, 0x68]; // mint(uint256)
        d.extend_from_slice(&U256::from(10u64).pow(U256::from(30)).to_be_bytes::<32>());
        block.txs.push(tx(*s, nonces[i], Some(token), d.into(), 100_000));
        nonces[i] += 1;
    }
    // One transfer to measure what a transfer to a fresh recipient uses.
    let mut probe = block.clone();
    probe.txs.push(tx(senders[0], nonces[0], Some(token), transfer_data(usize::MAX), 100_000));
    let used = gas_used(&probe)?;
    let per = *used.last().unwrap_or(&60_000);
    let mut left = gas.saturating_sub(used[..used.len() - 1].iter().sum());
    let mut j = 0;
    while left >= per {
        let from = j % SENDERS;
        block.txs.push(tx(senders[from], nonces[from], Some(token), transfer_data(j), per));
        nonces[from] += 1;
        left -= per;
        j += 1;
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
    let (end, steps) = run_block(block)?;
    let run_secs = t0.elapsed().as_secs_f64();
    let gas: u64 = end
        .outcomes
        .iter()
        .map(|o| match o {
            TxOutcome::Ran { gas_used, .. } => *gas_used,
            TxOutcome::Invalid(_) => 0,
        })
        .sum();
    let failed = end.outcomes.iter().filter(|o| !matches!(o, TxOutcome::Ran { success: true, .. })).count();
    println!(
        "{name}: {} txs ({failed} ended unsuccessfully), {:.1} Mgas, {steps} steps ({:.0} steps/Mgas); plain run {run_secs:.2} s = {:.2} M steps/s",
        block.txs.len(),
        gas as f64 / 1e6,
        steps as f64 / (gas as f64 / 1e6).max(1e-9),
        steps as f64 / run_secs.max(1e-9) / 1e6
    );

    let t0 = Instant::now();
    let cp = Checkpoints::build(block, args.every)?;
    println!("  checkpoints every {} positions: built in {:.2} s, {} machines", cp.every(), t0.elapsed().as_secs_f64(), cp.stored());
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
        if from_cp != re {
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
