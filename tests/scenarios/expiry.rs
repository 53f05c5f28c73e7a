//! An expiry change reaches the swarm member that missed it (docs/RELIABILITY.md finding 1,
//! found by the nemesis suite): the sync round compares expiry digests and carries each
//! change as a stamp with the owner's signed request as its proof.

use serde_json::{Value, json};
use session_crypto::{IdentityKeys, Seed};
use session_devnet::Devnet;
use session_e2e::{b64, config, now_ms, retrieve_params, rpc};
use std::time::{Duration, Instant};

/// The `expiration` of each message `user` has at `node` (namespace 0).
async fn expiries(
    http: &reqwest::Client,
    node: std::net::SocketAddr,
    user: &IdentityKeys,
) -> Vec<u64> {
    let body = json!({"method": "retrieve", "params": retrieve_params(user, "")});
    let reply = http
        .post(format!("http://{node}/storage_rpc/v1"))
        .json(&body)
        .send()
        .await;
    let reply = match reply {
        Ok(r) if r.status() == 200 => r,
        _ => return Vec::new(), // down or restarting
    };
    let v: Value = reply.json().await.expect("json");
    v["messages"]
        .as_array()
        .map(|ms| ms.iter().filter_map(|m| m["expiration"].as_u64()).collect())
        .unwrap_or_default()
}

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn an_expiry_change_missed_by_a_down_member_reaches_it_with_its_proof() {
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
    let ts = now_ms();
    let store = json!({"method": "store", "params": {"pubkey": user.session_id().to_string(),
        "ttl": 3_600_000, "timestamp": ts, "data": b64(b"expiry gap")}});
    let (code, body) = rpc(&http, entry, store).await;
    assert_eq!(code, 200, "{body}");
    let hash = serde_json::from_str::<Value>(&body).expect("json")["hash"]
        .as_str()
        .expect("hash")
        .to_owned();
    let old = ts + 3_600_000;
    let late = devnet.nodes[2].http();
    let deadline = Instant::now() + Duration::from_secs(30);
    while expiries(&http, late, &user).await != vec![old] {
        assert!(
            Instant::now() < deadline,
            "member 2 did not get the message"
        );
        tokio::time::sleep(Duration::from_millis(300)).await;
    }

    // Member 2 goes down; the owner shortens the expiry through member 0 (acknowledged by 0
    // and 1).
    devnet.kill_node(2);
    let new = now_ms() + 50 * 60_000;
    let sig = b64(&user.sign(format!("expire{new}{hash}").as_bytes()));
    let expire = json!({"method": "expire", "params": {"pubkey": user.session_id().to_string(),
        "pubkey_ed25519": hex::encode(user.ed25519_public().as_bytes()),
        "messages": [hash], "expiry": new, "signature": sig}});
    let (code, body) = rpc(&http, entry, expire).await;
    assert_eq!(code, 200, "{body}");
    assert_eq!(
        expiries(&http, devnet.nodes[1].http(), &user).await,
        vec![new]
    );

    // Back up, member 2 learns the change from its peers' stamps within a few sync rounds.
    devnet.restart_node(2).expect("restart");
    let deadline = Instant::now() + Duration::from_secs(30);
    loop {
        let now = expiries(&http, late, &user).await;
        if now == vec![new] {
            break;
        }
        assert!(
            Instant::now() < deadline,
            "member 2 still has {now:?}, not the new expiry {new} (old {old})"
        );
        tokio::time::sleep(Duration::from_millis(300)).await;
    }
}
