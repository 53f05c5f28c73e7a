//! The summary index against its oracle: after any sequence of writes (every kind that adds,
//! removes or re-expires a message, purges, and reopening the database), `summaries` equals a
//! full scan's, at every `now`.
use crate::{acct, msg};
use proptest::prelude::*;
use session_store::*;

#[derive(Debug, Clone)]
enum Op {
    Store {
        who: u8,
        ns: i16,
        data: u8,
        ts: u64,
        expiry: u64,
    },
    StoreExclusive {
        who: u8,
        ns: i16,
        data: u8,
        expiry: u64,
    },
    Delete {
        who: u8,
        pick: usize,
    },
    DeleteAll {
        who: u8,
        ns: Option<i16>,
    },
    DeleteBefore {
        who: u8,
        ts: u64,
    },
    Expiry {
        who: u8,
        pick: usize,
        expiry: u64,
        mode: u8,
    },
    ExpireAll {
        who: u8,
        ns: Option<i16>,
        expiry: u64,
    },
    Purge {
        now: u64,
    },
    Reopen,
}

fn op() -> impl Strategy<Value = Op> {
    let who = 0u8..3;
    let ns = -1i16..2;
    prop_oneof![
        8 => (who.clone(), ns.clone(), 0u8..12, 0u64..50, 1u64..100)
            .prop_map(|(who, ns, data, ts, expiry)| Op::Store { who, ns, data, ts, expiry }),
        1 => (who.clone(), ns.clone(), 0u8..12, 1u64..100)
            .prop_map(|(who, ns, data, expiry)| Op::StoreExclusive { who, ns, data, expiry }),
        2 => (who.clone(), 0usize..8).prop_map(|(who, pick)| Op::Delete { who, pick }),
        1 => (who.clone(), prop::option::of(ns.clone())).prop_map(|(who, ns)| Op::DeleteAll { who, ns }),
        1 => (who.clone(), 0u64..50).prop_map(|(who, ts)| Op::DeleteBefore { who, ts }),
        3 => (who.clone(), 0usize..8, 1u64..100, 0u8..3)
            .prop_map(|(who, pick, expiry, mode)| Op::Expiry { who, pick, expiry, mode }),
        1 => (who.clone(), prop::option::of(ns), 1u64..100)
            .prop_map(|(who, ns, expiry)| Op::ExpireAll { who, ns, expiry }),
        1 => (0u64..100).prop_map(|now| Op::Purge { now }),
        1 => Just(Op::Reopen),
    ]
}

fn apply(s: &Store, op: &Op) {
    match *op {
        Op::Store {
            who,
            ns,
            data,
            ts,
            expiry,
        } => {
            s.store(&msg(acct(who), ns, ts, expiry, &[data])).unwrap();
        }
        Op::StoreExclusive {
            who,
            ns,
            data,
            expiry,
        } => {
            s.store_exclusive(&msg(acct(who), ns, 1, expiry, &[data]))
                .unwrap();
        }
        Op::Delete { who, pick } => {
            let all = s.all_messages(&acct(who)).unwrap();
            if let Some(m) = all.get(pick) {
                s.delete_hashes(&acct(who), &[m.hash], None).unwrap();
            }
        }
        Op::DeleteAll { who, ns } => {
            s.delete_all(&acct(who), ns.map(Namespace), None).unwrap();
        }
        Op::DeleteBefore { who, ts } => {
            s.delete_before(&acct(who), None, ts, None).unwrap();
        }
        Op::Expiry {
            who,
            pick,
            expiry,
            mode,
        } => {
            let all = s.all_messages(&acct(who)).unwrap();
            let mode =
                [ExpiryMode::Set, ExpiryMode::Shorten, ExpiryMode::Extend][usize::from(mode)];
            if let Some(m) = all.get(pick) {
                s.update_expiry(&acct(who), &[m.hash], expiry, mode, None)
                    .unwrap();
            }
        }
        Op::ExpireAll { who, ns, expiry } => {
            s.expire_all(&acct(who), ns.map(Namespace), expiry, None)
                .unwrap();
        }
        Op::Purge { now } => {
            s.purge_expired(now).unwrap();
        }
        Op::Reopen => {}
    }
}

proptest! {
    #![proptest_config(ProptestConfig::with_cases(96))]
    #[test]
    fn summaries_equal_a_full_scan_after_any_writes(ops in prop::collection::vec(op(), 1..80)) {
        let dir = tempfile::tempdir().unwrap();
        let mut s = Store::open(dir.path()).unwrap();
        for op in &ops {
            if matches!(op, Op::Reopen) {
                drop(s);
                s = Store::open(dir.path()).unwrap();
            }
            apply(&s, op);
        }
        for now in [0, 1, 25, 50, 75, 99, 100] {
            prop_assert_eq!(s.summaries(now, |_| true).unwrap(), s.summaries_by_scan(now, |_| true).unwrap());
            let one = |a: &Account| *a == acct(1);
            prop_assert_eq!(s.summaries(now, one).unwrap(), s.summaries_by_scan(now, one).unwrap());
        }
    }
}

#[test]
fn a_database_without_the_index_gets_it_built_at_open() {
    // Written by this version, then the index taken away as a store from before it would have
    // none: reopening rebuilds it from the messages.
    let dir = tempfile::tempdir().unwrap();
    let s = Store::open(dir.path()).unwrap();
    for i in 0..20u8 {
        s.store(&msg(
            acct(i % 3),
            i16::from(i % 2),
            1,
            50 + u64::from(i),
            &[i],
        ))
        .unwrap();
    }
    let want = s.summaries_by_scan(0, |_| true).unwrap();
    assert_eq!(want.len(), 6);
    drop(s);
    forget_the_index(dir.path());
    let s = Store::open(dir.path()).unwrap();
    assert_eq!(s.summaries(0, |_| true).unwrap(), want);
    assert_eq!(
        s.summaries(60, |_| true).unwrap(),
        s.summaries_by_scan(60, |_| true).unwrap()
    );
}

/// Drops the index's column family and its marker, as in a database written before the index.
/// (Opened with a merge operator on the index: replaying its merges from the log without one
/// fails, and RocksDB's recovery would stop there.)
fn forget_the_index(path: &std::path::Path) {
    let opts = rocksdb::Options::default();
    let cfs = rocksdb::DB::list_cf(&opts, path).unwrap();
    assert!(cfs.iter().any(|c| c == "summaries"), "{cfs:?}");
    let families = cfs.iter().map(|name| {
        let mut o = rocksdb::Options::default();
        if name == "summaries" {
            o.set_merge_operator_associative("session-summary-v1", |_, _, _| Some(Vec::new()));
        }
        rocksdb::ColumnFamilyDescriptor::new(name, o)
    });
    let mut db = rocksdb::DB::open_cf_descriptors(&opts, path, families).unwrap();
    assert_eq!(
        db.get(b"summaries_v1").unwrap(),
        Some(Vec::new()),
        "the marker"
    );
    db.drop_cf("summaries").unwrap();
    db.delete(b"summaries_v1").unwrap();
}
