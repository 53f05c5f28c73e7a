//! A node whose log cannot be written (its disk is full: stderr goes to `/dev/full`, which
//! answers every write with ENOSPC) keeps serving. Found by the nemesis suite's disk fault:
//! tracing-subscriber reported each failed log write with `eprintln!`, which panics when
//! stderr fails, so every request that logged answered 500 with the panic text.
use crate::process::NodeProcess;
use serde_json::json;
use std::process::Stdio;
use std::time::{SystemTime, UNIX_EPOCH};

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn a_node_whose_log_disk_is_full_keeps_serving() {
    let dir = tempfile::tempdir().unwrap();
    let full = std::fs::OpenOptions::new()
        .write(true)
        .open("/dev/full")
        .expect("/dev/full");
    // Trace level: every request logs (hyper's connection and the node's own events).
    let mut node = NodeProcess::start_with(dir.path(), "trace", Stdio::from(full));
    let client = reqwest::Client::new();
    let pubkey = format!("05{}", "ab".repeat(32));
    for i in 0..20 {
        let ts = SystemTime::now()
            .duration_since(UNIX_EPOCH)
            .unwrap()
            .as_millis() as u64;
        let data = base64::Engine::encode(
            &base64::engine::general_purpose::STANDARD,
            format!("message {i}"),
        );
        let body = json!({"method": "store", "params": {"pubkey": pubkey, "timestamp": ts,
            "ttl": 86_400_000u64, "data": data}});
        let resp = client
            .post(&node.url)
            .body(body.to_string())
            .send()
            .await
            .expect("the node answers");
        let status = resp.status().as_u16();
        let text = resp.text().await.unwrap();
        assert_eq!(status, 200, "store {i}: {text}");
    }
    assert!(
        node.child.try_wait().unwrap().is_none(),
        "the node is still running"
    );
}
