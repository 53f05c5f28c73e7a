//! The periodic cleanup (every `cleanup_interval`, 10 s by default): expired files (rows and
//! their bytes on disk), expired DMs, old edit/deletion history, old room activity, used
//! nonces past their window, and scheduled permission changes and (un)bans that fell due.

use crate::error::Error;
use crate::server::{Config, Server};
use rusqlite::{Connection, TransactionBehavior, params};
use std::sync::Arc;
use tokio_util::sync::CancellationToken;

/// What one pass removed or applied.
#[derive(Clone, Copy, Debug, Default, PartialEq, Eq)]
pub struct Pruned {
    /// Expired files removed.
    pub files: usize,
    /// Expired DMs removed.
    pub dms: usize,
    /// History records removed.
    pub history: usize,
    /// Room activity records removed.
    pub activity: usize,
    /// Nonces removed.
    pub nonces: usize,
    /// Scheduled permission changes and (un)bans applied.
    pub applied: usize,
}

/// One pass at `now`.
pub fn run_once(conn: &mut Connection, config: &Config, now: f64) -> Result<Pruned, Error> {
    let ctx = || Error::db("cleanup");
    let tx = conn
        .transaction_with_behavior(TransactionBehavior::Immediate)
        .map_err(ctx())?;
    let paths: Vec<String> = {
        let mut st = tx
            .prepare("SELECT path FROM files WHERE expiry IS NOT NULL AND expiry <= ?1")
            .map_err(ctx())?;
        st.query_map([now], |r| r.get(0))
            .map_err(ctx())?
            .collect::<rusqlite::Result<_>>()
            .map_err(ctx())?
    };
    let mut p = Pruned {
        files: tx
            .execute(
                "DELETE FROM files WHERE expiry IS NOT NULL AND expiry <= ?1",
                [now],
            )
            .map_err(ctx())?,
        dms: tx
            .execute("DELETE FROM inbox WHERE expiry <= ?1", [now])
            .map_err(ctx())?,
        history: tx
            .execute(
                "DELETE FROM message_history WHERE replaced < ?1",
                [now - config.history_prune_secs],
            )
            .map_err(ctx())?,
        activity: tx
            .execute(
                "DELETE FROM room_users WHERE last_active < ?1",
                [now - config.activity_prune_secs],
            )
            .map_err(ctx())?,
        nonces: tx
            .execute("DELETE FROM user_request_nonces WHERE expiry < ?1", [now])
            .map_err(ctx())?,
        applied: 0,
    };
    p.applied = apply_futures(&tx, now).map_err(ctx())?;
    tx.commit().map_err(ctx())?;
    for path in paths {
        let full = config.data_dir.join(&path);
        if let Err(e) = std::fs::remove_file(&full)
            && e.kind() != std::io::ErrorKind::NotFound
        {
            tracing::warn!(error = %e, "removing an expired upload failed");
        }
    }
    Ok(p)
}

/// Applies scheduled permission changes and (un)bans that are due, oldest first. A scheduled
/// permission equal to the room's default clears the override instead of pinning it.
fn apply_futures(db: &Connection, now: f64) -> rusqlite::Result<usize> {
    type Fut = (i64, i64, Option<bool>, Option<bool>, Option<bool>);
    let due: Vec<Fut> = {
        let mut st = db.prepare(
            "SELECT room, user, read, write, upload FROM user_permission_futures
             WHERE at <= ?1 ORDER BY at",
        )?;
        st.query_map([now], |r| {
            Ok((r.get(0)?, r.get(1)?, r.get(2)?, r.get(3)?, r.get(4)?))
        })?
        .collect::<rusqlite::Result<_>>()?
    };
    for (room, user, read, write, upload) in &due {
        db.execute(
            "INSERT INTO user_permission_overrides (room, user) VALUES (?1, ?2)
             ON CONFLICT DO NOTHING",
            params![room, user],
        )?;
        for (col, v) in [("read", read), ("write", write), ("upload", upload)] {
            if let Some(v) = v {
                db.execute(
                    &format!(
                        "UPDATE user_permission_overrides SET {col} =
                             CASE WHEN ?3 = (SELECT {col} FROM rooms WHERE id = ?1) THEN NULL
                             ELSE ?3 END
                         WHERE room = ?1 AND user = ?2"
                    ),
                    params![room, user, v],
                )?;
            }
        }
        db.execute(
            "DELETE FROM user_permission_overrides WHERE room = ?1 AND user = ?2
             AND NOT banned AND NOT moderator AND NOT admin
             AND read IS NULL AND accessible IS NULL AND write IS NULL AND upload IS NULL",
            params![room, user],
        )?;
    }
    db.execute("DELETE FROM user_permission_futures WHERE at <= ?1", [now])?;
    let bans: Vec<(Option<i64>, i64, bool)> = {
        let mut st = db.prepare(
            "SELECT room, user, banned FROM user_ban_futures WHERE at <= ?1 ORDER BY at",
        )?;
        st.query_map([now], |r| Ok((r.get(0)?, r.get(1)?, r.get(2)?)))?
            .collect::<rusqlite::Result<_>>()?
    };
    for (room, user, banned) in &bans {
        match room {
            None => {
                db.execute(
                    "UPDATE users SET banned = ?2 WHERE id = ?1",
                    params![user, banned],
                )?;
            }
            Some(room) => {
                db.execute(
                    "INSERT INTO user_permission_overrides (room, user, banned) VALUES (?1, ?2, ?3)
                     ON CONFLICT (room, user) DO UPDATE SET banned = excluded.banned",
                    params![room, user, banned],
                )?;
                db.execute(
                    "DELETE FROM user_permission_overrides WHERE room = ?1 AND user = ?2
                     AND NOT banned AND NOT moderator AND NOT admin AND read IS NULL
                     AND accessible IS NULL AND write IS NULL AND upload IS NULL",
                    params![room, user],
                )?;
            }
        }
    }
    db.execute("DELETE FROM user_ban_futures WHERE at <= ?1", [now])?;
    Ok(due.len() + bans.len())
}

/// Runs [`run_once`] every `cleanup_interval` until `shutdown`.
pub async fn every(srv: Arc<Server>, shutdown: CancellationToken) {
    let mut tick = tokio::time::interval(srv.config.cleanup_interval);
    tick.set_missed_tick_behavior(tokio::time::MissedTickBehavior::Delay);
    loop {
        tokio::select! {
            () = shutdown.cancelled() => return,
            _ = tick.tick() => {}
        }
        let s = srv.clone();
        match tokio::task::spawn_blocking(move || s.cleanup()).await {
            Ok(Ok(p)) if p != Pruned::default() => tracing::debug!(?p, "cleanup"),
            Ok(Ok(_)) => {}
            Ok(Err(e)) => tracing::warn!(error = %e, "cleanup failed"),
            Err(e) => tracing::warn!(error = %e, "cleanup task failed"),
        }
    }
}
