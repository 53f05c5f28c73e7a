//! A sans-IO TURN client (RFC 8656) over UDP, for one allocation on one server: Allocate with
//! the long-term credential (the first request unauthenticated, then again with the realm and
//! nonce of the 401), permissions for peers' addresses, Send and Data indications, refreshes,
//! retransmissions, and a Refresh with lifetime 0 to close. The caller moves bytes and time:
//! [`TurnClient::handle_input`] takes what the server sent, [`TurnClient::poll_event`] gives
//! what to send to the server and what happened.

use super::stun::{self, Attr, Class, Message, Method, TxId};
use rand_core::CryptoRng;
use std::collections::{BTreeMap, VecDeque};
use std::fmt;
use std::net::{IpAddr, SocketAddr};

/// First retransmission timeout (RFC 8489 §6.2.1).
pub const RTO_MS: u64 = 500;
/// Sends of one request before it fails.
pub const MAX_TRIES: u32 = 7;
/// A permission's lifetime on the server (RFC 8656 §9); refreshed a minute before.
pub const PERMISSION_MS: u64 = 300_000;
/// Seconds of allocation asked for; refreshed a minute before they run out.
pub const LIFETIME_S: u32 = 600;
const REFRESH_MARGIN_MS: u64 = 60_000;
/// Datagrams held for a peer whose permission is not confirmed yet (the oldest are dropped).
pub const MAX_HELD: usize = 64;
/// REQUESTED-TRANSPORT: UDP.
const UDP: u8 = 17;

/// The long-term credential for a TURN server. The password never shows in `Debug`.
#[derive(Clone)]
pub struct Credentials {
    /// The username.
    pub username: String,
    password: String,
}

impl Credentials {
    /// A username and its password.
    pub fn new(username: impl Into<String>, password: impl Into<String>) -> Self {
        Self {
            username: username.into(),
            password: password.into(),
        }
    }
}

impl fmt::Debug for Credentials {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        f.debug_struct("Credentials")
            .field("username", &self.username)
            .field("password", &"<redacted>")
            .finish()
    }
}

/// What the client wants done or reports.
#[derive(Debug, Clone, PartialEq, Eq)]
pub enum Event {
    /// Send these bytes to the TURN server.
    Transmit(Vec<u8>),
    /// The allocation exists: the relayed address peers reach us on, and our address as the
    /// server saw it (never handed to a peer).
    Allocated {
        /// XOR-RELAYED-ADDRESS.
        relay: SocketAddr,
        /// XOR-MAPPED-ADDRESS, when the server gave one.
        mapped: Option<SocketAddr>,
    },
    /// A peer's datagram arrived through the relay.
    Data {
        /// The peer's address (its relayed address, for a relay-only peer).
        peer: SocketAddr,
        /// The datagram.
        data: Vec<u8>,
    },
    /// The allocation failed or was lost; nothing more will be relayed.
    Failed(Failure),
}

/// Why the allocation is gone.
#[derive(Debug, Clone, PartialEq, Eq)]
pub enum Failure {
    /// The server refused a request: which, and its ERROR-CODE.
    Refused(Method, u16),
    /// The server never answered a request.
    Timeout(Method),
}

#[derive(Debug, Clone, Copy, PartialEq, Eq)]
enum Kind {
    Allocate,
    Refresh(u32),
    Permission(IpAddr),
}

impl Kind {
    fn method(self) -> Method {
        match self {
            Kind::Allocate => Method::Allocate,
            Kind::Refresh(_) => Method::Refresh,
            Kind::Permission(_) => Method::CreatePermission,
        }
    }
}

struct Pending {
    tx: TxId,
    kind: Kind,
    bytes: Vec<u8>,
    tries: u32,
    next_at: u64,
    authenticated: bool,
}

struct Auth {
    realm: String,
    nonce: String,
    key: [u8; 16],
}

#[derive(Debug, Clone, Copy, PartialEq, Eq)]
enum State {
    Idle,
    Allocating,
    Allocated { relay: SocketAddr, expires_at: u64 },
    Closed,
}

/// One TURN allocation, sans-IO.
pub struct TurnClient {
    creds: Credentials,
    auth: Option<Auth>,
    state: State,
    pending: Vec<Pending>,
    permissions: BTreeMap<IpAddr, u64>,
    /// Peers whose permission the server confirmed.
    confirmed: std::collections::BTreeSet<IpAddr>,
    /// What waits for a permission: a Send indication the server got before the permission
    /// (coturn checks credentials on another thread) would be dropped.
    held: VecDeque<(SocketAddr, Vec<u8>)>,
    events: VecDeque<Event>,
}

impl fmt::Debug for TurnClient {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        f.debug_struct("TurnClient")
            .field("username", &self.creds.username)
            .field("state", &self.state)
            .field("pending", &self.pending.len())
            .field("permissions", &self.permissions.keys().collect::<Vec<_>>())
            .finish()
    }
}

impl TurnClient {
    /// A client that has not asked for anything yet.
    pub fn new(creds: Credentials) -> Self {
        Self {
            creds,
            auth: None,
            state: State::Idle,
            pending: Vec::new(),
            permissions: BTreeMap::new(),
            confirmed: std::collections::BTreeSet::new(),
            held: VecDeque::new(),
            events: VecDeque::new(),
        }
    }

    /// Asks for an allocation (the unauthenticated first Allocate).
    pub fn allocate(&mut self, now: u64, rng: &mut impl CryptoRng) {
        if self.state == State::Idle {
            self.state = State::Allocating;
            self.request(Kind::Allocate, now, rng);
        }
    }

    /// The relayed address, once allocated.
    pub fn relay(&self) -> Option<SocketAddr> {
        match self.state {
            State::Allocated { relay, .. } => Some(relay),
            _ => None,
        }
    }

    /// The next event, if any.
    pub fn poll_event(&mut self) -> Option<Event> {
        self.events.pop_front()
    }

    /// Sends `data` to `peer` through the relay (a Send indication). The first datagram to a
    /// peer's IP asks for a permission; until the server confirms it, datagrams to that IP are
    /// held (at most [`MAX_HELD`]). Dropped before the allocation exists.
    pub fn send(&mut self, peer: SocketAddr, data: &[u8], now: u64, rng: &mut impl CryptoRng) {
        if self.relay().is_none() {
            return;
        }
        if let std::collections::btree_map::Entry::Vacant(e) = self.permissions.entry(peer.ip()) {
            e.insert(now + PERMISSION_MS - REFRESH_MARGIN_MS);
            self.request(Kind::Permission(peer.ip()), now, rng);
        }
        if !self.confirmed.contains(&peer.ip()) {
            if self.held.len() == MAX_HELD {
                self.held.pop_front();
            }
            self.held.push_back((peer, data.to_vec()));
            return;
        }
        self.indicate(peer, data, rng);
    }

    fn indicate(&mut self, peer: SocketAddr, data: &[u8], rng: &mut impl CryptoRng) {
        let msg = Message::new(Class::Indication, Method::Send, random_tx(rng))
            .with(Attr::XorPeer(peer))
            .with(Attr::Data(data.to_vec()));
        self.events
            .push_back(Event::Transmit(msg.encode(None, false)));
    }

    /// Releases the allocation (Refresh with lifetime 0); nothing is relayed afterwards.
    pub fn close(&mut self, now: u64, rng: &mut impl CryptoRng) {
        if self.relay().is_some() {
            self.request(Kind::Refresh(0), now, rng);
        }
        self.pending.retain(|p| p.kind == Kind::Refresh(0));
        self.state = State::Closed;
    }

    /// Bytes from the TURN server's address. Anything that is not a response to one of our
    /// requests (with a valid MESSAGE-INTEGRITY once authenticated) or a Data indication is
    /// ignored.
    pub fn handle_input(&mut self, bytes: &[u8], now: u64, rng: &mut impl CryptoRng) {
        let Ok(msg) = Message::decode(bytes) else {
            return;
        };
        if msg.class == Class::Indication && msg.method == Method::Data {
            self.on_data(&msg);
            return;
        }
        let Some(i) = self.pending.iter().position(|p| p.tx == msg.tx) else {
            return;
        };
        if self.pending[i].authenticated && msg.class == Class::Success {
            let key = self.auth.as_ref().map(|a| a.key).unwrap_or_default();
            if !stun::check_integrity(bytes, &key) {
                return;
            }
        }
        let pending = self.pending.swap_remove(i);
        match msg.class {
            Class::Success => self.on_success(pending.kind, &msg, now, rng),
            Class::Error => self.on_error(pending, &msg, now, rng),
            _ => {}
        }
    }

    /// When [`TurnClient::handle_timeout`] next has work (a retransmission or a refresh).
    pub fn poll_timeout(&self) -> Option<u64> {
        let retransmit = self.pending.iter().map(|p| p.next_at).min();
        let refresh = match self.state {
            State::Allocated { expires_at, .. } => Some(expires_at - REFRESH_MARGIN_MS),
            _ => None,
        };
        let permission = self.permissions.values().copied().min();
        [retransmit, refresh, permission]
            .into_iter()
            .flatten()
            .min()
    }

    /// Retransmits unanswered requests, fails those sent [`MAX_TRIES`] times, and refreshes
    /// the allocation and the permissions before they expire.
    pub fn handle_timeout(&mut self, now: u64, rng: &mut impl CryptoRng) {
        self.retransmit(now);
        if let State::Allocated { relay, expires_at } = self.state
            && now + REFRESH_MARGIN_MS >= expires_at
            && !self
                .pending
                .iter()
                .any(|p| matches!(p.kind, Kind::Refresh(_)))
        {
            self.state = State::Allocated {
                relay,
                expires_at: now + REFRESH_MARGIN_MS + 1_000,
            };
            self.request(Kind::Refresh(LIFETIME_S), now, rng);
        }
        let due: Vec<IpAddr> = self
            .permissions
            .iter()
            .filter(|(_, at)| **at <= now)
            .map(|(ip, _)| *ip)
            .collect();
        for ip in due {
            self.permissions
                .insert(ip, now + PERMISSION_MS - REFRESH_MARGIN_MS);
            self.request(Kind::Permission(ip), now, rng);
        }
    }

    fn retransmit(&mut self, now: u64) {
        let mut failed = None;
        for p in self.pending.iter_mut().filter(|p| p.next_at <= now) {
            if p.tries >= MAX_TRIES {
                failed.get_or_insert(p.kind.method());
                continue;
            }
            p.tries += 1;
            p.next_at = now + (RTO_MS << (p.tries - 1).min(6));
            self.events.push_back(Event::Transmit(p.bytes.clone()));
        }
        self.pending
            .retain(|p| p.tries < MAX_TRIES || p.next_at > now);
        if let Some(method) = failed {
            self.fail(Failure::Timeout(method));
        }
    }

    fn on_success(&mut self, kind: Kind, msg: &Message, now: u64, rng: &mut impl CryptoRng) {
        let lifetime = msg
            .find(|a| match a {
                Attr::Lifetime(s) => Some(*s),
                _ => None,
            })
            .unwrap_or(LIFETIME_S);
        let expires_at = now + u64::from(lifetime) * 1_000;
        match (kind, self.state) {
            (Kind::Allocate, State::Allocating) => {
                let relay = msg.find(|a| match a {
                    Attr::XorRelayed(r) => Some(*r),
                    _ => None,
                });
                let mapped = msg.find(|a| match a {
                    Attr::XorMapped(m) => Some(*m),
                    _ => None,
                });
                match relay {
                    Some(relay) => {
                        self.state = State::Allocated { relay, expires_at };
                        self.events.push_back(Event::Allocated { relay, mapped });
                    }
                    None => self.fail(Failure::Refused(Method::Allocate, 0)),
                }
            }
            (Kind::Refresh(l), State::Allocated { relay, .. }) if l > 0 => {
                self.state = State::Allocated { relay, expires_at };
            }
            (Kind::Permission(ip), State::Allocated { .. }) => self.confirm(ip, rng),
            _ => {}
        }
    }

    fn on_error(&mut self, pending: Pending, msg: &Message, now: u64, rng: &mut impl CryptoRng) {
        let code = msg.error_code().unwrap_or(0);
        let realm = msg.find(|a| match a {
            Attr::Realm(r) => Some(r.clone()),
            _ => None,
        });
        let nonce = msg.find(|a| match a {
            Attr::Nonce(n) => Some(n.clone()),
            _ => None,
        });
        let retry_auth = matches!((code, &self.auth), (401, None) | (438, Some(_)));
        if let (true, Some(nonce)) = (retry_auth, nonce) {
            let realm = realm
                .or_else(|| self.auth.as_ref().map(|a| a.realm.clone()))
                .unwrap_or_default();
            let key = stun::long_term_key(&self.creds.username, &realm, &self.creds.password);
            self.auth = Some(Auth { realm, nonce, key });
            self.request(pending.kind, now, rng);
            return;
        }
        match pending.kind {
            Kind::Permission(ip) => {
                self.permissions.remove(&ip);
                self.confirmed.remove(&ip);
                self.held.retain(|(p, _)| p.ip() != ip);
            }
            Kind::Refresh(0) => {}
            kind => self.fail(Failure::Refused(kind.method(), code)),
        }
    }

    /// The server holds a permission for `ip`: what waited for it goes out, in order.
    fn confirm(&mut self, ip: IpAddr, rng: &mut impl CryptoRng) {
        self.confirmed.insert(ip);
        let (ready, waiting): (VecDeque<_>, VecDeque<_>) = std::mem::take(&mut self.held)
            .into_iter()
            .partition(|(p, _)| p.ip() == ip);
        self.held = waiting;
        for (peer, data) in ready {
            self.indicate(peer, &data, rng);
        }
    }

    fn on_data(&mut self, msg: &Message) {
        let peer = msg.find(|a| match a {
            Attr::XorPeer(p) => Some(*p),
            _ => None,
        });
        let data = msg.find(|a| match a {
            Attr::Data(d) => Some(d.clone()),
            _ => None,
        });
        if let (Some(peer), Some(data), Some(_)) = (peer, data, self.relay()) {
            self.events.push_back(Event::Data { peer, data });
        }
    }

    fn fail(&mut self, why: Failure) {
        if self.state != State::Closed {
            self.state = State::Closed;
            self.pending.clear();
            self.events.push_back(Event::Failed(why));
        }
    }

    fn request(&mut self, kind: Kind, now: u64, rng: &mut impl CryptoRng) {
        let tx = random_tx(rng);
        let mut msg = Message::new(Class::Request, kind.method(), tx);
        match kind {
            Kind::Allocate => msg.attrs.push(Attr::RequestedTransport(UDP)),
            Kind::Refresh(l) => msg.attrs.push(Attr::Lifetime(l)),
            Kind::Permission(ip) => msg.attrs.push(Attr::XorPeer(SocketAddr::new(ip, 0))),
        }
        let key = self.auth.as_ref().map(|a| {
            msg.attrs.push(Attr::Username(self.creds.username.clone()));
            msg.attrs.push(Attr::Realm(a.realm.clone()));
            msg.attrs.push(Attr::Nonce(a.nonce.clone()));
            a.key
        });
        let bytes = msg.encode(key.as_ref().map(|k| &k[..]), false);
        self.events.push_back(Event::Transmit(bytes.clone()));
        self.pending.push(Pending {
            tx,
            kind,
            bytes,
            tries: 1,
            next_at: now + RTO_MS,
            authenticated: key.is_some(),
        });
    }
}

fn random_tx(rng: &mut impl CryptoRng) -> TxId {
    let mut tx = [0; 12];
    rng.fill_bytes(&mut tx);
    tx
}
