//! The `session-cli` binary against a devnet, as a user runs it: two homes, one process per
//! command, `--json` output read back. Covers requests, accept, watch, reactions, unsend and
//! block.

use session_devnet::Devnet;
use session_e2e::cli::{User, lines, receive_until, receive_with};
use session_e2e::config;
use std::process::Stdio;

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn the_cli_carries_a_conversation_from_request_to_block() {
    let (mut cfg, _slot) = config(8);
    cfg.multi_contributor_every = 0;
    let devnet = Devnet::start(cfg).await.expect("devnet starts");
    let dir = tempfile::tempdir().expect("dir");
    let network = dir.path().join("devnet.json");
    let manifest = serde_json::to_vec(&devnet.manifest(None, 0)).expect("manifest");
    std::fs::write(&network, manifest).expect("network file");
    let user = |name: &str| User {
        home: dir.path().join(name),
        network: network.clone(),
    };
    let (alice, bob) = (user("alice"), user("bob"));
    // The blocking CLI runs beside the devnet's async tasks.
    tokio::task::spawn_blocking(move || conversation(&alice, &bob))
        .await
        .expect("the CLI conversation");
}

fn conversation(alice: &User, bob: &User) {
    let id = |u: &User| {
        u.run(&["init"])[0]["session_id"]
            .as_str()
            .expect("id")
            .to_owned()
    };
    let (a, b) = (id(alice), id(bob));

    // A stranger's first message is a request.
    let sent = alice.run(&["send", &b, "hello from the cli"]);
    let hash = sent[0]["hash"].as_str().expect("hash").to_owned();
    let got = receive_until(bob, |l| l["hash"] == hash.as_str());
    let msg = got
        .iter()
        .find(|l| l["hash"] == hash.as_str())
        .expect("msg");
    assert_eq!(msg["sender"], a.as_str());
    assert_eq!(msg["text"], "hello from the cli");
    assert_eq!(msg["request"], true);
    assert!(msg["sent_at_ms"].as_u64().is_some());
    let requests = bob.run(&["requests"]);
    assert_eq!(requests[0]["session_id"], a.as_str());
    assert_eq!(
        bob.run(&["conversations"]).last().expect("summary")["count"],
        0
    );

    // Accepting moves it to the conversations; Alice hears of it.
    bob.run(&["accept", &a]);
    assert_eq!(bob.run(&["requests"]).last().expect("summary")["count"], 0);
    assert_eq!(bob.run(&["conversations"])[0]["session_id"], a.as_str());
    receive_until(alice, |l| l["notice"] == "accepted your messages");

    // `watch` prints a message as it comes.
    let watch = bob
        .command(&["watch", "--count", "1", "--interval-ms", "200"])
        .stdout(Stdio::piped())
        .stderr(Stdio::piped())
        .spawn()
        .expect("watch starts");
    alice.run(&["send", &b, "live"]);
    let out = watch.wait_with_output().expect("watch ends");
    assert!(
        out.status.success(),
        "{}",
        String::from_utf8_lossy(&out.stderr)
    );
    let watched = lines(&String::from_utf8_lossy(&out.stdout));
    assert_eq!(watched[0]["text"], "live");
    assert_eq!(watched.last().expect("summary")["received"], 1);

    // Typing indicators and read receipts (asked for).
    alice.run(&["typing", &b]);
    receive_until(bob, |l| l["notice"] == "is typing");
    let sent = alice.run(&["send", &b, "did you read this?"]);
    let asked = sent[0]["hash"].as_str().expect("hash").to_owned();
    receive_with(bob, &["receive", "--read-receipts"], |l| {
        l["hash"] == asked.as_str()
    });
    receive_until(alice, |l| l["notice"] == "read 1 message(s)");
    let history = alice.run(&["history", &b]);
    let line = history
        .iter()
        .find(|l| l["hash"] == asked.as_str())
        .expect("sent");
    assert_eq!(line["state"], "read_by_peer");

    // Bob reacts to the first message; Alice sees the reaction on her copy.
    bob.run(&["react", &hash, "👍"]);
    receive_until(alice, |l| {
        l["notice"].as_str().is_some_and(|n| n.contains("👍"))
    });
    let history = alice.run(&["history", &b]);
    let mine = history
        .iter()
        .find(|l| l["hash"] == hash.as_str())
        .expect("hers");
    assert_eq!(mine["reactions"], serde_json::json!(["👍"]));

    // Alice unsends it: gone from Bob's history.
    alice.run(&["unsend", &hash]);
    receive_until(bob, |l| {
        l["notice"]
            .as_str()
            .is_some_and(|n| n.starts_with("unsent"))
    });
    let history = bob.run(&["history", &a]);
    assert!(
        history.iter().all(|l| l["hash"] != hash.as_str()),
        "{history:?}"
    );
    assert!(history.iter().any(|l| l["text"] == "live"));

    // Disappearing after send: the local copy is gone on schedule, even offline.
    let set = alice.run(&["set-expiry", &b, "after-send", "10"]);
    assert_eq!(set[0]["expiry"], "after-send 10s");
    let sent = alice.run(&["send", &b, "short-lived"]);
    let short = sent[0]["hash"].as_str().expect("hash").to_owned();
    let deadline = std::time::Instant::now() + std::time::Duration::from_secs(11);
    receive_until(bob, |l| l["hash"] == short.as_str());
    let kept = |u: &User, peer: &str| {
        u.run(&["history", peer])
            .iter()
            .any(|l| l["hash"] == short.as_str())
    };
    assert!(kept(bob, &a) && kept(alice, &b));
    std::thread::sleep(deadline.saturating_duration_since(std::time::Instant::now()));
    assert!(!kept(bob, &a), "Bob's copy outlived its timer");
    assert!(!kept(alice, &b), "Alice's copy outlived its timer");

    // Blocked: nothing more from Alice is kept.
    bob.run(&["block", &a]);
    alice.run(&["send", &b, "are you there?"]);
    std::thread::sleep(std::time::Duration::from_secs(1));
    let got = bob.run(&["receive"]);
    assert_eq!(got.last().expect("summary")["received"], 0, "{got:?}");
    let history = bob.run(&["history", &a]);
    assert!(history.iter().all(|l| l["text"] != "are you there?"));

    // Bad input: a clear error and exit code 2.
    let out = bob
        .command(&["send", "05nothex", "x"])
        .output()
        .expect("runs");
    assert_eq!(out.status.code(), Some(2));
    assert!(String::from_utf8_lossy(&out.stderr).contains("05nothex"));
    let out = bob
        .command(&["set-expiry", &a, "sometimes", "5"])
        .output()
        .expect("runs");
    assert_eq!(out.status.code(), Some(2));
}
