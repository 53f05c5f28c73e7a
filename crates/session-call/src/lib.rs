#![doc = include_str!("../README.md")]

mod error;
pub mod machine;
pub mod signal;
pub mod turn;

pub use error::{Error, Result};
pub use machine::{Action, Direction, HistoryEntry, Input, Machine, Outcome, Phase, Received};
pub use signal::{CALL_TTL_MS, CallId, CallSignal, IceCandidate, Signal};
