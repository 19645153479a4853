//! A block as the step machine sees it: its transactions run one after another, each a
//! trace of its own that starts on the world the previous one left (docs/fault-vm.md,
//! "Blocks and the commitment at step k"). Owns the block-wide position numbering and the
//! checkpoints that give the commitment at any position without storing every state.

use crate::{
    machine::{Account, BlockCtx, Machine, Phase, Touched, TxCtx},
    trace::{TraceError, MAX_STEPS},
};
use alloy_primitives::{Address, B256};
use std::collections::BTreeMap;

/// A block's inputs: its context, its transactions in order and the world before it.
#[derive(Clone, Debug)]
pub struct Block {
    /// Block context shared by every transaction.
    pub ctx: BlockCtx,
    /// Transactions in block order.
    pub txs: Vec<TxCtx>,
    /// The world before the first transaction.
    pub pre: BTreeMap<Address, Account>,
}

/// A position in a block's trace: transaction `tx` after `step` of its steps. Position
/// `(i, 0)` is transaction i's initial machine; `(i, n_i)` its final one.
#[derive(Clone, Copy, Debug, PartialEq, Eq, PartialOrd, Ord)]
pub struct Position {
    /// Transaction index in the block.
    pub tx: usize,
    /// Steps taken in that transaction.
    pub step: u64,
}

impl Block {
    /// The machine at position `(tx, 0)` given the world before `tx`.
    fn machine(&self, tx: usize, world: BTreeMap<Address, Account>) -> Machine {
        machine_at(&self.ctx, &self.txs, tx, world)
    }
}

/// Transaction `tx`'s initial machine on `world`.
fn machine_at(ctx: &BlockCtx, txs: &[TxCtx], tx: usize, world: BTreeMap<Address, Account>) -> Machine {
    Machine::new(ctx.clone(), txs[tx].clone(), world)
}

/// How one transaction of a block ended.
#[derive(Clone, Debug, PartialEq, Eq)]
pub struct TxEnd {
    /// Steps it took.
    pub steps: u64,
    /// Its final phase (`Done` or `Invalid`).
    pub phase: Phase,
}

/// Runs a whole block: the world after it and how each transaction ended.
pub fn run_block(block: &Block) -> Result<(BTreeMap<Address, Account>, Vec<TxEnd>), TraceError> {
    let mut world = block.pre.clone();
    let mut ends = Vec::with_capacity(block.txs.len());
    for i in 0..block.txs.len() {
        let (end, steps) = crate::trace::run(block.machine(i, world))?;
        world = final_world(&end, steps)?;
        ends.push(TxEnd { steps, phase: end.phase });
    }
    Ok((world, ends))
}

/// The world a finished machine leaves (every part of a full machine is open).
fn final_world(m: &Machine, index: u64) -> Result<BTreeMap<Address, Account>, TraceError> {
    m.accounts().ok_or(TraceError::Step {
        index,
        source: crate::machine::StepError::Inconsistent("a full machine has a sealed account"),
    })
}

/// Every position of a block numbered in one sequence (transaction 0's positions
/// `0..=n_0`, then transaction 1's, ...), with a copy of the machine every `every`
/// positions. The machine at any position is then at most `every − 1` positions past a
/// stored one (crossing into the next transaction starts it on the world the previous
/// one left), so memory grows with the block's steps / `every`, not with its
/// transaction count.
#[derive(Clone, Debug)]
pub struct Checkpoints {
    /// The block's context and transactions (its pre-state is the first stored machine).
    ctx: BlockCtx,
    txs: Vec<TxCtx>,
    every: u64,
    /// First global index of each transaction.
    starts: Vec<u64>,
    /// Steps of each transaction.
    counts: Vec<u64>,
    /// `(global index, transaction, machine)`, ascending.
    points: Vec<(u64, usize, Machine)>,
}

impl Checkpoints {
    /// Runs the block once, keeping the checkpoints. `every` must be at least 1;
    /// `u64::MAX` keeps only the block's start, so every answer re-executes from it.
    pub fn build(block: &Block, every: u64) -> Result<Self, TraceError> {
        let every = every.max(1);
        let mut cp =
            Self { ctx: block.ctx.clone(), txs: block.txs.clone(), every, starts: Vec::new(), counts: Vec::new(), points: Vec::new() };
        if block.txs.is_empty() {
            return Ok(cp);
        }
        let mut m = block.machine(0, block.pre.clone());
        let mut t = Touched::default();
        let mut g = 0u64;
        for i in 0..block.txs.len() {
            cp.starts.push(g);
            let mut n = 0u64;
            loop {
                if g.is_multiple_of(every) {
                    cp.points.push((g, i, m.clone()));
                }
                if m.is_finished() {
                    break;
                }
                m.step(&mut t).map_err(|source| TraceError::Step { index: n, source })?;
                n += 1;
                g += 1;
                if n > MAX_STEPS {
                    return Err(TraceError::Runaway(n));
                }
            }
            cp.counts.push(n);
            g += 1;
            if i + 1 < block.txs.len() {
                m = block.machine(i + 1, final_world(&m, n)?);
            }
        }
        Ok(cp)
    }

    /// Number of positions (sum over transactions of steps + 1).
    pub fn positions(&self) -> u64 {
        self.starts.last().zip(self.counts.last()).map_or(0, |(s, n)| s + n + 1)
    }

    /// Steps of each transaction.
    pub fn step_counts(&self) -> &[u64] {
        &self.counts
    }

    /// Machines stored.
    pub fn stored(&self) -> usize {
        self.points.len()
    }

    /// Bytes of state the stored machines hold (their encoded size).
    pub fn stored_bytes(&self) -> usize {
        self.points.iter().map(|(_, _, m)| m.witness_len()).sum()
    }

    /// The checkpoint interval.
    pub fn every(&self) -> u64 {
        self.every
    }

    /// The position of global index `g`, if inside the block.
    pub fn position(&self, g: u64) -> Option<Position> {
        let tx = self.starts.partition_point(|s| *s <= g).checked_sub(1)?;
        let step = g - self.starts[tx];
        (step <= self.counts[tx]).then_some(Position { tx, step })
    }

    /// The machine at global index `g`: the nearest checkpoint at or before it, stepped
    /// forward, into the following transactions if it lies in an earlier one.
    pub fn state_at(&self, g: u64) -> Result<Option<Machine>, TraceError> {
        let Some(pos) = self.position(g) else { return Ok(None) };
        // Position 0 is always stored, so some checkpoint is at or before `g`.
        let at = self.points.partition_point(|(i, _, _)| *i <= g) - 1;
        let (from, tx, m) = &self.points[at];
        let (mut tx, mut step, mut m) = (*tx, from - self.starts[*tx], m.clone());
        let mut t = Touched::default();
        while (tx, step) != (pos.tx, pos.step) {
            if m.is_finished() {
                m = machine_at(&self.ctx, &self.txs, tx + 1, final_world(&m, step)?);
                (tx, step) = (tx + 1, 0);
            } else {
                m.step(&mut t).map_err(|source| TraceError::Step { index: step, source })?;
                step += 1;
            }
        }
        Ok(Some(m))
    }

    /// The witness of the step taken at global index `g`, or `None` at a transaction's
    /// last position (nothing follows inside the transaction) or outside the block.
    pub fn witness_at(&self, g: u64) -> Result<Option<Machine>, TraceError> {
        let Some(pos) = self.position(g) else { return Ok(None) };
        match self.state_at(g)? {
            Some(m) => crate::trace::witness_of(m, pos.step),
            None => Ok(None),
        }
    }

    /// The commitment at global index `g`.
    pub fn commitment_at(&self, g: u64) -> Result<Option<B256>, TraceError> {
        Ok(self.state_at(g)?.map(|m| m.commitment()))
    }

}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::machine::Code;
    use alloy_primitives::{address, Bytes, U256};

    /// Two transactions: a call into a contract that stores and loops a little, then a
    /// plain transfer from another sender.
    fn block() -> Block {
        let a = address!("00000000000000000000000000000000000000aa");
        let b = address!("00000000000000000000000000000000000000bb");
        let c = address!("00000000000000000000000000000000000000cc");
        // PUSH1 5; JUMPDEST(2); PUSH1 1; SWAP1; SUB; DUP1; PUSH1 2; JUMPI; PUSH1 7; PUSH1 0; SSTORE; STOP
        let code = Bytes::from(vec![0x60, 5, 0x5b, 0x60, 1, 0x90, 0x03, 0x80, 0x60, 2, 0x57, 0x60, 7, 0x60, 0, 0x55, 0x00]);
        let rich = U256::from(10u64).pow(U256::from(20));
        let mut pre = BTreeMap::new();
        pre.insert(a, Account { nonce: 0, balance: rich, code: Code::new(Bytes::new()), storage: BTreeMap::new() });
        pre.insert(b, Account { nonce: 0, balance: rich, code: Code::new(Bytes::new()), storage: BTreeMap::new() });
        pre.insert(c, Account { nonce: 1, balance: U256::ZERO, code: Code::new(code), storage: BTreeMap::new() });
        let tx = |sender, to, value: u64| TxCtx {
            tx_type: 2,
            sender,
            to: Some(to),
            value: U256::from(value),
            data: Bytes::new(),
            gas_limit: 100_000,
            max_fee: 10,
            max_priority_fee: Some(1),
            nonce: 0,
            access_list: Vec::new(),
            mint: None,
        };
        let ctx = BlockCtx {
            number: 1,
            timestamp: 1,
            gas_limit: 30_000_000,
            basefee: 7,
            coinbase: address!("00000000000000000000000000000000000000fe"),
            prevrandao: B256::ZERO,
            chain_id: 1,
            blob_basefee: 1,
            block_hashes: Vec::new(),
        };
        Block { ctx, txs: vec![tx(a, c, 0), tx(b, a, 3)], pre }
    }

    #[test]
    fn checkpointed_commitments_equal_plain_re_execution_at_every_position() {
        let block = block();
        let (world, ends) = run_block(&block).expect("runs");
        assert!(ends.iter().all(|e| matches!(e.phase, Phase::Done { success: true, .. })), "{ends:?}");
        let counts: Vec<u64> = ends.iter().map(|e| e.steps).collect();
        assert_eq!(world[&address!("00000000000000000000000000000000000000cc")].storage[&U256::ZERO], U256::from(7));
        for every in [1, 3, 1000] {
            let cp = Checkpoints::build(&block, every).expect("builds");
            assert_eq!(cp.step_counts(), counts.as_slice());
            assert_eq!(cp.positions(), counts.iter().map(|n| n + 1).sum::<u64>());
            let mut world = block.pre.clone();
            let mut g = 0;
            for (i, n) in counts.iter().enumerate() {
                let initial = block.machine(i, world.clone());
                for k in 0..=*n {
                    let want = crate::trace::commitment_at(&initial, k).expect("re-executes");
                    assert_eq!(cp.position(g), Some(Position { tx: i, step: k }));
                    assert_eq!(cp.commitment_at(g).expect("steps"), Some(want), "every {every}, tx {i}, step {k}");
                    g += 1;
                }
                world = crate::trace::state_at(&initial, *n).expect("runs").accounts().expect("open");
            }
            assert_eq!(cp.position(g), None);
            assert_eq!(cp.commitment_at(g).expect("no error"), None);
            // Every step's witness, taken from the checkpoints, steps its position's
            // commitment to the next one.
            for g in 0..cp.positions() {
                let pre = cp.commitment_at(g).expect("steps").expect("inside");
                match cp.witness_at(g).expect("steps") {
                    Some(w) => {
                        let post = crate::step::step(pre, w).expect("the witness suffices");
                        assert_eq!(Some(post), cp.commitment_at(g + 1).expect("steps"), "every {every}, position {g}");
                    }
                    None => assert!(cp.state_at(g).expect("steps").expect("inside").is_finished()),
                }
            }
        }
    }

    #[test]
    fn an_empty_block_has_no_positions() {
        let mut b = block();
        b.txs.clear();
        let cp = Checkpoints::build(&b, 10).expect("builds");
        assert_eq!(cp.positions(), 0);
        assert_eq!(cp.commitment_at(0).expect("no error"), None);
    }
}
