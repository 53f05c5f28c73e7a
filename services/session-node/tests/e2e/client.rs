//! The client's bootstrap: node list from a network file, cross-checked against 3 seeds.

use crate::config;
use session_client::{NetworkConfig, bootstrap};
use session_devnet::Devnet;
use std::collections::BTreeSet;

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

async fn messenger(devnet: &Devnet, home: &std::path::Path) -> session_client::Messenger {
    let manifest = serde_json::to_value(devnet.manifest(None, 0)).expect("manifest json");
    let network = NetworkConfig::from_json(&manifest).expect("network file");
    let nodes = bootstrap(&reqwest::Client::new(), &network)
        .await
        .expect("bootstrap");
    let account = match session_client::Account::open(home) {
        Ok(a) => a,
        Err(_) => {
            session_client::Account::create(home, &mut rand::rng())
                .expect("account")
                .0
        }
    };
    let onion =
        session_client::OnionClient::new(session_client::OnionConfig::devnet(), nodes.clone());
    session_client::Messenger::new(account, onion, nodes)
}

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn alice_writes_while_bob_is_away_and_bob_reads_later_through_onions() {
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
    let alice = messenger(&devnet, &alice_home).await;
    for i in 0..3 {
        alice
            .send_text(
                &bob_id,
                &format!("hello {i}"),
                session_client::messaging::DEFAULT_TTL_MS,
            )
            .await
            .expect("send");
    }
    drop(alice);

    // Bob starts later: every message, in order, once; a second poll after the last hash is empty.
    let bob = messenger(&devnet, &bob_home).await;
    let (got, last) = bob.receive("").await.expect("receive");
    let texts: Vec<&str> = got.iter().map(|m| m.text.as_str()).collect();
    assert_eq!(texts, ["hello 0", "hello 1", "hello 2"]);
    let alice_id = session_client::Account::open(&alice_home)
        .expect("alice")
        .session_id();
    assert!(got.iter().all(|m| m.sender == alice_id));
    assert!(got.windows(2).all(|w| w[0].sent_at_ms <= w[1].sent_at_ms));
    let (again, _) = bob.receive(&last).await.expect("receive again");
    assert!(again.is_empty());

    // Bob answers; Alice reads it.
    bob.send_text(&alice_id, "hi alice", 60_000)
        .await
        .expect("reply");
    let alice = messenger(&devnet, &alice_home).await;
    let (got, _) = alice.receive("").await.expect("alice receives");
    assert_eq!(
        got.iter().map(|m| m.text.as_str()).collect::<Vec<_>>(),
        ["hi alice"]
    );
    assert_eq!(got[0].sender, bob_id);
}
