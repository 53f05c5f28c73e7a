//! vectors.md sections 1 and 3.
use crate::{h, keys};
use session_crypto::hash::{Blake2bParams, hash32};
use session_crypto::{Ed25519PublicKey, SessionId, X25519PublicKey};

#[test]
fn session_id_from_seed() {
    let k = keys("0123456789abcdef0123456789abcdef00000000000000000000000000000000");
    assert_eq!(
        hex::encode(k.ed25519_public().as_bytes()),
        "4cb76fdc6d32278e3f83dbf608360ecc6b65727934b85d2fb86862ff98c46ab7"
    );
    assert_eq!(
        k.session_id().to_string(),
        "05d2ad010eeb72d72e561d9de7bd7b6989af77dcabffa03a5111a6c859ae5c3a72"
    );
}

#[test]
fn x25519_pubkeys_from_seeds() {
    for (seed, x) in [
        (
            "0123456789abcdef000000000000000000000000000000000000000000000000",
            "d673a8fb4800d2a252d2fc4e3342a88cdfa9412853934e8993d12d593be13371",
        ),
        (
            "0123456789abcdef111111111111111100000000000000000000000000000000",
            "afd9716ea69ab8c7f475e1b250c86a6539e260804faecf2a803e9281a4160738",
        ),
    ] {
        assert_eq!(hex::encode(keys(seed).x25519_public().as_bytes()), x);
    }
}

#[test]
fn ed25519_signature_of_hello() {
    let k = keys("4cb76fdc6d32278e3f83dbf608360ecc6b65727934b85d2fb86862ff98c46ab7");
    assert_eq!(
        hex::encode(k.ed25519_public().as_bytes()),
        "8862834829a87e0afadfed763fa8785e893dbde7f2c001ff1071aa55005c347f"
    );
    let sig = k.sign(b"hello");
    assert_eq!(
        hex::encode(sig),
        "e03b6e87a53d83f202f2501e9b52193dbe4a64c6503f88244948dee5327185011574589aa7b59bc9757f9b9c31b7be9c9212b92ac7c81e029ee21c338ee12405"
    );
    k.ed25519_public().verify(b"hello", &sig, "test").unwrap();
    assert!(k.ed25519_public().verify(b"hellp", &sig, "test").is_err());
}

#[test]
fn x25519_secret_is_clamped_sha512_half() {
    let k = keys("4cb76fdc6d32278e3f83dbf608360ecc6b65727934b85d2fb86862ff98c46ab7");
    assert_eq!(
        hex::encode(k.x25519_secret().expose_secret()),
        "207e5d97e761300f96c10adc11efdd6d5c15188a9a7682ec05b30ca017e9b447"
    );
}

#[test]
fn blinding_test_keys_and_xed25519_sign() {
    // seed1's Ed25519 key is positive: XEd25519 of its Session ID gives it back exactly.
    let k1 = keys("fecd9a6034bc9aba273925dee7062b123334587c3c6257341afae2d7fe85e122");
    assert_eq!(
        hex::encode(k1.ed25519_public().as_bytes()),
        "f4ef873908f6a5377ba3853f0e2fa326eed9e741edf9f7d0311a3ecc66a57b32"
    );
    assert_eq!(
        k1.session_id().to_string(),
        "05fe94b7ad4b7f1cc1bb92671f1f0d243f226e115b33770465e82b503fc3e96e1f"
    );
    assert_eq!(
        k1.session_id().to_ed25519_positive().unwrap(),
        k1.ed25519_public()
    );
    // seed2's key is negative: XEd25519 recovers -A, which differs only in bit 255.
    let k2 = keys("8659efdcbe0949e0f81141e6d397e8be75f45d09262f209d5950e97989eb43c7");
    assert_eq!(
        hex::encode(k2.ed25519_public().as_bytes()),
        "3570b69a47dc094544c1c5089c40414bbda1ffdde8aab2617fe937ee74a5ee81"
    );
    assert!(k2.ed25519_public().is_negative());
    assert_eq!(
        k2.session_id().to_string(),
        "0505c9a9bf178fa644d44bebf628716dc7f2df3d0842e97881962c723699152073"
    );
    let recovered = k2.session_id().to_ed25519_positive().unwrap();
    assert_ne!(recovered, k2.ed25519_public());
    assert_eq!(recovered, k2.ed25519_public().positive());
}

#[test]
fn ed25519_to_x25519_matches_session_id() {
    let pk = Ed25519PublicKey::from_bytes(h(
        "4cb76fdc6d32278e3f83dbf608360ecc6b65727934b85d2fb86862ff98c46ab7",
    ));
    let sid: SessionId = "05d2ad010eeb72d72e561d9de7bd7b6989af77dcabffa03a5111a6c859ae5c3a72"
        .parse()
        .unwrap();
    assert_eq!(pk.to_x25519().unwrap(), sid.x25519());
    // A low-order point (the identity, y = 1) is rejected.
    let mut identity = [0u8; 32];
    identity[0] = 1;
    assert!(Ed25519PublicKey::from_bytes(identity).to_x25519().is_err());
    // u = -1 has no Edwards point.
    let mut minus_one = [0xffu8; 32];
    minus_one[0] = 0xec;
    minus_one[31] = 0x7f;
    assert!(
        X25519PublicKey::from_bytes(minus_one)
            .to_ed25519_positive()
            .is_err()
    );
}

#[test]
fn legacy_16_byte_seed_is_padded() {
    let short = Seed::from_hex("0123456789abcdef0123456789abcdef").unwrap();
    let long =
        Seed::from_hex("0123456789abcdef0123456789abcdef00000000000000000000000000000000").unwrap();
    assert_eq!(short.expose_secret(), long.expose_secret());
    assert!(short.is_short());
    assert!(Seed::from_hex("0123").is_err());
    assert_eq!(format!("{short:?}"), "Seed(<redacted>)");
    let k = session_crypto::IdentityKeys::from_seed(short);
    assert!(!format!("{k:?}").contains("0123456789abcdef0123"));
}

use session_crypto::Seed;

#[test]
fn blake2b_vectors() {
    assert_eq!(
        hex::encode(hash32(Blake2bParams::PLAIN, &[b"TestMessage"])),
        "2a48a12262e4548afb97fe2b04a912a02297d451169ee7ef2d01a28ea20286ab"
    );
    assert_eq!(
        hex::encode(hash32(Blake2bParams::keyed(b"TestKey"), &[b"TestMessage"])),
        "3d643e479b626bb2907476e32ccf7bdbd1ac3efa0da6e2c335255c48dcc216b6"
    );
}
