//! A deletion made while a member was down reaches it when it comes back, and no node brings
//! the deleted messages back through replication. The same for a group's subaccount revocation
//! and unrevocation: a member that missed them applies them from its peers' proofs.

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

/// Carol's signed `retrieve` of the group's messages (namespace 11) at `node`, as a subaccount:
/// the HTTP status, or `None` while the node does not answer.
async fn carol_retrieves(
    http: &reqwest::Client,
    node: std::net::SocketAddr,
    group: &session_crypto::GroupId,
    carol: &IdentityKeys,
    auth: &session_group::subaccount::AuthData,
) -> Option<u16> {
    let ts = now_ms();
    let signed =
        session_group::subaccount::sign_request(carol, auth, format!("retrieve11{ts}").as_bytes())
            .expect("signs");
    let retrieve = json!({"method": "retrieve", "params": {"pubkey": group.to_string(),
        "namespace": 11, "timestamp": ts, "subaccount": b64(&signed.token),
        "subaccount_sig": b64(&signed.token_signature), "signature": b64(&signed.signature)}});
    let url = format!("http://{node}/storage_rpc/v1");
    let reply = http.post(url).json(&retrieve).send().await.ok()?;
    Some(reply.status().as_u16())
}

/// The admin's signed `method` (revoke or unrevoke) of `token` through `node`.
async fn admin_sends(
    http: &reqwest::Client,
    node: std::net::SocketAddr,
    admin: &session_group::GroupAdmin,
    method: &str,
    token: &[u8; 36],
) {
    let ts = now_ms();
    let mut msg = format!("{method}{ts}").into_bytes();
    msg.extend_from_slice(token);
    let key = if method == "revoke_subaccount" {
        "revoke"
    } else {
        "unrevoke"
    };
    let body = json!({"method": method, "params": {"pubkey": admin.group_id().to_string(),
        key: [b64(token)], "timestamp": ts, "signature": b64(&admin.sign(&msg))}});
    let (code, reply) = rpc(http, node, body).await;
    assert_eq!(code, 200, "{method}: {reply}");
}

/// Waits until Carol's retrieve at `node` answers `want`.
async fn until_carol_gets(
    want: u16,
    http: &reqwest::Client,
    node: std::net::SocketAddr,
    group: &session_crypto::GroupId,
    carol: &IdentityKeys,
    auth: &session_group::subaccount::AuthData,
    what: &str,
) {
    let deadline = Instant::now() + Duration::from_secs(60);
    while carol_retrieves(http, node, group, carol, auth).await != Some(want) {
        assert!(Instant::now() < deadline, "{what}");
        tokio::time::sleep(Duration::from_millis(500)).await;
    }
}

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn a_revocation_missed_by_a_down_member_reaches_it_with_its_proof() {
    let (mut cfg, _dir) = config(3);
    cfg.multi_contributor_every = 0;
    let mut devnet = Devnet::start(cfg).await.expect("devnet starts");
    devnet.agreed_report().await.expect("agreement");
    let http = reqwest::Client::new();
    let admin = session_group::GroupAdmin::generate(&mut rand::rng());
    let group = admin.group_id();
    let carol = IdentityKeys::from_seed(Seed::generate_full(&mut rand::rng()));
    let auth = admin
        .make_subaccount(&carol.session_id(), true, false)
        .expect("auth data");
    let token = admin
        .subaccount_token(&carol.session_id(), true, false)
        .expect("token");
    for n in devnet.live_nodes() {
        assert_eq!(
            carol_retrieves(&http, n.http(), &group, &carol, &auth).await,
            Some(200)
        );
    }

    // Member 2 is down while Alice revokes Carol's token through member 0.
    devnet.kill_node(2);
    let entry = devnet.nodes[0].http();
    admin_sends(&http, entry, &admin, "revoke_subaccount", &token).await;
    assert_eq!(
        carol_retrieves(&http, entry, &group, &carol, &auth).await,
        Some(401)
    );
    devnet.restart_node(2).expect("restart");
    let back = devnet.nodes[2].http();
    until_carol_gets(
        401,
        &http,
        back,
        &group,
        &carol,
        &auth,
        "member 2 still accepts a revoked token",
    )
    .await;

    // The other way: member 1 misses the unrevocation and lets Carol in again afterwards.
    devnet.kill_node(1);
    admin_sends(&http, entry, &admin, "unrevoke_subaccount", &token).await;
    assert_eq!(
        carol_retrieves(&http, entry, &group, &carol, &auth).await,
        Some(200)
    );
    devnet.restart_node(1).expect("restart");
    let one = devnet.nodes[1].http();
    until_carol_gets(
        200,
        &http,
        one,
        &group,
        &carol,
        &auth,
        "member 1 still refuses an unrevoked token",
    )
    .await;
    // And member 2 learnt the unrevocation live (it was forwarded): nobody resurrects the revoke.
    tokio::time::sleep(Duration::from_secs(4)).await;
    for n in devnet.live_nodes() {
        assert_eq!(
            carol_retrieves(&http, n.http(), &group, &carol, &auth).await,
            Some(200),
            "node {}",
            n.id
        );
    }
}
