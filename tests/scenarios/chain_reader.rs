//! The registry reader and the node's chain journal against a real chain.

use alloy::providers::{Provider as _, ProviderBuilder};
use session_chain::{Cursor, RegistryEventKind, RegistryReader};
use session_devnet::Devnet;
use session_e2e::config;
use session_node::chain::ChainFollower;
use session_node::config::ChainConfig;

fn reader(devnet: &Devnet, from: u64) -> RegistryReader {
    let provider = ProviderBuilder::new()
        .connect_http(devnet.rpc_url.parse().expect("url"))
        .erased();
    RegistryReader::new(provider, devnet.contracts.registry, from)
}

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn reader_chunks_resume_and_survive_rpc_errors() {
    let (mut cfg, _dir) = config(4);
    cfg.min_swarm_size = 1;
    cfg.ideal_swarm_size = 2;
    let devnet = Devnet::start(cfg).await.expect("devnet starts");
    let deploy = devnet.contracts.deploy_block;
    let head = devnet
        .chain
        .provider
        .get_block_number()
        .await
        .expect("head");

    // One read in 1,000-block chunks and one in 1-block chunks see the same ordered events.
    let (whole, err) = reader(&devnet, deploy).read_until(head).await;
    assert!(err.is_none());
    let mut small = reader(&devnet, deploy).with_chunk(1);
    let (chunked, err) = small.read_until(head).await;
    assert!(err.is_none());
    assert_eq!(whole, chunked);
    assert_eq!(
        small.cursor(),
        Cursor {
            next_block: head + 1
        }
    );
    let positions: Vec<_> = whole.iter().map(|e| (e.block, e.log_index)).collect();
    assert!(
        positions.windows(2).all(|w| w[0] < w[1]),
        "strictly ordered"
    );
    let registered: Vec<u64> = whole
        .iter()
        .filter_map(|e| match &e.kind {
            RegistryEventKind::Registered { record, .. } => Some(record.id),
            _ => None,
        })
        .collect();
    assert_eq!(registered, vec![1, 2, 3, 4]);
    let activated = whole
        .iter()
        .filter(|e| matches!(e.kind, RegistryEventKind::Activated { .. }))
        .count();
    assert_eq!(
        activated, 4,
        "the multi-contributor node activates on its last contribution"
    );

    // Stopping half-way and resuming from the saved cursor gives the same events.
    let mid = (deploy + head) / 2;
    let mut first = reader(&devnet, deploy).with_chunk(3);
    let (mut a, _) = first.read_until(mid).await;
    let provider = ProviderBuilder::new()
        .connect_http(devnet.rpc_url.parse().expect("url"))
        .erased();
    let mut resumed = RegistryReader::resume(provider, devnet.contracts.registry, first.cursor());
    let (b, _) = resumed.read_until(head).await;
    a.extend(b);
    assert_eq!(a, whole);

    // An unreachable RPC: an error, and the cursor does not move.
    let dead = ProviderBuilder::new()
        .connect_http(
            format!(
                "http://127.0.0.1:{}",
                session_devnet::free_port().expect("port")
            )
            .parse()
            .expect("url"),
        )
        .erased();
    let mut broken = RegistryReader::new(dead, devnet.contracts.registry, deploy);
    assert!(broken.next_chunk(head).await.is_err());
    assert_eq!(broken.cursor(), Cursor { next_block: deploy });
}

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn a_restarted_follower_replays_its_journal() {
    let (mut cfg, _dir) = config(3);
    cfg.min_swarm_size = 1;
    cfg.ideal_swarm_size = 2;
    let devnet = Devnet::start(cfg).await.expect("devnet starts");
    let data = tempfile::tempdir().expect("dir");
    let chain = session_e2e::chain_config(&devnet);
    let mut follower = ChainFollower::connect(&chain, data.path())
        .await
        .expect("connects");
    while follower.network().active_nodes().count() < 3 {
        follower.step().await.expect("step");
        tokio::time::sleep(std::time::Duration::from_millis(200)).await;
    }
    let epoch = follower.network().epoch_block();
    let swarms = follower.network().swarms().clone();
    drop(follower);

    // Reconnecting replays the journal before reading anything new.
    let again = ChainFollower::connect(&chain, data.path())
        .await
        .expect("reconnects");
    assert_eq!(again.network().epoch_block(), epoch);
    assert_eq!(again.network().swarms(), &swarms);

    // A journal for another registry is not reused.
    let other = ChainConfig {
        registry: devnet.contracts.token.to_string(),
        ..chain
    };
    let fresh = ChainFollower::connect(&other, data.path())
        .await
        .expect("connects");
    assert_eq!(fresh.network().epoch_block(), None);
}
