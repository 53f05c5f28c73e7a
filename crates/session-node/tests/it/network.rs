//! The node's network view: not-ready 503, 421 by swarm, `oxend_request get_service_nodes`,
//! and the seed-style `/json_rpc get_n_service_nodes`.

use crate::support::{User, start, start_following};
use serde_json::json;
use session_node::{NodeRecord, SwarmView};
use std::collections::BTreeMap;

fn record(n: u8) -> NodeRecord {
    NodeRecord {
        addr: format!("127.0.0.{n}:22021").parse().unwrap(),
        grpc: format!("127.0.0.{n}:22022").parse().unwrap(),
        ed25519: [n; 32],
        x25519: [n.wrapping_add(100); 32],
    }
}

#[tokio::test]
async fn not_in_a_swarm_is_503_then_421_or_200_by_swarm() {
    let node = start_following().await;
    let u = User::new(1);
    let r = node.rpc("get_swarm", json!({"pubkey": u.pubkey()})).await;
    assert_eq!(r.code, 503);
    assert_eq!(r.text, "Service node is not ready: not in any swarm\n");

    // Two swarms at the two ends of the ring; this node is in swarm 0.
    let me = node.state.record.clone();
    let far = u64::MAX / 2;
    let view = SwarmView::new(
        8,
        BTreeMap::from([
            (0, vec![me.clone(), record(2)]),
            (far, vec![record(3), record(4)]),
        ]),
        Some(me.ed25519),
    );
    node.state.set_view(view.clone());
    // An account near the middle of the ring belongs to the far swarm: 421 with its members.
    let theirs = format!("05{}", "7f".repeat(8) + &"00".repeat(24));
    let now = node.now();
    let store = |pk: &str| json!({"pubkey": pk, "ttl": 60_000, "timestamp": now, "data": "aGk="});
    let r = node.rpc("store", store(&theirs)).await;
    assert_eq!(r.code, 421, "{}", r.text);
    let v = r.json();
    assert_eq!(v["swarm"], format!("{far:016x}"));
    let keys: Vec<_> = v["snodes"]
        .as_array()
        .unwrap()
        .iter()
        .map(|s| s["pubkey_ed25519"].clone())
        .collect();
    assert_eq!(
        keys,
        vec![json!(hex::encode([3u8; 32])), json!(hex::encode([4u8; 32]))]
    );
    // An account near 0 is ours.
    let ours = format!("05{}", "00".repeat(32));
    assert_eq!(node.rpc("store", store(&ours)).await.code, 200);
    // get_swarm never answers 421.
    let r = node.rpc("get_swarm", json!({"pubkey": theirs})).await;
    assert_eq!(r.code, 200);
    assert_eq!(r.json()["swarm"], format!("{far:016x}"));
}

#[tokio::test]
async fn oxend_request_get_service_nodes_lists_the_view() {
    let node = start_following().await;
    let me = node.state.record.clone();
    node.state.set_view(SwarmView::new(
        12,
        BTreeMap::from([(0, vec![me.clone()]), (77, vec![record(5)])]),
        Some(me.ed25519),
    ));
    let r = node
        .rpc("oxend_request", json!({"endpoint": "get_service_nodes"}))
        .await;
    assert_eq!(r.code, 200, "{}", r.text);
    let result = &r.json()["result"];
    assert_eq!(result["height"], 12);
    let states = result["service_node_states"].as_array().unwrap();
    assert_eq!(states.len(), 2);
    assert_eq!(states[1]["pubkey_ed25519"], hex::encode([5u8; 32]));
    assert_eq!(states[1]["pubkey_x25519"], hex::encode([105u8; 32]));
    assert_eq!(states[1]["swarm_id"], 77);
    assert_eq!(states[1]["public_ip"], "127.0.0.5");
    assert_eq!(states[1]["storage_port"], 22021);

    // `fields` picks what is returned.
    let r = node
        .rpc(
            "oxend_request",
            json!({"endpoint": "get_service_nodes", "params": {"fields": {"pubkey_ed25519": true, "swarm_id": true}}}),
        )
        .await;
    let first = r.json()["result"]["service_node_states"][0].clone();
    let mut keys: Vec<_> = first.as_object().unwrap().keys().cloned().collect();
    keys.sort();
    assert_eq!(keys, vec!["pubkey_ed25519", "swarm_id"]);
}

#[tokio::test]
async fn oxend_request_bad_input() {
    let node = start().await;
    let cases = [
        (
            json!({}),
            "invalid request: Required field 'endpoint' missing",
        ),
        (
            json!({"endpoint": 5}),
            "invalid request: Invalid value given for 'endpoint': expected string",
        ),
        (
            json!({"endpoint": "get_n_service_nodes"}),
            "invalid request: Invalid oxend endpoint 'get_n_service_nodes'",
        ),
    ];
    for (params, want) in cases {
        let r = node.rpc("oxend_request", params.clone()).await;
        assert_eq!((r.code, r.text.as_str()), (400, want), "{params}");
    }
    let r = node
        .rpc("oxend_request", json!({"endpoint": "ons_resolve"}))
        .await;
    assert_eq!(r.code, 400);
    let r = node.rpc("get_service_nodes", json!({})).await;
    assert_eq!(
        (r.code, r.text.as_str()),
        (400, "no method get_service_nodes")
    );
}

#[tokio::test]
async fn json_rpc_get_n_service_nodes() {
    let node = start().await;
    let body = json!({"jsonrpc": "2.0", "id": 7, "method": "get_n_service_nodes", "params": {"active_only": true}});
    let r = node.post("/json_rpc", body.to_string()).await;
    assert_eq!(r.code, 200, "{}", r.text);
    let v = r.json();
    assert_eq!(v["id"], 7);
    let states = v["result"]["service_node_states"].as_array().unwrap();
    assert_eq!(states.len(), 1, "a standalone node lists itself");
    assert_eq!(states[0]["pubkey_ed25519"], node.state.ed25519_hex());
    assert_eq!(states[0]["swarm_id"], 0);

    let r = node
        .post(
            "/json_rpc",
            json!({"jsonrpc": "2.0", "id": 1, "method": "nope"}).to_string(),
        )
        .await;
    assert_eq!(r.json()["error"]["code"], -32601);
    let r = node.post("/json_rpc", "{not json").await;
    assert_eq!((r.code, r.text.as_str()), (400, "invalid json"));
}
