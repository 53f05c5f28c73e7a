//! `cargo xtask e2e [FAMILY…]`: the end-to-end scenarios of `tests/` (package `session-e2e`),
//! all of them or the named families (`scenarios/FAMILY.rs`), after building the binaries they
//! start and installing anvil.

use crate::cmd;
use anyhow::{Context, Result, bail};
use std::hash::{Hash, Hasher};
use std::path::{Path, PathBuf};
use std::process::{Command, Stdio};

/// Builds the workspace binaries the scenarios and system benches start (`session-node`,
/// `session-cli`, `session-devnet`) in `profile`; they belong to other packages than
/// `session-e2e`, so cargo does not build them for its tests on its own. Returns this tree's own
/// folder of them, for `SESSION_BIN_DIR`: cargo's `target/<profile>/NAME` copies are shared by
/// every clone or worktree using the same `CARGO_TARGET_DIR`, and the last build wins there.
pub fn build_binaries(root: &Path, profile: &str) -> Result<PathBuf> {
    let args = [
        "build",
        "--workspace",
        "--bins",
        // The examples too: `tests/` runs session-client's against a devnet.
        "--examples",
        "--locked",
        "--profile",
        profile,
        "--message-format=json-render-diagnostics",
    ];
    eprintln!("$ cargo {}", args.join(" "));
    let out = Command::new("cargo")
        .args(args)
        .current_dir(root)
        .stderr(Stdio::inherit())
        .output()
        .context("starting cargo")?;
    if !out.status.success() {
        bail!("`cargo {}` failed with {}", args.join(" "), out.status);
    }
    let dir = cmd::target_dir().join("e2e-bins").join(tree_key(root));
    std::fs::create_dir_all(&dir)?;
    std::fs::create_dir_all(dir.join("examples"))?;
    for exe in executables(&String::from_utf8_lossy(&out.stdout)) {
        let name = exe.file_name().context("executable without a name")?;
        // The same layout as cargo's: examples under `examples/`.
        let in_examples = exe.parent().and_then(Path::file_name) == Some("examples".as_ref());
        let link = if in_examples {
            dir.join("examples")
        } else {
            dir.clone()
        }
        .join(name);
        link_to(&exe, &link)?;
    }
    Ok(dir)
}

/// Puts cargo's `exe` at `link`, replacing what was there: a hard link, which costs no space
/// (cargo replaces, never rewrites, its outputs), or a copy where that fails.
pub(crate) fn link_to(exe: &Path, link: &Path) -> Result<()> {
    let _ = std::fs::remove_file(link);
    std::fs::hard_link(exe, link)
        .or_else(|_| std::fs::copy(exe, link).map(|_| ()))
        .with_context(|| format!("linking {}", exe.display()))
}

/// The executables of cargo's JSON messages (`compiler-artifact` with `executable`).
pub(crate) fn executables(json_lines: &str) -> Vec<PathBuf> {
    json_lines
        .lines()
        .filter_map(|l| serde_json::from_str::<serde_json::Value>(l).ok())
        .filter(|v| v["reason"] == "compiler-artifact")
        .filter_map(|v| v["executable"].as_str().map(PathBuf::from))
        .collect()
}

/// A short name for the tree at `root`, stable across runs.
fn tree_key(root: &Path) -> String {
    let path = root.canonicalize().unwrap_or_else(|_| root.to_path_buf());
    let mut h = std::collections::hash_map::DefaultHasher::new();
    path.hash(&mut h);
    format!("{:016x}", h.finish())
}

/// Entry point.
pub fn run(args: &[&str]) -> Result<()> {
    if args.iter().any(|a| a.starts_with('-')) {
        bail!("usage: cargo xtask e2e [FAMILY…]  (families: the file names in tests/scenarios)");
    }
    let root = cmd::workspace_root();
    crate::contracts::ensure_node_modules(&root)?;
    let bins = build_binaries(&root, "dev")?;
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
    let bins = bins.to_string_lossy();
    cmd::run_env("cargo", &cargo, &root, &[("SESSION_BIN_DIR", &bins)])
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn executables_come_from_compiler_artifacts_only() {
        let lines = concat!(
            r#"{"reason":"compiler-artifact","executable":"/t/debug/session-node"}"#,
            "\n",
            r#"{"reason":"compiler-artifact","executable":null}"#,
            "\n",
            r#"{"reason":"build-script-executed","executable":"/t/x"}"#,
            "\nnot json\n",
        );
        assert_eq!(
            executables(lines),
            vec![PathBuf::from("/t/debug/session-node")]
        );
    }

    #[test]
    fn each_tree_has_its_own_folder() {
        assert_eq!(tree_key(Path::new("/a/b")), tree_key(Path::new("/a/b")));
        assert_ne!(tree_key(Path::new("/a/b")), tree_key(Path::new("/a/c")));
    }
}
