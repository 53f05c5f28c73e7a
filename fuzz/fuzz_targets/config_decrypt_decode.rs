//! Config receive path on arbitrary bytes: never panics. The first byte picks what the rest is:
//! 0 = stored bytes as fetched (raw or legacy-wrapped, usually failing decryption), 1 = a
//! plaintext sealed uncompressed with the right key, 2 = the same compressed, 3 = the same in
//! the legacy protobuf wrapping — so the fuzzer gets past decryption into unpadding,
//! decompression, decoding and merging. Whatever decodes must re-encode stably.
#![no_main]
use libfuzzer_sys::fuzz_target;
use session_config::encrypt::{self, ConfigKey};
use session_config::user::UserProfile;
use session_config::{ConfigMessage, Kind, Verify, legacy};
use session_crypto::{IdentityKeys, Seed};
use std::sync::OnceLock;

/// The seed of libsession's UserProfile tests, so the committed real pushes decrypt.
const SEED: [u8; 32] = [
    0x01, 0x23, 0x45, 0x67, 0x89, 0xab, 0xcd, 0xef, 0x01, 0x23, 0x45, 0x67, 0x89, 0xab, 0xcd, 0xef,
    0, 0, 0, 0, 0, 0, 0, 0, 0, 0, 0, 0, 0, 0, 0, 0,
];

fn keys() -> &'static IdentityKeys {
    static KEYS: OnceLock<IdentityKeys> = OnceLock::new();
    KEYS.get_or_init(|| IdentityKeys::from_seed(Seed::from_bytes(SEED)))
}

fuzz_target!(|data: &[u8]| {
    let Some((&mode, rest)) = data.split_first() else {
        return;
    };
    if let Ok(m) = ConfigMessage::decode(rest, Verify::Ignore) {
        let bytes = m.encode(None);
        let again = ConfigMessage::decode(&bytes, Verify::Ignore).expect("own encoding decodes");
        assert_eq!(again.encode(None), bytes, "encoding not stable");
        let mut next = m.increment();
        let _ = next.encode(None);
    }
    let _ = encrypt::unpad_and_decompress(rest);

    let key = ConfigKey::from_seed(&Seed::from_bytes(SEED));
    let domain = Kind::UserProfile.domain();
    let stored = match mode % 4 {
        0 => Some(rest.to_vec()),
        1 => encrypt::seal(rest, &key, domain, false).ok(),
        2 => encrypt::seal(rest, &key, domain, true).ok(),
        _ => encrypt::seal(rest, &key, domain, false)
            .ok()
            .and_then(|s| legacy::wrap(keys(), &s, 1, Kind::UserProfile).ok()),
    };
    let Some(stored) = stored else {
        return;
    };
    let mut profile = UserProfile::new(&Seed::from_bytes(SEED));
    if profile.merge(&[("fuzz".into(), stored.clone())]).is_ok() {
        let _ = profile.name();
        let _ = profile.profile_pic();
        let _ = profile.push();
        let _ = profile.merge(&[("again".into(), stored)]);
    }
});
