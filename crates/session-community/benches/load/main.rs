//! Load generator for `cargo xtask bench community` (not a timed test). Starts the real server
//! (`session_community::run`) on a loopback port with a temporary data directory and one room,
//! then 64 concurrent HTTP clients, each a blind15 user with the room's default write
//! permission:
//!
//! * posts: `POST /room/bench/message` (a padded `Content` signed by the poster), answered 201;
//! * polls: `GET /room/bench/messages/since/SEQ?limit=100`, each answering 100 messages.
//!
//! pysogs's post rate limit (5 per 16 s per user and room) is off for the run
//! (`Config::rate_limit = None`), so the posters stay ordinary users. Requests are signed before
//! each phase (clients do not sign while the server is measured); a short warm-up sizes each
//! phase to about [`PHASE_SECS`]. Each rate is set against the same request's own work measured
//! in-process on one thread in the same run ([`bound`]). Server and clients share the machine:
//! the CPU time of each runtime's threads (from `/proc`, Linux) says how many cores each used.
//! Writes `$CARGO_TARGET_DIR/session-bench/community.json`.
#![allow(clippy::unwrap_used, clippy::expect_used, missing_docs)]

mod bound;
mod phase;
mod requests;

use requests::{POLL_LIMIT, ROOM, Signed, poll, post, prepare, user};
use serde_json::{Value, json};
use session_community::{Config, admin::Admin, key};
use session_crypto::IdentityKeys;
use std::time::Duration;
use tokio::runtime::{Builder, Runtime};
use tokio_util::sync::CancellationToken;

/// Concurrent clients.
const CLIENTS: usize = 64;
/// Target length of a measured phase.
const PHASE_SECS: f64 = 6.0;
/// Requests per client in a warm-up.
const WARM_UP: usize = 4;

struct Bench {
    base: String,
    users: Vec<IdentityKeys>,
    clients: Runtime,
}

impl Bench {
    /// Warm-up, then a phase sized to [`PHASE_SECS`] at the warm-up's rate.
    fn sized_phase(
        &self,
        expect: u16,
        len: Option<usize>,
        make: impl Fn(usize, &IdentityKeys, usize) -> Signed + Sync,
    ) -> phase::Outcome {
        let warm = self.phase(prepare(&self.users, WARM_UP, &make), expect, len);
        let per_client = (warm.per_s() * PHASE_SECS / CLIENTS as f64).ceil() as usize;
        let reqs = prepare(&self.users, per_client.clamp(WARM_UP, 2000), &make);
        self.phase(reqs, expect, len)
    }

    fn phase(&self, reqs: Vec<Vec<Signed>>, expect: u16, len: Option<usize>) -> phase::Outcome {
        let out = self
            .clients
            .block_on(phase::run(&self.base, reqs, expect, len));
        assert!(out.ok > 0, "no request succeeded: {:?}", out.first_failure);
        out
    }
}

fn phase_report(o: &phase::Outcome, parts: &bound::Parts) -> Value {
    let bound = bound::ops_per_s(parts);
    let parts: serde_json::Map<String, Value> = parts
        .iter()
        .map(|(k, us)| ((*k).to_owned(), json!(us)))
        .collect();
    json!({
        "requests": o.ok,
        "failed": o.failed,
        "first_failure": o.first_failure,
        "secs": o.secs,
        "per_s": o.per_s(),
        "server_cores": o.server_cpu / o.secs,
        "client_cores": o.client_cpu / o.secs,
        "bound_parts_us": parts,
        "bound_per_s": bound,
        "ratio": o.per_s() / bound,
    })
}

fn main() {
    if std::env::args().any(|a| a == "--list" || a == "--test") {
        return; // `cargo test --benches` / `--list` probes: nothing to do
    }
    let dir = tempfile::tempdir().unwrap();
    let pk = *key::public_key(dir.path(), &mut rand::rng())
        .unwrap()
        .as_bytes();
    Admin::open(Config::new(dir.path()))
        .unwrap()
        .room_add(ROOM, "Bench", None)
        .unwrap();
    let mut config = Config::new(dir.path());
    config.rate_limit = None;

    // The server's runtime keeps idle blocking threads for the whole run, so that their CPU
    // time stays countable (see `phase::cpu_secs`).
    let server = Builder::new_multi_thread()
        .thread_name(phase::SERVER_THREADS)
        .thread_keep_alive(Duration::from_secs(3600))
        .enable_all()
        .build()
        .unwrap();
    let listener = server
        .block_on(tokio::net::TcpListener::bind("127.0.0.1:0"))
        .unwrap();
    let base = format!("http://{}", listener.local_addr().unwrap());
    let shutdown = CancellationToken::new();
    let serving = server.spawn(session_community::run(config, listener, shutdown.clone()));
    let clients = Builder::new_multi_thread()
        .thread_name(phase::CLIENT_THREADS)
        .enable_all()
        .build()
        .unwrap();
    let b = Bench {
        base,
        users: (0..CLIENTS).map(user).collect(),
        clients,
    };

    let mut bound_db = bound::BoundDb::new();
    let samples = prepare(&b.users[..4], 64, |_, k, j| post(k, &pk, j));
    let post_parts = bound::posts(
        &mut bound_db,
        &pk,
        &samples.into_iter().flatten().collect::<Vec<_>>(),
    );
    let posts = b.sized_phase(201, None, |i, k, j| post(k, &pk, i * 100_000 + j));

    let messages = (WARM_UP * CLIENTS) as i64 + posts.ok as i64;
    let samples = prepare(&b.users[..4], 64, |_, k, j| poll(k, &pk, j as i64));
    let poll_parts = bound::polls(
        &bound_db,
        &pk,
        &samples.into_iter().flatten().collect::<Vec<_>>(),
    );
    let polls = b.sized_phase(200, Some(POLL_LIMIT as usize), |i, k, j| {
        poll(
            k,
            &pk,
            (i as i64 * 7919 + j as i64 * 104_729) % (messages - POLL_LIMIT),
        )
    });

    shutdown.cancel();
    server.block_on(serving).unwrap().unwrap();
    let report = json!({
        "clients": CLIENTS,
        "cores": std::thread::available_parallelism().map_or(1, |n| n.get()),
        "profile": if cfg!(debug_assertions) { "dev" } else { "bench" },
        "rate_limit": "off",
        "messages_in_room": messages,
        "posts": phase_report(&posts, &post_parts),
        "polls": phase_report(&polls, &poll_parts),
    });
    println!("{report:#}");
    let out = std::path::PathBuf::from(env!("CARGO_TARGET_TMPDIR")).join("../session-bench");
    std::fs::create_dir_all(&out).unwrap();
    std::fs::write(out.join("community.json"), report.to_string()).unwrap();
}
