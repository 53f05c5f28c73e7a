//! The file server's untrusted request parsing (`session_fileserver::request`): file IDs,
//! `X-FS-TTL`, the `X-FS-*` auth of `/session_version` (the fuzzer's text split on newlines
//! into pubkey, timestamp, signature, path and query, verified against a clock), the legacy
//! `POST /files` body, and the v3 onion payload. Never panics; refusals are 4xx.
#![no_main]
use libfuzzer_sys::fuzz_target;
use session_fileserver::request::{
    RawFsAuth, SignedRequest, is_valid_id, legacy_upload, parse_v3, ttl, verify_fs_auth,
};

fuzz_target!(|data: &[u8]| {
    let text = String::from_utf8_lossy(data);
    let mut parts = text.split('\n');
    let mut next = || parts.next().filter(|s| !s.is_empty());
    let raw = RawFsAuth {
        pubkey: next(),
        timestamp: next(),
        signature: next(),
    };
    let path = next().unwrap_or("/session_version");
    let query = next();
    for now in [1_700_000_000.0, f64::MAX, f64::MIN, f64::NAN] {
        let req = SignedRequest { method: "GET", path, query, body: data };
        match verify_fs_auth(&raw, &req, now, false) {
            Ok(_) => {}
            Err(r) => assert!(matches!(r.code, 400 | 401 | 425), "{r:?}"),
        }
    }
    if is_valid_id(&text) {
        assert!(!text.contains('/') && !text.contains('.'));
    }
    match ttl(Some(&text), 1_814_400, 60, 1_814_400) {
        Ok(t) => assert!((60..=1_814_400).contains(&t)),
        Err(r) => assert_eq!(r.code, 400),
    }
    if let Err(r) = legacy_upload(data, 13_333_336) {
        assert!(r.code == 400 || r.code == 413);
    }
    if let Some(r) = parse_v3(data) {
        assert!(r.endpoint.starts_with('/'));
    }
});
