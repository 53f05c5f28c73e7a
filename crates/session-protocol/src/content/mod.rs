//! What a 1:1 conversation says, mapped to and from Session's protobuf [`Content`] (spec
//! crypto.md §2.4, §2.5): text with an optional quote, reactions, unsend requests, receipts,
//! typing indicators, disappearing-message settings and message-request responses, and the
//! store TTL each one gets. Pure: no I/O and no clock (the send time is an input).
//!
//! Session refers to a message by its author's Session ID and its send timestamp
//! ([`MessageRef`]). The disappearing-messages setting travels with each message in
//! `Content.expirationType` / `expirationTimer` ([`Expiry`]). [`parse`] takes a `Content` from
//! the network as it is (required fields possibly missing, enums possibly unknown) and never
//! panics; anything it does not understand is `None`.

use crate::proto::{
    Content, DataMessage, MessageRequestResponse, ReceiptMessage, TypingMessage, UnsendRequest,
    content::ExpirationType, data_message, receipt_message, typing_message,
};
use session_crypto::SessionId;

/// Store TTL of content messages (and of everything without a shorter rule): 14 days, the
/// longest a node keeps a 1:1 message.
pub const DEFAULT_TTL_MS: u64 = 14 * 24 * 3600 * 1000;
/// Store TTL of typing indicators: 20 s.
pub const TYPING_TTL_MS: u64 = 20_000;
/// Shortest store TTL a node accepts: 10 s.
pub const MIN_TTL_MS: u64 = 10_000;

/// A conversation's disappearing-messages setting, as each message carries it. A zero timer
/// means [`Expiry::Off`] (`AfterSend(0)` and `AfterRead(0)` behave exactly like it).
#[derive(Clone, Copy, Debug, Default, PartialEq, Eq, Hash)]
pub enum Expiry {
    /// Messages do not disappear.
    #[default]
    Off,
    /// Messages disappear this many seconds after they are sent (`DELETE_AFTER_SEND`).
    AfterSend(u32),
    /// Messages disappear this many seconds after the recipient reads them
    /// (`DELETE_AFTER_READ`).
    AfterRead(u32),
}

impl Expiry {
    fn normalized(self) -> Self {
        match self {
            Self::AfterSend(0) | Self::AfterRead(0) => Self::Off,
            other => other,
        }
    }

    /// From `Content.expirationType/Timer`: a missing, `UNKNOWN` or unknown type, or a zero or
    /// missing timer, is `Off`.
    pub fn from_content(content: &Content) -> Self {
        let secs = content.expiration_timer.unwrap_or(0);
        match content.expiration_type.map(ExpirationType::try_from) {
            Some(Ok(ExpirationType::DeleteAfterSend)) => Self::AfterSend(secs),
            Some(Ok(ExpirationType::DeleteAfterRead)) => Self::AfterRead(secs),
            _ => Self::Off,
        }
        .normalized()
    }

    /// Sets `Content.expirationType/Timer`; `Off` leaves both absent.
    pub fn write_to(self, content: &mut Content) {
        let (kind, secs) = match self.normalized() {
            Self::Off => return,
            Self::AfterSend(s) => (ExpirationType::DeleteAfterSend, s),
            Self::AfterRead(s) => (ExpirationType::DeleteAfterRead, s),
        };
        content.expiration_type = Some(kind as i32);
        content.expiration_timer = Some(secs);
    }
}

impl std::fmt::Display for Expiry {
    /// `off`, `after-send 60s`, `after-read 300s` (as the CLI takes them).
    fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
        match self {
            Self::Off => f.write_str("off"),
            Self::AfterSend(s) => write!(f, "after-send {s}s"),
            Self::AfterRead(s) => write!(f, "after-read {s}s"),
        }
    }
}

/// How Session refers to a message (in quotes, reactions and unsend requests): its author and
/// its send timestamp.
#[derive(Clone, Copy, Debug, PartialEq, Eq, Hash)]
pub struct MessageRef {
    /// The author's Session ID.
    pub author: SessionId,
    /// The message's send timestamp (its `sigTimestamp`), ms.
    pub sent_at_ms: u64,
}

impl MessageRef {
    /// From the wire's `author` (66 hex) and timestamp; `None` if either is missing or the
    /// author is not a `05` Session ID.
    fn from_wire(author: Option<&str>, sent_at_ms: Option<u64>) -> Option<Self> {
        Some(Self {
            author: author?.parse().ok()?,
            sent_at_ms: sent_at_ms?,
        })
    }
}

/// What a 1:1 message says (sent, or understood from a received [`Content`]).
#[derive(Clone, Debug, PartialEq, Eq)]
pub enum Payload {
    /// A text message (`DataMessage.body`), optionally quoting an earlier message.
    Text {
        /// The text.
        body: String,
        /// The quoted message and, optionally, the part of its text shown with the quote.
        quote: Option<(MessageRef, Option<String>)>,
    },
    /// An emoji reaction to a message (`DataMessage.reaction`).
    Reaction {
        /// The message reacted to.
        to: MessageRef,
        /// The emoji.
        emoji: String,
        /// Withdraws the reaction (`REMOVE`) instead of adding it (`REACT`).
        remove: bool,
    },
    /// Asks the recipient to delete one of our messages (`Content.unsendRequest`).
    Unsend {
        /// The message to delete.
        to: MessageRef,
    },
    /// Delivery or read receipts (`Content.receiptMessage`).
    Receipt {
        /// `READ` receipts rather than `DELIVERY` receipts.
        read: bool,
        /// Send timestamps of the messages concerned, ms.
        timestamps: Vec<u64>,
    },
    /// A typing indicator (`Content.typingMessage`).
    Typing {
        /// `STARTED` rather than `STOPPED`.
        started: bool,
    },
    /// Announces the conversation's disappearing-messages setting (`DataMessage.flags =
    /// EXPIRATION_TIMER_UPDATE`); the setting itself is the [`Expiry`] passed to [`build`].
    ExpirySetting,
    /// Accepts or declines a message request (`Content.messageRequestResponse`).
    RequestResponse {
        /// Whether the request is accepted.
        approved: bool,
    },
}

impl Payload {
    /// Whether the message is ephemeral (typing indicators, receipts) rather than durable
    /// conversation history (text, reactions, unsend requests, expiry settings, request
    /// responses).
    pub fn is_ephemeral(&self) -> bool {
        matches!(self, Self::Typing { .. } | Self::Receipt { .. })
    }

    /// Whether the message carries the conversation's [`Expiry`] (and disappears under it).
    fn carries_expiry(&self) -> bool {
        matches!(
            self,
            Self::Text { .. } | Self::Reaction { .. } | Self::ExpirySetting
        )
    }
}

/// Builds the [`Content`] of `out`, sent at `sent_at_ms` in a conversation whose setting is
/// `expiry`. `sigTimestamp` is always `sent_at_ms` (typing indicators also carry it as their
/// timestamp). Text, reactions and expiry settings carry `expiry` in
/// `expirationType/Timer`; the others never do. An [`Payload::ExpirySetting`] with
/// [`Expiry::Off`] sends `expirationTimer = 0` and no type (a zero timer is "off" to every
/// parser; desktop itself adds type `UNKNOWN`, which means the same).
pub fn build(out: &Payload, expiry: Expiry, sent_at_ms: u64) -> Content {
    let mut content = Content {
        sig_timestamp: Some(sent_at_ms),
        ..Default::default()
    };
    match out {
        Payload::Text { body, quote } => {
            content.data_message = Some(DataMessage {
                body: Some(body.clone()),
                quote: quote.as_ref().map(|(to, text)| data_message::Quote {
                    id: Some(to.sent_at_ms),
                    author: Some(to.author.to_string()),
                    text: text.clone(),
                    ..Default::default()
                }),
                ..Default::default()
            });
        }
        Payload::Reaction { to, emoji, remove } => {
            let action = if *remove {
                data_message::reaction::Action::Remove
            } else {
                data_message::reaction::Action::React
            };
            content.data_message = Some(DataMessage {
                reaction: Some(data_message::Reaction {
                    id: Some(to.sent_at_ms),
                    author: Some(to.author.to_string()),
                    emoji: Some(emoji.clone()),
                    action: Some(action as i32),
                }),
                ..Default::default()
            });
        }
        Payload::Unsend { to } => {
            content.unsend_request = Some(UnsendRequest {
                timestamp: Some(to.sent_at_ms),
                author: Some(to.author.to_string()),
            });
        }
        Payload::Receipt { read, timestamps } => {
            let kind = if *read {
                receipt_message::Type::Read
            } else {
                receipt_message::Type::Delivery
            };
            content.receipt_message = Some(ReceiptMessage {
                r#type: Some(kind as i32),
                timestamp: timestamps.clone(),
            });
        }
        Payload::Typing { started } => {
            let action = if *started {
                typing_message::Action::Started
            } else {
                typing_message::Action::Stopped
            };
            content.typing_message = Some(TypingMessage {
                timestamp: Some(sent_at_ms),
                action: Some(action as i32),
            });
        }
        Payload::ExpirySetting => {
            content.data_message = Some(DataMessage {
                flags: Some(data_message::Flags::ExpirationTimerUpdate as u32),
                ..Default::default()
            });
            // Turning the timer off must still say so.
            content.expiration_timer = Some(0);
        }
        Payload::RequestResponse { approved } => {
            content.message_request_response = Some(MessageRequestResponse {
                is_approved: Some(*approved),
                ..Default::default()
            });
        }
    }
    if out.carries_expiry() {
        expiry.write_to(&mut content);
    }
    content
}

/// What an incoming `content` means, and the [`Expiry`] it carries (`Off` unless
/// `expirationType` is `DELETE_AFTER_SEND`/`DELETE_AFTER_READ` with a non-zero timer). The
/// first payload present in field-number order decides the event (data message, call,
/// receipt, typing, data extraction, unsend, request response, config). Malformed pieces
/// give `None` (as do calls, configs, group updates, data-extraction notices and sync copies
/// of our own messages), never a panic. A data message with attachments but no body is a
/// [`Payload::Text`] with an empty body (the attachments are the caller's to read from
/// `DataMessage.attachments`).
pub fn parse(content: &Content) -> (Option<Payload>, Expiry) {
    (event_of(content), Expiry::from_content(content))
}

/// The payload, or `None` for anything else.
fn event_of(content: &Content) -> Option<Payload> {
    if let Some(dm) = &content.data_message {
        return data_event(dm, false);
    }
    if content.call_message.is_some() {
        return None;
    }
    if let Some(r) = &content.receipt_message {
        let read = match receipt_message::Type::try_from(r.r#type?).ok()? {
            receipt_message::Type::Delivery => false,
            receipt_message::Type::Read => true,
        };
        return Some(Payload::Receipt {
            read,
            timestamps: r.timestamp.clone(),
        });
    }
    if let Some(t) = &content.typing_message {
        let started = match typing_message::Action::try_from(t.action?).ok()? {
            typing_message::Action::Started => true,
            typing_message::Action::Stopped => false,
        };
        return Some(Payload::Typing { started });
    }
    if content.data_extraction_notification.is_some() {
        return None;
    }
    if let Some(u) = &content.unsend_request {
        let to = MessageRef::from_wire(u.author.as_deref(), u.timestamp)?;
        return Some(Payload::Unsend { to });
    }
    let approved = content.message_request_response.as_ref()?.is_approved?;
    Some(Payload::RequestResponse { approved })
}

/// The payload of a data message; a sync copy (`syncTarget` set) only when `sync_copy`.
fn data_event(dm: &DataMessage, sync_copy: bool) -> Option<Payload> {
    if dm.sync_target.is_some() != sync_copy {
        // A copy of our own message sent from another device is not something the peer said
        // (`sync::parse_full` reads it as what we said).
        return None;
    }
    let timer_update = data_message::Flags::ExpirationTimerUpdate as u32;
    if dm.flags.unwrap_or(0) & timer_update != 0 {
        return Some(Payload::ExpirySetting);
    }
    if let Some(r) = &dm.reaction {
        let remove = match data_message::reaction::Action::try_from(r.action?).ok()? {
            data_message::reaction::Action::React => false,
            data_message::reaction::Action::Remove => true,
        };
        return Some(Payload::Reaction {
            to: MessageRef::from_wire(r.author.as_deref(), r.id)?,
            emoji: r.emoji.clone()?,
            remove,
        });
    }
    if dm.group_update_message.is_some() || dm.open_group_invitation.is_some() {
        return None;
    }
    // Attachments travel beside the text (`DataMessage.attachments`, read by the caller): a
    // message of attachments only is a text with an empty body.
    let body = match &dm.body {
        Some(b) => b.clone(),
        None if !dm.attachments.is_empty() => String::new(),
        None => return None,
    };
    let quote = match &dm.quote {
        None => None,
        Some(q) => Some((
            MessageRef::from_wire(q.author.as_deref(), q.id)?,
            q.text.clone(),
        )),
    };
    Some(Payload::Text { body, quote })
}

/// The store TTL (ms) for `out` under `expiry`: typing indicators 20 s; text, reactions and
/// expiry settings under [`Expiry::AfterSend`] the timer, clamped to what a node accepts
/// ([`MIN_TTL_MS`] to [`DEFAULT_TTL_MS`]); everything else (including `AfterRead`, whose
/// countdown starts on the reader's side, and unsend requests, receipts and request
/// responses, which do not carry the expiry) [`DEFAULT_TTL_MS`].
pub fn ttl_ms(out: &Payload, expiry: Expiry) -> u64 {
    match (out, expiry.normalized()) {
        (Payload::Typing { .. }, _) => TYPING_TTL_MS,
        (out, Expiry::AfterSend(secs)) if out.carries_expiry() => {
            (u64::from(secs) * 1000).clamp(MIN_TTL_MS, DEFAULT_TTL_MS)
        }
        _ => DEFAULT_TTL_MS,
    }
}

mod sync;
pub use sync::{Parsed, Profile, add_profile, parse_full, sync_copy};

#[cfg(test)]
mod tests;
