//! `cargo xtask fuzz`: cargo-fuzz targets under `fuzz/`.
//!
//! The toolchain here is stable; cargo-fuzz needs nightly flags, so it runs with
//! `RUSTC_BOOTSTRAP=1` (the same compiler, nightly features unlocked for this build only).

use crate::cmd;
use anyhow::{Result, bail};
use std::path::Path;

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

/// `fuzz TARGET [--runs N]` (default 1,000,000 runs), `fuzz list`, `fuzz smoke` (every
/// target briefly, as `cargo xtask test` does) or `fuzz campaign [--runs N] [TARGET…]` (every
/// target long, see [`crate::fuzz_campaign`]).
pub fn run(args: &[&str]) -> Result<()> {
    let root = cmd::workspace_root();
    let Some(&target) = args.first() else {
        bail!(
            "usage: cargo xtask fuzz <TARGET [--runs N] | list | smoke | campaign [--runs N] [TARGET…]>"
        );
    };
    ensure_cargo_fuzz()?;
    if target == "list" {
        return cmd::run("cargo", &["fuzz", "list"], &root);
    }
    if target == "smoke" {
        return smoke();
    }
    if target == "campaign" {
        return crate::fuzz_campaign::run(&args[1..]);
    }
    let runs = match args.get(1..3) {
        Some(["--runs", n]) => n.parse::<u64>()?,
        _ => 1_000_000,
    };
    run_target(&root, target, &[&format!("-runs={runs}")])
}

/// Runs `target` on its working corpus (fuzz/corpus/TARGET, where libFuzzer writes) and its
/// committed seeds (fuzz/seeds/TARGET, read only) with libFuzzer `flags`.
fn run_target(root: &Path, target: &str, flags: &[&str]) -> Result<()> {
    let args = fuzz_args(root, target, flags)?;
    let args: Vec<&str> = args.iter().map(String::as_str).collect();
    cmd::run_env("cargo", &args, root, &[("RUSTC_BOOTSTRAP", "1")])
}

/// Like [`run_target`], libFuzzer's output (stderr) into `log`; whether it ended cleanly (no
/// crash, leak or timeout).
pub fn run_target_logged(
    root: &Path,
    target: &str,
    flags: &[&str],
    log: std::fs::File,
) -> Result<bool> {
    let args = fuzz_args(root, target, flags)?;
    eprintln!("$ cargo {} 2> fuzz-campaign/{target}.log", args.join(" "));
    let status = std::process::Command::new("cargo")
        .args(&args)
        .current_dir(root)
        .env("RUSTC_BOOTSTRAP", "1")
        .stderr(log)
        .status()?;
    Ok(status.success())
}

/// `cargo fuzz run` arguments for `target` with libFuzzer `flags`.
fn fuzz_args(root: &Path, target: &str, flags: &[&str]) -> Result<Vec<String>> {
    let corpus = format!("fuzz/corpus/{target}");
    let seeds = format!("fuzz/seeds/{target}");
    std::fs::create_dir_all(root.join(&corpus))?;
    let mut args: Vec<String> = ["fuzz", "run", "--release", "--sanitizer", "none", target]
        .map(str::to_owned)
        .to_vec();
    args.push(corpus);
    if root.join(&seeds).is_dir() {
        args.push(seeds);
    }
    args.push("--".to_owned());
    args.extend(flags.iter().map(|f| (*f).to_owned()));
    Ok(args)
}

/// The fuzz targets (`cargo fuzz list`).
pub fn targets(root: &Path) -> Result<Vec<String>> {
    let list = cmd::output_env(
        "cargo",
        &["fuzz", "list"],
        root,
        &[("RUSTC_BOOTSTRAP", "1")],
    )?;
    Ok(list
        .lines()
        .map(str::trim)
        .filter(|t| !t.is_empty())
        .map(str::to_owned)
        .collect())
}

/// Runs in each smoke run: enough to replay the seeds and corpus and explore a little.
pub const SMOKE_RUNS: u64 = 20_000;

/// A short run of every fuzz target (part of `cargo xtask test`), so a new panic on any
/// parser of untrusted bytes fails the suite: [`SMOKE_RUNS`] runs or 20 s, whichever ends first.
pub fn smoke() -> Result<()> {
    let root = cmd::workspace_root();
    ensure_cargo_fuzz()?;
    let runs = format!("-runs={SMOKE_RUNS}");
    for target in targets(&root)? {
        run_target(&root, &target, &[&runs, "-max_total_time=20"])?;
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
