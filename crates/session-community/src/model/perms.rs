//! A user's effective permissions in a room: a per-room override where one is set, else the
//! room's default; global moderators get every permission, global bans apply everywhere.

use super::{Room, User};
use rusqlite::{Connection, OptionalExtension as _, params};

/// Effective permission flags (before the admin/moderator rules of the checks below).
#[derive(Clone, Copy, Debug, Default, PartialEq, Eq)]
pub struct Perms {
    /// Banned (in the room or server-wide).
    pub banned: bool,
    /// May read messages.
    pub can_read: bool,
    /// May see the room's metadata.
    pub can_access: bool,
    /// May post.
    pub can_write: bool,
    /// May upload.
    pub can_upload: bool,
    /// Moderator (of the room or global).
    pub is_mod: bool,
    /// Admin (of the room or global).
    pub is_admin: bool,
}

impl Perms {
    /// `user`'s permissions in `room` (the room's defaults for an anonymous caller).
    pub fn of(db: &Connection, room: &Room, user: Option<&User>) -> rusqlite::Result<Perms> {
        let Some(user) = user else {
            return Ok(Perms {
                banned: false,
                can_read: room.default_read,
                can_access: room.default_accessible,
                can_write: room.default_write,
                can_upload: room.default_upload,
                is_mod: false,
                is_admin: false,
            });
        };
        type Row = (
            bool,
            Option<bool>,
            Option<bool>,
            Option<bool>,
            Option<bool>,
            bool,
            bool,
        );
        let o: Option<Row> = db
            .query_row(
                "SELECT banned, read, accessible, write, upload, moderator, admin
                 FROM user_permission_overrides WHERE room = ?1 AND user = ?2",
                params![room.id, user.id],
                |r| {
                    Ok((
                        r.get(0)?,
                        r.get(1)?,
                        r.get(2)?,
                        r.get(3)?,
                        r.get(4)?,
                        r.get(5)?,
                        r.get(6)?,
                    ))
                },
            )
            .optional()?;
        let (banned, read, access, write, upload, room_mod, room_admin) =
            o.unwrap_or((false, None, None, None, None, false, false));
        let global = user.global_moderator;
        Ok(Perms {
            banned: user.banned || banned,
            can_read: global || read.unwrap_or(room.default_read),
            can_access: global || access.unwrap_or(room.default_accessible),
            can_write: global || write.unwrap_or(room.default_write),
            can_upload: global || upload.unwrap_or(room.default_upload),
            is_mod: global || room_mod || room_admin,
            is_admin: user.global_admin || room_admin,
        })
    }

    fn check(&self, accessible: bool, read: bool, write: bool, upload: bool) -> bool {
        if self.is_admin || self.is_mod {
            return true;
        }
        !self.banned
            && (!accessible || self.can_access || self.can_read)
            && (!read || self.can_read)
            && (!write || self.can_write)
            && (!upload || self.can_upload)
    }

    /// May see the room (read implies accessible).
    pub fn accessible(&self) -> bool {
        self.check(true, false, false, false)
    }

    /// May read.
    pub fn read(&self) -> bool {
        self.check(false, true, false, false)
    }

    /// May post.
    pub fn write(&self) -> bool {
        self.check(false, false, true, false)
    }

    /// May upload (needs write too).
    pub fn upload(&self) -> bool {
        self.check(false, false, true, true)
    }

    /// Moderator (or admin).
    pub fn moderator(&self) -> bool {
        self.is_admin || self.is_mod
    }

    /// Admin.
    pub fn admin(&self) -> bool {
        self.is_admin
    }
}
