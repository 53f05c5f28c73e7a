//! Running commands from the workspace root.

use anyhow::{Context, Result, bail};
use std::path::{Path, PathBuf};
use std::process::Command;

/// The workspace root (the parent of this crate's directory). `cargo run` tells the running
/// binary where its manifest is; that wins over the path compiled in, so two clones sharing one
/// `CARGO_TARGET_DIR` each work on their own tree.
pub fn workspace_root() -> PathBuf {
    let manifest_dir = std::env::var_os("CARGO_MANIFEST_DIR")
        .map_or_else(|| PathBuf::from(env!("CARGO_MANIFEST_DIR")), PathBuf::from);
    manifest_dir
        .parent()
        .map_or_else(|| Path::new(".").to_path_buf(), Path::to_path_buf)
}

/// The cargo target directory in use, as cargo resolves it (`CARGO_TARGET_DIR`, then
/// `build.target-dir` of any cargo config file, then `target/` of the workspace).
pub fn target_dir() -> PathBuf {
    static DIR: std::sync::OnceLock<PathBuf> = std::sync::OnceLock::new();
    DIR.get_or_init(|| {
        let root = workspace_root();
        output(
            "cargo",
            &["metadata", "--format-version", "1", "--no-deps"],
            &root,
        )
        .ok()
        .and_then(|json| serde_json::from_str::<serde_json::Value>(&json).ok())
        .and_then(|v| v["target_directory"].as_str().map(PathBuf::from))
        .unwrap_or_else(|| root.join("target"))
    })
    .clone()
}

/// Runs a command in `dir`, echoing it, failing on a non-zero exit.
pub fn run(program: &str, args: &[&str], dir: &Path) -> Result<()> {
    run_env(program, args, dir, &[])
}

/// Like [`run`], with extra environment variables.
pub fn run_env(program: &str, args: &[&str], dir: &Path, env: &[(&str, &str)]) -> Result<()> {
    eprintln!("$ {program} {}", args.join(" "));
    let status = Command::new(program)
        .args(args)
        .current_dir(dir)
        .envs(env.iter().copied())
        .status()
        .with_context(|| format!("starting {program}"))?;
    if !status.success() {
        bail!("`{program} {}` failed with {status}", args.join(" "));
    }
    Ok(())
}

/// Runs a command and returns its stdout.
pub fn output(program: &str, args: &[&str], dir: &Path) -> Result<String> {
    output_env(program, args, dir, &[])
}

/// Like [`output`], with extra environment variables.
pub fn output_env(
    program: &str,
    args: &[&str],
    dir: &Path,
    env: &[(&str, &str)],
) -> Result<String> {
    let out = Command::new(program)
        .args(args)
        .current_dir(dir)
        .envs(env.iter().copied())
        .output()
        .with_context(|| format!("starting {program}"))?;
    if !out.status.success() {
        bail!(
            "`{program} {}` failed: {}",
            args.join(" "),
            String::from_utf8_lossy(&out.stderr)
        );
    }
    Ok(String::from_utf8(out.stdout)?)
}
