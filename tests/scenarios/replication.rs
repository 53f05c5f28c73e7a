//! Swarm replication: a store at one member reaches every member; internal calls are
//! authenticated (forged key, outsider, stale timestamp refused).

use base64::Engine as _;
use serde_json::{Value, json};
use session_crypto::{Ed25519PublicKey, IdentityKeys, Seed};
use session_devnet::{Devnet, NodeHandle};
use session_e2e::{b64, config, now_ms, rpc};
use session_node::internal::auth;
use session_node::internal::proto::node_internal_client::NodeInternalClient;
use session_node::internal::proto::{ForwardRequest, PingRequest};

fn node_keys(node: &NodeHandle) -> IdentityKeys {
    session_node::identity::load_or_create(&node.data_dir, &mut rand::rng()).expect("node key")
}

async fn client(node: &NodeHandle) -> NodeInternalClient<tonic::transport::Channel> {
    NodeInternalClient::connect(format!("http://{}", node.grpc()))
        .await
        .expect("grpc connects")
}

fn forward(keys: &IdentityKeys, at: u64, body: &Value) -> ForwardRequest {
    let mut req = ForwardRequest {
        auth: None,
        body: body.to_string().into_bytes(),
    };
    req.auth = Some(auth::sign(keys, "Forward", at, &auth::payload(&req)));
    req
}

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn a_store_reaches_every_member_and_internal_calls_are_authenticated() {
    let (cfg, _dir) = config(8);
    let devnet = Devnet::start(cfg).await.expect("devnet starts");
    let report = devnet.agreed_report().await.expect("agreement");
    let http = reqwest::Client::new();

    let user = IdentityKeys::from_seed(Seed::generate_full(&mut rand::rng()));
    let account = user.session_id().to_string();
    let key: [u8; 32] = *user.x25519_public().as_bytes();
    let swarm = session_swarm::swarm_for_pubkey(&key, &report.swarm_ids()).expect("a swarm");
    let (members, outsiders): (Vec<&NodeHandle>, Vec<&NodeHandle>) = devnet
        .live_nodes()
        .partition(|n| report.assignment[&n.record.ed25519] == swarm);
    assert!(members.len() >= 3 && !outsiders.is_empty());

    // Store at one member: the reply carries a signed entry from every member.
    let store = json!({"method": "store", "params": {
        "pubkey": account, "ttl": 600_000, "timestamp": now_ms(), "data": b64(b"replicated"),
    }});
    let (code, body) = rpc(&http, members[0].http(), store.clone()).await;
    assert_eq!(code, 200, "{body}");
    let v: Value = serde_json::from_str(&body).expect("json");
    let entries = v["swarm"].as_object().expect("swarm object");
    assert_eq!(entries.len(), members.len(), "{body}");
    let hash = v["hash"].as_str().expect("hash").to_owned();
    for m in &members {
        let e = &entries[&hex::encode(m.record.ed25519)];
        assert!(e.get("failed").is_none(), "{e}");
        assert_eq!(e["hash"], hash);
        let sig: [u8; 64] = base64::engine::general_purpose::STANDARD
            .decode(e["signature"].as_str().expect("sig"))
            .expect("b64")
            .try_into()
            .expect("64 bytes");
        Ed25519PublicKey::from_bytes(m.record.ed25519)
            .verify(hash.as_bytes(), &sig, "store")
            .expect("each member signs the hash");
    }

    // Every member returns it; no outsider does.
    for m in &members {
        let ts = now_ms();
        let sig = b64(&user.sign(format!("retrieve{ts}").as_bytes()));
        let params = json!({"pubkey": account, "pubkey_ed25519": hex::encode(user.ed25519_public().as_bytes()),
            "timestamp": ts, "signature": sig});
        let (code, body) = rpc(
            &http,
            m.http(),
            json!({"method": "retrieve", "params": params}),
        )
        .await;
        assert_eq!(code, 200, "{body}");
        let v: Value = serde_json::from_str(&body).expect("json");
        let hashes: Vec<&str> = v["messages"]
            .as_array()
            .expect("messages")
            .iter()
            .map(|m| m["hash"].as_str().expect("hash"))
            .collect();
        assert_eq!(
            hashes,
            vec![hash.as_str()],
            "member {} holds the message",
            m.id
        );
        let (code, _) = rpc(
            &http,
            outsiders[0].http(),
            json!({"method": "retrieve", "params": session_e2e::retrieve_params(&user, "")}),
        )
        .await;
        assert_eq!(code, 421);
    }

    // A recursive delete at another member: every member reports the deletion, signed.
    let second = json!({"method": "store", "params": {
        "pubkey": account, "ttl": 600_000, "timestamp": now_ms(), "data": b64(b"to delete"),
    }});
    let (code, body) = rpc(&http, members[1].http(), second).await;
    assert_eq!(code, 200, "{body}");
    let doomed = serde_json::from_str::<Value>(&body).expect("json")["hash"]
        .as_str()
        .expect("hash")
        .to_owned();
    let sig = b64(&user.sign(format!("delete{doomed}").as_bytes()));
    let delete = json!({"method": "delete", "params": {"pubkey": account,
        "pubkey_ed25519": hex::encode(user.ed25519_public().as_bytes()),
        "messages": [doomed], "signature": sig}});
    let (code, body) = rpc(&http, members[2].http(), delete).await;
    assert_eq!(code, 200, "{body}");
    let v: Value = serde_json::from_str(&body).expect("json");
    for m in &members {
        let e = &v["swarm"][hex::encode(m.record.ed25519)];
        assert_eq!(
            e["deleted"],
            json!([doomed]),
            "member {} deleted it: {e}",
            m.id
        );
    }

    // Recursive requests inside a sequence (as clients push configs: a store, then a delete)
    // reach every member too, each with every member's signed entry.
    let victim = json!({"method": "store", "params": {
        "pubkey": account, "ttl": 600_000, "timestamp": now_ms(), "data": b64(b"sequence victim"),
    }});
    let (code, body) = rpc(&http, members[1].http(), victim).await;
    assert_eq!(code, 200, "{body}");
    let victim = serde_json::from_str::<Value>(&body).expect("json")["hash"]
        .as_str()
        .expect("hash")
        .to_owned();
    let sig = b64(&user.sign(format!("delete{victim}").as_bytes()));
    let sequence = json!({"method": "sequence", "params": {"requests": [
        {"method": "store", "params": {"pubkey": account, "ttl": 600_000, "timestamp": now_ms(),
            "data": b64(b"in a sequence")}},
        {"method": "delete", "params": {"pubkey": account,
            "pubkey_ed25519": hex::encode(user.ed25519_public().as_bytes()),
            "messages": [victim], "signature": sig}},
    ]}});
    let (code, body) = rpc(&http, members[0].http(), sequence).await;
    assert_eq!(code, 200, "{body}");
    let v: Value = serde_json::from_str(&body).expect("json");
    let (stored, deleted) = (&v["results"][0], &v["results"][1]);
    assert_eq!(
        (&stored["code"], &deleted["code"]),
        (&json!(200), &json!(200)),
        "{body}"
    );
    for m in &members {
        let key = hex::encode(m.record.ed25519);
        let e = &stored["body"]["swarm"][&key];
        assert_eq!(
            e["hash"], stored["body"]["hash"],
            "member {} stored it: {e}",
            m.id
        );
        let e = &deleted["body"]["swarm"][&key];
        assert_eq!(
            e["deleted"],
            json!([victim]),
            "member {} deleted it: {e}",
            m.id
        );
    }

    // Internal calls: a member may forward; forged, outsider and stale callers may not.
    let member_keys = node_keys(members[1]);
    let outsider_keys = node_keys(outsiders[0]);
    let forged = IdentityKeys::from_seed(Seed::generate_full(&mut rand::rng()));
    let mut target = client(members[0]).await;
    let ok = target
        .forward(forward(&member_keys, now_ms(), &store))
        .await
        .expect("member forwards");
    assert_eq!(ok.into_inner().code, 200);
    let err = target
        .forward(forward(&forged, now_ms(), &store))
        .await
        .expect_err("forged key");
    assert_eq!(err.code(), tonic::Code::PermissionDenied, "{err}");
    let err = target
        .forward(forward(&outsider_keys, now_ms(), &store))
        .await
        .expect_err("outsider");
    assert_eq!(err.code(), tonic::Code::PermissionDenied, "{err}");
    let err = target
        .forward(forward(&member_keys, now_ms() - 120_000, &store))
        .await
        .expect_err("stale");
    assert_eq!(err.code(), tonic::Code::Unauthenticated, "{err}");
    let mut tampered = forward(&member_keys, now_ms(), &store);
    tampered.body = b"{\"method\":\"store\",\"params\":{}}".to_vec();
    let err = target
        .forward(tampered)
        .await
        .expect_err("body changed after signing");
    assert_eq!(err.code(), tonic::Code::Unauthenticated, "{err}");
    let retrieve = json!({"method": "retrieve", "params": session_e2e::retrieve_params(&user, "")});
    let err = target
        .forward(forward(&member_keys, now_ms(), &retrieve))
        .await
        .expect_err("not recursive");
    assert_eq!(err.code(), tonic::Code::InvalidArgument, "{err}");

    // Ping: any registered node may ask; the reply is signed by the callee's registered key.
    let mut req = PingRequest {
        auth: None,
        nonce: vec![7; 32],
    };
    req.auth = Some(auth::sign(
        &outsider_keys,
        "Ping",
        now_ms(),
        &auth::payload(&req),
    ));
    let reply = target.ping(req).await.expect("ping").into_inner();
    assert_eq!(reply.responder, members[0].record.ed25519.to_vec());
    let sig: [u8; 64] = reply.signature.as_slice().try_into().expect("64");
    let msg = [
        b"session-rs-ping-v1".as_slice(),
        &[7; 32],
        outsider_keys.ed25519_public().as_bytes(),
    ]
    .concat();
    Ed25519PublicKey::from_bytes(members[0].record.ed25519)
        .verify(&msg, &sig, "ping")
        .expect("signed by the registered key");
}
