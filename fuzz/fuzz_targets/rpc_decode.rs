//! The storage RPC request decoder on arbitrary bytes, and on well-formed envelopes around
//! fuzzer-chosen params: never panics; every rejection is a 4xx with a reason.
#![no_main]
use libfuzzer_sys::fuzz_target;

const METHODS: &[&str] = &[
    "store", "retrieve", "delete", "delete_all", "delete_before", "expire", "expire_all",
    "get_expiries", "revoke_subaccount", "unrevoke_subaccount", "info", "get_swarm", "batch",
    "sequence",
];

fn check(body: &[u8]) {
    if let Err(reply) = session_rpc::decode(body) {
        assert!((400..500).contains(&reply.code), "decode error with code {}", reply.code);
    }
}

fuzz_target!(|data: &[u8]| {
    check(data);
    if let Some((&m, rest)) = data.split_first() {
        if let Ok(params) = serde_json::from_slice::<serde_json::Value>(rest) {
            let method = METHODS[usize::from(m) % METHODS.len()];
            let body = serde_json::json!({ "method": method, "params": params });
            check(body.to_string().as_bytes());
        }
    }
});
