//! Admin-signed control messages and invites.

use crate::util::*;
use session_group::control::{self, Control, DeleteAuthority};
use session_group::{Error, GroupAdmin};

#[test]
fn invites_verify_and_forged_ones_do_not() {
    let admin = GroupAdmin::from_seed(seed(GROUP_SEED));
    let gid = admin.group_id();
    let me = keys(MEMBER_SEEDS[0]);
    let sid = me.session_id();
    let ts = 1_700_000_000_123;
    let sig = control::sign(
        &admin,
        &Control::Invite {
            invitee: &sid,
            timestamp_ms: ts,
        },
    );
    let auth = admin.make_subaccount(&sid, true, false).unwrap();
    control::accept_invite(&gid, &me, ts, &sig, auth.as_bytes()).unwrap();
    // Wrong timestamp, a signature by a non-admin, a truncated signature, someone else's auth.
    assert!(control::accept_invite(&gid, &me, ts + 1, &sig, auth.as_bytes()).is_err());
    let me_sig = me.sign(
        &Control::Invite {
            invitee: &sid,
            timestamp_ms: ts,
        }
        .signed_bytes(),
    );
    assert_eq!(
        control::accept_invite(&gid, &me, ts, &me_sig, auth.as_bytes()).unwrap_err(),
        Error::BadSignature {
            what: "group invite"
        }
    );
    assert!(control::accept_invite(&gid, &me, ts, &sig[..63], auth.as_bytes()).is_err());
    let other = admin
        .make_subaccount(&keys(MEMBER_SEEDS[1]).session_id(), true, false)
        .unwrap();
    assert!(control::accept_invite(&gid, &me, ts, &sig, other.as_bytes()).is_err());
}

#[test]
fn delete_content_string() {
    let m = keys(MEMBER_SEEDS[0]).session_id();
    let hashes = ["abc".to_string(), "def".to_string()];
    let c = Control::DeleteContent {
        timestamp_ms: 5,
        members: &[m],
        hashes: &hashes,
    };
    assert_eq!(
        c.signed_bytes(),
        format!("DELETE_CONTENT5{m}abcdef").into_bytes()
    );
    let mc = Control::MemberChange {
        kind: 2,
        timestamp_ms: 9,
    };
    assert_eq!(mc.signed_bytes(), b"MEMBER_CHANGE29");
}

#[test]
fn deletions_signed_by_the_group_key_delete_anything() {
    let admin = GroupAdmin::from_seed(seed(GROUP_SEED));
    let gid = admin.group_id();
    let bob = keys(MEMBER_SEEDS[0]).session_id();
    let carol = keys(MEMBER_SEEDS[1]).session_id();
    let hashes = vec!["h1".to_string()];
    let ts = 1_700_000_000_000;
    let msg = Control::DeleteContent {
        timestamp_ms: ts,
        members: &[carol],
        hashes: &hashes,
    };
    let sig = control::sign(&admin, &msg);
    let ok = control::check_delete(&gid, &bob, ts, &[carol], &hashes, Some(&sig)).unwrap();
    assert_eq!(ok, DeleteAuthority::Admin);
    assert!(ok.covers(&carol) && ok.covers(&bob));
    // Another timestamp, other hashes, other members: refused.
    let other = vec!["h2".to_string()];
    assert!(control::check_delete(&gid, &bob, ts + 1, &[carol], &hashes, Some(&sig)).is_err());
    assert!(control::check_delete(&gid, &bob, ts, &[carol], &other, Some(&sig)).is_err());
    assert!(control::check_delete(&gid, &bob, ts, &[bob], &hashes, Some(&sig)).is_err());
}

#[test]
fn a_signature_by_a_non_admin_is_refused() {
    let admin = GroupAdmin::from_seed(seed(GROUP_SEED));
    let gid = admin.group_id();
    let carol_keys = keys(MEMBER_SEEDS[1]);
    let carol = carol_keys.session_id();
    let bob = keys(MEMBER_SEEDS[0]).session_id();
    let hashes = vec!["bobs".to_string()];
    let ts = 1_700_000_000_000;
    let forged = carol_keys.sign(
        &Control::DeleteContent {
            timestamp_ms: ts,
            members: &[bob],
            hashes: &hashes,
        }
        .signed_bytes(),
    );
    assert_eq!(
        control::check_delete(&gid, &carol, ts, &[bob], &hashes, Some(&forged)).unwrap_err(),
        Error::BadSignature {
            what: "group content deletion"
        }
    );
    // A garbage signature is refused too, not taken as an unsigned unsend.
    assert!(control::check_delete(&gid, &carol, ts, &[], &hashes, Some(&[0; 64])).is_err());
}

#[test]
fn an_unsigned_deletion_is_the_senders_unsend_of_their_own_messages() {
    let gid = GroupAdmin::from_seed(seed(GROUP_SEED)).group_id();
    let bob = keys(MEMBER_SEEDS[0]).session_id();
    let carol = keys(MEMBER_SEEDS[1]).session_id();
    let hashes = vec!["h".to_string()];
    let a = control::check_delete(&gid, &bob, 1, &[], &hashes, None).unwrap();
    assert_eq!(a, DeleteAuthority::Author(bob));
    assert!(a.covers(&bob));
    assert!(
        !a.covers(&carol),
        "an unsend by someone other than the author"
    );
    // Naming members needs the admin signature; naming nothing is refused.
    assert!(matches!(
        control::check_delete(&gid, &bob, 1, &[carol], &[], None),
        Err(Error::NotAdmin { .. })
    ));
    assert!(control::check_delete(&gid, &bob, 1, &[], &[], None).is_err());
}
