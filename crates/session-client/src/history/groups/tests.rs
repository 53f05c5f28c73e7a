//! Invitations and promotions applied with a 1:1 poll; a group poll's commit.

use super::*;
use crate::history::PollBatch;
use crate::history::groups::GroupUpdateIn;
use session_crypto::{IdentityKeys, Seed};
use session_group::control::{self, Control};
use session_group::{Group, GroupAdmin};
use session_protocol::group::GroupUpdate;
use zeroize::Zeroizing;

const NOW: u64 = 1_700_000_000_000;

fn me() -> (History, IdentityKeys) {
    let seed = Seed::from_bytes([21; 32]);
    let h = History::in_memory().expect("db").with_seed(seed.clone());
    (h, IdentityKeys::from_seed(seed))
}

/// An admin's group with `member` added; returns it, the invitation and its admin key.
fn invited(member: &IdentityKeys, sign_with: Option<&GroupAdmin>) -> (Group, GroupUpdateIn) {
    let admin_user = Seed::from_bytes([22; 32]);
    let mut g = Group::create(&admin_user, "garden", "", 1, &mut rand::rng()).expect("group");
    let added = g
        .add_members(&[(member.session_id(), "")], false)
        .expect("added");
    let admin = g.keys().admin().expect("admin").duplicate();
    let signer = sign_with.unwrap_or(&admin);
    let invitee = member.session_id();
    let sig = control::sign(
        signer,
        &Control::Invite {
            invitee: &invitee,
            timestamp_ms: NOW,
        },
    );
    let update = GroupUpdate::Invite {
        group: g.id(),
        name: "garden".into(),
        auth_data: Zeroizing::new(added.auth[0].1.as_bytes().to_vec()),
        admin_signature: sig.to_vec(),
    };
    let u = GroupUpdateIn {
        sender: IdentityKeys::from_seed(admin_user).session_id().to_string(),
        sent_at_ms: NOW,
        hash: "inv".into(),
        update,
    };
    (g, u)
}

fn poll(h: &mut History, updates: Vec<GroupUpdateIn>) -> crate::history::Applied {
    h.apply_batch(&PollBatch {
        last_hash: Some("m1".into()),
        group_updates: updates,
        calls: Vec::new(),
        now_ms: NOW,
        ..Default::default()
    })
    .expect("applied")
}

#[test]
fn a_verified_invitation_is_kept_in_user_groups() {
    let (mut h, keys) = me();
    let (g, u) = invited(&keys, None);
    let applied = poll(&mut h, vec![u]);
    assert_eq!(applied.group_invites.len(), 1);
    assert!(applied.group_refusals.is_empty());
    let rows = h.groups().expect("groups");
    assert_eq!(rows.len(), 1);
    assert_eq!(rows[0].id, g.id().to_string());
    assert!(rows[0].invited && !rows[0].admin);
    let entry = h.group_secrets(&g.id()).expect("db").expect("entry").entry;
    assert!(entry.auth_data.is_some());
    assert_eq!(h.cursor(0).expect("cursor"), "m1");
}

#[test]
fn a_forged_invitation_is_refused_and_nothing_is_stored() {
    let (mut h, keys) = me();
    let forger = GroupAdmin::from_seed(Seed::from_bytes([66; 32]));
    let (_, forged) = invited(&keys, Some(&forger));
    // Auth data for someone else: the admin signed another member's token.
    let other = IdentityKeys::from_seed(Seed::from_bytes([23; 32]));
    let (_, mut stolen) = invited(&other, None);
    if let GroupUpdate::Invite {
        admin_signature, ..
    } = &mut stolen.update
    {
        *admin_signature = vec![0; 64];
    }
    let applied = poll(&mut h, vec![forged, stolen]);
    assert!(applied.group_invites.is_empty());
    assert_eq!(
        applied.group_refusals.len(),
        2,
        "{:?}",
        applied.group_refusals
    );
    assert!(applied.group_refusals[0].contains("invitation refused"));
    assert!(h.groups().expect("groups").is_empty(), "nothing stored");
    assert_eq!(h.cursor(0).expect("cursor"), "m1", "the poll goes on");
}

#[test]
fn a_promotion_needs_the_groups_own_key() {
    let (mut h, keys) = me();
    let (g, u) = invited(&keys, None);
    poll(&mut h, vec![u]);
    let wrong = GroupUpdateIn {
        sender: "x".into(),
        sent_at_ms: NOW,
        hash: "p0".into(),
        update: GroupUpdate::Promote {
            seed: Zeroizing::new([9; 32]),
            name: "garden".into(),
        },
    };
    let applied = poll(&mut h, vec![wrong]);
    assert_eq!(applied.group_refusals.len(), 1);
    assert!(!h.groups().expect("groups")[0].admin);
    let seed = *g.keys().admin().expect("admin").seed().expose_secret();
    let right = GroupUpdateIn {
        sender: "x".into(),
        sent_at_ms: NOW,
        hash: "p1".into(),
        update: GroupUpdate::Promote {
            seed: Zeroizing::new(seed),
            name: "garden".into(),
        },
    };
    let applied = poll(&mut h, vec![right]);
    assert!(applied.group_refusals.is_empty());
    assert!(h.groups().expect("groups")[0].admin);
}

#[test]
fn a_group_poll_commits_messages_members_and_cursors_once() {
    let (h, keys) = me();
    let mut g = Group::create(keys.seed(), "g", "", 1, &mut rand::rng()).expect("group");
    let msg = GroupMessage {
        group_id: g.id().to_string(),
        sender: keys.session_id().to_string(),
        text: "hello".into(),
        sent_at_ms: NOW,
        hash: "h1".into(),
        outgoing: false,
        kind: "text".into(),
        quote: None,
        reactions: Vec::new(),
        expires_at_ms: None,
    };
    let p = GroupPoll {
        group: Some(g.id()),
        dumps: g.dumps(),
        info: ("g".into(), "d".into()),
        members: g.members().list(),
        messages: vec![msg.clone()],
        cursors: vec![(11, "h1".into()), (12, "k1".into())],
        ..Default::default()
    };
    assert_eq!(
        h.apply_group_poll(&p).expect("applied").new,
        vec![msg.clone()]
    );
    assert!(
        h.apply_group_poll(&p).expect("again").new.is_empty(),
        "no duplicate"
    );
    assert_eq!(h.group_messages(&g.id()).expect("messages"), vec![msg]);
    assert_eq!(h.group_cursor(&g.id(), 12).expect("cursor"), "k1");
    let members = h.group_members(&g.id()).expect("members");
    assert_eq!(members.len(), 1);
    assert_eq!(members[0].status, "admin");
    assert!(h.group_dumps(&g.id()).expect("dumps").keys.is_some());
}

#[test]
fn group_messages_disappear_at_their_expiry_and_deletions_take_their_reactions() {
    let (h, keys) = me();
    let g = Group::create(keys.seed(), "g", "", 1, &mut rand::rng()).expect("group");
    let me = keys.session_id().to_string();
    let msg = |hash: &str, at: u64, expires_at_ms| GroupMessage {
        group_id: g.id().to_string(),
        sender: me.clone(),
        text: hash.into(),
        sent_at_ms: NOW + at,
        hash: hash.into(),
        outgoing: true,
        kind: "text".into(),
        quote: None,
        reactions: Vec::new(),
        expires_at_ms,
    };
    for m in [
        msg("keep", 0, None),
        msg("timed", 1, Some(NOW + 10_000)),
        msg("gone", 2, None),
    ] {
        h.record_group_message(&m).expect("recorded");
    }
    let r = GroupReaction {
        author: me.clone(),
        sent_at_ms: NOW + 2,
        reactor: me.clone(),
        emoji: "x".into(),
        remove: false,
    };
    h.record_group_reaction(&g.id(), &r).expect("reaction");
    assert_eq!(
        h.group_message(&g.id(), "timed").expect("read"),
        Some(msg("timed", 1, Some(NOW + 10_000))),
        "the expiry is kept"
    );
    assert_eq!(h.sweep(NOW + 9_999).expect("sweep"), 0);
    assert_eq!(h.sweep(NOW + 10_000).expect("sweep"), 1);
    let left: Vec<String> = h
        .group_messages(&g.id())
        .expect("messages")
        .into_iter()
        .map(|m| m.hash)
        .collect();
    assert_eq!(left, ["keep", "gone"]);
    assert_eq!(
        h.group_message(&g.id(), "gone")
            .expect("read")
            .expect("here")
            .reactions,
        [format!("x {me}")]
    );
    let deleted = h
        .delete_group_messages(&g.id(), &["gone".into(), "never".into()])
        .expect("deleted");
    assert_eq!(deleted, 1);
    assert_eq!(
        h.group_hashes_of(&g.id(), &me, NOW).expect("hashes"),
        ["keep"]
    );
    assert!(
        h.group_hashes_of(&g.id(), &me, NOW - 1)
            .expect("hashes")
            .is_empty()
    );
}
