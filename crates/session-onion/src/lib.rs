#![doc = include_str!("../README.md")]

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
