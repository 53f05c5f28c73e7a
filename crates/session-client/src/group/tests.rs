//! A poll's pages applied to a member's group: bad input is refused with its reason, stores
//! nothing, and the poll goes on (every namespace's cursor moves).

use super::group_hash;
use super::poll::apply_pages;
use super::swarm::GroupNamespacePage;
use crate::content::{self, Expiry, Payload};
use session_crypto::{IdentityKeys, Seed, SessionId};
use session_group::configs::GroupInfo;
use session_group::{Group, GroupAdmin};

fn page(ns: i16, messages: Vec<(String, Vec<u8>, i64)>) -> GroupNamespacePage {
    let last_hash = messages.last().map(|m| m.0.clone());
    GroupNamespacePage {
        namespace: ns,
        messages,
        last_hash,
        failure: None,
    }
}

fn text(g: &Group, body: &str) -> Vec<u8> {
    let c = content::build(
        &Payload::Text {
            body: body.into(),
            quote: None,
        },
        Expiry::Off,
        5,
    );
    let plain = session_protocol::group::envelope_bytes(&g.id(), &c, 5).expect("envelope");
    g.encrypt_message(&plain, &mut rand::rng()).expect("sealed")
}

#[test]
fn bad_group_input_is_refused_and_the_poll_goes_on() {
    let admin_user = Seed::from_bytes([31; 32]);
    let member = IdentityKeys::from_seed(Seed::from_bytes([32; 32]));
    let mut g = Group::create(&admin_user, "g", "", 1, &mut rand::rng()).expect("group");
    let id = g.id();
    let k0 = g.keys().pending_config().expect("k0").to_vec();
    g.load_keys(&group_hash(&id, 12, &k0), &k0, 1).expect("k0");
    let added = g
        .add_members(&[(member.session_id(), "m")], false)
        .expect("added");
    let k1 = added.keys_message;
    g.load_keys(&group_hash(&id, 12, &k1), &k1, 2).expect("k1");
    let info = g.push_info().expect("push").expect("info");
    let members = g.push_members().expect("push").expect("members");

    // Forgeries: a keys message of another group; an info config encrypted with the right
    // key but signed by a key that is not the group's; a message from someone who holds the
    // key but is not a member; bytes that are nothing.
    let mut other = Group::create(&admin_user, "x", "", 1, &mut rand::rng()).expect("other");
    let forged_keys = other.rekey().expect("rekey");
    let impostor = GroupAdmin::from_seed(Seed::from_bytes([33; 32]));
    let mut fake = GroupInfo::new(&id, Some(&impostor), g.keys().group_keys());
    fake.set_name("hijacked").expect("name");
    let fake_info = fake.push().expect("push").data;
    let outsider = Seed::from_bytes([34; 32]);
    let mut stranger = Group::open(
        &outsider,
        id,
        Some(g.keys().admin().expect("a").duplicate()),
    )
    .expect("open");
    stranger.load_keys("k1", &k1, 2).expect("key");

    let h = |ns: i16, d: &[u8]| group_hash(&id, ns, d);
    let from_admin = text(&g, "from the admin");
    let from_stranger = text(&stranger, "from a stranger");
    let left = {
        let c =
            session_protocol::group::build(&session_protocol::group::GroupUpdate::MemberLeft, 6);
        let plain = session_protocol::group::envelope_bytes(&id, &c, 6).expect("envelope");
        g.encrypt_message(&plain, &mut rand::rng()).expect("sealed")
    };
    let pages = vec![
        page(
            12,
            vec![
                (h(12, &forged_keys), forged_keys.clone(), 3),
                (h(12, &k1), k1.clone(), 2),
            ],
        ),
        page(
            13,
            vec![
                (h(13, &info.data), info.data.clone(), 2),
                (h(13, &fake_info), fake_info, 4),
            ],
        ),
        page(14, vec![(h(14, &members.data), members.data.clone(), 2)]),
        page(
            11,
            vec![
                (h(11, &from_admin), from_admin.clone(), 5),
                (h(11, &from_stranger), from_stranger.clone(), 6),
                (h(11, b"junk"), b"junk".to_vec(), 7),
                (h(11, &left), left.clone(), 8),
            ],
        ),
    ];
    let mut mine = Group::open(member.seed(), id, None).expect("member");
    let (poll, round, effects) = apply_pages(&mut mine, &pages);

    assert_eq!(mine.keys().key_infos().len(), 1, "only the group's own key");
    assert_eq!(
        mine.info().name().as_deref(),
        Some("g"),
        "the forged name is not taken"
    );
    let texts: Vec<&str> = poll.messages.iter().map(|m| m.text.as_str()).collect();
    assert_eq!(texts, ["from the admin", "left the group"]);
    let admin_id = IdentityKeys::from_seed(admin_user).session_id();
    assert_eq!(
        effects.left,
        [admin_id],
        "a member who left is for the admins to remove"
    );
    let why: Vec<&str> = round.refused.iter().map(|(_, w)| w.as_str()).collect();
    assert_eq!(why.len(), 4, "{why:?}");
    assert!(
        why[0].starts_with("keys message") && why[0].contains("signature"),
        "{why:?}"
    );
    assert!(why[1].starts_with("config"), "{why:?}");
    assert!(why[2].contains("not a member"), "{why:?}");
    assert!(why[3].starts_with("message"), "{why:?}");
    let polled: Vec<i16> = poll.cursors.iter().map(|c| c.0).collect();
    assert_eq!(
        polled,
        [12, 13, 14, 11],
        "every cursor moves past what was refused"
    );
}

#[test]
fn a_swarm_that_refuses_every_namespace_is_one_failure() {
    let admin_user = Seed::from_bytes([41; 32]);
    let g = Group::create(&admin_user, "g", "", 1, &mut rand::rng()).expect("group");
    let mut mine = Group::open(&Seed::from_bytes([42; 32]), g.id(), None).expect("open");
    let refused = |ns| GroupNamespacePage {
        namespace: ns,
        failure: Some((401, "retrieve signature verification failed".into())),
        ..Default::default()
    };
    let pages: Vec<_> = [12, 13, 14, 11].map(refused).into();
    let (poll, round, _) = apply_pages(&mut mine, &pages);
    assert!(round.refused.is_empty());
    assert_eq!(round.failed.len(), 1);
    assert!(round.failed[0].1.contains("401"), "{:?}", round.failed);
    assert!(poll.cursors.is_empty(), "no cursor moves");
}

/// A group message from `g`'s holder: a control message sent at `ts`.
fn notice(g: &Group, u: &session_protocol::group::GroupUpdate, ts: u64) -> Vec<u8> {
    let c = session_protocol::group::build(u, ts);
    let plain = session_protocol::group::envelope_bytes(&g.id(), &c, ts).expect("envelope");
    g.encrypt_message(&plain, &mut rand::rng()).expect("sealed")
}

#[test]
fn deletions_need_the_admin_signature_or_the_author() {
    use super::delete::resolve;
    use session_group::control::{self, Control, DeleteAuthority};
    use session_protocol::group::GroupUpdate;
    let admin_user = Seed::from_bytes([51; 32]);
    let bob = IdentityKeys::from_seed(Seed::from_bytes([52; 32]));
    let carol = IdentityKeys::from_seed(Seed::from_bytes([53; 32]));
    let (bid, cid) = (bob.session_id(), carol.session_id());
    let mut g = Group::create(&admin_user, "g", "", 1, &mut rand::rng()).expect("group");
    let id = g.id();
    let k0 = g.keys().pending_config().expect("k0").to_vec();
    g.load_keys(&group_hash(&id, 12, &k0), &k0, 1).expect("k0");
    let added = g
        .add_members(&[(bid, "b"), (cid, "c")], false)
        .expect("added");
    let k1 = added.keys_message;
    g.load_keys(&group_hash(&id, 12, &k1), &k1, 2).expect("k1");
    let members = g.push_members().expect("push").expect("members");
    let as_member = |k: &IdentityKeys| {
        let mut m = Group::open(k.seed(), id, None).expect("member");
        m.load_keys("k1", &k1, 2).expect("key");
        m
    };
    let (as_bob, as_carol) = (as_member(&bob), as_member(&carol));
    let h = |d: &[u8]| group_hash(&id, 11, d);
    let bobs = text(&as_bob, "bob's");
    let carols = text(&as_carol, "carol's");
    let (hb, hc) = (h(&bobs), h(&carols));
    let unsend = |hashes: Vec<String>, members: Vec<_>, sig| GroupUpdate::DeleteMemberContent {
        members,
        hashes,
        admin_signature: sig,
    };
    let ts = 10;
    let forged_sig = carol.sign(
        &Control::DeleteContent {
            timestamp_ms: ts,
            members: &[],
            hashes: std::slice::from_ref(&hb),
        }
        .signed_bytes(),
    );
    let admin = g.keys().admin().expect("admin").duplicate();
    let admin_sig = control::sign(
        &admin,
        &Control::DeleteContent {
            timestamp_ms: ts,
            members: &[cid],
            hashes: &[],
        },
    );
    let msgs = [
        bobs.clone(),
        carols.clone(),
        // Bob unsends his own; Carol "unsends" Bob's; Carol names Bob without a signature;
        // Carol signs with her own key; the admin deletes all of Carol's.
        notice(&as_bob, &unsend(vec![hb.clone()], vec![], None), ts),
        notice(&as_carol, &unsend(vec![hb.clone()], vec![], None), ts),
        notice(&as_carol, &unsend(vec![], vec![bid], None), ts),
        notice(
            &as_carol,
            &unsend(vec![hb.clone()], vec![], Some(forged_sig.to_vec())),
            ts,
        ),
        notice(&g, &unsend(vec![], vec![cid], Some(admin_sig.to_vec())), ts),
    ];
    let pages = vec![
        page(12, vec![(group_hash(&id, 12, &k1), k1.clone(), 2)]),
        page(
            14,
            vec![(group_hash(&id, 14, &members.data), members.data.clone(), 2)],
        ),
        page(11, msgs.iter().map(|m| (h(m), m.clone(), 5)).collect()),
    ];
    let mut reader = as_member(&bob);
    let (poll, round, effects) = apply_pages(&mut reader, &pages);
    let why: Vec<&str> = round.refused.iter().map(|(_, w)| w.as_str()).collect();
    assert_eq!(why.len(), 2, "{why:?}");
    assert!(why[0].contains("only a group admin"), "{why:?}");
    assert!(why[1].contains("signature does not verify"), "{why:?}");
    let authorities: Vec<_> = effects.deletions.iter().map(|d| d.authority).collect();
    assert_eq!(
        authorities,
        [
            DeleteAuthority::Author(bid),
            DeleteAuthority::Author(cid),
            DeleteAuthority::Admin
        ]
    );
    let author_of = |hash: &str| {
        let m = poll.messages.iter().find(|m| m.hash == hash)?;
        Some((m.sender.clone(), m.sent_at_ms))
    };
    let hashes_of = |who: &SessionId, up_to: u64| -> Vec<String> {
        let who = who.to_string();
        let of = poll
            .messages
            .iter()
            .filter(|m| m.sender == who && m.sent_at_ms <= up_to);
        of.map(|m| m.hash.clone()).collect()
    };
    let d = &effects.deletions;
    assert_eq!(resolve(&d[0], author_of, hashes_of), Ok(vec![hb.clone()]));
    let refused = resolve(&d[1], author_of, hashes_of).expect_err("not carol's message");
    assert!(refused.contains(&format!("is {bid}'s")), "{refused}");
    // All of Carol's messages: her text and her own deletion notice.
    let mut carols_all = vec![hc.clone(), h(&msgs[3])];
    carols_all.sort();
    assert_eq!(resolve(&d[2], author_of, hashes_of), Ok(carols_all));
    // A deletion does not reach messages sent after it.
    let mut early = d[2].clone();
    early.at_ms = 4;
    assert_eq!(resolve(&early, author_of, hashes_of), Ok(vec![]));
}
