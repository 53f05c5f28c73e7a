//! Process-level tests of the `session-node` binary: start, serve, survive SIGKILL.
#![allow(clippy::unwrap_used, clippy::expect_used, missing_docs)]

mod crash;
mod full_log;
mod process;
