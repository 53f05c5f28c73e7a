//! The group as a whole: create, add and remove members, configs for members, read-only
//! refusals and membership checks on messages.

use crate::util::*;
use session_config::Error as ConfigError;
use session_crypto::Seed;
use session_group::configs::status;
use session_group::{Error, Group, GroupAdmin};

fn fetch(p: &session_config::Push, hash: &str) -> Vec<(String, Vec<u8>)> {
    vec![(hash.to_owned(), p.data.clone())]
}

#[test]
fn life_of_a_group() {
    let mut r = rng(42);
    let admin_seed = seed(ADMIN1_SEED);
    let mut g = Group::create(&admin_seed, "tomato", "Admin1", 1_700_000_000_000, &mut r).unwrap();
    let k0 = g.keys().pending_config().unwrap().to_vec();
    g.load_keys("k0", &k0, 1_000).unwrap();
    let m1 = keys(MEMBER_SEEDS[0]);
    let m2 = keys(MEMBER_SEEDS[1]);
    let added = g
        .add_members(&[(m1.session_id(), "m1"), (m2.session_id(), "m2")], false)
        .unwrap();
    assert_eq!(added.auth.len(), 2);
    assert_eq!(
        g.members().get(&m1.session_id()).unwrap().invite_status,
        status::NOT_SENT
    );
    g.load_keys("k1", &added.keys_message, 2_000).unwrap();
    let info = g.push_info().unwrap().unwrap();
    let members = g.push_members().unwrap().unwrap();
    g.info_mut().config_mut().confirm_pushed(info.seqno, "i1");
    g.members_mut()
        .config_mut()
        .confirm_pushed(members.seqno, "m1");

    // Member 1 joins: keys, then the configs; it cannot push.
    let mut j = Group::open(m1.seed(), g.id(), None).unwrap();
    assert!(!j.load_keys("k0", &k0, 1_000).unwrap());
    assert!(j.load_keys("k1", &added.keys_message, 2_000).unwrap());
    assert!(
        j.merge_info(&fetch(&info, "i1"))
            .unwrap()
            .rejected
            .is_empty()
    );
    j.merge_members(&fetch(&members, "m1")).unwrap();
    assert_eq!(j.info().name().as_deref(), Some("tomato"));
    assert_eq!(j.members().list().len(), 3);
    assert!(matches!(j.push_info(), Err(Error::NotAdmin { .. })));
    assert!(matches!(j.info_mut().push(), Err(Error::NotAdmin { .. })));
    assert_eq!(
        j.info_mut().set_name("mine"),
        Err(Error::Config(ConfigError::ReadOnly))
    );

    // Messages flow both ways; a non-member's message is refused.
    let ct = g.encrypt_message(b"hello", &mut r).unwrap();
    assert_eq!(&j.decrypt_message(&ct).unwrap().plaintext[..], b"hello");
    let back = j.encrypt_message(b"hi admin", &mut r).unwrap();
    assert_eq!(g.decrypt_message(&back).unwrap().sender, m1.session_id());

    // Remove member 2; member 1 gets the new key; member 2 does not.
    let (k2, revoked) = g.remove_members(&[m2.session_id()]).unwrap();
    assert_eq!(revoked.len(), 1);
    g.load_keys("k2", &k2, 3_000).unwrap();
    assert!(j.load_keys("k2", &k2, 3_000).unwrap());
    let mut gone = Group::open(m2.seed(), g.id(), None).unwrap();
    gone.load_keys("k1", &added.keys_message, 2_000).unwrap();
    assert!(!gone.load_keys("k2", &k2, 3_000).unwrap());
    let after = g.encrypt_message(b"without m2", &mut r).unwrap();
    assert!(matches!(
        gone.decrypt_message(&after),
        Err(Error::NoKey { .. })
    ));
    let new_members = g.push_members().unwrap().unwrap();
    j.merge_members(&fetch(&new_members, "m2")).unwrap();
    assert_eq!(j.members().list().len(), 2);
    // m2 still holds an old key: its messages decrypt but it is no longer a member.
    let from_gone = gone.encrypt_message(b"still here?", &mut r).unwrap();
    assert_eq!(j.decrypt_message(&from_gone).unwrap_err(), Error::NotMember);
}

#[test]
fn configs_signed_by_someone_else_are_rejected() {
    let mut r = rng(7);
    let mut g = Group::create(&seed(ADMIN1_SEED), "real", "a", 0, &mut r).unwrap();
    let k0 = g.keys().pending_config().unwrap().to_vec();
    // A forger with its own group key builds an info config under the same encryption key.
    let fake_admin = GroupAdmin::generate(&mut r);
    let mut fake = session_group::configs::GroupInfo::new(
        &fake_admin.group_id(),
        Some(&fake_admin),
        g.keys().group_keys(),
    );
    fake.set_name("forged").unwrap();
    let forged = fake.push().unwrap();
    let mut j = Group::open(&Seed::generate_full(&mut r), g.id(), None).unwrap();
    let admin_copy =
        GroupAdmin::from_secret(g.keys().admin().unwrap().seed().expose_secret(), &g.id()).unwrap();
    j.promote(admin_copy).unwrap();
    j.load_keys("k0", &k0, 1).unwrap();
    let report = j.merge_info(&fetch(&forged, "f")).unwrap();
    assert_eq!(report.rejected.len(), 1);
    assert_eq!(j.info().name(), None);
    let real = g.push_info().unwrap().unwrap();
    j.merge_info(&fetch(&real, "r")).unwrap();
    assert_eq!(j.info().name().as_deref(), Some("real"));
}

#[test]
fn wrong_admin_key_is_refused() {
    let mut r = rng(9);
    let g = Group::create(&seed(ADMIN1_SEED), "g", "a", 0, &mut r).unwrap();
    let other = GroupAdmin::generate(&mut r);
    assert_eq!(
        GroupAdmin::from_secret(other.seed().expose_secret(), &g.id()).unwrap_err(),
        Error::WrongGroupKey
    );
    assert!(Group::open(&seed(ADMIN1_SEED), g.id(), Some(other)).is_err());
}

#[test]
fn members_that_get_no_key_are_not_left_in_the_members_config() {
    let mut r = rng(43);
    let mut g = Group::create(
        &seed(ADMIN1_SEED),
        "big",
        "Admin1",
        1_700_000_000_000,
        &mut r,
    )
    .unwrap();
    let kept = keys(MEMBER_SEEDS[0]);
    g.add_members(&[(kept.session_id(), "kept")], false)
        .unwrap();
    let before = g.members().session_ids();
    // 1,501 more members: the rekey would exceed 76,800 bytes (1,500 is the most that fit).
    let crowd: Vec<_> = (0..1_501u32)
        .map(|i| {
            let mut s = [0u8; 32];
            s[..4].copy_from_slice(&i.to_le_bytes());
            s[31] = 7;
            (
                session_crypto::IdentityKeys::from_seed(Seed::from_bytes(s)).session_id(),
                "m",
            )
        })
        .collect();
    let mut with_kept = crowd.clone();
    with_kept.push((kept.session_id(), "renamed"));
    assert!(matches!(
        g.add_members(&with_kept, false),
        Err(Error::TooLarge { .. })
    ));
    assert_eq!(
        g.members().session_ids(),
        before,
        "nobody added without a key"
    );
    assert_eq!(
        g.members().get(&kept.session_id()).unwrap().name,
        "kept",
        "restored"
    );
}

#[test]
fn a_group_restored_from_its_dumps_is_the_same_group() {
    let mut r = rng(7);
    let admin_seed = seed(ADMIN1_SEED);
    let mut g = Group::create(&admin_seed, "dumped", "Admin1", 1_700_000_000_000, &mut r).unwrap();
    let k0 = g.keys().pending_config().unwrap().to_vec();
    g.load_keys("k0", &k0, 1_000).unwrap();
    let m1 = keys(MEMBER_SEEDS[0]);
    let added = g.add_members(&[(m1.session_id(), "m1")], false).unwrap();
    g.load_keys("k1", &added.keys_message, 2_000).unwrap();
    let info = g.push_info().unwrap().unwrap();
    let members = g.push_members().unwrap().unwrap();
    g.info_mut().config_mut().confirm_pushed(info.seqno, "i1");
    g.members_mut()
        .config_mut()
        .confirm_pushed(members.seqno, "m1");

    // The admin, back from its dumps (the key comes from elsewhere: user groups `K`).
    let admin = GroupAdmin::from_seed(g.keys().admin().unwrap().seed().clone());
    let back = Group::restore(&admin_seed, g.id(), Some(admin), &g.dumps()).unwrap();
    assert_eq!(back.info().name().as_deref(), Some("dumped"));
    assert_eq!(back.members().list().len(), 2);
    assert!(back.keys().is_admin());
    let ct = back.encrypt_message(b"after restore", &mut r).unwrap();
    assert_eq!(
        &g.decrypt_message(&ct).unwrap().plaintext[..],
        b"after restore"
    );

    // The member, back from its dumps, still reads and stays read-only.
    let mut j = Group::open(m1.seed(), g.id(), None).unwrap();
    j.load_keys("k1", &added.keys_message, 2_000).unwrap();
    j.merge_info(&fetch(&info, "i1")).unwrap();
    j.merge_members(&fetch(&members, "m1")).unwrap();
    let mut jb = Group::restore(m1.seed(), g.id(), None, &j.dumps()).unwrap();
    assert_eq!(jb.info().name().as_deref(), Some("dumped"));
    assert_eq!(
        &jb.decrypt_message(&ct).unwrap().plaintext[..],
        b"after restore"
    );
    assert!(matches!(jb.push_info(), Err(Error::NotAdmin { .. })));

    // Garbage is an error, not a panic.
    let bad = session_group::Dumps {
        keys: Some(zeroize::Zeroizing::new(b"junk".to_vec())),
        ..Default::default()
    };
    assert!(Group::restore(m1.seed(), g.id(), None, &bad).is_err());
}
