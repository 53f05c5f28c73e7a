//! The nemesis suite, short form (issue 21): 24 storage clients on 48 accounts in 3
//! namespaces against 14 nodes with Session's swarm sizes (min 5, ideal 7) while the nemesis
//! kills 6 of 7 members of a swarm, pauses nodes, runs a node 3 minutes off, fills a node's
//! disk (a tmpfs of its own), cuts a member off from every other node (a partition made with
//! routing rules, the nodes on addresses of their own) and churns a registration and an exit;
//! after healing every member of every swarm is read and the history checked.
//!
//! `SESSION_CHAOS_MINUTES=N` (what `cargo xtask chaos --minutes N` sets) mixes the faults at
//! random for N minutes instead; `SESSION_NEMESIS_SEED=S` repeats a run's choices;
//! `SESSION_NEMESIS_DUMP=DIR` writes the history and the final reads there.

use session_devnet::Devnet;
use session_e2e::config;
use session_e2e::nemesis::{Plan, Schedule, run};
use std::time::Duration;

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn no_acknowledged_write_is_lost_or_resurrected_under_faults() {
    let (mut cfg, _dir) = config(14);
    cfg.min_swarm_size = 5;
    cfg.ideal_swarm_size = 7;
    cfg.multi_contributor_every = 0;
    cfg.distinct_addresses = true;
    let mut devnet = Devnet::start(cfg).await.expect("devnet starts");
    let seed = std::env::var("SESSION_NEMESIS_SEED")
        .ok()
        .and_then(|s| s.parse().ok())
        .unwrap_or_else(rand::random);
    let mut plan = Plan::short(seed);
    if let Some(minutes) = std::env::var("SESSION_CHAOS_MINUTES")
        .ok()
        .and_then(|m| m.parse::<u64>().ok())
    {
        plan.schedule = Schedule::Random(Duration::from_secs(minutes * 60));
    }
    let summary = run(&mut devnet, &plan).await.expect("the run completes");
    println!("{summary}");
    if let Some(dir) = std::env::var_os("SESSION_NEMESIS_DUMP") {
        summary.dump(std::path::Path::new(&dir)).expect("dump");
    }
    assert!(summary.unexpected(&[]).is_empty(), "{summary}");
    let faults = summary.fault_counts();
    for kind in [
        "kill",
        "pause",
        "clock",
        "disk",
        "partition",
        "join",
        "exit",
    ] {
        assert!(
            faults.contains_key(kind),
            "no {kind} fault was injected: {summary}"
        );
    }
    assert!(summary.ops.len() > 500, "too little load: {summary}");
}
