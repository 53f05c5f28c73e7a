//! Admin-signed control messages and invites.

use crate::util::*;
use session_group::control::{self, Control};
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
