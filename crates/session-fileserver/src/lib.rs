#![doc = include_str!("../README.md")]

pub mod api;
pub mod config;
pub mod db;
mod error;
pub mod pyjson;
pub mod request;
pub mod server;
pub mod store;
pub mod v3;

pub use config::{Asset, Clock, Config, Release, Releases, system_clock};
pub use error::Error;
pub use server::{Cleaned, FileServer, api_router, open, router, run, serve};
/// The server key (shared with the other server crate: `session_lsrpc::key`).
pub use session_lsrpc::key;
