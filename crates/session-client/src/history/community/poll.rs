//! Applying one server's poll: every room's changes, the DMs and all cursors in one
//! transaction, so a client stopped mid-poll neither loses nor repeats anything, and a room
//! whose answer was unusable keeps its cursor.

use super::types::{Dm, Perms, Post, Reaction};
use super::{Upserted, canonical, ensure_rows, set_reactions, upsert_post};
use crate::history::{History, HistoryError, ms};
use rusqlite::{Connection, params};

/// A change to one post.
#[derive(Clone, Debug, PartialEq, Eq)]
pub enum RoomChange {
    /// A new or edited post (verified).
    Upsert(Post),
    /// A post the server deleted.
    Delete(i64),
    /// A post's reactions changed.
    Reactions(i64, Vec<Reaction>),
    /// A post that was refused (bad signature, unreadable): skipped, its seqno passed.
    Skipped(i64),
}

/// What one room's part of a poll brought.
#[derive(Clone, Debug, Default, PartialEq, Eq)]
pub struct RoomPoll {
    /// Room token.
    pub token: String,
    /// Server key (for a room joined on another device, recorded here at its first poll).
    pub pubkey: [u8; 32],
    /// The new cursor (`None`: leave it).
    pub seqno: Option<i64>,
    /// The new info version and room name, when the room's details came.
    pub info: Option<(i64, String)>,
    /// Our rights, when poll info came.
    pub perms: Option<Perms>,
    /// The changes, in seqno order.
    pub changes: Vec<RoomChange>,
}

/// What one server's poll brought.
#[derive(Clone, Debug, Default, PartialEq, Eq)]
pub struct ServerPoll {
    /// Canonical base URL.
    pub base_url: String,
    /// Its capabilities, when they came.
    pub capabilities: Option<Vec<String>>,
    /// Each polled room.
    pub rooms: Vec<RoomPoll>,
    /// DMs (inbox and outbox), verified and decrypted.
    pub dms: Vec<Dm>,
    /// New inbox cursor.
    pub inbox_since: Option<i64>,
    /// New outbox cursor.
    pub outbox_since: Option<i64>,
    /// Items refused (bad signatures, DMs that do not decrypt), one line each.
    pub refused: Vec<String>,
}

/// What a poll changed here.
#[derive(Clone, Debug, Default, PartialEq, Eq)]
pub struct CommunityApplied {
    /// New posts: (base URL, token, post).
    pub new: Vec<(String, String, Post)>,
    /// Edited posts.
    pub edited: Vec<(String, String, Post)>,
    /// Deleted posts (base URL, token, id) that were here.
    pub deleted: Vec<(String, String, i64)>,
    /// Reaction changes (base URL, token, id, reactions).
    pub reactions: Vec<(String, String, i64, Vec<Reaction>)>,
    /// New DMs (base URL, DM).
    pub dms: Vec<(String, Dm)>,
    /// Items refused.
    pub refused: Vec<String>,
}

fn apply_room(
    db: &Connection,
    base: &str,
    r: &RoomPoll,
    out: &mut CommunityApplied,
) -> Result<(), HistoryError> {
    let (_, room) = canonical(base, &r.token)?;
    ensure_rows(db, base, &room, &r.token, &r.pubkey)?;
    let here = |id: i64| -> Result<bool, HistoryError> {
        Ok(db.query_row(
            "SELECT COUNT(*) FROM community_posts WHERE base_url = ?1 AND room = ?2 AND id = ?3",
            params![base, room, id],
            |row| row.get::<_, i64>(0),
        )? > 0)
    };
    for c in &r.changes {
        match c {
            RoomChange::Upsert(p) => {
                let entry = (base.to_owned(), r.token.clone(), p.clone());
                match upsert_post(db, base, &room, p)? {
                    Upserted::New => out.new.push(entry),
                    Upserted::Changed => out.edited.push(entry),
                    Upserted::Same => {}
                }
            }
            RoomChange::Delete(id) => {
                if here(*id)? {
                    out.deleted.push((base.to_owned(), r.token.clone(), *id));
                }
                for table in ["community_posts", "community_reactions"] {
                    db.execute(
                        &format!(
                            "DELETE FROM {table} WHERE base_url = ?1 AND room = ?2 AND id = ?3"
                        ),
                        params![base, room, id],
                    )?;
                }
            }
            RoomChange::Reactions(id, rx) => {
                if here(*id)? {
                    set_reactions(db, base, &room, *id, rx)?;
                    out.reactions
                        .push((base.to_owned(), r.token.clone(), *id, rx.clone()));
                }
            }
            RoomChange::Skipped(_) => {}
        }
    }
    if let Some(seqno) = r.seqno {
        db.execute(
            "UPDATE community_rooms SET seqno = MAX(COALESCE(seqno, 0), ?3)
             WHERE base_url = ?1 AND room = ?2",
            params![base, room, seqno],
        )?;
    }
    if let Some((info_updates, name)) = &r.info {
        db.execute(
            "UPDATE community_rooms SET info_updates = ?3, name = ?4
             WHERE base_url = ?1 AND room = ?2",
            params![base, room, info_updates, name],
        )?;
    }
    if let Some(p) = r.perms {
        db.execute(
            "UPDATE community_rooms SET perms = ?3 WHERE base_url = ?1 AND room = ?2",
            params![base, room, p.to_json()],
        )?;
    }
    Ok(())
}

pub(super) fn insert_dm(db: &Connection, base: &str, d: &Dm) -> Result<bool, HistoryError> {
    let n = db.execute(
        "INSERT OR IGNORE INTO community_dms
             (base_url, id, outgoing, peer, peer_session_id, text, posted_ms)
         VALUES (?1, ?2, ?3, ?4, ?5, ?6, ?7)",
        params![
            base,
            d.id,
            d.outgoing,
            d.peer,
            d.peer_session_id,
            d.text,
            ms(d.posted_ms)
        ],
    )?;
    Ok(n > 0)
}

impl History {
    /// Applies one server's poll in one transaction: posts, deletions, reactions, DMs, room
    /// info and every cursor. Rooms no longer joined (left meanwhile) are skipped.
    pub fn apply_community_poll(&self, p: &ServerPoll) -> Result<CommunityApplied, HistoryError> {
        let base =
            session_config::community::canonical_url(&p.base_url).map_err(HistoryError::Config)?;
        self.change(|db, cfg| {
            let joined = cfg.map(|c| c.groups.communities()).unwrap_or_default();
            let mut out = CommunityApplied {
                refused: p.refused.clone(),
                ..CommunityApplied::default()
            };
            for r in &p.rooms {
                let still = joined
                    .iter()
                    .any(|c| c.base_url == base && c.room.eq_ignore_ascii_case(&r.token));
                if still {
                    apply_room(db, &base, r, &mut out)?;
                }
            }
            if let Some(caps) = &p.capabilities {
                db.execute(
                    "UPDATE community_servers SET capabilities = ?2 WHERE base_url = ?1",
                    params![base, caps.join(",")],
                )?;
            }
            for d in &p.dms {
                if insert_dm(db, &base, d)? {
                    out.dms.push((base.clone(), d.clone()));
                }
            }
            db.execute(
                "UPDATE community_servers SET inbox_since = MAX(inbox_since, ?2),
                     outbox_since = MAX(outbox_since, ?3) WHERE base_url = ?1",
                params![
                    base,
                    p.inbox_since.unwrap_or(0),
                    p.outbox_since.unwrap_or(0)
                ],
            )?;
            Ok(out)
        })
    }
}
