//! Tracing a block through the step machine: the step count, the commitment after step
//! k (by re-execution; [`crate::block::Checkpoints`] adds stored states), the witness of
//! step k, and a checked run that verifies every step with the reference step
//! ([`faultline_vm_core::step::step_metered`]) and estimates from its meter what checking
//! it would cost on L1. A [`StepObserver`] given to [`run_checked_with`] or
//! [`run_checked_prefix_with`] sees every checked step (the L1 verifier in revm, in
//! `faultline-vm-verifier`).

use alloy_primitives::B256;
use faultline_vm_core::{
    error::StepError,
    machine::{Carry, Io, IoMode, Machine},
    meter::{Counts, Meter},
    stack::HashStack,
    step::{step_metered, StepKind},
};
use std::collections::BTreeMap;

/// Why a run failed.
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
    /// The run's [`StepObserver`] refused a step (e.g. the L1 verifier disagreed).
    #[error("step {index} ({kind:?}): {message}")]
    Observer {
        /// Step index.
        index: u64,
        /// Kind of the step.
        kind: StepKind,
        /// What the observer said.
        message: String,
    },
}

/// One checked step as a run hands it to its [`StepObserver`].
#[derive(Debug, Clone, Copy)]
pub struct CheckedStep<'a> {
    /// Step index (0-based, from the run's start).
    pub index: u64,
    /// Kind of the step.
    pub kind: StepKind,
    /// The commitment before the step.
    pub pre: B256,
    /// The step's witness bytes (docs/fault-vm.md, "Witness wire format").
    pub witness: &'a [u8],
    /// What the reference step gave for `(pre, witness)`: in a checked run always the
    /// full machine's post-state (a disagreement ends the run first).
    pub rust: Result<B256, &'a StepError>,
}

/// A per-step hook of the checked runs ([`run_checked_with`],
/// [`run_checked_prefix_with`]): each step, once the reference step has checked it, is
/// handed over, e.g. to the Solidity verifier run in revm (`faultline-vm-verifier`).
/// Returning an error ends the run with [`TraceError::Observer`].
pub trait StepObserver {
    /// Sees one checked step.
    fn observe(&mut self, step: &CheckedStep<'_>) -> Result<(), String>;
}

/// No observer.
impl StepObserver for () {
    fn observe(&mut self, _: &CheckedStep<'_>) -> Result<(), String> {
        Ok(())
    }
}

/// The L1 gas one step may cost to check (docs/fault-vm.md, "Bounds").
pub const L1_STEP_GAS_TARGET: u64 = 2_000_000;

/// Most gas one L1 transaction may use (EIP-7825, Osaka): a step whose check would cost
/// more cannot be checked at all, whatever the target.
pub const L1_TX_GAS_CAP: u64 = 1 << 24;

const _: () = assert!(L1_STEP_GAS_TARGET <= L1_TX_GAS_CAP, "the target must fit one L1 transaction");

/// Gas every L1 transaction pays before its calldata and execution.
pub const L1_TX_BASE_GAS: u64 = 21_000;
/// Calldata tokens per nonzero byte (EIP-7623; a zero byte is one token).
pub const TOKENS_PER_NONZERO_BYTE: u64 = 4;
/// Standard calldata gas per token (EIP-7623: 4, so 16 per nonzero byte).
pub const STANDARD_TOKEN_GAS: u64 = 4;
/// The floor's gas per token (EIP-7623): a transaction pays at least this for its
/// calldata, whatever its execution costs.
pub const FLOOR_TOKEN_GAS: u64 = 10;

/// Assumed L1 gas of one keccak-f[1600] permutation in EVM code (an assumption until the
/// Solidity verifier measures it; optimised implementations are reported at 20–30k).
pub const KECCAK_F_GAS: u64 = 30_000;
/// Assumed L1 gas per code byte of chunking loaded code (a byte-at-a-time loop; an
/// assumption until the Solidity verifier measures it).
pub const ANALYSIS_GAS_PER_BYTE: u64 = 20;
/// Assumed L1 gas of the verifier's own logic around a step (decoding, dispatch; an
/// assumption until the Solidity verifier measures it).
pub const STEP_OVERHEAD_GAS: u64 = 100_000;

/// What the reference step does on L1 beyond its calldata: the EVM memory a witness of
/// `bytes` bytes occupies, each keccak256 at 30 + 6 per word, keccak-f permutations,
/// chunking, the precompiles it calls (at the L1's prices) and the verifier's overhead.
pub fn l1_execution_gas(bytes: u64, counts: &Counts) -> u64 {
    let words = bytes.div_ceil(32);
    3 * words
        + words * words / 512
        + 36 * counts.hashes
        + 6 * counts.hashed_bytes.div_ceil(32)
        + KECCAK_F_GAS * counts.permutations
        + ANALYSIS_GAS_PER_BYTE * counts.analysed_bytes
        + counts.precompile_gas
        + STEP_OVERHEAD_GAS
}

/// An estimate of the L1 gas of checking one step whose witness has `zero_bytes` zero
/// and `nonzero_bytes` nonzero bytes and whose reference step did `counts`, under
/// Osaka's rules (docs/fault-vm.md, "Bounds"): with `tokens = zero + 4 × nonzero`,
/// `21,000 + max(4 × tokens + execution, 10 × tokens)` (EIP-7623's calldata floor), where
/// execution is [`l1_execution_gas`]. Check the result with [`fits_l1`]: a step over
/// [`L1_TX_GAS_CAP`] cannot be checked in any L1 transaction.
pub fn l1_gas_estimate(zero_bytes: usize, nonzero_bytes: usize, counts: &Counts) -> u64 {
    let (zero, nonzero) = (zero_bytes as u64, nonzero_bytes as u64);
    let tokens = zero + TOKENS_PER_NONZERO_BYTE * nonzero;
    let execution = l1_execution_gas(zero + nonzero, counts);
    L1_TX_BASE_GAS + (STANDARD_TOKEN_GAS * tokens + execution).max(FLOOR_TOKEN_GAS * tokens)
}

/// Whether a step estimated at `gas` fits: at most [`L1_STEP_GAS_TARGET`] and never over
/// [`L1_TX_GAS_CAP`].
pub fn fits_l1(gas: u64) -> bool {
    gas <= L1_STEP_GAS_TARGET.min(L1_TX_GAS_CAP)
}

/// Statistics of a checked run.
#[derive(Debug, Clone, Default)]
pub struct TraceStats {
    /// Steps taken.
    pub steps: u64,
    /// Largest witness in bytes (its wire encoding).
    pub max_witness: usize,
    /// The kind of step that had it.
    pub max_witness_kind: Option<StepKind>,
    /// Largest L1 gas estimate of a step.
    pub max_l1_gas: u64,
    /// The kind of step that had it.
    pub max_l1_gas_kind: Option<StepKind>,
    /// Steps by kind.
    pub kinds: BTreeMap<StepKind, u64>,
    /// Steps whose [`l1_gas_estimate`] does not [`fits_l1`] (over [`L1_STEP_GAS_TARGET`],
    /// or over [`L1_TX_GAS_CAP`]).
    pub over_l1_target: u64,
    /// Steps whose [`l1_gas_estimate`] is over [`L1_TX_GAS_CAP`] (EIP-7825): no L1
    /// transaction can check them (also counted in `over_l1_target`).
    pub over_tx_cap: u64,
    /// Witness bytes in total (wire encodings).
    pub witness_bytes: u64,
}

impl TraceStats {
    /// Adds another run's statistics.
    pub fn merge(&mut self, o: &TraceStats) {
        self.steps += o.steps;
        if o.max_witness > self.max_witness {
            self.max_witness = o.max_witness;
            self.max_witness_kind = o.max_witness_kind;
        }
        if o.max_l1_gas > self.max_l1_gas {
            self.max_l1_gas = o.max_l1_gas;
            self.max_l1_gas_kind = o.max_l1_gas_kind;
        }
        for (k, n) in &o.kinds {
            *self.kinds.entry(*k).or_default() += n;
        }
        self.over_l1_target += o.over_l1_target;
        self.over_tx_cap += o.over_tx_cap;
        self.witness_bytes += o.witness_bytes;
    }
}

/// A bound on steps per block, far above what any gas limit allows.
pub const MAX_STEPS: u64 = 1 << 40;

/// Runs to the end of the block; returns the final machine and the number of steps.
pub fn run(mut m: Machine) -> Result<(Machine, u64), TraceError> {
    let mut n = 0u64;
    while !m.is_finished() {
        m.step().map_err(|source| TraceError::Step { index: n, source })?;
        n += 1;
        if n > MAX_STEPS {
            return Err(TraceError::Runaway(n));
        }
    }
    Ok((m, n))
}

/// The machine after `k` steps from `initial` (steps past the end leave the final state).
pub fn state_at(initial: &Machine, k: u64) -> Result<Machine, TraceError> {
    let mut m = initial.clone();
    for index in 0..k {
        if m.is_finished() {
            break;
        }
        m.step().map_err(|source| TraceError::Step { index, source })?;
    }
    Ok(m)
}

/// The commitment after `k` steps (k = 0: the initial state), by re-executing.
pub fn commitment_at(initial: &Machine, k: u64) -> Result<B256, TraceError> {
    state_at(initial, k)?.commitment().map_err(|source| TraceError::Step { index: k, source })
}

/// The witness bytes of step `k` (docs/fault-vm.md, "Witness wire format"); past the
/// block's end, the no-op step of the finished machine.
pub fn witness_at(initial: &Machine, k: u64) -> Result<Vec<u8>, TraceError> {
    let mut m = state_at(initial, k)?;
    Ok(step_recorded(&mut m, k)?.1)
}

/// Most items one step takes from each stack: 17 from the EVM stack (SWAP16), one from
/// every other.
const MOST: Carry = Carry { frames: 1, stack: 17, journal: 1, logs: 1, destructed: 1, created_slots: 1 };

fn trim<T: faultline_vm_core::encode::Encode + Clone>(s: &mut HashStack<T>, carry: usize) {
    if matches!(s, HashStack::Witness { .. }) {
        *s = s.to_witness(carry);
    }
}

/// Takes step `index` of `m` in place and returns its kind and witness bytes: the state
/// before the step with every tree as its root, each stack carrying exactly the items the
/// step took from it, and the accesses it made, in order, encoded by
/// [`faultline_vm_core::witness::encode`].
pub fn step_recorded(m: &mut Machine, index: u64) -> Result<(StepKind, Vec<u8>), TraceError> {
    let (kind, witness) = cut(m, index)?;
    let bytes = faultline_vm_core::witness::encode(&witness).map_err(|source| TraceError::Step { index, source })?;
    Ok((kind, bytes))
}

/// [`step_recorded`] before the encoding: the witness machine.
fn cut(m: &mut Machine, index: u64) -> Result<(StepKind, Machine), TraceError> {
    let err = |source| TraceError::Step { index, source };
    let mut witness = m.to_witness(&MOST, Vec::new()).map_err(err)?;
    let depth = m.frames.len();
    let stack_len = m.top.as_ref().map_or(0, |f| f.stack.len() as usize);
    let lens = (m.frames.len(), m.journal.len(), m.logs.len(), m.destructed.len(), m.created_slots.len());
    m.mark_stacks();
    m.io.mode = IoMode::Full { recording: Some(Vec::new()) };
    let result = m.step();
    let accesses = match std::mem::replace(&mut m.io.mode, IoMode::Plain) {
        IoMode::Full { recording: Some(v) } => v,
        _ => Vec::new(),
    };
    let kind = result.map_err(err)?;
    // How deep the step went into the running frame's stack: that frame is still the top,
    // or was suspended under a child; a frame-exit drops it without popping it.
    let stack_floor = if m.frames.len() > depth {
        m.frames.items().and_then(|f| f.last()).map_or(stack_len, |f| f.stack.floor())
    } else if m.frames.len() == depth {
        m.top.as_ref().map_or(stack_len, |f| f.stack.floor())
    } else {
        stack_len
    };
    let carry = Carry {
        frames: lens.0 as usize - m.frames.floor().min(lens.0 as usize),
        stack: stack_len - stack_floor.min(stack_len),
        journal: lens.1 as usize - m.journal.floor().min(lens.1 as usize),
        logs: lens.2 as usize - m.logs.floor().min(lens.2 as usize),
        destructed: lens.3 as usize - m.destructed.floor().min(lens.3 as usize),
        created_slots: lens.4 as usize - m.created_slots.floor().min(lens.4 as usize),
    };
    trim(&mut witness.frames, carry.frames);
    if let Some(f) = witness.top.as_mut() {
        trim(&mut f.stack, carry.stack);
    }
    trim(&mut witness.journal, carry.journal);
    trim(&mut witness.logs, carry.logs);
    trim(&mut witness.destructed, carry.destructed);
    trim(&mut witness.created_slots, carry.created_slots);
    witness.io = Io::witness(accesses.into());
    Ok((kind, witness))
}

/// Runs to the end and checks every step: the witness cut from the pre-state, given to
/// the reference [`step_metered`] with the pre-state commitment, must give the full machine's
/// post-state commitment.
pub fn run_checked(m: Machine) -> Result<(Machine, TraceStats), TraceError> {
    run_checked_with(m, &mut ())
}

/// [`run_checked`], handing every checked step to `observer`.
pub fn run_checked_with(m: Machine, observer: &mut dyn StepObserver) -> Result<(Machine, TraceStats), TraceError> {
    let (m, stats) = run_checked_prefix_with(m, MAX_STEPS, observer)?;
    if !m.is_finished() {
        return Err(TraceError::Runaway(stats.steps));
    }
    Ok((m, stats))
}

/// [`run_checked`] for at most `max_steps` steps: the machine comes back unfinished if
/// the block has more.
pub fn run_checked_prefix(m: Machine, max_steps: u64) -> Result<(Machine, TraceStats), TraceError> {
    run_checked_prefix_with(m, max_steps, &mut ())
}

/// [`run_checked_prefix`], handing every checked step to `observer`.
pub fn run_checked_prefix_with(mut m: Machine, max_steps: u64, observer: &mut dyn StepObserver) -> Result<(Machine, TraceStats), TraceError> {
    let mut stats = TraceStats::default();
    while !m.is_finished() && stats.steps < max_steps {
        let index = stats.steps;
        let err = |source| TraceError::Step { index, source };
        let pre = m.commitment().map_err(err)?;
        let (kind, witness) = step_recorded(&mut m, index)?;
        let post = m.commitment().map_err(err)?;
        let size = witness.len();
        let mut meter = Meter::default();
        let from_witness = step_metered(pre, &witness, &mut meter).map_err(err)?;
        let counts = meter.counts();
        if from_witness != post {
            return Err(TraceError::Disagree { index, kind, from_witness, full: post });
        }
        observer.observe(&CheckedStep { index, kind, pre, witness: &witness, rust: Ok(post) }).map_err(|message| TraceError::Observer {
            index,
            kind,
            message,
        })?;
        // The witness is the step's calldata: its zero bytes are priced as such.
        let zeros = witness.iter().filter(|b| **b == 0).count();
        let gas = l1_gas_estimate(zeros, size - zeros, &counts);
        if !fits_l1(gas) {
            stats.over_l1_target += 1;
        }
        if gas > L1_TX_GAS_CAP {
            stats.over_tx_cap += 1;
        }
        if gas > stats.max_l1_gas {
            stats.max_l1_gas = gas;
            stats.max_l1_gas_kind = Some(kind);
        }
        if size > stats.max_witness {
            stats.max_witness = size;
            stats.max_witness_kind = Some(kind);
        }
        stats.witness_bytes += size as u64;
        *stats.kinds.entry(kind).or_default() += 1;
        stats.steps += 1;
    }
    Ok((m, stats))
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn the_estimate_follows_eip_7623_and_the_eip_7825_cap() {
        let none = Counts::default();
        // 1,000 nonzero bytes: 4,000 tokens; execution (memory 96 + 2, overhead) dominates
        // the floor: 21,000 + 16,000 + 100,098.
        assert_eq!(l1_gas_estimate(0, 1_000, &none), 21_000 + 16_000 + 96 + 2 + 100_000);
        // Zero bytes are one token each.
        assert_eq!(l1_gas_estimate(1_000, 0, &none), 21_000 + 4_000 + 96 + 2 + 100_000);
        // 50,000 nonzero bytes: the floor (10 per token, 40 per byte) binds: over 2 M.
        assert_eq!(l1_gas_estimate(0, 50_000, &none), 21_000 + 2_000_000);
        assert!(!fits_l1(l1_gas_estimate(0, 50_000, &none)));
        // Execution past the floor adds to the standard calldata cost.
        let work = Counts { precompile_gas: 1_000_000, ..Default::default() };
        assert_eq!(l1_gas_estimate(0, 1_000, &work), 21_000 + 16_000 + 96 + 2 + 100_000 + 1_000_000);
        // Over EIP-7825's cap: never fine.
        let huge = Counts { permutations: 600, ..Default::default() };
        let g = l1_gas_estimate(0, 100, &huge);
        assert!(g > L1_TX_GAS_CAP && !fits_l1(g));
        assert!(fits_l1(L1_STEP_GAS_TARGET) && !fits_l1(L1_STEP_GAS_TARGET + 1));
    }
}
