//! What a run prints: operations by kind and outcome, faults by kind, anomalies by kind and
//! the first few in full.

use super::check::{Anomaly, Final, Kind};
use super::history::{Answer, Fault, Op, Request};
use std::collections::BTreeMap;
use std::fmt;
use std::time::Duration;

/// A finished run.
#[derive(Debug)]
pub struct Summary {
    /// Every operation.
    pub ops: Vec<Op>,
    /// Every member's final read.
    pub finals: Final,
    /// Every fault and heal.
    pub faults: Vec<Fault>,
    /// Every anomaly the checker found.
    pub anomalies: Vec<Anomaly>,
    /// Clients, accounts and swarm sizes at the end.
    pub shape: String,
    /// Length of the run (clients working).
    pub load: Duration,
    /// How long the members took to converge after healing.
    pub sync: Duration,
}

impl Summary {
    /// Anomalies by kind.
    pub fn by_kind(&self) -> BTreeMap<Kind, usize> {
        let mut out = BTreeMap::new();
        for a in &self.anomalies {
            *out.entry(a.kind).or_default() += 1;
        }
        out
    }

    /// The anomalies not of the `open` kinds (known, documented gaps).
    pub fn unexpected(&self, open: &[Kind]) -> Vec<&Anomaly> {
        self.anomalies
            .iter()
            .filter(|a| !open.contains(&a.kind))
            .collect()
    }

    /// Writes the history and the final reads (Rust debug form, one per line) into `dir`.
    pub fn dump(&self, dir: &std::path::Path) -> std::io::Result<()> {
        use std::fmt::Write as _;
        std::fs::create_dir_all(dir)?;
        let mut ops = String::new();
        for op in &self.ops {
            let _ = writeln!(ops, "{op:?}");
        }
        std::fs::write(dir.join("history.txt"), ops)?;
        let mut finals = String::new();
        for (key, members) in &self.finals {
            for (node, walk) in members {
                let hashes: Option<Vec<(&str, u64)>> = walk
                    .as_ref()
                    .map(|w| w.iter().map(|m| (m.hash.as_str(), m.expiry_ms)).collect());
                let _ = writeln!(finals, "{key:?} {node} {hashes:?}");
            }
        }
        std::fs::write(dir.join("final.txt"), finals)?;
        std::fs::write(dir.join("summary.txt"), self.to_string())
    }

    /// Faults by kind.
    pub fn fault_counts(&self) -> BTreeMap<&'static str, usize> {
        let mut out = BTreeMap::new();
        for f in &self.faults {
            *out.entry(f.kind).or_default() += 1;
        }
        out
    }

    /// (ok, refused, unknown) per operation kind.
    pub fn op_counts(&self) -> BTreeMap<&'static str, [usize; 3]> {
        let mut out: BTreeMap<&'static str, [usize; 3]> = BTreeMap::new();
        for op in &self.ops {
            let kind = match op.request {
                Request::Store { .. } => "store",
                Request::Retrieve { .. } => "retrieve",
                Request::Delete { .. } => "delete",
                Request::Expire { .. } => "expire",
            };
            let col = match op.answer {
                Answer::Refused { .. } => 1,
                Answer::Unknown { .. } => 2,
                _ => 0,
            };
            out.entry(kind).or_default()[col] += 1;
        }
        out
    }
}

impl fmt::Display for Summary {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        writeln!(f, "nemesis: {}", self.shape)?;
        writeln!(
            f,
            "operations: {} in {:.0} s of load (ok / refused / no answer):",
            self.ops.len(),
            self.load.as_secs_f64()
        )?;
        for (kind, [ok, refused, unknown]) in self.op_counts() {
            writeln!(f, "  {kind:<9} {ok:>6} / {refused:>5} / {unknown:>5}")?;
        }
        let faults: Vec<String> = self
            .fault_counts()
            .iter()
            .map(|(k, n)| format!("{k} {n}"))
            .collect();
        writeln!(f, "faults: {}", faults.join(", "))?;
        for fault in &self.faults {
            writeln!(f, "  {} {}: {}", fault.at_ms, fault.kind, fault.detail)?;
        }
        writeln!(
            f,
            "converged {:.1} s after healing",
            self.sync.as_secs_f64()
        )?;
        if self.anomalies.is_empty() {
            return writeln!(f, "anomalies: none");
        }
        let kinds: Vec<String> = self
            .by_kind()
            .iter()
            .map(|(k, n)| format!("{k:?} {n}"))
            .collect();
        writeln!(f, "anomalies: {}", kinds.join(", "))?;
        for a in self.anomalies.iter().take(20) {
            writeln!(
                f,
                "  {:?} account {} ns {} node {} hash {}: {}",
                a.kind,
                a.key.0,
                a.key.1,
                a.node.as_deref().map_or("-", |n| &n[..n.len().min(8)]),
                a.hash.as_deref().unwrap_or("-"),
                a.detail
            )?;
        }
        Ok(())
    }
}
