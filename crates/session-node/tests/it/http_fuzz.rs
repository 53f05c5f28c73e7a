//! Hostile input (issue 21): a property-based fuzzer over the real HTTP endpoints of an
//! in-process node. Requests start from valid, signed ones (every storage RPC method, `batch`,
//! `sequence`, `ifelse`; onion layers sealed to the node) and are mutated; random bytes and
//! random JSON go in too. After every proptest case (1-4 requests sent at once):
//!
//! 1. every answer came within [`DEADLINE`], and no 5xx is one `spec/rpc-errors.md` does not
//!    list for its route (a wrapped onion answer is opened and checked like a direct one);
//! 2. the victim's messages and revocations are as they were (its keys signed only in setup;
//!    the fuzzer targets it with forged signatures and subaccount tokens).
//!
//! After the campaign the node still answers `GET /info`. `SESSION_HTTP_FUZZ_CASES` sets the
//! number of cases (default [`DEFAULT_CASES`]), `SESSION_HTTP_FUZZ_SEED` the proptest seed
//! (printed at the start, so a run can be repeated).
mod build;
mod checks;
mod json;
mod onion;
mod plan;
mod prepare;
mod valid;

use build::Ctx;
use checks::{Route, Snapshot, clip, status_allowed};
use plan::Case;
use prepare::{Prepared, prepare};
use proptest::test_runner::{Config, RngAlgorithm, TestCaseError, TestRng, TestRunner};
use std::cell::RefCell;
use std::collections::BTreeMap;
use std::time::{Duration, Instant};
use valid::{Keys, Pool};

const DEFAULT_CASES: u32 = 4_000;
/// An answer slower than this counts as a hang.
const DEADLINE: Duration = Duration::from_secs(20);

#[derive(Default)]
struct Stats {
    requests: u64,
    codes: BTreeMap<(String, u16), u64>,
    server_errors: BTreeMap<String, u64>,
}

async fn send(
    client: reqwest::Client,
    url: String,
    (method, path, body, label): (reqwest::Method, &'static str, Vec<u8>, String),
) -> Result<(u16, Vec<u8>), String> {
    let answer = async {
        let r = client
            .request(method, format!("{url}{path}"))
            .body(body)
            .send()
            .await?;
        let code = r.status().as_u16();
        Ok::<_, reqwest::Error>((code, r.bytes().await?.to_vec()))
    };
    match tokio::time::timeout(DEADLINE, answer).await {
        Err(_) => Err(format!("no answer within {DEADLINE:?} ({label})")),
        Ok(Err(e)) => Err(format!("no answer ({label}): {e}")),
        Ok(Ok(a)) => Ok(a),
    }
}

/// Sends one case's requests at once and checks every answer.
fn run_case(
    rt: &tokio::runtime::Runtime,
    env: &Env,
    stats: &RefCell<Stats>,
    cases: &[Case],
) -> Result<(), String> {
    let ctx = Ctx {
        now: env.node.now(),
        keys: &env.keys,
        pool: &env.pool,
    };
    let prepared: Vec<Prepared> = cases
        .iter()
        .map(|c| prepare(&ctx, &env.node_x, c))
        .collect();
    let answers = rt.block_on(async {
        let tasks: Vec<_> = prepared
            .iter()
            .map(|p| tokio::spawn(send(env.client.clone(), env.node.url.clone(), p.request())))
            .collect();
        let mut answers = Vec::new();
        for t in tasks {
            answers.push(
                t.await
                    .unwrap_or_else(|e| Err(format!("the sending task failed: {e}"))),
            );
        }
        answers
    });
    let mut stats = stats.borrow_mut();
    for (p, answer) in prepared.iter().zip(answers) {
        let (code, body) = answer?;
        stats.requests += 1;
        *stats.codes.entry((p.label.clone(), code)).or_default() += 1;
        let text = String::from_utf8_lossy(&body).into_owned();
        if code == 400
            && p.label.contains('/')
            && std::env::var_os("SESSION_HTTP_FUZZ_VERBOSE").is_some()
        {
            eprintln!("http_fuzz: {} 400: {}", p.label, clip(&text));
        }
        if code >= 500 {
            *stats
                .server_errors
                // Grouped by the start of the body (a node key or URL may follow).
                .entry(format!(
                    "{code} {:?}: {}",
                    p.route,
                    text.chars().take(20).collect::<String>()
                ))
                .or_default() += 1;
        }
        status_allowed(p.route, code, &text).map_err(|e| format!("{e} (request: {})", p.label))?;
        if let (Some(key), 200) = (&p.onion_key, code) {
            let Some((inner, text)) = onion::open(key, &body) else {
                return Err(format!("an onion 200 the client cannot open ({})", p.label));
            };
            status_allowed(Route::Storage { wrapped: true }, inner, &text)?;
        }
    }
    checks::snapshot(&env.node, &env.keys).still_holds(&env.before)
}

struct Env {
    node: crate::support::TestNode,
    node_x: session_crypto::X25519PublicKey,
    keys: Keys,
    pool: Pool,
    before: Snapshot,
    client: reqwest::Client,
}

fn env_u64(name: &str) -> Option<u64> {
    std::env::var(name).ok().and_then(|v| v.parse().ok())
}

#[test]
fn hostile_requests_answer_within_the_spec_and_leave_the_victim_untouched() {
    let cases = env_u64("SESSION_HTTP_FUZZ_CASES").map_or(DEFAULT_CASES, |c| c as u32);
    let seed = env_u64("SESSION_HTTP_FUZZ_SEED").unwrap_or_else(rand::random);
    eprintln!("http_fuzz: {cases} cases, SESSION_HTTP_FUZZ_SEED={seed}");
    let rt = tokio::runtime::Builder::new_multi_thread()
        .worker_threads(2)
        .enable_all()
        .build()
        .unwrap();
    let node = rt.block_on(crate::support::start());
    let (keys, pool) = rt.block_on(checks::setup(&node));
    let before = checks::snapshot(&node, &keys);
    let node_x = session_crypto::X25519PublicKey::from_bytes(node.state.record.x25519);
    let client = reqwest::Client::builder()
        .pool_max_idle_per_host(8)
        .build()
        .unwrap();
    let env = Env {
        node,
        node_x,
        keys,
        pool,
        before,
        client,
    };

    let mut seed_bytes = [0u8; 32];
    seed_bytes[..8].copy_from_slice(&seed.to_le_bytes());
    let config = Config {
        cases,
        failure_persistence: None,
        max_shrink_iters: 256,
        ..Config::default()
    };
    let mut runner = TestRunner::new_with_rng(
        config,
        TestRng::from_seed(RngAlgorithm::ChaCha, &seed_bytes),
    );
    let stats = RefCell::new(Stats::default());
    let started = Instant::now();
    let strategy = proptest::collection::vec(plan::case(), 1..=4);
    let result = runner.run(&strategy, |cases| {
        run_case(&rt, &env, &stats, &cases).map_err(TestCaseError::fail)
    });
    let elapsed = started.elapsed();

    // The node is still up and answers its health route.
    let info = rt.block_on(send(
        env.client.clone(),
        env.node.url.clone(),
        (reqwest::Method::GET, "/info", Vec::new(), "info".to_owned()),
    ));
    let stats = stats.into_inner();
    report(&stats, elapsed);
    if let Err(e) = result {
        panic!("http_fuzz found a problem (SESSION_HTTP_FUZZ_SEED={seed}): {e}");
    }
    assert_eq!(info.map(|a| a.0), Ok(200), "GET /info after the campaign");
    // The valid requests were valid: each kind of change succeeded at least once, so the
    // victim check is not vacuous.
    let kinds = if cases >= 500 {
        &["Store/Own", "Retrieve/Own", "Retrieve/VictimGroupRead"][..]
    } else {
        &[]
    };
    for label in kinds {
        let ok = stats
            .codes
            .get(&((*label).to_owned(), 200))
            .copied()
            .unwrap_or(0);
        assert!(
            ok > 0,
            "no {label} request succeeded: the fuzzer's valid requests are broken"
        );
    }
}

fn report(stats: &Stats, elapsed: Duration) {
    let rate = stats.requests as f64 / elapsed.as_secs_f64().max(1e-9);
    eprintln!(
        "http_fuzz: {} requests in {elapsed:.1?} ({rate:.0}/s)",
        stats.requests
    );
    let mut by_code: BTreeMap<u16, u64> = BTreeMap::new();
    for ((_, code), n) in &stats.codes {
        *by_code.entry(*code).or_default() += n;
    }
    eprintln!("http_fuzz: by status {by_code:?}");
    if std::env::var_os("SESSION_HTTP_FUZZ_VERBOSE").is_some() {
        for ((label, code), n) in &stats.codes {
            eprintln!("http_fuzz: {label} {code} x{n}");
        }
    }
    for (what, n) in &stats.server_errors {
        eprintln!("http_fuzz: 5xx x{n}: {what}");
    }
}
