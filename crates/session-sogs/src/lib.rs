#![doc = include_str!("../README.md")]

mod decode;
mod error;

pub use decode::{decode_base64, decode_hex_or_b64, decode_path};
pub use error::AuthError;

use session_crypto::blinding::{Blind15Nonce, ServerPubkey, blind15_keypair, blind15_sign};
use session_crypto::hash::{Blake2bParams, hash64};
use session_crypto::{BLIND15_PREFIX, Ed25519PublicKey, IdentityKeys, SessionId};
use std::fmt;

/// `X-SOGS-Pubkey`.
pub const HEADER_PUBKEY: &str = "X-SOGS-Pubkey";
/// `X-SOGS-Nonce`.
pub const HEADER_NONCE: &str = "X-SOGS-Nonce";
/// `X-SOGS-Timestamp`.
pub const HEADER_TIMESTAMP: &str = "X-SOGS-Timestamp";
/// `X-SOGS-Signature`.
pub const HEADER_SIGNATURE: &str = "X-SOGS-Signature";

/// How far (seconds) a request's timestamp may be from the server's clock, either way (24 h).
pub const MAX_CLOCK_SKEW_SECS: i64 = 24 * 60 * 60;

/// Length of a request nonce.
pub const NONCE_LEN: usize = 16;

/// The four auth headers as received (each `None` when absent); untrusted.
#[derive(Clone, Copy, Debug, Default, PartialEq, Eq)]
pub struct RawAuth<'a> {
    /// `X-SOGS-Pubkey`.
    pub pubkey: Option<&'a str>,
    /// `X-SOGS-Nonce`.
    pub nonce: Option<&'a str>,
    /// `X-SOGS-Timestamp`.
    pub timestamp: Option<&'a str>,
    /// `X-SOGS-Signature`.
    pub signature: Option<&'a str>,
}

/// Who signs a request.
#[derive(Clone, Copy, PartialEq, Eq, Hash)]
pub enum AuthKey {
    /// A blind15 key (`15…`): the user's ID on this server.
    Blind15(Ed25519PublicKey),
    /// An unblinded Ed25519 key (`00…`); the user's ID is its `05…` Session ID.
    Unblinded {
        /// The Ed25519 key that signs.
        ed25519: Ed25519PublicKey,
        /// The Session ID it maps to.
        session_id: SessionId,
    },
}

impl AuthKey {
    /// The Ed25519 key the signature must verify against.
    pub fn verifying_key(&self) -> Ed25519PublicKey {
        match self {
            Self::Blind15(k) => *k,
            Self::Unblinded { ed25519, .. } => *ed25519,
        }
    }

    /// The user's ID as the server records it (`15…` or `05…`, 66 lower-case hex digits).
    pub fn user_id(&self) -> String {
        match self {
            Self::Blind15(k) => format!("15{}", hex::encode(k.as_bytes())),
            Self::Unblinded { session_id, .. } => session_id.to_string(),
        }
    }

    /// True for a blinded key.
    pub fn is_blinded(&self) -> bool {
        matches!(self, Self::Blind15(_))
    }
}

impl fmt::Debug for AuthKey {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        let id = self.user_id();
        write!(f, "AuthKey({}…{})", &id[..6], &id[id.len() - 4..])
    }
}

/// Parsed, not yet verified auth headers.
#[derive(Clone, PartialEq, Eq)]
pub struct ParsedAuth {
    /// The signer.
    pub key: AuthKey,
    /// The nonce (single-use per user; the server checks).
    pub nonce: [u8; NONCE_LEN],
    /// The timestamp, unix seconds.
    pub timestamp: i64,
    /// The timestamp header exactly as sent (it is signed as sent).
    pub timestamp_text: String,
    /// The signature.
    pub signature: [u8; 64],
}

impl fmt::Debug for ParsedAuth {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        f.debug_struct("ParsedAuth")
            .field("key", &self.key)
            .field("timestamp", &self.timestamp)
            .finish_non_exhaustive()
    }
}

impl<'a> RawAuth<'a> {
    /// Picks the four headers out of `(name, value)` pairs (names case-insensitive; an empty
    /// value counts as missing, as the reference server counts it).
    pub fn from_headers<I>(headers: I) -> Self
    where
        I: IntoIterator<Item = (&'a str, &'a str)>,
    {
        let mut raw = Self::default();
        for (name, value) in headers {
            let slot = if name.eq_ignore_ascii_case(HEADER_PUBKEY) {
                &mut raw.pubkey
            } else if name.eq_ignore_ascii_case(HEADER_NONCE) {
                &mut raw.nonce
            } else if name.eq_ignore_ascii_case(HEADER_TIMESTAMP) {
                &mut raw.timestamp
            } else if name.eq_ignore_ascii_case(HEADER_SIGNATURE) {
                &mut raw.signature
            } else {
                continue;
            };
            if slot.is_none() {
                *slot = Some(value);
            }
        }
        raw
    }

    /// Parses the headers in the reference server's order, with its errors: `Ok(None)` when all
    /// four are absent (an anonymous request); `require_blind` refuses `00` keys.
    pub fn parse(&self, require_blind: bool) -> Result<Option<ParsedAuth>, AuthError> {
        let fields = [self.pubkey, self.nonce, self.timestamp, self.signature];
        let missing = fields
            .iter()
            .filter(|f| f.is_none_or(str::is_empty))
            .count();
        if missing == 4 {
            return Ok(None);
        }
        let (Some(pk), Some(nonce), Some(ts), Some(sig)) =
            (self.pubkey, self.nonce, self.timestamp, self.signature)
        else {
            return Err(AuthError::MissingHeaders(missing));
        };
        if missing > 0 {
            return Err(AuthError::MissingHeaders(missing));
        }
        let key = parse_pubkey(pk, require_blind)?;
        let nonce: [u8; NONCE_LEN] = decode_hex_or_b64(nonce, NONCE_LEN)
            .and_then(|n| n.try_into().ok())
            .ok_or(AuthError::BadNonce)?;
        let signature: [u8; 64] = decode_hex_or_b64(sig, 64)
            .and_then(|s| s.try_into().ok())
            .ok_or(AuthError::BadSignatureEncoding)?;
        let timestamp = parse_int(ts).ok_or(AuthError::BadTimestamp)?;
        Ok(Some(ParsedAuth {
            key,
            nonce,
            timestamp,
            timestamp_text: ts.to_owned(),
            signature,
        }))
    }
}

fn parse_pubkey(pk: &str, require_blind: bool) -> Result<AuthKey, AuthError> {
    let bytes = decode_hex_or_b64(pk, 33).ok_or(AuthError::BadPubkey)?;
    let (&prefix, key) = bytes.split_first().ok_or(AuthError::BadPubkey)?;
    if prefix != 0x00 && prefix != BLIND15_PREFIX {
        return Err(AuthError::BadPubkeyPrefix);
    }
    let key: [u8; 32] = key.try_into().map_err(|_| AuthError::BadPubkey)?;
    let key = Ed25519PublicKey::from_bytes(key);
    if !is_valid_point(&key) {
        return Err(AuthError::InvalidPoint);
    }
    if prefix == BLIND15_PREFIX {
        return Ok(AuthKey::Blind15(key));
    }
    if require_blind {
        return Err(AuthError::BlindingRequired);
    }
    let x = key.to_x25519().map_err(|_| AuthError::InvalidPoint)?;
    Ok(AuthKey::Unblinded {
        ed25519: key,
        session_id: SessionId::from_x25519(x),
    })
}

/// libsodium's `crypto_core_ed25519_is_valid_point`: a canonical encoding of a point in the
/// prime-order subgroup that is not of small order.
fn is_valid_point(key: &Ed25519PublicKey) -> bool {
    // `to_x25519` decompresses and rejects small-order and torsioned points; canonical
    // encoding is checked by re-encoding.
    key.to_x25519().is_ok() && canonical(key.as_bytes())
}

/// True when `y` (with the sign bit cleared) is below p = 2^255 - 19.
fn canonical(bytes: &[u8; 32]) -> bool {
    let mut y = *bytes;
    y[31] &= 0x7f;
    // p = 0x7fff…ffed (little-endian: ed ff … ff 7f)
    if y[31] != 0x7f || y[1..31].iter().any(|&b| b != 0xff) {
        return true;
    }
    y[0] < 0xed
}

/// Python `int(s)`-style decimal: surrounding whitespace, an optional sign, digits (underscores
/// between digits allowed). Out-of-range values fail.
fn parse_int(s: &str) -> Option<i64> {
    let t = s.trim_matches(|c: char| c.is_ascii_whitespace());
    let (neg, digits) = match t.as_bytes().first()? {
        b'-' => (true, &t[1..]),
        b'+' => (false, &t[1..]),
        _ => (false, t),
    };
    if digits.is_empty()
        || digits.starts_with('_')
        || digits.ends_with('_')
        || digits.contains("__")
        || !digits.bytes().all(|b| b.is_ascii_digit() || b == b'_')
    {
        return None;
    }
    let clean: String = digits.chars().filter(|&c| c != '_').collect();
    let v: i64 = clean.parse().ok()?;
    Some(if neg { -v } else { v })
}

impl ParsedAuth {
    /// 425 when the timestamp is more than [`MAX_CLOCK_SKEW_SECS`] from `now_secs`.
    pub fn check_time(&self, now_secs: i64) -> Result<(), AuthError> {
        if self.timestamp < now_secs.saturating_sub(MAX_CLOCK_SKEW_SECS)
            || self.timestamp > now_secs.saturating_add(MAX_CLOCK_SKEW_SECS)
        {
            return Err(AuthError::TimestampOutOfRange);
        }
        Ok(())
    }

    /// Verifies the signature over the request (401 on failure). `path` is the URL-decoded
    /// path, `query` the query string as sent (without `?`; `None` or empty for none).
    pub fn verify(
        &self,
        server_pk: &ServerPubkey,
        method: &str,
        path: &str,
        query: Option<&str>,
        body: &[u8],
    ) -> Result<AuthKey, AuthError> {
        let target = match query.filter(|q| !q.is_empty()) {
            Some(q) => format!("{path}?{q}"),
            None => path.to_owned(),
        };
        let msg = signed_message(
            server_pk,
            &self.nonce,
            &self.timestamp_text,
            method,
            &target,
            body,
        );
        self.key
            .verifying_key()
            .verify(&msg, &self.signature, "X-SOGS-Signature")
            .map_err(|_| AuthError::SignatureFailed)?;
        Ok(self.key)
    }
}

/// The signed bytes: `server_pk ‖ nonce ‖ timestamp ‖ method ‖ target ‖ [BLAKE2b-512(body)]`,
/// `target` being the decoded path with `?query` when there is one.
pub fn signed_message(
    server_pk: &ServerPubkey,
    nonce: &[u8; NONCE_LEN],
    timestamp: &str,
    method: &str,
    target: &str,
    body: &[u8],
) -> Vec<u8> {
    let mut m = Vec::with_capacity(32 + NONCE_LEN + timestamp.len() + target.len() + 80);
    m.extend_from_slice(server_pk);
    m.extend_from_slice(nonce);
    m.extend_from_slice(timestamp.as_bytes());
    m.extend_from_slice(method.as_bytes());
    m.extend_from_slice(target.as_bytes());
    if !body.is_empty() {
        m.extend_from_slice(&hash64(Blake2bParams::PLAIN, &[body]));
    }
    m
}

/// The four header values a client sends.
#[derive(Clone, Debug, PartialEq, Eq)]
pub struct AuthHeaders {
    /// `X-SOGS-Pubkey`.
    pub pubkey: String,
    /// `X-SOGS-Nonce` (base64).
    pub nonce: String,
    /// `X-SOGS-Timestamp`.
    pub timestamp: String,
    /// `X-SOGS-Signature` (base64).
    pub signature: String,
}

impl AuthHeaders {
    /// `(name, value)` pairs in the usual order.
    pub fn pairs(&self) -> [(&'static str, &str); 4] {
        [
            (HEADER_PUBKEY, &self.pubkey),
            (HEADER_NONCE, &self.nonce),
            (HEADER_TIMESTAMP, &self.timestamp),
            (HEADER_SIGNATURE, &self.signature),
        ]
    }
}

/// How a client signs.
#[derive(Clone, Copy, Debug)]
pub enum Signer<'a> {
    /// As its blind15 key on this server (what Session clients do).
    Blind15(&'a IdentityKeys),
    /// As its own Ed25519 key (`00…`), for servers that do not require blinding.
    Unblinded(&'a IdentityKeys),
}

/// A client's headers for `method target` (decoded path with `?query`) with `body`, at
/// `timestamp` (unix seconds) with a caller-chosen random `nonce`.
pub fn sign_request(
    signer: Signer<'_>,
    server_pk: &ServerPubkey,
    method: &str,
    target: &str,
    body: &[u8],
    timestamp: i64,
    nonce: &[u8; NONCE_LEN],
) -> AuthHeaders {
    use base64::Engine as _;
    let ts = timestamp.to_string();
    let msg = signed_message(server_pk, nonce, &ts, method, target, body);
    let (pubkey, sig) = match signer {
        Signer::Blind15(keys) => {
            let kp = blind15_keypair(keys, server_pk);
            (
                format!("15{}", hex::encode(kp.public().as_bytes())),
                blind15_sign(keys, server_pk, &msg, Blind15Nonce::Sogs),
            )
        }
        Signer::Unblinded(keys) => (
            format!("00{}", hex::encode(keys.ed25519_public().as_bytes())),
            keys.sign(&msg),
        ),
    };
    let b64 = base64::engine::general_purpose::STANDARD;
    AuthHeaders {
        pubkey,
        nonce: b64.encode(nonce),
        timestamp: ts,
        signature: b64.encode(sig),
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn python_int() {
        assert_eq!(parse_int(" 12 "), Some(12));
        assert_eq!(parse_int("+12"), Some(12));
        assert_eq!(parse_int("-1_000"), Some(-1000));
        assert_eq!(parse_int("1__0"), None);
        assert_eq!(parse_int("12a"), None);
        assert_eq!(parse_int(""), None);
        assert_eq!(parse_int("-"), None);
        assert_eq!(parse_int("99999999999999999999"), None);
    }

    #[test]
    fn canonical_y() {
        let mut p = [0xffu8; 32];
        p[0] = 0xed;
        p[31] = 0x7f;
        assert!(!canonical(&p));
        p[0] = 0xec;
        assert!(canonical(&p));
    }
}
