//! The community server's untrusted request parsing: the four X-SOGS-* headers (the fuzzer's
//! bytes split on newlines into pubkey, nonce, timestamp, signature, then path and query),
//! parsed with and without required blinding, checked against a clock and verified against
//! a fixed server key (`spec/vectors.md` §6); the lenient decoders; and the v4 payload an
//! onion request carries to the server. Never panics; every refusal is a 4xx.
#![no_main]
use libfuzzer_sys::fuzz_target;
use session_sogs::{RawAuth, decode_base64, decode_hex_or_b64, decode_path};

/// vectors.md §6: the server's X25519 public key.
const SERVER: [u8; 32] = [
    0xc3, 0xb3, 0xc6, 0xf3, 0x2f, 0x0a, 0xb5, 0xa5, 0x7f, 0x85, 0x3c, 0xc4, 0xf3, 0x0f, 0x5d, 0xa7,
    0xfd, 0xa5, 0x62, 0x4b, 0x0c, 0x77, 0xb3, 0xfb, 0x08, 0x29, 0xde, 0x56, 0x2a, 0xda, 0x08, 0x1d,
];

fuzz_target!(|data: &[u8]| {
    let text = String::from_utf8_lossy(data);
    let mut parts = text.split('\n');
    let mut next = || parts.next().filter(|s| !s.is_empty());
    let raw = RawAuth {
        pubkey: next(),
        nonce: next(),
        timestamp: next(),
        signature: next(),
    };
    let path = next().unwrap_or("/");
    let query = next();
    for blind in [true, false] {
        match raw.parse(blind) {
            Ok(Some(p)) => {
                let _ = p.check_time(1_642_472_103);
                let _ = p.check_time(i64::MAX);
                let _ = p.check_time(i64::MIN);
                if let Err(e) = p.verify(&SERVER, "GET", &decode_path(path), query, data) {
                    assert_eq!(e.status(), 401);
                }
            }
            Ok(None) => {}
            Err(e) => assert!((400..500).contains(&e.status()), "{e:?}"),
        }
    }
    let _ = decode_path(&text);
    let _ = decode_base64(&text);
    for size in [16, 33, 64] {
        if let Some(v) = decode_hex_or_b64(&text, size) {
            assert_eq!(v.len(), size);
        }
    }
    if let Ok(req) = session_onion::V4Request::decode(data) {
        assert!(req.endpoint.starts_with('/'));
    }
});
