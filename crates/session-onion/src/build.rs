//! Building an onion request (the client's side, `spec/network.md` §1.4, as libsession's
//! builder does it).
//!
//! Innermost first: the payload is encrypted to the destination with a fresh ephemeral key
//! `A0` (for a node destination it is first framed as `[len(P)][P]{"headers":""}`). Then, for
//! each path hop from the last to the guard, `[len(C)][C]{routing JSON}` is encrypted to that
//! hop with a fresh ephemeral key. The routing JSON tells the hop where its inner blob goes:
//! `{"destination", "enc_type", "ephemeral_key"}` for the next node (the last hop's names the
//! destination node), or `{"enc_type", "ephemeral_key", "host", "method", "port", "protocol",
//! "target"}` for an HTTP server. The guard receives `[len(C)][C]{"enc_type","ephemeral_key"}`.

use crate::envelope::{MAX_ONION_HOPS, OnionEnvelope};
use crate::error::{Error, Result};
use crate::node::Node;
use crate::reply::ReplyOptions;
use crate::response::ResponseKey;
use crate::{MAX_PAYLOAD, framing, json};
use rand_core::CryptoRng;
use session_crypto::hop::{EncType, HopKey};
use session_crypto::{Ed25519PublicKey, X25519PublicKey, X25519Secret};
use std::fmt;

/// The scheme a last hop uses to reach an HTTP server.
#[derive(Clone, Copy, Debug, PartialEq, Eq, Hash, Default)]
pub enum Protocol {
    /// `http` (port 80 by default): the onion layer already encrypts.
    Http,
    /// `https` (port 443 by default), the reference default.
    #[default]
    Https,
}

impl Protocol {
    /// The name used in routing JSON.
    pub fn as_str(self) -> &'static str {
        match self {
            Self::Http => "http",
            Self::Https => "https",
        }
    }

    /// The port used when a layer names none.
    pub fn default_port(self) -> u16 {
        match self {
            Self::Http => 80,
            Self::Https => 443,
        }
    }

    /// Parses `http` or `https`.
    pub fn parse(s: &str) -> Option<Self> {
        match s {
            "http" => Some(Self::Http),
            "https" => Some(Self::Https),
            _ => None,
        }
    }
}

/// A node as the final destination: it runs the payload as a storage RPC request.
#[derive(Clone, Debug, PartialEq, Eq)]
pub struct NodeDestination {
    /// The node's Ed25519 key (the last hop relays to it by this key).
    pub ed25519: Ed25519PublicKey,
    /// The node's X25519 key (the payload is encrypted to it).
    pub x25519: X25519PublicKey,
    /// The reply options sent in the control JSON (`"json": true`, `"base64": false`).
    pub options: ReplyOptions,
}

impl NodeDestination {
    /// The node with the default reply options (a JSON-string body, base64 answer).
    pub fn new(node: &Node) -> Self {
        Self {
            ed25519: node.ed25519,
            x25519: node.x25519,
            options: ReplyOptions::default(),
        }
    }
}

/// An HTTP server (community server, file server …) as the final destination: the last hop
/// POSTs its layer to `protocol://host:port target`.
#[derive(Clone, Debug, PartialEq, Eq)]
pub struct ServerDestination {
    /// Host name or IPv4 address.
    pub host: String,
    /// `http` or `https`.
    pub protocol: Protocol,
    /// TCP port.
    pub port: u16,
    /// Path of the onion endpoint: `/oxen/v4/lsrpc` (v4) or `/loki/v3/lsrpc` (v3).
    pub target: String,
    /// The server's X25519 key (the payload is encrypted to it).
    pub x25519: X25519PublicKey,
}

impl ServerDestination {
    /// The v4 endpoint (`/oxen/v4/lsrpc`) on the protocol's default port.
    pub fn v4(host: impl Into<String>, protocol: Protocol, x25519: X25519PublicKey) -> Self {
        Self {
            host: host.into(),
            protocol,
            port: protocol.default_port(),
            target: "/oxen/v4/lsrpc".to_owned(),
            x25519,
        }
    }

    /// The deprecated v3 endpoint (`/loki/v3/lsrpc`) on the protocol's default port.
    pub fn v3(host: impl Into<String>, protocol: Protocol, x25519: X25519PublicKey) -> Self {
        Self {
            target: "/loki/v3/lsrpc".to_owned(),
            ..Self::v4(host, protocol, x25519)
        }
    }

    /// The same destination on another port.
    pub fn with_port(self, port: u16) -> Self {
        Self { port, ..self }
    }
}

/// Where an onion request ends.
#[derive(Clone, Debug, PartialEq, Eq)]
pub enum Destination {
    /// A node running the storage RPC (the payload is the RPC's JSON body).
    Node(NodeDestination),
    /// An HTTP server (the payload is a v4 or v3 payload, see [`crate::v4`]).
    Server(ServerDestination),
}

impl Destination {
    fn x25519(&self) -> &X25519PublicKey {
        match self {
            Self::Node(n) => &n.x25519,
            Self::Server(s) => &s.x25519,
        }
    }
}

/// A built request: the body to POST to the guard's `/onion_req/v2` and the key that opens the
/// answer.
pub struct OnionRequest {
    /// The outer payload for the guard.
    pub body: Vec<u8>,
    /// Opens the destination's answer.
    pub response: ResponseKey,
}

impl fmt::Debug for OnionRequest {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        f.debug_struct("OnionRequest")
            .field("body_len", &self.body.len())
            .field("response", &self.response)
            .finish()
    }
}

/// True for the targets a node proxies to: starting with `/loki/` or `/oxen/`, ending with
/// `/lsrpc`, and without `?` (`spec/network.md` §1.4).
pub fn is_target_allowed(target: &str) -> bool {
    (target.starts_with("/loki/") || target.starts_with("/oxen/"))
        && target.ends_with("/lsrpc")
        && !target.contains('?')
}

/// True for a host a node proxies to: a DNS name or IPv4 address of letters, digits, `.` and
/// `-`, at most 253 bytes. (Stricter than the reference server, which pastes any string into
/// the URL: `host` must not be able to smuggle in a path, query, port or user part.)
pub fn is_host_allowed(host: &str) -> bool {
    !host.is_empty()
        && host.len() <= 253
        && host
            .bytes()
            .all(|b| b.is_ascii_alphanumeric() || b == b'.' || b == b'-')
}

/// Wraps `payload` in one layer per hop of `path` (guard first) for `destination`, using
/// `enc` at every layer.
///
/// For a node destination `payload` is the storage RPC body (`{"method","params"}`); for a
/// server it is the v4 (or v3) payload. Every layer gets a fresh ephemeral key from `rng`.
pub fn build(
    path: &[Node],
    destination: &Destination,
    payload: &[u8],
    enc: EncType,
    rng: &mut impl CryptoRng,
) -> Result<OnionRequest> {
    let max = MAX_ONION_HOPS as usize;
    if path.is_empty() || path.len() > max {
        return Err(Error::PathLength {
            got: path.len(),
            max,
        });
    }
    if payload.len() > MAX_PAYLOAD {
        return Err(Error::PayloadTooLarge {
            got: payload.len(),
            max: MAX_PAYLOAD,
        });
    }
    if let Destination::Server(s) = destination {
        check_server(s)?;
    }

    // The destination's layer. Its ephemeral key also decrypts the answer.
    let ephemeral = X25519Secret::generate(rng);
    let response = ResponseKey::new(enc, &ephemeral, destination.x25519())?;
    let key = response.key();
    let mut ephemeral_key = ephemeral.public_key();
    drop(ephemeral);
    let (mut blob, mut routing) = match destination {
        Destination::Node(node) => {
            let inner = framing::encode(payload, control_json(node.options).as_bytes())?;
            let routing = relay_json(&node.ed25519, &ephemeral_key, enc);
            (key.encrypt(&inner, rng), routing)
        }
        Destination::Server(server) => (
            key.encrypt(payload, rng),
            server_json(server, &ephemeral_key, enc),
        ),
    };

    for hop in path.iter().rev() {
        let data = framing::encode(&blob, routing.as_bytes())?;
        let ephemeral = X25519Secret::generate(rng);
        blob = client_key(enc, &ephemeral, &hop.x25519)?.encrypt(&data, rng);
        ephemeral_key = ephemeral.public_key();
        routing = relay_json(&hop.ed25519, &ephemeral_key, enc);
    }

    let outer = OnionEnvelope {
        ciphertext: blob,
        ephemeral_key,
        enc_type: enc,
        hop_no: 0,
    };
    Ok(OnionRequest {
        body: outer.encode()?,
        response: response.with_node_base64(match destination {
            Destination::Node(n) => n.options.base64,
            Destination::Server(_) => true,
        }),
    })
}

fn check_server(s: &ServerDestination) -> Result<()> {
    if !is_host_allowed(&s.host) {
        return Err(Error::InvalidServer {
            what: "host must be a DNS name or IPv4 address",
        });
    }
    if !is_target_allowed(&s.target) {
        return Err(Error::InvalidServer {
            what: "target must start with /loki/ or /oxen/, end with /lsrpc and have no '?'",
        });
    }
    Ok(())
}

pub(crate) fn client_key(
    enc: EncType,
    ephemeral: &X25519Secret,
    peer: &X25519PublicKey,
) -> Result<HopKey> {
    HopKey::client(enc, ephemeral, peer).map_err(|source| Error::Crypto {
        what: "onion layer key exchange",
        source,
    })
}

/// `{"headers":""}` plus the reply options that differ from the defaults.
fn control_json(options: ReplyOptions) -> String {
    let mut pairs = Vec::new();
    if !options.base64 {
        pairs.push(("base64", "false".to_owned()));
    }
    pairs.push(("headers", json::string("")));
    if options.json {
        pairs.push(("json", "true".to_owned()));
    }
    json::object(&pairs)
}

fn relay_json(next: &Ed25519PublicKey, ephemeral: &X25519PublicKey, enc: EncType) -> String {
    json::object(&[
        ("destination", json::string(&hex::encode(next.as_bytes()))),
        ("enc_type", json::string(enc.as_str())),
        (
            "ephemeral_key",
            json::string(&hex::encode(ephemeral.as_bytes())),
        ),
    ])
}

fn server_json(s: &ServerDestination, ephemeral: &X25519PublicKey, enc: EncType) -> String {
    json::object(&[
        ("enc_type", json::string(enc.as_str())),
        (
            "ephemeral_key",
            json::string(&hex::encode(ephemeral.as_bytes())),
        ),
        ("host", json::string(&s.host)),
        ("method", json::string("POST")),
        ("port", s.port.to_string()),
        ("protocol", json::string(s.protocol.as_str())),
        ("target", json::string(&s.target)),
    ])
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn target_filter() {
        for ok in [
            "/oxen/v4/lsrpc",
            "/loki/v3/lsrpc",
            "/oxen/lsrpc",
            "/loki//lsrpc",
        ] {
            assert!(is_target_allowed(ok), "{ok}");
        }
        for bad in [
            "/oxen/v4/lsrpc?x=1",
            "/session/v4/lsrpc",
            "/oxen/v4/lsrpc/",
            "oxen/v4/lsrpc",
            "/oxen/v4/rpc",
            "",
            "/loki/",
        ] {
            assert!(!is_target_allowed(bad), "{bad}");
        }
    }

    #[test]
    fn host_filter() {
        assert!(is_host_allowed("open.getsession.org"));
        assert!(is_host_allowed("127.0.0.1"));
        for bad in ["", "a/b", "a:80", "user@host", "a b", "host?x"] {
            assert!(!is_host_allowed(bad), "{bad}");
        }
    }

    #[test]
    fn control_json_carries_only_non_default_options() {
        assert_eq!(control_json(ReplyOptions::default()), r#"{"headers":""}"#);
        assert_eq!(
            control_json(ReplyOptions {
                json: true,
                base64: false
            }),
            r#"{"base64":false,"headers":"","json":true}"#
        );
    }
}
