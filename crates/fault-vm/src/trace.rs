//! Tracing a transaction through the step machine: the step count, the commitment after
//! step k (by re-execution from the start; docs/fault-vm.md, "Commitment at step k"), the
//! witness of step k, and a checked run that verifies every step with [`crate::step::step`].

use crate::{
    machine::{Machine, PartHashes, StepError, Touched},
    step::{step, StepKind},
};
use alloy_primitives::B256;
use std::collections::BTreeMap;

/// Why a checked run failed.
#[derive(Debug, Clone, PartialEq, Eq, thiserror::Error)]
pub enum TraceError {
    /// The machine could not step.
    #[error("step {index}: {source}")]
    Step {
        /// Step index (0-based).
        index: u64,
        /// The error.
        source: StepError,
    },
    /// The reference step on the witness disagreed with the full machine.
    #[error("step {index} ({kind:?}): step(pre, witness) = {from_witness}, full machine = {full}")]
    Disagree {
        /// Step index.
        index: u64,
        /// Kind of the step.
        kind: StepKind,
        /// What the reference step computed from the witness.
        from_witness: B256,
        /// The full machine's commitment after the step.
        full: B256,
    },
    /// More steps than the caller's budget.
    #[error("no end after {0} steps")]
    Runaway(u64),
    /// More witness bytes in total than the caller's budget (v0 witnesses carry whole
    /// parts, so a transaction that grows the journal or substate makes checking quadratic).
    #[error("over {0} witness bytes in total")]
    WorkBudget(u64),
}

/// Statistics of a checked run.
#[derive(Debug, Clone, Default)]
pub struct TraceStats {
    /// Steps taken.
    pub steps: u64,
    /// Largest witness in bytes.
    pub max_witness: usize,
    /// The kind of step that had it.
    pub max_witness_kind: Option<StepKind>,
    /// Steps by kind.
    pub kinds: BTreeMap<StepKind, u64>,
    /// Steps whose [`l1_gas_estimate`] is over [`L1_STEP_GAS_TARGET`].
    pub over_l1_target: u64,
}

/// The L1 gas one step may cost to check (docs/fault-vm.md, "Bounds").
pub const L1_STEP_GAS_TARGET: u64 = 2_000_000;

/// An estimate of the L1 gas of checking one step whose witness is `witness_bytes` long
/// with v0's encoding: 21,000 for the transaction, 16 per calldata byte (as if none were
/// zero: the worst case), the EVM memory the witness occupies once copied (3 per word
/// plus words² / 512), and keccak over it twice (the pre- and post-state commitments,
/// 30 + 6 per word each). The step's own execution is small beside these and is not
/// counted. docs/fault-vm.md, "Bounds".
pub fn l1_gas_estimate(witness_bytes: usize) -> u64 {
    let bytes = witness_bytes as u64;
    let words = bytes.div_ceil(32);
    21_000 + 16 * bytes + 3 * words + words * words / 512 + 2 * (30 + 6 * words)
}

/// A bound on steps per transaction, far above what any gas limit allows (each opcode
/// step costs at least 1 gas except STOP-like ones, which end a frame).
pub const MAX_STEPS: u64 = 1 << 36;

/// Runs to the end; returns the final machine and the number of steps.
pub fn run(mut m: Machine) -> Result<(Machine, u64), TraceError> {
    let mut n = 0u64;
    let mut t = Touched::default();
    while !m.is_finished() {
        m.step(&mut t).map_err(|source| TraceError::Step { index: n, source })?;
        n += 1;
        if n > MAX_STEPS {
            return Err(TraceError::Runaway(n));
        }
    }
    Ok((m, n))
}

/// The commitment after `k` steps (k = 0: the initial state), by re-executing from
/// `initial`. Steps past the end leave the final state.
pub fn commitment_at(initial: &Machine, k: u64) -> Result<B256, TraceError> {
    Ok(state_at(initial, k)?.commitment())
}

/// The machine after `k` steps.
pub fn state_at(initial: &Machine, k: u64) -> Result<Machine, TraceError> {
    let mut m = initial.clone();
    let mut t = Touched::default();
    for index in 0..k {
        if m.is_finished() {
            break;
        }
        m.step(&mut t).map_err(|source| TraceError::Step { index, source })?;
    }
    Ok(m)
}

/// The witness of step `k` (the state after `k` steps with every part step `k` does not
/// touch sealed), or `None` if the machine has finished by then.
pub fn witness_at(initial: &Machine, k: u64) -> Result<Option<Machine>, TraceError> {
    witness_of(state_at(initial, k)?, k)
}

/// The witness of the next step of `m` (which has taken `k` steps), or `None` if it has
/// finished.
pub fn witness_of(mut m: Machine, k: u64) -> Result<Option<Machine>, TraceError> {
    if m.is_finished() {
        return Ok(None);
    }
    let hashes = m.part_hashes();
    Ok(Some(step_recorded(&mut m, &hashes, k)?.1))
}

/// Takes step `index` of `m` (whose part hashes are `hashes`) and returns its kind, its
/// witness and what it touched.
fn step_recorded(m: &mut Machine, hashes: &PartHashes, index: u64) -> Result<(StepKind, Machine, Touched), TraceError> {
    let phase = m.phase.clone();
    let mut t = Touched::recording();
    let kind = m.step(&mut t).map_err(|source| TraceError::Step { index, source })?;
    let images = t.pre.take().unwrap_or_default();
    Ok((kind, Machine::witness_from(&m.block, &m.tx, phase, hashes, images), t))
}

/// Runs to the end and checks every step: the witness cut from the pre-state, given to
/// the reference [`step`] with the pre-state commitment, must give the full machine's
/// post-state commitment.
pub fn run_checked(m: Machine) -> Result<(Machine, TraceStats), TraceError> {
    run_checked_within(m, MAX_STEPS, u64::MAX)
}

/// [`run_checked`] giving up with [`TraceError::Runaway`] after `max_steps` steps, or
/// with [`TraceError::WorkBudget`] once the witnesses total `max_witness_bytes`.
pub fn run_checked_within(
    mut m: Machine,
    max_steps: u64,
    max_witness_bytes: u64,
) -> Result<(Machine, TraceStats), TraceError> {
    let mut total_witness = 0u64;
    let mut stats = TraceStats::default();
    let mut hashes = m.part_hashes();
    while !m.is_finished() {
        let index = stats.steps;
        let pre = m.commitment_with(&hashes);
        let (kind, witness, t) = step_recorded(&mut m, &hashes, index)?;
        let size = witness.witness_len();
        total_witness = total_witness.saturating_add(size as u64);
        if total_witness > max_witness_bytes {
            return Err(TraceError::WorkBudget(max_witness_bytes));
        }
        if l1_gas_estimate(size) > L1_STEP_GAS_TARGET {
            stats.over_l1_target += 1;
        }
        if size > stats.max_witness {
            stats.max_witness = size;
            stats.max_witness_kind = Some(kind);
        }
        m.update_part_hashes(&mut hashes, &t);
        let post = m.commitment_with(&hashes);
        let from_witness = step(pre, witness).map_err(|source| TraceError::Step { index, source })?;
        if from_witness != post {
            return Err(TraceError::Disagree { index, kind, from_witness, full: post });
        }
        *stats.kinds.entry(kind).or_default() += 1;
        stats.steps += 1;
        if stats.steps > max_steps {
            return Err(TraceError::Runaway(stats.steps));
        }
    }
    // The incrementally kept hashes must equal a full recomputation: a write that skipped
    // the touch bookkeeping would show here.
    if hashes != m.part_hashes() {
        return Err(TraceError::Step { index: stats.steps, source: StepError::Inconsistent("part hashes drifted from the state") });
    }
    Ok((m, stats))
}
