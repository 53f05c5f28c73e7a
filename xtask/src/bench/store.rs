//! `cargo xtask bench store`: the summary index of session-store (a peer's `Summary` answer)
//! against the full scan of every message it replaced, on 100,000 stored messages
//! (`crates/session-store/benches/summaries.rs`).

use super::{mean_ns, write_table};
use crate::cmd;
use anyhow::{Context, Result};
use std::path::Path;

const GROUP: &str = "summaries_100k";

/// Runs the bench and writes its table. In the dev profile (session-store is optimised there)
/// and with session-e2e, so that the RocksDB build is the tests' one (a release build, or
/// session-store's feature set alone, would build RocksDB again).
pub fn run() -> Result<()> {
    let root = cmd::workspace_root();
    cmd::run(
        "cargo",
        &[
            "bench",
            "-p",
            "session-store",
            "-p",
            "session-e2e",
            "--bench",
            "summaries",
            "--profile",
            "dev",
            "--",
            "--warm-up-time",
            "1",
            "--measurement-time",
            "4",
        ],
        &root,
    )?;
    write_table(
        &root,
        "store",
        &table(&cmd::target_dir().join("criterion"))?,
    )
}

/// The index's time next to the scan's, for every account and for a tenth of them.
pub fn table(dir: &Path) -> Result<String> {
    let get = |func: &str| {
        mean_ns(dir, GROUP, func)?.with_context(|| format!("no result for {GROUP}/{func}"))
    };
    let mut out = String::from(
        "| `Summary` answer (100,000 messages, 2,000 (account, namespace), 500 expired unpurged) | summary index | bound: full scan, same run | ratio (scan / index) |\n\
         |---|---:|---:|---:|\n",
    );
    for (label, which) in [
        ("every account", "all"),
        ("a tenth of the accounts (one swarm's)", "tenth"),
    ] {
        let (index, scan) = (
            get(&format!("index_{which}"))?,
            get(&format!("scan_{which}"))?,
        );
        out.push_str(&format!(
            "| {label} | {:.2} ms | {:.2} ms | {:.0} |\n",
            index / 1e6,
            scan / 1e6,
            scan / index
        ));
    }
    Ok(out)
}
