//! Local persistence of a config (spec §5.4 "Dump format"; libsession `ConfigBase::dump`): the
//! bencoded dict `{"!": state, "$": serialized message, "(": current storage hash,
//! ")": [obsolete storage hashes], "+": {extra data}}`. Not a wire format, but kept
//! libsession's shape so dumps can be compared with its tests.

use crate::config::{Config, Current, State};
use crate::error::{Error, Result};
use crate::message::{ConfigMessage, Verify};
use session_protocol::bencode::Value;
use std::collections::{BTreeMap, BTreeSet};

fn err(reason: &'static str) -> Error {
    Error::Dump { reason }
}

impl Config {
    /// Serializes the config's state for local storage (the message is not re-signed: a
    /// signature it carries is kept). Clears [`Config::needs_dump`].
    pub fn dump(&mut self) -> Vec<u8> {
        if self.is_readonly() {
            self.old_hashes.clear();
        }
        let message = match &mut self.current {
            Current::Fixed(m) => m.encode(None),
            Current::Mutable(m) => m.encode(None),
        };
        let old: Vec<Value> = self
            .old_hashes
            .iter()
            .map(|h| Value::Bytes(h.as_bytes().to_vec()))
            .collect();
        let dump = Value::dict([
            ("!", Value::Int(self.state as i64)),
            ("$", Value::Bytes(message)),
            (
                "(",
                Value::Bytes(self.curr_hash.clone().unwrap_or_default().into_bytes()),
            ),
            (")", Value::List(old)),
            ("+", Value::Dict(BTreeMap::new())),
        ]);
        self.mark_dumped();
        dump.encode()
    }

    /// Restores the state saved by [`Config::dump`] into this (freshly made) config, which
    /// supplies the kind, keys and signing policy. A dump taken while dirty comes back dirty
    /// with the seqno incremented once more, as libsession does (the unpushed seqno is not
    /// reused, in case it was pushed after all).
    pub fn load_dump(&mut self, dump: &[u8]) -> Result<()> {
        let d = Value::decode(dump).map_err(|_| err("not canonical bencode"))?;
        let state = match d.get(b"!").and_then(Value::as_int) {
            Some(0) => State::Clean,
            Some(1) => State::Dirty,
            Some(2) => State::Waiting,
            _ => return Err(err("missing or invalid state")),
        };
        let message = d
            .get(b"$")
            .and_then(Value::as_bytes)
            .ok_or(err("missing message"))?;
        let current = if state == State::Dirty {
            let m = ConfigMessage::decode(message, Verify::Ignore)?;
            Current::Mutable(m.increment())
        } else {
            Current::Fixed(ConfigMessage::decode(message, Verify::Trust)?)
        };
        let text = |v: &Value| {
            v.as_bytes()
                .and_then(|b| String::from_utf8(b.to_vec()).ok())
                .ok_or(err("hash is not a string"))
        };
        let curr_hash = match d.get(b"(") {
            Some(v) => Some(text(v)?).filter(|h| !h.is_empty()),
            None => None,
        };
        let mut old = BTreeSet::new();
        if let Some(list) = d.get(b")") {
            for v in list.as_list().ok_or(err("old hashes are not a list"))? {
                old.insert(text(v)?);
            }
        }
        self.restore(current, state, curr_hash, old);
        Ok(())
    }
}
