//! Behaviours matched against the reference storage server (session-storage-server 2.8,
//! `oxenss/rpc/*.cpp` and its `network-tests/`): each test pins what the reference answers.
use crate::support::*;
use serde_json::{Value, json};
use session_crypto::{IdentityKeys, Seed};

/// An account whose 32 bytes are an Ed25519 key (as the reference's network tests make them),
/// signing without `pubkey_ed25519`.
struct RawKeyUser {
    keys: IdentityKeys,
    prefix: &'static str,
}

impl RawKeyUser {
    fn new(n: u8, prefix: &'static str) -> Self {
        Self {
            keys: IdentityKeys::from_seed(Seed::from_bytes([n; 32])),
            prefix,
        }
    }

    fn pubkey(&self) -> String {
        format!(
            "{}{}",
            self.prefix,
            hex::encode(self.keys.ed25519_public().as_bytes())
        )
    }

    fn sign(&self, msg: &str) -> String {
        b64(&self.keys.sign(msg.as_bytes()))
    }

    fn auth(&self, msg: &str, mut extra: Value) -> Value {
        extra["pubkey"] = json!(self.pubkey());
        extra["signature"] = json!(self.sign(msg));
        extra
    }
}

#[tokio::test]
async fn a_05_account_signs_with_its_own_bytes_without_pubkey_ed25519() {
    let node = start().await;
    for (n, prefix) in [(40, "05"), (41, "00"), (42, "03")] {
        let u = RawKeyUser::new(n, prefix);
        let now = node.now();
        let store = u.auth(
            &format!("store3{now}"),
            json!({"namespace": 3, "timestamp": now, "ttl": DAY, "data": b64(b"raw")}),
        );
        let r = node.rpc("store", store).await;
        assert_eq!(r.code, 200, "{prefix}: {}", r.text);
        let get = u.auth(
            &format!("retrieve3{now}"),
            json!({"namespace": 3, "timestamp": now}),
        );
        let r = node.rpc("retrieve", get).await;
        assert_eq!(r.code, 200, "{prefix}: {}", r.text);
        assert_eq!(r.json()["messages"].as_array().unwrap().len(), 1);
        let del = u.auth(
            &format!("delete_all3{now}"),
            json!({"namespace": 3, "timestamp": now}),
        );
        let r = node.rpc("delete_all", del).await;
        assert_eq!(r.code, 200, "{prefix}: {}", r.text);
        assert_eq!(r.entry(&node)["deleted"].as_array().unwrap().len(), 1);
    }
    // A real Session ID (X25519 bytes) still needs pubkey_ed25519.
    let alice = User::new(43);
    let now = node.now();
    let r = node
        .rpc(
            "retrieve",
            json!({"pubkey": alice.pubkey(), "timestamp": now,
                   "signature": alice.sign(&format!("retrieve{now}"))}),
        )
        .await;
    assert_eq!(
        (r.code, r.text.as_str()),
        (401, "retrieve signature verification failed")
    );
}

/// 120 messages of 70,000 bytes, as the reference's `test_big_retrieve.py` stores them.
async fn big_mailbox(node: &TestNode, u: &RawKeyUser) -> Vec<String> {
    let mut hashes = Vec::new();
    for i in 0..120u32 {
        let mut data = vec![0u8; 70_000];
        data[..4].copy_from_slice(&i.to_le_bytes());
        let r = node
            .rpc(
                "store",
                json!({"pubkey": u.pubkey(), "timestamp": node.now(), "ttl": 600_000,
                       "data": b64(&data)}),
            )
            .await;
        assert_eq!(r.code, 200, "{}", r.text);
        hashes.push(r.json()["hash"].as_str().unwrap().to_owned());
    }
    hashes
}

#[tokio::test]
async fn retrieve_caps_sizes_exactly_as_the_reference() {
    let node = start().await;
    let u = RawKeyUser::new(44, "03");
    let hashes = big_mailbox(&node, &u).await;
    let get = |extra: Value| {
        let now = node.now();
        let params = u.auth(&format!("retrieve{now}"), {
            let mut p = extra;
            p["timestamp"] = json!(now);
            p
        });
        node.rpc("retrieve", params)
    };
    // (params, first index returned, count, more) from the reference's network test
    let cases = [
        (
            json!({"max_count": 100, "last_hash": hashes[10]}),
            11,
            83,
            true,
        ),
        (json!({"max_size": -1, "last_hash": hashes[2]}), 3, 83, true),
        (
            json!({"max_size": -3, "last_hash": hashes[49]}),
            50,
            27,
            true,
        ),
        (json!({"last_hash": hashes[89]}), 90, 16, true),
        (json!({"last_hash": hashes[103]}), 104, 16, false),
        (
            json!({"max_size": 500_000, "last_hash": hashes[2]}),
            3,
            5,
            true,
        ),
        (
            json!({"max_count": 10, "max_size": 700_000, "last_hash": hashes[29]}),
            30,
            7,
            true,
        ),
        (
            json!({"max_count": 5, "max_size": 1_000_000, "last_hash": hashes[19]}),
            20,
            5,
            true,
        ),
        (
            json!({"max_count": 10, "last_hash": hashes[109]}),
            110,
            10,
            false,
        ),
    ];
    for (params, first, count, more) in cases {
        let r = get(params.clone()).await;
        assert_eq!(r.code, 200, "{}", r.text);
        assert_eq!(
            hashes_of(&r),
            hashes[first..first + count],
            "{params}: {} returned",
            hashes_of(&r).len()
        );
        assert_eq!(r.json()["more"], more, "{params}");
    }
}

#[tokio::test]
async fn small_messages_count_their_overhead() {
    let node = start().await;
    let u = RawKeyUser::new(45, "03");
    for i in 0..20u8 {
        let r = node
            .rpc(
                "store",
                json!({"pubkey": u.pubkey(), "timestamp": node.now(), "ttl": 600_000,
                       "data": b64(&[i; 1_000])}),
            )
            .await;
        assert_eq!(r.code, 200, "{}", r.text);
    }
    let now = node.now();
    let params = u.auth(
        &format!("retrieve{now}"),
        json!({"timestamp": now, "max_size": 10_000}),
    );
    // each costs 100 + 43 + 1,333 = 1,476: six fit in 10,000 (raw bytes alone would give 7)
    let r = node.rpc("retrieve", params).await;
    assert_eq!(hashes_of(&r).len(), 6, "{}", r.text);
}

#[tokio::test]
async fn ifelse_runs_one_branch_and_answers_like_the_reference() {
    let node = start().await;
    let u = RawKeyUser::new(46, "03");
    let now = node.now();
    let store = |tag: &str| {
        json!({"method": "store", "params": {"pubkey": u.pubkey(), "timestamp": now,
            "ttl": DAY, "data": b64(tag.as_bytes())}})
    };
    let r = node
        .rpc(
            "ifelse",
            json!({"if": {"hf_at_least": [19, 4], "v_at_least": [2, 8]},
                   "then": store("then"), "else": store("else")}),
        )
        .await;
    assert_eq!(r.code, 200, "{}", r.text);
    let body = r.json();
    let mut keys: Vec<_> = body.as_object().unwrap().keys().cloned().collect();
    keys.sort();
    assert_eq!(keys, ["condition", "height", "hf", "result", "v"]);
    assert_eq!(
        (&body["condition"], &body["hf"], &body["v"]),
        (&json!(true), &json!([19, 4]), &json!([2, 8, 0]))
    );
    assert_eq!(body["result"]["code"], 200);
    assert!(body["result"]["body"]["hash"].is_string());
    // the else branch did not run
    let now2 = node.now();
    let listed = node
        .rpc(
            "retrieve",
            u.auth(&format!("retrieve{now2}"), json!({"timestamp": now2})),
        )
        .await;
    assert_eq!(listed.code, 200, "{}", listed.text);
    let data: Vec<_> = listed.json()["messages"]
        .as_array()
        .unwrap()
        .iter()
        .map(|m| m["data"].clone())
        .collect();
    assert_eq!(data, [json!(b64(b"then"))]);

    // a false condition without an else: no result
    let r = node
        .rpc(
            "ifelse",
            json!({"if": {"hf_before": [19]}, "then": store("never")}),
        )
        .await;
    assert_eq!(r.code, 200, "{}", r.text);
    assert_eq!(r.json()["condition"], false);
    assert!(r.json().get("result").is_none());

    // branches nest and may hold a batch; a failure while running stays inside `result` (a
    // parse error anywhere fails the whole request, as in the reference)
    let badly_signed = u.auth(
        "not the retrieve string",
        json!({"namespace": 3, "timestamp": now}),
    );
    let r = node
        .rpc(
            "ifelse",
            json!({"if": {"height_at_least": 0}, "then": {"method": "ifelse", "params": {
                "if": {"v_before": [99]}, "then": {"method": "batch", "params": {"requests": [
                    {"method": "info", "params": {}},
                    {"method": "retrieve", "params": badly_signed}]}}}}}),
        )
        .await;
    assert_eq!(r.code, 200, "{}", r.text);
    let results = &r.json()["result"]["body"]["result"]["body"]["results"];
    assert_eq!(results[0]["code"], 200);
    assert_eq!(results[1]["code"], 401);
    let unparsable = node
        .rpc(
            "ifelse",
            json!({"if": {"height_at_least": 0}, "then": {"method": "retrieve",
                "params": {"pubkey": u.pubkey(), "namespace": 3, "timestamp": now}}}),
        )
        .await;
    assert_eq!(unparsable.code, 400, "{}", unparsable.text);
}

/// A subaccount token for `sub` with `flags`, signed by `master`.
fn token(master: &RawKeyUser, sub: &IdentityKeys, flags: u8) -> ([u8; 36], String) {
    let mut t = [0u8; 36];
    t[0] = 0x03;
    t[1] = flags;
    t[4..].copy_from_slice(sub.ed25519_public().as_bytes());
    let sig = b64(&master.keys.sign(&t));
    (t, sig)
}

#[tokio::test]
async fn expire_needs_only_write_and_a_token_without_delete_only_extends() {
    let node = start().await;
    let group = RawKeyUser::new(47, "03");
    let member = IdentityKeys::from_seed(Seed::from_bytes([48; 32]));
    let (tok, tok_sig) = token(&group, &member, 0x01 | 0x02);
    let now = node.now();
    let r = node
        .rpc(
            "store",
            json!({"pubkey": group.pubkey(), "timestamp": now, "ttl": DAY, "data": b64(b"m")}),
        )
        .await;
    let hash = r.json()["hash"].as_str().unwrap().to_owned();
    let expire = |mode: &str, expiry: u64| {
        let msg = format!("expire{mode}{expiry}{hash}");
        let mut p = json!({"pubkey": group.pubkey(), "messages": [hash], "expiry": expiry,
            "subaccount": b64(&tok), "subaccount_sig": tok_sig,
            "signature": b64(&member.sign(msg.as_bytes()))});
        if !mode.is_empty() {
            p[mode] = json!(true);
        }
        node.rpc("expire", p)
    };
    // shorten without Delete: 400 without the usual prefix
    let r = expire("shorten", now + 1_000 * 60).await;
    assert_eq!(
        (r.code, r.text.as_str()),
        (
            400,
            "expire: shorten parameter cannot be used with this subaccount token (missing delete access)"
        )
    );
    // a plain set that would shorten: extend-only, nothing updated, no `unchanged`
    let r = expire("", now + 1_000 * 60).await;
    assert_eq!(r.code, 200, "{}", r.text);
    let entry = r.entry(&node);
    assert_eq!(entry["updated"], json!([]));
    assert!(entry.get("unchanged").is_none());
    // a plain set that extends: updated
    let r = expire("", now + 2 * DAY).await;
    assert_eq!(r.entry(&node)["updated"], json!([hash]));
    // extend asks for `unchanged`
    let r = expire("extend", now + DAY).await;
    assert_eq!(r.entry(&node)["unchanged"][&hash], now + 2 * DAY);
}

#[tokio::test]
async fn expire_lists_updated_hashes_in_text_order() {
    let node = start().await;
    let alice = User::new(49);
    let mut hashes = Vec::new();
    for i in 0..24u8 {
        hashes.push(store_public(&node, &alice, &[i; 8]).await);
    }
    // base64 text order differs from byte order as soon as letters, digits and +/ mix
    let mut text_order = hashes.clone();
    text_order.sort();
    let now = node.now();
    let expiry = now + DAY / 2;
    let msg = format!("expire{expiry}{}", hashes.concat());
    let r = node
        .rpc(
            "expire",
            alice.auth(&msg, json!({"messages": hashes, "expiry": expiry})),
        )
        .await;
    assert_eq!(r.code, 200, "{}", r.text);
    assert_eq!(r.entry(&node)["updated"], json!(text_order));
}

#[tokio::test]
async fn client_numbers_at_the_edges_never_overflow() {
    let node = start().await;
    let alice = User::new(50);
    let hash = store_public(&node, &alice, b"m").await;
    let max = u64::MAX;
    let r = node
        .rpc(
            "expire",
            alice.auth(
                &format!("expire{max}{hash}"),
                json!({"messages": [hash], "expiry": max}),
            ),
        )
        .await;
    assert_eq!(
        (r.code, r.text.as_str()),
        (401, "expire: timestamp should be >= current time")
    );
    let now = node.now();
    let r = node
        .rpc(
            "expire_all",
            alice.auth(&format!("expire_all{max}"), json!({"expiry": max})),
        )
        .await;
    assert_eq!(
        (r.code, r.text.as_str()),
        (
            400,
            "invalid request: Invalid timestamp for 'expiry': timestamp must be in milliseconds"
        )
    );
    for method in ["retrieve", "delete_all"] {
        let key = "timestamp";
        let r = node
            .rpc(
                method,
                alice.auth("x", json!({"timestamp": max, "namespace": 0})),
            )
            .await;
        assert_eq!(
            (r.code, r.text.as_str()),
            (
                400,
                &*format!(
                    "invalid request: Invalid timestamp for '{key}': timestamp must be in milliseconds"
                )
            ),
            "{method}"
        );
    }
    // store's timestamp takes any integer; a wrong one fails the clock check
    for ts in [json!(-5), json!("-5"), json!(999)] {
        let r = node
            .rpc(
                "store",
                json!({"pubkey": alice.pubkey(), "timestamp": ts, "ttl": DAY, "data": b64(b"x")}),
            )
            .await;
        assert_eq!(
            (r.code, r.text.as_str()),
            (406, "Timestamp error: check your clock"),
            "{ts}"
        );
    }
    let _ = now;
}

/// The integer edge cases, and a spread of others, as JSON numbers.
fn edge_numbers(now: u64) -> Vec<Value> {
    let mut v = vec![
        json!(0),
        json!(1),
        json!(-1),
        json!(i64::MIN),
        json!(i64::MAX),
        json!(u64::MAX),
        json!((1u64 << 53) - 1),
        json!((1u64 << 53) + 1),
        json!(1u64 << 63),
        json!(now),
        json!(now + DAY),
        json!(now - 120_000),
        json!(32_767),
        json!(-32_768),
    ];
    let mut x: u64 = 0x9e37_79b9_7f4a_7c15;
    for _ in 0..24 {
        x ^= x << 13;
        x ^= x >> 7;
        x ^= x << 17;
        v.push(json!(x >> (x % 64)));
        v.push(json!((x as i64).wrapping_neg() >> (x % 32)));
    }
    v
}

/// Params for `method` whose numeric `key` is `n`, signed as a client would sign them.
fn signed(alice: &User, hash: &str, method: &str, key: &str, n: &Value, now: u64) -> Value {
    let ns = |p: &Value| match p.get("namespace").and_then(Value::as_i64) {
        Some(0) | None => String::new(),
        Some(ns) => ns.to_string(),
    };
    let mut p = match method {
        "store" => json!({"timestamp": now, "ttl": DAY, "data": b64(b"edge"), "namespace": 3}),
        "retrieve" => json!({"timestamp": now, "namespace": 0}),
        "delete_all" => json!({"timestamp": now}),
        "delete_before" => json!({"before": now}),
        "expire" => json!({"expiry": now + DAY, "messages": [hash]}),
        "expire_all" => json!({"expiry": now + DAY}),
        "get_expiries" => json!({"timestamp": now, "messages": [hash]}),
        _ => json!({"timestamp": now, "subaccount": ["A".repeat(48)]}),
    };
    p[key] = n.clone();
    let num = |k: &str| p[k].to_string();
    let msg = match method {
        "store" => format!(
            "store{}{}",
            ns(&p),
            p.get("sig_timestamp").unwrap_or(&p["timestamp"])
        ),
        "retrieve" | "delete_all" => format!("{method}{}{}", ns(&p), num("timestamp")),
        "delete_before" => format!("delete_before{}{}", ns(&p), num("before")),
        "expire" => format!("expire{}{hash}", num("expiry")),
        "expire_all" => format!("expire_all{}{}", ns(&p), num("expiry")),
        "get_expiries" => format!("get_expiries{}{hash}", num("timestamp")),
        _ => format!("{method}{}{}", num("timestamp"), "A".repeat(48)),
    };
    alice.auth(&msg, p)
}

#[tokio::test]
async fn integer_edges_at_every_numeric_parameter_never_answer_5xx() {
    let node = start().await;
    let alice = User::new(52);
    let hash = store_public(&node, &alice, b"target").await;
    let numeric: &[(&str, &[&str])] = &[
        (
            "store",
            &["timestamp", "ttl", "expiry", "sig_timestamp", "namespace"],
        ),
        (
            "retrieve",
            &["timestamp", "namespace", "max_count", "max_size"],
        ),
        ("delete_all", &["timestamp", "namespace"]),
        ("delete_before", &["before", "namespace"]),
        ("expire", &["expiry"]),
        ("expire_all", &["expiry", "namespace"]),
        ("get_expiries", &["timestamp"]),
        ("revoke_subaccount", &["timestamp"]),
        ("unrevoke_subaccount", &["timestamp"]),
    ];
    let mut answered = 0;
    for (method, keys) in numeric {
        for key in *keys {
            for n in edge_numbers(node.now()) {
                let p = signed(&alice, &hash, method, key, &n, node.now());
                let r = node.rpc(method, p).await;
                assert!(r.code < 500, "{method} {key}={n}: {} {}", r.code, r.text);
                // the same inside a sequence, and as an ifelse condition
                let seq = node
                    .rpc(
                        "sequence",
                        json!({"requests": [{"method": method, "params":
                        signed(&alice, &hash, method, key, &n, node.now())}]}),
                    )
                    .await;
                assert!(seq.code < 500, "sequence {method} {key}={n}: {}", seq.text);
                answered += 1;
            }
        }
    }
    for cond in [
        "height_at_least",
        "height_before",
        "hf_at_least",
        "v_before",
    ] {
        for n in edge_numbers(node.now()) {
            let r = node
                .rpc(
                    "ifelse",
                    json!({"if": {cond: n}, "then": {"method": "info", "params": {}}}),
                )
                .await;
            assert!(r.code < 500, "ifelse {cond}={n}: {}", r.text);
        }
    }
    // the message the requests aimed at is still there unless a signed delete took it
    assert!(answered > 500);
}

#[tokio::test]
async fn delete_before_includes_its_own_timestamp_and_required_decides_after_the_swarm() {
    let node = start().await;
    let alice = User::new(51);
    let now = node.now();
    let mut at = Vec::new();
    for i in 0..3u64 {
        let ts = now - 3_000 + i * 1_000;
        let r = node
            .rpc(
                "store",
                json!({"pubkey": alice.pubkey(), "timestamp": ts, "ttl": DAY,
                       "data": b64(&[i as u8])}),
            )
            .await;
        at.push((ts, r.json()["hash"].as_str().unwrap().to_owned()));
    }
    let before = at[1].0;
    let r = node
        .rpc(
            "delete_before",
            alice.auth(&format!("delete_before{before}"), json!({"before": before})),
        )
        .await;
    assert_eq!(r.code, 200, "{}", r.text);
    let mut want = vec![at[0].1.clone(), at[1].1.clone()];
    want.sort();
    assert_eq!(r.entry(&node)["deleted"], json!(want));

    let gone = at[0].1.clone();
    let r = node
        .rpc(
            "delete",
            alice.auth(
                &format!("delete{gone}"),
                json!({"messages": [gone], "required": true}),
            ),
        )
        .await;
    assert_eq!(r.code, 404, "{}", r.text);
    assert_eq!(r.entry(&node)["deleted"], json!([]));
    let live = at[2].1.clone();
    let r = node
        .rpc(
            "delete",
            alice.auth(
                &format!("delete{live}"),
                json!({"messages": [live], "required": true}),
            ),
        )
        .await;
    assert_eq!(r.code, 200, "{}", r.text);
}
