//! The `faultline` binary: the devnet in one command, a node against any L1, and the
//! benchmark. Errors are reported with `eyre` here, at the edge.

mod bench;
mod bench_abuse;
mod bench_rollup;
mod bridge;
mod deploy;
mod devnet;
mod follower;
mod l1;
mod limits;
mod metrics;
mod node;
mod status;
mod verify;
mod vm;
mod vm_bench;
mod vm_block;

use clap::{Parser, Subcommand};
use std::time::Duration;

#[derive(Parser)]
#[command(name = "faultline", version, about = "An optimistic rollup: L2 node, L1 pipeline and fault proofs")]
struct Cli {
    #[command(subcommand)]
    command: Command,
}

// Parsed once at start; `node`'s limit flags make it the largest variant.
#[allow(clippy::large_enum_variant)]
#[derive(Subcommand)]
enum Command {
    /// Runs everything on one machine: anvil as L1 and the L2 sequencer (embedded defaults).
    Devnet(devnet::DevnetArgs),
    /// Runs the L2 node against an external L1, configured by file, env and flags.
    Node(node::NodeArgs),
    /// Measures sustained inclusion rate and send-to-inclusion latency of faultline and,
    /// on the same load in the same run, of anvil.
    Bench(bench::BenchArgs),
    /// Deploys the L1 contracts (config, portal, inbox, output oracle) and writes the
    /// address book `deploy/<l1-chain-id>.json`.
    Deploy(deploy::DeployArgs),
    /// Deposits ETH from L1 to L2 through the portal and waits until L2 includes it.
    Deposit(bridge::DepositArgs),
    /// Withdraws ETH from L2 to L1: starts it on L2, waits for a final output, proves and
    /// finalizes it on L1.
    Withdraw(bridge::WithdrawArgs),
    /// Rebuilds L2 from L1 data alone and checks every proposed output root.
    Verify(verify::VerifyArgs),
    /// Shows L1 and L2 heads, safe and finalized L2 blocks, the last batch and output, and
    /// pending withdrawals.
    Status(status::StatusArgs),
    /// The fault-proof VM's tools: `faultline vm statetest PATH...`.
    Vm(vm::VmArgs),
}

/// Parses a block time: `1s`, `500ms`, `2` (seconds), or `0` for on-demand blocks.
pub fn parse_block_time(s: &str) -> Result<Option<Duration>, String> {
    let s = s.trim();
    let d = if let Some(ms) = s.strip_suffix("ms") {
        Duration::from_millis(ms.parse().map_err(|_| format!("bad block time {s:?}"))?)
    } else {
        let secs: f64 = s.strip_suffix('s').unwrap_or(s).parse().map_err(|_| format!("bad block time {s:?}"))?;
        if !(0.0..=3600.0).contains(&secs) {
            return Err(format!("block time {s:?} out of range (0 to 3600 s)"));
        }
        Duration::from_secs_f64(secs)
    };
    Ok((!d.is_zero()).then_some(d))
}

fn init_tracing() {
    let filter = tracing_subscriber::EnvFilter::try_from_default_env().unwrap_or_else(|_| tracing_subscriber::EnvFilter::new("info"));
    use std::io::IsTerminal;
    tracing_subscriber::fmt().with_env_filter(filter).with_target(false).with_ansi(std::io::stderr().is_terminal()).with_writer(std::io::stderr).init();
}

/// Resolves when the process gets Ctrl-C or SIGTERM.
pub async fn shutdown_signal() {
    let ctrl_c = async {
        let _ = tokio::signal::ctrl_c().await;
    };
    #[cfg(unix)]
    let term = async {
        match tokio::signal::unix::signal(tokio::signal::unix::SignalKind::terminate()) {
            Ok(mut s) => {
                s.recv().await;
            }
            Err(_) => futures::future::pending::<()>().await,
        }
    };
    #[cfg(not(unix))]
    let term = futures::future::pending::<()>();
    tokio::select! { _ = ctrl_c => {}, _ = term => {} }
    tracing::info!("shutdown requested");
}

fn main() -> eyre::Result<()> {
    let cli = Cli::parse();
    init_tracing();
    let rt = tokio::runtime::Builder::new_multi_thread().enable_all().build()?;
    rt.block_on(async move {
        match cli.command {
            Command::Devnet(a) => devnet::run(a).await,
            Command::Node(a) => node::run(a).await,
            Command::Bench(a) => bench::run(a).await,
            Command::Deploy(a) => deploy::run(a).await,
            Command::Deposit(a) => bridge::deposit(a).await,
            Command::Withdraw(a) => bridge::withdraw(a).await,
            Command::Verify(a) => verify::run(a).await,
            Command::Status(a) => status::run(a).await,
            Command::Vm(a) => vm::run(a).await,
        }
    })
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn block_time_forms() {
        assert_eq!(parse_block_time("1s").unwrap(), Some(Duration::from_secs(1)));
        assert_eq!(parse_block_time("2").unwrap(), Some(Duration::from_secs(2)));
        assert_eq!(parse_block_time("250ms").unwrap(), Some(Duration::from_millis(250)));
        assert_eq!(parse_block_time("0").unwrap(), None);
        assert!(parse_block_time("soon").is_err());
        assert!(parse_block_time("-1").is_err());
    }
}
