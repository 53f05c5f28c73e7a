//! Load and limits (issue 21), short form: 1,000 concurrent clients on 250 loopback source
//! addresses against a standalone node with its per-IP rate limiter on. Four addresses carry
//! 100 clients each storing flat out (over the limit); 600 paced clients share the other 246.
//! Every acknowledged store must be read back with its bytes, over-limit clients get 429 and
//! later get stores through again, addresses under the limit never see a 429, errors stay
//! under 0.1 %, the node's peak RSS stays under its bound and it answers `/info` afterwards
//! (the harness: `session_e2e::limits`; the full run: `cargo xtask bench load`).

use session_e2e::limits::{Plan, run_standalone};
use std::time::Duration;

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn a_thousand_clients_over_and_under_the_rate_limit() {
    let plan = Plan {
        clients: 1_000,
        addresses: 250,
        hot_addresses: 4,
        hot_clients_per_address: 100,
        accounts_per_client: 2,
        duration: Duration::from_secs(15),
        light_pause: Duration::from_secs(1),
        recovery: Duration::from_secs(15),
    };
    let report = run_standalone(plan).await;
    println!("{:#}", report.json);
    assert!(report.failures().is_empty(), "{:#?}", report.failures());
}
