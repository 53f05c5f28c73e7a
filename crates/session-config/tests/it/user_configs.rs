//! The typed user configs, following libsession-util's `test_config_contacts.cpp`,
//! `test_config_convo_info_volatile.cpp` and `test_config_user_groups.cpp`: what is stored
//! where, and two devices converging on identical bytes.

use crate::util::{cat, show};
use session_config::data::encode_dict;
use session_config::user::{
    CommunityInfo, Contact, Contacts, ConvoCommunity, ConvoGroup, ConvoInfoVolatile,
    ConvoLegacyGroup, ExpirationMode, GroupCommon, GroupInfo, GroupSeed, LegacyGroupInfo,
    NotifyMode, OneToOne, ProfilePic, RemovedStatus, UserGroups,
};
use session_config::{Error, State};
use session_crypto::{GroupId, Seed, SessionId};
use std::collections::BTreeMap;

const SEED: &str = "0123456789abcdef0123456789abcdef00000000000000000000000000000000";
const NOW_S: i64 = 1_700_000_000;
const NOW_MS: i64 = NOW_S * 1000;

fn seed() -> Seed {
    Seed::from_hex(SEED).expect("seed")
}

fn sid(c: char) -> SessionId {
    format!("05{}", c.to_string().repeat(64))
        .parse()
        .expect("id")
}

fn data_bytes(d: &session_config::data::Dict) -> Vec<u8> {
    let mut out = Vec::new();
    encode_dict(d, &mut out);
    out
}

#[test]
fn contacts_layout_and_convergence() {
    let mut a = Contacts::new(&seed());
    let joe = sid('0');
    assert!(a.get(&joe).is_none());
    assert!(a.is_empty());
    let mut c = a.get_or_construct(&joe);
    assert_eq!(c, Contact::new(joe));
    assert_eq!(a.push().expect("push").seqno, 0);
    c.name = "Joe".into();
    c.nickname = "Joey".into();
    c.approved = true;
    c.approved_me = true;
    c.created = NOW_S;
    c.notifications = NotifyMode::All;
    c.mute_until = NOW_S + 1800;
    a.set(&c).expect("set");
    assert_eq!(a.get(&joe), Some(c.clone()));
    let id = joe.to_bytes();
    assert_eq!(
        show(&data_bytes(a.config().data())),
        show(&cat(&[
            b"d1:cd33:",
            &id,
            format!(
                "d1:!i{}e1:@i1e1:Ai1e1:N4:Joey1:ai1e1:ji{NOW_S}e1:n3:Joeeee",
                NOW_S + 1800
            )
            .as_bytes(),
        ]))
    );
    let p = a.push().expect("push");
    assert_eq!(p.seqno, 1);
    a.confirm_pushed(1, "fakehash1");
    assert!(!a.needs_push());

    let mut b = Contacts::from_dump(&seed(), &a.dump()).expect("loads");
    assert!(!b.needs_push());
    assert_eq!(b.push().expect("push").seqno, 1);
    assert_eq!(b.get(&joe), Some(c));

    // A contact with nothing set still keeps its entry (the name is always written).
    let another = sid('1');
    b.set(&b.get_or_construct(&another)).expect("set");
    let p2 = b.push().expect("push");
    assert_eq!(p2.seqno, 2);
    a.merge(&[("fakehash2".into(), p2.data)]).expect("merges");
    b.confirm_pushed(2, "fakehash2");
    assert!(!a.needs_push());
    let p = a.push().expect("push");
    assert_eq!((p.seqno, p.obsolete), (2, vec!["fakehash1".to_string()]));
    let ids: Vec<SessionId> = a.iter().map(|c| c.session_id).collect();
    assert_eq!(ids, vec![joe, another]);

    // Conflict: A deletes Joe while B adds a third contact.
    assert!(a.erase(&joe).expect("erase"));
    let third = sid('2');
    b.set_nickname(&third, "Nickname 3").expect("set");
    b.set_approved(&third, true).expect("set");
    b.set_blocked(&third, true).expect("set");
    let pic = ProfilePic {
        url: "http://example.com/huge.bmp".into(),
        key: *b"qwerty78901234567890123456789012",
    };
    b.set_profile_pic(&third, Some(pic.clone())).expect("set");
    let (pa, pb) = (a.push().expect("push"), b.push().expect("push"));
    assert_eq!(pa.seqno, pb.seqno);
    assert_ne!(pa.data, pb.data);
    assert_eq!(pa.obsolete, vec!["fakehash2".to_string()]);
    assert_eq!(pb.obsolete, vec!["fakehash2".to_string()]);
    a.confirm_pushed(pa.seqno, "fakehash3a");
    b.confirm_pushed(pb.seqno, "fakehash3b");
    a.merge(&[("fakehash3b".into(), pb.data)]).expect("merges");
    b.merge(&[("fakehash3a".into(), pa.data)]).expect("merges");
    assert!(a.needs_push() && b.needs_push());
    let (qa, qb) = (a.push().expect("push"), b.push().expect("push"));
    assert_eq!(qa.seqno, pa.seqno + 1);
    assert_eq!(
        qa.data, qb.data,
        "identical merged pushes (the swarm keeps one)"
    );
    let both = vec!["fakehash3a".to_string(), "fakehash3b".to_string()];
    assert_eq!((qa.obsolete, qb.obsolete), (both.clone(), both));
    let listed: Vec<(SessionId, String)> = a.iter().map(|c| (c.session_id, c.nickname)).collect();
    assert_eq!(
        listed,
        vec![(another, String::new()), (third, "Nickname 3".into())]
    );
    let t = a.get(&third).expect("third");
    assert!(t.approved && t.blocked && !t.approved_me);
    assert_eq!(t.profile_pic, Some(pic));
}

#[test]
fn contact_fields_round_trip() {
    let mut cs = Contacts::new(&seed());
    let id = sid('a');
    let mut c = Contact::new(id);
    c.priority = -1;
    c.notifications = NotifyMode::MentionsOnly;
    c.exp_mode = ExpirationMode::AfterRead;
    c.exp_timer = 3600;
    cs.set(&c).expect("set");
    let got = cs.get(&id).expect("stored");
    assert_eq!(
        got.notifications,
        NotifyMode::All,
        "mentions-only is stored as all"
    );
    assert_eq!(
        (got.exp_mode, got.exp_timer, got.priority),
        (ExpirationMode::AfterRead, 3600, -1)
    );
    cs.set_expiry(&id, ExpirationMode::AfterSend, 0)
        .expect("set");
    let got = cs.get(&id).expect("stored");
    assert_eq!((got.exp_mode, got.exp_timer), (ExpirationMode::None, 0));
    let long = "n".repeat(101);
    assert!(matches!(
        cs.set_nickname(&id, &long),
        Err(Error::InvalidValue { .. })
    ));
}

#[test]
fn unknown_contact_keys_survive_a_typed_update() {
    let mut cs = Contacts::new(&seed());
    let id = sid('b');
    let key = id.to_bytes();
    cs.config_mut()
        .set(&[b"c", &key, b"zz"], "from a newer client".into())
        .expect("set");
    cs.set_nickname(&id, "Bee").expect("set");
    let c = cs.get(&id).expect("stored");
    assert_eq!(c.nickname, "Bee");
    let raw = session_config::data::get(cs.config().data(), &[b"c", &key, b"zz"]);
    assert_eq!(
        raw.and_then(|f| f.as_bytes()),
        Some(b"from a newer client".as_slice())
    );
}

#[test]
fn convo_info_volatile_flow() {
    let mut a = ConvoInfoVolatile::new(&seed());
    let real = sid('5');
    assert!(a.get_1to1(&real).is_none());
    assert_eq!(a.push(NOW_MS).expect("push").seqno, 0);
    a.set_1to1(
        &OneToOne {
            session_id: real,
            last_read: NOW_MS,
            unread: false,
        },
        NOW_MS,
    )
    .expect("set");
    assert_eq!(a.get_1to1(&real).map(|c| c.last_read), Some(NOW_MS));
    let pk = [0x42; 32];
    a.set_community(
        &ConvoCommunity {
            base_url: "http://Example.ORG:5678".into(),
            room: "SudokuRoom".into(),
            pubkey: pk,
            last_read: 0,
            unread: true,
        },
        NOW_MS,
    )
    .expect("set");
    let gid: GroupId = "030111101001001000101010011011010010101010111010000110100001210000"
        .parse()
        .expect("group id");
    a.set_group(
        &ConvoGroup {
            id: gid,
            last_read: NOW_MS,
            unread: true,
        },
        NOW_MS,
    )
    .expect("set");
    let p = a.push(NOW_MS).expect("push");
    assert_eq!(p.seqno, 1);
    a.confirm_pushed(1, "hash1");

    let b = ConvoInfoVolatile::from_dump(&seed(), &a.dump()).expect("loads");
    let comm = b
        .get_community("http://EXAMPLE.org:5678", "sudokuRoom")
        .expect("valid")
        .expect("stored");
    assert_eq!(comm.base_url, "http://example.org:5678");
    assert_eq!(comm.room, "sudokuroom");
    assert_eq!(comm.pubkey, pk);
    assert!(comm.unread);
    assert_eq!(
        b.get_group(&gid).map(|g| (g.last_read, g.unread)),
        Some((NOW_MS, true))
    );

    // Too old to record: only the unread flag is kept; at push, read stale entries go.
    let mut c = b;
    let old = NOW_MS - 31 * 24 * 3600 * 1000;
    let legacy = sid('c');
    c.set_legacy_group(
        &ConvoLegacyGroup {
            id: legacy,
            last_read: old,
            unread: false,
        },
        NOW_MS,
    )
    .expect("set");
    assert!(c.get_legacy_group(&legacy).is_none(), "nothing to store");
    c.set_1to1(
        &OneToOne {
            session_id: sid('1'),
            last_read: old,
            unread: true,
        },
        NOW_MS,
    )
    .expect("set");
    assert_eq!(
        c.get_1to1(&sid('1')).map(|x| (x.last_read, x.unread)),
        Some((0, true))
    );
    // Making a stored time older is a reset and is kept.
    c.set_1to1(
        &OneToOne {
            session_id: real,
            last_read: old,
            unread: false,
        },
        NOW_MS,
    )
    .expect("set");
    assert_eq!(c.get_1to1(&real).map(|x| x.last_read), Some(old));
    c.push(NOW_MS + 15 * 24 * 3600 * 1000).expect("push");
    assert!(c.get_1to1(&real).is_none(), "read 46 days before: pruned");
    assert!(c.get_1to1(&sid('1')).is_some(), "unread: kept");
    assert!(
        c.erase_community("http://example.org:5678", "SUDOKUROOM")
            .expect("erase")
    );
    let server = session_config::data::get(c.config().data(), &[b"o", b"http://example.org:5678"]);
    assert!(server.is_none(), "the server goes with its last room");
}

#[test]
fn user_groups_flow() {
    let mut g = UserGroups::new(&seed());
    let lg_id = sid('5');
    let members: BTreeMap<SessionId, bool> =
        [(sid('0'), false), (sid('1'), false), (sid('2'), true)].into();
    let lg = LegacyGroupInfo {
        id: lg_id,
        name: "Englishmen".into(),
        enc_keypair: Some(([7; 32], GroupSeed::from_bytes([8; 32]))),
        members: members.clone(),
        disappearing_timer: 3600,
        common: GroupCommon {
            priority: 3,
            joined_at: NOW_S,
            notifications: NotifyMode::MentionsOnly,
            mute_until: NOW_S + 3600,
            invited: false,
        },
    };
    g.set_legacy_group(&lg).expect("set");
    let og = CommunityInfo {
        base_url: "http://Example.ORG:5678".into(),
        room: "SudokuRoom".into(),
        pubkey: [0x01; 32],
        common: GroupCommon {
            priority: 14,
            ..Default::default()
        },
    };
    g.set_community(&og).expect("set");
    let gid: GroupId = format!("03{}", "01".repeat(32)).parse().expect("id");
    g.set_group(&GroupInfo::new(gid)).expect("set");
    let p = g.push().expect("push");
    assert_eq!(p.seqno, 1);
    g.confirm_pushed(1, "fakehash1");

    let g2 = UserGroups::from_dump(&seed(), &g.dump()).expect("loads");
    let got = g2.get_legacy_group(&lg_id).expect("stored");
    assert_eq!(got, lg);
    assert_eq!(got.members, members);
    let comm = g2
        .get_community("http://EXAMPLE.org:5678", "sudokuRoom")
        .expect("valid")
        .expect("stored");
    assert_eq!(comm.base_url, "http://example.org:5678");
    assert_eq!(comm.room, "SudokuRoom", "display case kept");
    assert_eq!(comm.common.priority, 14);
    assert_eq!(g2.communities().len(), 1);
    let entry = g2.get_group(&gid).expect("stored");
    assert!(entry.secret.is_none() && entry.auth_data.is_none());
    // A non-admin entry stores an empty `K`.
    let k = session_config::data::get(g2.config().data(), &[b"g", &gid.to_bytes(), b"K"]);
    assert_eq!(k.and_then(|f| f.as_bytes()), Some(&[][..]));
}

#[test]
fn group_admin_seed_must_match_the_id() {
    let mut g = UserGroups::new(&seed());
    let seed = GroupSeed::from_bytes([9; 32]);
    let gid = GroupId::from_ed25519(seed.keys().ed25519_public());
    let mut info = GroupInfo::new(gid);
    info.name = "Admins".into();
    info.secret = Some(seed.clone());
    info.removed = RemovedStatus::Kicked;
    info.auth_data = Some([5; 100]);
    g.set_group(&info).expect("set");
    let got = g.get_group(&gid).expect("stored");
    assert_eq!(got.secret, Some(seed));
    assert_eq!(got.removed, RemovedStatus::Kicked);
    assert_eq!(got.name, "Admins");
    // A seed of another group is not stored as ours.
    let other: GroupId = format!("03{}", "02".repeat(32)).parse().expect("id");
    let mut wrong = GroupInfo::new(other);
    wrong.secret = Some(GroupSeed::from_bytes([9; 32]));
    g.set_group(&wrong).expect("set");
    assert!(g.get_group(&other).expect("stored").secret.is_none());
    assert_eq!(g.config().state(), State::Dirty);
}
