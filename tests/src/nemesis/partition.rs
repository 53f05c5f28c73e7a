//! Network partitions between nodes, made by the kernel: policy routing rules that refuse
//! every packet from one side's addresses to the other's (`ip rule … prohibit`, both
//! directions). New connections fail at once and established ones stall, as behind a
//! firewall; clients (on 127.0.0.1) still reach every node. The nodes must be on distinct
//! addresses ([`session_devnet::DevnetConfig::distinct_addresses`]), and changing rules needs
//! root (CAP_NET_ADMIN): without it the fault is skipped and says so.
//!
//! Rules for local traffic must come before the kernel's `local` rule (preference 0), so while
//! a partition holds that rule is moved to preference 10; healing puts it back.

use super::history::Answer;
use super::rpc::{self, Target};
use super::topology::Topology;
use serde_json::json;
use session_crypto::{IdentityKeys, Seed};
use std::net::Ipv4Addr;
use std::process::Command;
use std::time::{Duration, Instant};

/// Where the partition's rules sit.
const CUT_PREF: &str = "5";
/// Where the `local` rule sits while a partition holds (after [`CUT_PREF`]).
const LOCAL_PREF: &str = "10";

/// A partition in force; dropping it heals it.
#[derive(Debug)]
pub struct Partition {
    rules: Vec<(Ipv4Addr, Ipv4Addr)>,
}

impl Partition {
    /// Cuts every link between `side` and `rest`, both ways. `Ok(None)` when this process may
    /// not change routing rules.
    pub fn cut(side: &[Ipv4Addr], rest: &[Ipv4Addr]) -> anyhow::Result<Option<Self>> {
        clear_stale_rules();
        if ip(&["rule", "add", "pref", LOCAL_PREF, "lookup", "local"]).is_err() {
            return Ok(None);
        }
        ip(&["rule", "del", "pref", "0", "lookup", "local"])?;
        let mut partition = Self { rules: Vec::new() };
        for a in side {
            for b in rest {
                partition.refuse(*a, *b)?;
                partition.refuse(*b, *a)?;
            }
        }
        Ok(Some(partition))
    }

    fn refuse(&mut self, from: Ipv4Addr, to: Ipv4Addr) -> anyhow::Result<()> {
        ip(&rule("add", from, to))?;
        self.rules.push((from, to));
        Ok(())
    }

    /// How many one-way links are cut.
    pub fn links(&self) -> usize {
        self.rules.len()
    }
}

impl Drop for Partition {
    fn drop(&mut self) {
        for (from, to) in self.rules.drain(..) {
            let _ = ip(&rule("del", from, to));
        }
        restore_local_rule();
    }
}

/// A message stored on one side of a partition, to watch it cross once healed.
pub struct Probe {
    user: IdentityKeys,
    hash: String,
}

/// An account whose swarm is `swarm` (fresh keys until one lands there).
fn account_in(topology: &Topology, swarm: &[Target]) -> IdentityKeys {
    loop {
        let user = IdentityKeys::from_seed(Seed::generate_full(&mut rand::rng()));
        if topology.members(&user).first() == swarm.first() {
            return user;
        }
    }
}

/// Stores a probe on `on` (a member of `swarm`) and checks the partition from its answer: every
/// member in `cut_off` must be reported unreachable. Returns the probe and how many members
/// on `on`'s side took it.
pub async fn probe(
    topology: &Topology,
    swarm: &[Target],
    on: &Target,
    cut_off: &[Target],
) -> anyhow::Result<(Probe, usize)> {
    let user = account_in(topology, swarm);
    let data = b"partition probe".to_vec();
    let http = rpc::http();
    let answer = rpc::store_answer(&http, on, &user, 0, &data, 3_600_000).await?;
    let entries = answer["swarm"]
        .as_object()
        .ok_or_else(|| anyhow::anyhow!("a store answer without `swarm`: {answer}"))?;
    for t in cut_off {
        let entry = entries.get(&t.id).unwrap_or(&serde_json::Value::Null);
        anyhow::ensure!(
            entry["failed"] == json!(true),
            "partition not in force: {} reached {} across it ({entry})",
            on.addr,
            t.addr
        );
    }
    let reached = entries
        .values()
        .filter(|e| e.get("failed") != Some(&json!(true)))
        .count();
    let hash = rpc::message_hash(&user, 0, &data);
    Ok((Probe { user, hash }, reached))
}

/// Waits until every member of `swarm` holds `probe` (replication across the healed
/// partition); returns how long that took, or an error after `within`.
pub async fn await_repair(
    probe: &Probe,
    swarm: &[Target],
    within: Duration,
) -> anyhow::Result<Duration> {
    let http = rpc::http();
    let start = Instant::now();
    let mut missing: Vec<&Target> = swarm.iter().collect();
    while !missing.is_empty() {
        let mut still = Vec::new();
        for t in missing {
            let (_, answer) = rpc::retrieve(&http, t, &probe.user, 0, "", 10).await;
            let has = matches!(&answer, Answer::Retrieved { messages, .. }
                if messages.iter().any(|m| m.hash == probe.hash));
            if !has {
                still.push(t);
            }
        }
        missing = still;
        if !missing.is_empty() {
            anyhow::ensure!(
                start.elapsed() < within,
                "the probe stored during the partition did not reach {:?} within {within:?} of the heal",
                missing.iter().map(|t| t.addr).collect::<Vec<_>>()
            );
            tokio::time::sleep(Duration::from_millis(500)).await;
        }
    }
    Ok(start.elapsed())
}

fn rule(verb: &str, from: Ipv4Addr, to: Ipv4Addr) -> Vec<String> {
    [
        "rule",
        verb,
        "pref",
        CUT_PREF,
        "from",
        &from.to_string(),
        "to",
        &to.to_string(),
        "prohibit",
    ]
    .map(str::to_owned)
    .to_vec()
}

/// Removes what a run killed mid-partition left behind.
fn clear_stale_rules() {
    while ip(&["rule", "del", "pref", CUT_PREF]).is_ok() {}
    restore_local_rule();
}

/// Puts the `local` rule back at preference 0 (once) and removes the moved copy.
fn restore_local_rule() {
    let rules = Command::new("ip")
        .args(["rule", "show", "pref", "0"])
        .output()
        .map(|o| String::from_utf8_lossy(&o.stdout).into_owned())
        .unwrap_or_default();
    if !rules.contains("lookup local") {
        let _ = ip(&["rule", "add", "pref", "0", "lookup", "local"]);
    }
    while ip(&["rule", "del", "pref", LOCAL_PREF, "lookup", "local"]).is_ok() {}
}

fn ip<S: AsRef<str>>(args: &[S]) -> anyhow::Result<()> {
    super::command("ip", &args.iter().map(AsRef::as_ref).collect::<Vec<_>>())
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn rules_name_both_ends_and_refuse() {
        let r = rule(
            "add",
            Ipv4Addr::new(127, 1, 0, 3),
            Ipv4Addr::new(127, 1, 0, 9),
        );
        assert_eq!(
            r.join(" "),
            "rule add pref 5 from 127.1.0.3 to 127.1.0.9 prohibit"
        );
    }
}
