//! The layers of `session-node` (ARCHITECTURE.md): transport on top, request logic in the
//! middle, what they all use at the bottom. A module may use its own layer and those below,
//! never one above. Checked over the sources: every `crate::MODULE` path (in `use` lines and
//! in code, comments left out) names its target module.

use anyhow::{Context, Result};
use std::path::Path;

/// Each top-level module of `crates/session-node/src` and its layer (higher = nearer the
/// network). A module missing here is a violation too, so a new one gets a place.
pub const NODE_LAYERS: &[(&str, u8)] = &[
    ("server", 3),
    ("rpc", 2),
    ("onion", 2),
    ("replication", 2),
    ("chain", 2),
    ("state", 1),
    ("swarm_view", 1),
    ("internal", 1),
    ("clock", 1),
    ("config", 1),
    ("identity", 1),
    ("rate_limit", 1),
    ("every", 1),
    ("executor", 1),
];

/// Checks every `.rs` file under `src` (the crate root `lib.rs` may use anything).
pub fn check_dir(src: &Path) -> Result<Vec<String>> {
    let mut problems = Vec::new();
    for file in rust_files(src)? {
        let rel = file.strip_prefix(src).context("file under src")?;
        let Some(module) = top_module(rel) else {
            continue;
        };
        let text = std::fs::read_to_string(&file)
            .with_context(|| format!("reading {}", file.display()))?;
        problems.extend(check_file(&rel.display().to_string(), module, &text));
    }
    Ok(problems)
}

/// The top-level module a file belongs to (`rpc/store.rs` → `rpc`); `None` for `lib.rs`.
fn top_module(rel: &Path) -> Option<&str> {
    let first = rel.components().next()?.as_os_str().to_str()?;
    match first {
        "lib.rs" => None,
        f => Some(f.strip_suffix(".rs").unwrap_or(f)),
    }
}

fn layer(module: &str) -> Option<u8> {
    NODE_LAYERS
        .iter()
        .find(|(m, _)| *m == module)
        .map(|(_, l)| *l)
}

/// The violations in one file of `module`.
pub fn check_file(name: &str, module: &str, text: &str) -> Vec<String> {
    let Some(own) = layer(module) else {
        return vec![format!(
            "{name}: module `{module}` has no layer in NODE_LAYERS"
        )];
    };
    let mut problems = Vec::new();
    for (no, line) in text.lines().enumerate() {
        let code = line.split("//").next().unwrap_or("");
        for target in crate_paths(code) {
            match layer(target) {
                Some(l) if l > own => problems.push(format!(
                    "{name}:{}: `{module}` (layer {own}) uses `crate::{target}` (layer {l}, above it)",
                    no + 1
                )),
                None => problems.push(format!(
                    "{name}:{}: `crate::{target}` has no layer in NODE_LAYERS",
                    no + 1
                )),
                Some(_) => {}
            }
        }
    }
    problems
}

/// The module names right after each `crate::` in a line of code (each name of a
/// `crate::{a::x, b}` group too).
fn crate_paths(code: &str) -> Vec<&str> {
    code.match_indices("crate::")
        .filter(|(i, _)| {
            // `session_crate::` and the like are other paths
            !code[..*i].ends_with(|c: char| c.is_alphanumeric() || c == '_')
        })
        .flat_map(|(i, m)| {
            let rest = &code[i + m.len()..];
            match rest.strip_prefix('{') {
                Some(group) => top_level_items(group),
                None => vec![rest],
            }
        })
        .map(leading_ident)
        .filter(|m| !m.is_empty())
        .collect()
}

/// The items of a `{…}` group at its own nesting level (up to the closing brace).
fn top_level_items(group: &str) -> Vec<&str> {
    let (mut items, mut depth, mut start) = (Vec::new(), 0usize, 0);
    for (i, c) in group.char_indices() {
        match c {
            '{' => depth += 1,
            '}' if depth == 0 => break,
            '}' => depth -= 1,
            ',' if depth == 0 => {
                items.push(group[start..i].trim_start());
                start = i + 1;
            }
            _ => {}
        }
    }
    items.push(group[start..].trim_start());
    items
}

fn leading_ident(s: &str) -> &str {
    let end = s
        .find(|c: char| !(c.is_alphanumeric() || c == '_'))
        .unwrap_or(s.len());
    &s[..end]
}

fn rust_files(dir: &Path) -> Result<Vec<std::path::PathBuf>> {
    let mut out = Vec::new();
    for entry in std::fs::read_dir(dir).with_context(|| format!("reading {}", dir.display()))? {
        let path = entry?.path();
        if path.is_dir() {
            out.extend(rust_files(&path)?);
        } else if path.extension().is_some_and(|e| e == "rs") {
            out.push(path);
        }
    }
    out.sort();
    Ok(out)
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn an_upward_use_is_caught() {
        let text = "use crate::state::NodeState;\nuse crate::server::storage_request;\n";
        assert_eq!(
            check_file("rpc/mod.rs", "rpc", text),
            ["rpc/mod.rs:2: `rpc` (layer 2) uses `crate::server` (layer 3, above it)"]
        );
    }

    #[test]
    fn paths_in_code_count_and_comments_do_not() {
        let text = "let x = crate::onion::Onion::new(); // crate::server\n//! see crate::server\n";
        assert_eq!(
            check_file("state.rs", "state", text),
            ["state.rs:1: `state` (layer 1) uses `crate::onion` (layer 2, above it)"]
        );
    }

    #[test]
    fn same_layer_and_below_are_fine() {
        let text = "use crate::replication::proofs::stored;\nuse crate::clock::Clock;\n";
        assert!(check_file("rpc/delete.rs", "rpc", text).is_empty());
    }

    #[test]
    fn unknown_modules_need_a_layer() {
        assert_eq!(
            check_file("cache.rs", "cache", ""),
            ["cache.rs: module `cache` has no layer in NODE_LAYERS"]
        );
        assert_eq!(
            check_file("rpc/mod.rs", "rpc", "use crate::cache::X;"),
            ["rpc/mod.rs:1: `crate::cache` has no layer in NODE_LAYERS"]
        );
    }

    #[test]
    fn grouped_uses_are_read_item_by_item() {
        let text = "use crate::{clock::Clock, server::{http, grpc}, state};";
        assert_eq!(
            check_file("rpc/mod.rs", "rpc", text),
            ["rpc/mod.rs:1: `rpc` (layer 2) uses `crate::server` (layer 3, above it)"]
        );
    }

    #[test]
    fn other_crates_paths_are_not_ours() {
        assert!(check_file("state.rs", "state", "use session_crate::server;").is_empty());
    }

    #[test]
    fn the_real_node_is_layered() {
        let src = crate::cmd::workspace_root().join("crates/session-node/src");
        assert_eq!(check_dir(&src).unwrap(), Vec::<String>::new());
        // not vacuous: the server does use the layers below it
        let server = std::fs::read_to_string(src.join("server/mod.rs")).unwrap();
        assert!(server.contains("crate::rpc") || server.contains("crate::onion"));
    }
}
