//! vectors.md section 11.
use crate::{h, rng};
use session_crypto::hop::{EncType, HopKey};
use session_crypto::{X25519PublicKey, X25519Secret};

const A: &str = "bbdfc83022d0aff084a6f0c529a93d1c4d728bf7e41199afed0e01ae70d20540";
const A_SK: &str = "ccc335912da8939e2b44816728a5a4773063efa82bf7ae2d42a0abfa2caa452d";
const B: &str = "caea52c5b0c316d85ffb53ea536826618b13dee40685f166f632653114526a78";
const B_SK: &str = "8fcd8ad3a15c76f76f1c56dff0c529999f8c59b4acda79e05666e54d5727dca1";

fn server_key(enc: EncType) -> HopKey {
    let b = X25519Secret::from_bytes(h(B_SK));
    HopKey::hop(
        enc,
        &b,
        &X25519PublicKey::from_bytes(h(B)),
        &X25519PublicKey::from_bytes(h(A)),
    )
    .unwrap()
}

#[test]
fn keypairs_match() {
    assert_eq!(
        hex::encode(X25519Secret::from_bytes(h(A_SK)).public_key().as_bytes()),
        A
    );
    assert_eq!(
        hex::encode(X25519Secret::from_bytes(h(B_SK)).public_key().as_bytes()),
        B
    );
}

#[test]
fn aes_gcm_vectors() {
    let k = server_key(EncType::AesGcm);
    let ok = hex::decode(
        "1eb6ae1cd72f60999486365749bd5dc15cc0b6a2a44d7d063daa5e93722f0c025fd00306403b61",
    )
    .unwrap();
    assert_eq!(k.decrypt(&ok).unwrap(), b"Hello world");
    for bad in [
        "1eb6ae1cd72f60999486365759bd5dc15cc0b6a2a44d7d063daa5e93722f0c025fd00306403b61",
        "1eb6ae1cd72f60999486365749bd5dc15cc0b6a2a44d7d063daa5e93722f0c025fd00306403b69",
    ] {
        assert!(k.decrypt(&hex::decode(bad).unwrap()).is_err());
    }
}

#[test]
fn xchacha20_vectors() {
    let k = server_key(EncType::XChaCha20);
    let ok = hex::decode("9e1a3abe60eff3ea5c23556cc7e225b6f94355315f7281f66ecf4dbb06e7899a52b863e03cde3b287d1638d765db75de02b032").unwrap();
    assert_eq!(k.decrypt(&ok).unwrap(), b"Hello world");
    for bad in [
        "9e1a3abe60eff3ea5c23556cc7e225b6f94355315f7281f66ecf4dbb06e7899a52b863e03cde3b287d1638d765db75de02b033",
        "9e1a3abe60eff3ea5c23556ccfe225b6f94355315f7281f66ecf4dbb06e7899a52b863e03cde3b287d1638d765db75de02b032",
    ] {
        assert!(k.decrypt(&hex::decode(bad).unwrap()).is_err());
    }
}

#[test]
fn client_and_hop_agree_in_both_directions() {
    let a = X25519Secret::from_bytes(h(A_SK));
    let b_pub = X25519PublicKey::from_bytes(h(B));
    for enc in [EncType::AesGcm, EncType::XChaCha20] {
        let client = HopKey::client(enc, &a, &b_pub).unwrap();
        let hop = server_key(enc);
        let mut r = rng(5);
        let req = client.encrypt(b"request", &mut r);
        assert_eq!(req.len(), 7 + enc.overhead());
        assert_eq!(hop.decrypt(&req).unwrap(), b"request");
        let resp = hop.encrypt(b"response", &mut r);
        assert_eq!(client.decrypt(&resp).unwrap(), b"response");
        assert!(client.decrypt(&resp[..enc.overhead() - 1]).is_err());
    }
}

#[test]
fn enc_type_names_and_aliases() {
    for (s, e) in [
        ("aes-gcm", EncType::AesGcm),
        ("gcm", EncType::AesGcm),
        ("xchacha20", EncType::XChaCha20),
        ("xchacha20-poly1305", EncType::XChaCha20),
    ] {
        assert_eq!(s.parse::<EncType>().unwrap(), e);
    }
    assert!("aes-cbc".parse::<EncType>().is_err());
    assert_eq!(EncType::default(), EncType::AesGcm);
}

#[test]
fn low_order_hop_key_is_rejected() {
    let a = X25519Secret::from_bytes(h(A_SK));
    let zero = X25519PublicKey::from_bytes([0u8; 32]);
    assert!(HopKey::client(EncType::XChaCha20, &a, &zero).is_err());
}
