//! Moderation: per-user permission overrides and scheduled changes ([`permissions`]),
//! moderators and admins per room or global ([`moderators`]), bans with optional timeout
//! ([`bans`]), deleting all of a user's posts ([`purge`]). Here: what they share — the
//! `rooms`/`global` scope of a request and the override-row helpers.

mod bans;
mod moderators;
mod permissions;
mod purge;

pub(crate) use bans::{ban, unban};
pub use moderators::ModChange;
pub(crate) use moderators::{apply_global_mod, apply_room_mod, set_moderator};
pub(crate) use permissions::{
    add_future_permission, future_permissions, permissions, set_permissions,
    user_future_permissions, user_permissions,
};
pub(crate) use purge::{delete_all_in_room, delete_everywhere};

use super::{ApiError, Cx};
use crate::model::{Perms, Room};
use rusqlite::{Connection, params};
use serde_json::{Map, Value};

/// Removes an override row that no longer says anything.
fn drop_empty_override(db: &Connection, room: i64, user: i64) -> rusqlite::Result<()> {
    db.execute(
        "DELETE FROM user_permission_overrides WHERE room = ?1 AND user = ?2
         AND NOT banned AND NOT moderator AND NOT admin
         AND read IS NULL AND accessible IS NULL AND write IS NULL AND upload IS NULL",
        params![room, user],
    )?;
    Ok(())
}

fn override_flags(db: &Connection, room: i64, user: i64) -> rusqlite::Result<(bool, bool, bool)> {
    Ok(rusqlite::OptionalExtension::optional(db.query_row(
        "SELECT moderator, admin, visible_mod FROM user_permission_overrides WHERE room = ?1 AND user = ?2",
        params![room, user],
        |r| Ok((r.get(0)?, r.get(1)?, r.get(2)?)),
    ))?
    .unwrap_or((false, false, true)))
}

/// `rooms` or `global` of a moderation request: the rooms (where the caller has the needed
/// power: admin for moderator changes, moderator for bans), or `None` for global.
fn rooms_or_global(
    cx: &Cx<'_>,
    body: &Map<String, Value>,
    admin: bool,
) -> Result<Option<Vec<Room>>, ApiError> {
    let user = cx.require_user()?;
    let tokens = match body.get("rooms") {
        None | Some(Value::Null) => None,
        Some(Value::Array(a)) if a.is_empty() => None,
        Some(Value::Array(a)) => Some(
            a.iter()
                .map(|t| {
                    t.as_str()
                        .map(str::to_owned)
                        .ok_or_else(|| ApiError::code(404))
                })
                .collect::<Result<Vec<_>, _>>()?,
        ),
        Some(_) => return Err(ApiError::bad_request()),
    };
    let global = body.get("global").is_some_and(|g| match g {
        Value::Bool(b) => *b,
        Value::Null => false,
        Value::Number(n) => n.as_f64() != Some(0.0),
        _ => true,
    });
    match (tokens, global) {
        (Some(_), true) | (None, false) => Err(ApiError::bad_request()),
        (Some(tokens), false) => {
            if tokens.len() > 1 && tokens.iter().any(|t| t == "*") {
                return Err(ApiError::bad_request());
            }
            let all = tokens == ["*"];
            let mut rooms = Vec::new();
            let candidates = if all {
                Room::all(cx.db)?
            } else {
                let mut v = Vec::new();
                for t in &tokens {
                    match Room::by_token(cx.db, t)? {
                        Some(r) => v.push(r),
                        None => return Err(ApiError::code(403)),
                    }
                }
                v
            };
            for r in candidates {
                let p = Perms::of(cx.db, &r, Some(user))?;
                if if admin { p.admin() } else { p.moderator() } {
                    rooms.push(r);
                } else if !all {
                    return Err(ApiError::code(403));
                }
            }
            if rooms.is_empty() {
                return Err(ApiError::code(403));
            }
            Ok(Some(rooms))
        }
        (None, true) => {
            if !user.global_moderator || (admin && !user.global_admin) {
                return Err(ApiError::code(403));
            }
            Ok(None)
        }
    }
}

fn opt_bool(body: &Map<String, Value>, key: &str) -> Option<bool> {
    match body.get(key)? {
        Value::Null => None,
        Value::Bool(b) => Some(*b),
        Value::Number(n) => Some(n.as_f64() != Some(0.0)),
        Value::String(s) => Some(!s.is_empty()),
        Value::Array(a) => Some(!a.is_empty()),
        Value::Object(o) => Some(!o.is_empty()),
    }
}
