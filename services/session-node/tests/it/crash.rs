//! Crash safety: SIGKILL the node during a stream of stores, restart it on the same data
//! directory, and check that every store that was answered 200 is retrievable.
use crate::process::NodeProcess;
use base64::Engine as _;
use serde_json::{Value, json};
use session_crypto::{IdentityKeys, Seed};
use std::collections::HashSet;
use std::sync::{Arc, Mutex};
use std::time::{Duration, SystemTime, UNIX_EPOCH};

const WRITERS: usize = 8;

fn now_ms() -> u64 {
    SystemTime::now()
        .duration_since(UNIX_EPOCH)
        .unwrap()
        .as_millis() as u64
}

async fn writer(url: String, pubkey: String, id: usize, acked: Arc<Mutex<HashSet<String>>>) {
    let client = reqwest::Client::new();
    for n in 0u64.. {
        let data = base64::engine::general_purpose::STANDARD
            .encode(format!("writer {id} message {n} {}", now_ms()));
        let body = json!({"method": "store", "params": {"pubkey": pubkey, "timestamp": now_ms(), "ttl": 86_400_000u64, "data": data}});
        let Ok(resp) = client.post(&url).body(body.to_string()).send().await else {
            return;
        };
        if resp.status().as_u16() != 200 {
            return;
        }
        let Ok(v) = resp.json::<Value>().await else {
            return;
        };
        acked
            .lock()
            .unwrap()
            .insert(v["hash"].as_str().unwrap().to_owned());
    }
}

async fn all_hashes(url: &str, user: &IdentityKeys) -> HashSet<String> {
    let client = reqwest::Client::new();
    let mut seen = HashSet::new();
    let mut last = String::new();
    loop {
        let ts = now_ms();
        let sig = base64::engine::general_purpose::STANDARD
            .encode(user.sign(format!("retrieve{ts}").as_bytes()));
        let params = json!({"pubkey": user.session_id().to_string(), "pubkey_ed25519": hex::encode(user.ed25519_public().as_bytes()),
            "timestamp": ts, "signature": sig, "last_hash": last});
        let v: Value = client
            .post(url)
            .body(json!({"method": "retrieve", "params": params}).to_string())
            .send()
            .await
            .unwrap()
            .json()
            .await
            .unwrap();
        let msgs = v["messages"].as_array().unwrap();
        for m in msgs {
            seen.insert(m["hash"].as_str().unwrap().to_owned());
        }
        match msgs.last() {
            Some(m) if v["more"] == true => last = m["hash"].as_str().unwrap().to_owned(),
            _ => return seen,
        }
    }
}

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn acknowledged_stores_survive_sigkill() {
    let dir = tempfile::tempdir().unwrap();
    let user = IdentityKeys::from_seed(Seed::from_bytes([42; 32]));
    let pubkey = user.session_id().to_string();
    let acked = Arc::new(Mutex::new(HashSet::new()));
    for round in 0..3u64 {
        let mut node = NodeProcess::start(dir.path());
        let tasks: Vec<_> = (0..WRITERS)
            .map(|id| tokio::spawn(writer(node.url.clone(), pubkey.clone(), id, acked.clone())))
            .collect();
        // let the stream run, then kill at a point that varies per round
        tokio::time::sleep(Duration::from_millis(700 + 450 * round)).await;
        node.kill9();
        for t in tasks {
            t.await.unwrap();
        }
    }
    let acked = acked.lock().unwrap().clone();
    eprintln!("{} stores acknowledged across 3 SIGKILLs", acked.len());
    assert!(
        acked.len() > 100,
        "only {} stores were acknowledged",
        acked.len()
    );
    let node = NodeProcess::start(dir.path());
    let stored = all_hashes(&node.url, &user).await;
    let lost: Vec<_> = acked.difference(&stored).collect();
    assert!(
        lost.is_empty(),
        "{} of {} acknowledged stores lost",
        lost.len(),
        acked.len()
    );
    eprintln!("all {} retrievable after restart", acked.len());
}
