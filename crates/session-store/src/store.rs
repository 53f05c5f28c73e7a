//! The store: open, insert, retrieve, delete, expire, purge (revocations: `revocations.rs`).

use crate::codec::*;
use crate::error::{DbContext, Result};
use crate::types::*;
use rocksdb::{ColumnFamily, DB, Direction, IteratorMode, Options, WriteBatch};
use session_rpc::request::retrieve_cost;
use session_rpc::types::{Account, ExpiryMode, MessageHash, Namespace};
use std::path::Path;
use std::sync::Mutex;
use std::sync::atomic::{AtomicU64, Ordering};

/// Memory all column families' memtables may fill together before RocksDB flushes the largest
/// (`db_write_buffer_size`). Without it each of the eight column families could hold two
/// 64 MiB memtables (RocksDB's defaults): the node's memory grew with every message stored until
/// then (the load-and-limits run, `docs/RELIABILITY.md`).
pub const MEMTABLE_BUDGET: usize = 32 << 20;

/// The block cache, one for all column families. RocksDB would make a 32 MiB cache of its own
/// per table factory when none is given; one explicit cache keeps the bound in one place.
pub const BLOCK_CACHE: usize = 32 << 20;

/// Bloom filter bits per key. Every new message first looks its hash up (and its tombstone):
/// a lookup of an absent key then skips the tables that cannot hold it instead of searching each
/// one's index and data blocks. About 1.25 bytes of memory per key.
const BLOOM_BITS_PER_KEY: f64 = 10.0;

/// Sequence numbers reserved per write of the stored counter: the counter is written once per
/// this many messages, not with every one (issue 20). A restart resumes after the reservation,
/// so sequence numbers stay increasing, with a gap of at most this many.
pub const SEQ_BLOCK: u64 = 1_024;

/// The store's memory as RocksDB counts it, in bytes ([`Store::memory`]).
#[derive(Clone, Copy, Debug, Default, PartialEq, Eq)]
pub struct MemoryUse {
    /// Memtables of every column family (bounded by [`MEMTABLE_BUDGET`], twice while
    /// flushing).
    pub memtables: u64,
    /// Index and filter blocks of open table files, held outside the block cache.
    pub table_readers: u64,
    /// The shared block cache (bounded by [`BLOCK_CACHE`]).
    pub block_cache: u64,
    /// The part of the block cache pinned by readers.
    pub block_cache_pinned: u64,
}

/// Messages returned by [`Store::retrieve`].
#[derive(Debug, Default)]
pub struct Retrieved {
    /// The messages, oldest first.
    pub messages: Vec<StoredMessage>,
    /// True when more messages were left out by the count or size limit.
    pub more: bool,
}

/// One message's expiry before and after an `update_expiry`.
#[derive(Clone, Copy, Debug, PartialEq, Eq)]
pub struct ExpiryChange {
    /// The message.
    pub hash: MessageHash,
    /// Its namespace.
    pub namespace: Namespace,
    /// Its expiry before.
    pub old_ms: u64,
    /// Its expiry now (equal to `old_ms` when the mode forbade the change).
    pub new_ms: u64,
}

/// Every column family but RocksDB's default one.
const ALL_CFS: [&str; 7] = [
    CF_MSGS,
    CF_BY_HASH,
    CF_BY_EXPIRY,
    CF_REVOKED,
    CF_TOMBSTONES,
    CF_PROOFS,
    CF_STAMPS,
];

/// The RocksDB-backed message store. Cheap to share behind an `Arc`; reads run concurrently,
/// writes are serialised so that deduplication and expiry updates are read-modify-write safe.
pub struct Store {
    db: DB,
    write_lock: Mutex<()>,
    next_seq: AtomicU64,
    /// Sequence numbers below this are covered by the stored counter.
    seq_reserved: AtomicU64,
}

impl std::fmt::Debug for Store {
    fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
        f.debug_struct("Store")
            .field("path", &self.db.path())
            .finish_non_exhaustive()
    }
}

impl Store {
    /// Opens (creating if needed) the store in `path`.
    pub fn open(path: &Path) -> Result<Self> {
        let mut opts = Options::default();
        opts.create_if_missing(true);
        opts.create_missing_column_families(true);
        opts.set_compression_type(rocksdb::DBCompressionType::Lz4);
        opts.set_db_write_buffer_size(MEMTABLE_BUDGET);
        let mut table = rocksdb::BlockBasedOptions::default();
        table.set_block_cache(&rocksdb::Cache::new_lru_cache(BLOCK_CACHE));
        table.set_bloom_filter(BLOOM_BITS_PER_KEY, false);
        opts.set_block_based_table_factory(&table);
        // Every column family, RocksDB's default one included, with these options, so with the
        // one block cache and lz4: `DB::open_cf` gives each family RocksDB's defaults, among
        // them a 32 MiB block cache of its own (finding 6 of docs/RELIABILITY.md).
        let families = std::iter::once(rocksdb::DEFAULT_COLUMN_FAMILY_NAME)
            .chain(ALL_CFS)
            .map(|name| rocksdb::ColumnFamilyDescriptor::new(name, opts.clone()));
        let db = DB::open_cf_descriptors(&opts, path, families).ctx("opening the database")?;
        let next_seq = match db.get(META_NEXT_SEQ).ctx("reading the sequence")? {
            Some(v) => u64_value(&v, "next_seq")?,
            None => 1,
        };
        Ok(Self {
            db,
            write_lock: Mutex::new(()),
            next_seq: AtomicU64::new(next_seq),
            seq_reserved: AtomicU64::new(next_seq),
        })
    }

    /// Bytes held by the memtables of every column family, active, immutable and pinned
    /// (RocksDB's `size-all-mem-tables`).
    pub fn memtable_bytes(&self) -> Result<u64> {
        self.sum_over_cfs("rocksdb.size-all-mem-tables")
    }

    /// Where RocksDB says the store's memory is (finding 6 of docs/RELIABILITY.md: what grows
    /// under sustained writes).
    pub fn memory(&self) -> Result<MemoryUse> {
        let db_property = |name: &str| {
            (self.db.property_int_value(name))
                .ctx("reading memory use")
                .map(Option::unwrap_or_default)
        };
        Ok(MemoryUse {
            memtables: self.memtable_bytes()?,
            table_readers: self.sum_over_cfs("rocksdb.estimate-table-readers-mem")?,
            block_cache: db_property("rocksdb.block-cache-usage")?,
            block_cache_pinned: db_property("rocksdb.block-cache-pinned-usage")?,
        })
    }

    /// Each column family's block cache usage, RocksDB's default family first: all read the
    /// one shared cache, so all are equal.
    pub fn block_cache_usage_per_family(&self) -> Result<Vec<u64>> {
        let prop = "rocksdb.block-cache-usage";
        let mut out = vec![
            (self.db.property_int_value(prop))
                .ctx("reading a store property")?
                .unwrap_or_default(),
        ];
        for name in ALL_CFS {
            out.push(
                (self.db.property_int_value_cf(self.cf(name), prop))
                    .ctx("reading a store property")?
                    .unwrap_or_default(),
            );
        }
        Ok(out)
    }

    /// `property` summed over RocksDB's default column family and ours.
    fn sum_over_cfs(&self, property: &str) -> Result<u64> {
        let mut total = (self.db.property_int_value(property))
            .ctx("reading a store property")?
            .unwrap_or(0);
        for name in ALL_CFS {
            total += (self.db.property_int_value_cf(self.cf(name), property))
                .ctx("reading a store property")?
                .unwrap_or(0);
        }
        Ok(total)
    }

    pub(crate) fn db(&self) -> &DB {
        &self.db
    }

    pub(crate) fn cf(&self, name: &'static str) -> &ColumnFamily {
        self.db
            .cf_handle(name)
            .expect("column families are created at open")
    }

    pub(crate) fn lock(&self) -> std::sync::MutexGuard<'_, ()> {
        // A panic while holding the lock cannot leave RocksDB half-written (batches are atomic).
        self.write_lock.lock().unwrap_or_else(|e| e.into_inner())
    }

    pub(crate) fn write(&self, batch: WriteBatch, context: &'static str) -> Result<()> {
        self.db.write(batch).ctx(context)
    }

    pub(crate) fn loc_of(&self, hash: &MessageHash) -> Result<Option<Loc>> {
        match self
            .db
            .get_cf(self.cf(CF_BY_HASH), hash.0)
            .ctx("reading the hash index")?
        {
            Some(v) => Ok(Some(Loc::decode(&v)?)),
            None => Ok(None),
        }
    }

    /// Stores a message. A duplicate (same hash) keeps one copy, with the later expiry.
    pub fn store(&self, msg: &NewMessage) -> Result<StoreOutcome> {
        self.store_inner(msg, false)
    }

    /// Stores a message and deletes every other message of its (account, namespace), as the
    /// public-outbox namespaces require; both happen in one atomic batch.
    pub fn store_exclusive(&self, msg: &NewMessage) -> Result<StoreOutcome> {
        self.store_inner(msg, true)
    }

    fn store_inner(&self, msg: &NewMessage, exclusive: bool) -> Result<StoreOutcome> {
        let hash = MessageHash::compute(&msg.account, msg.namespace, &msg.data);
        let _guard = self.lock();
        let mut batch = WriteBatch::default();
        if exclusive {
            for (loc, m) in self.scan(&ns_prefix(&msg.account, msg.namespace))? {
                if m.hash != hash {
                    self.delete_into(&mut batch, &loc, &m.hash, m.expiry_ms, None);
                }
            }
        }
        if let Some(loc) = self.loc_of(&hash)? {
            let value = self
                .db
                .get_cf(self.cf(CF_MSGS), loc.key())
                .ctx("reading a message")?
                .ok_or(crate::Error::Corrupt {
                    what: "by_hash points at nothing",
                })?;
            let old = decode_value(loc.ns, &value)?.expiry_ms;
            let expiry_ms = old.max(msg.expiry_ms);
            if expiry_ms != old {
                self.set_expiry_into(&mut batch, &loc, &hash, &value, old, expiry_ms);
            }
            self.write(batch, "extending a duplicate")?;
            return Ok(StoreOutcome::Duplicate { hash, expiry_ms });
        }
        let seq = self.next_seq.fetch_add(1, Ordering::SeqCst);
        let loc = Loc {
            account: msg.account,
            ns: msg.namespace,
            seq,
        };
        let value = encode_value(&hash, msg.timestamp_ms, msg.expiry_ms, &msg.data);
        // A client storing a deleted message again means it: the tombstone goes. (Looked up
        // first: a delete of an absent key would still cost a memtable entry per message.)
        let tombstone = tombstone_key(&msg.account, msg.namespace, &hash);
        if (self.db.get_pinned_cf(self.cf(CF_TOMBSTONES), &tombstone))
            .ctx("reading a tombstone")?
            .is_some()
        {
            batch.delete_cf(self.cf(CF_TOMBSTONES), tombstone);
        }
        batch.put_cf(self.cf(CF_MSGS), loc.key(), value);
        batch.put_cf(self.cf(CF_BY_HASH), hash.0, loc.key());
        batch.put_cf(self.cf(CF_BY_EXPIRY), expiry_key(msg.expiry_ms, &hash), []);
        let reserve = self.reserve_seq_into(&mut batch, seq);
        self.write(batch, "storing a message")?;
        if let Some(upto) = reserve {
            self.seq_reserved.store(upto, Ordering::SeqCst);
        }
        Ok(StoreOutcome::Inserted {
            hash,
            expiry_ms: msg.expiry_ms,
        })
    }

    /// Writes a new reservation of sequence numbers into `batch` when `seq` is past the stored
    /// one; returns it, to be taken as reserved once the batch is written (under the write lock).
    fn reserve_seq_into(&self, batch: &mut WriteBatch, seq: u64) -> Option<u64> {
        if seq < self.seq_reserved.load(Ordering::SeqCst) {
            return None;
        }
        let upto = seq + SEQ_BLOCK;
        batch.put(META_NEXT_SEQ, upto.to_be_bytes());
        Some(upto)
    }

    /// Deletes a message and leaves a tombstone (citing `proof`, whose record the caller
    /// writes) until its expiry, so replication never brings it back from a node that missed
    /// the deletion.
    pub(crate) fn delete_into(
        &self,
        batch: &mut WriteBatch,
        loc: &Loc,
        hash: &MessageHash,
        expiry: u64,
        proof: Option<&[u8; 32]>,
    ) {
        batch.delete_cf(self.cf(CF_MSGS), loc.key());
        batch.delete_cf(self.cf(CF_BY_HASH), hash.0);
        batch.delete_cf(self.cf(CF_BY_EXPIRY), expiry_key(expiry, hash));
        let key = tombstone_key(&loc.account, loc.ns, hash);
        batch.delete_cf(self.cf(CF_STAMPS), &key);
        batch.put_cf(self.cf(CF_TOMBSTONES), key, tombstone_value(expiry, proof));
    }

    /// Deletes `found` into `batch`, the tombstones citing `proof`, which is written too (with
    /// the largest expiry of the deleted messages as its lifetime) unless nothing was deleted.
    fn delete_found_into(
        &self,
        batch: &mut WriteBatch,
        found: &[(Loc, StoredMessage)],
        proof: Option<&Proof>,
    ) -> Result<()> {
        for (loc, m) in found {
            self.delete_into(batch, loc, &m.hash, m.expiry_ms, proof.map(|p| &p.id));
        }
        let lifetime = found.iter().map(|(_, m)| m.expiry_ms).max();
        if let (Some(proof), Some(lifetime)) = (proof, lifetime) {
            self.put_proof_into(batch, proof, lifetime)?;
        }
        Ok(())
    }

    pub(crate) fn set_expiry_into(
        &self,
        batch: &mut WriteBatch,
        loc: &Loc,
        hash: &MessageHash,
        value: &[u8],
        old: u64,
        new: u64,
    ) {
        batch.put_cf(self.cf(CF_MSGS), loc.key(), with_expiry(value, new));
        batch.delete_cf(self.cf(CF_BY_EXPIRY), expiry_key(old, hash));
        batch.put_cf(self.cf(CF_BY_EXPIRY), expiry_key(new, hash), []);
    }

    /// Every message under a key prefix of `msgs`, in key order (expired ones included).
    pub(crate) fn scan(&self, prefix: &[u8]) -> Result<Vec<(Loc, StoredMessage)>> {
        let mut out = Vec::new();
        let iter = self.db.iterator_cf(
            self.cf(CF_MSGS),
            IteratorMode::From(prefix, Direction::Forward),
        );
        for item in iter {
            let (k, v) = item.ctx("scanning messages")?;
            if !k.starts_with(prefix) {
                break;
            }
            let loc = Loc::decode(&k)?;
            out.push((loc, decode_value(loc.ns, &v)?));
        }
        Ok(out)
    }

    /// Messages of (account, namespace) stored after `after` (from the oldest when `after` is
    /// `None` or unknown), skipping any expired at `now_ms`. Stops at `max_count` messages or
    /// when the next message would push the total [`retrieve_cost`] past `max_size` (always
    /// returning at least one message if there is one), as the reference server counts.
    pub fn retrieve(
        &self,
        account: &Account,
        ns: Namespace,
        after: Option<&MessageHash>,
        max_count: usize,
        max_size: usize,
        now_ms: u64,
    ) -> Result<Retrieved> {
        let prefix = ns_prefix(account, ns);
        // An unknown or foreign `after` starts from the oldest message.
        let start = match after.map(|h| self.loc_of(h)).transpose()?.flatten() {
            Some(loc) if loc.account == *account && loc.ns == ns => Loc {
                seq: loc.seq + 1,
                ..loc
            }
            .key()
            .to_vec(),
            _ => prefix.clone(),
        };
        let mut out = Retrieved::default();
        let mut size = 0usize;
        let iter = self.db.iterator_cf(
            self.cf(CF_MSGS),
            IteratorMode::From(&start, Direction::Forward),
        );
        for item in iter {
            let (k, v) = item.ctx("retrieving messages")?;
            if !k.starts_with(&prefix) {
                break;
            }
            let msg = decode_value(ns, &v)?;
            if msg.expiry_ms <= now_ms {
                continue;
            }
            let cost = retrieve_cost(msg.data.len());
            if out.messages.len() >= max_count
                || (!out.messages.is_empty() && size.saturating_add(cost) > max_size)
            {
                out.more = true;
                break;
            }
            size = size.saturating_add(cost);
            out.messages.push(msg);
        }
        Ok(out)
    }

    /// Looks up one message by hash (whatever its expiry).
    pub fn get(&self, account: &Account, hash: &MessageHash) -> Result<Option<StoredMessage>> {
        let Some(loc) = self.loc_of(hash)?.filter(|l| l.account == *account) else {
            return Ok(None);
        };
        match self
            .db
            .get_cf(self.cf(CF_MSGS), loc.key())
            .ctx("reading a message")?
        {
            Some(v) => Ok(Some(decode_value(loc.ns, &v)?)),
            None => Ok(None),
        }
    }

    fn owned(
        &self,
        account: &Account,
        hashes: &[MessageHash],
    ) -> Result<Vec<(Loc, StoredMessage)>> {
        let mut found = Vec::new();
        for h in hashes {
            let Some(loc) = self.loc_of(h)?.filter(|l| l.account == *account) else {
                continue;
            };
            if let Some(v) = self
                .db
                .get_cf(self.cf(CF_MSGS), loc.key())
                .ctx("reading a message")?
            {
                found.push((loc, decode_value(loc.ns, &v)?));
            }
        }
        found.sort_by_key(|(_, m)| m.hash);
        found.dedup_by_key(|(_, m)| m.hash);
        Ok(found)
    }

    /// Deletes the given messages of `account`, leaving tombstones that cite `proof` (stored in
    /// the same batch when anything was deleted); returns the hashes deleted, sorted.
    pub fn delete_hashes(
        &self,
        account: &Account,
        hashes: &[MessageHash],
        proof: Option<&Proof>,
    ) -> Result<Vec<MessageHash>> {
        let _guard = self.lock();
        let found = self.owned(account, hashes)?;
        let mut batch = WriteBatch::default();
        self.delete_found_into(&mut batch, &found, proof)?;
        self.write(batch, "deleting messages")?;
        Ok(found.into_iter().map(|(_, m)| m.hash).collect())
    }

    fn delete_where(
        &self,
        account: &Account,
        ns: Option<Namespace>,
        proof: Option<&Proof>,
        keep: impl Fn(&StoredMessage) -> bool,
    ) -> Result<Vec<(Namespace, MessageHash)>> {
        let prefix = match ns {
            Some(ns) => ns_prefix(account, ns),
            None => account_prefix(account),
        };
        let _guard = self.lock();
        let mut found = self.scan(&prefix)?;
        found.retain(|(_, m)| !keep(m));
        let mut batch = WriteBatch::default();
        self.delete_found_into(&mut batch, &found, proof)?;
        self.write(batch, "deleting messages")?;
        Ok(found
            .into_iter()
            .map(|(_, m)| (m.namespace, m.hash))
            .collect())
    }

    /// Deletes every message of `account` (in one namespace, or all), leaving tombstones that
    /// cite `proof` (stored in the same batch when anything was deleted); returns what was
    /// deleted.
    pub fn delete_all(
        &self,
        account: &Account,
        ns: Option<Namespace>,
        proof: Option<&Proof>,
    ) -> Result<Vec<(Namespace, MessageHash)>> {
        self.delete_where(account, ns, proof, |_| false)
    }

    /// Deletes the messages of `account` whose timestamp is at or before `before_ms` (the
    /// reference's `<=`), as [`Store::delete_all`] does.
    pub fn delete_before(
        &self,
        account: &Account,
        ns: Option<Namespace>,
        before_ms: u64,
        proof: Option<&Proof>,
    ) -> Result<Vec<(Namespace, MessageHash)>> {
        self.delete_where(account, ns, proof, |m| m.timestamp_ms > before_ms)
    }

    /// Moves the expiry of the given messages to `expiry_ms` as `mode` allows; returns every
    /// message found (changed or not), sorted by hash. With `stamping`, each change is stamped
    /// with its proof (see [`Store::stamps`]).
    pub fn update_expiry(
        &self,
        account: &Account,
        hashes: &[MessageHash],
        expiry_ms: u64,
        mode: ExpiryMode,
        stamping: Option<Stamping<'_>>,
    ) -> Result<Vec<ExpiryChange>> {
        let _guard = self.lock();
        let found = self.owned(account, hashes)?;
        let new_expiry = |old: u64| match mode {
            ExpiryMode::Set => expiry_ms,
            ExpiryMode::Shorten => old.min(expiry_ms),
            ExpiryMode::Extend => old.max(expiry_ms),
        };
        self.apply_expiry(found, new_expiry, stamping)
    }

    /// Shortens to `expiry_ms` every message of `account` (one namespace or all) that expires
    /// later; returns the changes, stamped as [`Store::update_expiry`] does.
    pub fn expire_all(
        &self,
        account: &Account,
        ns: Option<Namespace>,
        expiry_ms: u64,
        stamping: Option<Stamping<'_>>,
    ) -> Result<Vec<ExpiryChange>> {
        let prefix = match ns {
            Some(ns) => ns_prefix(account, ns),
            None => account_prefix(account),
        };
        let _guard = self.lock();
        let found: Vec<_> = self
            .scan(&prefix)?
            .into_iter()
            .filter(|(_, m)| m.expiry_ms > expiry_ms)
            .collect();
        self.apply_expiry(found, |_| expiry_ms, stamping)
    }

    fn apply_expiry(
        &self,
        found: Vec<(Loc, StoredMessage)>,
        new_expiry: impl Fn(u64) -> u64,
        stamping: Option<Stamping<'_>>,
    ) -> Result<Vec<ExpiryChange>> {
        let mut batch = WriteBatch::default();
        let mut changes = Vec::with_capacity(found.len());
        let mut lifetime = None;
        for (loc, m) in found {
            let new = new_expiry(m.expiry_ms);
            if new != m.expiry_ms {
                let value = encode_value(&m.hash, m.timestamp_ms, m.expiry_ms, &m.data);
                self.set_expiry_into(&mut batch, &loc, &m.hash, &value, m.expiry_ms, new);
                if let Some(st) = stamping {
                    // A change made here after a stamp we hold beats it, whatever the clocks.
                    let after = self.recorded_stamp(&loc.account, loc.ns, &m.hash)?;
                    let at = after.map_or(st.set_at_ms, |(set_at, _)| st.set_at_ms.max(set_at + 1));
                    self.stamp_into(&mut batch, &loc, &m.hash, new, at, &st.proof.id);
                    lifetime = lifetime.max(Some(new));
                }
            }
            changes.push(ExpiryChange {
                hash: m.hash,
                namespace: m.namespace,
                old_ms: m.expiry_ms,
                new_ms: new,
            });
        }
        if let (Some(st), Some(lifetime)) = (stamping, lifetime) {
            self.put_proof_into(&mut batch, st.proof, lifetime)?;
        }
        self.write(batch, "updating expiries")?;
        Ok(changes)
    }

    /// Deletes every message whose expiry is at or before `now_ms`, and the tombstones and proofs
    /// that lived as long; returns how many messages.
    pub fn purge_expired(&self, now_ms: u64) -> Result<usize> {
        let _guard = self.lock();
        let mut batch = WriteBatch::default();
        let mut n = 0;
        for item in self
            .db
            .iterator_cf(self.cf(CF_BY_EXPIRY), IteratorMode::Start)
        {
            let (k, _) = item.ctx("scanning expiries")?;
            let (expiry, hash) = decode_expiry_key(&k)?;
            if expiry > now_ms {
                break;
            }
            batch.delete_cf(self.cf(CF_BY_EXPIRY), &k);
            if let Some(loc) = self.loc_of(&hash)? {
                batch.delete_cf(self.cf(CF_MSGS), loc.key());
                batch.delete_cf(self.cf(CF_BY_HASH), hash.0);
            }
            n += 1;
        }
        self.purge_tombstones_into(&mut batch, now_ms)?;
        self.purge_proofs_into(&mut batch, now_ms)?;
        self.purge_stamps_into(&mut batch, now_ms)?;
        self.write(batch, "purging expired messages")?;
        Ok(n)
    }

    /// Every message of an account (all namespaces, expired included), for tests and handover.
    pub fn all_messages(&self, account: &Account) -> Result<Vec<StoredMessage>> {
        Ok(self
            .scan(&account_prefix(account))?
            .into_iter()
            .map(|(_, m)| m)
            .collect())
    }
}
