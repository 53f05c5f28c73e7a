use super::*;
use proptest::prelude::*;
use session_crypto::{IdentityKeys, Seed};

fn keys(n: u8) -> IdentityKeys {
    IdentityKeys::from_seed(Seed::from_bytes([n; 32]))
}

/// A group (`03`) account: its bytes are the group's Ed25519 key, which signs directly.
fn group_account(k: &IdentityKeys) -> Account {
    let mut a = [0x03; 33];
    a[1..].copy_from_slice(k.ed25519_public().as_bytes());
    Account(a)
}

fn signed(
    k: &IdentityKeys,
    kind: RevocationKind,
    tokens: Vec<[u8; 36]>,
    ts: u64,
) -> RevocationProof {
    let mut request = RevokeReq {
        account: group_account(k),
        auth: Auth {
            pubkey_ed25519: None,
            signature: [0; 64],
            subaccount: None,
        },
        tokens,
        timestamp: ts,
    };
    request.auth.signature = k.sign(&signed_request(kind.method(), &request));
    RevocationProof { kind, request }
}

#[test]
fn a_signed_revoke_verifies_and_any_change_breaks_it() {
    let group = keys(7);
    let p = signed(
        &group,
        RevocationKind::Revoke,
        vec![[1; 36], [2; 36]],
        1_700_000_000_000,
    );
    assert!(p.verify());
    let mut flipped = p.clone();
    flipped.kind = RevocationKind::Unrevoke;
    assert!(!flipped.verify(), "a revoke is not an unrevoke");
    let mut other_token = p.clone();
    other_token.request.tokens[1] = [3; 36];
    assert!(!other_token.verify());
    let mut later = p.clone();
    later.request.timestamp += 1;
    assert!(
        !later.verify(),
        "the timestamp decides who wins: it is signed"
    );
    let mut other_account = p.clone();
    other_account.request.account = group_account(&keys(8));
    assert!(!other_account.verify());
    let mut by_subaccount = p;
    by_subaccount.request.auth.subaccount = Some(crate::auth::Subaccount {
        token: [1; 36],
        sig: [0; 64],
    });
    assert!(!by_subaccount.verify(), "only the master key revokes");
}

#[test]
fn covers_names_only_its_own_tokens_of_its_own_account() {
    let group = keys(7);
    let p = signed(&group, RevocationKind::Unrevoke, vec![[1; 36]], 5);
    assert!(p.covers(&group_account(&group), &[1; 36]));
    assert!(!p.covers(&group_account(&group), &[2; 36]));
    assert!(!p.covers(&group_account(&keys(8)), &[1; 36]));
}

#[test]
fn the_wire_form_has_the_documented_layout() {
    let group = keys(7);
    let p = signed(
        &group,
        RevocationKind::Unrevoke,
        vec![[0xaa; 36]],
        0x0102_0304_0506_0708,
    );
    let b = p.to_bytes();
    assert_eq!(b.len(), 1 + 1 + 33 + 1 + 64 + 8 + 2 + 36);
    assert_eq!(&b[..2], &[1, 1], "version 1, unrevoke");
    assert_eq!(&b[2..35], &p.request.account.0);
    assert_eq!(b[35], 0, "no pubkey_ed25519");
    assert_eq!(&b[36..100], &p.request.auth.signature);
    assert_eq!(&b[100..108], &[1, 2, 3, 4, 5, 6, 7, 8]);
    assert_eq!(&b[108..110], &[0, 1]);
    assert_eq!(&b[110..], &[0xaa; 36]);
    assert_eq!(RevocationProof::from_bytes(&b), Some(p));
}

#[test]
fn a_05_account_keeps_its_ed25519_key_in_the_wire_form() {
    let k = keys(3);
    let mut request = RevokeReq {
        account: Account(k.session_id().to_bytes()),
        auth: Auth {
            pubkey_ed25519: Some(*k.ed25519_public().as_bytes()),
            signature: [0; 64],
            subaccount: None,
        },
        tokens: vec![[9; 36]],
        timestamp: 42,
    };
    request.auth.signature = k.sign(&signed_request("revoke_subaccount", &request));
    let p = RevocationProof::of_request(RevocationKind::Revoke, &request);
    assert!(p.verify());
    let back = RevocationProof::from_bytes(&p.to_bytes()).expect("parses");
    assert!(back.verify());
    assert_eq!(back, p);
}

#[test]
fn malformed_wire_forms_are_refused() {
    let b = signed(&keys(7), RevocationKind::Revoke, vec![[1; 36], [2; 36]], 9).to_bytes();
    for cut in 0..b.len() {
        assert_eq!(RevocationProof::from_bytes(&b[..cut]), None, "cut at {cut}");
    }
    let mut trailing = b.clone();
    trailing.push(0);
    assert_eq!(RevocationProof::from_bytes(&trailing), None);
    for (at, value) in [(0, 2), (1, 2), (35, 2)] {
        let mut bad = b.clone();
        bad[at] = value;
        assert_eq!(
            RevocationProof::from_bytes(&bad),
            None,
            "byte {at} = {value}"
        );
    }
}

proptest! {
    #[test]
    fn any_bytes_parse_without_panicking(bytes in proptest::collection::vec(any::<u8>(), 0..400)) {
        if let Some(p) = RevocationProof::from_bytes(&bytes) {
            prop_assert_eq!(p.to_bytes(), bytes);
        }
    }

    #[test]
    fn any_proof_round_trips(
        revoke in any::<bool>(),
        ed in proptest::option::of(any::<[u8; 32]>()),
        sig in proptest::collection::vec(any::<u8>(), 64),
        ts in any::<u64>(),
        tokens in proptest::collection::vec(any::<[u8; 32]>(), 0..5),
    ) {
        let p = RevocationProof {
            kind: if revoke { RevocationKind::Revoke } else { RevocationKind::Unrevoke },
            request: RevokeReq {
                account: Account([0x05; 33]),
                auth: Auth {
                    pubkey_ed25519: ed,
                    signature: sig.try_into().expect("64"),
                    subaccount: None,
                },
                tokens: tokens.iter().map(|t| {
                    let mut full = [0u8; 36];
                    full[4..].copy_from_slice(t);
                    full
                }).collect(),
                timestamp: ts,
            },
        };
        prop_assert_eq!(RevocationProof::from_bytes(&p.to_bytes()), Some(p));
    }
}
