//! Tombstones, the proofs they cite, and applying a peer's.
use crate::open;
use session_store::*;

const ACC: Account = Account([5; 33]);
const NS: Namespace = Namespace(0);

fn msg(data: &[u8], expiry_ms: u64) -> NewMessage {
    NewMessage {
        account: ACC,
        namespace: NS,
        timestamp_ms: 1_000,
        expiry_ms,
        data: data.to_vec(),
    }
}

fn put(s: &Store, m: &NewMessage) -> MessageHash {
    match s.store(m).unwrap() {
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

fn tomb(hash: MessageHash, expiry_ms: u64, proof: Option<&Proof>) -> Tombstone {
    Tombstone {
        hash,
        expiry_ms,
        proof: proof.map(|p| p.id),
    }
}

#[test]
fn deleted_messages_are_not_replicated_back_and_peers_learn_deletions() {
    let ((_ad, a), (_bd, b)) = (open(), open());
    let m = msg(b"secret", 10_000);
    let hash = put(&a, &m);
    b.store(&m).unwrap();
    // Deleted on a: a tombstone until the message's expiry; replication cannot bring it back.
    assert_eq!(a.delete_hashes(&ACC, &[hash], None).unwrap(), vec![hash]);
    assert_eq!(a.tombstones(&ACC, NS).unwrap(), [tomb(hash, 10_000, None)]);
    assert_eq!(a.store_replicated(&m).unwrap(), None);
    assert!(a.all_messages(&ACC).unwrap().is_empty());
    // b missed the deletion; a's tombstones delete its copy and stay there too.
    let t = a.tombstones(&ACC, NS).unwrap();
    let yes = |_: &Tombstone, _: Option<&StoredMessage>, _: Option<&Proof>| true;
    assert_eq!(
        b.apply_tombstones(&ACC, NS, &t, &[], 5_000, yes).unwrap(),
        1
    );
    assert!(b.all_messages(&ACC).unwrap().is_empty());
    assert_eq!(b.store_replicated(&m).unwrap(), None);
    // A tombstone of another account's pair deletes nothing.
    let other = Account([6; 33]);
    assert_eq!(
        b.apply_tombstones(&other, NS, &t, &[], 5_000, yes).unwrap(),
        0
    );
    // A client storing it again means it: stored, tombstone gone.
    put(&a, &m);
    assert!(a.tombstones(&ACC, NS).unwrap().is_empty());
    // Tombstones go with the purge once the message would have expired.
    assert_eq!(b.purge_expired(10_000).unwrap(), 0);
    assert!(b.tombstones(&ACC, NS).unwrap().is_empty());
}

#[test]
fn deletions_store_the_proof_their_tombstones_cite_as_long_as_they_live() {
    let (_d, s) = open();
    let (p, q) = (proof(1), proof(2));
    let h1 = put(&s, &msg(b"1", 10_000));
    let h2 = put(&s, &msg(b"2", 20_000));
    let h3 = put(&s, &msg(b"3", 15_000));
    let h4 = put(&s, &msg(b"4", 30_000));
    let h5 = put(&s, &msg(b"5", 5_000));
    let mut first = vec![h1, h2];
    first.sort();
    assert_eq!(s.delete_hashes(&ACC, &[h1, h2], Some(&p)).unwrap(), first);
    assert_eq!(s.proof(&p.id).unwrap(), Some(p.body.clone()));
    let mut want = vec![tomb(h1, 10_000, Some(&p)), tomb(h2, 20_000, Some(&p))];
    want.sort_by_key(|t| t.hash);
    assert_eq!(s.tombstones(&ACC, NS).unwrap(), want);
    // Citing it again from a shorter-lived deletion keeps the longer lifetime (20 000).
    s.delete_hashes(&ACC, &[h3], Some(&p)).unwrap();
    // Other deletions store their own proofs.
    s.delete_before(&ACC, Some(NS), 1_001, Some(&q)).unwrap();
    assert_eq!(s.proof(&q.id).unwrap(), Some(q.body.clone()));
    let cites = |h| {
        s.tombstones(&ACC, NS)
            .unwrap()
            .iter()
            .find(|t| t.hash == h)
            .unwrap()
            .proof
    };
    assert_eq!((cites(h4), cites(h5)), (Some(q.id), Some(q.id)));
    // The purge drops tombstones and proofs as they expire, and keeps the rest.
    s.purge_expired(10_000).unwrap();
    assert_eq!(s.proof(&p.id).unwrap(), Some(p.body.clone()));
    let left = |s: &Store| -> Vec<_> {
        s.tombstones(&ACC, NS)
            .unwrap()
            .iter()
            .map(|t| t.hash)
            .collect()
    };
    assert_eq!(left(&s).len(), 3);
    s.purge_expired(19_999).unwrap();
    assert_eq!(s.proof(&p.id).unwrap(), Some(p.body.clone()));
    assert_eq!(left(&s).len(), 2);
    s.purge_expired(20_000).unwrap();
    assert_eq!(s.proof(&p.id).unwrap(), None);
    assert_eq!(left(&s), [h4]);
    assert!(s.proof(&q.id).unwrap().is_some());
    s.purge_expired(30_000).unwrap();
    assert_eq!(s.proof(&q.id).unwrap(), None);
    assert!(left(&s).is_empty());
}

#[test]
fn a_second_write_of_a_proof_keeps_the_longer_lifetime() {
    let (_d, s) = open();
    let p = proof(1);
    let h = put(&s, &msg(b"short", 10_000));
    put(&s, &msg(b"long", 30_000));
    s.delete_hashes(&ACC, &[h], Some(&p)).unwrap();
    s.delete_all(&ACC, None, Some(&p)).unwrap();
    s.purge_expired(10_000).unwrap();
    assert!(s.proof(&p.id).unwrap().is_some());
    s.purge_expired(30_000).unwrap();
    assert_eq!(s.proof(&p.id).unwrap(), None);
}

#[test]
fn deleting_nothing_writes_no_proof() {
    let (_d, s) = open();
    let p = proof(1);
    put(&s, &msg(b"new", 10_000));
    let unknown = MessageHash([9; 32]);
    assert!(
        s.delete_hashes(&ACC, &[unknown], Some(&p))
            .unwrap()
            .is_empty()
    );
    assert!(
        s.delete_before(&ACC, None, 999, Some(&p))
            .unwrap()
            .is_empty()
    );
    assert!(
        s.delete_all(&Account([6; 33]), None, Some(&p))
            .unwrap()
            .is_empty()
    );
    assert_eq!(s.proof(&p.id).unwrap(), None);
    assert!(s.tombstones(&ACC, NS).unwrap().is_empty());
}

#[test]
fn tombstones_written_before_proofs_still_read() {
    let dir = tempfile::tempdir().unwrap();
    let m = msg(b"old", 10_000);
    let hash = MessageHash::compute(&ACC, NS, &m.data);
    drop(Store::open(dir.path()).unwrap());
    // An 8-byte tombstone value, as written before proofs existed.
    let mut key = ACC.0.to_vec();
    key.extend_from_slice(&[0x80, 0x00]); // namespace 0, order-preserving
    let raw = |value: &[u8], hash: &MessageHash| {
        let cfs = rocksdb::DB::list_cf(&rocksdb::Options::default(), dir.path()).unwrap();
        let db = rocksdb::DB::open_cf(&rocksdb::Options::default(), dir.path(), cfs).unwrap();
        let key = [key.as_slice(), &hash.0].concat();
        db.put_cf(db.cf_handle("tombstones").unwrap(), key, value)
            .unwrap();
    };
    raw(&10_000u64.to_be_bytes(), &hash);
    let s = Store::open(dir.path()).unwrap();
    assert_eq!(s.tombstones(&ACC, NS).unwrap(), [tomb(hash, 10_000, None)]);
    assert_eq!(s.store_replicated(&m).unwrap(), None);
    s.purge_expired(10_000).unwrap();
    assert!(s.tombstones(&ACC, NS).unwrap().is_empty());
    drop(s);
    // Any other length is corruption.
    raw(&[0; 12], &hash);
    let s = Store::open(dir.path()).unwrap();
    assert!(matches!(
        s.tombstones(&ACC, NS),
        Err(Error::Corrupt {
            what: "tombstone value"
        })
    ));
}

/// What `accept` was asked: the tombstone's hash, the held message's hash, the proof's id.
type Asked = Vec<(MessageHash, Option<MessageHash>, Option<[u8; 32]>)>;

#[test]
fn applying_asks_accept_and_applies_only_what_it_accepts() {
    let ((_ad, a), (_bd, b)) = (open(), open());
    let (p, unsupplied) = (proof(1), proof(2));
    let ms = [
        msg(b"held, accepted", 10_000),
        msg(b"held, refused", 10_000),
        msg(b"unheld, accepted", 20_000),
        msg(b"unheld, refused", 10_000),
        msg(b"held, proof not supplied", 10_000),
        msg(b"held, expired tombstone", 4_000),
    ];
    let h: Vec<_> = ms.iter().map(|m| put(&a, m)).collect();
    for i in [0, 1, 4, 5] {
        put(&b, &ms[i]);
    }
    a.delete_hashes(&ACC, &h[..4], Some(&p)).unwrap();
    a.delete_hashes(&ACC, &h[4..], Some(&unsupplied)).unwrap();
    let tombs = a.tombstones(&ACC, NS).unwrap();
    let refused = [h[1], h[3]];
    let mut asked: Asked = Vec::new();
    let n = b
        .apply_tombstones(
            &ACC,
            NS,
            &tombs,
            std::slice::from_ref(&p),
            5_000,
            |t, held, proof| {
                asked.push((t.hash, held.map(|m| m.hash), proof.map(|p| p.id)));
                !refused.contains(&t.hash)
            },
        )
        .unwrap();
    assert_eq!(n, 2);
    // Asked about every unexpired tombstone, with the held copy and the supplied proof.
    asked.sort();
    let mut want: Asked = vec![
        (h[0], Some(h[0]), Some(p.id)),
        (h[1], Some(h[1]), Some(p.id)),
        (h[2], None, Some(p.id)),
        (h[3], None, Some(p.id)),
        (h[4], Some(h[4]), None),
    ];
    want.sort();
    assert_eq!(asked, want);
    // Accepted: held copies deleted, tombstones recorded citing the supplied proof (or none).
    let left: Vec<_> = b
        .all_messages(&ACC)
        .unwrap()
        .iter()
        .map(|m| m.hash)
        .collect();
    assert_eq!(left, [h[1], h[5]]);
    let mut want = vec![
        tomb(h[0], 10_000, Some(&p)),
        tomb(h[2], 20_000, Some(&p)),
        tomb(h[4], 10_000, None),
    ];
    want.sort_by_key(|t| t.hash);
    assert_eq!(b.tombstones(&ACC, NS).unwrap(), want);
    assert_eq!(b.proof(&unsupplied.id).unwrap(), None);
    // The proof lives as long as its longest tombstone here.
    assert_eq!(b.proof(&p.id).unwrap(), Some(p.body.clone()));
    b.purge_expired(19_999).unwrap();
    assert!(b.proof(&p.id).unwrap().is_some());
    b.purge_expired(20_000).unwrap();
    assert_eq!(b.proof(&p.id).unwrap(), None);
}

#[test]
fn refused_tombstones_change_nothing() {
    let ((_ad, a), (_bd, b)) = (open(), open());
    let p = proof(1);
    let m = msg(b"kept", 10_000);
    let h = put(&a, &m);
    put(&b, &m);
    let unheld = put(&a, &msg(b"unheld", 10_000));
    a.delete_all(&ACC, None, Some(&p)).unwrap();
    let tombs = a.tombstones(&ACC, NS).unwrap();
    let no = |_: &Tombstone, _: Option<&StoredMessage>, _: Option<&Proof>| false;
    assert_eq!(
        b.apply_tombstones(&ACC, NS, &tombs, std::slice::from_ref(&p), 0, no)
            .unwrap(),
        0
    );
    assert_eq!(
        b.get(&ACC, &h).unwrap().map(|m| m.data),
        Some(m.data.clone())
    );
    assert!(b.tombstones(&ACC, NS).unwrap().is_empty());
    assert_eq!(b.proof(&p.id).unwrap(), None);
    // Nothing was recorded: the refused unheld message can still be replicated here.
    assert!(
        b.store_replicated(&msg(b"unheld", 10_000))
            .unwrap()
            .is_some()
    );
    assert!(b.get(&ACC, &unheld).unwrap().is_some());
}

#[test]
fn known_tombstones_and_repeats_are_not_asked_again() {
    let ((_ad, a), (_bd, b)) = (open(), open());
    let p = proof(1);
    let h = put(&a, &msg(b"x", 10_000));
    put(&b, &msg(b"x", 10_000));
    a.delete_hashes(&ACC, &[h], Some(&p)).unwrap();
    let t = a.tombstones(&ACC, NS).unwrap();
    let twice = [t[0], t[0]];
    let asked = std::cell::Cell::new(0);
    let count = |_: &Tombstone, _: Option<&StoredMessage>, _: Option<&Proof>| {
        asked.set(asked.get() + 1);
        true
    };
    let proofs = [p.clone()];
    assert_eq!(
        b.apply_tombstones(&ACC, NS, &twice, &proofs, 0, count)
            .unwrap(),
        1
    );
    assert_eq!(
        b.apply_tombstones(&ACC, NS, &t, &proofs, 0, count).unwrap(),
        0
    );
    // A tombstone without a proof says less than the recorded one: skipped too.
    let bare = [tomb(h, 10_000, None)];
    assert_eq!(
        b.apply_tombstones(&ACC, NS, &bare, &[], 0, count).unwrap(),
        0
    );
    assert_eq!(asked.get(), 1);
    assert_eq!(b.tombstones(&ACC, NS).unwrap(), t);
    // One that lives longer is news.
    let longer = [tomb(h, 12_000, Some(&p))];
    b.apply_tombstones(&ACC, NS, &longer, &proofs, 0, count)
        .unwrap();
    assert_eq!(asked.get(), 2);
    assert_eq!(b.tombstones(&ACC, NS).unwrap(), longer);
    b.purge_expired(11_000).unwrap();
    assert!(b.proof(&p.id).unwrap().is_some());
}
