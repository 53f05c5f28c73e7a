//! Session's config sync, byte-compatible with libsession-util: the config messages that keep
//! a user's devices (and a group's members) in step through the swarm (spec/crypto.md §5).
//!
//! * [`message`] — one config message: the bencoded dict `#` seqno, `&` data, `<` lagged diffs,
//!   `=` diff, `~` signature; strict decoding, unknown top-level keys kept.
//! * [`data`], [`diff`] — the data model (ints, strings, sets, dicts; limits, pruning) and the
//!   diffs that merging replays.
//! * [`merge`] — the deterministic merge of competing messages (lag 5, (seqno, hash) order).
//! * [`encrypt`] — deterministic XChaCha20-Poly1305 with zstd compression and left padding.
//! * [`legacy`] — the old protobuf wrapping of user configs (accepted, never pushed).
//! * [`Config`] — one config's life cycle: edit, push, confirm, merge, dump.
//! * [`user`] — the typed user configs: [`user::UserProfile`], [`user::Contacts`],
//!   [`user::ConvoInfoVolatile`], [`user::UserGroups`].
//!
//! We push the raw encrypted form, not the legacy protobuf wrapping that libsession-util (as
//! of 2025) still adds to user configs: libsession's merge unwraps when it can and otherwise
//! takes the raw form, so every client reads it; the wrapping only served pre-libsession
//! clients, which are gone (Session Android dropped its own wrapping of configs in 2024), and
//! it costs 176 bytes and a second, asymmetric encryption of data already encrypted. Both forms
//! are accepted when merging, and [`Config::set_legacy_wrapping`] pushes the wrapped form
//! byte-for-byte as libsession does, should a peer ever need it. A raw and a wrapped copy of the
//! same merge decrypt to the same message, so they never cause a further merge.
//!
//! This crate is pure: it must never do I/O, read a clock or create its own randomness. Times
//! are parameters. Every decoder takes untrusted bytes and returns a typed [`Error`] rather than
//! panicking; errors never contain config bytes, plaintext or keys, and keys are wiped on drop.

pub mod community;
mod config;
pub mod data;
pub mod diff;
mod dump;
pub mod encrypt;
mod error;
mod kind;
pub mod legacy;
pub mod merge;
pub mod message;
pub mod user;

pub use config::{Config, MergeReport, Push, Signing, State};
pub use encrypt::ConfigKey;
pub use error::{Error, Result};
pub use kind::Kind;
pub use message::{ConfigMessage, MutableConfigMessage, Signer, Verify};
