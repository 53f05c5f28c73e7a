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
    /// Address the internal gRPC API binds (the registered gRPC port); none for a standalone
    /// node.
    #[serde(default)]
    pub grpc_listen: Option<SocketAddr>,
    /// Milliseconds between replication rounds (summary comparison with peers).
    #[serde(default = "default_sync_ms")]
    pub sync_interval_ms: u64,
    /// Mean milliseconds between two peer tests of the randomized pass (Session: 10 s ± 30 %).
    #[serde(default = "default_peer_test_ms")]
    pub peer_test_interval_ms: u64,
    /// Let onion requests be proxied to private and loopback addresses (devnets on loopback);
    /// off by default, so a node cannot be used to reach its own network.
    #[serde(default)]
    pub proxy_allow_private: bool,
    /// Call peers from the gRPC listen address (a specific one) instead of letting the kernel
    /// choose the source. For test networks whose nodes share a host on addresses of their own
    /// (the partition nemesis cuts links by source address). Off by default: a socket bound
    /// before it connects takes its port out of the whole ephemeral range, where it can collide
    /// with the listening port of a node restarting on a shared address.
    #[serde(default)]
    pub peer_calls_from_listen_address: bool,
    /// Test only: this node's clock runs this many ms off the system clock (nemesis tests of a
    /// node with a wrong clock); 0 in production.
    #[serde(default)]
    pub test_clock_offset_ms: i64,
    /// Follow a registry on chain (required unless `standalone`).
    #[serde(default)]
    pub chain: Option<ChainConfig>,
}

/// Where the registry is and how swarms are formed from it. Every node and client of one
/// network must use the same values.
#[derive(Clone, Debug, Deserialize, PartialEq, Eq)]
#[serde(deny_unknown_fields)]
pub struct ChainConfig {
    /// JSON-RPC URL of the chain (anvil on the devnet).
    pub rpc_url: String,
    /// The `ServiceNodeRegistry` address, `0x` + 40 hex digits.
    pub registry: String,
    /// The block the registry was deployed in (reading starts there).
    #[serde(default)]
    pub start_block: u64,
    /// Swarms are recomputed at every block that is a multiple of this.
    #[serde(default = "default_epoch_blocks")]
    pub epoch_blocks: u64,
    /// An epoch block is used once the head is this many blocks past it.
    #[serde(default = "default_confirmations")]
    pub confirmations: u64,
    /// Smallest swarm (Session: 5).
    #[serde(default = "default_min_swarm")]
    pub min_swarm_size: usize,
    /// Size of a new swarm (Session: 7).
    #[serde(default = "default_ideal_swarm")]
    pub ideal_swarm_size: usize,
    /// Milliseconds between polls of the chain.
    #[serde(default = "default_poll_ms")]
    pub poll_ms: u64,
}

fn default_peer_test_ms() -> u64 {
    10_000
}

fn default_sync_ms() -> u64 {
    5_000
}

fn default_epoch_blocks() -> u64 {
    10
}

fn default_confirmations() -> u64 {
    2
}

fn default_min_swarm() -> usize {
    5
}

fn default_ideal_swarm() -> usize {
    7
}

fn default_poll_ms() -> u64 {
    1_000
}

fn default_purge_secs() -> u64 {
    10
}
