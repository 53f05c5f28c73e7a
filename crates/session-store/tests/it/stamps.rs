//! Expiry stamps: recorded with proven expiry changes, applied from a peer's by the newest.
use crate::open;
use session_store::*;

const ACC: Account = Account([5; 33]);
const NS: Namespace = Namespace(0);

fn put(s: &Store, data: &[u8], expiry_ms: u64) -> MessageHash {
    let m = NewMessage {
        account: ACC,
        namespace: NS,
        timestamp_ms: 1_000,
        expiry_ms,
        data: data.to_vec(),
    };
    match s.store(&m).unwrap() {
        StoreOutcome::Inserted { hash, .. } => hash,
        other => panic!("expected insert, got {other:?}"),
    }
}

fn proof(b: u8) -> Proof {
    Proof {
        id: [b; 32],
        body: vec![b; 3],
    }
}

fn expiry(s: &Store, hash: &MessageHash) -> Option<u64> {
    s.get(&ACC, hash).unwrap().map(|m| m.expiry_ms)
}

fn stamp(hash: MessageHash, expiry_ms: u64, set_at_ms: u64, proof: &Proof) -> ExpiryStamp {
    ExpiryStamp {
        hash,
        expiry_ms,
        set_at_ms,
        proof: proof.id,
    }
}

fn yes(_: &ExpiryStamp, _: &StoredMessage, _: &Proof) -> bool {
    true
}

#[test]
fn a_proven_change_is_stamped_and_an_unproven_one_is_not() {
    let (_d, s) = open();
    let (h1, h2) = (put(&s, b"1", 10_000), put(&s, b"2", 20_000));
    let p = proof(1);
    let by = Stamping {
        proof: &p,
        set_at_ms: 500,
    };
    // Shorten both to 15,000: only h2 changes, so only h2 is stamped.
    s.update_expiry(&ACC, &[h1, h2], 15_000, ExpiryMode::Shorten, Some(by))
        .unwrap();
    assert_eq!(s.stamps(&ACC, NS).unwrap(), [stamp(h2, 15_000, 500, &p)]);
    assert_eq!(s.proof(&p.id).unwrap(), Some(p.body.clone()));
    s.update_expiry(&ACC, &[h1], 12_000, ExpiryMode::Extend, None)
        .unwrap();
    assert_eq!(s.stamps(&ACC, NS).unwrap().len(), 1, "no proof, no stamp");
    // expire_all stamps what it shortens.
    let q = proof(2);
    let by_q = Stamping {
        proof: &q,
        set_at_ms: 600,
    };
    s.expire_all(&ACC, Some(NS), 11_000, Some(by_q)).unwrap();
    let mut want = vec![stamp(h1, 11_000, 600, &q), stamp(h2, 11_000, 600, &q)];
    want.sort_by_key(|st| st.hash);
    assert_eq!(s.stamps(&ACC, NS).unwrap(), want);
    // A deleted message's stamp goes with it; expired stamps and their proofs are purged.
    s.delete_hashes(&ACC, &[h1], None).unwrap();
    assert_eq!(s.stamps(&ACC, NS).unwrap(), [stamp(h2, 11_000, 600, &q)]);
    s.purge_expired(11_000).unwrap();
    assert!(s.stamps(&ACC, NS).unwrap().is_empty());
    assert_eq!(s.proof(&q.id).unwrap(), None);
}

#[test]
fn a_peers_stamp_applies_when_newer_and_accepted() {
    let ((_ad, a), (_bd, b)) = (open(), open());
    let h = put(&a, b"m", 10_000);
    put(&b, b"m", 10_000);
    let p = proof(1);
    a.update_expiry(
        &ACC,
        &[h],
        30_000,
        ExpiryMode::Set,
        Some(Stamping {
            proof: &p,
            set_at_ms: 700,
        }),
    )
    .unwrap();
    let theirs = a.stamps(&ACC, NS).unwrap();
    // Refused by the caller's check, or without its proof: nothing changes.
    let no = |_: &ExpiryStamp, _: &StoredMessage, _: &Proof| false;
    assert_eq!(
        b.apply_stamps(&ACC, NS, &theirs, std::slice::from_ref(&p), 1, no)
            .unwrap(),
        0
    );
    assert_eq!(b.apply_stamps(&ACC, NS, &theirs, &[], 1, yes).unwrap(), 0);
    assert_eq!(expiry(&b, &h), Some(10_000));
    // Accepted: b takes the expiry, the stamp and the proof.
    assert_eq!(
        b.apply_stamps(&ACC, NS, &theirs, std::slice::from_ref(&p), 1, yes)
            .unwrap(),
        1
    );
    assert_eq!(expiry(&b, &h), Some(30_000));
    assert_eq!(b.stamps(&ACC, NS).unwrap(), theirs);
    assert_eq!(b.proof(&p.id).unwrap(), Some(p.body.clone()));
    // Again: nothing new. An older stamp loses; a newer one wins, even to shorten.
    assert_eq!(
        b.apply_stamps(&ACC, NS, &theirs, std::slice::from_ref(&p), 1, yes)
            .unwrap(),
        0
    );
    let q = proof(2);
    let older = [stamp(h, 5_000, 699, &q)];
    assert_eq!(
        b.apply_stamps(&ACC, NS, &older, std::slice::from_ref(&q), 1, yes)
            .unwrap(),
        0
    );
    assert_eq!(expiry(&b, &h), Some(30_000));
    let newer = [stamp(h, 5_000, 701, &q)];
    assert_eq!(
        b.apply_stamps(&ACC, NS, &newer, std::slice::from_ref(&q), 1, yes)
            .unwrap(),
        1
    );
    assert_eq!(expiry(&b, &h), Some(5_000));
    // Same time, later expiry wins the tie.
    let tie = [stamp(h, 6_000, 701, &p)];
    assert_eq!(
        b.apply_stamps(&ACC, NS, &tie, std::slice::from_ref(&p), 1, yes)
            .unwrap(),
        1
    );
    assert_eq!(expiry(&b, &h), Some(6_000));
}

#[test]
fn stamps_of_messages_not_held_or_expired_do_nothing() {
    let (_d, s) = open();
    let h = put(&s, b"held", 10_000);
    let p = proof(1);
    let other_pair = Namespace(1);
    let unknown = MessageHash([9; 32]);
    let stamps = [stamp(unknown, 50_000, 1, &p), stamp(h, 9_000, 1, &p)];
    // The unknown hash is skipped; an expired stamp (9,000 at now 9,500) is skipped.
    assert_eq!(
        s.apply_stamps(&ACC, NS, &stamps, std::slice::from_ref(&p), 9_500, yes)
            .unwrap(),
        0
    );
    // The held message under another namespace is not this pair's.
    let st = [stamp(h, 40_000, 1, &p)];
    assert_eq!(
        s.apply_stamps(&ACC, other_pair, &st, std::slice::from_ref(&p), 1, yes)
            .unwrap(),
        0
    );
    assert_eq!(expiry(&s, &h), Some(10_000));
    assert!(s.stamps(&ACC, NS).unwrap().is_empty());
}

#[test]
fn an_expiry_change_changes_the_expiry_digest_only() {
    let ((_ad, a), (_bd, b)) = (open(), open());
    let h = put(&a, b"m", 10_000);
    put(&b, b"m", 10_000);
    let sum = |s: &Store| s.summaries(0, |_| true).unwrap();
    assert_eq!(sum(&a), sum(&b));
    a.update_expiry(&ACC, &[h], 20_000, ExpiryMode::Set, None)
        .unwrap();
    let (sa, sb) = (sum(&a)[0], sum(&b)[0]);
    assert_eq!((sa.count, sa.digest), (sb.count, sb.digest));
    assert_ne!(sa.expiry_digest, sb.expiry_digest);
    b.update_expiry(&ACC, &[h], 20_000, ExpiryMode::Set, None)
        .unwrap();
    assert_eq!(sum(&a), sum(&b));
}

#[test]
fn a_change_made_here_after_a_held_stamp_beats_it_whatever_the_clocks() {
    let (_d, s) = open();
    let h = put(&s, b"m", 10_000);
    let (p, q) = (proof(1), proof(2));
    // A peer's stamp dated far ahead of this node's clock...
    let ahead = [stamp(h, 30_000, 90_000, &p)];
    assert_eq!(
        s.apply_stamps(&ACC, NS, &ahead, std::slice::from_ref(&p), 1, yes)
            .unwrap(),
        1
    );
    // ...then a change here at 500 on our clock: dated just after the held stamp.
    let by = Stamping {
        proof: &q,
        set_at_ms: 500,
    };
    s.update_expiry(&ACC, &[h], 20_000, ExpiryMode::Set, Some(by))
        .unwrap();
    assert_eq!(s.stamps(&ACC, NS).unwrap(), [stamp(h, 20_000, 90_001, &q)]);
    assert_eq!(expiry(&s, &h), Some(20_000));
}
