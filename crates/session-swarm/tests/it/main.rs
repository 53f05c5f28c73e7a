//! Integration tests of `session-swarm`: known-answer vectors, formation and replay properties.
#![allow(clippy::unwrap_used, clippy::expect_used, missing_docs)]

mod common;
mod formation;
mod network;
mod registry;
mod vectors;
