//! The typed user configs (spec §5.4), stored in the user's own swarm, namespaces 2-5, and
//! keyed by the account seed.
//!
//! Each wraps a [`Config`] and reads and writes the keys libsession uses, the way libsession
//! does (which values are omitted when zero or empty, what a reader tolerates). Everything else
//! in the data, including keys a newer client added, is left as it is.

mod contacts;
mod convo;
mod groups;
mod profile;

pub use contacts::{Contact, Contacts};
pub use convo::{ConvoCommunity, ConvoGroup, ConvoInfoVolatile, ConvoLegacyGroup, OneToOne};
pub use groups::{
    CommunityInfo, GroupCommon, GroupInfo, GroupSeed, LegacyGroupInfo, RemovedStatus, UserGroups,
};
pub use profile::UserProfile;

use crate::config::Config;
use crate::data::{Dict, Field};
use crate::error::{Error, Result};
use std::fmt;

/// Longest display name, nickname or group name, in bytes.
pub const MAX_NAME_LEN: usize = 100;
/// Longest profile picture URL, in bytes.
pub const MAX_URL_LEN: usize = 223;

/// A profile picture: where it is and the key it is encrypted with.
#[derive(Clone, PartialEq, Eq)]
pub struct ProfilePic {
    /// The download URL.
    pub url: String,
    /// The 32-byte decryption key.
    pub key: [u8; 32],
}

impl fmt::Debug for ProfilePic {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        f.debug_struct("ProfilePic")
            .field("url", &self.url)
            .field("key", &"<redacted>")
            .finish()
    }
}

/// Notification setting of a conversation (`@`).
#[derive(Debug, Clone, Copy, PartialEq, Eq, Default)]
pub enum NotifyMode {
    /// The client's default (not stored).
    #[default]
    Defaulted = 0,
    /// Every message.
    All = 1,
    /// None.
    Disabled = 2,
    /// Mentions only (groups and communities; a contact's is read as [`NotifyMode::All`]).
    MentionsOnly = 3,
}

impl NotifyMode {
    fn from_stored(v: Option<i64>) -> Self {
        match v {
            Some(1) => Self::All,
            Some(2) => Self::Disabled,
            Some(3) => Self::MentionsOnly,
            _ => Self::Defaulted,
        }
    }
}

/// Disappearing-message mode of a conversation (`e`).
#[derive(Debug, Clone, Copy, PartialEq, Eq, Default)]
pub enum ExpirationMode {
    /// Messages do not disappear.
    #[default]
    None = 0,
    /// Disappear a timer after being sent.
    AfterSend = 1,
    /// Disappear a timer after being read.
    AfterRead = 2,
}

/// Shortens `s` to at most `max` bytes without splitting a character.
pub fn truncate_utf8(s: &str, max: usize) -> &str {
    if s.len() <= max {
        return s;
    }
    let mut end = max;
    while !s.is_char_boundary(end) {
        end -= 1;
    }
    &s[..end]
}

pub(crate) fn text(b: &[u8]) -> String {
    String::from_utf8_lossy(b).into_owned()
}

pub(crate) fn int_at(d: &Dict, key: &str) -> Option<i64> {
    d.get(key.as_bytes()).and_then(Field::as_int)
}

pub(crate) fn bytes_at<'a>(d: &'a Dict, key: &str) -> Option<&'a [u8]> {
    d.get(key.as_bytes()).and_then(Field::as_bytes)
}

pub(crate) fn pic_at(d: &Dict) -> Option<ProfilePic> {
    let url = bytes_at(d, "p").filter(|u| !u.is_empty())?;
    let key = bytes_at(d, "q")?.try_into().ok()?;
    Some(ProfilePic {
        url: text(url),
        key,
    })
}

/// Writes into one dict of a [`Config`] with libsession's omission rules.
pub(crate) struct Writer<'a> {
    pub(crate) config: &'a mut Config,
    pub(crate) path: Vec<&'a [u8]>,
}

impl<'a> Writer<'a> {
    pub(crate) fn new(config: &'a mut Config, path: Vec<&'a [u8]>) -> Self {
        Self { config, path }
    }

    fn at<'k>(&self, key: &'k str) -> Vec<&'k [u8]>
    where
        'a: 'k,
    {
        let mut p = self.path.clone();
        p.push(key.as_bytes());
        p
    }

    pub(crate) fn set(&mut self, key: &str, v: Field) -> Result<()> {
        let p = self.at(key);
        self.config.set(&p, v)
    }

    pub(crate) fn erase(&mut self, key: &str) -> Result<()> {
        let p = self.at(key);
        self.config.erase(&p).map(|_| ())
    }

    /// 1 when true, absent when false.
    pub(crate) fn flag(&mut self, key: &str, v: bool) -> Result<()> {
        if v {
            self.set(key, 1.into())
        } else {
            self.erase(key)
        }
    }

    /// Present when > 0.
    pub(crate) fn positive(&mut self, key: &str, v: i64) -> Result<()> {
        if v > 0 {
            self.set(key, v.into())
        } else {
            self.erase(key)
        }
    }

    /// Present when ≠ 0.
    pub(crate) fn nonzero(&mut self, key: &str, v: i64) -> Result<()> {
        if v != 0 {
            self.set(key, v.into())
        } else {
            self.erase(key)
        }
    }

    /// Present when not empty.
    pub(crate) fn nonempty(&mut self, key: &str, v: &[u8]) -> Result<()> {
        if v.is_empty() {
            self.erase(key)
        } else {
            self.set(key, v.into())
        }
    }

    /// `p` and `q` together, or neither.
    pub(crate) fn pic(&mut self, pic: Option<&ProfilePic>) -> Result<()> {
        match pic.filter(|p| !p.url.is_empty()) {
            Some(p) => {
                check_url(&p.url)?;
                self.set("p", p.url.as_bytes().into())?;
                self.set("q", p.key.as_slice().into())
            }
            None => {
                self.erase("p")?;
                self.erase("q")
            }
        }
    }
}

pub(crate) fn check_name(what: &'static str, name: &str) -> Result<()> {
    if name.len() > MAX_NAME_LEN {
        return Err(Error::invalid(what, "longer than 100 bytes"));
    }
    Ok(())
}

fn check_url(url: &str) -> Result<()> {
    if url.len() > MAX_URL_LEN {
        return Err(Error::invalid(
            "profile picture URL",
            "longer than 223 bytes",
        ));
    }
    Ok(())
}

/// The life-cycle methods every typed config passes through to its [`Config`].
macro_rules! delegate_config {
    ($ty:ty) => {
        impl $ty {
            /// The underlying config.
            pub fn config(&self) -> &$crate::Config {
                &self.config
            }

            /// The underlying config, for raw access to its data.
            pub fn config_mut(&mut self) -> &mut $crate::Config {
                &mut self.config
            }

            /// See [`Config::merge`](crate::Config::merge).
            pub fn merge(
                &mut self,
                messages: &[(String, Vec<u8>)],
            ) -> $crate::Result<$crate::MergeReport> {
                self.config.merge(messages)
            }

            /// See [`Config::confirm_pushed`](crate::Config::confirm_pushed).
            pub fn confirm_pushed(&mut self, seqno: i64, hash: &str) {
                self.config.confirm_pushed(seqno, hash)
            }

            /// See [`Config::needs_push`](crate::Config::needs_push).
            pub fn needs_push(&self) -> bool {
                self.config.needs_push()
            }

            /// See [`Config::seqno`](crate::Config::seqno).
            pub fn seqno(&self) -> i64 {
                self.config.seqno()
            }

            /// See [`Config::dump`](crate::Config::dump).
            pub fn dump(&mut self) -> Vec<u8> {
                self.config.dump()
            }

            /// See [`Config::message_hash`](crate::Config::message_hash).
            pub fn message_hash(&mut self) -> $crate::message::Hash {
                self.config.message_hash()
            }
        }
    };
}
pub(crate) use delegate_config;
