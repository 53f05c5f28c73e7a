//! Peeling one onion layer as a node does (`spec/network.md` §1.4, `spec/rpc-errors.md` §6).
//!
//! Decrypt with the node's X25519 secret and the layer's ephemeral key (failure: plain 400
//! `Invalid ciphertext`), split `[len][blob]{json}` and classify by the JSON:
//!
//! * a `headers` key: this node is the destination; the blob is a storage RPC body, with the
//!   optional reply options `json` and `base64` (booleans);
//! * a `host` key: proxy the **whole** decrypted layer to `protocol://host:port target` (string
//!   `host` and `target`, optional integer `port`, optional `protocol`), if the protocol, host
//!   and target pass the filter (else wrapped 400 `Invalid url`);
//! * otherwise relay the blob to the node named by `destination` (64 hex, Ed25519) with
//!   `ephemeral_key` (64 hex) and `enc_type` (default `aes-gcm`).
//!
//! Anything else after decryption is wrapped 400 `Invalid json`.

use crate::build::{Protocol, is_host_allowed, is_target_allowed};
use crate::envelope::OnionEnvelope;
use crate::error::HopError;
use crate::reply::{ReplyKey, ReplyOptions};
use crate::{framing, json};
use serde_json::{Map, Value};
use session_crypto::hop::{EncType, HopKey};
use session_crypto::{Ed25519PublicKey, X25519PublicKey, X25519Secret};
use std::fmt;

/// A node's (or an HTTP server's) X25519 keypair, for decrypting the layers sent to it.
pub struct NodeKeys {
    secret: X25519Secret,
    public: X25519PublicKey,
}

impl fmt::Debug for NodeKeys {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        f.debug_struct("NodeKeys")
            .field("public", &self.public)
            .finish_non_exhaustive()
    }
}

impl NodeKeys {
    /// The keypair of an X25519 secret.
    pub fn new(secret: X25519Secret) -> Self {
        let public = secret.public_key();
        Self { secret, public }
    }

    /// The public key (what clients encrypt to).
    pub fn public(&self) -> X25519PublicKey {
        self.public
    }

    /// The hop key of a layer sent to this node. A low-order ephemeral key cannot have come
    /// from an honest client and is answered like a bad ciphertext.
    pub(crate) fn layer_key(&self, envelope: &OnionEnvelope) -> Result<HopKey, HopError> {
        HopKey::hop(
            envelope.enc_type,
            &self.secret,
            &self.public,
            &envelope.ephemeral_key,
        )
        .map_err(|_| HopError::InvalidCiphertext)
    }
}

/// This node is the destination: run the body as a storage RPC request.
#[derive(Clone, PartialEq, Eq)]
pub struct DestinationRequest {
    /// The storage RPC body (`{"method","params"}`).
    pub body: Vec<u8>,
    /// How to shape the answer.
    pub options: ReplyOptions,
}

/// Relay the inner layer to another node.
#[derive(Clone, Debug, PartialEq, Eq)]
pub struct RelayRequest {
    /// The next node, by Ed25519 key (`Next node not found: …` when it is unknown).
    pub next: Ed25519PublicKey,
    /// The layer for the next node, its `hop_no` one more than this layer's.
    pub envelope: OnionEnvelope,
}

/// Proxy the layer to an HTTP server.
#[derive(Clone, PartialEq, Eq)]
pub struct ProxyRequest {
    /// `http` or `https`.
    pub protocol: Protocol,
    /// Host name or IPv4 address.
    pub host: String,
    /// TCP port (the protocol's default when the layer named none).
    pub port: u16,
    /// The onion endpoint path (`/oxen/v4/lsrpc` …).
    pub target: String,
    /// The body to POST: this node's whole decrypted layer.
    pub payload: Vec<u8>,
}

impl ProxyRequest {
    /// `protocol://host:port target`.
    pub fn url(&self) -> String {
        format!(
            "{}://{}:{}{}",
            self.protocol.as_str(),
            self.host,
            self.port,
            self.target
        )
    }
}

/// What a decrypted layer asks of this node.
#[derive(Clone, Debug, PartialEq, Eq)]
pub enum Layer {
    /// This node is the destination.
    Destination(DestinationRequest),
    /// Relay to another node.
    Relay(RelayRequest),
    /// Proxy to an HTTP server.
    Proxy(ProxyRequest),
}

impl fmt::Debug for DestinationRequest {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        f.debug_struct("DestinationRequest")
            .field("body_len", &self.body.len())
            .field("options", &self.options)
            .finish()
    }
}

impl fmt::Debug for ProxyRequest {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        f.debug_struct("ProxyRequest")
            .field("url", &self.url())
            .field("payload_len", &self.payload.len())
            .finish()
    }
}

/// A decrypted layer: the key for answering (or wrapping an error), and what the layer asks.
#[derive(Debug)]
pub struct Peeled {
    /// Encrypts this node's answer when it is the destination, or a wrapped error.
    pub reply: ReplyKey,
    /// The layer, or a wrapped error ([`HopError::InvalidJson`], [`HopError::InvalidUrl`]) to
    /// send back with [`ReplyKey::wrap_error`].
    pub layer: Result<Layer, HopError>,
}

/// Decrypts one layer with the node's keys and classifies it. `Err` is the plain 400
/// `Invalid ciphertext`; errors after decryption are in [`Peeled::layer`].
pub fn peel(keys: &NodeKeys, envelope: &OnionEnvelope) -> Result<Peeled, HopError> {
    let key = keys.layer_key(envelope)?;
    let plaintext = key
        .decrypt(&envelope.ciphertext)
        .map_err(|_| HopError::InvalidCiphertext)?;
    Ok(Peeled {
        layer: parse_layer(&plaintext, envelope.hop_no),
        reply: ReplyKey::new(key),
    })
}

/// Classifies a decrypted layer that arrived as hop `hop_no`.
pub fn parse_layer(plaintext: &[u8], hop_no: u32) -> Result<Layer, HopError> {
    let (blob, rest) = framing::split(plaintext).map_err(|_| HopError::InvalidJson("framing"))?;
    let obj = json::parse_object(rest).map_err(|_| HopError::InvalidJson("not a JSON object"))?;
    if obj.contains_key("headers") {
        destination(blob, &obj)
    } else if let Some(host) = obj.get("host") {
        proxy(plaintext, host, &obj)
    } else {
        relay(blob, &obj, hop_no)
    }
}

fn destination(blob: &[u8], obj: &Map<String, Value>) -> Result<Layer, HopError> {
    let flag = |k: &'static str, default: bool| match obj.get(k) {
        None => Ok(default),
        Some(Value::Bool(b)) => Ok(*b),
        Some(_) => Err(HopError::InvalidJson(k)),
    };
    Ok(Layer::Destination(DestinationRequest {
        body: blob.to_vec(),
        options: ReplyOptions {
            json: flag("json", false)?,
            base64: flag("base64", true)?,
        },
    }))
}

fn proxy(plaintext: &[u8], host: &Value, obj: &Map<String, Value>) -> Result<Layer, HopError> {
    let host = host.as_str().ok_or(HopError::InvalidJson("host"))?;
    let target = obj
        .get("target")
        .and_then(Value::as_str)
        .ok_or(HopError::InvalidJson("target"))?;
    let protocol = match obj.get("protocol") {
        None => "https",
        Some(Value::String(s)) => s.as_str(),
        Some(_) => return Err(HopError::InvalidJson("protocol")),
    };
    let port = match obj.get("port") {
        None => None,
        Some(v) => Some(
            v.as_u64()
                .and_then(|p| u16::try_from(p).ok())
                .ok_or(HopError::InvalidJson("port"))?,
        ),
    };
    let protocol = Protocol::parse(protocol).ok_or(HopError::InvalidUrl("protocol"))?;
    if !is_target_allowed(target) {
        return Err(HopError::InvalidUrl("target"));
    }
    if !is_host_allowed(host) {
        return Err(HopError::InvalidUrl("host"));
    }
    Ok(Layer::Proxy(ProxyRequest {
        protocol,
        host: host.to_owned(),
        port: port.unwrap_or(protocol.default_port()),
        target: target.to_owned(),
        payload: plaintext.to_vec(),
    }))
}

fn relay(blob: &[u8], obj: &Map<String, Value>, hop_no: u32) -> Result<Layer, HopError> {
    let key = |k: &'static str| {
        obj.get(k)
            .and_then(Value::as_str)
            .and_then(|s| json::key32(s).ok())
            .ok_or(HopError::InvalidJson(k))
    };
    let next = Ed25519PublicKey::from_bytes(key("destination")?);
    let ephemeral_key = X25519PublicKey::from_bytes(key("ephemeral_key")?);
    let enc_type = match obj.get("enc_type") {
        None => EncType::default(),
        Some(v) => v
            .as_str()
            .and_then(|s| s.parse().ok())
            .ok_or(HopError::InvalidJson("enc_type"))?,
    };
    Ok(Layer::Relay(RelayRequest {
        next,
        envelope: OnionEnvelope {
            ciphertext: blob.to_vec(),
            ephemeral_key,
            enc_type,
            hop_no: hop_no.saturating_add(1),
        },
    }))
}
