//! Control messages and group envelopes: round trips, malformed input, a 1:1 invitation.
use super::*;

fn sid(n: u8) -> SessionId {
    session_crypto::IdentityKeys::from_seed(session_crypto::Seed::from_bytes([n; 32])).session_id()
}

fn group() -> GroupId {
    GroupId::from_ed25519(
        session_crypto::IdentityKeys::from_seed(session_crypto::Seed::from_bytes([9; 32]))
            .ed25519_public(),
    )
}

#[test]
fn every_control_message_round_trips_through_content() {
    let all = [
        GroupUpdate::Invite {
            group: group(),
            name: "g".into(),
            auth_data: Zeroizing::new(vec![3; 100]),
            admin_signature: vec![1; 64],
        },
        GroupUpdate::Promote {
            seed: Zeroizing::new([5; 32]),
            name: "g".into(),
        },
        GroupUpdate::InfoChange {
            kind: InfoChange::Name,
            name: Some("new".into()),
            expiration_secs: None,
            admin_signature: vec![2; 64],
        },
        GroupUpdate::MemberChange {
            kind: MemberChange::Removed,
            members: vec![sid(1), sid(2)],
            history_shared: false,
            admin_signature: vec![2; 64],
        },
        GroupUpdate::MemberLeft,
        GroupUpdate::MemberLeftNotification,
        GroupUpdate::InviteResponse { approved: true },
        GroupUpdate::DeleteMemberContent {
            members: vec![sid(3)],
            hashes: vec!["h1".into()],
            admin_signature: Some(vec![4; 64]),
        },
        GroupUpdate::DeleteMemberContent {
            members: Vec::new(),
            hashes: vec!["h2".into()],
            admin_signature: None,
        },
    ];
    for u in all {
        let c = build(&u, 1_700_000_000_000);
        let back: Content = proto::decode(&c.encode_to_vec()).expect("decodes");
        assert_eq!(parse(&back), Some(u));
    }
}

#[test]
fn an_empty_deletion_signature_is_no_signature() {
    let mut c = build(
        &GroupUpdate::DeleteMemberContent {
            members: Vec::new(),
            hashes: vec!["h".into()],
            admin_signature: None,
        },
        1,
    );
    let d = c
        .data_message
        .as_mut()
        .and_then(|d| d.group_update_message.as_mut())
        .and_then(|g| g.delete_member_content.as_mut())
        .expect("a deletion");
    assert_eq!(d.admin_signature, None, "absent on the wire, not empty");
    d.admin_signature = Some(Vec::new());
    assert!(matches!(
        parse(&c),
        Some(GroupUpdate::DeleteMemberContent {
            admin_signature: None,
            ..
        })
    ));
}

#[test]
fn malformed_control_messages_are_none_and_secrets_stay_out_of_debug() {
    let mut c = build(
        &GroupUpdate::Promote {
            seed: Zeroizing::new([7; 32]),
            name: "g".into(),
        },
        1,
    );
    assert!(!format!("{:?}", parse(&c)).contains("7, 7"));
    if let Some(p) = c
        .data_message
        .as_mut()
        .and_then(|d| d.group_update_message.as_mut())
        .and_then(|g| g.promote_message.as_mut())
    {
        p.group_identity_seed = Some(vec![7; 31]);
    }
    assert_eq!(parse(&c), None, "a 31-byte seed");
    assert_eq!(parse(&Content::default()), None);
}

#[test]
fn an_invitation_travels_as_a_one_to_one_message() {
    let alice = session_crypto::IdentityKeys::from_seed(session_crypto::Seed::from_bytes([1; 32]));
    let bob = session_crypto::IdentityKeys::from_seed(session_crypto::Seed::from_bytes([2; 32]));
    let u = GroupUpdate::Invite {
        group: group(),
        name: "g".into(),
        auth_data: Zeroizing::new(vec![3; 100]),
        admin_signature: vec![1; 64],
    };
    let c = build(&u, 1_700_000_000_000);
    let bytes = crate::encode_for_recipient(
        &alice,
        &bob.session_id(),
        &c,
        1_700_000_000_000,
        &mut rand::rng(),
    )
    .expect("sealed");
    let got = crate::decode_incoming(&bob, &bytes).expect("opens");
    assert_eq!(parse(&got.content), Some(u));
}

#[test]
fn a_group_envelope_opens_only_for_its_group() {
    let c = build(&GroupUpdate::InviteResponse { approved: true }, 42);
    let bytes = envelope_bytes(&group(), &c, 42).expect("valid");
    let (back, ts) = open_envelope(&group(), &bytes).expect("opens");
    assert_eq!((back, ts), (c, 42));
    let other = GroupId::from_ed25519(
        session_crypto::IdentityKeys::from_seed(session_crypto::Seed::from_bytes([8; 32]))
            .ed25519_public(),
    );
    assert!(open_envelope(&other, &bytes).is_err());
    assert!(open_envelope(&group(), b"junk").is_err());
}
