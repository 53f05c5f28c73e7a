//! The subaccount flow: grant (master signs a token), use, revoke, unrevoke.
use crate::support::*;
use serde_json::json;
use session_crypto::{IdentityKeys, Seed};

fn token(prefix: u8, flags: u8, sub: &IdentityKeys) -> [u8; 36] {
    let mut t = [0u8; 36];
    t[0] = prefix;
    t[1] = flags;
    t[4..].copy_from_slice(sub.ed25519_public().as_bytes());
    t
}

#[tokio::test]
async fn grant_use_revoke_unrevoke() {
    let node = start().await;
    let group = User::new(20);
    let gid = format!("03{}", group.ed());
    let member = IdentityKeys::from_seed(Seed::from_bytes([21; 32]));
    let tok = token(0x03, 0x01 | 0x02, &member);
    let tok_b64 = b64(&tok);
    let tok_sig = b64(&group.keys.sign(&tok));
    let sub_store = |ts: u64, data: &str| {
        json!({
            "pubkey": gid, "namespace": 11, "timestamp": ts, "ttl": DAY, "data": b64(data.as_bytes()),
            "subaccount": tok_b64, "subaccount_sig": tok_sig,
            "signature": b64(&member.sign(format!("store11{ts}").as_bytes())),
        })
    };
    let sub_retrieve = |ts: u64, ns: i16| {
        json!({
            "pubkey": gid, "namespace": ns, "timestamp": ts,
            "subaccount": hex::encode(tok), "subaccount_sig": tok_sig,
            "signature": b64(&member.sign(format!("retrieve{ns}{ts}").as_bytes())),
        })
    };
    let now = node.now();
    let r = node.rpc("store", sub_store(now, "from member")).await;
    assert_eq!(r.code, 200, "{}", r.text);
    let r = node.rpc("retrieve", sub_retrieve(now, 11)).await;
    assert_eq!(hashes_of(&r).len(), 1, "{}", r.text);

    // the token lacks Delete: a delete_all by the member is refused
    let p = json!({"pubkey": gid, "namespace": 11, "timestamp": now, "subaccount": tok_b64, "subaccount_sig": tok_sig,
        "signature": b64(&member.sign(format!("delete_all11{now}").as_bytes()))});
    assert_eq!(
        node.rpc("delete_all", p).await.text,
        "delete_all signature verification failed"
    );

    // a forged grant (signed by someone else) is refused
    let mut forged = sub_store(now, "forged");
    forged["subaccount_sig"] = json!(b64(&member.sign(&tok)));
    assert_eq!(node.rpc("store", forged).await.code, 401);

    // revoke (master key only)
    let p = json!({"pubkey": gid, "revoke": tok_b64, "timestamp": now,
        "signature": b64(&group.keys.sign(&[format!("revoke_subaccount{now}").as_bytes(), &tok].concat()))});
    let r = node.rpc("revoke_subaccount", p).await;
    assert_eq!(r.code, 200, "{}", r.text);
    assert!(r.entry(&node)["signature"].is_string());
    let r = node.rpc("store", sub_store(now + 1, "after revoke")).await;
    assert_eq!(
        (r.code, r.text.as_str()),
        (401, "store signature verification failed")
    );
    // ... but the unrevocable namespace -11 stays readable
    let p = json!({"pubkey": gid, "namespace": -11, "timestamp": now, "ttl": DAY, "data": b64(b"kicked"),
        "signature": group.sign(&format!("store-11{now}"))});
    assert_eq!(node.rpc("store", p).await.code, 200);
    let r = node.rpc("retrieve", sub_retrieve(now, -11)).await;
    assert_eq!(hashes_of(&r).len(), 1, "{}", r.text);
    assert_eq!(node.rpc("retrieve", sub_retrieve(now, 11)).await.code, 401);

    // unrevoke: the newest request wins, a revoke winning a tie (replicas agree in any order)
    let unrevoke = |ts: u64| {
        json!({"pubkey": gid, "unrevoke": [hex::encode(tok)], "timestamp": ts,
        "signature": b64(&group.keys.sign(&[format!("unrevoke_subaccount{ts}").as_bytes(), &tok].concat()))})
    };
    let r = node.rpc("unrevoke_subaccount", unrevoke(now)).await;
    assert_eq!(
        r.entry(&node)["count"],
        0,
        "same time as the revoke: {}",
        r.text
    );
    assert_eq!(node.rpc("retrieve", sub_retrieve(now, 11)).await.code, 401);
    let r = node.rpc("unrevoke_subaccount", unrevoke(now + 1)).await;
    assert_eq!(r.entry(&node)["count"], 1, "{}", r.text);
    assert_eq!(
        node.rpc("store", sub_store(now + 2, "back")).await.code,
        200
    );
}

#[tokio::test]
async fn token_prefix_must_match_unless_any_prefix() {
    let node = start().await;
    let group = User::new(22);
    let gid = format!("03{}", group.ed());
    let member = IdentityKeys::from_seed(Seed::from_bytes([23; 32]));
    let now = node.now();
    for (flags, code) in [(0x02, 401), (0x02 | 0x08, 200)] {
        let tok = token(0x05, flags, &member);
        let p = json!({"pubkey": gid, "namespace": 11, "timestamp": now, "ttl": DAY, "data": b64(&[flags]),
            "subaccount": b64(&tok), "subaccount_sig": b64(&group.keys.sign(&tok)),
            "signature": b64(&member.sign(format!("store11{now}").as_bytes()))});
        assert_eq!(node.rpc("store", p).await.code, code, "flags {flags:#x}");
    }
    let p = json!({"pubkey": gid, "namespace": 11, "timestamp": now, "ttl": DAY, "data": "AA==",
        "subaccount": "nope", "subaccount_sig": b64(&[0u8; 64]), "signature": b64(&[0u8; 64])});
    let r = node.rpc("store", p).await;
    assert_eq!(
        r.text,
        "invalid request: invalid subaccount: expected base64 or hex-encoded subaccount token"
    );
}
