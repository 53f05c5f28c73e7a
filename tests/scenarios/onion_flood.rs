//! A flood of onion requests with garbage layers against one guard (issue 21, "load and
//! limits"), while a client keeps making real 3-hop requests through that guard: every garbage
//! request gets its plain answer (never a 5xx it should not, never a dropped connection), every
//! real request is answered, and the guard's memory stays bounded.
//!
//! Garbage, in turn: random bytes; a well-framed layer sealed to a key nobody holds; a frame
//! whose length prefix overruns the body; a layer the guard opens whose payload is not a
//! request; a layer naming a next hop that is not a node.

use serde_json::json;
use session_client::onion::fetch_nodes;
use session_crypto::{IdentityKeys, Seed};
use session_devnet::Devnet;
use session_e2e::limits::{RssSampler, rss_bound_kib, rss_kib};
use session_e2e::{b64, config, now_ms};
use session_onion::{Destination, EncType, Node, NodeDestination, OnionEnvelope};
use std::collections::BTreeMap;
use std::sync::{Arc, Mutex};
use std::time::{Duration, Instant};

const NODES: usize = 6;
/// Concurrent garbage senders (below the node's 128 connections per address).
const FLOODERS: usize = 48;
const FLOOD: Duration = Duration::from_secs(20);

/// The kinds of garbage, with the plain status the guard must answer each with.
const KINDS: [(&str, u16); 5] = [
    ("noise", 400),
    ("sealed to nobody", 400),
    ("overrunning length", 400),
    ("not a request", 200),
    ("unknown next hop", 502),
];

fn random_keys() -> IdentityKeys {
    IdentityKeys::from_seed(Seed::generate_full(&mut rand::rng()))
}

/// One garbage body of `kind` for `guard` (`dest` is a real swarm member).
fn garbage(kind: usize, guard: &Node, dest: &Node) -> Vec<u8> {
    use rand::RngExt as _;
    let mut rng = rand::rng();
    let noise = |rng: &mut rand::rngs::ThreadRng, n: usize| {
        (0..n).map(|_| rng.random::<u8>()).collect::<Vec<u8>>()
    };
    match kind {
        0 => {
            let n = rng.random_range(1..2048);
            noise(&mut rng, n)
        }
        1 => OnionEnvelope {
            ciphertext: noise(&mut rng, 512),
            ephemeral_key: random_keys().x25519_public(),
            enc_type: EncType::XChaCha20,
            hop_no: 0,
        }
        .encode()
        .expect("encodes"),
        2 => {
            let mut body = 4096u32.to_le_bytes().to_vec();
            body.extend(noise(&mut rng, 100));
            body
        }
        3 => {
            let payload = noise(&mut rng, 200);
            session_onion::build(
                std::slice::from_ref(guard),
                &Destination::Node(NodeDestination::new(guard)),
                &payload,
                EncType::XChaCha20,
                &mut rng,
            )
            .expect("built")
            .body
        }
        _ => {
            let fake = random_keys();
            let nowhere = Node {
                ed25519: fake.ed25519_public(),
                x25519: fake.x25519_public(),
                ..guard.clone()
            };
            session_onion::build(
                &[guard.clone(), nowhere],
                &Destination::Node(NodeDestination::new(dest)),
                b"{}",
                EncType::XChaCha20,
                &mut rng,
            )
            .expect("built")
            .body
        }
    }
}

/// What the flood saw: per kind, status → count; transport failures by kind.
#[derive(Default, Debug)]
struct Tally {
    statuses: BTreeMap<&'static str, BTreeMap<u16, u64>>,
    transport: BTreeMap<&'static str, u64>,
}

async fn flooder(url: String, guard: Node, dest: Node, until: Instant, tally: Arc<Mutex<Tally>>) {
    let http = reqwest::Client::new();
    let mut i = 0usize;
    while Instant::now() < until {
        let kind = i % KINDS.len();
        i += 1;
        let body = garbage(kind, &guard, &dest);
        let sent = http.post(&url).body(body).send().await;
        let mut t = tally.lock().expect("tally");
        match sent {
            Ok(r) => {
                *t.statuses
                    .entry(KINDS[kind].0)
                    .or_default()
                    .entry(r.status().as_u16())
                    .or_default() += 1;
            }
            Err(_) => *t.transport.entry(KINDS[kind].0).or_default() += 1,
        }
    }
}

/// One real store through `path` to `dest`; its latency, or why it failed.
async fn real_store(
    http: &reqwest::Client,
    path: &[Node],
    dest: &Node,
    user: &IdentityKeys,
) -> Result<Duration, String> {
    let body = json!({"method": "store", "params": {"pubkey": user.session_id().to_string(),
        "timestamp": now_ms(), "ttl": 600_000, "data": b64(b"through the flood")}})
    .to_string();
    let built = session_onion::build(
        path,
        &Destination::Node(NodeDestination::new(dest)),
        body.as_bytes(),
        EncType::XChaCha20,
        &mut rand::rng(),
    )
    .map_err(|e| e.to_string())?;
    let guard = &path[0];
    let start = Instant::now();
    let r = http
        .post(format!("http://{}:{}/onion_req/v2", guard.ip, guard.port))
        .body(built.body)
        .send()
        .await
        .map_err(|e| format!("guard: {e}"))?;
    let status = r.status().as_u16();
    let bytes = r.bytes().await.map_err(|e| format!("body: {e}"))?;
    if status != 200 {
        return Err(format!("guard answered {status}"));
    }
    let reply = built
        .response
        .open_node_reply(&bytes)
        .map_err(|e| format!("reply: {e}"))?;
    if reply.status != 200 {
        return Err(format!("destination answered {}", reply.status));
    }
    Ok(start.elapsed())
}

fn percentile(sorted: &[Duration], p: usize) -> Duration {
    sorted
        .get((sorted.len() * p / 100).min(sorted.len().saturating_sub(1)))
        .copied()
        .unwrap_or_default()
}

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn a_guard_under_a_garbage_flood_answers_each_plainly_and_keeps_relaying() {
    let (cfg, _slot) = config(NODES);
    let devnet = Devnet::start(cfg).await.expect("devnet starts");
    let report = devnet.agreed_report().await.expect("agreement");
    let seed = devnet.live_nodes().next().expect("a node").http();
    let pool = fetch_nodes(&reqwest::Client::new(), seed)
        .await
        .expect("node list");
    let user = random_keys();
    let swarm =
        session_swarm::swarm_for_pubkey(user.x25519_public().as_bytes(), &report.swarm_ids())
            .expect("swarm");
    let dest = pool
        .iter()
        .find(|n| report.assignment.get(n.ed25519.as_bytes()) == Some(&swarm))
        .expect("a member")
        .clone();
    let guard = pool[0].clone();
    let path = [guard.clone(), pool[1].clone(), pool[2].clone()];
    let guard_pid = devnet
        .nodes
        .iter()
        .find(|n| &n.record.ed25519 == guard.ed25519.as_bytes())
        .expect("guard handle")
        .pid;
    let http = reqwest::Client::new();

    let mut before = Vec::new();
    for _ in 0..20 {
        before.push(
            real_store(&http, &path, &dest, &user)
                .await
                .expect("before the flood"),
        );
    }
    let idle_kib = rss_kib(guard_pid).0;
    let sampler = RssSampler::start(guard_pid);
    let tally = Arc::new(Mutex::new(Tally::default()));
    let until = Instant::now() + FLOOD;
    let url = format!("http://{}:{}/onion_req/v2", guard.ip, guard.port);
    let flood: Vec<_> = (0..FLOODERS)
        .map(|_| {
            tokio::spawn(flooder(
                url.clone(),
                guard.clone(),
                dest.clone(),
                until,
                tally.clone(),
            ))
        })
        .collect();
    let mut during = Vec::new();
    let mut failed = Vec::new();
    while Instant::now() < until {
        match real_store(&http, &path, &dest, &user).await {
            Ok(d) => during.push(d),
            Err(e) => failed.push(e),
        }
    }
    for f in flood {
        f.await.expect("flooder");
    }
    let sampled = sampler.stop();
    let after = real_store(&http, &path, &dest, &user).await;

    let tally = Arc::try_unwrap(tally)
        .expect("one owner")
        .into_inner()
        .expect("tally");
    let garbage: u64 = tally.statuses.values().flat_map(|m| m.values()).sum();
    before.sort();
    during.sort();
    println!(
        "{}",
        json!({
            "garbage_requests": garbage,
            "garbage_per_s": garbage / FLOOD.as_secs(),
            "statuses": format!("{:?}", tally.statuses),
            "transport_failures": format!("{:?}", tally.transport),
            "real_before": {"n": before.len(), "p50_ms": percentile(&before, 50).as_millis(),
                "p99_ms": percentile(&before, 99).as_millis()},
            "real_during": {"n": during.len(), "p50_ms": percentile(&during, 50).as_millis(),
                "p99_ms": percentile(&during, 99).as_millis(), "failed": failed.len()},
            "guard_idle_rss_kib": idle_kib,
            "guard_peak_rss_kib": sampled.peak_rss,
        })
    );

    assert!(
        failed.is_empty(),
        "real requests failed under the flood: {failed:?}"
    );
    assert!(
        during.len() >= 10,
        "too few real requests went through: {}",
        during.len()
    );
    after.expect("a real request after the flood");
    assert!(tally.transport.is_empty(), "dropped: {:?}", tally.transport);
    for (kind, expected) in KINDS {
        let seen = tally.statuses.get(kind).cloned().unwrap_or_default();
        assert!(seen.values().sum::<u64>() > 0, "no {kind} was sent");
        assert_eq!(
            seen.keys().copied().collect::<Vec<_>>(),
            vec![expected],
            "{kind}: {seen:?}"
        );
    }
    let bound = rss_bound_kib(idle_kib);
    assert!(
        sampled.peak_rss <= bound,
        "guard RSS {} KiB over its bound {bound} KiB",
        sampled.peak_rss
    );
}
