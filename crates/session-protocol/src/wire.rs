//! The layers around an encrypted 1:1 message (spec/crypto.md §2.3): the `Envelope` and the
//! `WebSocketMessage` REQUEST it travels in, plus the decoy Session Pro signature.

use crate::error::{Error, Result};
use crate::proto::{self, Envelope, WebSocketMessage, WebSocketRequestMessage, envelope};
use curve25519_dalek::{EdwardsPoint, Scalar};
use prost::Message;
use rand_core::CryptoRng;
use zeroize::Zeroizing;

/// The `sourceDevice` Session clients put in every envelope they build.
pub const SOURCE_DEVICE: u32 = 1;

/// Wraps an encoded `Envelope` the way Session clients do: `WebSocketMessage{type: REQUEST,
/// request: {verb: "", path: "", body, requestId: 0}}`.
pub fn wrap_in_websocket(envelope_bytes: Vec<u8>) -> Vec<u8> {
    WebSocketMessage {
        r#type: Some(proto::web_socket_message::Type::Request as i32),
        request: Some(WebSocketRequestMessage {
            verb: Some(String::new()),
            path: Some(String::new()),
            body: Some(envelope_bytes),
            request_id: Some(0),
            headers: Vec::new(),
        }),
        response: None,
    }
    .encode_to_vec()
}

/// The `Envelope` inside a stored 1:1 message: the websocket wrapper must carry a request with
/// a body (its type, verb and path are not checked, as libsession does not), and the body must
/// be a valid `Envelope`.
pub fn envelope_from_websocket(bytes: &[u8]) -> Result<Envelope> {
    let ws: WebSocketMessage = proto::decode(bytes)?;
    let body = ws.request.and_then(|r| r.body).ok_or(Error::MissingField {
        what: "WebSocketMessage",
        field: "request.body",
    })?;
    proto::decode(&body)
}

/// A 1:1 envelope: type `SESSION_MESSAGE`, `sourceDevice` 1, the send time and the
/// ciphertext; `source` is never set (the sender is inside the box).
pub fn one_to_one_envelope(
    ciphertext: Vec<u8>,
    sent_ms: u64,
    pro_sig: Option<[u8; 64]>,
) -> Envelope {
    Envelope {
        r#type: Some(envelope::Type::SessionMessage as i32),
        source: None,
        timestamp: Some(sent_ms),
        source_device: Some(SOURCE_DEVICE),
        content: Some(ciphertext),
        server_timestamp: None,
        pro_sig: pro_sig.map(Vec::from),
    }
}

/// A decoy Session Pro signature, as libsession attaches when the sender has no Pro key: a
/// well-formed Ed25519 signature (`R = r·B` for a random scalar `r`, a random scalar `s`) that
/// verifies against nothing, so Pro and non-Pro envelopes look alike.
pub fn decoy_pro_sig(rng: &mut impl CryptoRng) -> [u8; 64] {
    let mut wide = Zeroizing::new([0u8; 64]);
    rng.fill_bytes(&mut *wide);
    let r = Zeroizing::new(Scalar::from_bytes_mod_order_wide(&wide));
    rng.fill_bytes(&mut *wide);
    let s = Scalar::from_bytes_mod_order_wide(&wide);
    let mut sig = [0u8; 64];
    sig[..32].copy_from_slice(EdwardsPoint::mul_base(&r).compress().as_bytes());
    sig[32..].copy_from_slice(s.as_bytes());
    sig
}
