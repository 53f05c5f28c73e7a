//! Revocation states: last writer wins by timestamp (a revoke wins a tie), the newest fifty of
//! each kind kept, proofs kept opaque, summaries that change with any state.

use super::{acct, open};
use session_store::*;

fn rev(token: u8, ts: u64, revoked: bool) -> Revocation {
    Revocation {
        token: [token; 36],
        timestamp_ms: ts,
        revoked,
        proof: vec![token, ts as u8, u8::from(revoked)],
    }
}

#[test]
fn the_newest_request_wins_whatever_the_order_of_arrival() {
    let a = acct(1);
    let (revoke, unrevoke) = (rev(1, 10, true), rev(1, 20, false));
    for order in [[&revoke, &unrevoke], [&unrevoke, &revoke]] {
        let (_d, s) = open();
        for r in order {
            s.apply_revocation(&a, r).unwrap();
        }
        assert!(!s.is_revoked(&a, &[1; 36]).unwrap(), "unrevoked at 20 > 10");
        assert_eq!(s.revocations(&a).unwrap(), vec![unrevoke.clone()]);
    }
}

#[test]
fn a_revoke_wins_a_tie_and_a_stale_state_changes_nothing() {
    let (_d, s) = open();
    let a = acct(1);
    assert_eq!(
        s.apply_revocation(&a, &rev(1, 10, false)).unwrap(),
        Some(None)
    );
    assert_eq!(
        s.apply_revocation(&a, &rev(1, 10, true)).unwrap(),
        Some(Some(rev(1, 10, false))),
        "same timestamp: the revoke replaces the unrevoke"
    );
    assert_eq!(s.apply_revocation(&a, &rev(1, 10, false)).unwrap(), None);
    assert_eq!(s.apply_revocation(&a, &rev(1, 9, false)).unwrap(), None);
    assert_eq!(
        s.apply_revocation(&a, &rev(1, 10, true)).unwrap(),
        None,
        "no-op repeat"
    );
    assert!(s.is_revoked(&a, &[1; 36]).unwrap());
    assert!(!s.is_revoked(&acct(2), &[1; 36]).unwrap(), "per account");
}

#[test]
fn the_newest_fifty_revocations_and_fifty_unrevocations_are_kept() {
    let (_d, s) = open();
    let a = acct(1);
    for i in 0..51u8 {
        s.apply_revocation(&a, &rev(i, 100 + u64::from(i), true))
            .unwrap();
        s.apply_revocation(&a, &rev(100 + i, 100 + u64::from(i), false))
            .unwrap();
    }
    assert!(
        !s.is_revoked(&a, &[0; 36]).unwrap(),
        "oldest revocation pruned"
    );
    assert!(s.is_revoked(&a, &[1; 36]).unwrap() && s.is_revoked(&a, &[50; 36]).unwrap());
    let all = s.revocations(&a).unwrap();
    assert_eq!(all.iter().filter(|r| r.revoked).count(), MAX_REVOCATIONS);
    assert_eq!(all.iter().filter(|r| !r.revoked).count(), MAX_REVOCATIONS);
    assert!(
        !all.iter().any(|r| r.token == [100; 36]),
        "oldest unrevocation pruned"
    );
    // A revocation older than the fifty kept is dropped at once, not kept as the 51st.
    assert_eq!(s.apply_revocation(&a, &rev(200, 5, true)).unwrap(), None);
    assert!(!s.is_revoked(&a, &[200; 36]).unwrap());
}

#[test]
fn summaries_cover_proven_states_per_account_and_change_with_each() {
    let (_d, s) = open();
    let (a, b) = (acct(1), acct(2));
    s.apply_revocation(&a, &rev(1, 10, true)).unwrap();
    s.apply_revocation(&b, &rev(1, 10, true)).unwrap();
    let mut unproven = rev(2, 10, true);
    unproven.proof.clear();
    s.apply_revocation(&a, &unproven).unwrap();
    let all = s.revocation_summaries(|_| true).unwrap();
    assert_eq!(all.len(), 2);
    assert_eq!(
        (all[0].account, all[0].count),
        (a, 1),
        "an unproven state is not replicated"
    );
    assert_eq!(
        all[0].digest, all[1].digest,
        "same state, same digest, whatever the account"
    );
    assert!(s.is_revoked(&a, &[2; 36]).unwrap(), "but it is enforced");
    let before = all[0];
    s.apply_revocation(&a, &rev(1, 11, false)).unwrap();
    let after = s.revocation_summaries(|x| x == &a).unwrap();
    assert_eq!(after.len(), 1);
    assert_eq!(after[0].count, 1);
    assert_ne!(after[0].digest, before.digest);
}

#[test]
fn states_survive_a_reopen() {
    let dir = tempfile::tempdir().unwrap();
    let a = acct(1);
    {
        let s = Store::open(dir.path()).unwrap();
        s.apply_revocation(&a, &rev(1, 10, true)).unwrap();
        s.apply_revocation(&a, &rev(2, 10, false)).unwrap();
    }
    let s = Store::open(dir.path()).unwrap();
    assert!(s.is_revoked(&a, &[1; 36]).unwrap());
    assert!(!s.is_revoked(&a, &[2; 36]).unwrap());
    assert_eq!(s.revocations(&a).unwrap().len(), 2);
}
