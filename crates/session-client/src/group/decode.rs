//! A group message (namespace 11) decrypted, its envelope opened and its `Content` read:
//! a text, a reaction, or a notice whose admin signature (or, for a deletion, authority)
//! checked out. Anything else is refused with why.

use super::delete::Deletion;
use super::notice::{describe, verify_notice};
use crate::content;
use crate::history::groups::{GroupMessage, GroupReaction};
use session_group::Group;
use session_protocol::group::{self as wire, GroupUpdate};
use session_protocol::proto::Content;

/// A message of namespace 11 that decrypted and parsed.
pub(super) struct Decoded {
    pub(super) message: GroupMessage,
    pub(super) update: Option<GroupUpdate>,
    /// A reaction is not a message of its own.
    pub(super) reaction: Option<GroupReaction>,
    /// A deletion for everyone, its authority checked.
    pub(super) deletion: Option<Deletion>,
}

pub(super) fn decode(g: &Group, hash: &str, data: &[u8]) -> Result<Option<Decoded>, String> {
    let id = g.id();
    let d = g
        .decrypt_message(data)
        .map_err(|e| format!("message {hash}: {e}"))?;
    let (c, env_ts): (Content, u64) =
        wire::open_envelope(&id, &d.plaintext).map_err(|e| format!("message {hash}: {e}"))?;
    let sent = c.sig_timestamp.unwrap_or(env_ts);
    let expiry = content::Expiry::from_content(&c);
    let mut message = GroupMessage {
        group_id: id.to_string(),
        sender: d.sender.to_string(),
        text: String::new(),
        sent_at_ms: sent,
        hash: hash.to_owned(),
        outgoing: false,
        kind: "text".into(),
        quote: None,
        reactions: Vec::new(),
        expires_at_ms: super::info::expires_at(expiry, sent),
    };
    if let Some(u) = wire::parse(&c) {
        let authority =
            verify_notice(&id, &u, sent, &d.sender).map_err(|e| format!("message {hash}: {e}"))?;
        let deletion = match (&u, authority) {
            (
                GroupUpdate::DeleteMemberContent {
                    members, hashes, ..
                },
                Some(authority),
            ) => Some(Deletion {
                notice: hash.to_owned(),
                by: d.sender,
                authority,
                members: members.clone(),
                hashes: hashes.clone(),
                at_ms: sent,
            }),
            _ => None,
        };
        message.text = describe(&u);
        message.kind = "notice".into();
        return Ok(Some(Decoded {
            message,
            update: Some(u),
            reaction: None,
            deletion,
        }));
    }
    match content::parse(&c).0 {
        Some(content::Payload::Text { body, quote }) => {
            message.text = body;
            message.quote = quote.map(|(r, _)| (r.author.to_string(), r.sent_at_ms));
            Ok(Some(Decoded {
                message,
                update: None,
                reaction: None,
                deletion: None,
            }))
        }
        Some(content::Payload::Reaction { to, emoji, remove }) => Ok(Some(Decoded {
            reaction: Some(GroupReaction {
                author: to.author.to_string(),
                sent_at_ms: to.sent_at_ms,
                reactor: message.sender.clone(),
                emoji,
                remove,
            }),
            message,
            update: None,
            deletion: None,
        })),
        _ => Ok(None),
    }
}
