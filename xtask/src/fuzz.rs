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

/// `fuzz TARGET [--runs N]` (default 1,000,000 runs), `fuzz list`, or `fuzz smoke` (every
/// target briefly, as `cargo xtask test` does).
pub fn run(args: &[&str]) -> Result<()> {
    let root = cmd::workspace_root();
    let Some(&target) = args.first() else {
        bail!("usage: cargo xtask fuzz <TARGET | list | smoke> [--runs N]");
    };
    ensure_cargo_fuzz()?;
    if target == "list" {
        return cmd::run("cargo", &["fuzz", "list"], &root);
    }
    if target == "smoke" {
        return smoke();
    }
    let runs = match args.get(1..3) {
        Some(["--runs", n]) => n.parse::<u64>()?,
        _ => 1_000_000,
    };
    run_target(&root, target, &[&format!("-runs={runs}")])
}

/// Runs `target` on its working corpus (fuzz/corpus/TARGET, where libFuzzer writes) and its
/// committed seeds (fuzz/seeds/TARGET, read only) with libFuzzer `flags`.
fn run_target(root: &std::path::Path, target: &str, flags: &[&str]) -> Result<()> {
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
    args.push("--");
    args.extend(flags);
    cmd::run_env("cargo", &args, root, &[("RUSTC_BOOTSTRAP", "1")])
}

/// Runs in each smoke run: enough to replay the seeds and corpus and explore a little.
pub const SMOKE_RUNS: u64 = 20_000;

/// A short run of every fuzz target (part of `cargo xtask test`), so a new panic on any
/// parser of untrusted bytes fails the suite: [`SMOKE_RUNS`] runs or 20 s, whichever ends first.
pub fn smoke() -> Result<()> {
    let root = cmd::workspace_root();
    ensure_cargo_fuzz()?;
    let list = cmd::output_env(
        "cargo",
        &["fuzz", "list"],
        &root,
        &[("RUSTC_BOOTSTRAP", "1")],
    )?;
    let runs = format!("-runs={SMOKE_RUNS}");
    for target in list.lines().map(str::trim).filter(|t| !t.is_empty()) {
        run_target(&root, target, &[&runs, "-max_total_time=20"])?;
    }
    Ok(())
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
