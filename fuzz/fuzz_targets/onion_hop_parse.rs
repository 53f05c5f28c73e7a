//! A node peeling arbitrary bytes with a fixed key (the hop key of `spec/vectors.md` §11):
//! as a guard's body (framing, JSON, then decryption and classification), as a layer ciphertext
//! under the vector's ephemeral key (both ciphers), as a decrypted layer, and as an HTTP
//! server's body. Never panics; every error carries the reference status and the right form.
#![no_main]
use libfuzzer_sys::fuzz_target;
use session_crypto::hop::EncType;
use session_crypto::{X25519PublicKey, X25519Secret};
use session_onion::{
    HopError, Layer, NodeKeys, OnionEnvelope, ServerRequest, is_host_allowed, is_target_allowed,
    parse_layer, peel,
};
use std::sync::OnceLock;

/// vectors.md §11: the hop's secret b and the client's ephemeral public key A.
const B_SK: [u8; 32] = [
    0x8f, 0xcd, 0x8a, 0xd3, 0xa1, 0x5c, 0x76, 0xf7, 0x6f, 0x1c, 0x56, 0xdf, 0xf0, 0xc5, 0x29, 0x99,
    0x9f, 0x8c, 0x59, 0xb4, 0xac, 0xda, 0x79, 0xe0, 0x56, 0x66, 0xe5, 0x4d, 0x57, 0x27, 0xdc, 0xa1,
];
const A: [u8; 32] = [
    0xbb, 0xdf, 0xc8, 0x30, 0x22, 0xd0, 0xaf, 0xf0, 0x84, 0xa6, 0xf0, 0xc5, 0x29, 0xa9, 0x3d, 0x1c,
    0x4d, 0x72, 0x8b, 0xf7, 0xe4, 0x11, 0x99, 0xaf, 0xed, 0x0e, 0x01, 0xae, 0x70, 0xd2, 0x05, 0x40,
];

fn keys() -> &'static NodeKeys {
    static KEYS: OnceLock<NodeKeys> = OnceLock::new();
    KEYS.get_or_init(|| NodeKeys::new(X25519Secret::from_bytes(B_SK)))
}

fn check_layer(layer: &Result<Layer, HopError>, hop_no: u32) {
    match layer {
        Ok(Layer::Proxy(p)) => {
            assert!(is_target_allowed(&p.target) && is_host_allowed(&p.host));
        }
        Ok(Layer::Relay(r)) => assert_eq!(r.envelope.hop_no, hop_no.saturating_add(1)),
        Ok(Layer::Destination(_)) => {}
        Err(e) => assert!(e.is_wrapped() && e.status() == 400, "{e:?}"),
    }
}

fn check_plain(err: &HopError) {
    assert!(!err.is_wrapped() && err.status() == 400, "{err:?}");
}

fuzz_target!(|data: &[u8]| {
    let keys = keys();
    match OnionEnvelope::parse(data) {
        Ok(env) => match peel(keys, &env) {
            Ok(peeled) => check_layer(&peeled.layer, env.hop_no),
            Err(e) => assert_eq!(e, HopError::InvalidCiphertext),
        },
        Err(e) => check_plain(&e),
    }
    for enc_type in [EncType::AesGcm, EncType::XChaCha20] {
        let env = OnionEnvelope {
            ciphertext: data.to_vec(),
            ephemeral_key: X25519PublicKey::from_bytes(A),
            enc_type,
            hop_no: 3,
        };
        if let Ok(peeled) = peel(keys, &env) {
            check_layer(&peeled.layer, 3);
        }
    }
    check_layer(&parse_layer(data, 7), 7);
    if let Err(e) = ServerRequest::open(keys, data) {
        check_plain(&e);
    }
});
