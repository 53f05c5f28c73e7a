//! Voice calls with the real CLI on a devnet with its TURN relay (issue 23): Alice calls Bob,
//! Bob answers, each plays a tone from a WAV file and records the other; the recordings hold
//! the other's tone (Goertzel), the mouth-to-ear delay is measured, coturn carried the media of
//! both allocations, and hanging up ends both sides. Then: a declined call; a call from a
//! stranger that never rings (a missed call in the request) and, unanswered, ends as missed on
//! the caller's side after 60 s; a call whose signalling arrives after its 5-minute TTL is
//! ignored. What crossed the network (the call messages Bob's client kept) names only relay
//! candidates.

use serde_json::Value;
use session_devnet::Devnet;
use session_devnet::turn::{self, TurnLog};
use session_e2e::cli::{User, lines, receive_until};
use session_e2e::config;
use session_media::audio::{SAMPLE_RATE, sine, tone_share, tone_start};
use std::path::Path;
use std::process::{Child, Stdio};
use std::time::{Duration, Instant};

const ALICE_HZ: f64 = 440.0;
const BOB_HZ: f64 = 660.0;
/// Seconds of tone each side plays.
const TONE_SECS: usize = 10;

fn spawn(u: &User, args: &[&str]) -> Child {
    u.command(args)
        .stdout(Stdio::piped())
        .stderr(Stdio::piped())
        .spawn()
        .expect("session-cli starts")
}

fn finish(c: Child, what: &str) -> Vec<Value> {
    let out = c.wait_with_output().expect("session-cli ends");
    let stdout = String::from_utf8_lossy(&out.stdout);
    assert!(
        out.status.success(),
        "{what} failed: {}{stdout}",
        String::from_utf8_lossy(&out.stderr)
    );
    lines(&stdout)
}

fn id(u: &User) -> String {
    u.run(&["init"])[0]["session_id"]
        .as_str()
        .expect("id")
        .to_owned()
}

fn summary(lines: &[Value]) -> &Value {
    lines.last().expect("a summary line")
}

/// When (ms since the epoch) the tone at `hz` starts in the recording of `s`.
fn heard_at_ms(s: &Value, wav: &Path, hz: f64) -> f64 {
    let samples = session_media::wav::read(wav).expect("recording");
    let onset = tone_start(&samples, hz, 0.5)
        .unwrap_or_else(|| panic!("{} never has {hz} Hz", wav.display()));
    // every second of the tone arrived, and nothing else in it
    let second = SAMPLE_RATE as usize;
    for i in 0..TONE_SECS {
        let from = onset + i * second;
        let window = samples
            .get(from..from + second)
            .unwrap_or_else(|| panic!("{}: the tone stops before {i} s", wav.display()));
        assert!(
            tone_share(window, hz) > 0.6,
            "{}: second {i} of {hz} Hz: share {}",
            wav.display(),
            tone_share(window, hz)
        );
    }
    let start = s["recording_started_at_ms"]
        .as_u64()
        .expect("recording start") as f64;
    start + onset as f64 * 1e3 / f64::from(SAMPLE_RATE)
}

fn played_at_ms(s: &Value) -> f64 {
    (s["recording_started_at_ms"].as_u64().expect("start")
        + s["play_started_ms"].as_u64().expect("played")) as f64
}

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn calls_connect_through_the_relay_and_end_as_they_should() {
    let (mut cfg, _slot) = config(6);
    cfg.multi_contributor_every = 0;
    cfg.turn_binary = Some(turn::find().expect("coturn is installed"));
    let devnet = Devnet::start(cfg).await.expect("devnet starts");
    let entry = devnet
        .turn
        .as_ref()
        .expect("the devnet runs coturn")
        .entry
        .clone();
    let dir = tempfile::tempdir().expect("dir");
    let network = dir.path().join("devnet.json");
    let manifest = serde_json::to_vec(&devnet.manifest(None, 0)).expect("manifest");
    std::fs::write(&network, manifest).expect("network file");
    let user = |name: &str| User {
        home: dir.path().join(name),
        network: network.clone(),
    };
    let (alice, bob, carol) = (user("alice"), user("bob"), user("carol"));
    let wavs = dir.path().to_path_buf();
    let (alice, bob) = tokio::task::spawn_blocking(move || {
        scenario(&alice, &bob, &carol, &wavs, &entry.log);
        (alice, bob)
    })
    .await
    .expect("the calls");
    relay_only_on_the_wire(&bob, 2);
    relay_only_on_the_wire(&alice, 1);
    stale_call_is_ignored(&devnet, &alice, bob).await;
}

/// Every call message `user`'s client kept (the other's, and copies of its own): SDPs and
/// candidates name relays only, on the loopback relay.
fn relay_only_on_the_wire(user: &User, min_sdps: usize) {
    use session_call::Signal;
    use session_call::signal::ice;
    let history = session_client::history::History::open(&user.home).expect("history");
    let kept = history.call_signals(0, 0).expect("kept call messages");
    let (mut sdps, mut candidates) = (0, 0);
    for (_, c) in &kept {
        match &c.signal.signal {
            Signal::Offer { sdp } | Signal::Answer { sdp } => {
                sdps += 1;
                assert!(ice::sdp_is_relay_only(sdp), "{sdp}");
                // no address in it but the loopback relay's (and 0.0.0.0, "none")
                for token in sdp.split(|c: char| !(c.is_ascii_digit() || c == '.')) {
                    if let Ok(ip) = token.parse::<std::net::Ipv4Addr>() {
                        assert!(ip.is_loopback() || ip.is_unspecified(), "{ip} in {sdp}");
                    }
                }
                assert!(!sdp.contains("IP6"), "{sdp}");
                for line in sdp.lines().filter(|l| l.starts_with("a=candidate")) {
                    assert!(
                        line.contains(" 127.0.0.1 ") && line.contains("typ relay"),
                        "{line}"
                    );
                }
            }
            Signal::IceCandidates(cs) => {
                for cand in cs {
                    candidates += 1;
                    assert!(ice::is_relay(&cand.candidate), "{}", cand.candidate);
                    assert!(cand.candidate.contains(" 127.0.0.1 "), "{}", cand.candidate);
                }
            }
            _ => {}
        }
    }
    assert!(
        sdps >= min_sdps && candidates >= 1,
        "{sdps} SDPs, {candidates} candidates kept"
    );
}

/// Alice's pre-offer and offer, signed as sent 6 minutes ago but stored now (a delivery that
/// took longer than the TTL): Bob's `answer` never rings and records nothing.
async fn stale_call_is_ignored(devnet: &Devnet, alice: &User, bob: User) {
    use session_call::{CallId, CallSignal, Signal};
    let chat = session_e2e::chat::chat_for(devnet, &alice.home, 0).await;
    let to: session_crypto::SessionId = session_client::Account::open(&bob.home)
        .expect("bob")
        .session_id();
    let now = chat.messenger().now_ms();
    let sent = now - 6 * 60 * 1000;
    let call = CallId::random(&mut rand::rng());
    for signal in [
        Signal::PreOffer,
        Signal::Offer {
            sdp: "v=0\r\n".into(),
        },
    ] {
        let s = CallSignal {
            call: call.clone(),
            signal,
        };
        let content = s.to_content(sent, session_client::content::Expiry::Off);
        let (bytes, _) = chat.messenger().seal(&to, &content, sent).expect("seal");
        chat.messenger()
            .store(&to, &bytes, now, session_call::CALL_TTL_MS)
            .await
            .expect("stored");
    }
    let out = tokio::task::spawn_blocking(move || {
        let out = bob.run(&["answer", "--wait", "6"]);
        (out, bob.run(&["calls"]))
    })
    .await
    .expect("bob");
    let (answered, calls) = out;
    assert_eq!(summary(&answered)["outcome"], "no call", "{answered:?}");
    assert!(
        !answered.iter().any(|l| l["event"] == "ringing"),
        "{answered:?}"
    );
    assert!(
        !calls.iter().any(|c| c["call_id"] == call.as_str()),
        "{calls:?}"
    );
}

fn scenario(alice: &User, bob: &User, carol: &User, dir: &Path, turn_log: &str) {
    let (a, b, _c) = (id(alice), id(bob), id(carol));
    // contacts both ways: Alice writes, Bob accepts
    alice.run(&["send", &b, "call me?"]);
    receive_until(bob, |l| l["text"] == "call me?");
    bob.run(&["accept", &a]);
    receive_until(alice, |l| l["notice"] == "accepted your messages");

    let wav = |name: &str| dir.join(name);
    let secs = TONE_SECS as f64;
    session_media::wav::write(&wav("a.wav"), &sine(ALICE_HZ, secs, 0.4)).expect("a.wav");
    session_media::wav::write(&wav("b.wav"), &sine(BOB_HZ, secs, 0.4)).expect("b.wav");

    // bad input: one line, exit 2
    for args in [
        &["call", "05nope"][..],
        &["call", &b, "--duration", "-1"],
        &["answer", "--wait", "0"],
    ] {
        let out = alice.command(args).output().expect("runs");
        assert_eq!(out.status.code(), Some(2), "{args:?}");
        assert_eq!(
            String::from_utf8_lossy(&out.stderr).lines().count(),
            1,
            "{args:?}"
        );
    }
    assert_eq!(
        alice
            .command(&["hangup"])
            .output()
            .expect("runs")
            .status
            .code(),
        Some(2),
        "no call to hang up"
    );

    // 1. Alice calls, Bob answers; `hangup` (another process) ends Alice's call after the tone, and
    // with it Bob's
    let (ar, br) = (wav("alice-heard.wav"), wav("bob-heard.wav"));
    let s = |p: &Path| p.to_str().expect("utf8").to_owned();
    let (aw, ars, bw, brs) = (s(&wav("a.wav")), s(&ar), s(&wav("b.wav")), s(&br));
    let answer = spawn(
        bob,
        &["answer", "--play", &bw, "--record", &brs, "--wait", "60"],
    );
    let calling = spawn(alice, &["call", &b, "--play", &aw, "--record", &ars]);
    std::thread::sleep(Duration::from_secs(TONE_SECS as u64 + 3));
    assert_eq!(alice.run(&["hangup"])[0]["hangup"], "requested");
    let call = finish(calling, "call");
    let answered = finish(answer, "answer");
    let (sa, sb) = (summary(&call), summary(&answered));
    for (who, s, peer) in [("alice", sa, &b), ("bob", sb, &a)] {
        assert_eq!(s["outcome"], "answered", "{who}: {s}");
        assert_eq!(s["peer"], peer.as_str(), "{who}");
        assert!(
            s["duration_ms"].as_u64().expect("duration") >= TONE_SECS as u64 * 1_000,
            "{who}: {s}"
        );
        assert!(
            s["packets_received"].as_u64().expect("packets") > 100,
            "{who}: {s}"
        );
        assert_eq!(s["refused_candidates"], 0, "{who}");
    }
    assert_eq!(sa["direction"], "outgoing");
    assert_eq!(sb["direction"], "incoming");
    assert_eq!(sa["call_id"], sb["call_id"]);
    assert!(call.iter().any(|l| l["event"] == "connected"), "{call:?}");
    assert!(
        answered.iter().any(|l| l["event"] == "ringing"),
        "{answered:?}"
    );
    let to_bob = heard_at_ms(sb, &br, ALICE_HZ) - played_at_ms(sa);
    let to_alice = heard_at_ms(sa, &ar, BOB_HZ) - played_at_ms(sb);
    let setup = sa["setup_ms"].as_u64().expect("setup");
    println!(
        "call setup {setup} ms; mouth-to-ear alice→bob {to_bob:.0} ms, bob→alice {to_alice:.0} ms"
    );
    assert!((0.0..1_000.0).contains(&to_bob) && (0.0..1_000.0).contains(&to_alice));

    // coturn carried it: two allocations of this call with media both ways
    let deadline = Instant::now() + Duration::from_secs(20);
    loop {
        let log = TurnLog::read(turn_log.as_ref()).expect("turn log");
        let busy = log
            .allocations
            .iter()
            .filter(|a| a.peer_traffic.bytes() > 20_000)
            .count();
        if busy >= 2 {
            break;
        }
        assert!(
            Instant::now() < deadline,
            "coturn relayed for {busy} allocations: {log:?}"
        );
        std::thread::sleep(Duration::from_millis(300));
    }
    for (u, dir) in [(alice, "outgoing"), (bob, "incoming")] {
        let calls = u.run(&["calls"]);
        assert_eq!(calls[0]["outcome"], "answered");
        assert_eq!(calls[0]["direction"], dir);
    }

    // 2. Bob sees the call ring (`receive` prints it) and declines it
    let call = spawn(alice, &["call", &b]);
    let seen = receive_until(bob, |l| l["event"] == "incoming call");
    let ring = seen
        .iter()
        .find(|l| l["event"] == "incoming call")
        .expect("ring");
    assert_eq!(ring["peer"], a.as_str());
    // the offer follows the pre-offer by an onion store: until it is here, nothing rings
    let deadline = Instant::now() + Duration::from_secs(20);
    let out = loop {
        let out = bob.command(&["decline"]).output().expect("decline runs");
        if out.status.success() {
            break lines(&String::from_utf8_lossy(&out.stdout));
        }
        assert_eq!(out.status.code(), Some(2));
        assert!(
            Instant::now() < deadline,
            "{}",
            String::from_utf8_lossy(&out.stderr)
        );
        std::thread::sleep(Duration::from_millis(300));
    };
    assert_eq!(out[0]["declined"], ring["call_id"]);
    let declined = finish(call, "declined call");
    assert_eq!(summary(&declined)["outcome"], "declined", "{declined:?}");
    assert_eq!(bob.run(&["calls"])[0]["outcome"], "declined");

    // 3. Carol is nobody's contact: her call never rings at Bob's (a missed call in her
    // request there), and nobody answering, it is missed on her side after 60 s
    let waiting = spawn(bob, &["answer", "--wait", "15"]);
    let started = Instant::now();
    let unanswered = carol.run(&["call", &b]);
    assert_eq!(summary(&unanswered)["outcome"], "missed", "{unanswered:?}");
    assert!(
        started.elapsed() >= Duration::from_secs(59),
        "{:?}",
        started.elapsed()
    );
    let bob_saw = finish(waiting, "answer with no call");
    assert_eq!(summary(&bob_saw)["outcome"], "no call", "{bob_saw:?}");
    assert!(
        bob_saw
            .iter()
            .any(|l| l["event"] == "missed call from a request"),
        "{bob_saw:?}"
    );
    assert!(!bob_saw.iter().any(|l| l["event"] == "ringing"));
    let bob_calls = bob.run(&["calls"]);
    assert!(
        bob_calls
            .iter()
            .any(|c| c["request"] == true && c["outcome"] == "missed"),
        "{bob_calls:?}"
    );
}
