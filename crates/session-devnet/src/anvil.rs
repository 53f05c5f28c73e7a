//! Finding and running anvil.

use crate::process::Child;
use anyhow::{Context, bail};
use std::path::{Path, PathBuf};
use std::time::{Duration, Instant};

/// The anvil release the devnet is pinned to (npm `@foundry-rs/anvil-linux-amd64`).
pub const ANVIL_VERSION: &str = "1.7.1";

/// Where `npm ci --prefix devnet` puts anvil.
pub fn npm_anvil(root: &Path) -> PathBuf {
    root.join("devnet/node_modules/@foundry-rs/anvil-linux-amd64/bin/anvil")
}

/// The anvil to use: `$SESSION_ANVIL`, then the project's pinned npm copy, then an `anvil` on
/// PATH whose version is the pinned one.
pub fn find(root: &Path) -> anyhow::Result<PathBuf> {
    if let Some(p) = std::env::var_os("SESSION_ANVIL") {
        return Ok(PathBuf::from(p));
    }
    let local = npm_anvil(root);
    if local.is_file() {
        return Ok(local);
    }
    if let Ok(out) = std::process::Command::new("anvil")
        .arg("--version")
        .output()
        && String::from_utf8_lossy(&out.stdout).contains(ANVIL_VERSION)
    {
        return Ok(PathBuf::from("anvil"));
    }
    bail!(
        "anvil {ANVIL_VERSION} not found: run `cargo xtask contracts build` (installs the pinned \
         npm package into devnet/node_modules) or set SESSION_ANVIL"
    )
}

/// A running anvil.
#[derive(Debug)]
pub struct Anvil {
    /// The process.
    pub child: Child,
    /// Its JSON-RPC URL.
    pub url: String,
}

/// Starts anvil on `port` with `accounts` funded, unlocked accounts and one block per
/// `block_time` seconds; waits until it answers.
pub fn start(
    binary: &Path,
    port: u16,
    chain_id: u64,
    block_time: u64,
    accounts: usize,
    log: &Path,
) -> anyhow::Result<Anvil> {
    let mut cmd = std::process::Command::new(binary);
    cmd.args(["--host", "127.0.0.1", "--port", &port.to_string()])
        .args(["--chain-id", &chain_id.to_string()])
        .args(["--block-time", &block_time.to_string()])
        .args(["--accounts", &accounts.to_string()])
        .args(["--balance", "1000000"]);
    let child = Child::spawn("anvil", cmd, log).context("starting anvil")?;
    let url = format!("http://127.0.0.1:{port}");
    let deadline = Instant::now() + Duration::from_secs(30);
    while Instant::now() < deadline {
        if std::net::TcpStream::connect(("127.0.0.1", port)).is_ok() {
            return Ok(Anvil { child, url });
        }
        std::thread::sleep(Duration::from_millis(50));
    }
    bail!(
        "anvil did not listen on port {port} within 30 s (log: {})",
        log.display()
    )
}
