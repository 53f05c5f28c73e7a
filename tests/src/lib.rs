//! The end-to-end harness: what every scenario family (`scenarios/*.rs`, one test target each)
//! and every system benchmark (`benches/`) shares. Real anvil, the real contracts, real
//! `session-node` and `session-cli` processes; each test brings up its own devnet on free
//! loopback ports, and dropping it stops everything.
//!
//! Needs anvil (`cargo xtask test` installs the pinned npm package into `devnet/node_modules`
//! before it runs the tests, or set `SESSION_ANVIL`) and the binaries under test, which belong
//! to other packages: `cargo build -p session-node-service -p session-cli` first (`cargo xtask
//! e2e` and `cargo xtask test` do), or point `SESSION_BIN_DIR` at a folder holding them.
#![allow(clippy::expect_used, clippy::missing_panics_doc)]

pub mod chat;
pub mod cli;
pub mod limits;
pub mod load;
pub mod nemesis;

use session_devnet::{Devnet, DevnetConfig};
use std::path::{Path, PathBuf};
use std::sync::{Condvar, Mutex};

/// At most this many devnets run at once (each is anvil plus up to 14 node processes; more at
/// once on 2 cores slows them past the tests' convergence deadlines).
const PARALLEL_DEVNETS: usize = 2;

static RUNNING: (Mutex<usize>, Condvar) = (Mutex::new(0), Condvar::new());

/// A devnet's place among the parallel devnets (at most 2) and its temporary directory;
/// dropping it frees both.
pub struct Slot {
    _dir: tempfile::TempDir,
}

impl Slot {
    fn take(dir: tempfile::TempDir) -> Self {
        let (lock, cvar) = &RUNNING;
        let mut running = lock
            .lock()
            .unwrap_or_else(std::sync::PoisonError::into_inner);
        while *running >= PARALLEL_DEVNETS {
            running = cvar
                .wait(running)
                .unwrap_or_else(std::sync::PoisonError::into_inner);
        }
        *running += 1;
        Self { _dir: dir }
    }
}

impl Drop for Slot {
    fn drop(&mut self) {
        let (lock, cvar) = &RUNNING;
        *lock
            .lock()
            .unwrap_or_else(std::sync::PoisonError::into_inner) -= 1;
        cvar.notify_one();
    }
}

/// A devnet config in a fresh temporary directory; waits for a free devnet slot. Keep the
/// returned slot alive (after the devnet, which drops first) for the whole test.
pub fn config(nodes: usize) -> (DevnetConfig, Slot) {
    let dir = tempfile::tempdir().expect("temp dir");
    let mut cfg = devnet_config(dir.path());
    cfg.nodes = nodes;
    (cfg, Slot::take(dir))
}

/// A devnet config with its files in `dir`, the workspace's anvil and the built `session-node`
/// (no slot: for the benchmarks, which run alone).
pub fn devnet_config(dir: &Path) -> DevnetConfig {
    let root = Path::new(env!("CARGO_MANIFEST_DIR")).join("..");
    let anvil = session_devnet::anvil::find(&root)
        .expect("anvil is needed for the end-to-end tests: run `cargo xtask contracts build` once");
    DevnetConfig::new(dir.to_path_buf(), anvil, bin("session-node"))
}

/// `cfg` with the devnet's community server and file server (the built binaries).
pub fn with_servers(mut cfg: DevnetConfig) -> DevnetConfig {
    cfg.community_binary = Some(bin("session-community"));
    cfg.fileserver_binary = Some(bin("session-fileserver"));
    cfg
}

/// The path of a workspace binary under test: `SESSION_BIN_DIR/NAME`, or the one cargo built
/// next to this test's own executable (`target/<profile>/NAME`).
pub fn bin(name: &str) -> PathBuf {
    let path = bin_dir().join(name);
    assert!(
        path.is_file(),
        "{} is missing: build it first with `cargo build -p session-node-service -p session-cli` \
         (or run `cargo xtask e2e`)",
        path.display()
    );
    path
}

/// `SESSION_BIN_DIR`, or the directory cargo built this test's executable for
/// (`target/<profile>`).
fn bin_dir() -> PathBuf {
    match std::env::var_os("SESSION_BIN_DIR") {
        Some(dir) => PathBuf::from(dir),
        None => {
            let exe = std::env::current_exe().expect("own executable");
            // target/<profile>/deps/<test>-<hash> → target/<profile>
            exe.parent()
                .and_then(Path::parent)
                .expect("a test executable lives in target/<profile>/deps")
                .to_path_buf()
        }
    }
}

/// The path of a workspace example under test (`target/<profile>/examples/NAME`, built with
/// the binaries).
pub fn example(name: &str) -> PathBuf {
    let path = bin_dir().join("examples").join(name);
    assert!(
        path.is_file(),
        "{} is missing: build it first with `cargo build --workspace --examples` (or run \
         `cargo xtask e2e`)",
        path.display()
    );
    path
}

/// Now, in ms since the epoch.
pub fn now_ms() -> u64 {
    u64::try_from(
        std::time::SystemTime::now()
            .duration_since(std::time::UNIX_EPOCH)
            .expect("clock")
            .as_millis(),
    )
    .expect("ms fit")
}

/// Standard base64.
pub fn b64(b: &[u8]) -> String {
    use base64::Engine as _;
    base64::engine::general_purpose::STANDARD.encode(b)
}

/// Signed `retrieve` parameters for `user`'s namespace 0 after `last_hash` ("" for the oldest).
pub fn retrieve_params(user: &session_crypto::IdentityKeys, last_hash: &str) -> serde_json::Value {
    let ts = now_ms();
    serde_json::json!({"pubkey": user.session_id().to_string(),
        "pubkey_ed25519": hex::encode(user.ed25519_public().as_bytes()),
        "timestamp": ts, "signature": b64(&user.sign(format!("retrieve{ts}").as_bytes())),
        "last_hash": last_hash})
}

/// Every hash a node returns for `user` (namespace 0), following `more`; `None` while the node
/// does not answer 200 (down, restarting, not in a swarm yet).
pub async fn hashes_at(
    http: &reqwest::Client,
    node: std::net::SocketAddr,
    user: &session_crypto::IdentityKeys,
) -> Option<std::collections::BTreeSet<String>> {
    let mut out = std::collections::BTreeSet::new();
    let mut last = String::new();
    loop {
        let body =
            serde_json::json!({"method": "retrieve", "params": retrieve_params(user, &last)});
        let reply = http
            .post(format!("http://{node}/storage_rpc/v1"))
            .json(&body)
            .send()
            .await
            .ok()?;
        if reply.status() != 200 {
            return None;
        }
        let v: serde_json::Value = reply.json().await.ok()?;
        for m in v["messages"].as_array()? {
            last = m["hash"].as_str()?.to_owned();
            out.insert(last.clone());
        }
        if v["more"] != serde_json::json!(true) {
            return Some(out);
        }
    }
}

/// The chain settings of `devnet`, for an independent follower.
pub fn chain_config(devnet: &Devnet) -> session_node::config::ChainConfig {
    session_node::config::ChainConfig {
        rpc_url: devnet.rpc_url.clone(),
        registry: devnet.contracts.registry.to_string(),
        start_block: devnet.contracts.deploy_block,
        epoch_blocks: devnet.cfg.epoch_blocks,
        confirmations: devnet.cfg.confirmations,
        min_swarm_size: devnet.cfg.min_swarm_size,
        ideal_swarm_size: devnet.cfg.ideal_swarm_size,
        poll_ms: 100,
    }
}

/// POSTs a storage RPC request to a node; returns (status, body).
pub async fn rpc(
    http: &reqwest::Client,
    node: std::net::SocketAddr,
    body: serde_json::Value,
) -> (u16, String) {
    let reply = http
        .post(format!("http://{node}/storage_rpc/v1"))
        .json(&body)
        .send()
        .await
        .expect("node answers");
    let status = reply.status().as_u16();
    (status, reply.text().await.expect("body"))
}

/// Waits until every live node has closed an epoch at or after `block` and agrees.
pub async fn report_after(devnet: &Devnet, block: u64) -> session_devnet::SwarmReport {
    for _ in 0..240 {
        if let Ok(r) = devnet.agreed_report().await
            && r.epoch >= block
        {
            return r;
        }
        tokio::time::sleep(std::time::Duration::from_millis(250)).await;
    }
    panic!("no agreed report at or after block {block}");
}
