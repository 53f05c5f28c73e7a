//! `cargo xtask devnet [up options] | down | register | exit ID | status | kill ID | start ID |
//! pause ID | resume ID`: installs the pinned anvil (npm, into `devnet/node_modules`) if
//! missing, builds the node and devnet binaries, then becomes `session-devnet` (the library's
//! command-line front end) with the same arguments.

use crate::{cmd, contracts};
use anyhow::{Context, Result};
use std::os::unix::process::CommandExt as _;
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
