//! Contacts: who is a conversation, who is a message request, who is blocked, their names
//! (as they set them, and our nicknames), and each conversation's disappearing-messages
//! setting. Approval is kept apart from blocking, so unblocking someone we had accepted makes
//! them a conversation again (as the `Contacts` config keeps `a` and `b` apart).

use super::{History, HistoryError, configs, messages::Entry};
use crate::content::Expiry;
use rusqlite::{OptionalExtension as _, params};

/// Where a peer stands.
#[derive(Clone, Copy, Debug, PartialEq, Eq)]
pub enum ContactState {
    /// A conversation: we wrote to them or accepted their request.
    Approved,
    /// They wrote first and we have not accepted yet.
    Request,
    /// Their messages are dropped unread.
    Blocked,
}

impl ContactState {
    fn as_str(self) -> &'static str {
        match self {
            Self::Approved => "approved",
            Self::Request => "request",
            Self::Blocked => "blocked",
        }
    }

    fn parse(s: &str) -> Self {
        match s {
            "request" => Self::Request,
            "blocked" => Self::Blocked,
            _ => Self::Approved,
        }
    }
}

/// One peer.
#[derive(Clone, Debug, PartialEq, Eq)]
pub struct Contact {
    /// Their Session ID.
    pub peer: String,
    /// Conversation, request or blocked.
    pub state: ContactState,
    /// The conversation's disappearing-messages setting.
    pub expiry: Expiry,
    /// They accepted our messages (a `MessageRequestResponse` came).
    pub they_approved: bool,
    /// We accepted them (kept while they are blocked).
    pub approved: bool,
    /// Their display name as they set it (empty: unknown).
    pub name: String,
    /// Our nickname for them (empty: none); shown instead of their name.
    pub nickname: String,
}

impl Contact {
    /// The name to show: the nickname, else their name, else `None`.
    pub fn display_name(&self) -> Option<&str> {
        [self.nickname.as_str(), self.name.as_str()]
            .into_iter()
            .find(|n| !n.is_empty())
    }

    /// Blocked?
    pub fn blocked(&self) -> bool {
        self.state == ContactState::Blocked
    }
}

/// A conversation or request as listed: the contact, its newest message, unread count.
#[derive(Clone, Debug, PartialEq, Eq)]
pub struct Summary {
    /// The peer.
    pub contact: Contact,
    /// The newest message, if any is left.
    pub last: Option<Entry>,
    /// Received messages not yet read.
    pub unread: usize,
}

/// `(mode, seconds)` as stored: 0 off, 1 after read, 2 after send (the protobuf numbers).
pub(crate) fn expiry_columns(e: Expiry) -> (i64, i64) {
    match e {
        Expiry::Off => (0, 0),
        Expiry::AfterRead(s) => (1, i64::from(s)),
        Expiry::AfterSend(s) => (2, i64::from(s)),
    }
}

pub(crate) fn expiry_of(mode: i64, secs: i64) -> Expiry {
    let secs = u32::try_from(secs).unwrap_or(0);
    match (mode, secs) {
        (_, 0) => Expiry::Off,
        (1, s) => Expiry::AfterRead(s),
        (2, s) => Expiry::AfterSend(s),
        _ => Expiry::Off,
    }
}

const COLUMNS: &str = "peer, state, expiry_mode, expiry_secs, they_approved, approved, name,
    nickname";

fn contact_row(r: &rusqlite::Row<'_>) -> rusqlite::Result<Contact> {
    Ok(Contact {
        peer: r.get(0)?,
        state: ContactState::parse(&r.get::<_, String>(1)?),
        expiry: expiry_of(r.get(2)?, r.get(3)?),
        they_approved: r.get::<_, i64>(4)? != 0,
        approved: r.get::<_, i64>(5)? != 0,
        name: r.get(6)?,
        nickname: r.get(7)?,
    })
}

pub(crate) fn get(db: &rusqlite::Connection, peer: &str) -> rusqlite::Result<Option<Contact>> {
    db.query_row(
        &format!("SELECT {COLUMNS} FROM contacts WHERE peer = ?1"),
        [peer],
        contact_row,
    )
    .optional()
}

/// Sets where `peer` stands (adding it when unknown). Approving sets `approved`, which
/// blocking keeps.
pub(crate) fn upsert_state(
    db: &rusqlite::Connection,
    peer: &str,
    state: ContactState,
) -> rusqlite::Result<()> {
    let approved = i64::from(state == ContactState::Approved);
    db.execute(
        "INSERT INTO contacts (peer, state, approved) VALUES (?1, ?2, ?3)
         ON CONFLICT (peer) DO UPDATE SET state = excluded.state,
             approved = MAX(approved, excluded.approved)",
        params![peer, state.as_str(), approved],
    )?;
    Ok(())
}

/// Unblocks `peer`: a conversation again if we had accepted them, else a request.
pub(crate) fn unblock(db: &rusqlite::Connection, peer: &str) -> rusqlite::Result<()> {
    db.execute(
        "UPDATE contacts SET state = CASE approved WHEN 1 THEN 'approved' ELSE 'request' END
         WHERE peer = ?1 AND state = 'blocked'",
        [peer],
    )?;
    Ok(())
}

/// Adds `peer` in `state` unless it is known already; returns its state.
pub(crate) fn ensure(
    db: &rusqlite::Connection,
    peer: &str,
    state: ContactState,
) -> rusqlite::Result<ContactState> {
    db.execute(
        "INSERT OR IGNORE INTO contacts (peer, state, approved) VALUES (?1, ?2, ?3)",
        params![
            peer,
            state.as_str(),
            i64::from(state == ContactState::Approved)
        ],
    )?;
    Ok(get(db, peer)?.map_or(state, |c| c.state))
}

/// Sets our nickname for `peer` (empty removes it), adding `peer` as a request when unknown.
pub(crate) fn set_nickname(
    db: &rusqlite::Connection,
    peer: &str,
    nickname: &str,
) -> rusqlite::Result<()> {
    ensure(db, peer, ContactState::Request)?;
    db.execute(
        "UPDATE contacts SET nickname = ?2 WHERE peer = ?1",
        params![peer, nickname],
    )?;
    Ok(())
}

/// Takes `name` as `peer`'s display name if it is at least as new as the one we have
/// (`updated_s`: when they changed it, 0 = unknown; desktop's rule: a dated name replaces an
/// older or undated one, an undated one replaces only an undated one). Returns whether it
/// changed.
pub(crate) fn learn_name(
    db: &rusqlite::Connection,
    peer: &str,
    name: &str,
    updated_s: u64,
) -> rusqlite::Result<bool> {
    let Some((current, current_s)) = db
        .query_row(
            "SELECT name, name_updated_s FROM contacts WHERE peer = ?1",
            [peer],
            |r| Ok((r.get::<_, String>(0)?, r.get::<_, i64>(1)?)),
        )
        .optional()?
    else {
        return Ok(false);
    };
    let updated = super::ms(updated_s);
    let newer = updated > current_s || (updated == 0 && current_s == 0);
    if !newer || current == name {
        return Ok(false);
    }
    db.execute(
        "UPDATE contacts SET name = ?2, name_updated_s = MAX(name_updated_s, ?3) WHERE peer = ?1",
        params![peer, name, updated],
    )?;
    Ok(true)
}

/// Every contact, in Session ID order.
pub(crate) fn all(db: &rusqlite::Connection) -> rusqlite::Result<Vec<Contact>> {
    let mut q = db.prepare(&format!("SELECT {COLUMNS} FROM contacts ORDER BY peer"))?;
    q.query_map([], contact_row)?.collect()
}

pub(crate) fn set_expiry(
    db: &rusqlite::Connection,
    peer: &str,
    expiry: Expiry,
) -> rusqlite::Result<()> {
    let (mode, secs) = expiry_columns(expiry);
    db.execute(
        "INSERT INTO contacts (peer, state, approved, expiry_mode, expiry_secs)
             VALUES (?1, 'approved', 1, ?2, ?3)
         ON CONFLICT (peer) DO UPDATE SET expiry_mode = ?2, expiry_secs = ?3",
        params![peer, mode, secs],
    )?;
    Ok(())
}

impl History {
    /// The contact `peer`, if known.
    pub fn contact(&self, peer: &str) -> Result<Option<Contact>, HistoryError> {
        Ok(get(&self.db, peer)?)
    }

    /// Sets where `peer` stands (adding it when unknown).
    /// Blocking keeps whether we had accepted them; the `Contacts` config follows.
    pub fn set_contact_state(&self, peer: &str, state: ContactState) -> Result<(), HistoryError> {
        self.change(|db, cfg| {
            upsert_state(db, peer, state)?;
            configs::push_contact(db, cfg, peer)
        })
    }

    /// Unblocks `peer` (a conversation again if we had accepted them, else a request); the
    /// `Contacts` config follows.
    pub fn unblock(&self, peer: &str) -> Result<(), HistoryError> {
        self.change(|db, cfg| {
            unblock(db, peer)?;
            configs::push_contact(db, cfg, peer)
        })
    }

    /// Sets our nickname for `peer` (at most 100 bytes; empty removes it); the `Contacts`
    /// config follows.
    pub fn set_nickname(&self, peer: &str, nickname: &str) -> Result<(), HistoryError> {
        if nickname.len() > session_config::user::MAX_NAME_LEN {
            return Err(HistoryError::Config(session_config::Error::InvalidValue {
                what: "nickname",
                reason: "longer than 100 bytes",
            }));
        }
        self.change(|db, cfg| {
            set_nickname(db, peer, nickname)?;
            configs::push_contact(db, cfg, peer)
        })
    }

    /// Sets the conversation's disappearing-messages setting; the `Contacts` config follows.
    pub fn set_expiry(&self, peer: &str, expiry: Expiry) -> Result<(), HistoryError> {
        self.change(|db, cfg| {
            set_expiry(db, peer, expiry)?;
            configs::push_contact(db, cfg, peer)
        })
    }

    /// Every known contact (conversations, requests, blocked), in Session ID order; with
    /// `blocked_only`, only the blocked ones.
    pub fn contacts(&self, blocked_only: bool) -> Result<Vec<Contact>, HistoryError> {
        let mut all = all(&self.db)?;
        all.retain(|c| !blocked_only || c.blocked());
        Ok(all)
    }

    /// The contacts in `state` with their newest message and unread count, most recent first.
    pub fn summaries(&self, state: ContactState) -> Result<Vec<Summary>, HistoryError> {
        let mut q = self.db.prepare(&format!(
            "SELECT {COLUMNS} FROM contacts WHERE state = ?1 ORDER BY peer"
        ))?;
        let contacts = q
            .query_map([state.as_str()], contact_row)?
            .collect::<Result<Vec<_>, _>>()?;
        let mut out = Vec::with_capacity(contacts.len());
        for contact in contacts {
            let last = self.last_message(&contact.peer)?;
            let unread = self.unread_count(&contact.peer)?;
            out.push(Summary {
                contact,
                last,
                unread,
            });
        }
        out.sort_by_key(|s| std::cmp::Reverse(s.last.as_ref().map_or(0, |e| e.sent_at_ms)));
        Ok(out)
    }
}
