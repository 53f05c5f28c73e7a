//! Group messages in the local state: texts and notices, quotes, reactions.

use super::super::{History, HistoryError, ms, unms};
use rusqlite::{Connection, OptionalExtension as _, params};
use session_crypto::GroupId;

/// One message of a group (text, or a control notice in words).
#[derive(Clone, Debug, PartialEq, Eq)]
pub struct GroupMessage {
    /// `03…`.
    pub group_id: String,
    /// The sender's Session ID.
    pub sender: String,
    /// The text (or the notice).
    pub text: String,
    /// Send time, ms.
    pub sent_at_ms: u64,
    /// Storage hash in the group's namespace 11.
    pub hash: String,
    /// Sent by us.
    pub outgoing: bool,
    /// `text` or `notice`.
    pub kind: String,
    /// The quoted message (author, send time), for a reply.
    pub quote: Option<(String, u64)>,
    /// Reactions as `emoji reactor`, oldest first (filled when read from the history).
    pub reactions: Vec<String>,
    /// When it disappears (the group's timer at sending, after send), ms; `None`: never.
    pub expires_at_ms: Option<u64>,
}

const COLUMNS: &str = "group_id, sender, text, sent_at_ms, hash, outgoing, kind, quote_author,
    quote_ms, expires_at_ms";

fn read_row(r: &rusqlite::Row<'_>) -> rusqlite::Result<GroupMessage> {
    let quote: Option<String> = r.get(7)?;
    let quote_ms: Option<i64> = r.get(8)?;
    Ok(GroupMessage {
        group_id: r.get(0)?,
        sender: r.get(1)?,
        text: r.get(2)?,
        sent_at_ms: unms(r.get(3)?),
        hash: r.get(4)?,
        outgoing: r.get(5)?,
        kind: r.get(6)?,
        quote: quote.zip(quote_ms.map(unms)),
        reactions: Vec::new(),
        expires_at_ms: r.get::<_, Option<i64>>(9)?.map(unms),
    })
}

impl History {
    /// The group's messages, oldest first.
    pub fn group_messages(&self, id: &GroupId) -> Result<Vec<GroupMessage>, HistoryError> {
        let mut st = self.db.prepare(&format!(
            "SELECT {COLUMNS} FROM group_messages WHERE group_id = ?1 ORDER BY sent_at_ms, hash"
        ))?;
        let rows = st.query_map([id.to_string()], read_row)?;
        let mut out: Vec<GroupMessage> = rows.collect::<Result<_, _>>()?;
        for m in &mut out {
            m.reactions = reactions_of(&self.db, &m.hash)?;
        }
        Ok(out)
    }

    /// Records our own reaction to a group message.
    pub fn record_group_reaction(
        &self,
        id: &GroupId,
        r: &GroupReaction,
    ) -> Result<(), HistoryError> {
        apply_reaction(&self.db, &id.to_string(), r).map(drop)
    }

    /// The group message `hash`.
    pub fn group_message(
        &self,
        id: &GroupId,
        hash: &str,
    ) -> Result<Option<GroupMessage>, HistoryError> {
        let m = self
            .db
            .query_row(
                &format!("SELECT {COLUMNS} FROM group_messages WHERE group_id = ?1 AND hash = ?2"),
                params![id.to_string(), hash],
                read_row,
            )
            .optional()?;
        m.map(|mut m| {
            m.reactions = reactions_of(&self.db, &m.hash)?;
            Ok(m)
        })
        .transpose()
    }

    /// Records a message we sent to a group.
    pub fn record_group_message(&self, m: &GroupMessage) -> Result<(), HistoryError> {
        insert_message(&self.db, m).map(drop)
    }

    /// The hashes of `sender`'s messages in the group sent up to `up_to_ms`.
    pub fn group_hashes_of(
        &self,
        id: &GroupId,
        sender: &str,
        up_to_ms: u64,
    ) -> Result<Vec<String>, HistoryError> {
        let mut st = self.db.prepare(
            "SELECT hash FROM group_messages WHERE group_id = ?1 AND sender = ?2
             AND sent_at_ms <= ?3",
        )?;
        let rows = st.query_map(params![id.to_string(), sender, ms(up_to_ms)], |r| r.get(0))?;
        Ok(rows.collect::<Result<_, _>>()?)
    }

    /// Deletes messages of the group (deleted for everyone) with their reactions; returns
    /// how many were here.
    pub fn delete_group_messages(
        &self,
        id: &GroupId,
        hashes: &[String],
    ) -> Result<usize, HistoryError> {
        self.change(|db, _| delete_messages(db, &id.to_string(), hashes))
    }
}

/// Deletes messages of the group `gid` and their reactions; returns how many were here.
pub(super) fn delete_messages(
    db: &Connection,
    gid: &str,
    hashes: &[String],
) -> Result<usize, HistoryError> {
    let mut n = 0;
    for h in hashes {
        let here = db.execute(
            "DELETE FROM group_messages WHERE group_id = ?1 AND hash = ?2",
            params![gid, h],
        )?;
        if here > 0 {
            db.execute("DELETE FROM group_reactions WHERE hash = ?1", [h])?;
        }
        n += here;
    }
    Ok(n)
}

/// Deletes the group messages (and their reactions) whose time ran out by `now_ms`.
pub(crate) fn sweep(db: &Connection, now_ms: u64) -> Result<usize, HistoryError> {
    db.execute(
        "DELETE FROM group_reactions WHERE hash IN
             (SELECT hash FROM group_messages WHERE expires_at_ms <= ?1)",
        [ms(now_ms)],
    )?;
    Ok(db.execute(
        "DELETE FROM group_messages WHERE expires_at_ms <= ?1",
        [ms(now_ms)],
    )?)
}

/// Inserts a message; false when it was there already.
pub(super) fn insert_message(db: &Connection, m: &GroupMessage) -> Result<bool, HistoryError> {
    let n = db.execute(
        "INSERT OR IGNORE INTO group_messages
             (hash, group_id, sender, text, sent_at_ms, outgoing, kind, quote_author, quote_ms,
              expires_at_ms)
         VALUES (?1, ?2, ?3, ?4, ?5, ?6, ?7, ?8, ?9, ?10)",
        params![
            m.hash,
            m.group_id,
            m.sender,
            m.text,
            ms(m.sent_at_ms),
            m.outgoing,
            m.kind,
            m.quote.as_ref().map(|q| q.0.clone()),
            m.quote.as_ref().map(|q| ms(q.1)),
            m.expires_at_ms.map(ms)
        ],
    )?;
    Ok(n == 1)
}

fn reactions_of(db: &Connection, hash: &str) -> Result<Vec<String>, HistoryError> {
    let mut st =
        db.prepare("SELECT emoji, reactor FROM group_reactions WHERE hash = ?1 ORDER BY rowid")?;
    let rows = st.query_map([hash], |r| {
        Ok(format!(
            "{} {}",
            r.get::<_, String>(0)?,
            r.get::<_, String>(1)?
        ))
    })?;
    Ok(rows.collect::<Result<_, _>>()?)
}

/// A reaction to the group message of `author` sent at `sent_at_ms`; false when that message
/// is not here.
pub(super) fn apply_reaction(
    db: &Connection,
    gid: &str,
    r: &GroupReaction,
) -> Result<bool, HistoryError> {
    let hash: Option<String> = db
        .query_row(
            "SELECT hash FROM group_messages WHERE group_id = ?1 AND sender = ?2
             AND sent_at_ms = ?3",
            params![gid, r.author, ms(r.sent_at_ms)],
            |row| row.get(0),
        )
        .optional()?;
    let Some(hash) = hash else {
        return Ok(false);
    };
    if r.remove {
        db.execute(
            "DELETE FROM group_reactions WHERE hash = ?1 AND reactor = ?2 AND emoji = ?3",
            params![hash, r.reactor, r.emoji],
        )?;
    } else {
        db.execute(
            "INSERT OR IGNORE INTO group_reactions (hash, reactor, emoji) VALUES (?1, ?2, ?3)",
            params![hash, r.reactor, r.emoji],
        )?;
    }
    Ok(true)
}

/// A reaction (or its removal) to a group message.
#[derive(Clone, Debug, PartialEq, Eq)]
pub struct GroupReaction {
    /// The reacted-to message's author.
    pub author: String,
    /// Its send time, ms.
    pub sent_at_ms: u64,
    /// Who reacts.
    pub reactor: String,
    /// The emoji.
    pub emoji: String,
    /// Taken back.
    pub remove: bool,
}
