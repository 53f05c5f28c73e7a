//! Integration tests: a real node (RocksDB in a temp dir) served over loopback HTTP, driven
//! with reqwest, every method and the error paths of the spec.
#![allow(clippy::unwrap_used, clippy::expect_used, missing_docs)]

mod endless;
mod errors;
mod http_fuzz;
mod limits;
mod methods;
mod network;
mod reference;
mod signatures;
mod subaccount;
mod support;
