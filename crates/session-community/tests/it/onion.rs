//! `POST /oxen/v4/lsrpc`: a v4 onion payload built by the client code of `session-onion`,
//! peeled by one node, POSTed by that node to the server, the answer opened by the client.

use super::*;
use session_crypto::hop::EncType;
use session_crypto::{Ed25519PublicKey, X25519Secret};
use session_onion::{
    Destination, Layer, Node, NodeKeys, OnionEnvelope, Protocol, ServerDestination, V4Request,
    V4Response, build, peel,
};

/// Sends `inner` to `srv` through a one-node onion path with cipher `enc`.
async fn through_onion(srv: &Srv, inner: &V4Request, enc: EncType) -> V4Response {
    let node_secret = X25519Secret::from_bytes([42; 32]);
    let node = Node {
        ed25519: Ed25519PublicKey::from_bytes([1; 32]),
        x25519: node_secret.public_key(),
        ip: std::net::Ipv4Addr::LOCALHOST,
        port: 1,
    };
    let port: u16 = srv.url.rsplit(':').next().unwrap().parse().unwrap();
    let dest = Destination::Server(
        ServerDestination::v4(
            "127.0.0.1",
            Protocol::Http,
            session_crypto::X25519PublicKey::from_bytes(srv.pubkey),
        )
        .with_port(port),
    );
    let req = build(&[node], &dest, &inner.encode(), enc, &mut rand::rng()).unwrap();
    let env = OnionEnvelope::parse(&req.body).unwrap();
    let Layer::Proxy(proxy) = peel(&NodeKeys::new(node_secret), &env)
        .unwrap()
        .layer
        .unwrap()
    else {
        panic!("not a proxy layer");
    };
    assert_eq!(proxy.url(), format!("{}/oxen/v4/lsrpc", srv.url));
    let got = srv
        .raw("POST", "/oxen/v4/lsrpc", &[], proxy.payload)
        .await
        .expect(200);
    req.response.open_v4(&got.bytes).unwrap()
}

#[tokio::test]
async fn onion_v4_request_returns_the_room_list() {
    let srv = Srv::start().await;
    for enc in [EncType::XChaCha20, EncType::AesGcm] {
        let inner = V4Request {
            method: "GET".into(),
            endpoint: "/rooms".into(),
            headers: vec![],
            body: None,
        };
        let resp = through_onion(&srv, &inner, enc).await;
        assert_eq!(resp.code, 200);
        assert!(
            resp.headers
                .contains(&("content-type".into(), "application/json".into()))
        );
        assert!(!resp.headers.iter().any(|(k, _)| k == "content-length"));
        let rooms: Value = serde_json::from_slice(&resp.body).unwrap();
        assert_eq!(rooms[0]["token"], "lobby");
    }
}

#[tokio::test]
async fn onion_requests_carry_auth_inside_and_run_batches() {
    let srv = Srv::start().await;
    let alice = User::new(1);
    // An authenticated post, the auth headers inside the v4 meta, a raw UTF-8 path.
    let body = alice.post_body(&srv, b"via onion").to_string().into_bytes();
    let mut headers = srv.headers(&alice, "POST", "/room/lobby/message", &body);
    headers.push(("Content-Type".into(), "application/json".into()));
    let inner = V4Request {
        method: "POST".into(),
        endpoint: "/room/lobby/message".into(),
        headers,
        body: Some(body),
    };
    let resp = through_onion(&srv, &inner, EncType::XChaCha20).await;
    assert_eq!(resp.code, 201, "{}", String::from_utf8_lossy(&resp.body));
    let id = serde_json::from_slice::<Value>(&resp.body).unwrap()["id"]
        .as_i64()
        .unwrap();
    let endpoint = format!("/room/lobby/reaction/{id}/🍍");
    let headers = srv.headers(&alice, "PUT", &endpoint, b"");
    let inner = V4Request {
        method: "PUT".into(),
        endpoint,
        headers,
        body: None,
    };
    let resp = through_onion(&srv, &inner, EncType::XChaCha20).await;
    assert_eq!(resp.code, 200, "{}", String::from_utf8_lossy(&resp.body));
    // A refusal travels back encrypted with its code.
    let inner = V4Request {
        method: "GET".into(),
        endpoint: "/room/nope".into(),
        headers: vec![],
        body: None,
    };
    assert_eq!(through_onion(&srv, &inner, EncType::AesGcm).await.code, 404);
    // A sequence inside an onion request.
    let seq = json!([{"method": "GET", "path": "/capabilities"}, {"method": "GET", "path": "/room/lobby/messages/recent"}]);
    let inner = V4Request {
        method: "POST".into(),
        endpoint: "/sequence".into(),
        headers: vec![("Content-Type".into(), "application/json".into())],
        body: Some(seq.to_string().into_bytes()),
    };
    let resp = through_onion(&srv, &inner, EncType::XChaCha20).await;
    let list: Value = serde_json::from_slice(&resp.body).unwrap();
    assert_eq!(list[1]["body"][0]["data"], b64(b"via onion"));
}

#[tokio::test]
async fn undecryptable_or_invalid_onion_bodies() {
    let srv = Srv::start().await;
    // Not an onion body at all: a plain 400.
    let r = srv
        .raw("POST", "/oxen/v4/lsrpc", &[], b"garbage".to_vec())
        .await
        .expect(400);
    assert!(
        r.text().starts_with("Error parsing onion request"),
        "{}",
        r.text()
    );
    // A payload that decrypts but is not v4: an encrypted 400.
    let node_secret = X25519Secret::from_bytes([42; 32]);
    let node = Node {
        ed25519: Ed25519PublicKey::from_bytes([1; 32]),
        x25519: node_secret.public_key(),
        ip: std::net::Ipv4Addr::LOCALHOST,
        port: 1,
    };
    let port: u16 = srv.url.rsplit(':').next().unwrap().parse().unwrap();
    let dest = Destination::Server(
        ServerDestination::v4(
            "127.0.0.1",
            Protocol::Http,
            session_crypto::X25519PublicKey::from_bytes(srv.pubkey),
        )
        .with_port(port),
    );
    let req = build(
        &[node],
        &dest,
        b"not bencode",
        EncType::XChaCha20,
        &mut rand::rng(),
    )
    .unwrap();
    let env = OnionEnvelope::parse(&req.body).unwrap();
    let Layer::Proxy(proxy) = peel(&NodeKeys::new(node_secret), &env)
        .unwrap()
        .layer
        .unwrap()
    else {
        panic!();
    };
    let got = srv
        .raw("POST", "/oxen/v4/lsrpc", &[], proxy.payload)
        .await
        .expect(200);
    let resp = req.response.open_v4(&got.bytes).unwrap();
    assert_eq!(resp.code, 400);
    assert_eq!(resp.body, b"Invalid v4 onion request");
    srv.get(None, "/oxen/v4/lsrpc").await.expect(405);
}
