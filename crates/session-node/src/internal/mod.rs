//! The node-to-node gRPC API (this crate's `proto/node.proto`) as every layer above uses it: the
//! generated messages, call authentication ([`auth`]), the client side of calls to other nodes
//! ([`peers`]) and the peer-test schedule they feed ([`health`]). The service that answers the
//! calls is transport (`crate::server::grpc`); what the calls are for is request logic
//! (`crate::rpc`, `crate::onion`, `crate::replication`).

pub mod auth;
pub mod health;
pub mod peer_clock;
pub mod peers;

/// The generated messages, client and server.
#[allow(missing_docs, clippy::all, clippy::pedantic, clippy::nursery)]
pub mod proto {
    tonic::include_proto!("session.internal.v1");
}

/// Signed-message tag of a ping reply.
pub const PING_DOMAIN: &[u8] = b"session-rs-ping-v1";

/// Largest gRPC message either side accepts (a full batch plus framing and base64-free hashes).
pub const MAX_MESSAGE_BYTES: usize = 16 * 1024 * 1024;

/// The bytes a pinged node signs.
pub fn ping_message(nonce: &[u8], caller: &[u8; 32]) -> Vec<u8> {
    [PING_DOMAIN, nonce, caller].concat()
}
