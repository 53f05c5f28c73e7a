//! The four user configs kept with the history (spec crypto.md §5): `UserProfile` (our name),
//! `Contacts` (approved, approved me, blocked, names, nicknames, disappearing settings) and
//! `ConvoInfoVolatile` (how far each 1:1 conversation is read) mirror rows of the history;
//! `UserGroups` is kept, merged and pushed untouched until groups and communities exist here.
//!
//! Each config lives as its libsession dump in `config_dumps` and is loaded inside the
//! transaction that changes it (`History::change`), so a change to the rows and the
//! config it implies commit together. Two directions:
//! * history → config (`push_contact`, `push_read`): after a local change, the contact's
//!   row (or the conversation's newest read message) is written into the config; writing what
//!   is already there changes nothing, so this is idempotent.
//! * config → history (`pull_contacts`, `pull_read`): after a merge brought changes from
//!   another device, the config wins for what it records.

use super::contacts::{self, ContactState, expiry_columns};
use super::{History, HistoryError, ms, set_cursor, set_setting, setting};
use crate::content::Expiry;
use rusqlite::{Connection, OptionalExtension as _, params};
use session_config::user::{
    Contact as ConfigContact, Contacts, ConvoInfoVolatile, ExpirationMode, OneToOne, UserGroups,
    UserProfile,
};
use session_config::{Config, Kind};
use session_crypto::{Seed, SessionId};

/// Setting: contacts and read state kept before configs existed are written into them once.
const IMPORT: &str = "import_into_configs";
/// Setting: when our display name last changed (unix seconds), sent with it.
const PROFILE_UPDATED: &str = "profile_updated_s";
/// Setting: when our profile picture was last uploaded or extended (ms).
const PICTURE_RENEWED: &str = "picture_renewed_ms";

fn config_err(e: session_config::Error) -> HistoryError {
    HistoryError::Config(e)
}

/// The user configs of one account.
#[derive(Debug)]
pub struct UserConfigs {
    /// Our profile (namespace 2).
    pub profile: UserProfile,
    /// Our contacts (namespace 3).
    pub contacts: Contacts,
    /// Read state of conversations (namespace 4).
    pub convos: ConvoInfoVolatile,
    /// Joined groups and communities (namespace 5).
    pub groups: UserGroups,
}

impl UserConfigs {
    /// Empty configs for the account with `seed`.
    pub fn new(seed: &Seed) -> Self {
        Self {
            profile: UserProfile::new(seed),
            contacts: Contacts::new(seed),
            convos: ConvoInfoVolatile::new(seed),
            groups: UserGroups::new(seed),
        }
    }

    /// The config of `kind` (a user config), if it is one.
    pub fn config(&self, kind: Kind) -> Option<&Config> {
        match kind {
            Kind::UserProfile => Some(self.profile.config()),
            Kind::Contacts => Some(self.contacts.config()),
            Kind::ConvoInfoVolatile => Some(self.convos.config()),
            Kind::UserGroups => Some(self.groups.config()),
            _ => None,
        }
    }

    /// The config of `kind`, to change or merge.
    pub fn config_mut(&mut self, kind: Kind) -> Option<&mut Config> {
        match kind {
            Kind::UserProfile => Some(self.profile.config_mut()),
            Kind::Contacts => Some(self.contacts.config_mut()),
            Kind::ConvoInfoVolatile => Some(self.convos.config_mut()),
            Kind::UserGroups => Some(self.groups.config_mut()),
            _ => None,
        }
    }

    /// The push of `kind` (`ConvoInfoVolatile` drops conversations read long ago first).
    fn push(&mut self, kind: Kind, now_ms: u64) -> session_config::Result<session_config::Push> {
        match kind {
            Kind::ConvoInfoVolatile => self.convos.push(ms(now_ms)),
            Kind::Contacts => self.contacts.push(),
            Kind::UserGroups => self.groups.push(),
            _ => self.profile.push(),
        }
    }
}

/// Where one config stands, to show or to compare devices.
#[derive(Clone, Debug, PartialEq, Eq)]
pub struct ConfigStatus {
    /// Which config.
    pub kind: Kind,
    /// Its seqno.
    pub seqno: i64,
    /// The config hash (BLAKE2b-256 of the serialized message, hex): two devices holding the
    /// same config have the same hash.
    pub hash: String,
    /// The storage hash of the message in the swarm, once pushed or adopted.
    pub swarm_hash: Option<String>,
    /// Changed here and not yet confirmed stored.
    pub needs_push: bool,
}

/// A config message to store in the own swarm.
#[derive(Clone, Debug, PartialEq, Eq)]
pub struct PendingPush {
    /// The namespace (2-5).
    pub namespace: i16,
    /// The seqno pushed.
    pub seqno: i64,
    /// The encrypted message.
    pub data: Vec<u8>,
    /// Stored messages it makes obsolete (delete them once it is stored).
    pub obsolete: Vec<String>,
}

/// Our profile as the `UserProfile` config has it.
#[derive(Clone, Debug, Default, PartialEq, Eq)]
pub struct Profile {
    /// The display name.
    pub name: Option<String>,
    /// The profile picture URL.
    pub picture_url: Option<String>,
    /// The profile picture's key.
    pub picture_key: Option<crate::avatars::ProfileKey>,
}

/// Loads the configs from their dumps (empty ones where there is none). A dump that does not
/// load is dropped with a warning and its namespace read again from the start of the swarm.
pub(crate) fn load(db: &Connection, seed: &Seed) -> Result<UserConfigs, HistoryError> {
    let mut configs = UserConfigs::new(seed);
    for kind in Kind::USER {
        let dump: Option<Vec<u8>> = db
            .query_row(
                "SELECT dump FROM config_dumps WHERE namespace = ?1",
                [kind.namespace()],
                |r| r.get(0),
            )
            .optional()?;
        let (Some(dump), Some(config)) = (dump, configs.config_mut(kind)) else {
            continue;
        };
        // A dump that fails to load leaves the config as it was (empty).
        if let Err(e) = config.load_dump(&dump) {
            tracing::warn!(?kind, error = %e, "a saved config does not load: reading it again");
            set_cursor(db, kind.namespace(), "")?;
        }
    }
    Ok(configs)
}

/// Writes the dumps of the configs that changed.
pub(crate) fn save(db: &Connection, configs: &mut UserConfigs) -> Result<(), HistoryError> {
    for kind in Kind::USER {
        let Some(config) = configs.config_mut(kind) else {
            continue;
        };
        if config.needs_dump() {
            db.execute(
                "INSERT INTO config_dumps (namespace, dump) VALUES (?1, ?2)
                 ON CONFLICT (namespace) DO UPDATE SET dump = excluded.dump",
                params![kind.namespace(), config.dump()],
            )?;
        }
    }
    Ok(())
}

/// Writes what a history from before configs holds (contacts, read state) into them, once.
pub(crate) fn import_if_needed(
    db: &Connection,
    configs: &mut UserConfigs,
) -> Result<(), HistoryError> {
    if setting(db, IMPORT)?.is_none() {
        return Ok(());
    }
    let now = crate::onion::system_ms();
    for c in contacts::all(db)? {
        push_contact(db, Some(configs), &c.peer)?;
        push_read(db, Some(configs), &c.peer, now)?;
    }
    set_setting(db, IMPORT, None)
}

fn mode_of(e: Expiry) -> (ExpirationMode, i64) {
    match e {
        Expiry::Off => (ExpirationMode::None, 0),
        Expiry::AfterSend(s) => (ExpirationMode::AfterSend, i64::from(s)),
        Expiry::AfterRead(s) => (ExpirationMode::AfterRead, i64::from(s)),
    }
}

fn expiry_from(mode: ExpirationMode, timer: i64) -> Expiry {
    let secs = u32::try_from(timer).unwrap_or(0);
    match mode {
        ExpirationMode::AfterSend if secs > 0 => Expiry::AfterSend(secs),
        ExpirationMode::AfterRead if secs > 0 => Expiry::AfterRead(secs),
        _ => Expiry::Off,
    }
}

/// Writes the history's contact `peer` into the `Contacts` config (approved, blocked,
/// approved me, name, nickname, disappearing setting; created now when new). Keys this
/// client does not set (picture, priority, notifications…) are kept.
pub(crate) fn push_contact(
    db: &Connection,
    configs: Option<&mut UserConfigs>,
    peer: &str,
) -> Result<(), HistoryError> {
    let (Some(configs), Some(row), Ok(id)) =
        (configs, contacts::get(db, peer)?, peer.parse::<SessionId>())
    else {
        return Ok(());
    };
    let existing = configs.contacts.get(&id);
    let mut c = existing.clone().unwrap_or_else(|| ConfigContact::new(id));
    c.approved = row.approved;
    c.blocked = row.state == ContactState::Blocked;
    c.approved_me = row.they_approved;
    if !row.name.is_empty() {
        c.name = row.name.clone();
    }
    c.nickname = row.nickname.clone();
    (c.exp_mode, c.exp_timer) = mode_of(row.expiry);
    if existing.is_none() {
        c.created = ms(crate::onion::system_ms() / 1000);
    }
    if existing.as_ref() != Some(&c) {
        configs.contacts.set(&c).map_err(config_err)?;
    }
    Ok(())
}

/// Writes how far `peer`'s conversation is read (the send time of the newest read message
/// they sent) into `ConvoInfoVolatile`, unless the config already has it as far or further.
pub(crate) fn push_read(
    db: &Connection,
    configs: Option<&mut UserConfigs>,
    peer: &str,
    now_ms: u64,
) -> Result<(), HistoryError> {
    let (Some(configs), Ok(id)) = (configs, peer.parse::<SessionId>()) else {
        return Ok(());
    };
    let last: Option<i64> = db.query_row(
        "SELECT MAX(sent_at_ms) FROM messages WHERE peer = ?1 AND outgoing = 0 AND state = 'read'",
        [peer],
        |r| r.get(0),
    )?;
    let Some(last) = last else {
        return Ok(());
    };
    let current = configs.convos.get_1to1(&id).map_or(0, |o| o.last_read);
    if last > current {
        let o = OneToOne {
            session_id: id,
            last_read: last,
            unread: false,
        };
        configs
            .convos
            .set_1to1(&o, ms(now_ms))
            .map_err(config_err)?;
    }
    Ok(())
}

/// Makes the history's contacts agree with the `Contacts` config (its contacts only; our own
/// entry, if any, is skipped): blocked, else approved (a conversation), else a request;
/// approved me; the disappearing setting; the nickname; the name when the config has one.
pub(crate) fn pull_contacts(
    db: &Connection,
    configs: &UserConfigs,
    me: Option<&str>,
) -> Result<(), HistoryError> {
    for c in configs.contacts.iter() {
        let peer = c.session_id.to_string();
        if Some(peer.as_str()) == me {
            continue;
        }
        let state = if c.blocked {
            ContactState::Blocked
        } else if c.approved {
            ContactState::Approved
        } else {
            ContactState::Request
        };
        contacts::ensure(db, &peer, state)?;
        let (mode, secs) = expiry_columns(expiry_from(c.exp_mode, c.exp_timer));
        db.execute(
            "UPDATE contacts SET state = ?2, approved = ?3, they_approved = ?4, expiry_mode = ?5,
                 expiry_secs = ?6, nickname = ?7,
                 name = CASE ?8 WHEN '' THEN name ELSE ?8 END
             WHERE peer = ?1",
            params![
                peer,
                state_str(state),
                i64::from(c.approved),
                i64::from(c.approved_me),
                mode,
                secs,
                c.nickname,
                c.name
            ],
        )?;
    }
    Ok(())
}

fn state_str(s: ContactState) -> &'static str {
    match s {
        ContactState::Approved => "approved",
        ContactState::Request => "request",
        ContactState::Blocked => "blocked",
    }
}

/// Marks read what `ConvoInfoVolatile` says is read (received messages sent up to each 1:1
/// conversation's last-read time); their after-read timers start now.
pub(crate) fn pull_read(
    db: &Connection,
    configs: &UserConfigs,
    now_ms: u64,
) -> Result<(), HistoryError> {
    for o in configs.convos.one_to_ones() {
        db.execute(
            "UPDATE messages SET state = 'read',
                 expires_at_ms = CASE expiry_mode WHEN 1 THEN ?3 + expiry_secs * 1000
                     ELSE expires_at_ms END
             WHERE peer = ?1 AND outgoing = 0 AND state = 'unread' AND sent_at_ms <= ?2",
            params![o.session_id.to_string(), o.last_read, ms(now_ms)],
        )?;
    }
    Ok(())
}

/// Records that our display name changed at `now_ms`.
pub(crate) fn profile_changed(db: &Connection, now_ms: u64) -> Result<(), HistoryError> {
    set_setting(db, PROFILE_UPDATED, Some(ms(now_ms / 1000)))
}

impl History {
    /// The user configs as saved (a snapshot: changes to it are not kept).
    pub fn user_configs(&self) -> Result<UserConfigs, HistoryError> {
        load(&self.db, self.seed()?)
    }

    /// Our profile.
    pub fn profile(&self) -> Result<Profile, HistoryError> {
        let c = self.user_configs()?;
        let pic = c.profile.profile_pic();
        Ok(Profile {
            name: c.profile.name(),
            picture_key: pic
                .as_ref()
                .and_then(|p| crate::avatars::ProfileKey::from_slice(&p.key)),
            picture_url: pic.map(|p| p.url),
        })
    }

    /// Sets (or with `None` removes) our profile picture at `now_ms`; the renewal clock of
    /// the upload restarts.
    pub fn set_profile_pic(
        &self,
        pic: Option<&session_config::user::ProfilePic>,
        now_ms: u64,
    ) -> Result<(), HistoryError> {
        self.change(|db, cfg| {
            let cfg = cfg.ok_or(HistoryError::NoAccount)?;
            cfg.profile.set_profile_pic(pic).map_err(config_err)?;
            profile_changed(db, now_ms)?;
            set_setting(db, PICTURE_RENEWED, pic.map(|_| ms(now_ms)))
        })
    }

    /// When our picture was last uploaded or extended (ms; `None`: no picture set here).
    pub fn picture_renewed_ms(&self) -> Result<Option<u64>, HistoryError> {
        Ok(setting(&self.db, PICTURE_RENEWED)?.map(super::unms))
    }

    /// Records that our picture's upload was renewed at `now_ms`.
    pub fn set_picture_renewed(&self, now_ms: u64) -> Result<(), HistoryError> {
        set_setting(&self.db, PICTURE_RENEWED, Some(ms(now_ms)))
    }

    /// When our display name last changed here or on another device (unix seconds; 0 =
    /// never).
    pub fn profile_updated_s(&self) -> Result<u64, HistoryError> {
        Ok(setting(&self.db, PROFILE_UPDATED)?.map_or(0, |v| u64::try_from(v).unwrap_or(0)))
    }

    /// Sets our display name (at most 100 bytes; empty removes it) at `now_ms`.
    pub fn set_profile_name(&self, name: &str, now_ms: u64) -> Result<(), HistoryError> {
        self.change(|db, cfg| {
            let cfg = cfg.ok_or(HistoryError::NoAccount)?;
            if cfg.profile.name().as_deref().unwrap_or("") != name {
                cfg.profile.set_name(name).map_err(config_err)?;
                profile_changed(db, now_ms)?;
            }
            Ok(())
        })
    }

    /// Where each user config stands.
    pub fn config_status(&self) -> Result<Vec<ConfigStatus>, HistoryError> {
        let mut configs = self.user_configs()?;
        let mut out = Vec::new();
        for kind in Kind::USER {
            let Some(c) = configs.config_mut(kind) else {
                continue;
            };
            out.push(ConfigStatus {
                kind,
                seqno: c.seqno(),
                hash: hex::encode(c.message_hash()),
                swarm_hash: c.current_hash().map(str::to_owned),
                needs_push: c.needs_push(),
            });
        }
        Ok(out)
    }

    /// The configs that need storing, as they would be stored now (nothing is saved: a push
    /// that fails changes nothing, and [`History::confirm_pushes`] records one that landed).
    /// A config that cannot be pushed (over the size limit) is left out with a warning.
    pub fn pending_pushes(&self, now_ms: u64) -> Result<Vec<PendingPush>, HistoryError> {
        let mut configs = self.user_configs()?;
        let mut out = Vec::new();
        for kind in Kind::USER {
            if !configs.config(kind).is_some_and(Config::needs_push) {
                continue;
            }
            match configs.push(kind, now_ms) {
                Ok(p) => out.push(PendingPush {
                    namespace: kind.namespace(),
                    seqno: p.seqno,
                    data: p.data,
                    obsolete: p.obsolete,
                }),
                Err(e) => tracing::warn!(?kind, error = %e, "a config cannot be pushed"),
            }
        }
        Ok(out)
    }

    /// Records that `pushed` (from [`History::pending_pushes`] at `now_ms`) are stored under
    /// the given hashes. A config that changed in between is not marked stored (it is pushed
    /// again next time).
    pub fn confirm_pushes(
        &self,
        pushed: &[(PendingPush, String)],
        now_ms: u64,
    ) -> Result<(), HistoryError> {
        self.change(|_, cfg| {
            let cfg = cfg.ok_or(HistoryError::NoAccount)?;
            for (p, hash) in pushed {
                let Some(kind) = Kind::from_namespace(p.namespace) else {
                    continue;
                };
                let Ok(again) = cfg.push(kind, now_ms) else {
                    continue;
                };
                if again.seqno == p.seqno
                    && again.data == p.data
                    && let Some(c) = cfg.config_mut(kind)
                {
                    c.confirm_pushed(p.seqno, hash);
                }
            }
            Ok(())
        })
    }
}

#[cfg(test)]
mod tests;
