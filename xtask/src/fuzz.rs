//! `cargo xtask fuzz`: cargo-fuzz targets under `fuzz/`.
//!
//! The toolchain here is stable; cargo-fuzz needs nightly flags, so it runs with
//! `RUSTC_BOOTSTRAP=1` (the same compiler, nightly features unlocked for this build only).

use crate::cmd;
use anyhow::{Result, bail};

/// Installs cargo-fuzz if it is missing.
fn ensure_cargo_fuzz() -> Result<()> {
    let has = std::process::Command::new("cargo")
        .args(["fuzz", "--version"])
        .output()
        .is_ok_and(|o| o.status.success());
    if !has {
        cmd::run(
            "cargo",
            &["install", "cargo-fuzz", "--locked"],
            &cmd::workspace_root(),
        )?;
    }
    Ok(())
}

/// `fuzz TARGET [--runs N]` (default 1,000,000 runs), or `fuzz list`.
pub fn run(args: &[&str]) -> Result<()> {
    let root = cmd::workspace_root();
    let Some(&target) = args.first() else {
        bail!("usage: cargo xtask fuzz <TARGET | list> [--runs N]");
    };
    ensure_cargo_fuzz()?;
    if target == "list" {
        return cmd::run("cargo", &["fuzz", "list"], &root);
    }
    let runs = match args.get(1..3) {
        Some(["--runs", n]) => n.parse::<u64>()?,
        _ => 1_000_000,
    };
    let runs_arg = format!("-runs={runs}");
    // Committed seed inputs (fuzz/seeds/TARGET) join the working corpus (fuzz/corpus/TARGET).
    let corpus = format!("fuzz/corpus/{target}");
    let seeds = format!("fuzz/seeds/{target}");
    std::fs::create_dir_all(root.join(&corpus))?;
    let mut args = vec![
        "fuzz",
        "run",
        "--release",
        "--sanitizer",
        "none",
        target,
        &corpus,
    ];
    if root.join(&seeds).is_dir() {
        args.push(&seeds);
    }
    args.extend(["--", &runs_arg]);
    cmd::run_env("cargo", &args, &root, &[("RUSTC_BOOTSTRAP", "1")])
}

/// Compile-checks the fuzz targets so they cannot rot (part of `cargo xtask test`).
pub fn check() -> Result<()> {
    let root = cmd::workspace_root();
    cmd::run(
        "cargo",
        &[
            "check",
            "--manifest-path",
            "fuzz/Cargo.toml",
            "--bins",
            "--locked",
        ],
        &root,
    )
}
