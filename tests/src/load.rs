//! Shared by the load generators (`benches/`): a standalone node process and the timed phase
//! of concurrent HTTP clients.

use serde_json::json;
use std::sync::Arc;
use std::sync::atomic::{AtomicU64, Ordering};
use std::time::{Duration, Instant};

/// Concurrent clients.
pub const CLIENTS: usize = 64;
/// Length of one measured phase.
pub const PHASE: Duration = Duration::from_secs(8);

use crate::{b64, now_ms};

/// Runs `CLIENTS` clients for `PHASE` against `urls` (client i uses `urls[i % len]`): fresh
/// stores for the pubkeys in `bodies` when `fresh`, else the prepared `bodies` as they are.
/// Returns answered-200 requests per second.
pub async fn phase(bodies: Arc<Vec<String>>, urls: Arc<Vec<String>>, fresh: bool) -> f64 {
    let ok = Arc::new(AtomicU64::new(0));
    let deadline = Instant::now() + PHASE;
    let counter = Arc::new(AtomicU64::new(0));
    let tasks: Vec<_> = (0..CLIENTS)
        .map(|i| {
            let (ok, urls, bodies, counter) = (ok.clone(), urls.clone(), bodies.clone(), counter.clone());
            tokio::spawn(async move {
                let client = reqwest::Client::new();
                let url = urls[i % urls.len()].clone();
                while Instant::now() < deadline {
                    let body = if fresh {
                        let n = counter.fetch_add(1, Ordering::Relaxed);
                        let data = b64(format!("load {i} {n}").as_bytes());
                        json!({"method": "store", "params": {"pubkey": bodies[i % bodies.len()], "timestamp": now_ms(), "ttl": 3_600_000u64, "data": data}}).to_string()
                    } else {
                        bodies[i % bodies.len()].clone()
                    };
                    let answered = match client.post(&url).body(body).send().await {
                        Ok(r) => r.status().as_u16() == 200 && r.bytes().await.is_ok(),
                        Err(_) => false,
                    };
                    if answered {
                        ok.fetch_add(1, Ordering::Relaxed);
                    }
                }
            })
        })
        .collect();
    let start = Instant::now();
    for t in tasks {
        t.await.expect("client task");
    }
    #[allow(clippy::cast_precision_loss)]
    let answered = ok.load(Ordering::Relaxed) as f64;
    answered / start.elapsed().as_secs_f64()
}

/// Starts a standalone `session-node` (no rate limit) on a free port in `dir`; returns the
/// process and its storage RPC URL.
pub fn standalone(dir: &std::path::Path) -> (std::process::Child, String) {
    let (child, base) = standalone_node(dir, false);
    (child, format!("{base}/storage_rpc/v1"))
}

/// Starts a standalone `session-node` on a free port of 127.0.0.1 with its data in `dir`, its
/// per-IP rate limiter on or off; returns the process and its base URL (`http://ADDR`).
pub fn standalone_node(dir: &std::path::Path, rate_limit: bool) -> (std::process::Child, String) {
    use std::io::BufRead as _;
    let mut cmd = std::process::Command::new(crate::bin("session-node"));
    cmd.args(["--standalone", "--print-addr", "--listen", "127.0.0.1:0"]);
    if !rate_limit {
        cmd.arg("--no-rate-limit");
    }
    let mut child = cmd
        .arg("--data-dir")
        .arg(dir)
        .env("RUST_LOG", "warn")
        .stdout(std::process::Stdio::piped())
        .spawn()
        .expect("session-node starts");
    let mut line = String::new();
    std::io::BufReader::new(child.stdout.take().expect("piped stdout"))
        .read_line(&mut line)
        .expect("address line");
    let base = format!("http://{}", line.trim().trim_start_matches("listening on "));
    (child, base)
}
