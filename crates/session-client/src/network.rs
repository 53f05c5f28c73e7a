//! Bootstrapping: which nodes exist. A network file names seed nodes (the devnet manifest, or
//! `{"seeds": ["host:port", …]}`); the client asks up to [`CROSS_CHECK`] of them for the node
//! list and keeps only the nodes every answering seed lists, as Session clients accept only
//! nodes that all three seeds agree on. The list is cached in the home directory
//! ([`CACHE_FILE`]) and fetched again when older than [`CACHE_MAX_AGE_MS`] or when the onion
//! pool runs short. The same file may name the network's file server (`"file_server": {"url",
//! "pubkey"}`), which attachments and profile pictures go through.

use crate::error::{Error, Result};
use crate::fileserver::FileServer;
use crate::onion::fetch_nodes;
use serde_json::Value;
use session_onion::Node;
use std::net::SocketAddr;
use std::path::Path;

/// How many seeds are asked and must agree.
pub const CROSS_CHECK: usize = 3;

/// File (inside the home directory) caching the last node list.
pub const CACHE_FILE: &str = "nodes.json";

/// How long a cached node list is used before it is fetched again.
pub const CACHE_MAX_AGE_MS: u64 = 3600 * 1000;

/// Where a client bootstraps from.
#[derive(Clone, Debug, PartialEq, Eq)]
pub struct NetworkConfig {
    /// Seed nodes' storage-RPC addresses.
    pub seeds: Vec<SocketAddr>,
    /// The file server of this network, if the file names one.
    pub file_server: Option<FileServer>,
    /// The TURN relay calls use, if the file names one.
    pub turn: Option<TurnServer>,
}

/// A TURN relay and its long-term credential: `"turn": {"addr": "host:port", "username": …,
/// "credential": …}` (the devnet manifest's entry has these and more).
#[derive(Clone, PartialEq, Eq)]
pub struct TurnServer {
    /// Where it listens (UDP).
    pub addr: SocketAddr,
    /// The user name.
    pub username: String,
    /// The password.
    pub credential: String,
}

impl std::fmt::Debug for TurnServer {
    fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
        f.debug_struct("TurnServer")
            .field("addr", &self.addr)
            .field("username", &self.username)
            .field("credential", &"<redacted>")
            .finish()
    }
}

impl TurnServer {
    fn from_json(v: &Value) -> Result<Self> {
        let field = |k: &str| {
            v.get(k)
                .and_then(Value::as_str)
                .ok_or_else(|| Error::NodeList(format!("turn: no {k}")))
        };
        Ok(Self {
            addr: field("addr")?
                .parse()
                .map_err(|_| Error::NodeList("turn: bad addr".into()))?,
            username: field("username")?.to_owned(),
            credential: field("credential")?.to_owned(),
        })
    }
}

impl NetworkConfig {
    /// Reads a network file.
    pub fn load(path: &Path) -> Result<Self> {
        let text = std::fs::read_to_string(path)
            .map_err(|e| Error::NodeList(format!("{}: {e}", path.display())))?;
        let v: Value = serde_json::from_str(&text)
            .map_err(|e| Error::NodeList(format!("{}: {e}", path.display())))?;
        Self::from_json(&v)
    }

    /// A devnet manifest (`nodes[].http`) or `{"seeds": [...]}`, either with an optional
    /// `"file_server": {"url": "http://host:port", "pubkey": "<64 hex X25519>"}` (a present but
    /// malformed entry is an error, not silently ignored). Other keys are ignored.
    pub fn from_json(v: &Value) -> Result<Self> {
        let addrs: Vec<&str> = match (v.get("seeds"), v.get("nodes")) {
            (Some(Value::Array(seeds)), _) => seeds.iter().filter_map(Value::as_str).collect(),
            (None, Some(Value::Array(nodes))) => nodes
                .iter()
                .filter_map(|n| n.get("http").and_then(Value::as_str))
                .collect(),
            _ => {
                return Err(Error::NodeList(
                    "network file has neither seeds nor nodes".into(),
                ));
            }
        };
        let seeds = addrs
            .iter()
            .map(|a| {
                a.parse()
                    .map_err(|_| Error::NodeList(format!("bad seed address {a}")))
            })
            .collect::<Result<Vec<SocketAddr>>>()?;
        if seeds.is_empty() {
            return Err(Error::NodeList("network file lists no seeds".into()));
        }
        let file_server = match v.get("file_server") {
            None | Some(Value::Null) => None,
            Some(fs) => Some(
                FileServer::from_json(fs)
                    .map_err(|e| Error::NodeList(format!("file_server: {e}")))?,
            ),
        };
        let turn = match v.get("turn") {
            None | Some(Value::Null) => None,
            Some(t) => Some(TurnServer::from_json(t)?),
        };
        Ok(Self {
            seeds,
            file_server,
            turn,
        })
    }
}

/// The nodes every list contains (order of the first list).
pub fn agreed(lists: &[Vec<Node>]) -> Vec<Node> {
    let Some((first, rest)) = lists.split_first() else {
        return Vec::new();
    };
    first
        .iter()
        .filter(|n| rest.iter().all(|l| l.contains(n)))
        .cloned()
        .collect()
}

/// Asks up to [`CROSS_CHECK`] seeds (the first ones that answer) and returns the nodes they all
/// list. Fails unless `min(CROSS_CHECK, seeds)` seeds answered.
pub async fn bootstrap(http: &reqwest::Client, cfg: &NetworkConfig) -> Result<Vec<Node>> {
    let want = CROSS_CHECK.min(cfg.seeds.len());
    let mut lists = Vec::new();
    let mut errors = Vec::new();
    for seed in &cfg.seeds {
        match fetch_nodes(http, *seed).await {
            Ok(list) => lists.push(list),
            Err(e) => errors.push(format!("{seed}: {e}")),
        }
        if lists.len() == want {
            break;
        }
    }
    if lists.len() < want {
        return Err(Error::NodeList(format!(
            "only {} of {want} seeds answered ({})",
            lists.len(),
            errors.join("; ")
        )));
    }
    let nodes = agreed(&lists);
    if nodes.is_empty() {
        return Err(Error::NodeList("the seeds agree on no node".into()));
    }
    Ok(nodes)
}

/// The node list from `home`'s cache when it is younger than [`CACHE_MAX_AGE_MS`] at `now_ms`
/// and not empty, else from the seeds (then written to the cache); with when it was fetched.
pub async fn cached_bootstrap(
    home: &Path,
    http: &reqwest::Client,
    cfg: &NetworkConfig,
    now_ms: u64,
) -> Result<(Vec<Node>, u64)> {
    if let Some(cached) = read_cache(home, now_ms) {
        return Ok(cached);
    }
    Ok((refresh(home, http, cfg, now_ms).await?, now_ms))
}

/// Fetches the node list from the seeds and replaces `home`'s cache with it.
pub async fn refresh(
    home: &Path,
    http: &reqwest::Client,
    cfg: &NetworkConfig,
    now_ms: u64,
) -> Result<Vec<Node>> {
    let nodes = bootstrap(http, cfg).await?;
    write_cache(home, &nodes, now_ms)?;
    Ok(nodes)
}

/// The cached list and when it was fetched, if fresh and readable (a damaged cache is
/// ignored, not an error).
pub fn read_cache(home: &Path, now_ms: u64) -> Option<(Vec<Node>, u64)> {
    let v: Value = serde_json::from_slice(&std::fs::read(home.join(CACHE_FILE)).ok()?).ok()?;
    let fetched = v.get("fetched_at_ms")?.as_u64()?;
    if now_ms.saturating_sub(fetched) >= CACHE_MAX_AGE_MS || fetched > now_ms {
        return None;
    }
    let nodes: Vec<Node> = v
        .get("nodes")?
        .as_array()?
        .iter()
        .map(Node::from_json)
        .collect::<std::result::Result<_, _>>()
        .ok()?;
    (!nodes.is_empty()).then_some((nodes, fetched))
}

/// Writes the cache atomically (a temporary file renamed over the old one).
pub fn write_cache(home: &Path, nodes: &[Node], now_ms: u64) -> Result<()> {
    let list: Vec<Value> = nodes
        .iter()
        .map(|n| {
            serde_json::json!({
                "pubkey_ed25519": hex::encode(n.ed25519.as_bytes()),
                "pubkey_x25519": hex::encode(n.x25519.as_bytes()),
                "ip": n.ip.to_string(),
                "port_https": n.port,
            })
        })
        .collect();
    let body = serde_json::json!({"fetched_at_ms": now_ms, "nodes": list}).to_string();
    let tmp = home.join(format!("{CACHE_FILE}.tmp"));
    let io = |e: std::io::Error| Error::NodeList(format!("node cache: {e}"));
    std::fs::write(&tmp, body).map_err(io)?;
    std::fs::rename(&tmp, home.join(CACHE_FILE)).map_err(io)
}

#[cfg(test)]
mod tests {
    use super::*;
    use session_crypto::{Ed25519PublicKey, X25519PublicKey};

    fn node(n: u8) -> Node {
        Node {
            ed25519: Ed25519PublicKey::from_bytes([n; 32]),
            x25519: X25519PublicKey::from_bytes([n; 32]),
            ip: std::net::Ipv4Addr::new(127, 0, 0, n),
            port: 22021,
        }
    }

    #[test]
    fn only_nodes_every_seed_lists_are_kept() {
        let a = vec![node(1), node(2), node(3)];
        let b = vec![node(3), node(1)];
        let c = vec![node(1), node(3), node(4)];
        assert_eq!(agreed(&[a.clone(), b, c]), vec![node(1), node(3)]);
        assert_eq!(agreed(std::slice::from_ref(&a)), a);
        assert!(agreed(&[]).is_empty());
    }

    #[test]
    fn the_node_cache_is_used_while_fresh_and_ignored_when_stale_or_damaged() {
        let dir = tempfile::tempdir().expect("dir");
        let nodes = vec![node(1), node(2)];
        assert_eq!(read_cache(dir.path(), 10), None);
        write_cache(dir.path(), &nodes, 1_000).expect("write");
        assert_eq!(read_cache(dir.path(), 1_000), Some((nodes.clone(), 1_000)));
        assert_eq!(
            read_cache(dir.path(), 1_000 + CACHE_MAX_AGE_MS - 1),
            Some((nodes, 1_000))
        );
        assert_eq!(read_cache(dir.path(), 1_000 + CACHE_MAX_AGE_MS), None);
        assert_eq!(read_cache(dir.path(), 999), None, "from the future");
        std::fs::write(dir.path().join(CACHE_FILE), b"{not json").expect("damage");
        assert_eq!(read_cache(dir.path(), 1_000), None);
    }

    #[test]
    fn network_files() {
        let manifest = serde_json::json!({"rpc_url": "x", "nodes": [
            {"http": "127.0.0.1:1000"}, {"http": "127.0.0.1:1001"}]});
        let cfg = NetworkConfig::from_json(&manifest).expect("manifest");
        assert_eq!(cfg.seeds.len(), 2);
        let seeds = serde_json::json!({"seeds": ["10.0.0.1:22021"]});
        assert_eq!(
            NetworkConfig::from_json(&seeds).expect("seeds").seeds[0].port(),
            22021
        );
        assert!(NetworkConfig::from_json(&serde_json::json!({"seeds": ["nope"]})).is_err());
        assert!(NetworkConfig::from_json(&serde_json::json!({"seeds": []})).is_err());
        assert!(NetworkConfig::from_json(&serde_json::json!({})).is_err());
        assert_eq!(cfg.file_server, None, "no file_server entry: none");
        assert_eq!(cfg.turn, None);
    }

    #[test]
    fn the_turn_relay_comes_from_the_network_file() {
        let v = serde_json::json!({"seeds": ["10.0.0.1:22021"], "turn": {
            "url": "turn:127.0.0.1:3478?transport=udp", "addr": "127.0.0.1:3478",
            "username": "session", "credential": "s3cret", "realm": "session-devnet"}});
        let t = NetworkConfig::from_json(&v)
            .expect("turn")
            .turn
            .expect("some");
        assert_eq!(t.addr, "127.0.0.1:3478".parse().expect("addr"));
        assert_eq!(
            (t.username.as_str(), t.credential.as_str()),
            ("session", "s3cret")
        );
        assert!(!format!("{t:?}").contains("s3cret"));
        for bad in [
            serde_json::json!({"addr": "nowhere", "username": "u", "credential": "c"}),
            serde_json::json!({"addr": "127.0.0.1:1", "credential": "c"}),
            serde_json::json!("turn:127.0.0.1:1"),
        ] {
            let v = serde_json::json!({"seeds": ["10.0.0.1:22021"], "turn": bad});
            assert!(NetworkConfig::from_json(&v).is_err(), "{v}");
        }
    }

    #[test]
    fn the_file_server_comes_from_the_manifest_or_the_seeds_file() {
        let key = "aa".repeat(32);
        let manifest = serde_json::json!({"rpc_url": "x", "nodes": [{"http": "127.0.0.1:1000"}],
            "file_server": {"url": "http://127.0.0.1:4433", "pubkey": key, "data_dir": "/x"}});
        let fs = NetworkConfig::from_json(&manifest)
            .expect("manifest")
            .file_server
            .expect("a file server");
        assert_eq!((fs.host.as_str(), fs.port), ("127.0.0.1", 4433));
        assert_eq!(fs.x25519.as_bytes(), &[0xaa; 32]);
        let seeds = serde_json::json!({"seeds": ["10.0.0.1:22021"],
            "file_server": {"url": "http://files.example", "pubkey": key}});
        let fs = NetworkConfig::from_json(&seeds).expect("seeds").file_server;
        assert_eq!(fs.map(|f| f.port), Some(80));
        for bad in [
            serde_json::json!({"url": "http://127.0.0.1:1"}),
            serde_json::json!({"url": "http://127.0.0.1:1", "pubkey": "abcd"}),
            serde_json::json!({"url": "ftp://127.0.0.1:1", "pubkey": key}),
            serde_json::json!({"url": "http://127.0.0.1:1/some/path", "pubkey": key}),
            serde_json::json!("http://127.0.0.1:1"),
        ] {
            let v = serde_json::json!({"seeds": ["10.0.0.1:22021"], "file_server": bad});
            assert!(NetworkConfig::from_json(&v).is_err(), "{v}");
        }
    }
}
