//! Session's onion requests, byte-compatible with Session clients and storage servers
//! (`spec/network.md` §1): building a layered request, peeling one layer as a node does,
//! answering as a destination, opening the answer as a client, v4 payloads for HTTP servers, and
//! the client's path selection policy.
//!
//! * [`build`](mod@build) — the client's side: [`build()`] wraps a storage RPC body (node
//!   destination) or a v4/v3 payload (HTTP server destination) in one layer per path hop and
//!   returns the outer payload for the guard's `POST /onion_req/v2` together with the
//!   [`ResponseKey`] that opens the answer.
//! * [`envelope`] — the outer payload (`[len][ciphertext]{"ephemeral_key", "enc_type",
//!   "hop_no"}`) as a guard or an HTTP server receives it, with the reference server's errors.
//! * [`peel`](mod@peel) — a node's side: [`peel()`] decrypts one layer with the node's X25519
//!   secret and classifies it (this node is the destination, relay to the next node, or proxy
//!   to an HTTP server), with the target filter and the relay errors of `spec/rpc-errors.md` §6
//!   ([`HopError`]).
//! * [`reply`] — the destination's side: [`ReplyKey`] encrypts the answer (`{"body","status"}`
//!   for a node, raw or base64 for a server); [`reply::ServerRequest`] opens a request at an
//!   HTTP server.
//! * [`response`] — the client opening answers: node replies, v3 and v4 server replies.
//! * [`v4`] — the bencoded v4 request and response payloads.
//! * [`lsrpc`] — an HTTP server's side of `/oxen/v4/lsrpc`: open the v4 payload with the
//!   server's key, seal the answer ([`open_v4`], [`V4Exchange`]).
//! * [`node`] — the small node description ([`Node`]) and the swarm lists of 421 replies.
//! * [`path`] — the path selection policy as a state machine: tested guards, one node per /24,
//!   two paths, failure counters and replacements, and what to do with each kind of answer.
//!
//! This crate is pure: it must never do I/O, read a clock or create its own randomness (which
//! comes in as a `rand_core::CryptoRng`); it must never depend on tokio, reqwest, axum, alloy or
//! rocksdb. Hop keys and X25519 secrets never appear in `Debug` output, and neither do decrypted
//! layers; errors name what failed, never plaintext or key bytes. Every parser takes untrusted
//! bytes and returns an error rather than panicking.

pub mod build;
pub mod envelope;
mod error;
pub mod framing;
mod json;
pub mod lsrpc;
pub mod node;
pub mod path;
pub mod peel;
mod random;
pub mod reply;
pub mod response;
pub mod v4;

pub use build::{
    Destination, NodeDestination, OnionRequest, Protocol, ServerDestination, build,
    is_host_allowed, is_target_allowed,
};
pub use envelope::{MAX_ONION_HOPS, OnionEnvelope};
pub use error::{EnvelopeError, Error, HopError, KeyHexError, Result};
pub use lsrpc::{V4Exchange, invalid_v4_response, open_v4};
pub use node::{Node, swarm_from_reply};
pub use path::{Action, Advice, Outcome, Path, PathConfig, PathManager, Report, Shortage};
pub use peel::{
    DestinationRequest, Layer, NodeKeys, Peeled, ProxyRequest, RelayRequest, parse_layer, peel,
};
pub use reply::{ReplyBody, ReplyKey, ReplyOptions, ServerRequest};
pub use response::{NodeReply, ResponseKey, V3Reply};
pub use session_crypto::hop::EncType;
pub use v4::{V4Request, V4Response};

/// The largest payload [`build()`] accepts, and the largest body a node takes on
/// `/onion_req/v2` (the reference server's `MAX_REQUEST_BODY_SIZE`, 10 MiB).
pub const MAX_PAYLOAD: usize = 10 * 1024 * 1024;

/// Path hops of a default onion path: the guard and two more nodes (`ONION_REQUEST_HOPS`).
pub const DEFAULT_HOPS: usize = 3;
