//! Disappearing messages leave the swarm on time: after-send ones at send + timer (their store
//! TTL), after-read ones only once read, at read + timer (the reader shortens their expiry);
//! the local copies go on the same schedule. Checked by retrieving from the nodes directly.

use session_client::content::Expiry;
use session_crypto::IdentityKeys;
use session_devnet::Devnet;
use session_e2e::chat::{chat_for, poll_for};
use session_e2e::{config, hashes_at, now_ms};
use std::time::Duration;

/// Whether any live node still returns `hash` for `user`.
async fn in_swarm(devnet: &Devnet, user: &IdentityKeys, hash: &str) -> bool {
    let http = reqwest::Client::new();
    for n in devnet.live_nodes() {
        if hashes_at(&http, n.http(), user)
            .await
            .is_some_and(|h| h.contains(hash))
        {
            return true;
        }
    }
    false
}

async fn sleep_until(at_ms: u64) {
    let now = now_ms();
    if at_ms > now {
        tokio::time::sleep(Duration::from_millis(at_ms - now)).await;
    }
}

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn disappearing_messages_leave_the_swarm_and_the_history_on_time() {
    let (mut cfg, _slot) = config(8);
    cfg.multi_contributor_every = 0;
    let devnet = Devnet::start(cfg).await.expect("devnet starts");
    let homes = tempfile::tempdir().expect("homes");
    let alice = chat_for(&devnet, &homes.path().join("alice"), 0).await;
    let mut bob = chat_for(&devnet, &homes.path().join("bob"), 0).await;
    let bob_id = bob.messenger().account().session_id();
    // A second handle on Bob's account, for direct retrieves from the nodes.
    let bob_account = session_client::Account::open(&homes.path().join("bob")).expect("bob");
    let bob_keys = bob_account.keys();
    let alice_id = alice.messenger().account().session_id();

    // A long-running client fetches the node list again once it is past its age.
    let fetched_at = || -> u64 {
        let cache = std::fs::read(homes.path().join("bob").join("nodes.json")).expect("cache");
        let v: serde_json::Value = serde_json::from_slice(&cache).expect("json");
        v["fetched_at_ms"].as_u64().expect("fetched_at_ms")
    };
    let first = fetched_at();
    bob.poll().await.expect("poll");
    assert_eq!(fetched_at(), first, "fresh list kept");
    bob.messenger_mut()
        .set_node_list_max_age(Duration::from_millis(1));
    tokio::time::sleep(Duration::from_millis(5)).await;
    bob.poll().await.expect("poll after the list aged");
    assert!(fetched_at() > first, "the list was fetched again");
    bob.messenger_mut()
        .set_node_list_max_age(Duration::from_secs(3600));

    // Delete after send, 10 s (the shortest TTL a node accepts).
    alice
        .set_expiry(&bob_id, Expiry::AfterSend(10))
        .await
        .expect("setting");
    let sent_at = now_ms();
    let hash = alice
        .send_text(&bob_id, "gone in ten", None, None)
        .await
        .expect("send");
    let got = poll_for(&mut bob, 1).await;
    assert_eq!(got[0].hash, hash);
    assert_eq!(got[0].expiry, Expiry::AfterSend(10));
    let setting = bob.history().contact(&alice_id.to_string()).expect("c");
    assert_eq!(setting.map(|c| c.expiry), Some(Expiry::AfterSend(10)));
    assert!(in_swarm(&devnet, bob_keys, &hash).await, "stored");
    sleep_until(sent_at + 11_000).await;
    assert!(
        !in_swarm(&devnet, bob_keys, &hash).await,
        "still in the swarm"
    );
    bob.sweep().expect("sweep");
    assert!(bob.history().message(&hash).expect("get").is_none());
    assert!(
        alice.history().message(&hash).expect("get").is_none() || {
            alice.sweep().expect("sweep");
            alice.history().message(&hash).expect("get").is_none()
        }
    );

    // Delete after read, 5 s: nothing happens until Bob reads it.
    alice
        .set_expiry(&bob_id, Expiry::AfterRead(5))
        .await
        .expect("setting");
    let hash = alice
        .send_text(&bob_id, "read me", None, None)
        .await
        .expect("send");
    let got = poll_for(&mut bob, 1).await;
    assert_eq!(got[0].hash, hash);
    tokio::time::sleep(Duration::from_secs(7)).await;
    bob.sweep().expect("sweep");
    assert!(in_swarm(&devnet, bob_keys, &hash).await, "gone before read");
    assert!(bob.history().message(&hash).expect("get").is_some());
    let read_at = now_ms();
    let marks = bob.mark_read(&alice_id, false).await.expect("read");
    assert_eq!(marks.expire.len(), 1);
    assert!(in_swarm(&devnet, bob_keys, &hash).await, "gone at read");
    sleep_until(read_at + 6_500).await;
    assert!(
        !in_swarm(&devnet, bob_keys, &hash).await,
        "still in the swarm after read"
    );
    bob.sweep().expect("sweep");
    assert!(bob.history().message(&hash).expect("get").is_none());
}
