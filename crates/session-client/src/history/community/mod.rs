//! Communities in the local state (migration 5): the joined rooms' poll state (message
//! sequence cursor, info version, our permissions), their posts and reactions, each server's
//! capabilities and DM cursors, and the blinded DMs. The list of joined rooms is the
//! `UserGroups` config (so the account's other devices join too); read state is in
//! `ConvoInfoVolatile`. A poll's changes and its cursors commit in one transaction
//! ([`History::apply_community_poll`], in `community_poll`).

mod dm;
mod poll;
mod posts;
mod types;

pub use dm::BlindedPeer;
pub use poll::{CommunityApplied, RoomChange, RoomPoll, ServerPoll};
pub use types::{Dm, Joined, JoinedRoom, Perms, Post, Reaction, ServerState};

use super::{History, HistoryError, configs::UserConfigs, ms, unms};
use rusqlite::{Connection, OptionalExtension as _, params};
use session_config::user::{CommunityInfo, ConvoCommunity, GroupCommon};

pub(super) const MIGRATION: &str = "
    CREATE TABLE community_servers (
        base_url TEXT PRIMARY KEY,
        pubkey TEXT NOT NULL,
        capabilities TEXT,
        inbox_since INTEGER NOT NULL DEFAULT 0,
        outbox_since INTEGER NOT NULL DEFAULT 0
    );
    CREATE TABLE community_rooms (
        base_url TEXT NOT NULL,
        room TEXT NOT NULL,
        token TEXT NOT NULL,
        name TEXT NOT NULL DEFAULT '',
        seqno INTEGER,
        info_updates INTEGER NOT NULL DEFAULT 0,
        perms TEXT NOT NULL DEFAULT '{}',
        PRIMARY KEY (base_url, room)
    );
    CREATE TABLE community_posts (
        base_url TEXT NOT NULL,
        room TEXT NOT NULL,
        id INTEGER NOT NULL,
        seqno INTEGER NOT NULL,
        sender TEXT NOT NULL,
        sender_name TEXT,
        text TEXT NOT NULL,
        posted_ms INTEGER NOT NULL,
        sent_ms INTEGER NOT NULL,
        edited_ms INTEGER,
        quote_author TEXT,
        quote_ms INTEGER,
        mine INTEGER NOT NULL DEFAULT 0,
        PRIMARY KEY (base_url, room, id)
    );
    CREATE TABLE community_reactions (
        base_url TEXT NOT NULL,
        room TEXT NOT NULL,
        id INTEGER NOT NULL,
        emoji TEXT NOT NULL,
        count INTEGER NOT NULL,
        you INTEGER NOT NULL,
        reactors TEXT NOT NULL,
        idx INTEGER NOT NULL,
        PRIMARY KEY (base_url, room, id, emoji)
    );
    CREATE TABLE community_dms (
        base_url TEXT NOT NULL,
        id INTEGER NOT NULL,
        outgoing INTEGER NOT NULL,
        peer TEXT NOT NULL,
        peer_session_id TEXT,
        text TEXT NOT NULL,
        posted_ms INTEGER NOT NULL,
        PRIMARY KEY (base_url, outgoing, id)
    );
    CREATE INDEX community_dms_by_peer ON community_dms (peer, posted_ms);";

fn canonical(base_url: &str, token: &str) -> Result<(String, String), HistoryError> {
    let base = session_config::community::canonical_url(base_url).map_err(HistoryError::Config)?;
    let room = session_config::community::canonical_room(token).map_err(HistoryError::Config)?;
    Ok((base, room))
}

fn need(cfg: Option<&mut UserConfigs>) -> Result<&mut UserConfigs, HistoryError> {
    cfg.ok_or(HistoryError::NoAccount)
}

pub(super) fn ensure_rows(
    db: &Connection,
    base: &str,
    room: &str,
    token: &str,
    pubkey: &[u8; 32],
) -> Result<(), HistoryError> {
    db.execute(
        "INSERT OR IGNORE INTO community_servers (base_url, pubkey) VALUES (?1, ?2)",
        params![base, hex::encode(pubkey)],
    )?;
    db.execute(
        "INSERT OR IGNORE INTO community_rooms (base_url, room, token) VALUES (?1, ?2, ?3)",
        params![base, room, token],
    )?;
    Ok(())
}

pub(super) fn upsert_post(
    db: &Connection,
    base: &str,
    room: &str,
    p: &Post,
) -> Result<Upserted, HistoryError> {
    let before: Option<(String, Option<i64>)> = db
        .query_row(
            "SELECT text, edited_ms FROM community_posts
             WHERE base_url = ?1 AND room = ?2 AND id = ?3",
            params![base, room, p.id],
            |r| Ok((r.get(0)?, r.get(1)?)),
        )
        .optional()?;
    let (qa, qm) = p
        .quote
        .as_ref()
        .map_or((None, None), |(a, m)| (Some(a.as_str()), Some(ms(*m))));
    db.execute(
        "INSERT INTO community_posts (base_url, room, id, seqno, sender, sender_name, text,
             posted_ms, sent_ms, edited_ms, quote_author, quote_ms, mine)
         VALUES (?1, ?2, ?3, ?4, ?5, ?6, ?7, ?8, ?9, ?10, ?11, ?12, ?13)
         ON CONFLICT (base_url, room, id) DO UPDATE SET seqno = excluded.seqno,
             sender_name = excluded.sender_name, text = excluded.text,
             edited_ms = excluded.edited_ms, quote_author = excluded.quote_author,
             quote_ms = excluded.quote_ms",
        params![
            base,
            room,
            p.id,
            p.seqno,
            p.sender,
            p.sender_name,
            p.text,
            ms(p.posted_ms),
            ms(p.sent_ms),
            p.edited_ms.map(ms),
            qa,
            qm,
            p.mine
        ],
    )?;
    set_reactions(db, base, room, p.id, &p.reactions)?;
    Ok(match before {
        None => Upserted::New,
        Some((text, edited)) if text != p.text || edited != p.edited_ms.map(ms) => {
            Upserted::Changed
        }
        Some(_) => Upserted::Same,
    })
}

/// What storing a post did.
#[derive(Clone, Copy, Debug, PartialEq, Eq)]
pub(super) enum Upserted {
    /// It was not here.
    New,
    /// Its text (an edit) changed.
    Changed,
    /// Nothing but perhaps its reactions.
    Same,
}

pub(super) fn set_reactions(
    db: &Connection,
    base: &str,
    room: &str,
    id: i64,
    reactions: &[Reaction],
) -> Result<(), HistoryError> {
    db.execute(
        "DELETE FROM community_reactions WHERE base_url = ?1 AND room = ?2 AND id = ?3",
        params![base, room, id],
    )?;
    for r in reactions {
        db.execute(
            "INSERT OR REPLACE INTO community_reactions
                 (base_url, room, id, emoji, count, you, reactors, idx)
             VALUES (?1, ?2, ?3, ?4, ?5, ?6, ?7, ?8)",
            params![
                base,
                room,
                id,
                r.emoji,
                r.count,
                r.you,
                serde_json::to_string(&r.reactors).unwrap_or_default(),
                r.index
            ],
        )?;
    }
    Ok(())
}

pub(super) fn read_mark(cfg: Option<&UserConfigs>, base: &str, room: &str) -> i64 {
    cfg.and_then(|c| c.convos.get_community(base, room).ok().flatten())
        .map_or(0, |c| c.last_read)
}

pub(super) fn post_row(r: &rusqlite::Row<'_>) -> rusqlite::Result<Post> {
    let qa: Option<String> = r.get(9)?;
    let qm: Option<i64> = r.get(10)?;
    Ok(Post {
        id: r.get(0)?,
        seqno: r.get(1)?,
        sender: r.get(2)?,
        sender_name: r.get(3)?,
        text: r.get(4)?,
        posted_ms: unms(r.get(5)?),
        sent_ms: unms(r.get(6)?),
        edited_ms: r.get::<_, Option<i64>>(7)?.map(unms),
        mine: r.get(8)?,
        quote: qa.zip(qm.map(unms)),
        reactions: Vec::new(),
    })
}

pub(super) const POST_COLUMNS: &str = "id, seqno, sender, sender_name, text, posted_ms, sent_ms,
    edited_ms, mine, quote_author, quote_ms";

impl History {
    /// Records a joined room: its state and recent posts here, the room in `UserGroups` and
    /// its read mark (now) in `ConvoInfoVolatile`, all in one transaction.
    pub fn community_join(&self, j: &Joined<'_>, now_ms: u64) -> Result<(), HistoryError> {
        let (base, room) = canonical(j.base_url, j.token)?;
        self.change(|db, cfg| {
            let cfg = need(cfg)?;
            ensure_rows(db, &base, &room, j.token, &j.pubkey)?;
            db.execute(
                "UPDATE community_servers SET pubkey = ?2, capabilities = ?3 WHERE base_url = ?1",
                params![base, hex::encode(j.pubkey), j.capabilities.join(",")],
            )?;
            db.execute(
                "UPDATE community_rooms SET token = ?3, name = ?4, seqno = ?5, info_updates = ?6,
                     perms = ?7 WHERE base_url = ?1 AND room = ?2",
                params![
                    base,
                    room,
                    j.token,
                    j.name,
                    j.seqno,
                    j.info_updates,
                    j.perms.to_json()
                ],
            )?;
            for p in j.posts {
                upsert_post(db, &base, &room, p)?;
            }
            let existing = cfg
                .groups
                .get_community(&base, j.token)
                .map_err(HistoryError::Config)?;
            let common = existing.map_or(
                GroupCommon {
                    joined_at: ms(now_ms) / 1000,
                    ..GroupCommon::default()
                },
                |c| c.common,
            );
            cfg.groups
                .set_community(&CommunityInfo {
                    base_url: base.clone(),
                    room: j.token.to_owned(),
                    pubkey: j.pubkey,
                    common,
                })
                .map_err(HistoryError::Config)?;
            let c = ConvoCommunity {
                base_url: base.clone(),
                room: room.clone(),
                pubkey: j.pubkey,
                last_read: ms(now_ms),
                unread: false,
            };
            cfg.convos
                .set_community(&c, ms(now_ms))
                .map_err(HistoryError::Config)
        })
    }

    /// Forgets a room (here, in `UserGroups` and `ConvoInfoVolatile`); true when it was
    /// joined.
    pub fn community_leave(&self, base_url: &str, token: &str) -> Result<bool, HistoryError> {
        let (base, room) = canonical(base_url, token)?;
        self.change(|db, cfg| {
            let cfg = need(cfg)?;
            let mut was = cfg
                .groups
                .erase_community(&base, &room)
                .map_err(HistoryError::Config)?;
            cfg.convos
                .erase_community(&base, &room)
                .map_err(HistoryError::Config)?;
            for table in ["community_posts", "community_reactions", "community_rooms"] {
                let n = db.execute(
                    &format!("DELETE FROM {table} WHERE base_url = ?1 AND room = ?2"),
                    params![base, room],
                )?;
                was |= table == "community_rooms" && n > 0;
            }
            Ok(was)
        })
    }

    /// The joined rooms: `UserGroups`' (rooms another device joined included) with what this
    /// device knows of them.
    pub fn community_rooms(&self) -> Result<Vec<JoinedRoom>, HistoryError> {
        // Read-only: the configs as last saved, no write lock.
        let cfg = self.user_configs()?;
        let db = &self.db;
        let cfg = &cfg;
        let mut out = Vec::new();
        for c in cfg.groups.communities() {
            let Ok((base, room)) = canonical(&c.base_url, &c.room) else {
                continue;
            };
            let row = db
                .query_row(
                    "SELECT name, seqno, info_updates, perms FROM community_rooms
                     WHERE base_url = ?1 AND room = ?2",
                    params![base, room],
                    |r| Ok((r.get(0)?, r.get(1)?, r.get(2)?, r.get::<_, String>(3)?)),
                )
                .optional()?;
            let (name, seqno, info_updates, perms) = row.unwrap_or_default();
            let mark = read_mark(Some(cfg), &base, &room);
            let unread: i64 = db.query_row(
                "SELECT COUNT(*) FROM community_posts WHERE base_url = ?1 AND room = ?2
                     AND mine = 0 AND posted_ms > ?3",
                params![base, room, mark],
                |r| r.get(0),
            )?;
            out.push(JoinedRoom {
                base_url: base,
                token: c.room,
                pubkey: c.pubkey,
                name,
                seqno,
                info_updates,
                perms: Perms::parse(&perms),
                unread: usize::try_from(unread).unwrap_or(0),
            });
        }
        Ok(out)
    }

    /// A server's poll state (default when unknown).
    pub fn community_server(&self, base_url: &str) -> Result<ServerState, HistoryError> {
        let row = self
            .db
            .query_row(
                "SELECT capabilities, inbox_since, outbox_since FROM community_servers
                 WHERE base_url = ?1",
                [base_url],
                |r| Ok((r.get::<_, Option<String>>(0)?, r.get(1)?, r.get(2)?)),
            )
            .optional()?;
        Ok(
            row.map_or_else(ServerState::default, |(caps, i, o)| ServerState {
                capabilities: caps.map(|c| {
                    c.split(',')
                        .filter(|s| !s.is_empty())
                        .map(str::to_owned)
                        .collect()
                }),
                inbox_since: i,
                outbox_since: o,
            }),
        )
    }
}
