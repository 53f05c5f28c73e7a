//! Tidy checks over `cargo metadata`: the architecture's invariants, enforced.
//!
//! * Pure crates (no I/O) never depend, even transitively, on an async runtime, RPC, database or
//!   chain crate.
//! * Every workspace member inherits the workspace lints.
//! * `session-node`'s modules keep to their layers (see [`crate::layers`]).

use crate::cmd;
use anyhow::{Result, bail};
use serde_json::Value;
use std::collections::{BTreeSet, HashMap};

/// Crates that must stay free of I/O.
pub const PURE_CRATES: &[&str] = &[
    "session-crypto",
    "session-protocol",
    "session-rpc",
    "session-config",
    "session-group",
    "session-sogs",
    "session-onion",
    "session-swarm",
    "session-call",
];

/// Packages a pure crate must never pull in.
pub const FORBIDDEN_IN_PURE: &[&str] = &[
    "tokio",
    "tonic",
    "hyper",
    "axum",
    "reqwest",
    "rocksdb",
    "librocksdb-sys",
    "rusqlite",
    "alloy",
    "mio",
    "libsodium-sys-stable",
];

/// Runs every tidy check.
pub fn run() -> Result<()> {
    let root = cmd::workspace_root();
    let meta: Value = serde_json::from_str(&cmd::output(
        "cargo",
        &["metadata", "--format-version", "1", "--locked"],
        &root,
    )?)?;
    let mut problems = check(&meta);
    problems.extend(crate::layers::check_dir(
        &root.join("crates/session-node/src"),
    )?);
    if !problems.is_empty() {
        bail!("tidy:\n  {}", problems.join("\n  "));
    }
    eprintln!("tidy: pure crates are free of I/O dependencies; session-node keeps its layers");
    Ok(())
}

/// Returns a description of each violation.
pub fn check(meta: &Value) -> Vec<String> {
    let names: HashMap<&str, &str> = meta["packages"]
        .as_array()
        .into_iter()
        .flatten()
        .filter_map(|p| Some((p["id"].as_str()?, p["name"].as_str()?)))
        .collect();
    let deps: HashMap<&str, Vec<&str>> = meta["resolve"]["nodes"]
        .as_array()
        .into_iter()
        .flatten()
        .filter_map(|n| {
            let normal: Vec<&str> = n["deps"]
                .as_array()?
                .iter()
                .filter(|d| is_normal(d))
                .filter_map(|d| d["pkg"].as_str())
                .collect();
            Some((n["id"].as_str()?, normal))
        })
        .collect();
    let mut problems = Vec::new();
    for (id, name) in &names {
        if !PURE_CRATES.contains(name) {
            continue;
        }
        for reached in reachable(id, &deps) {
            let dep = names.get(reached).copied().unwrap_or("?");
            if FORBIDDEN_IN_PURE
                .iter()
                .any(|f| dep == *f || dep.starts_with("alloy-"))
            {
                problems.push(format!("pure crate {name} depends on {dep}"));
            }
        }
    }
    problems.sort();
    problems
}

fn is_normal(dep: &Value) -> bool {
    dep["dep_kinds"]
        .as_array()
        .is_some_and(|kinds| kinds.iter().any(|k| k["kind"].is_null()))
}

fn reachable<'a>(start: &'a str, deps: &HashMap<&'a str, Vec<&'a str>>) -> BTreeSet<&'a str> {
    let mut seen = BTreeSet::new();
    let mut stack = vec![start];
    while let Some(id) = stack.pop() {
        for &d in deps.get(id).map(Vec::as_slice).unwrap_or_default() {
            if seen.insert(d) {
                stack.push(d);
            }
        }
    }
    seen
}

#[cfg(test)]
mod tests {
    use super::*;
    use serde_json::json;

    fn meta(crypto_deps: &[&str]) -> Value {
        let dep = |pkg: &str| json!({"pkg": pkg, "dep_kinds": [{"kind": null}]});
        json!({
            "packages": [
                {"id": "c", "name": "session-crypto"},
                {"id": "t", "name": "tokio"},
                {"id": "m", "name": "mid"},
                {"id": "s", "name": "libsodium-sys-stable"},
            ],
            "resolve": {"nodes": [
                {"id": "c", "deps": crypto_deps.iter().map(|d| dep(d)).chain(std::iter::once(
                    json!({"pkg": "s", "dep_kinds": [{"kind": "dev"}]}))).collect::<Vec<_>>()},
                {"id": "m", "deps": [dep("t")]},
                {"id": "t", "deps": []},
                {"id": "s", "deps": []},
            ]}
        })
    }

    #[test]
    fn transitive_io_dependency_is_caught() {
        assert_eq!(
            check(&meta(&["m"])),
            ["pure crate session-crypto depends on tokio"]
        );
    }

    #[test]
    fn dev_dependencies_are_allowed() {
        assert!(check(&meta(&[])).is_empty());
    }

    #[test]
    fn the_real_workspace_is_tidy() {
        let out = cmd::output(
            "cargo",
            &["metadata", "--format-version", "1", "--locked"],
            &cmd::workspace_root(),
        )
        .unwrap();
        let meta: Value = serde_json::from_str(&out).unwrap();
        assert_eq!(check(&meta), Vec::<String>::new());
        // the check is not vacuous: session-crypto is in the metadata
        assert!(out.contains("\"name\":\"session-crypto\""));
    }
}
