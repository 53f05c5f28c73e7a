//! The HTTP server's side of `POST /oxen/v4/lsrpc` (`spec/network.md` §1.6), shared by every
//! server that answers onion requests (the community server, the file server).
//!
//! The last hop POSTs its whole decrypted layer; the server opens it with its X25519 key
//! ([`open_v4`]), runs the inner [`V4Request`] on its own routes, and seals the [`V4Response`]
//! back ([`V4Exchange::seal`]) with the same key and cipher, raw (not base64). A body that does
//! not open is answered in the clear (400, as the reference server does); a payload that opens
//! but is not a valid v4 request gets an encrypted 400 [`invalid_v4_response`].

use crate::error::{Error, HopError};
use crate::peel::NodeKeys;
use crate::reply::{ReplyKey, ServerRequest};
use crate::v4::{V4Request, V4Response};
use rand_core::CryptoRng;
use std::fmt;

/// The body of the encrypted 400 answer to an undecodable v4 payload (the reference text).
pub const INVALID_V4_BODY: &str = "Invalid v4 onion request";

/// An opened `/oxen/v4/lsrpc` request: the inner request (or why it is not one) and the key
/// that seals the answer.
pub struct V4Exchange {
    /// The inner request, or the decoding error (answer with [`invalid_v4_response`]).
    pub request: Result<V4Request, Error>,
    reply: ReplyKey,
}

impl fmt::Debug for V4Exchange {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        f.debug_struct("V4Exchange")
            .field("request", &self.request)
            .field("reply", &self.reply)
            .finish()
    }
}

/// Opens what the last hop POSTed with the server's keys. `Err` means it did not decrypt (or
/// was not framed): answer 400 in the clear.
pub fn open_v4(keys: &NodeKeys, body: &[u8]) -> Result<V4Exchange, HopError> {
    let opened = ServerRequest::open(keys, body)?;
    Ok(V4Exchange {
        request: V4Request::decode(&opened.plaintext),
        reply: opened.reply,
    })
}

impl V4Exchange {
    /// The answer to send back: the v4 response payload, encrypted, raw bytes.
    pub fn seal(&self, response: &V4Response, rng: &mut impl CryptoRng) -> Vec<u8> {
        self.reply.seal(&response.encode(), rng)
    }
}

/// The reference server's answer to a payload that is not a v4 request: 400, plain text.
pub fn invalid_v4_response() -> V4Response {
    V4Response {
        code: 400,
        headers: vec![(
            "content-type".to_owned(),
            "text/plain; charset=utf-8".to_owned(),
        )],
        body: INVALID_V4_BODY.as_bytes().to_vec(),
    }
}
