//! `cargo xtask devnet [up options] | down | register | exit ID | status | kill ID | start ID |
//! pause ID | resume ID`: installs the pinned anvil (npm, into `devnet/node_modules`) and coturn
//! (apt-get, for the TURN relay) if missing, builds the node and devnet binaries, then becomes
//! `session-devnet` (the library's command-line front end) with the same arguments.

use crate::{cmd, contracts};
use anyhow::{Context, Result, bail};
use std::os::unix::process::CommandExt as _;
use std::path::Path;
use std::process::Command;

const SUBCOMMANDS: [&str; 9] = [
    "up", "down", "register", "exit", "status", "kill", "start", "pause", "resume",
];

/// Runs the devnet command line.
pub fn run(args: &[&str]) -> Result<()> {
    let root = cmd::workspace_root();
    let anvil_on_path = Command::new("anvil")
        .arg("--version")
        .output()
        .is_ok_and(|o| String::from_utf8_lossy(&o.stdout).contains("1.7.1"));
    if !anvil_on_path {
        contracts::ensure_node_modules(&root)?;
    }
    ensure_turnserver(&root)?;
    // `--workspace` keeps feature resolution identical to `cargo xtask test`, so the RocksDB
    // build is shared rather than repeated; the binaries are this tree's own (not the last
    // build's of whichever tree shares the target directory).
    let bin = crate::e2e::build_binaries(&root, "dev")?;
    let mut argv: Vec<&str> = args.to_vec();
    if argv.first().is_none_or(|a| !SUBCOMMANDS.contains(a)) {
        argv.insert(0, "up");
    }
    let root_arg = root.display().to_string();
    let node = bin.join("session-node");
    let err = Command::new(bin.join("session-devnet"))
        .args(["--root", &root_arg])
        .arg("--node-binary")
        .arg(&node)
        .args(&argv)
        .exec();
    Err(err).context("starting session-devnet")
}

/// Makes sure coturn's `turnserver` (the devnet's TURN relay) is installed: when it is missing
/// and this runs as root with apt-get, installs the `coturn` package; otherwise a missing one is
/// an error saying how to install it. `$SESSION_TURNSERVER` (a binary elsewhere) counts as
/// installed.
pub fn ensure_turnserver(root: &Path) -> Result<()> {
    if std::env::var_os("SESSION_TURNSERVER").is_some() || on_path("turnserver") {
        return Ok(());
    }
    if !is_root() || !on_path("apt-get") {
        bail!("turnserver (coturn) not found: install it with `sudo apt-get install coturn`");
    }
    eprintln!("turnserver not found: installing coturn");
    cmd::run("apt-get", &["update", "-qq"], root)?;
    cmd::run_env(
        "apt-get",
        &["install", "-y", "-qq", "coturn"],
        root,
        &[("DEBIAN_FRONTEND", "noninteractive")],
    )?;
    if !on_path("turnserver") {
        bail!("apt-get installed coturn but turnserver is still not on PATH");
    }
    Ok(())
}

/// Whether an executable file `program` is in a directory of `PATH`.
fn on_path(program: &str) -> bool {
    let path = std::env::var_os("PATH").unwrap_or_default();
    std::env::split_paths(&path).any(|dir| dir.join(program).is_file())
}

/// Whether this process runs as root (real user id 0, from `/proc/self/status`).
fn is_root() -> bool {
    std::fs::read_to_string("/proc/self/status").is_ok_and(|s| {
        s.lines()
            .find_map(|l| l.strip_prefix("Uid:"))
            .and_then(|ids| ids.split_whitespace().next())
            == Some("0")
    })
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn sh_is_on_path_and_a_made_up_name_is_not() {
        assert!(on_path("sh"));
        assert!(!on_path("no-such-program-5f3a"));
    }
}
