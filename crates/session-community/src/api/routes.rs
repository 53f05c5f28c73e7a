//! Routing: the URL-decoded path split on `/`, matched as the reference server's URL rules
//! match (`<int:…>` is digits only; a room token that names no room, or a session ID of the
//! wrong form, does not match: 404). A path that matches with another method is 405.

use super::{ApiError, Cx, Req, Resp, dm, files, messages, moderation, reactions, rooms};
use crate::model::{Room, is_session_id};

/// `GET /capabilities`.
fn capabilities(cx: &Cx<'_>, req: &Req) -> Result<Resp, ApiError> {
    let mut caps = vec!["reactions", "sogs"];
    if cx.srv.config.require_blind_keys {
        caps.push("blind");
    }
    caps.sort_unstable();
    let mut body = serde_json::json!({ "capabilities": caps });
    if let Some(needed) = req.arg("required") {
        let missing: Vec<&str> = needed.split(',').filter(|c| !caps.contains(c)).collect();
        if !missing.is_empty() {
            body["missing"] = serde_json::json!(missing);
            return Ok(Resp::json_code(412, body));
        }
    }
    Ok(Resp::json(body))
}

fn int(s: &str) -> Option<i64> {
    if s.is_empty() || !s.bytes().all(|b| b.is_ascii_digit()) {
        return None;
    }
    s.parse().ok()
}

fn method(req: &Req, allowed: &[&str]) -> Result<(), ApiError> {
    if allowed.contains(&req.method.as_str()) {
        Ok(())
    } else {
        Err(ApiError::code(405))
    }
}

/// The `SessionID` URL rule: blinded IDs only while blinding is required, else `05` or `15`.
fn sid_rule(cx: &Cx<'_>, s: &str) -> Result<String, ApiError> {
    let ok = if cx.srv.config.require_blind_keys {
        is_session_id(s, &["15"])
    } else {
        is_session_id(s, &["05", "15"])
    };
    if ok {
        Ok(s.to_ascii_lowercase())
    } else {
        Err(ApiError::not_found())
    }
}

/// The `AnySessionID` URL rule.
fn any_sid(s: &str) -> Result<String, ApiError> {
    if is_session_id(s, &["05", "15"]) {
        Ok(s.to_ascii_lowercase())
    } else {
        Err(ApiError::not_found())
    }
}

/// Runs the endpoint `req` names (auth already done; `/batch` and `/sequence` are handled
/// before this).
pub(crate) fn dispatch(cx: &Cx<'_>, req: &Req) -> Result<Resp, ApiError> {
    let path = req.path.strip_prefix('/').ok_or_else(ApiError::not_found)?;
    let segs: Vec<&str> = path.split('/').collect();
    match segs.as_slice() {
        ["capabilities"] => {
            method(req, &["GET"])?;
            capabilities(cx, req)
        }
        ["rooms"] => {
            method(req, &["GET"])?;
            rooms::list(cx)
        }
        ["rooms", "all", sid] => {
            let sid = sid_rule(cx, sid)?;
            method(req, &["DELETE"])?;
            moderation::delete_everywhere(cx, &sid)
        }
        ["room", token, rest @ ..] => {
            let room = Room::by_token(cx.db, token)?.ok_or_else(ApiError::not_found)?;
            room_routes(cx, req, &room, rest)
        }
        ["user", sid, action] => {
            let sid = any_sid(sid)?;
            let f = match *action {
                "moderator" => moderation::set_moderator,
                "ban" => moderation::ban,
                "unban" => moderation::unban,
                _ => return Err(ApiError::not_found()),
            };
            method(req, &["POST"])?;
            f(cx, req, &sid)
        }
        ["inbox"] => match req.method.as_str() {
            "GET" => dm::inbox(cx, req, None),
            "DELETE" => dm::delete_inbox(cx),
            _ => Err(ApiError::code(405)),
        },
        ["inbox", "since", id] => {
            let id = int(id).ok_or_else(ApiError::not_found)?;
            method(req, &["GET"])?;
            dm::inbox(cx, req, Some(id))
        }
        ["inbox", sid] => {
            if !is_session_id(sid, &["15"]) {
                return Err(ApiError::not_found());
            }
            method(req, &["POST"])?;
            dm::send(cx, req, &sid.to_ascii_lowercase())
        }
        ["outbox"] => {
            method(req, &["GET"])?;
            dm::outbox(cx, req, None)
        }
        ["outbox", "since", id] => {
            let id = int(id).ok_or_else(ApiError::not_found)?;
            method(req, &["GET"])?;
            dm::outbox(cx, req, Some(id))
        }
        _ => Err(ApiError::not_found()),
    }
}

fn room_routes(cx: &Cx<'_>, req: &Req, room: &Room, rest: &[&str]) -> Result<Resp, ApiError> {
    let m = req.method.as_str();
    match rest {
        [] => match m {
            "GET" => rooms::get(cx, room),
            "PUT" => rooms::update(cx, req, room),
            _ => Err(ApiError::code(405)),
        },
        ["pollInfo", n] => {
            let n = int(n).ok_or_else(ApiError::not_found)?;
            method(req, &["GET"])?;
            rooms::poll_info(cx, room, n)
        }
        ["permissions"] => {
            method(req, &["GET"])?;
            moderation::permissions(cx, room)
        }
        ["permissions", sid] => {
            let sid = sid_rule(cx, sid)?;
            match m {
                "GET" => moderation::user_permissions(cx, room, &sid),
                "POST" => moderation::set_permissions(cx, req, room, &sid),
                _ => Err(ApiError::code(405)),
            }
        }
        ["futurePermissions"] => {
            method(req, &["GET"])?;
            moderation::future_permissions(cx, room)
        }
        ["futurePermissions", sid] => {
            let sid = sid_rule(cx, sid)?;
            match m {
                "GET" => moderation::user_future_permissions(cx, room, &sid),
                "POST" => moderation::add_future_permission(cx, req, room, &sid),
                _ => Err(ApiError::code(405)),
            }
        }
        ["file"] => {
            method(req, &["POST"])?;
            files::upload(cx, req, room)
        }
        ["file", id] | ["file", id, _] => {
            let id = int(id).ok_or_else(ApiError::not_found)?;
            method(req, &["GET"])?;
            files::serve(cx, room, id)
        }
        ["all", sid] => {
            let sid = sid_rule(cx, sid)?;
            method(req, &["DELETE"])?;
            moderation::delete_all_in_room(cx, room, &sid)
        }
        ["messages", "since", n] => {
            let n = int(n).ok_or_else(ApiError::not_found)?;
            method(req, &["GET"])?;
            messages::since(cx, req, room, n)
        }
        ["messages", "before", n] => {
            let n = int(n).ok_or_else(ApiError::not_found)?;
            method(req, &["GET"])?;
            messages::before(cx, req, room, n)
        }
        ["messages", "recent"] => {
            method(req, &["GET"])?;
            messages::recent(cx, req, room)
        }
        ["message"] => {
            method(req, &["POST"])?;
            messages::post(cx, req, room)
        }
        ["message", id] => {
            let id = int(id).ok_or_else(ApiError::not_found)?;
            match m {
                "GET" => messages::single(cx, req, room, id),
                "PUT" => messages::edit(cx, req, room, id),
                "DELETE" => messages::delete(cx, room, id),
                _ => Err(ApiError::code(405)),
            }
        }
        ["pin", id] => {
            let id = int(id).ok_or_else(ApiError::not_found)?;
            method(req, &["POST"])?;
            messages::pin(cx, room, id)
        }
        ["unpin", "all"] => {
            method(req, &["POST"])?;
            messages::unpin_all(cx, room)
        }
        ["unpin", id] => {
            let id = int(id).ok_or_else(ApiError::not_found)?;
            method(req, &["POST"])?;
            messages::unpin(cx, room, id)
        }
        ["reaction", id, emoji @ ..] if !emoji.is_empty() => {
            let id = int(id).ok_or_else(ApiError::not_found)?;
            let emoji = emoji.join("/");
            match m {
                "PUT" => reactions::add(cx, room, id, &emoji),
                "DELETE" => reactions::remove(cx, room, id, &emoji),
                _ => Err(ApiError::code(405)),
            }
        }
        ["reactions", id, emoji @ ..] => {
            let id = int(id).ok_or_else(ApiError::not_found)?;
            method(req, &["DELETE"])?;
            let emoji = (!emoji.is_empty()).then(|| emoji.join("/"));
            reactions::remove_all(cx, room, id, emoji.as_deref())
        }
        ["reactors", id, emoji @ ..] if !emoji.is_empty() => {
            let id = int(id).ok_or_else(ApiError::not_found)?;
            method(req, &["GET"])?;
            reactions::reactors(cx, req, room, id, &emoji.join("/"))
        }
        _ => Err(ApiError::not_found()),
    }
}
