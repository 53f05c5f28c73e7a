//! The in-process bound: the request's own work, on one thread, in a database of its own (the
//! same schema and settings, through `session_community::db::open`):
//!
//! * post: the X-SOGS header check (`session_sogs` parse + verify), the post's signature check
//!   (Ed25519 by the poster's blinded key) and the message's transaction as the server runs it
//!   (`api/messages/write.rs` `post`: the room's next seqno, the insert, the commit);
//! * poll: the X-SOGS header check and the select of 100 messages that `since` runs
//!   (`api/messages/read.rs` `list`, for a user who is not a moderator), rows read out.
//!
//! Left out on purpose (the ratio shows them as overhead): the auth step's nonce and activity
//! writes, the room activity record, permissions, JSON and base64, per-message reaction
//! lookups, HTTP.

use crate::requests::{POLL_LIMIT, ROOM, Signed};
use rusqlite::{Connection, TransactionBehavior, params};
use session_community::{Config, admin::Admin, db};
use session_crypto::Ed25519PublicKey;
use session_crypto::blinding::ServerPubkey;
use session_sogs::RawAuth;
use std::time::{Duration, Instant};

/// How long each part is timed.
const PART: Duration = Duration::from_secs(2);

/// The message select of `since` (no `t=r`), for an authenticated non-moderator.
const SINCE_SQL: &str = "SELECT m.id, u.session_id, m.posted, m.edited, m.seqno, m.seqno_data,
        m.seqno_reactions, m.data, m.signature, w.session_id, m.whisper_mods
    FROM messages m JOIN users u ON u.id = m.user LEFT JOIN users w ON w.id = m.whisper
    WHERE m.room = :room AND (m.data IS NOT NULL OR m.seqno_creation <= :arg) AND m.seqno > :arg
        AND m.seqno_data > :arg AND (m.whisper = :user OR (m.whisper IS NULL AND NOT m.whisper_mods))
    ORDER BY m.seqno ASC LIMIT :limit";

/// Mean time of one request's part, microseconds.
pub type Parts = Vec<(&'static str, f64)>;

/// Operations per second of one thread doing all `parts` one after another.
pub fn ops_per_s(parts: &Parts) -> f64 {
    1e6 / parts.iter().map(|(_, us)| us).sum::<f64>()
}

/// Runs `f(i)` for at least [`PART`] and `min` calls; microseconds per call.
fn time(min: usize, mut f: impl FnMut(usize)) -> f64 {
    let start = Instant::now();
    let mut n = 0;
    while n < min || start.elapsed() < PART {
        f(n);
        n += 1;
    }
    start.elapsed().as_secs_f64() * 1e6 / n as f64
}

fn now() -> f64 {
    std::time::SystemTime::now()
        .duration_since(std::time::UNIX_EPOCH)
        .map_or(0.0, |d| d.as_secs_f64())
}

/// The bound's database: a room and one user.
pub struct BoundDb {
    conn: Connection,
    room: i64,
    user: i64,
    _dir: tempfile::TempDir,
}

impl BoundDb {
    pub fn new() -> Self {
        let dir = tempfile::tempdir().expect("temp dir");
        Admin::open(Config::new(dir.path()))
            .expect("admin")
            .room_add(ROOM, "Bench", None)
            .expect("room");
        let conn = db::open(dir.path()).expect("database");
        let room = conn
            .query_row("SELECT id FROM rooms WHERE token = ?1", [ROOM], |r| {
                r.get(0)
            })
            .expect("room id");
        conn.execute(
            "INSERT INTO users (session_id, created, last_active) VALUES (?1, ?2, ?2)",
            params![format!("15{}", "ab".repeat(32)), now()],
        )
        .expect("user");
        let user = conn.last_insert_rowid();
        Self {
            conn,
            room,
            user,
            _dir: dir,
        }
    }
}

/// The X-SOGS check of `r`, as the auth step does it (timestamp window included).
fn check_headers(pk: &ServerPubkey, r: &Signed) {
    let raw = RawAuth::from_headers(r.headers.pairs());
    let parsed = raw.parse(true).expect("parses").expect("signed");
    parsed.check_time(now() as i64).expect("in the window");
    let (path, query) = r.path_query();
    parsed
        .verify(pk, r.method, path, query, &r.body)
        .expect("verifies");
}

/// The parts of a post; fills the database with at least 1,000 messages.
pub fn posts(b: &mut BoundDb, pk: &ServerPubkey, reqs: &[Signed]) -> Parts {
    let pick = |i: usize| &reqs[i % reqs.len()];
    let parts = |i: usize| pick(i).post.as_ref().expect("a post");
    let headers = time(1, |i| check_headers(pk, pick(i)));
    let signature = time(1, |i| {
        let p = parts(i);
        Ed25519PublicKey::from_bytes(p.key)
            .verify(&p.data, &p.sig, "post")
            .expect("verifies");
    });
    let (room, user) = (b.room, b.user);
    let conn = &mut b.conn;
    let mut insert = |i: usize| -> rusqlite::Result<()> {
        let p = parts(i);
        let tx = conn.transaction_with_behavior(TransactionBehavior::Immediate)?;
        let seqno: i64 = tx.query_row(
            "UPDATE rooms SET message_sequence = message_sequence + 1 WHERE id = ?1
             RETURNING message_sequence",
            [room],
            |r| r.get(0),
        )?;
        tx.execute(
            "INSERT INTO messages (room, user, posted, seqno, seqno_data, seqno_creation, data,
                                   signature, whisper, whisper_mods)
             VALUES (?1, ?2, ?3, ?4, ?4, ?4, ?5, ?6, ?7, ?8)",
            params![
                room,
                user,
                now(),
                seqno,
                p.data,
                &p.sig[..],
                None::<i64>,
                false
            ],
        )?;
        tx.commit()
    };
    let sql = time(1000, |i| insert(i).expect("insert"));
    vec![
        ("X-SOGS check", headers),
        ("post signature", signature),
        ("insert transaction", sql),
    ]
}

/// The parts of a poll (over the messages [`posts`] left).
pub fn polls(b: &BoundDb, pk: &ServerPubkey, reqs: &[Signed]) -> Parts {
    let headers = time(1, |i| check_headers(pk, &reqs[i % reqs.len()]));
    let count: i64 = b
        .conn
        .query_row("SELECT COUNT(*) FROM messages", [], |r| r.get(0))
        .expect("count");
    let mut st = b.conn.prepare_cached(SINCE_SQL).expect("prepare");
    let sql = time(1, |i| {
        let since = (i as i64 * 7919) % (count - POLL_LIMIT).max(1);
        let rows = st
            .query_map(
                rusqlite::named_params! {":room": b.room, ":arg": since, ":limit": POLL_LIMIT,
                ":user": b.user},
                |r| {
                    Ok((
                        r.get::<_, i64>(0)?,
                        r.get::<_, String>(1)?,
                        r.get::<_, f64>(2)?,
                        r.get::<_, Option<f64>>(3)?,
                        (
                            r.get::<_, i64>(4)?,
                            r.get::<_, i64>(5)?,
                            r.get::<_, i64>(6)?,
                        ),
                        r.get::<_, Option<Vec<u8>>>(7)?,
                        r.get::<_, Option<Vec<u8>>>(8)?,
                        r.get::<_, Option<String>>(9)?,
                        r.get::<_, bool>(10)?,
                    ))
                },
            )
            .expect("select")
            .collect::<rusqlite::Result<Vec<_>>>()
            .expect("rows");
        assert_eq!(rows.len() as i64, POLL_LIMIT);
    });
    vec![("X-SOGS check", headers), ("select 100 messages", sql)]
}
