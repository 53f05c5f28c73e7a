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

/// How many ports [`start`] tries before giving up.
const START_TRIES: usize = 3;

/// Starts anvil on a free loopback port with `accounts` funded, unlocked accounts and one block
/// per `block_time` seconds; waits until it answers. The port is free when drawn but can be
/// taken before anvil binds it (another process's outgoing connection); anvil then exits, and
/// the next try draws another port.
pub fn start(
    binary: &Path,
    chain_id: u64,
    block_time: u64,
    accounts: usize,
    log: &Path,
) -> anyhow::Result<Anvil> {
    let mut last = None;
    for _ in 0..START_TRIES {
        let port = crate::free_port()?;
        match start_on(binary, port, chain_id, block_time, accounts, log)? {
            Some(anvil) => return Ok(anvil),
            None => last = Some(port),
        }
    }
    bail!(
        "anvil exited before listening, {START_TRIES} times (last port {}; log: {})",
        last.unwrap_or_default(),
        log.display()
    )
}

/// Starts anvil on `port`; `None` when it exits before listening there.
fn start_on(
    binary: &Path,
    port: u16,
    chain_id: u64,
    block_time: u64,
    accounts: usize,
    log: &Path,
) -> anyhow::Result<Option<Anvil>> {
    let mut cmd = std::process::Command::new(binary);
    cmd.args(["--host", "127.0.0.1", "--port", &port.to_string()])
        .args(["--chain-id", &chain_id.to_string()])
        .args(["--block-time", &block_time.to_string()])
        .args(["--accounts", &accounts.to_string()])
        .args(["--balance", "1000000"]);
    let from = std::fs::metadata(log).map_or(0, |m| m.len());
    let mut child = Child::spawn("anvil", cmd, log).context("starting anvil")?;
    let ready = format!("Listening on 127.0.0.1:{port}");
    let deadline = Instant::now() + Duration::from_secs(30);
    while Instant::now() < deadline {
        if !child.is_running() {
            return Ok(None);
        }
        if log_since(log, from).contains(&ready) {
            let url = format!("http://127.0.0.1:{port}");
            return Ok(Some(Anvil { child, url }));
        }
        std::thread::sleep(Duration::from_millis(50));
    }
    bail!(
        "anvil did not listen on port {port} within 30 s (log: {})",
        log.display()
    )
}

/// What `log` holds past byte `from` (anvil prints `Listening on …` once it has bound its port;
/// a connection test could reach another process on that port, or Linux's TCP self-connect).
fn log_since(log: &Path, from: u64) -> String {
    std::fs::read(log)
        .ok()
        .and_then(|b| b.get(usize::try_from(from).ok()?..).map(<[u8]>::to_vec))
        .map(|b| String::from_utf8_lossy(&b).into_owned())
        .unwrap_or_default()
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn a_binary_that_exits_at_once_is_retried_then_reported() {
        let dir = tempfile::tempdir().expect("dir");
        let log = dir.path().join("anvil.log");
        let started = Instant::now();
        let err = start(Path::new("/bin/false"), 1, 1, 2, &log).expect_err("no anvil");
        assert!(
            err.to_string().contains("exited before listening, 3 times"),
            "{err}"
        );
        assert!(started.elapsed() < Duration::from_secs(10));
    }

    #[test]
    fn only_the_new_part_of_the_log_counts() {
        let dir = tempfile::tempdir().expect("dir");
        let log = dir.path().join("anvil.log");
        std::fs::write(&log, "Listening on 127.0.0.1:1\n").expect("write");
        let from = std::fs::metadata(&log).expect("meta").len();
        assert!(!log_since(&log, from).contains("Listening"));
        std::fs::write(&log, "Listening on 127.0.0.1:1\nListening on 127.0.0.1:2\n").expect("w");
        assert_eq!(log_since(&log, from), "Listening on 127.0.0.1:2\n");
    }
}
