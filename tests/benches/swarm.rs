//! Load generator for `cargo xtask bench swarm` (not a timed test): replicated stores/s for a
//! 5-node swarm on a devnet (each store is executed by the entry node and forwarded to the 4
//! other members over the internal gRPC API, as clients do it), next to the single-node
//! (standalone) store rate measured in the same run. Writes
//! `$CARGO_TARGET_DIR/session-bench/swarm.json`.
#![allow(clippy::unwrap_used, clippy::expect_used, missing_docs)]

use serde_json::json;
use session_crypto::{IdentityKeys, Seed};
use session_e2e::load::{CLIENTS, PHASE, phase, standalone};
use std::sync::Arc;

const SWARM: usize = 5;

fn main() {
    if std::env::args().any(|a| a == "--list" || a == "--test") {
        return;
    }
    let rt = tokio::runtime::Builder::new_multi_thread()
        .worker_threads(2)
        .enable_all()
        .build()
        .unwrap();
    let pubkeys: Arc<Vec<String>> = Arc::new(
        (0..CLIENTS)
            .map(|i| {
                IdentityKeys::from_seed(Seed::from_bytes([i as u8 + 1; 32]))
                    .session_id()
                    .to_string()
            })
            .collect(),
    );

    let single_dir = tempfile::tempdir().unwrap();
    let (mut single, url) = standalone(single_dir.path());
    let single_rate = rt.block_on(phase(pubkeys.clone(), Arc::new(vec![url]), true));
    let _ = single.kill();
    let _ = single.wait();

    let devnet_dir = tempfile::tempdir().unwrap();
    let mut cfg = session_e2e::devnet_config(devnet_dir.path());
    cfg.nodes = SWARM;
    cfg.min_swarm_size = SWARM;
    cfg.ideal_swarm_size = 7;
    cfg.multi_contributor_every = 0;
    let (swarm_rate, members) = rt.block_on(async {
        let devnet = session_devnet::Devnet::start(cfg).await.unwrap();
        let report = devnet.agreed_report().await.unwrap();
        assert_eq!(report.swarms().len(), 1, "one swarm of {SWARM}");
        let urls: Vec<String> = devnet
            .live_nodes()
            .map(|n| format!("http://{}/storage_rpc/v1", n.http()))
            .collect();
        let rate = phase(pubkeys.clone(), Arc::new(urls), true).await;
        (rate, report.assignment.len())
    });
    let report = json!({
        "clients": CLIENTS,
        "phase_secs": PHASE.as_secs(),
        "swarm_size": members,
        "single_node_store_per_s": single_rate,
        "swarm_store_per_s": swarm_rate,
        "swarm_over_single": swarm_rate / single_rate,
    });
    println!("{report:#}");
    let out = std::path::PathBuf::from(env!("CARGO_TARGET_TMPDIR")).join("../session-bench");
    std::fs::create_dir_all(&out).unwrap();
    std::fs::write(out.join("swarm.json"), report.to_string()).unwrap();
}
