//! `faultline vm statetest PATH...` (and `faultline vm bench`, in [`crate::vm_bench`]): runs Ethereum state-test fixtures (files or folders,
//! searched recursively), one case per `post.Cancun` entry. A case passes when revm's
//! post-state root and logs hash match the fixture (the harness is right) and stepping
//! the transaction through the step machine, with every step checked by the reference
//! `step(pre, witness)`, ends in a world with the same root and logs hash. With `--l1`,
//! every checked step also goes through the Solidity verifier in revm under Osaka
//! (`faultline-vm-verifier`): a step whose post or error category differs fails its case
//! (naming the step's index and kind), and the per-kind L1 gas table is printed at the
//! end.

use clap::{Args, Subcommand};
use faultline_vm_prover::trace::TraceStats;
use faultline_vm_statetest::{machine_case_with, run_case, MachineOutcome, PostEntry, RevmOutcome, StateTest, Suite, EIP7610_REVM_DIVERGES};
use std::{collections::BTreeMap, path::PathBuf, time::Instant};

/// `faultline vm ...`.
#[derive(Args, Debug)]
pub struct VmArgs {
    #[command(subcommand)]
    pub command: VmCommand,
}

/// Subcommands of `faultline vm`.
#[derive(Subcommand, Debug)]
pub enum VmCommand {
    /// Runs state-test fixtures case by case (Cancun).
    Statetest {
        /// Fixture files or folders (searched recursively for *.json).
        #[arg(required = true)]
        paths: Vec<PathBuf>,
        /// Print every failing case (default: the first 20).
        #[arg(long)]
        verbose: bool,
        /// Check at most this many steps of a case; a longer case runs its rest unchecked and
        /// is counted as skipped (if its end agrees) or failed.
        #[arg(long, default_value_t = 2_000_000)]
        max_steps: u64,
        /// Also run every checked step through the Solidity verifier in revm (Osaka), its
        /// post and error category required to equal Rust's; prints its L1 gas by kind of
        /// step. `FAULTLINE_VM_L1_OUT=contracts/out` takes the contracts from `forge
        /// build` instead of the committed artifacts; unsupported steps fail the run
        /// unless `FAULTLINE_VM_L1_ALLOW_UNSUPPORTED=1`.
        #[arg(long)]
        l1: bool,
    },
    /// Trace speed and the commitment at any position of a 30 Mgas block.
    Bench(crate::vm_bench::VmBenchArgs),
    /// Replays blocks of a node's store and checks each ends with the node's output root.
    Block(crate::vm_block::VmBlockArgs),
}

fn collect(path: &PathBuf, out: &mut Vec<PathBuf>) {
    if path.is_dir() {
        let mut entries: Vec<_> = std::fs::read_dir(path).into_iter().flatten().flatten().map(|e| e.path()).collect();
        entries.sort();
        for p in entries {
            collect(&p, out);
        }
    } else if path.extension().is_some_and(|e| e == "json") {
        out.push(path.clone());
    }
}

/// The verdicts of a `vm statetest` run, and the step statistics of its passed cases.
#[derive(Default)]
struct Tally {
    cases: usize,
    passed: usize,
    failed: usize,
    skipped: usize,
    unreadable: usize,
    /// Cases revm does not match the fixture in (failed, or skipped as EIP-7610).
    revm_mismatches: usize,
    reasons: BTreeMap<String, usize>,
    gas: u64,
    machine_secs: f64,
    all: TraceStats,
    /// The same over the passed cases whose pre-state could exist on the L2.
    l2: TraceStats,
    outside_l2: usize,
    max_witness_at: String,
    max_gas_at: String,
    /// Problem lines printed so far; all with --verbose, else the first 20.
    shown: usize,
    verbose: bool,
    /// The L1 verifier, with `--l1`.
    l1: Option<faultline_vm_verifier::L1Check>,
    /// Its figures over the passed cases whose pre-state could exist on the L2.
    l1_l2: faultline_vm_verifier::L1Stats,
    /// The most expensive step in `l1_l2`, and its case.
    l1_l2_max: (u64, String),
}

impl Tally {
    fn show(&mut self, line: String) {
        if self.verbose || self.shown < 20 {
            println!("{line}");
            self.shown += 1;
        }
    }

    fn skip(&mut self, why: String) {
        self.skipped += 1;
        *self.reasons.entry(why).or_default() += 1;
    }

    fn fail(&mut self, line: String) {
        self.failed += 1;
        self.show(line);
    }

    /// Case `at`: revm against the fixture, then the machine, every step checked.
    fn case(&mut self, at: &str, test: &StateTest, entry: &PostEntry, max_steps: u64) {
        self.cases += 1;
        match run_case(test, entry) {
            RevmOutcome::Match => {}
            RevmOutcome::Eip7610 { .. } => {
                self.revm_mismatches += 1;
                return self.skip(EIP7610_REVM_DIVERGES.into());
            }
            RevmOutcome::Mismatch { what } => {
                self.revm_mismatches += 1;
                return self.fail(format!("FAIL {at} revm: {what}"));
            }
            RevmOutcome::Malformed(why) => {
                self.revm_mismatches += 1;
                return self.fail(format!("FAIL {at} fixture: {why}"));
            }
        }
        let t0 = Instant::now();
        // The case's own L1 figures, merged into the run's below.
        let (outcome, l1_case) = match self.l1.as_mut() {
            Some(l1) => {
                let run = std::mem::take(&mut l1.stats);
                let outcome = machine_case_with(test, entry, max_steps, l1);
                let case = std::mem::replace(&mut l1.stats, run);
                l1.stats.merge(&case);
                (outcome, Some(case))
            }
            None => (machine_case_with(test, entry, max_steps, &mut ()), None),
        };
        let secs = t0.elapsed().as_secs_f64();
        self.machine_secs += secs;
        if secs > 5.0 {
            println!("slow {at}: {secs:.1} s in the step machine");
        }
        match outcome {
            MachineOutcome::Pass { stats, gas_used, outside_l2 } => {
                self.passed += 1;
                self.gas += gas_used;
                if stats.max_witness > self.all.max_witness {
                    self.max_witness_at = format!("{at} ({:?})", stats.max_witness_kind);
                }
                if stats.max_l1_gas > self.all.max_l1_gas {
                    self.max_gas_at = format!("{at} ({:?})", stats.max_l1_gas_kind);
                }
                self.all.merge(&stats);
                match outside_l2 {
                    Some(_) => self.outside_l2 += 1,
                    None => {
                        self.l2.merge(&stats);
                        if let Some(case) = l1_case {
                            let max = case.max_gas();
                            if max > self.l1_l2_max.0 {
                                self.l1_l2_max = (max, at.to_string());
                            }
                            self.l1_l2.merge(&case);
                        }
                    }
                }
            }
            MachineOutcome::Fail(what) => self.fail(format!("FAIL {at} machine: {what}")),
            MachineOutcome::Skip(why) => self.skip(why),
        }
    }

    fn print(&self, files: usize, secs: f64) {
        println!(
            "revm harness: {} Cancun cases in {files} files ({} unreadable): {} match the fixture's state root and logs hash, {} do not ({secs:.1} s)",
            self.cases,
            self.unreadable,
            self.cases - self.revm_mismatches,
            self.revm_mismatches,
        );
        for (reason, n) in &self.reasons {
            println!("skipped {n}: {reason}");
        }
        if self.passed > 0 {
            let steps = self.all.steps;
            println!(
                "step machine: {steps} steps checked in {:.1} s ({:.0} checked steps/s), {:.0} steps per Mgas over {:.1} Mgas; largest witness {} bytes at {}; {:.0} witness bytes per step on average",
                self.machine_secs,
                steps as f64 / self.machine_secs.max(1e-9),
                steps as f64 / (self.gas as f64 / 1e6).max(1e-9),
                self.gas as f64 / 1e6,
                self.all.max_witness,
                self.max_witness_at,
                self.all.witness_bytes as f64 / steps.max(1) as f64,
            );
            println!(
                "bounds (Osaka's L1 rules): {} of {steps} steps over the {} M L1 gas target ({} over the EIP-7825 transaction cap); the most expensive step is estimated at {:.2} M L1 gas, at {}",
                self.all.over_l1_target,
                faultline_vm_prover::trace::L1_STEP_GAS_TARGET / 1_000_000,
                self.all.over_tx_cap,
                self.all.max_l1_gas as f64 / 1e6,
                self.max_gas_at,
            );
            println!(
                "bounds on the L2: {} of {} steps over the target, the most expensive at {:.2} M L1 gas, largest witness {} bytes ({} passed cases have a pre-state the L2 cannot hold and are left out of this line)",
                self.l2.over_l1_target,
                self.l2.steps,
                self.l2.max_l1_gas as f64 / 1e6,
                self.l2.max_witness,
                self.outside_l2,
            );
        }
        if let Some(l1) = &self.l1 {
            println!("L1 verifier (revm, Osaka; gas of the whole transaction), every checked step of the cases run:\n{}", l1.stats);
            let l2 = &self.l1_l2;
            println!(
                "L1 verifier on pre-states the L2 can hold: {} steps, median {} L1 gas, max {} at {}, {} over {}",
                l2.steps(),
                l2.median().unwrap_or(0),
                self.l1_l2_max.0,
                if self.l1_l2_max.1.is_empty() { "-" } else { &self.l1_l2_max.1 },
                l2.over(faultline_vm_prover::trace::L1_STEP_GAS_TARGET),
                faultline_vm_prover::trace::L1_STEP_GAS_TARGET,
            );
        }
        println!("{} passed, {} failed, {} skipped", self.passed, self.failed, self.skipped);
    }
}

/// `faultline vm`.
pub async fn run(args: VmArgs) -> eyre::Result<()> {
    let (paths, verbose, max_steps, l1) = match args.command {
        VmCommand::Statetest { paths, verbose, max_steps, l1 } => (paths, verbose, max_steps, l1),
        VmCommand::Bench(a) => return crate::vm_bench::run(a),
        VmCommand::Block(a) => return crate::vm_block::run(a).await,
    };
    let mut files = Vec::new();
    for p in &paths {
        if !p.exists() {
            eyre::bail!("{} does not exist", p.display());
        }
        collect(p, &mut files);
    }
    let started = Instant::now();
    let l1 = if l1 { Some(faultline_vm_verifier::L1Check::new()?) } else { None };
    let mut tally = Tally { verbose, l1, ..Tally::default() };
    for file in &files {
        let suite: Suite = match std::fs::read(file).map_err(|e| e.to_string()).and_then(|b| serde_json::from_slice(&b).map_err(|e| e.to_string())) {
            Ok(s) => s,
            Err(e) => {
                tally.unreadable += 1;
                tally.show(format!("unreadable {}: {e}", file.display()));
                continue;
            }
        };
        for (name, test) in &suite {
            for (i, entry) in test.post.get("Cancun").into_iter().flatten().enumerate() {
                tally.case(&format!("{}::{name}[{i}]", file.display()), test, entry, max_steps);
            }
        }
    }
    tally.print(files.len(), started.elapsed().as_secs_f64());
    if tally.failed > 0 {
        eyre::bail!("{} cases failed", tally.failed);
    }
    if let Some(l1) = &tally.l1 {
        l1.finish().map_err(|e| eyre::eyre!(e))?;
    }
    Ok(())
}
