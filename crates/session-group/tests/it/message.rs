//! Group messages: round trips, compression and padding, wrong signers and keys.

use crate::util::*;
use proptest::prelude::*;
use session_config::ConfigKey;
use session_crypto::IdentityKeys;
use session_group::message::{self, DEFAULT_PADDING};
use session_group::{Error, GroupAdmin, GroupKeys};

fn key(b: u8) -> ConfigKey {
    ConfigKey::from_bytes([b; 32])
}

proptest! {
    #![proptest_config(ProptestConfig::with_cases(64))]

    #[test]
    fn round_trip(plain in proptest::collection::vec(any::<u8>(), 1..3000), compress: bool, n: u64) {
        let sender = keys(MEMBER_SEEDS[0]);
        let ct = message::encrypt(&key(1), &sender, &plain, compress, DEFAULT_PADDING, &mut rng(n))
            .unwrap();
        prop_assert_eq!(ct.len() % DEFAULT_PADDING, 0);
        let d = message::decrypt(&[&key(9), &key(1)], &ct).unwrap();
        prop_assert_eq!(&d.plaintext[..], &plain[..]);
        prop_assert_eq!(d.sender, sender.session_id());
        prop_assert!(message::decrypt(&[&key(2)], &ct).is_err());
    }

    #[test]
    fn decrypt_never_panics(bytes in proptest::collection::vec(any::<u8>(), 0..600)) {
        let _ = message::decrypt(&[&key(1)], &bytes);
    }
}

#[test]
fn compression_and_padding_match_libsession_sizes() {
    // libsession test_group_keys: this message is 256 bytes compressed, 2048 uncompressed.
    let mut msg = "hello to all my friends sitting in the tomato sauce".to_string();
    for _ in 0..5 {
        msg = msg.repeat(2);
    }
    let sender = keys(ADMIN1_SEED);
    let c = message::encrypt(&key(1), &sender, msg.as_bytes(), true, 256, &mut rng(1)).unwrap();
    let u = message::encrypt(&key(1), &sender, msg.as_bytes(), false, 256, &mut rng(1)).unwrap();
    assert_eq!((c.len(), u.len()), (256, 2048));
}

/// Builds the inner dict by hand (as a forger would) and encrypts it under the group key.
fn forged(key: &ConfigKey, a: &[u8; 32], data: &[u8], sig: &[u8; 64]) -> Vec<u8> {
    use chacha20poly1305::XChaCha20Poly1305;
    use chacha20poly1305::aead::{Aead, KeyInit};
    let mut inner = b"d0:i1e1:a32:".to_vec();
    inner.extend(a);
    inner.extend(format!("1:d{}:", data.len()).as_bytes());
    inner.extend(data);
    inner.extend(b"1:s64:");
    inner.extend(sig);
    inner.push(b'e');
    let nonce = [7u8; 24];
    let mut out = nonce.to_vec();
    let ct = XChaCha20Poly1305::new(key.expose_secret().into())
        .encrypt((&nonce).into(), &inner[..])
        .expect("encrypts");
    out.extend(ct);
    out
}

#[test]
fn a_wrong_signer_is_refused() {
    let real = keys(MEMBER_SEEDS[0]);
    let imposter = keys(MEMBER_SEEDS[1]);
    // Claims to be `real` but is signed by `imposter`.
    let sig = imposter.sign(b"hi");
    let ct = forged(&key(1), real.ed25519_public().as_bytes(), b"hi", &sig);
    assert_eq!(
        message::decrypt(&[&key(1)], &ct).unwrap_err(),
        Error::BadSignature {
            what: "group message"
        }
    );
    let ok = forged(
        &key(1),
        real.ed25519_public().as_bytes(),
        b"hi",
        &real.sign(b"hi"),
    );
    assert_eq!(
        &message::decrypt(&[&key(1)], &ok).unwrap().plaintext[..],
        b"hi"
    );
}

#[test]
fn key_ring_decrypts_with_older_keys_too() {
    let admin = GroupAdmin::from_seed(seed(GROUP_SEED));
    let me = IdentityKeys::from_seed(seed(ADMIN1_SEED));
    let mut ring = GroupKeys::new(me.seed(), admin.group_id(), Some(admin)).unwrap();
    assert!(matches!(
        ring.encrypt_message(b"x", true, &mut rng(0)),
        Err(Error::NoKey { .. })
    ));
    let m0 = ring.rekey(&[]).unwrap().to_vec();
    ring.load_key_message("0", &m0, 1).unwrap();
    let old = ring.encrypt_message(b"old", true, &mut rng(1)).unwrap();
    ring.rekey(&[]).unwrap();
    let new = ring.encrypt_message(b"new", true, &mut rng(2)).unwrap();
    assert_eq!(&ring.decrypt_message(&old).unwrap().plaintext[..], b"old");
    assert_eq!(&ring.decrypt_message(&new).unwrap().plaintext[..], b"new");
}
