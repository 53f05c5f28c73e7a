//! Groups beyond 100 members: the keys message's size against the 76,800-byte limit (and the
//! largest member count whose rekey, or supplement, still fits, found by bisection over the real
//! builder), the members config at 1,000 members, a 1,000-member rekey that every member
//! opens and a removed member does not, and a rekey split over two messages (past 1,500).
//!
//! Cost in a debug build (dependencies are optimised, `[profile.dev.package."*"]`): about 3 s
//! for the limit searches (~12 rekeys of up to 3,000 members, ~20 supplements) and 2 s for the
//! 1,000-member test (1,001 identities, 1,001 loads of a 53,717-byte keys message).

use crate::util::*;
use session_config::ConfigKey;
use session_config::data::{Field, Scalar};
use session_crypto::hash::{Blake2bParams, hash32};
use session_crypto::{IdentityKeys, Seed, SessionId};
use session_group::configs::{GroupMembers, Member};
use session_group::keys_msg::{self, ENCRYPTED_KEY_LEN, MAX_KEYS_MESSAGE, MESSAGE_KEY_MULTIPLE};
use session_group::{Error, GroupAdmin, GroupKeys, KeyInfo};

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

/// The size of the rekey for `members`, built or refused as too large.
fn rekey_len(admin: &GroupAdmin, members: &[SessionId]) -> usize {
    match keys_msg::build_rekey(admin, members, 0) {
        Ok((msg, _)) => msg.len(),
        Err(Error::TooLarge { got, .. }) => got,
        Err(e) => panic!("rekey: {e}"),
    }
}

/// The largest `n` in `1..hi` for which `fits(n)`, given that `fits` is monotone, `fits(1)`
/// and not `fits(hi)`.
fn largest_fitting(hi: usize, mut fits: impl FnMut(usize) -> bool) -> usize {
    let mut lo = 1;
    assert!(fits(lo) && !fits(hi));
    let mut hi = hi;
    while hi - lo > 1 {
        let mid = lo + (hi - lo) / 2;
        if fits(mid) {
            lo = mid;
        } else {
            hi = mid;
        }
    }
    lo
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
    let largest = largest_fitting(ids.len(), |n| {
        let len = rekey_len(&admin, &ids[..n]);
        assert_eq!(len, expected_len(n), "layout changed at {n} members");
        len <= MAX_KEYS_MESSAGE
    });
    assert_eq!(largest, 1500, "the largest member count whose rekey fits");
    let (fits, key) = keys_msg::build_rekey(&admin, &ids[..1500], 0).expect("rekey");
    assert_eq!(fits.len(), 76_667, "133 bytes to spare");
    // One more member needs 75 more copies: the builder refuses what the swarm would.
    let too_large = Err(Error::TooLarge {
        what: "keys message",
        limit: MAX_KEYS_MESSAGE,
        got: 80_492,
    });
    assert_eq!(
        keys_msg::build_rekey(&admin, &ids[..1501], 0).map(|_| ()),
        too_large
    );
    let mut ring = GroupKeys::new(
        &seed(ADMIN1_SEED),
        admin.group_id(),
        Some(admin.duplicate()),
    )
    .expect("ring");
    assert!(ring.load_key_message("fits", &fits, 1).expect("fits"));
    assert_eq!(ring.encryption_key().expect("key"), &key);
    assert_eq!(ring.rekey(&ids[..1501]).map(|_| ()), too_large);
}

fn held_keys(n: i64) -> Vec<KeyInfo> {
    (0..n)
        .map(|g| KeyInfo {
            generation: g,
            key: ConfigKey::from_bytes([g as u8; 32]),
            timestamp_ms: 1_765_000_000_000 + g,
        })
        .collect()
}

#[test]
fn a_supplement_fits_902_members_with_one_key_and_224_with_five() {
    let admin = GroupAdmin::from_seed(seed(GROUP_SEED));
    let ids = member_ids(1000, 4);
    for (generations, per_member, most) in [(1, 85, 902), (5, 342, 224)] {
        let held = held_keys(generations);
        let size = |n: usize| match keys_msg::build_supplement(&admin, &ids[..n], &held) {
            Ok(msg) => msg.len(),
            Err(Error::TooLarge { got, .. }) => got,
            Err(e) => panic!("supplement: {e}"),
        };
        // No padding: 113 fixed bytes, then each member's copy of every key.
        assert_eq!(size(1), 113 + per_member);
        assert_eq!(size(100), 113 + 100 * per_member);
        let largest = largest_fitting(ids.len(), |n| size(n) <= MAX_KEYS_MESSAGE);
        assert_eq!(largest, most, "{generations} keys");
    }
}

#[test]
fn the_members_config_of_1000_fits_without_profile_pictures_only() {
    let admin = GroupAdmin::from_seed(seed(GROUP_SEED));
    let ids = member_ids(1000, 5);
    let push = |n: usize, pictures: bool| {
        let key = vec![ConfigKey::from_bytes([1; 32])];
        let mut m = GroupMembers::new(&admin.group_id(), Some(&admin), key);
        for (i, id) in ids[..n].iter().enumerate() {
            m.set(&Member::new(*id, &format!("Member {i:04}")))
                .expect("set");
            if pictures {
                set_picture(&mut m, id, i);
            }
        }
        m.push().map(|p| p.data.len())
    };
    let plain = push(1000, false).expect("1,000 members without pictures");
    assert!(
        plain <= session_config::encrypt::MAX_MESSAGE_SIZE,
        "{plain}"
    );
    assert!(push(700, true).is_ok());
    assert!(matches!(
        push(1000, true),
        Err(Error::Config(session_config::Error::TooLarge { .. }))
    ));
}

/// A profile picture as clients set it: a file server URL (`p`) and its 32-byte key (`q`).
fn set_picture(m: &mut GroupMembers, id: &SessionId, i: usize) {
    let id = id.to_bytes();
    let url = format!("http://filev2.getsession.org/file/{}", 1_000_000 + i * 7919);
    let pic_key = hash32(Blake2bParams::PLAIN, &[&i.to_le_bytes()]);
    for (k, v) in [(b"p", url.into_bytes()), (b"q", pic_key.to_vec())] {
        let value = Field::Scalar(Scalar::Bytes(v));
        m.config_mut().set(&[b"m", &id, k], value).expect("set");
    }
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

/// A rekey's copies split over two full keys messages of the same generation (the same key,
/// nonce and admin copy, half of the sorted copies each), signed by the group key: what would
/// carry a group past 1,500 members. Nothing builds these yet; this shows the loader takes them.
fn split_rekey(admin: &GroupAdmin, members: &[SessionId]) -> [Vec<u8>; 2] {
    use session_protocol::bencode::Value;
    let (whole, _) = keys_msg::build_rekey(admin, members, 0).expect("rekey");
    let parsed = keys_msg::parse(&whole, &admin.group_id()).expect("parse");
    let keys_msg::Body::Full {
        admin: k,
        members: copies,
    } = parsed.body
    else {
        panic!("a full keys message")
    };
    let half = copies.len() / MESSAGE_KEY_MULTIPLE / 2 * MESSAGE_KEY_MULTIPLE;
    let part = |slice: &[[u8; ENCRYPTED_KEY_LEN]]| {
        let mut out = Value::dict([
            ("#", Value::Bytes(parsed.nonce.to_vec())),
            ("G", Value::Int(parsed.generation)),
            ("K", Value::Bytes(k.to_vec())),
            (
                "k",
                Value::List(slice.iter().map(|c| Value::Bytes(c.to_vec())).collect()),
            ),
        ])
        .encode();
        out.pop();
        let sig = admin.sign(&out);
        out.extend_from_slice(b"1:~64:");
        out.extend_from_slice(&sig);
        out.push(b'e');
        out
    };
    [part(&copies[..half]), part(&copies[half..])]
}

#[test]
fn a_rekey_split_over_two_messages_reaches_every_member() {
    let admin = GroupAdmin::from_seed(seed(GROUP_SEED));
    let mut r = rng(6);
    let seeds: Vec<Seed> = (0..200).map(|_| Seed::generate_full(&mut r)).collect();
    let ids: Vec<SessionId> = seeds
        .iter()
        .map(|s| IdentityKeys::from_seed(s.clone()).session_id())
        .collect();
    let (_, key) = keys_msg::build_rekey(&admin, &ids, 0).expect("rekey");
    let parts = split_rekey(&admin, &ids);
    let mut found_in = [0; 2];
    for s in &seeds {
        let mut m = GroupKeys::new(s, admin.group_id(), None).expect("ring");
        let got: Vec<bool> = (0..2)
            .map(|i| {
                m.load_key_message(&format!("p{i}"), &parts[i], 1)
                    .expect("load")
            })
            .collect();
        assert_eq!(
            got.iter().filter(|g| **g).count(),
            1,
            "exactly one part has our copy"
        );
        found_in[usize::from(got[1])] += 1;
        assert_eq!(m.encryption_key().expect("key"), &key);
        assert_eq!(m.key_infos().len(), 1);
        let ours = format!("p{}", usize::from(got[1]));
        assert!(
            m.current_hashes().contains(&ours),
            "the part with our copy is kept alive"
        );
    }
    assert!(found_in[0] > 0 && found_in[1] > 0, "{found_in:?}");
}
