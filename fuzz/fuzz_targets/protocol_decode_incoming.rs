//! `session_protocol::decode_incoming` on arbitrary bytes: never panics. The first byte picks
//! the layer the rest of the input lands in, so the fuzzer reaches every stage:
//! 0 — the stored bytes themselves (websocket → envelope → box);
//! 1 — the bytes as an envelope inside a valid websocket wrapper;
//! 2 — the bytes as the plaintext of a valid box from a known sender (unpad → Content →
//!     required fields), where a success must agree with decoding that plaintext directly.
#![no_main]
use libfuzzer_sys::fuzz_target;
use session_crypto::session_protocol::encrypt_for_recipient_deterministic;
use session_crypto::{IdentityKeys, Seed};
use session_protocol::proto::{self, Content};
use session_protocol::{decode_incoming, padding, wire};
use std::sync::OnceLock;

fn keys() -> &'static (IdentityKeys, IdentityKeys) {
    static KEYS: OnceLock<(IdentityKeys, IdentityKeys)> = OnceLock::new();
    KEYS.get_or_init(|| {
        (
            IdentityKeys::from_seed(Seed::from_bytes([1; 32])),
            IdentityKeys::from_seed(Seed::from_bytes([2; 32])),
        )
    })
}

fuzz_target!(|data: &[u8]| {
    let (alice, bob) = keys();
    let Some((&mode, rest)) = data.split_first() else {
        let _ = decode_incoming(bob, data);
        return;
    };
    match mode % 3 {
        0 => {
            let _ = decode_incoming(bob, rest);
        }
        1 => {
            let _ = decode_incoming(bob, &wire::wrap_in_websocket(rest.to_vec()));
        }
        _ => {
            let ct = encrypt_for_recipient_deterministic(alice, &bob.session_id(), rest)
                .expect("encrypts");
            let env = wire::one_to_one_envelope(ct, 1, None);
            let stored = wire::wrap_in_websocket(prost::Message::encode_to_vec(&env));
            let direct = padding::unpad(rest).and_then(proto::decode::<Content>);
            match decode_incoming(bob, &stored) {
                Ok(msg) => {
                    assert_eq!(msg.sender, alice.session_id());
                    assert_eq!(Ok(msg.content), direct, "decode_incoming disagrees");
                }
                Err(_) => assert!(direct.is_err(), "valid plaintext rejected"),
            }
        }
    }
});
