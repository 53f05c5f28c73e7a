//! TURN, the only way media leaves a call: the STUN message codec ([`stun`]) and a sans-IO
//! TURN client ([`client`]) that holds one UDP allocation on a relay. Pure: the caller moves
//! datagrams and time.

pub mod client;
pub mod stun;

pub use client::{Credentials, Event, Failure, TurnClient};
