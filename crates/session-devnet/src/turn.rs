//! The devnet's TURN relay: one coturn `turnserver` process on a free loopback port, with
//! long-term credentials (user [`USERNAME`], a password drawn per devnet, realm [`REALM`]),
//! relay addresses on 127.0.0.1 in a window of [`RELAY_PORTS`] UDP ports, and a verbose log that
//! [`TurnLog`] reads, so a test can prove that call media went through the relay.
//!
//! Loopback peers are allowed (`--allow-loopback-peers`): both callers' relay addresses are on
//! 127.0.0.1, and coturn refuses loopback peers by default.

mod log;
mod stun;

pub use log::{Allocation, Refusal, Traffic, TurnLog};
pub use stun::binding as stun_binding;

use crate::manifest::TurnEntry;
use crate::process::Child;
use crate::servers::Running;
use anyhow::{Context, bail};
use std::collections::BTreeSet;
use std::net::{Ipv4Addr, SocketAddr, UdpSocket};
use std::ops::RangeInclusive;
use std::path::{Path, PathBuf};
use std::process::Command;
use std::sync::Mutex;
use std::time::{Duration, Instant};

/// The realm of the devnet's TURN server.
pub const REALM: &str = "session-devnet";
/// The one TURN user of the devnet.
pub const USERNAME: &str = "session";
/// How many UDP ports the relay may allocate from.
pub const RELAY_PORTS: u16 = 200;
/// The program the devnet runs (from the `coturn` package).
pub const PROGRAM: &str = "turnserver";
/// What to do when `turnserver` is missing.
pub const INSTALL_HINT: &str = "install coturn: `apt-get install coturn` (`cargo xtask devnet` \
                                does it when it runs as root)";

/// How long the server gets to answer its first STUN request.
const READY_TIMEOUT: Duration = Duration::from_secs(15);

/// Finds `turnserver`: `$SESSION_TURNSERVER` when set, else the first on `PATH`.
pub fn find() -> anyhow::Result<PathBuf> {
    if let Some(p) = std::env::var_os("SESSION_TURNSERVER") {
        let p = PathBuf::from(p);
        if !p.is_file() {
            bail!("SESSION_TURNSERVER={} is not a file", p.display());
        }
        return Ok(p);
    }
    let path = std::env::var_os("PATH").unwrap_or_default();
    std::env::split_paths(&path)
        .map(|dir| dir.join(PROGRAM))
        .find(|p| p.is_file())
        .with_context(|| format!("{PROGRAM} (coturn) not found on PATH; {INSTALL_HINT}"))
}

/// Starts `turnserver` with its pid file, user database and log (`turnserver.log`) in `dir`,
/// and waits until it answers a STUN Binding request.
pub async fn start(binary: &Path, dir: &Path) -> anyhow::Result<Running<TurnEntry>> {
    std::fs::create_dir_all(dir).with_context(|| format!("creating {}", dir.display()))?;
    let port = free_udp_and_tcp_port()?;
    let relay = relay_window()?;
    let credential = hex::encode(rand::random::<[u8; 16]>());
    let log = dir.join("turnserver.log");
    let mut cmd = Command::new(binary);
    cmd.args(args(port, &relay, &credential, dir));
    let started = Instant::now();
    let mut child = Child::spawn("TURN server", cmd, &log)
        .with_context(|| format!("starting {}", binary.display()))?;
    let addr = SocketAddr::from((Ipv4Addr::LOCALHOST, port));
    wait_answering(&mut child, addr, &log).await?;
    tracing::debug!(%addr, elapsed = ?started.elapsed(), "TURN server answers");
    let entry = TurnEntry {
        url: format!("turn:{addr}?transport=udp"),
        addr: addr.to_string(),
        username: USERNAME.to_owned(),
        credential,
        realm: REALM.to_owned(),
        relay_min_port: *relay.start(),
        relay_max_port: *relay.end(),
        pid: child.pid(),
        log: log.display().to_string(),
        data_dir: dir.display().to_string(),
    };
    Ok(Running::owned(entry, child))
}

/// `turnserver`'s command line (coturn 4.6.1).
fn args(port: u16, relay: &RangeInclusive<u16>, credential: &str, dir: &Path) -> Vec<String> {
    let path = |name: &str| dir.join(name).display().to_string();
    let mut out: Vec<String> = [
        // No configuration file: /etc/turnserver.conf stays out of it.
        "-n",
        "--listening-ip",
        "127.0.0.1",
        "--relay-ip",
        "127.0.0.1",
        "--listening-port",
        &port.to_string(),
        "--min-port",
        &relay.start().to_string(),
        "--max-port",
        &relay.end().to_string(),
        "--lt-cred-mech",
        "--user",
        &format!("{USERNAME}:{credential}"),
        "--realm",
        REALM,
        "--allow-loopback-peers",
        // Media is UDP: no TCP relay endpoints (RFC 6062), so no TCP port of the window is used.
        "--no-tcp-relay",
        "--no-tls",
        "--no-dtls",
        "--no-cli",
        // One relay thread: a relay address's log line is followed by its own allocation's.
        "--relay-threads",
        "0",
        // Into the process's stdout, which `Child` appends to the log file.
        "--log-file",
        "stdout",
        // Allocations, permissions, traffic counters and refusals.
        "--verbose",
    ]
    .map(str::to_owned)
    .to_vec();
    out.extend([
        "--pidfile".to_owned(),
        path("turnserver.pid"),
        // Not the system's /var/lib/turn/turndb.
        "--userdb".to_owned(),
        path("turndb"),
    ]);
    out
}

/// Waits until the server answers a STUN Binding request on `addr`.
async fn wait_answering(child: &mut Child, addr: SocketAddr, log: &Path) -> anyhow::Result<()> {
    let deadline = Instant::now() + READY_TIMEOUT;
    while Instant::now() < deadline {
        if !child.is_running() {
            bail!("the TURN server exited at start; see {}", log.display());
        }
        if stun_binding(addr, Duration::from_millis(200)).await.is_ok() {
            return Ok(());
        }
        tokio::time::sleep(Duration::from_millis(50)).await;
    }
    bail!(
        "the TURN server did not answer a STUN Binding request on {addr} within \
         {READY_TIMEOUT:?}; see {}",
        log.display()
    )
}

/// A port free for both TCP and UDP on 127.0.0.1 (coturn listens on both).
fn free_udp_and_tcp_port() -> std::io::Result<u16> {
    for _ in 0..100 {
        let port = crate::free_port()?;
        if UdpSocket::bind((Ipv4Addr::LOCALHOST, port)).is_ok() {
            return Ok(port);
        }
    }
    Err(std::io::Error::new(
        std::io::ErrorKind::AddrInUse,
        "no port free for both TCP and UDP on 127.0.0.1",
    ))
}

/// Relay windows this process has handed out (their first ports).
static WINDOWS: Mutex<BTreeSet<u16>> = Mutex::new(BTreeSet::new());

/// A window of [`RELAY_PORTS`] UDP ports outside the kernel's ephemeral range (where
/// [`crate::free_port`] and every client's unbound socket take their ports), each port free on
/// 127.0.0.1 now, never handed out before by this process. The first window tried is random,
/// so that devnets of other processes seldom share one (coturn skips a port it cannot bind).
pub fn relay_window() -> std::io::Result<RangeInclusive<u16>> {
    let starts = window_starts(ephemeral_range());
    let mut handed = WINDOWS
        .lock()
        .unwrap_or_else(std::sync::PoisonError::into_inner);
    let first = rand::random_range(0..starts.len().max(1));
    let order = starts[first..].iter().chain(&starts[..first]);
    for &start in order {
        let window = start..=start + (RELAY_PORTS - 1);
        if handed.contains(&start) || !window.clone().all(udp_free) {
            continue;
        }
        handed.insert(start);
        return Ok(window);
    }
    Err(std::io::Error::new(
        std::io::ErrorKind::AddrInUse,
        "no free window of relay ports outside the ephemeral range",
    ))
}

fn udp_free(port: u16) -> bool {
    UdpSocket::bind((Ipv4Addr::LOCALHOST, port)).is_ok()
}

/// The kernel's ephemeral port range (`ip_local_port_range`), Linux's default if unreadable.
fn ephemeral_range() -> (u16, u16) {
    std::fs::read_to_string("/proc/sys/net/ipv4/ip_local_port_range")
        .ok()
        .and_then(|s| {
            let mut it = s.split_whitespace().map(|n| n.parse::<u16>().ok());
            Some((it.next()??, it.next()??))
        })
        .unwrap_or((32_768, 60_999))
}

/// First ports of the windows between 10,000 and 65,535 that lie wholly outside `ephemeral`.
fn window_starts((low, high): (u16, u16)) -> Vec<u16> {
    let below = (10_000..low.saturating_sub(RELAY_PORTS - 1)).step_by(RELAY_PORTS.into());
    let above = (high.saturating_add(1)..=u16::MAX - (RELAY_PORTS - 1)).step_by(RELAY_PORTS.into());
    below.chain(above).collect()
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn windows_avoid_the_ephemeral_range() {
        let starts = window_starts((32_768, 60_999));
        assert_eq!(starts.first(), Some(&10_000));
        assert!(starts.contains(&61_000) && starts.contains(&65_200));
        for s in &starts {
            let end = s + (RELAY_PORTS - 1);
            assert!(end < 32_768 || *s > 60_999, "window {s}..={end}");
        }
        assert_eq!(starts.len(), 113 + 22);
        // A range reaching the top leaves only the windows below it.
        assert!(
            window_starts((20_000, u16::MAX))
                .iter()
                .all(|s| s + 199 < 20_000)
        );
    }

    #[test]
    fn two_windows_of_one_process_never_overlap() {
        let a = relay_window().unwrap();
        let b = relay_window().unwrap();
        assert!(a.end() < b.start() || b.end() < a.start(), "{a:?} {b:?}");
        assert_eq!(a.clone().count(), usize::from(RELAY_PORTS));
    }

    #[test]
    fn the_command_line_names_the_relay_range_and_the_user() {
        let args = args(3478, &(61_000..=61_199), "pw", Path::new("/d"));
        let joined = args.join(" ");
        for part in [
            "-n ",
            "--listening-port 3478",
            "--min-port 61000 --max-port 61199",
            "--user session:pw --realm session-devnet",
            "--allow-loopback-peers",
            "--pidfile /d/turnserver.pid",
            "--userdb /d/turndb",
        ] {
            assert!(joined.contains(part), "{part:?} missing in {joined}");
        }
    }
}
