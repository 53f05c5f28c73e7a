//! Twelve nodes agree on the swarms; `get_swarm`, 421 and the node list agree with the pure
//! mapping; a 13th node joins and one exits, and everyone converges on the new assignment.

use serde_json::{Value, json};
use session_devnet::{Devnet, SwarmReport};
use session_e2e::{config, rpc};
use session_swarm::swarm_for_pubkey;
use std::collections::BTreeSet;
use std::time::Duration;

fn random_account() -> [u8; 32] {
    let mut k = [0u8; 32];
    rand::fill(&mut k);
    k
}

/// Every node's `get_swarm` for random accounts names the swarm the pure mapping picks, with
/// exactly that swarm's members; a node outside it answers a store with 421 and that swarm.
async fn check_mapping(devnet: &Devnet, report: &SwarmReport) {
    let http = reqwest::Client::new();
    let ids = report.swarm_ids();
    let swarms = report.swarms();
    let nodes: Vec<_> = devnet.live_nodes().collect();
    for round in 0..24 {
        let key = random_account();
        let account = format!("05{}", hex::encode(key));
        let expected = swarm_for_pubkey(&key, &ids).expect("swarms exist");
        let node = nodes[round % nodes.len()];
        let (code, body) = rpc(
            &http,
            node.http(),
            json!({"method": "get_swarm", "params": {"pubkey": account}}),
        )
        .await;
        assert_eq!(code, 200, "{body}");
        let v: Value = serde_json::from_str(&body).expect("json");
        assert_eq!(v["swarm"], format!("{expected:016x}"));
        let members: BTreeSet<String> = v["snodes"]
            .as_array()
            .expect("snodes")
            .iter()
            .map(|s| s["pubkey_ed25519"].as_str().expect("key").to_owned())
            .collect();
        let want: BTreeSet<String> = swarms[&expected].iter().map(hex::encode).collect();
        assert_eq!(members, want, "members of swarm {expected}");

        let outsider = nodes
            .iter()
            .find(|n| report.assignment[&n.record.ed25519] != expected)
            .expect("a node outside the swarm");
        let store = json!({"method": "store", "params": {
            "pubkey": account, "ttl": 60_000, "data": "aGVsbG8=",
            "timestamp": std::time::SystemTime::now().duration_since(std::time::UNIX_EPOCH).expect("clock").as_millis() as u64,
        }});
        let (code, body) = rpc(&http, outsider.http(), store.clone()).await;
        assert_eq!(code, 421, "{body}");
        let v: Value = serde_json::from_str(&body).expect("421 json");
        assert_eq!(v["swarm"], format!("{expected:016x}"));
        let insider = nodes
            .iter()
            .find(|n| report.assignment[&n.record.ed25519] == expected)
            .expect("a member");
        let (code, body) = rpc(&http, insider.http(), store).await;
        assert_eq!(code, 200, "{body}");
    }
}

/// The swarms an independent reader computes from the chain (what a client would do).
async fn independent_view(devnet: &Devnet, at_least: u64) -> SwarmReport {
    let dir = tempfile::tempdir().expect("temp dir");
    let cfg = session_e2e::chain_config(devnet);
    let mut follower = session_node::chain::ChainFollower::connect(&cfg, dir.path())
        .await
        .expect("follower connects");
    loop {
        follower.step().await.expect("step");
        let net = follower.network();
        if net.epoch_block().unwrap_or(0) >= at_least {
            let assignment = net
                .swarms()
                .iter()
                .flat_map(|(id, members)| members.iter().map(move |m| (m.ed25519, *id)))
                .collect();
            return SwarmReport {
                epoch: net.epoch_block().unwrap_or(0),
                assignment,
            };
        }
        tokio::time::sleep(Duration::from_millis(200)).await;
    }
}

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn twelve_nodes_agree_and_converge_after_a_join_and_an_exit() {
    let (cfg, _dir) = config(12);
    let mut devnet = Devnet::start(cfg).await.expect("devnet starts");
    let report = devnet.agreed_report().await.expect("nodes agree");
    assert_eq!(report.assignment.len(), 12);
    let swarms = report.swarms();
    assert!(
        swarms.len() >= 2,
        "12 nodes form several swarms: {swarms:?}"
    );
    assert!(
        swarms
            .values()
            .all(|m| m.len() >= devnet.cfg.min_swarm_size),
        "no swarm under the minimum: {swarms:?}"
    );
    let independent = independent_view(&devnet, report.epoch).await;
    assert_eq!(independent.assignment, report.assignment);
    check_mapping(&devnet, &report).await;

    let joined = devnet.add_node().await.expect("13th node registers");
    let joined_key = devnet.nodes[joined].record.ed25519;
    let leaving_key = devnet.nodes[0].record.ed25519;
    devnet.exit_node(0).await.expect("node 0 exits");
    let after = devnet
        .wait_converged(Duration::from_secs(60))
        .await
        .expect("converges on the new set");
    assert_eq!(after.assignment.len(), 12);
    assert!(after.assignment.contains_key(&joined_key));
    assert!(!after.assignment.contains_key(&leaving_key));
    let independent = independent_view(&devnet, after.epoch).await;
    assert_eq!(independent.assignment, after.assignment);
    check_mapping(&devnet, &after).await;
}
