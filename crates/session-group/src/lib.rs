#![doc = include_str!("../README.md")]

pub mod configs;
pub mod control;
mod drg;
mod error;
mod group;
pub mod identity;
mod keys;
mod keys_dump;
pub mod keys_msg;
pub mod message;
pub mod multi;
pub mod subaccount;

pub use error::{Error, Result};
pub use group::{Added, Dumps, Group};
pub use identity::GroupAdmin;
pub use keys::{GroupKeys, KEY_EXPIRY_MS};
pub use keys_msg::KeyInfo;
