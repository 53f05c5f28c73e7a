//! The load-and-limits run (issue 21), shared by the `load_limits` scenario family (short form)
//! and `cargo xtask bench load` (full form): many concurrent storage clients, each a tokio task
//! with its own HTTP client bound to its own loopback source address `127.10.x.y`, store into
//! their own accounts on a standalone `session-node` whose per-IP rate limiter is on (600
//! tokens, +300/s per address). A few *hot* addresses carry many clients that store as fast as
//! the node answers, so they go over the limit; the other addresses carry two or three paced
//! clients each and stay far under it. A client answered 429 backs off (exponentially, with
//! jitter) and retries the same message; after the run, a client whose last answer was a 429
//! keeps retrying until a store goes through (or [`Plan::recovery`] runs out).
//!
//! Afterwards every account is read back through signed `retrieve`s (`read_back`) and
//! [`Report::failures`] lists what broke: an acknowledged store missing or with other bytes, a
//! message stored twice (a store answered 429 must not have been kept), a message nobody sent,
//! a 429 on an address under the limit, an over-limit client that never got a store through
//! again, errors (5xx, other statuses, connection failures) beyond [`ERROR_TOLERANCE`], the
//! node's peak RSS over its bound ([`rss_bound_kib`]), or `/info` not answering after the run.
//!
//! Odd clients make signed stores to namespace 1 (the node verifies an Ed25519 signature),
//! even clients unsigned stores to the public inbox (namespace 0).

use crate::{b64, now_ms};
use rand::rngs::StdRng;
use rand::{RngExt as _, SeedableRng as _};
use serde_json::{Value, json};
use session_crypto::{IdentityKeys, Seed};
use std::collections::{BTreeMap, HashMap};
use std::net::{IpAddr, Ipv4Addr};
use std::sync::Arc;
use std::sync::atomic::{AtomicBool, Ordering};
use std::time::{Duration, Instant};

/// Errors (5xx, statuses other than 200/429, connection failures and timeouts) tolerated, as a
/// share of all requests; each is reported by kind.
pub const ERROR_TOLERANCE: f64 = 0.001;

/// The node's peak RSS may be at most this multiple of its idle RSS (measured at start in the
/// same run) plus the store's own memory budgets ([`rss_bound_kib`]).
pub const RSS_IDLE_FACTOR: u64 = 3;

/// The bound on the node's peak RSS for an idle RSS of `idle_kib`: `RSS_IDLE_FACTOR` × idle
/// (the idle process, and twice that again for 1,000 open connections with their buffers and
/// the blocking pool's threads: they measured about one idle RSS) plus 2 ×
/// [`session_store::MEMTABLE_BUDGET`] (the memtables being filled and those being flushed) plus
/// [`session_store::BLOCK_CACHE`]. It does not grow with the messages stored: a run of any
/// length must stay under it.
pub fn rss_bound_kib(idle_kib: u64) -> u64 {
    let store = 2 * session_store::MEMTABLE_BUDGET + session_store::BLOCK_CACHE;
    RSS_IDLE_FACTOR * idle_kib + store as u64 / 1024
}

/// The shape of one run.
#[derive(Clone, Debug)]
pub struct Plan {
    /// Concurrent clients.
    pub clients: usize,
    /// Source addresses in all (hot ones included).
    pub addresses: usize,
    /// Addresses that carry [`Plan::hot_clients_per_address`] clients each, storing flat out.
    pub hot_addresses: usize,
    /// Clients on each hot address (below the node's 128 connections per IP).
    pub hot_clients_per_address: usize,
    /// Accounts each client stores into (round robin).
    pub accounts_per_client: usize,
    /// How long clients start new stores.
    pub duration: Duration,
    /// A client on an address under the limit waits this long after each accepted store.
    pub light_pause: Duration,
    /// Time after [`Plan::duration`] for clients last answered 429 to get a store through.
    pub recovery: Duration,
}

impl Plan {
    /// The source address of `client`: hot clients fill the first addresses, the others are
    /// spread round robin over the rest.
    pub fn address_of(&self, client: usize) -> Ipv4Addr {
        let hot = self.hot_addresses * self.hot_clients_per_address;
        let index = if client < hot {
            client / self.hot_clients_per_address
        } else {
            self.hot_addresses + (client - hot) % (self.addresses - self.hot_addresses)
        };
        address(10, index)
    }

    /// Whether `client` is on a hot address.
    pub fn is_hot(&self, client: usize) -> bool {
        client < self.hot_addresses * self.hot_clients_per_address
    }

    fn check(&self) {
        assert!(
            self.hot_addresses < self.addresses
                && self.hot_addresses * self.hot_clients_per_address < self.clients
                && self.hot_clients_per_address < 128,
            "a plan needs light clients beside the hot ones, and hot addresses under the \
             node's 128 connections per IP: {self:?}"
        );
    }
}

/// The `index`-th address of the block `127.<block>.x.y` (y in 1..=250).
fn address(block: u8, index: usize) -> Ipv4Addr {
    let (hi, lo) = (index / 250, index % 250 + 1);
    Ipv4Addr::new(
        127,
        block,
        u8::try_from(hi).expect("fewer than 64,000 addresses"),
        u8::try_from(lo).expect("lo ≤ 250"),
    )
}

/// One store the node answered 200.
#[derive(Clone, Debug)]
struct Acked {
    account: usize,
    hash: String,
    data: Vec<u8>,
}

/// What one client saw.
#[derive(Debug, Default)]
struct ClientLog {
    requests: u64,
    ok: u64,
    ok_in_run: u64,
    too_many: u64,
    errors: BTreeMap<String, u64>,
    acked: Vec<Acked>,
    /// Messages whose store had no usable answer (maybe stored).
    maybe: Vec<Vec<u8>>,
    last_429: Option<Instant>,
    last_ok: Option<Instant>,
}

/// The accounts of `client` (deterministic, so a run can be repeated).
fn accounts(plan: &Plan, client: usize) -> Vec<IdentityKeys> {
    (0..plan.accounts_per_client)
        .map(|a| {
            let n = u32::try_from(client * plan.accounts_per_client + a).expect("fits");
            let mut seed = [0x5a; 32];
            seed[..4].copy_from_slice(&n.to_be_bytes());
            IdentityKeys::from_seed(Seed::from_bytes(seed))
        })
        .collect()
}

/// The namespace a client stores into: signed namespace 1 for odd clients, else the public
/// inbox.
fn namespace(client: usize) -> i16 {
    i16::from(client % 2 == 1)
}

/// The store request for `data` into `keys`' namespace `ns`, stamped now.
fn store_body(keys: &IdentityKeys, ns: i16, data: &[u8]) -> String {
    let ts = now_ms();
    let mut params = json!({"pubkey": keys.session_id().to_string(), "timestamp": ts,
        "ttl": 3_600_000u64, "data": b64(data)});
    if ns != 0 {
        params["namespace"] = json!(ns);
        params["pubkey_ed25519"] = json!(hex::encode(keys.ed25519_public().as_bytes()));
        params["signature"] = json!(b64(&keys.sign(format!("store{ns}{ts}").as_bytes())));
    }
    json!({"method": "store", "params": params}).to_string()
}

/// A message's bytes: who sent it, its number, and 32-288 bytes of noise.
fn message(client: usize, seq: u64, rng: &mut StdRng) -> Vec<u8> {
    let mut data = format!("limits c{client} s{seq} ").into_bytes();
    let noise = rng.random_range(32..=288);
    data.extend((0..noise).map(|_| rng.random::<u8>()));
    data
}

/// The outcome of one request, by kind.
enum Outcome {
    Ok(String),
    TooMany,
    Error(String),
}

async fn send(http: &reqwest::Client, url: &str, body: String) -> Outcome {
    match http.post(url).body(body).send().await {
        Ok(r) => {
            let status = r.status().as_u16();
            match (status, r.bytes().await) {
                (200, Ok(b)) => {
                    let v: Value = serde_json::from_slice(&b).unwrap_or(Value::Null);
                    match v["hash"].as_str() {
                        Some(h) => Outcome::Ok(h.to_owned()),
                        None => Outcome::Error("200 without a hash".into()),
                    }
                }
                (429, _) => Outcome::TooMany,
                (200, Err(e)) => Outcome::Error(error_kind(&e)),
                (s, _) => Outcome::Error(format!("status {s}")),
            }
        }
        Err(e) => Outcome::Error(error_kind(&e)),
    }
}

fn error_kind(e: &reqwest::Error) -> String {
    if e.is_timeout() {
        "timeout".into()
    } else if e.is_connect() {
        "connect".into()
    } else if e.is_body() || e.is_decode() {
        "body".into()
    } else {
        // hyper's text says what ended the exchange (reset, closed before an answer …).
        let mut text = e.to_string();
        let mut src = std::error::Error::source(e);
        while let Some(s) = src {
            text = s.to_string();
            src = s.source();
        }
        format!("request: {text}")
    }
}

/// An HTTP client bound to `addr` (one connection reused while the node keeps it open).
fn client_at(addr: Ipv4Addr) -> reqwest::Client {
    reqwest::Client::builder()
        .local_address(IpAddr::V4(addr))
        .pool_max_idle_per_host(1)
        .timeout(Duration::from_secs(30))
        .build()
        .expect("HTTP client")
}

/// One client's loop (see the module doc).
async fn client(plan: Arc<Plan>, url: Arc<String>, i: usize, start: Instant) -> ClientLog {
    let keys = accounts(&plan, i);
    let ns = namespace(i);
    let http = client_at(plan.address_of(i));
    let (deadline, end) = (start + plan.duration, start + plan.duration + plan.recovery);
    let mut rng = StdRng::seed_from_u64(i as u64);
    let mut log = ClientLog::default();
    let (mut seq, mut backoff_ms) = (0u64, 25u64);
    let mut pending: Option<(usize, Vec<u8>)> = None;
    // Light clients start spread over one pause, so they do not arrive in step.
    if !plan.is_hot(i) {
        let ms = u64::try_from(plan.light_pause.as_millis()).unwrap_or(1000);
        tokio::time::sleep(Duration::from_millis(rng.random_range(0..=ms))).await;
    }
    loop {
        let now = Instant::now();
        let recovering = log.last_429 > log.last_ok;
        if now >= end || (now >= deadline && !recovering) {
            break;
        }
        let (account, data) = pending.take().unwrap_or_else(|| {
            seq += 1;
            let account = usize::try_from(seq).expect("fits") % keys.len();
            (account, message(i, seq, &mut rng))
        });
        log.requests += 1;
        match send(&http, &url, store_body(&keys[account], ns, &data)).await {
            Outcome::Ok(hash) => {
                log.ok += 1;
                if Instant::now() <= deadline {
                    log.ok_in_run += 1;
                }
                log.last_ok = Some(Instant::now());
                log.acked.push(Acked {
                    account,
                    hash,
                    data,
                });
                backoff_ms = 25;
                if !plan.is_hot(i) {
                    tokio::time::sleep(plan.light_pause).await;
                }
            }
            Outcome::TooMany => {
                log.too_many += 1;
                log.last_429 = Some(Instant::now());
                pending = Some((account, data));
                let jitter = rng.random_range(backoff_ms / 2..=backoff_ms * 3 / 2);
                tokio::time::sleep(Duration::from_millis(jitter)).await;
                backoff_ms = (backoff_ms * 2).min(1_000);
            }
            Outcome::Error(kind) => {
                *log.errors.entry(kind).or_default() += 1;
                log.maybe.push(data);
                tokio::time::sleep(Duration::from_millis(100)).await;
            }
        }
    }
    log
}

/// The node's resident memory, sampled from `/proc/PID/status` until stopped.
pub struct RssSampler {
    stop: Arc<AtomicBool>,
    thread: std::thread::JoinHandle<Sampled>,
}

/// What [`RssSampler`] saw.
#[derive(Debug, Default)]
pub struct Sampled {
    /// The largest `VmRSS` sampled, KiB.
    pub peak_rss: u64,
    /// The largest `VmHWM` read (the kernel's own peak), KiB.
    pub hwm: u64,
    /// `VmRSS` once a second from the start, KiB (to see whether it levels off).
    pub series: Vec<u64>,
    /// The store's memory by part every 5 s (RocksDB's counters, from `/info`).
    pub store: Vec<Value>,
}

/// `VmRSS` and `VmHWM` of `pid` in KiB (0 when unreadable).
pub fn rss_kib(pid: u32) -> (u64, u64) {
    let text = std::fs::read_to_string(format!("/proc/{pid}/status")).unwrap_or_default();
    let field = |name: &str| {
        text.lines()
            .find_map(|l| l.strip_prefix(name))
            .and_then(|v| v.trim().trim_end_matches("kB").trim().parse().ok())
            .unwrap_or(0)
    };
    (field("VmRSS:"), field("VmHWM:"))
}

impl RssSampler {
    /// Samples `pid` every 50 ms.
    pub fn start(pid: u32) -> Self {
        let stop = Arc::new(AtomicBool::new(false));
        let flag = stop.clone();
        let thread = std::thread::spawn(move || {
            let mut out = Sampled::default();
            let start = Instant::now();
            while !flag.load(Ordering::Relaxed) {
                let (rss, hwm) = rss_kib(pid);
                (out.peak_rss, out.hwm) = (out.peak_rss.max(rss), out.hwm.max(hwm));
                if start.elapsed() >= Duration::from_secs(out.series.len() as u64) {
                    out.series.push(rss);
                }
                std::thread::sleep(Duration::from_millis(50));
            }
            out
        });
        Self { stop, thread }
    }

    /// Stops; returns what was sampled.
    pub fn stop(self) -> Sampled {
        self.stop.store(true, Ordering::Relaxed);
        self.thread.join().expect("sampler thread")
    }
}

/// What a run measured and found.
#[derive(Debug, Default)]
pub struct Report {
    /// The run's figures and findings as JSON (what the bench writes).
    pub json: Value,
    failures: Vec<String>,
}

impl Report {
    /// What broke; empty when the run passed every check.
    pub fn failures(&self) -> &[String] {
        &self.failures
    }
}

/// Runs `plan` against the node at `base` (`http://ADDR`, process `pid`) and checks it.
pub async fn run(plan: Plan, base: &str, pid: u32) -> Report {
    plan.check();
    let idle_kib = rss_kib(pid).0;
    let sampler = RssSampler::start(pid);
    let url = Arc::new(format!("{base}/storage_rpc/v1"));
    let plan = Arc::new(plan);
    let start = Instant::now();
    let tasks: Vec<_> = (0..plan.clients)
        .map(|i| tokio::spawn(client(plan.clone(), url.clone(), i, start)))
        .collect();
    let (stop_polling, stopped) = tokio::sync::oneshot::channel();
    let store_memory = tokio::spawn(poll_store_memory(base.to_owned(), stopped));
    let mut logs = Vec::with_capacity(tasks.len());
    for t in tasks {
        logs.push(t.await.expect("client task"));
    }
    let load_secs = start.elapsed().as_secs_f64();
    let _ = stop_polling.send(());
    let mut sampled = sampler.stop();
    sampled.store = store_memory.await.unwrap_or_default();
    let after_kib = rss_kib(pid).0;
    let info_ok = info_answers(base).await;
    let read = read_back(&plan, base).await;
    summarise(
        &plan, &logs, &read, idle_kib, &sampled, after_kib, load_secs, info_ok,
    )
}

/// Reads the node's `store_memory` (from `/info`) every 5 s until `stop`.
async fn poll_store_memory(
    base: String,
    mut stop: tokio::sync::oneshot::Receiver<()>,
) -> Vec<Value> {
    let http = client_at(address(11, 1));
    let mut series = Vec::new();
    loop {
        if let Ok(r) = http.get(format!("{base}/info")).send().await
            && let Ok(v) = r.json::<Value>().await
        {
            series.push(v["store_memory"].clone());
        }
        tokio::select! {
            _ = &mut stop => return series,
            () = tokio::time::sleep(Duration::from_secs(5)) => {}
        }
    }
}

/// `GET /info` answers 200 with the node's key.
async fn info_answers(base: &str) -> bool {
    let http = client_at(address(11, 0));
    match http.get(format!("{base}/info")).send().await {
        Ok(r) if r.status() == 200 => r
            .json::<Value>()
            .await
            .is_ok_and(|v| v["ed25519"].is_string()),
        _ => false,
    }
}

/// Every message of every account of the plan: (client, account) → hash → data.
type Held = HashMap<(usize, usize), HashMap<String, Vec<u8>>>;

/// Reads every account back through signed `retrieve`s (following `more`), from addresses of
/// its own (`127.11.x.y`), retrying a 429 or a failure after a pause.
async fn read_back(plan: &Plan, base: &str) -> Held {
    let url = Arc::new(format!("{base}/storage_rpc/v1"));
    let sem = Arc::new(tokio::sync::Semaphore::new(32));
    let mut tasks = Vec::new();
    for i in 0..plan.clients {
        let keys = accounts(plan, i);
        for (a, k) in keys.into_iter().enumerate() {
            let (url, sem) = (url.clone(), sem.clone());
            let http = client_at(address(11, 1 + (i * plan.accounts_per_client + a) % 200));
            tasks.push(tokio::spawn(async move {
                let _permit = sem.acquire().await.expect("semaphore");
                ((i, a), retrieve_all(&http, &url, &k, namespace(i)).await)
            }));
        }
    }
    let mut held = Held::new();
    for t in tasks {
        let (key, msgs) = t.await.expect("read-back task");
        held.insert(key, msgs);
    }
    held
}

async fn retrieve_all(
    http: &reqwest::Client,
    url: &str,
    keys: &IdentityKeys,
    ns: i16,
) -> HashMap<String, Vec<u8>> {
    use base64::Engine as _;
    let (mut out, mut last, mut failures) = (HashMap::new(), String::new(), 0);
    loop {
        let ts = now_ms();
        let sig_ns = if ns == 0 {
            String::new()
        } else {
            ns.to_string()
        };
        let signature = b64(&keys.sign(format!("retrieve{sig_ns}{ts}").as_bytes()));
        let params = json!({"pubkey": keys.session_id().to_string(),
            "pubkey_ed25519": hex::encode(keys.ed25519_public().as_bytes()), "namespace": ns,
            "timestamp": ts, "signature": signature, "last_hash": last});
        let body = json!({"method": "retrieve", "params": params});
        let reply = http.post(url).json(&body).send().await;
        let v: Option<Value> = match reply {
            Ok(r) if r.status() == 200 => r.json().await.ok(),
            _ => None,
        };
        let Some(v) = v else {
            failures += 1;
            assert!(failures < 100, "the node does not answer retrieves");
            tokio::time::sleep(Duration::from_millis(200)).await;
            continue;
        };
        for m in v["messages"].as_array().into_iter().flatten() {
            let (Some(h), Some(d)) = (m["hash"].as_str(), m["data"].as_str()) else {
                continue;
            };
            let data = base64::engine::general_purpose::STANDARD
                .decode(d)
                .unwrap_or_default();
            last = h.to_owned();
            out.insert(last.clone(), data);
        }
        if v["more"] != json!(true) {
            return out;
        }
    }
}

/// Counts and checks (see the module doc).
#[allow(clippy::too_many_arguments, clippy::cast_precision_loss)]
fn summarise(
    plan: &Plan,
    logs: &[ClientLog],
    held: &Held,
    idle_kib: u64,
    sampled: &Sampled,
    after_kib: u64,
    load_secs: f64,
    info_ok: bool,
) -> Report {
    let mut failures = Vec::new();
    let sum = |f: fn(&ClientLog) -> u64| logs.iter().map(f).sum::<u64>();
    let (requests, ok, ok_in_run, too_many) = (
        sum(|l| l.requests),
        sum(|l| l.ok),
        sum(|l| l.ok_in_run),
        sum(|l| l.too_many),
    );
    let mut errors: BTreeMap<String, u64> = BTreeMap::new();
    for l in logs {
        for (k, n) in &l.errors {
            *errors.entry(k.clone()).or_default() += n;
        }
    }
    let error_count: u64 = errors.values().sum();
    // Over-limit clients and their recovery; 429s on addresses under the limit.
    let over: Vec<usize> = (0..logs.len()).filter(|&i| logs[i].too_many > 0).collect();
    let stuck: Vec<usize> = over
        .iter()
        .copied()
        .filter(|&i| logs[i].last_ok < logs[i].last_429)
        .collect();
    let light_429: u64 = (0..logs.len())
        .filter(|&i| !plan.is_hot(i))
        .map(|i| logs[i].too_many)
        .sum();
    if too_many == 0 {
        failures.push("no client went over the rate limit (no 429 at all)".to_owned());
    }
    if !stuck.is_empty() {
        failures.push(format!(
            "{} over-limit clients never got a store through after their last 429 (e.g. client {})",
            stuck.len(),
            stuck[0]
        ));
    }
    if light_429 > 0 {
        failures.push(format!(
            "{light_429} answers 429 on addresses under the limit"
        ));
    }
    if error_count as f64 > ERROR_TOLERANCE * requests as f64 {
        failures.push(format!(
            "{error_count} errors in {requests} requests (tolerance {ERROR_TOLERANCE}): {errors:?}"
        ));
    }
    // Every acknowledged store is held with its bytes, once; nothing nobody sent.
    let (mut lost, mut corrupt, mut duplicates, mut phantom, mut acked_bytes) = (0, 0, 0, 0, 0u64);
    let mut first_problem = None::<String>;
    for (i, l) in logs.iter().enumerate() {
        let mut sent: HashMap<&[u8], u32> = HashMap::new();
        for a in &l.acked {
            *sent.entry(&a.data).or_default() += 1;
            acked_bytes += a.data.len() as u64;
            let got = held.get(&(i, a.account)).and_then(|m| m.get(&a.hash));
            match got {
                None => {
                    lost += 1;
                    first_problem.get_or_insert(format!("client {i}: {} lost", a.hash));
                }
                Some(d) if *d != a.data => {
                    corrupt += 1;
                    first_problem.get_or_insert(format!("client {i}: {} differs", a.hash));
                }
                Some(_) => {}
            }
        }
        for m in &l.maybe {
            sent.entry(m).or_default();
        }
        for a in 0..plan.accounts_per_client {
            let mut seen: HashMap<&[u8], u32> = HashMap::new();
            for d in held.get(&(i, a)).into_iter().flat_map(HashMap::values) {
                *seen.entry(d).or_default() += 1;
                if !sent.contains_key(d.as_slice()) {
                    phantom += 1;
                }
            }
            duplicates += seen.values().filter(|&&n| n > 1).count();
        }
    }
    if lost + corrupt + duplicates + phantom > 0 {
        failures.push(format!(
            "read back: {lost} lost, {corrupt} corrupt, {duplicates} stored twice, {phantom} \
             phantom ({})",
            first_problem.unwrap_or_default()
        ));
    }
    let peak = sampled.peak_rss.max(sampled.hwm);
    let bound_kib = rss_bound_kib(idle_kib);
    if idle_kib == 0 || peak > bound_kib {
        failures.push(format!(
            "peak RSS {peak} KiB over its bound {bound_kib} KiB (idle {idle_kib} KiB)"
        ));
    }
    if !info_ok {
        failures.push("the node does not answer /info after the run".to_owned());
    }
    let secs = plan.duration.as_secs_f64();
    let json = json!({
        "clients": plan.clients,
        "addresses": plan.addresses,
        "hot_addresses": plan.hot_addresses,
        "hot_clients_per_address": plan.hot_clients_per_address,
        "accounts": plan.clients * plan.accounts_per_client,
        "duration_secs": secs,
        "load_secs": load_secs,
        "requests": requests,
        "stores_ok": ok,
        "stores_ok_in_run": ok_in_run,
        "stores_per_s": ok_in_run as f64 / secs,
        "too_many": too_many,
        "share_429": too_many as f64 / requests.max(1) as f64,
        "light_429": light_429,
        "errors": error_count,
        "errors_by_kind": errors,
        "over_limit_clients": over.len(),
        "recovered_clients": over.len() - stuck.len(),
        "acked_bytes": acked_bytes,
        "lost": lost, "corrupt": corrupt, "duplicates": duplicates, "phantom": phantom,
        "idle_rss_kib": idle_kib,
        "peak_rss_kib": peak,
        "rss_after_kib": after_kib,
        "rss_every_5s_kib": sampled.series.iter().step_by(5).collect::<Vec<_>>(),
        "store_memory_every_5s": sampled.store,
        "rss_bound_kib": bound_kib,
        "peak_over_idle": peak as f64 / idle_kib.max(1) as f64,
        "peak_over_bound": peak as f64 / bound_kib.max(1) as f64,
        "info_after": info_ok,
        "failures": failures,
    });
    Report { json, failures }
}

/// Starts a standalone `session-node` with its rate limiter on (RocksDB in a temporary
/// directory), lets it settle until it answers `/info` and one more second (its idle RSS is
/// read then), runs `plan` against it, and stops it.
pub async fn run_standalone(plan: Plan) -> Report {
    let dir = tempfile::tempdir().expect("temp dir");
    let (mut node, base) = crate::load::standalone_node(dir.path(), true);
    let mut tries = 0;
    while !info_answers(&base).await {
        tries += 1;
        assert!(tries < 100, "the node does not answer /info");
        tokio::time::sleep(Duration::from_millis(100)).await;
    }
    tokio::time::sleep(Duration::from_secs(1)).await;
    let report = run(plan, &base, node.id()).await;
    let _ = node.kill();
    let _ = node.wait();
    report
}
