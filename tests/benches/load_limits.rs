//! The full load-and-limits run for `cargo xtask bench load` (issue 21; not a timed test): 1,000
//! concurrent clients on 250 loopback source addresses for 60 s against a standalone
//! `session-node` with its per-IP rate limiter on (the harness and its checks:
//! `session_e2e::limits`). Writes `$CARGO_TARGET_DIR/session-bench/load.json`, then fails if a
//! check failed. `SESSION_LOAD_SECS=N` changes the duration, `SESSION_LOAD_CLIENTS=N` the number
//! of clients (the hot ones stay 4 × 100).
#![allow(clippy::unwrap_used, clippy::expect_used, missing_docs)]

use session_e2e::limits::{Plan, run_standalone};
use std::time::Duration;

fn env_or(name: &str, default: usize) -> usize {
    std::env::var(name)
        .ok()
        .and_then(|v| v.parse().ok())
        .unwrap_or(default)
}

fn main() {
    if std::env::args().any(|a| a == "--list" || a == "--test") {
        return; // `cargo test --benches` / `--list` probes: nothing to do
    }
    let plan = Plan {
        clients: env_or("SESSION_LOAD_CLIENTS", 1_000),
        addresses: 250,
        hot_addresses: 4,
        hot_clients_per_address: 100,
        accounts_per_client: 2,
        duration: Duration::from_secs(env_or("SESSION_LOAD_SECS", 60) as u64),
        light_pause: Duration::from_secs(1),
        recovery: Duration::from_secs(30),
    };
    let rt = tokio::runtime::Builder::new_multi_thread()
        .worker_threads(2)
        .enable_all()
        .build()
        .unwrap();
    let mut report = rt.block_on(run_standalone(plan));
    // How busy the machine was: the 1-minute load average at the end of the run.
    let load = std::fs::read_to_string("/proc/loadavg").unwrap_or_default();
    report.json["loadavg_1m"] = load
        .split_whitespace()
        .next()
        .and_then(|v| v.parse::<f64>().ok())
        .into();
    println!("{:#}", report.json);
    let out = std::path::PathBuf::from(env!("CARGO_TARGET_TMPDIR")).join("../session-bench");
    std::fs::create_dir_all(&out).unwrap();
    std::fs::write(out.join("load.json"), report.json.to_string()).unwrap();
    assert!(report.failures().is_empty(), "{:#?}", report.failures());
}
