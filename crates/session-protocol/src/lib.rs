//! Session's message protocol, byte-compatible with Session clients: the protobuf messages
//! (`proto/session/*.proto`), padding, the 1:1 envelope and websocket layers, community posts
//! and blinded DMs, and canonical bencode.
//!
//! * [`proto`] — `Envelope`, `Content`, `DataMessage`, calls, receipts, typing, unsend, group
//!   updates… with Session's required-field rules ([`proto::decode`], [`proto::encode`]).
//! * [`padding`] — 160-byte padding of a serialised `Content`.
//! * [`one_to_one`] — [`encode_for_recipient`] / [`decode_incoming`]: what is stored in a
//!   user's namespace 0.
//! * [`content`] — what a 1:1 conversation says (text, quote, reaction, unsend, receipt,
//!   typing, disappearing setting, request response) ↔ `Content`, and its store TTL.
//! * [`community`] — signed community posts and blinded (community inbox) DMs.
//! * [`wire`] — the `Envelope` and `WebSocketMessage` layers on their own.
//! * [`bencode`] — canonical bencode values.
//!
//! This crate is pure: it must never do I/O, read a clock or create its own randomness. Time is
//! a parameter (milliseconds since the epoch) and randomness a `rand_core::CryptoRng`. Every
//! decoder takes untrusted bytes and returns a typed [`Error`] rather than panicking; errors
//! never contain message bytes, plaintext or keys.

pub mod bencode;
pub mod community;
pub mod content;
mod error;
#[cfg(feature = "serde")]
mod json;
pub mod one_to_one;
pub mod padding;
pub mod proto;
pub mod wire;

pub use error::{Error, Result};
pub use one_to_one::{Incoming, decode_incoming, encode_for_recipient};
pub use proto::{Content, Envelope, WebSocketMessage};
