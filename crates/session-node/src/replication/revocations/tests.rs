//! A node facing a peer's revocation states, on a real store: only proven states take effect,
//! and the newest wins.
use super::*;
use session_crypto::{IdentityKeys, Seed};
use session_rpc::auth::Auth;
use session_rpc::request::signed_request;

fn keys(n: u8) -> IdentityKeys {
    IdentityKeys::from_seed(Seed::from_bytes([n; 32]))
}

/// A group account: the group's Ed25519 key signs for it directly.
fn group(k: &IdentityKeys) -> Account {
    let mut a = [0x03; 33];
    a[1..].copy_from_slice(k.ed25519_public().as_bytes());
    Account(a)
}

/// `signer`'s request of `kind` on `account` for `tokens` at `ts`.
fn request(
    signer: &IdentityKeys,
    account: Account,
    kind: RevocationKind,
    tokens: &[u8],
    ts: u64,
) -> RevokeReq {
    let mut r = RevokeReq {
        account,
        auth: Auth {
            pubkey_ed25519: None,
            signature: [0; 64],
            subaccount: None,
        },
        tokens: tokens.iter().map(|t| [*t; 36]).collect(),
        timestamp: ts,
    };
    r.auth.signature = signer.sign(&signed_request(kind.method(), &r));
    r
}

/// The wire states a peer that executed `req` would send.
fn wire(kind: RevocationKind, req: &RevokeReq) -> Vec<proto::Revocation> {
    of_request(kind, req)
        .into_iter()
        .map(|r| proto::Revocation {
            token: r.token.to_vec(),
            timestamp_ms: r.timestamp_ms,
            revoked: r.revoked,
            proof: r.proof,
        })
        .collect()
}

fn store() -> (tempfile::TempDir, Store) {
    let dir = tempfile::tempdir().expect("dir");
    let store = Store::open(&dir.path().join("store")).expect("store");
    (dir, store)
}

#[test]
fn a_proven_revocation_from_a_peer_takes_effect() {
    let (_d, s) = store();
    let g = keys(3);
    let req = request(&g, group(&g), RevocationKind::Revoke, &[1, 2], 1_000);
    assert_eq!(apply(&s, &group(&g), wire(RevocationKind::Revoke, &req)), 2);
    assert!(s.is_revoked(&group(&g), &[1; 36]).expect("read"));
    assert!(s.is_revoked(&group(&g), &[2; 36]).expect("read"));
    assert_eq!(
        reply(&s, &group(&g)).expect("reply"),
        wire(RevocationKind::Revoke, &req)
    );
    assert_eq!(
        apply(&s, &group(&g), wire(RevocationKind::Revoke, &req)),
        0,
        "idempotent"
    );
}

#[test]
fn unproven_or_mismatched_states_are_refused() {
    let (_d, s) = store();
    let (g, mallory) = (keys(3), keys(4));
    let account = group(&g);
    let forged = request(&mallory, account, RevocationKind::Revoke, &[1], 1_000);
    let good = request(&g, account, RevocationKind::Revoke, &[1], 1_000);
    let mut cases: Vec<(&str, Vec<proto::Revocation>)> = vec![(
        "signed by another key",
        wire(RevocationKind::Revoke, &forged),
    )];
    let mut other_token = wire(RevocationKind::Revoke, &good);
    other_token[0].token = vec![2; 36];
    cases.push(("a token the proof does not name", other_token));
    let mut other_time = wire(RevocationKind::Revoke, &good);
    other_time[0].timestamp_ms += 60_000;
    cases.push(("a timestamp the proof does not carry", other_time));
    let unrevoke = request(&g, account, RevocationKind::Unrevoke, &[1], 1_000);
    let mut flipped = wire(RevocationKind::Unrevoke, &unrevoke);
    flipped[0].revoked = true;
    cases.push(("a state the proof does not say", flipped));
    let mut garbage = wire(RevocationKind::Revoke, &good);
    garbage[0].proof.truncate(20);
    cases.push(("a malformed proof", garbage));
    let mut short = wire(RevocationKind::Revoke, &good);
    short[0].token.pop();
    cases.push(("a short token", short));
    for (what, states) in cases {
        assert_eq!(apply(&s, &account, states), 0, "{what}");
        assert!(!s.is_revoked(&account, &[1; 36]).expect("read"), "{what}");
        assert!(!s.is_revoked(&account, &[2; 36]).expect("read"), "{what}");
    }
    let elsewhere = group(&keys(5));
    assert_eq!(
        apply(&s, &elsewhere, wire(RevocationKind::Revoke, &good)),
        0,
        "another account"
    );
}

#[test]
fn an_older_revocation_does_not_undo_a_newer_unrevocation() {
    let (_d, s) = store();
    let g = keys(3);
    let account = group(&g);
    let revoke = request(&g, account, RevocationKind::Revoke, &[1], 1_000);
    let unrevoke = request(&g, account, RevocationKind::Unrevoke, &[1], 2_000);
    assert_eq!(
        apply(&s, &account, wire(RevocationKind::Unrevoke, &unrevoke)),
        1
    );
    assert_eq!(
        apply(&s, &account, wire(RevocationKind::Revoke, &revoke)),
        0
    );
    assert!(!s.is_revoked(&account, &[1; 36]).expect("read"));
}

#[test]
fn differing_lists_accounts_whose_states_are_not_ours() {
    let (_d, s) = store();
    let g = keys(3);
    let (a, b) = (group(&g), group(&keys(4)));
    apply(
        &s,
        &a,
        wire(
            RevocationKind::Revoke,
            &request(&g, a, RevocationKind::Revoke, &[1], 1),
        ),
    );
    let mine: HashMap<Account, RevocationSummary> = s
        .revocation_summaries(|_| true)
        .expect("summaries")
        .into_iter()
        .map(|x| (x.account, x))
        .collect();
    let same = to_wire(s.revocation_summaries(|_| true).expect("summaries"));
    assert!(differing(&same, &mine).is_empty());
    let mut theirs = same.clone();
    theirs[0].digest[0] ^= 1;
    theirs.push(proto::RevocationSummary {
        account: b.0.to_vec(),
        count: 1,
        digest: vec![0; 32],
    });
    theirs.push(proto::RevocationSummary {
        account: vec![1; 5],
        count: 1,
        digest: vec![0; 32],
    });
    assert_eq!(
        differing(&theirs, &mine),
        vec![a, b],
        "malformed accounts skipped"
    );
}
