//! Call media through a real TURN relay only (issue 23, media): two `MediaSession`s, each with
//! one relayed candidate on a real coturn, exchange an offer, an answer and their candidates
//! (as the call signalling would carry them), connect over ICE + DTLS-SRTP, and send each other
//! a tone as Opus audio. Proven: each side's recording holds the other's tone (Goertzel), with
//! the mouth-to-ear delay measured; nothing either side sent names a host or reflexive
//! candidate; coturn's log shows both allocations carrying the media; `{"hangup": true}` on
//! the data channel reaches the other side; a host candidate from the peer is refused.

use session_call::signal::ice;
use session_call::turn::Credentials;
use session_devnet::turn::{self, TurnLog};
use session_media::audio::{SAMPLE_RATE, sine, tone_share, tone_start};
use session_media::{MediaConfig, MediaEvent, MediaSession, Recording, Start};
use std::net::SocketAddr;
use std::time::{Duration, UNIX_EPOCH};

const ALICE_HZ: f64 = 440.0;
const BOB_HZ: f64 = 660.0;
const TONE_SECS: f64 = 3.0;
const STEP: Duration = Duration::from_secs(20);

async fn next(s: &mut MediaSession, what: &str) -> MediaEvent {
    tokio::time::timeout(STEP, s.next_event())
        .await
        .unwrap_or_else(|_| panic!("no {what} within {STEP:?}"))
        .unwrap_or_else(|| panic!("media session ended before {what}"))
}

async fn description(s: &mut MediaSession) -> (String, Vec<String>) {
    let MediaEvent::LocalDescription(sdp) = next(s, "description").await else {
        panic!("the first event is the description");
    };
    let MediaEvent::LocalCandidates(c) = next(s, "candidates").await else {
        panic!("then the candidates");
    };
    (sdp, c)
}

async fn connected(s: &mut MediaSession) {
    loop {
        match next(s, "connection").await {
            MediaEvent::Connected => return,
            MediaEvent::Failed(why) => panic!("media failed: {why}"),
            _ => {}
        }
    }
}

fn relay_only(who: &str, sdp: &str, candidates: &[String]) {
    assert!(ice::sdp_is_relay_only(sdp), "{who}'s SDP: {sdp}");
    assert!(
        !sdp.contains("typ host") && !sdp.contains("typ srflx"),
        "{who}: {sdp}"
    );
    assert!(!candidates.is_empty());
    for c in candidates {
        assert!(ice::is_relay(c), "{who} sent a non-relay candidate: {c}");
        assert!(
            c.contains(" 127.0.0.1 "),
            "{who}'s candidate is not the relay's: {c}"
        );
    }
}

/// When (ms since the epoch) sample `offset` of a recording was heard.
fn heard_at_ms(r: &Recording, offset: usize) -> f64 {
    let start = r
        .started
        .expect("started")
        .duration_since(UNIX_EPOCH)
        .expect("epoch");
    start.as_secs_f64() * 1e3 + offset as f64 * 1e3 / f64::from(SAMPLE_RATE)
}

fn played_at_ms(r: &Recording) -> f64 {
    heard_at_ms(r, 0) + r.play_started_ms.expect("played") as f64
}

fn check_heard(who: &str, rec: &Recording, hz: f64, other: f64, speaker: &Recording) -> f64 {
    let onset = tone_start(&rec.samples, hz, 0.5)
        .unwrap_or_else(|| panic!("{who} never heard {hz} Hz ({} samples)", rec.samples.len()));
    let window = &rec.samples[onset..(onset + SAMPLE_RATE as usize).min(rec.samples.len())];
    assert!(
        tone_share(window, hz) > 0.6,
        "{who}: {hz} Hz share {}",
        tone_share(window, hz)
    );
    assert!(tone_share(window, other) < 0.05, "{who} hears its own tone");
    assert!(
        rec.packets_received > 100,
        "{who}: {} packets",
        rec.packets_received
    );
    heard_at_ms(rec, onset) - played_at_ms(speaker)
}

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn a_call_carries_audio_both_ways_through_the_relay_only() {
    let dir = tempfile::tempdir().expect("tempdir");
    let binary = turn::find().expect("turnserver (coturn) is installed");
    let server = turn::start(&binary, dir.path())
        .await
        .expect("coturn starts");
    let entry = server.entry.clone();
    let addr: SocketAddr = entry.addr.parse().expect("turn addr");
    let config = |hz| MediaConfig {
        turn: addr,
        credentials: Credentials::new(entry.username.clone(), entry.credential.clone()),
        play: sine(hz, TONE_SECS, 0.4),
    };

    let mut alice = MediaSession::start(config(ALICE_HZ), Start::Offer)
        .await
        .expect("alice");
    let (offer, alice_cands) = description(&mut alice).await;
    relay_only("alice", &offer, &alice_cands);
    let mut bob = MediaSession::start(config(BOB_HZ), Start::Answer(offer))
        .await
        .expect("bob");
    let (answer, bob_cands) = description(&mut bob).await;
    relay_only("bob", &answer, &bob_cands);

    alice.remote_answer(&answer);
    alice.remote_candidates(bob_cands.clone());
    // a host candidate slipped in by the peer is refused, never tried
    let host = "candidate:1 1 udp 2122252543 127.0.0.1 9 typ host".to_owned();
    bob.remote_candidates(vec![host, alice_cands[0].clone()]);
    let (a, b) = tokio::join!(connected(&mut alice), connected(&mut bob));
    let ((), ()) = (a, b);

    tokio::time::sleep(Duration::from_secs_f64(TONE_SECS + 0.7)).await;
    let alice_rec = alice.hang_up().await.expect("alice hangs up");
    loop {
        match next(&mut bob, "hangup").await {
            MediaEvent::RemoteHangup => break,
            MediaEvent::Failed(why) => panic!("bob's media failed before the hangup: {why}"),
            _ => {}
        }
    }
    let bob_rec = bob.hang_up().await.expect("bob ends");

    assert_eq!(bob_rec.refused_candidates, 1, "the host candidate");
    assert_eq!(alice_rec.refused_candidates, 0);
    let to_bob = check_heard("bob", &bob_rec, ALICE_HZ, BOB_HZ, &alice_rec);
    let to_alice = check_heard("alice", &alice_rec, BOB_HZ, ALICE_HZ, &bob_rec);
    println!(
        "mouth-to-ear through the relay: alice→bob {to_bob:.0} ms, bob→alice {to_alice:.0} ms \
         ({} and {} packets sent)",
        alice_rec.packets_sent, bob_rec.packets_sent
    );
    assert!((0.0..1_000.0).contains(&to_bob), "{to_bob} ms");
    assert!((0.0..1_000.0).contains(&to_alice), "{to_alice} ms");

    // coturn saw both allocations, each relaying the other's media (it logs a session's
    // traffic when the session closes, and writes its log in its own time)
    let relays = [
        alice_rec.relay.expect("relay"),
        bob_rec.relay.expect("relay"),
    ];
    let relayed = |log: &TurnLog| relays.map(|r| log.by_relay(r).map(|a| a.peer_traffic.bytes()));
    let deadline = std::time::Instant::now() + STEP;
    let log = loop {
        let log = TurnLog::read(entry.log.as_ref()).expect("coturn log");
        if relayed(&log).iter().all(|b| b.is_some_and(|b| b > 20_000))
            || std::time::Instant::now() > deadline
        {
            break log;
        }
        tokio::time::sleep(Duration::from_millis(250)).await;
    };
    for relay in relays {
        let alloc = log
            .by_relay(relay)
            .unwrap_or_else(|| panic!("no allocation {relay} in the log"));
        assert_eq!(alloc.username, entry.username);
        let peer_bytes = alloc.peer_traffic.bytes();
        assert!(
            peer_bytes > 20_000,
            "{relay} relayed only {peer_bytes} bytes: {alloc:?}"
        );
    }
    println!("relayed bytes per allocation: {:?}", relayed(&log));
}
