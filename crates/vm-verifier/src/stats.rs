//! What the L1 verifier cost, per kind of step.

use faultline_vm_core::step::StepKind;
use faultline_vm_prover::trace::{L1_STEP_GAS_TARGET, L1_TX_GAS_CAP};
use std::collections::BTreeMap;

/// One kind's figures.
#[derive(Debug, Clone, Default)]
pub struct KindStats {
    /// Steps seen.
    pub count: u64,
    /// L1 gas of each measured step (every step but those refused as unsupported).
    pub gas: Vec<u64>,
    /// Largest witness in bytes.
    pub max_witness: usize,
    /// Steps whose verdict differs from Rust's.
    pub mismatches: u64,
    /// Steps the router refused with `Unsupported(kind)`.
    pub unsupported: u64,
}

impl KindStats {
    /// Largest L1 gas (0 when nothing was measured).
    pub fn max_gas(&self) -> u64 {
        self.gas.iter().copied().max().unwrap_or(0)
    }
}

/// The `p`-quantile (0 < p ≤ 1) of `sorted` by nearest rank.
fn quantile(sorted: &[u64], p: f64) -> Option<u64> {
    if sorted.is_empty() {
        return None;
    }
    let rank = ((p * sorted.len() as f64).ceil() as usize).clamp(1, sorted.len());
    Some(sorted[rank - 1])
}

/// The L1 verifier's figures over a run, by the machine's kind of step (each opcode and
/// each precompile a kind of its own).
#[derive(Debug, Clone, Default)]
pub struct L1Stats {
    /// Figures by kind.
    pub kinds: BTreeMap<StepKind, KindStats>,
}

impl L1Stats {
    /// Records one step: its kind, witness size, L1 gas (`None`: not measured, i.e.
    /// unsupported), and whether it mismatched.
    pub fn record(&mut self, kind: StepKind, witness: usize, gas: Option<u64>, mismatch: bool) {
        let k = self.kinds.entry(kind).or_default();
        k.count += 1;
        k.max_witness = k.max_witness.max(witness);
        match gas {
            Some(g) => k.gas.push(g),
            None => k.unsupported += 1,
        }
        k.mismatches += u64::from(mismatch);
    }

    /// Adds another run's figures.
    pub fn merge(&mut self, other: &L1Stats) {
        for (kind, o) in &other.kinds {
            let k = self.kinds.entry(*kind).or_default();
            k.count += o.count;
            k.gas.extend_from_slice(&o.gas);
            k.max_witness = k.max_witness.max(o.max_witness);
            k.mismatches += o.mismatches;
            k.unsupported += o.unsupported;
        }
    }

    /// Steps seen.
    pub fn steps(&self) -> u64 {
        self.kinds.values().map(|k| k.count).sum()
    }

    /// Steps whose verdict differs from Rust's.
    pub fn mismatches(&self) -> u64 {
        self.kinds.values().map(|k| k.mismatches).sum()
    }

    /// Steps refused as unsupported.
    pub fn unsupported(&self) -> u64 {
        self.kinds.values().map(|k| k.unsupported).sum()
    }

    /// Every measured step's gas, sorted.
    fn all_gas(&self) -> Vec<u64> {
        let mut all: Vec<u64> = self.kinds.values().flat_map(|k| k.gas.iter().copied()).collect();
        all.sort_unstable();
        all
    }

    /// Median L1 gas over every measured step.
    pub fn median(&self) -> Option<u64> {
        quantile(&self.all_gas(), 0.5)
    }

    /// Largest L1 gas of any step.
    pub fn max_gas(&self) -> u64 {
        self.kinds.values().map(KindStats::max_gas).max().unwrap_or(0)
    }

    /// Measured steps over `gas`.
    pub fn over(&self, gas: u64) -> u64 {
        self.kinds.values().flat_map(|k| k.gas.iter()).filter(|g| **g > gas).count() as u64
    }

    /// Whether a run with these figures passes: no mismatch, and no unsupported step
    /// unless `allow_unsupported`.
    pub fn verdict(&self, allow_unsupported: bool) -> Result<(), String> {
        let (m, u) = (self.mismatches(), self.unsupported());
        if m > 0 {
            return Err(format!("{m} of {} steps differ between the L1 verifier and Rust", self.steps()));
        }
        if u > 0 && !allow_unsupported {
            return Err(format!(
                "{u} of {} steps unsupported by the L1 verifier (set {}=1 to tolerate them while it is incomplete)",
                self.steps(),
                crate::ENV_ALLOW_UNSUPPORTED
            ));
        }
        Ok(())
    }
}

/// A kind as the table names it: opcodes and precompiles with their names.
pub fn label(kind: StepKind) -> String {
    match kind {
        StepKind::Opcode(op) => format!("Opcode {op:02x} {}", revm::bytecode::opcode::OpCode::new(op).map_or("(undefined)", |o| o.as_str())),
        StepKind::Precompile(id) => {
            let name = match id {
                1 => "ecrecover",
                2 => "sha256",
                3 => "ripemd160",
                4 => "identity",
                5 => "modexp",
                6 => "bn254-add",
                7 => "bn254-mul",
                8 => "bn254-pairing",
                9 => "blake2f",
                10 => "point-evaluation",
                _ => "",
            };
            format!("Precompile {id:02x} {name}")
        }
        k => format!("{k:?}"),
    }
}

fn cell(v: Option<u64>) -> String {
    v.map_or_else(|| "-".into(), |g| g.to_string())
}

/// The table: per kind, count, median, p99 and largest L1 gas, largest witness (and
/// unsupported and mismatched steps where there are any); then the totals.
impl std::fmt::Display for L1Stats {
    fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
        writeln!(
            f,
            "{:<28} {:>9} {:>10} {:>10} {:>10} {:>11} {:>11} {:>10}",
            "kind", "count", "median", "p99", "max gas", "max witness", "unsupported", "mismatches"
        )?;
        for (kind, k) in &self.kinds {
            let mut gas = k.gas.clone();
            gas.sort_unstable();
            writeln!(
                f,
                "{:<28} {:>9} {:>10} {:>10} {:>10} {:>11} {:>11} {:>10}",
                label(*kind),
                k.count,
                cell(quantile(&gas, 0.5)),
                cell(quantile(&gas, 0.99)),
                cell(gas.last().copied()),
                k.max_witness,
                k.unsupported,
                k.mismatches,
            )?;
        }
        let all = self.all_gas();
        write!(
            f,
            "all: {} steps ({} measured), median {} L1 gas, max {}, {} over {L1_STEP_GAS_TARGET}, {} over 2^24 ({L1_TX_GAS_CAP}); {} unsupported, {} mismatches",
            self.steps(),
            all.len(),
            cell(quantile(&all, 0.5)),
            cell(all.last().copied()),
            self.over(L1_STEP_GAS_TARGET),
            self.over(L1_TX_GAS_CAP),
            self.unsupported(),
            self.mismatches(),
        )
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn quantiles_by_nearest_rank() {
        let v: Vec<u64> = (1..=100).collect();
        assert_eq!(quantile(&v, 0.5), Some(50));
        assert_eq!(quantile(&v, 0.99), Some(99));
        assert_eq!(quantile(&[7], 0.99), Some(7));
        assert_eq!(quantile(&[], 0.5), None);
        let mut s = L1Stats::default();
        for g in [10, 20, 30] {
            s.record(StepKind::Opcode(1), 5, Some(g), false);
        }
        s.record(StepKind::Hash, 9, None, false);
        assert_eq!((s.steps(), s.unsupported(), s.median(), s.max_gas()), (4, 1, Some(20), 30));
        assert!(s.verdict(true).is_ok() && s.verdict(false).is_err());
        assert!(s.to_string().contains("Opcode 01 ADD"));
    }
}
