//! Running anvil as the devnet's L1: finding the pinned binary, starting it, and
//! waiting until it answers.

use eyre::{bail, eyre, WrapErr};
use std::{
    path::{Path, PathBuf},
    process::Stdio,
    time::Duration,
};
use tokio::process::{Child, Command};

/// The anvil binary: `$FAULTLINE_ANVIL`, else the npm-pinned one under
/// `contracts/bin/anvil` (the native binary installed by `scripts/setup.sh`), else
/// `anvil` on PATH.
pub fn anvil_path() -> PathBuf {
    if let Some(p) = std::env::var_os("FAULTLINE_ANVIL") {
        return p.into();
    }
    let mut dir = std::env::current_dir().ok();
    while let Some(d) = dir {
        if d.join("contracts/node_modules/@foundry-rs/anvil").exists() {
            return d.join("contracts/bin/anvil");
        }
        dir = d.parent().map(Path::to_path_buf);
    }
    "anvil".into()
}

/// A running anvil, killed on drop.
pub struct Anvil {
    child: Child,
    /// Its HTTP endpoint.
    pub url: String,
}

impl Anvil {
    /// Starts anvil on `port` with `block_time` seconds per block (0: automine), keeping
    /// its state in `state_file` across restarts.
    pub async fn start(port: u16, block_time: u64, state_file: &Path) -> eyre::Result<Self> {
        let bin = anvil_path();
        let mut cmd = Command::new(&bin);
        cmd.arg("--port").arg(port.to_string()).arg("--host").arg("127.0.0.1").arg("--silent");
        if block_time > 0 {
            cmd.arg("--block-time").arg(block_time.to_string());
        }
        cmd.arg("--state").arg(state_file);
        cmd.stdin(Stdio::null()).stdout(Stdio::null()).stderr(Stdio::inherit()).kill_on_drop(true);
        // If this process dies without stopping anvil (kill -9), anvil gets SIGTERM too
        // instead of living on as an orphan holding the port.
        #[cfg(target_os = "linux")]
        // SAFETY: prctl(2) is async-signal-safe; nothing else runs between fork and exec.
        unsafe {
            cmd.pre_exec(|| {
                libc::prctl(libc::PR_SET_PDEATHSIG, libc::SIGTERM);
                Ok(())
            });
        }
        let child = cmd.spawn().wrap_err_with(|| format!("starting anvil ({}): run scripts/setup.sh, or set FAULTLINE_ANVIL", bin.display()))?;
        let url = format!("http://127.0.0.1:{port}");
        let mut anvil = Self { child, url };
        anvil.wait_ready().await?;
        Ok(anvil)
    }

    async fn wait_ready(&mut self) -> eyre::Result<()> {
        for _ in 0..200 {
            if let Some(status) = self.child.try_wait()? {
                bail!("anvil exited at start ({status}); is port in use?");
            }
            if chain_id(&self.url).await.is_ok() {
                return Ok(());
            }
            tokio::time::sleep(Duration::from_millis(50)).await;
        }
        Err(eyre!("anvil did not answer on {} within 10 s", self.url))
    }

    /// Stops anvil gracefully (SIGTERM, so it writes its state file), then waits.
    pub async fn stop(mut self) {
        #[cfg(unix)]
        if let Some(pid) = self.child.id() {
            // SAFETY: kill(2) on our own child's pid; SIGTERM lets anvil dump its state.
            unsafe { libc::kill(pid as libc::pid_t, libc::SIGTERM) };
        }
        if tokio::time::timeout(Duration::from_secs(5), self.child.wait()).await.is_err() {
            let _ = self.child.kill().await;
        }
    }
}

/// The chain id an L1 endpoint reports.
pub async fn chain_id(url: &str) -> eyre::Result<u64> {
    use alloy::providers::{Provider, ProviderBuilder};
    let provider = ProviderBuilder::new().connect_http(url.parse()?);
    Ok(provider.get_chain_id().await?)
}

/// The address book a command uses: `explicit` if given, else the devnet's under
/// `data_dir`, else the one `faultline deploy` wrote under `./deploy`, for the L1 at `l1_rpc`.
pub async fn find_address_book(explicit: Option<&Path>, data_dir: &Path, l1_rpc: &str) -> eyre::Result<faultline_l1::AddressBook> {
    use faultline_l1::AddressBook;
    if let Some(p) = explicit {
        return Ok(AddressBook::load(p)?);
    }
    let id = chain_id(l1_rpc).await.wrap_err_with(|| format!("L1 at {l1_rpc} is not answering"))?;
    let devnet = AddressBook::default_path(data_dir, id);
    let path = if devnet.exists() { devnet } else { AddressBook::default_path(Path::new("."), id) };
    AddressBook::load(&path).wrap_err("no address book: pass --address-book, or --data-dir of the devnet")
}

/// Waits until the deployment in `book` can be read and checks that it is the chain
/// `chain` runs (`faultline_l1::chain::check_chain`: the rollup config's immutables, the
/// contracts reading one config, output 0 the node's genesis). A dispute game computes
/// every block's context from those immutables, so a node or verifier on another config
/// would make or accept blocks the game proves wrong: it refuses to run.
pub async fn check_deployment<P: alloy::providers::Provider>(
    provider: &P,
    book: &faultline_l1::AddressBook,
    chain: &faultline_primitives::ChainConfig,
) -> eyre::Result<()> {
    let (_, genesis) = faultline_executor::genesis::genesis_output(chain)?;
    loop {
        match faultline_l1::chain::check_chain(provider, book, chain, genesis).await {
            Ok(()) => return Ok(()),
            Err(e) if e.is_transient() => {
                tracing::warn!(error = %e, "cannot read the deployment from L1 yet; nothing runs until it can (retrying in 2 s)");
                tokio::time::sleep(std::time::Duration::from_secs(2)).await;
            }
            Err(e) => return Err(eyre::Report::new(e).wrap_err("the node's chain config does not match the L1 deployment")),
        }
    }
}
