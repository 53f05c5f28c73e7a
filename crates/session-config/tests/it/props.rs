//! Property tests: messages round-trip, unknown keys survive, merging is independent of order
//! and idempotent, devices converge on identical bytes, typed configs round-trip.

use proptest::prelude::*;
use session_config::data::{Dict, Field, Scalar, Set};
use session_config::merge::{MergeOptions, merge};
use session_config::user::{
    CommunityInfo, Contact, Contacts, ConvoInfoVolatile, ExpirationMode, GroupCommon, GroupInfo,
    GroupSeed, NotifyMode, OneToOne, ProfilePic, RemovedStatus, UserGroups, UserProfile,
};
use session_config::{ConfigMessage, MutableConfigMessage, Verify};
use session_crypto::{GroupId, IdentityKeys, Seed, SessionId};
use session_protocol::bencode::Value;
use std::collections::BTreeMap;

fn key() -> impl Strategy<Value = Vec<u8>> {
    prop_oneof![
        Just(b"a".to_vec()),
        Just(b"b".to_vec()),
        Just(b"c".to_vec()),
        Just(Vec::new()),
        proptest::collection::vec(any::<u8>(), 1..8),
    ]
}

fn scalar() -> impl Strategy<Value = Scalar> {
    prop_oneof![
        (-3i64..3).prop_map(Scalar::Int),
        any::<i64>().prop_map(Scalar::Int),
        proptest::collection::vec(any::<u8>(), 0..6).prop_map(Scalar::Bytes),
    ]
}

fn field() -> impl Strategy<Value = Field> {
    let leaf = prop_oneof![
        scalar().prop_map(Field::Scalar),
        proptest::collection::btree_set(scalar(), 1..4).prop_map(Field::Set),
    ];
    leaf.prop_recursive(3, 24, 4, |inner| {
        proptest::collection::btree_map(key(), inner, 1..4).prop_map(Field::Dict)
    })
}

fn data() -> impl Strategy<Value = Dict> {
    proptest::collection::btree_map(key(), field(), 0..6)
}

/// An edit to a config's data, over few keys so that devices collide.
#[derive(Debug, Clone)]
enum Op {
    Set(Vec<u8>, Option<Vec<u8>>, Scalar),
    Erase(Vec<u8>, Option<Vec<u8>>),
    SetAdd(Vec<u8>, Scalar),
    SetRemove(Vec<u8>, Scalar),
}

fn small_key() -> impl Strategy<Value = Vec<u8>> {
    prop_oneof![
        Just(b"a".to_vec()),
        Just(b"b".to_vec()),
        Just(b"c".to_vec())
    ]
}

fn small_scalar() -> impl Strategy<Value = Scalar> {
    prop_oneof![
        (0i64..4).prop_map(Scalar::Int),
        prop_oneof![Just(b"x".to_vec()), Just(b"y".to_vec())].prop_map(Scalar::Bytes),
    ]
}

fn op() -> impl Strategy<Value = Op> {
    prop_oneof![
        (
            small_key(),
            proptest::option::of(small_key()),
            small_scalar()
        )
            .prop_map(|(a, b, s)| Op::Set(a, b, s)),
        (small_key(), proptest::option::of(small_key())).prop_map(|(a, b)| Op::Erase(a, b)),
        (small_key(), small_scalar()).prop_map(|(a, s)| Op::SetAdd(a, s)),
        (small_key(), small_scalar()).prop_map(|(a, s)| Op::SetRemove(a, s)),
    ]
}

fn apply(data: &mut Dict, op: &Op) {
    match op {
        Op::Set(a, None, s) => {
            data.insert(a.clone(), Field::Scalar(s.clone()));
        }
        Op::Set(a, Some(b), s) => {
            let e = data
                .entry(a.clone())
                .or_insert_with(|| Field::Dict(Dict::new()));
            if !matches!(e, Field::Dict(_)) {
                *e = Field::Dict(Dict::new());
            }
            if let Field::Dict(d) = e {
                d.insert(b.clone(), Field::Scalar(s.clone()));
            }
        }
        Op::Erase(a, None) => {
            data.remove(a);
        }
        Op::Erase(a, Some(b)) => {
            if let Some(Field::Dict(d)) = data.get_mut(a) {
                d.remove(b);
            }
        }
        Op::SetAdd(a, s) => {
            let mut key = a.clone();
            key.push(b'#');
            let e = data.entry(key).or_insert_with(|| Field::Set(Set::new()));
            if let Field::Set(set) = e {
                set.insert(s.clone());
            }
        }
        Op::SetRemove(a, s) => {
            let mut key = a.clone();
            key.push(b'#');
            if let Some(Field::Set(set)) = data.get_mut(&key) {
                set.remove(s);
            }
        }
    }
}

/// A branch of history: from which earlier message, with which edits per increment.
type Branch = (prop::sample::Index, Vec<Vec<Op>>);

fn history() -> impl Strategy<Value = (Dict, Vec<Branch>)> {
    (
        data(),
        proptest::collection::vec(
            (
                any::<prop::sample::Index>(),
                proptest::collection::vec(proptest::collection::vec(op(), 0..3), 1..4),
            ),
            1..5,
        ),
    )
}

/// Every message of a random history, serialized.
fn build(base: Dict, branches: &[Branch]) -> Vec<Vec<u8>> {
    let mut start = MutableConfigMessage::new(7, 5);
    *start.data_mut() = base;
    let mut heads: Vec<MutableConfigMessage> = vec![start];
    let mut out = vec![heads[0].clone().encode(None)];
    for (parent, steps) in branches {
        let mut m = heads[parent.index(heads.len())].clone();
        for ops in steps {
            m = m.increment(None);
            for op in ops {
                apply(m.data_mut(), op);
            }
            out.push(m.encode(None));
            heads.push(m.clone());
        }
    }
    out
}

fn merged_bytes(msgs: &[Vec<u8>]) -> (Vec<u8>, [u8; 32]) {
    let views: Vec<&[u8]> = msgs.iter().map(Vec::as_slice).collect();
    let r = merge(&views, &MergeOptions::default()).expect("merges");
    (r.message.encode(None), *r.message.hash())
}

fn unknown_key() -> impl Strategy<Value = Vec<u8>> {
    prop_oneof![
        Just(b"$".to_vec()),
        Just(b"%x".to_vec()),
        Just(b";".to_vec()),
        Just(b">".to_vec()),
        Just(b"@future".to_vec()),
        Just(b"A".to_vec()),
        Just(b"zz".to_vec()),
        Just(b"}".to_vec()),
    ]
}

fn bencode_value() -> impl Strategy<Value = Value> {
    let leaf = prop_oneof![
        any::<i64>().prop_map(Value::Int),
        proptest::collection::vec(any::<u8>(), 0..10).prop_map(Value::Bytes),
    ];
    leaf.prop_recursive(2, 8, 3, |inner| {
        prop_oneof![
            proptest::collection::vec(inner.clone(), 0..3).prop_map(Value::List),
            proptest::collection::btree_map(
                proptest::collection::vec(any::<u8>(), 0..3),
                inner,
                0..3
            )
            .prop_map(Value::Dict),
        ]
    })
}

proptest! {
    #![proptest_config(ProptestConfig::with_cases(128))]

    #[test]
    fn message_round_trip(seqno in 0i64..1_000_000, d in data()) {
        let mut m = MutableConfigMessage::new(seqno, 5);
        *m.data_mut() = d;
        let bytes = m.encode(None);
        let decoded = ConfigMessage::decode(&bytes, Verify::Ignore).expect("decodes");
        prop_assert_eq!(decoded.encode(None), bytes.clone());
        prop_assert_eq!(decoded.data(), m.data());
        let mut again = decoded.increment();
        prop_assert_eq!(again.data(), m.data());
        let next = ConfigMessage::decode(&again.encode(None), Verify::Ignore).expect("decodes");
        prop_assert_eq!(next.seqno(), seqno + 1);
        prop_assert!(next.lagged().contains_key(&(seqno, *decoded.hash())));
    }

    #[test]
    fn unknown_keys_survive(
        d in data(),
        extra in proptest::collection::btree_map(unknown_key(), bencode_value(), 1..4),
    ) {
        let mut m = MutableConfigMessage::new(3, 5);
        *m.data_mut() = d;
        let Value::Dict(mut top) = Value::decode(&m.encode(None)).expect("bencode") else {
            panic!("not a dict");
        };
        top.extend(extra.clone());
        let bytes = Value::Dict(top).encode();
        let decoded = ConfigMessage::decode(&bytes, Verify::Ignore).expect("decodes");
        prop_assert_eq!(decoded.unknown(), &extra);
        prop_assert_eq!(decoded.encode(None), bytes);
        // An edit carries them forward, untouched.
        let mut next = decoded.increment();
        next.data_mut().insert(b"new".to_vec(), 1.into());
        let Value::Dict(top) = Value::decode(&next.encode(None)).expect("bencode") else {
            panic!("not a dict");
        };
        for (k, v) in &extra {
            prop_assert_eq!(top.get(k), Some(v));
        }
    }
}

proptest! {
    #![proptest_config(ProptestConfig::with_cases(64))]

    #[test]
    fn merge_is_order_independent_and_idempotent(
        (base, branches) in history(),
        perm in any::<u64>(),
    ) {
        let msgs = build(base, &branches);
        let (want, hash) = merged_bytes(&msgs);
        // Every rotation and the reverse of the input order give the same bytes and hash.
        let mut shuffled = msgs.clone();
        shuffled.rotate_left((perm as usize) % msgs.len());
        prop_assert_eq!(merged_bytes(&shuffled), (want.clone(), hash));
        shuffled.reverse();
        prop_assert_eq!(merged_bytes(&shuffled), (want.clone(), hash));
        // Seeing a message twice changes nothing.
        let doubled: Vec<Vec<u8>> = msgs.iter().chain(&msgs).cloned().collect();
        prop_assert_eq!(merged_bytes(&doubled), (want.clone(), hash));
        // The result already contains every input: adding it yields it unchanged.
        let mut with_result = msgs.clone();
        with_result.push(want.clone());
        let views: Vec<&[u8]> = with_result.iter().map(Vec::as_slice).collect();
        let r = merge(&views, &MergeOptions::default()).expect("merges");
        prop_assert_eq!(r.message.encode(None), want);
    }

    #[test]
    fn devices_converge_on_identical_bytes(
        edits in proptest::collection::vec(
            proptest::collection::vec((0u8..4, 0u8..3, proptest::option::of("[a-z]{0,5}")), 1..4),
            2..4,
        ),
        order in any::<u64>(),
    ) {
        let seed = Seed::from_bytes([9; 32]);
        let ids: Vec<SessionId> = (0..4u8)
            .map(|i| format!("05{}", format!("{i:02x}").repeat(32)).parse().expect("id"))
            .collect();
        let mut base = Contacts::new(&seed);
        base.set_name(&ids[0], "base").expect("set");
        let p = base.push().expect("push");
        let mut devices: Vec<Contacts> = edits.iter().map(|_| Contacts::new(&seed)).collect();
        for d in &mut devices {
            d.merge(&[("h0".into(), p.data.clone())]).expect("merges");
        }
        let mut pushes = Vec::new();
        for (n, (d, ops)) in devices.iter_mut().zip(&edits).enumerate() {
            for (who, what, name) in ops {
                let id = &ids[usize::from(*who)];
                match (what, name) {
                    (0, Some(name)) => d.set_nickname(id, name).expect("set"),
                    (1, _) => d.set_blocked(id, true).expect("set"),
                    (2, _) => { d.erase(id).expect("erase"); }
                    _ => d.set_approved(id, true).expect("set"),
                }
            }
            let push = d.push().expect("push");
            d.confirm_pushed(push.seqno, &format!("d{n}"));
            pushes.push((format!("d{n}"), push.data));
        }
        let mut results = Vec::new();
        for (n, d) in devices.iter_mut().enumerate() {
            let mut others: Vec<(String, Vec<u8>)> =
                pushes.iter().enumerate().filter(|(i, _)| *i != n).map(|(_, p)| p.clone()).collect();
            let len = others.len();
            others.rotate_left((order as usize + n) % len);
            d.merge(&others).expect("merges");
            results.push((d.push().expect("push").data, d.message_hash()));
        }
        for r in &results[1..] {
            prop_assert_eq!(r, &results[0]);
        }
    }

    #[test]
    fn contacts_round_trip(
        entries in proptest::collection::btree_map(
            any::<[u8; 32]>(),
            (
                "[ -~]{0,20}",
                "[ -~]{0,20}",
                proptest::option::of(("[a-z:/.]{1,30}", any::<[u8; 32]>())),
                any::<(bool, bool, bool)>(),
                -5i64..5,
                0u8..4,
                (0i64..2_000_000_000, 0u8..3, 0i64..100_000, 0i64..2_000_000_000),
            ),
            0..6,
        ),
    ) {
        let seed = Seed::from_bytes([5; 32]);
        let mut a = Contacts::new(&seed);
        let mut want = BTreeMap::new();
        for (x, (name, nick, pic, (ap, apm, bl), prio, notify, (mute, mode, timer, created))) in
            entries
        {
            let id = SessionId::from_x25519(session_crypto::X25519PublicKey::from_bytes(x));
            let mut c = Contact::new(id);
            c.name = name;
            c.nickname = nick;
            c.profile_pic = pic.map(|(url, key)| ProfilePic { url, key });
            (c.approved, c.approved_me, c.blocked) = (ap, apm, bl);
            c.priority = prio;
            c.notifications = match notify {
                1 => NotifyMode::All,
                2 => NotifyMode::Disabled,
                3 => NotifyMode::MentionsOnly,
                _ => NotifyMode::Defaulted,
            };
            c.mute_until = mute;
            c.exp_mode = match mode {
                1 => ExpirationMode::AfterSend,
                2 => ExpirationMode::AfterRead,
                _ => ExpirationMode::None,
            };
            c.exp_timer = timer;
            c.created = created;
            a.set(&c).expect("set");
            // What a reader sees: mentions-only is all; no mode or no timer is no expiry.
            if c.notifications == NotifyMode::MentionsOnly {
                c.notifications = NotifyMode::All;
            }
            if c.exp_mode == ExpirationMode::None || c.exp_timer == 0 {
                (c.exp_mode, c.exp_timer) = (ExpirationMode::None, 0);
            }
            want.insert(id, c);
        }
        let p = a.push().expect("push");
        let mut b = Contacts::new(&seed);
        b.merge(&[("h".into(), p.data)]).expect("merges");
        let got: BTreeMap<SessionId, Contact> = b.iter().map(|c| (c.session_id, c)).collect();
        prop_assert_eq!(got, want);
        let mut restored = Contacts::from_dump(&seed, &b.dump()).expect("loads");
        prop_assert_eq!(restored.message_hash(), b.message_hash());
    }

    #[test]
    fn profile_and_convo_round_trip(
        name in "[ -~]{0,100}",
        prio in any::<i64>(),
        expiry in any::<i64>(),
        msgreqs in proptest::option::of(any::<bool>()),
        reads in proptest::collection::btree_map(any::<[u8; 32]>(), (0i64..1000, any::<bool>()), 0..5),
    ) {
        let seed = Seed::from_bytes([6; 32]);
        let mut p = UserProfile::new(&seed);
        p.set_name(&name).expect("name");
        p.set_nts_priority(prio).expect("prio");
        p.set_nts_expiry(expiry).expect("expiry");
        p.set_blinded_msgreqs(msgreqs).expect("msgreqs");
        let mut q = UserProfile::new(&seed);
        q.merge(&[("h".into(), p.push().expect("push").data)]).expect("merges");
        prop_assert_eq!(q.name(), Some(name).filter(|n| !n.is_empty()));
        prop_assert_eq!(q.nts_priority(), prio);
        prop_assert_eq!(q.nts_expiry(), Some(expiry).filter(|&e| e > 0));
        prop_assert_eq!(q.blinded_msgreqs(), msgreqs);

        let now = 1_700_000_000_000i64;
        let mut c = ConvoInfoVolatile::new(&seed);
        let mut want = Vec::new();
        for (x, (ago, unread)) in reads {
            let id = SessionId::from_x25519(session_crypto::X25519PublicKey::from_bytes(x));
            let o = OneToOne { session_id: id, last_read: now - ago, unread };
            c.set_1to1(&o, now).expect("set");
            want.push(o);
        }
        let mut d = ConvoInfoVolatile::new(&seed);
        d.merge(&[("h".into(), c.push(now).expect("push").data)]).expect("merges");
        prop_assert_eq!(d.one_to_ones(), want);
    }
}

fn common() -> impl Strategy<Value = GroupCommon> {
    (
        any::<i64>(),
        0i64..2_000_000_000,
        0u8..4,
        0i64..2_000_000_000,
        any::<bool>(),
    )
        .prop_map(
            |(priority, joined_at, notify, mute_until, invited)| GroupCommon {
                priority,
                joined_at,
                notifications: match notify {
                    1 => NotifyMode::All,
                    2 => NotifyMode::Disabled,
                    3 => NotifyMode::MentionsOnly,
                    _ => NotifyMode::Defaulted,
                },
                mute_until,
                invited,
            },
        )
}

proptest! {
    #![proptest_config(ProptestConfig::with_cases(200))]

    /// UserGroups: groups v2 (admins with their seed, members with auth data) and community
    /// rooms come back from a pushed config, and from a dump, as they were set.
    #[test]
    fn user_groups_round_trip(
        groups in proptest::collection::vec(
            (any::<[u8; 32]>(), "[ -~]{0,20}", any::<bool>(), any::<[u8; 32]>(), 0u8..3, common()),
            0..5,
        ),
        rooms in proptest::collection::vec(("[a-z0-9]{1,10}", any::<[u8; 32]>(), common()), 0..4),
    ) {
        let seed = Seed::from_bytes([7; 32]);
        let mut a = UserGroups::new(&seed);
        let mut want_groups = BTreeMap::new();
        for (group_seed, name, admin, auth, removed, common) in groups {
            let gs = GroupSeed::from_bytes(group_seed);
            let id = GroupId::from_ed25519(IdentityKeys::from_seed(Seed::from_bytes(group_seed)).ed25519_public());
            prop_assume!(gs.keys().ed25519_public() == id.ed25519());
            let mut g = GroupInfo::new(id);
            g.name = name;
            if admin {
                g.secret = Some(gs);
            } else {
                g.auth_data = Some([auth[0]; 100]);
            }
            g.removed = match removed {
                1 => RemovedStatus::Kicked,
                2 => RemovedStatus::Destroyed,
                _ => RemovedStatus::NotRemoved,
            };
            g.common = common;
            a.set_group(&g).expect("set group");
            want_groups.insert(g.id.to_string(), g);
        }
        let mut want_rooms = BTreeMap::new();
        for (i, (room, pubkey, common)) in rooms.into_iter().enumerate() {
            let c = CommunityInfo { base_url: format!("http://h{i}.example"), room, pubkey, common };
            a.set_community(&c).expect("set community");
            want_rooms.insert(c.base_url.clone(), c);
        }
        let mut b = UserGroups::new(&seed);
        b.merge(&[("h".into(), a.push().expect("push").data)]).expect("merges");
        let got: BTreeMap<String, GroupInfo> = b.groups().into_iter().map(|g| (g.id.to_string(), g)).collect();
        prop_assert_eq!(got, want_groups);
        let got: BTreeMap<String, CommunityInfo> =
            b.communities().into_iter().map(|c| (c.base_url.clone(), c)).collect();
        prop_assert_eq!(got, want_rooms);
        let mut restored = UserGroups::from_dump(&seed, &b.dump()).expect("loads");
        prop_assert_eq!(restored.message_hash(), b.message_hash());
    }
}

/// The fuzz target's body (`fuzz/fuzz_targets/config_decrypt_decode.rs`) on random and on
/// mutated valid input, so every `cargo test` exercises it a little.
fn receive_path(mode: u8, rest: &[u8]) {
    use session_config::encrypt::{self, ConfigKey};
    if let Ok(m) = ConfigMessage::decode(rest, Verify::Ignore) {
        let bytes = m.encode(None);
        let again = ConfigMessage::decode(&bytes, Verify::Ignore).expect("own encoding decodes");
        assert_eq!(again.encode(None), bytes);
    }
    let _ = encrypt::unpad_and_decompress(rest);
    let seed = Seed::from_bytes([7; 32]);
    let key = ConfigKey::from_seed(&seed);
    let stored = match mode % 3 {
        0 => Some(rest.to_vec()),
        1 => encrypt::seal(rest, &key, "UserProfile", false).ok(),
        _ => encrypt::seal(rest, &key, "UserProfile", true).ok(),
    };
    if let Some(stored) = stored {
        let mut p = UserProfile::new(&seed);
        if p.merge(&[("h".into(), stored)]).is_ok() {
            let _ = p.name();
            p.push().expect("a decoded config pushes");
        }
    }
}

proptest! {
    #![proptest_config(ProptestConfig::with_cases(256))]

    #[test]
    fn random_bytes_never_panic(mode in any::<u8>(), rest in proptest::collection::vec(any::<u8>(), 0..300)) {
        receive_path(mode, &rest);
    }

    #[test]
    fn mutated_messages_never_panic(
        d in data(),
        flips in proptest::collection::vec((any::<prop::sample::Index>(), any::<u8>()), 1..4),
        mode in any::<u8>(),
    ) {
        let mut m = MutableConfigMessage::new(4, 5);
        *m.data_mut() = d;
        let mut bytes = m.increment(None).encode(None);
        for (i, b) in flips {
            let at = i.index(bytes.len());
            bytes[at] = b;
        }
        receive_path(mode, &bytes);
    }
}
