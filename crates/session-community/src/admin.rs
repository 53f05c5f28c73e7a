//! The operator's commands (the `session-community` CLI): rooms and moderators, applied to the
//! database directly, so they work while the server runs (SQLite WAL; a writer waits for the
//! other's transaction). They bypass API permissions: whoever holds the data directory is the
//! server's owner.

use crate::api::moderation::{ModChange, apply_global_mod, apply_room_mod};
use crate::error::Error;
use crate::model::{Room, is_session_id, is_valid_token, resolve_target};
use crate::server::{Config, Server};
use crate::{db, key};
use rusqlite::{Connection, TransactionBehavior, params};
use serde::Serialize;

/// A room as the admin commands print it.
#[derive(Clone, Debug, PartialEq, Serialize)]
pub struct RoomSummary {
    /// Token.
    pub token: String,
    /// Name.
    pub name: String,
    /// Description.
    pub description: Option<String>,
    /// Creation time (unix seconds).
    pub created: f64,
    /// Live posts.
    pub messages: i64,
    /// Users active in the last 7 days.
    pub active_users: i64,
    /// Room moderators and admins (not global ones): `(session_id, admin, visible)`.
    pub moderators: Vec<ModEntry>,
}

/// One moderator entry.
#[derive(Clone, Debug, PartialEq, Eq, Serialize)]
pub struct ModEntry {
    /// Session ID.
    pub session_id: String,
    /// Admin (else moderator).
    pub admin: bool,
    /// Shown to users.
    pub visible: bool,
}

/// Where a moderator change applies.
#[derive(Clone, Debug, PartialEq, Eq)]
pub enum Scope {
    /// One room.
    Room(String),
    /// Every room (global moderator/admin).
    Global,
}

/// What a moderator command did for one ID.
#[derive(Clone, Debug, PartialEq, Eq, Serialize)]
pub struct ModResult {
    /// The ID given.
    pub session_id: String,
    /// The ID the change was recorded under (the blinded ID when its owner has been seen).
    pub applied_to: String,
    /// The room token, or `null` for global.
    pub room: Option<String>,
    /// `"admin"`, `"moderator"` or `"removed"`.
    pub role: String,
    /// Shown to users.
    pub visible: bool,
}

/// The admin commands over one data directory.
pub struct Admin {
    srv: Server,
}

impl std::fmt::Debug for Admin {
    fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
        f.debug_struct("Admin").finish_non_exhaustive()
    }
}

fn now() -> f64 {
    (crate::server::system_clock())()
}

impl Admin {
    /// Opens the data directory (creating the key and database when missing).
    pub fn open(config: Config) -> Result<Self, Error> {
        let pubkey = key::public_key(&config.data_dir, &mut rand::rng())?;
        let conn = db::open(&config.data_dir)?;
        Ok(Self {
            srv: Server::new(config, pubkey, conn),
        })
    }

    /// The server's X25519 public key, hex.
    pub fn pubkey_hex(&self) -> String {
        hex::encode(self.srv.pubkey.as_bytes())
    }

    fn tx<T>(&self, f: impl FnOnce(&Connection) -> Result<T, Error>) -> Result<T, Error> {
        let mut conn = self.srv.db.lock();
        let tx = conn
            .transaction_with_behavior(TransactionBehavior::Immediate)
            .map_err(Error::db("starting a transaction"))?;
        let out = f(&tx)?;
        tx.commit().map_err(Error::db("committing"))?;
        Ok(out)
    }

    /// Creates a room.
    pub fn room_add(
        &self,
        token: &str,
        name: &str,
        description: Option<&str>,
    ) -> Result<RoomSummary, Error> {
        if !is_valid_token(token) {
            return Err(Error::Invalid(format!(
                "invalid room token `{token}`: use 1 to 64 letters, digits, `_` or `-`"
            )));
        }
        if name.trim().is_empty() {
            return Err(Error::Invalid("the room name must not be empty".into()));
        }
        self.tx(|db| {
            if Room::by_token(db, token)
                .map_err(Error::db("reading rooms"))?
                .is_some()
            {
                return Err(Error::Invalid(format!("room `{token}` already exists")));
            }
            db.execute(
                "INSERT INTO rooms (token, name, description, created) VALUES (?1, ?2, ?3, ?4)",
                params![token, name, description.filter(|d| !d.is_empty()), now()],
            )
            .map_err(Error::db("creating the room"))?;
            let room = Room::by_token(db, token)
                .map_err(Error::db("reading rooms"))?
                .ok_or_else(|| Error::NotFound(format!("no room `{token}`")))?;
            summary(db, &room)
        })
    }

    /// Every room, by token.
    pub fn room_list(&self) -> Result<Vec<RoomSummary>, Error> {
        self.tx(|db| {
            Room::all(db)
                .map_err(Error::db("reading rooms"))?
                .iter()
                .map(|r| summary(db, r))
                .collect()
        })
    }

    /// Deletes a room with its posts; its files expire at once (the cleanup removes them).
    pub fn room_delete(&self, token: &str) -> Result<RoomSummary, Error> {
        self.tx(|db| {
            let room = Room::by_token(db, token)
                .map_err(Error::db("reading rooms"))?
                .ok_or_else(|| Error::NotFound(format!("no room `{token}`")))?;
            let s = summary(db, &room)?;
            db.execute("UPDATE files SET expiry = 0 WHERE room = ?1", [room.id])
                .map_err(Error::db("expiring the room's files"))?;
            db.execute("DELETE FROM rooms WHERE id = ?1", [room.id])
                .map_err(Error::db("deleting the room"))?;
            Ok(s)
        })
    }

    /// Adds `ids` as moderators (or admins) of a room or globally.
    pub fn moderator_add(
        &self,
        ids: &[String],
        scope: &Scope,
        admin: bool,
        visible: bool,
    ) -> Result<Vec<ModResult>, Error> {
        let change = if admin {
            ModChange::AddAdmin
        } else {
            ModChange::AddMod
        };
        let role = if admin { "admin" } else { "moderator" };
        self.moderators(ids, scope, change, role, visible)
    }

    /// Removes `ids` as moderators and admins of a room or globally.
    pub fn moderator_remove(&self, ids: &[String], scope: &Scope) -> Result<Vec<ModResult>, Error> {
        self.moderators(ids, scope, ModChange::RemoveMod, "removed", false)
    }

    fn moderators(
        &self,
        ids: &[String],
        scope: &Scope,
        change: ModChange,
        role: &str,
        visible: bool,
    ) -> Result<Vec<ModResult>, Error> {
        for id in ids {
            if !is_session_id(id, &["05", "15"]) {
                return Err(Error::Invalid(format!(
                    "invalid session ID `{id}`: expected 66 hex digits starting with 05 or 15"
                )));
            }
        }
        let now = now();
        self.tx(|db| {
            let room = match scope {
                Scope::Room(t) => Some(
                    Room::by_token(db, t)
                        .map_err(Error::db("reading rooms"))?
                        .ok_or_else(|| Error::NotFound(format!("no room `{t}`")))?,
                ),
                Scope::Global => None,
            };
            let mut out = Vec::new();
            for id in ids {
                let user = resolve_target(db, &self.srv, id, now)
                    .map_err(Error::db("finding the user"))?;
                match &room {
                    Some(r) => apply_room_mod(db, r, &user, change, visible),
                    None => apply_global_mod(db, &user, change, visible),
                }
                .map_err(Error::db("changing moderators"))?;
                out.push(ModResult {
                    session_id: id.to_ascii_lowercase(),
                    applied_to: user.session_id.clone(),
                    room: room.as_ref().map(|r| r.token.clone()),
                    role: role.to_owned(),
                    visible,
                });
            }
            Ok(out)
        })
    }
}

fn summary(db: &Connection, room: &Room) -> Result<RoomSummary, Error> {
    let ctx = || Error::db("reading the room");
    let messages: i64 = db
        .query_row(
            "SELECT COUNT(*) FROM messages WHERE room = ?1 AND data IS NOT NULL",
            [room.id],
            |r| r.get(0),
        )
        .map_err(ctx())?;
    let active_users = room
        .active_users(db, now() - 7.0 * 86_400.0)
        .map_err(ctx())?;
    let mut st = db
        .prepare(
            "SELECT u.session_id, o.admin, o.visible_mod FROM user_permission_overrides o
             JOIN users u ON u.id = o.user WHERE o.room = ?1 AND o.moderator ORDER BY u.session_id",
        )
        .map_err(ctx())?;
    let moderators = st
        .query_map([room.id], |r| {
            Ok(ModEntry {
                session_id: r.get(0)?,
                admin: r.get(1)?,
                visible: r.get(2)?,
            })
        })
        .map_err(ctx())?
        .collect::<rusqlite::Result<_>>()
        .map_err(ctx())?;
    Ok(RoomSummary {
        token: room.token.clone(),
        name: room.name.clone(),
        description: room.description.clone(),
        created: room.created,
        messages,
        active_users,
        moderators,
    })
}
