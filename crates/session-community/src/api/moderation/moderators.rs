//! Moderators and admins, per room or global (`POST /user/SID/moderator`, and the operator's
//! commands in [`crate::admin`]).

use super::{drop_empty_override, opt_bool, override_flags, rooms_or_global};
use crate::api::{ApiError, Cx, Req, Resp};
use crate::model::{Room, User, resolve_target, user_by_id};
use rusqlite::{Connection, params};
use serde_json::{Map, json};

/// What a moderator request asks for, after the reference's reductions.
#[derive(Clone, Copy, Debug, PartialEq, Eq)]
pub enum ModChange {
    /// Make admin (implies moderator).
    AddAdmin,
    /// Make moderator (keeping admin if already one).
    AddMod,
    /// Remove moderator and admin.
    RemoveMod,
    /// Remove admin only.
    RemoveAdmin,
    /// Remove admin, keep (or make) moderator.
    DemoteToMod,
}

/// Room-level moderator change (no permission check: callers check).
pub(crate) fn apply_room_mod(
    db: &Connection,
    room: &Room,
    user: &User,
    change: ModChange,
    visible: bool,
) -> rusqlite::Result<()> {
    let before = override_flags(db, room.id, user.id)?;
    match change {
        ModChange::AddAdmin | ModChange::AddMod | ModChange::DemoteToMod => {
            let admin = match change {
                ModChange::AddAdmin => Some(true),
                ModChange::DemoteToMod => Some(false),
                _ => None,
            };
            db.execute(
                "INSERT INTO user_permission_overrides (room, user, moderator, admin, visible_mod)
                 VALUES (?1, ?2, 1, COALESCE(?3, 0), ?4)
                 ON CONFLICT (room, user) DO UPDATE SET moderator = 1, banned = 0,
                     admin = COALESCE(?3, admin), visible_mod = excluded.visible_mod",
                params![room.id, user.id, admin, visible],
            )?;
        }
        ModChange::RemoveMod => {
            db.execute(
                "UPDATE user_permission_overrides SET admin = 0, moderator = 0, visible_mod = 1
                 WHERE room = ?1 AND user = ?2",
                params![room.id, user.id],
            )?;
        }
        ModChange::RemoveAdmin => {
            db.execute(
                "UPDATE user_permission_overrides SET admin = 0 WHERE room = ?1 AND user = ?2",
                params![room.id, user.id],
            )?;
        }
    }
    drop_empty_override(db, room.id, user.id)?;
    if override_flags(db, room.id, user.id)? != before {
        room.bump_info(db)?;
    }
    Ok(())
}

/// Global moderator change (no permission check: callers check). A change of the global
/// moderator list bumps every room's `info_updates`.
pub(crate) fn apply_global_mod(
    db: &Connection,
    user: &User,
    change: ModChange,
    visible: bool,
) -> rusqlite::Result<()> {
    let n = match change {
        ModChange::AddAdmin => db.execute(
            "UPDATE users SET moderator = 1, admin = 1, banned = 0, visible_mod = ?2 WHERE id = ?1",
            params![user.id, visible],
        )?,
        ModChange::AddMod => db.execute(
            "UPDATE users SET moderator = 1, banned = 0, visible_mod = ?2 WHERE id = ?1",
            params![user.id, visible],
        )?,
        ModChange::DemoteToMod => db.execute(
            "UPDATE users SET moderator = 1, admin = 0, banned = 0, visible_mod = ?2 WHERE id = ?1",
            params![user.id, visible],
        )?,
        ModChange::RemoveMod => db.execute(
            "UPDATE users SET moderator = 0, admin = 0 WHERE id = ?1",
            params![user.id],
        )?,
        ModChange::RemoveAdmin => {
            db.execute("UPDATE users SET admin = 0 WHERE id = ?1", params![user.id])?
        }
    };
    let after = user_by_id(db, user.id)?;
    if n > 0
        && (
            after.global_moderator,
            after.global_admin,
            after.visible_mod,
        ) != (user.global_moderator, user.global_admin, user.visible_mod)
    {
        db.execute("UPDATE rooms SET info_updates = info_updates + 1", [])?;
    }
    Ok(())
}

/// `POST /user/SID/moderator`: `{rooms|global, moderator?, admin?, visible?}`.
pub(crate) fn set_moderator(cx: &Cx<'_>, req: &Req, sid: &str) -> Result<Resp, ApiError> {
    cx.require_user()?;
    let body = req.json_object()?;
    let rooms = rooms_or_global(cx, &body, true)?;
    let change = match (opt_bool(&body, "admin"), opt_bool(&body, "moderator")) {
        (None, None) | (Some(true), Some(false)) => return Err(ApiError::bad_request()),
        (Some(true), _) => ModChange::AddAdmin,
        (None, Some(true)) => ModChange::AddMod,
        (_, Some(false)) => ModChange::RemoveMod,
        (Some(false), None) => ModChange::RemoveAdmin,
        (Some(false), Some(true)) => ModChange::DemoteToMod,
    };
    let target = resolve_target(cx.db, cx.srv, sid, cx.now)?;
    let visible = opt_bool(&body, "visible");
    let mut info = Map::new();
    match rooms {
        Some(rooms) => {
            for room in rooms {
                apply_room_mod(cx.db, &room, &target, change, visible.unwrap_or(true))?;
                info.insert(room.token.clone(), json!(room.reload(cx.db)?.info_updates));
            }
        }
        None => {
            apply_global_mod(cx.db, &target, change, visible.unwrap_or(false))?;
            for room in Room::all(cx.db)? {
                info.insert(room.token.clone(), json!(room.info_updates));
            }
        }
    }
    Ok(Resp::json(json!({ "info_updates": info })))
}
