use super::*;
use crate::auth::{Auth, Subaccount};
use crate::request::NsSel;
use proptest::prelude::*;
use session_crypto::{IdentityKeys, Seed};

fn keys(n: u8) -> IdentityKeys {
    IdentityKeys::from_seed(Seed::from_bytes([n; 32]))
}

fn user_account(k: &IdentityKeys) -> Account {
    Account(k.session_id().to_bytes())
}

fn hash(n: u8) -> MessageHash {
    MessageHash([n; 32])
}

fn never_revoked(_: &[u8; 36]) -> RpcResult<bool> {
    Ok(false)
}

fn user_auth(k: &IdentityKeys) -> Auth {
    Auth {
        pubkey_ed25519: Some(*k.ed25519_public().as_bytes()),
        signature: [0; 64],
        subaccount: None,
    }
}

/// `k`'s signed `expire` of `hashes` to `expiries` in `mode`.
fn expire(k: &IdentityKeys, mode: ExpiryMode, expiries: Vec<u64>, hashes: &[u8]) -> ExpiryProof {
    let mut r = ExpireReq {
        account: user_account(k),
        auth: user_auth(k),
        hashes: hashes.iter().map(|&n| hash(n).to_b64()).collect(),
        expiries,
        mode,
    };
    r.auth.signature = k.sign(ExpiryProof::Expire(r.clone()).signed_message().as_bytes());
    ExpiryProof::Expire(r)
}

#[test]
fn the_signed_strings_are_the_requests_own() {
    let p = expire(&keys(1), ExpiryMode::Shorten, vec![10, 20], &[1, 2]);
    let want = format!("expireshorten1020{}{}", hash(1).to_b64(), hash(2).to_b64());
    assert_eq!(p.signed_message(), want);
    let all = ExpiryProof::ExpireAll(ExpireAllReq {
        account: user_account(&keys(1)),
        auth: user_auth(&keys(1)),
        ns: NsSel::One(Namespace(-11)),
        expiry: 1234,
    });
    assert_eq!(all.signed_message(), "expire_all-111234");
}

#[test]
fn a_signed_expire_verifies_and_any_change_breaks_it() {
    let alice = keys(1);
    let p = expire(&alice, ExpiryMode::Set, vec![5_000], &[1, 2]);
    assert!(p.verify(never_revoked));
    let ExpiryProof::Expire(r) = &p else {
        unreachable!()
    };
    for changed in [
        ExpireReq {
            expiries: vec![6_000],
            ..r.clone()
        },
        ExpireReq {
            mode: ExpiryMode::Extend,
            ..r.clone()
        },
        ExpireReq {
            hashes: vec![hash(1).to_b64()],
            ..r.clone()
        },
        ExpireReq {
            account: user_account(&keys(2)),
            ..r.clone()
        },
    ] {
        assert!(
            !ExpiryProof::Expire(changed.clone()).verify(never_revoked),
            "{changed:?}"
        );
    }
}

/// A group member's (subaccount) signed `expire` with token flags `token_flags`.
fn member_expire(token_flags: u8, mode: ExpiryMode) -> ExpiryProof {
    let (group, member) = (keys(3), keys(4));
    let mut account = [0x03; 33];
    account[1..].copy_from_slice(group.ed25519_public().as_bytes());
    let mut token = [0u8; 36];
    token[0] = 0x03;
    token[1] = token_flags;
    token[4..].copy_from_slice(member.ed25519_public().as_bytes());
    let mut r = ExpireReq {
        account: Account(account),
        auth: Auth {
            pubkey_ed25519: None,
            signature: [0; 64],
            subaccount: Some(Subaccount {
                token,
                sig: group.sign(&token),
            }),
        },
        hashes: vec![hash(9).to_b64()],
        expiries: vec![77],
        mode,
    };
    r.auth.signature = member.sign(ExpiryProof::Expire(r.clone()).signed_message().as_bytes());
    ExpiryProof::Expire(r)
}

#[test]
fn a_subaccount_needs_write_and_delete_to_shorten_and_no_revocation() {
    let (write, delete) = (flags::WRITE, flags::DELETE);
    assert!(member_expire(write, ExpiryMode::Extend).verify(never_revoked));
    assert!(member_expire(write, ExpiryMode::Set).verify(never_revoked));
    assert!(!member_expire(write, ExpiryMode::Shorten).verify(never_revoked));
    assert!(member_expire(write | delete, ExpiryMode::Shorten).verify(never_revoked));
    assert!(!member_expire(delete, ExpiryMode::Extend).verify(never_revoked));
    assert!(!member_expire(write, ExpiryMode::Extend).verify(|_| Ok(true)));
}

#[test]
fn it_allows_only_the_expiry_the_request_set() {
    let alice = keys(1);
    let me = user_account(&alice);
    let ns = Namespace(0);
    let set_at = 1_000_000;
    let one = expire(&alice, ExpiryMode::Shorten, vec![2_000_000], &[1, 2]);
    assert!(one.allows(&me, ns, &hash(1), 2_000_000, set_at));
    assert!(one.allows(&me, Namespace(-11), &hash(2), 2_000_000, set_at));
    assert!(
        !one.allows(&me, ns, &hash(1), 1_999_999, set_at),
        "another expiry"
    );
    assert!(
        !one.allows(&me, ns, &hash(3), 2_000_000, set_at),
        "not listed"
    );
    assert!(!one.allows(&user_account(&keys(2)), ns, &hash(1), 2_000_000, set_at));
    // One expiry per hash.
    let each = expire(&alice, ExpiryMode::Set, vec![5_000_000, 6_000_000], &[1, 2]);
    assert!(each.allows(&me, ns, &hash(2), 6_000_000, set_at));
    assert!(!each.allows(&me, ns, &hash(2), 5_000_000, set_at));
    // Clamped to 30 days after the node applied it, as the node does.
    let far = expire(&alice, ExpiryMode::Extend, vec![u64::MAX / 2], &[1]);
    assert!(far.allows(&me, ns, &hash(1), set_at + MAX_EXPIRY_SPAN_MS, set_at));
    assert!(!far.allows(&me, ns, &hash(1), u64::MAX / 2, set_at));
    // expire_all: the selected namespaces, exactly the requested expiry.
    let all = ExpiryProof::ExpireAll(ExpireAllReq {
        account: me,
        auth: user_auth(&alice),
        ns: NsSel::One(Namespace(5)),
        expiry: 4_000,
    });
    assert!(all.allows(&me, Namespace(5), &hash(8), 4_000, set_at));
    assert!(!all.allows(&me, Namespace(6), &hash(8), 4_000, set_at));
    assert!(!all.allows(&me, Namespace(5), &hash(8), 4_001, set_at));
}

#[test]
fn the_wire_form_has_the_documented_layout() {
    let p = ExpiryProof::Expire(ExpireReq {
        account: Account([5; 33]),
        auth: Auth {
            pubkey_ed25519: Some([7; 32]),
            signature: [9; 64],
            subaccount: None,
        },
        hashes: vec!["ab".into()],
        expiries: vec![0x0102_0304_0506_0708],
        mode: ExpiryMode::Extend,
    });
    let want = [
        vec![1, 0],
        vec![5; 33],
        vec![0b01],
        vec![7; 32],
        vec![9; 64],
        vec![2, 0, 1],
        vec![1, 2, 3, 4, 5, 6, 7, 8],
        vec![0, 1, 2, b'a', b'b'],
    ]
    .concat();
    assert_eq!(p.to_bytes(), want);
    assert_eq!(ExpiryProof::from_bytes(&want), Some(p));
    let all = ExpiryProof::ExpireAll(ExpireAllReq {
        account: Account([5; 33]),
        auth: Auth {
            pubkey_ed25519: None,
            signature: [9; 64],
            subaccount: None,
        },
        ns: NsSel::All,
        expiry: 3,
    });
    let want_all = [
        vec![1, 1],
        vec![5; 33],
        vec![0],
        vec![9; 64],
        vec![1],
        vec![0, 0, 0, 0, 0, 0, 0, 3],
    ]
    .concat();
    assert_eq!(all.to_bytes(), want_all);
    assert_eq!(ExpiryProof::from_bytes(&want_all), Some(all));
    assert_eq!(
        ExpiryProof::from_bytes(&[want.clone(), vec![0]].concat()),
        None
    );
    assert_eq!(ExpiryProof::from_bytes(&want[..want.len() - 1]), None);
    for (at, bad) in [(0, 2), (1, 2), (35, 0b100), (132, 3)] {
        let mut b = want.clone();
        b[at] = bad;
        assert_eq!(ExpiryProof::from_bytes(&b), None, "byte {at} = {bad}");
    }
}

fn auth() -> impl Strategy<Value = Auth> {
    (
        any::<u8>(),
        prop::option::of(any::<[u8; 32]>()),
        prop::option::of(any::<[u8; 32]>()),
    )
        .prop_map(|(fill, ed, sub)| Auth {
            pubkey_ed25519: ed,
            signature: [fill; 64],
            subaccount: sub.map(|k| {
                let mut token = [fill; 36];
                token[4..].copy_from_slice(&k);
                Subaccount {
                    token,
                    sig: [1; 64],
                }
            }),
        })
}

fn proof() -> impl Strategy<Value = ExpiryProof> {
    let mode = prop_oneof![
        Just(ExpiryMode::Set),
        Just(ExpiryMode::Shorten),
        Just(ExpiryMode::Extend)
    ];
    let sel = prop_oneof![
        Just(NsSel::All),
        any::<i16>().prop_map(|n| NsSel::One(Namespace(n)))
    ];
    let expire = (
        any::<[u8; 33]>(),
        auth(),
        prop::collection::vec("[A-Za-z0-9+/]{0,60}", 0..5),
        prop::collection::vec(any::<u64>(), 0..5),
        mode,
    )
        .prop_map(|(a, auth, hashes, expiries, mode)| {
            ExpiryProof::Expire(ExpireReq {
                account: Account(a),
                auth,
                hashes,
                expiries,
                mode,
            })
        });
    let all = (any::<[u8; 33]>(), auth(), sel, any::<u64>()).prop_map(|(a, auth, ns, expiry)| {
        ExpiryProof::ExpireAll(ExpireAllReq {
            account: Account(a),
            auth,
            ns,
            expiry,
        })
    });
    prop_oneof![expire, all]
}

proptest! {
    #[test]
    fn the_wire_form_round_trips(p in proof()) {
        prop_assert_eq!(ExpiryProof::from_bytes(&p.to_bytes()), Some(p));
    }

    #[test]
    fn any_bytes_decode_or_are_refused_without_panicking(
        bytes in prop::collection::vec(any::<u8>(), 0..400)
    ) {
        if let Some(p) = ExpiryProof::from_bytes(&bytes) {
            prop_assert_eq!(p.to_bytes(), bytes, "one encoding per proof");
        }
    }
}
