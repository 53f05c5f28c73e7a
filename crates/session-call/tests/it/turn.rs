//! The sans-IO TURN client against a scripted server: the long-term credential dance, integrity
//! checks on responses, permissions, Send/Data indications, retransmission timing, refreshes
//! and closing.

use rand::SeedableRng;
use rand::rngs::StdRng;
use session_call::turn::client::{LIFETIME_S, MAX_HELD, MAX_TRIES, PERMISSION_MS};
use session_call::turn::stun::{self, Attr, Class, Message, Method};
use session_call::turn::{Credentials, Event, Failure, TurnClient};
use std::net::SocketAddr;

const REALM: &str = "session-devnet";
const NONCE: &str = "nonce-1";
const T0: u64 = 1_000_000;

fn rng() -> StdRng {
    StdRng::seed_from_u64(7)
}

fn key() -> [u8; 16] {
    stun::long_term_key("session", REALM, "hunter2")
}

fn addr(s: &str) -> SocketAddr {
    s.parse().expect("addr")
}

fn transmits(c: &mut TurnClient) -> Vec<Message> {
    let mut out = Vec::new();
    while let Some(e) = c.poll_event() {
        match e {
            Event::Transmit(b) => out.push(Message::decode(&b).expect("client sends valid STUN")),
            other => panic!("unexpected {other:?}"),
        }
    }
    out
}

fn events(c: &mut TurnClient) -> Vec<Event> {
    std::iter::from_fn(|| c.poll_event()).collect()
}

fn unauthorized(req: &Message) -> Vec<u8> {
    Message::new(Class::Error, req.method, req.tx)
        .with(Attr::ErrorCode(401, "Unauthorized".into()))
        .with(Attr::Realm(REALM.into()))
        .with(Attr::Nonce(NONCE.into()))
        .encode(None, true)
}

fn allocated(req: &Message, key: &[u8]) -> Vec<u8> {
    Message::new(Class::Success, Method::Allocate, req.tx)
        .with(Attr::XorRelayed(addr("127.0.0.1:49200")))
        .with(Attr::XorMapped(addr("127.0.0.1:40000")))
        .with(Attr::Lifetime(LIFETIME_S))
        .encode(Some(key), true)
}

/// A client with an allocation, and the authenticated Allocate it sent.
fn allocated_client(rng: &mut StdRng) -> (TurnClient, Message) {
    let mut c = TurnClient::new(Credentials::new("session", "hunter2"));
    c.allocate(T0, rng);
    let first = transmits(&mut c).remove(0);
    c.handle_input(&unauthorized(&first), T0 + 5, rng);
    let (bytes, second) = match c.poll_event() {
        Some(Event::Transmit(b)) => (b.clone(), Message::decode(&b).expect("stun")),
        other => panic!("{other:?}"),
    };
    assert!(stun::check_integrity(&bytes, &key()));
    c.handle_input(&allocated(&second, &key()), T0 + 10, rng);
    assert_eq!(
        events(&mut c),
        vec![Event::Allocated {
            relay: addr("127.0.0.1:49200"),
            mapped: Some(addr("127.0.0.1:40000")),
        }]
    );
    (c, second)
}

#[test]
fn allocate_answers_the_401_with_the_long_term_credential() {
    let mut rng = rng();
    let mut c = TurnClient::new(Credentials::new("session", "hunter2"));
    c.allocate(T0, &mut rng);
    let first = transmits(&mut c);
    assert_eq!(first.len(), 1);
    assert_eq!(
        (first[0].class, first[0].method),
        (Class::Request, Method::Allocate)
    );
    assert_eq!(first[0].attrs, vec![Attr::RequestedTransport(17)]);
    let (c, second) = allocated_client(&mut rng);
    assert_ne!(second.tx, first[0].tx);
    assert_eq!(
        second.attrs,
        vec![
            Attr::RequestedTransport(17),
            Attr::Username("session".into()),
            Attr::Realm(REALM.into()),
            Attr::Nonce(NONCE.into()),
        ]
    );
    assert_eq!(c.relay(), Some(addr("127.0.0.1:49200")));
    assert!(!format!("{c:?}").contains("hunter2"));
    assert!(!format!("{:?}", Credentials::new("u", "hunter2")).contains("hunter2"));
}

#[test]
fn a_response_without_our_integrity_is_ignored() {
    let mut rng = rng();
    let mut c = TurnClient::new(Credentials::new("session", "hunter2"));
    c.allocate(T0, &mut rng);
    let first = transmits(&mut c).remove(0);
    c.handle_input(&unauthorized(&first), T0, &mut rng);
    let second = transmits(&mut c).remove(0);
    let wrong = stun::long_term_key("session", REALM, "guess");
    c.handle_input(&allocated(&second, &wrong), T0, &mut rng);
    c.handle_input(
        &Message::new(Class::Success, Method::Allocate, second.tx)
            .with(Attr::XorRelayed(addr("127.0.0.1:1")))
            .encode(None, false),
        T0,
        &mut rng,
    );
    assert_eq!(events(&mut c), vec![]);
    assert_eq!(c.relay(), None);
    // a response to a transaction we never started is ignored too
    c.handle_input(
        &allocated(
            &Message::new(Class::Request, Method::Allocate, [3; 12]),
            &key(),
        ),
        T0,
        &mut rng,
    );
    assert_eq!(c.relay(), None);
    c.handle_input(&allocated(&second, &key()), T0, &mut rng);
    assert_eq!(c.relay(), Some(addr("127.0.0.1:49200")));
}

#[test]
fn a_refusal_after_authenticating_fails_the_allocation() {
    let mut rng = rng();
    let mut c = TurnClient::new(Credentials::new("session", "hunter2"));
    c.allocate(T0, &mut rng);
    let first = transmits(&mut c).remove(0);
    c.handle_input(&unauthorized(&first), T0, &mut rng);
    let second = transmits(&mut c).remove(0);
    // a second 401 means the password is wrong: no third try
    c.handle_input(&unauthorized(&second), T0, &mut rng);
    assert_eq!(
        events(&mut c),
        vec![Event::Failed(Failure::Refused(Method::Allocate, 401))]
    );
}

#[test]
fn a_stale_nonce_is_renewed_and_the_request_repeated() {
    let mut rng = rng();
    let (mut c, _) = allocated_client(&mut rng);
    c.send(addr("127.0.0.1:49300"), b"x", T0 + 20, &mut rng);
    let sent = transmits(&mut c);
    let perm = &sent[0];
    let stale = Message::new(Class::Error, Method::CreatePermission, perm.tx)
        .with(Attr::ErrorCode(438, "Stale Nonce".into()))
        .with(Attr::Nonce("nonce-2".into()))
        .encode(None, false);
    c.handle_input(&stale, T0 + 30, &mut rng);
    let again = transmits(&mut c);
    assert_eq!(again.len(), 1);
    assert_eq!(again[0].method, Method::CreatePermission);
    assert!(again[0].attrs.contains(&Attr::Nonce("nonce-2".into())));
}

#[test]
fn sending_asks_for_a_permission_once_then_sends_indications() {
    let mut rng = rng();
    let (mut c, _) = allocated_client(&mut rng);
    let peer = addr("127.0.0.1:49300");
    c.send(peer, b"hello", T0 + 20, &mut rng);
    c.send(addr("127.0.0.1:49301"), b"again", T0 + 21, &mut rng);
    let sent = transmits(&mut c);
    assert_eq!(
        sent.len(),
        1,
        "one CreatePermission for 127.0.0.1; the data waits for it"
    );
    assert_eq!(
        (sent[0].class, sent[0].method),
        (Class::Request, Method::CreatePermission)
    );
    assert!(sent[0].attrs.contains(&Attr::XorPeer(addr("127.0.0.1:0"))));
    // an answer without our integrity confirms nothing
    let ok = Message::new(Class::Success, Method::CreatePermission, sent[0].tx);
    c.handle_input(&ok.encode(None, false), T0 + 25, &mut rng);
    assert_eq!(transmits(&mut c), vec![]);
    c.handle_input(&ok.encode(Some(&key()), false), T0 + 30, &mut rng);
    let sent = transmits(&mut c);
    assert_eq!(sent.len(), 2, "both held datagrams, in order");
    assert_eq!(
        (sent[0].class, sent[0].method),
        (Class::Indication, Method::Send)
    );
    assert_eq!(
        sent[0].attrs,
        vec![Attr::XorPeer(peer), Attr::Data(b"hello".to_vec())]
    );
    assert_eq!(sent[1].attrs[1], Attr::Data(b"again".to_vec()));
    // confirmed: the next goes straight out
    c.send(peer, b"third", T0 + 35, &mut rng);
    assert_eq!(transmits(&mut c).len(), 1);
    // a Data indication from the peer comes out as Data
    let data = Message::new(Class::Indication, Method::Data, [5; 12])
        .with(Attr::XorPeer(peer))
        .with(Attr::Data(b"hi back".to_vec()))
        .encode(None, false);
    c.handle_input(&data, T0 + 40, &mut rng);
    assert_eq!(
        events(&mut c),
        vec![Event::Data {
            peer,
            data: b"hi back".to_vec()
        }]
    );
}

#[test]
fn a_refused_permission_drops_what_waited_and_held_data_is_bounded() {
    let mut rng = rng();
    let (mut c, _) = allocated_client(&mut rng);
    let peer = addr("127.0.0.1:49300");
    for i in 0..(MAX_HELD + 10) {
        c.send(peer, &[i as u8], T0 + 20, &mut rng);
    }
    let perm = transmits(&mut c).remove(0);
    let ok = Message::new(Class::Success, Method::CreatePermission, perm.tx);
    c.handle_input(&ok.encode(Some(&key()), false), T0 + 30, &mut rng);
    let sent = transmits(&mut c);
    assert_eq!(sent.len(), MAX_HELD, "the oldest were dropped");
    assert_eq!(sent[0].attrs[1], Attr::Data(vec![10]));
    // another peer's permission is refused: its datagram is dropped, nothing is sent
    c.send(addr("127.0.0.2:5000"), b"x", T0 + 40, &mut rng);
    let perm = transmits(&mut c).remove(0);
    let refused = Message::new(Class::Error, Method::CreatePermission, perm.tx)
        .with(Attr::ErrorCode(403, "Forbidden".into()));
    c.handle_input(&refused.encode(None, false), T0 + 50, &mut rng);
    assert_eq!(transmits(&mut c), vec![]);
    c.handle_timeout(T0 + 10_000, &mut rng);
    assert!(transmits(&mut c).iter().all(|m| m.method != Method::Send));
}

#[test]
fn nothing_is_sent_before_the_allocation() {
    let mut rng = rng();
    let mut c = TurnClient::new(Credentials::new("session", "hunter2"));
    c.send(addr("127.0.0.1:9"), b"early", T0, &mut rng);
    assert_eq!(events(&mut c), vec![]);
}

#[test]
fn requests_are_retransmitted_with_doubling_timeouts_then_fail() {
    let mut rng = rng();
    let mut c = TurnClient::new(Credentials::new("session", "hunter2"));
    c.allocate(T0, &mut rng);
    let first = transmits(&mut c).remove(0);
    let mut at = Vec::new();
    while let Some(now) = c.poll_timeout() {
        c.handle_timeout(now, &mut rng);
        for e in events(&mut c) {
            match e {
                Event::Transmit(b) => {
                    assert_eq!(Message::decode(&b).expect("stun").tx, first.tx);
                    at.push(now - T0);
                }
                Event::Failed(f) => {
                    assert_eq!(f, Failure::Timeout(Method::Allocate));
                    at.push(u64::MAX);
                }
                other => panic!("{other:?}"),
            }
        }
        if now > T0 + 600_000 {
            break;
        }
    }
    assert_eq!(at.len(), MAX_TRIES as usize);
    assert_eq!(at, vec![500, 1_500, 3_500, 7_500, 15_500, 31_500, u64::MAX]);
}

#[test]
fn the_allocation_and_permissions_are_refreshed_before_they_expire() {
    let mut rng = rng();
    let (mut c, _) = allocated_client(&mut rng);
    c.send(addr("127.0.0.1:49300"), b"x", T0 + 20, &mut rng);
    let perm = transmits(&mut c).remove(0);
    c.handle_input(
        &Message::new(Class::Success, Method::CreatePermission, perm.tx)
            .encode(Some(&key()), false),
        T0 + 25,
        &mut rng,
    );
    assert_eq!(transmits(&mut c).len(), 1, "the held datagram");
    let perm_due = c.poll_timeout().expect("a refresh is scheduled");
    assert_eq!(perm_due, T0 + 20 + PERMISSION_MS - 60_000);
    c.handle_timeout(perm_due, &mut rng);
    let refreshed = transmits(&mut c);
    assert_eq!(refreshed.len(), 1);
    assert_eq!(refreshed[0].method, Method::CreatePermission);
    c.handle_input(
        &Message::new(Class::Success, Method::CreatePermission, refreshed[0].tx)
            .encode(Some(&key()), false),
        perm_due + 1,
        &mut rng,
    );
    // the allocation: LIFETIME_S from T0 + 10, refreshed a minute before
    let alloc_due = T0 + 10 + u64::from(LIFETIME_S) * 1_000 - 60_000;
    c.handle_timeout(alloc_due, &mut rng);
    let sent = transmits(&mut c);
    let refresh = sent
        .iter()
        .find(|m| m.method == Method::Refresh)
        .expect("a Refresh");
    assert!(refresh.attrs.contains(&Attr::Lifetime(LIFETIME_S)));
    for m in &sent {
        c.handle_input(
            &Message::new(Class::Success, m.method, m.tx)
                .with(Attr::Lifetime(LIFETIME_S))
                .encode(Some(&key()), false),
            alloc_due + 5,
            &mut rng,
        );
    }
    // nothing is due until the permission's next refresh
    assert_eq!(c.poll_timeout(), Some(alloc_due + PERMISSION_MS - 60_000));
}

#[test]
fn closing_releases_the_allocation_with_lifetime_zero() {
    let mut rng = rng();
    let (mut c, _) = allocated_client(&mut rng);
    c.close(T0 + 100, &mut rng);
    let sent = transmits(&mut c);
    assert_eq!(sent.len(), 1);
    assert_eq!(sent[0].method, Method::Refresh);
    assert!(sent[0].attrs.contains(&Attr::Lifetime(0)));
    assert_eq!(c.relay(), None);
    c.send(addr("127.0.0.1:49300"), b"late", T0 + 200, &mut rng);
    assert_eq!(events(&mut c), vec![]);
}
