//! `cargo xtask bench e2e` (not a timed test): how long a 1:1 message takes from the start of
//! Alice's `send_text` until Bob's watch loop has it, over a 12-node loopback devnet, both ways
//! through onion paths (`session_client::Chat`, what the CLI's `send` and `watch` use).
//!
//! * Warm-up: Alice writes to Bob, Bob's poll gets it and he accepts (a request response goes
//!   back), Alice's poll sees the acceptance. Both clients have paths, node lists and swarm
//!   caches before anything is timed.
//! * The bound, same run: the median of 50 single `send_text` calls (one onion store) and of 50
//!   Bob polls that find nothing (one onion retrieve plus the local sweep and cursor).
//! * Latency: Bob polls, sleeps [`WATCH_INTERVAL`] and polls again (the CLI's `watch`) in a
//!   task, noting when each message first appears; meanwhile Alice sends 1,000 messages one
//!   after another. Latency = Bob's instant − the instant just before Alice's `send_text`.
//!
//! Writes `$CARGO_TARGET_DIR/session-bench/e2e.json`.
#![allow(clippy::unwrap_used, clippy::expect_used, missing_docs)]

use serde_json::json;
use session_client::chat::WATCH_INTERVAL;
use session_client::{Chat, Entry};
use session_crypto::SessionId;
use session_devnet::Devnet;
use session_e2e::chat::chat_for;
use std::sync::Arc;
use std::sync::atomic::{AtomicUsize, Ordering};
use std::time::{Duration, Instant};

const NODES: usize = 12;
const MESSAGES: usize = 1_000;
/// Samples of each part of the bound.
const SAMPLES: usize = 50;
/// How long Bob may still take once Alice sent the last message.
const DRAIN_TIMEOUT: Duration = Duration::from_secs(120);
/// Sends of one message before the bench gives up.
const SEND_ATTEMPTS: usize = 3;

fn ms(d: Duration) -> f64 {
    d.as_secs_f64() * 1000.0
}

fn percentile(sorted: &[Duration], p: f64) -> f64 {
    let i = ((sorted.len() as f64 - 1.0) * p).round() as usize;
    ms(sorted[i])
}

fn median(mut d: Vec<Duration>) -> f64 {
    d.sort();
    percentile(&d, 0.5)
}

fn id(chat: &Chat) -> SessionId {
    chat.messenger().account().session_id()
}

/// Polls until `want` new messages came (or panics after 60 s).
async fn poll_for(chat: &mut Chat, want: usize, what: &str) -> Vec<Entry> {
    let deadline = Instant::now() + Duration::from_secs(60);
    let mut got = Vec::new();
    while got.len() < want {
        assert!(Instant::now() < deadline, "{what}: {} of {want}", got.len());
        match chat.poll().await {
            Ok(applied) => got.extend(applied.new),
            Err(e) => eprintln!("poll failed (retrying): {e}"),
        }
        tokio::time::sleep(Duration::from_millis(100)).await;
    }
    got
}

/// Alice writes, Bob gets it and accepts, Alice sees the acceptance.
async fn warm_up(alice: &mut Chat, bob: &mut Chat) {
    let (alice_id, bob_id) = (id(alice), id(bob));
    alice
        .send_text(&bob_id, "warm-up", None, None)
        .await
        .expect("warm-up");
    poll_for(bob, 1, "the warm-up message").await;
    bob.accept(&alice_id).await.expect("accept");
    let deadline = Instant::now() + Duration::from_secs(60);
    while !alice
        .history()
        .contact(&bob_id.to_string())
        .unwrap()
        .is_some_and(|c| c.they_approved)
    {
        assert!(Instant::now() < deadline, "the acceptance did not arrive");
        if let Err(e) = alice.poll().await {
            eprintln!("poll failed (retrying): {e}");
        }
        tokio::time::sleep(Duration::from_millis(100)).await;
    }
}

/// Medians (ms) of one `send_text` and of one poll that finds nothing, [`SAMPLES`] each.
async fn bound_parts(alice: &Chat, bob: &mut Chat) -> (f64, f64) {
    let bob_id = id(bob);
    let mut sends = Vec::with_capacity(SAMPLES);
    for i in 0..SAMPLES {
        let start = Instant::now();
        alice
            .send_text(&bob_id, &format!("b{i:05}"), None, None)
            .await
            .expect("send");
        sends.push(start.elapsed());
    }
    poll_for(bob, SAMPLES, "the bound's messages").await;
    let mut polls = Vec::with_capacity(SAMPLES);
    for _ in 0..SAMPLES {
        let start = Instant::now();
        let applied = bob.poll().await.expect("poll");
        polls.push(start.elapsed());
        assert!(
            applied.new.is_empty(),
            "an empty poll got {:?}",
            applied.new
        );
    }
    (median(sends), median(polls))
}

/// What Bob's watch loop saw.
struct Watched {
    /// When message `i` first came, by index.
    arrived: Vec<Option<Instant>>,
    polls: usize,
    poll_errors: usize,
    duplicates: usize,
}

/// The message index of a bench text ("m00042" → 42).
fn index(text: &str) -> usize {
    text.strip_prefix('m')
        .and_then(|n| n.parse().ok())
        .filter(|&i| i < MESSAGES)
        .unwrap_or_else(|| panic!("not a bench message: {text:?}"))
}

/// The CLI's `watch`: poll, note what came, sleep [`WATCH_INTERVAL`], until all arrived.
async fn watch(mut bob: Chat, seen: Arc<AtomicUsize>) -> Watched {
    let mut w = Watched {
        arrived: vec![None; MESSAGES],
        polls: 0,
        poll_errors: 0,
        duplicates: 0,
    };
    while seen.load(Ordering::Relaxed) < MESSAGES {
        w.polls += 1;
        match bob.poll().await {
            Ok(applied) => {
                let now = Instant::now();
                for e in applied.new {
                    let slot = &mut w.arrived[index(&e.text)];
                    if slot.is_some() {
                        w.duplicates += 1;
                    } else {
                        *slot = Some(now);
                        seen.fetch_add(1, Ordering::Relaxed);
                    }
                }
            }
            Err(e) => {
                w.poll_errors += 1;
                eprintln!("watch: poll failed: {e}");
            }
        }
        tokio::time::sleep(WATCH_INTERVAL).await;
    }
    w
}

/// Sends the [`MESSAGES`] one after another; returns the instant before each first
/// `send_text`, and how many sends were retried.
async fn send_all(alice: &Chat, bob_id: &SessionId) -> (Vec<Instant>, usize) {
    let mut started = Vec::with_capacity(MESSAGES);
    let mut retries = 0;
    for i in 0..MESSAGES {
        let text = format!("m{i:05}");
        started.push(Instant::now());
        let mut attempt = 1;
        while let Err(e) = alice.send_text(bob_id, &text, None, None).await {
            assert!(
                attempt < SEND_ATTEMPTS,
                "sending {text} failed {attempt} times: {e}"
            );
            eprintln!("sending {text} failed (retrying): {e}");
            attempt += 1;
            retries += 1;
        }
    }
    (started, retries)
}

async fn run() -> serde_json::Value {
    let dir = tempfile::tempdir().unwrap();
    let mut cfg = session_e2e::devnet_config(dir.path());
    cfg.nodes = NODES;
    cfg.multi_contributor_every = 0;
    let devnet = Devnet::start(cfg).await.expect("devnet starts");
    devnet.agreed_report().await.expect("swarms agreed");
    let homes = tempfile::tempdir().unwrap();
    let mut alice = chat_for(&devnet, &homes.path().join("alice"), 0).await;
    let mut bob = chat_for(&devnet, &homes.path().join("bob"), 0).await;
    let bob_id = id(&bob);
    warm_up(&mut alice, &mut bob).await;
    let (send_p50, empty_poll_p50) = bound_parts(&alice, &mut bob).await;

    let seen = Arc::new(AtomicUsize::new(0));
    let mut watcher = tokio::spawn(watch(bob, seen.clone()));
    let start = Instant::now();
    let (started, send_retries) = send_all(&alice, &bob_id).await;
    let send_secs = start.elapsed().as_secs_f64();
    let w = match tokio::time::timeout(DRAIN_TIMEOUT, &mut watcher).await {
        Ok(w) => w.expect("watch task"),
        Err(_) => {
            watcher.abort();
            panic!(
                "Bob had {} of {MESSAGES} messages {} s after the last send",
                seen.load(Ordering::Relaxed),
                DRAIN_TIMEOUT.as_secs()
            );
        }
    };

    let mut lat: Vec<Duration> = w
        .arrived
        .iter()
        .zip(&started)
        .map(|(got, sent)| got.expect("all arrived").duration_since(*sent))
        .collect();
    lat.sort();
    let mean = lat.iter().sum::<Duration>() / lat.len() as u32;
    json!({
        "messages": MESSAGES,
        "nodes": NODES,
        "watch_interval_ms": WATCH_INTERVAL.as_millis() as u64,
        "p50_ms": percentile(&lat, 0.5),
        "p99_ms": percentile(&lat, 0.99),
        "mean_ms": ms(mean),
        "max_ms": ms(lat[lat.len() - 1]),
        "send_p50_ms": send_p50,
        "empty_poll_p50_ms": empty_poll_p50,
        "send_secs": send_secs,
        "sends_per_s": MESSAGES as f64 / send_secs,
        "send_retries": send_retries,
        "polls": w.polls,
        "poll_errors": w.poll_errors,
        "duplicates": w.duplicates,
    })
}

fn main() {
    if std::env::args().any(|a| a == "--list" || a == "--test") {
        return;
    }
    let rt = tokio::runtime::Builder::new_multi_thread()
        .worker_threads(2)
        .enable_all()
        .build()
        .unwrap();
    let report = rt.block_on(run());
    println!("{report:#}");
    let num = |k: &str| report[k].as_f64().unwrap();
    let bound = num("send_p50_ms") + num("empty_poll_p50_ms") + num("watch_interval_ms") / 2.0;
    println!(
        "send → receive over {} messages: p50 {:.1} ms, p99 {:.1} ms (bound {bound:.1} ms, \
         ratio {:.2}); {:.1} sends/s",
        MESSAGES,
        num("p50_ms"),
        num("p99_ms"),
        num("p50_ms") / bound,
        num("sends_per_s"),
    );
    let out = std::path::PathBuf::from(env!("CARGO_TARGET_TMPDIR")).join("../session-bench");
    std::fs::create_dir_all(&out).unwrap();
    std::fs::write(out.join("e2e.json"), report.to_string()).unwrap();
}
