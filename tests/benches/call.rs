//! `cargo xtask bench call` (not a timed test): how long a voice call takes to set up and how
//! late the audio is, on a loopback devnet with its TURN relay (`session_client::Chat`, what
//! the CLI's `call` and `answer` run).
//!
//! * The bound, same run: the median of [`SAMPLES`] onion round trips (Bob polls that find
//!   nothing: one onion retrieve plus the local sweep) — call setup needs several of them
//!   (pre-offer and offer stored, Bob's poll, the answer stored, Alice's poll) plus the polling
//!   interval's waits, the TURN allocations and ICE/DTLS.
//! * [`CALLS`] calls, one after another: Alice calls with a 440 Hz tone, Bob (answering the
//!   first call that rings) with 660 Hz, 2 s in the call. Setup = Alice's call start → media
//!   connected at Alice. Mouth-to-ear = when the other's first tone sample is in the
//!   recording − when the speaker started playing, both sides (same machine clock).
//!
//! Writes `$CARGO_TARGET_DIR/session-bench/call.json`.
#![allow(clippy::unwrap_used, clippy::expect_used, missing_docs)]

use serde_json::json;
use session_client::Chat;
use session_client::call::{CallOptions, CallReport};
use session_crypto::SessionId;
use session_devnet::Devnet;
use session_e2e::chat::chat_for;
use session_media::Recording;
use session_media::audio::{SAMPLE_RATE, sine, tone_start};
use std::time::{Duration, Instant, UNIX_EPOCH};

const NODES: usize = 6;
const SAMPLES: usize = 20;
const CALLS: usize = 5;

fn ms(d: Duration) -> f64 {
    d.as_secs_f64() * 1000.0
}

fn median(mut v: Vec<f64>) -> f64 {
    v.sort_by(f64::total_cmp);
    v[v.len() / 2]
}

fn id(chat: &Chat) -> SessionId {
    chat.messenger().account().session_id()
}

/// Alice writes, Bob accepts: contacts both ways.
async fn befriend(alice: &mut Chat, bob: &mut Chat) {
    let (a, b) = (id(alice), id(bob));
    alice.send_text(&b, "call me", None, None).await.unwrap();
    let deadline = Instant::now() + Duration::from_secs(60);
    while bob.history().contact(&a.to_string()).unwrap().is_none() {
        assert!(
            Instant::now() < deadline,
            "the first message did not arrive"
        );
        let _ = bob.poll().await;
        tokio::time::sleep(Duration::from_millis(100)).await;
    }
    bob.accept(&a).await.unwrap();
}

fn epoch_ms(r: &Recording) -> f64 {
    r.started
        .unwrap()
        .duration_since(UNIX_EPOCH)
        .unwrap()
        .as_secs_f64()
        * 1e3
}

/// Speaker's playback start → the tone's first sample at the listener.
fn mouth_to_ear(speaker: &Recording, listener: &Recording, hz: f64) -> f64 {
    let onset = tone_start(&listener.samples, hz, 0.5).expect("the tone was heard");
    let heard = epoch_ms(listener) + onset as f64 * 1e3 / f64::from(SAMPLE_RATE);
    heard - (epoch_ms(speaker) + speaker.play_started_ms.unwrap() as f64)
}

async fn one_call(alice: &mut Chat, bob: &mut Chat) -> (CallReport, CallReport) {
    let b = id(bob);
    let opts = |hz| CallOptions {
        play: sine(hz, 1.5, 0.4),
        duration: Some(Duration::from_secs(2)),
    };
    let (mut quiet_a, mut quiet_b) = (|_: &_| {}, |_: &_| {});
    let (a, b) = tokio::join!(
        alice.call(&b, opts(440.0), &mut quiet_a),
        bob.answer(opts(660.0), Duration::from_secs(60), &mut quiet_b)
    );
    (a.expect("alice's call"), b.expect("bob's answer"))
}

async fn run() -> serde_json::Value {
    let dir = tempfile::tempdir().unwrap();
    let mut cfg = session_e2e::devnet_config(dir.path());
    cfg.nodes = NODES;
    cfg.multi_contributor_every = 0;
    cfg.turn_binary = Some(session_devnet::turn::find().expect("coturn"));
    let devnet = Devnet::start(cfg).await.expect("devnet starts");
    devnet.agreed_report().await.expect("swarms agreed");
    let homes = tempfile::tempdir().unwrap();
    let mut alice = chat_for(&devnet, &homes.path().join("alice"), 0).await;
    let mut bob = chat_for(&devnet, &homes.path().join("bob"), 0).await;
    befriend(&mut alice, &mut bob).await;

    let mut polls = Vec::new();
    for _ in 0..SAMPLES {
        let start = Instant::now();
        bob.poll().await.expect("poll");
        polls.push(ms(start.elapsed()));
    }
    let round_trip = median(polls);

    let (mut setups, mut to_bob, mut to_alice) = (Vec::new(), Vec::new(), Vec::new());
    for i in 0..CALLS {
        let (a, b) = one_call(&mut alice, &mut bob).await;
        let (ra, rb) = (a.recording.unwrap(), b.recording.unwrap());
        setups.push(a.setup_ms.unwrap() as f64);
        to_bob.push(mouth_to_ear(&ra, &rb, 440.0));
        to_alice.push(mouth_to_ear(&rb, &ra, 660.0));
        eprintln!(
            "call {i}: setup {} ms, mouth-to-ear {:.1} / {:.1} ms",
            setups[i], to_bob[i], to_alice[i]
        );
    }
    json!({
        "nodes": NODES,
        "calls": CALLS,
        "onion_round_trip_p50_ms": round_trip,
        "setup_p50_ms": median(setups.clone()),
        "setup_max_ms": setups.iter().copied().fold(0.0, f64::max),
        "mouth_to_ear_p50_ms": median(to_bob.iter().chain(&to_alice).copied().collect()),
        "mouth_to_ear_max_ms": to_bob.iter().chain(&to_alice).copied().fold(0.0, f64::max),
        "watch_interval_ms": ms(session_client::chat::WATCH_INTERVAL),
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
    let v = rt.block_on(run());
    println!("{v:#}");
    let out = std::path::PathBuf::from(env!("CARGO_TARGET_TMPDIR")).join("../session-bench");
    std::fs::create_dir_all(&out).unwrap();
    std::fs::write(out.join("call.json"), v.to_string()).unwrap();
}
