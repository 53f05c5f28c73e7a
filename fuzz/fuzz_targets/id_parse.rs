//! ID parsing (hex text and raw bytes): never panics; what parses prints back the same.
#![no_main]
use libfuzzer_sys::fuzz_target;
use session_crypto::{BlindedId, GroupId, SessionId};

fuzz_target!(|data: &[u8]| {
    let _ = SessionId::from_bytes(data);
    let _ = GroupId::from_bytes(data);
    let _ = BlindedId::from_bytes(data);
    let Ok(text) = std::str::from_utf8(data) else { return };
    if let Ok(id) = text.parse::<SessionId>() {
        assert_eq!(id.to_string(), text.trim().to_lowercase());
        let _ = id.to_ed25519_positive();
    }
    if let Ok(id) = text.parse::<GroupId>() {
        assert_eq!(id.to_string(), text.trim().to_lowercase());
    }
    if let Ok(id) = text.parse::<BlindedId>() {
        assert_eq!(id.to_string(), text.trim().to_lowercase());
    }
    let _ = session_crypto::Seed::from_hex(text);
});
