//! `cargo xtask bench group`: the table of session-group's criterion bench
//! (`crates/session-group/benches/group.rs`): rekeys, a member opening its key and a group
//! message decrypt, each next to its primitive bound measured in the same run.

use super::mean_ns;
use anyhow::{Context, Result};
use std::path::Path;

/// Criterion group, what it measures, and what its `bound` function measures.
const ROWS: &[(&str, &str, &str)] = &[
    (
        "rekey_100",
        "rekey, 100 members: build and sign the keys message",
        "100 × (X25519 + XChaCha20-Poly1305)",
    ),
    (
        "rekey_1000",
        "rekey, 1,000 members",
        "1,000 × (X25519 + XChaCha20-Poly1305)",
    ),
    (
        "member_open_100",
        "member loads a 100-member keys message (its copy tried last)",
        "Ed25519 verify of the message + X25519 + BLAKE2b + 1 AEAD open",
    ),
    (
        "member_open_1000",
        "member loads a 1,000-member keys message (its copy tried last)",
        "same, 1,000-member message",
    ),
    (
        "group_message",
        "group message decrypt (a typical text message)",
        "AEAD open + Ed25519 verify",
    ),
];

/// `1.23 ms` from 1 ms up, `123.4 µs` below.
fn time(ns: f64) -> String {
    if ns >= 1e6 {
        format!("{:.2} ms", ns / 1e6)
    } else {
        format!("{:.1} µs", ns / 1e3)
    }
}

/// Renders each measure next to its bound from criterion's output directory.
pub fn table(dir: &Path) -> Result<String> {
    let mut out = String::from(
        "| measure | time | bound (same run) | ratio |\n\
         |---|---:|---:|---:|\n",
    );
    for (group, label, bound_label) in ROWS {
        let get = |func: &str| {
            mean_ns(dir, group, func)?.with_context(|| format!("no result for {group}/{func}"))
        };
        let (ours, bound) = (get("ours")?, get("bound")?);
        out.push_str(&format!(
            "| {label} | {} | {} ({bound_label}) | {:.2} |\n",
            time(ours),
            time(bound),
            ours / bound
        ));
    }
    Ok(out)
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn reports_each_measure_against_its_bound() {
        let dir = std::env::temp_dir().join(format!("xtask-bench-group-{}", std::process::id()));
        for (group, _, _) in ROWS {
            for (func, ns) in [("ours", 3_000_000.0), ("bound", 2_000_000.0)] {
                let d = dir.join(group).join(func).join("new");
                std::fs::create_dir_all(&d).unwrap();
                let json = format!("{{\"mean\":{{\"point_estimate\":{ns}}}}}");
                std::fs::write(d.join("estimates.json"), json).unwrap();
            }
        }
        let t = table(&dir).unwrap();
        assert!(
            t.contains("| rekey, 1,000 members | 3.00 ms | 2.00 ms (1,000 × (X25519"),
            "{t}"
        );
        assert_eq!(t.matches("| 1.50 |").count(), ROWS.len(), "{t}");
        std::fs::remove_dir_all(&dir).unwrap();
        assert!(table(&dir).is_err());
        assert_eq!(time(98_179.0), "98.2 µs");
    }
}
