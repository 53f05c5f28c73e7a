//! Known-answer tests: spec/vectors.md §8 (multi-encrypt) and the group vectors derived
//! independently from spec §4 (`data/derive_vectors.py`).

use crate::util::*;
use session_crypto::{GroupId, SessionId, X25519PublicKey};
use session_group::multi::{self, Sender};
use session_group::subaccount::{self, AuthData, RequestAuth};
use session_group::{GroupAdmin, GroupKeys, control, keys_msg};

#[test]
fn multi_encrypt_vector_8() {
    let sender = keys("0123456789abcdef0123456789abcdef00000000000000000000000000000000");
    let recips: Vec<X25519PublicKey> = ["0000000000000000", "1111111111111111", "2222222222222222"]
        .iter()
        .map(|m| keys(&format!("0123456789abcdef{m}{}", "0".repeat(32))).x25519_public())
        .collect();
    let nonce: [u8; 24] = hex::decode("32ab4bb45d6df5cc14e1c330fb1a8b68ea3826a8c2213a49")
        .unwrap()
        .try_into()
        .unwrap();
    let s = Sender {
        secret: sender.x25519_secret(),
        public: &sender.x25519_public(),
    };
    let out = multi::encrypt_for_multiple(b"hello", &recips, &nonce, &s, "test suite").unwrap();
    let hexes: Vec<String> = out.iter().map(hex::encode).collect();
    assert_eq!(
        hexes,
        [
            "e64937e5ea201b84f4e88a976dad900d91caaf6a17",
            "b7a15bcd9f7b09445defcae2f1dc5085dd75cb085b",
            "01c4fc2156327735f3fb5063b11ea95f6ebcc5b6cc"
        ]
    );
    let r1 = keys(&format!(
        "0123456789abcdef1111111111111111{}",
        "0".repeat(32)
    ));
    let own = Sender {
        secret: r1.x25519_secret(),
        public: &r1.x25519_public(),
    };
    let cts = out.iter().map(Vec::as_slice);
    let got = multi::decrypt_for_multiple(cts, &nonce, &own, &sender.x25519_public(), "test suite");
    assert_eq!(got.as_deref().map(Vec::as_slice), Some(&b"hello"[..]));
    let cts = out.iter().map(Vec::as_slice);
    let wrong = multi::decrypt_for_multiple(cts, &nonce, &own, &sender.x25519_public(), "other");
    assert!(wrong.is_none());
}

fn admin() -> GroupAdmin {
    GroupAdmin::from_seed(seed(GROUP_SEED))
}

fn all_ids() -> Vec<SessionId> {
    std::iter::once(ADMIN1_SEED)
        .chain(MEMBER_SEEDS)
        .map(|s| keys(s).session_id())
        .collect()
}

#[test]
fn identity_and_session_ids_match_libsession_tests() {
    let v = vectors();
    let a = admin();
    assert_eq!(a.group_id().ed25519().as_bytes()[..], v["group_pubkey"][..]);
    assert_eq!(
        a.group_id().ed25519().to_x25519().unwrap().as_bytes()[..],
        v["group_x25519"][..]
    );
    for (i, id) in all_ids().iter().enumerate() {
        assert_eq!(id.to_bytes()[..], v[&format!("session_id_{i}")][..]);
    }
}

#[test]
fn rekey_key_nonce_admin_copy_and_whole_message() {
    let v = vectors();
    let a = admin();
    let mut ids = all_ids();
    ids.reverse(); // order given must not matter
    let h1 = keys_msg::rekey_hash(&a, &ids, 0);
    assert_eq!(h1[..32], v["rekey_key"][..]);
    assert_eq!(h1[32..], v["rekey_nonce"][..]);
    let (msg, key) = keys_msg::build_rekey(&a, &ids, 0).unwrap();
    assert_eq!(key.expose_secret()[..], v["rekey_key"][..]);
    assert_eq!(hex::encode(&msg), hex::encode(&v["rekey_message"]));
    let parsed = keys_msg::parse(&msg, &a.group_id()).unwrap();
    match parsed.body {
        keys_msg::Body::Full { admin, members } => {
            assert_eq!(admin[..], v["rekey_admin_copy"][..]);
            assert_eq!(members.len(), 75);
        }
        keys_msg::Body::Supplement(_) => panic!("full message expected"),
    }
}

#[test]
fn rekey_through_the_key_ring() {
    let v = vectors();
    let mut admin1 = GroupKeys::new(&seed(ADMIN1_SEED), admin().group_id(), Some(admin())).unwrap();
    let msg = admin1.rekey(&all_ids()).unwrap().to_vec();
    assert_eq!(msg, v["rekey_message"]);
    for s in MEMBER_SEEDS {
        let mut m = GroupKeys::new(&seed(s), admin().group_id(), None).unwrap();
        assert!(m.load_key_message("h", &msg, 1_700_000_000_000).unwrap());
        assert_eq!(
            m.encryption_key().unwrap().expose_secret()[..],
            v["rekey_key"][..]
        );
    }
}

#[test]
fn subaccount_token_auth_data_and_request_signature() {
    let v = vectors();
    let a = admin();
    let member = keys(MEMBER_SEEDS[0]);
    let token = a
        .subaccount_token(&member.session_id(), true, false)
        .unwrap();
    assert_eq!(token[..], v["subaccount_token"][..]);
    let auth = a
        .make_subaccount(&member.session_id(), true, false)
        .unwrap();
    assert_eq!(auth.as_bytes()[..], v["subaccount_auth_data"][..]);
    let req = &v["subaccount_request"];
    let signed = subaccount::sign_request(&member, &auth, req).unwrap();
    assert_eq!(signed.token, token);
    assert_eq!(signed.signature[..], v["subaccount_signature"][..]);
    let restored = AuthData::from_bytes(&v["subaccount_auth_data"]).unwrap();
    let again: RequestAuth = subaccount::sign_request(&member, &restored, req).unwrap();
    assert_eq!(again, signed);
}

#[test]
fn control_signatures() {
    let v = vectors();
    let a = admin();
    let invitee = keys(MEMBER_SEEDS[0]).session_id();
    let invite = control::Control::Invite {
        invitee: &invitee,
        timestamp_ms: 1_700_000_000_000,
    };
    assert_eq!(control::sign(&a, &invite)[..], v["invite_signature"][..]);
    let info = control::Control::InfoChange {
        kind: 1,
        timestamp_ms: 1_700_000_000_000,
    };
    assert_eq!(control::sign(&a, &info)[..], v["info_change_signature"][..]);
    let gid: GroupId = a.group_id();
    control::verify(&gid, &info, &v["info_change_signature"]).unwrap();
    let timer = control::Control::InfoChange {
        kind: 3,
        timestamp_ms: 1_700_000_000_000,
    };
    assert_eq!(
        control::sign(&a, &timer)[..],
        v["disappearing_change_signature"][..]
    );
}

/// Desktop's `DELETE_CONTENT ‖ timestamp ‖ member IDs ‖ hashes`, signed by the group key.
#[test]
fn delete_content_signature() {
    let v = vectors();
    let a = admin();
    let member = keys(MEMBER_SEEDS[0]).session_id();
    let hashes = ["A".repeat(43), "B".repeat(43)];
    let del = control::Control::DeleteContent {
        timestamp_ms: 1_700_000_000_000,
        members: &[member],
        hashes: &hashes,
    };
    assert_eq!(del.signed_bytes(), v["delete_content_message"]);
    assert_eq!(
        control::sign(&a, &del)[..],
        v["delete_content_signature"][..]
    );
    let authority = control::check_delete(
        &a.group_id(),
        &member,
        1_700_000_000_000,
        &[member],
        &hashes,
        Some(&v["delete_content_signature"]),
    );
    assert_eq!(authority, Ok(control::DeleteAuthority::Admin));
}
