//! vectors.md section 4 and the deterministic variant.
use crate::{keys, rng};
use session_crypto::session_protocol::{
    decrypt_incoming, encrypt_for_recipient, encrypt_for_recipient_deterministic,
};
use session_crypto::{Error, SessionId};

const SENDER: &str = "0123456789abcdef0123456789abcdef00000000000000000000000000000000";
const RECIPIENT: &str = "00112233445566778899aabbccddeeff00000000000000000000000000000000";
const RECIPIENT_ID: &str = "05aa654f00fc39fc69fd0db829410ca38177d7732a8d2f0934ab3872ac56d5aa74";

#[test]
fn hello_round_trip_and_properties() {
    let sender = keys(SENDER);
    let recipient = keys(RECIPIENT);
    let to: SessionId = RECIPIENT_ID.parse().unwrap();
    assert_eq!(recipient.session_id(), to);
    let mut r = rng(1);
    let ct = encrypt_for_recipient(&sender, &to, b"hello", &mut r).unwrap();
    assert_eq!(ct.len(), 5 + 96 + 48);
    let ct2 = encrypt_for_recipient(&sender, &to, b"hello", &mut r).unwrap();
    assert_ne!(ct, ct2);

    let out = decrypt_incoming(&recipient, &ct).unwrap();
    assert_eq!(out.plaintext.as_slice(), b"hello");
    assert_eq!(
        hex::encode(out.sender_ed25519.as_bytes()),
        "4cb76fdc6d32278e3f83dbf608360ecc6b65727934b85d2fb86862ff98c46ab7"
    );
    assert_eq!(out.sender, sender.session_id());

    assert!(matches!(
        decrypt_incoming(&sender, &ct).unwrap_err(),
        Error::DecryptionFailed { .. }
    ));
    for bit in 0..ct.len() * 8 {
        let mut bad = ct.clone();
        bad[bit / 8] ^= 1 << (bit % 8);
        assert!(
            decrypt_incoming(&recipient, &bad).is_err(),
            "bit {bit} flip accepted"
        );
    }
}

#[test]
fn deterministic_variant_is_deterministic_and_decrypts() {
    let sender = keys(SENDER);
    let recipient = keys(RECIPIENT);
    let to = recipient.session_id();
    let a = encrypt_for_recipient_deterministic(&sender, &to, b"hello").unwrap();
    let b = encrypt_for_recipient_deterministic(&sender, &to, b"hello").unwrap();
    let c = encrypt_for_recipient_deterministic(&sender, &to, b"hellp").unwrap();
    assert_eq!(a, b);
    assert_ne!(a, c);
    assert_eq!(a.len(), 149);
    let out = decrypt_incoming(&recipient, &a).unwrap();
    assert_eq!(out.plaintext.as_slice(), b"hello");
    // The ephemeral key is crypto_box_seed_keypair(B2b-32(seed || X_r || M; key=...)).
    let seed = session_crypto::hash::hash32(
        session_crypto::hash::Blake2bParams::keyed(b"SessionBoxEphemeralHashKey"),
        &[
            sender.seed().expose_secret(),
            to.x25519().as_bytes(),
            b"hello",
        ],
    );
    let (_, eph_pk) = session_crypto::primitives::box_seed_keypair(&seed);
    assert_eq!(&a[..32], &eph_pk);
}

#[test]
fn short_ciphertext_is_a_typed_error() {
    let recipient = keys(RECIPIENT);
    assert_eq!(
        decrypt_incoming(&recipient, &[0u8; 143]).unwrap_err(),
        Error::CiphertextTooShort {
            what: "session protocol",
            min: 144,
            got: 143
        }
    );
}

#[test]
fn a_forged_sender_key_fails_verification() {
    // Re-seal an inner payload whose embedded A_s is not the signer's key.
    let sender = keys(SENDER);
    let recipient = keys(RECIPIENT);
    let other = keys("ff".repeat(32).as_str());
    let to = recipient.session_id();
    let mut inner = b"hello".to_vec();
    inner.extend_from_slice(other.ed25519_public().as_bytes());
    let mut signed = b"hello".to_vec();
    signed.extend_from_slice(other.ed25519_public().as_bytes());
    signed.extend_from_slice(to.x25519().as_bytes());
    inner.extend_from_slice(&sender.sign(&signed));
    let ct = session_crypto::primitives::seal(to.x25519().as_bytes(), &inner, &mut rng(3)).unwrap();
    assert!(matches!(
        decrypt_incoming(&recipient, &ct).unwrap_err(),
        Error::BadSignature { .. }
    ));
}
