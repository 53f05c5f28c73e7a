//! The small description of a node that paths and requests need, and the node lists in
//! `get_swarm` / 421 replies and in `get_n_service_nodes` results.

use crate::error::{Error, Result};
use crate::json;
use serde_json::Value;
use session_crypto::{Ed25519PublicKey, X25519PublicKey};
use std::net::Ipv4Addr;

/// A node: its keys and its public storage-RPC address.
#[derive(Clone, Debug, PartialEq, Eq, Hash)]
pub struct Node {
    /// Ed25519 key: how onion layers name the next node.
    pub ed25519: Ed25519PublicKey,
    /// X25519 key: what layers are encrypted to.
    pub x25519: X25519PublicKey,
    /// Public IPv4 address.
    pub ip: Ipv4Addr,
    /// HTTPS storage port.
    pub port: u16,
}

impl Node {
    /// The node's IPv4 /24 (the first three octets).
    pub fn subnet24(&self) -> [u8; 3] {
        let [a, b, c, _] = self.ip.octets();
        [a, b, c]
    }

    /// Reads a node object as `get_swarm` and 421 replies give it (`ip`, `port_https`,
    /// `pubkey_ed25519`, `pubkey_x25519`, deprecated string `port`) or as `get_n_service_nodes`
    /// gives it (`public_ip`, `storage_port`).
    pub fn from_json(v: &Value) -> Result<Self> {
        let bad = |what| Error::BadNode { what };
        let obj = v.as_object().ok_or(bad("not a JSON object"))?;
        let text = |k: &str| obj.get(k).and_then(Value::as_str);
        let key = |k: &'static str| -> Result<[u8; 32]> {
            let s = text(k).ok_or(bad(k))?;
            json::key32(s).map_err(|_| bad(k))
        };
        let ed25519 = Ed25519PublicKey::from_bytes(key("pubkey_ed25519")?);
        let x25519 = X25519PublicKey::from_bytes(key("pubkey_x25519")?);
        let ip: Ipv4Addr = text("ip")
            .or_else(|| text("public_ip"))
            .ok_or(bad("ip"))?
            .parse()
            .map_err(|_| bad("ip: not an IPv4 address"))?;
        let port = ["port_https", "storage_port", "port"]
            .iter()
            .find_map(|k| match obj.get(*k)? {
                Value::Number(n) => n.as_u64().and_then(|p| u16::try_from(p).ok()),
                Value::String(s) => s.parse::<u16>().ok(),
                _ => None,
            })
            .ok_or(bad("port"))?;
        Ok(Self {
            ed25519,
            x25519,
            ip,
            port,
        })
    }
}

/// The nodes of a `get_swarm`-shaped body (`{"snodes": [...]}`), as a destination's 421 reply
/// carries the account's new swarm. Entries that cannot be used (bad keys, no IPv4, ip
/// `0.0.0.0`) are skipped; a body without a `snodes` list is an error.
pub fn swarm_from_reply(body: &Value) -> Result<Vec<Node>> {
    let list = body
        .get("snodes")
        .and_then(Value::as_array)
        .ok_or(Error::BadNode {
            what: "no `snodes` list",
        })?;
    Ok(list
        .iter()
        .filter_map(|v| Node::from_json(v).ok())
        .filter(|n| !n.ip.is_unspecified())
        .collect())
}
