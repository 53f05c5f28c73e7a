//! `session_client::Chat` clients against a devnet, and the nodes' traffic counters that prove
//! a client kept to onion paths.

use session_client::history::Entry;
use session_client::{Chat, NetworkConfig, OnionConfig};
use session_devnet::Devnet;
use std::time::{Duration, Instant};

/// A connected client for the account in `home` (created when missing), its local clock off
/// by `skew_ms`.
pub async fn chat_for(devnet: &Devnet, home: &std::path::Path, skew_ms: i64) -> Chat {
    if session_client::Account::open(home).is_err() {
        session_client::Account::create(home, &mut rand::rng()).expect("account");
    }
    let manifest = serde_json::to_value(devnet.manifest(None, 0)).expect("manifest json");
    let network = NetworkConfig::from_json(&manifest).expect("network file");
    let mut config = OnionConfig::devnet();
    config.local_clock_skew_ms = skew_ms;
    Chat::open(home, &network, config)
        .await
        .expect("client connects")
}

/// Polls until `want` new messages came (or panics after 60 s); returns them in order.
pub async fn poll_for(chat: &mut Chat, want: usize) -> Vec<Entry> {
    let deadline = Instant::now() + Duration::from_secs(60);
    let mut got = Vec::new();
    while got.len() < want {
        assert!(
            Instant::now() < deadline,
            "only {} of {want} arrived",
            got.len()
        );
        match chat.poll().await {
            Ok(applied) => got.extend(applied.new),
            Err(e) => eprintln!("poll failed (retrying): {e}"),
        }
        if got.len() < want {
            tokio::time::sleep(Duration::from_millis(200)).await;
        }
    }
    got
}

/// (direct storage RPC requests, onion-delivered ones) summed over the live nodes.
pub async fn traffic(devnet: &Devnet) -> (u64, u64) {
    let [direct, onion] = counters(devnet, ["direct_rpc", "onion_rpc"]).await;
    (direct, onion)
}

/// Onion requests the live nodes, as last hops, passed to HTTP servers, summed.
pub async fn proxied(devnet: &Devnet) -> u64 {
    let [proxied] = counters(devnet, ["proxied"]).await;
    proxied
}

/// The `GET /info` traffic counters `names`, each summed over the live nodes.
async fn counters<const N: usize>(devnet: &Devnet, names: [&str; N]) -> [u64; N] {
    let http = reqwest::Client::new();
    let mut sums = [0; N];
    for n in devnet.live_nodes() {
        let v: serde_json::Value = http
            .get(format!("http://{}/info", n.http()))
            .send()
            .await
            .expect("info")
            .json()
            .await
            .expect("info json");
        for (sum, name) in sums.iter_mut().zip(names) {
            *sum += v["traffic"][name].as_u64().expect(name);
        }
    }
    sums
}
