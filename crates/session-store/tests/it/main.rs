//! Integration tests of the store against a real RocksDB directory.
#![allow(clippy::unwrap_used, clippy::expect_used, missing_docs)]

mod memory;
mod model;
mod revocations;
mod stamps;
mod tombstones;

use base64::Engine as _;
use session_store::*;

pub fn open() -> (tempfile::TempDir, Store) {
    let dir = tempfile::tempdir().unwrap();
    let store = Store::open(dir.path()).unwrap();
    (dir, store)
}

pub fn acct(b: u8) -> Account {
    let mut a = [b; 33];
    a[0] = 0x05;
    Account(a)
}

pub fn msg(a: Account, ns: i16, ts: u64, expiry: u64, data: &[u8]) -> NewMessage {
    NewMessage {
        account: a,
        namespace: Namespace(ns),
        timestamp_ms: ts,
        expiry_ms: expiry,
        data: data.to_vec(),
    }
}

fn stored(s: &Store, m: &NewMessage) -> MessageHash {
    match s.store(m).unwrap() {
        StoreOutcome::Inserted { hash, .. } => hash,
        other => panic!("expected insert, got {other:?}"),
    }
}

const FAR: u64 = u64::MAX / 2;

#[test]
fn message_hash_vector() {
    // vectors.md section 9
    let data = base64::engine::general_purpose::STANDARD.decode(
        "CAES1gIKA1BVVBIPL2FwaS92MS9tZXNzYWdlGrsCCAYovfqZv4YvQq8CVwutUBbhRzZw80TvR6uTYMKg9DSagrtpeEpY31L7VxawfS8aSya0SiDa4J025SkjP13YX8g5pxgQ8Z6hgfNArMqr/tSijJ9miVKVDJ63YWE85O8kyWF8tdtZR5j0Vxb+JH5U8Rg1bp7ftKk3OSf7JJMcrUUrDnctQHe540zJ2OTDJ03DfubkX5NmKqEu5nhXGxeeDv3mTiL63fjtCvZYcikfjf6Nh1AX++HTgJ9SGoEIMastGUorFrmmXb2sbjHxNiJn0Radj/VzcA9VxYwBW5+AbGQ2d9+vvm7X+8vh+jIenJfjxf+8CWER+9adNfb4YUH07I+godNCV0O0J05gzqfKdT7J8MBZzFBtKrbk8oCagPpTsq/wZyYFKFKKD+q+zh704dYBILvs5yXUA96pIAA=",
    ).unwrap();
    let pk: [u8; 33] =
        hex::decode("05ffba630924aa1224bb930dde21c0d11bf004608f2812217f8ac812d6c7e3ad48")
            .unwrap()
            .try_into()
            .unwrap();
    let h = MessageHash::compute(&Account(pk), Namespace(0), &data);
    assert_eq!(h.to_b64(), "4sMyAuaZlMwww3oFvfhazfw7ASx/7TDtO+TVc8aAjHs");
    assert_eq!(MessageHash::from_b64(&h.to_b64()), Some(h));
    // the namespace is part of the hash (decimal, omitted for 0)
    assert_ne!(MessageHash::compute(&Account(pk), Namespace(1), &data), h);
    assert_eq!(MessageHash::from_b64("short"), None);
}

#[test]
fn retrieve_in_insertion_order_after_last_hash_with_limits() {
    let (_d, s) = open();
    let a = acct(1);
    let hashes: Vec<_> = (0..10u8)
        .map(|i| stored(&s, &msg(a, 0, 1000 + u64::from(i), FAR, &[i; 10])))
        .collect();
    stored(&s, &msg(a, 5, 1, FAR, b"other namespace"));
    stored(&s, &msg(acct(2), 0, 1, FAR, b"other account"));
    let all = s
        .retrieve(&a, Namespace(0), None, 100, usize::MAX, 0)
        .unwrap();
    assert_eq!(
        all.messages.iter().map(|m| m.hash).collect::<Vec<_>>(),
        hashes
    );
    assert!(!all.more);
    let page = s
        .retrieve(&a, Namespace(0), Some(&hashes[3]), 4, usize::MAX, 0)
        .unwrap();
    assert_eq!(
        page.messages.iter().map(|m| m.hash).collect::<Vec<_>>(),
        hashes[4..8]
    );
    assert!(page.more);
    // each 10-byte message costs 143 + 13 = 156 against the size cap, as the reference counts
    let by_size = s.retrieve(&a, Namespace(0), None, 100, 2 * 156, 0).unwrap();
    assert_eq!(by_size.messages.len(), 2);
    assert!(by_size.more);
    let by_size = s
        .retrieve(&a, Namespace(0), None, 100, 2 * 156 - 1, 0)
        .unwrap();
    assert_eq!(by_size.messages.len(), 1);
    // at least one message even if it alone exceeds the size limit
    assert_eq!(
        s.retrieve(&a, Namespace(0), None, 100, 1, 0)
            .unwrap()
            .messages
            .len(),
        1
    );
    // an unknown (or foreign) last hash starts from the oldest
    let foreign = stored(&s, &msg(acct(3), 0, 1, FAR, b"x"));
    assert_eq!(
        s.retrieve(&a, Namespace(0), Some(&foreign), 100, usize::MAX, 0)
            .unwrap()
            .messages
            .len(),
        10
    );
    assert_eq!(
        s.retrieve(&a, Namespace(5), None, 100, usize::MAX, 0)
            .unwrap()
            .messages[0]
            .data,
        b"other namespace"
    );
}

#[test]
fn duplicates_are_idempotent_and_extend() {
    let (_d, s) = open();
    let a = acct(1);
    let h = stored(&s, &msg(a, 0, 1, 5000, b"same"));
    assert_eq!(
        s.store(&msg(a, 0, 2, 4000, b"same")).unwrap(),
        StoreOutcome::Duplicate {
            hash: h,
            expiry_ms: 5000
        }
    );
    assert_eq!(
        s.store(&msg(a, 0, 2, 9000, b"same")).unwrap(),
        StoreOutcome::Duplicate {
            hash: h,
            expiry_ms: 9000
        }
    );
    let got = s
        .retrieve(&a, Namespace(0), None, 10, usize::MAX, 0)
        .unwrap()
        .messages;
    assert_eq!(got.len(), 1);
    assert_eq!((got[0].timestamp_ms, got[0].expiry_ms), (1, 9000));
    // the extended expiry is the one the purge uses
    assert_eq!(s.purge_expired(5000).unwrap(), 0);
    assert_eq!(s.purge_expired(9000).unwrap(), 1);
}

#[test]
fn expired_messages_are_never_returned_and_purged() {
    let (_d, s) = open();
    let a = acct(1);
    let h1 = stored(&s, &msg(a, 0, 1, 100, b"short"));
    let h2 = stored(&s, &msg(a, 0, 2, 200, b"long"));
    let at = |now| {
        s.retrieve(&a, Namespace(0), None, 10, usize::MAX, now)
            .unwrap()
            .messages
    };
    assert_eq!(at(99).len(), 2);
    assert_eq!(at(100).iter().map(|m| m.hash).collect::<Vec<_>>(), [h2]);
    assert_eq!(s.purge_expired(150).unwrap(), 1);
    assert!(s.get(&a, &h1).unwrap().is_none());
    assert!(s.get(&a, &h2).unwrap().is_some());
    // retrieving after a purged hash starts over
    assert_eq!(
        s.retrieve(&a, Namespace(0), Some(&h1), 10, usize::MAX, 0)
            .unwrap()
            .messages
            .len(),
        1
    );
}

#[test]
fn deletes_touch_only_the_owner() {
    let (_d, s) = open();
    let (a, b) = (acct(1), acct(2));
    let ha = stored(&s, &msg(a, 0, 10, FAR, b"a0"));
    let ha2 = stored(&s, &msg(a, 3, 20, FAR, b"a3"));
    let hb = stored(&s, &msg(b, 0, 10, FAR, b"b0"));
    assert_eq!(s.delete_hashes(&a, &[hb, ha, ha], None).unwrap(), vec![ha]);
    assert!(s.get(&b, &hb).unwrap().is_some());
    stored(&s, &msg(a, 0, 30, FAR, b"a0 again"));
    // `before` itself is included (the reference deletes timestamp <= before)
    assert_eq!(
        s.delete_before(&a, None, 20, None).unwrap(),
        vec![(Namespace(3), ha2)]
    );
    let rest = s.delete_all(&a, Some(Namespace(0)), None).unwrap();
    assert_eq!(rest.len(), 1);
    assert!(s.all_messages(&a).unwrap().is_empty());
    assert_eq!(s.all_messages(&b).unwrap().len(), 1);
}

#[test]
fn expiry_updates() {
    let (_d, s) = open();
    let a = acct(1);
    let h1 = stored(&s, &msg(a, 0, 1, 1000, b"1"));
    let h2 = stored(&s, &msg(a, 0, 1, 3000, b"2"));
    let mut sorted = [h1, h2];
    sorted.sort();
    let ch = s
        .update_expiry(&a, &[h1, h2], 2000, ExpiryMode::Shorten, None)
        .unwrap();
    let new_of = |h| ch.iter().find(|c| c.hash == h).unwrap().new_ms;
    assert_eq!((new_of(h1), new_of(h2)), (1000, 2000));
    assert_eq!(ch.iter().map(|c| c.hash).collect::<Vec<_>>(), sorted);
    let ch = s
        .update_expiry(&a, &[h1], 1500, ExpiryMode::Extend, None)
        .unwrap();
    assert_eq!(ch[0].new_ms, 1500);
    let ch = s
        .update_expiry(&a, &[h1], 500, ExpiryMode::Set, None)
        .unwrap();
    assert_eq!((ch[0].old_ms, ch[0].new_ms), (1500, 500));
    let ch = s.expire_all(&a, None, 700, None).unwrap();
    assert_eq!(ch.len(), 1);
    assert_eq!((ch[0].hash, ch[0].new_ms), (h2, 700));
    assert_eq!(s.purge_expired(600).unwrap(), 1);
    assert_eq!(s.purge_expired(700).unwrap(), 1);
}

#[test]
fn exclusive_store_replaces_the_namespace() {
    let (_d, s) = open();
    let a = acct(1);
    stored(&s, &msg(a, -21, 1, FAR, b"old"));
    stored(&s, &msg(a, 0, 1, FAR, b"keep"));
    let h = match s.store_exclusive(&msg(a, -21, 2, FAR, b"new")).unwrap() {
        StoreOutcome::Inserted { hash, .. } => hash,
        o => panic!("{o:?}"),
    };
    let got = s
        .retrieve(&a, Namespace(-21), None, 10, usize::MAX, 0)
        .unwrap()
        .messages;
    assert_eq!(got.iter().map(|m| m.hash).collect::<Vec<_>>(), [h]);
    assert_eq!(s.all_messages(&a).unwrap().len(), 2);
}

#[test]
fn a_replicated_public_outbox_keeps_the_newest_message() {
    let (_d, s) = open();
    let a = acct(1);
    let outbox = |ts: u64, data: &[u8]| msg(a, -21, ts, FAR, data);
    let held = |s: &Store| -> Vec<Vec<u8>> {
        s.retrieve(&a, Namespace(-21), None, 10, usize::MAX, 0)
            .unwrap()
            .messages
            .into_iter()
            .map(|m| m.data)
            .collect()
    };
    stored(&s, &outbox(5, b"five"));
    // A newer one from a peer replaces it; an older one (from a peer that missed the
    // replacement) is refused.
    assert!(s.store_replicated(&outbox(7, b"seven")).unwrap().is_some());
    assert_eq!(held(&s), [b"seven".to_vec()]);
    assert!(s.store_replicated(&outbox(6, b"six")).unwrap().is_none());
    assert_eq!(held(&s), [b"seven".to_vec()]);
    // Other namespaces keep every replicated message.
    assert!(
        s.store_replicated(&msg(a, 0, 1, FAR, b"x"))
            .unwrap()
            .is_some()
    );
    assert!(
        s.store_replicated(&msg(a, 0, 2, FAR, b"y"))
            .unwrap()
            .is_some()
    );
    assert_eq!(s.all_messages(&a).unwrap().len(), 3);
}

#[test]
fn survives_reopen_with_order_and_sequence_intact() {
    let dir = tempfile::tempdir().unwrap();
    let a = acct(1);
    let first = {
        let s = Store::open(dir.path()).unwrap();
        (0..5u8)
            .map(|i| stored(&s, &msg(a, -3, 1, FAR, &[i])))
            .collect::<Vec<_>>()
    };
    let s = Store::open(dir.path()).unwrap();
    let later = stored(&s, &msg(a, -3, 1, FAR, b"after reopen"));
    let got: Vec<_> = s
        .retrieve(&a, Namespace(-3), None, 100, usize::MAX, 0)
        .unwrap()
        .messages
        .iter()
        .map(|m| m.hash)
        .collect();
    assert_eq!(got[..5], first[..]);
    assert_eq!(got[5], later);
}

/// The counter is stored once per `SEQ_BLOCK` messages: across block boundaries and reopens
/// (each of which skips the rest of a reservation), messages keep the order they were stored
/// in, and `retrieve` after any of them resumes right behind it.
#[test]
fn sequence_reservations_keep_the_order_across_blocks_and_reopens() {
    let dir = tempfile::tempdir().unwrap();
    let a = acct(2);
    let block = usize::try_from(SEQ_BLOCK).unwrap();
    let mut hashes = Vec::new();
    for round in 0..3u32 {
        let s = Store::open(dir.path()).unwrap();
        let n = if round == 0 { block + 3 } else { 2 };
        for i in 0..n {
            let data = format!("{round}/{i}");
            hashes.push(stored(&s, &msg(a, 0, 1, FAR, data.as_bytes())));
        }
    }
    let s = Store::open(dir.path()).unwrap();
    let all: Vec<_> = (s.retrieve(&a, Namespace(0), None, 10_000, usize::MAX, 0))
        .unwrap()
        .messages
        .iter()
        .map(|m| m.hash)
        .collect();
    assert_eq!(all, hashes);
    for at in [block - 1, block, block + 2, block + 3, block + 4] {
        let after: Vec<_> = (s.retrieve(&a, Namespace(0), Some(&hashes[at]), 2, usize::MAX, 0))
            .unwrap()
            .messages
            .iter()
            .map(|m| m.hash)
            .collect();
        assert_eq!(
            after,
            hashes[at + 1..(at + 3).min(hashes.len())],
            "after #{at}"
        );
    }
}

#[test]
fn namespaces_classify_like_the_spec() {
    assert!(
        Namespace(0).is_public_inbox()
            && Namespace(-10).is_public_inbox()
            && Namespace(20).is_public_inbox()
    );
    assert!(!Namespace(11).is_public_inbox());
    assert!(
        Namespace(-1).is_public_outbox()
            && Namespace(-21).is_public_outbox()
            && !Namespace(1).is_public_outbox()
    );
    assert!(
        Namespace(-11).is_unrevocable()
            && Namespace(-111).is_unrevocable()
            && !Namespace(11).is_unrevocable()
    );
    assert!(!Namespace(i16::MIN).is_public_outbox());
    assert_eq!(Namespace(0).signing_str(), "");
    assert_eq!(Namespace(-10).signing_str(), "-10");
}

mod sync_summaries {
    use session_store::{Account, Namespace, NewMessage, Store};

    fn msg(account: u8, ns: i16, data: &[u8], expiry_ms: u64) -> NewMessage {
        NewMessage {
            account: Account([account; 33]),
            namespace: Namespace(ns),
            timestamp_ms: 1_000,
            expiry_ms,
            data: data.to_vec(),
        }
    }

    #[test]
    fn summaries_match_exactly_when_live_sets_match() {
        let (a_dir, b_dir) = (tempfile::tempdir().unwrap(), tempfile::tempdir().unwrap());
        let (a, b) = (
            Store::open(a_dir.path()).unwrap(),
            Store::open(b_dir.path()).unwrap(),
        );
        let msgs = [
            msg(5, 0, b"x", 10_000),
            msg(5, 0, b"y", 10_000),
            msg(5, 2, b"z", 10_000),
            msg(7, 0, b"w", 10_000),
        ];
        for m in &msgs {
            a.store(m).unwrap();
        }
        // Same set, other order: equal summaries.
        for m in msgs.iter().rev() {
            b.store(m).unwrap();
        }
        let all = |_: &Account| true;
        let sa = a.summaries(5_000, all).unwrap();
        assert_eq!(sa, b.summaries(5_000, all).unwrap());
        assert_eq!(sa.len(), 3);
        assert_eq!(sa[0].count, 2);
        // One more message: only that (account, namespace) differs.
        b.store(&msg(5, 2, b"extra", 10_000)).unwrap();
        let sb = b.summaries(5_000, all).unwrap();
        assert_eq!(sa[0], sb[0]);
        assert_ne!(sa[1], sb[1]);
        assert_eq!(sa[2], sb[2]);
        // Expired messages count for nothing; the filter drops accounts.
        a.store(&msg(9, 0, b"old", 2_000)).unwrap();
        assert_eq!(a.summaries(5_000, all).unwrap(), sa);
        assert_eq!(
            a.summaries(5_000, |acc: &Account| acc.0[0] == 7)
                .unwrap()
                .len(),
            1
        );
        // A full retrieve returns the set a summary describes; expired ones are not in it.
        let all = usize::MAX;
        let live = b
            .retrieve(&Account([5; 33]), Namespace(2), None, all, all, 5_000)
            .unwrap();
        assert_eq!(live.messages.len() as u64, sb[1].count);
        let old = a
            .retrieve(&Account([9; 33]), Namespace(0), None, all, all, 5_000)
            .unwrap();
        assert!(old.messages.is_empty());
    }
}
