//! Session's protobuf messages (this crate's `proto/*.proto`, proto2, compiled by prost), with the
//! required-field rules Session's parsers enforce.
//!
//! Fields that Session declares `required` are `Option`s here so that absence can be seen;
//! [`Validate`] rejects a message that lacks one, as libsession (C++ protobuf) and desktop
//! (protobufjs) do. [`decode`] is prost decoding followed by that check; [`encode`] checks before
//! encoding, so we never emit what Session would refuse. prost drops unknown fields, so only
//! messages built from known fields re-encode to their original bytes.

#[allow(
    missing_docs,
    clippy::all,
    clippy::pedantic,
    clippy::doc_lazy_continuation
)]
mod generated {
    include!(concat!(env!("OUT_DIR"), "/session.rs"));
}

pub use generated::*;

use crate::error::{Error, Result};
use prost::Message;

/// Required-field checks, recursively through present sub-messages.
pub trait Validate {
    /// Ok when every field Session's schema marks `required` is present (and, for enums, holds
    /// a value the schema defines) in this message and the sub-messages it carries.
    fn validate(&self) -> Result<()>;
}

/// A message type's schema name, used in errors.
pub trait Named {
    /// The name as in the `.proto` file.
    const NAME: &'static str;
}

/// Decodes a protobuf message and checks its required fields.
pub fn decode<M: Message + Default + Validate + Named>(bytes: &[u8]) -> Result<M> {
    let msg = M::decode(bytes).map_err(|source| Error::Protobuf {
        what: M::NAME,
        source,
    })?;
    msg.validate()?;
    Ok(msg)
}

/// Checks a message's required fields, then encodes it.
pub fn encode<M: Message + Validate>(msg: &M) -> Result<Vec<u8>> {
    msg.validate()?;
    Ok(msg.encode_to_vec())
}

fn need<T>(v: &Option<T>, what: &'static str, field: &'static str) -> Result<()> {
    match v {
        Some(_) => Ok(()),
        None => Err(Error::MissingField { what, field }),
    }
}

/// A required enum: present and one of the schema's values (C++ protobuf treats an unknown
/// value of a proto2 enum as an absent field).
fn need_enum<E: TryFrom<i32>>(
    v: Option<i32>,
    what: &'static str,
    field: &'static str,
) -> Result<()> {
    match v.map(E::try_from) {
        Some(Ok(_)) => Ok(()),
        _ => Err(Error::MissingField { what, field }),
    }
}

fn sub<T: Validate>(v: &Option<T>) -> Result<()> {
    v.as_ref().map_or(Ok(()), Validate::validate)
}

fn each<T: Validate>(v: &[T]) -> Result<()> {
    v.iter().try_for_each(Validate::validate)
}

macro_rules! named {
    ($($ty:ty => $name:literal),* $(,)?) => {
        $(impl Named for $ty {
            const NAME: &'static str = $name;
        })*
    };
}

named! {
    WebSocketMessage => "WebSocketMessage",
    WebSocketRequestMessage => "WebSocketRequestMessage",
    WebSocketResponseMessage => "WebSocketResponseMessage",
    Envelope => "Envelope",
    Content => "Content",
    DataMessage => "DataMessage",
    CallMessage => "CallMessage",
    ReceiptMessage => "ReceiptMessage",
    TypingMessage => "TypingMessage",
    UnsendRequest => "UnsendRequest",
    MessageRequestResponse => "MessageRequestResponse",
    DataExtractionNotification => "DataExtractionNotification",
    SharedConfigMessage => "SharedConfigMessage",
    AttachmentPointer => "AttachmentPointer",
    LokiProfile => "LokiProfile",
    GroupUpdateMessage => "GroupUpdateMessage",
    ProMessage => "ProMessage",
}

/// Messages without required fields or sub-messages.
macro_rules! always_valid {
    ($($ty:ty),* $(,)?) => {
        $(impl Validate for $ty {
            fn validate(&self) -> Result<()> {
                Ok(())
            }
        })*
    };
}

always_valid!(
    WebSocketRequestMessage,
    WebSocketResponseMessage,
    LokiProfile,
    GroupUpdateMemberLeftMessage,
    GroupUpdateMemberLeftNotificationMessage,
    GroupUpdateDeleteMemberContentMessage,
    ProProof,
);

impl Validate for WebSocketMessage {
    fn validate(&self) -> Result<()> {
        sub(&self.request)?;
        sub(&self.response)
    }
}

impl Validate for Envelope {
    fn validate(&self) -> Result<()> {
        need_enum::<envelope::Type>(self.r#type, "Envelope", "type")?;
        need(&self.timestamp, "Envelope", "timestamp")
    }
}

impl Validate for Content {
    fn validate(&self) -> Result<()> {
        sub(&self.data_message)?;
        sub(&self.call_message)?;
        sub(&self.receipt_message)?;
        sub(&self.typing_message)?;
        sub(&self.data_extraction_notification)?;
        sub(&self.unsend_request)?;
        sub(&self.message_request_response)?;
        sub(&self.shared_config_message)?;
        sub(&self.pro_message)
    }
}

impl Validate for TypingMessage {
    fn validate(&self) -> Result<()> {
        need(&self.timestamp, "TypingMessage", "timestamp")?;
        need_enum::<typing_message::Action>(self.action, "TypingMessage", "action")
    }
}

impl Validate for UnsendRequest {
    fn validate(&self) -> Result<()> {
        need(&self.timestamp, "UnsendRequest", "timestamp")?;
        need(&self.author, "UnsendRequest", "author")
    }
}

impl Validate for MessageRequestResponse {
    fn validate(&self) -> Result<()> {
        need(&self.is_approved, "MessageRequestResponse", "isApproved")?;
        sub(&self.profile)
    }
}

impl Validate for CallMessage {
    fn validate(&self) -> Result<()> {
        need_enum::<call_message::Type>(self.r#type, "CallMessage", "type")?;
        need(&self.uuid, "CallMessage", "uuid")
    }
}

impl Validate for DataExtractionNotification {
    fn validate(&self) -> Result<()> {
        need_enum::<data_extraction_notification::Type>(
            self.r#type,
            "DataExtractionNotification",
            "type",
        )
    }
}

impl Validate for ReceiptMessage {
    fn validate(&self) -> Result<()> {
        need_enum::<receipt_message::Type>(self.r#type, "ReceiptMessage", "type")
    }
}

impl Validate for AttachmentPointer {
    fn validate(&self) -> Result<()> {
        need(&self.id, "AttachmentPointer", "id")
    }
}

impl Validate for SharedConfigMessage {
    fn validate(&self) -> Result<()> {
        need_enum::<shared_config_message::Kind>(self.kind, "SharedConfigMessage", "kind")?;
        need(&self.seqno, "SharedConfigMessage", "seqno")?;
        need(&self.data, "SharedConfigMessage", "data")
    }
}

impl Validate for DataMessage {
    fn validate(&self) -> Result<()> {
        each(&self.attachments)?;
        sub(&self.quote)?;
        each(&self.preview)?;
        sub(&self.reaction)?;
        sub(&self.profile)?;
        sub(&self.open_group_invitation)?;
        sub(&self.group_update_message)
    }
}

impl Validate for data_message::Quote {
    fn validate(&self) -> Result<()> {
        need(&self.id, "DataMessage.Quote", "id")?;
        need(&self.author, "DataMessage.Quote", "author")?;
        each(&self.attachments)
    }
}

impl Validate for data_message::quote::QuotedAttachment {
    fn validate(&self) -> Result<()> {
        sub(&self.thumbnail)
    }
}

impl Validate for data_message::Preview {
    fn validate(&self) -> Result<()> {
        need(&self.url, "DataMessage.Preview", "url")?;
        sub(&self.image)
    }
}

impl Validate for data_message::Reaction {
    fn validate(&self) -> Result<()> {
        need(&self.id, "DataMessage.Reaction", "id")?;
        need(&self.author, "DataMessage.Reaction", "author")?;
        need_enum::<data_message::reaction::Action>(self.action, "DataMessage.Reaction", "action")
    }
}

impl Validate for data_message::OpenGroupInvitation {
    fn validate(&self) -> Result<()> {
        need(&self.url, "DataMessage.OpenGroupInvitation", "url")?;
        need(&self.name, "DataMessage.OpenGroupInvitation", "name")
    }
}

impl Validate for GroupUpdateMessage {
    fn validate(&self) -> Result<()> {
        sub(&self.invite_message)?;
        sub(&self.info_change_message)?;
        sub(&self.member_change_message)?;
        sub(&self.promote_message)?;
        sub(&self.member_left_message)?;
        sub(&self.invite_response)?;
        sub(&self.delete_member_content)?;
        sub(&self.member_left_notification_message)
    }
}

impl Validate for GroupUpdateInviteMessage {
    fn validate(&self) -> Result<()> {
        const W: &str = "GroupUpdateInviteMessage";
        need(&self.group_session_id, W, "groupSessionId")?;
        need(&self.name, W, "name")?;
        need(&self.member_auth_data, W, "memberAuthData")?;
        need(&self.admin_signature, W, "adminSignature")
    }
}

impl Validate for GroupUpdatePromoteMessage {
    fn validate(&self) -> Result<()> {
        need(
            &self.group_identity_seed,
            "GroupUpdatePromoteMessage",
            "groupIdentitySeed",
        )?;
        need(&self.name, "GroupUpdatePromoteMessage", "name")
    }
}

impl Validate for GroupUpdateInfoChangeMessage {
    fn validate(&self) -> Result<()> {
        const W: &str = "GroupUpdateInfoChangeMessage";
        need_enum::<group_update_info_change_message::Type>(self.r#type, W, "type")?;
        need(&self.admin_signature, W, "adminSignature")
    }
}

impl Validate for GroupUpdateMemberChangeMessage {
    fn validate(&self) -> Result<()> {
        const W: &str = "GroupUpdateMemberChangeMessage";
        need_enum::<group_update_member_change_message::Type>(self.r#type, W, "type")?;
        need(&self.admin_signature, W, "adminSignature")
    }
}

impl Validate for GroupUpdateInviteResponseMessage {
    fn validate(&self) -> Result<()> {
        need(
            &self.is_approved,
            "GroupUpdateInviteResponseMessage",
            "isApproved",
        )
    }
}

impl Validate for ProMessage {
    fn validate(&self) -> Result<()> {
        sub(&self.proof)
    }
}
