//! The final state: after healing, every member of each account's swarm is read from the
//! oldest message to the end, in every namespace the clients used.

use super::check::{Final, Kind};
use super::client::NAMESPACES;
use super::history::{Answer, Op, Seen};
use super::rpc::{self, Target};
use super::topology::Topology;
use session_crypto::IdentityKeys;
use std::collections::BTreeMap;
use std::time::{Duration, Instant};

/// A member's whole (account, namespace), page by page; `None` if a page failed.
pub async fn walk(
    http: &reqwest::Client,
    to: &Target,
    user: &IdentityKeys,
    ns: i16,
) -> Option<Vec<Seen>> {
    let mut out: Vec<Seen> = Vec::new();
    let mut after = String::new();
    // A bound: no run stores anywhere near 1,000 pages for one account.
    for _ in 0..1_000 {
        match rpc::retrieve(http, to, user, ns, &after, 0).await.1 {
            Answer::Retrieved { messages, more } => {
                if let Some(last) = messages.last() {
                    after = last.hash.clone();
                }
                let empty = messages.is_empty();
                out.extend(messages);
                if !more || empty {
                    return Some(out);
                }
            }
            _ => return None,
        }
    }
    None
}

/// Every member's walk of every (account, namespace).
pub async fn read_all(topology: &Topology, users: &[IdentityKeys]) -> Final {
    let http = rpc::http();
    let mut out: Final = BTreeMap::new();
    for (a, user) in users.iter().enumerate() {
        let members = topology.members(user);
        for ns in NAMESPACES {
            let mut per = BTreeMap::new();
            for m in &members {
                per.insert(m.id.clone(), walk(&http, m, user, ns).await);
            }
            out.insert((a, ns), per);
        }
    }
    out
}

/// Reads the final state until the members have converged (no message lost, resurrected or
/// held by only some, every member answering) or `patience` runs out; returns the last read
/// and how long the sync took.
pub async fn settle(
    ops: &[Op],
    topology: &Topology,
    users: &[IdentityKeys],
    patience: Duration,
) -> (Final, Duration) {
    let start = Instant::now();
    loop {
        let finals = read_all(topology, users).await;
        let mut pending: BTreeMap<String, usize> = BTreeMap::new();
        for a in super::check::check(ops, &finals) {
            if matches!(
                a.kind,
                Kind::Lost | Kind::Resurrected | Kind::Divergent | Kind::Unanswered
            ) {
                *pending.entry(format!("{:?}", a.kind)).or_default() += 1;
            }
        }
        if pending.is_empty() || start.elapsed() > patience {
            return (finals, start.elapsed());
        }
        // What the members still disagree on, so a slow convergence says what it waited for.
        eprintln!(
            "nemesis: not converged {:.1} s after healing: {pending:?}",
            start.elapsed().as_secs_f64()
        );
        tokio::time::sleep(Duration::from_secs(3)).await;
    }
}
