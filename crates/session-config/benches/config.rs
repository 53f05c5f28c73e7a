//! Criterion benchmark for issue 15: merging 5 conflicting `Contacts` configs of 1,000 contacts
//! against one decrypt + decode of the same config, in the same run (the ratio is what
//! `docs/BENCHMARKS.md` reports).
#![allow(missing_docs, clippy::unwrap_used, clippy::expect_used)]

use criterion::{Criterion, criterion_group, criterion_main};
use session_config::encrypt::{self, ConfigKey};
use session_config::user::Contacts;
use session_config::{ConfigMessage, Verify};
use session_crypto::{Seed, SessionId};
use std::hint::black_box;

fn id(i: u32) -> SessionId {
    let mut b = [0u8; 33];
    b[0] = 5;
    b[1..5].copy_from_slice(&i.to_be_bytes());
    b[5..].copy_from_slice(&[0xa5; 28]);
    SessionId::from_bytes(&b).expect("id")
}

/// Five devices that share 1,000 contacts, each having changed ten of them: their pushes.
fn conflicting_pushes(seed: &Seed) -> Vec<(String, Vec<u8>)> {
    let mut base = Contacts::new(seed);
    for i in 0..1000 {
        base.set_name(&id(i), &format!("Contact number {i}"))
            .expect("set");
        base.set_approved(&id(i), i % 3 == 0).expect("set");
    }
    let p = base.push().expect("push");
    (0..5u32)
        .map(|d| {
            let mut dev = Contacts::new(seed);
            dev.merge(&[("base".into(), p.data.clone())])
                .expect("merge");
            for j in 0..10 {
                dev.set_nickname(&id(d * 100 + j), &format!("nick {d}"))
                    .expect("set");
            }
            (format!("dev{d}"), dev.push().expect("push").data)
        })
        .collect()
}

fn contacts(c: &mut Criterion) {
    let seed = Seed::from_bytes([3; 32]);
    let pushes = conflicting_pushes(&seed);
    let key = [ConfigKey::from_seed(&seed)];
    let mut g = c.benchmark_group("contacts_1000");
    g.sample_size(20);
    g.bench_function("merge_5_conflicting", |b| {
        b.iter(|| {
            let mut fresh = Contacts::new(&seed);
            black_box(fresh.merge(black_box(&pushes)).expect("merge"));
        })
    });
    g.bench_function("decrypt_decode_1", |b| {
        b.iter(|| {
            let plain = encrypt::open(black_box(&pushes[0].1), &key, "Contacts").expect("open");
            black_box(ConfigMessage::decode(&plain, Verify::Ignore).expect("decode"));
        })
    });
    g.finish();
}

criterion_group!(benches, contacts);
criterion_main!(benches);
