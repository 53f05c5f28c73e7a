//! STUN/TURN from the network: the fuzzer's bytes as a STUN message (strict decoding, the
//! integrity check) and as server datagrams fed to a TURN client in every state it can reach
//! (before the 401, authenticated, allocated). Never panics; a decoded message re-encodes to
//! one that decodes the same.
#![no_main]
use libfuzzer_sys::fuzz_target;
use session_call::turn::stun::{self, Attr, Class, Message, Method};
use session_call::turn::{Credentials, Event, TurnClient};

struct Counter(u64);

impl rand_core::TryRng for Counter {
    type Error = core::convert::Infallible;
    fn try_next_u32(&mut self) -> Result<u32, Self::Error> {
        Ok(self.try_next_u64()? as u32)
    }
    fn try_next_u64(&mut self) -> Result<u64, Self::Error> {
        self.0 = self.0.wrapping_mul(6364136223846793005).wrapping_add(1);
        Ok(self.0)
    }
    fn try_fill_bytes(&mut self, dst: &mut [u8]) -> Result<(), Self::Error> {
        for b in dst {
            *b = self.try_next_u64()? as u8;
        }
        Ok(())
    }
}
impl rand_core::TryCryptoRng for Counter {}

fn sent(c: &mut TurnClient) -> Vec<Message> {
    std::iter::from_fn(|| c.poll_event())
        .filter_map(|e| match e {
            Event::Transmit(b) => Message::decode(&b).ok(),
            _ => None,
        })
        .collect()
}

fuzz_target!(|data: &[u8]| {
    if let Ok(m) = Message::decode(data) {
        let again = m.encode(Some(b"k"), true);
        assert_eq!(Message::decode(&again).as_ref(), Ok(&m));
    }
    let _ = stun::check_integrity(data, b"k");

    let key = stun::long_term_key("u", "r", "p");
    let mut rng = Counter(1);
    let mut c = TurnClient::new(Credentials::new("u", "p"));
    c.allocate(0, &mut rng);
    c.handle_input(data, 1, &mut rng);
    let first = sent(&mut c);
    if let Some(req) = first.first() {
        let challenge = Message::new(Class::Error, Method::Allocate, req.tx)
            .with(Attr::ErrorCode(401, String::new()))
            .with(Attr::Realm("r".into()))
            .with(Attr::Nonce("n".into()));
        c.handle_input(&challenge.encode(None, false), 2, &mut rng);
        c.handle_input(data, 3, &mut rng);
        if let Some(auth) = sent(&mut c).first() {
            let ok = Message::new(Class::Success, Method::Allocate, auth.tx)
                .with(Attr::XorRelayed("127.0.0.1:5000".parse().expect("addr")));
            c.handle_input(&ok.encode(Some(&key), false), 4, &mut rng);
            c.send("127.0.0.1:6000".parse().expect("addr"), data, 5, &mut rng);
            c.handle_input(data, 6, &mut rng);
            c.handle_timeout(700, &mut rng);
            let _ = sent(&mut c);
        }
    }
});
