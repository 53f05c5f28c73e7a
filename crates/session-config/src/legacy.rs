//! The legacy protobuf wrapping of user configs (spec §5.2; libsession `src/config/protos.cpp`):
//! `WebSocketMessage{REQUEST, body: Envelope{type 6, timestamp 1, content: 1:1-encrypt-to-self(
//! Content{sharedConfigMessage{kind, seqno, data}} ‖ 0x80)}}`, with the deterministic 1:1
//! encryption so equal configs still wrap to equal bytes.
//!
//! We push the raw form by default (see the crate docs); [`wrap`] serves
//! [`crate::Config::set_legacy_wrapping`] and tests, and [`unwrap`] lets
//! [`crate::Config::merge`] accept what libsession clients push.

use crate::error::{Error, Result};
use crate::kind::Kind;
use session_crypto::IdentityKeys;
use session_crypto::session_protocol::{decrypt_incoming, encrypt_for_recipient_deterministic};
use session_protocol::proto::{
    self, Content, Envelope, SharedConfigMessage, WebSocketMessage, envelope,
};
use session_protocol::wire;

fn err(reason: &'static str) -> Error {
    Error::LegacyWrapping { reason }
}

/// Wraps an encrypted config for `kind` (a user config) as legacy clients push it.
pub fn wrap(own: &IdentityKeys, encrypted: &[u8], seqno: i64, kind: Kind) -> Result<Vec<u8>> {
    let legacy_kind = kind.legacy_kind().ok_or(err("not a user config"))?;
    let content = Content {
        shared_config_message: Some(SharedConfigMessage {
            kind: Some(legacy_kind as i32),
            seqno: Some(seqno),
            data: Some(encrypted.to_vec()),
        }),
        ..Default::default()
    };
    let mut plain = proto::encode(&content).map_err(|_| err("content does not encode"))?;
    // Already padded to a multiple of 256 by the config layer: only the 0x80 terminator.
    plain.push(0x80);
    let ciphertext = encrypt_for_recipient_deterministic(own, &own.session_id(), &plain)
        .map_err(|_| err("encryption to self failed"))?;
    let env = Envelope {
        r#type: Some(envelope::Type::SessionMessage as i32),
        timestamp: Some(1),
        content: Some(ciphertext),
        ..Default::default()
    };
    Ok(wire::wrap_in_websocket(prost::Message::encode_to_vec(&env)))
}

/// Unwraps a legacy-wrapped config for `kind`: must be a websocket REQUEST around a type-6
/// envelope that we encrypted to ourselves, padded with `0x80 0x00…`, holding a
/// `SharedConfigMessage` of the right kind. Returns the encrypted config inside.
pub fn unwrap(own: &IdentityKeys, data: &[u8], kind: Kind) -> Result<Vec<u8>> {
    let legacy_kind = kind.legacy_kind().ok_or(err("not a user config"))?;
    let ws: WebSocketMessage = proto::decode(data).map_err(|_| err("not a websocket message"))?;
    if ws.r#type != Some(proto::web_socket_message::Type::Request as i32) {
        return Err(err("websocket message is not a request"));
    }
    let body = ws
        .request
        .and_then(|r| r.body)
        .ok_or(err("websocket request has no body"))?;
    let env: Envelope = proto::decode(&body).map_err(|_| err("not an envelope"))?;
    let ciphertext = env.content.ok_or(err("envelope has no content"))?;
    let opened = decrypt_incoming(own, &ciphertext).map_err(|_| err("does not decrypt"))?;
    if opened.sender_ed25519 != own.ed25519_public() {
        return Err(err("not from us"));
    }
    let plain = &opened.plaintext[..];
    let Some(&last) = plain.last() else {
        return Err(err("empty content"));
    };
    if last != 0x00 && last != 0x80 {
        return Err(err("missing padding"));
    }
    let end = match plain.iter().rposition(|&b| b != 0) {
        Some(i) if plain[i] == 0x80 => i,
        _ => return Err(err("invalid padding")),
    };
    let content: Content =
        proto::decode(&plain[..end]).map_err(|_| err("content does not parse"))?;
    let shared = content
        .shared_config_message
        .ok_or(err("content has no shared config message"))?;
    if shared.kind != Some(legacy_kind as i32) {
        return Err(err("shared config message of another kind"));
    }
    shared.data.ok_or(err("shared config message has no data"))
}

/// Unwraps `data` if it is legacy-wrapped (twice, for the releases that double-wrapped), or
/// returns it unchanged: the raw form is what current clients push.
pub fn unwrap_if_wrapped(own: &IdentityKeys, data: &[u8], kind: Kind) -> Vec<u8> {
    match unwrap(own, data, kind) {
        Ok(once) => unwrap(own, &once, kind).unwrap_or(once),
        Err(_) => data.to_vec(),
    }
}
