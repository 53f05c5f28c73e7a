//! Load generator for `cargo xtask bench node` (not a timed test): starts a release
//! `session-node` on loopback, drives it with 64 concurrent HTTP clients, and measures stores/s
//! and authenticated retrieves/s next to the raw Ed25519-verify rate of this machine (all
//! cores) measured in the same run. Writes `$CARGO_TARGET_DIR/session-bench/node.json`.
#![allow(clippy::unwrap_used, clippy::expect_used, missing_docs)]

use serde_json::json;
use session_crypto::{IdentityKeys, Seed};
use std::sync::Arc;
use std::time::{Duration, Instant};

use session_e2e::load::{CLIENTS, PHASE, phase, standalone};
use session_e2e::{b64, now_ms};

/// Ed25519 verifications per second using every core.
fn verify_rate() -> f64 {
    let keys = IdentityKeys::from_seed(Seed::from_bytes([1; 32]));
    let msg = b"retrieve1700000000000";
    let sig = keys.sign(msg);
    let pk = keys.ed25519_public();
    let threads = std::thread::available_parallelism()
        .map(|n| n.get())
        .unwrap_or(1);
    let start = Instant::now();
    let handles: Vec<_> = (0..threads)
        .map(|_| {
            std::thread::spawn(move || {
                let mut n = 0u64;
                let t = Instant::now();
                while t.elapsed() < Duration::from_secs(3) {
                    pk.verify(msg, &sig, "bench").unwrap();
                    n += 1;
                }
                n
            })
        })
        .collect();
    let total: u64 = handles.into_iter().map(|h| h.join().unwrap()).sum();
    total as f64 / start.elapsed().as_secs_f64()
}

fn main() {
    if std::env::args().any(|a| a == "--list" || a == "--test") {
        return; // `cargo test --benches` / `--list` probes: nothing to do
    }
    let dir = tempfile::tempdir().unwrap();
    let (mut child, url) = standalone(dir.path());

    let verify = verify_rate();
    let rt = tokio::runtime::Builder::new_multi_thread()
        .worker_threads(2)
        .enable_all()
        .build()
        .unwrap();
    let users: Vec<IdentityKeys> = (0..CLIENTS)
        .map(|i| IdentityKeys::from_seed(Seed::from_bytes([i as u8 + 1; 32])))
        .collect();
    let pubkeys: Vec<String> = users.iter().map(|u| u.session_id().to_string()).collect();
    let urls = Arc::new(vec![url]);
    let stores = rt.block_on(phase(Arc::new(pubkeys), urls.clone(), true));
    // One pre-signed retrieve per client (valid for the ±60 s window), so the load generator
    // spends no CPU on signing while the node verifies every request.
    let ts = now_ms();
    let retrieves: Vec<String> = users
        .iter()
        .map(|u| {
            let params = json!({"pubkey": u.session_id().to_string(), "pubkey_ed25519": hex::encode(u.ed25519_public().as_bytes()),
                "timestamp": ts, "signature": b64(&u.sign(format!("retrieve{ts}").as_bytes())), "max_count": 1});
            json!({"method": "retrieve", "params": params}).to_string()
        })
        .collect();
    let retrieve_rate = rt.block_on(phase(Arc::new(retrieves), urls, false));
    let _ = child.kill();
    let _ = child.wait();
    let report = json!({
        "clients": CLIENTS,
        "phase_secs": PHASE.as_secs(),
        "store_per_s": stores,
        "retrieve_per_s": retrieve_rate,
        "ed25519_verify_per_s_all_cores": verify,
        "retrieve_over_verify": retrieve_rate / verify,
    });
    println!("{report:#}");
    let out = std::path::PathBuf::from(env!("CARGO_TARGET_TMPDIR")).join("../session-bench");
    std::fs::create_dir_all(&out).unwrap();
    std::fs::write(out.join("node.json"), report.to_string()).unwrap();
}
