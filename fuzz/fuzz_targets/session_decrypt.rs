//! 1:1 decryption of arbitrary bytes: never panics. Half the inputs are real ciphertexts with
//! fuzzer-chosen corruption, so the fuzzer gets past the sealed box into the signature checks.
#![no_main]
use libfuzzer_sys::fuzz_target;
use session_crypto::session_protocol::{decrypt_incoming, encrypt_for_recipient_deterministic};
use session_crypto::{IdentityKeys, Seed};
use std::sync::OnceLock;

fn keys() -> &'static (IdentityKeys, IdentityKeys) {
    static KEYS: OnceLock<(IdentityKeys, IdentityKeys)> = OnceLock::new();
    KEYS.get_or_init(|| {
        (
            IdentityKeys::from_seed(Seed::from_bytes([1; 32])),
            IdentityKeys::from_seed(Seed::from_bytes([2; 32])),
        )
    })
}

fuzz_target!(|data: &[u8]| {
    let (alice, bob) = keys();
    let _ = decrypt_incoming(bob, data);
    if let Some((&pos, rest)) = data.split_first() {
        let mut ct = encrypt_for_recipient_deterministic(alice, &bob.session_id(), rest)
            .expect("encrypts");
        let i = usize::from(pos) % ct.len();
        ct[i] ^= 1 | pos;
        assert!(decrypt_incoming(bob, &ct).is_err(), "corrupted ciphertext accepted");
    }
});
