//! Local persistence of a [`GroupKeys`] ring, in libsession's `Keys::dump` layout:
//! `{"A": [[generation, hash…]…], "L": [{g, k, t}…], "P": {c: config, g, k}}`. The admin key is
//! not part of it (it lives in the user groups config `K`); the dump holds group keys, so the
//! caller must store it as a secret.

use crate::error::{Error, Result};
use crate::identity::GroupAdmin;
use crate::keys::{GroupKeys, Pending};
use crate::keys_msg::{KeyInfo, decode_key_list, encode_key_list};
use session_config::ConfigKey;
use session_crypto::{GroupId, Seed};
use session_protocol::bencode::Value;
use std::collections::{BTreeMap, BTreeSet};
use zeroize::Zeroizing;

const WHAT: &str = "group keys dump";

impl GroupKeys {
    /// The ring's state to store locally (a secret: it holds the group keys).
    pub fn dump(&mut self) -> Zeroizing<Vec<u8>> {
        self.needs_dump = false;
        let active = self
            .active
            .iter()
            .map(|(g, hashes)| {
                let mut l = vec![Value::Int(*g)];
                l.extend(hashes.iter().map(|h| Value::Bytes(h.as_bytes().to_vec())));
                Value::List(l)
            })
            .collect();
        let mut pairs = vec![("A", Value::List(active))];
        let keys = Zeroizing::new(encode_key_list(&self.keys));
        pairs.push(("L", Value::decode(&keys).unwrap_or(Value::List(Vec::new()))));
        if let Some(p) = &self.pending {
            pairs.push((
                "P",
                Value::dict([
                    ("c", Value::Bytes(p.config.clone())),
                    ("g", Value::Int(p.generation)),
                    ("k", Value::Bytes(p.key.expose_secret().to_vec())),
                ]),
            ));
        }
        Zeroizing::new(Value::dict(pairs).encode())
    }

    /// Restores a ring from [`GroupKeys::dump`].
    pub fn load(
        user_seed: &Seed,
        group: GroupId,
        admin: Option<GroupAdmin>,
        dump: &[u8],
    ) -> Result<Self> {
        let mut ring = Self::new(user_seed, group, admin)?;
        let v = Value::decode(dump).map_err(|_| Error::malformed(WHAT, "not canonical bencode"))?;
        ring.active = decode_active(v.get(b"A"))?;
        let keys = v
            .get(b"L")
            .ok_or(Error::malformed(WHAT, "no key list (L)"))?;
        ring.keys = decode_key_list(&Zeroizing::new(keys.encode()), WHAT)?;
        if ring.keys.windows(2).any(|w| !sorted(&w[0], &w[1])) {
            return Err(Error::malformed(WHAT, "keys not in order"));
        }
        ring.pending = v.get(b"P").map(decode_pending).transpose()?;
        Ok(ring)
    }
}

fn sorted(a: &KeyInfo, b: &KeyInfo) -> bool {
    (a.generation, a.timestamp_ms, a.key.expose_secret())
        < (b.generation, b.timestamp_ms, b.key.expose_secret())
}

fn decode_active(v: Option<&Value>) -> Result<BTreeMap<i64, BTreeSet<String>>> {
    let list = v
        .and_then(Value::as_list)
        .ok_or(Error::malformed(WHAT, "no active list (A)"))?;
    let mut out = BTreeMap::new();
    for entry in list {
        let l = entry
            .as_list()
            .ok_or(Error::malformed(WHAT, "bad active entry"))?;
        let (g, hashes) = l
            .split_first()
            .and_then(|(g, h)| Some((g.as_int()?, h)))
            .ok_or(Error::malformed(WHAT, "active entry without generation"))?;
        let set: &mut BTreeSet<String> = out.entry(g).or_default();
        for h in hashes {
            let h = h.as_bytes().and_then(|b| std::str::from_utf8(b).ok());
            set.insert(h.ok_or(Error::malformed(WHAT, "bad hash"))?.to_owned());
        }
    }
    Ok(out)
}

fn decode_pending(p: &Value) -> Result<Pending> {
    let config = p.get(b"c").and_then(Value::as_bytes);
    let generation = p.get(b"g").and_then(Value::as_int);
    let key = p
        .get(b"k")
        .and_then(Value::as_bytes)
        .and_then(|k| <[u8; 32]>::try_from(k).ok());
    match (config, generation, key) {
        (Some(c), Some(g), Some(k)) => Ok(Pending {
            config: c.to_vec(),
            generation: g,
            key: ConfigKey::from_bytes(k),
        }),
        _ => Err(Error::malformed(
            WHAT,
            "pending entry without c, g and 32-byte k",
        )),
    }
}
