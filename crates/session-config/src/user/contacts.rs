//! `Contacts` (namespace 3): `c` → 33-byte Session ID → `n` name (always present, so the entry
//! survives), `N` nickname, `p`/`q` picture, `a` approved, `A` approved me, `b` blocked,
//! `@` notify, `!` mute until, `+` priority, `e`/`E` disappearing mode and timer, `j` created.

use super::{
    ExpirationMode, MAX_NAME_LEN, NotifyMode, ProfilePic, Writer, bytes_at, check_name,
    delegate_config, int_at, pic_at, text, truncate_utf8,
};
use crate::config::Config;
use crate::data::{Dict, Field};
use crate::error::{Error, Result};
use crate::kind::Kind;
use session_crypto::{Seed, SessionId};

/// One contact.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct Contact {
    /// Who.
    pub session_id: SessionId,
    /// Their display name as last seen (may be empty).
    pub name: String,
    /// Our nickname for them (empty: none).
    pub nickname: String,
    /// Their profile picture.
    pub profile_pic: Option<ProfilePic>,
    /// We accepted them (their messages are not requests).
    pub approved: bool,
    /// They accepted us.
    pub approved_me: bool,
    /// We blocked them.
    pub blocked: bool,
    /// Conversation priority: 0 unpinned, > 0 pinned, < 0 hidden.
    pub priority: i64,
    /// Notification setting ([`NotifyMode::MentionsOnly`] is stored as `All`).
    pub notifications: NotifyMode,
    /// Muted until this time (unix seconds), 0 = not muted.
    pub mute_until: i64,
    /// Disappearing-message mode.
    pub exp_mode: ExpirationMode,
    /// Disappearing-message timer in seconds (0 when the mode is `None`).
    pub exp_timer: i64,
    /// When the contact was created (unix seconds), 0 = unknown.
    pub created: i64,
}

impl Contact {
    /// A contact with nothing set.
    pub fn new(session_id: SessionId) -> Self {
        Self {
            session_id,
            name: String::new(),
            nickname: String::new(),
            profile_pic: None,
            approved: false,
            approved_me: false,
            blocked: false,
            priority: 0,
            notifications: NotifyMode::Defaulted,
            mute_until: 0,
            exp_mode: ExpirationMode::None,
            exp_timer: 0,
            created: 0,
        }
    }

    fn load(session_id: SessionId, d: &Dict) -> Self {
        let flag = |k| int_at(d, k).unwrap_or(0) != 0;
        let mut notifications = NotifyMode::from_stored(int_at(d, "@"));
        if notifications == NotifyMode::MentionsOnly {
            notifications = NotifyMode::All;
        }
        let (exp_mode, exp_timer) = match (int_at(d, "e"), int_at(d, "E").unwrap_or(0)) {
            (Some(1), t) if t > 0 => (ExpirationMode::AfterSend, t),
            (Some(2), t) if t > 0 => (ExpirationMode::AfterRead, t),
            _ => (ExpirationMode::None, 0),
        };
        Self {
            session_id,
            name: bytes_at(d, "n").map(text).unwrap_or_default(),
            nickname: bytes_at(d, "N").map(text).unwrap_or_default(),
            profile_pic: pic_at(d),
            approved: flag("a"),
            approved_me: flag("A"),
            blocked: flag("b"),
            priority: int_at(d, "+").unwrap_or(0),
            notifications,
            mute_until: int_at(d, "!").unwrap_or(0),
            exp_mode,
            exp_timer,
            created: int_at(d, "j").unwrap_or(0),
        }
    }
}

/// The user's contacts.
#[derive(Debug)]
pub struct Contacts {
    config: Config,
}

delegate_config!(Contacts);

impl Contacts {
    /// An empty contact list for the account with `seed`.
    pub fn new(seed: &Seed) -> Self {
        Self {
            config: Config::new_user(Kind::Contacts, seed),
        }
    }

    /// Contacts restored from [`Config::dump`] output.
    pub fn from_dump(seed: &Seed, dump: &[u8]) -> Result<Self> {
        let mut c = Self::new(seed);
        c.config.load_dump(dump)?;
        Ok(c)
    }

    /// See [`Config::push`].
    pub fn push(&mut self) -> Result<crate::Push> {
        self.config.push()
    }

    fn all(&self) -> Option<&Dict> {
        self.config
            .data()
            .get(b"c".as_slice())
            .and_then(Field::as_dict)
    }

    /// The contact, if known.
    pub fn get(&self, id: &SessionId) -> Option<Contact> {
        let d = self.all()?.get(id.to_bytes().as_slice())?.as_dict()?;
        Some(Contact::load(*id, d))
    }

    /// The contact, or a blank one.
    pub fn get_or_construct(&self, id: &SessionId) -> Contact {
        self.get(id).unwrap_or_else(|| Contact::new(*id))
    }

    /// Every contact (entries whose key is not a Session ID are skipped), in key order.
    pub fn iter(&self) -> impl Iterator<Item = Contact> + '_ {
        self.all().into_iter().flatten().filter_map(|(k, v)| {
            let id = SessionId::from_bytes(k).ok()?;
            Some(Contact::load(id, v.as_dict()?))
        })
    }

    /// How many entries there are.
    pub fn len(&self) -> usize {
        self.all().map_or(0, |d| d.len())
    }

    /// True when there are none.
    pub fn is_empty(&self) -> bool {
        self.len() == 0
    }

    /// Stores `c` (every field, with libsession's omission rules; keys this version does not
    /// know are kept).
    pub fn set(&mut self, c: &Contact) -> Result<()> {
        check_name("contact nickname", &c.nickname)?;
        let id = c.session_id.to_bytes();
        let mut w = Writer::new(&mut self.config, vec![b"c".as_slice(), id.as_slice()]);
        // Always set, even empty, so the entry is not pruned when nothing else is set.
        w.set("n", truncate_utf8(&c.name, MAX_NAME_LEN).as_bytes().into())?;
        w.nonempty("N", c.nickname.as_bytes())?;
        w.pic(c.profile_pic.as_ref())?;
        w.flag("a", c.approved)?;
        w.flag("A", c.approved_me)?;
        w.flag("b", c.blocked)?;
        w.nonzero("+", c.priority)?;
        let notify = match c.notifications {
            NotifyMode::MentionsOnly => NotifyMode::All,
            n => n,
        };
        w.positive("@", notify as i64)?;
        w.positive("!", c.mute_until)?;
        if c.exp_mode != ExpirationMode::None && c.exp_timer > 0 {
            w.set("e", (c.exp_mode as i64).into())?;
            w.set("E", c.exp_timer.into())?;
        } else {
            w.erase("e")?;
            w.erase("E")?;
        }
        w.positive("j", c.created)
    }

    /// Removes a contact. Returns whether it existed.
    pub fn erase(&mut self, id: &SessionId) -> Result<bool> {
        let key = id.to_bytes();
        self.config.erase(&[b"c".as_slice(), key.as_slice()])
    }

    fn update(&mut self, id: &SessionId, f: impl FnOnce(&mut Contact)) -> Result<()> {
        let mut c = self.get_or_construct(id);
        f(&mut c);
        self.set(&c)
    }

    /// Sets a contact's display name (cut to 100 bytes).
    pub fn set_name(&mut self, id: &SessionId, name: &str) -> Result<()> {
        let name = truncate_utf8(name, MAX_NAME_LEN).to_owned();
        self.update(id, |c| c.name = name)
    }

    /// Sets our nickname for a contact (at most 100 bytes; empty removes it).
    pub fn set_nickname(&mut self, id: &SessionId, nickname: &str) -> Result<()> {
        check_name("contact nickname", nickname)?;
        let nickname = nickname.to_owned();
        self.update(id, |c| c.nickname = nickname)
    }

    /// Sets whether we accepted a contact.
    pub fn set_approved(&mut self, id: &SessionId, approved: bool) -> Result<()> {
        self.update(id, |c| c.approved = approved)
    }

    /// Sets whether a contact accepted us.
    pub fn set_approved_me(&mut self, id: &SessionId, approved_me: bool) -> Result<()> {
        self.update(id, |c| c.approved_me = approved_me)
    }

    /// Blocks or unblocks a contact.
    pub fn set_blocked(&mut self, id: &SessionId, blocked: bool) -> Result<()> {
        self.update(id, |c| c.blocked = blocked)
    }

    /// Sets a contact's profile picture.
    pub fn set_profile_pic(&mut self, id: &SessionId, pic: Option<ProfilePic>) -> Result<()> {
        self.update(id, |c| c.profile_pic = pic)
    }

    /// Sets a contact's conversation priority.
    pub fn set_priority(&mut self, id: &SessionId, priority: i64) -> Result<()> {
        self.update(id, |c| c.priority = priority)
    }

    /// Sets a contact's notification mode and mute-until time.
    pub fn set_notifications(
        &mut self,
        id: &SessionId,
        mode: NotifyMode,
        mute_until: i64,
    ) -> Result<()> {
        self.update(id, |c| {
            c.notifications = mode;
            c.mute_until = mute_until;
        })
    }

    /// Sets a contact's disappearing-message mode and timer (seconds).
    pub fn set_expiry(&mut self, id: &SessionId, mode: ExpirationMode, timer: i64) -> Result<()> {
        if timer < 0 {
            return Err(Error::invalid("disappearing timer", "negative"));
        }
        self.update(id, |c| {
            c.exp_mode = mode;
            c.exp_timer = if mode == ExpirationMode::None {
                0
            } else {
                timer
            };
        })
    }

    /// Sets when a contact was created (unix seconds).
    pub fn set_created(&mut self, id: &SessionId, created: i64) -> Result<()> {
        self.update(id, |c| c.created = created)
    }
}
