//! Handover across churn: messages stored before a node joins and another exits end up on
//! every member of the swarm their account belongs to afterwards; nothing is lost.

use serde_json::{Value, json};
use session_crypto::{IdentityKeys, Seed};
use session_devnet::{Devnet, SwarmReport};
use session_e2e::{b64, config, hashes_at, now_ms, rpc};
use std::collections::{BTreeMap, BTreeSet};
use std::net::SocketAddr;
use std::time::{Duration, Instant};

fn members_for(devnet: &Devnet, report: &SwarmReport, user: &IdentityKeys) -> Vec<SocketAddr> {
    let swarm =
        session_swarm::swarm_for_pubkey(user.x25519_public().as_bytes(), &report.swarm_ids())
            .expect("swarm");
    devnet
        .live_nodes()
        .filter(|n| report.assignment.get(&n.record.ed25519) == Some(&swarm))
        .map(|n| n.http())
        .collect()
}

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn data_follows_its_swarm_through_a_join_and_an_exit() {
    let (cfg, _dir) = config(7);
    let mut devnet = Devnet::start(cfg).await.expect("devnet starts");
    let before = devnet.agreed_report().await.expect("agreement");
    let http = reqwest::Client::new();

    // 12 users, 5 messages each, stored through a member of their swarm.
    let users: Vec<IdentityKeys> = (0..12)
        .map(|_| IdentityKeys::from_seed(Seed::generate_full(&mut rand::rng())))
        .collect();
    let mut stored: BTreeMap<usize, BTreeSet<String>> = BTreeMap::new();
    for (u, user) in users.iter().enumerate() {
        let entry = members_for(&devnet, &before, user)[0];
        for i in 0..5 {
            let store = json!({"method": "store", "params": {"pubkey": user.session_id().to_string(),
                "ttl": 3_600_000, "timestamp": now_ms(), "data": b64(format!("u{u} m{i}").as_bytes())}});
            let (code, body) = rpc(&http, entry, store).await;
            assert_eq!(code, 200, "{body}");
            let v: Value = serde_json::from_str(&body).expect("json");
            stored
                .entry(u)
                .or_default()
                .insert(v["hash"].as_str().expect("hash").to_owned());
        }
    }

    // Two nodes join (enough to re-form the swarms) and one of the originals exits.
    devnet.add_node().await.expect("join");
    devnet.add_node().await.expect("join");
    devnet.exit_node(1).await.expect("exit");
    let after = devnet
        .wait_converged(Duration::from_secs(90))
        .await
        .expect("converges");
    assert_ne!(
        before.assignment, after.assignment,
        "the membership changed"
    );

    // Every member of each user's swarm (as it is now) holds exactly that user's messages.
    let deadline = Instant::now() + Duration::from_secs(90);
    for (u, user) in users.iter().enumerate() {
        for member in members_for(&devnet, &after, user) {
            loop {
                if hashes_at(&http, member, user).await.as_ref() == Some(&stored[&u]) {
                    break;
                }
                assert!(
                    Instant::now() < deadline,
                    "user {u}'s messages did not reach {member}"
                );
                tokio::time::sleep(Duration::from_millis(500)).await;
            }
        }
    }
}
