//! `target/devnet/devnet.json`: how to reach a running devnet.

use serde::{Deserialize, Serialize};
use std::path::Path;

/// One node as the manifest lists it.
#[derive(Clone, Debug, PartialEq, Eq, Serialize, Deserialize)]
pub struct ManifestNode {
    /// Registry id.
    pub id: u64,
    /// Ed25519 public key, hex.
    pub ed25519: String,
    /// X25519 public key, hex.
    pub x25519: String,
    /// `host:port` of the storage RPC (and, later, the onion endpoint).
    pub http: String,
    /// `host:port` registered for internal gRPC.
    pub grpc: String,
    /// Swarm id, decimal (empty while the node is in no swarm).
    pub swarm_id: String,
    /// Process id of the node.
    pub pid: u32,
    /// Its data directory.
    pub data_dir: String,
    /// The operator's address.
    pub operator: String,
}

/// A running devnet.
#[derive(Clone, Debug, PartialEq, Eq, Serialize, Deserialize)]
pub struct Manifest {
    /// anvil's JSON-RPC URL.
    pub rpc_url: String,
    /// Chain id (412346).
    pub chain_id: u64,
    /// `SessionToken` address.
    pub token: String,
    /// `ServiceNodeRegistry` address.
    pub registry: String,
    /// Block the registry was deployed in.
    pub deploy_block: u64,
    /// Epoch length in blocks.
    pub epoch_blocks: u64,
    /// Confirmations before an epoch block is used.
    pub confirmations: u64,
    /// Smallest swarm.
    pub min_swarm_size: usize,
    /// Size of a new swarm.
    pub ideal_swarm_size: usize,
    /// Seconds between an exit request and the exit.
    pub unlock_delay_secs: u64,
    /// The nodes.
    pub nodes: Vec<ManifestNode>,
    /// anvil's process id.
    pub anvil_pid: u32,
    /// Process id of the devnet supervisor (`--detach`), 0 in the foreground.
    pub supervisor_pid: u32,
    /// The community server, when the devnet runs one.
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub community: Option<CommunityEntry>,
    /// The file server, when the devnet runs one (clients take it from here).
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub file_server: Option<FileServerEntry>,
    /// The TURN relay, when the devnet runs one (callers take it from here).
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub turn: Option<TurnEntry>,
}

/// The devnet's community server.
#[derive(Clone, Debug, PartialEq, Eq, Serialize, Deserialize)]
pub struct CommunityEntry {
    /// `http://127.0.0.1:PORT?public_key=HEX`: the server with its key, as Session shares it.
    pub url: String,
    /// `http://127.0.0.1:PORT`.
    pub base_url: String,
    /// The server's X25519 public key, 64 hex.
    pub pubkey: String,
    /// Its rooms, each with its join URL.
    pub rooms: Vec<RoomEntry>,
    /// Process id.
    pub pid: u32,
    /// Data directory.
    pub data_dir: String,
}

/// One room of the community server.
#[derive(Clone, Debug, PartialEq, Eq, Serialize, Deserialize)]
pub struct RoomEntry {
    /// Room token.
    pub token: String,
    /// Display name.
    pub name: String,
    /// Join URL: `http://127.0.0.1:PORT/TOKEN?public_key=HEX`.
    pub url: String,
}

/// The devnet's file server.
#[derive(Clone, Debug, PartialEq, Eq, Serialize, Deserialize)]
pub struct FileServerEntry {
    /// `http://127.0.0.1:PORT`.
    pub url: String,
    /// The server's X25519 public key, 64 hex.
    pub pubkey: String,
    /// Process id.
    pub pid: u32,
    /// Data directory.
    pub data_dir: String,
}

/// The devnet's TURN relay (coturn), with its long-term credentials.
#[derive(Clone, Debug, PartialEq, Eq, Serialize, Deserialize)]
pub struct TurnEntry {
    /// `turn:127.0.0.1:PORT?transport=udp`, as an ICE server URL.
    pub url: String,
    /// `127.0.0.1:PORT`: where it listens, UDP and TCP.
    pub addr: String,
    /// Long-term credential user name.
    pub username: String,
    /// Its password, drawn when the devnet started (a devnet secret, not a real one).
    pub credential: String,
    /// The realm.
    pub realm: String,
    /// Lowest UDP port of relay addresses (on 127.0.0.1).
    pub relay_min_port: u16,
    /// Highest UDP port of relay addresses.
    pub relay_max_port: u16,
    /// Process id.
    pub pid: u32,
    /// Its log file (verbose: allocations, permissions, traffic; see `turn::TurnLog`).
    pub log: String,
    /// Data directory (pid file, user database, log).
    pub data_dir: String,
}

impl Manifest {
    /// Reads a manifest.
    pub fn load(path: &Path) -> anyhow::Result<Self> {
        let bytes = std::fs::read(path)
            .map_err(|e| anyhow::anyhow!("{}: {e} (is a devnet running?)", path.display()))?;
        Ok(serde_json::from_slice(&bytes)?)
    }

    /// Writes it atomically.
    pub fn save(&self, path: &Path) -> anyhow::Result<()> {
        if let Some(dir) = path.parent() {
            std::fs::create_dir_all(dir)?;
        }
        let tmp = path.with_extension("json.tmp");
        let mut bytes = serde_json::to_vec_pretty(self)?;
        bytes.push(b'\n');
        std::fs::write(&tmp, bytes)?;
        std::fs::rename(&tmp, path)?;
        Ok(())
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    fn manifest_without_servers() -> serde_json::Value {
        serde_json::json!({
            "rpc_url": "http://127.0.0.1:8545", "chain_id": 412346, "token": "0x1",
            "registry": "0x2", "deploy_block": 3, "epoch_blocks": 4, "confirmations": 1,
            "min_swarm_size": 3, "ideal_swarm_size": 4, "unlock_delay_secs": 5, "nodes": [],
            "anvil_pid": 10, "supervisor_pid": 0
        })
    }

    #[test]
    fn a_manifest_from_before_the_turn_relay_still_loads() {
        let m: Manifest = serde_json::from_value(manifest_without_servers()).unwrap();
        assert_eq!(m.turn, None);
    }

    #[test]
    fn the_turn_entry_round_trips() {
        let mut m: Manifest = serde_json::from_value(manifest_without_servers()).unwrap();
        m.turn = Some(TurnEntry {
            url: "turn:127.0.0.1:40001?transport=udp".into(),
            addr: "127.0.0.1:40001".into(),
            username: "session".into(),
            credential: "00ff".into(),
            realm: "session-devnet".into(),
            relay_min_port: 61_000,
            relay_max_port: 61_199,
            pid: 42,
            log: "/d/turnserver.log".into(),
            data_dir: "/d".into(),
        });
        let json = serde_json::to_value(&m).unwrap();
        assert_eq!(json["turn"]["relay_min_port"], 61_000);
        assert_eq!(serde_json::from_value::<Manifest>(json).unwrap(), m);
    }
}
