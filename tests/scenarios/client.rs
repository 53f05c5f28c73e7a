//! The client: bootstrap (node list from a network file, cross-checked against 3 seeds) and a
//! conversation end to end (requests, acceptance, 100 messages each way, onion paths only).

use session_client::history::{ContactState, Entry, State};
use session_client::{Chat, NetworkConfig, bootstrap};
use session_devnet::Devnet;
use session_e2e::chat::{chat_for, poll_for, traffic};
use session_e2e::config;
use std::collections::BTreeSet;
use std::time::{Duration, Instant};

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn bootstrap_cross_checks_three_seeds_and_survives_a_dead_one() {
    let (mut cfg, _dir) = config(4);
    cfg.min_swarm_size = 1;
    cfg.ideal_swarm_size = 2;
    let mut devnet = Devnet::start(cfg).await.expect("devnet starts");
    let manifest = serde_json::to_value(devnet.manifest(None, 0)).expect("manifest json");
    let network = NetworkConfig::from_json(&manifest).expect("network file");
    assert_eq!(network.seeds.len(), 4);
    let http = reqwest::Client::new();

    let want: BTreeSet<[u8; 32]> = devnet.live_nodes().map(|n| n.record.ed25519).collect();
    let got: BTreeSet<[u8; 32]> = bootstrap(&http, &network)
        .await
        .expect("bootstrap")
        .iter()
        .map(|n| *n.ed25519.as_bytes())
        .collect();
    assert_eq!(got, want);

    // The first seed is down: the next three answer and agree.
    devnet.kill_node(0);
    let nodes = bootstrap(&http, &network)
        .await
        .expect("bootstrap without seed 0");
    assert_eq!(
        nodes.len(),
        4,
        "the others still list all four until the registry changes"
    );

    // Only two seeds left: fewer than three answers is an error, not a guess.
    devnet.kill_node(1);
    let err = bootstrap(&http, &network)
        .await
        .expect_err("two seeds cannot cross-check three");
    assert!(
        err.to_string().contains("only 2 of 3 seeds answered"),
        "{err}"
    );
}

fn texts(entries: &[Entry]) -> Vec<&str> {
    entries.iter().map(|e| e.text.as_str()).collect()
}

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn a_conversation_from_request_to_two_hundred_messages_goes_through_onions_only() {
    let (mut cfg, _slot) = config(8);
    cfg.multi_contributor_every = 0;
    let devnet = Devnet::start(cfg).await.expect("devnet starts");
    let homes = tempfile::tempdir().expect("homes");
    let (alice_home, bob_home) = (homes.path().join("alice"), homes.path().join("bob"));
    // Bob exists (his account), but his client is not running.
    let bob_id = session_client::Account::create(&bob_home, &mut rand::rng())
        .expect("bob")
        .0
        .session_id();
    let alice = chat_for(&devnet, &alice_home, 0).await;
    let alice_id = alice.messenger().account().session_id();
    for i in 0..3 {
        alice
            .send_text(&bob_id, &format!("hello {i}"), None, None)
            .await
            .expect("send");
    }
    let sent = alice
        .history()
        .conversation(&bob_id.to_string())
        .expect("h");
    assert!(sent.iter().all(|e| e.state == State::Sent), "{sent:?}");
    drop(alice);

    // Bob starts later: every message, in order, once; Alice is a message request.
    let mut bob = chat_for(&devnet, &bob_home, 0).await;
    let got = poll_for(&mut bob, 3).await;
    assert_eq!(texts(&got), ["hello 0", "hello 1", "hello 2"]);
    assert!(got.iter().all(|m| m.peer == alice_id.to_string()));
    assert!(bob.poll().await.expect("poll").new.is_empty());
    let requests = bob.history().summaries(ContactState::Request).expect("r");
    assert_eq!(requests.len(), 1);
    assert_eq!(requests[0].contact.peer, alice_id.to_string());
    assert_eq!(requests[0].unread, 3);
    assert!(
        bob.history()
            .summaries(ContactState::Approved)
            .expect("c")
            .is_empty()
    );

    // Bob accepts: Alice moves to his conversations, and Alice learns it.
    bob.accept(&alice_id).await.expect("accept");
    assert!(
        bob.history()
            .summaries(ContactState::Request)
            .expect("r")
            .is_empty()
    );
    let convs = bob.history().summaries(ContactState::Approved).expect("c");
    assert_eq!(convs[0].contact.peer, alice_id.to_string());
    let mut alice = chat_for(&devnet, &alice_home, 0).await;
    let deadline = Instant::now() + Duration::from_secs(30);
    while !alice
        .history()
        .contact(&bob_id.to_string())
        .expect("c")
        .is_some_and(|c| c.they_approved)
    {
        assert!(Instant::now() < deadline, "the acceptance did not arrive");
        alice.poll().await.expect("poll");
    }

    // 100 messages each way, both sending at once: each side gets the other's exactly once,
    // in order.
    let n = 100;
    let (a, b) = (&alice, &bob);
    let send_all = async |from: &Chat, to: &session_crypto::SessionId, tag: &str| {
        for i in 0..n {
            from.send_text(to, &format!("{tag}{i:03}"), None, None)
                .await
                .expect("send");
        }
    };
    tokio::join!(send_all(a, &bob_id, "a"), send_all(b, &alice_id, "b"));
    let to_bob = poll_for(&mut bob, n).await;
    let to_alice = poll_for(&mut alice, n).await;
    let want = |tag: &str| (0..n).map(|i| format!("{tag}{i:03}")).collect::<Vec<_>>();
    assert_eq!(texts(&to_bob), want("a"));
    assert_eq!(texts(&to_alice), want("b"));
    for (chat, peer, tag) in [(&bob, &alice_id, "a"), (&alice, &bob_id, "b")] {
        let incoming: Vec<String> = chat
            .history()
            .conversation(&peer.to_string())
            .expect("history")
            .into_iter()
            .filter(|e| !e.outgoing && e.text.len() == 4)
            .map(|e| e.text)
            .collect();
        assert_eq!(incoming, want(tag), "stored once each, in order");
    }
    assert!(bob.poll().await.expect("poll").new.is_empty());

    // No client request reached a node's storage RPC directly.
    let (direct, onion) = traffic(&devnet).await;
    assert_eq!(direct, 0, "direct storage requests happened");
    assert!(onion >= 2 * n as u64 + 3, "onion requests: {onion}");
}

/// session-client's `hello` example, as a newcomer runs it against a devnet: two new accounts
/// exchange a message, through onion paths only.
#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn the_hello_example_runs_against_a_devnet() {
    let (cfg, _slot) = config(6);
    let devnet = Devnet::start(cfg).await.expect("devnet starts");
    let network = devnet.cfg.dir.join("devnet.json");
    devnet.manifest(None, 0).save(&network).expect("manifest");
    let (direct_before, _) = traffic(&devnet).await;
    let out = tokio::process::Command::new(session_e2e::example("hello"))
        .arg(&network)
        .output()
        .await
        .expect("the example runs");
    let stdout = String::from_utf8_lossy(&out.stdout);
    assert!(
        out.status.success(),
        "{stdout}{}",
        String::from_utf8_lossy(&out.stderr)
    );
    assert!(stdout.contains("bob read:   hello Bob"), "{stdout}");
    assert!(stdout.contains("alice read: hello Alice"), "{stdout}");
    let (direct_after, onion) = traffic(&devnet).await;
    assert_eq!(
        direct_after, direct_before,
        "the example keeps to onion paths"
    );
    assert!(
        onion >= 4,
        "two sends and polls went through onions: {onion}"
    );
}
