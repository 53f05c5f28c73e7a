//! Notices (the `GroupUpdate*` messages in a group): their words in the history, and the
//! admin signature they must carry.

use session_crypto::{GroupId, SessionId};
use session_group::control::{self, Control, DeleteAuthority};
use session_protocol::group::{GroupUpdate, InfoChange, MemberChange};

fn names(ids: &[session_crypto::SessionId]) -> String {
    ids.iter()
        .map(ToString::to_string)
        .collect::<Vec<_>>()
        .join(", ")
}

/// A control message in words (how notices are kept in the history).
pub fn describe(u: &GroupUpdate) -> String {
    match u {
        GroupUpdate::InfoChange {
            kind: InfoChange::Name,
            name,
            ..
        } => format!("renamed the group to {}", name.as_deref().unwrap_or("")),
        GroupUpdate::InfoChange {
            kind: InfoChange::Avatar,
            ..
        } => "changed the group picture".into(),
        GroupUpdate::InfoChange {
            expiration_secs, ..
        } => match expiration_secs.unwrap_or(0) {
            0 => "turned disappearing messages off".into(),
            s => format!("set disappearing messages to {s} s after sending"),
        },
        GroupUpdate::MemberChange { kind, members, .. } => {
            let verb = match kind {
                MemberChange::Added => "added",
                MemberChange::Removed => "removed",
                MemberChange::Promoted => "promoted",
            };
            format!("{verb} {}", names(members))
        }
        GroupUpdate::MemberLeft | GroupUpdate::MemberLeftNotification => "left the group".into(),
        GroupUpdate::InviteResponse { approved: true } => "accepted the invitation".into(),
        GroupUpdate::InviteResponse { approved: false } => "declined the invitation".into(),
        GroupUpdate::DeleteMemberContent {
            members, hashes, ..
        } => deleted(members, hashes.len()),
        GroupUpdate::Invite { .. } | GroupUpdate::Promote { .. } => "(1:1 only)".into(),
    }
}

fn deleted(members: &[SessionId], hashes: usize) -> String {
    let messages = match hashes {
        1 => "1 message".to_owned(),
        n => format!("{n} messages"),
    };
    match (members.is_empty(), hashes) {
        (true, _) => format!("deleted {messages}"),
        (false, 0) => format!("deleted messages of {}", names(members)),
        (false, _) => format!("deleted messages of {} and {messages}", names(members)),
    }
}

/// Checks the admin signature a notice carries (`sender` sent it at `ts`). A deletion
/// gives the authority it deletes under: an admin's, or its sender's own messages only.
pub(crate) fn verify_notice(
    group: &GroupId,
    u: &GroupUpdate,
    ts: u64,
    sender: &SessionId,
) -> Result<Option<DeleteAuthority>, String> {
    let refused = |e: session_group::Error| format!("notice refused: {e}");
    if let GroupUpdate::DeleteMemberContent {
        members,
        hashes,
        admin_signature,
    } = u
    {
        return control::check_delete(
            group,
            sender,
            ts,
            members,
            hashes,
            admin_signature.as_deref(),
        )
        .map(Some)
        .map_err(refused);
    }
    let checked = match u {
        GroupUpdate::InfoChange {
            kind,
            admin_signature,
            ..
        } => control::verify(
            group,
            &Control::InfoChange {
                kind: kind.number(),
                timestamp_ms: ts,
            },
            admin_signature,
        ),
        GroupUpdate::MemberChange {
            kind,
            admin_signature,
            ..
        } => control::verify(
            group,
            &Control::MemberChange {
                kind: kind.number(),
                timestamp_ms: ts,
            },
            admin_signature,
        ),
        _ => Ok(()),
    };
    checked.map(|()| None).map_err(refused)
}
