//! Error paths: exact status codes and reason strings from spec/rpc-errors.md; nothing stored.
use crate::support::*;
use serde_json::json;
use session_node::rate_limit::RateLimiter;

async fn expect(node: &TestNode, method: &str, params: serde_json::Value, code: u16, text: &str) {
    let r = node.rpc(method, params).await;
    assert_eq!((r.code, r.text.as_str()), (code, text), "{method}");
}

#[tokio::test]
async fn request_level_errors() {
    let node = start().await;
    for (body, text) in [
        ("not json", "invalid json"),
        ("{\"params\": {}}", "invalid json: no `method` field"),
        ("{\"method\": \"info\"}", "invalid json: no `params` field"),
        (
            "{\"method\": \"info\", \"params\": []}",
            "invalid json: no `params` field",
        ),
        ("{\"method\": \"frob\", \"params\": {}}", "no method frob"),
        (
            "{\"method\": \"get_service_nodes\", \"params\": {}}",
            "no method get_service_nodes",
        ),
    ] {
        let r = node.raw(body).await;
        assert_eq!((r.code, r.text.as_str()), (400, text));
    }
    let client = reqwest::Client::new();
    let r = client
        .get(format!("{}/nope", node.url))
        .send()
        .await
        .unwrap();
    assert_eq!(r.status().as_u16(), 404);
    assert_eq!(r.text().await.unwrap(), "get /nope Not Found");
    let r = client
        .post(format!("{}/storage_rpc/v1", node.url))
        .header("X-Loki-Long-Poll", "true")
        .body("{}")
        .send()
        .await
        .unwrap();
    assert_eq!(r.status().as_u16(), 410);
    let r = client
        .post(format!("{}/storage_rpc/v1", node.url))
        .body(vec![b' '; 10 * 1024 * 1024 + 1])
        .send()
        .await
        .unwrap();
    assert_eq!(r.status().as_u16(), 413);
    assert_eq!(r.text().await.unwrap(), "Request body too large");
}

#[tokio::test]
async fn rate_limit_answers_429() {
    let node = start_with(Some(RateLimiter::new(3.0, 0.001, 100))).await;
    for _ in 0..3 {
        assert_eq!(node.rpc("info", json!({})).await.code, 200);
    }
    let r = node.rpc("info", json!({})).await;
    assert_eq!((r.code, r.text.as_str()), (429, "Too Many Requests\n"));
}

#[tokio::test]
async fn store_parse_errors_in_order() {
    let node = start().await;
    let u = User::new(9);
    let now = node.now();
    let pk = u.pubkey();
    let base = json!({"pubkey": pk, "timestamp": now, "ttl": DAY, "data": b64(b"x")});
    let with = |k: &str, v: serde_json::Value| {
        let mut p = base.clone();
        p[k] = v;
        p
    };
    let without = |k: &str| {
        let mut p = base.clone();
        p.as_object_mut().unwrap().remove(k);
        p
    };
    let inv = |m: &str| format!("invalid request: {m}");
    // type errors come first, in key order: data before timestamp
    expect(
        &node,
        "store",
        with("data", json!(5)),
        400,
        &inv("Invalid value given for 'data': expected string"),
    )
    .await;
    let mut p = with("data", json!(5));
    p["timestamp"] = json!("abc");
    expect(
        &node,
        "store",
        p,
        400,
        &inv("Invalid value given for 'data': expected string"),
    )
    .await;
    expect(
        &node,
        "store",
        with("timestamp", json!("abc")),
        400,
        &inv("Invalid value given for 'timestamp': \"abc\""),
    )
    .await;
    expect(
        &node,
        "store",
        with("namespace", json!(32768)),
        400,
        &inv("Invalid value given for 'namespace': value out of range"),
    )
    .await;
    expect(
        &node,
        "store",
        with("ttl", json!(-1)),
        400,
        &inv("Invalid value given for 'ttl': expected positive integer"),
    )
    .await;
    expect(
        &node,
        "store",
        without("timestamp"),
        400,
        &inv("Required field 'timestamp' missing"),
    )
    .await;
    expect(
        &node,
        "store",
        with("expiry", json!(now + DAY)),
        400,
        &inv("Cannot specify both 'expiry' and 'ttl'"),
    )
    .await;
    expect(
        &node,
        "store",
        without("ttl"),
        400,
        &inv("Required field 'expiry' or 'ttl' missing"),
    )
    .await;
    expect(
        &node,
        "store",
        with("pubKey", json!(pk)),
        400,
        &inv("Cannot specify both 'pubkey' and 'pubKey'"),
    )
    .await;
    expect(
        &node,
        "store",
        without("pubkey"),
        400,
        &inv("Required field 'pubkey' missing"),
    )
    .await;
    expect(
        &node,
        "store",
        with("pubkey", json!("05abcd")),
        400,
        &inv("Pubkey must be 66 hex digits (33 bytes) long"),
    )
    .await;
    expect(
        &node,
        "store",
        with("signature", json!("short")),
        400,
        &inv("invalid signature: expected base64 encoded Ed25519 signature"),
    )
    .await;
    expect(
        &node,
        "store",
        without("data"),
        400,
        &inv("Required field 'data' missing"),
    )
    .await;
    expect(
        &node,
        "store",
        with("data", json!("!!!!")),
        400,
        &inv("Invalid 'data' value: not base64 encoded"),
    )
    .await;
    expect(
        &node,
        "store",
        with("data", json!(b64(&vec![0u8; 76_801]))),
        400,
        &inv("Message body exceeds maximum allowed length of 76800 bytes"),
    )
    .await;
    // then the execution checks
    expect(
        &node,
        "store",
        with("ttl", json!(9_999)),
        403,
        "Provided expiry/TTL is not valid.",
    )
    .await;
    expect(
        &node,
        "store",
        with("ttl", json!(15 * DAY)),
        403,
        "Provided expiry/TTL is not valid.",
    )
    .await;
    let mut future = with("timestamp", json!(now + 60_000));
    future["ttl"] = json!(DAY);
    expect(
        &node,
        "store",
        future,
        406,
        "Timestamp error: check your clock",
    )
    .await;
    // a 76,800-byte message is accepted
    assert_eq!(
        node.rpc("store", with("data", json!(b64(&vec![1u8; 76_800]))))
            .await
            .code,
        200
    );
    // signed store with a stale sig_timestamp, and with a bad signature
    let mut p = u.auth(&format!("store3{now}"), with("namespace", json!(3)));
    p["sig_timestamp"] = json!(now - 120_000);
    expect(
        &node,
        "store",
        p,
        406,
        "store signature timestamp too far from current time",
    )
    .await;
    let p = u.auth("store3", with("namespace", json!(3)));
    expect(
        &node,
        "store",
        p,
        401,
        "store signature verification failed",
    )
    .await;
    // nothing but the one good store happened
    assert_eq!(hashes_of(&retrieve(&node, &u, 0).await).len(), 1);
    assert!(hashes_of(&retrieve(&node, &u, 3).await).is_empty());
}

#[tokio::test]
async fn retrieve_and_auth_errors() {
    let node = start().await;
    let (u, other) = (User::new(10), User::new(11));
    let now = node.now();
    let inv = |m: &str| format!("invalid request: {m}");
    expect(
        &node,
        "retrieve",
        json!({"pubkey": u.pubkey()}),
        401,
        "retrieve: request signature required",
    )
    .await;
    expect(
        &node,
        "retrieve",
        json!({"pubkey": u.pubkey(), "namespace": 0}),
        400,
        &inv("Required field 'signature' missing"),
    )
    .await;
    expect(
        &node,
        "retrieve",
        json!({"pubkey": u.pubkey(), "last_hash": "x", "lastHash": "y"}),
        400,
        &inv("Cannot specify both 'last_hash' and 'lastHash'"),
    )
    .await;
    expect(
        &node,
        "retrieve",
        json!({"pubkey": u.pubkey(), "last_hash": "abc"}),
        400,
        &inv("Invalid last_hash: expected base64 (43 chars)"),
    )
    .await;
    expect(
        &node,
        "retrieve",
        json!({"pubkey": u.pubkey(), "last_hash": "!".repeat(43)}),
        400,
        &inv("Invalid last_hash: not base64"),
    )
    .await;
    let stale = now - 61_000;
    expect(
        &node,
        "retrieve",
        u.auth(&format!("retrieve{stale}"), json!({"timestamp": stale})),
        406,
        "retrieve timestamp too far from current time",
    )
    .await;
    let wrong = other.auth(&format!("retrieve{now}"), json!({"timestamp": now}));
    let mut p = wrong.clone();
    p["pubkey"] = json!(u.pubkey());
    expect(
        &node,
        "retrieve",
        p,
        401,
        "retrieve signature verification failed",
    )
    .await;
    // pubkey_ed25519 only for 05 accounts; bad formats
    let mut p = u.auth(&format!("retrieve{now}"), json!({"timestamp": now}));
    p["pubkey"] = json!(format!("03{}", u.ed()));
    expect(
        &node,
        "retrieve",
        p,
        400,
        &inv("pubkey_ed25519 is only permitted for 05[...] pubkeys"),
    )
    .await;
    let mut p = u.auth(&format!("retrieve{now}"), json!({"timestamp": now}));
    p["pubkey_ed25519"] = json!("zz".repeat(32));
    expect(
        &node,
        "retrieve",
        p.clone(),
        400,
        &inv("invalid pubkey_ed25519: value is not hex"),
    )
    .await;
    p["pubkey_ed25519"] = json!("abcd");
    expect(
        &node,
        "retrieve",
        p,
        400,
        &inv("Invalid pubkey_ed25519: expected 64 hex char or 32 byte pubkey"),
    )
    .await;
    // a 05 account without pubkey_ed25519 cannot verify
    let p = json!({"pubkey": u.pubkey(), "timestamp": now, "signature": u.sign(&format!("retrieve{now}"))});
    expect(
        &node,
        "retrieve",
        p,
        401,
        "retrieve signature verification failed",
    )
    .await;
}

#[tokio::test]
async fn method_specific_errors() {
    let node = start().await;
    let u = User::new(12);
    let now = node.now();
    let inv = |m: &str| format!("invalid request: {m}");
    expect(
        &node,
        "delete",
        u.auth("delete", json!({"messages": []})),
        400,
        &inv("messages does not contain any message hashes"),
    )
    .await;
    expect(
        &node,
        "delete",
        u.auth("delete", json!({"messages": ["nothash"]})),
        400,
        &inv("invalid message hash: nothash"),
    )
    .await;
    expect(
        &node,
        "delete",
        u.auth("delete", json!({})),
        400,
        &inv("Required field 'messages' missing"),
    )
    .await;
    let h = "A".repeat(43);
    expect(
        &node,
        "delete",
        u.auth("delete", json!({"messages": [h]})),
        401,
        "delete_msgs signature verification failed",
    )
    .await;
    let stale = now - 61_000;
    expect(
        &node,
        "delete_all",
        u.auth(&format!("delete_all{stale}"), json!({"timestamp": stale})),
        406,
        "delete_all timestamp too far from current time",
    )
    .await;
    expect(
        &node,
        "delete_all",
        u.auth("x", json!({"namespace": 1.5, "timestamp": now})),
        400,
        &inv("Invalid value given for 'namespace': expected integer or \"all\""),
    )
    .await;
    let fut = now + 61_000;
    expect(
        &node,
        "delete_before",
        u.auth(&format!("delete_before{fut}"), json!({"before": fut})),
        401,
        "delete_before timestamp too far in the future",
    )
    .await;
    expect(
        &node,
        "expire_all",
        u.auth(&format!("expire_all{stale}"), json!({"expiry": stale})),
        406,
        "expire_all timestamp should be >= current time",
    )
    .await;
    expect(
        &node,
        "get_expiries",
        u.auth("g", json!({"messages": ["x"]})),
        400,
        &inv("Required field 'timestamp' missing"),
    )
    .await;
    expect(
        &node,
        "get_expiries",
        u.auth("g", json!({"messages": ["x"], "timestamp": now})),
        401,
        "get_expiries signature verification failed",
    )
    .await;
    expect(
        &node,
        "expire",
        u.auth(
            "e",
            json!({"messages": [h], "expiry": now + 1000, "shorten": true, "extend": true}),
        ),
        400,
        &inv("cannot specify both 'shorten' and 'extend'"),
    )
    .await;
    expect(
        &node,
        "expire",
        u.auth("e", json!({"messages": [h], "expiry": now + 1000})),
        401,
        "expire: signature verification failed",
    )
    .await;
    expect(
        &node,
        "get_swarm",
        json!({"pubkey": "05"}),
        400,
        &inv("Pubkey must be 66 hex digits/33 bytes long"),
    )
    .await;
    let reqs: Vec<_> = (0..21)
        .map(|_| json!({"method": "info", "params": {}}))
        .collect();
    expect(
        &node,
        "batch",
        json!({"requests": reqs}),
        400,
        &inv("Invalid batch request: subrequest limit exceeded"),
    )
    .await;
    expect(
        &node,
        "batch",
        json!({"requests": []}),
        400,
        &inv("Invalid batch request: no valid \"requests\" field"),
    )
    .await;
    expect(&node, "batch", json!({"requests": [{"method": "batch", "params": {"requests": [{"method": "info", "params": {}}]}}]}), 400, &inv("Invalid batch subrequest: subrequests may not contain meta-requests")).await;
    expect(
        &node,
        "batch",
        json!({"requests": [{"method": "nope", "params": {}}]}),
        400,
        &inv("Invalid batch subrequest: invalid method \"nope\""),
    )
    .await;
    expect(
        &node,
        "batch",
        json!({"requests": [5]}),
        400,
        &inv("Invalid batch request: requests must be objects"),
    )
    .await;
}
