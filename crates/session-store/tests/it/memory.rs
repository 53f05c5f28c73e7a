//! The memtables of all column families together stay within [`MEMTABLE_BUDGET`] (flushed to
//! disk beyond it), however much is written.

use super::*;

#[test]
fn memtables_stay_within_the_budget_while_writing_four_times_it() {
    let (_dir, s) = open();
    let budget = MEMTABLE_BUDGET as u64;
    let data = vec![0x42u8; 1024];
    let (mut written, mut peak, mut n) = (0u64, 0u64, 0u64);
    while written < 4 * budget {
        let mut d = data.clone();
        d[..8].copy_from_slice(&n.to_be_bytes());
        let a = acct(u8::try_from(n % 200).unwrap() + 1);
        stored(&s, &msg(a, 0, 1_000 + n, 10_000_000_000, &d));
        written += d.len() as u64;
        n += 1;
        if n % 1_000 == 0 {
            peak = peak.max(s.memtable_bytes().unwrap());
        }
    }
    assert!(peak > 0, "the memtables were measured");
    // The active memtables plus those being flushed: at most twice the budget. With RocksDB's
    // defaults (two 64 MiB memtables per column family) this reached 4 × budget − overheads.
    assert!(
        peak <= 2 * budget,
        "memtables peaked at {peak} B for a budget of {budget} B after {written} B written"
    );
}

#[test]
fn memory_use_names_the_memtables_the_table_readers_and_the_cache() {
    let (_dir, s) = open();
    let empty = s.memory().unwrap();
    let data = vec![0x17u8; 1024];
    // Past the budget, so tables are flushed to disk and opened; then read them back.
    for n in 0..(2 * MEMTABLE_BUDGET as u64 / 1024) {
        let mut d = data.clone();
        d[..8].copy_from_slice(&n.to_be_bytes());
        stored(
            &s,
            &msg(
                acct(u8::try_from(n % 50).unwrap() + 1),
                0,
                1_000 + n,
                10_000_000_000,
                &d,
            ),
        );
    }
    for a in 1..=50 {
        s.retrieve(&acct(a), Namespace(0), None, 1_000, 1 << 20, 1_000)
            .unwrap();
    }
    let used = s.memory().unwrap();
    assert!(used.memtables > 0, "{used:?}");
    assert!(used.memtables <= 2 * MEMTABLE_BUDGET as u64, "{used:?}");
    assert!(
        used.table_readers > empty.table_readers,
        "flushed tables are open: {used:?}"
    );
    assert!(
        used.block_cache > 0,
        "reads went through the cache: {used:?}"
    );
    assert!(used.block_cache <= BLOCK_CACHE as u64, "{used:?}");
    // Every family reads through the one cache (finding 6: each had a 32 MiB cache of its
    // own, which the shared cache's counter did not see, and the node's RSS grew with them).
    let per_family = s.block_cache_usage_per_family().unwrap();
    assert!(
        per_family.iter().all(|u| *u == per_family[0]),
        "one cache for all: {per_family:?}"
    );
    assert!(
        per_family[0] > 1 << 20,
        "the retrieves filled it: {per_family:?}"
    );
}
