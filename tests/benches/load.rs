//! Load generator for `cargo xtask bench node` (not a timed test): starts `session-node` on
//! loopback, drives it with 64 concurrent HTTP clients, and measures stores/s and authenticated
//! retrieves/s next to the raw Ed25519 rates of this machine measured in the same run, then the
//! latency of each at half its saturating rate. With two or more cores and `taskset`
//! (util-linux), the node is pinned to core 0 and this generator to core 1, and the bounds are
//! one core's sign and verify rates (the faster of dalek and libsodium, measured on core 0
//! before the node starts): the node's per-core figures. Writes
//! `$CARGO_TARGET_DIR/session-bench/node.json`.
#![allow(clippy::unwrap_used, clippy::expect_used, missing_docs)]

use serde_json::json;
use session_crypto::{IdentityKeys, Seed};
use std::sync::Arc;
use std::time::{Duration, Instant};

use session_e2e::load::{CLIENTS, PHASE, Paced, paced, phase, standalone_on};
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

/// Pins every thread of process `pid` to `core` with `taskset`; false when that is not possible.
fn pin(pid: u32, core: usize) -> bool {
    std::process::Command::new("taskset")
        .args(["-a", "-p", "-c", &core.to_string(), &pid.to_string()])
        .stdout(std::process::Stdio::null())
        .status()
        .is_ok_and(|s| s.success())
}

/// Calls of `f` per second over `secs` seconds on this thread.
fn rate(secs: u64, mut f: impl FnMut()) -> f64 {
    let (mut n, t) = (0u64, Instant::now());
    while t.elapsed() < Duration::from_secs(secs) {
        f();
        n += 1;
    }
    n as f64 / t.elapsed().as_secs_f64()
}

/// One thread's Ed25519 signs and verifies per second (2 s each), each the faster of ours
/// (dalek) and libsodium's, as `bench crypto` compares them: the bound is the better
/// implementation.
fn one_core_rates() -> (f64, f64) {
    let keys = IdentityKeys::from_seed(Seed::from_bytes([2; 32]));
    let lib = session_sodium_ref::sign_seed_keypair(&[2; 32]);
    let msg = b"store1700000000000";
    let (sig, pk) = (keys.sign(msg), keys.ed25519_public());
    let sign = rate(2, || {
        std::hint::black_box(keys.sign(std::hint::black_box(msg)));
    })
    .max(rate(2, || {
        std::hint::black_box(session_sodium_ref::sign_detached(&lib.sk, msg));
    }));
    let verify = rate(2, || pk.verify(msg, &sig, "bench").unwrap()).max(rate(2, || {
        assert!(session_sodium_ref::verify_detached(
            pk.as_bytes(),
            msg,
            &sig
        ));
    }));
    (sign, verify)
}

/// A paced phase's figures for the report.
fn half_load(p: &Paced) -> serde_json::Value {
    json!({"per_s": p.sent_per_s, "p50_ms": p.p50_ms, "p99_ms": p.p99_ms, "failed_share": p.failed_share})
}

fn main() {
    if std::env::args().any(|a| a == "--list" || a == "--test") {
        return; // `cargo test --benches` / `--list` probes: nothing to do
    }
    let verify = verify_rate(); // before any pinning: every core
    let cores = std::thread::available_parallelism().map_or(1, |n| n.get());
    let me = std::process::id();
    let pinned = cores >= 2 && pin(me, 0);
    let (sign_one, verify_one) = one_core_rates();
    let dir = tempfile::tempdir().unwrap();
    // Pinned from its start (taskset execs the node, so the pid is the node's).
    let (mut child, base) = standalone_on(dir.path(), false, pinned.then_some(0));
    let url = format!("{base}/storage_rpc/v1");
    let pinned = pinned && pin(me, 1);

    let rt = tokio::runtime::Builder::new_multi_thread()
        .worker_threads(2)
        .enable_all()
        .build()
        .unwrap();
    let users: Vec<IdentityKeys> = (0..CLIENTS)
        .map(|i| IdentityKeys::from_seed(Seed::from_bytes([i as u8 + 1; 32])))
        .collect();
    let pubkeys: Vec<String> = users.iter().map(|u| u.session_id().to_string()).collect();
    let urls = Arc::new(vec![url.clone()]);
    let pubkeys = Arc::new(pubkeys);
    let stores = rt.block_on(phase(pubkeys.clone(), urls.clone(), true));
    let store_half = rt.block_on(paced(pubkeys, url.clone(), true, stores / 2.0));
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
    let retrieves = Arc::new(retrieves);
    let retrieve_rate = rt.block_on(phase(retrieves.clone(), urls, false));
    let retrieve_half = rt.block_on(paced(retrieves, url, false, retrieve_rate / 2.0));
    let _ = child.kill();
    let _ = child.wait();
    let report = json!({
        "clients": CLIENTS,
        "phase_secs": PHASE.as_secs(),
        "store_per_s": stores,
        "retrieve_per_s": retrieve_rate,
        "ed25519_verify_per_s_all_cores": verify,
        "retrieve_over_verify": retrieve_rate / verify,
        "pinned": pinned,
        "ed25519_sign_per_s_one_core": sign_one,
        "ed25519_verify_per_s_one_core": verify_one,
        "store_over_sign_one_core": stores / sign_one,
        "retrieve_over_verify_one_core": retrieve_rate / verify_one,
        "node_build": std::env::var("SESSION_NODE_BUILD").unwrap_or_else(|_| "dev".into()),
        "store_half_load": half_load(&store_half),
        "retrieve_half_load": half_load(&retrieve_half),
    });
    println!("{report:#}");
    let out = std::path::PathBuf::from(env!("CARGO_TARGET_TMPDIR")).join("../session-bench");
    std::fs::create_dir_all(&out).unwrap();
    std::fs::write(out.join("node.json"), report.to_string()).unwrap();
}
