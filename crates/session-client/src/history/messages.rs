//! Messages: what was sent (with its delivery state), what came in (read or not), our own
//! reactions and the copies we keep in our own swarm, and reading. What a poll does to them is
//! [`super::poll`]'s.

use super::contacts::{self, ContactState, expiry_columns, expiry_of};
use super::{History, HistoryError, configs, ms, unms};
use crate::content::{Expiry, MessageRef, Payload, Profile};
use rusqlite::{OptionalExtension as _, params};

/// Where a message stands.
#[derive(Clone, Copy, Debug, PartialEq, Eq)]
pub enum State {
    /// Outgoing, not yet stored in the recipient's swarm.
    Sending,
    /// Outgoing, stored in the recipient's swarm.
    Sent,
    /// Outgoing, every retry failed.
    Failed,
    /// Outgoing, the recipient sent a read receipt.
    ReadByPeer,
    /// Incoming, not yet read.
    Unread,
    /// Incoming, read.
    Read,
}

impl State {
    /// The stored (and printed) name.
    pub fn as_str(self) -> &'static str {
        match self {
            Self::Sending => "sending",
            Self::Sent => "sent",
            Self::Failed => "failed",
            Self::ReadByPeer => "read_by_peer",
            Self::Unread => "unread",
            Self::Read => "read",
        }
    }

    fn parse(s: &str) -> Self {
        match s {
            "sending" => Self::Sending,
            "failed" => Self::Failed,
            "read_by_peer" => Self::ReadByPeer,
            "unread" => Self::Unread,
            "read" => Self::Read,
            _ => Self::Sent,
        }
    }
}

/// A message in the local history.
#[derive(Clone, Debug, PartialEq, Eq)]
pub struct Entry {
    /// The other party's Session ID.
    pub peer: String,
    /// Sent by this account.
    pub outgoing: bool,
    /// The text.
    pub text: String,
    /// Send time (ms, the sender's network time).
    pub sent_at_ms: u64,
    /// Storage hash.
    pub hash: String,
    /// Delivery or read state.
    pub state: State,
    /// The disappearing setting it was sent with.
    pub expiry: Expiry,
    /// When the local copy goes (network time), once known.
    pub expires_at_ms: Option<u64>,
    /// The quoted message (author, send time).
    pub quote: Option<(String, u64)>,
    /// Reactions on it (emoji), in no particular order.
    pub reactions: Vec<String>,
}

/// A decoded message from the own swarm.
#[derive(Clone, Debug, PartialEq, Eq)]
pub struct Incoming {
    /// Sender's Session ID.
    pub sender: String,
    /// Signed send time (ms).
    pub sent_at_ms: u64,
    /// Storage hash.
    pub hash: String,
    /// What it means (for a sync copy: what we said to [`Incoming::sync_target`]).
    pub payload: Payload,
    /// The disappearing setting it carries.
    pub expiry: Expiry,
    /// Set on a copy of our own message made on another device: the conversation it was
    /// sent in (`DataMessage.syncTarget`).
    pub sync_target: Option<String>,
    /// The sender's profile, when the message carries one.
    pub profile: Option<Profile>,
    /// The key of the sender's profile picture (`DataMessage.profileKey`), when given.
    pub profile_key: Option<crate::avatars::ProfileKey>,
    /// The attachments of a text (`DataMessage.attachments`) that can be used.
    pub attachments: Vec<crate::attachments::Pointer>,
}

/// Something a poll brought that is not a new message (typing, a reaction, an unsend…).
#[derive(Clone, Debug, PartialEq, Eq)]
pub struct Notice {
    /// Who.
    pub peer: String,
    /// What, for people.
    pub what: String,
}

/// What a poll changed.
#[derive(Clone, Debug, Default, PartialEq, Eq)]
pub struct Applied {
    /// New messages (conversations and requests), in send order.
    pub new: Vec<Entry>,
    /// Other things that happened.
    pub notices: Vec<Notice>,
    /// Hashes to delete from the own swarm (unsent messages and the unsend requests).
    pub swarm_deletes: Vec<String>,
    /// Namespaces (2-5) whose config changed with what another device pushed.
    pub configs_changed: Vec<i16>,
    /// Config messages refused (bad signature, wrong key, truncated, non-canonical, too
    /// large) or ignored as far behind, one line each; local state was left as it was.
    pub config_errors: Vec<String>,
    /// Group invitations that verified and were kept.
    pub group_invites: Vec<super::groups::Invitation>,
    /// Group invitations or promotions refused (a forged invite…), one line each; nothing of
    /// them was stored.
    pub group_refusals: Vec<String>,
    /// Call messages this poll brought (kept for their TTL).
    pub calls: Vec<super::CallIn>,
}

/// What reading a conversation changed.
#[derive(Clone, Debug, Default, PartialEq, Eq)]
pub struct ReadMarks {
    /// Send times of the messages now read (for a read receipt).
    pub timestamps: Vec<u64>,
    /// Delete-after-read messages and their new expiry (to shorten on the swarm).
    pub expire: Vec<(String, u64)>,
}

/// A message this account sends, as recorded before it goes out.
#[derive(Clone, Debug, PartialEq, Eq)]
pub struct Record<'a> {
    /// Recipient.
    pub peer: &'a str,
    /// Storage hash (computed locally, known before the store).
    pub hash: &'a str,
    /// Text.
    pub text: &'a str,
    /// Send time (network ms).
    pub sent_at_ms: u64,
    /// The conversation's disappearing setting.
    pub expiry: Expiry,
    /// Quoted message (author, send time).
    pub quote: Option<(String, u64)>,
    /// The hash of its copy in our own swarm (a sync copy), if there is one.
    pub copy_hash: Option<&'a str>,
}

pub(crate) const COLUMNS: &str =
    "peer, outgoing, text, sent_at_ms, hash, state, expiry_mode, expiry_secs,
    expires_at_ms, quote_author, quote_ms";

pub(crate) fn entry_row(r: &rusqlite::Row<'_>) -> rusqlite::Result<Entry> {
    let quote = match (r.get::<_, Option<String>>(9)?, r.get::<_, Option<i64>>(10)?) {
        (Some(a), Some(t)) => Some((a, unms(t))),
        _ => None,
    };
    Ok(Entry {
        peer: r.get(0)?,
        outgoing: r.get::<_, i64>(1)? != 0,
        text: r.get(2)?,
        sent_at_ms: unms(r.get(3)?),
        hash: r.get(4)?,
        state: State::parse(&r.get::<_, String>(5)?),
        expiry: expiry_of(r.get(6)?, r.get(7)?),
        expires_at_ms: r.get::<_, Option<i64>>(8)?.map(unms),
        quote,
        reactions: Vec::new(),
    })
}

fn reactions_of(db: &rusqlite::Connection, hash: &str) -> rusqlite::Result<Vec<String>> {
    let mut q = db.prepare_cached("SELECT emoji FROM reactions WHERE hash = ?1 ORDER BY emoji")?;
    q.query_map([hash], |r| r.get(0))?.collect()
}

fn with_reactions(db: &rusqlite::Connection, mut e: Entry) -> rusqlite::Result<Entry> {
    e.reactions = reactions_of(db, &e.hash)?;
    Ok(e)
}

/// Local expiry of a message sent at `sent` under `expiry` (delete-after-read incoming
/// messages start on read, so they have none yet).
fn expires_at(expiry: Expiry, sent: u64, outgoing: bool) -> Option<u64> {
    match expiry {
        Expiry::Off => None,
        Expiry::AfterRead(_) if !outgoing => None,
        Expiry::AfterSend(s) | Expiry::AfterRead(s) => {
            Some(sent.saturating_add(u64::from(s) * 1000))
        }
    }
}

/// Adds a message (outgoing ones as `sending`, incoming ones as `unread`) unless one with its
/// hash is there; returns whether it was added.
pub(crate) fn insert(
    db: &rusqlite::Connection,
    m: &Record<'_>,
    outgoing: bool,
) -> rusqlite::Result<bool> {
    let (mode, secs) = expiry_columns(m.expiry);
    let (quote_author, quote_ms) = match &m.quote {
        Some((a, t)) => (Some(a.as_str()), Some(ms(*t))),
        None => (None, None),
    };
    let state = if outgoing {
        State::Sending
    } else {
        State::Unread
    };
    let added = db.execute(
        "INSERT OR IGNORE INTO messages (hash, peer, outgoing, text, sent_at_ms, state,
             expiry_mode, expiry_secs, expires_at_ms, quote_author, quote_ms, copy_hash)
         VALUES (?1, ?2, ?3, ?4, ?5, ?6, ?7, ?8, ?9, ?10, ?11, ?12)",
        params![
            m.hash,
            m.peer,
            i64::from(outgoing),
            m.text,
            ms(m.sent_at_ms),
            state.as_str(),
            mode,
            secs,
            expires_at(m.expiry, m.sent_at_ms, outgoing).map(ms),
            quote_author,
            quote_ms,
            m.copy_hash
        ],
    )?;
    Ok(added == 1)
}

/// The hash of the message `to` in the conversation with `peer` (`to` written by `peer`, or by
/// us when its author is someone else).
pub(crate) fn resolve(
    db: &rusqlite::Connection,
    peer: &str,
    to: &MessageRef,
) -> rusqlite::Result<Option<String>> {
    let ours = to.author.to_string() != peer;
    db.query_row(
        "SELECT hash FROM messages WHERE peer = ?1 AND sent_at_ms = ?2 AND outgoing = ?3",
        params![peer, ms(to.sent_at_ms), i64::from(ours)],
        |r| r.get(0),
    )
    .optional()
}

impl History {
    /// Records a message this account is sending (state [`State::Sending`]); a message with
    /// the same hash already recorded is kept as it is. Writing to someone unknown makes them
    /// a conversation (the `Contacts` config follows).
    pub fn record_outgoing(&self, m: &Record<'_>) -> Result<(), HistoryError> {
        self.change(|db, cfg| {
            insert(db, m, true)?;
            contacts::ensure(db, m.peer, ContactState::Approved)?;
            configs::push_contact(db, cfg, m.peer)
        })
    }

    /// Records that this device stored `hash` in its own swarm (a sync copy) until
    /// `expires_at_ms`: a poll that brings it back skips it.
    pub fn record_own_copy(&self, hash: &str, expires_at_ms: u64) -> Result<(), HistoryError> {
        self.db.execute(
            "INSERT OR IGNORE INTO own_copies (hash, expires_at_ms) VALUES (?1, ?2)",
            params![hash, ms(expires_at_ms)],
        )?;
        Ok(())
    }

    /// Adds (or with `remove`, takes back) our own reaction `emoji` by `me` on message `hash`.
    pub fn record_own_reaction(
        &self,
        hash: &str,
        me: &str,
        emoji: &str,
        remove: bool,
    ) -> Result<(), HistoryError> {
        let sql = if remove {
            "DELETE FROM reactions WHERE hash = ?1 AND reactor = ?2 AND emoji = ?3"
        } else {
            "INSERT OR IGNORE INTO reactions (hash, reactor, emoji) VALUES (?1, ?2, ?3)"
        };
        self.db.execute(sql, params![hash, me, emoji])?;
        Ok(())
    }

    /// The hash of the own-swarm copy of message `hash`, if one was recorded.
    pub fn copy_hash(&self, hash: &str) -> Result<Option<String>, HistoryError> {
        Ok(self
            .db
            .query_row(
                "SELECT copy_hash FROM messages WHERE hash = ?1",
                [hash],
                |r| r.get(0),
            )
            .optional()?
            .flatten())
    }

    /// Sets a message's state.
    pub fn set_state(&self, hash: &str, state: State) -> Result<(), HistoryError> {
        self.db.execute(
            "UPDATE messages SET state = ?2 WHERE hash = ?1",
            params![hash, state.as_str()],
        )?;
        Ok(())
    }

    /// One message by hash.
    pub fn message(&self, hash: &str) -> Result<Option<Entry>, HistoryError> {
        let e = self
            .db
            .query_row(
                &format!("SELECT {COLUMNS} FROM messages WHERE hash = ?1"),
                [hash],
                entry_row,
            )
            .optional()?;
        Ok(e.map(|e| with_reactions(&self.db, e)).transpose()?)
    }

    /// Removes one message (and its reactions) from the local history.
    pub fn delete_message(&self, hash: &str) -> Result<bool, HistoryError> {
        self.db
            .execute("DELETE FROM reactions WHERE hash = ?1", [hash])?;
        let deleted = self
            .db
            .execute("DELETE FROM messages WHERE hash = ?1", [hash])?
            == 1;
        if deleted {
            super::attachments::drop_orphans(&self.db)?;
        }
        Ok(deleted)
    }

    /// The conversation with `peer`, oldest first.
    pub fn conversation(&self, peer: &str) -> Result<Vec<Entry>, HistoryError> {
        let mut q = self.db.prepare(&format!(
            "SELECT {COLUMNS} FROM messages WHERE peer = ?1 ORDER BY sent_at_ms, hash"
        ))?;
        let rows = q
            .query_map([peer], entry_row)?
            .collect::<Result<Vec<_>, _>>()?;
        Ok(rows
            .into_iter()
            .map(|e| with_reactions(&self.db, e))
            .collect::<Result<_, _>>()?)
    }

    pub(crate) fn last_message(&self, peer: &str) -> Result<Option<Entry>, HistoryError> {
        Ok(self
            .db
            .query_row(
                &format!(
                    "SELECT {COLUMNS} FROM messages WHERE peer = ?1
                     ORDER BY sent_at_ms DESC, hash DESC LIMIT 1"
                ),
                [peer],
                entry_row,
            )
            .optional()?)
    }

    pub(crate) fn unread_count(&self, peer: &str) -> Result<usize, HistoryError> {
        let n: i64 = self.db.query_row(
            "SELECT COUNT(*) FROM messages WHERE peer = ?1 AND state = 'unread'",
            [peer],
            |r| r.get(0),
        )?;
        Ok(usize::try_from(n).unwrap_or(0))
    }

    /// Marks the received messages of `peer` read at `now_ms`: delete-after-read ones get
    /// their expiry (now + timer). The `ConvoInfoVolatile` config follows.
    pub fn mark_read(&self, peer: &str, now_ms: u64) -> Result<ReadMarks, HistoryError> {
        self.change(|db, cfg| {
            let marks = mark_read(db, peer, now_ms)?;
            if !marks.timestamps.is_empty() {
                configs::push_read(db, cfg, peer, now_ms)?;
            }
            Ok(marks)
        })
    }
}

fn mark_read(
    db: &rusqlite::Connection,
    peer: &str,
    now_ms: u64,
) -> Result<ReadMarks, HistoryError> {
    let unread: Vec<Entry> = {
        let mut q = db.prepare(&format!(
            "SELECT {COLUMNS} FROM messages WHERE peer = ?1 AND state = 'unread'
             ORDER BY sent_at_ms"
        ))?;
        q.query_map([peer], entry_row)?.collect::<Result<_, _>>()?
    };
    let mut marks = ReadMarks::default();
    for e in unread {
        let expiry = match e.expiry {
            Expiry::AfterRead(s) => {
                let at = now_ms.saturating_add(u64::from(s) * 1000);
                marks.expire.push((e.hash.clone(), at));
                Some(at)
            }
            _ => e.expires_at_ms,
        };
        db.execute(
            "UPDATE messages SET state = 'read', expires_at_ms = ?2 WHERE hash = ?1",
            params![e.hash, expiry.map(ms)],
        )?;
        marks.timestamps.push(e.sent_at_ms);
    }
    Ok(marks)
}
