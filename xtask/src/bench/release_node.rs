//! A release build of `session-node` for `bench node` that links the dev profile's RocksDB.
//!
//! A second profile normally compiles RocksDB again (~45 minutes on two cores). librocksdb-sys
//! links a prebuilt library instead when `ROCKSDB_LIB_DIR` names one, so the release node links
//! the `librocksdb.a` the dev build already made (C++ at -O2 with NDEBUG, as librocksdb-sys
//! always builds it); everything else is compiled at the release profile.

use crate::cmd;
use anyhow::{Context, Result, bail};
use std::path::{Path, PathBuf};
use std::process::{Command, Stdio};

/// The node's package (services/session-node).
const PACKAGE: &str = "session-node-service";

/// Builds the release node and returns a folder holding it as `session-node` (for
/// `SESSION_BIN_DIR`).
pub fn build(root: &Path) -> Result<PathBuf> {
    let target = cmd::target_dir();
    let lib_dir = match dev_rocksdb(&target) {
        Some(dir) => dir,
        None => {
            // The tests' build makes it; a bench run before any test run pays for it here.
            cmd::run("cargo", &["build", "-p", PACKAGE, "--locked"], root)?;
            dev_rocksdb(&target).context("the dev build left no librocksdb.a")?
        }
    };
    let args = [
        "build",
        "--release",
        "-p",
        PACKAGE,
        "--locked",
        "--message-format=json-render-diagnostics",
    ];
    eprintln!(
        "$ ROCKSDB_LIB_DIR={} ROCKSDB_STATIC=1 cargo {}",
        lib_dir.display(),
        args.join(" ")
    );
    let started = std::time::Instant::now();
    let out = Command::new("cargo")
        .args(args)
        .current_dir(root)
        .env("ROCKSDB_LIB_DIR", &lib_dir)
        .env("ROCKSDB_STATIC", "1")
        .stderr(Stdio::inherit())
        .output()
        .context("starting cargo")?;
    if !out.status.success() {
        bail!("`cargo {}` failed with {}", args.join(" "), out.status);
    }
    eprintln!("release node built in {:.0?}", started.elapsed());
    let exe = crate::e2e::executables(&String::from_utf8_lossy(&out.stdout))
        .into_iter()
        .find(|e| e.file_name() == Some("session-node".as_ref()))
        .context("cargo built no session-node")?;
    let dir = target.join("session-bench/release-bin");
    std::fs::create_dir_all(&dir)?;
    crate::e2e::link_to(&exe, &dir.join("session-node"))?;
    Ok(dir)
}

/// The newest `librocksdb.a` under the dev profile's build outputs.
fn dev_rocksdb(target: &Path) -> Option<PathBuf> {
    newest_lib(&target.join("debug/build"))
}

/// The `out` folder of the newest `librocksdb-sys-*/out/librocksdb.a` under `build`.
fn newest_lib(build: &Path) -> Option<PathBuf> {
    std::fs::read_dir(build)
        .ok()?
        .filter_map(Result::ok)
        .filter(|e| {
            e.file_name()
                .to_string_lossy()
                .starts_with("librocksdb-sys-")
        })
        .map(|e| e.path().join("out"))
        .filter_map(|out| {
            let modified = std::fs::metadata(out.join("librocksdb.a"))
                .ok()?
                .modified()
                .ok()?;
            Some((modified, out))
        })
        .max_by_key(|(modified, _)| *modified)
        .map(|(_, out)| out)
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn the_newest_rocksdb_library_is_chosen() {
        let dir = tempfile::tempdir().expect("dir");
        let build = dir.path();
        assert_eq!(newest_lib(build), None);
        for (name, lib) in [("librocksdb-sys-aa", true), ("librocksdb-sys-bb", false)] {
            std::fs::create_dir_all(build.join(name).join("out")).expect("mkdir");
            if lib {
                std::fs::write(build.join(name).join("out/librocksdb.a"), b"old").expect("w");
            }
        }
        assert_eq!(newest_lib(build), Some(build.join("librocksdb-sys-aa/out")));
        std::thread::sleep(std::time::Duration::from_millis(20));
        std::fs::write(build.join("librocksdb-sys-bb/out/librocksdb.a"), b"new").expect("w");
        assert_eq!(newest_lib(build), Some(build.join("librocksdb-sys-bb/out")));
    }
}
