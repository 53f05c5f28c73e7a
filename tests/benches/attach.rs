//! `cargo xtask bench attach` (not a timed test): a 10 MB upload and download to the devnet's
//! file server through 3 onion hops (`session-client`'s file server client: v4 payload, guard →
//! relay → last hop → `/oxen/v4/lsrpc`), against the same bytes over a plain loopback HTTP
//! `POST /file` / `GET /file/ID` to the same server in the same run. Each round uploads fresh
//! bytes (the server deduplicates by content hash), alternating the two transports.
//!
//! Writes `$CARGO_TARGET_DIR/session-bench/attach.json`.
#![allow(clippy::unwrap_used, clippy::expect_used, missing_docs)]

use rand::Rng as _;
use serde_json::{Value, json};
use session_client::fileserver::{self, FileServer};
use session_client::{OnionClient, OnionConfig};
use std::time::{Duration, Instant};

const NODES: usize = 6;
const ROUNDS: usize = 5;
/// The file server's limit: the largest blob an attachment can be.
const BLOB_BYTES: usize = 10_000_000;

fn fresh_blob() -> Vec<u8> {
    let mut blob = vec![0u8; BLOB_BYTES];
    rand::rng().fill_bytes(&mut blob);
    blob
}

fn median_ms(mut times: Vec<Duration>) -> f64 {
    times.sort();
    times[times.len() / 2].as_secs_f64() * 1000.0
}

/// One plain upload and download: (upload, download) times.
async fn plain_round(http: &reqwest::Client, url: &str, blob: Vec<u8>) -> (Duration, Duration) {
    let start = Instant::now();
    let answer: Value = http
        .post(format!("{url}/file"))
        .body(blob.clone())
        .send()
        .await
        .unwrap()
        .json()
        .await
        .unwrap();
    let up = start.elapsed();
    let id = match &answer["id"] {
        Value::String(s) => s.clone(),
        other => other.to_string(),
    };
    let start = Instant::now();
    let got = http
        .get(format!("{url}/file/{id}"))
        .send()
        .await
        .unwrap()
        .bytes()
        .await
        .unwrap();
    let down = start.elapsed();
    assert!(got == blob, "plain download is byte-identical");
    (up, down)
}

/// One upload and download through 3 hops: (upload, download) times.
async fn onion_round(
    onion: &OnionClient,
    server: &FileServer,
    blob: Vec<u8>,
) -> (Duration, Duration) {
    let start = Instant::now();
    let uploaded = fileserver::upload(onion, server, &blob, None)
        .await
        .unwrap();
    let up = start.elapsed();
    let start = Instant::now();
    let got = fileserver::download(onion, server, &uploaded.id)
        .await
        .unwrap();
    let down = start.elapsed();
    assert!(got == blob, "onion download is byte-identical");
    (up, down)
}

async fn run() -> Value {
    let dir = tempfile::tempdir().unwrap();
    let mut cfg = session_e2e::devnet_config(dir.path());
    cfg.nodes = NODES;
    let devnet = session_devnet::Devnet::start(session_e2e::with_servers(cfg))
        .await
        .unwrap();
    let entry = devnet.file_server.as_ref().unwrap().entry.clone();
    let server = FileServer::parse(&entry.url, &entry.pubkey).unwrap();
    let http = reqwest::Client::new();
    let seed = devnet.live_nodes().next().unwrap().http();
    let pool = session_client::onion::fetch_nodes(&http, seed)
        .await
        .unwrap();
    let onion = OnionClient::new(OnionConfig::devnet(), pool);
    onion.ensure_paths().await.unwrap();
    // Warm-up: one of each (connections, paths, the server's first file).
    plain_round(&http, &entry.url, fresh_blob()).await;
    onion_round(&onion, &server, fresh_blob()).await;

    let (mut plain_up, mut plain_down, mut onion_up, mut onion_down) =
        (Vec::new(), Vec::new(), Vec::new(), Vec::new());
    for _ in 0..ROUNDS {
        let (up, down) = plain_round(&http, &entry.url, fresh_blob()).await;
        plain_up.push(up);
        plain_down.push(down);
        let (up, down) = onion_round(&onion, &server, fresh_blob()).await;
        onion_up.push(up);
        onion_down.push(down);
    }
    json!({
        "nodes": NODES,
        "rounds": ROUNDS,
        "blob_bytes": BLOB_BYTES,
        "plain_upload_ms": median_ms(plain_up),
        "plain_download_ms": median_ms(plain_down),
        "onion_upload_ms": median_ms(onion_up),
        "onion_download_ms": median_ms(onion_down),
    })
}

fn main() {
    if std::env::args().any(|a| a == "--list" || a == "--test") {
        return;
    }
    let rt = tokio::runtime::Builder::new_multi_thread()
        .worker_threads(2)
        .enable_all()
        .build()
        .unwrap();
    let report = rt.block_on(run());
    println!("{report:#}");
    let out = std::path::PathBuf::from(env!("CARGO_TARGET_TMPDIR")).join("../session-bench");
    std::fs::create_dir_all(&out).unwrap();
    std::fs::write(out.join("attach.json"), report.to_string()).unwrap();
}
