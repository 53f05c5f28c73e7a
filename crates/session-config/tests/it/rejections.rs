//! Every way a config message, an encrypted config or a merge input is refused, each with its
//! typed error, and that a refused input leaves the config as it was.

use session_config::encrypt::{self, ConfigKey, MAX_MESSAGE_SIZE};
use session_config::user::Contacts;
use session_config::{ConfigMessage, Error, Verify};
use session_crypto::{Seed, SessionId};

fn decode(b: &[u8]) -> Result<ConfigMessage, Error> {
    ConfigMessage::decode(b, Verify::Ignore)
}

fn malformed(b: &[u8]) {
    assert!(
        matches!(decode(b), Err(Error::Malformed { .. })),
        "{:?}: {:?}",
        String::from_utf8_lossy(b),
        decode(b)
    );
}

#[test]
fn non_canonical_bencode() {
    for b in [
        &b"d1:&de1:#i0ee"[..],             // keys out of order
        b"d1:#i00e1:&de1:<le1:=dee",       // leading zero
        b"d1:#i-0e1:&de1:<le1:=dee",       // negative zero
        b"d1:#i0e1:&de1:<le1:=dee1:x",     // trailing bytes
        b"d1:#i0e1:&de1:<le1:=de",         // truncated
        b"d1:#i0e1:#i0e1:&de1:<le1:=dee",  // duplicate key
        b"d1:#i0e1:&d01:a1:be1:<le1:=dee", // length with leading zero
    ] {
        assert!(
            matches!(decode(b), Err(Error::Bencode { .. })),
            "{:?}",
            String::from_utf8_lossy(b)
        );
    }
}

#[test]
fn structure() {
    malformed(b"le");
    malformed(b"de");
    malformed(b"d1:#1:0e");
    malformed(b"d1:#i0e1:<lee");
    malformed(b"d1:#i0e1:&lee");
    malformed(b"d1:#i3e1:&de1:<de1:=dee");
    malformed(b"d1:#i3e1:&de1:<le1:=lee");
    malformed(b"d1:#i0e1:&de1:<le1:=de2:~~i1ee");
    assert_eq!(
        decode(b"d1:!i1e1:#i0e1:&de1:<le1:=dee"),
        Err(Error::FutureFormat)
    );
    assert_eq!(
        decode(b"d1:#i-1e1:&de1:<le1:=dee"),
        Err(Error::SeqnoOutOfRange)
    );
    assert_eq!(
        decode(b"d1:#i9223372036854775807e1:&de1:<le1:=dee"),
        Err(Error::SeqnoOutOfRange)
    );
    assert_eq!(
        decode(b"d1:#i0e1:&de1:<le1:=de1:~3:abce"),
        Err(Error::BadSignature)
    );
    // `<` and `=` may be absent.
    assert!(decode(b"d1:#i0e1:&dee").is_ok());
}

#[test]
fn lagged_diffs() {
    let h = "h".repeat(32);
    let entry = |s: i64, hash: &str, diff: &str| format!("li{s}e{}:{hash}{diff}e", hash.len());
    let msg = |lagged: String| format!("d1:#i5e1:&de1:<l{lagged}e1:=dee");
    let ok = msg(entry(3, &h, "de") + &entry(4, &h, "de"));
    assert_eq!(decode(ok.as_bytes()).map(|m| m.lagged().len()), Ok(2));
    malformed(msg(entry(5, &h, "de")).as_bytes()); // not older than the message
    malformed(msg(entry(4, "short", "de")).as_bytes());
    malformed(msg(entry(4, &h, "de") + &entry(3, &h, "de")).as_bytes()); // unsorted
    malformed(msg(entry(4, &h, "de") + &entry(4, &h, "de")).as_bytes()); // duplicate
    malformed(msg(format!("li4e32:{h}dei1ee")).as_bytes()); // four elements
    malformed(msg("i4e".into()).as_bytes());
    malformed(msg(entry(4, &h, "d1:ai1ee")).as_bytes()); // integer in a diff
    malformed(msg(entry(4, &h, "d1:a1:xe")).as_bytes()); // neither "" nor "-"
    malformed(msg(entry(4, &h, "d1:ali1eee")).as_bytes()); // set diff not a pair
    malformed(msg(entry(4, &h, "d1:alli2ei1eeleee")).as_bytes()); // unsorted set diff
    // Entries `lag` or more behind are dropped unread, as libsession does.
    let old = msg(entry(0, "x", "i1e") + &entry(4, &h, "de"));
    assert_eq!(decode(old.as_bytes()).map(|m| m.lagged().len()), Ok(1));
}

#[test]
fn data_limits_and_shape() {
    let long_key = format!("d1:#i0e1:&d129:{}i1ee1:<le1:=dee", "k".repeat(129));
    assert!(matches!(
        decode(long_key.as_bytes()),
        Err(Error::LimitExceeded {
            what: "key",
            limit: 128,
            got: 129
        })
    ));
    let long_str = format!("d1:#i0e1:&d1:a4097:{}e1:<le1:=dee", "s".repeat(4097));
    assert!(matches!(
        decode(long_str.as_bytes()),
        Err(Error::LimitExceeded {
            what: "string",
            limit: 4096,
            got: 4097
        })
    ));
    let ok = format!(
        "d1:#i0e1:&d128:{}4096:{}e1:<le1:=dee",
        "k".repeat(128),
        "s".repeat(4096)
    );
    assert!(decode(ok.as_bytes()).is_ok());
    malformed(b"d1:#i0e1:&d1:alee1:<le1:=dee"); // empty set
    malformed(b"d1:#i0e1:&d1:adee1:<le1:=dee"); // empty dict
    malformed(b"d1:#i0e1:&d1:ali2ei1eee1:<le1:=dee"); // unsorted set
    malformed(b"d1:#i0e1:&d1:al1:ai1eee1:<le1:=dee"); // string before int
    malformed(b"d1:#i0e1:&d1:ali1ei1eee1:<le1:=dee"); // duplicate
    malformed(b"d1:#i0e1:&d1:alleee1:<le1:=dee"); // list in a set
}

#[test]
fn encrypted_input() {
    let key = ConfigKey::from_bytes([3; 32]);
    let other = ConfigKey::from_bytes([4; 32]);
    let d = "Contacts";
    let sealed = encrypt::seal(b"d1:#i1e1:&de1:<le1:=dee", &key, d, true).expect("seals");
    assert!(encrypt::open(&sealed, std::slice::from_ref(&key), d).is_ok());
    assert_eq!(
        encrypt::open(&sealed, &[other], d),
        Err(Error::DecryptionFailed)
    );
    assert_eq!(
        encrypt::open(&sealed, std::slice::from_ref(&key), "UserGroups"),
        Err(Error::DecryptionFailed)
    );
    assert_eq!(
        encrypt::open(&sealed[..sealed.len() - 1], std::slice::from_ref(&key), d),
        Err(Error::DecryptionFailed)
    );
    assert!(matches!(
        encrypt::open(&sealed[..20], std::slice::from_ref(&key), d),
        Err(Error::CiphertextTooShort { .. })
    ));
    let huge = vec![0u8; MAX_MESSAGE_SIZE + 1];
    assert!(matches!(
        encrypt::open(&huge, std::slice::from_ref(&key), d),
        Err(Error::TooLarge { .. })
    ));
    let zeros = encrypt::encrypt(&[0; 216], &key, d).expect("encrypts");
    assert_eq!(
        encrypt::open(&zeros, std::slice::from_ref(&key), d),
        Err(Error::EmptyPlaintext)
    );
    let multipart = encrypt::encrypt(&encrypt::pad(b"mlpart"), &key, d).expect("encrypts");
    assert_eq!(
        encrypt::open(&multipart, std::slice::from_ref(&key), d),
        Err(Error::Unsupported)
    );
    let bad_zstd = encrypt::encrypt(&encrypt::pad(b"zgarbage"), &key, d).expect("encrypts");
    assert_eq!(
        encrypt::open(&bad_zstd, std::slice::from_ref(&key), d),
        Err(Error::Decompression)
    );
}

#[test]
fn oversized_push_is_refused() {
    // Incompressible data over the limit: each value a distinct pseudo-random string.
    let seed = Seed::from_bytes([1; 32]);
    let mut cs = Contacts::new(&seed);
    let mut state = 0x1234_5678_u64;
    for i in 0..1200u32 {
        let mut name = String::new();
        for _ in 0..100 {
            state ^= state << 13;
            state ^= state >> 7;
            state ^= state << 17;
            name.push(char::from(b'!' + (state % 90) as u8));
        }
        let mut id = [0u8; 33];
        id[0] = 5;
        id[1..5].copy_from_slice(&i.to_be_bytes());
        let sid = SessionId::from_bytes(&id).expect("id");
        cs.set_name(&sid, &name).expect("set");
    }
    assert!(matches!(
        cs.push(),
        Err(Error::TooLarge { limit: 76_800, .. })
    ));
    assert!(cs.needs_push(), "still dirty: nothing was pushed");
}

#[test]
fn refused_messages_leave_the_config_untouched() {
    let seed = Seed::from_bytes([2; 32]);
    let mut cs = Contacts::new(&seed);
    let id: SessionId = format!("05{}", "ab".repeat(32)).parse().expect("id");
    cs.set_name(&id, "Ann").expect("set");
    let good = cs.push().expect("push");
    cs.confirm_pushed(good.seqno, "h1");
    let before = cs.dump();

    let wrong_key = {
        let mut other = Contacts::new(&Seed::from_bytes([3; 32]));
        other.set_name(&id, "Mallory").expect("set");
        other.push().expect("push").data
    };
    let mut truncated = good.data.clone();
    truncated.truncate(100);
    let key = ConfigKey::from_seed(&seed);
    let non_canonical =
        encrypt::seal(b"d1:#i9e1:&d1:ai01ee1:<le1:=dee", &key, "Contacts", false).expect("seals");
    let report = cs
        .merge(&[
            ("wrong-key".into(), wrong_key),
            ("truncated".into(), truncated),
            ("non-canonical".into(), non_canonical),
            ("huge".into(), vec![1; MAX_MESSAGE_SIZE + 1]),
        ])
        .expect("merge runs");
    assert!(report.accepted.is_empty());
    assert!(!report.changed);
    let reasons: Vec<(&str, &Error)> = report
        .rejected
        .iter()
        .map(|(h, e)| (h.as_str(), e))
        .collect();
    assert_eq!(reasons.len(), 4);
    assert!(matches!(reasons[0], ("wrong-key", Error::DecryptionFailed)));
    assert!(matches!(reasons[1], ("truncated", Error::DecryptionFailed)));
    assert!(matches!(reasons[2], ("huge", Error::TooLarge { .. })));
    assert!(matches!(
        reasons[3],
        ("non-canonical", Error::Bencode { .. })
    ));
    assert_eq!(cs.dump(), before);
    assert_eq!(cs.get(&id).map(|c| c.name), Some("Ann".into()));
}

#[test]
fn far_behind_messages_are_reported_stale() {
    let seed = Seed::from_bytes([4; 32]);
    let id: SessionId = format!("05{}", "cd".repeat(32)).parse().expect("id");
    let mut old = Contacts::new(&seed);
    old.set_name(&id, "v1").expect("set");
    let stale = old.push().expect("push");
    let mut cs = Contacts::new(&seed);
    for n in 0..7 {
        cs.set_name(&id, &format!("v{n}")).expect("set");
        let p = cs.push().expect("push");
        cs.confirm_pushed(p.seqno, &format!("h{n}"));
    }
    // Seqno-1 messages unlike ours, 6 seqnos behind: ignored (and deleted at the next push).
    let mut other = Contacts::new(&seed);
    other.set_name(&id, "other").expect("set");
    let stale2 = other.push().expect("push");
    assert_eq!(stale2.seqno, 1);
    let report = cs
        .merge(&[("old".into(), stale.data), ("old2".into(), stale2.data)])
        .expect("merges");
    assert!(!report.changed);
    assert_eq!(report.stale, vec!["old".to_string(), "old2".to_string()]);
    assert_eq!(report.accepted.len(), 2, "decoded, so not fetched again");
    assert_eq!(cs.get(&id).map(|c| c.name), Some("v6".into()));
}
