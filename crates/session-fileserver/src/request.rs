//! The pure part of request handling: everything a client controls, parsed and checked without
//! I/O — file IDs, `X-FS-TTL`, the `X-FS-*` signed auth of `/session_version`, the legacy
//! `POST /files` body, and the v3 onion payload. Each refusal carries the reference server's
//! code and body. Never panics on any input (fuzzed: `fuzz/fuzz_targets/fileserver_request.rs`).

use crate::pyjson::Json;
use base64::Engine as _;
use base64::engine::general_purpose::URL_SAFE;
use blake2::Blake2bMac;
use blake2::digest::consts::U33;
use blake2::digest::{Mac, Update};
use session_crypto::Ed25519PublicKey;
use session_crypto::hash::{Blake2bParams, hash64};
use session_sogs::{decode_base64, decode_hex_or_b64};

/// A refusal: status, and a JSON (`{"status_code": N}`) or plain-text body.
#[derive(Clone, Debug, PartialEq)]
pub struct Refusal {
    /// HTTP status.
    pub code: u16,
    /// The body.
    pub body: RefusalBody,
}

/// A refusal's body.
#[derive(Clone, Debug, PartialEq)]
pub enum RefusalBody {
    /// `{"status_code": code}`, `application/json`.
    Status,
    /// Plain text (`text/plain; charset=utf-8`).
    Text(&'static str),
}

impl Refusal {
    /// `{"status_code": code}` with that code.
    pub fn status(code: u16) -> Self {
        Self {
            code,
            body: RefusalBody::Status,
        }
    }

    fn text(code: u16, text: &'static str) -> Self {
        Self {
            code,
            body: RefusalBody::Text(text),
        }
    }

    /// The body bytes.
    pub fn body_text(&self) -> String {
        match self.body {
            RefusalBody::Status => Json::status(self.code).dump(),
            RefusalBody::Text(t) => t.to_owned(),
        }
    }
}

// ---------------------------------------------------------------------------------------------
// File IDs

/// The salt of file IDs (`SessionFileSvr\0\0`).
pub const ID_SALT: &[u8; 16] = b"SessionFileSvr\0\0";
/// Length of a file ID: 33 bytes in unpadded-by-construction URL-safe base64.
pub const ID_LEN: usize = 44;

/// The incremental hash whose result names an upload:
/// `urlsafe_b64(BLAKE2b-264(body, salt = "SessionFileSvr\0\0"))`, so identical uploads share one
/// ID (and one stored copy).
pub struct IdHasher(Blake2bMac<U33>);

impl Default for IdHasher {
    fn default() -> Self {
        Self::new()
    }
}

impl IdHasher {
    /// A fresh hasher.
    pub fn new() -> Self {
        Self(
            Blake2bMac::<U33>::new_with_salt_and_personal(None, ID_SALT, &[])
                .expect("16-byte salt, no key"),
        )
    }

    /// Hashes more of the body.
    pub fn update(&mut self, bytes: &[u8]) {
        Update::update(&mut self.0, bytes);
    }

    /// The ID.
    pub fn finish(self) -> String {
        URL_SAFE.encode(self.0.finalize().into_bytes())
    }
}

/// The ID of a whole body.
pub fn file_id(body: &[u8]) -> String {
    let mut h = IdHasher::new();
    h.update(body);
    h.finish()
}

/// Whether a path segment can name a stored file (1 to 64 of `[A-Za-z0-9_-]`, the reference
/// schema's check): anything else is answered 404 without touching the disk.
pub fn is_valid_id(id: &str) -> bool {
    (1..=64).contains(&id.len())
        && id
            .bytes()
            .all(|b| b.is_ascii_alphanumeric() || b == b'-' || b == b'_')
}

// ---------------------------------------------------------------------------------------------
// X-FS-TTL

/// The lifetime an upload or extension asks for: `X-FS-TTL` (seconds, integer or decimal)
/// clamped to `[min, max]`, or `default` without the header. A value that is not a number is
/// refused with 400.
pub fn ttl(header: Option<&str>, default: u64, min: u64, max: u64) -> Result<u64, Refusal> {
    let Some(raw) = header.map(str::trim).filter(|s| !s.is_empty()) else {
        return Ok(default);
    };
    let secs: f64 = raw
        .parse()
        .ok()
        .filter(|v: &f64| v.is_finite())
        .ok_or(Refusal::text(
            400,
            "Invalid X-FS-TTL header: expected a number of seconds",
        ))?;
    #[allow(clippy::cast_precision_loss)]
    let clamped = secs.clamp(min as f64, max as f64);
    #[allow(clippy::cast_possible_truncation, clippy::cast_sign_loss)]
    Ok(clamped.round() as u64)
}

// ---------------------------------------------------------------------------------------------
// X-FS-* auth (GET /session_version)

/// The `X-FS-*` header values as received (empty counts as missing, as in the reference).
#[derive(Clone, Copy, Debug, Default)]
pub struct RawFsAuth<'a> {
    /// `X-FS-Pubkey`: `07` + Ed25519 key, hex (66) or base64.
    pub pubkey: Option<&'a str>,
    /// `X-FS-Timestamp`: unix seconds.
    pub timestamp: Option<&'a str>,
    /// `X-FS-Signature`: 64 bytes, hex or base64.
    pub signature: Option<&'a str>,
}

/// The request a signature covers.
#[derive(Clone, Copy, Debug)]
pub struct SignedRequest<'a> {
    /// Method.
    pub method: &'a str,
    /// Decoded path.
    pub path: &'a str,
    /// Query string (without `?`), if any.
    pub query: Option<&'a str>,
    /// Body.
    pub body: &'a [u8],
}

/// Checks the optional auth of `/session_version`: `Ok(None)` when all three headers are
/// absent, `Ok(Some(id))` (the `07…` ID as given) when they verify, else the reference's
/// refusal (400 malformed, 425 timestamp more than 24 h away, 401 bad signature).
pub fn verify_fs_auth(
    raw: &RawFsAuth<'_>,
    req: &SignedRequest<'_>,
    now: f64,
    required: bool,
) -> Result<Option<String>, Refusal> {
    let fields = [raw.pubkey, raw.timestamp, raw.signature];
    let missing = fields
        .iter()
        .filter(|f| f.is_none_or(str::is_empty))
        .count();
    if missing > 0 {
        if required || missing < 3 {
            return Err(Refusal::text(
                400,
                "Invalid authentication: one or more X-FS-* auth headers is missing",
            ));
        }
        return Ok(None);
    }
    let (Some(pk_text), Some(ts_text), Some(sig_text)) = (raw.pubkey, raw.timestamp, raw.signature)
    else {
        return Ok(None);
    };
    let pk = decode_hex_or_b64(pk_text, 33).ok_or(Refusal::text(
        400,
        "Invalid authentication: X-FS-Pubkey is not a valid 66-hex digit id",
    ))?;
    if pk[0] != 0x07 {
        return Err(Refusal::text(
            400,
            "Invalid authentication: X-FS-Pubkey must be 07- prefixed",
        ));
    }
    let key: [u8; 32] = pk[1..].try_into().map_err(|_| {
        Refusal::text(
            400,
            "Invalid authentication: X-FS-Pubkey is not a valid 66-hex digit id",
        )
    })?;
    let key = Ed25519PublicKey::from_bytes(key);
    if !is_valid_point(&key) {
        return Err(Refusal::text(
            400,
            "Invalid authentication: given X-FS-Pubkey is not a valid Ed25519 pubkey",
        ));
    }
    let sig: [u8; 64] = decode_hex_or_b64(sig_text, 64)
        .and_then(|s| s.try_into().ok())
        .ok_or(Refusal::text(
            400,
            "Invalid authentication: X-FS-Signature is not base64[86]",
        ))?;
    let ts = parse_int(ts_text).ok_or(Refusal::text(
        400,
        "Invalid authentication: X-FS-Timestamp is not a valid timestamp",
    ))?;
    #[allow(clippy::cast_precision_loss)]
    let ts_f = ts as f64;
    if !(now - 86_400.0 <= ts_f && ts_f <= now + 86_400.0) {
        return Err(Refusal::text(
            425,
            "Invalid authentication: X-FS-Timestamp is too far from current time",
        ));
    }
    let msg = signed_message(ts_text, req);
    key.verify(&msg, &sig, "X-FS-Signature").map_err(|_| {
        Refusal::text(
            401,
            "Invalid authentication: X-FS-Signature verification failed",
        )
    })?;
    Ok(Some(pk_text.to_owned()))
}

/// What an `X-FS-Signature` signs: `timestamp (as sent) ‖ METHOD ‖ path [‖ "?" query]
/// [‖ BLAKE2b-512(body) when there is a body]`.
pub fn signed_message(timestamp: &str, req: &SignedRequest<'_>) -> Vec<u8> {
    let mut msg = Vec::with_capacity(timestamp.len() + req.path.len() + 80);
    msg.extend_from_slice(timestamp.as_bytes());
    msg.extend_from_slice(req.method.as_bytes());
    msg.extend_from_slice(req.path.as_bytes());
    if let Some(q) = req.query.filter(|q| !q.is_empty()) {
        msg.push(b'?');
        msg.extend_from_slice(q.as_bytes());
    }
    if !req.body.is_empty() {
        msg.extend_from_slice(&hash64(Blake2bParams::PLAIN, &[req.body]));
    }
    msg
}

/// libsodium's `crypto_core_ed25519_is_valid_point`: canonical, on the curve, in the
/// prime-order subgroup, not of small order.
fn is_valid_point(key: &Ed25519PublicKey) -> bool {
    let b = key.as_bytes();
    let mut y = *b;
    y[31] &= 0x7f;
    let non_canonical = y[31] == 0x7f && y[1..31].iter().all(|&v| v == 0xff) && y[0] >= 0xed;
    !non_canonical && key.to_x25519().is_ok()
}

/// Python `int(s)`: surrounding whitespace, an optional sign, decimal digits (single
/// underscores between digits allowed).
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

// ---------------------------------------------------------------------------------------------
// Legacy POST /files

/// The file of a legacy upload body `{"file": "<base64>"}`: 400 when it is not such an object
/// (or the base64 does not decode), 413 when the base64 is empty or longer than `max_b64`.
pub fn legacy_upload(body: &[u8], max_b64: u64) -> Result<Vec<u8>, Refusal> {
    let v: serde_json::Value = serde_json::from_slice(body).map_err(|_| Refusal::status(400))?;
    let file = v.get("file").ok_or(Refusal::status(400))?;
    let text = file.as_str().ok_or(Refusal::status(400))?;
    let len = u64::try_from(text.len()).unwrap_or(u64::MAX);
    if len == 0 || len > max_b64 {
        return Err(Refusal::status(413));
    }
    decode_base64(text).ok_or(Refusal::status(400))
}

// ---------------------------------------------------------------------------------------------
// v3 onion payloads

/// A v3 onion request (`{"endpoint", "method", "body"?, "headers"?}`).
#[derive(Clone, Debug, PartialEq, Eq)]
pub struct V3Request {
    /// Method.
    pub method: String,
    /// Endpoint, starting with `/`.
    pub endpoint: String,
    /// Headers, names lower-cased.
    pub headers: Vec<(String, String)>,
    /// Body (POST and PUT only).
    pub body: Vec<u8>,
}

/// Parses a decrypted v3 payload as the reference does: a JSON object with string `endpoint`
/// and `method`; `body` (a string) only for POST/PUT (a GET's `"null"` body is ignored, an
/// Android quirk); a `/` is prepended to a relative endpoint. `None`: answer
/// `{"status_code": 400}`.
pub fn parse_v3(plaintext: &[u8]) -> Option<V3Request> {
    if plaintext.first() != Some(&b'{') {
        return None;
    }
    let v: serde_json::Value = serde_json::from_slice(plaintext).ok()?;
    let method = v.get("method")?.as_str()?.to_owned();
    let mut endpoint = v.get("endpoint")?.as_str()?.to_owned();
    let headers = match v.get("headers") {
        None => Vec::new(),
        Some(serde_json::Value::Object(m)) => m
            .iter()
            .map(|(k, v)| Some((k.to_ascii_lowercase(), v.as_str()?.to_owned())))
            .collect::<Option<Vec<_>>>()?,
        Some(_) => return None,
    };
    let body = if matches!(method.as_str(), "POST" | "PUT") {
        match v.get("body") {
            None => Vec::new(),
            Some(b) => b.as_str()?.as_bytes().to_vec(),
        }
    } else {
        match v.get("body") {
            None | Some(serde_json::Value::Null) => Vec::new(),
            Some(serde_json::Value::String(s)) if s.is_empty() || s == "null" => Vec::new(),
            Some(_) => return None,
        }
    };
    if !endpoint.starts_with('/') {
        endpoint.insert(0, '/');
    }
    Some(V3Request {
        method,
        endpoint,
        headers,
        body,
    })
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn ids_are_the_reference_hash() {
        let id = file_id(b"hello");
        assert_eq!(id.len(), ID_LEN);
        assert!(is_valid_id(&id));
        let mut h = IdHasher::new();
        h.update(b"hel");
        h.update(b"lo");
        assert_eq!(h.finish(), id);
        assert!(!is_valid_id("") && !is_valid_id("../x") && !is_valid_id(&"a".repeat(65)));
    }

    #[test]
    fn ttl_clamps_and_refuses_garbage() {
        let t = |h| ttl(h, 1000, 60, 5000);
        assert_eq!(t(None), Ok(1000));
        assert_eq!(t(Some("")), Ok(1000));
        assert_eq!(t(Some("30")), Ok(60));
        assert_eq!(t(Some("-5")), Ok(60));
        assert_eq!(t(Some(" 120 ")), Ok(120));
        assert_eq!(t(Some("99999999")), Ok(5000));
        assert_eq!(t(Some("90.4")), Ok(90));
        for bad in ["abc", "NaN", "inf", "1e400"] {
            assert_eq!(t(Some(bad)).unwrap_err().code, 400, "{bad}");
        }
    }

    #[test]
    fn v3_payloads() {
        let r =
            parse_v3(br#"{"endpoint":"file/abc","method":"GET","headers":{"X-A":"b"}}"#).unwrap();
        assert_eq!(r.endpoint, "/file/abc");
        assert_eq!(r.headers, vec![("x-a".to_owned(), "b".to_owned())]);
        assert!(parse_v3(br#"{"endpoint":"/f","method":"GET","body":"null"}"#).is_some());
        assert!(parse_v3(br#"{"endpoint":"/f","method":"GET","body":"x"}"#).is_none());
        let r = parse_v3(br#"{"endpoint":"/files","method":"POST","body":"{}"}"#).unwrap();
        assert_eq!(r.body, b"{}");
        assert!(parse_v3(b"[]").is_none());
        assert!(parse_v3(br#"{"method":"GET"}"#).is_none());
    }

    #[test]
    fn legacy_bodies() {
        assert_eq!(
            legacy_upload(br#"{"file":"aGk="}"#, 100),
            Ok(b"hi".to_vec())
        );
        assert_eq!(legacy_upload(br#"{"file":"aGk"}"#, 100), Ok(b"hi".to_vec()));
        assert_eq!(legacy_upload(b"nope", 100).unwrap_err().code, 400);
        assert_eq!(legacy_upload(br#"{"x":1}"#, 100).unwrap_err().code, 400);
        assert_eq!(legacy_upload(br#"{"file":""}"#, 100).unwrap_err().code, 413);
        assert_eq!(
            legacy_upload(br#"{"file":"aGk="}"#, 3).unwrap_err().code,
            413
        );
        assert_eq!(
            legacy_upload(br#"{"file":"a!!="}"#, 100).unwrap_err().code,
            400
        );
    }
}
