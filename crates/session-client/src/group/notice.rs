//! Notices (the `GroupUpdate*` messages in a group): their words in the history, and the
//! admin signature they must carry.

use session_crypto::GroupId;
use session_group::control::{self, Control};
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
        } => format!(
            "set disappearing messages to {} s",
            expiration_secs.unwrap_or(0)
        ),
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
        GroupUpdate::DeleteMemberContent { members, .. } => {
            format!("deleted messages of {}", names(members))
        }
        GroupUpdate::Invite { .. } | GroupUpdate::Promote { .. } => "(1:1 only)".into(),
    }
}

/// Checks the admin signature a notice carries.
pub(crate) fn verify_notice(group: &GroupId, u: &GroupUpdate, ts: u64) -> Result<(), String> {
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
        GroupUpdate::DeleteMemberContent {
            members,
            hashes,
            admin_signature,
        } => control::verify(
            group,
            &Control::DeleteContent {
                timestamp_ms: ts,
                members,
                hashes,
            },
            admin_signature,
        ),
        _ => Ok(()),
    };
    checked.map_err(|e| format!("notice refused: {e}"))
}
