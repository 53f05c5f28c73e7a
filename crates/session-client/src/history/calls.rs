//! Calls: the call messages polls brought (kept for their 5-minute TTL, so the process that
//! answers or declines need not be the one that polled), and the call history.

use super::{History, HistoryError, ms, unms};
use prost::Message as _;
use rusqlite::{Connection, params};
use session_call::{CALL_TTL_MS, CallSignal, Direction, HistoryEntry, Outcome};
use session_protocol::proto::CallMessage;

pub(super) const MIGRATION: &str = "CREATE TABLE call_signals (
        id INTEGER PRIMARY KEY AUTOINCREMENT,
        hash TEXT UNIQUE NOT NULL,
        sender TEXT NOT NULL,
        sent_at_ms INTEGER NOT NULL,
        message BLOB NOT NULL
    );
    CREATE TABLE calls (
        call_id TEXT PRIMARY KEY,
        peer TEXT NOT NULL,
        direction TEXT NOT NULL,
        outcome TEXT NOT NULL,
        duration_ms INTEGER NOT NULL,
        started_at_ms INTEGER NOT NULL,
        request INTEGER NOT NULL DEFAULT 0
    );
    CREATE INDEX calls_by_time ON calls (started_at_ms);";

/// A call message that a poll brought.
#[derive(Clone, Debug, PartialEq, Eq)]
pub struct CallIn {
    /// Sender's Session ID (ours for a copy from another of our devices).
    pub sender: String,
    /// Signed send time (ms).
    pub sent_at_ms: u64,
    /// Storage hash.
    pub hash: String,
    /// What it says.
    pub signal: CallSignal,
}

/// One call of the history.
#[derive(Clone, Debug, PartialEq, Eq)]
pub struct CallRecord {
    /// The call's UUID.
    pub call_id: String,
    /// The other party.
    pub peer: String,
    /// `outgoing` or `incoming`.
    pub direction: String,
    /// `answered`, `missed`, `declined`, `answered elsewhere` or `failed`.
    pub outcome: String,
    /// Connected time, ms (answered calls).
    pub duration_ms: u64,
    /// When it started, ms.
    pub started_at_ms: u64,
    /// A call from someone who is not a contact (shown in their message request).
    pub request: bool,
}

/// Keeps the call messages of a poll (each once, by hash) and forgets those past their TTL.
pub(super) fn keep_signals(
    db: &Connection,
    calls: &[CallIn],
    now_ms: u64,
) -> Result<(), HistoryError> {
    for c in calls {
        db.execute(
            "INSERT OR IGNORE INTO call_signals (hash, sender, sent_at_ms, message)
             VALUES (?1, ?2, ?3, ?4)",
            params![
                c.hash,
                c.sender,
                ms(c.sent_at_ms),
                c.signal.to_proto().encode_to_vec()
            ],
        )?;
    }
    db.execute(
        "DELETE FROM call_signals WHERE sent_at_ms < ?1",
        [ms(now_ms.saturating_sub(CALL_TTL_MS))],
    )?;
    Ok(())
}

/// How a call ended, as the history and the CLI name it, with its connected time (ms).
pub fn outcome_name(o: Outcome) -> (&'static str, u64) {
    match o {
        Outcome::Answered { duration_ms } => ("answered", duration_ms),
        Outcome::Missed => ("missed", 0),
        Outcome::Declined => ("declined", 0),
        Outcome::AnsweredElsewhere => ("answered elsewhere", 0),
        Outcome::Failed => ("failed", 0),
    }
}

/// Who called, as the history and the CLI name it.
pub fn direction_name(d: Direction) -> &'static str {
    match d {
        Direction::Outgoing => "outgoing",
        Direction::Incoming => "incoming",
    }
}

impl History {
    /// The call messages kept after row `after` and sent at or after `since_ms`, with their
    /// row ids, oldest first.
    pub fn call_signals(
        &self,
        after: i64,
        since_ms: u64,
    ) -> Result<Vec<(i64, CallIn)>, HistoryError> {
        let mut st = self.db.prepare(
            "SELECT id, hash, sender, sent_at_ms, message FROM call_signals
             WHERE id > ?1 AND sent_at_ms >= ?2 ORDER BY id",
        )?;
        let rows = st.query_map(params![after, ms(since_ms)], |r| {
            Ok((
                r.get::<_, i64>(0)?,
                r.get::<_, String>(1)?,
                r.get::<_, String>(2)?,
                r.get::<_, i64>(3)?,
                r.get::<_, Vec<u8>>(4)?,
            ))
        })?;
        let mut out = Vec::new();
        for row in rows {
            let (id, hash, sender, sent, bytes) = row?;
            let Ok(msg) = CallMessage::decode(bytes.as_slice()) else {
                continue;
            };
            let Ok(signal) = CallSignal::from_proto(&msg) else {
                continue;
            };
            out.push((
                id,
                CallIn {
                    sender,
                    sent_at_ms: unms(sent),
                    hash,
                    signal,
                },
            ));
        }
        Ok(out)
    }

    /// The newest call-message row id (0 when none).
    pub fn last_call_signal(&self) -> Result<i64, HistoryError> {
        Ok(self
            .db
            .query_row("SELECT COALESCE(MAX(id), 0) FROM call_signals", [], |r| {
                r.get(0)
            })?)
    }

    /// Adds a finished call to the history (once per call UUID).
    pub fn record_call(&self, e: &HistoryEntry, request: bool) -> Result<(), HistoryError> {
        let (outcome, duration) = outcome_name(e.outcome);
        let direction = direction_name(e.direction);
        self.db.execute(
            "INSERT OR IGNORE INTO calls
             (call_id, peer, direction, outcome, duration_ms, started_at_ms, request)
             VALUES (?1, ?2, ?3, ?4, ?5, ?6, ?7)",
            params![
                e.call.as_str(),
                e.peer.to_string(),
                direction,
                outcome,
                ms(duration),
                ms(e.started_at_ms),
                request
            ],
        )?;
        Ok(())
    }

    /// Whether the call `call_id` is in the history (it is over).
    pub fn has_call(&self, call_id: &str) -> Result<bool, HistoryError> {
        Ok(self.db.query_row(
            "SELECT EXISTS (SELECT 1 FROM calls WHERE call_id = ?1)",
            [call_id],
            |r| r.get(0),
        )?)
    }

    /// The call history, newest first.
    pub fn calls(&self) -> Result<Vec<CallRecord>, HistoryError> {
        let mut st = self.db.prepare(
            "SELECT call_id, peer, direction, outcome, duration_ms, started_at_ms, request
             FROM calls ORDER BY started_at_ms DESC, call_id",
        )?;
        let rows = st.query_map([], |r| {
            Ok(CallRecord {
                call_id: r.get(0)?,
                peer: r.get(1)?,
                direction: r.get(2)?,
                outcome: r.get(3)?,
                duration_ms: unms(r.get(4)?),
                started_at_ms: unms(r.get(5)?),
                request: r.get(6)?,
            })
        })?;
        Ok(rows.collect::<Result<_, _>>()?)
    }
}
