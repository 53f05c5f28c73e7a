//! Property tests: round trips of phrases, IDs and ciphertexts, and no panics on garbage.
use crate::rng;
use proptest::prelude::*;
use session_crypto::blinded_dm::{decrypt_blinded_dm, encrypt_blinded_dm};
use session_crypto::blinding::blinded_keypair;
use session_crypto::hop::{EncType, HopKey};
use session_crypto::mnemonic::{decode, encode};
use session_crypto::session_protocol::{decrypt_incoming, encrypt_for_recipient};
use session_crypto::{
    BlindKind, BlindedId, Ed25519PublicKey, GroupId, IdentityKeys, Seed, SessionId, X25519Secret,
};

fn identity(seed: [u8; 32]) -> IdentityKeys {
    IdentityKeys::from_seed(Seed::from_bytes(seed))
}

proptest! {
    #![proptest_config(ProptestConfig::with_cases(256))]

    #[test]
    fn phrase_round_trip(bytes in prop::collection::vec(any::<u8>(), 1..=8usize).prop_map(|v| v.repeat(4))) {
        let phrase = encode(&bytes).unwrap();
        prop_assert_eq!(phrase.split(' ').count(), bytes.len() / 4 * 3 + 1);
        if bytes.len() == 16 || bytes.len() == 32 {
            prop_assert_eq!(&*decode(&phrase).unwrap(), &bytes);
        }
    }

    #[test]
    fn seed_phrase_round_trip(seed in any::<[u8; 32]>(), short in any::<bool>()) {
        let mut seed = seed;
        if short { seed[16..].fill(0); }
        let s = Seed::from_bytes(seed);
        let phrase = s.to_mnemonic();
        prop_assert_eq!(phrase.split(' ').count(), if short { 13 } else { 25 });
        let back = Seed::from_mnemonic(&phrase).unwrap();
        prop_assert_eq!(back.expose_secret(), &seed);
    }

    #[test]
    fn phrase_decode_never_panics(s in "\\PC{0,200}") {
        let _ = decode(&s);
    }

    #[test]
    fn phrase_decode_of_word_soup_never_panics(idx in prop::collection::vec(0usize..1626, 0..30)) {
        let words = session_crypto::mnemonic::word_list();
        let phrase: Vec<&str> = idx.iter().map(|&i| words[i]).collect();
        let _ = decode(&phrase.join(" "));
    }

    #[test]
    fn id_round_trips(key in any::<[u8; 32]>()) {
        let sid = SessionId::from_x25519(session_crypto::X25519PublicKey::from_bytes(key));
        prop_assert_eq!(sid.to_string().parse::<SessionId>().unwrap(), sid);
        prop_assert_eq!(SessionId::from_bytes(&sid.to_bytes()).unwrap(), sid);
        let gid = GroupId::from_ed25519(Ed25519PublicKey::from_bytes(key));
        prop_assert_eq!(gid.to_string().parse::<GroupId>().unwrap(), gid);
        for kind in [BlindKind::Blind15, BlindKind::Blind25] {
            let bid = BlindedId::new(kind, Ed25519PublicKey::from_bytes(key));
            prop_assert_eq!(bid.to_string().parse::<BlindedId>().unwrap(), bid);
            prop_assert!(bid.to_string().parse::<SessionId>().is_err());
        }
    }

    #[test]
    fn id_parse_never_panics(s in "\\PC{0,80}", b in prop::collection::vec(any::<u8>(), 0..40)) {
        let _ = s.parse::<SessionId>();
        let _ = s.parse::<GroupId>();
        let _ = s.parse::<BlindedId>();
        let _ = SessionId::from_bytes(&b);
        let _ = BlindedId::from_bytes(&b);
    }

    #[test]
    fn one_to_one_round_trip(a in any::<[u8; 32]>(), b in any::<[u8; 32]>(), msg in prop::collection::vec(any::<u8>(), 0..2048), seed in any::<u64>()) {
        let (alice, bob) = (identity(a), identity(b));
        let ct = encrypt_for_recipient(&alice, &bob.session_id(), &msg, &mut rng(seed)).unwrap();
        let out = decrypt_incoming(&bob, &ct).unwrap();
        prop_assert_eq!(out.plaintext.as_slice(), msg.as_slice());
        prop_assert_eq!(out.sender, alice.session_id());
    }

    #[test]
    fn one_to_one_decrypt_of_garbage_is_an_error(a in any::<[u8; 32]>(), ct in prop::collection::vec(any::<u8>(), 0..400)) {
        prop_assert!(decrypt_incoming(&identity(a), &ct).is_err());
    }

    #[test]
    fn hop_round_trip(a in any::<[u8; 32]>(), b in any::<[u8; 32]>(), msg in prop::collection::vec(any::<u8>(), 0..4096), xchacha in any::<bool>(), seed in any::<u64>()) {
        let enc = if xchacha { EncType::XChaCha20 } else { EncType::AesGcm };
        let (eph, hop) = (X25519Secret::from_bytes(a), X25519Secret::from_bytes(b));
        let hop_pk = hop.public_key();
        let client = HopKey::client(enc, &eph, &hop_pk).unwrap();
        let server = HopKey::hop(enc, &hop, &hop_pk, &eph.public_key()).unwrap();
        let mut r = rng(seed);
        let ct = client.encrypt(&msg, &mut r);
        prop_assert_eq!(server.decrypt(&ct).unwrap(), msg.clone());
        let back = server.encrypt(&msg, &mut r);
        prop_assert_eq!(client.decrypt(&back).unwrap(), msg);
    }

    #[test]
    fn hop_decrypt_of_garbage_is_an_error(key in any::<[u8; 32]>(), ct in prop::collection::vec(any::<u8>(), 0..200), xchacha in any::<bool>()) {
        let enc = if xchacha { EncType::XChaCha20 } else { EncType::AesGcm };
        let s = X25519Secret::from_bytes(key);
        let k = HopKey::hop(enc, &s, &s.public_key(), &X25519Secret::from_bytes([9; 32]).public_key()).unwrap();
        prop_assert!(k.decrypt(&ct).is_err());
    }

    #[test]
    fn blinded_dm_round_trip(a in any::<[u8; 32]>(), b in any::<[u8; 32]>(), server in any::<[u8; 32]>(), msg in prop::collection::vec(any::<u8>(), 0..512), b25 in any::<bool>()) {
        let kind = if b25 { BlindKind::Blind25 } else { BlindKind::Blind15 };
        let (alice, bob) = (identity(a), identity(b));
        let (a_id, b_id) = (blinded_keypair(kind, &alice, &server).id(), blinded_keypair(kind, &bob, &server).id());
        let ct = encrypt_blinded_dm(&alice, &server, &b_id, &msg, &mut rng(1)).unwrap();
        let dm = decrypt_blinded_dm(&bob, &server, &a_id, &b_id, &ct).unwrap();
        prop_assert_eq!(dm.plaintext.as_slice(), msg.as_slice());
        prop_assert_eq!(dm.sender, alice.session_id());
    }
}
