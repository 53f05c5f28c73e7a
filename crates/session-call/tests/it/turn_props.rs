//! Property tests of the STUN codec and the TURN client: encoding round-trips, integrity binds
//! the key and every byte, no input panics the decoder or the client.

use proptest::prelude::*;
use rand::SeedableRng;
use rand::rngs::StdRng;
use session_call::turn::stun::{self, Attr, Class, Message, Method};
use session_call::turn::{Credentials, Event, TurnClient};
use std::net::{IpAddr, SocketAddr};

fn text() -> impl Strategy<Value = String> {
    "[a-zA-Z0-9 /+=\u{e9}\u{30de}]{0,40}"
}

fn socket() -> impl Strategy<Value = SocketAddr> {
    prop_oneof![
        (any::<[u8; 4]>(), any::<u16>()).prop_map(|(ip, p)| SocketAddr::new(IpAddr::from(ip), p)),
        (any::<[u8; 16]>(), any::<u16>()).prop_map(|(ip, p)| SocketAddr::new(IpAddr::from(ip), p)),
    ]
}

fn attr() -> impl Strategy<Value = Attr> {
    prop_oneof![
        text().prop_map(Attr::Username),
        text().prop_map(Attr::Realm),
        text().prop_map(Attr::Nonce),
        text().prop_map(Attr::Software),
        (300u16..700, text()).prop_map(|(c, r)| Attr::ErrorCode(c, r)),
        any::<u32>().prop_map(Attr::Lifetime),
        any::<u16>().prop_map(Attr::ChannelNumber),
        any::<u8>().prop_map(Attr::RequestedTransport),
        socket().prop_map(Attr::XorMapped),
        socket().prop_map(Attr::XorPeer),
        socket().prop_map(Attr::XorRelayed),
        prop::collection::vec(any::<u8>(), 0..300).prop_map(Attr::Data),
        (0x8030u16..0xFFFF, prop::collection::vec(any::<u8>(), 0..40))
            .prop_map(|(t, v)| Attr::Other(t, v)),
    ]
}

fn message() -> impl Strategy<Value = Message> {
    let class = prop::sample::select(vec![
        Class::Request,
        Class::Indication,
        Class::Success,
        Class::Error,
    ]);
    let method = prop::sample::select(vec![
        Method::Binding,
        Method::Allocate,
        Method::Refresh,
        Method::Send,
        Method::Data,
        Method::CreatePermission,
        Method::ChannelBind,
    ]);
    (
        class,
        method,
        any::<[u8; 12]>(),
        prop::collection::vec(attr(), 0..8),
    )
        .prop_map(|(class, method, tx, attrs)| Message {
            class,
            method,
            tx,
            attrs,
        })
}

proptest! {
    #[test]
    fn messages_round_trip(m in message(), key in prop::option::of(prop::collection::vec(any::<u8>(), 1..32)), fp in any::<bool>()) {
        let b = m.encode(key.as_deref(), fp);
        prop_assert!(stun::looks_like_stun(&b));
        prop_assert_eq!(Message::decode(&b), Ok(m));
        if let Some(k) = key {
            prop_assert!(stun::check_integrity(&b, &k));
            let mut other = k.clone();
            other[0] ^= 1;
            prop_assert!(!stun::check_integrity(&b, &other));
        }
    }

    #[test]
    fn any_changed_byte_is_caught(m in message(), at in any::<prop::sample::Index>(), bit in 0u8..8) {
        let key = b"session-key";
        let b = m.encode(Some(key), true);
        let mut t = b.clone();
        let i = at.index(t.len());
        t[i] ^= 1 << bit;
        prop_assert!(Message::decode(&t).is_err() || !stun::check_integrity(&t, key));
    }

    #[test]
    fn arbitrary_bytes_never_panic(b in prop::collection::vec(any::<u8>(), 0..200), stunny in any::<bool>()) {
        let mut b = b;
        if stunny && b.len() >= 20 {
            b[0] &= 0x3F;
            b[4..8].copy_from_slice(&stun::MAGIC_COOKIE.to_be_bytes());
            let len = ((b.len() - 20) as u16).to_be_bytes();
            b[2..4].copy_from_slice(&len);
        }
        let _ = Message::decode(&b);
        let _ = stun::check_integrity(&b, b"k");
        let mut c = TurnClient::new(Credentials::new("u", "p"));
        let mut rng = StdRng::seed_from_u64(1);
        c.allocate(0, &mut rng);
        c.handle_input(&b, 1, &mut rng);
        c.handle_timeout(600, &mut rng);
        while let Some(e) = c.poll_event() {
            prop_assert!(matches!(e, Event::Transmit(_)));
        }
    }
}
