//! Subaccounts: request signatures are plain Ed25519 under the token key; flags, revocation
//! and forged auth data are refused.

use crate::util::*;
use proptest::prelude::*;
use session_crypto::{Ed25519PublicKey, IdentityKeys, Seed};
use session_group::subaccount::{self, AuthData, DELETE, READ, WRITE};
use session_group::{Error, GroupAdmin};

proptest! {
    #![proptest_config(ProptestConfig::with_cases(48))]

    #[test]
    fn request_signatures_verify_as_plain_ed25519(
        group in any::<u64>(), member in any::<u64>(), msg in proptest::collection::vec(any::<u8>(), 0..64)
    ) {
        let admin = GroupAdmin::generate(&mut rng(group));
        let user = IdentityKeys::from_seed(Seed::generate_full(&mut rng(member)));
        let auth = admin.make_subaccount(&user.session_id(), true, false).unwrap();
        subaccount::verify_auth_data(&admin.group_id(), &user, &auth, true, false).unwrap();
        let req = subaccount::sign_request(&user, &auth, &msg).unwrap();
        let kt: [u8; 32] = req.token[4..].try_into().unwrap();
        Ed25519PublicKey::from_bytes(kt).verify(&msg, &req.signature, "t").unwrap();
        prop_assert_eq!(req.token, admin.subaccount_token(&user.session_id(), true, false).unwrap());
        subaccount::verify_request(&admin.group_id(), &req, &msg, READ | WRITE, &[]).unwrap();
    }
}

#[test]
fn flags_revocation_and_forgeries_are_refused() {
    let admin = GroupAdmin::from_seed(seed(GROUP_SEED));
    let gid = admin.group_id();
    let user = keys(MEMBER_SEEDS[1]);
    let auth = admin
        .make_subaccount(&user.session_id(), true, false)
        .unwrap();
    let req = subaccount::sign_request(&user, &auth, b"store111").unwrap();
    let needs_delete = subaccount::verify_request(&gid, &req, b"store111", READ | DELETE, &[]);
    assert!(matches!(needs_delete, Err(Error::Subaccount { .. })));
    let revoked = admin
        .subaccount_token(&user.session_id(), true, false)
        .unwrap();
    assert_eq!(
        subaccount::verify_request(&gid, &req, b"store111", READ, &[revoked]),
        Err(Error::Subaccount {
            reason: "token is revoked"
        })
    );
    let other_flags = admin
        .subaccount_token(&user.session_id(), true, true)
        .unwrap();
    subaccount::verify_request(&gid, &req, b"store111", READ, &[other_flags]).unwrap();
    assert!(subaccount::verify_request(&gid, &req, b"store112", READ, &[]).is_err());
    // Auth data made by another group's key, or for someone else, does not verify.
    let other = GroupAdmin::from_seed(seed(ADMIN1_SEED));
    let forged = other
        .make_subaccount(&user.session_id(), true, false)
        .unwrap();
    assert!(subaccount::verify_auth_data(&gid, &user, &forged, false, false).is_err());
    let someone = keys(MEMBER_SEEDS[2]);
    assert!(subaccount::verify_auth_data(&gid, &someone, &auth, false, false).is_err());
    assert!(subaccount::verify_auth_data(&gid, &user, &auth, true, true).is_err());
    let short = AuthData::from_bytes(&auth.as_bytes()[..99]);
    assert!(short.is_err());
    assert!(!format!("{auth:?}").contains(&hex::encode(&auth.as_bytes()[4..8])));
}
