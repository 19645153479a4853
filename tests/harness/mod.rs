//! Starts the real `faultline` binary (and anvil) as a user would, on free loopback
//! ports and temporary data dirs, and stops them: gracefully, or with `kill -9`.
#![allow(dead_code)]

use std::{
    net::TcpListener,
    path::{Path, PathBuf},
    process::{Child, Command, Stdio},
    time::{Duration, Instant},
};

/// The binary under test (built by cargo for this test target).
pub fn bin() -> PathBuf {
    PathBuf::from(env!("CARGO_BIN_EXE_faultline"))
}

/// The repository root.
pub fn repo_root() -> PathBuf {
    Path::new(env!("CARGO_MANIFEST_DIR")).join("../..").canonicalize().expect("repo root")
}

/// A pinned Foundry tool (`forge`, `cast`, `anvil`: `contracts/bin/<tool>`, which runs
/// the native binary `scripts/setup.sh` installed),
/// or `None` with a message saying why the calling test is skipped.
pub fn foundry_tool(name: &str) -> Option<PathBuf> {
    let root = repo_root();
    let installed = root.join("contracts/node_modules/@foundry-rs").join(name);
    if installed.exists() {
        Some(root.join("contracts/bin").join(name))
    } else {
        eprintln!("SKIP: {} not installed (run scripts/setup.sh)", installed.display());
        None
    }
}

/// A free TCP port on loopback.
pub fn free_port() -> u16 {
    TcpListener::bind("127.0.0.1:0").and_then(|l| l.local_addr()).map(|a| a.port()).expect("free port")
}

/// A running L2 node process.
pub struct Node {
    child: Option<Child>,
    /// Data dir (kept across restarts).
    pub data_dir: PathBuf,
    /// RPC port.
    pub port: u16,
    block_time: String,
    extra_args: Vec<String>,
    _tmp: Option<tempfile::TempDir>,
}

impl Node {
    /// Starts a node with on-demand blocks (`--block-time 0`) and dev methods.
    pub fn start() -> Self {
        Self::start_with("0")
    }

    /// Starts a node with the given block time.
    pub fn start_with(block_time: &str) -> Self {
        Self::start_with_args(block_time, &[])
    }

    /// Starts a node with the given block time and extra `faultline node` flags.
    pub fn start_with_args(block_time: &str, extra: &[&str]) -> Self {
        let tmp = tempfile::tempdir().expect("tempdir");
        let mut node = Self {
            child: None,
            data_dir: tmp.path().join("data"),
            port: free_port(),
            block_time: block_time.to_string(),
            extra_args: extra.iter().map(|s| s.to_string()).collect(),
            _tmp: Some(tmp),
        };
        node.spawn();
        node
    }

    fn spawn(&mut self) {
        let log = std::fs::OpenOptions::new().create(true).append(true).open(self.data_dir.with_extension("log")).expect("log file");
        let child = Command::new(bin())
            .args(["node", "--dev", "--block-time", &self.block_time])
            .arg("--data-dir")
            .arg(&self.data_dir)
            .arg("--rpc-addr")
            .arg(format!("127.0.0.1:{}", self.port))
            .args(&self.extra_args)
            .env("RUST_LOG", "info")
            .stdin(Stdio::null())
            .stdout(Stdio::null())
            .stderr(log)
            .spawn()
            .expect("spawn faultline");
        self.child = Some(child);
        self.wait_ready();
    }

    fn wait_ready(&mut self) {
        let deadline = Instant::now() + Duration::from_secs(30);
        while Instant::now() < deadline {
            if let Some(c) = self.child.as_mut() {
                if let Ok(Some(status)) = c.try_wait() {
                    panic!("faultline exited at start ({status}); log: {}", self.log());
                }
            }
            if std::net::TcpStream::connect(("127.0.0.1", self.port)).is_ok() {
                return;
            }
            std::thread::sleep(Duration::from_millis(25));
        }
        panic!("faultline did not listen within 30 s; log: {}", self.log());
    }

    /// The node's log so far.
    pub fn log(&self) -> String {
        std::fs::read_to_string(self.data_dir.with_extension("log")).unwrap_or_default()
    }

    /// HTTP URL.
    pub fn http(&self) -> String {
        format!("http://127.0.0.1:{}", self.port)
    }

    /// WebSocket URL.
    pub fn ws(&self) -> String {
        format!("ws://127.0.0.1:{}", self.port)
    }

    /// `kill -9`: no shutdown code runs.
    pub fn kill9(&mut self) {
        if let Some(mut c) = self.child.take() {
            let _ = c.kill();
            let _ = c.wait();
        }
    }

    /// SIGTERM and wait for a clean exit; returns whether it exited with success.
    pub fn stop(&mut self) -> bool {
        let Some(mut c) = self.child.take() else { return true };
        sigterm_and_wait(&mut c, Duration::from_secs(15))
    }

    /// Starts the process again on the same data dir and port.
    pub fn restart(&mut self) {
        self.kill9();
        self.spawn();
    }
}

impl Drop for Node {
    fn drop(&mut self) {
        self.kill9();
    }
}

/// Posts a raw body to a JSON-RPC endpoint and returns the parsed response
/// (`Null` for an empty body).
pub async fn post(url: &str, body: impl Into<String>) -> serde_json::Value {
    let resp = reqwest::Client::new().post(url).header("content-type", "application/json").body(body.into()).send().await.expect("post");
    let bytes = resp.bytes().await.expect("body");
    serde_json::from_slice(&bytes).unwrap_or(serde_json::Value::Null)
}

/// Calls one method and returns the whole response object.
pub async fn call(url: &str, method: &str, params: serde_json::Value) -> serde_json::Value {
    post(url, serde_json::json!({"jsonrpc": "2.0", "id": 1, "method": method, "params": params}).to_string()).await
}

/// A real anvil (the npm-pinned one) on a free port, killed on drop.
pub struct Anvil {
    child: Child,
    /// HTTP URL.
    pub url: String,
    /// Port.
    pub port: u16,
}

impl Anvil {
    /// Starts anvil with automine (`block_time` 0) or a block time in seconds; `None`
    /// (with a SKIP message) when the toolchain is not installed.
    pub fn start(block_time: u64) -> Option<Self> {
        Self::start_on(free_port(), block_time)
    }

    /// [`Self::start`] on a given port (e.g. the one of an anvil that was stopped).
    pub fn start_on(port: u16, block_time: u64) -> Option<Self> {
        Self::start_full(port, block_time, &[])
    }

    /// [`Self::start`] with more anvil arguments (e.g. `--hardfork osaka`).
    pub fn start_with_args(block_time: u64, extra: &[&str]) -> Option<Self> {
        Self::start_full(free_port(), block_time, extra)
    }

    fn start_full(port: u16, block_time: u64, extra: &[&str]) -> Option<Self> {
        let bin = foundry_tool("anvil")?;
        let mut cmd = Command::new(bin);
        cmd.args(["--port", &port.to_string(), "--host", "127.0.0.1", "--silent"]).args(extra);
        if block_time > 0 {
            cmd.args(["--block-time", &block_time.to_string()]);
        }
        let mut child = cmd.stdin(Stdio::null()).stdout(Stdio::null()).stderr(Stdio::null()).spawn().expect("spawn anvil");
        let deadline = Instant::now() + Duration::from_secs(20);
        while Instant::now() < deadline {
            if std::net::TcpStream::connect(("127.0.0.1", port)).is_ok() {
                return Some(Self { child, url: format!("http://127.0.0.1:{port}"), port });
            }
            std::thread::sleep(Duration::from_millis(25));
        }
        let _ = child.kill();
        let _ = child.wait();
        panic!("anvil did not listen within 20 s");
    }
}

impl Drop for Anvil {
    fn drop(&mut self) {
        let _ = self.child.kill();
        let _ = self.child.wait();
    }
}

/// Runs `faultline <args>` to completion and returns (success, stdout, stderr).
pub fn faultline(args: &[&str]) -> (bool, String, String) {
    let out = Command::new(bin()).args(args).current_dir(repo_root()).output().expect("run faultline");
    (out.status.success(), String::from_utf8_lossy(&out.stdout).into_owned(), String::from_utf8_lossy(&out.stderr).into_owned())
}

/// `faultline vm block --l1-inputs --check` over the store in `data_dir` (every block's
/// machine from L1 alone, every step checked), with `more` flags; its output, after
/// asserting it succeeded with no step over the L1 target.
pub fn vm_block_from_l1(data_dir: &std::path::Path, l1_rpc: &str, more: &[&str]) -> String {
    let mut args = vec!["vm", "block", "--l1-inputs", "--check", "--data-dir", data_dir.to_str().expect("utf-8 path"), "--l1-rpc", l1_rpc];
    args.extend_from_slice(more);
    let (ok, out, err) = faultline(&args);
    assert!(ok, "vm block --l1-inputs failed:\n{out}\n{err}");
    println!("{out}");
    assert!(out.contains("every step checked") && out.contains(" 0 over the 2 M target"), "{out}");
    out
}

/// `faultline devnet` as a child process (its own anvil and L2 node) on free ports.
pub struct Devnet {
    child: Option<Child>,
    /// Data dir.
    pub data_dir: PathBuf,
    /// L1 port.
    pub l1_port: u16,
    /// L2 port.
    pub l2_port: u16,
    /// Metrics port.
    pub metrics_port: u16,
    extra: Vec<String>,
    _tmp: tempfile::TempDir,
}

impl Devnet {
    /// Starts a devnet with extra flags and waits until its L2 RPC listens.
    pub fn start(extra: &[&str]) -> Option<Self> {
        foundry_tool("anvil")?;
        let tmp = tempfile::tempdir().expect("tempdir");
        let mut d = Self {
            child: None,
            data_dir: tmp.path().join("data"),
            l1_port: free_port(),
            l2_port: free_port(),
            metrics_port: free_port(),
            extra: extra.iter().map(|s| s.to_string()).collect(),
            _tmp: tmp,
        };
        d.spawn();
        Some(d)
    }

    fn spawn(&mut self) {
        std::fs::create_dir_all(&self.data_dir).expect("data dir");
        let log = std::fs::OpenOptions::new().create(true).append(true).open(self.log_path()).expect("log");
        let child = Command::new(bin())
            .arg("devnet")
            .arg("--data-dir")
            .arg(&self.data_dir)
            .args(["--l1-port", &self.l1_port.to_string(), "--l2-port", &self.l2_port.to_string()])
            .args(["--metrics-port", &self.metrics_port.to_string()])
            .args(&self.extra)
            .current_dir(repo_root())
            .env("RUST_LOG", "info")
            .stdin(Stdio::null())
            .stdout(Stdio::null())
            .stderr(log)
            .spawn()
            .expect("spawn devnet");
        self.child = Some(child);
        let deadline = Instant::now() + Duration::from_secs(90);
        while Instant::now() < deadline {
            if let Some(c) = self.child.as_mut() {
                if let Ok(Some(s)) = c.try_wait() {
                    panic!("devnet exited at start ({s}); log:\n{}", self.log());
                }
            }
            if std::net::TcpStream::connect(("127.0.0.1", self.l2_port)).is_ok() {
                return;
            }
            std::thread::sleep(Duration::from_millis(50));
        }
        panic!("devnet L2 did not listen within 90 s; log:\n{}", self.log());
    }

    fn log_path(&self) -> PathBuf {
        self.data_dir.with_extension("log")
    }

    /// The devnet's log so far.
    pub fn log(&self) -> String {
        std::fs::read_to_string(self.log_path()).unwrap_or_default()
    }

    /// L1 URL.
    pub fn l1(&self) -> String {
        format!("http://127.0.0.1:{}", self.l1_port)
    }

    /// L2 URL.
    pub fn l2(&self) -> String {
        format!("http://127.0.0.1:{}", self.l2_port)
    }

    /// SIGTERM and wait; returns whether it exited with success.
    pub fn stop(&mut self) -> bool {
        let Some(mut c) = self.child.take() else { return true };
        sigterm_and_wait(&mut c, Duration::from_secs(20))
    }

    /// Starts it again on the same data dir and ports.
    pub fn restart(&mut self) {
        self.stop();
        self.spawn();
    }
}

impl Drop for Devnet {
    fn drop(&mut self) {
        if let Some(mut c) = self.child.take() {
            // SIGTERM first so the devnet stops its anvil child too.
            sigterm_and_wait(&mut c, Duration::from_secs(10));
        }
    }
}

/// SIGTERM, then wait up to `timeout` for the exit (SIGKILL after it); returns whether
/// the process exited with success.
pub fn sigterm_and_wait(c: &mut Child, timeout: Duration) -> bool {
    // SAFETY: kill(2) on our own child with SIGTERM.
    unsafe { libc::kill(c.id() as libc::pid_t, libc::SIGTERM) };
    let deadline = Instant::now() + timeout;
    while Instant::now() < deadline {
        if let Ok(Some(s)) = c.try_wait() {
            return s.success();
        }
        std::thread::sleep(Duration::from_millis(20));
    }
    let _ = c.kill();
    let _ = c.wait();
    false
}

/// Runs a pinned Foundry tool to success and returns its trimmed stdout.
pub fn tool(name: &str, args: &[&str]) -> String {
    let bin = foundry_tool(name).expect("foundry tool installed");
    let out = Command::new(bin).args(args).current_dir(repo_root()).output().expect("run tool");
    assert!(out.status.success(), "{name} {args:?}: {}\n{}", String::from_utf8_lossy(&out.stdout), String::from_utf8_lossy(&out.stderr));
    String::from_utf8_lossy(&out.stdout).trim().to_string()
}

/// Polls `f` every 200 ms until it holds; panics with `what` after `secs` seconds.
pub async fn wait_until<F, Fut>(what: &str, secs: u64, mut f: F)
where
    F: FnMut() -> Fut,
    Fut: std::future::Future<Output = bool>,
{
    let deadline = Instant::now() + Duration::from_secs(secs);
    while Instant::now() < deadline {
        if f().await {
            return;
        }
        tokio::time::sleep(Duration::from_millis(200)).await;
    }
    panic!("timed out: {what}");
}
