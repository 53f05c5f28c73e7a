//! Groups beyond 100 members: the keys message's size against the 76,800-byte limit (and the
//! largest member count whose rekey still fits, found over the real builder), and a 1,000-member
//! rekey that every member opens and a removed member does not.
//!
//! Cost in a debug build: the limit search builds ~12 rekeys of up to 3,000 members and the
//! 1,000-member test makes 1,001 identities and 1,001 key-ring loads of a 53 KB message; both
//! run in a few seconds because curve arithmetic and the AEAD are compiled optimised
//! (`[profile.dev.package."*"]` and session-group's own `opt-level`).

use crate::util::*;
use session_crypto::{IdentityKeys, Seed, SessionId};
use session_group::keys_msg::{self, ENCRYPTED_KEY_LEN, MAX_KEYS_MESSAGE, MESSAGE_KEY_MULTIPLE};
use session_group::{Error, GroupAdmin, GroupKeys};

/// `d` `1:#24:`nonce `1:Gi0e` `1:K48:`admin copy `1:kl` … `e` `1:~64:`signature `e`, for a
/// one-digit generation: everything but the member copies.
const FIXED_BYTES: usize = 1 + (6 + 24) + 6 + (6 + 48) + 4 + 1 + (6 + 64) + 1;
/// One member copy in the list: `48:` and the 48 bytes.
const COPY_BYTES: usize = 3 + ENCRYPTED_KEY_LEN;

/// Session IDs of `n` distinct members (valid X25519 keys; nobody needs their secrets here).
fn member_ids(n: usize, salt: u64) -> Vec<SessionId> {
    let mut r = rng(salt);
    (0..n)
        .map(|_| IdentityKeys::from_seed(Seed::generate_full(&mut r)).session_id())
        .collect()
}

fn rekey_len(admin: &GroupAdmin, members: &[SessionId]) -> usize {
    let (msg, _) = keys_msg::build_rekey(admin, members, 0).expect("rekey");
    msg.len()
}

/// The layout's size for `n` members: copies padded with junk to a multiple of 75.
fn expected_len(n: usize) -> usize {
    FIXED_BYTES + COPY_BYTES * n.div_ceil(MESSAGE_KEY_MULTIPLE) * MESSAGE_KEY_MULTIPLE
}

#[test]
fn keys_message_sizes_for_100_and_1000_members() {
    let admin = GroupAdmin::from_seed(seed(GROUP_SEED));
    let ids = member_ids(1000, 1);
    assert_eq!(rekey_len(&admin, &ids[..100]), 7_817);
    assert_eq!(rekey_len(&admin, &ids), 53_717);
    assert_eq!(expected_len(100), 7_817);
    assert_eq!(expected_len(1000), 53_717);
}

#[test]
fn the_largest_group_whose_rekey_fits_has_1500_members() {
    let admin = GroupAdmin::from_seed(seed(GROUP_SEED));
    let ids = member_ids(3000, 2);
    // Bisection over the real builder: `lo` fits, `hi` does not.
    let (mut lo, mut hi) = (1usize, ids.len());
    assert!(rekey_len(&admin, &ids[..lo]) <= MAX_KEYS_MESSAGE);
    assert!(rekey_len(&admin, &ids[..hi]) > MAX_KEYS_MESSAGE);
    while hi - lo > 1 {
        let mid = lo + (hi - lo) / 2;
        let len = rekey_len(&admin, &ids[..mid]);
        assert_eq!(len, expected_len(mid), "layout changed at {mid} members");
        if len <= MAX_KEYS_MESSAGE {
            lo = mid;
        } else {
            hi = mid;
        }
    }
    assert_eq!(lo, 1500, "the largest member count whose rekey fits");
    let (fits, key) = keys_msg::build_rekey(&admin, &ids[..1500], 0).expect("rekey");
    assert_eq!(fits.len(), 76_667, "133 bytes to spare");
    let (over, _) = keys_msg::build_rekey(&admin, &ids[..1501], 0).expect("rekey");
    assert_eq!(over.len(), 80_492);
    // The one that fits loads (here for an admin); the other is refused by every reader.
    let mut ring = GroupKeys::new(
        &seed(ADMIN1_SEED),
        admin.group_id(),
        Some(admin.duplicate()),
    )
    .expect("ring");
    assert!(ring.load_key_message("fits", &fits, 1).expect("fits"));
    assert_eq!(ring.encryption_key().expect("key"), &key);
    assert_eq!(
        ring.load_key_message("over", &over, 2),
        Err(Error::TooLarge {
            what: "keys message",
            limit: MAX_KEYS_MESSAGE,
            got: 80_492
        })
    );
}

#[test]
fn all_1000_members_open_the_rekey_and_the_removed_one_does_not() {
    let admin = GroupAdmin::from_seed(seed(GROUP_SEED));
    let mut r = rng(3);
    let seeds: Vec<Seed> = (0..1001).map(|_| Seed::generate_full(&mut r)).collect();
    let keys: Vec<IdentityKeys> = seeds.iter().cloned().map(IdentityKeys::from_seed).collect();
    let all: Vec<SessionId> = keys.iter().map(IdentityKeys::session_id).collect();
    let mut admin_ring =
        GroupKeys::new(&seed(ADMIN1_SEED), admin.group_id(), Some(admin)).expect("ring");
    let before = admin_ring.rekey(&all).expect("rekey").to_vec();
    admin_ring
        .load_key_message("g0", &before, 1_000)
        .expect("load");
    let (removed, kept) = (&seeds[500], [&all[..500], &all[501..]].concat());
    let after = admin_ring.rekey(&kept).expect("rekey").to_vec();
    assert_eq!(after.len(), 53_717);
    admin_ring
        .load_key_message("g1", &after, 2_000)
        .expect("load");
    let newest = admin_ring.encryption_key().expect("key").clone();
    let group = admin_ring.group_id();
    for (i, s) in seeds.iter().enumerate().filter(|(i, _)| *i != 500) {
        let mut m = GroupKeys::new(s, group, None).expect("ring");
        assert!(
            m.load_key_message("g1", &after, 2_000).expect("load"),
            "member {i}"
        );
        assert_eq!(m.encryption_key().expect("key"), &newest, "member {i}");
    }
    let mut gone = GroupKeys::new(removed, group, None).expect("ring");
    assert!(gone.load_key_message("g0", &before, 1_000).expect("load"));
    assert!(!gone.load_key_message("g1", &after, 2_000).expect("load"));
    assert_ne!(gone.encryption_key().expect("old key"), &newest);
    assert_eq!(gone.key_infos().len(), 1);
}
