//! A client opening arbitrary answer bytes with fixed response keys (the client ephemeral
//! `a` and hop key `B` of `spec/vectors.md` §11, both ciphers): node replies (base64 JSON),
//! v3 and v4 server replies, the decrypted-payload parsers, plain relay errors and 421 swarm
//! lists. Never panics; decoded v4 payloads re-encode to themselves.
#![no_main]
use libfuzzer_sys::fuzz_target;
use session_crypto::hop::EncType;
use session_crypto::{X25519PublicKey, X25519Secret};
use session_onion::{NodeReply, Outcome, ResponseKey, V3Reply, V4Request, V4Response};
use std::sync::OnceLock;

/// vectors.md §11: the client's ephemeral secret a and the hop's public key B.
const A_SK: [u8; 32] = [
    0xcc, 0xc3, 0x35, 0x91, 0x2d, 0xa8, 0x93, 0x9e, 0x2b, 0x44, 0x81, 0x67, 0x28, 0xa5, 0xa4, 0x77,
    0x30, 0x63, 0xef, 0xa8, 0x2b, 0xf7, 0xae, 0x2d, 0x42, 0xa0, 0xab, 0xfa, 0x2c, 0xaa, 0x45, 0x2d,
];
const B: [u8; 32] = [
    0xca, 0xea, 0x52, 0xc5, 0xb0, 0xc3, 0x16, 0xd8, 0x5f, 0xfb, 0x53, 0xea, 0x53, 0x68, 0x26, 0x61,
    0x8b, 0x13, 0xde, 0xe4, 0x06, 0x85, 0xf1, 0x66, 0xf6, 0x32, 0x65, 0x31, 0x14, 0x52, 0x6a, 0x78,
];

fn keys() -> &'static [ResponseKey; 2] {
    static KEYS: OnceLock<[ResponseKey; 2]> = OnceLock::new();
    KEYS.get_or_init(|| {
        let a = X25519Secret::from_bytes(A_SK);
        let b = X25519PublicKey::from_bytes(B);
        [EncType::AesGcm, EncType::XChaCha20]
            .map(|enc| ResponseKey::new(enc, &a, &b).expect("vector keys are valid"))
    })
}

fuzz_target!(|data: &[u8]| {
    for key in keys() {
        let _ = key.decrypt(data);
        let _ = key.open_node_reply(data);
        if let Ok(v3) = key.open_v3(data) {
            let _ = v3.status();
        }
        if let Ok(v4) = key.open_v4(data) {
            assert_eq!(V4Response::decode(&v4.encode()).as_ref(), Ok(&v4));
        }
    }
    if let Ok(reply) = NodeReply::parse(data) {
        let _ = reply.body_json();
    }
    let _ = V3Reply {
        body: data.to_vec(),
    }
    .status();
    if let Ok(resp) = V4Response::decode(data) {
        assert_eq!(V4Response::decode(&resp.encode()).as_ref(), Ok(&resp));
    }
    if let Ok(req) = V4Request::decode(data) {
        assert_eq!(V4Request::decode(&req.encode()).as_ref(), Ok(&req));
    }
    let _ = Outcome::from_plain_error(502, data);
    if let Ok(json) = serde_json::from_slice::<serde_json::Value>(data) {
        let _ = session_onion::swarm_from_reply(&json);
    }
});
