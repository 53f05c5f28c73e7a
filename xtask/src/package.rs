//! The library crates package on their own (issue 22): part of `cargo xtask test`.
//!
//! * Every member under `crates/` is publishable and its manifest says what crates.io shows
//!   (`description`, `readme`, `keywords`, `categories`, `rust-version`, `license`); services,
//!   tests and xtask say `publish = false`. No member names a `repository`: the project has no
//!   public home yet (ARCHITECTURE.md, "Packaging").
//! * `cargo package --no-verify` of all library crates at once: internal dependencies carry
//!   versions, every file a crate needs is inside its folder. `--no-verify` does not compile
//!   (so RocksDB is not built); the workspace's own builds compile the same sources.

use crate::cmd;
use anyhow::{Result, bail};
use serde_json::Value;

/// Checks the manifests, then packages every library crate.
pub fn check() -> Result<()> {
    let root = cmd::workspace_root();
    let meta: Value = serde_json::from_str(&cmd::output(
        "cargo",
        &["metadata", "--format-version", "1", "--no-deps", "--locked"],
        &root,
    )?)?;
    let problems = manifest_problems(&meta);
    if !problems.is_empty() {
        bail!("package manifests:\n  {}", problems.join("\n  "));
    }
    let libraries = libraries(&meta);
    let mut args = vec!["package", "--no-verify", "--allow-dirty", "--locked"];
    for name in &libraries {
        args.extend(["-p", name.as_str()]);
    }
    cmd::run("cargo", &args, &root)?;
    eprintln!(
        "package: {} library crates package on their own",
        libraries.len()
    );
    Ok(())
}

/// The workspace members, each with whether it lives under `crates/`.
fn members(meta: &Value) -> Vec<(&Value, bool)> {
    let ids: Vec<&str> = meta["workspace_members"]
        .as_array()
        .into_iter()
        .flatten()
        .filter_map(Value::as_str)
        .collect();
    let root = meta["workspace_root"].as_str().unwrap_or_default();
    meta["packages"]
        .as_array()
        .into_iter()
        .flatten()
        .filter(|p| p["id"].as_str().is_some_and(|id| ids.contains(&id)))
        .map(|p| {
            let manifest = p["manifest_path"].as_str().unwrap_or_default();
            let relative = manifest.strip_prefix(root).unwrap_or(manifest);
            (p, relative.trim_start_matches('/').starts_with("crates/"))
        })
        .collect()
}

/// `publish = false` reads as an empty list of registries.
fn publishable(package: &Value) -> bool {
    package["publish"].as_array().is_none_or(|r| !r.is_empty())
}

/// The publishable members, by name.
pub fn libraries(meta: &Value) -> Vec<String> {
    let mut names: Vec<String> = members(meta)
        .into_iter()
        .filter(|(p, _)| publishable(p))
        .filter_map(|(p, _)| Some(p["name"].as_str()?.to_owned()))
        .collect();
    names.sort();
    names
}

/// What is missing or wrong in the members' manifests.
pub fn manifest_problems(meta: &Value) -> Vec<String> {
    let mut problems = Vec::new();
    for (p, library) in members(meta) {
        let name = p["name"].as_str().unwrap_or("?");
        if library != publishable(p) {
            problems.push(if library {
                format!("{name}: a library crate must not say `publish = false`")
            } else {
                format!("{name}: services, tests and xtask say `publish = false`")
            });
        }
        for field in ["description", "license", "rust_version"] {
            if p[field].as_str().is_none_or(str::is_empty) {
                problems.push(format!("{name}: no `{}`", field.replace('_', "-")));
            }
        }
        for field in ["keywords", "categories"] {
            let n = p[field].as_array().map_or(0, Vec::len);
            if n == 0 || n > 5 {
                problems.push(format!("{name}: `{field}` needs 1 to 5 entries, has {n}"));
            }
        }
        if library && p["readme"].as_str().is_none() {
            problems.push(format!("{name}: no `readme`"));
        }
        if !p["repository"].is_null() {
            problems.push(format!("{name}: `repository` names no real home yet"));
        }
    }
    problems.sort();
    problems
}

#[cfg(test)]
mod tests {
    use super::*;
    use serde_json::json;

    fn package(name: &str, dir: &str, publish: Value, readme: Value) -> Value {
        json!({
            "id": name, "name": name, "manifest_path": format!("/w/{dir}/Cargo.toml"),
            "publish": publish, "readme": readme, "description": "d", "license": "GPL-3.0-only",
            "rust_version": "1.90", "keywords": ["session"], "categories": ["cryptography"],
            "repository": null,
        })
    }

    fn meta(packages: Vec<Value>) -> Value {
        let ids: Vec<Value> = packages.iter().map(|p| p["id"].clone()).collect();
        json!({"workspace_root": "/w", "workspace_members": ids, "packages": packages})
    }

    #[test]
    fn libraries_are_the_publishable_crates() {
        let m = meta(vec![
            package(
                "session-b",
                "crates/session-b",
                Value::Null,
                json!("README.md"),
            ),
            package(
                "session-a",
                "crates/session-a",
                Value::Null,
                json!("README.md"),
            ),
            package(
                "session-cli",
                "services/session-cli",
                json!([]),
                Value::Null,
            ),
            package("xtask", "xtask", json!([]), Value::Null),
        ]);
        assert_eq!(libraries(&m), ["session-a", "session-b"]);
        assert_eq!(manifest_problems(&m), Vec::<String>::new());
    }

    #[test]
    fn missing_metadata_and_wrong_publish_are_caught() {
        let mut lib = package("session-a", "crates/session-a", json!([]), Value::Null);
        lib["keywords"] = json!([]);
        lib["repository"] = json!("https://example.invalid/x");
        let service = package(
            "session-cli",
            "services/session-cli",
            Value::Null,
            Value::Null,
        );
        assert_eq!(
            manifest_problems(&meta(vec![lib, service])),
            [
                "session-a: `keywords` needs 1 to 5 entries, has 0",
                "session-a: `repository` names no real home yet",
                "session-a: a library crate must not say `publish = false`",
                "session-a: no `readme`",
                "session-cli: services, tests and xtask say `publish = false`",
            ]
        );
    }

    #[test]
    fn the_real_manifests_are_complete() {
        let out = cmd::output(
            "cargo",
            &["metadata", "--format-version", "1", "--no-deps", "--locked"],
            &cmd::workspace_root(),
        )
        .unwrap();
        let meta: Value = serde_json::from_str(&out).unwrap();
        assert_eq!(manifest_problems(&meta), Vec::<String>::new());
        let libraries = libraries(&meta);
        assert!(libraries.contains(&"session-crypto".to_owned()));
        assert!(!libraries.contains(&"xtask".to_owned()));
    }
}
