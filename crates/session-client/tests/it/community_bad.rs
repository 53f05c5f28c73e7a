//! Communities against a scripted server (behind the same onion layers) that answers what a
//! broken or hostile server could: garbage, posts whose signature does not verify, DMs that
//! do not decrypt. Nothing panics; what cannot be used is skipped or reported, and cursors do
//! not move past what was not stored.

use crate::community::client;
use crate::nodes::Nodes;
use axum::Router;
use axum::body::Bytes;
use axum::extract::State;
use axum::routing::post;
use base64::Engine as _;
use base64::engine::general_purpose::STANDARD;
use serde_json::{Value, json};
use session_client::community::posts::post_content;
use session_client::content::Profile;
use session_crypto::blinding::blind15_keypair;
use session_crypto::{IdentityKeys, Seed, X25519Secret};
use session_onion::{NodeKeys, V4Response, open_v4};
use session_protocol::community::{CommunitySigner, encode_community_message};
use std::sync::Arc;
use std::sync::atomic::{AtomicBool, Ordering};

#[derive(Clone)]
struct Fake {
    keys: Arc<NodeKeys>,
    pubkey: [u8; 32],
    garbage: Arc<AtomicBool>,
}

fn poster() -> IdentityKeys {
    IdentityKeys::from_seed(Seed::from_bytes([9; 32]))
}

fn message(fake: &Fake, id: i64, seqno: i64, forged: bool) -> Value {
    let keys = poster();
    let content = post_content(&format!("post {id}"), None, &Profile::default(), 1_000);
    let mut m =
        encode_community_message(&content, &CommunitySigner::Blind15(&keys, &fake.pubkey)).unwrap();
    if forged {
        m.signature[5] ^= 1;
    }
    json!({"id": id, "seqno": seqno, "posted": 1.5, "reactions": {},
        "session_id": blind15_keypair(&keys, &fake.pubkey).id().to_string(),
        "data": STANDARD.encode(&m.data), "signature": STANDARD.encode(m.signature)})
}

fn answer(fake: &Fake, path: &str) -> Value {
    let sender = blind15_keypair(&poster(), &fake.pubkey).id().to_string();
    if path == "/capabilities" {
        json!({"code": 200, "body": {"capabilities": ["blind", "reactions", "sogs"]}})
    } else if path == "/room/lobby" || path.contains("/pollInfo/") {
        json!({"code": 200, "body": {"token": "lobby", "name": "Lobby", "info_updates": 1,
            "message_sequence": 5, "read": true, "write": true}})
    } else if path.contains("/messages/recent") {
        json!({"code": 200, "body": []})
    } else if path.contains("/messages/since/") {
        json!({"code": 200, "body": [message(fake, 1, 6, true), message(fake, 2, 7, false),
            {"no": "id"}, 17]})
    } else if path.starts_with("/inbox") {
        json!({"code": 200, "body": [{"id": 3, "posted_at": 2.0, "sender": sender,
            "recipient": sender, "message": STANDARD.encode([0u8; 80])}]})
    } else {
        json!({"code": 304, "body": null})
    }
}

async fn lsrpc(State(fake): State<Fake>, body: Bytes) -> Vec<u8> {
    let exchange = open_v4(&fake.keys, &body).unwrap();
    let req = exchange.request.as_ref().unwrap();
    let body = if fake.garbage.load(Ordering::SeqCst) {
        b"\x00not json{".to_vec()
    } else {
        let subs: Value = serde_json::from_slice(req.body.as_deref().unwrap_or(b"[]")).unwrap();
        let list: Vec<Value> = subs
            .as_array()
            .unwrap()
            .iter()
            .map(|s| answer(&fake, s["path"].as_str().unwrap()))
            .collect();
        serde_json::to_vec(&list).unwrap()
    };
    let resp = V4Response {
        code: 200,
        headers: vec![("content-type".into(), "application/json".into())],
        body,
    };
    exchange.seal(&resp, &mut rand::rng())
}

async fn start() -> (Fake, String) {
    let secret = X25519Secret::generate(&mut rand::rng());
    let pubkey = *secret.public_key().as_bytes();
    let fake = Fake {
        keys: Arc::new(NodeKeys::new(secret)),
        pubkey,
        garbage: Arc::default(),
    };
    let app = Router::new()
        .route("/oxen/v4/lsrpc", post(lsrpc))
        .with_state(fake.clone());
    let listener = tokio::net::TcpListener::bind("127.0.0.1:0").await.unwrap();
    let port = listener.local_addr().unwrap().port();
    tokio::spawn(async move { axum::serve(listener, app).await.unwrap() });
    let url = format!(
        "http://127.0.0.1:{port}/lobby?public_key={}",
        hex::encode(pubkey)
    );
    (fake, url)
}

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn forged_posts_and_undecryptable_dms_are_skipped_and_garbage_moves_nothing() {
    let net = Nodes::start(6).await;
    let home = tempfile::tempdir().unwrap();
    let alice = client(home.path(), &net);
    let (fake, url) = start().await;
    alice.community_join(&url).await.unwrap();
    assert_eq!(alice.communities().unwrap()[0].seqno, Some(5));

    let round = alice.poll_communities().await.unwrap();
    assert!(round.failed.is_empty(), "{:?}", round.failed);
    let texts: Vec<_> = round
        .applied
        .new
        .iter()
        .map(|(_, _, p)| p.text.clone())
        .collect();
    assert_eq!(texts, ["post 2"], "the forged post 1 is skipped");
    assert_eq!(
        round.applied.refused.len(),
        2,
        "{:?}",
        round.applied.refused
    );
    assert!(round.applied.dms.is_empty());
    let room = &alice.communities().unwrap()[0];
    assert_eq!(room.seqno, Some(7));
    let base = room.base_url.clone();
    assert_eq!(
        alice.history().community_server(&base).unwrap().inbox_since,
        3
    );

    // Garbage: an error for that server, nothing stored, no cursor moved.
    fake.garbage.store(true, Ordering::SeqCst);
    let round = alice.poll_communities().await.unwrap();
    assert_eq!(round.failed.len(), 1);
    assert!(
        round.failed[0].1.contains("unusable answer"),
        "{}",
        round.failed[0].1
    );
    assert_eq!(alice.communities().unwrap()[0].seqno, Some(7));
    let e = alice
        .community_post(&url, "hello?", None)
        .await
        .unwrap_err();
    assert!(e.to_string().contains("not the post"), "{e}");
    let other = url.replace("/lobby?", "/other?");
    assert!(alice.community_join(&other).await.is_err());
}
