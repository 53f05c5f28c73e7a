//! Criterion benchmarks: each operation measured for session-crypto and for libsodium doing the
//! same work in the same run. `cargo xtask bench crypto` turns the results into the table in
//! `docs/BENCHMARKS.md`.
#![allow(missing_docs, clippy::unwrap_used, clippy::expect_used)]

use criterion::{Criterion, Throughput, criterion_group, criterion_main};
use session_crypto::hop::{EncType, HopKey};
use session_crypto::session_protocol::{decrypt_incoming, encrypt_for_recipient};
use session_crypto::{IdentityKeys, Seed, X25519PublicKey, X25519Secret};
use session_sodium_ref as sodium;
use std::hint::black_box;

const OURS: &str = "session-crypto";
const THEIRS: &str = "libsodium";

fn rng() -> rand::rngs::StdRng {
    use rand::SeedableRng;
    rand::rngs::StdRng::seed_from_u64(42)
}

fn ed25519(c: &mut Criterion) {
    let keys = IdentityKeys::from_seed(Seed::from_bytes([7; 32]));
    let lib = sodium::sign_seed_keypair(&[7; 32]);
    let msg = [0x5a_u8; 64];
    let sig = keys.sign(&msg);
    let mut g = c.benchmark_group("ed25519_sign_64B");
    g.bench_function(OURS, |b| b.iter(|| keys.sign(black_box(&msg))));
    g.bench_function(THEIRS, |b| {
        b.iter(|| sodium::sign_detached(&lib.sk, black_box(&msg)))
    });
    g.finish();
    let mut g = c.benchmark_group("ed25519_verify_64B");
    let pk = keys.ed25519_public();
    g.bench_function(OURS, |b| {
        b.iter(|| pk.verify(black_box(&msg), &sig, "bench").unwrap())
    });
    g.bench_function(THEIRS, |b| {
        b.iter(|| assert!(sodium::verify_detached(&lib.pk, black_box(&msg), &sig)))
    });
    g.finish();
}

fn x25519(c: &mut Criterion) {
    let a = [3u8; 32];
    let b_pub = sodium::scalarmult_base(&[4u8; 32]);
    let mut g = c.benchmark_group("x25519");
    g.bench_function(OURS, |b| {
        b.iter(|| session_crypto::primitives::x25519(black_box(&a), &b_pub).unwrap())
    });
    g.bench_function(THEIRS, |b| {
        b.iter(|| sodium::scalarmult(black_box(&a), &b_pub).unwrap())
    });
    g.finish();
}

fn session_protocol(c: &mut Criterion) {
    let alice = IdentityKeys::from_seed(Seed::from_bytes([1; 32]));
    let bob = IdentityKeys::from_seed(Seed::from_bytes([2; 32]));
    let (alice_lib, bob_lib) = (
        sodium::sign_seed_keypair(&[1; 32]),
        sodium::sign_seed_keypair(&[2; 32]),
    );
    let msg = vec![0x42_u8; 1024];
    let to = bob.session_id();
    let mut r = rng();
    let mut g = c.benchmark_group("session_encrypt_1KiB");
    g.throughput(Throughput::Bytes(1024));
    g.bench_function(OURS, |b| {
        b.iter(|| encrypt_for_recipient(&alice, &to, black_box(&msg), &mut r).unwrap())
    });
    g.bench_function(THEIRS, |b| {
        b.iter(|| sodium::session_encrypt(&alice_lib.sk, to.x25519().as_bytes(), black_box(&msg)))
    });
    g.finish();
    let ct = encrypt_for_recipient(&alice, &to, &msg, &mut r).unwrap();
    let mut g = c.benchmark_group("session_decrypt_1KiB");
    g.throughput(Throughput::Bytes(1024));
    g.bench_function(OURS, |b| {
        b.iter(|| decrypt_incoming(&bob, black_box(&ct)).unwrap())
    });
    g.bench_function(THEIRS, |b| {
        b.iter(|| sodium::session_decrypt(&bob_lib.sk, black_box(&ct)).unwrap())
    });
    g.finish();
}

/// What a node does per onion layer: X25519 with the client's ephemeral key, the KDF, then the
/// AEAD decryption of the layer.
fn hop(c: &mut Criterion) {
    let node = X25519Secret::from_bytes([9; 32]);
    let node_pk = node.public_key();
    let eph = X25519Secret::from_bytes([10; 32]);
    let eph_pk = eph.public_key();
    let mut r = rng();
    for (enc, name) in [
        (EncType::XChaCha20, "hop_xchacha20"),
        (EncType::AesGcm, "hop_aes_gcm"),
    ] {
        for (size, label) in [(1024usize, "1KiB"), (65536, "64KiB")] {
            let msg = vec![0x33_u8; size];
            let ct = HopKey::client(enc, &eph, &node_pk)
                .unwrap()
                .encrypt(&msg, &mut r);
            let mut g = c.benchmark_group(format!("{name}_{label}"));
            g.throughput(Throughput::Bytes(size as u64));
            g.bench_function(OURS, |b| {
                b.iter(|| hop_ours(enc, &node, &node_pk, &eph_pk, &ct))
            });
            if enc == EncType::XChaCha20 || sodium::aes256gcm_available() {
                g.bench_function(THEIRS, |b| {
                    b.iter(|| hop_sodium(enc, &node, &node_pk, &eph_pk, &ct))
                });
            }
            g.finish();
        }
    }
}

fn hop_ours(
    enc: EncType,
    node: &X25519Secret,
    node_pk: &X25519PublicKey,
    eph_pk: &X25519PublicKey,
    ct: &[u8],
) -> Vec<u8> {
    HopKey::hop(enc, node, node_pk, eph_pk)
        .unwrap()
        .decrypt(black_box(ct))
        .unwrap()
}

fn hop_sodium(
    enc: EncType,
    node: &X25519Secret,
    node_pk: &X25519PublicKey,
    eph_pk: &X25519PublicKey,
    ct: &[u8],
) -> Vec<u8> {
    let shared = sodium::scalarmult(node.expose_secret(), eph_pk.as_bytes()).unwrap();
    match enc {
        EncType::XChaCha20 => {
            let mut input = shared.to_vec();
            input.extend_from_slice(eph_pk.as_bytes());
            input.extend_from_slice(node_pk.as_bytes());
            let key: [u8; 32] = sodium::generichash(32, &input, None).try_into().unwrap();
            let nonce: [u8; 24] = ct[..24].try_into().unwrap();
            sodium::xchacha20poly1305_decrypt(&key, &nonce, black_box(&ct[24..])).unwrap()
        }
        EncType::AesGcm => {
            let key = sodium::hmac_sha256(b"LOKI", &shared);
            let nonce: [u8; 12] = ct[..12].try_into().unwrap();
            sodium::aes256gcm_decrypt(&key, &nonce, black_box(&ct[12..])).unwrap()
        }
    }
}

criterion_group!(benches, ed25519, x25519, session_protocol, hop);
criterion_main!(benches);
