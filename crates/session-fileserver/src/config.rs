//! Server configuration, with the reference server's defaults, and the release data that
//! `GET /session_version` answers from (`releases.json` in the data directory).

use crate::error::Error;
use serde::Deserialize;
use std::collections::BTreeMap;
use std::path::{Path, PathBuf};
use std::sync::Arc;
use std::time::{Duration, SystemTime, UNIX_EPOCH};

/// A clock: unix seconds.
pub type Clock = Arc<dyn Fn() -> f64 + Send + Sync>;

/// The system clock.
pub fn system_clock() -> Clock {
    Arc::new(|| {
        SystemTime::now()
            .duration_since(UNIX_EPOCH)
            .map(|d| d.as_secs_f64())
            .unwrap_or(0.0)
    })
}

/// Three weeks, the reference server's `FILE_EXPIRY` and the longest `X-FS-TTL`.
pub const THREE_WEEKS_SECS: u64 = 21 * 24 * 3600;
/// The shortest `X-FS-TTL` honoured.
pub const MIN_TTL_SECS: u64 = 60;
/// What Session clients upload at most (`MAX_ATTACHMENT_FILESIZE_BYTES`).
pub const DEFAULT_MAX_FILE_SIZE: u64 = 10_000_000;
/// The release data file inside the data directory.
pub const RELEASES_FILE: &str = "releases.json";

/// Server configuration.
#[derive(Clone)]
pub struct Config {
    /// Holds the database, the blobs (`files/`, `tmp/`), the key and `releases.json`.
    pub data_dir: PathBuf,
    /// Largest upload, bytes (10,000,000).
    pub max_file_size: u64,
    /// Lifetime of an upload without `X-FS-TTL`, seconds (3 weeks).
    pub default_ttl_secs: u64,
    /// Longest `X-FS-TTL` honoured, seconds (3 weeks, or the default lifetime if longer).
    pub max_ttl_secs: u64,
    /// Period of the cleanup of expired files (15 s, as the reference's timer).
    pub cleanup_interval: Duration,
    /// Release data; `None` reads `releases.json` from the data directory when it exists.
    pub releases: Option<Releases>,
    /// The clock (tests move it).
    pub clock: Clock,
}

impl std::fmt::Debug for Config {
    fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
        f.debug_struct("Config")
            .field("data_dir", &self.data_dir)
            .field("max_file_size", &self.max_file_size)
            .field("default_ttl_secs", &self.default_ttl_secs)
            .field("max_ttl_secs", &self.max_ttl_secs)
            .finish_non_exhaustive()
    }
}

impl Config {
    /// Defaults for `data_dir`.
    pub fn new(data_dir: impl Into<PathBuf>) -> Self {
        Self {
            data_dir: data_dir.into(),
            max_file_size: DEFAULT_MAX_FILE_SIZE,
            default_ttl_secs: THREE_WEEKS_SECS,
            max_ttl_secs: THREE_WEEKS_SECS,
            cleanup_interval: Duration::from_secs(15),
            releases: None,
            clock: system_clock(),
        }
    }

    /// Refuses values the server cannot run with.
    pub fn check(&self) -> Result<(), Error> {
        if self.max_file_size == 0 {
            return Err(Error::Invalid(
                "the size limit must be at least 1 byte".into(),
            ));
        }
        if self.default_ttl_secs < MIN_TTL_SECS {
            return Err(Error::Invalid(format!(
                "the default expiry must be at least {MIN_TTL_SECS} seconds"
            )));
        }
        Ok(())
    }

    /// The largest TTL honoured (at least the default lifetime).
    pub fn ttl_ceiling(&self) -> u64 {
        self.max_ttl_secs.max(self.default_ttl_secs)
    }

    /// The largest legacy (`POST /files`) body: the base64 length of the size limit, as the
    /// reference's `MAX_FILE_SIZE_B64` (8 MB for 6 MB).
    pub fn max_file_size_b64(&self) -> u64 {
        self.max_file_size.div_ceil(3).saturating_mul(4)
    }
}

/// Release data per platform (`desktop`, `android`, `ios`).
pub type Releases = BTreeMap<String, Release>;

/// One platform's latest release, as `releases.json` gives it.
#[derive(Clone, Debug, Default, Deserialize, PartialEq)]
#[serde(deny_unknown_fields)]
pub struct Release {
    /// The version, e.g. `1.14.2` (answered as `result`).
    pub version: String,
    /// When the data was last refreshed, unix seconds (default: when the server read it).
    #[serde(default)]
    pub updated: Option<f64>,
    /// Release name.
    #[serde(default)]
    pub name: Option<String>,
    /// Release notes.
    #[serde(default)]
    pub notes: Option<String>,
    /// Downloadable assets.
    #[serde(default)]
    pub assets: Vec<Asset>,
    /// The newest pre-release, if any.
    #[serde(default)]
    pub prerelease: Option<Box<Release>>,
}

/// A release asset.
#[derive(Clone, Debug, Default, Deserialize, PartialEq)]
#[serde(deny_unknown_fields)]
pub struct Asset {
    /// File name.
    pub name: String,
    /// Download URL.
    pub url: String,
}

/// The platforms `/session_version` knows.
pub const PLATFORMS: [&str; 3] = ["desktop", "android", "ios"];

/// Reads `releases.json` from `data_dir`: `Ok(empty)` when there is none.
pub fn load_releases(data_dir: &Path) -> Result<Releases, Error> {
    let path = data_dir.join(RELEASES_FILE);
    let text = match std::fs::read_to_string(&path) {
        Ok(t) => t,
        Err(e) if e.kind() == std::io::ErrorKind::NotFound => return Ok(Releases::new()),
        Err(e) => return Err(Error::io("reading", &path)(e)),
    };
    let releases: Releases = serde_json::from_str(&text).map_err(|e| Error::BadReleases {
        path: path.clone(),
        reason: e.to_string(),
    })?;
    if let Some(p) = releases.keys().find(|p| !PLATFORMS.contains(&p.as_str())) {
        return Err(Error::BadReleases {
            path,
            reason: format!("unknown platform `{p}` (expected desktop, android or ios)"),
        });
    }
    Ok(releases)
}
