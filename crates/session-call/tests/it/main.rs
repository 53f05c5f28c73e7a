//! session-call integration tests: call messages (known bytes, strict parsing, the relay-only
//! filter), the state machine edge by edge, and property tests.

mod machine;
mod props;
mod signal;
mod stun;
mod turn;
mod turn_props;
