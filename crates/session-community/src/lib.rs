#![doc = include_str!("../README.md")]

pub mod admin;
mod api;
pub mod cleanup;
pub mod db;
mod error;
mod model;
pub mod server;

pub use api::{ApiError, Body, Req, Resp};
pub use error::Error;
pub use server::{Clock, Config, Server, open, router, run, system_clock};
/// The server key (shared with the other server crate: `session_lsrpc::key`).
pub use session_lsrpc::key;
