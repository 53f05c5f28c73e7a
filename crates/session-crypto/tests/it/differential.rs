//! Differential tests against libsodium (what libsession-util and Session desktop use): random
//! keys and messages, 1,000+ cases per primitive, byte-for-byte agreement.
use crate::rng;
use rand::{Rng, RngExt};
use session_crypto::hash::{Blake2bParams, hash24, hash32, hash64};
use session_crypto::primitives::{seal, seal_open, x25519};
use session_crypto::session_protocol::{decrypt_incoming, encrypt_for_recipient};
use session_crypto::{Ed25519PublicKey, IdentityKeys, Seed};
use session_sodium_ref as sodium;

const CASES: usize = 1_000;

fn random_keys(r: &mut impl rand::CryptoRng) -> (IdentityKeys, sodium::SodiumEd25519) {
    let mut seed = [0u8; 32];
    r.fill_bytes(&mut seed);
    (
        IdentityKeys::from_seed(Seed::from_bytes(seed)),
        sodium::sign_seed_keypair(&seed),
    )
}

fn random_msg(r: &mut impl Rng, max: usize) -> Vec<u8> {
    let len = r.random_range(0..=max);
    let mut m = vec![0u8; len];
    r.fill_bytes(&mut m);
    m
}

#[test]
fn ed25519_keygen_and_sign() {
    let mut r = rng(100);
    for _ in 0..CASES {
        let (ours, theirs) = random_keys(&mut r);
        assert_eq!(ours.ed25519_public().as_bytes(), &theirs.pk);
        assert_eq!(*ours.libsodium_secret_key(), theirs.sk);
        let msg = random_msg(&mut r, 200);
        let sig = ours.sign(&msg);
        assert_eq!(sig, sodium::sign_detached(&theirs.sk, &msg));
        assert!(sodium::verify_detached(&theirs.pk, &msg, &sig));
        ours.ed25519_public().verify(&msg, &sig, "diff").unwrap();
    }
}

#[test]
fn ed25519_verify_agrees_on_corrupted_signatures() {
    let mut r = rng(101);
    for _ in 0..CASES {
        let (ours, theirs) = random_keys(&mut r);
        let msg = random_msg(&mut r, 64);
        let mut sig = ours.sign(&msg);
        let i = r.random_range(0..64);
        sig[i] ^= 1 << r.random_range(0..8);
        let lib = sodium::verify_detached(&theirs.pk, &msg, &sig);
        let us = ours.ed25519_public().verify(&msg, &sig, "diff").is_ok();
        assert_eq!(us, lib);
        assert!(!us);
    }
}

#[test]
fn x25519_conversion() {
    let mut r = rng(102);
    for _ in 0..CASES {
        let (ours, theirs) = random_keys(&mut r);
        assert_eq!(
            Some(*ours.x25519_public().as_bytes()),
            sodium::ed25519_pk_to_curve25519(&theirs.pk)
        );
        assert_eq!(
            ours.x25519_secret().expose_secret(),
            &sodium::ed25519_sk_to_curve25519(&theirs.sk)
        );
        assert_eq!(
            sodium::scalarmult_base(ours.x25519_secret().expose_secret()),
            *ours.x25519_public().as_bytes()
        );
    }
}

#[test]
fn x25519_conversion_of_arbitrary_bytes_accepts_and_rejects_alike() {
    let mut r = rng(103);
    let mut accepted = 0;
    for _ in 0..CASES {
        let mut pk = [0u8; 32];
        r.fill_bytes(&mut pk);
        let ours = Ed25519PublicKey::from_bytes(pk)
            .to_x25519()
            .ok()
            .map(|k| *k.as_bytes());
        assert_eq!(
            ours,
            sodium::ed25519_pk_to_curve25519(&pk),
            "pk {}",
            hex::encode(pk)
        );
        accepted += usize::from(ours.is_some());
    }
    // About half of random strings decompress, and of those only 1/8 are in the subgroup.
    assert!(accepted > 0 && accepted < CASES / 4, "accepted {accepted}");
}

#[test]
fn x25519_diffie_hellman() {
    let mut r = rng(104);
    for _ in 0..CASES {
        let (mut a, mut b) = ([0u8; 32], [0u8; 32]);
        r.fill_bytes(&mut a);
        r.fill_bytes(&mut b);
        let b_pub = sodium::scalarmult_base(&b);
        assert_eq!(
            Some(*x25519(&a, &b_pub).unwrap()),
            sodium::scalarmult(&a, &b_pub)
        );
    }
}

#[test]
fn sealed_box_both_directions() {
    let mut r = rng(105);
    for _ in 0..CASES {
        let (ours, _) = random_keys(&mut r);
        let pk = *ours.x25519_public().as_bytes();
        let sk = *ours.x25519_secret().expose_secret();
        let msg = random_msg(&mut r, 300);
        let by_us = seal(&pk, &msg, &mut r).unwrap();
        assert_eq!(by_us.len(), msg.len() + 48);
        assert_eq!(sodium::box_seal_open(&by_us, &pk, &sk), Some(msg.clone()));
        let by_lib = sodium::box_seal(&msg, &pk);
        assert_eq!(seal_open(&sk, &pk, &by_lib).unwrap(), msg);
        let mut bad = by_lib;
        let i = r.random_range(0..bad.len());
        bad[i] ^= 0x40;
        assert!(seal_open(&sk, &pk, &bad).is_err());
        assert!(sodium::box_seal_open(&bad, &pk, &sk).is_none());
    }
}

#[test]
fn xchacha20_poly1305() {
    use chacha20poly1305::aead::{Aead, KeyInit};
    let mut r = rng(106);
    for _ in 0..CASES {
        let (mut key, mut nonce) = ([0u8; 32], [0u8; 24]);
        r.fill_bytes(&mut key);
        r.fill_bytes(&mut nonce);
        let msg = random_msg(&mut r, 300);
        let cipher = chacha20poly1305::XChaCha20Poly1305::new((&key).into());
        let ours = cipher.encrypt((&nonce).into(), msg.as_slice()).unwrap();
        assert_eq!(ours, sodium::xchacha20poly1305_encrypt(&key, &nonce, &msg));
        assert_eq!(
            sodium::xchacha20poly1305_decrypt(&key, &nonce, &ours),
            Some(msg)
        );
    }
}

#[test]
fn blake2b_matches_generichash() {
    let mut r = rng(107);
    for _ in 0..CASES {
        let msg = random_msg(&mut r, 300);
        let key = random_msg(&mut r, 64);
        let k = (!key.is_empty()).then_some(key.as_slice());
        let p = Blake2bParams::keyed(&key);
        assert_eq!(
            hash24(p, &[&msg]).to_vec(),
            sodium::generichash(24, &msg, k)
        );
        assert_eq!(
            hash32(p, &[&msg]).to_vec(),
            sodium::generichash(32, &msg, k)
        );
        assert_eq!(
            hash64(p, &[&msg]).to_vec(),
            sodium::generichash(64, &msg, k)
        );
    }
}

#[test]
fn personalised_blake2b_matches_libsodium() {
    let mut r = rng(109);
    for _ in 0..CASES {
        let msg = random_msg(&mut r, 300);
        let key = random_msg(&mut r, 64);
        let mut personal = [0u8; 16];
        r.fill_bytes(&mut personal);
        let k = (!key.is_empty()).then_some(key.as_slice());
        let p = Blake2bParams::keyed(&key).personal(&personal);
        assert_eq!(
            hash32(p, &[&msg]).to_vec(),
            sodium::generichash_personal(32, &msg, k, &personal)
        );
        assert_eq!(
            hash64(p, &[&msg]).to_vec(),
            sodium::generichash_personal(64, &msg, k, &personal)
        );
        assert_ne!(
            hash32(p, &[&msg]),
            hash32(Blake2bParams::keyed(&key), &[&msg])
        );
    }
}

#[test]
fn session_protocol_against_libsodium_composition() {
    let mut r = rng(108);
    for _ in 0..CASES {
        let (alice, alice_lib) = random_keys(&mut r);
        let (bob, bob_lib) = random_keys(&mut r);
        let msg = random_msg(&mut r, 200);
        let ct = encrypt_for_recipient(&alice, &bob.session_id(), &msg, &mut r).unwrap();
        let (m, a_s) = sodium::session_decrypt(&bob_lib.sk, &ct).expect("libsodium opens ours");
        assert_eq!((m, a_s), (msg.clone(), alice_lib.pk));
        let ct = sodium::session_encrypt(&alice_lib.sk, bob.x25519_public().as_bytes(), &msg);
        let out = decrypt_incoming(&bob, &ct).unwrap();
        assert_eq!(out.plaintext.as_slice(), msg.as_slice());
        assert_eq!(out.sender, alice.session_id());
    }
}
