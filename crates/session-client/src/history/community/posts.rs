//! Reading a room's posts, its read mark, and the posts this device changes itself.

use super::types::{Post, Reaction};
use super::{POST_COLUMNS, canonical, need, post_row, read_mark, upsert_post};
use crate::history::{History, HistoryError};
use rusqlite::{OptionalExtension as _, params};
use session_config::user::ConvoCommunity;

impl History {
    /// The newest `limit` posts of a room, oldest first, with their reactions.
    pub fn community_posts(
        &self,
        base_url: &str,
        token: &str,
        limit: usize,
    ) -> Result<Vec<Post>, HistoryError> {
        let (base, room) = canonical(base_url, token)?;
        let mut st = self.db.prepare(&format!(
            "SELECT {POST_COLUMNS} FROM community_posts WHERE base_url = ?1 AND room = ?2
             ORDER BY id DESC LIMIT ?3"
        ))?;
        let mut posts = st
            .query_map(
                params![base, room, i64::try_from(limit).unwrap_or(i64::MAX)],
                post_row,
            )?
            .collect::<rusqlite::Result<Vec<_>>>()?;
        posts.reverse();
        for p in &mut posts {
            p.reactions = self.community_reactions(&base, &room, p.id)?;
        }
        Ok(posts)
    }

    /// One post of a room.
    pub fn community_post(
        &self,
        base_url: &str,
        token: &str,
        id: i64,
    ) -> Result<Option<Post>, HistoryError> {
        let (base, room) = canonical(base_url, token)?;
        let post = self
            .db
            .query_row(
                &format!(
                    "SELECT {POST_COLUMNS} FROM community_posts
                     WHERE base_url = ?1 AND room = ?2 AND id = ?3"
                ),
                params![base, room, id],
                post_row,
            )
            .optional()?;
        match post {
            Some(mut p) => {
                p.reactions = self.community_reactions(&base, &room, id)?;
                Ok(Some(p))
            }
            None => Ok(None),
        }
    }

    fn community_reactions(
        &self,
        base: &str,
        room: &str,
        id: i64,
    ) -> Result<Vec<Reaction>, HistoryError> {
        let mut st = self.db.prepare_cached(
            "SELECT emoji, count, you, reactors, idx FROM community_reactions
             WHERE base_url = ?1 AND room = ?2 AND id = ?3 ORDER BY idx, emoji",
        )?;
        let rows = st.query_map(params![base, room, id], |r| {
            Ok(Reaction {
                emoji: r.get(0)?,
                count: r.get(1)?,
                you: r.get(2)?,
                reactors: serde_json::from_str(&r.get::<_, String>(3)?).unwrap_or_default(),
                index: r.get(4)?,
            })
        })?;
        Ok(rows.collect::<rusqlite::Result<_>>()?)
    }

    /// Marks a room read up to its newest post (`ConvoInfoVolatile`); true when the mark
    /// moved.
    pub fn community_mark_read(&self, base_url: &str, token: &str) -> Result<bool, HistoryError> {
        let (base, room) = canonical(base_url, token)?;
        self.change(|db, cfg| {
            let cfg = need(cfg)?;
            let newest: Option<i64> = db.query_row(
                "SELECT MAX(posted_ms) FROM community_posts WHERE base_url = ?1 AND room = ?2",
                params![base, room],
                |r| r.get(0),
            )?;
            let Some(newest) = newest else {
                return Ok(false);
            };
            let Some(info) = cfg
                .groups
                .get_community(&base, &room)
                .map_err(HistoryError::Config)?
            else {
                return Ok(false);
            };
            if read_mark(Some(cfg), &base, &room) >= newest {
                return Ok(false);
            }
            let c = ConvoCommunity {
                base_url: base.clone(),
                room: room.clone(),
                pubkey: info.pubkey,
                last_read: newest,
                unread: false,
            };
            cfg.convos
                .set_community(&c, newest)
                .map_err(HistoryError::Config)?;
            Ok(true)
        })
    }

    /// Records a post we made (the poll brings it again and updates it).
    pub fn community_record_post(
        &self,
        base_url: &str,
        token: &str,
        post: &Post,
    ) -> Result<(), HistoryError> {
        let (base, room) = canonical(base_url, token)?;
        upsert_post(&self.db, &base, &room, post).map(drop)
    }

    /// Removes a post here (after deleting it on the server).
    pub fn community_remove_post(
        &self,
        base_url: &str,
        token: &str,
        id: i64,
    ) -> Result<(), HistoryError> {
        let (base, room) = canonical(base_url, token)?;
        for table in ["community_posts", "community_reactions"] {
            self.db.execute(
                &format!("DELETE FROM {table} WHERE base_url = ?1 AND room = ?2 AND id = ?3"),
                params![base, room, id],
            )?;
        }
        Ok(())
    }
}
