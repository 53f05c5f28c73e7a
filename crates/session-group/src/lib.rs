//! Session's groups v2 ("03" groups), byte-compatible with libsession-util (spec/crypto.md §4).
//!
//! * [`identity`] — the group keypair: [`GroupAdmin`] holds its seed; the group ID is `03 ‖ C`.
//! * [`multi`] — multi-recipient encryption (one XChaCha20 copy per X25519 recipient).
//! * [`keys_msg`] — the signed keys messages of namespace 12: rekeys (admin copy `K`, member
//!   copies `k` padded with junk to a multiple of 75) and supplements (`+`).
//! * [`GroupKeys`] — one device's key ring: loads keys messages, keeps keys until 60 days after
//!   they are superseded, rekeys and supplements (admins), dumps.
//! * [`configs`] — the info (ns 13) and members (ns 14) configs on the config core, encrypted
//!   with all group keys (newest first) and signed by the group key (read-only for members).
//! * [`message`] — group message encryption: signed inner dict, zstd when smaller, padded.
//! * [`subaccount`] — members' swarm authentication: the admin-made token and signature, and
//!   members' request signatures (plain Ed25519 under the token key).
//! * [`control`] — the admin-signed strings of `GroupUpdate*` control messages.
//! * [`Group`] — the three objects together, as a client holds one group.
//!
//! This crate is pure: it never does I/O, reads a clock or creates its own randomness. Times are
//! parameters (ms since the epoch) and randomness is a `rand_core::CryptoRng` argument. Every
//! decoder takes untrusted bytes and returns a typed [`Error`]; secrets (the group seed, group
//! keys, the member's keys) are wiped on drop and never printed.

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
pub use group::Group;
pub use identity::GroupAdmin;
pub use keys::{GroupKeys, KEY_EXPIRY_MS};
pub use keys_msg::KeyInfo;
