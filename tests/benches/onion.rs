//! `cargo xtask bench onion` (not a timed test): what one onion hop costs a node, and what a
//! 3-hop store costs a client.
//!
//! * Per-hop CPU, in-process: parse + peel + classify of a guard layer (`session_onion::peel`,
//!   what `/onion_req/v2` does before any I/O), next to one X25519 plus one AEAD decryption of a
//!   ciphertext of the same size, measured in the same run; for both ciphers, 1 KiB and 64 KiB
//!   payloads.
//! * Latency: sequential stores through 3 hops to a swarm member on a 10-node loopback devnet
//!   (`session-client`'s transport), p50 and p99.
//!
//! Writes `$CARGO_TARGET_DIR/session-bench/onion.json`.
#![allow(clippy::unwrap_used, clippy::expect_used, missing_docs)]

use base64::Engine as _;
use serde_json::json;
use session_client::{OnionClient, OnionConfig};
use session_crypto::hop::{EncType, HopKey};
use session_crypto::{Ed25519PublicKey, IdentityKeys, Seed, X25519Secret};
use session_onion::{Destination, Node, NodeDestination, NodeKeys, OnionEnvelope};
use std::hint::black_box;
use std::net::Ipv4Addr;
use std::time::{Duration, Instant, SystemTime, UNIX_EPOCH};

const HOP_ITERATIONS: u32 = 2_000;
const STORES: usize = 300;
const NODES: usize = 10;

fn now_ms() -> u64 {
    SystemTime::now()
        .duration_since(UNIX_EPOCH)
        .unwrap()
        .as_millis() as u64
}

fn test_node(secret: &X25519Secret, i: u8) -> Node {
    Node {
        ed25519: Ed25519PublicKey::from_bytes([i; 32]),
        x25519: secret.public_key(),
        ip: Ipv4Addr::new(10, i, 0, 1),
        port: 443,
    }
}

fn per_call(iterations: u32, mut f: impl FnMut()) -> Duration {
    for _ in 0..iterations / 10 {
        f();
    }
    let start = Instant::now();
    for _ in 0..iterations {
        f();
    }
    start.elapsed() / iterations
}

/// (peel ns, X25519 + AEAD ns, guard layer ciphertext bytes) for one cipher and payload size.
fn hop_cost(enc: EncType, payload_len: usize) -> (f64, f64, usize) {
    let mut rng = rand::rng();
    let secrets: Vec<X25519Secret> = (0..4).map(|_| X25519Secret::generate(&mut rng)).collect();
    let path: Vec<Node> = (0..3)
        .map(|i| test_node(&secrets[i], i as u8 + 1))
        .collect();
    let dest = Destination::Node(NodeDestination::new(&test_node(&secrets[3], 9)));
    let payload = vec![b'x'; payload_len];
    let request = session_onion::build(&path, &dest, &payload, enc, &mut rng).unwrap();
    let guard = NodeKeys::new(secrets[0].clone());
    let peel = per_call(HOP_ITERATIONS, || {
        let envelope = OnionEnvelope::parse(black_box(&request.body)).unwrap();
        let peeled = session_onion::peel(&guard, &envelope).unwrap();
        black_box(peeled.layer.unwrap());
    });
    let ct_len = OnionEnvelope::parse(&request.body)
        .unwrap()
        .ciphertext
        .len();

    // The bound: one X25519 and one AEAD decryption of the same ciphertext size.
    let eph = X25519Secret::generate(&mut rng);
    let peer = secrets[1].public_key();
    let key = HopKey::client(enc, &eph, &peer).unwrap();
    let ciphertext = key.encrypt(&vec![0u8; ct_len - enc.overhead()], &mut rng);
    let bound = per_call(HOP_ITERATIONS, || {
        black_box(eph.diffie_hellman(black_box(&peer)).unwrap());
        black_box(key.decrypt(black_box(&ciphertext)).unwrap());
    });
    (peel.as_nanos() as f64, bound.as_nanos() as f64, ct_len)
}

fn percentile(sorted: &[Duration], p: f64) -> f64 {
    let i = ((sorted.len() as f64 - 1.0) * p).round() as usize;
    sorted[i].as_secs_f64() * 1000.0
}

async fn store_latency() -> (f64, f64, usize) {
    let dir = tempfile::tempdir().unwrap();
    let mut cfg = session_e2e::devnet_config(dir.path());
    cfg.nodes = NODES;
    let devnet = session_devnet::Devnet::start(cfg).await.unwrap();
    let report = devnet.agreed_report().await.unwrap();
    let http = reqwest::Client::new();
    let seed = devnet.live_nodes().next().unwrap().http();
    let pool = session_client::onion::fetch_nodes(&http, seed)
        .await
        .unwrap();
    let client = OnionClient::new(OnionConfig::devnet(), pool.clone());
    client.ensure_paths().await.unwrap();
    let in_paths: Vec<Ed25519PublicKey> = client
        .paths()
        .iter()
        .flat_map(|p| p.nodes().iter().map(|n| n.ed25519))
        .collect();
    // An account with a swarm member outside both paths, to be the destination.
    let (account, dest) = loop {
        let user = IdentityKeys::from_seed(Seed::generate_full(&mut rand::rng()));
        let key = *user.x25519_public().as_bytes();
        let swarm = session_swarm::swarm_for_pubkey(&key, &report.swarm_ids()).unwrap();
        let dest = pool.iter().find(|n| {
            report.assignment.get(n.ed25519.as_bytes()) == Some(&swarm)
                && !in_paths.contains(&n.ed25519)
        });
        if let Some(dest) = dest {
            break (user.session_id().to_string(), dest.clone());
        }
    };
    let mut times = Vec::with_capacity(STORES);
    for i in 0..STORES {
        let data = base64::engine::general_purpose::STANDARD.encode(format!("onion {i}"));
        let body = json!({"method": "store", "params": {"pubkey": account,
            "timestamp": now_ms(), "ttl": 600_000, "data": data}})
        .to_string();
        let start = Instant::now();
        let reply = client.request(&dest, body.as_bytes()).await.unwrap();
        times.push(start.elapsed());
        assert_eq!(reply.status, 200, "{:?}", reply.body);
    }
    times.sort();
    (percentile(&times, 0.5), percentile(&times, 0.99), STORES)
}

fn main() {
    if std::env::args().any(|a| a == "--list" || a == "--test") {
        return;
    }
    let mut hops = Vec::new();
    for enc in [EncType::AesGcm, EncType::XChaCha20] {
        for size in [1024, 64 * 1024] {
            let (peel, bound, ct_len) = hop_cost(enc, size);
            hops.push(json!({"enc_type": enc.as_str(), "payload_bytes": size,
                "layer_bytes": ct_len, "peel_ns": peel, "x25519_aead_ns": bound,
                "ratio": peel / bound}));
        }
    }
    let rt = tokio::runtime::Builder::new_multi_thread()
        .worker_threads(2)
        .enable_all()
        .build()
        .unwrap();
    let (p50, p99, stores) = rt.block_on(store_latency());
    let report = json!({
        "iterations": HOP_ITERATIONS,
        "hops": hops,
        "nodes": NODES,
        "stores": stores,
        "store_p50_ms": p50,
        "store_p99_ms": p99,
    });
    println!("{report:#}");
    let out = std::path::PathBuf::from(env!("CARGO_TARGET_TMPDIR")).join("../session-bench");
    std::fs::create_dir_all(&out).unwrap();
    std::fs::write(out.join("onion.json"), report.to_string()).unwrap();
}
