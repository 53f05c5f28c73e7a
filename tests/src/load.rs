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
            let (ok, urls, bodies, counter) =
                (ok.clone(), urls.clone(), bodies.clone(), counter.clone());
            tokio::spawn(async move {
                let client = reqwest::Client::new();
                let url = urls[i % urls.len()].clone();
                while Instant::now() < deadline {
                    let n = if fresh {
                        counter.fetch_add(1, Ordering::Relaxed)
                    } else {
                        0
                    };
                    let body = request_body(&bodies, i, fresh.then(|| format!("load {i} {n}")));
                    if send(&client, &url, body).await {
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

/// Client `i`'s request: a fresh store of `data` for pubkey `bodies[i]`, or with no `data` the
/// prepared body `bodies[i]` itself (both modulo the list's length).
fn request_body(bodies: &[String], i: usize, data: Option<String>) -> String {
    let item = &bodies[i % bodies.len()];
    match data {
        Some(data) => json!({"method": "store", "params": {"pubkey": item, "timestamp": now_ms(),
            "ttl": 3_600_000u64, "data": b64(data.as_bytes())}})
        .to_string(),
        None => item.clone(),
    }
}

/// Posts `body` to `url`; true when it was answered 200 with a whole body.
async fn send(client: &reqwest::Client, url: &str, body: String) -> bool {
    match client.post(url).body(body).send().await {
        Ok(r) => r.status().as_u16() == 200 && r.bytes().await.is_ok(),
        Err(_) => false,
    }
}

/// Latencies of a paced phase.
#[derive(Debug, Clone, Copy)]
pub struct Paced {
    /// Requests sent per second (the pace kept).
    pub sent_per_s: f64,
    /// Share of requests not answered 200.
    pub failed_share: f64,
    /// Median latency, ms.
    pub p50_ms: f64,
    /// 99th percentile latency, ms.
    pub p99_ms: f64,
}

/// Sends `rate` requests per second for `PHASE`, spread over `CLIENTS` clients, each on a fixed
/// schedule (open loop): a request's latency counts from when it was due if the client was still
/// waiting for its previous answer then, so a node that falls behind shows in the tail instead
/// of slowing the senders (no coordinated omission). Bodies as in [`phase`].
pub async fn paced(bodies: Arc<Vec<String>>, url: String, fresh: bool, rate: f64) -> Paced {
    let interval = Duration::from_secs_f64(CLIENTS as f64 / rate.max(1.0));
    let start = Instant::now() + Duration::from_millis(100);
    let tasks: Vec<_> = (0..CLIENTS)
        .map(|i| {
            let (bodies, url) = (bodies.clone(), url.clone());
            tokio::spawn(async move {
                let client = reqwest::Client::new();
                // Clients start spread over one interval, so the arrivals are even.
                let mut due = start + interval.mul_f64(i as f64 / CLIENTS as f64);
                let (mut latencies, mut failed, mut n) = (Vec::new(), 0u64, 0u64);
                while due < start + PHASE {
                    // Late because the last answer was late: the wait counts (no coordinated
                    // omission). Late only because the timer ticks in whole milliseconds: it
                    // does not (that is the generator's, not the node's).
                    let slept = Instant::now() < due;
                    tokio::time::sleep_until(due.into()).await;
                    let sent = if slept { Instant::now() } else { due };
                    n += 1;
                    let body = request_body(&bodies, i, fresh.then(|| format!("paced {i} {n}")));
                    let answered = send(&client, &url, body).await;
                    latencies.push(sent.elapsed());
                    failed += u64::from(!answered);
                    due += interval;
                }
                (latencies, failed)
            })
        })
        .collect();
    let (mut all, mut failed) = (Vec::new(), 0u64);
    for t in tasks {
        let (l, f) = t.await.expect("client task");
        all.extend(l);
        failed += f;
    }
    summarise(all, failed)
}

/// The pace, failures and percentiles of a paced phase's latencies.
#[allow(clippy::cast_precision_loss)]
fn summarise(mut latencies: Vec<Duration>, failed: u64) -> Paced {
    latencies.sort_unstable();
    let at = |q: f64| {
        let i = ((latencies.len() as f64 * q).ceil() as usize).saturating_sub(1);
        latencies.get(i).map_or(f64::NAN, |d| d.as_secs_f64() * 1e3)
    };
    Paced {
        sent_per_s: latencies.len() as f64 / PHASE.as_secs_f64(),
        failed_share: failed as f64 / latencies.len().max(1) as f64,
        p50_ms: at(0.50),
        p99_ms: at(0.99),
    }
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
    standalone_on(dir, rate_limit, None)
}

/// [`standalone_node`], started under `taskset -c CORE` when `core` is given: from its first
/// instruction the node sees one core, and sizes its threads for one (tokio's workers, the
/// request executor), as a node on a one-core machine would.
pub fn standalone_on(
    dir: &std::path::Path,
    rate_limit: bool,
    core: Option<usize>,
) -> (std::process::Child, String) {
    use std::io::BufRead as _;
    let node = crate::bin("session-node");
    let mut cmd = match core {
        Some(core) => {
            let mut c = std::process::Command::new("taskset");
            c.args(["-c", &core.to_string()]).arg(node);
            c
        }
        None => std::process::Command::new(node),
    };
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

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn percentiles_are_nearest_rank() {
        let ms = |n: u64| Duration::from_millis(n);
        let p = summarise((1..=100).rev().map(ms).collect(), 5);
        assert_eq!((p.p50_ms, p.p99_ms), (50.0, 99.0));
        assert!((p.failed_share - 0.05).abs() < 1e-9);
        assert!((p.sent_per_s - 100.0 / PHASE.as_secs_f64()).abs() < 1e-9);
        assert!(summarise(Vec::new(), 0).p99_ms.is_nan());
    }
}
