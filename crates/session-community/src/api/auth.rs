//! The auth step of every request (`spec/network.md` §5.1) in the reference server's order:
//! parse the headers (400) → timestamp window (425) → the user's row (created on first sight)
//! → server-wide ban (403, before the signature is even checked) → nonce, recorded single-use
//! per user (425 on reuse) → signature (401) → activity.

use super::{ApiError, Req};
use crate::Server;
use crate::model::User;
use rusqlite::{Connection, params};
use session_sogs::{AuthError, MAX_CLOCK_SKEW_SECS, RawAuth};

/// How long past a request's timestamp its nonce is kept: the timestamp stays acceptable until
/// 24 h after it, so the nonce must outlive that (plus a minute of slack).
const NONCE_KEEP_SECS: f64 = (MAX_CLOCK_SKEW_SECS + 60) as f64;

fn refuse(e: AuthError) -> ApiError {
    ApiError::text(e.status(), e.body())
}

/// Authenticates `req` on `db`: `Ok(None)` for an anonymous request.
pub(crate) fn authenticate(
    db: &mut Connection,
    srv: &Server,
    req: &Req,
    now: f64,
) -> Result<Option<User>, ApiError> {
    let raw = RawAuth::from_headers(req.headers.iter().map(|(n, v)| (n.as_str(), v.as_str())));
    let Some(parsed) = raw.parse(srv.config.require_blind_keys).map_err(refuse)? else {
        return Ok(None);
    };
    // `now` as whole seconds, rounded towards the request (the reference compares floats).
    parsed.check_time(now.floor() as i64).map_err(refuse)?;
    let tx = db.transaction()?;
    let user = User::get_or_create(&tx, srv, &parsed.key.user_id(), now)?;
    if user.banned {
        tx.commit()?;
        return Err(refuse(AuthError::Banned));
    }
    let expiry = (parsed.timestamp as f64).max(now) + NONCE_KEEP_SECS;
    let inserted = tx.execute(
        "INSERT INTO user_request_nonces (user, nonce, expiry) VALUES (?1, ?2, ?3)
         ON CONFLICT DO NOTHING",
        params![user.id, &parsed.nonce[..], expiry],
    )?;
    tx.commit()?;
    if inserted == 0 {
        return Err(refuse(AuthError::NonceReused));
    }
    parsed
        .verify(
            srv.pubkey.as_bytes(),
            &req.method,
            &req.path,
            req.query.as_deref(),
            &req.body,
        )
        .map_err(refuse)?;
    user.touch(db, now)?;
    Ok(Some(user))
}
