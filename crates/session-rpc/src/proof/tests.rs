use super::*;
use proptest::prelude::*;
use session_crypto::{IdentityKeys, Seed};

fn keys(n: u8) -> IdentityKeys {
    IdentityKeys::from_seed(Seed::from_bytes([n; 32]))
}

fn user_account(k: &IdentityKeys) -> Account {
    Account(k.session_id().to_bytes())
}

/// A `05` user's signed proof of `scope`.
fn signed(k: &IdentityKeys, scope: Scope) -> DeletionProof {
    let mut p = DeletionProof {
        account: user_account(k),
        auth: Auth {
            pubkey_ed25519: Some(*k.ed25519_public().as_bytes()),
            signature: [0; 64],
            subaccount: None,
        },
        scope,
    };
    p.auth.signature = k.sign(p.signed_message().as_bytes());
    p
}

fn hash(n: u8) -> MessageHash {
    MessageHash([n; 32])
}

fn never_revoked(_: &[u8; 36]) -> RpcResult<bool> {
    Ok(false)
}

#[test]
fn a_signed_delete_verifies_and_any_change_breaks_it() {
    let alice = keys(1);
    let p = signed(
        &alice,
        Scope::Hashes(vec![hash(1).to_b64(), hash(2).to_b64()]),
    );
    assert!(p.verify(never_revoked));
    let mut other_hashes = p.clone();
    other_hashes.scope = Scope::Hashes(vec![hash(3).to_b64()]);
    assert!(!other_hashes.verify(never_revoked));
    let mut other_account = p.clone();
    other_account.account = user_account(&keys(2));
    assert!(
        !other_account.verify(never_revoked),
        "someone else's messages"
    );
    let mut wrong_key = p.clone();
    wrong_key.auth.pubkey_ed25519 = Some(*keys(2).ed25519_public().as_bytes());
    assert!(!wrong_key.verify(never_revoked), "key not the account's");
    let mut no_key = p;
    no_key.auth.pubkey_ed25519 = None;
    assert!(!no_key.verify(never_revoked));
}

#[test]
fn the_signed_strings_are_the_requests_own() {
    let all_ns = |ns| Scope::All {
        ns,
        timestamp_ms: 1_700_000_000_000,
    };
    let text = |scope| {
        DeletionProof {
            account: Account([5; 33]),
            auth: Auth {
                pubkey_ed25519: None,
                signature: [0; 64],
                subaccount: None,
            },
            scope,
        }
        .signed_message()
    };
    assert_eq!(
        text(Scope::Hashes(vec!["a".into(), "b".into()])),
        "deleteab"
    );
    assert_eq!(
        text(all_ns(NsSel::One(Namespace(0)))),
        "delete_all1700000000000"
    );
    assert_eq!(text(all_ns(NsSel::All)), "delete_allall1700000000000");
    assert_eq!(
        text(Scope::Before {
            ns: NsSel::One(Namespace(-11)),
            before_ms: 5
        }),
        "delete_before-115"
    );
}

#[test]
fn a_subaccount_proof_needs_the_delete_permission_and_no_revocation() {
    let group = keys(3);
    let member = keys(4);
    let account = Account(
        [&[0x03u8][..], group.ed25519_public().as_bytes()]
            .concat()
            .try_into()
            .expect("33"),
    );
    let proof = |token_flags: u8| {
        let mut token = [0u8; 36];
        token[0] = 0x03;
        token[1] = token_flags;
        token[4..].copy_from_slice(member.ed25519_public().as_bytes());
        let mut p = DeletionProof {
            account,
            auth: Auth {
                pubkey_ed25519: None,
                signature: [0; 64],
                subaccount: Some(Subaccount {
                    token,
                    sig: group.sign(&token),
                }),
            },
            scope: Scope::Before {
                ns: NsSel::One(Namespace(11)),
                before_ms: 99,
            },
        };
        p.auth.signature = member.sign(p.signed_message().as_bytes());
        p
    };
    assert!(proof(flags::DELETE).verify(never_revoked));
    assert!(!proof(0x01 | 0x02).verify(never_revoked), "read/write only");
    assert!(!proof(flags::DELETE).verify(|_| Ok(true)), "revoked");
    let p = proof(flags::DELETE);
    assert_eq!(DeletionProof::from_bytes(&p.to_bytes()), Some(p));
}

#[test]
fn coverage_follows_the_scope() {
    let alice = keys(1);
    let me = user_account(&alice);
    let ns0 = Namespace(0);
    let listed = signed(&alice, Scope::Hashes(vec![hash(1).to_b64()]));
    assert!(listed.covers(&me, ns0, &hash(1), u64::MAX));
    assert!(
        listed.covers(&me, Namespace(5), &hash(1), 0),
        "any namespace"
    );
    assert!(!listed.covers(&me, ns0, &hash(2), 0));
    assert!(!listed.covers(&user_account(&keys(2)), ns0, &hash(1), 0));

    let all = signed(
        &alice,
        Scope::All {
            ns: NsSel::One(ns0),
            timestamp_ms: 1_000_000,
        },
    );
    assert!(all.covers(&me, ns0, &hash(9), 1_000_000 + ALL_SLACK_MS));
    assert!(
        !all.covers(&me, ns0, &hash(9), 1_000_001 + ALL_SLACK_MS),
        "later"
    );
    assert!(
        !all.covers(&me, Namespace(2), &hash(9), 0),
        "other namespace"
    );
    let everything = signed(
        &alice,
        Scope::All {
            ns: NsSel::All,
            timestamp_ms: 1_000_000,
        },
    );
    assert!(everything.covers(&me, Namespace(2), &hash(9), 0));

    let before = signed(
        &alice,
        Scope::Before {
            ns: NsSel::One(ns0),
            before_ms: 500,
        },
    );
    assert!(before.covers(&me, ns0, &hash(9), 500));
    assert!(!before.covers(&me, ns0, &hash(9), 501));
}

#[test]
fn the_wire_form_has_the_documented_layout() {
    let p = DeletionProof {
        account: Account([5; 33]),
        auth: Auth {
            pubkey_ed25519: Some([7; 32]),
            signature: [9; 64],
            subaccount: None,
        },
        scope: Scope::All {
            ns: NsSel::One(Namespace(-11)),
            timestamp_ms: 0x0102_0304_0506_0708,
        },
    };
    let want = [
        vec![1, 1],
        vec![5; 33],
        vec![0b01],
        vec![7; 32],
        vec![9; 64],
        vec![0, 0xff, 0xf5],
        vec![1, 2, 3, 4, 5, 6, 7, 8],
    ]
    .concat();
    assert_eq!(p.to_bytes(), want);
    assert_eq!(DeletionProof::from_bytes(&want), Some(p.clone()));
    assert_eq!(p.id(), id_of(&want));
    // Trailing or missing bytes, unknown versions, kinds and flags are refused.
    assert_eq!(
        DeletionProof::from_bytes(&[want.clone(), vec![0]].concat()),
        None
    );
    assert_eq!(DeletionProof::from_bytes(&want[..want.len() - 1]), None);
    for (at, bad) in [(0, 2), (1, 3), (35, 0b100)] {
        let mut b = want.clone();
        b[at] = bad;
        assert_eq!(DeletionProof::from_bytes(&b), None, "byte {at} = {bad}");
    }
}

fn scope() -> impl Strategy<Value = Scope> {
    let sel = prop_oneof![
        Just(NsSel::All),
        any::<i16>().prop_map(|n| NsSel::One(Namespace(n)))
    ];
    prop_oneof![
        prop::collection::vec("[A-Za-z0-9+/]{0,60}", 0..5).prop_map(Scope::Hashes),
        (sel.clone(), any::<u64>()).prop_map(|(ns, timestamp_ms)| Scope::All { ns, timestamp_ms }),
        (sel, any::<u64>()).prop_map(|(ns, before_ms)| Scope::Before { ns, before_ms }),
    ]
}

fn proof() -> impl Strategy<Value = DeletionProof> {
    (
        any::<[u8; 32]>(),
        any::<u8>(),
        prop::option::of(any::<[u8; 32]>()),
        prop::option::of((any::<[u8; 32]>(), any::<[u8; 4]>())),
        scope(),
    )
        .prop_map(|(acct, prefix, ed, sub, scope)| {
            let mut account = [prefix; 33];
            account[1..].copy_from_slice(&acct);
            DeletionProof {
                account: Account(account),
                auth: Auth {
                    pubkey_ed25519: ed,
                    signature: [prefix; 64],
                    subaccount: sub.map(|(k, head)| {
                        let mut token = [0u8; 36];
                        token[..4].copy_from_slice(&head);
                        token[4..].copy_from_slice(&k);
                        Subaccount {
                            token,
                            sig: [1; 64],
                        }
                    }),
                },
                scope,
            }
        })
}

proptest! {
    #[test]
    fn the_wire_form_round_trips(p in proof()) {
        prop_assert_eq!(DeletionProof::from_bytes(&p.to_bytes()), Some(p));
    }

    #[test]
    fn any_bytes_decode_or_are_refused_without_panicking(
        bytes in prop::collection::vec(any::<u8>(), 0..400)
    ) {
        if let Some(p) = DeletionProof::from_bytes(&bytes) {
            prop_assert_eq!(p.to_bytes(), bytes, "one encoding per proof");
        }
    }
}
