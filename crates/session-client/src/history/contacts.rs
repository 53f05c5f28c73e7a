//! Contacts: who is a conversation, who is a message request, who is blocked, and each
//! conversation's disappearing-messages setting.

use super::{History, HistoryError, messages::Entry};
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

const COLUMNS: &str = "peer, state, expiry_mode, expiry_secs, they_approved";

fn contact_row(r: &rusqlite::Row<'_>) -> rusqlite::Result<Contact> {
    Ok(Contact {
        peer: r.get(0)?,
        state: ContactState::parse(&r.get::<_, String>(1)?),
        expiry: expiry_of(r.get(2)?, r.get(3)?),
        they_approved: r.get::<_, i64>(4)? != 0,
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

pub(crate) fn upsert_state(
    db: &rusqlite::Connection,
    peer: &str,
    state: ContactState,
) -> rusqlite::Result<()> {
    db.execute(
        "INSERT INTO contacts (peer, state) VALUES (?1, ?2)
         ON CONFLICT (peer) DO UPDATE SET state = excluded.state",
        params![peer, state.as_str()],
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
        "INSERT OR IGNORE INTO contacts (peer, state) VALUES (?1, ?2)",
        params![peer, state.as_str()],
    )?;
    Ok(get(db, peer)?.map_or(state, |c| c.state))
}

pub(crate) fn set_expiry(
    db: &rusqlite::Connection,
    peer: &str,
    expiry: Expiry,
) -> rusqlite::Result<()> {
    let (mode, secs) = expiry_columns(expiry);
    db.execute(
        "INSERT INTO contacts (peer, state, expiry_mode, expiry_secs) VALUES (?1, 'approved', ?2, ?3)
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
    pub fn set_contact_state(&self, peer: &str, state: ContactState) -> Result<(), HistoryError> {
        Ok(upsert_state(&self.db, peer, state)?)
    }

    /// Sets the conversation's disappearing-messages setting.
    pub fn set_expiry(&self, peer: &str, expiry: Expiry) -> Result<(), HistoryError> {
        Ok(set_expiry(&self.db, peer, expiry)?)
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
