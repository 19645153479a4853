//! `faultline vm statetest PATH...`: runs Ethereum state-test fixtures (files or folders,
//! searched recursively), one case per `post.Cancun` entry. Today it checks revm's
//! post-state root and logs hash against each fixture (the harness the step machine will
//! be compared with); the step machine is not built yet, so no case can pass and every
//! case revm gets right is reported as skipped for that reason.

use clap::{Args, Subcommand};
use faultline_fault_vm::statetest::{run_case, RevmOutcome, Suite};
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
    },
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
pub fn run(args: VmArgs) -> eyre::Result<()> {
    let VmCommand::Statetest { paths, verbose } = args.command;
    let mut files = Vec::new();
    for p in &paths {
        if !p.exists() {
            eyre::bail!("{} does not exist", p.display());
        }
        collect(p, &mut files);
    }
    let started = Instant::now();
    let (mut failed, mut skipped, mut unreadable, mut cases) = (0usize, 0usize, 0usize, 0usize);
    let mut reasons: BTreeMap<String, usize> = BTreeMap::new();
    let mut shown = 0;
    for file in &files {
        let suite: Suite = match std::fs::read(file).map_err(|e| e.to_string()).and_then(|b| serde_json::from_slice(&b).map_err(|e| e.to_string())) {
            Ok(s) => s,
            Err(e) => {
                unreadable += 1;
                if verbose || shown < 20 {
                    println!("unreadable {}: {e}", file.display());
                    shown += 1;
                }
                continue;
            }
        };
        for (name, test) in &suite {
            let Some(entries) = test.post.get("Cancun") else { continue };
            for (i, entry) in entries.iter().enumerate() {
                cases += 1;
                match run_case(test, entry) {
                    RevmOutcome::Match => {
                        skipped += 1;
                        *reasons.entry("step machine not built yet".into()).or_default() += 1;
                    }
                    RevmOutcome::Mismatch { what } => {
                        failed += 1;
                        if verbose || shown < 20 {
                            println!("FAIL {}::{name}[{i}] revm: {what}", file.display());
                            shown += 1;
                        }
                    }
                    RevmOutcome::Malformed(why) => {
                        failed += 1;
                        if verbose || shown < 20 {
                            println!("FAIL {}::{name}[{i}] fixture: {why}", file.display());
                            shown += 1;
                        }
                    }
                }
            }
        }
    }
    println!(
        "revm harness: {cases} Cancun cases in {} files ({unreadable} unreadable): {} match the fixture's state root and logs hash, {failed} do not ({:.1} s)",
        files.len(),
        cases - failed,
        started.elapsed().as_secs_f64()
    );
    for (reason, n) in &reasons {
        println!("skipped {n}: {reason}");
    }
    println!("0 passed, {failed} failed, {skipped} skipped");
    if failed > 0 {
        eyre::bail!("{failed} cases failed");
    }
    Ok(())
}
