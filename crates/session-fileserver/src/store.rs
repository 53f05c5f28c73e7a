//! The blobs on disk: `files/ID` for stored files, `tmp/*.part` for uploads in progress.
//!
//! An upload streams into a fresh temporary file while its ID is hashed; only when the body is
//! complete, within the limit and fsynced is it renamed to `files/ID` (and the directory
//! fsynced), and only then is its row inserted ([`commit`]). So a `kill -9` at any point leaves
//! either nothing visible or a complete file: a leftover `.part` is deleted at the next start,
//! and a renamed file whose row was never written is an orphan that [`Store::sweep`] removes.

use crate::db::{self, FileRow};
use crate::error::Error;
use crate::request::IdHasher;
use rusqlite::{Connection, OptionalExtension as _, params};
use std::path::{Path, PathBuf};
use tokio::io::AsyncWriteExt as _;

/// Where the blobs live.
#[derive(Clone, Debug)]
pub struct Store {
    files: PathBuf,
    tmp: PathBuf,
}

impl Store {
    /// Opens `data_dir/files` and `data_dir/tmp` (creating them), deleting what a crash left in
    /// `tmp`.
    pub fn open(data_dir: &Path) -> Result<Self, Error> {
        let files = data_dir.join("files");
        let tmp = data_dir.join("tmp");
        for d in [&files, &tmp] {
            std::fs::create_dir_all(d).map_err(Error::io("creating", d))?;
        }
        for entry in std::fs::read_dir(&tmp).map_err(Error::io("listing", &tmp))? {
            let path = entry.map_err(Error::io("listing", &tmp))?.path();
            std::fs::remove_file(&path).map_err(Error::io("removing", &path))?;
        }
        Ok(Self { files, tmp })
    }

    /// The path of a stored file (`id` already checked by [`crate::request::is_valid_id`]).
    pub fn path(&self, id: &str) -> PathBuf {
        self.files.join(id)
    }

    /// Removes files that have no row (a crash between rename and insert); returns how many.
    pub fn sweep(&self, conn: &Connection) -> Result<usize, Error> {
        let mut removed = 0;
        let ctx = Error::io("listing", &self.files);
        for entry in std::fs::read_dir(&self.files).map_err(&ctx)? {
            let entry = entry.map_err(&ctx)?;
            let name = entry.file_name();
            let known = name.to_str().is_some_and(|id| {
                conn.query_row("SELECT 1 FROM files WHERE id = ?1", [id], |_| Ok(()))
                    .optional()
                    .ok()
                    .flatten()
                    .is_some()
            });
            if !known {
                let path = entry.path();
                std::fs::remove_file(&path).map_err(Error::io("removing", &path))?;
                removed += 1;
            }
        }
        Ok(removed)
    }

    /// Starts an upload into a new temporary file.
    pub async fn begin(&self) -> Result<Upload, Error> {
        let name = format!("{:016x}.part", rand::random::<u64>());
        let path = self.tmp.join(name);
        let file = tokio::fs::OpenOptions::new()
            .write(true)
            .create_new(true)
            .open(&path)
            .await
            .map_err(Error::io("creating", &path))?;
        Ok(Upload {
            path: Some(path),
            file,
            hasher: IdHasher::new(),
            size: 0,
        })
    }
}

/// An upload being written. Dropped unfinished, its temporary file is removed.
pub struct Upload {
    path: Option<PathBuf>,
    file: tokio::fs::File,
    hasher: IdHasher,
    size: u64,
}

impl std::fmt::Debug for Upload {
    fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
        f.debug_struct("Upload")
            .field("size", &self.size)
            .finish_non_exhaustive()
    }
}

/// A complete, synced upload waiting for [`commit`].
#[derive(Debug)]
pub struct Received {
    tmp: TempFile,
    /// The file's ID.
    pub id: String,
    /// Its size.
    pub size: u64,
}

#[derive(Debug)]
struct TempFile(Option<PathBuf>);

impl Drop for TempFile {
    fn drop(&mut self) {
        if let Some(p) = self.0.take() {
            let _ = std::fs::remove_file(p);
        }
    }
}

impl Upload {
    /// Bytes written so far.
    pub fn size(&self) -> u64 {
        self.size
    }

    /// Appends bytes.
    pub async fn write(&mut self, bytes: &[u8]) -> Result<(), Error> {
        self.hasher.update(bytes);
        self.size += u64::try_from(bytes.len()).unwrap_or(u64::MAX);
        let path = self.path.clone().unwrap_or_default();
        self.file
            .write_all(bytes)
            .await
            .map_err(Error::io("writing", &path))
    }

    /// Flushes and fsyncs the file: ready for [`commit`].
    pub async fn finish(mut self) -> Result<Received, Error> {
        let path = self.path.take().unwrap_or_default();
        let tmp = TempFile(Some(path.clone()));
        self.file
            .flush()
            .await
            .map_err(Error::io("writing", &path))?;
        self.file
            .sync_all()
            .await
            .map_err(Error::io("syncing", &path))?;
        let hasher = std::mem::take(&mut self.hasher);
        Ok(Received {
            tmp,
            id: hasher.finish(),
            size: self.size,
        })
    }
}

impl Drop for Upload {
    fn drop(&mut self) {
        if let Some(p) = self.path.take() {
            let _ = std::fs::remove_file(p);
        }
    }
}

/// Makes a received upload visible: a file with the same ID (the same bytes) only gets its
/// upload time and expiry renewed, as the reference's de-duplication does; otherwise the
/// temporary file is renamed into place, the directory synced, and the row inserted. Call with
/// the database lock held (it orders this against the cleanup's deletions).
pub fn commit(
    conn: &Connection,
    store: &Store,
    mut received: Received,
    now: f64,
    ttl_secs: u64,
) -> Result<FileRow, Error> {
    let ctx = || Error::db("storing an upload");
    #[allow(clippy::cast_precision_loss)]
    let expiry = micros(now + ttl_secs as f64);
    let uploaded = micros(now);
    let size = i64::try_from(received.size).unwrap_or(i64::MAX);
    let updated = conn
        .execute(
            "UPDATE files SET uploaded = ?2, expiry = ?3 WHERE id = ?1",
            params![received.id, uploaded, expiry],
        )
        .map_err(ctx())?;
    if updated == 0 {
        let from = received.tmp.0.take().unwrap_or_default();
        let to = store.path(&received.id);
        std::fs::rename(&from, &to).map_err(Error::io("storing", &to))?;
        sync_dir(&store.files)?;
        conn.execute(
            "INSERT INTO files (id, size, uploaded, expiry) VALUES (?1, ?2, ?3, ?4)",
            params![received.id, size, uploaded, expiry],
        )
        .map_err(ctx())?;
    }
    db::get_live(conn, &received.id, f64::NEG_INFINITY)
        .map_err(ctx())?
        .ok_or(Error::Invalid("upload vanished".into()))
}

/// Deletes expired rows, then their files; returns how many. Call with the database lock held.
pub fn remove_expired(conn: &Connection, store: &Store, now: f64) -> Result<usize, Error> {
    let ctx = || Error::db("removing expired files");
    let ids: Vec<String> = {
        let mut st = conn
            .prepare("DELETE FROM files WHERE expiry <= ?1 RETURNING id")
            .map_err(ctx())?;
        st.query_map([now], |r| r.get(0))
            .map_err(ctx())?
            .collect::<rusqlite::Result<_>>()
            .map_err(ctx())?
    };
    for id in &ids {
        let path = store.path(id);
        if let Err(e) = std::fs::remove_file(&path)
            && e.kind() != std::io::ErrorKind::NotFound
        {
            tracing::warn!(error = %e, "removing an expired file failed");
        }
    }
    Ok(ids.len())
}

/// Rounds a time to microseconds (the reference's timestamp precision).
pub fn micros(t: f64) -> f64 {
    (t * 1e6).round() / 1e6
}

fn sync_dir(dir: &Path) -> Result<(), Error> {
    std::fs::File::open(dir)
        .and_then(|d| d.sync_all())
        .map_err(Error::io("syncing", dir))
}
