//! End-to-end: real anvil, the real contracts, real `session-node` processes following the
//! registry. Each test brings up its own devnet on free ports; dropping it stops everything.
//!
//! Needs anvil: `cargo xtask test` installs the pinned npm package into `devnet/node_modules`
//! before it runs the tests (or set `SESSION_ANVIL`).

mod bad_input;
mod catch_up;
mod chain_reader;
mod churn;
mod deletion;
mod replication;
mod swarms;

use session_devnet::{Devnet, DevnetConfig};
use std::path::Path;

/// A devnet config in a fresh temporary directory (kept alive by the returned guard).
pub fn config(nodes: usize) -> (DevnetConfig, tempfile::TempDir) {
    let dir = tempfile::tempdir().expect("temp dir");
    let root = Path::new(env!("CARGO_MANIFEST_DIR")).join("../..");
    let anvil = session_devnet::anvil::find(&root)
        .expect("anvil is needed for the end-to-end tests: run `cargo xtask contracts build` once");
    let mut cfg = DevnetConfig::new(
        dir.path().to_path_buf(),
        anvil,
        env!("CARGO_BIN_EXE_session-node").into(),
    );
    cfg.nodes = nodes;
    (cfg, dir)
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
