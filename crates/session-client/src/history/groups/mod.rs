//! Groups v2 in the local state (migration 6): each group's dumps (key ring, info, members),
//! its name and description as last seen, a copy of the members list (with invite and
//! promotion status), the group messages and the cursors of namespaces 11-14. The groups
//! themselves — joined, invited, the admin key (`K`) or our auth data (`s`) — are the
//! `UserGroups` config, so the account's other devices see them. A poll's changes and its
//! cursors commit in one transaction ([`History::apply_group_poll`], in `apply`).

mod apply;
mod messages;

pub(crate) use apply::apply_updates;
pub use apply::{GroupApplied, GroupPoll, GroupUpdateIn, Invitation};
pub(crate) use messages::sweep;
pub use messages::{GroupMessage, GroupReaction};
use messages::{apply_reaction, insert_message};

use super::{History, HistoryError, configs::UserConfigs};
use rusqlite::{Connection, OptionalExtension as _, params};
use session_config::user::{GroupInfo, GroupSeed};
use session_crypto::GroupId;
use session_group::Dumps;
use session_group::configs::{Member, status};

pub(super) const MIGRATION: &str = "
    CREATE TABLE groups (
        id TEXT PRIMARY KEY,
        name TEXT NOT NULL DEFAULT '',
        description TEXT NOT NULL DEFAULT '',
        destroyed INTEGER NOT NULL DEFAULT 0,
        invited_by TEXT,
        keys_dump BLOB,
        info_dump BLOB,
        members_dump BLOB
    );
    CREATE TABLE group_members (
        group_id TEXT NOT NULL,
        session_id TEXT NOT NULL,
        name TEXT NOT NULL,
        admin INTEGER NOT NULL,
        status TEXT NOT NULL,
        PRIMARY KEY (group_id, session_id)
    );
    CREATE TABLE group_messages (
        hash TEXT PRIMARY KEY,
        group_id TEXT NOT NULL,
        sender TEXT NOT NULL,
        text TEXT NOT NULL,
        sent_at_ms INTEGER NOT NULL,
        outgoing INTEGER NOT NULL,
        kind TEXT NOT NULL,
        quote_author TEXT,
        quote_ms INTEGER
    );
    CREATE INDEX group_messages_by_group ON group_messages (group_id, sent_at_ms);
    CREATE TABLE group_reactions (
        hash TEXT NOT NULL,
        reactor TEXT NOT NULL,
        emoji TEXT NOT NULL,
        PRIMARY KEY (hash, reactor, emoji)
    );
    CREATE TABLE group_cursors (
        group_id TEXT NOT NULL,
        namespace INTEGER NOT NULL,
        last_hash TEXT NOT NULL,
        PRIMARY KEY (group_id, namespace)
    );";

/// Migration 7: when each group message disappears (the group's timer, after send).
pub(super) const MIGRATION_EXPIRY: &str = "
    ALTER TABLE group_messages ADD COLUMN expires_at_ms INTEGER;
    CREATE INDEX group_messages_by_expiry ON group_messages (expires_at_ms)
        WHERE expires_at_ms IS NOT NULL;";

/// A group as `groups` lists it.
#[derive(Clone, Debug, PartialEq, Eq)]
pub struct GroupRow {
    /// `03…`.
    pub id: String,
    /// The name (the info config's once polled, else the invitation's).
    pub name: String,
    /// The description.
    pub description: String,
    /// We hold the group key.
    pub admin: bool,
    /// An invitation not accepted yet.
    pub invited: bool,
    /// An admin destroyed it.
    pub destroyed: bool,
}

/// One member as `group members` lists it.
#[derive(Clone, Debug, PartialEq, Eq)]
pub struct GroupMemberRow {
    /// Session ID.
    pub session_id: String,
    /// Name given by the admin.
    pub name: String,
    /// Admin.
    pub admin: bool,
    /// `admin`, `promoted` (promotion sent), `promotion_failed`, `promotion_not_sent`,
    /// `joined`, `invited`, `invite_failed`, `invite_not_sent`.
    pub status: String,
}

/// A member's status word.
pub fn status_of(m: &Member) -> &'static str {
    let word = |s: i64, words: [&'static str; 3]| match s {
        status::SENT => words[0],
        status::FAILED => words[1],
        _ => words[2],
    };
    match (m.admin, m.promotion_status, m.invite_status) {
        (true, 0, _) => "admin",
        (true, p, _) => word(p, ["promoted", "promotion_failed", "promotion_not_sent"]),
        (false, _, 0) => "joined",
        (false, _, i) => word(i, ["invited", "invite_failed", "invite_not_sent"]),
    }
}

/// The secrets a group is opened with (from `UserGroups`).
pub struct GroupSecrets {
    /// The group's entry (name, invited, `K`, `s`).
    pub entry: GroupInfo,
}

impl std::fmt::Debug for GroupSecrets {
    fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
        f.debug_struct("GroupSecrets")
            .field("entry", &self.entry)
            .finish()
    }
}

fn need(cfg: Option<&mut UserConfigs>) -> Result<&mut UserConfigs, HistoryError> {
    cfg.ok_or(HistoryError::NoAccount)
}

pub(super) fn save_state(
    db: &Connection,
    id: &GroupId,
    dumps: &Dumps,
    name: &str,
    description: &str,
    members: &[Member],
) -> Result<(), HistoryError> {
    let gid = id.to_string();
    db.execute(
        "INSERT INTO groups (id, name, description, keys_dump, info_dump, members_dump)
         VALUES (?1, ?2, ?3, ?4, ?5, ?6)
         ON CONFLICT (id) DO UPDATE SET name = excluded.name,
             description = excluded.description, keys_dump = excluded.keys_dump,
             info_dump = excluded.info_dump, members_dump = excluded.members_dump",
        params![
            gid,
            name,
            description,
            dumps.keys.as_ref().map(|k| k.to_vec()),
            dumps.info,
            dumps.members
        ],
    )?;
    db.execute("DELETE FROM group_members WHERE group_id = ?1", [&gid])?;
    for m in members {
        db.execute(
            "INSERT INTO group_members (group_id, session_id, name, admin, status)
             VALUES (?1, ?2, ?3, ?4, ?5)",
            params![gid, m.session_id.to_string(), m.name, m.admin, status_of(m)],
        )?;
    }
    Ok(())
}

impl History {
    /// The group's entry in `UserGroups`, if we are in it or invited to it.
    pub fn group_secrets(&self, id: &GroupId) -> Result<Option<GroupSecrets>, HistoryError> {
        Ok(self
            .user_configs()?
            .groups
            .get_group(id)
            .map(|entry| GroupSecrets { entry }))
    }

    /// The group's dumps (all `None` before its first poll or push).
    pub fn group_dumps(&self, id: &GroupId) -> Result<Dumps, HistoryError> {
        let row = self
            .db
            .query_row(
                "SELECT keys_dump, info_dump, members_dump FROM groups WHERE id = ?1",
                [id.to_string()],
                |r| {
                    Ok((
                        r.get::<_, Option<Vec<u8>>>(0)?,
                        r.get::<_, Option<Vec<u8>>>(1)?,
                        r.get::<_, Option<Vec<u8>>>(2)?,
                    ))
                },
            )
            .optional()?;
        let Some((keys, info, members)) = row else {
            return Ok(Dumps::default());
        };
        Ok(Dumps {
            keys: keys.map(zeroize::Zeroizing::new),
            info,
            members,
        })
    }

    /// Records a group we created, joined or changed as an admin: `UserGroups` gets `entry`
    /// (with `K` or `s`), the local rows the dumps, name, description and members.
    pub fn save_group(
        &self,
        entry: Option<&GroupInfo>,
        dumps: &Dumps,
        info: (&str, &str),
        members: &[Member],
        id: &GroupId,
    ) -> Result<(), HistoryError> {
        self.change(|db, cfg| {
            if let Some(e) = entry {
                need(cfg)?
                    .groups
                    .set_group(e)
                    .map_err(HistoryError::Config)?;
            }
            save_state(db, id, dumps, info.0, info.1, members)
        })
    }

    /// Sets `UserGroups`' entry of a group (accepting an invitation, a promotion).
    pub fn set_group_entry(&self, entry: &GroupInfo) -> Result<(), HistoryError> {
        self.change(|_, cfg| {
            need(cfg)?
                .groups
                .set_group(entry)
                .map_err(HistoryError::Config)
        })
    }

    /// Forgets a group: its `UserGroups` entry and every local row. True when it was known.
    pub fn forget_group(&self, id: &GroupId) -> Result<bool, HistoryError> {
        let gid = id.to_string();
        self.change(|db, cfg| {
            let was = need(cfg)?
                .groups
                .erase_group(id)
                .map_err(HistoryError::Config)?;
            let mut n = 0;
            db.execute(
                "DELETE FROM group_reactions WHERE hash IN
                     (SELECT hash FROM group_messages WHERE group_id = ?1)",
                [&gid],
            )?;
            for t in ["groups", "group_members", "group_messages", "group_cursors"] {
                let col = if t == "groups" { "id" } else { "group_id" };
                n += db.execute(&format!("DELETE FROM {t} WHERE {col} = ?1"), [&gid])?;
            }
            Ok(was || n > 0)
        })
    }

    /// Every group of `UserGroups` with what this device knows of it.
    pub fn groups(&self) -> Result<Vec<GroupRow>, HistoryError> {
        let mut out = Vec::new();
        for g in self.user_configs()?.groups.groups() {
            let id = g.id.to_string();
            let row = self
                .db
                .query_row(
                    "SELECT name, description, destroyed FROM groups WHERE id = ?1",
                    [&id],
                    |r| Ok((r.get::<_, String>(0)?, r.get(1)?, r.get(2)?)),
                )
                .optional()?;
            let (name, description, destroyed) = row.unwrap_or_default();
            out.push(GroupRow {
                name: if name.is_empty() {
                    g.name.clone()
                } else {
                    name
                },
                description,
                admin: g.secret.is_some(),
                invited: g.common.invited,
                destroyed,
                id,
            });
        }
        Ok(out)
    }

    /// The group's members as last seen.
    pub fn group_members(&self, id: &GroupId) -> Result<Vec<GroupMemberRow>, HistoryError> {
        let mut st = self.db.prepare(
            "SELECT session_id, name, admin, status FROM group_members
             WHERE group_id = ?1 ORDER BY session_id",
        )?;
        let rows = st.query_map([id.to_string()], |r| {
            Ok(GroupMemberRow {
                session_id: r.get(0)?,
                name: r.get(1)?,
                admin: r.get(2)?,
                status: r.get(3)?,
            })
        })?;
        Ok(rows.collect::<Result<_, _>>()?)
    }

    /// The cursor of the group's `namespace` ("" before the first poll).
    pub fn group_cursor(&self, id: &GroupId, namespace: i16) -> Result<String, HistoryError> {
        Ok(self
            .db
            .query_row(
                "SELECT last_hash FROM group_cursors WHERE group_id = ?1 AND namespace = ?2",
                params![id.to_string(), namespace],
                |r| r.get(0),
            )
            .optional()?
            .unwrap_or_default())
    }
}

/// The admin key of an entry, as `session-group` takes it.
pub fn admin_of(entry: &GroupInfo) -> Option<session_group::GroupAdmin> {
    entry.secret.as_ref().map(|s: &GroupSeed| {
        session_group::GroupAdmin::from_seed(session_crypto::Seed::from_bytes(*s.expose_secret()))
    })
}

#[cfg(test)]
mod tests;
