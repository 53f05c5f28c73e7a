//! 1:1 messages as stored in the recipient's swarm, namespace 0 (spec/crypto.md §2):
//! `Content` → pad → Session Protocol encryption → `Envelope` (type 6) → `WebSocketMessage`.

use crate::error::{Error, Result};
use crate::proto::{self, Content, Envelope, envelope};
use crate::{padding, wire};
use prost::Message;
use rand_core::CryptoRng;
use session_crypto::session_protocol::{
    decrypt_incoming, encrypt_for_recipient, encrypt_for_recipient_deterministic,
};
use session_crypto::{Ed25519PublicKey, IdentityKeys, SessionId};
use std::fmt;
use zeroize::Zeroizing;

/// The swarm namespace 1:1 messages are stored in.
pub const NAMESPACE: i16 = 0;

/// The serialised, padded `Content`, in a buffer that is wiped when dropped.
fn padded_content(content: &Content) -> Result<Zeroizing<Vec<u8>>> {
    use crate::proto::Validate as _;
    content.validate()?;
    let plain = Zeroizing::new(content.encode_to_vec());
    let mut padded = Zeroizing::new(Vec::new());
    padding::pad_into(&plain, &mut padded);
    Ok(padded)
}

/// Encodes `content` from `sender` to `recipient`, sent at `sent_ms` (milliseconds since the
/// epoch, network time): the bytes to store in the recipient's namespace 0. The envelope carries
/// a decoy Pro signature, as current Session clients' do. `content` is encoded as given; Session
/// clients set its `sigTimestamp` to `sent_ms`.
pub fn encode_for_recipient(
    sender: &IdentityKeys,
    recipient: &SessionId,
    content: &Content,
    sent_ms: u64,
    rng: &mut impl CryptoRng,
) -> Result<Vec<u8>> {
    let padded = padded_content(content)?;
    let ciphertext = encrypt_for_recipient(sender, recipient, &padded, rng)
        .map_err(Error::crypto("1:1 encryption"))?;
    let pro_sig = wire::decoy_pro_sig(rng);
    let envelope = wire::one_to_one_envelope(ciphertext, sent_ms, Some(pro_sig));
    Ok(wire::wrap_in_websocket(envelope.encode_to_vec()))
}

/// Like [`encode_for_recipient`] with the deterministic Session Protocol variant and no Pro
/// signature: the same inputs give the same bytes (tests, snapshots, legacy config wrapping).
/// Not for real messages: equal messages are recognisable.
pub fn encode_for_recipient_deterministic(
    sender: &IdentityKeys,
    recipient: &SessionId,
    content: &Content,
    sent_ms: u64,
) -> Result<Vec<u8>> {
    let padded = padded_content(content)?;
    let ciphertext = encrypt_for_recipient_deterministic(sender, recipient, &padded)
        .map_err(Error::crypto("1:1 encryption"))?;
    let envelope = wire::one_to_one_envelope(ciphertext, sent_ms, None);
    Ok(wire::wrap_in_websocket(envelope.encode_to_vec()))
}

/// A decrypted, verified and parsed 1:1 message.
pub struct Incoming {
    /// The sender's Session ID (from the key inside the box, which signed the message).
    pub sender: SessionId,
    /// The sender's Ed25519 key.
    pub sender_ed25519: Ed25519PublicKey,
    /// The message.
    pub content: Content,
    /// The envelope's timestamp (ms). Not authenticated: the envelope is outside the box.
    pub envelope_timestamp_ms: u64,
    /// The storage server's timestamp (ms), if the envelope carries one. Not authenticated.
    pub server_timestamp_ms: Option<u64>,
    /// The envelope's `sourceDevice`, if set.
    pub source_device: Option<u32>,
    /// The envelope's Session Pro signature (real or decoy; not verified here).
    pub pro_sig: Option<[u8; 64]>,
}

impl Incoming {
    /// The send time the sender signed (`Content.sigTimestamp`, inside the box), if it set one.
    pub fn signed_timestamp_ms(&self) -> Option<u64> {
        self.content.sig_timestamp
    }
}

impl fmt::Debug for Incoming {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        f.debug_struct("Incoming")
            .field("sender", &self.sender)
            .field("envelope_timestamp_ms", &self.envelope_timestamp_ms)
            .field("server_timestamp_ms", &self.server_timestamp_ms)
            .finish_non_exhaustive()
    }
}

/// Decodes a message from `own`'s namespace 0: unwraps the websocket message and the envelope
/// (type `SESSION_MESSAGE` only), decrypts and verifies the sender's signature, unpads and parses
/// the `Content` (required fields checked). Anything that does not parse or verify is an error.
pub fn decode_incoming(own: &IdentityKeys, bytes: &[u8]) -> Result<Incoming> {
    let envelope = wire::envelope_from_websocket(bytes)?;
    decode_envelope(own, envelope)
}

/// [`decode_incoming`] for an `Envelope` already out of its websocket wrapper.
pub fn decode_envelope(own: &IdentityKeys, envelope: Envelope) -> Result<Incoming> {
    use crate::proto::Validate as _;
    envelope.validate()?;
    let expected = envelope::Type::SessionMessage as i32;
    let got = envelope.r#type.unwrap_or_default();
    if got != expected {
        return Err(Error::UnexpectedEnvelopeType { got, expected });
    }
    check_source(envelope.source.as_deref())?;
    let pro_sig = match envelope.pro_sig.as_deref() {
        None => None,
        Some(sig) => Some(<[u8; 64]>::try_from(sig).map_err(|_| Error::InvalidField {
            what: "Envelope",
            field: "proSig",
        })?),
    };
    let ciphertext = envelope.content.as_deref().ok_or(Error::MissingField {
        what: "Envelope",
        field: "content",
    })?;
    let opened = decrypt_incoming(own, ciphertext).map_err(Error::crypto("1:1 decryption"))?;
    let content: Content = proto::decode(padding::unpad(&opened.plaintext)?)?;
    Ok(Incoming {
        sender: opened.sender,
        sender_ed25519: opened.sender_ed25519,
        content,
        envelope_timestamp_ms: envelope.timestamp.unwrap_or_default(),
        server_timestamp_ms: envelope.server_timestamp,
        source_device: envelope.source_device,
        pro_sig,
    })
}

/// libsession accepts a 1:1 `source` that is empty (iOS and Android mark it present but empty)
/// or 66 hex digits (a prefixed 33-byte key); anything else is malformed.
fn check_source(source: Option<&str>) -> Result<()> {
    match source {
        None | Some("") => Ok(()),
        Some(s) if s.len() == 66 && s.bytes().all(|b| b.is_ascii_hexdigit()) => Ok(()),
        Some(_) => Err(Error::InvalidField {
            what: "Envelope",
            field: "source",
        }),
    }
}
