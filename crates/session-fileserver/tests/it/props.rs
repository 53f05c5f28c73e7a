//! Property tests over the pure request parsing: no input panics, and the refusals are 4xx.

use proptest::prelude::*;
use session_fileserver::request::{
    RawFsAuth, SignedRequest, is_valid_id, legacy_upload, parse_v3, ttl, verify_fs_auth,
};

proptest! {
    #![proptest_config(ProptestConfig::with_cases(512))]

    #[test]
    fn parsers_never_panic(s in "\\PC{0,120}", bytes in prop::collection::vec(any::<u8>(), 0..200)) {
        let _ = is_valid_id(&s);
        if let Err(r) = ttl(Some(&s), 100, 60, 1000) {
            prop_assert_eq!(r.code, 400);
        }
        if let Ok(t) = ttl(Some(&s), 100, 60, 1000) {
            prop_assert!((60..=1000).contains(&t) || t == 100);
        }
        if let Err(r) = legacy_upload(&bytes, 100) {
            prop_assert!(r.code == 400 || r.code == 413);
        }
        if let Some(r) = parse_v3(&bytes) {
            prop_assert!(r.endpoint.starts_with('/'));
        }
        let mut parts = s.split('|');
        let raw = RawFsAuth { pubkey: parts.next(), timestamp: parts.next(), signature: parts.next() };
        let req = SignedRequest { method: "GET", path: "/session_version", query: Some("platform=ios"), body: &bytes };
        if let Err(r) = verify_fs_auth(&raw, &req, 1.7e9, false) {
            prop_assert!(matches!(r.code, 400 | 401 | 425));
        }
    }

    #[test]
    fn ids_are_path_safe(s in "[A-Za-z0-9_.%/-]{0,70}") {
        if is_valid_id(&s) {
            prop_assert!(!s.contains('/') && !s.contains('.') && !s.contains('%'));
        }
    }
}
