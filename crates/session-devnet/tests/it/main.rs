//! Integration tests of the devnet's parts run on their own: the TURN relay (coturn, which
//! must be installed: `apt-get install coturn`; `.ci/run` and `cargo xtask devnet` do it).
#![allow(clippy::unwrap_used, clippy::expect_used, missing_docs)]

mod turn;

use std::path::PathBuf;

/// An empty scratch directory for one test, under cargo's per-target temporary directory.
pub(crate) fn scratch_dir(name: &str) -> PathBuf {
    let dir = PathBuf::from(env!("CARGO_TARGET_TMPDIR"))
        .join(format!("session-devnet-{name}-{}", std::process::id()));
    let _ = std::fs::remove_dir_all(&dir);
    std::fs::create_dir_all(&dir).expect("creating the scratch directory");
    dir
}
