//! Users: one row per ID that authenticated or was named by a moderator. Blinded users (`15…`)
//! are what clients authenticate as; an unblinded `05…` ID named by an admin (the CLI, or a
//! moderator endpoint) before its owner ever connected is recorded in `needs_blinding` under
//! its positive blinded ID, and its rights move to the blinded row when that user first shows
//! up (either sign of the key matches).

use crate::Server;
use rusqlite::{Connection, OptionalExtension as _, Row, params};
use session_crypto::SessionId;
use session_crypto::blinding::blind15_ids;

/// A user row.
#[derive(Clone, Debug, PartialEq)]
pub struct User {
    /// Row id.
    pub id: i64,
    /// `15…` or `05…` ID (lower-case hex).
    pub session_id: String,
    /// Banned server-wide.
    pub banned: bool,
    /// Global moderator.
    pub global_moderator: bool,
    /// Global admin.
    pub global_admin: bool,
    /// Global moderator shown to users.
    pub visible_mod: bool,
}

const COLUMNS: &str = "id, session_id, banned, moderator, admin, visible_mod";

fn from_row(r: &Row<'_>) -> rusqlite::Result<User> {
    Ok(User {
        id: r.get(0)?,
        session_id: r.get(1)?,
        banned: r.get(2)?,
        global_moderator: r.get(3)?,
        global_admin: r.get(4)?,
        visible_mod: r.get(5)?,
    })
}

impl User {
    /// True for a `15…` ID.
    pub fn is_blinded(&self) -> bool {
        self.session_id.starts_with("15")
    }

    /// The row of `session_id`, if any.
    pub fn find(db: &Connection, session_id: &str) -> rusqlite::Result<Option<User>> {
        db.query_row(
            &format!("SELECT {COLUMNS} FROM users WHERE session_id = ?1"),
            [session_id],
            from_row,
        )
        .optional()
    }

    /// The row of `session_id`, created if missing (importing rights recorded for the unblinded
    /// ID when this is the first sight of a blinded one).
    pub fn get_or_create(
        db: &Connection,
        srv: &Server,
        session_id: &str,
        now: f64,
    ) -> rusqlite::Result<User> {
        if let Some(u) = Self::find(db, session_id)? {
            return Ok(u);
        }
        if srv.config.require_blind_keys
            && session_id.starts_with("15")
            && let Some(u) = import_blinded(db, session_id, now)?
        {
            return Ok(u);
        }
        db.execute(
            "INSERT INTO users (session_id, created, last_active) VALUES (?1, ?2, ?2)",
            params![session_id, now],
        )?;
        let id = db.last_insert_rowid();
        user_by_id(db, id)
    }

    /// Records activity (each authenticated request).
    pub fn touch(&self, db: &Connection, now: f64) -> rusqlite::Result<()> {
        db.execute(
            "UPDATE users SET last_active = ?2 WHERE id = ?1",
            params![self.id, now],
        )?;
        Ok(())
    }
}

/// The user with row id `id`.
pub(crate) fn user_by_id(db: &Connection, id: i64) -> rusqlite::Result<User> {
    db.query_row(
        &format!("SELECT {COLUMNS} FROM users WHERE id = ?1"),
        [id],
        from_row,
    )
}

/// Moves the rights recorded for an unblinded ID to the new blinded row of its owner.
fn import_blinded(db: &Connection, session_id: &str, now: f64) -> rusqlite::Result<Option<User>> {
    let abs = blinded_abs(session_id);
    let old: Option<(i64, f64, bool, bool, bool, bool)> = db
        .query_row(
            "SELECT u.id, u.created, u.banned, u.moderator, u.admin, u.visible_mod
             FROM needs_blinding n JOIN users u ON u.id = n.user WHERE n.blinded_abs = ?1",
            [&abs],
            |r| {
                Ok((
                    r.get(0)?,
                    r.get(1)?,
                    r.get(2)?,
                    r.get(3)?,
                    r.get(4)?,
                    r.get(5)?,
                ))
            },
        )
        .optional()?;
    let Some((old_id, created, banned, moderator, admin, visible)) = old else {
        return Ok(None);
    };
    db.execute(
        "INSERT INTO users (session_id, created, last_active, banned, moderator, admin, visible_mod)
         VALUES (?1, ?2, ?3, ?4, ?5, ?6, ?7)",
        params![session_id, created, now, banned, moderator, admin, visible],
    )?;
    let new_id = db.last_insert_rowid();
    db.execute(
        "UPDATE users SET banned = 0, moderator = 0, admin = 0 WHERE id = ?1",
        [old_id],
    )?;
    for table in [
        "user_permission_overrides",
        "user_permission_futures",
        "user_ban_futures",
    ] {
        db.execute(
            &format!("UPDATE {table} SET user = ?1 WHERE user = ?2"),
            params![new_id, old_id],
        )?;
    }
    db.execute("DELETE FROM needs_blinding WHERE user = ?1", [old_id])?;
    tracing::info!("moved recorded rights to a newly seen blinded user");
    user_by_id(db, new_id).map(Some)
}

/// A `15…` ID with the key's sign bit cleared (lower-case).
pub fn blinded_abs(blinded: &str) -> String {
    set_sign(blinded, false)
}

/// A `15…` ID with the key's sign bit set.
pub fn negate_blinded(blinded: &str) -> String {
    set_sign(blinded, true)
}

fn set_sign(id: &str, negative: bool) -> String {
    let mut s = id.to_ascii_lowercase();
    if s.len() == 66
        && let Some(n) = s.get(64..65).and_then(|c| u8::from_str_radix(c, 16).ok())
    {
        let n = if negative { n | 8 } else { n & 7 };
        s.replace_range(64..65, &format!("{n:x}"));
    }
    s
}

/// True for 66 hex digits starting with `prefix`.
pub fn is_session_id(s: &str, prefixes: &[&str]) -> bool {
    s.len() == 66
        && s.bytes().all(|b| b.is_ascii_hexdigit())
        && prefixes.iter().any(|p| s[..2].eq_ignore_ascii_case(p))
}

/// The user a moderator or the admin CLI names by `sid` (`05…` or `15…`, lower-cased): an
/// unblinded ID on a server that requires blinding resolves to its blinded row when that user
/// has been seen (either sign), else to the unblinded row, recorded in `needs_blinding` so the
/// rights move when the blinded user appears.
pub(crate) fn resolve_target(
    db: &Connection,
    srv: &Server,
    sid: &str,
    now: f64,
) -> rusqlite::Result<User> {
    let sid = sid.to_ascii_lowercase();
    if srv.config.require_blind_keys && sid.starts_with("05") {
        let blinded = sid
            .parse::<SessionId>()
            .ok()
            .and_then(|s| blind15_ids(&s, srv.pubkey.as_bytes()).ok());
        if let Some([pos, _]) = blinded {
            let abs = blinded_abs(&pos.to_string());
            let neg = negate_blinded(&abs);
            let found = db
                .query_row(
                    &format!("SELECT {COLUMNS} FROM users WHERE session_id IN (?1, ?2) LIMIT 1"),
                    params![abs, neg],
                    from_row,
                )
                .optional()?;
            if let Some(u) = found {
                return Ok(u);
            }
            let u = User::get_or_create(db, srv, &sid, now)?;
            db.execute(
                "INSERT INTO needs_blinding (blinded_abs, user) VALUES (?1, ?2)
                 ON CONFLICT DO NOTHING",
                params![abs, u.id],
            )?;
            return Ok(u);
        }
    }
    User::get_or_create(db, srv, &sid, now)
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn sign_bits() {
        let id = format!("15{}", "ab".repeat(32));
        assert_eq!(&blinded_abs(&id)[64..], "2b");
        assert_eq!(&negate_blinded(&blinded_abs(&id))[64..], "ab");
        assert!(is_session_id(&id, &["15"]));
        assert!(!is_session_id(&id, &["05"]));
        assert!(!is_session_id("15zz", &["15"]));
        // Multi-byte characters never reach the prefix slice.
        assert!(!is_session_id(&format!("€{}", "a".repeat(63)), &["15"]));
    }
}
