//! A Session file server, compatible with session-file-server (`spec/network.md` §6): clients
//! upload encrypted attachments and profile pictures as opaque blobs, get an ID back, and
//! download them by ID until they expire (3 weeks by default, `X-FS-TTL` and
//! `POST /file/ID/extend` for newer clients); reachable directly over HTTP and through onion
//! requests (`POST /oxen/v4/lsrpc` via `session-lsrpc`, and the deprecated v3 form).
//!
//! * [`server`] — state, router, the cleanup loop and [`run`]`(config, listener, shutdown)`
//!   (or [`open`] then [`serve`]).
//! * [`api`] — the endpoints, with the reference server's codes and bodies.
//! * [`request`] — the pure parsing of what clients send (IDs, TTLs, `X-FS-*` auth, legacy and
//!   v3 bodies).
//! * [`store`] — blobs on disk: uploads stream into a temporary file, are fsynced and renamed
//!   before their row exists, so a crash never shows a partial file under an ID.
//! * [`db`] — the SQLite metadata and its migrations; [`key`] — the X25519 key file;
//!   [`config`] — limits, lifetimes and the release data of `/session_version`.
//!
//! IDs are the reference's content hash (`urlsafe_b64(BLAKE2b-264(body, salt
//! "SessionFileSvr\0\0"))`), so a re-upload of the same blob refreshes one stored copy. This
//! crate must never trust a client: every header, path segment and body is untrusted and is
//! refused with a 4xx, never a panic; it never buffers an upload in memory beyond a frame
//! (direct HTTP) and never logs file contents or keys.

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
