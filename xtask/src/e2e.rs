//! `cargo xtask e2e [FAMILY…]`: the end-to-end scenarios of `tests/` (package `session-e2e`),
//! all of them or the named families (`scenarios/FAMILY.rs`), after building the binaries they
//! start and installing anvil.

use crate::cmd;
use anyhow::{Result, bail};
use std::path::Path;

/// Builds the workspace binaries the scenarios and system benches start (`session-node`,
/// `session-cli`, `session-devnet`) in `profile`; they belong to other packages than
/// `session-e2e`, so cargo does not build them for its tests on its own.
pub fn build_binaries(root: &Path, profile: &str) -> Result<()> {
    cmd::run(
        "cargo",
        &[
            "build",
            "--workspace",
            "--bins",
            // The examples too: `tests/` runs session-client's against a devnet.
            "--examples",
            "--locked",
            "--profile",
            profile,
        ],
        root,
    )
}

/// Entry point.
pub fn run(args: &[&str]) -> Result<()> {
    if args.iter().any(|a| a.starts_with('-')) {
        bail!("usage: cargo xtask e2e [FAMILY…]  (families: the file names in tests/scenarios)");
    }
    let root = cmd::workspace_root();
    crate::contracts::ensure_node_modules(&root)?;
    build_binaries(&root, "dev")?;
    let mut cargo = vec!["test", "-p", "session-e2e", "--locked"];
    for family in args {
        if !root
            .join("tests/scenarios")
            .join(format!("{family}.rs"))
            .is_file()
        {
            bail!("no scenario family {family:?} (see tests/scenarios)");
        }
        cargo.extend(["--test", family]);
    }
    cmd::run("cargo", &cargo, &root)
}
