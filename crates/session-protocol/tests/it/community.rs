//! Community posts (signed, padded Content) and blinded DMs.
use crate::fixtures::{self, SENT_MS};
use crate::{SERVER_PK, keys, recipient, rng, sender};
use session_crypto::blinding::{Blind15Nonce, blind15_keypair, blind15_sign, blind25_keypair};
use session_crypto::{BlindKind, BlindedId};
use session_protocol::community::*;
use session_protocol::proto::{Content, DataMessage};
use session_protocol::{Error, padding};

/// vectors.md §1: seed2's Ed25519 key is "negative" (top bit of its last byte set).
/// vectors.md §1 seed1: its Ed25519 key is positive.
const POSITIVE_SEED: &str = "fecd9a6034bc9aba273925dee7062b123334587c3c6257341afae2d7fe85e122";
const NEGATIVE_SEED: &str = "8659efdcbe0949e0f81141e6d397e8be75f45d09262f209d5950e97989eb43c7";

fn post() -> Content {
    Content {
        data_message: Some(DataMessage {
            body: Some("hello, room".into()),
            timestamp: Some(SENT_MS),
            ..Default::default()
        }),
        sig_timestamp: Some(SENT_MS),
        ..Default::default()
    }
}

#[test]
fn unblinded_posts_verify_against_the_session_id() {
    for seed in [crate::SENDER_SEED, POSITIVE_SEED, NEGATIVE_SEED] {
        let k = keys(seed);
        let signer = CommunitySigner::Unblinded(&k);
        let msg = encode_community_message(&post(), &signer).unwrap();
        assert_eq!(msg.data.len() % 160, 0);
        assert_eq!(
            padding::unpad(&msg.data).unwrap(),
            prost::Message::encode_to_vec(&post())
        );
        // The signature verifies as plain Ed25519 against the positive key of the Session ID.
        let positive = k.session_id().to_ed25519_positive().unwrap();
        positive.verify(&msg.data, &msg.signature, "t").unwrap();
        let poster = signer.poster();
        assert_eq!(poster, Poster::Unblinded(k.session_id()));
        assert_eq!(poster.to_string().parse::<Poster>().unwrap(), poster);
        assert_eq!(
            verify_community_message(&msg.data, &msg.signature, &poster).unwrap(),
            post()
        );
    }
    // For a positive key this is exactly the standard Ed25519 signature.
    let pos = keys(POSITIVE_SEED);
    assert!(!pos.ed25519_public().is_negative());
    assert_eq!(pos.sign_xed25519(b"x"), pos.sign(b"x"));
    // For a negative key it is not, and the plain one verifies only against the real key.
    let neg = keys(NEGATIVE_SEED);
    assert!(neg.ed25519_public().is_negative());
    assert_ne!(neg.sign_xed25519(b"x"), neg.sign(b"x"));
    let positive = neg.session_id().to_ed25519_positive().unwrap();
    assert!(positive.verify(b"x", &neg.sign(b"x"), "t").is_err());
    positive
        .verify(b"x", &neg.sign_xed25519(b"x"), "t")
        .unwrap();
    // A negative key's plain Ed25519 signature (as desktop makes) still verifies as a post.
    let data = padding::pad(&prost::Message::encode_to_vec(&post()));
    let plain_sig = neg.sign(&data);
    let poster = Poster::Unblinded(neg.session_id());
    assert_eq!(
        verify_community_message(&data, &plain_sig, &poster).unwrap(),
        post()
    );
}

#[test]
fn blinded_posts_verify_against_the_blinded_id() {
    let k = sender();
    for signer in [
        CommunitySigner::Blind15(&k, &SERVER_PK),
        CommunitySigner::Blind25(&k, &SERVER_PK),
    ] {
        let msg = encode_community_message(&post(), &signer).unwrap();
        let poster = signer.poster();
        let Poster::Blinded(id) = poster else {
            panic!("blinded signer gave {poster}")
        };
        id.key().verify(&msg.data, &msg.signature, "t").unwrap();
        assert_eq!(
            verify_community_message(&msg.data, &msg.signature, &poster).unwrap(),
            post()
        );
        // Someone else's ID does not verify.
        let other = Poster::Unblinded(k.session_id());
        assert!(verify_community_message(&msg.data, &msg.signature, &other).is_err());
    }
    // blind15 posts use the SOGS/desktop nonce: the bytes desktop would send.
    let msg = encode_community_message(&post(), &CommunitySigner::Blind15(&k, &SERVER_PK)).unwrap();
    assert_eq!(
        msg.signature,
        blind15_sign(&k, &SERVER_PK, &msg.data, Blind15Nonce::Sogs)
    );
    assert_eq!(
        CommunitySigner::Blind15(&k, &SERVER_PK).poster(),
        Poster::Blinded(blind15_keypair(&k, &SERVER_PK).id())
    );
    assert_eq!(
        CommunitySigner::Blind25(&k, &SERVER_PK).poster(),
        Poster::Blinded(blind25_keypair(&k, &SERVER_PK).id())
    );
}

#[test]
fn post_rejections() {
    let k = sender();
    let signer = CommunitySigner::Blind15(&k, &SERVER_PK);
    let msg = encode_community_message(&post(), &signer).unwrap();
    let poster = signer.poster();
    let mut data = msg.data.clone();
    data[0] ^= 1;
    assert!(matches!(
        verify_community_message(&data, &msg.signature, &poster).unwrap_err(),
        Error::Crypto { .. }
    ));
    assert_eq!(
        verify_community_message(&msg.data, &msg.signature[..63], &poster).unwrap_err(),
        Error::SignatureLength {
            what: "community message",
            got: 63
        }
    );
    // A correctly signed post whose data is not a Content.
    let junk = padding::pad(&[0xff, 0xff, 0xff]);
    let sig = blind15_sign(&k, &SERVER_PK, &junk, Blind15Nonce::Sogs);
    assert!(matches!(
        verify_community_message(&junk, &sig, &poster).unwrap_err(),
        Error::Protobuf {
            what: "Content",
            ..
        }
    ));
    assert!("04aa".parse::<Poster>().is_err());
    assert!(
        "03d2ad010eeb72d72e561d9de7bd7b6989af77dcabffa03a5111a6c859ae5c3a72"
            .parse::<Poster>()
            .is_err()
    );
}

#[test]
fn blinded_dms_round_trip_both_kinds() {
    let (a, b) = (sender(), recipient());
    for kind in [BlindKind::Blind15, BlindKind::Blind25] {
        let kp = |k| session_crypto::blinding::blinded_keypair(kind, k, &SERVER_PK).id();
        let (a_id, b_id) = (kp(&a), kp(&b));
        for (name, content) in fixtures::all() {
            let ct = encode_blinded_dm(&a, &SERVER_PK, &b_id, &content, &mut rng(9)).unwrap();
            // Padded: version(1) + tag(16) + nonce(24) + sender key(32) + a multiple of 160.
            assert_eq!((ct.len() - 73) % 160, 0, "{name}");
            let got = decode_blinded_dm(&b, &SERVER_PK, &a_id, &b_id, &ct).unwrap();
            assert_eq!(got.content, content, "{name}");
            assert_eq!(got.sender, a.session_id());
            // The sender can read its own outbox.
            let own = decode_blinded_dm(&a, &SERVER_PK, &a_id, &b_id, &ct).unwrap();
            assert_eq!(own.content, content);
        }
        let ct = encode_blinded_dm(&a, &SERVER_PK, &b_id, &post(), &mut rng(10)).unwrap();
        let mut bad = ct.clone();
        bad[5] ^= 1;
        assert!(decode_blinded_dm(&b, &SERVER_PK, &a_id, &b_id, &bad).is_err());
        // A third party is neither sender nor recipient.
        let c = keys(NEGATIVE_SEED);
        assert!(decode_blinded_dm(&c, &SERVER_PK, &a_id, &b_id, &ct).is_err());
        // A claimed sender that is not the key inside is rejected.
        let c_id: BlindedId = kp(&c);
        assert!(decode_blinded_dm(&b, &SERVER_PK, &c_id, &b_id, &ct).is_err());
    }
}
