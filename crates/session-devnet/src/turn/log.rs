//! Reading the TURN server's log: which allocations it made, whom they could reach, and how
//! much it relayed. The formats are coturn 4.6.1's with `--verbose` (every line starts with
//! `SECONDS: : `, or `SECONDS: : ERROR: `):
//!
//! ```text
//! IPv4. Local relay addr: 127.0.0.1:61056
//! session 000000000000000001: new, realm=<session-devnet>, username=<session>, lifetime=777
//! session 000000000000000002: peer 127.0.0.1:61174 lifetime updated: 600
//! session 000000000000000002: usage: realm=<session-devnet>, username=<session>, rp=18, rb=1920, sp=18, sb=1740
//! session 000000000000000002: peer usage: realm=<session-devnet>, username=<session>, rp=10, rb=1000, sp=10, sb=1000
//! session 000000000000000002: closed (2nd stage), user <session> realm <session-devnet> origin <>, local 127.0.0.1:34782, remote 127.0.0.1:42994, reason: allocation timeout
//! session 000000000000000001: realm <session-devnet> user <session>: incoming packet message processed, error 401: Unauthorized
//! ```
//!
//! The relay address line comes just before its allocation's `new` line, from the same relay
//! thread; the devnet runs coturn with one (`-m 0`), so no other allocation's lines come between.
//! The client's address is logged only when the allocation closes.
//!
//! Traffic lines are deltas: coturn prints a session's counters and resets them every 4,096
//! packets and when the session closes (about a second after the client deallocates, or when
//! its lifetime runs out). [`TurnLog`] sums them; traffic of an open session since its last
//! report is not in the log yet.

use std::net::SocketAddr;
use std::path::Path;

/// Packets and bytes in each direction, as one coturn `usage` line (or their sum).
#[derive(Clone, Copy, Debug, Default, PartialEq, Eq)]
pub struct Traffic {
    /// Packets received (`rp`).
    pub received_packets: u64,
    /// Bytes received (`rb`).
    pub received_bytes: u64,
    /// Packets sent (`sp`).
    pub sent_packets: u64,
    /// Bytes sent (`sb`).
    pub sent_bytes: u64,
}

impl Traffic {
    /// Bytes both ways.
    pub fn bytes(&self) -> u64 {
        self.received_bytes + self.sent_bytes
    }

    fn add(&mut self, other: Traffic) {
        self.received_packets += other.received_packets;
        self.received_bytes += other.received_bytes;
        self.sent_packets += other.sent_packets;
        self.sent_bytes += other.sent_bytes;
    }
}

/// One allocation (one TURN session).
#[derive(Clone, Debug, PartialEq, Eq)]
pub struct Allocation {
    /// coturn's session id (the 18 digits after `session`).
    pub session: u64,
    /// The relayed transport address the server allocated.
    pub relay: SocketAddr,
    /// The user it was made for.
    pub username: String,
    /// The client's address as the server saw it (logged only when the session closes).
    pub client: Option<SocketAddr>,
    /// Why it closed (`allocation timeout` after a deallocation), `None` while open.
    pub closed: Option<String>,
    /// Peers it got a permission or channel for, in first-seen order.
    pub peers: Vec<SocketAddr>,
    /// Between the client and the server (`usage`): received from / sent to the client,
    /// TURN messages and channel data alike.
    pub client_traffic: Traffic,
    /// Relayed (`peer usage`): received from / sent to peers on the relay address.
    pub peer_traffic: Traffic,
}

/// A request the server refused (`incoming packet … processed, error CODE: REASON`).
#[derive(Clone, Debug, PartialEq, Eq)]
pub struct Refusal {
    /// coturn's session id.
    pub session: u64,
    /// The username the request carried (empty for the unauthenticated first request).
    pub username: String,
    /// The request (`ALLOCATE`, `REFRESH`…, or `message` when it was not read further).
    pub request: String,
    /// The STUN error code.
    pub code: u16,
}

impl Refusal {
    /// A 401 to a request that carried a username: wrong credentials. (A 401 without one is the
    /// challenge every client gets first.)
    pub fn is_wrong_credentials(&self) -> bool {
        self.code == 401 && !self.username.is_empty()
    }
}

/// What a coturn log says about allocations and relayed traffic.
#[derive(Clone, Debug, Default, PartialEq, Eq)]
pub struct TurnLog {
    /// Allocations in the order they were made.
    pub allocations: Vec<Allocation>,
    /// Refused requests, in order.
    pub refusals: Vec<Refusal>,
}

impl TurnLog {
    /// Reads and parses the log file at `path`.
    pub fn read(path: &Path) -> std::io::Result<Self> {
        let bytes = std::fs::read(path)?;
        Ok(Self::parse(&String::from_utf8_lossy(&bytes)))
    }

    /// Parses log text; lines it does not know are skipped.
    pub fn parse(text: &str) -> Self {
        let mut log = Self::default();
        let mut relay: Option<SocketAddr> = None;
        for line in text.lines() {
            if let Some(addr) = line.split_once("Local relay addr: ").map(|(_, a)| a) {
                relay = addr.trim().parse().ok();
            } else if let Some((session, event)) = session_event(line) {
                log.apply(session, event, &mut relay);
            }
        }
        log
    }

    fn apply(&mut self, session: u64, event: &str, relay: &mut Option<SocketAddr>) {
        if let Some(rest) = event.strip_prefix("new, ") {
            if let Some(relay) = relay.take() {
                self.allocations.push(Allocation {
                    session,
                    relay,
                    username: field(rest, "username=<", ">")
                        .unwrap_or_default()
                        .to_owned(),
                    client: None,
                    closed: None,
                    peers: Vec::new(),
                    client_traffic: Traffic::default(),
                    peer_traffic: Traffic::default(),
                });
            }
        } else if let Some(rest) = event.strip_prefix("usage: ") {
            let t = traffic(rest);
            self.with(session, |a| a.client_traffic.add(t));
        } else if let Some(rest) = event.strip_prefix("peer usage: ") {
            let t = traffic(rest);
            self.with(session, |a| a.peer_traffic.add(t));
        } else if let Some(rest) = event.strip_prefix("peer ") {
            let peer = rest.split_once(' ').and_then(|(p, _)| p.parse().ok());
            if let (Some(peer), true) = (peer, rest.contains(" lifetime updated")) {
                self.with(session, |a| {
                    if !a.peers.contains(&peer) {
                        a.peers.push(peer);
                    }
                });
            }
        } else if let Some(rest) = event.strip_prefix("closed (2nd stage), ") {
            let client = field(rest, "remote ", ",").and_then(|c| c.parse().ok());
            let reason = rest
                .split_once("reason: ")
                .map(|(_, r)| r.trim().to_owned());
            self.with(session, |a| {
                a.client = client;
                a.closed = Some(reason.unwrap_or_default());
            });
        } else if let Some(refusal) = refusal(session, event) {
            self.refusals.push(refusal);
        }
    }

    /// Runs `f` on the latest allocation of `session`, if any.
    fn with(&mut self, session: u64, f: impl FnOnce(&mut Allocation)) {
        if let Some(a) = self
            .allocations
            .iter_mut()
            .rev()
            .find(|a| a.session == session)
        {
            f(a);
        }
    }

    /// Bytes relayed to and from peers, over every allocation.
    pub fn relayed_bytes(&self) -> u64 {
        self.allocations
            .iter()
            .map(|a| a.peer_traffic.bytes())
            .sum()
    }

    /// The allocation with relay address `relay`, the latest if several had it.
    pub fn by_relay(&self, relay: SocketAddr) -> Option<&Allocation> {
        self.allocations.iter().rev().find(|a| a.relay == relay)
    }

    /// Refusals for wrong credentials.
    pub fn wrong_credentials(&self) -> impl Iterator<Item = &Refusal> {
        self.refusals.iter().filter(|r| r.is_wrong_credentials())
    }
}

/// `(id, rest)` of a line whose message is `session DIGITS: REST`.
fn session_event(line: &str) -> Option<(u64, &str)> {
    let (_, after) = line.split_once("session ")?;
    let (id, rest) = after.split_once(": ")?;
    if id.is_empty() || !id.bytes().all(|b| b.is_ascii_digit()) {
        return None;
    }
    Some((id.parse().ok()?, rest))
}

/// The text between `start` and the next `end` in `s`.
fn field<'a>(s: &'a str, start: &str, end: &str) -> Option<&'a str> {
    let (_, after) = s.split_once(start)?;
    Some(after.split_once(end).map_or(after, |(v, _)| v))
}

/// The `rp=…, rb=…, sp=…, sb=…` counters of a usage line.
fn traffic(s: &str) -> Traffic {
    let n = |key: &str| {
        s.split(", ")
            .find_map(|kv| kv.trim().strip_prefix(key))
            .and_then(|v| v.parse().ok())
            .unwrap_or(0)
    };
    Traffic {
        received_packets: n("rp="),
        received_bytes: n("rb="),
        sent_packets: n("sp="),
        sent_bytes: n("sb="),
    }
}

/// `[origin <O> ]realm <R> user <U>: incoming packet REQ processed, error CODE: REASON`.
fn refusal(session: u64, event: &str) -> Option<Refusal> {
    let (who, what) = event.split_once(": incoming packet ")?;
    let (request, outcome) = what.split_once(" processed, error ")?;
    let code = outcome.split_once(':').map_or(outcome, |(c, _)| c);
    Some(Refusal {
        session,
        username: field(who, "user <", ">").unwrap_or_default().to_owned(),
        request: request.to_owned(),
        code: code.trim().parse().ok()?,
    })
}

#[cfg(test)]
mod tests {
    use super::*;

    /// From a real run: coturn 4.6.1 (`-m 0 --verbose`), then `turnutils_uclient -y -c -n 10`:
    /// two clients send each other ten 100-byte messages through their relays and deallocate.
    /// (Session 1 is an extra allocation the client makes first and leaves open.)
    const CLIENT_TO_CLIENT: &str = "\
0: : SQLite DB connection success: /tmp/turntest2/turndb
0: : session 000000000000000001: realm <session-devnet> user <>: incoming packet message processed, error 401: Unauthorized
1: : IPv4. Local relay addr: 127.0.0.1:61056
1: : session 000000000000000001: new, realm=<session-devnet>, username=<session>, lifetime=777
1: : session 000000000000000001: realm <session-devnet> user <session>: incoming packet ALLOCATE processed, success
1: : session 000000000000000001: refreshed, realm=<session-devnet>, username=<session>, lifetime=777
1: : session 000000000000000001: realm <session-devnet> user <session>: incoming packet REFRESH processed, success
1: : session 000000000000000002: realm <session-devnet> user <>: incoming packet message processed, error 401: Unauthorized
1: : IPv4. Local relay addr: 127.0.0.1:61036
1: : session 000000000000000002: new, realm=<session-devnet>, username=<session>, lifetime=777
1: : session 000000000000000002: realm <session-devnet> user <session>: incoming packet ALLOCATE processed, success
1: : session 000000000000000003: realm <session-devnet> user <>: incoming packet message processed, error 401: Unauthorized
1: : IPv4. Local relay addr: 127.0.0.1:61174
1: : session 000000000000000003: new, realm=<session-devnet>, username=<session>, lifetime=777
1: : session 000000000000000003: realm <session-devnet> user <session>: incoming packet ALLOCATE processed, success
1: : session 000000000000000002: peer 127.0.0.1:61174 lifetime updated: 600
1: : session 000000000000000002: realm <session-devnet> user <session>: incoming packet CHANNEL_BIND processed, success
1: : session 000000000000000003: peer 127.0.0.1:61036 lifetime updated: 600
1: : session 000000000000000002: peer 127.0.0.1:61174 lifetime updated: 300
1: : session 000000000000000002: realm <session-devnet> user <session>: incoming packet CREATE_PERMISSION processed, success
7: : session 000000000000000002: refreshed, realm=<session-devnet>, username=<session>, lifetime=0
7: : session 000000000000000003: refreshed, realm=<session-devnet>, username=<session>, lifetime=0
8: : session 000000000000000002: usage: realm=<session-devnet>, username=<session>, rp=18, rb=1920, sp=18, sb=1740
8: : session 000000000000000002: peer usage: realm=<session-devnet>, username=<session>, rp=10, rb=1000, sp=10, sb=1000
8: : session 000000000000000002: closed (2nd stage), user <session> realm <session-devnet> origin <>, local 127.0.0.1:34782, remote 127.0.0.1:42994, reason: allocation timeout
8: : session 000000000000000002: delete: realm=<session-devnet>, username=<session>
8: : session 000000000000000002: peer 127.0.0.1:61174 deleted
8: : session 000000000000000003: usage: realm=<session-devnet>, username=<session>, rp=18, rb=1920, sp=18, sb=1740
8: : session 000000000000000003: peer usage: realm=<session-devnet>, username=<session>, rp=10, rb=1000, sp=10, sb=1000
8: : session 000000000000000003: closed (2nd stage), user <session> realm <session-devnet> origin <>, local 127.0.0.1:34782, remote 127.0.0.1:48017, reason: allocation timeout
";

    /// From a real run: the same client with a wrong password.
    const WRONG_PASSWORD: &str = "\
1: : session 001000000000000001: realm <session-devnet> user <>: incoming packet message processed, error 401: Unauthorized
1: : ERROR: check_stun_auth: user session credentials are incorrect
1: : session 001000000000000001: realm <session-devnet> user <session>: incoming packet message processed, error 401: Unauthorized
1: : ERROR: check_stun_auth: user session credentials are incorrect
";

    fn addr(s: &str) -> SocketAddr {
        s.parse().unwrap()
    }

    #[test]
    fn allocations_get_their_relay_address_peers_client_and_traffic() {
        let log = TurnLog::parse(CLIENT_TO_CLIENT);
        let relays: Vec<_> = log.allocations.iter().map(|a| a.relay).collect();
        assert_eq!(
            relays,
            [
                addr("127.0.0.1:61056"),
                addr("127.0.0.1:61036"),
                addr("127.0.0.1:61174")
            ]
        );
        let open = &log.allocations[0];
        assert_eq!((open.session, open.closed.as_deref()), (1, None));
        assert_eq!(open.peer_traffic, Traffic::default());
        let a = log.by_relay(addr("127.0.0.1:61036")).unwrap();
        assert_eq!(a.session, 2);
        assert_eq!(a.username, "session");
        assert_eq!(a.peers, [addr("127.0.0.1:61174")]);
        assert_eq!(a.client, Some(addr("127.0.0.1:42994")));
        assert_eq!(a.closed.as_deref(), Some("allocation timeout"));
        assert_eq!(
            a.client_traffic,
            Traffic {
                received_packets: 18,
                received_bytes: 1920,
                sent_packets: 18,
                sent_bytes: 1740
            }
        );
        assert_eq!(a.peer_traffic.bytes(), 2000);
        assert_eq!(log.relayed_bytes(), 4000);
    }

    #[test]
    fn usage_lines_are_deltas_and_add_up() {
        let text = "\
0: : IPv4. Local relay addr: 127.0.0.1:40000
0: : session 000000000000000007: new, realm=<r>, username=<u>, lifetime=600
30: : session 000000000000000007: peer usage: realm=<r>, username=<u>, rp=2048, rb=204800, sp=2048, sb=204800
31: : session 000000000000000007: peer usage: realm=<r>, username=<u>, rp=5, rb=500, sp=6, sb=600
";
        let log = TurnLog::parse(text);
        let t = log.allocations[0].peer_traffic;
        assert_eq!((t.received_packets, t.sent_packets), (2053, 2054));
        assert_eq!(log.relayed_bytes(), 204_800 * 2 + 1100);
    }

    #[test]
    fn only_a_401_with_a_username_is_a_wrong_password() {
        let good = TurnLog::parse(CLIENT_TO_CLIENT);
        assert_eq!(good.refusals.len(), 3);
        assert_eq!(good.wrong_credentials().count(), 0);
        let bad = TurnLog::parse(WRONG_PASSWORD);
        assert!(bad.allocations.is_empty());
        let wrong: Vec<_> = bad.wrong_credentials().collect();
        assert_eq!(wrong.len(), 1);
        assert_eq!(wrong[0].session, 1_000_000_000_000_001);
        assert_eq!((wrong[0].request.as_str(), wrong[0].code), ("message", 401));
    }

    #[test]
    fn unknown_and_garbled_lines_are_skipped() {
        let text = "\
0: : Relay ports initialization done
0: : session xyz: new, realm=<r>, username=<u>, lifetime=1
0: : session 000000000000000009: new, realm=<r>, username=<u>, lifetime=1
0: : IPv4. Local relay addr: not-an-address
0: : session 000000000000000009: usage: rp=x
";
        assert_eq!(TurnLog::parse(text), TurnLog::default());
    }
}
