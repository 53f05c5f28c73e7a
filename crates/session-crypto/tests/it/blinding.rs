//! vectors.md sections 5 and 6, blinded DMs and the 07 key.
use crate::{h, keys, rng};
use base64::Engine as _;
use session_crypto::blinded_dm::{decrypt_blinded_dm, encrypt_blinded_dm};
use session_crypto::blinding::*;
use session_crypto::hash::{Blake2bParams, hash64};
use session_crypto::version_check::VersionCheckKeys;
use session_crypto::{BlindKind, BlindedId, Error, SessionId};

const SEED1: &str = "fecd9a6034bc9aba273925dee7062b123334587c3c6257341afae2d7fe85e122";
const SEED2: &str = "8659efdcbe0949e0f81141e6d397e8be75f45d09262f209d5950e97989eb43c7";
const SID1: &str = "05fe94b7ad4b7f1cc1bb92671f1f0d243f226e115b33770465e82b503fc3e96e1f";
const P1: &str = "abcdef0123456789abcdef0123456789abcdef0123456789abcdef0123456789";

#[test]
fn blind25_and_blind15_ids_from_session_id() {
    let sid: SessionId = SID1.parse().unwrap();
    let server = h::<32>(P1);
    assert_eq!(
        blind25_id(&sid, &server).unwrap().to_string(),
        "253b991dcbba44cfdb45d5b38880d95cff723309e3ece6fd01415ad5fa1dccc7ac"
    );
    let ids = blind15_ids(&sid, &server).unwrap();
    assert_eq!(
        ids[0].to_string(),
        "15b74ed205f1f931e1bb1291183778a9456b835937d923b0f2e248aa3a44c07844"
    );
    assert_eq!(ids[1], ids[0].negated());
    assert_eq!(ids[1].to_bytes()[32], ids[0].to_bytes()[32] ^ 0x80);
}

#[test]
fn keypairs_agree_with_ids_from_session_id() {
    let server = h::<32>(P1);
    for seed in [SEED1, SEED2] {
        let k = keys(seed);
        let sid = k.session_id();
        let b25 = blind25_keypair(&k, &server);
        assert_eq!(b25.id(), blind25_id(&sid, &server).unwrap());
        let b15 = blind15_keypair(&k, &server);
        assert!(blind15_ids(&sid, &server).unwrap().contains(&b15.id()));
        assert!(session_id_matches_blinded_id(&sid, &b15.id(), &server));
        assert!(session_id_matches_blinded_id(
            &sid,
            &b15.id().negated(),
            &server
        ));
        assert!(session_id_matches_blinded_id(&sid, &b25.id(), &server));
        assert!(!session_id_matches_blinded_id(
            &sid,
            &b25.id().negated(),
            &server
        ));
        let other = keys("11".repeat(32).as_str()).session_id();
        assert!(!session_id_matches_blinded_id(&other, &b15.id(), &server));
    }
    // seed2 is the negative key: its true blind15 key is the negated candidate.
    let k2 = keys(SEED2);
    let ids = blind15_ids(&k2.session_id(), &server).unwrap();
    assert_eq!(blind15_keypair(&k2, &server).id(), ids[1]);
}

#[test]
fn blinded_signatures_match_libsession() {
    let k = keys(SEED1);
    let server = h::<32>(P1);
    let s25 = blind25_sign(&k, &server, b"hello");
    assert_eq!(
        hex::encode(s25),
        "e6c57de4ac0cd278abbeef815bd88b163a037085deae789ecaaf4805884c4c3d3db25f3afa856241366cb341a3a4c9bbaa2cda81d028079c956fab16a7fe6206"
    );
    let s15 = blind15_sign(&k, &server, b"hello", Blind15Nonce::Libsession);
    assert_eq!(
        hex::encode(s15),
        "1a5ade20b43af0e16b3e591d6f86303938d7557c0ac54469dd4f5aea759f82d22cafa42587251756e133acdddd8cbec2f707a9ce09a49f2193f46a91502c5006"
    );
    let sogs = blind15_sign(&k, &server, b"hello", Blind15Nonce::Sogs);
    assert_ne!(sogs, s15);
    for (sig, kp) in [
        (s25, blind25_keypair(&k, &server)),
        (s15, blind15_keypair(&k, &server)),
        (sogs, blind15_keypair(&k, &server)),
    ] {
        kp.public().verify(b"hello", &sig, "blinded").unwrap();
        assert!(kp.public().verify(b"hellO", &sig, "blinded").is_err());
    }
}

#[test]
fn sogs_blind15_ids() {
    let server = h::<32>("6a32c7b491f4199dd1260a4cc60ae51c6bd71dad939cc521e738409f53f943be");
    for (seed, want) in [
        (
            "880adf5164a79bce71f7387fbc2cb2693c0bf0ab4cb42bf1edafddade7527a66",
            "15cef185d46b60a548641bd8c5baa4b7cf90b7da8e883c0ac774c703d249086479",
        ),
        (
            "67416582e0700081604860d270bc986011fc5e62c53de908a9a5af2cb497c528",
            "15f8fbeb20cdde5e0cc0ec84e0b3705ca6090c7b23e8132589970473a5592ba388",
        ),
        (
            "a5ad71709cfa315d147921e377186270367fd06926f4dbfe33f519dec6b016f7",
            "15758e10dc51210d7a36ea6076e2aa84d9f87283bddb508364272dce0a7618f92a",
        ),
    ] {
        let want: BlindedId = want.parse().unwrap();
        let k = keys(seed);
        let from_sid = blind15_ids(&k.session_id(), &server).unwrap();
        assert!(from_sid.contains(&want), "seed {seed}");
        let from_key = blind15_keypair(&k, &server).id();
        assert!(
            from_key == want || from_key.negated() == want,
            "seed {seed}"
        );
    }
}

#[test]
fn sogs_request_auth_header_signature() {
    let k = keys("c010d89eccbaf5d1c6d19df766c6eedf965d4a28a56f87c9fc819edb59896dd9");
    assert_eq!(
        hex::encode(k.ed25519_public().as_bytes()),
        "bac6e71efd7dfa4a83c98ed24f254ab2c267f9ccdb172a5280a0444ad24e89cc"
    );
    let server = h::<32>("c3b3c6f32f0ab5a57f853cc4f30f5da7fda5624b0c77b3fb0829de562ada081d");
    let nonce = base64::engine::general_purpose::STANDARD
        .decode("CdB5nyKVmQGCw6s0Bvv8Ww==")
        .unwrap();
    let mut msg = server.to_vec();
    msg.extend_from_slice(&nonce);
    msg.extend_from_slice(b"1642472103GET/room/the-best-room/messages/recent?limit=25");
    let kp = blind15_keypair(&k, &server);
    assert_eq!(
        kp.id().to_string(),
        "1598932d4bccbe595a8789d7eb1629cefc483a0eaddc7e20e8fe5c771efafd9af5"
    );
    let sig = blind15_sign(&k, &server, &msg, Blind15Nonce::Sogs);
    assert_eq!(
        base64::engine::general_purpose::STANDARD.encode(sig),
        "gYqpWZX6fnF4Gb2xQM3xaXs0WIYEI49+B8q4mUUEg8Rw0ObaHUWfoWjMHMArAtP9QlORfiydsKWz1o6zdPVeCQ=="
    );
}

#[test]
fn blinded_dm_round_trip_both_kinds() {
    let server = h::<32>(P1);
    let alice = keys(SEED1);
    let bob = keys(SEED2);
    let eve = keys("22".repeat(32).as_str());
    for kind in [BlindKind::Blind15, BlindKind::Blind25] {
        let a_id = blinded_keypair(kind, &alice, &server).id();
        let b_id = blinded_keypair(kind, &bob, &server).id();
        let ct = encrypt_blinded_dm(&alice, &server, &b_id, b"hi bob", &mut rng(7)).unwrap();
        assert_eq!(ct.len(), 6 + 1 + 16 + 24 + 32);
        assert_eq!(ct[0], 0);
        for reader in [&bob, &alice] {
            let dm = decrypt_blinded_dm(reader, &server, &a_id, &b_id, &ct).unwrap();
            assert_eq!(dm.plaintext.as_slice(), b"hi bob");
            assert_eq!(dm.sender, alice.session_id());
        }
        assert_eq!(
            decrypt_blinded_dm(&eve, &server, &a_id, &b_id, &ct).unwrap_err(),
            Error::NotAParty
        );
        let mut bad = ct.clone();
        bad[10] ^= 1;
        assert!(matches!(
            decrypt_blinded_dm(&bob, &server, &a_id, &b_id, &bad).unwrap_err(),
            Error::DecryptionFailed { .. }
        ));
        let mut v1 = ct.clone();
        v1[0] = 1;
        assert_eq!(
            decrypt_blinded_dm(&bob, &server, &a_id, &b_id, &v1).unwrap_err(),
            Error::UnsupportedVersion {
                what: "blinded message",
                got: 1
            }
        );
    }
}

#[test]
fn blinded_dm_with_a_lying_sender_is_rejected() {
    // Eve encrypts to Bob but claims to be Alice: the key differs, so Bob cannot even decrypt;
    // and a message Eve sends honestly fails the sender check when relabelled as Alice's.
    let server = h::<32>(P1);
    let (alice, bob, eve) = (keys(SEED1), keys(SEED2), keys("33".repeat(32).as_str()));
    let kind = BlindKind::Blind25;
    let b_id = blinded_keypair(kind, &bob, &server).id();
    let a_id = blinded_keypair(kind, &alice, &server).id();
    let ct = encrypt_blinded_dm(&eve, &server, &b_id, b"i am alice", &mut rng(9)).unwrap();
    assert!(decrypt_blinded_dm(&bob, &server, &a_id, &b_id, &ct).is_err());
}

#[test]
fn version_check_key() {
    let k = keys(SEED1);
    let v = VersionCheckKeys::derive(&k);
    let seed = session_crypto::hash::hash32(
        Blake2bParams::keyed(b"VersionCheckKey_sig"),
        &[k.seed().expose_secret()],
    );
    let expect = keys(&hex::encode(seed));
    assert_eq!(v.public(), expect.ed25519_public());
    assert!(v.id_hex().starts_with("07"));
    let sig = v.sign_version_request("desktop", 1_700_000_000);
    v.public()
        .verify(
            b"1700000000GET/session_version?platform=desktop",
            &sig,
            "version",
        )
        .unwrap();
    let _ = hash64(Blake2bParams::PLAIN, &[b""]);
}
