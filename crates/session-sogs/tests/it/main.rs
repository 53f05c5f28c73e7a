//! session-sogs: the desktop known-answer vector for X-SOGS-* headers (`spec/vectors.md` §6),
//! server-side parsing and verification of it, and property tests of the parser.
#![allow(clippy::unwrap_used, clippy::expect_used, missing_docs)]

use proptest::prelude::*;
use session_crypto::{IdentityKeys, Seed};
use session_sogs::{AuthError, AuthKey, RawAuth, Signer, decode_hex_or_b64, sign_request};

const SEED: &str = "c010d89eccbaf5d1c6d19df766c6eedf965d4a28a56f87c9fc819edb59896dd9";
const SERVER: &str = "c3b3c6f32f0ab5a57f853cc4f30f5da7fda5624b0c77b3fb0829de562ada081d";
const NONCE: &str = "CdB5nyKVmQGCw6s0Bvv8Ww==";
const TS: i64 = 1_642_472_103;
const PUBKEY: &str = "1598932d4bccbe595a8789d7eb1629cefc483a0eaddc7e20e8fe5c771efafd9af5";
const SIG: &str =
    "gYqpWZX6fnF4Gb2xQM3xaXs0WIYEI49+B8q4mUUEg8Rw0ObaHUWfoWjMHMArAtP9QlORfiydsKWz1o6zdPVeCQ==";

fn server() -> [u8; 32] {
    hex::decode(SERVER).unwrap().try_into().unwrap()
}

fn nonce() -> [u8; 16] {
    decode_hex_or_b64(NONCE, 16).unwrap().try_into().unwrap()
}

#[test]
fn desktop_header_vector_is_reproduced() {
    let keys = IdentityKeys::from_seed(Seed::from_hex(SEED).unwrap());
    let h = sign_request(
        Signer::Blind15(&keys),
        &server(),
        "GET",
        "/room/the-best-room/messages/recent?limit=25",
        b"",
        TS,
        &nonce(),
    );
    assert_eq!(h.pubkey, PUBKEY);
    assert_eq!(h.nonce, NONCE);
    assert_eq!(h.timestamp, TS.to_string());
    assert_eq!(h.signature, SIG);
}

#[test]
fn desktop_header_vector_verifies_on_the_server_side() {
    let ts = TS.to_string();
    let raw = RawAuth {
        pubkey: Some(PUBKEY),
        nonce: Some(NONCE),
        timestamp: Some(&ts),
        signature: Some(SIG),
    };
    let parsed = raw.parse(true).unwrap().unwrap();
    assert_eq!(parsed.key.user_id(), PUBKEY);
    assert!(matches!(parsed.key, AuthKey::Blind15(_)));
    parsed.check_time(TS + 86_400).unwrap();
    assert_eq!(
        parsed.check_time(TS + 86_401),
        Err(AuthError::TimestampOutOfRange)
    );
    parsed
        .verify(
            &server(),
            "GET",
            "/room/the-best-room/messages/recent",
            Some("limit=25"),
            b"",
        )
        .unwrap();
    for (m, p, q) in [
        (
            "POST",
            "/room/the-best-room/messages/recent",
            Some("limit=25"),
        ),
        ("GET", "/room/the-best-room/messages/recent", None),
        (
            "GET",
            "/room/the-best-room/messages/recent",
            Some("limit=26"),
        ),
    ] {
        assert_eq!(
            parsed.verify(&server(), m, p, q, b""),
            Err(AuthError::SignatureFailed)
        );
    }
    assert_eq!(
        parsed.verify(
            &server(),
            "GET",
            "/room/the-best-room/messages/recent",
            Some("limit=25"),
            b"x"
        ),
        Err(AuthError::SignatureFailed)
    );
}

#[test]
fn unblinded_keys_map_to_session_ids_and_can_be_refused() {
    let keys = IdentityKeys::from_seed(Seed::from_hex(SEED).unwrap());
    let h = sign_request(
        Signer::Unblinded(&keys),
        &server(),
        "GET",
        "/x",
        b"",
        TS,
        &nonce(),
    );
    assert!(h.pubkey.starts_with("00"));
    let raw = RawAuth::from_headers(h.pairs());
    assert_eq!(raw.parse(true), Err(AuthError::BlindingRequired));
    let p = raw.parse(false).unwrap().unwrap();
    assert_eq!(p.key.user_id(), keys.session_id().to_string());
    p.verify(&server(), "GET", "/x", None, b"").unwrap();
    // Header names are case-insensitive; all four absent is anonymous.
    let lower: Vec<(String, &str)> = h
        .pairs()
        .iter()
        .map(|(k, v)| (k.to_ascii_lowercase(), *v))
        .collect();
    let raw = RawAuth::from_headers(lower.iter().map(|(k, v)| (k.as_str(), *v)));
    assert!(raw.parse(false).unwrap().is_some());
    assert_eq!(RawAuth::default().parse(true), Ok(None));
}

#[test]
fn statuses_and_texts() {
    assert_eq!(AuthError::MissingHeaders(3).status(), 400);
    assert_eq!(
        AuthError::MissingHeaders(3).body(),
        "Invalid authentication headers: missing 3/4 required X-SOGS-* headers"
    );
    assert_eq!(AuthError::TimestampOutOfRange.status(), 425);
    assert_eq!(AuthError::NonceReused.status(), 425);
    assert_eq!(AuthError::Banned.status(), 403);
    assert_eq!(AuthError::SignatureFailed.status(), 401);
}

proptest! {
    #[test]
    fn parse_never_panics_on_any_text(
        pk in proptest::option::of(any::<String>()),
        nonce in proptest::option::of(any::<String>()),
        ts in proptest::option::of(any::<String>()),
        sig in proptest::option::of(any::<String>()),
    ) {
        let raw = RawAuth {
            pubkey: pk.as_deref(),
            nonce: nonce.as_deref(),
            timestamp: ts.as_deref(),
            signature: sig.as_deref(),
        };
        if let Err(e) = raw.parse(true) {
            prop_assert_eq!(e.status(), 400);
        }
    }

    #[test]
    // (Below 5 bytes hex and base64 lengths collide; the reference reads such input as hex.)
    fn hex_or_base64_round_trips(bytes in proptest::collection::vec(any::<u8>(), 5..70)) {
        use base64::Engine as _;
        let n = bytes.len();
        let padded = base64::engine::general_purpose::STANDARD.encode(&bytes);
        prop_assert_eq!(decode_hex_or_b64(&hex::encode(&bytes), n), Some(bytes.clone()));
        prop_assert_eq!(decode_hex_or_b64(&padded, n), Some(bytes.clone()));
        prop_assert_eq!(decode_hex_or_b64(padded.trim_end_matches('='), n), Some(bytes.clone()));
    }

    #[test]
    fn decode_path_is_identity_without_escapes(s in "[^%]*") {
        prop_assert_eq!(session_sogs::decode_path(&s), s);
    }
}
