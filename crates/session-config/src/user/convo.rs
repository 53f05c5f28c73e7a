//! `ConvoInfoVolatile` (namespace 4): read state per conversation, `r` last read (unix ms) and
//! `u` unread flag, under `1` (33-byte Session ID), `o` (community base URL → `#` server key,
//! `R` → lower-case room), `g` (33-byte `03` group ID) and `C` (legacy group, 33-byte `05` ID).
//!
//! Conversations last read more than 30 days ago are not added, and push drops those read
//! more than 45 days ago that are not marked unread; "now" is a parameter.

use super::{Writer, delegate_config, int_at};
use crate::community;
use crate::config::Config;
use crate::data::{Dict, Field};
use crate::error::Result;
use crate::kind::Kind;
use session_crypto::{GroupId, Seed, SessionId};

/// A last-read time this much older than now (ms) is not stored (libsession `PRUNE_LOW`).
pub const PRUNE_LOW_MS: i64 = 30 * 24 * 3600 * 1000;
/// Read conversations this much older than now (ms) are dropped at push (`PRUNE_HIGH`).
pub const PRUNE_HIGH_MS: i64 = 45 * 24 * 3600 * 1000;

/// Read state of a 1:1 conversation.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct OneToOne {
    /// The other party.
    pub session_id: SessionId,
    /// Last read (unix ms).
    pub last_read: i64,
    /// Marked unread.
    pub unread: bool,
}

/// Read state of a community room.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct ConvoCommunity {
    /// Canonical base URL.
    pub base_url: String,
    /// Room token, lower case.
    pub room: String,
    /// The server's Ed25519 key (zero if the stored one is missing or malformed).
    pub pubkey: [u8; 32],
    /// Last read (unix ms).
    pub last_read: i64,
    /// Marked unread.
    pub unread: bool,
}

/// Read state of a group.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct ConvoGroup {
    /// The group.
    pub id: GroupId,
    /// Last read (unix ms).
    pub last_read: i64,
    /// Marked unread.
    pub unread: bool,
}

/// Read state of a legacy group.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct ConvoLegacyGroup {
    /// The legacy group's `05` ID.
    pub id: SessionId,
    /// Last read (unix ms).
    pub last_read: i64,
    /// Marked unread.
    pub unread: bool,
}

fn read_state(d: &Dict) -> (i64, bool) {
    (
        int_at(d, "r").unwrap_or(0),
        int_at(d, "u").unwrap_or(0) != 0,
    )
}

/// Read state of conversations.
#[derive(Debug)]
pub struct ConvoInfoVolatile {
    config: Config,
}

delegate_config!(ConvoInfoVolatile);

impl ConvoInfoVolatile {
    /// Empty, for the account with `seed`.
    pub fn new(seed: &Seed) -> Self {
        Self {
            config: Config::new_user(Kind::ConvoInfoVolatile, seed),
        }
    }

    /// Restored from [`Config::dump`] output.
    pub fn from_dump(seed: &Seed, dump: &[u8]) -> Result<Self> {
        let mut c = Self::new(seed);
        c.config.load_dump(dump)?;
        Ok(c)
    }

    fn section(&self, key: &str) -> Option<&Dict> {
        self.config
            .data()
            .get(key.as_bytes())
            .and_then(Field::as_dict)
    }

    fn entry(&self, section: &str, key: &[u8]) -> Option<(i64, bool)> {
        self.section(section)?.get(key)?.as_dict().map(read_state)
    }

    /// A 1:1 conversation's read state.
    pub fn get_1to1(&self, id: &SessionId) -> Option<OneToOne> {
        let (last_read, unread) = self.entry("1", &id.to_bytes())?;
        Some(OneToOne {
            session_id: *id,
            last_read,
            unread,
        })
    }

    /// A group's read state.
    pub fn get_group(&self, id: &GroupId) -> Option<ConvoGroup> {
        let (last_read, unread) = self.entry("g", &id.to_bytes())?;
        Some(ConvoGroup {
            id: *id,
            last_read,
            unread,
        })
    }

    /// A legacy group's read state.
    pub fn get_legacy_group(&self, id: &SessionId) -> Option<ConvoLegacyGroup> {
        let (last_read, unread) = self.entry("C", &id.to_bytes())?;
        Some(ConvoLegacyGroup {
            id: *id,
            last_read,
            unread,
        })
    }

    /// A community room's read state (`base_url` and `room` are canonicalised first).
    pub fn get_community(&self, base_url: &str, room: &str) -> Result<Option<ConvoCommunity>> {
        let (base, room) = (
            community::canonical_url(base_url)?,
            community::canonical_room(room)?,
        );
        let Some(server) = self
            .section("o")
            .and_then(|o| o.get(base.as_bytes()))
            .and_then(Field::as_dict)
        else {
            return Ok(None);
        };
        let Some(d) = server
            .get(b"R".as_slice())
            .and_then(Field::as_dict)
            .and_then(|r| r.get(room.as_bytes()))
            .and_then(Field::as_dict)
        else {
            return Ok(None);
        };
        let (last_read, unread) = read_state(d);
        let pubkey = server
            .get(b"#".as_slice())
            .and_then(Field::as_bytes)
            .and_then(|k| k.try_into().ok())
            .unwrap_or([0; 32]);
        Ok(Some(ConvoCommunity {
            base_url: base,
            room,
            pubkey,
            last_read,
            unread,
        }))
    }

    /// Every 1:1 conversation (entries whose key is not a Session ID are skipped).
    pub fn one_to_ones(&self) -> Vec<OneToOne> {
        self.section("1")
            .into_iter()
            .flatten()
            .filter_map(|(k, v)| {
                let (last_read, unread) = read_state(v.as_dict()?);
                Some(OneToOne {
                    session_id: SessionId::from_bytes(k).ok()?,
                    last_read,
                    unread,
                })
            })
            .collect()
    }

    /// Writes `r` and `u` as libsession does: an older last-read replaces a newer one (a reset),
    /// a newer one is stored only if within 30 days of `now_ms`.
    fn set_base(
        &mut self,
        path: Vec<&[u8]>,
        last_read: i64,
        unread: bool,
        now_ms: i64,
    ) -> Result<()> {
        let mut p = path.clone();
        p.push(b"r");
        let current = crate::data::get(self.config.data(), &p).and_then(Field::as_int);
        let mut w = Writer::new(&mut self.config, path);
        match current {
            Some(cur) if last_read < cur => w.set("r", last_read.into())?,
            _ if last_read > now_ms.saturating_sub(PRUNE_LOW_MS) => w.set("r", last_read.into())?,
            _ => {}
        }
        w.flag("u", unread)
    }

    /// Stores a 1:1 conversation's read state.
    pub fn set_1to1(&mut self, c: &OneToOne, now_ms: i64) -> Result<()> {
        let id = c.session_id.to_bytes();
        self.set_base(
            vec![b"1".as_slice(), id.as_slice()],
            c.last_read,
            c.unread,
            now_ms,
        )
    }

    /// Stores a group's read state.
    pub fn set_group(&mut self, c: &ConvoGroup, now_ms: i64) -> Result<()> {
        let id = c.id.to_bytes();
        self.set_base(
            vec![b"g".as_slice(), id.as_slice()],
            c.last_read,
            c.unread,
            now_ms,
        )
    }

    /// Stores a legacy group's read state.
    pub fn set_legacy_group(&mut self, c: &ConvoLegacyGroup, now_ms: i64) -> Result<()> {
        let id = c.id.to_bytes();
        self.set_base(
            vec![b"C".as_slice(), id.as_slice()],
            c.last_read,
            c.unread,
            now_ms,
        )
    }

    /// Stores a community room's read state and its server key.
    pub fn set_community(&mut self, c: &ConvoCommunity, now_ms: i64) -> Result<()> {
        let base = community::canonical_url(&c.base_url)?;
        let room = community::canonical_room(&c.room)?;
        self.config
            .set(&[b"o", base.as_bytes(), b"#"], c.pubkey.as_slice().into())?;
        let path = vec![b"o".as_slice(), base.as_bytes(), b"R", room.as_bytes()];
        self.set_base(path, c.last_read, c.unread, now_ms)
    }

    /// Forgets a 1:1 conversation. Returns whether it was there.
    pub fn erase_1to1(&mut self, id: &SessionId) -> Result<bool> {
        self.config.erase(&[b"1", &id.to_bytes()])
    }

    /// Forgets a group. Returns whether it was there.
    pub fn erase_group(&mut self, id: &GroupId) -> Result<bool> {
        self.config.erase(&[b"g", &id.to_bytes()])
    }

    /// Forgets a legacy group. Returns whether it was there.
    pub fn erase_legacy_group(&mut self, id: &SessionId) -> Result<bool> {
        self.config.erase(&[b"C", &id.to_bytes()])
    }

    /// Forgets a community room (and the server, if it was its last room).
    pub fn erase_community(&mut self, base_url: &str, room: &str) -> Result<bool> {
        let base = community::canonical_url(base_url)?;
        let room = community::canonical_room(room)?;
        erase_community_room(&mut self.config, base.as_bytes(), room.as_bytes())
    }

    /// Drops conversations read before `now_ms` − 45 days and not marked unread.
    pub fn prune_stale(&mut self, now_ms: i64) -> Result<()> {
        let cutoff = now_ms.saturating_sub(PRUNE_HIGH_MS);
        let stale = |d: &Dict| {
            let (last_read, unread) = read_state(d);
            !unread && last_read < cutoff
        };
        for section in ["1", "C"] {
            let keys: Vec<Vec<u8>> = self
                .section(section)
                .into_iter()
                .flatten()
                .filter(|(_, v)| v.as_dict().is_some_and(stale))
                .map(|(k, _)| k.clone())
                .collect();
            for k in keys {
                self.config.erase(&[section.as_bytes(), &k])?;
            }
        }
        let mut rooms = Vec::new();
        for (base, server) in self.section("o").into_iter().flatten() {
            let Some(server) = server.as_dict() else {
                continue;
            };
            if server
                .get(b"#".as_slice())
                .and_then(Field::as_bytes)
                .is_none()
            {
                continue;
            }
            for (room, v) in server
                .get(b"R".as_slice())
                .and_then(Field::as_dict)
                .into_iter()
                .flatten()
            {
                if v.as_dict().is_some_and(stale) {
                    rooms.push((base.clone(), room.clone()));
                }
            }
        }
        for (base, room) in rooms {
            erase_community_room(&mut self.config, &base, &room)?;
        }
        Ok(())
    }

    /// Drops stale conversations ([`Self::prune_stale`]), then pushes ([`Config::push`]).
    pub fn push(&mut self, now_ms: i64) -> Result<crate::Push> {
        self.prune_stale(now_ms)?;
        self.config.push()
    }
}

/// Erases `o[base]["R"][room]`, and the server entry when no room is left.
pub(crate) fn erase_community_room(config: &mut Config, base: &[u8], room: &[u8]) -> Result<bool> {
    let gone = config.erase(&[b"o", base, b"R", room])?;
    if gone {
        let rooms_left = crate::data::get(config.data(), &[b"o", base, b"R"])
            .and_then(Field::as_dict)
            .is_some_and(|r| !r.is_empty());
        if !rooms_left {
            config.erase(&[b"o", base, b"R"])?;
            config.erase(&[b"o", base])?;
        }
    }
    Ok(gone)
}
