//! The client's bootstrap: node list from a network file, cross-checked against 3 seeds.

use crate::config;
use session_client::{NetworkConfig, bootstrap};
use session_devnet::Devnet;
use std::collections::BTreeSet;

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn bootstrap_cross_checks_three_seeds_and_survives_a_dead_one() {
    let (mut cfg, _dir) = config(4);
    cfg.min_swarm_size = 1;
    cfg.ideal_swarm_size = 2;
    let mut devnet = Devnet::start(cfg).await.expect("devnet starts");
    let manifest = serde_json::to_value(devnet.manifest(None, 0)).expect("manifest json");
    let network = NetworkConfig::from_json(&manifest).expect("network file");
    assert_eq!(network.seeds.len(), 4);
    let http = reqwest::Client::new();

    let want: BTreeSet<[u8; 32]> = devnet.live_nodes().map(|n| n.record.ed25519).collect();
    let got: BTreeSet<[u8; 32]> = bootstrap(&http, &network)
        .await
        .expect("bootstrap")
        .iter()
        .map(|n| *n.ed25519.as_bytes())
        .collect();
    assert_eq!(got, want);

    // The first seed is down: the next three answer and agree.
    devnet.kill_node(0);
    let nodes = bootstrap(&http, &network)
        .await
        .expect("bootstrap without seed 0");
    assert_eq!(
        nodes.len(),
        4,
        "the others still list all four until the registry changes"
    );

    // Only two seeds left: fewer than three answers is an error, not a guess.
    devnet.kill_node(1);
    let err = bootstrap(&http, &network)
        .await
        .expect_err("two seeds cannot cross-check three");
    assert!(
        err.to_string().contains("only 2 of 3 seeds answered"),
        "{err}"
    );
}
