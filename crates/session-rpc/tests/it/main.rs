//! Property tests of the request decoder: arbitrary JSON params for every method never panic,
//! and every rejection is a 400 with an `invalid request:` or top-level reason.
#![allow(clippy::unwrap_used, clippy::expect_used, missing_docs)]

use proptest::prelude::*;
use serde_json::{Map, Value, json};
use session_rpc::{Body, decode};

const METHODS: &[&str] = &[
    "store",
    "retrieve",
    "delete",
    "delete_all",
    "delete_before",
    "expire",
    "expire_all",
    "get_expiries",
    "revoke_subaccount",
    "unrevoke_subaccount",
    "info",
    "get_swarm",
    "get_snodes_for_pubkey",
    "batch",
    "sequence",
    "ifelse",
];
const KEYS: &[&str] = &[
    "pubkey",
    "pubKey",
    "pubkey_ed25519",
    "signature",
    "timestamp",
    "ttl",
    "expiry",
    "data",
    "namespace",
    "messages",
    "last_hash",
    "lastHash",
    "max_count",
    "max_size",
    "before",
    "shorten",
    "extend",
    "required",
    "subaccount",
    "subaccount_sig",
    "sig_timestamp",
    "revoke",
    "unrevoke",
    "requests",
    "if",
    "then",
    "else",
    "method",
    "params",
    "hf_at_least",
    "v_before",
    "height_at_least",
];

fn leaf() -> impl Strategy<Value = Value> {
    prop_oneof![
        Just(Value::Null),
        any::<bool>().prop_map(Value::from),
        any::<i64>().prop_map(Value::from),
        any::<u64>().prop_map(Value::from),
        (1_000_000_000_000u64..2_000_000_000_000).prop_map(Value::from),
        any::<f64>()
            .prop_filter("finite", |f| f.is_finite())
            .prop_map(Value::from),
        "[0-9a-fA-F]{0,70}".prop_map(Value::from),
        "[A-Za-z0-9+/=]{0,90}".prop_map(Value::from),
        Just(Value::from("all")),
        Just(Value::from("info")),
        Just(Value::from("store")),
        Just(Value::from("ifelse")),
        Just(Value::from("05".to_owned() + &"ab".repeat(32))),
    ]
}

fn value() -> impl Strategy<Value = Value> {
    leaf().prop_recursive(3, 24, 4, |inner| {
        prop_oneof![
            prop::collection::vec(inner.clone(), 0..4).prop_map(Value::from),
            prop::collection::vec((0..KEYS.len(), inner), 0..4).prop_map(|kv| {
                Value::Object(
                    kv.into_iter()
                        .map(|(k, v)| (KEYS[k].to_owned(), v))
                        .collect(),
                )
            }),
        ]
    })
}

fn params() -> impl Strategy<Value = Map<String, Value>> {
    prop::collection::vec((0..KEYS.len(), value()), 0..10).prop_map(|kv| {
        kv.into_iter()
            .map(|(k, v)| (KEYS[k].to_owned(), v))
            .collect()
    })
}

proptest! {
    #![proptest_config(ProptestConfig::with_cases(2000))]

    #[test]
    fn decode_never_panics_and_rejects_with_400(m in 0..METHODS.len(), p in params()) {
        let body = json!({ "method": METHODS[m], "params": p }).to_string();
        if let Err(reply) = decode(body.as_bytes()) {
            prop_assert_eq!(reply.code, 400);
            let Body::Text(text) = reply.body else { panic!("text reason expected") };
            prop_assert!(text.starts_with("invalid request: ") || text.starts_with("no method"), "{}", text);
        }
    }

    #[test]
    fn raw_bytes_never_panic(bytes in prop::collection::vec(any::<u8>(), 0..300)) {
        if let Err(reply) = decode(&bytes) {
            prop_assert_eq!(reply.code, 400);
        }
    }
}

#[test]
fn top_level_errors() {
    let text = |b: &str| match decode(b.as_bytes()).unwrap_err().body {
        Body::Text(t) => t,
        Body::Json(_) => panic!(),
    };
    assert_eq!(text("{"), "invalid json");
    assert_eq!(text("{\"params\":{}}"), "invalid json: no `method` field");
    assert_eq!(
        text("{\"method\":\"info\",\"params\":1}"),
        "invalid json: no `params` field"
    );
    assert_eq!(text("{\"method\":\"x\",\"params\":{}}"), "no method x");
    assert!(decode(b"{\"method\":\"info\",\"params\":{}}").is_ok());
}
