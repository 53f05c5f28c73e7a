//! A Session community server (SOGS, pysogs 0.3.x compatible; `spec/network.md` §5): rooms,
//! posts signed by blinded IDs, reactions, pins, files, moderation (permissions, scheduled
//! changes, bans, moderators), blinded DMs, `/batch` and `/sequence`, reachable directly over
//! HTTP and through onion requests (`POST /oxen/v4/lsrpc`, via `session-lsrpc`).
//!
//! * [`server`] — configuration, [`Server::handle`] (one request in, one response out), the
//!   HTTP transport and [`run`]`(config, listener, shutdown)` for binaries and tests.
//! * `api` — the endpoints, with the reference server's status codes and bodies; the auth step
//!   (X-SOGS-* headers through `session-sogs`).
//! * `model` — users (with the unblinded → blinded hand-over), rooms, permissions.
//! * [`db`] — the SQLite file and its numbered migrations (`PRAGMA user_version`).
//! * [`admin`] — the operator's commands (rooms, moderators) on the same database.
//! * [`cleanup`] — the periodic pruning and scheduled permission changes.
//! * [`key`] — the server's X25519 key file.
//!
//! Every change a request makes is one SQLite transaction, committed only when the request
//! succeeds. This crate must never trust a client: every header, path segment, JSON field and
//! body is untrusted input and is refused with a 4xx, never a panic; logs name no Session ID,
//! key or message content.

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
