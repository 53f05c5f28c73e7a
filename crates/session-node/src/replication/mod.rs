//! Keeping a swarm's members in step: the sync loop (summary comparison, fetch, tombstones with
//! their deletion proofs, expiry stamps with their expiry proofs, revocation states with theirs)
//! and peer testing. Request logic, between the transports above and the state and peers
//! client below.

pub(crate) mod expiries;
pub mod peer_tests;
pub(crate) mod proofs;
pub(crate) mod revocations;
pub mod sync;
