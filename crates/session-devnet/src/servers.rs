//! The devnet's HTTP servers: one community server (with the room [`LOBBY`]) and one file
//! server, each a real `session-community` / `session-fileserver` process on a free loopback
//! port with its data directory under the devnet's, reached by clients through onion requests
//! (the devnet's nodes run with `--proxy-allow-private`).

use crate::free_port;
use crate::manifest::{CommunityEntry, FileServerEntry, RoomEntry};
use crate::process::Child;
use anyhow::{Context, bail};
use std::path::{Path, PathBuf};
use std::process::Command;
use std::time::{Duration, Instant};

/// The room every devnet community server has.
pub const LOBBY: &str = "lobby";

/// How long a server gets to answer its first request.
const READY_TIMEOUT: Duration = Duration::from_secs(30);

/// A server process and what the manifest says about it.
#[derive(Debug)]
pub struct Running<E> {
    /// The manifest entry.
    pub entry: E,
    child: Option<Child>,
}

impl<E> Running<E> {
    /// A server this devnet started and owns: dropping the handle stops it.
    pub(crate) fn owned(entry: E, child: Child) -> Self {
        Self {
            entry,
            child: Some(child),
        }
    }

    /// A server started earlier (from a manifest): not owned, dropping stops nothing.
    pub fn unowned(entry: E) -> Self {
        Self { entry, child: None }
    }

    /// Lets the process outlive this handle.
    pub fn detach(&mut self) {
        if let Some(c) = self.child.as_mut() {
            c.detach();
        }
    }
}

/// Starts a community server in `dir` with the room [`LOBBY`], and waits until it answers.
pub async fn start_community(binary: &Path, dir: &Path) -> anyhow::Result<Running<CommunityEntry>> {
    std::fs::create_dir_all(dir).with_context(|| format!("creating {}", dir.display()))?;
    admin(binary, dir, &["room", "add", LOBBY, "--name", "Lobby"])?;
    let pubkey = admin(binary, dir, &["pubkey"])?;
    // Its traffic log (one `via=direct|onion` line per request) lets tests prove that clients
    // reach it only through onion requests.
    let (child, base) = serve(
        binary,
        dir,
        "community server",
        ",session_community::traffic=debug",
    )
    .await?;
    let room_url = |token: &str| format!("{base}/{token}?public_key={pubkey}");
    let entry = CommunityEntry {
        url: format!("{base}?public_key={pubkey}"),
        base_url: base.clone(),
        rooms: vec![RoomEntry {
            token: LOBBY.to_owned(),
            name: "Lobby".to_owned(),
            url: room_url(LOBBY),
        }],
        pubkey,
        pid: child.pid(),
        data_dir: dir.display().to_string(),
    };
    Ok(Running {
        entry,
        child: Some(child),
    })
}

/// Starts a file server in `dir` and waits until it answers.
pub async fn start_file_server(
    binary: &Path,
    dir: &Path,
) -> anyhow::Result<Running<FileServerEntry>> {
    std::fs::create_dir_all(dir).with_context(|| format!("creating {}", dir.display()))?;
    let pubkey = admin(binary, dir, &["pubkey"])?;
    let (child, url) = serve(binary, dir, "file server", "").await?;
    let entry = FileServerEntry {
        url,
        pubkey,
        pid: child.pid(),
        data_dir: dir.display().to_string(),
    };
    Ok(Running {
        entry,
        child: Some(child),
    })
}

/// Runs `binary --data-dir DIR ARGS…` to completion; its stdout, trimmed.
fn admin(binary: &Path, dir: &Path, args: &[&str]) -> anyhow::Result<String> {
    let out = Command::new(binary)
        .arg("--data-dir")
        .arg(dir)
        .args(args)
        .output()
        .with_context(|| format!("running {}", binary.display()))?;
    if !out.status.success() {
        bail!(
            "{} {}: {}",
            binary.display(),
            args.join(" "),
            String::from_utf8_lossy(&out.stderr).trim()
        );
    }
    Ok(String::from_utf8_lossy(&out.stdout).trim().to_owned())
}

/// Spawns `binary --data-dir DIR serve --listen 127.0.0.1:PORT` (log in `DIR/server.log`,
/// `RUST_LOG` or `info`, plus `log_extra` directives) and waits until it answers HTTP. Returns
/// the child and its base URL.
async fn serve(
    binary: &Path,
    dir: &Path,
    name: &str,
    log_extra: &str,
) -> anyhow::Result<(Child, String)> {
    let port = free_port()?;
    let mut cmd = Command::new(binary);
    cmd.arg("--data-dir")
        .arg(dir)
        .args(["serve", "--listen", &format!("127.0.0.1:{port}")])
        .env(
            "RUST_LOG",
            std::env::var("RUST_LOG").unwrap_or_else(|_| "info".into()) + log_extra,
        );
    let log: PathBuf = dir.join("server.log");
    let mut child =
        Child::spawn(name, cmd, &log).with_context(|| format!("starting {}", binary.display()))?;
    let base = format!("http://127.0.0.1:{port}");
    wait_answering(&mut child, &base, name, &log).await?;
    Ok((child, base))
}

/// Waits until `GET BASE/` gets any HTTP answer.
async fn wait_answering(
    child: &mut Child,
    base: &str,
    name: &str,
    log: &Path,
) -> anyhow::Result<()> {
    let http = reqwest::Client::new();
    let deadline = Instant::now() + READY_TIMEOUT;
    while Instant::now() < deadline {
        if !child.is_running() {
            bail!("the {name} exited at start; see {}", log.display());
        }
        let probe = http
            .get(format!("{base}/"))
            .timeout(Duration::from_secs(2))
            .send()
            .await;
        if probe.is_ok() {
            return Ok(());
        }
        tokio::time::sleep(Duration::from_millis(100)).await;
    }
    bail!(
        "the {name} did not answer within {READY_TIMEOUT:?}; see {}",
        log.display()
    )
}
