//! Attachment encryption: libsession's size table (`spec/vectors.md` §13 and
//! `tests/test_attachment_encrypt.cpp`), key/domain/content separation, streaming decryption at
//! every feed size, tampering, differential checks of the secretstream and the whole blob
//! against libsodium, and the legacy scheme's answers from WebCrypto (`tests/data`).

use proptest::prelude::*;
use serde_json::Value;
use session_crypto::Seed;
use session_crypto::attachment::legacy::{self, LegacyKey};
use session_crypto::attachment::{
    self, AttachmentKey, CHUNK_SIZE, Decryptor, Domain, ENCRYPT_HEADER, ENCRYPTED_CHUNK_TOTAL,
    MAX_REGULAR_SIZE, decrypt, encrypt, encrypt_any_size, encrypted_size,
};
use session_crypto::secretstream::{SecretStream, TAG_FINAL, TAG_MESSAGE, TAG_PUSH, TAG_REKEY};
use session_sodium_ref::SodiumSecretStream;

/// libsession's test data: byte `i` is `i * 7 mod 256`.
fn make_data(len: usize) -> Vec<u8> {
    (0..len).map(|i| (i * 7 % 256) as u8).collect()
}

fn seed(hex: &str) -> Seed {
    Seed::from_hex(hex).unwrap()
}

const SEED0: &str = "0123456789abcdef0123456789abcdef0123456789abcdef0123456789abcdef";

/// (plaintext size, encrypted size) from libsession's tests and vectors.md §13.
const SIZES: &[(usize, usize)] = &[
    (0, 4096),
    (1, 4096),
    (2, 4096),
    (10, 4096),
    (100, 4096),
    (1000, 4096),
    (2000, 4096),
    (4000, 4096),
    (4053, 4096),
    (4054, 8192),
    (8149, 8192),
    (8150, 12288),
    (33_333, 36_864),
    (60_000, 61_440),
    (261_982, 262_144),
    (261_983, 270_336),
    (523_990, 524_288),
    (523_991, 540_672),
    (6_543_210, 6_553_600),
    (10_000_000, 10_223_616),
    (10_218_286, 10_223_616),
];

#[test]
fn encrypted_sizes_match_libsession() {
    for &(n, want) in SIZES {
        assert_eq!(encrypted_size(n), want, "encrypted_size({n})");
    }
    assert_eq!(encrypted_size(25_000_000), 25_165_824);
}

#[test]
fn encrypt_is_deterministic_sized_and_round_trips() {
    let s = seed(SEED0);
    for &(n, want) in SIZES {
        let data = make_data(n);
        let (enc, key) = encrypt(&s, &data, Domain::Attachment).unwrap();
        let (enc2, key2) = encrypt(&s, &data, Domain::Attachment).unwrap();
        assert_eq!(enc.len(), want, "size of {n}");
        assert_eq!(enc[0], b'S');
        assert!(enc == enc2 && key == key2, "deterministic at {n}");
        assert!(decrypt(&enc, &key).unwrap() == data, "round trip at {n}");
    }
}

#[test]
fn large_files_need_the_large_entry_point() {
    let s = seed(SEED0);
    let data = make_data(MAX_REGULAR_SIZE + 1);
    assert!(encrypt(&s, &data, Domain::Attachment).is_err());
    let data = make_data(25_000_000);
    let (enc, key) = encrypt_any_size(&s, &data, Domain::Attachment);
    assert_eq!(enc.len(), 25_165_824);
    assert!(decrypt(&enc, &key).unwrap() == data);
}

#[test]
fn keys_separate_by_seed_domain_and_content() {
    let s = seed(SEED0);
    for n in [0, 20, 100, 1000, 33_333] {
        let data = make_data(n);
        let (enc, key) = encrypt(&s, &data, Domain::Attachment).unwrap();
        for other in [
            "1123456789abcdef0123456789abcdef0123456789abcdef0123456789abcdef",
            "0123456789abcdef0123456789abcdef1123456789abcdef0123456789abcdef",
            "0123456789abcdef0123456789abcdef0123456789abcdef0123456789abcde7",
        ] {
            let (enc2, key2) = encrypt(&seed(other), &data, Domain::Attachment).unwrap();
            assert!(key != key2 && enc != enc2);
            assert!(decrypt(&enc, &key2).is_err() && decrypt(&enc2, &key).is_err());
        }
        let (enc3, key3) = encrypt(&s, &data, Domain::ProfilePicture).unwrap();
        assert!(key != key3 && enc != enc3);
        assert!(decrypt(&enc, &key3).is_err() && decrypt(&enc3, &key).is_err());
    }
    let data = make_data(50_000);
    let mut data2 = data.clone();
    data2[43_210] = 0x42;
    let (enc, key) = encrypt(&s, &data, Domain::Attachment).unwrap();
    let (enc2, key2) = encrypt(&s, &data2, Domain::Attachment).unwrap();
    assert!(key != key2 && enc.len() == enc2.len() && enc != enc2);
    assert!(decrypt(&enc, &key2).is_err());
}

#[test]
fn a_sixteen_byte_seed_is_its_zero_padded_ed25519_seed() {
    // Session's 13-word accounts: the Ed25519 seed is the 16 bytes followed by 16 zeros.
    let short = Seed::from_hex("0123456789abcdef0123456789abcdef").unwrap();
    let long = seed("0123456789abcdef0123456789abcdef00000000000000000000000000000000");
    let a = encrypt(&short, b"x", Domain::Attachment).unwrap();
    let b = encrypt(&long, b"x", Domain::Attachment).unwrap();
    assert!(a == b);
}

fn decrypt_fed(enc: &[u8], key: &AttachmentKey, feed: usize) -> session_crypto::Result<Vec<u8>> {
    let mut d = Decryptor::new(key);
    let mut out = Vec::new();
    for piece in enc.chunks(feed) {
        d.update(piece, &mut out)?;
    }
    d.finish(&mut out)?;
    Ok(out)
}

#[test]
fn streaming_decryption_at_every_feed_size() {
    let s = seed("4123456789abcdef0123456789abcdef0123456789abcdef0123456789abcdef");
    for n in [0, 1, 2, 10, 100, 1000, 4053, 4054, 8150, 33_333, 6_543_210] {
        let data = make_data(n);
        let (enc, key) = encrypt(&s, &data, Domain::Attachment).unwrap();
        for feed in [1, 2, 41, 4096, usize::MAX] {
            if n > 100_000 && feed < 4096 {
                continue;
            }
            assert!(
                decrypt_fed(&enc, &key, feed).unwrap() == data,
                "{n} fed {feed}"
            );
        }
    }
}

#[test]
fn tampered_truncated_or_extended_blobs_are_refused() {
    let s = seed("b123456789abcdef0123456789abcdef0123456789abcdef0123456789abcdef");
    let data = make_data(CHUNK_SIZE * 2);
    let (enc, key) = encrypt(&s, &data, Domain::Attachment).unwrap();
    let first_chunk = 1 + ENCRYPT_HEADER;
    for at in [
        0,
        1,
        24,
        first_chunk,
        first_chunk + ENCRYPTED_CHUNK_TOTAL,
        enc.len() - 1,
    ] {
        let mut bad = enc.clone();
        bad[at] ^= 0x01;
        assert!(decrypt(&bad, &key).is_err(), "flip at {at}");
        assert!(
            decrypt_fed(&bad, &key, 777).is_err(),
            "flip at {at}, streaming"
        );
    }
    for len in [
        0,
        1,
        25,
        26,
        first_chunk + 17,
        enc.len() - ENCRYPTED_CHUNK_TOTAL,
        enc.len() - 1,
    ] {
        assert!(decrypt(&enc[..len], &key).is_err(), "truncated to {len}");
    }
    let mut longer = enc.clone();
    longer.push(0);
    assert!(decrypt(&longer, &key).is_err());
    // A chunk moved or dropped breaks the chain.
    let mut swapped = enc.clone();
    let (a, b) = (first_chunk, first_chunk + ENCRYPTED_CHUNK_TOTAL);
    let tmp = swapped[a..b].to_vec();
    swapped.copy_within(b..b + ENCRYPTED_CHUNK_TOTAL, a);
    swapped[b..b + ENCRYPTED_CHUNK_TOTAL].copy_from_slice(&tmp);
    assert!(decrypt(&swapped, &key).is_err());
    let mut dropped = enc[..a].to_vec();
    dropped.extend_from_slice(&enc[b..]);
    assert!(decrypt(&dropped, &key).is_err());
}

/// libsession's encryption rebuilt from libsodium's own calls (BLAKE2b salt/personal,
/// HChaCha20 and `crypto_secretstream` push): `'S' ‖ header ‖ chunks of the padded stream`.
fn libsodium_encrypt(seed: &[u8; 32], data: &[u8], personal: &[u8; 16]) -> (Vec<u8>, [u8; 32]) {
    let nk = session_sodium_ref::generichash_personal(56, data, Some(seed), personal);
    let header: [u8; 24] = nk[..24].try_into().unwrap();
    let key: [u8; 32] = nk[24..].try_into().unwrap();
    let padding = attachment::encrypted_padding(data.len());
    let mut stream = vec![0u8; padding - 1];
    stream.push(1);
    stream.extend_from_slice(data);
    let mut st = SodiumSecretStream::init_push_with_header(&key, &header);
    let mut out = vec![b'S'];
    out.extend_from_slice(&header);
    let chunks: Vec<&[u8]> = stream.chunks(CHUNK_SIZE).collect();
    for (i, c) in chunks.iter().enumerate() {
        let tag = if i + 1 == chunks.len() {
            TAG_FINAL
        } else {
            TAG_MESSAGE
        };
        out.extend_from_slice(&st.push(c, tag));
    }
    (out, key)
}

#[test]
fn blobs_equal_libsodium_built_blobs() {
    let s = seed("9123456789abcdef0123456789abcdef0123456789abcdef0123456789abcdef");
    // 8,400,000 pads by ~246 KB: several whole chunks of padding before the data.
    assert!(attachment::encrypted_padding(8_400_000) > 7 * CHUNK_SIZE);
    for n in [
        0, 1, 31, 4053, 4054, 32_767, 32_768, 32_769, 65_536, 100_000, 261_983, 8_400_000,
    ] {
        let data = make_data(n);
        for (domain, personal) in [
            (Domain::Attachment, b"SessionAttachmnt"),
            (Domain::ProfilePicture, b"Session_Prof_Pic"),
        ] {
            let (ours, key) = encrypt(&s, &data, domain).unwrap();
            let (theirs, their_key) = libsodium_encrypt(s.expose_secret(), &data, personal);
            assert_eq!(key.expose_secret(), &their_key, "key for {n}");
            assert!(ours == theirs, "blob for {n}");
        }
    }
    // A regression answer: the 100-byte file of libsession's tests under SEED0.
    let (enc, key) = encrypt(&seed(SEED0), &make_data(100), Domain::Attachment).unwrap();
    let blob_hash =
        session_crypto::hash::hash32(session_crypto::hash::Blake2bParams::PLAIN, &[&enc]);
    assert_eq!(
        hex::encode(key.expose_secret()),
        "6bc2549f32011221c4c9f3efc94c296e03da1b3a2c765ee10ee2fbe8bee4922d"
    );
    assert_eq!(
        hex::encode(&enc[..25]),
        "53399eb75287599f19e44625aa7d62558d41b273acb4757ce8"
    );
    assert_eq!(
        hex::encode(blob_hash),
        "c24ad8fa0735858cba7680f1350cbac121e8b89c85f56f29af581055d0b3d000"
    );
}

#[test]
fn secretstream_matches_libsodium_both_ways() {
    let mut r = crate::rng(19);
    for round in 0..200 {
        let key: [u8; 32] = rand::RngExt::random(&mut r);
        let (mut theirs, header) = SodiumSecretStream::init_push(&key);
        let mut ours = SecretStream::with_header(&key, &header);
        let mut their_rx = SodiumSecretStream::init_pull(&key, &header).unwrap();
        let mut our_rx = SecretStream::with_header(&key, &header);
        for i in 0..6 {
            let len = rand::RngExt::random_range(&mut r, 0..200usize) + (round % 3) * 1000;
            let msg: Vec<u8> = (0..len).map(|_| rand::RngExt::random(&mut r)).collect();
            let tag = [
                TAG_MESSAGE,
                TAG_PUSH,
                TAG_REKEY,
                TAG_MESSAGE,
                TAG_REKEY,
                TAG_FINAL,
            ][i];
            let a = ours.push(&msg, tag);
            let b = theirs.push(&msg, tag);
            assert_eq!(a, b, "round {round} chunk {i}");
            assert_eq!(their_rx.pull(&a).unwrap(), (msg.clone(), tag));
            assert_eq!(our_rx.pull(&b).unwrap(), (msg, tag));
        }
    }
}

#[test]
fn legacy_answers_from_webcrypto() {
    let v: Value = serde_json::from_str(include_str!("../data/attachment_legacy.json")).unwrap();
    let bytes = |k: &Value| hex::decode(k.as_str().unwrap()).unwrap();
    let key = LegacyKey::from_slice(&bytes(&v["key"])).unwrap();
    let iv: [u8; 16] = bytes(&v["iv"]).try_into().unwrap();
    for case in v["cases"].as_array().unwrap() {
        let plain = bytes(&case["plaintext"]);
        let input = if case["padded"].as_bool().unwrap() {
            let p = legacy::pad(&plain);
            assert_eq!(p.len() as u64, case["padded_size"].as_u64().unwrap());
            p
        } else {
            plain.clone()
        };
        let enc = legacy::encrypt_unpadded(&input, &key, &iv);
        assert_eq!(hex::encode(&enc.blob), case["blob"].as_str().unwrap());
        assert_eq!(hex::encode(enc.digest), case["digest"].as_str().unwrap());
        let back = legacy::decrypt(&enc.blob, &key, &enc.digest, Some(plain.len())).unwrap();
        assert_eq!(back, plain);
    }
    for pair in v["padded_sizes"].as_array().unwrap() {
        let n = pair[0].as_u64().unwrap() as usize;
        let want = pair[1].as_u64().unwrap() as usize;
        // Desktop's formula can round to just under `n` only above its limit; we never shrink.
        assert_eq!(legacy::padded_size(n), want.max(n), "padded_size({n})");
    }
}

#[test]
fn legacy_refusals() {
    let mut r = crate::rng(5);
    let data = make_data(3000);
    let (enc, key) = legacy::encrypt(&data, &mut r);
    assert_eq!(
        enc.blob.len(),
        16 + (legacy::padded_size(3000) / 16 + 1) * 16 + 32
    );
    let other = LegacyKey::generate(&mut r);
    assert!(legacy::decrypt(&enc.blob, &other, &enc.digest, Some(3000)).is_err());
    for at in [0, 15, 16, enc.blob.len() - 33, enc.blob.len() - 1] {
        let mut bad = enc.blob.clone();
        bad[at] ^= 0x80;
        assert!(
            legacy::decrypt(&bad, &key, &enc.digest, Some(3000)).is_err(),
            "flip {at}"
        );
    }
    let mut digest = enc.digest;
    digest[31] ^= 1;
    assert!(legacy::decrypt(&enc.blob, &key, &digest, Some(3000)).is_err());
    assert!(legacy::decrypt(&enc.blob, &key, &enc.digest[..16], Some(3000)).is_err());
    assert!(legacy::decrypt(&enc.blob[..63], &key, &enc.digest, None).is_err());
    assert!(legacy::LegacyKey::from_slice(&[0; 32]).is_err());
}

proptest! {
    #![proptest_config(ProptestConfig::with_cases(48))]

    /// Round trips at sizes around chunk and padding boundaries; any flipped bit is refused.
    #[test]
    fn deterministic_round_trip_and_tamper(
        base in prop::sample::select(vec![0usize, 4053, 8149, 32_768, 65_536, 131_072, 261_982]),
        delta in 0usize..4,
        seed_bytes in any::<[u8; 32]>(),
        flip in any::<prop::sample::Index>(),
        bit in 0u8..8,
    ) {
        let n = (base + delta).saturating_sub(1);
        let data = make_data(n);
        let s = Seed::from_bytes(seed_bytes);
        let (enc, key) = encrypt(&s, &data, Domain::Attachment).unwrap();
        prop_assert_eq!(enc.len(), encrypted_size(n));
        prop_assert!(decrypt(&enc, &key).unwrap() == data);
        let mut bad = enc.clone();
        bad[flip.index(enc.len())] ^= 1 << bit;
        prop_assert!(decrypt(&bad, &key).is_err());
    }

    #[test]
    fn legacy_round_trip_and_tamper(
        n in 0usize..5000,
        flip in any::<prop::sample::Index>(),
        bit in 0u8..8,
        rng_seed in any::<u64>(),
    ) {
        let data = make_data(n);
        let (enc, key) = legacy::encrypt(&data, &mut crate::rng(rng_seed));
        prop_assert_eq!(legacy::decrypt(&enc.blob, &key, &enc.digest, Some(n)).unwrap(), data);
        let mut bad = enc.blob.clone();
        let at = flip.index(bad.len());
        bad[at] ^= 1 << bit;
        prop_assert!(legacy::decrypt(&bad, &key, &enc.digest, Some(n)).is_err());
    }

    #[test]
    fn decrypt_never_panics_on_garbage(blob in prop::collection::vec(any::<u8>(), 0..3000), key in any::<[u8; 32]>()) {
        let mut blob = blob;
        if let Some(b) = blob.first_mut() { *b = b'S'; }
        let _ = decrypt(&blob, &AttachmentKey::from_bytes(key));
        let mut lk = [0u8; 64];
        lk[..32].copy_from_slice(&key);
        let _ = legacy::decrypt(&blob, &LegacyKey::from_bytes(lk), &[0; 32], None);
    }
}
