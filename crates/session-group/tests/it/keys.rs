//! The key ring: members decrypt the newest key, removed members do not, supplements, expiry,
//! pending keys, and refusal of bad keys messages.

use crate::util::*;
use proptest::prelude::*;
use session_crypto::{IdentityKeys, Seed, SessionId};
use session_group::{Error, GroupAdmin, GroupKeys, KEY_EXPIRY_MS, keys_msg};

fn member_seeds(n: usize, salt: u64) -> Vec<Seed> {
    let mut r = rng(salt);
    (0..n).map(|_| Seed::generate_full(&mut r)).collect()
}

fn ids(seeds: &[Seed]) -> Vec<SessionId> {
    seeds
        .iter()
        .map(|s| IdentityKeys::from_seed(s.clone()).session_id())
        .collect()
}

fn ring(seed: &Seed, admin: &GroupAdmin) -> GroupKeys {
    GroupKeys::new(seed, admin.group_id(), None).expect("member ring")
}

proptest! {
    #![proptest_config(ProptestConfig::with_cases(24))]

    #[test]
    fn current_members_get_the_newest_key_removed_ones_do_not(
        n in 1usize..9, removed_mask in any::<u16>(), salt in any::<u64>()
    ) {
        let admin = GroupAdmin::generate(&mut rng(salt));
        let seeds = member_seeds(n, salt ^ 1);
        let all = ids(&seeds);
        let mut admin_ring = GroupKeys::new(&seed(ADMIN1_SEED), admin.group_id(),
            Some(admin.duplicate())).unwrap();
        let first = admin_ring.rekey(&all).unwrap().to_vec();
        admin_ring.load_key_message("k1", &first, 1_000).unwrap();
        let kept: Vec<SessionId> = all.iter().enumerate()
            .filter(|(i, _)| removed_mask & (1 << i) == 0).map(|(_, id)| *id).collect();
        let second = admin_ring.rekey(&kept).unwrap().to_vec();
        admin_ring.load_key_message("k2", &second, 2_000).unwrap();
        let newest = admin_ring.encryption_key().unwrap().clone();
        for (i, s) in seeds.iter().enumerate() {
            let mut m = ring(s, &admin);
            prop_assert!(m.load_key_message("k1", &first, 1_000).unwrap());
            let got = m.load_key_message("k2", &second, 2_000).unwrap();
            let removed = removed_mask & (1 << i) != 0;
            prop_assert_eq!(got, !removed);
            prop_assert_eq!(m.encryption_key().unwrap() == &newest, !removed);
            prop_assert_eq!(m.current_hashes().len(), 2);
        }
    }
}

#[test]
fn admins_decrypt_the_admin_copy_and_drop_pending_once_loaded() {
    let admin = GroupAdmin::from_seed(seed(GROUP_SEED));
    let mut a1 = GroupKeys::new(
        &seed(ADMIN1_SEED),
        admin.group_id(),
        Some(admin.duplicate()),
    )
    .unwrap();
    let mut a2 = GroupKeys::new(
        &seed(MEMBER_SEEDS[3]),
        admin.group_id(),
        Some(admin.duplicate()),
    )
    .unwrap();
    let msg = a1.rekey(&[]).unwrap().to_vec(); // no member copies at all: K only
    assert!(a1.pending_config().is_some());
    assert!(a2.load_key_message("h", &msg, 5).unwrap());
    assert!(a1.load_key_message("h", &msg, 5).unwrap());
    assert!(a1.pending_config().is_none());
    assert_eq!(a1.encryption_key().unwrap(), a2.encryption_key().unwrap());
}

#[test]
fn supplements_give_history_to_new_members() {
    let admin = GroupAdmin::from_seed(seed(GROUP_SEED));
    let mut a = GroupKeys::new(
        &seed(ADMIN1_SEED),
        admin.group_id(),
        Some(admin.duplicate()),
    )
    .unwrap();
    let old = ids(&member_seeds(2, 7));
    for (i, t) in [(0, 10), (1, 20)] {
        let m = a.rekey(&old).unwrap().to_vec();
        a.load_key_message(&format!("k{i}"), &m, t).unwrap();
    }
    let newbie = keys(MEMBER_SEEDS[1]);
    let supp = a.key_supplement(&[newbie.session_id()]).unwrap();
    let mut n = ring(newbie.seed(), &admin);
    assert!(n.load_key_message("s", &supp, 30).unwrap());
    assert_eq!(n.key_infos().len(), 2);
    assert_eq!(n.key_infos(), a.key_infos());
    // Someone else reads the supplement as valid but gets nothing from it.
    let mut other = ring(&seed(MEMBER_SEEDS[2]), &admin);
    assert!(!other.load_key_message("s", &supp, 30).unwrap());
    assert!(other.key_infos().is_empty());
}

#[test]
fn superseded_keys_expire_after_60_days() {
    let admin = GroupAdmin::from_seed(seed(GROUP_SEED));
    let mut a = GroupKeys::new(
        &seed(ADMIN1_SEED),
        admin.group_id(),
        Some(admin.duplicate()),
    )
    .unwrap();
    let day = 24 * 3600 * 1000;
    let m0 = a.rekey(&[]).unwrap().to_vec();
    a.load_key_message("g0", &m0, 0).unwrap();
    let m1 = a.rekey(&[]).unwrap().to_vec();
    a.load_key_message("g1", &m1, day).unwrap();
    let m2 = a.rekey(&[]).unwrap().to_vec();
    a.load_key_message("g2", &m2, day + KEY_EXPIRY_MS).unwrap();
    assert_eq!(
        a.key_infos().len(),
        3,
        "gen 0 superseded exactly 60 days ago: kept"
    );
    let m3 = a.rekey(&[]).unwrap().to_vec();
    a.load_key_message("g3", &m3, day + KEY_EXPIRY_MS + 1)
        .unwrap();
    let gens: Vec<i64> = a.key_infos().iter().map(|k| k.generation).collect();
    assert_eq!(gens, [1, 2, 3]);
    assert!(!a.current_hashes().contains("g0"));
}

#[test]
fn concurrent_rekeys_ask_for_another() {
    let admin = GroupAdmin::from_seed(seed(GROUP_SEED));
    let mut a1 = GroupKeys::new(
        &seed(ADMIN1_SEED),
        admin.group_id(),
        Some(admin.duplicate()),
    )
    .unwrap();
    let mut a2 = GroupKeys::new(
        &seed(MEMBER_SEEDS[0]),
        admin.group_id(),
        Some(admin.duplicate()),
    )
    .unwrap();
    let m1 = a1.rekey(&ids(&member_seeds(1, 1))).unwrap().to_vec();
    let m2 = a2.rekey(&ids(&member_seeds(1, 2))).unwrap().to_vec();
    a1.load_key_message("1", &m1, 1).unwrap();
    a1.load_key_message("2", &m2, 1).unwrap();
    assert!(a1.needs_rekey());
}

#[test]
fn bad_keys_messages_are_refused() {
    let admin = GroupAdmin::from_seed(seed(GROUP_SEED));
    let other = GroupAdmin::from_seed(seed(ADMIN1_SEED));
    let (forged, _) =
        keys_msg::build_rekey(&other, &[keys(MEMBER_SEEDS[0]).session_id()], 0).unwrap();
    let mut m = ring(&seed(MEMBER_SEEDS[0]), &admin);
    assert_eq!(
        m.load_key_message("x", &forged, 1),
        Err(Error::BadSignature {
            what: "keys message"
        })
    );
    let (good, _) = keys_msg::build_rekey(&admin, &[], 0).unwrap();
    let mut flipped = good.clone();
    flipped[40] ^= 1;
    assert!(m.load_key_message("x", &flipped, 1).is_err());
    for cut in [0, 1, 10, good.len() - 1] {
        assert!(m.load_key_message("x", &good[..cut], 1).is_err());
    }
    assert!(matches!(
        m.load_key_message("x", &vec![b'd'; 80_000], 1),
        Err(Error::TooLarge { .. })
    ));
    assert!(m.key_infos().is_empty() && m.current_hashes().is_empty());
}

#[test]
fn only_admins_rekey_and_supplement() {
    let admin = GroupAdmin::from_seed(seed(GROUP_SEED));
    let mut m = ring(&seed(MEMBER_SEEDS[0]), &admin);
    assert!(matches!(m.rekey(&[]), Err(Error::NotAdmin { .. })));
    assert!(matches!(m.key_supplement(&[]), Err(Error::NotAdmin { .. })));
    let wrong = GroupAdmin::from_seed(seed(ADMIN1_SEED));
    assert_eq!(m.set_admin(wrong).unwrap_err(), Error::WrongGroupKey);
}

proptest! {
    #[test]
    fn keys_message_parse_never_panics(bytes in proptest::collection::vec(any::<u8>(), 0..400)) {
        let admin = GroupAdmin::from_seed(seed(GROUP_SEED));
        let mut m = ring(&seed(MEMBER_SEEDS[0]), &admin);
        let _ = m.load_key_message("x", &bytes, 0);
        let mut with_d = b"d1:#24:".to_vec();
        with_d.extend(&bytes);
        let _ = m.load_key_message("x", &with_d, 0);
    }
}

#[test]
fn dumps_restore_the_ring() {
    let admin = GroupAdmin::from_seed(seed(GROUP_SEED));
    let mut a = GroupKeys::new(
        &seed(ADMIN1_SEED),
        admin.group_id(),
        Some(admin.duplicate()),
    )
    .unwrap();
    let m0 = a.rekey(&[]).unwrap().to_vec();
    a.load_key_message("k0", &m0, 10).unwrap();
    a.rekey(&[keys(MEMBER_SEEDS[0]).session_id()]).unwrap();
    assert!(a.needs_dump());
    let dump = a.dump();
    assert!(!a.needs_dump());
    let b = GroupKeys::load(
        &seed(ADMIN1_SEED),
        admin.group_id(),
        Some(admin.duplicate()),
        &dump,
    )
    .unwrap();
    assert_eq!(b.key_infos(), a.key_infos());
    assert_eq!(b.pending_config(), a.pending_config());
    assert_eq!(b.current_hashes(), a.current_hashes());
    assert_eq!(b.group_keys(), a.group_keys());
    for cut in [0, 5, dump.len() - 1] {
        assert!(GroupKeys::load(&seed(ADMIN1_SEED), admin.group_id(), None, &dump[..cut]).is_err());
    }
}
