//! Clients whose clocks are 5 minutes ahead and behind still send and receive (it signs and stores with
//! network time), killing a node on its active onion path loses no send, and one poll reads
//! past a node's page limit.

use session_client::history::State;
use session_devnet::Devnet;
use session_e2e::chat::{chat_for, poll_for};
use session_e2e::{config, now_ms};

const FIVE_MINUTES_MS: i64 = 5 * 60 * 1000;

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn clients_five_minutes_off_work_and_a_killed_path_node_loses_no_send() {
    // Ten nodes: with two dead, eight remain for two 3-hop paths that avoid the destination.
    let (mut cfg, _slot) = config(10);
    cfg.multi_contributor_every = 0;
    let mut devnet = Devnet::start(cfg).await.expect("devnet starts");
    let homes = tempfile::tempdir().expect("homes");
    let mut alice = chat_for(&devnet, &homes.path().join("alice"), FIVE_MINUTES_MS).await;
    let mut bob = chat_for(&devnet, &homes.path().join("bob"), -FIVE_MINUTES_MS).await;
    let (alice_id, bob_id) = (
        alice.messenger().account().session_id(),
        bob.messenger().account().session_id(),
    );
    assert!(
        alice.messenger().onion().local_now_ms() > i64::try_from(now_ms()).expect("ms") + 290_000,
        "the skew is in place"
    );

    // Alice 5 minutes ahead, Bob 5 minutes behind: both send (stamped with network time) and
    // receive (signed retrieve).
    let hash = alice
        .send_text(&bob_id, "from the future", None, None)
        .await
        .expect("send with a fast clock");
    let got = poll_for(&mut bob, 1).await;
    assert_eq!(got[0].hash, hash);
    assert!(
        got[0].sent_at_ms.abs_diff(now_ms()) < 30_000,
        "stamped with network time, not the local clock"
    );
    bob.send_text(&alice_id, "from the present", None, None)
        .await
        .expect("reply");
    let got = poll_for(&mut alice, 1).await;
    assert_eq!(got[0].text, "from the present");
    assert!(
        got[0].sent_at_ms.abs_diff(now_ms()) < 30_000,
        "the slow clock stamped with network time too"
    );

    // Kill the guard of one path and the middle node of the other: sends still land.
    let paths = alice.messenger().onion().paths();
    let victims = [paths[0].guard().ed25519, paths[1].nodes()[1].ed25519];
    for v in victims {
        let i = devnet
            .nodes
            .iter()
            .position(|n| n.record.ed25519 == *v.as_bytes())
            .expect("a devnet node");
        devnet.kill_node(i);
    }
    let mut sent = Vec::new();
    for i in 0..5 {
        let hash = alice
            .send_text(&bob_id, &format!("after the kill {i}"), None, None)
            .await
            .expect("send survives the dead path node");
        sent.push(hash);
    }
    for h in &sent {
        let e = alice.history().message(h).expect("get").expect("recorded");
        assert_eq!(e.state, State::Sent);
    }
    let got = poll_for(&mut bob, 5).await;
    let hashes: Vec<&str> = got.iter().map(|e| e.hash.as_str()).collect();
    assert_eq!(hashes, sent.iter().map(String::as_str).collect::<Vec<_>>());

    // More than a node returns in one page (~1.56 MB): one poll still reads them all.
    let big = "x".repeat(60_000);
    for i in 0..40 {
        alice
            .send_text(&bob_id, &format!("{i:02}{big}"), None, None)
            .await
            .expect("big send");
    }
    // A poll that fails (a path through a killed node can still answer 504 until it is
    // replaced) commits nothing, so retrying it keeps the claim: one successful poll reads
    // every page.
    let mut tries = 0;
    let got = loop {
        match bob.poll().await {
            Ok(applied) => break applied.new,
            Err(e) if tries < 3 => {
                tries += 1;
                eprintln!("poll failed (retrying): {e}");
            }
            Err(e) => panic!("four polls failed: {e}"),
        }
    };
    assert_eq!(got.len(), 40, "one poll reads every page");
    assert!(
        got.iter()
            .enumerate()
            .all(|(i, e)| e.text.starts_with(&format!("{i:02}x")))
    );
}
