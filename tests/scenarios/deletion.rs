//! A deletion made while a member was down reaches it when it comes back, and no node brings
//! the deleted messages back through replication.

use serde_json::{Value, json};
use session_crypto::{IdentityKeys, Seed};
use session_devnet::Devnet;
use session_e2e::{b64, config, hashes_at, now_ms, rpc};
use std::collections::BTreeSet;
use std::time::{Duration, Instant};

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn a_deletion_missed_by_a_down_member_is_not_resurrected() {
    let (mut cfg, _dir) = config(3);
    cfg.multi_contributor_every = 0;
    let mut devnet = Devnet::start(cfg).await.expect("devnet starts");
    assert_eq!(
        devnet
            .agreed_report()
            .await
            .expect("agreement")
            .swarms()
            .len(),
        1
    );
    let http = reqwest::Client::new();
    let user = IdentityKeys::from_seed(Seed::generate_full(&mut rand::rng()));
    let entry = devnet.nodes[0].http();
    let mut all = Vec::new();
    for i in 0..5 {
        let store = json!({"method": "store", "params": {"pubkey": user.session_id().to_string(),
            "ttl": 3_600_000, "timestamp": now_ms(), "data": b64(format!("m{i}").as_bytes())}});
        let (code, body) = rpc(&http, entry, store).await;
        assert_eq!(code, 200, "{body}");
        let v: Value = serde_json::from_str(&body).expect("json");
        all.push(v["hash"].as_str().expect("hash").to_owned());
    }

    // Member 2 goes down; two messages are deleted through member 0 (signed by the owner).
    devnet.kill_node(2);
    let gone = &all[..2];
    let sig = b64(&user.sign(format!("delete{}", gone.concat()).as_bytes()));
    let delete = json!({"method": "delete", "params": {"pubkey": user.session_id().to_string(),
        "pubkey_ed25519": hex::encode(user.ed25519_public().as_bytes()),
        "messages": gone, "signature": sig}});
    let (code, body) = rpc(&http, entry, delete).await;
    assert_eq!(code, 200, "{body}");
    let kept: BTreeSet<String> = all[2..].iter().cloned().collect();

    // Back up, member 2 drops the deleted copies; after several sync rounds nobody has them.
    devnet.restart_node(2).expect("restart");
    let deadline = Instant::now() + Duration::from_secs(60);
    let back = devnet.nodes[2].http();
    while hashes_at(&http, back, &user).await.as_ref() != Some(&kept) {
        assert!(
            Instant::now() < deadline,
            "member 2 did not learn the deletion"
        );
        tokio::time::sleep(Duration::from_millis(500)).await;
    }
    tokio::time::sleep(Duration::from_secs(4)).await;
    for n in devnet.live_nodes() {
        assert_eq!(
            hashes_at(&http, n.http(), &user).await.as_ref(),
            Some(&kept),
            "node {}",
            n.id
        );
    }
}
