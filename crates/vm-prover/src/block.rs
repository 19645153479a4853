//! A block as one trace (docs/fault-vm.md, "Blocks and the commitment at step k"): the
//! machine starts at the block's first input over the world before it and ends with the
//! block's output root; positions are its steps, numbered from 0 (the initial state).
//! [`Checkpoints`] keeps a copy of the machine every `every` positions, so the
//! commitment and witness at any position need at most `every − 1` steps of
//! re-execution.

use crate::trace::{TraceError, MAX_STEPS};
use alloy_primitives::B256;
use faultline_vm_core::{
    error::StepError,
    machine::{BlockCtx, L1Inputs, Machine, TxCtx},
    step::StepKind,
    world::{FullWorld, World, WorldBase},
};
use std::rc::Rc;

/// A block's inputs: its context, its inputs in order and the world before it.
#[derive(Clone, Debug)]
pub struct Block {
    /// Block context.
    pub ctx: BlockCtx,
    /// Inputs (deposits first, then signed transactions) in block order.
    pub txs: Vec<TxCtx>,
    /// The world before the block.
    pub pre: Rc<dyn WorldBase>,
    /// Where the machine opens its inputs from: L1 (every L2 block a game plays), or
    /// `None` for the contexts of `txs` given whole (the state tests).
    pub l1: Option<L1Inputs>,
}

impl Block {
    /// The machine at the block's start.
    pub fn machine(&self) -> Machine {
        let world = World::Full(Box::new(FullWorld::new(self.pre.clone())));
        match &self.l1 {
            Some(l1) => Machine::from_l1(self.ctx.clone(), l1.clone(), world),
            None => Machine::new(self.ctx.clone(), self.txs.clone(), world),
        }
    }
}

/// Runs a whole block: the final machine and its step count.
pub fn run_block(block: &Block) -> Result<(Machine, u64), TraceError> {
    crate::trace::run(block.machine())
}

/// Every position of a block, with a copy of the machine every `every` positions.
#[derive(Clone, Debug)]
pub struct Checkpoints {
    every: u64,
    steps: u64,
    /// Position of each input's first step (its NextTx, or the step opening it from L1).
    starts: Vec<u64>,
    /// `(position, machine)`, ascending; position 0 always.
    points: Vec<(u64, Machine)>,
}

impl Checkpoints {
    /// Runs the block once, keeping the checkpoints. `every` must be at least 1;
    /// `u64::MAX` keeps only the block's start, so every answer re-executes from it.
    pub fn build(block: &Block, every: u64) -> Result<Self, TraceError> {
        let every = every.max(1);
        let mut m = block.machine();
        let mut cp = Self { every, steps: 0, starts: Vec::new(), points: Vec::new() };
        let mut g = 0u64;
        loop {
            if g.is_multiple_of(every) {
                cp.points.push((g, m.clone()));
            }
            if m.is_finished() {
                break;
            }
            let kind = m.step().map_err(|source| TraceError::Step { index: g, source })?;
            if matches!(kind, StepKind::NextTx | StepKind::DepositOpen | StepKind::TxOpen) {
                cp.starts.push(g);
            }
            g += 1;
            if g > MAX_STEPS {
                return Err(TraceError::Runaway(g));
            }
        }
        cp.steps = g;
        Ok(cp)
    }

    /// Number of positions (steps + 1).
    pub fn positions(&self) -> u64 {
        self.steps + 1
    }

    /// Steps in the block.
    pub fn steps(&self) -> u64 {
        self.steps
    }

    /// Position of each input's first step.
    pub fn tx_starts(&self) -> &[u64] {
        &self.starts
    }

    /// Machines stored.
    pub fn stored(&self) -> usize {
        self.points.len()
    }

    /// The checkpoint interval.
    pub fn every(&self) -> u64 {
        self.every
    }

    /// The machine at position `g`: the nearest stored one at or before it, stepped
    /// forward. Past the last position the trace is padded with the finished machine's
    /// no-op steps (docs/fault-vm.md, "Done stays Done"), so every position has a state.
    pub fn state_at(&self, g: u64) -> Result<Machine, TraceError> {
        let g = g.min(self.steps);
        let at = self.points.partition_point(|(i, _)| *i <= g) - 1;
        let (from, m) = &self.points[at];
        let mut m = m.clone();
        for index in *from..g {
            m.step().map_err(|source| TraceError::Step { index, source })?;
        }
        Ok(m)
    }

    /// The witness bytes of the step taken at position `g` (at or past the last
    /// position: the no-op step of the finished machine).
    pub fn witness_at(&self, g: u64) -> Result<Vec<u8>, TraceError> {
        Ok(self.recorded_at(g)?.1)
    }

    /// [`Self::witness_at`] with the kind of the step.
    pub fn recorded_at(&self, g: u64) -> Result<(StepKind, Vec<u8>), TraceError> {
        let mut m = self.state_at(g)?;
        crate::trace::step_recorded(&mut m, g)
    }

    /// The commitment at position `g` (past the last: the last one's).
    pub fn commitment_at(&self, g: u64) -> Result<B256, TraceError> {
        self.state_at(g)?.commitment().map_err(|source: StepError| TraceError::Step { index: g, source })
    }
}
