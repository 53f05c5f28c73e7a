//! Criterion benchmark for issue 20 ("no full-column-family scans in the sync round"): a peer's
//! `Summary` answer from the summary index against the full scan it replaced, on a store of
//! 100,000 messages in 2,000 (account, namespace) pairs, for every account and for the tenth a
//! caller's swarm owns.
#![allow(missing_docs, clippy::unwrap_used, clippy::expect_used)]

use criterion::{Criterion, criterion_group, criterion_main};
use session_store::{Account, Namespace, NewMessage, Store};
use std::hint::black_box;

const ACCOUNTS: u32 = 1_000;
const MESSAGES: u32 = 100_000;
/// Expired but not yet purged at the bench's `now` (what a purge pass would take).
const EXPIRED: u32 = 500;

fn account(i: u32) -> Account {
    let mut a = [0u8; 33];
    a[0] = 5;
    a[1..5].copy_from_slice(&i.to_be_bytes());
    Account(a)
}

fn filled() -> (tempfile::TempDir, Store) {
    let dir = tempfile::tempdir().unwrap();
    let store = Store::open(dir.path()).unwrap();
    for i in 0..MESSAGES {
        let mut data = vec![0xa5; 100 + (i % 200) as usize];
        data[..4].copy_from_slice(&i.to_be_bytes());
        let expiry_ms = if i < EXPIRED { 500 } else { 10_000_000 };
        store
            .store(&NewMessage {
                account: account(i % ACCOUNTS),
                namespace: Namespace(i16::from((i / ACCOUNTS).is_multiple_of(2))),
                timestamp_ms: u64::from(i),
                expiry_ms,
                data,
            })
            .unwrap();
    }
    (dir, store)
}

fn summaries(c: &mut Criterion) {
    let (_dir, store) = filled();
    let everything = store.summaries_by_scan(0, |_| true).unwrap();
    let stored: u64 = everything.iter().map(|s| s.count).sum();
    assert_eq!(
        (stored, everything.len()),
        (u64::from(MESSAGES), 2 * ACCOUNTS as usize)
    );
    let now = 1_000;
    let all = |_: &Account| true;
    let tenth = |a: &Account| a.0[4].is_multiple_of(10);
    assert_eq!(
        store.summaries(now, all).unwrap(),
        store.summaries_by_scan(now, all).unwrap()
    );
    let mut g = c.benchmark_group("summaries_100k");
    g.sample_size(10);
    g.bench_function("index_all", |b| {
        b.iter(|| black_box(store.summaries(now, all).unwrap()))
    });
    g.bench_function("scan_all", |b| {
        b.iter(|| black_box(store.summaries_by_scan(now, all).unwrap()))
    });
    g.bench_function("index_tenth", |b| {
        b.iter(|| black_box(store.summaries(now, tenth).unwrap()))
    });
    g.bench_function("scan_tenth", |b| {
        b.iter(|| black_box(store.summaries_by_scan(now, tenth).unwrap()))
    });
    g.finish();
}

criterion_group!(benches, summaries);
criterion_main!(benches);
