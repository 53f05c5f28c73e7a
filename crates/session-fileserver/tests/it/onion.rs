//! Onion requests: v4 payloads (both hop ciphers) and the v3 form, built by the client code of
//! `session-onion`, peeled by one node, POSTed by that node to the server; the answers opened as
//! a client opens them. Undecryptable bodies get the plain 400, undecodable payloads the
//! encrypted 400.

use super::*;
use base64::Engine as _;
use base64::engine::general_purpose::STANDARD;
use session_crypto::hop::EncType;
use session_crypto::{Ed25519PublicKey, X25519PublicKey, X25519Secret};
use session_onion::{
    Destination, Layer, Node, NodeKeys, OnionEnvelope, OnionRequest, Protocol, ServerDestination,
    V4Request, V4Response, build, peel,
};

/// Builds a one-node onion request carrying `payload` to the server (v4 or v3 target), peels
/// it as the node does and returns (the body the node POSTs, the path it POSTs to, the request).
fn onion(srv: &Srv, payload: &[u8], v3: bool, enc: EncType) -> (Vec<u8>, String, OnionRequest) {
    let node_secret = X25519Secret::from_bytes([42; 32]);
    let node = Node {
        ed25519: Ed25519PublicKey::from_bytes([1; 32]),
        x25519: node_secret.public_key(),
        ip: std::net::Ipv4Addr::LOCALHOST,
        port: 1,
    };
    let key = X25519PublicKey::from_bytes(srv.pubkey);
    let dest = if v3 {
        ServerDestination::v3("127.0.0.1", Protocol::Http, key)
    } else {
        ServerDestination::v4("127.0.0.1", Protocol::Http, key)
    };
    let dest = Destination::Server(dest.with_port(srv.port));
    let req = build(&[node], &dest, payload, enc, &mut rand::rng()).unwrap();
    let env = OnionEnvelope::parse(&req.body).unwrap();
    let Layer::Proxy(proxy) = peel(&NodeKeys::new(node_secret), &env)
        .unwrap()
        .layer
        .unwrap()
    else {
        panic!("not a proxy layer");
    };
    let url = proxy.url();
    let path = url.strip_prefix(&srv.url).unwrap().to_owned();
    (proxy.payload, path, req)
}

async fn v4(srv: &Srv, inner: &V4Request, enc: EncType) -> V4Response {
    let (body, path, req) = onion(srv, &inner.encode(), false, enc);
    assert_eq!(path, "/oxen/v4/lsrpc");
    let got = srv.raw("POST", &path, &[], body).await.expect(200);
    req.response.open_v4(&got.bytes).unwrap()
}

fn request(
    method: &str,
    endpoint: &str,
    headers: &[(&str, &str)],
    body: Option<Vec<u8>>,
) -> V4Request {
    V4Request {
        method: method.into(),
        endpoint: endpoint.into(),
        headers: headers
            .iter()
            .map(|(a, b)| ((*a).into(), (*b).into()))
            .collect(),
        body,
    }
}

#[tokio::test]
async fn upload_and_download_through_v4_with_both_ciphers() {
    let srv = Srv::start().await;
    for (i, enc) in [EncType::XChaCha20, EncType::AesGcm]
        .into_iter()
        .enumerate()
    {
        let blob = data(300_000, 30 + i as u8);
        let up = v4(
            &srv,
            &request(
                "POST",
                "/file",
                &[
                    ("Content-Type", "application/octet-stream"),
                    ("X-FS-TTL", "3600"),
                ],
                Some(blob.clone()),
            ),
            enc,
        )
        .await;
        assert_eq!(up.code, 200, "{}", String::from_utf8_lossy(&up.body));
        assert!(
            up.headers
                .contains(&("content-type".into(), "application/json".into()))
        );
        let v: serde_json::Value = serde_json::from_slice(&up.body).unwrap();
        let id = v["id"].as_str().unwrap();
        assert!((v["expires"].as_f64().unwrap() - srv.now() - 3600.0).abs() < 5.0);
        let down = v4(
            &srv,
            &request("GET", &format!("/file/{id}"), &[], None),
            enc,
        )
        .await;
        assert_eq!(down.code, 200);
        assert_eq!(down.body, blob);
        assert!(!down.headers.iter().any(|(k, _)| k == "content-length"));
        let ext = v4(
            &srv,
            &request("POST", &format!("/file/{id}/extend"), &[], None),
            enc,
        )
        .await;
        assert_eq!(ext.code, 200);
        let missing = v4(&srv, &request("GET", "/file/nope", &[], None), enc).await;
        assert_eq!(
            (missing.code, missing.body.as_slice()),
            (404, &br#"{"status_code": 404}"#[..])
        );
    }
}

#[tokio::test]
async fn a_ten_megabyte_upload_fits_in_one_onion_request() {
    let srv = Srv::start().await;
    let blob = data(10_000_000, 40);
    let up = v4(
        &srv,
        &request("POST", "/file", &[], Some(blob.clone())),
        EncType::XChaCha20,
    )
    .await;
    assert_eq!(up.code, 200);
    let id = serde_json::from_slice::<serde_json::Value>(&up.body).unwrap()["id"]
        .as_str()
        .unwrap()
        .to_owned();
    assert_eq!(
        srv.get(&format!("/file/{id}")).await.expect(200).bytes,
        blob
    );
    let too_big = v4(
        &srv,
        &request("POST", "/file", &[], Some(data(10_000_001, 40))),
        EncType::AesGcm,
    )
    .await;
    assert_eq!(
        (too_big.code, too_big.body.as_slice()),
        (413, &br#"{"status_code": 413}"#[..])
    );
}

#[tokio::test]
async fn undecryptable_and_undecodable_onion_bodies() {
    let srv = Srv::start().await;
    for path in ["/oxen/v4/lsrpc", "/loki/v3/lsrpc", "/oxen/v3/lsrpc"] {
        let r = srv
            .raw("POST", path, &[], b"garbage".to_vec())
            .await
            .expect(400);
        assert_eq!(r.content_type(), "text/plain; charset=utf-8");
        assert!(
            r.text().starts_with("Error parsing onion request"),
            "{path}: {}",
            r.text()
        );
        srv.get(path).await.expect(405);
    }
    // Encrypted to another key: does not decrypt.
    let mut other = Srv::start().await;
    other.pubkey = *X25519Secret::from_bytes([3; 32]).public_key().as_bytes();
    let (body, path, _) = onion(
        &other,
        &request("GET", "/file/x", &[], None).encode(),
        false,
        EncType::XChaCha20,
    );
    let path = path.replace(&other.port.to_string(), &srv.port.to_string());
    srv.raw("POST", &path, &[], body).await.expect(400);
    // Decrypts but is not a v4 request: an encrypted 400.
    let (body, path, req) = onion(&srv, b"not bencode", false, EncType::XChaCha20);
    let got = srv.raw("POST", &path, &[], body).await.expect(200);
    let resp = req.response.open_v4(&got.bytes).unwrap();
    assert_eq!(
        (resp.code, resp.body.as_slice()),
        (400, &b"Invalid v4 onion request"[..])
    );
}

#[tokio::test]
async fn the_v3_form() {
    let srv = Srv::start().await;
    let blob = data(2000, 50);
    let legacy = serde_json::json!({ "file": STANDARD.encode(&blob) }).to_string();
    let payload = serde_json::json!({
        "endpoint": "files", "method": "POST", "body": legacy,
        "headers": {"Content-Type": "application/json"},
    });
    let (body, path, req) = onion(&srv, payload.to_string().as_bytes(), true, EncType::AesGcm);
    assert_eq!(path, "/loki/v3/lsrpc");
    let got = srv.raw("POST", &path, &[], body).await.expect(200);
    let reply = req.response.open_v3(&got.bytes).unwrap();
    assert_eq!(reply.status(), 200);
    let v: serde_json::Value = serde_json::from_slice(&reply.body).unwrap();
    let id = v["result"].as_str().unwrap().to_owned();
    // GET through v3 (with Android's "null" body), the body of a 200 as it is.
    let payload = serde_json::json!({"endpoint": format!("/file/{id}/info"), "method": "GET", "body": "null"});
    let (body, path, req) = onion(
        &srv,
        payload.to_string().as_bytes(),
        true,
        EncType::XChaCha20,
    );
    let got = srv.raw("POST", &path, &[], body).await.expect(200);
    let reply = req.response.open_v3(&got.bytes).unwrap();
    assert_eq!(reply.status(), 200);
    assert_eq!(
        serde_json::from_slice::<serde_json::Value>(&reply.body).unwrap()["size"],
        2000
    );
    // Errors come back as {"status_code": N}, including a payload that is not v3 JSON.
    for (payload, code) in [
        (
            serde_json::json!({"endpoint": "/file/none", "method": "GET"}).to_string(),
            404,
        ),
        ("not json".to_owned(), 400),
        (
            serde_json::json!({"endpoint": "/file/x", "method": "GET", "body": "x"}).to_string(),
            400,
        ),
    ] {
        let (body, path, req) = onion(&srv, payload.as_bytes(), true, EncType::XChaCha20);
        let got = srv.raw("POST", &path, &[], body).await.expect(200);
        let reply = req.response.open_v3(&got.bytes).unwrap();
        assert_eq!(
            reply.body,
            format!(r#"{{"status_code": {code}}}"#).into_bytes()
        );
    }
}
