//! Criterion benchmark for issue 16 (groups at scale): each measure next to its primitive bound
//! in the same run, as `cargo xtask bench group` reports them in `docs/BENCHMARKS.md`.
//!
//! * `rekey_N` — building and signing the keys message of a rekey for N members (`ours`)
//!   against N × (one X25519 + one XChaCha20-Poly1305 of a 32-byte key) (`bound`).
//! * `member_open_N` — a member loading the keys message of an N-member group (parse, verify,
//!   trial-decrypt the copies) as the member whose copy comes last, the worst case (`ours`),
//!   against one Ed25519 verify of the message + the member's key derivation (X25519 +
//!   BLAKE2b) + one AEAD open of its own copy (`bound`: the work if it knew its slot).
//! * `group_message` — decrypting a typical text message (`ours`) against one AEAD open of it
//!   plus one Ed25519 verify of its data (`bound`).
#![allow(missing_docs, clippy::unwrap_used, clippy::expect_used)]

use chacha20poly1305::XChaCha20Poly1305;
use chacha20poly1305::aead::{Aead, KeyInit};
use criterion::{BatchSize, Criterion, criterion_group, criterion_main};
use rand::SeedableRng;
use rand::rngs::StdRng;
use session_config::ConfigKey;
use session_crypto::primitives::x25519;
use session_crypto::{IdentityKeys, Seed, SessionId, X25519PublicKey};
use session_group::keys_msg::{self, Body};
use session_group::multi::{self, Sender};
use session_group::{GroupAdmin, GroupKeys, message};
use session_protocol::content::{self, Expiry, Payload};
use session_protocol::{padding, proto, wire};
use std::hint::black_box;

const MEMBER_DOMAIN: &str = "SessionGroupKeyMemberKey";

struct Members {
    seeds: Vec<Seed>,
    ids: Vec<SessionId>,
}

fn members(n: usize, rng: &mut StdRng) -> Members {
    let seeds: Vec<Seed> = (0..n).map(|_| Seed::generate_full(rng)).collect();
    let ids = seeds
        .iter()
        .map(|s| IdentityKeys::from_seed(s.clone()).session_id())
        .collect();
    Members { seeds, ids }
}

fn rekey(c: &mut Criterion, admin: &GroupAdmin, m: &Members) {
    let n = m.ids.len();
    let recipients: Vec<[u8; 32]> = m
        .ids
        .iter()
        .map(|id| id.to_bytes()[1..].try_into().unwrap())
        .collect();
    let sender_secret = [7u8; 32];
    let mut g = c.benchmark_group(format!("rekey_{n}"));
    g.sample_size(10);
    g.bench_function("ours", |b| {
        b.iter(|| black_box(keys_msg::build_rekey(admin, black_box(&m.ids), 1).unwrap()))
    });
    g.bench_function("bound", |b| {
        b.iter(|| {
            for r in &recipients {
                let shared = x25519(&sender_secret, r).unwrap();
                let aead = XChaCha20Poly1305::new((&*shared).into());
                black_box(aead.encrypt((&[1u8; 24]).into(), &[2u8; 32][..]).unwrap());
            }
        })
    });
    g.finish();
}

/// The member whose copy is tried last: copies are in Session ID order.
fn last_member(m: &Members) -> &Seed {
    let i = (0..m.ids.len())
        .max_by_key(|&i| m.ids[i].to_bytes())
        .unwrap();
    &m.seeds[i]
}

fn member_open(c: &mut Criterion, admin: &GroupAdmin, m: &Members) {
    let n = m.ids.len();
    let (msg, key) = keys_msg::build_rekey(admin, &m.ids, 1).unwrap();
    let group = admin.group_id();
    let seed = last_member(m);
    let member = IdentityKeys::from_seed(seed.clone());
    let parsed = keys_msg::parse(&msg, &group).unwrap();
    let Body::Full {
        members: copies, ..
    } = parsed.body
    else {
        panic!("a rekey")
    };
    let group_x: X25519PublicKey = group.ed25519().to_x25519().unwrap();
    let own = Sender {
        secret: member.x25519_secret(),
        public: &member.x25519_public(),
    };
    let pair = multi::pair_key(&own, &group_x, false, MEMBER_DOMAIN).unwrap();
    let mine = copies
        .iter()
        .position(|c| {
            XChaCha20Poly1305::new((&*pair).into())
                .decrypt((&parsed.nonce).into(), &c[..])
                .is_ok()
        })
        .expect("the member's copy");
    assert_eq!(mine + 1, n, "the last member's copy is the last real one");
    let (signed, sig) = (&msg[..msg.len() - 71], &msg[msg.len() - 65..msg.len() - 1]);
    let sig: [u8; 64] = sig.try_into().unwrap();
    let mut g = c.benchmark_group(format!("member_open_{n}"));
    g.bench_function("ours", |b| {
        b.iter_batched(
            || GroupKeys::new(seed, group, None).unwrap(),
            |mut ring| {
                assert!(ring.load_key_message("h", black_box(&msg), 1).unwrap());
                assert_eq!(ring.encryption_key().unwrap(), &key);
                ring
            },
            BatchSize::SmallInput,
        )
    });
    g.bench_function("bound", |b| {
        b.iter(|| {
            group
                .ed25519()
                .verify(black_box(signed), &sig, "keys")
                .unwrap();
            let k = multi::pair_key(&own, &group_x, false, MEMBER_DOMAIN).unwrap();
            let aead = XChaCha20Poly1305::new((&*k).into());
            black_box(
                aead.decrypt((&parsed.nonce).into(), &copies[mine][..])
                    .unwrap(),
            )
        })
    });
    g.finish();
}

/// A typical text message as a client sends it: an `Envelope` around a padded `Content`.
fn text_message() -> Vec<u8> {
    let text = Payload::Text {
        body: "Running ten minutes late, start without me — I'll bring the slides.".into(),
        quote: None,
    };
    let content = content::build(&text, Expiry::Off, 1_765_000_000_000);
    let padded = padding::pad(&proto::encode(&content).unwrap());
    proto::encode(&wire::one_to_one_envelope(padded, 1_765_000_000_000, None)).unwrap()
}

fn group_message(c: &mut Criterion, rng: &mut StdRng) {
    let key = ConfigKey::from_bytes([9; 32]);
    let sender = IdentityKeys::from_seed(Seed::generate_full(rng));
    let plain = text_message();
    let ct = message::encrypt(&key, &sender, &plain, true, message::DEFAULT_PADDING, rng).unwrap();
    let sig = sender.sign(&plain);
    let sender_ed = sender.ed25519_public();
    let mut g = c.benchmark_group("group_message");
    g.bench_function("ours", |b| {
        b.iter(|| black_box(message::decrypt(&[&key], black_box(&ct)).unwrap()))
    });
    g.bench_function("bound", |b| {
        b.iter(|| {
            let aead = XChaCha20Poly1305::new(key.expose_secret().into());
            let nonce: &[u8; 24] = ct[..24].try_into().unwrap();
            black_box(aead.decrypt(nonce.into(), &ct[24..]).unwrap());
            sender_ed
                .verify(black_box(&plain), &sig, "message")
                .unwrap();
        })
    });
    g.finish();
    eprintln!(
        "group_message: {} B plaintext, {} B ciphertext",
        plain.len(),
        ct.len()
    );
}

fn groups(c: &mut Criterion) {
    let mut rng = StdRng::seed_from_u64(16);
    let admin = GroupAdmin::generate(&mut rng);
    let all = members(1000, &mut rng);
    let hundred = Members {
        seeds: all.seeds[..100].to_vec(),
        ids: all.ids[..100].to_vec(),
    };
    for m in [&hundred, &all] {
        rekey(c, &admin, m);
        member_open(c, &admin, m);
    }
    group_message(c, &mut rng);
}

criterion_group!(benches, groups);
criterion_main!(benches);
