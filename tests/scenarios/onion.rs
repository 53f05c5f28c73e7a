//! Onion requests end to end: a client's 3-hop requests through real nodes to a swarm member
//! (both ciphers), failover when a path node is killed, and what each hop can read.

use serde_json::{Value, json};
use session_client::onion::fetch_nodes;
use session_client::{OnionClient, OnionConfig};
use session_crypto::{Ed25519PublicKey, IdentityKeys, Seed};
use session_devnet::{Devnet, NodeHandle, SwarmReport};
use session_e2e::{b64, config, now_ms};
use session_node::internal::auth;
use session_node::internal::proto::RelayRequest;
use session_node::internal::proto::node_internal_client::NodeInternalClient;
use session_onion::{Destination, EncType, HopError, Layer, Node, NodeDestination, NodeKeys};
use session_onion::{OnionEnvelope, Outcome, Path};

const NODES: usize = 10;

struct Setup {
    devnet: Devnet,
    report: SwarmReport,
    pool: Vec<Node>,
}

async fn setup() -> (Setup, session_e2e::Slot) {
    let (cfg, slot) = config(NODES);
    let devnet = Devnet::start(cfg).await.expect("devnet starts");
    let report = devnet.agreed_report().await.expect("agreement");
    let seed = devnet.live_nodes().next().expect("a node").http();
    let pool = fetch_nodes(&reqwest::Client::new(), seed)
        .await
        .expect("node list");
    assert_eq!(pool.len(), NODES);
    (
        Setup {
            devnet,
            report,
            pool,
        },
        slot,
    )
}

fn path_nodes(client: &OnionClient) -> Vec<Ed25519PublicKey> {
    client
        .paths()
        .iter()
        .flat_map(|p| p.nodes().iter().map(|n| n.ed25519))
        .collect()
}

/// A fresh account whose swarm has a member outside `avoid`; that member is the destination.
fn account_outside(s: &Setup, avoid: &[Ed25519PublicKey]) -> (IdentityKeys, Node) {
    loop {
        let user = IdentityKeys::from_seed(Seed::generate_full(&mut rand::rng()));
        let key = *user.x25519_public().as_bytes();
        let swarm = session_swarm::swarm_for_pubkey(&key, &s.report.swarm_ids()).expect("swarm");
        if let Some(dest) = s.pool.iter().find(|n| {
            s.report.assignment.get(n.ed25519.as_bytes()) == Some(&swarm)
                && !avoid.contains(&n.ed25519)
        }) {
            return (user, dest.clone());
        }
    }
}

fn store_body(user: &IdentityKeys, data: &[u8]) -> Vec<u8> {
    json!({"method": "store", "params": {"pubkey": user.session_id().to_string(),
        "timestamp": now_ms(), "ttl": 600_000, "data": b64(data)}})
    .to_string()
    .into_bytes()
}

fn retrieve_body(user: &IdentityKeys) -> Vec<u8> {
    let ts = now_ms();
    let sig = b64(&user.sign(format!("retrieve{ts}").as_bytes()));
    json!({"method": "retrieve", "params": {"pubkey": user.session_id().to_string(),
        "pubkey_ed25519": hex::encode(user.ed25519_public().as_bytes()),
        "timestamp": ts, "signature": sig}})
    .to_string()
    .into_bytes()
}

fn handle<'a>(devnet: &'a Devnet, key: &Ed25519PublicKey) -> &'a NodeHandle {
    devnet
        .nodes
        .iter()
        .find(|n| &n.record.ed25519 == key.as_bytes())
        .expect("a devnet node")
}

fn node_keys(node: &NodeHandle) -> NodeKeys {
    let keys =
        session_node::identity::load_or_create(&node.data_dir, &mut rand::rng()).expect("key");
    NodeKeys::new(keys.x25519_secret().clone())
}

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn store_and_retrieve_through_three_hops_with_both_ciphers() {
    let (s, _slot) = setup().await;
    for enc in [EncType::AesGcm, EncType::XChaCha20] {
        let config = OnionConfig {
            enc_type: enc,
            ..OnionConfig::devnet()
        };
        let client = OnionClient::new(config, s.pool.clone());
        client.ensure_paths().await.expect("paths");
        let paths = client.paths();
        assert_eq!(paths.len(), 2);
        assert!(paths.iter().all(|p| p.nodes().len() == 3));
        let (user, dest) = account_outside(&s, &path_nodes(&client));

        let reply = client
            .request(&dest, &store_body(&user, b"through the onion"))
            .await
            .expect("store answered");
        assert_eq!(reply.status, 200, "{enc:?}: {:?}", reply.body);
        let stored = reply.body_json().expect("json body");
        let hash = stored["hash"].as_str().expect("hash").to_owned();
        let members = stored["swarm"].as_object().expect("swarm entries");
        assert!(members.len() >= 3, "fanned out to the swarm: {stored}");
        assert!(
            members.values().all(|e| e.get("failed").is_none()),
            "{stored}"
        );

        let reply = client
            .request(&dest, &retrieve_body(&user))
            .await
            .expect("retrieve answered");
        assert_eq!(reply.status, 200, "{:?}", reply.body);
        let messages = reply.body_json().expect("json")["messages"].clone();
        assert_eq!(messages[0]["hash"], json!(hash), "{messages}");
        assert_eq!(messages[0]["data"], json!(b64(b"through the onion")));
        assert!(client.clock_offset_ms().abs() < 5_000);
    }
}

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn a_path_with_a_killed_node_fails_over_to_the_other_path() {
    let (mut s, _slot) = setup().await;
    let client = OnionClient::new(OnionConfig::devnet(), s.pool.clone());
    client.ensure_paths().await.expect("paths");
    let (user, dest) = account_outside(&s, &path_nodes(&client));
    let doomed_path: Path = client.paths()[0].clone();
    let middle = doomed_path.nodes()[1].ed25519;
    let index = s
        .devnet
        .nodes
        .iter()
        .position(|n| &n.record.ed25519 == middle.as_bytes())
        .expect("index");
    s.devnet.kill_node(index);

    // On its own, the broken path fails with a plain relay error from the guard: the guard is
    // up, the hop after it is not.
    let attempt = client
        .send_once(&doomed_path, &dest, &store_body(&user, b"lost"))
        .await
        .expect("sent");
    assert_eq!(attempt.outcome, Outcome::RelayFailed, "{}", attempt.detail);

    // A request started on it fails over to the other path and succeeds.
    let reply = client
        .request_from(Some(&doomed_path), &dest, &store_body(&user, b"saved"))
        .await
        .expect("failover succeeds");
    assert_eq!(reply.status, 200, "{:?}", reply.body);
    client.with_manager(|m| {
        assert_eq!(m.path_failures(&doomed_path.guard().ed25519), 1);
        assert_eq!(m.node_failures(&middle), 1);
        // The path kept its guard and got new relays: the dead node is in no path.
        let rebuilt = m
            .paths()
            .iter()
            .find(|p| p.guard().ed25519 == doomed_path.guard().ed25519)
            .expect("the guard keeps its path");
        assert!(!rebuilt.contains(&middle));
    });
    let reply = client
        .request(&dest, &retrieve_body(&user))
        .await
        .expect("retrieve");
    let messages = reply.body_json().expect("json")["messages"].clone();
    assert_eq!(messages.as_array().map(Vec::len), Some(1), "{messages}");
    assert_eq!(messages[0]["data"], json!(b64(b"saved")));
}

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn each_hop_reads_only_its_own_layer() {
    let (s, _slot) = setup().await;
    let client = OnionClient::new(OnionConfig::devnet(), s.pool.clone());
    client.ensure_paths().await.expect("paths");
    let (user, dest) = account_outside(&s, &path_nodes(&client));
    let path = client.paths()[0].clone();
    let [guard, middle, last] = [0, 1, 2].map(|i| path.nodes()[i].clone());
    let keys = |n: &Node| node_keys(handle(&s.devnet, &n.ed25519));
    let (guard_keys, middle_keys, last_keys, dest_keys) =
        (keys(&guard), keys(&middle), keys(&last), keys(&dest));
    let marker = b"secret payload 7f3a";
    let body = store_body(&user, marker);
    let request = session_onion::build(
        path.nodes(),
        &Destination::Node(NodeDestination::new(&dest)),
        &body,
        EncType::XChaCha20,
        &mut rand::rng(),
    )
    .expect("built");
    let hidden = |bytes: &[u8]| {
        let text = String::from_utf8_lossy(bytes);
        !text.contains(std::str::from_utf8(marker).expect("utf8"))
            && !text.contains(&hex::encode(dest.ed25519.as_bytes()))
            && !text.contains(&user.session_id().to_string())
    };
    assert!(hidden(&request.body), "the client's request shows nothing");

    // Peel as each node would; every layer opens only with its own node's key.
    let relay =
        |keys: &NodeKeys, envelope: &OnionEnvelope| match session_onion::peel(keys, envelope)
            .expect("own layer opens")
            .layer
        {
            Ok(Layer::Relay(r)) => r,
            other => panic!("expected a relay layer, got {other:?}"),
        };
    let refused = |keys: &NodeKeys, envelope: &OnionEnvelope| {
        assert_eq!(
            session_onion::peel(keys, envelope).err(),
            Some(HopError::InvalidCiphertext)
        );
    };
    let outer = OnionEnvelope::parse(&request.body).expect("outer");
    refused(&middle_keys, &outer);
    refused(&dest_keys, &outer);
    // The guard learns the next hop and holds ciphertext only.
    let at_guard = relay(&guard_keys, &outer);
    assert_eq!(at_guard.next, middle.ed25519);
    assert!(hidden(&at_guard.envelope.encode().expect("encodes")));
    refused(&guard_keys, &at_guard.envelope);
    // The middle learns only the last hop (not the client, not the destination).
    let at_middle = relay(&middle_keys, &at_guard.envelope);
    assert_eq!(at_middle.next, last.ed25519);
    assert!(hidden(&at_middle.envelope.encode().expect("encodes")));
    // The last hop learns the destination node, but not the payload.
    let at_last = relay(&last_keys, &at_middle.envelope);
    assert_eq!(at_last.next, dest.ed25519);
    assert_eq!(at_last.envelope.hop_no, 3);
    refused(&last_keys, &at_last.envelope);
    // Only the destination reads the request.
    match session_onion::peel(&dest_keys, &at_last.envelope)
        .expect("opens")
        .layer
    {
        Ok(Layer::Destination(d)) => assert_eq!(d.body, body),
        other => panic!("expected the destination layer, got {other:?}"),
    }

    // What a relay hands the next node is the envelope alone: ciphertext, its ephemeral key,
    // the cipher and the hop count; nothing of the client (not its address, which only the
    // guard sees on its HTTP connection). And only registered nodes may hand it over: the
    // client (or anyone else) cannot talk to a middle hop directly.
    let relayed = at_guard.envelope.encode().expect("encodes");
    let json_part = &relayed[4 + at_guard.envelope.ciphertext.len()..];
    let keys_sent: Vec<String> = serde_json::from_slice::<Value>(json_part)
        .expect("json")
        .as_object()
        .expect("object")
        .keys()
        .cloned()
        .collect();
    assert_eq!(keys_sent, ["enc_type", "ephemeral_key", "hop_no"]);
    let mut direct = RelayRequest {
        auth: None,
        envelope: relayed,
        hop_no: 1,
    };
    direct.auth = Some(auth::sign(
        &user,
        "Relay",
        now_ms(),
        &auth::payload(&direct),
    ));
    let mut grpc = NodeInternalClient::connect(format!(
        "http://{}",
        handle(&s.devnet, &middle.ed25519).grpc()
    ))
    .await
    .expect("grpc connects");
    let err = grpc
        .relay(direct)
        .await
        .expect_err("a non-node may not relay");
    assert_eq!(err.code(), tonic::Code::PermissionDenied);

    // The same request, sent to the guard, is answered by the destination.
    let answer = reqwest::Client::new()
        .post(format!("http://{}:{}/onion_req/v2", guard.ip, guard.port))
        .body(request.body.clone())
        .send()
        .await
        .expect("guard answers");
    assert_eq!(answer.status().as_u16(), 200);
    let bytes = answer.bytes().await.expect("body");
    let reply = request.response.open_node_reply(&bytes).expect("opens");
    assert_eq!(reply.status, 200, "{:?}", reply.body);
    // A replay of the relayed layer past the hop limit is refused by the next node.
    let mut over = RelayRequest {
        auth: None,
        envelope: at_guard.envelope.encode().expect("encodes"),
        hop_no: 16,
    };
    let guard_identity = session_node::identity::load_or_create(
        &handle(&s.devnet, &guard.ed25519).data_dir,
        &mut rand::rng(),
    )
    .expect("key");
    over.auth = Some(auth::sign(
        &guard_identity,
        "Relay",
        now_ms(),
        &auth::payload(&over),
    ));
    let reply = grpc.relay(over).await.expect("answered").into_inner();
    assert_eq!(reply.code, 400);
    assert_eq!(reply.body, b"onion request max path length exceeded");
}

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn relay_errors_are_plain() {
    let (s, _slot) = setup().await;
    let client = OnionClient::new(OnionConfig::devnet(), s.pool.clone());
    client.ensure_paths().await.expect("paths");
    let path = client.paths()[0].clone();
    let guard = path.guard().clone();
    let url = format!("http://{}:{}/onion_req/v2", guard.ip, guard.port);
    let http = reqwest::Client::new();
    // A next node nobody knows: plain 502 naming it.
    let stranger = Node {
        ed25519: Ed25519PublicKey::from_bytes([9; 32]),
        ..path.nodes()[1].clone()
    };
    let request = session_onion::build(
        &[guard.clone(), stranger],
        &Destination::Node(NodeDestination::new(&path.nodes()[2])),
        br#"{"method":"info","params":{}}"#,
        EncType::AesGcm,
        &mut rand::rng(),
    )
    .expect("built");
    let r = http
        .post(&url)
        .body(request.body)
        .send()
        .await
        .expect("answer");
    assert_eq!(r.status().as_u16(), 502);
    let text = r.text().await.expect("text");
    assert_eq!(text, format!("Next node not found: {}", "09".repeat(32)));
    // Garbage: plain 400.
    let r = http.post(&url).body("xx").send().await.expect("answer");
    assert_eq!(r.status().as_u16(), 400);
    assert!(
        r.text()
            .await
            .expect("text")
            .starts_with("Error parsing onion request: ")
    );
}
