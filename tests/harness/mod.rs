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

/// A pinned Foundry tool (`forge`, `cast`, `anvil`) installed by `scripts/setup.sh`,
/// or `None` with a message saying why the calling test is skipped.
pub fn foundry_tool(name: &str) -> Option<PathBuf> {
    let p = repo_root().join("contracts/node_modules/.bin").join(name);
    if p.exists() {
        Some(p)
    } else {
        eprintln!("SKIP: {} not installed (run scripts/setup.sh)", p.display());
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
    _tmp: Option<tempfile::TempDir>,
}

impl Node {
    /// Starts a node with on-demand blocks (`--block-time 0`) and dev methods.
    pub fn start() -> Self {
        Self::start_with("0")
    }

    /// Starts a node with the given block time.
    pub fn start_with(block_time: &str) -> Self {
        let tmp = tempfile::tempdir().expect("tempdir");
        let mut node = Self {
            child: None,
            data_dir: tmp.path().join("data"),
            port: free_port(),
            block_time: block_time.to_string(),
            _tmp: Some(tmp),
        };
        node.spawn();
        node
    }

    fn spawn(&mut self) {
        let log = std::fs::OpenOptions::new()
            .create(true)
            .append(true)
            .open(self.data_dir.with_extension("log"))
            .expect("log file");
        let child = Command::new(bin())
            .args(["node", "--dev", "--block-time", &self.block_time])
            .arg("--data-dir")
            .arg(&self.data_dir)
            .arg("--rpc-addr")
            .arg(format!("127.0.0.1:{}", self.port))
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
        // SAFETY: kill(2) on our own child with SIGTERM.
        unsafe { libc::kill(c.id() as libc::pid_t, libc::SIGTERM) };
        let deadline = Instant::now() + Duration::from_secs(15);
        while Instant::now() < deadline {
            if let Ok(Some(s)) = c.try_wait() {
                return s.success();
            }
            std::thread::sleep(Duration::from_millis(20));
        }
        let _ = c.kill();
        false
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
    let resp = reqwest::Client::new()
        .post(url)
        .header("content-type", "application/json")
        .body(body.into())
        .send()
        .await
        .expect("post");
    let bytes = resp.bytes().await.expect("body");
    serde_json::from_slice(&bytes).unwrap_or(serde_json::Value::Null)
}

/// Calls one method and returns the whole response object.
pub async fn call(url: &str, method: &str, params: serde_json::Value) -> serde_json::Value {
    post(url, serde_json::json!({"jsonrpc": "2.0", "id": 1, "method": method, "params": params}).to_string()).await
}
