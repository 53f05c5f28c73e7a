//! Onion requests in the node (`spec/network.md` §1.4-1.5, `spec/rpc-errors.md` §6): the
//! client's entry (`POST /onion_req/v2`) and the node-to-node relay (internal gRPC `Relay`) both
//! end in [`Onion::handle`], which peels one layer with `session-onion` and then
//!
//! * runs the storage RPC here (with its swarm fan-out) when this node is the destination, and
//!   encrypts the answer to the layer's ephemeral key;
//! * relays the inner layer to the next node over the internal API (30 s timeout) and passes
//!   its answer back unchanged;
//! * or proxies the layer to an HTTP server (only `/oxen/…/lsrpc` and `/loki/…/lsrpc`
//!   targets; private and loopback addresses refused unless configured otherwise).
//!
//! Errors a relay produces itself are plain text with their status; errors after decryption
//! (`Invalid json`, `Invalid url`, `Snode not ready`) are encrypted for the client. Nothing
//! here logs keys, addresses, or decrypted bytes.

mod proxy;

pub use proxy::{ProxyConfig, is_denied};

use crate::internal::peers::{PeerError, Peers};
use crate::state::NodeState;
use session_onion::{HopError, Layer, NodeKeys, OnionEnvelope, ReplyBody, ReplyKey};
use std::sync::Arc;

/// Layers larger than this are decrypted on the blocking pool rather than on an async worker.
const INLINE_DECRYPT_BYTES: usize = 64 * 1024;

/// What a node answers to an onion layer: the HTTP status and body (for a relayed layer, what
/// goes back in the `RelayReply`).
#[derive(Clone, PartialEq, Eq)]
pub struct OnionReply {
    /// HTTP status.
    pub code: u16,
    /// The body: the destination's encrypted answer, or a plain error text.
    pub body: Vec<u8>,
}

impl std::fmt::Debug for OnionReply {
    fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
        f.debug_struct("OnionReply")
            .field("code", &self.code)
            .field("body_len", &self.body.len())
            .finish()
    }
}

impl OnionReply {
    fn plain(err: &HopError) -> Self {
        Self {
            code: err.status(),
            body: err.body().into_bytes(),
        }
    }

    fn wrapped(key: &ReplyKey, err: &HopError) -> Self {
        Self {
            code: 200,
            body: key.wrap_error(err, &mut rand::rng()),
        }
    }

    /// An error as it is sent: wrapped when the spec says so, else plain.
    fn error(key: &ReplyKey, err: &HopError) -> Self {
        if err.is_wrapped() {
            Self::wrapped(key, err)
        } else {
            Self::plain(err)
        }
    }
}

/// The onion handler of one node: its X25519 keys, its peers, its proxy client.
pub struct Onion {
    node: Arc<NodeState>,
    peers: Arc<Peers>,
    keys: Arc<NodeKeys>,
    proxy: proxy::Proxy,
}

impl std::fmt::Debug for Onion {
    fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
        f.debug_struct("Onion")
            .field("keys", &self.keys)
            .field("proxy", &self.proxy)
            .finish_non_exhaustive()
    }
}

impl Onion {
    /// The handler for `node`, relaying and fanning out through `peers`.
    pub fn new(node: Arc<NodeState>, peers: Arc<Peers>, config: ProxyConfig) -> Self {
        let keys = Arc::new(NodeKeys::new(node.keys.x25519_secret().clone()));
        Self {
            node,
            peers,
            keys,
            proxy: proxy::Proxy::new(config),
        }
    }

    /// The node this handler serves.
    pub fn node(&self) -> &Arc<NodeState> {
        &self.node
    }

    /// The node's channels to its peers.
    pub fn peers(&self) -> &Arc<Peers> {
        &self.peers
    }

    /// The body of a client's `POST /onion_req/v2` (after the request-level checks).
    pub async fn entry(&self, body: &[u8]) -> OnionReply {
        match OnionEnvelope::parse(body) {
            Ok(envelope) => self.handle(envelope).await,
            Err(e) => OnionReply::plain(&e),
        }
    }

    /// A layer relayed by another node: `envelope` in the outer-payload framing, `hop_no` the
    /// relays so far (over [`session_onion::MAX_ONION_HOPS`]: refused).
    pub async fn relayed(&self, envelope: &[u8], hop_no: u32) -> OnionReply {
        let mut envelope = match OnionEnvelope::parse(envelope) {
            Ok(e) => e,
            Err(e) => return OnionReply::plain(&e),
        };
        envelope.hop_no = hop_no;
        if let Err(e) = envelope.check_hop_limit() {
            return OnionReply::plain(&e);
        }
        self.handle(envelope).await
    }

    /// Peels one layer and does what it asks.
    pub async fn handle(&self, envelope: OnionEnvelope) -> OnionReply {
        if self.node.view().own_swarm().is_none() {
            let me = session_crypto::Ed25519PublicKey::from_bytes(self.node.record.ed25519);
            return OnionReply::plain(&HopError::NotReady(me));
        }
        let peeled = if envelope.ciphertext.len() <= INLINE_DECRYPT_BYTES {
            session_onion::peel(&self.keys, &envelope)
        } else {
            let keys = self.keys.clone();
            match tokio::task::spawn_blocking(move || session_onion::peel(&keys, &envelope)).await {
                Ok(p) => p,
                Err(_) => Err(HopError::InvalidCiphertext),
            }
        };
        let peeled = match peeled {
            Ok(p) => p,
            Err(e) => return OnionReply::plain(&e),
        };
        let reply = peeled.reply;
        match peeled.layer {
            Err(e) => OnionReply::error(&reply, &e),
            Ok(Layer::Destination(req)) => self.destination(&reply, req).await,
            Ok(Layer::Relay(req)) => self.relay(req).await,
            Ok(Layer::Proxy(req)) => {
                (self.node.traffic.proxied).fetch_add(1, std::sync::atomic::Ordering::Relaxed);
                self.proxy(&reply, &req).await
            }
        }
    }

    /// This node is the last hop: the layer goes to its HTTP server.
    async fn proxy(&self, reply: &ReplyKey, req: &session_onion::ProxyRequest) -> OnionReply {
        match self.proxy.send(req).await {
            Ok((code, body)) => OnionReply { code, body },
            Err(e) => OnionReply::error(reply, &e),
        }
    }

    /// This node is the destination: the storage RPC as `/storage_rpc/v1` runs it (from its
    /// JSON checks on, with the swarm fan-out), encrypted for the client.
    async fn destination(
        &self,
        key: &ReplyKey,
        req: session_onion::DestinationRequest,
    ) -> OnionReply {
        if self.node.view().own_swarm().is_none() {
            return OnionReply::wrapped(key, &HopError::DestinationNotReady);
        }
        (self.node.traffic.onion_rpc).fetch_add(1, std::sync::atomic::Ordering::Relaxed);
        let reply =
            crate::rpc::storage_request(self.node.clone(), self.peers.clone(), Arc::from(req.body))
                .await;
        let body = match &reply.body {
            session_rpc::Body::Text(t) => ReplyBody::Text(t),
            session_rpc::Body::Json(v) => ReplyBody::Json(v),
        };
        OnionReply {
            code: 200,
            body: key.wrap(reply.code, body, req.options, &mut rand::rng()),
        }
    }

    /// Relays the inner layer to the next node, found by its Ed25519 key in this epoch's view.
    async fn relay(&self, req: session_onion::RelayRequest) -> OnionReply {
        let next = *req.next.as_bytes();
        let Some(peer) = self
            .node
            .view()
            .nodes()
            .find(|(_, n)| n.ed25519 == next)
            .map(|(_, n)| n.clone())
        else {
            return OnionReply::plain(&HopError::NextNodeNotFound(req.next));
        };
        let hop_no = req.envelope.hop_no;
        let envelope = match req.envelope.encode() {
            Ok(b) => b,
            Err(_) => return OnionReply::plain(&HopError::InvalidJson("relay layer too large")),
        };
        match self.peers.relay(&self.node, &peer, envelope, hop_no).await {
            Ok((code, body)) => OnionReply {
                code: relay_status(code),
                body,
            },
            Err(PeerError::Timeout) => OnionReply::plain(&HopError::RelayTimeout),
            Err(PeerError::Call(e)) => {
                tracing::debug!(error = %e, "onion relay to the next node failed");
                OnionReply::plain(&HopError::InvalidRelayResponse)
            }
        }
    }
}

/// Statuses a relay passes back as they are (`spec/rpc-errors.md` §0); others become 500.
fn relay_status(code: u16) -> u16 {
    const KNOWN: [u16; 14] = [
        200, 400, 401, 403, 404, 406, 410, 413, 421, 429, 500, 502, 503, 504,
    ];
    if KNOWN.contains(&code) { code } else { 500 }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn unknown_relay_statuses_become_500() {
        assert_eq!(relay_status(200), 200);
        assert_eq!(relay_status(421), 421);
        assert_eq!(relay_status(418), 500);
        assert_eq!(relay_status(0), 500);
    }
}
