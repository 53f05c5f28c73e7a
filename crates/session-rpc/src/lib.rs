#![doc = include_str!("../README.md")]

pub mod auth;
pub mod key_memo;
pub mod params;
pub mod proof;
pub mod reply;
pub mod request;
pub mod types;

pub use reply::{Body, Reply, RpcError, RpcResult};
pub use request::{Request, decode};
