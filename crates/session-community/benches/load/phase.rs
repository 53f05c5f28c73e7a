//! One measured phase: every client sends its signed requests one after another over its own
//! connection; and the CPU time the server's and the clients' threads spent meanwhile.

use crate::requests::Signed;
use std::sync::Arc;
use std::time::Instant;

/// Thread-name prefixes of the two runtimes (`/proc/…/comm` keeps 15 bytes).
pub const SERVER_THREADS: &str = "sogs-server";
pub const CLIENT_THREADS: &str = "sogs-client";

/// What a phase measured.
#[derive(Debug)]
pub struct Outcome {
    /// Requests answered with the expected status.
    pub ok: u64,
    /// Requests that failed (transport error, other status, short answer).
    pub failed: u64,
    /// Wall time from the first request to the last answer.
    pub secs: f64,
    /// CPU seconds of the server's threads (async workers and blocking pool).
    pub server_cpu: f64,
    /// CPU seconds of the clients' threads.
    pub client_cpu: f64,
    /// The first failure, for the report.
    pub first_failure: Option<String>,
}

impl Outcome {
    /// Answered requests per second.
    pub fn per_s(&self) -> f64 {
        self.ok as f64 / self.secs
    }
}

/// CPU seconds (user + system) used so far by this process's threads named `prefix…` (0 where
/// `/proc` is missing). Threads that have exited no longer count: the server's runtime keeps
/// its blocking threads alive for the whole run.
pub fn cpu_secs(prefix: &str) -> f64 {
    let Ok(tasks) = std::fs::read_dir("/proc/self/task") else {
        return 0.0;
    };
    let mut ticks = 0u64;
    for t in tasks.flatten() {
        let Ok(stat) = std::fs::read_to_string(t.path().join("stat")) else {
            continue;
        };
        let (Some(open), Some(close)) = (stat.find('('), stat.rfind(')')) else {
            continue;
        };
        if !stat[open + 1..close].starts_with(prefix) {
            continue;
        }
        // After the name: state (field 3) … utime (14), stime (15).
        let f: Vec<&str> = stat[close + 1..].split_whitespace().collect();
        ticks += f.get(11).and_then(|v| v.parse::<u64>().ok()).unwrap_or(0);
        ticks += f.get(12).and_then(|v| v.parse::<u64>().ok()).unwrap_or(0);
    }
    ticks as f64 / 100.0 // USER_HZ
}

/// Runs one phase: client `i` sends `reqs[i]` to `base` in order; a request counts when it is
/// answered `expect`, and (with `len`) the first answer of each client must be a JSON array of
/// `len` items.
pub async fn run(base: &str, reqs: Vec<Vec<Signed>>, expect: u16, len: Option<usize>) -> Outcome {
    let base: Arc<str> = base.into();
    let (server0, client0) = (cpu_secs(SERVER_THREADS), cpu_secs(CLIENT_THREADS));
    let start = Instant::now();
    let tasks: Vec<_> = reqs
        .into_iter()
        .map(|mine| tokio::spawn(client(base.clone(), mine, expect, len)))
        .collect();
    let (mut ok, mut failed, mut first_failure) = (0, 0, None);
    for t in tasks {
        let (o, f, why) = t.await.expect("client task");
        ok += o;
        failed += f;
        first_failure = first_failure.or(why);
    }
    Outcome {
        ok,
        failed,
        secs: start.elapsed().as_secs_f64(),
        server_cpu: cpu_secs(SERVER_THREADS) - server0,
        client_cpu: cpu_secs(CLIENT_THREADS) - client0,
        first_failure,
    }
}

async fn client(
    base: Arc<str>,
    reqs: Vec<Signed>,
    expect: u16,
    len: Option<usize>,
) -> (u64, u64, Option<String>) {
    let http = reqwest::Client::new();
    let (mut ok, mut failed, mut why) = (0, 0, None);
    for (j, r) in reqs.into_iter().enumerate() {
        let method = if r.method == "GET" {
            reqwest::Method::GET
        } else {
            reqwest::Method::POST
        };
        let mut b = http.request(method, format!("{base}{}", r.target));
        for (n, v) in r.headers.pairs() {
            b = b.header(n, v);
        }
        if !r.body.is_empty() {
            b = b.header("content-type", "application/json").body(r.body);
        }
        let answer = match b.send().await {
            Ok(resp) => {
                let code = resp.status().as_u16();
                resp.bytes()
                    .await
                    .map(|body| (code, body))
                    .map_err(|e| e.to_string())
            }
            Err(e) => Err(e.to_string()),
        };
        let problem = match answer {
            Err(e) => Some(e),
            Ok((code, body)) if code != expect => {
                Some(format!("{code}: {}", String::from_utf8_lossy(&body)))
            }
            Ok((_, body)) => match len.filter(|_| j == 0) {
                Some(n) => match serde_json::from_slice::<Vec<serde_json::Value>>(&body) {
                    Ok(items) if items.len() == n => None,
                    Ok(items) => Some(format!("{} items, not {n}", items.len())),
                    Err(e) => Some(format!("not a JSON array: {e}")),
                },
                None => None,
            },
        };
        match problem {
            None => ok += 1,
            Some(p) => {
                failed += 1;
                why.get_or_insert(p);
            }
        }
    }
    (ok, failed, why)
}
