//! Node configuration: a TOML-free, flag-first design. Every option is a command-line flag of
//! the `session-node` binary; `--config FILE` reads the same options from a JSON file, with
//! flags taking precedence.

use serde::Deserialize;
use std::net::SocketAddr;
use std::path::PathBuf;

/// What a node needs to start.
#[derive(Clone, Debug, Deserialize, PartialEq)]
#[serde(deny_unknown_fields)]
pub struct NodeConfig {
    /// Directory for the RocksDB store and the node key.
    pub data_dir: PathBuf,
    /// Address the HTTP server binds (storage RPC).
    pub listen: SocketAddr,
    /// Run as a one-node network with no chain.
    #[serde(default)]
    pub standalone: bool,
    /// Seconds between expiry purges.
    #[serde(default = "default_purge_secs")]
    pub purge_interval_secs: u64,
    /// Disable the per-IP rate limit (load tests from one address).
    #[serde(default)]
    pub no_rate_limit: bool,
}

fn default_purge_secs() -> u64 {
    10
}
