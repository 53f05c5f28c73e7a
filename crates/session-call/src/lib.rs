//! Session's voice-call signalling, without media (issue 23, pure layer; spec/crypto.md §7,
//! `CallMessage` in §2.4; behaviour as desktop's `CallManager.ts`).
//!
//! * [`signal`] — typed call signalling ([`CallSignal`]: pre-offer, offer, answer, provisional
//!   answer, ICE candidate batches, end call, each with the call's UUID) to and from Session's
//!   `CallMessage`/`Content`, with strict parsing of received ones, the 5-minute store TTL, and
//!   [`signal::ice`]: the relay-only filter for ICE candidates and SDP bodies.
//! * [`machine`] — the call state machine ([`Machine`]): idle → calling/ringing → connecting →
//!   in call → ended, a pure function of (state, input, now) to (state, [`Action`]s): what to
//!   send, when to start and stop media (always relay-only), what goes into the call history.
//!
//! This crate is pure: it never does I/O, reads a clock or creates its own randomness. Times are
//! parameters (ms since the epoch, network time) and the only random value, a new call's UUID,
//! comes from a `rand_core::CryptoRng` argument ([`CallId::random`]). Received signalling is
//! untrusted: parsing returns a typed [`Error`], the machine ignores what does not fit its
//! state, and neither ever panics. No host or server-reflexive ICE candidate (which would reveal
//! an IP address) ever leaves or enters through this crate.

mod error;
pub mod machine;
pub mod signal;

pub use error::{Error, Result};
pub use machine::{Action, Direction, HistoryEntry, Input, Machine, Outcome, Phase, Received};
pub use signal::{CALL_TTL_MS, CallId, CallSignal, IceCandidate, Signal};
