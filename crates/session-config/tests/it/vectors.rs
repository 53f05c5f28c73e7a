//! Known answers: vectors.md §7 (config encryption, padded sizes, the empty message hash) and
//! libsession-util's `test_encrypt.cpp` / `test_config_userprofile.cpp` (UserProfile pushes).

use crate::util::{cat, h32, show};
use session_config::encrypt::{self, ConfigKey, padded_size};
use session_config::message::hash_message;
use session_config::user::{ProfilePic, UserProfile};
use session_config::{ConfigMessage, Error, Kind, State, Verify, legacy};
use session_crypto::{IdentityKeys, Seed};

const KEY1: &str = "abcdef0123456789abcdef0123456789abcdef0123456789abcdef0123456789";
const KEY2: &str = "0123456789abcdef0123456789abcdef0123456789abcdef0123456789abcdef";
const SEED: &str = "0123456789abcdef0123456789abcdef00000000000000000000000000000000";
const EMPTY: &[u8] = b"d1:#i0e1:&de1:<le1:=dee";
const EMPTY_HASH: &str = "ea173b57beca8af18c3519a7bbf69c3e7a05d1c049fa9558341d8ebb48b0c965";

fn hex_file(s: &str) -> Vec<u8> {
    hex::decode(s.split_whitespace().collect::<String>()).expect("hex")
}

fn seed() -> Seed {
    Seed::from_hex(SEED).expect("seed")
}

#[test]
fn config_encryption_vector() {
    let (k1, k2) = (
        ConfigKey::from_bytes(h32(KEY1)),
        ConfigKey::from_bytes(h32(KEY2)),
    );
    let enc1 = encrypt::encrypt(b"some message 1", &k1, "test-suite1").expect("encrypts");
    assert_eq!(
        hex::encode(&enc1),
        "f14f242a26638f3305707d1035e734577f943cd7d28af58e32637e\
         0966dcaf2f4860cb4d0f8ba7e09d29e31f5e4a18f65847287a54a0"
    );
    let enc2 = encrypt::encrypt(b"some message 1", &k1, "test-suite2").expect("encrypts");
    let enc3 = encrypt::encrypt(b"some message 1", &k2, "test-suite1").expect("encrypts");
    assert_ne!(enc2, enc1);
    assert_ne!(enc3, enc1);
    assert_eq!(
        hex::encode(&enc2[enc2.len() - 24..]),
        "277e639d36ba46470dfff509a68cb73d9a96386c51739bdd"
    );
    assert_eq!(enc3[enc3.len() - 24..], enc1[enc1.len() - 24..]);
    let plain = encrypt::decrypt(&enc1, &k1, "test-suite1").expect("decrypts");
    assert_eq!(&plain[..], b"some message 1");
    assert_eq!(
        encrypt::decrypt(&enc1, &k1, "test-suite2"),
        Err(Error::DecryptionFailed)
    );
    assert_eq!(
        encrypt::decrypt(&enc1, &k2, "test-suite1"),
        Err(Error::DecryptionFailed)
    );
    let mut altered = enc1.clone();
    altered[3] = 0x42;
    assert_eq!(
        encrypt::decrypt(&altered, &k1, "test-suite1"),
        Err(Error::DecryptionFailed)
    );
    assert!(matches!(
        encrypt::decrypt(&enc1[..39], &k1, "test-suite1"),
        Err(Error::CiphertextTooShort { .. })
    ));
}

#[test]
fn padded_sizes_vector() {
    let kib = 1024;
    for ((s, o), want) in [
        ((1, 0), 256),
        ((1, 10), 246),
        ((246, 10), 246),
        ((247, 10), 502),
        ((247, 256), 256),
        ((3744, 96), 3744),
        ((3745, 96), 4000),
        ((3839, 96), 4000),
        ((4864, 0), 4864),
        ((4865, 0), 5 * kib),
        ((5 * kib + 1, 0), 6 * kib),
        ((9217, 0), 10 * kib),
        ((10 * kib + 1, 0), 11 * kib),
        ((20 * kib, 0), 20 * kib),
        ((20481, 0), 22 * kib),
        ((38 * kib + 1, 0), 40 * kib),
        ((40961, 0), 45 * kib),
        ((45 * kib + 1, 0), 50 * kib),
        ((70 * kib + 1, 0), 75 * kib),
        ((71681, 0), 76_800),
        ((75 * kib - 24, 24), 75 * kib - 24),
    ] {
        assert_eq!(padded_size(s, o), want, "padded_size({s}, {o})");
    }
}

#[test]
fn empty_message_hash_vector() {
    let m = ConfigMessage::new();
    assert_eq!(m.encode(None), EMPTY);
    assert_eq!(*m.hash(), h32(EMPTY_HASH));
    assert_eq!(hash_message(EMPTY), h32(EMPTY_HASH));
}

#[test]
fn userprofile_empty_push_wrapped_vector() {
    let mut profile = UserProfile::new(&seed());
    assert!(!profile.needs_push());
    let push = profile.push().expect("pushes");
    assert_eq!(push.seqno, 0);
    assert_eq!(push.data.len(), 256);
    assert!(push.obsolete.is_empty());
    let keys = IdentityKeys::from_seed(seed());
    let wrapped = legacy::wrap(&keys, &push.data, 0, Kind::UserProfile).expect("wraps");
    let want = hex_file(include_str!("data/userprofile_push0_wrapped.hex"));
    assert_eq!(wrapped.len(), 256 + 176);
    assert_eq!(hex::encode(&wrapped), hex::encode(&want));
    // Pushing in the wrapped form gives libsession's bytes directly.
    let mut wrapped_profile = UserProfile::new(&seed());
    wrapped_profile.config_mut().set_legacy_wrapping(true);
    assert_eq!(wrapped_profile.push().expect("pushes").data, want);
    // And both forms open to the empty message.
    let key = [ConfigKey::from_seed(&seed())];
    assert_eq!(
        encrypt::open(&push.data, &key, "UserProfile").expect("opens"),
        EMPTY
    );
    let raw = legacy::unwrap(&keys, &want, Kind::UserProfile).expect("unwraps");
    assert_eq!(raw, push.data);
    assert!(matches!(
        legacy::unwrap(&keys, &want, Kind::Contacts),
        Err(Error::LegacyWrapping { .. })
    ));
}

fn kallie_pic() -> ProfilePic {
    ProfilePic {
        url: "http://example.org/omg-pic-123.bmp".into(),
        key: *b"secret78901234567890123456789012",
    }
}

fn push1_plaintext() -> Vec<u8> {
    cat(&[
        b"d1:#i1e1:&d1:+i9e1:n6:Kallie1:p34:http://example.org/omg-pic-123.bmp\
1:q32:secret78901234567890123456789012e1:<lli0e32:",
        &h32(EMPTY_HASH),
        b"deee1:=d1:+0:1:n0:1:p0:1:q0:ee",
    ])
}

#[test]
fn userprofile_push_vector() {
    let mut profile = UserProfile::new(&seed());
    profile.set_name("Kallie").expect("name");
    profile.set_profile_pic(Some(&kallie_pic())).expect("pic");
    profile.set_nts_priority(9).expect("priority");
    assert_eq!(profile.name().as_deref(), Some("Kallie"));
    assert_eq!(profile.profile_pic(), Some(kallie_pic()));
    assert!(profile.needs_push());
    assert_eq!(
        show(&profile.config_mut().serialize()),
        show(&push1_plaintext())
    );
    let push = profile.push().expect("pushes");
    assert_eq!(push.seqno, 1);
    let want = hex_file(include_str!("data/userprofile_push1_encrypted.hex"));
    assert_eq!(
        hex::encode(&push.data),
        hex::encode(&want),
        "libsession's raw push"
    );
    assert_eq!(profile.config().state(), State::Waiting);
    assert!(profile.needs_push());
    // The dump holds the state and the plaintext (libsession's layout).
    let dump = profile.dump();
    let plain = push1_plaintext();
    let want = cat(&[
        b"d1:!i2e1:$",
        format!("{}:", plain.len()).as_bytes(),
        &plain,
        b"1:(0:1:)le1:+dee",
    ]);
    assert_eq!(show(&dump), show(&want));
    profile.confirm_pushed(1, "fakehash1");
    assert!(!profile.needs_push());
    let dump = profile.dump();
    let want = cat(&[
        b"d1:!i0e1:$",
        format!("{}:", plain.len()).as_bytes(),
        &plain,
        b"1:(9:fakehash11:)le1:+dee",
    ]);
    assert_eq!(show(&dump), show(&want));
}

#[test]
fn userprofile_push_from_libsession_merges() {
    let encrypted = hex_file(include_str!("data/userprofile_push1_encrypted.hex"));
    let key = [ConfigKey::from_seed(&seed())];
    let plain = encrypt::open(&encrypted, &key, "UserProfile").expect("opens");
    assert_eq!(show(&plain), show(&push1_plaintext()));
    let m = ConfigMessage::decode(&plain, Verify::Ignore).expect("decodes");
    assert_eq!(m.seqno(), 1);

    let mut other = UserProfile::new(&seed());
    let report = other
        .merge(&[("fakehash1".into(), encrypted)])
        .expect("merges");
    assert_eq!(report.accepted, vec!["fakehash1".to_string()]);
    assert!(report.rejected.is_empty());
    assert!(!other.needs_push());
    assert_eq!(other.name().as_deref(), Some("Kallie"));
    assert_eq!(other.profile_pic(), Some(kallie_pic()));
    assert_eq!(other.nts_priority(), 9);
    assert_eq!(other.config().current_hash(), Some("fakehash1"));
}

/// libsession's conflict walk-through: two devices change the profile at seqno 2, each merges
/// the other's push, and both resolve to the same seqno-3 message (name "Nibbler", whose
/// message happens to rank higher).
#[test]
fn userprofile_conflict_resolves_identically() {
    let mut a = UserProfile::new(&seed());
    a.set_name("Kallie").expect("name");
    a.set_profile_pic(Some(&kallie_pic())).expect("pic");
    a.set_nts_priority(9).expect("priority");
    let p1 = a.push().expect("push");
    a.confirm_pushed(p1.seqno, "fakehash1");
    let mut b = UserProfile::new(&seed());
    b.merge(&[("fakehash1".into(), p1.data)]).expect("merges");
    assert!(!b.needs_push());

    a.set_name("Nibbler").expect("name");
    b.set_name("Raz").expect("name");
    let pic = ProfilePic {
        url: "http://new.example.com/pic".into(),
        key: *b"qwert\0yuio1234567890123456789012",
    };
    b.set_profile_pic(Some(&pic)).expect("pic");
    b.set_nts_expiry(86400).expect("expiry");
    assert_eq!(b.blinded_msgreqs(), None);
    b.set_blinded_msgreqs(Some(false)).expect("msgreqs");
    assert_eq!(b.blinded_msgreqs(), Some(false));
    b.set_blinded_msgreqs(None).expect("msgreqs");
    assert_eq!(b.blinded_msgreqs(), None);
    b.set_blinded_msgreqs(Some(true)).expect("msgreqs");

    let pa = a.push().expect("push");
    let pb = b.push().expect("push");
    assert_eq!((pa.seqno, pb.seqno), (2, 2));
    assert_ne!(pa.data, pb.data);
    b.confirm_pushed(pb.seqno, "fakehash3");
    a.confirm_pushed(pa.seqno, "fakehash2");

    let rb = b.merge(&[("fakehash2".into(), pa.data)]).expect("merges");
    assert_eq!(rb.accepted, vec!["fakehash2".to_string()]);
    let ra = a.merge(&[("fakehash3".into(), pb.data)]).expect("merges");
    assert_eq!(ra.accepted, vec!["fakehash3".to_string()]);

    let (qa, qb) = (a.push().expect("push"), b.push().expect("push"));
    assert_eq!((qa.seqno, qb.seqno), (3, 3));
    assert_eq!(qa.data, qb.data, "both devices push identical bytes");
    for p in [&a, &b] {
        assert_eq!(p.name().as_deref(), Some("Nibbler"));
        assert_eq!(p.profile_pic(), Some(pic.clone()));
        assert_eq!(p.nts_priority(), 9);
        assert_eq!(p.nts_expiry(), Some(86400));
        assert_eq!(p.blinded_msgreqs(), Some(true));
    }
    // Each deletes both seqno-2 messages once the merge is stored.
    assert_eq!(
        qa.obsolete,
        vec!["fakehash2".to_string(), "fakehash3".to_string()]
    );
    assert_eq!(
        qb.obsolete,
        vec!["fakehash2".to_string(), "fakehash3".to_string()]
    );
    a.confirm_pushed(3, "fakehash4");
    b.confirm_pushed(3, "fakehash4");
    assert!(!a.needs_push() && !b.needs_push());
    assert_eq!(a.message_hash(), b.message_hash());
}

#[test]
fn name_limits() {
    let mut p = UserProfile::new(&seed());
    let long = format!("{}A", "1234567890".repeat(10));
    assert!(matches!(p.set_name(&long), Err(Error::InvalidValue { .. })));
    p.set_name_truncated(&long).expect("truncates");
    assert_eq!(p.name().as_deref(), Some(&long[..100]));
    let cake = format!("{}🎂", &"1234567890".repeat(10)[..97]);
    p.set_name_truncated(&cake).expect("truncates");
    assert_eq!(p.name().as_deref(), Some(&cake[..97]));
    let cakes = format!("{}🎂🎂", &"1234567890".repeat(10)[..95]);
    p.set_name_truncated(&cakes).expect("truncates");
    assert_eq!(p.name().as_deref(), Some(&cakes[..99]));
}
