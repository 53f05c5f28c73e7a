//! The group's info (namespace 13) and members (namespace 14) configs (spec §4.3; libsession
//! `groups::Info`, `groups::Members`): regular configs on the config core, encrypted with every
//! group key (newest first, the first encrypting) and signed by the group key. Without the
//! group key they are read-only: edits and pushes are refused, and merges accept only messages
//! the group key signed.

use crate::error::{Error, Result};
use crate::identity::GroupAdmin;
use session_config::data::{Field, Scalar};
use session_config::user::truncate_utf8;
use session_config::{Config, ConfigKey, Kind, MergeReport, Push, Signing};
use session_crypto::{GroupId, IdentityKeys, SessionId};

/// Longest group name (bytes; longer names are cut at a character boundary).
pub const MAX_NAME_LEN: usize = 100;
/// Longest group description (bytes).
pub const MAX_DESCRIPTION_LEN: usize = 2000;

fn signing(group: &GroupId, admin: Option<&GroupAdmin>) -> Signing {
    match admin {
        Some(a) => Signing::Sign(Box::new(IdentityKeys::from_seed(a.seed().clone()))),
        None => Signing::Verify(group.ed25519()),
    }
}

fn bytes(v: &[u8]) -> Field {
    Field::Scalar(Scalar::Bytes(v.to_vec()))
}

fn int(v: i64) -> Field {
    Field::Scalar(Scalar::Int(v))
}

/// What both group configs share: the config, and refusing pushes without the group key.
macro_rules! group_config {
    ($t:ident, $kind:expr, $what:literal) => {
        impl $t {
            /// An empty config of `group`, keyed by `keys` (newest first); `admin` signs.
            pub fn new(group: &GroupId, admin: Option<&GroupAdmin>, keys: Vec<ConfigKey>) -> Self {
                Self {
                    config: Config::new($kind, keys, signing(group, admin)),
                }
            }

            /// The underlying config.
            pub fn config(&self) -> &Config {
                &self.config
            }

            /// The underlying config, mutably (for keys, dumps and confirmations).
            pub fn config_mut(&mut self) -> &mut Config {
                &mut self.config
            }

            /// The message to store; refused without the group key.
            pub fn push(&mut self) -> Result<Push> {
                if self.config.is_readonly() {
                    return Err(Error::NotAdmin { what: $what });
                }
                Ok(self.config.push()?)
            }

            /// Merges messages fetched from the swarm; unsigned or wrongly signed ones are
            /// reported as rejected.
            pub fn merge(&mut self, messages: &[(String, Vec<u8>)]) -> Result<MergeReport> {
                Ok(self.config.merge(messages)?)
            }

            /// Becomes writable with the group key (promotion).
            pub fn set_admin(&mut self, group: &GroupId, admin: &GroupAdmin) {
                self.config.set_signing(signing(group, Some(admin)));
            }
        }
    };
}

/// The group info config.
#[derive(Debug)]
pub struct GroupInfo {
    config: Config,
}

group_config!(GroupInfo, Kind::GroupInfo, "push group info");

impl GroupInfo {
    fn text(&self, key: &[u8]) -> Option<String> {
        let b = self.config.data().get(key)?.as_bytes()?;
        (!b.is_empty()).then(|| String::from_utf8_lossy(b).into_owned())
    }

    fn int(&self, key: &[u8]) -> Option<i64> {
        self.config.data().get(key)?.as_int().filter(|v| *v > 0)
    }

    fn set_text(&mut self, key: &[u8], v: &str) -> Result<()> {
        if v.is_empty() {
            self.config.erase(&[key])?;
        } else {
            self.config.set(&[key], bytes(v.as_bytes()))?;
        }
        Ok(())
    }

    fn set_positive(&mut self, key: &[u8], v: i64) -> Result<()> {
        if v > 0 {
            self.config.set(&[key], int(v))?;
        } else {
            self.config.erase(&[key])?;
        }
        Ok(())
    }

    /// The group's name (`n`).
    pub fn name(&self) -> Option<String> {
        self.text(b"n")
    }

    /// Sets the name (cut to [`MAX_NAME_LEN`] bytes); empty removes it.
    pub fn set_name(&mut self, name: &str) -> Result<()> {
        self.set_text(b"n", truncate_utf8(name, MAX_NAME_LEN))
    }

    /// The description (`o`).
    pub fn description(&self) -> Option<String> {
        self.text(b"o")
    }

    /// Sets the description (cut to [`MAX_DESCRIPTION_LEN`] bytes).
    pub fn set_description(&mut self, d: &str) -> Result<()> {
        self.set_text(b"o", truncate_utf8(d, MAX_DESCRIPTION_LEN))
    }

    /// Creation time (`c`, unix seconds).
    pub fn created(&self) -> Option<i64> {
        self.int(b"c")
    }

    /// Sets the creation time (unix seconds).
    pub fn set_created(&mut self, secs: i64) -> Result<()> {
        self.set_positive(b"c", secs)
    }

    /// The disappearing-messages timer (`E`, seconds, delete after send).
    pub fn expiry_timer(&self) -> Option<i64> {
        self.int(b"E")
    }

    /// Sets the timer (0 turns it off).
    pub fn set_expiry_timer(&mut self, secs: i64) -> Result<()> {
        self.set_positive(b"E", secs)
    }

    /// Messages before this time (`d`, unix seconds) are deleted.
    pub fn delete_before(&self) -> Option<i64> {
        self.int(b"d")
    }

    /// Sets the delete-before time.
    pub fn set_delete_before(&mut self, secs: i64) -> Result<()> {
        self.set_positive(b"d", secs)
    }

    /// True once an admin destroyed the group (`!`).
    pub fn is_destroyed(&self) -> bool {
        self.int(b"!").is_some()
    }

    /// Marks the group destroyed (permanent).
    pub fn destroy(&mut self) -> Result<()> {
        self.config.set(&[b"!"], int(1))?;
        Ok(())
    }
}

/// Invite (or promotion) status of a member (`I`, `P`).
pub mod status {
    /// Sent.
    pub const SENT: i64 = 1;
    /// Sending failed.
    pub const FAILED: i64 = 2;
    /// Not sent yet.
    pub const NOT_SENT: i64 = 3;
}

/// One member record.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct Member {
    /// The member's Session ID.
    pub session_id: SessionId,
    /// Display name (`n`, always present, may be empty).
    pub name: String,
    /// Admin (`A`).
    pub admin: bool,
    /// Invite status (`I`, 0 = accepted/none; see [`status`]); not kept for admins.
    pub invite_status: i64,
    /// Promotion status (`P`).
    pub promotion_status: i64,
    /// Added with access to history through a key supplement (`s`).
    pub supplement: bool,
    /// Removal status (`R`).
    pub removed_status: i64,
}

impl Member {
    /// A plain member with a name and nothing else set.
    pub fn new(session_id: SessionId, name: &str) -> Self {
        Self {
            session_id,
            name: name.to_owned(),
            admin: false,
            invite_status: 0,
            promotion_status: 0,
            supplement: false,
            removed_status: 0,
        }
    }
}

/// The group members config.
#[derive(Debug)]
pub struct GroupMembers {
    config: Config,
}

group_config!(GroupMembers, Kind::GroupMembers, "push group members");

impl GroupMembers {
    /// The record of `id`, if a member.
    pub fn get(&self, id: &SessionId) -> Option<Member> {
        let key = id.to_bytes();
        let d = self.config.data().get(b"m".as_slice())?.as_dict()?;
        let m = d.get(key.as_slice())?.as_dict()?;
        let int = |k: &[u8]| m.get(k).and_then(Field::as_int).unwrap_or(0);
        let name = m
            .get(b"n".as_slice())
            .and_then(Field::as_bytes)
            .unwrap_or(b"");
        Some(Member {
            session_id: *id,
            name: String::from_utf8_lossy(name).into_owned(),
            admin: int(b"A") != 0,
            invite_status: int(b"I"),
            promotion_status: int(b"P"),
            supplement: int(b"s") != 0,
            removed_status: int(b"R"),
        })
    }

    /// True when `id` is a member.
    pub fn contains(&self, id: &SessionId) -> bool {
        self.get(id).is_some()
    }

    /// Every member's Session ID, sorted.
    pub fn session_ids(&self) -> Vec<SessionId> {
        let Some(d) = self
            .config
            .data()
            .get(b"m".as_slice())
            .and_then(Field::as_dict)
        else {
            return Vec::new();
        };
        d.keys()
            .filter_map(|k| SessionId::from_bytes(k).ok())
            .collect()
    }

    /// Every member record, sorted by Session ID.
    pub fn list(&self) -> Vec<Member> {
        self.session_ids()
            .iter()
            .filter_map(|id| self.get(id))
            .collect()
    }

    /// Adds or updates a member (admins only).
    pub fn set(&mut self, m: &Member) -> Result<()> {
        let key = m.session_id.to_bytes();
        let path = |k: &'static [u8]| [b"m".as_slice(), key.as_slice(), k];
        let name = truncate_utf8(&m.name, MAX_NAME_LEN);
        self.config.set(&path(b"n"), bytes(name.as_bytes()))?;
        let invite = if m.admin { 0 } else { m.invite_status };
        let fields: [(&'static [u8], i64); 5] = [
            (b"A", i64::from(m.admin)),
            (b"P", m.promotion_status),
            (b"I", invite),
            (b"s", i64::from(m.supplement)),
            (b"R", m.removed_status),
        ];
        for (k, v) in fields {
            if v > 0 {
                self.config.set(&path(k), int(v))?;
            } else {
                self.config.erase(&path(k))?;
            }
        }
        Ok(())
    }

    /// Removes a member. Returns whether they were one.
    pub fn erase(&mut self, id: &SessionId) -> Result<bool> {
        let key = id.to_bytes();
        Ok(self.config.erase(&[b"m", key.as_slice()])?)
    }
}
