//! Every method's success path, with the exact result shapes.
use crate::support::*;
use serde_json::{Value, json};
use session_crypto::Ed25519PublicKey;

#[tokio::test]
async fn store_then_retrieve_with_exact_shapes() {
    let node = start().await;
    let alice = User::new(1);
    let now = node.now();
    let r = node
        .rpc("store", json!({"pubKey": alice.pubkey(), "timestamp": now.to_string(), "ttl": DAY.to_string(), "data": b64(b"hello")}))
        .await;
    assert_eq!(r.code, 200, "{}", r.text);
    let body = r.json();
    let hash = body["hash"].as_str().unwrap();
    assert_eq!(hash.len(), 43);
    let entry = r.entry(&node);
    assert_eq!(entry["hash"], hash);
    assert_eq!(entry["expiry"], now + DAY);
    assert!(entry.get("already").is_none());
    let node_key = Ed25519PublicKey::from_bytes(node.state.record.ed25519);
    let sig: [u8; 64] = base64::Engine::decode(
        &base64::engine::general_purpose::STANDARD,
        entry["signature"].as_str().unwrap(),
    )
    .unwrap()
    .try_into()
    .unwrap();
    node_key.verify(hash.as_bytes(), &sig, "node").unwrap();
    assert!(body["t"].is_u64() && body["hf"] == json!([19, 4]));

    // duplicate: already, same hash
    let dup = node
        .rpc("store", json!({"pubkey": alice.pubkey(), "timestamp": now, "expiry": now + 2 * DAY, "data": b64(b"hello")}))
        .await;
    assert_eq!(dup.entry(&node)["already"], true);
    assert_eq!(dup.entry(&node)["expiry"], now + 2 * DAY);

    let r = retrieve(&node, &alice, 0).await;
    assert_eq!(r.code, 200, "{}", r.text);
    let body = r.json();
    let mut keys: Vec<_> = body.as_object().unwrap().keys().cloned().collect();
    keys.sort();
    assert_eq!(keys, ["hf", "messages", "more", "t"]);
    let m = &body["messages"][0];
    let mut mk: Vec<_> = m.as_object().unwrap().keys().cloned().collect();
    mk.sort();
    assert_eq!(mk, ["data", "expiration", "hash", "timestamp"]);
    assert_eq!(
        (m["hash"].as_str().unwrap(), m["data"].as_str().unwrap()),
        (hash, b64(b"hello").as_str())
    );
    assert_eq!(m["expiration"], now + 2 * DAY);
    assert_eq!(body["more"], false);
}

#[tokio::test]
async fn retrieve_pages_with_last_hash_and_max_count() {
    let node = start().await;
    let bob = User::new(2);
    let mut hashes = Vec::new();
    for i in 0..5u8 {
        hashes.push(store_public(&node, &bob, &[i; 8]).await);
    }
    let now = node.now();
    let params = bob.auth(
        &format!("retrieve{now}"),
        json!({"timestamp": now, "last_hash": hashes[1], "max_count": 2}),
    );
    let r = node.rpc("retrieve", params).await;
    assert_eq!(hashes_of(&r), hashes[2..4]);
    assert_eq!(r.json()["more"], true);
}

#[tokio::test]
async fn authenticated_namespaces_and_group_accounts() {
    let node = start().await;
    let alice = User::new(3);
    let now = node.now();
    let data = b64(b"config");
    let r = node.rpc("store", json!({"pubkey": alice.pubkey(), "namespace": 5, "timestamp": now, "ttl": DAY, "data": data})).await;
    assert_eq!(
        (r.code, r.text.as_str()),
        (401, "store: signature required to store to namespace 5")
    );
    let params = alice.auth(
        &format!("store5{now}"),
        json!({"namespace": 5, "timestamp": now, "ttl": DAY, "data": data}),
    );
    assert_eq!(node.rpc("store", params).await.code, 200);
    assert_eq!(hashes_of(&retrieve(&node, &alice, 5).await).len(), 1);
    assert!(hashes_of(&retrieve(&node, &alice, 0).await).is_empty());

    // a 03 group: the account bytes are the Ed25519 key, no pubkey_ed25519
    let group = User::new(4);
    let gid = format!("03{}", group.ed());
    let p = json!({"pubkey": gid, "namespace": 11, "timestamp": now, "ttl": DAY, "data": data, "signature": group.sign(&format!("store11{now}"))});
    assert_eq!(node.rpc("store", p).await.code, 200);
    let p = json!({"pubkey": gid, "namespace": 11, "timestamp": now, "signature": group.sign(&format!("retrieve11{now}"))});
    let r = node.rpc("retrieve", p).await;
    assert_eq!(hashes_of(&r).len(), 1, "{}", r.text);
}

#[tokio::test]
async fn public_outbox_keeps_one_message_and_reads_without_auth() {
    let node = start().await;
    let u = User::new(5);
    let now = node.now();
    for (i, d) in [b"first", b"secnd"].iter().enumerate() {
        let ts = now + i as u64;
        let p = u.auth(
            &format!("store-21{ts}"),
            json!({"namespace": -21, "timestamp": ts, "ttl": DAY, "data": b64(*d)}),
        );
        assert_eq!(node.rpc("store", p).await.code, 200);
    }
    let r = node
        .rpc("retrieve", json!({"pubkey": u.pubkey(), "namespace": -21}))
        .await;
    assert_eq!(r.code, 200, "{}", r.text);
    assert_eq!(r.json()["messages"][0]["data"], b64(b"secnd"));
    assert_eq!(r.json()["messages"].as_array().unwrap().len(), 1);
}

#[tokio::test]
async fn delete_variants() {
    let node = start().await;
    let u = User::new(6);
    let h1 = store_public(&node, &u, b"one").await;
    let h2 = store_public(&node, &u, b"two").await;
    let p = u.auth(&format!("delete{h1}"), json!({"messages": [h1]}));
    let r = node.rpc("delete", p.clone()).await;
    assert_eq!(r.code, 200, "{}", r.text);
    assert_eq!(r.entry(&node)["deleted"], json!([h1]));
    // again, with required: nothing deleted anywhere -> 404 with the JSON body
    let mut p2 = p.clone();
    p2["required"] = json!(true);
    let r = node.rpc("delete", p2).await;
    assert_eq!(r.code, 404);
    assert_eq!(r.entry(&node)["deleted"], json!([]));
    assert_eq!(node.rpc("delete", p).await.code, 200);

    let now = node.now();
    let r = node
        .rpc(
            "delete_before",
            u.auth(
                &format!("delete_before{}", now + 1),
                json!({"before": now + 1}),
            ),
        )
        .await;
    assert_eq!(r.entry(&node)["deleted"], json!([h2]), "{}", r.text);

    store_public(&node, &u, b"three").await;
    let now = node.now();
    let r = node
        .rpc(
            "delete_all",
            u.auth(
                &format!("delete_allall{now}"),
                json!({"namespace": "all", "timestamp": now}),
            ),
        )
        .await;
    assert_eq!(r.code, 200, "{}", r.text);
    assert_eq!(r.entry(&node)["deleted"]["0"].as_array().unwrap().len(), 1);
    assert!(hashes_of(&retrieve(&node, &u, 0).await).is_empty());
}

#[tokio::test]
async fn expire_variants_and_get_expiries() {
    let node = start().await;
    let u = User::new(7);
    let h = store_public(&node, &u, b"ttl").await;
    let now = node.now();
    let short = now + 3_600_000;
    let p = u.auth(
        &format!("expireshorten{short}{h}"),
        json!({"messages": [h], "expiry": short, "shorten": true}),
    );
    let r = node.rpc("expire", p).await;
    assert_eq!(r.code, 200, "{}", r.text);
    let e = r.entry(&node);
    assert_eq!(e["updated"], json!([h]));
    assert_eq!(e["unchanged"], json!({}));
    assert_eq!(e["expiry"], short);
    // extend to something earlier: unchanged
    let p = u.auth(
        &format!("expireextend{}{h}", now + 60_000),
        json!({"messages": [h], "expiry": now + 60_000, "extend": true}),
    );
    let e = node.rpc("expire", p).await.entry(&node);
    assert_eq!(e["updated"], json!([]));
    assert_eq!(e["unchanged"][&h], short);

    let p = u.auth(
        &format!("get_expiries{now}{h}"),
        json!({"messages": [h], "timestamp": now}),
    );
    let r = node.rpc("get_expiries", p).await;
    assert_eq!(r.json(), json!({"expiries": {h.clone(): short}}));
    // ["all"] is no special form (the reference looks up a hash named "all"): nothing.
    let h2 = store_public(&node, &u, b"second").await;
    let p = u.auth(
        &format!("get_expiries{now}all"),
        json!({"messages": ["all"], "timestamp": now}),
    );
    let all = node.rpc("get_expiries", p).await.json();
    assert_eq!(all, json!({"expiries": {}}));

    let target = now + 1_800_000;
    let p = u.auth(&format!("expire_all{target}"), json!({"expiry": target}));
    let r = node.rpc("expire_all", p).await;
    let mut updated: Vec<String> =
        serde_json::from_value(r.entry(&node)["updated"].clone()).unwrap();
    updated.sort();
    let mut want = vec![h, h2];
    want.sort();
    assert_eq!(updated, want, "{}", r.text);
    assert_eq!(hashes_of(&retrieve(&node, &u, 0).await).len(), 2);
}

#[tokio::test]
async fn info_get_swarm_batch_and_sequence() {
    let node = start().await;
    let r = node.rpc("info", json!({})).await;
    assert_eq!(r.json()["version"], json!([2, 8, 0]));
    let u = User::new(8);
    let r = node.rpc("get_swarm", json!({"pubkey": u.pubkey()})).await;
    let snodes = r.json()["snodes"].clone();
    assert_eq!(snodes[0]["pubkey_ed25519"], node.state.ed25519_hex());
    assert_eq!(r.json()["swarm"], "0000000000000000");

    let now = node.now();
    let good = json!({"method": "store", "params": {"pubkey": u.pubkey(), "timestamp": now, "ttl": DAY, "data": b64(b"b")}});
    let bad = json!({"method": "retrieve", "params": {"pubkey": u.pubkey()}});
    let r = node.rpc("batch", json!({"requests": [bad, good]})).await;
    let res = r.json()["results"].clone();
    assert_eq!(
        (res[0]["code"].as_u64(), res[1]["code"].as_u64()),
        (Some(401), Some(200))
    );
    assert_eq!(res[0]["body"], "retrieve: request signature required");
    let r = node.rpc("sequence", json!({"requests": [bad, good]})).await;
    assert_eq!(r.json()["results"].as_array().unwrap().len(), 1);
}

#[tokio::test]
async fn info_reports_the_stores_memory_by_part() {
    let node = start().await;
    store_public(&node, &User::new(3), b"counted").await;
    let v: Value = reqwest::get(format!("{}/info", node.url))
        .await
        .unwrap()
        .json()
        .await
        .unwrap();
    let m = &v["store_memory"];
    for part in [
        "memtables",
        "table_readers",
        "block_cache",
        "block_cache_pinned",
    ] {
        assert!(m[part].is_u64(), "{part}: {v}");
    }
    assert!(m["memtables"].as_u64().unwrap() > 0, "{v}");
}
