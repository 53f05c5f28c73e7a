//! `cargo xtask contracts`: the devnet's Solidity contracts under `devnet/contracts`.
//!
//! * `contracts build` — compiles the sources with the pinned solc-js and rewrites the committed
//!   artifacts (`crates/session-chain/artifacts/*.json`: ABI, creation bytecode, compiler
//!   version), which `session-chain` turns into bindings with `sol!`; they live in that crate so
//!   that it packages on its own.
//! * `contracts check` — fails when the committed artifacts differ from a fresh compile.
//! * `contracts test` — the staleness check, then the forge tests in `devnet/contracts/test`.
//!
//! The tools (solc-js, forge, anvil) are npm packages pinned by `devnet/package-lock.json` and
//! installed with `npm ci` into `devnet/node_modules` whenever that is missing or older than the
//! lock. Forge compiles through `devnet/scripts/solc-forge-wrapper` (solc-js behind a native-solc
//! interface) and runs offline, so nothing else is downloaded.

use crate::cmd;
use anyhow::{Context, Result, bail};
use std::fs;
use std::path::{Path, PathBuf};

/// The npm-installed native tools.
const TOOLS: [&str; 2] = ["forge", "anvil"];

/// A copy of the lock `npm ci` last installed, to tell whether `node_modules` is stale.
const INSTALLED_LOCK: &str = "node_modules/.xtask-installed-package-lock.json";

/// `contracts build | check | test`.
pub fn run(args: &[&str]) -> Result<()> {
    let root = cmd::workspace_root();
    match args {
        ["build"] => build(&root),
        ["check"] => check(&root),
        ["test"] => test(&root),
        _ => bail!("usage: cargo xtask contracts <build | check | test>"),
    }
}

/// The `devnet/` directory.
fn devnet(root: &Path) -> PathBuf {
    root.join("devnet")
}

/// Where the pinned npm package puts a Foundry binary (`"forge"` or `"anvil"`).
///
/// Call [`ensure_node_modules`] first: it installs the package and makes the binary executable.
pub fn tool_path(root: &Path, tool: &str) -> PathBuf {
    devnet(root)
        .join("node_modules/@foundry-rs")
        .join(format!("{tool}-linux-amd64"))
        .join("bin")
        .join(tool)
}

/// Runs `npm ci` in `devnet/` unless `node_modules` already matches `package-lock.json`, then
/// makes sure forge and anvil are executable.
pub fn ensure_node_modules(root: &Path) -> Result<()> {
    if !cfg!(all(target_os = "linux", target_arch = "x86_64")) {
        bail!("the pinned forge/anvil npm packages are for linux x86-64 only");
    }
    let dir = devnet(root);
    let lock = fs::read(dir.join("package-lock.json")).context("reading package-lock.json")?;
    let installed = dir.join(INSTALLED_LOCK);
    let fresh = fs::read(&installed).is_ok_and(|old| old == lock)
        && TOOLS.iter().all(|tool| tool_path(root, tool).is_file());
    if !fresh {
        cmd::run(
            "npm",
            &["ci", "--ignore-scripts", "--no-audit", "--no-fund"],
            &dir,
        )
        .context("installing devnet/node_modules (needs Node.js >= 20 and npm)")?;
        fs::write(&installed, &lock).context("recording the installed lock")?;
    }
    for tool in TOOLS {
        make_executable(&tool_path(root, tool))?;
    }
    Ok(())
}

#[cfg(unix)]
fn make_executable(path: &Path) -> Result<()> {
    use std::os::unix::fs::PermissionsExt;
    let mut permissions = fs::metadata(path)
        .with_context(|| format!("{} is missing after npm ci", path.display()))?
        .permissions();
    if permissions.mode() & 0o111 != 0o111 {
        permissions.set_mode(permissions.mode() | 0o755);
        fs::set_permissions(path, permissions)
            .with_context(|| format!("making {} executable", path.display()))?;
    }
    Ok(())
}

#[cfg(not(unix))]
fn make_executable(_path: &Path) -> Result<()> {
    Ok(())
}

/// Recompiles the contracts and rewrites the committed artifacts.
pub fn build(root: &Path) -> Result<()> {
    ensure_node_modules(root)?;
    cmd::run("node", &["scripts/compile.mjs"], &devnet(root))
}

/// Fails when the committed artifacts are stale.
pub fn check(root: &Path) -> Result<()> {
    ensure_node_modules(root)?;
    cmd::run("node", &["scripts/compile.mjs", "--check"], &devnet(root))
}

/// The staleness check and the forge tests (part of `cargo xtask test`).
pub fn test(root: &Path) -> Result<()> {
    check(root)?;
    let forge = tool_path(root, "forge");
    let forge = forge.to_str().context("non-UTF-8 path to forge")?;
    cmd::run(forge, &["test"], &devnet(root))
}
