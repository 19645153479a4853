//! `faultline vm statetest PATH...` (and `faultline vm bench`, in [`crate::vm_bench`]): runs Ethereum state-test fixtures (files or folders,
//! searched recursively), one case per `post.Cancun` entry. A case passes when revm's
//! post-state root and logs hash match the fixture (the harness is right) and stepping
//! the transaction through the step machine, with every step checked by the reference
//! `step(pre, witness)`, ends in a world with the same root and logs hash.

use clap::{Args, Subcommand};
use faultline_fault_vm::statetest::{has_storage_only_account, machine_case, run_case, MachineOutcome, RevmOutcome, Suite, EIP7610_REVM_DIVERGES};
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

/// `faultline vm`.
pub async fn run(args: VmArgs) -> eyre::Result<()> {
    let (paths, verbose, max_steps) = match args.command {
        VmCommand::Statetest { paths, verbose, max_steps } => (paths, verbose, max_steps),
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
    let (mut failed, mut skipped, mut unreadable, mut cases, mut passed) = (0usize, 0usize, 0usize, 0usize, 0usize);
    let (mut gas, mut max_witness_at, mut max_gas_at) = (0u64, String::new(), String::new());
    let mut stats_all = faultline_fault_vm::trace::TraceStats::default();
    // The same over the cases whose pre-state could exist on the L2.
    let mut stats_l2 = faultline_fault_vm::trace::TraceStats::default();
    let mut outside_cases = 0usize;
    // Cases revm does not match the fixture in, failed or (EIP-7610) skipped.
    let mut revm_mismatches = 0usize;
    let mut machine_secs = 0.0f64;
    let mut reasons: BTreeMap<String, usize> = BTreeMap::new();
    // Problem lines: all with --verbose, else the first 20.
    let mut shown = 0;
    let mut show = |line: String| {
        if verbose || shown < 20 {
            println!("{line}");
            shown += 1;
        }
    };
    for file in &files {
        let suite: Suite = match std::fs::read(file).map_err(|e| e.to_string()).and_then(|b| serde_json::from_slice(&b).map_err(|e| e.to_string())) {
            Ok(s) => s,
            Err(e) => {
                unreadable += 1;
                show(format!("unreadable {}: {e}", file.display()));
                continue;
            }
        };
        for (name, test) in &suite {
            let Some(entries) = test.post.get("Cancun") else { continue };
            for (i, entry) in entries.iter().enumerate() {
                cases += 1;
                match run_case(test, entry) {
                    RevmOutcome::Match => {
                        let t0 = Instant::now();
                        let outcome = machine_case(test, entry, max_steps);
                        let secs = t0.elapsed().as_secs_f64();
                        machine_secs += secs;
                        if secs > 5.0 {
                            println!("slow {}::{name}[{i}]: {secs:.1} s in the step machine", file.display());
                        }
                        match outcome {
                            MachineOutcome::Pass { stats, gas_used, outside_l2 } => {
                                passed += 1;
                                gas += gas_used;
                                if stats.max_witness > stats_all.max_witness {
                                    max_witness_at = format!("{}::{name}[{i}] ({:?})", file.display(), stats.max_witness_kind);
                                }
                                if stats.max_l1_gas > stats_all.max_l1_gas {
                                    max_gas_at = format!("{}::{name}[{i}] ({:?})", file.display(), stats.max_l1_gas_kind);
                                }
                                stats_all.merge(&stats);
                                match outside_l2 {
                                    Some(_) => outside_cases += 1,
                                    None => stats_l2.merge(&stats),
                                }
                            }
                            MachineOutcome::Fail(what) => {
                                failed += 1;
                                show(format!("FAIL {}::{name}[{i}] machine: {what}", file.display()));
                            }
                            MachineOutcome::Skip(why) => {
                                skipped += 1;
                                *reasons.entry(why).or_default() += 1;
                            }
                        }
                    }
                    RevmOutcome::Mismatch { what } => {
                        revm_mismatches += 1;
                        if has_storage_only_account(test) {
                            skipped += 1;
                            *reasons.entry(EIP7610_REVM_DIVERGES.into()).or_default() += 1;
                        } else {
                            failed += 1;
                            show(format!("FAIL {}::{name}[{i}] revm: {what}", file.display()));
                        }
                    }
                    RevmOutcome::Malformed(why) => {
                        revm_mismatches += 1;
                        failed += 1;
                        show(format!("FAIL {}::{name}[{i}] fixture: {why}", file.display()));
                    }
                }
            }
        }
    }
    println!(
        "revm harness: {cases} Cancun cases in {} files ({unreadable} unreadable): {} match the fixture's state root and logs hash, {revm_mismatches} do not ({:.1} s)",
        files.len(),
        cases - revm_mismatches,
        started.elapsed().as_secs_f64()
    );
    for (reason, n) in &reasons {
        println!("skipped {n}: {reason}");
    }
    if passed > 0 {
        let steps = stats_all.steps;
        println!(
            "step machine: {steps} steps checked in {machine_secs:.1} s ({:.0} checked steps/s), {:.0} steps per Mgas over {:.1} Mgas; largest witness {} bytes at {max_witness_at}; {:.0} witness bytes per step on average",
            steps as f64 / machine_secs.max(1e-9),
            steps as f64 / (gas as f64 / 1e6).max(1e-9),
            gas as f64 / 1e6,
            stats_all.max_witness,
            stats_all.witness_bytes as f64 / steps.max(1) as f64,
        );
        println!(
            "bounds: {} of {steps} steps over the {} M L1 gas target; the most expensive step is estimated at {:.2} M L1 gas, at {max_gas_at}",
            stats_all.over_l1_target,
            faultline_fault_vm::trace::L1_STEP_GAS_TARGET / 1_000_000,
            stats_all.max_l1_gas as f64 / 1e6,
        );
        println!(
            "bounds on the L2: {} of {} steps over the target, the most expensive at {:.2} M L1 gas, largest witness {} bytes ({outside_cases} passed cases have a pre-state the L2 cannot hold and are left out of this line)",
            stats_l2.over_l1_target,
            stats_l2.steps,
            stats_l2.max_l1_gas as f64 / 1e6,
            stats_l2.max_witness,
        );
    }
    println!("{passed} passed, {failed} failed, {skipped} skipped");
    if failed > 0 {
        eyre::bail!("{failed} cases failed");
    }
    Ok(())
}
