//! Admin-signed control messages (spec §4.7; desktop `groupSignature.ts`, Android
//! `MessageAuthentication`): the `adminSignature` of `GroupUpdate*` messages is the group key's
//! Ed25519 signature over a UTF-8 string built from the message and its send timestamp (ms).

use crate::error::{Error, Result};
use crate::identity::GroupAdmin;
use crate::subaccount::{self, AuthData};
use session_crypto::{GroupId, IdentityKeys, SessionId};

/// What an admin signature covers.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum Control<'a> {
    /// `GroupUpdateInviteMessage`: `"INVITE" ‖ invitee ‖ timestamp`.
    Invite {
        /// The invited member.
        invitee: &'a SessionId,
        /// The message's send timestamp (ms).
        timestamp_ms: u64,
    },
    /// `GroupUpdateInfoChangeMessage`: `"INFO_CHANGE" ‖ type ‖ timestamp` (type 1 name,
    /// 2 avatar, 3 disappearing messages).
    InfoChange {
        /// The change type number.
        kind: i32,
        /// The message's send timestamp (ms).
        timestamp_ms: u64,
    },
    /// `GroupUpdateMemberChangeMessage`: `"MEMBER_CHANGE" ‖ type ‖ timestamp` (type 1 added,
    /// 2 removed, 3 promoted).
    MemberChange {
        /// The change type number.
        kind: i32,
        /// The message's send timestamp (ms).
        timestamp_ms: u64,
    },
    /// `GroupUpdateDeleteMemberContentMessage`:
    /// `"DELETE_CONTENT" ‖ timestamp ‖ member IDs… ‖ message hashes…`.
    DeleteContent {
        /// The message's send timestamp (ms).
        timestamp_ms: u64,
        /// Members whose messages are deleted.
        members: &'a [SessionId],
        /// Storage hashes of messages deleted.
        hashes: &'a [String],
    },
}

impl Control<'_> {
    /// The signed bytes.
    pub fn signed_bytes(&self) -> Vec<u8> {
        let s = match self {
            Control::Invite {
                invitee,
                timestamp_ms,
            } => format!("INVITE{invitee}{timestamp_ms}"),
            Control::InfoChange { kind, timestamp_ms } => {
                format!("INFO_CHANGE{kind}{timestamp_ms}")
            }
            Control::MemberChange { kind, timestamp_ms } => {
                format!("MEMBER_CHANGE{kind}{timestamp_ms}")
            }
            Control::DeleteContent {
                timestamp_ms,
                members,
                hashes,
            } => {
                let mut s = format!("DELETE_CONTENT{timestamp_ms}");
                members.iter().for_each(|m| s.push_str(&m.to_string()));
                hashes.iter().for_each(|h| s.push_str(h));
                s
            }
        };
        s.into_bytes()
    }

    fn what(&self) -> &'static str {
        match self {
            Control::Invite { .. } => "group invite",
            Control::InfoChange { .. } => "group info change",
            Control::MemberChange { .. } => "group member change",
            Control::DeleteContent { .. } => "group content deletion",
        }
    }
}

/// The admin signature of a control message.
pub fn sign(admin: &GroupAdmin, msg: &Control<'_>) -> [u8; 64] {
    admin.sign(&msg.signed_bytes())
}

/// Verifies an admin signature (any length other than 64 bytes is refused).
pub fn verify(group: &GroupId, msg: &Control<'_>, signature: &[u8]) -> Result<()> {
    let what = msg.what();
    let sig: &[u8; 64] = signature
        .try_into()
        .map_err(|_| Error::BadSignature { what })?;
    group
        .ed25519()
        .verify(&msg.signed_bytes(), sig, what)
        .map_err(|_| Error::BadSignature { what })
}

/// Under what authority a `GroupUpdateDeleteMemberContentMessage` deletes (desktop's
/// `handleGroupUpdateDeleteMemberContentMessage`).
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum DeleteAuthority {
    /// The group key signed it: any member's messages among the hashes, and every message of
    /// the members it names.
    Admin,
    /// Unsigned, from this member: only their own messages among the hashes.
    Author(SessionId),
}

impl DeleteAuthority {
    /// Whether a message by `author` may be deleted under this authority.
    pub fn covers(&self, author: &SessionId) -> bool {
        match self {
            Self::Admin => true,
            Self::Author(a) => a == author,
        }
    }
}

/// Checks a deletion sent by `sender` at `timestamp_ms`. With a signature it must be the
/// group key's over `DELETE_CONTENT ‖ timestamp ‖ members ‖ hashes` (anything else is
/// refused, whoever sent it); without one it is the sender's unsend of their own messages,
/// which may name hashes but no members. A deletion of nothing is refused.
pub fn check_delete(
    group: &GroupId,
    sender: &SessionId,
    timestamp_ms: u64,
    members: &[SessionId],
    hashes: &[String],
    admin_signature: Option<&[u8]>,
) -> Result<DeleteAuthority> {
    if members.is_empty() && hashes.is_empty() {
        return Err(Error::Malformed {
            what: "group content deletion",
            reason: "names no member and no message",
        });
    }
    if let Some(sig) = admin_signature {
        let msg = Control::DeleteContent {
            timestamp_ms,
            members,
            hashes,
        };
        verify(group, &msg, sig)?;
        return Ok(DeleteAuthority::Admin);
    }
    if !members.is_empty() {
        return Err(Error::NotAdmin {
            what: "deleting all of a member's messages (no admin signature)",
        });
    }
    Ok(DeleteAuthority::Author(*sender))
}

/// Checks an invite received by `me`: the admin signature over `INVITE ‖ my ID ‖ timestamp` and
/// the auth data (the group's signature of my token). Returns the auth data to keep.
pub fn accept_invite(
    group: &GroupId,
    me: &IdentityKeys,
    timestamp_ms: u64,
    admin_signature: &[u8],
    member_auth_data: &[u8],
) -> Result<AuthData> {
    let sid = me.session_id();
    let invite = Control::Invite {
        invitee: &sid,
        timestamp_ms,
    };
    verify(group, &invite, admin_signature)?;
    let auth = AuthData::from_bytes(member_auth_data)?;
    subaccount::verify_auth_data(group, me, &auth, false, false)?;
    Ok(auth)
}
