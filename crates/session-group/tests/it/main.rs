//! Integration tests of session-group (one test binary).

mod control;
mod group;
mod keys;
mod message;
mod scale;
mod subaccount;
mod util;
mod vectors;
