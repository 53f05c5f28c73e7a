//! Group message decryption on arbitrary bytes: never panics. The first byte picks what the
//! rest is: 0 = a ciphertext as fetched (usually failing to decrypt), 1 = the rest as the
//! plaintext inner dict, encrypted under the group key — so the fuzzer reaches the inner dict,
//! the sender's signature and decompression. Whatever decrypts must round-trip.
#![no_main]
use chacha20poly1305::XChaCha20Poly1305;
use chacha20poly1305::aead::{Aead, KeyInit};
use libfuzzer_sys::fuzz_target;
use session_config::ConfigKey;
use session_group::message;

const KEY: [u8; 32] = [0x42; 32];

fuzz_target!(|data: &[u8]| {
    let Some((&mode, rest)) = data.split_first() else {
        return;
    };
    let key = ConfigKey::from_bytes(KEY);
    let input = if mode % 2 == 0 {
        rest.to_vec()
    } else {
        let nonce = [7u8; 24];
        let Ok(ct) = XChaCha20Poly1305::new((&KEY).into()).encrypt((&nonce).into(), rest) else {
            return;
        };
        [&nonce[..], &ct].concat()
    };
    if let Ok(d) = message::decrypt(&[&key], &input) {
        assert!(!d.plaintext.is_empty());
        assert!(d.plaintext.len() <= message::MAX_PLAINTEXT);
    }
});
