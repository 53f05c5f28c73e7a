//! The TURN relay alone: coturn starts and answers STUN, two `turnutils_uclient` clients relay
//! traffic to each other through it and the log shows their allocations and the relayed bytes,
//! and a wrong password gets no allocation.

use crate::scratch_dir;
use session_devnet::TurnEntry;
use session_devnet::turn::{self, TurnLog};
use std::net::SocketAddr;
use std::path::{Path, PathBuf};
use std::process::Output;
use std::time::{Duration, Instant};

/// `turnserver`, or a failure that says how to install it.
fn turnserver() -> PathBuf {
    turn::find().unwrap_or_else(|e| panic!("this test needs coturn: {e:#}"))
}

/// coturn's test client, installed next to `turnserver`.
fn uclient(turnserver: &Path) -> PathBuf {
    let p = turnserver.with_file_name("turnutils_uclient");
    assert!(
        p.is_file(),
        "{} not found; {}",
        p.display(),
        turn::INSTALL_HINT
    );
    p
}

/// Two clients (`-y`) that each allocate, bind a channel to the other's relay address, send it
/// ten 100-byte messages and deallocate (`-c`: no RTCP allocations).
async fn relay_between_two_clients(uclient: &Path, t: &TurnEntry, password: &str) -> Output {
    let port = t.addr.rsplit(':').next().unwrap();
    let run = tokio::process::Command::new(uclient)
        .args(["-u", &t.username, "-w", password, "-y", "-c", "-n", "10"])
        .args(["-p", port, "127.0.0.1"])
        .kill_on_drop(true)
        .output();
    tokio::time::timeout(Duration::from_secs(60), run)
        .await
        .expect("turnutils_uclient did not finish within 60 s")
        .expect("running turnutils_uclient")
}

/// Reads the log until `done` holds (10 s at most).
async fn wait_for_log(path: &Path, what: &str, done: impl Fn(&TurnLog) -> bool) -> TurnLog {
    let deadline = Instant::now() + Duration::from_secs(10);
    loop {
        let log = TurnLog::read(path).unwrap();
        if done(&log) {
            return log;
        }
        if Instant::now() > deadline {
            let text = std::fs::read_to_string(path).unwrap_or_default();
            let tail: Vec<&str> = text.lines().rev().take(30).collect();
            panic!(
                "the TURN log never showed {what}: {log:#?}\nits end:\n{}",
                tail.into_iter().rev().collect::<Vec<_>>().join("\n")
            );
        }
        tokio::time::sleep(Duration::from_millis(100)).await;
    }
}

#[tokio::test]
async fn coturn_relays_between_two_clients_and_refuses_a_wrong_password() {
    let binary = turnserver();
    let uclient = uclient(&binary);
    let dir = scratch_dir("turn");
    let started = Instant::now();
    let server = turn::start(&binary, &dir).await.unwrap();
    eprintln!("TURN server answered STUN after {:?}", started.elapsed());
    let t = server.entry.clone();
    assert!(session_devnet::is_running(t.pid));
    assert_eq!(t.url, format!("turn:{}?transport=udp", t.addr));
    assert_eq!(t.relay_max_port - t.relay_min_port + 1, turn::RELAY_PORTS);
    let addr: SocketAddr = t.addr.parse().unwrap();
    let seen = turn::stun_binding(addr, Duration::from_secs(2))
        .await
        .unwrap();
    assert!(seen.ip().is_loopback(), "the server saw us at {seen}");

    let out = relay_between_two_clients(&uclient, &t, &t.credential).await;
    assert!(
        out.status.success(),
        "turnutils_uclient failed: {}",
        String::from_utf8_lossy(&out.stdout)
    );
    // A session's counters are logged when it closes, about a second after it deallocates.
    let log = Path::new(&t.log);
    let closed = |l: &TurnLog| l.allocations.iter().filter(|a| a.closed.is_some()).count();
    let relayed = wait_for_log(log, "two closed allocations", |l| closed(l) >= 2).await;
    assert!(relayed.relayed_bytes() > 0, "{relayed:#?}");
    let relays: Vec<SocketAddr> = relayed.allocations.iter().map(|a| a.relay).collect();
    for a in relayed.allocations.iter().filter(|a| a.closed.is_some()) {
        assert_eq!(a.username, turn::USERNAME);
        assert!((t.relay_min_port..=t.relay_max_port).contains(&a.relay.port()));
        assert!(a.client.is_some_and(|c| c.ip().is_loopback()));
        // Each client's only peer is the other one's relay address, and data went both ways.
        assert!(!a.peers.is_empty() && a.peers.iter().all(|p| relays.contains(p)));
        assert!(a.peer_traffic.received_bytes >= 1000, "{a:#?}");
        assert!(a.peer_traffic.sent_bytes >= 1000, "{a:#?}");
    }
    assert_eq!(relayed.wrong_credentials().count(), 0);

    let out = relay_between_two_clients(&uclient, &t, "not-the-password").await;
    assert!(!out.status.success(), "a wrong password was accepted");
    let refused = wait_for_log(log, "a 401 for wrong credentials", |l| {
        l.wrong_credentials().count() > 0
    })
    .await;
    assert_eq!(refused.allocations.len(), relayed.allocations.len());

    drop(server);
    assert!(
        !session_devnet::is_running(t.pid),
        "dropping the handle stops coturn"
    );
    let _ = std::fs::remove_dir_all(&dir);
}

#[tokio::test]
async fn a_turn_server_that_exits_at_start_is_reported_with_its_log() {
    let dir = scratch_dir("turn-exits");
    let err = turn::start(Path::new("false"), &dir).await.unwrap_err();
    let msg = format!("{err:#}");
    assert!(msg.contains("exited at start"), "{msg}");
    assert!(msg.contains("turnserver.log"), "{msg}");
    let _ = std::fs::remove_dir_all(&dir);
}
