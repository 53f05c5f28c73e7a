//! `UserProfile` (namespace 2): `n` name, `p`/`q` picture URL and key, `+` Note-to-Self
//! priority, `e` Note-to-Self disappearing timer, `M` blinded message requests.

use super::{ProfilePic, Writer, check_name, delegate_config, int_at, pic_at, text, truncate_utf8};
use crate::config::Config;
use crate::error::Result;
use crate::kind::Kind;
use session_crypto::Seed;

/// The user's own profile.
#[derive(Debug)]
pub struct UserProfile {
    config: Config,
}

delegate_config!(UserProfile);

impl UserProfile {
    /// An empty profile for the account with `seed`.
    pub fn new(seed: &Seed) -> Self {
        Self {
            config: Config::new_user(Kind::UserProfile, seed),
        }
    }

    /// A profile restored from [`Config::dump`] output.
    pub fn from_dump(seed: &Seed, dump: &[u8]) -> Result<Self> {
        let mut p = Self::new(seed);
        p.config.load_dump(dump)?;
        Ok(p)
    }

    /// See [`Config::push`].
    pub fn push(&mut self) -> Result<crate::Push> {
        self.config.push()
    }

    fn writer(&mut self) -> Writer<'_> {
        Writer::new(&mut self.config, Vec::new())
    }

    /// The display name, if set and not empty.
    pub fn name(&self) -> Option<String> {
        super::bytes_at(self.config.data(), "n")
            .filter(|n| !n.is_empty())
            .map(text)
    }

    /// Sets the display name (at most 100 bytes; empty removes it).
    pub fn set_name(&mut self, name: &str) -> Result<()> {
        check_name("profile name", name)?;
        self.writer().nonempty("n", name.as_bytes())
    }

    /// Sets the display name, cut to 100 bytes on a character boundary.
    pub fn set_name_truncated(&mut self, name: &str) -> Result<()> {
        self.set_name(truncate_utf8(name, super::MAX_NAME_LEN))
    }

    /// The profile picture, if a URL and a 32-byte key are both set.
    pub fn profile_pic(&self) -> Option<ProfilePic> {
        pic_at(self.config.data())
    }

    /// Sets (or with `None` or an empty URL, removes) the profile picture.
    pub fn set_profile_pic(&mut self, pic: Option<&ProfilePic>) -> Result<()> {
        self.writer().pic(pic)
    }

    /// Note-to-Self priority: 0 unpinned, > 0 pinned (higher first), < 0 hidden.
    pub fn nts_priority(&self) -> i64 {
        int_at(self.config.data(), "+").unwrap_or(0)
    }

    /// Sets the Note-to-Self priority.
    pub fn set_nts_priority(&mut self, priority: i64) -> Result<()> {
        self.writer().nonzero("+", priority)
    }

    /// Note-to-Self disappearing timer in seconds, if set.
    pub fn nts_expiry(&self) -> Option<i64> {
        int_at(self.config.data(), "e").filter(|&e| e > 0)
    }

    /// Sets the Note-to-Self disappearing timer (0 turns it off).
    pub fn set_nts_expiry(&mut self, seconds: i64) -> Result<()> {
        self.writer().positive("e", seconds)
    }

    /// Whether community message requests (blinded DMs) are accepted; `None` = the client's
    /// default.
    pub fn blinded_msgreqs(&self) -> Option<bool> {
        int_at(self.config.data(), "M").map(|m| m != 0)
    }

    /// Sets (or with `None` clears) the blinded message request setting.
    pub fn set_blinded_msgreqs(&mut self, value: Option<bool>) -> Result<()> {
        match value {
            Some(v) => self.writer().set("M", i64::from(v).into()),
            None => self.writer().erase("M"),
        }
    }
}
