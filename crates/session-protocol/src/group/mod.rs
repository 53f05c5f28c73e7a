//! Groups v2 on the wire (spec crypto.md §2.4, §4.5, §4.7): the `GroupUpdate*` control
//! messages as a typed [`GroupUpdate`] ↔ `DataMessage.groupUpdateMessage`, and the envelope a
//! group message travels in before the group key encrypts it (type `CLOSED_GROUP_MESSAGE`,
//! `source` the group ID, `content` the padded `Content`). Pure: no I/O, no clock; the admin
//! signatures are made and checked by the caller (`session-group::control`), this module only
//! carries them.

use crate::error::{Error, Result};
use crate::proto::{
    self, Content, DataMessage, Envelope, GroupUpdateDeleteMemberContentMessage,
    GroupUpdateInfoChangeMessage, GroupUpdateInviteMessage, GroupUpdateInviteResponseMessage,
    GroupUpdateMemberChangeMessage, GroupUpdateMemberLeftMessage,
    GroupUpdateMemberLeftNotificationMessage, GroupUpdateMessage, GroupUpdatePromoteMessage,
    envelope, group_update_info_change_message as info, group_update_member_change_message as mc,
};
use prost::Message as _;
use session_crypto::{GroupId, SessionId};
use zeroize::Zeroizing;

/// What an info change is about (`GroupUpdateInfoChangeMessage.Type`).
#[derive(Clone, Copy, Debug, PartialEq, Eq)]
pub enum InfoChange {
    /// The name (`updatedName` carries it).
    Name,
    /// The picture.
    Avatar,
    /// The disappearing-messages timer (`updatedExpiration`, seconds).
    Disappearing,
}

impl InfoChange {
    /// The type number (what the admin signature covers).
    pub fn number(self) -> i32 {
        match self {
            Self::Name => 1,
            Self::Avatar => 2,
            Self::Disappearing => 3,
        }
    }
}

/// What a member change is about (`GroupUpdateMemberChangeMessage.Type`).
#[derive(Clone, Copy, Debug, PartialEq, Eq)]
pub enum MemberChange {
    /// Members were added.
    Added,
    /// Members were removed.
    Removed,
    /// Members were made admins.
    Promoted,
}

impl MemberChange {
    /// The type number (what the admin signature covers).
    pub fn number(self) -> i32 {
        match self {
            Self::Added => 1,
            Self::Removed => 2,
            Self::Promoted => 3,
        }
    }
}

/// A groups v2 control message.
#[derive(Clone, PartialEq, Eq)]
pub enum GroupUpdate {
    /// An invitation (sent 1:1 to the invitee).
    Invite {
        /// The group.
        group: GroupId,
        /// Its name.
        name: String,
        /// The invitee's 100-byte auth data (private to the invitee).
        auth_data: Zeroizing<Vec<u8>>,
        /// The admin's signature of `INVITE ‖ invitee ‖ timestamp`.
        admin_signature: Vec<u8>,
    },
    /// A promotion to admin (sent 1:1): the group's seed.
    Promote {
        /// The group's 32-byte Ed25519 seed (a secret).
        seed: Zeroizing<[u8; 32]>,
        /// The group's name.
        name: String,
    },
    /// An info change notice (in the group).
    InfoChange {
        /// What changed.
        kind: InfoChange,
        /// The new name, for [`InfoChange::Name`].
        name: Option<String>,
        /// The new timer, for [`InfoChange::Disappearing`].
        expiration_secs: Option<u32>,
        /// The admin's signature of `INFO_CHANGE ‖ type ‖ timestamp`.
        admin_signature: Vec<u8>,
    },
    /// A member change notice (in the group).
    MemberChange {
        /// What changed.
        kind: MemberChange,
        /// Who.
        members: Vec<SessionId>,
        /// Added members see the history.
        history_shared: bool,
        /// The admin's signature of `MEMBER_CHANGE ‖ type ‖ timestamp`.
        admin_signature: Vec<u8>,
    },
    /// The sender left (in the group).
    MemberLeft,
    /// The sender left (shown to members).
    MemberLeftNotification,
    /// The invitee's answer (in the group).
    InviteResponse {
        /// Accepted.
        approved: bool,
    },
    /// Messages deleted for everyone (in the group): by an admin (signed; any member's
    /// messages, all of `members`' too), or by their author (unsigned; its own `hashes` only).
    DeleteMemberContent {
        /// Members whose messages are gone (admins only).
        members: Vec<SessionId>,
        /// Storage hashes of messages gone.
        hashes: Vec<String>,
        /// The admin's signature of `DELETE_CONTENT ‖ timestamp ‖ members ‖ hashes`; `None`
        /// for an author's unsend (an empty signature on the wire is read as none, as
        /// desktop does).
        admin_signature: Option<Vec<u8>>,
    },
}

impl std::fmt::Debug for GroupUpdate {
    fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
        // Never the auth data or the seed.
        match self {
            Self::Invite { group, name, .. } => f
                .debug_struct("Invite")
                .field("group", group)
                .field("name", name)
                .finish_non_exhaustive(),
            Self::Promote { name, .. } => f
                .debug_struct("Promote")
                .field("name", name)
                .finish_non_exhaustive(),
            Self::InfoChange { kind, name, .. } => f
                .debug_struct("InfoChange")
                .field("kind", kind)
                .field("name", name)
                .finish_non_exhaustive(),
            Self::MemberChange { kind, members, .. } => f
                .debug_struct("MemberChange")
                .field("kind", kind)
                .field("members", members)
                .finish_non_exhaustive(),
            Self::MemberLeft => f.write_str("MemberLeft"),
            Self::MemberLeftNotification => f.write_str("MemberLeftNotification"),
            Self::InviteResponse { approved } => f
                .debug_struct("InviteResponse")
                .field("approved", approved)
                .finish(),
            Self::DeleteMemberContent {
                members, hashes, ..
            } => f
                .debug_struct("DeleteMemberContent")
                .field("members", members)
                .field("hashes", &hashes.len())
                .finish_non_exhaustive(),
        }
    }
}

fn ids(list: &[SessionId]) -> Vec<String> {
    list.iter().map(ToString::to_string).collect()
}

impl GroupUpdate {
    fn to_proto(&self) -> GroupUpdateMessage {
        let mut m = GroupUpdateMessage::default();
        match self {
            Self::Invite {
                group,
                name,
                auth_data,
                admin_signature,
            } => {
                m.invite_message = Some(GroupUpdateInviteMessage {
                    group_session_id: Some(group.to_string()),
                    name: Some(name.clone()),
                    member_auth_data: Some(auth_data.to_vec()),
                    admin_signature: Some(admin_signature.clone()),
                });
            }
            Self::Promote { seed, name } => {
                m.promote_message = Some(GroupUpdatePromoteMessage {
                    group_identity_seed: Some(seed.to_vec()),
                    name: Some(name.clone()),
                });
            }
            Self::InfoChange {
                kind,
                name,
                expiration_secs,
                admin_signature,
            } => {
                let t = match kind {
                    InfoChange::Name => info::Type::Name,
                    InfoChange::Avatar => info::Type::Avatar,
                    InfoChange::Disappearing => info::Type::DisappearingMessages,
                };
                m.info_change_message = Some(GroupUpdateInfoChangeMessage {
                    r#type: Some(t as i32),
                    updated_name: name.clone(),
                    updated_expiration: *expiration_secs,
                    admin_signature: Some(admin_signature.clone()),
                });
            }
            Self::MemberChange {
                kind,
                members,
                history_shared,
                admin_signature,
            } => {
                let t = match kind {
                    MemberChange::Added => mc::Type::Added,
                    MemberChange::Removed => mc::Type::Removed,
                    MemberChange::Promoted => mc::Type::Promoted,
                };
                m.member_change_message = Some(GroupUpdateMemberChangeMessage {
                    r#type: Some(t as i32),
                    member_session_ids: ids(members),
                    history_shared: Some(*history_shared),
                    admin_signature: Some(admin_signature.clone()),
                });
            }
            Self::MemberLeft => m.member_left_message = Some(GroupUpdateMemberLeftMessage {}),
            Self::MemberLeftNotification => {
                m.member_left_notification_message =
                    Some(GroupUpdateMemberLeftNotificationMessage {});
            }
            Self::InviteResponse { approved } => {
                m.invite_response = Some(GroupUpdateInviteResponseMessage {
                    is_approved: Some(*approved),
                });
            }
            Self::DeleteMemberContent {
                members,
                hashes,
                admin_signature,
            } => {
                m.delete_member_content = Some(GroupUpdateDeleteMemberContentMessage {
                    member_session_ids: ids(members),
                    message_hashes: hashes.clone(),
                    admin_signature: admin_signature.clone(),
                });
            }
        }
        m
    }
}

/// The `Content` of a control message sent at `sent_at_ms`.
pub fn build(update: &GroupUpdate, sent_at_ms: u64) -> Content {
    Content {
        data_message: Some(DataMessage {
            group_update_message: Some(update.to_proto()),
            ..Default::default()
        }),
        sig_timestamp: Some(sent_at_ms),
        ..Default::default()
    }
}

fn parse_ids(list: &[String]) -> Option<Vec<SessionId>> {
    list.iter().map(|s| s.parse().ok()).collect()
}

/// The control message in `content`, if it holds one that parses (required fields present,
/// IDs well formed, the seed 32 bytes, the auth data 100 bytes); `None` otherwise. Nothing is
/// verified here.
pub fn parse(content: &Content) -> Option<GroupUpdate> {
    let m = content
        .data_message
        .as_ref()?
        .group_update_message
        .as_ref()?;
    if let Some(i) = &m.invite_message {
        let auth = i.member_auth_data.as_ref().filter(|a| a.len() == 100)?;
        return Some(GroupUpdate::Invite {
            group: i.group_session_id.as_deref()?.parse().ok()?,
            name: i.name.clone()?,
            auth_data: Zeroizing::new(auth.clone()),
            admin_signature: i.admin_signature.clone()?,
        });
    }
    if let Some(p) = &m.promote_message {
        let seed = <[u8; 32]>::try_from(p.group_identity_seed.as_deref()?).ok()?;
        return Some(GroupUpdate::Promote {
            seed: Zeroizing::new(seed),
            name: p.name.clone()?,
        });
    }
    if let Some(c) = &m.info_change_message {
        let kind = match info::Type::try_from(c.r#type?).ok()? {
            info::Type::Name => InfoChange::Name,
            info::Type::Avatar => InfoChange::Avatar,
            info::Type::DisappearingMessages => InfoChange::Disappearing,
        };
        return Some(GroupUpdate::InfoChange {
            kind,
            name: c.updated_name.clone(),
            expiration_secs: c.updated_expiration,
            admin_signature: c.admin_signature.clone()?,
        });
    }
    if let Some(c) = &m.member_change_message {
        let kind = match mc::Type::try_from(c.r#type?).ok()? {
            mc::Type::Added => MemberChange::Added,
            mc::Type::Removed => MemberChange::Removed,
            mc::Type::Promoted => MemberChange::Promoted,
        };
        return Some(GroupUpdate::MemberChange {
            kind,
            members: parse_ids(&c.member_session_ids)?,
            history_shared: c.history_shared.unwrap_or(false),
            admin_signature: c.admin_signature.clone()?,
        });
    }
    if m.member_left_message.is_some() {
        return Some(GroupUpdate::MemberLeft);
    }
    if let Some(r) = &m.invite_response {
        return Some(GroupUpdate::InviteResponse {
            approved: r.is_approved?,
        });
    }
    if let Some(d) = &m.delete_member_content {
        return Some(GroupUpdate::DeleteMemberContent {
            members: parse_ids(&d.member_session_ids)?,
            hashes: d.message_hashes.clone(),
            admin_signature: d.admin_signature.clone().filter(|s| !s.is_empty()),
        });
    }
    m.member_left_notification_message
        .as_ref()
        .map(|_| GroupUpdate::MemberLeftNotification)
}

/// The plaintext of a group message: an `Envelope` of type `CLOSED_GROUP_MESSAGE` with the
/// group ID as `source`, the send time and the padded `content` (the group key then encrypts
/// it, `session-group::message`).
pub fn envelope_bytes(group: &GroupId, content: &Content, sent_ms: u64) -> Result<Vec<u8>> {
    use crate::proto::Validate as _;
    content.validate()?;
    Ok(Envelope {
        r#type: Some(envelope::Type::ClosedGroupMessage as i32),
        source: Some(group.to_string()),
        timestamp: Some(sent_ms),
        source_device: Some(crate::wire::SOURCE_DEVICE),
        content: Some(crate::padding::pad(&content.encode_to_vec())),
        server_timestamp: None,
        pro_sig: None,
    }
    .encode_to_vec())
}

/// A decrypted group message's `Content` and envelope time: the envelope must be
/// `CLOSED_GROUP_MESSAGE` from `group`, its content padded and valid.
pub fn open_envelope(group: &GroupId, bytes: &[u8]) -> Result<(Content, u64)> {
    use crate::proto::Validate as _;
    let env: Envelope = proto::decode(bytes)?;
    env.validate()?;
    let expected = envelope::Type::ClosedGroupMessage as i32;
    if env.r#type != Some(expected) {
        return Err(Error::UnexpectedEnvelopeType {
            got: env.r#type.unwrap_or(0),
            expected,
        });
    }
    if env.source.as_deref() != Some(group.to_string().as_str()) {
        return Err(Error::InvalidField {
            what: "Envelope",
            field: "source",
        });
    }
    let padded = env.content.as_deref().ok_or(Error::MissingField {
        what: "Envelope",
        field: "content",
    })?;
    let content: Content = proto::decode(crate::padding::unpad(padded)?)?;
    content.validate()?;
    Ok((content, env.timestamp.unwrap_or(0)))
}

#[cfg(test)]
mod tests;
