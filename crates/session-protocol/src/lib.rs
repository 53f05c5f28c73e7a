#![doc = include_str!("../README.md")]

pub mod bencode;
pub mod community;
pub mod content;
mod error;
pub mod group;
#[cfg(feature = "serde")]
mod json;
pub mod one_to_one;
pub mod padding;
pub mod proto;
pub mod wire;

pub use error::{Error, Result};
pub use one_to_one::{Incoming, decode_incoming, encode_for_recipient};
pub use proto::{Content, Envelope, WebSocketMessage};
