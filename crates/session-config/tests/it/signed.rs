//! Signed configs (`~`), as groups use them: pushes carry the group key's signature, members
//! verify it, members without the key are read-only and never merge, admins merge identically.

use session_config::data::Field;
use session_config::{Config, ConfigKey, Error, Kind, Signing, State};
use session_crypto::{IdentityKeys, Seed};

fn group_keys() -> IdentityKeys {
    IdentityKeys::from_seed(Seed::from_bytes([0x47; 32]))
}

fn enc_keys() -> Vec<ConfigKey> {
    vec![
        ConfigKey::from_bytes([0x11; 32]),
        ConfigKey::from_bytes([0x22; 32]),
    ]
}

fn admin() -> Config {
    Config::new(
        Kind::GroupInfo,
        enc_keys(),
        Signing::Sign(Box::new(group_keys())),
    )
}

fn member() -> Config {
    Config::new(
        Kind::GroupInfo,
        enc_keys(),
        Signing::Verify(group_keys().ed25519_public()),
    )
}

#[test]
fn signed_push_verifies_for_members() {
    let mut a = admin();
    a.set(&[b"n"], "The Group".into()).expect("set");
    let plain = a.serialize();
    let sig_at = plain.len() - 71;
    assert_eq!(&plain[sig_at..sig_at + 6], b"1:~64:");
    let signed = &plain[..sig_at];
    let sig: [u8; 64] = plain[sig_at + 6..plain.len() - 1].try_into().expect("64");
    group_keys()
        .ed25519_public()
        .verify(signed, &sig, "test")
        .expect("a valid Ed25519 signature over everything before `1:~`");
    let p = a.push().expect("push");
    a.confirm_pushed(p.seqno, "h1");

    let mut m = member();
    let r = m.merge(&[("h1".into(), p.data)]).expect("merges");
    assert_eq!(r.accepted, vec!["h1".to_string()]);
    assert_eq!(
        m.data().get(b"n".as_slice()),
        Some(&Field::from("The Group"))
    );
    assert!(m.is_readonly());
    assert_eq!(m.set(&[b"n"], "Hijacked".into()), Err(Error::ReadOnly));
    assert_eq!(m.state(), State::Clean);
    // A member's dump keeps the signature, so re-serializing gives the admin's bytes.
    assert_eq!(m.serialize(), a.serialize());
}

#[test]
fn forged_or_unsigned_pushes_are_refused() {
    let mut forger = Config::new(
        Kind::GroupInfo,
        enc_keys(),
        Signing::Sign(Box::new(IdentityKeys::from_seed(Seed::from_bytes(
            [0x66; 32],
        )))),
    );
    forger.set(&[b"n"], "Forged".into()).expect("set");
    let forged = forger.push().expect("push").data;
    let mut unsigned = Config::new(Kind::GroupInfo, enc_keys(), Signing::None);
    unsigned.set(&[b"n"], "Unsigned".into()).expect("set");
    let unsigned = unsigned.push().expect("push").data;
    for mut target in [admin(), member()] {
        let r = target
            .merge(&[("f".into(), forged.clone()), ("u".into(), unsigned.clone())])
            .expect("merge runs");
        assert!(r.accepted.is_empty());
        assert_eq!(r.rejected.len(), 2);
        assert_eq!(r.rejected[0], ("f".into(), Error::BadSignature));
        assert_eq!(r.rejected[1], ("u".into(), Error::MissingSignature));
        assert_eq!(target.seqno(), 0);
    }
}

#[test]
fn admins_merge_identically_members_keep_the_highest() {
    let mut base = admin();
    base.set(&[b"n"], "Base".into()).expect("set");
    let p0 = base.push().expect("push");
    base.confirm_pushed(p0.seqno, "h0");
    let mut a = admin();
    let mut b = admin();
    for c in [&mut a, &mut b] {
        c.merge(&[("h0".into(), p0.data.clone())]).expect("merges");
    }
    a.set(&[b"o"], "description".into()).expect("set");
    b.set(&[b"E"], 3600.into()).expect("set");
    let (pa, pb) = (a.push().expect("push"), b.push().expect("push"));
    a.confirm_pushed(pa.seqno, "ha");
    b.confirm_pushed(pb.seqno, "hb");
    a.merge(&[("hb".into(), pb.data.clone())]).expect("merges");
    b.merge(&[("ha".into(), pa.data.clone())]).expect("merges");
    let (qa, qb) = (a.push().expect("push"), b.push().expect("push"));
    assert_eq!(
        qa.data, qb.data,
        "deterministic signatures: identical merged pushes"
    );
    assert!(a.data().contains_key(b"o".as_slice()) && a.data().contains_key(b"E".as_slice()));

    // A member cannot sign a merge: it keeps the highest (seqno, hash) message as it is.
    let mut m = member();
    m.merge(&[("ha".into(), pa.data), ("hb".into(), pb.data)])
        .expect("merges");
    assert_eq!(m.seqno(), 2);
    assert_eq!(m.state(), State::Clean);
    assert_eq!(
        m.data().len(),
        2,
        "one side's change only: {:?}",
        m.data().keys()
    );
    // Once the admins' merge arrives, the member has everything.
    m.merge(&[("hm".into(), qa.data)]).expect("merges");
    assert_eq!(m.seqno(), 3);
    assert_eq!(m.data(), a.data());
}

#[test]
fn second_key_decrypts() {
    let mut a = admin();
    a.set_keys(vec![ConfigKey::from_bytes([0x22; 32])]);
    a.set(&[b"n"], "Old key".into()).expect("set");
    let p = a.push().expect("push");
    let mut m = member();
    assert_eq!(
        m.merge(&[("h".into(), p.data)])
            .expect("merges")
            .accepted
            .len(),
        1
    );
    assert_eq!(m.data().get(b"n".as_slice()), Some(&Field::from("Old key")));
}

#[test]
fn replace_keys_dirties_writable_configs_only_when_the_first_key_changes() {
    let mut a = admin();
    a.replace_keys(enc_keys(), true).expect("same keys");
    assert_eq!(a.state(), State::Clean);
    let rotated = vec![
        ConfigKey::from_bytes([0x33; 32]),
        ConfigKey::from_bytes([0x11; 32]),
    ];
    a.replace_keys(rotated.clone(), false).expect("not dirty");
    assert_eq!(a.state(), State::Clean);
    a.replace_keys(enc_keys(), true).expect("rekey");
    assert_eq!((a.state(), a.seqno()), (State::Dirty, 1));
    let mut m = member();
    m.replace_keys(rotated, true).expect("read-only");
    assert_eq!(m.state(), State::Clean);
    m.set_signing(Signing::Sign(Box::new(group_keys())));
    assert!(!m.is_readonly());
    m.set(&[b"n"], "promoted".into())
        .expect("writable after promotion");
}
