//! Session's storage RPC (`POST /storage_rpc/v1`) without transport or storage: the vocabulary
//! (account, namespace, message hash), typed parsing of every method's parameters with the
//! reference storage server's exact status codes and reason strings, and the verification of
//! request signatures (master keys and subaccounts), and deletion proofs (a deletion's signed
//! request, kept with its tombstones so peers can check them).
//!
//! Pure: no I/O, no clock (time is a parameter of whoever executes a request), no randomness.
//! The node executes parsed requests against its store; the onion exit (later) reuses the same
//! decoder. Every byte it reads is untrusted and must never make it panic.

pub mod auth;
pub mod params;
pub mod proof;
pub mod reply;
pub mod request;
pub mod types;

pub use reply::{Body, Reply, RpcError, RpcResult};
pub use request::{Request, decode};
