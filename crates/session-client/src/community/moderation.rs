//! Moderator and admin commands: bans (room or global, with a timeout), unbans, pins,
//! appointing moderators. Deleting others' posts is [`Chat::community_delete`]. The server
//! decides who may; a refusal comes back as a clear error naming the missing right.

use super::api::{Answer, Call};
use super::posts::seg;
use super::refused;
use crate::chat::Chat;
use crate::error::{Error, Result};
use serde_json::{Value, json};

/// Where a ban or an appointment applies.
#[derive(Clone, Copy, Debug, PartialEq, Eq)]
pub enum Scope {
    /// The room of the URL.
    Room,
    /// Every room of the server (needs a global moderator/admin).
    Global,
}

fn check_id(id: &str) -> Result<()> {
    let ok = id.len() == 66
        && (id.starts_with("15") || id.starts_with("05") || id.starts_with("25"))
        && id.bytes().all(|b| b.is_ascii_hexdigit());
    if ok {
        Ok(())
    } else {
        Err(refused(format!("{id}: expected a 66-hex-digit 15…/05… ID")))
    }
}

fn scoped(scope: Scope, token: &str, mut body: Value) -> Value {
    match scope {
        Scope::Room => body["rooms"] = json!([token]),
        Scope::Global => body["global"] = json!(true),
    }
    body
}

fn need(answer: Answer, what: &str, right: &str) -> Result<()> {
    match answer.ok(what) {
        Err(Error::Community { status: 403, .. }) => Err(Error::Community {
            status: 403,
            what: format!("{what}: not permitted: you are not {right}"),
        }),
        other => other.map(drop),
    }
}

impl Chat {
    /// Bans `user` from the room of `url` (or the whole server), for `timeout_secs` when
    /// given.
    pub async fn community_ban(
        &self,
        url: &str,
        user: &str,
        scope: Scope,
        timeout_secs: Option<u64>,
    ) -> Result<()> {
        check_id(user)?;
        let (addr, room) = self.joined(url)?;
        let mut body = scoped(scope, &room.token, json!({}));
        if let Some(t) = timeout_secs {
            body["timeout"] = json!(t);
        }
        let answer = self
            .api(&addr.server, self.blinded(&room.base_url)?)
            .call(&Call::with_json("POST", format!("/user/{user}/ban"), body))
            .await?;
        need(answer, "ban", "a moderator here")
    }

    /// Lifts `user`'s ban in the room of `url` (or the server-wide one).
    pub async fn community_unban(&self, url: &str, user: &str, scope: Scope) -> Result<()> {
        check_id(user)?;
        let (addr, room) = self.joined(url)?;
        let body = scoped(scope, &room.token, json!({}));
        let answer = self
            .api(&addr.server, self.blinded(&room.base_url)?)
            .call(&Call::with_json(
                "POST",
                format!("/user/{user}/unban"),
                body,
            ))
            .await?;
        need(answer, "unban", "a moderator here")
    }

    /// Pins (or with `unpin`, unpins) post `id` in the room of `url` (admins).
    pub async fn community_pin(&self, url: &str, id: i64, unpin: bool) -> Result<()> {
        let (addr, room) = self.joined(url)?;
        let verb = if unpin { "unpin" } else { "pin" };
        let endpoint = format!("/room/{}/{verb}/{id}", seg(&room.token));
        let answer = self
            .api(&addr.server, self.blinded(&room.base_url)?)
            .call(&Call::with_json("POST", endpoint, json!({})))
            .await?;
        need(answer, verb, "an admin of the room")
    }

    /// Makes `user` a moderator (or with `admin`, an admin) of the room of `url` or the
    /// server; `visible` shows them in the room's list.
    pub async fn community_add_moderator(
        &self,
        url: &str,
        user: &str,
        scope: Scope,
        admin: bool,
        visible: bool,
    ) -> Result<()> {
        check_id(user)?;
        let (addr, room) = self.joined(url)?;
        let role = if admin { "admin" } else { "moderator" };
        let body = scoped(
            scope,
            &room.token,
            json!({ role: true, "visible": visible }),
        );
        let answer = self
            .api(&addr.server, self.blinded(&room.base_url)?)
            .call(&Call::with_json(
                "POST",
                format!("/user/{user}/moderator"),
                body,
            ))
            .await?;
        need(answer, "appointing a moderator", "an admin here")
    }
}
