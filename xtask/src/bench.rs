//! `cargo xtask bench crypto`: runs the criterion benchmarks, then turns criterion's estimates
//! into the ops/s + ratio table in `docs/BENCHMARKS.md`; `config` does the same for the config
//! merge bench of session-config and `group` for the groups bench of session-group ([`group`]);
//! `node`, `swarm`, `onion`, `e2e` and `attach` run the system benches of session-e2e
//! (`tests/benches`) and write their tables the same way; `community` runs the community
//! server's load generator ([`community`]); `load` runs the load-and-limits run (1,000 clients
//! against a node with its rate limiter on, `tests/benches/load_limits.rs`).

mod attach;
mod community;
mod group;
mod release_node;
mod scale;

use crate::cmd;
use anyhow::{Context, Result, bail};
use serde_json::Value;
use std::path::Path;

/// Each benchmark group compares our implementation with libsodium doing the same operation.
const CRYPTO_GROUPS: &[(&str, &str)] = &[
    ("ed25519_sign_64B", "Ed25519 sign (64 B message)"),
    ("ed25519_verify_64B", "Ed25519 verify (64 B message)"),
    ("x25519", "X25519 shared secret"),
    (
        "session_encrypt_1KiB",
        "1:1 encrypt, 1 KiB (sign + sealed box)",
    ),
    ("session_decrypt_1KiB", "1:1 decrypt, 1 KiB (open + verify)"),
    (
        "hop_xchacha20_1KiB",
        "hop decrypt xchacha20, 1 KiB (X25519 + BLAKE2b + AEAD)",
    ),
    ("hop_xchacha20_64KiB", "hop decrypt xchacha20, 64 KiB"),
    (
        "hop_aes_gcm_1KiB",
        "hop decrypt aes-gcm, 1 KiB (X25519 + HMAC + AEAD)",
    ),
    ("hop_aes_gcm_64KiB", "hop decrypt aes-gcm, 64 KiB"),
];
const OURS: &str = "session-crypto";
const THEIRS: &str = "libsodium";

/// The config bench's criterion group and its two functions (crates/session-config/benches).
const CONFIG_GROUP: &str = "contacts_1000";
const CONFIG_MERGE: &str = "merge_5_conflicting";
const CONFIG_DECODE: &str = "decrypt_decode_1";
/// Messages the merge decrypts and decodes (the bound's multiple).
const CONFIG_MERGED: f64 = 5.0;

/// Entry point: `bench crypto | config | group | node | load | swarm | onion | e2e | community |
/// attach | scale`.
pub fn run(args: &[&str]) -> Result<()> {
    match args.first().copied() {
        Some("crypto") => crypto(),
        Some("config") => config(),
        Some("group") => criterion_bench("session-group", "group", group::table),
        Some("node") => node(),
        Some("load") => load_bench("load_limits", "load", load_table),
        Some("swarm") => swarm(),
        Some("onion") => onion(),
        Some("e2e") => e2e(),
        Some("call") => load_bench("call", "call", call_table),
        Some("community") => community::run(),
        Some("attach") => load_bench("attach", "attach", attach::table),
        Some("scale") => scale::run(&args[1..]),
        _ => bail!(
            "usage: cargo xtask bench <crypto | config | group | node | load | swarm | onion \
             | e2e | call | community | attach | scale [--nodes N]…>"
        ),
    }
}

/// The node bench runs a release node (linking the dev profile's RocksDB build); the load
/// generator is the dev-profile bench as for the others.
fn node() -> Result<()> {
    let root = cmd::workspace_root();
    let bins = release_node::build(&root)?;
    run_bench(
        &root,
        "load",
        "node",
        node_table,
        &bins,
        &[("SESSION_NODE_BUILD", "release")],
    )
}

fn swarm() -> Result<()> {
    load_bench("swarm", "swarm", swarm_table)
}

fn onion() -> Result<()> {
    load_bench("onion", "onion", onion_table)
}

fn e2e() -> Result<()> {
    load_bench("e2e", "e2e", e2e_table)
}

/// Runs one system bench of session-e2e and writes its table.
fn load_bench(bench: &str, name: &str, table: fn(&Value) -> Result<String>) -> Result<()> {
    let root = cmd::workspace_root();
    // The dev profile (everything at opt-level 2, see Cargo.toml) reuses the RocksDB build the
    // tests already paid for; `bench node` runs a release node linking that build.
    let bins = crate::e2e::build_binaries(&root, "dev")?;
    run_bench(&root, bench, name, table, &bins, &[])
}

/// Runs the session-e2e bench `bench` with the binaries in `bins`, then writes the table
/// `table` makes of its `session-bench/NAME.json`.
fn run_bench(
    root: &Path,
    bench: &str,
    name: &str,
    table: fn(&Value) -> Result<String>,
    bins: &Path,
    env: &[(&str, &str)],
) -> Result<()> {
    let bins = bins.to_string_lossy();
    let mut env = env.to_vec();
    env.push(("SESSION_BIN_DIR", &bins));
    cmd::run_env(
        "cargo",
        &[
            "bench",
            // `--workspace`, not `-p`: the same feature resolution as the tests, so the
            // RocksDB build is reused.
            "--workspace",
            "--bench",
            bench,
            "--profile",
            "dev",
        ],
        root,
        &env,
    )?;
    let path = cmd::target_dir().join(format!("session-bench/{name}.json"));
    let v: Value = serde_json::from_str(&std::fs::read_to_string(&path)?)?;
    write_table(root, name, &table(&v)?)
}

/// Prints `table` and writes it between the `name` markers of `docs/BENCHMARKS.md`.
fn write_table(root: &Path, name: &str, table: &str) -> Result<()> {
    println!("{table}");
    let doc = root.join("docs/BENCHMARKS.md");
    let text = std::fs::read_to_string(&doc).context("reading docs/BENCHMARKS.md")?;
    std::fs::write(&doc, replace_section(&text, name, table)?)?;
    eprintln!("wrote the {name} table into {}", doc.display());
    Ok(())
}

/// Runs the criterion bench `name` of `package` (short warm-up and measurement) and writes the
/// table `table` makes of criterion's estimates.
fn criterion_bench(package: &str, name: &str, table: fn(&Path) -> Result<String>) -> Result<()> {
    let root = cmd::workspace_root();
    cmd::run(
        "cargo",
        &[
            "bench",
            "-p",
            package,
            "--bench",
            name,
            "--",
            "--warm-up-time",
            "1",
            "--measurement-time",
            "4",
        ],
        &root,
    )?;
    write_table(&root, name, &table(&cmd::target_dir().join("criterion"))?)
}

/// Renders replicated swarm stores next to the single-node rate of the same run.
pub fn swarm_table(v: &Value) -> Result<String> {
    let num = |k: &str| {
        v[k].as_f64()
            .with_context(|| format!("swarm.json lacks {k}"))
    };
    let (single, swarm, size) = (
        num("single_node_store_per_s")?,
        num("swarm_store_per_s")?,
        num("swarm_size")?,
    );
    // Every replicated store is executed by each member: the swarm's CPU does `size` times the
    // work of one single-node store.
    let bound = single / size;
    Ok(format!(
        "| measure ({} clients, {} s per phase) | stores/s | bound | ratio |\n\
         |---|---:|---:|---:|\n\
         | store, replicated to a swarm of {size:.0} (entry + gRPC forward; target ≥ 0.8) | {swarm:.0} | {bound:.0} = {single:.0} single-node stores/s ÷ {size:.0} executions, same run | {:.2} |\n",
        v["clients"],
        v["phase_secs"],
        swarm / bound,
    ))
}

/// Renders per-hop CPU time next to one X25519 + one AEAD, and the 3-hop store latency.
pub fn onion_table(v: &Value) -> Result<String> {
    let hops = v["hops"].as_array().context("onion.json lacks hops")?;
    let mut out = format!(
        "| measure ({} iterations each) | time | bound (same run) | ratio (target ≤ 1.3) |\n\
         |---|---:|---:|---:|\n",
        v["iterations"]
    );
    for h in hops {
        let num = |k: &str| h[k].as_f64().with_context(|| format!("hop lacks {k}"));
        let (peel, bound) = (num("peel_ns")?, num("x25519_aead_ns")?);
        out.push_str(&format!(
            "| hop: parse + peel + classify, {}, {} B payload ({} B layer) | {:.1} µs | {:.1} µs (X25519 + AEAD) | {:.2} |\n",
            h["enc_type"].as_str().unwrap_or("?"),
            h["payload_bytes"],
            h["layer_bytes"],
            peel / 1000.0,
            bound / 1000.0,
            peel / bound,
        ));
    }
    let num = |k: &str| {
        v[k].as_f64()
            .with_context(|| format!("onion.json lacks {k}"))
    };
    out.push_str(&format!(
        "\n| 3-hop store to a swarm member ({} sequential, {}-node loopback devnet) | p50 | p99 |\n\
         |---|---:|---:|\n\
         | onion store (guard → relay → last hop → destination, + swarm fan-out) | {:.1} ms | {:.1} ms |\n",
        v["stores"],
        v["nodes"],
        num("store_p50_ms")?,
        num("store_p99_ms")?,
    ));
    Ok(out)
}

/// Renders send → receive latency next to its bound: one onion store, one empty onion poll and
/// half a watch interval (a message sent right after a poll, on average), all from the same run.
pub fn e2e_table(v: &Value) -> Result<String> {
    let num = |k: &str| v[k].as_f64().with_context(|| format!("e2e.json lacks {k}"));
    let (send, poll, interval) = (
        num("send_p50_ms")?,
        num("empty_poll_p50_ms")?,
        num("watch_interval_ms")?,
    );
    let bound = send + poll + interval / 2.0;
    let p50 = num("p50_ms")?;
    Ok(format!(
        "| send → receive ({} sequential messages, {}-node loopback devnet, watch every {interval:.0} ms) | p50 | p99 | bound (same run) | ratio p50 / bound |\n\
         |---|---:|---:|---:|---:|\n\
         | Alice's `send_text` starts → Bob's watch loop has it | {p50:.1} ms | {:.1} ms | {bound:.1} ms ({send:.1} send + {poll:.1} empty poll + {:.0} half interval) | {:.2} |\n\
         \n\
         Mean {:.1} ms, max {:.1} ms. Alice's sends took {:.1} s ({:.1} sends/s, {} retried); Bob polled {} times ({} failed), {} duplicates.\n",
        v["messages"],
        v["nodes"],
        num("p99_ms")?,
        interval / 2.0,
        p50 / bound,
        num("mean_ms")?,
        num("max_ms")?,
        num("send_secs")?,
        num("sends_per_s")?,
        v["send_retries"],
        v["polls"],
        v["poll_errors"],
        v["duplicates"],
    ))
}

/// Renders call setup and mouth-to-ear delay next to one onion round trip of the same run.
pub fn call_table(v: &Value) -> Result<String> {
    let num = |k: &str| {
        v[k].as_f64()
            .with_context(|| format!("call.json lacks {k}"))
    };
    let (rt, setup) = (num("onion_round_trip_p50_ms")?, num("setup_p50_ms")?);
    Ok(format!(
        "| voice call ({} calls, {}-node loopback devnet, coturn relay, polls every {:.0} ms) | p50 | max | bound (same run) | ratio p50 / bound |\n\
         |---|---:|---:|---:|---:|\n\
         | setup: Alice's call starts → media connected | {setup:.0} ms | {:.0} ms | {rt:.1} ms (one onion round trip: an empty poll) | {:.1} |\n\
         | mouth-to-ear through the relay (both ways) | {:.1} ms | {:.1} ms | — | — |\n",
        v["calls"],
        v["nodes"],
        num("watch_interval_ms")?,
        num("setup_max_ms")?,
        setup / rt,
        num("mouth_to_ear_p50_ms")?,
        num("mouth_to_ear_max_ms")?,
    ))
}

/// Renders the node figures: saturating rates against one core's Ed25519 rates when the node
/// was pinned to one core (else against the all-core verify rate), and latency at half load.
pub fn node_table(v: &Value) -> Result<String> {
    let num = |k: &str| {
        v[k].as_f64()
            .with_context(|| format!("node.json lacks {k}"))
    };
    let (store, retrieve) = (num("store_per_s")?, num("retrieve_per_s")?);
    let pinned = v["pinned"].as_bool() == Some(true);
    let build = v["node_build"].as_str().unwrap_or("dev");
    let mut table = format!(
        "| measure ({} clients, {} s per phase, {build} node{}) | figure | bound | ratio |\n\
         |---|---:|---:|---:|\n",
        v["clients"],
        v["phase_secs"],
        if pinned {
            " pinned to core 0, load generator on core 1"
        } else {
            ", not pinned"
        },
    );
    if pinned {
        let (sign1, verify1) = (
            num("ed25519_sign_per_s_one_core")?,
            num("ed25519_verify_per_s_one_core")?,
        );
        table.push_str(&format!(
            "| store/s (public inbox, unsigned; target ≥ 0.5) | {store:.0} | {sign1:.0} Ed25519 signs/s, one core | {:.2} |\n\
             | retrieve/s (signed, 1 message; target ≥ 0.5) | {retrieve:.0} | {verify1:.0} Ed25519 verifies/s, one core | {:.2} |\n",
            store / sign1,
            retrieve / verify1,
        ));
    } else {
        let verify = num("ed25519_verify_per_s_all_cores")?;
        table.push_str(&format!(
            "| store/s (public inbox, unsigned) | {store:.0} | — | — |\n\
             | retrieve/s (signed, 1 message) | {retrieve:.0} | {verify:.0} Ed25519 verifies/s, all cores | {:.2} |\n",
            retrieve / verify,
        ));
    }
    for (key, what) in [
        ("store_half_load", "store"),
        ("retrieve_half_load", "retrieve"),
    ] {
        let half = &v[key];
        let (Some(rate), Some(p50), Some(p99)) = (
            half["per_s"].as_f64(),
            half["p50_ms"].as_f64(),
            half["p99_ms"].as_f64(),
        ) else {
            continue;
        };
        table.push_str(&format!(
            "| {what} at half load ({rate:.0}/s): p99 latency, ms (p50 {p50:.2}; target ≤ 5) | {p99:.2} | 5 ms | {:.2} |\n",
            p99 / 5.0
        ));
    }
    Ok(table)
}

/// Renders the load-and-limits run: throughput, 429 share, errors and the node's memory, with
/// the peak RSS next to the idle RSS and to the bound the run checked, all from the same run.
pub fn load_table(v: &Value) -> Result<String> {
    let num = |k: &str| {
        v[k].as_f64()
            .with_context(|| format!("load.json lacks {k}"))
    };
    let mib = |kib: f64| kib / 1024.0;
    let (idle, peak, bound) = (
        num("idle_rss_kib")?,
        num("peak_rss_kib")?,
        num("rss_bound_kib")?,
    );
    Ok(format!(
        "| clients | addresses (hot × clients) | duration | accepted stores/s | 429 share | errors (of requests) | over-limit clients recovered | peak RSS | idle RSS | peak / idle | peak / bound |\n\
         |---:|---|---:|---:|---:|---:|---:|---:|---:|---:|---:|\n\
         | {} | {} ({} × {}) | {:.0} s | {:.0} | {:.1} % | {} ({}) | {} / {} | {:.1} MiB | {:.1} MiB | {:.2} | {:.2} |\n",
        v["clients"],
        v["addresses"],
        v["hot_addresses"],
        v["hot_clients_per_address"],
        num("duration_secs")?,
        num("stores_per_s")?,
        num("share_429")? * 100.0,
        v["errors"],
        v["requests"],
        v["recovered_clients"],
        v["over_limit_clients"],
        mib(peak),
        mib(idle),
        peak / idle,
        peak / bound,
    ))
}

fn crypto() -> Result<()> {
    criterion_bench("session-crypto", "crypto", crypto_table)
}

/// `bench config`: merging 5 conflicting `Contacts` configs of 1,000 contacts against one
/// decrypt + decode of one of them, in the same run.
fn config() -> Result<()> {
    criterion_bench("session-config", "config", config_table)
}

/// Renders the merge time next to one decrypt + decode of the same config (the bound: a merge
/// must at least open each of its 5 messages).
pub fn config_table(dir: &Path) -> Result<String> {
    let get = |func: &str| {
        mean_ns(dir, CONFIG_GROUP, func)?
            .with_context(|| format!("no result for {CONFIG_GROUP}/{func}"))
    };
    let (merge, decode) = (get(CONFIG_MERGE)?, get(CONFIG_DECODE)?);
    let ratio = merge / decode;
    Ok(format!(
        "| measure (`Contacts`, 1,000 contacts) | time | bound (same run) | ratio | ratio per merged config |\n\
         |---|---:|---:|---:|---:|\n\
         | merge 5 conflicting configs (decrypt, decode, merge, re-encode) | {:.2} ms | {:.2} ms (one decrypt + decode) | {ratio:.1} | {:.2} |\n",
        merge / 1e6,
        decode / 1e6,
        ratio / CONFIG_MERGED,
    ))
}

fn mean_ns(dir: &Path, group: &str, func: &str) -> Result<Option<f64>> {
    let path = dir.join(group).join(func).join("new/estimates.json");
    if !path.exists() {
        return Ok(None);
    }
    let v: Value = serde_json::from_str(&std::fs::read_to_string(&path)?)?;
    let ns = v["mean"]["point_estimate"]
        .as_f64()
        .context("estimates.json without a mean")?;
    Ok(Some(ns))
}

/// Renders the markdown table from criterion's output directory.
pub fn crypto_table(dir: &Path) -> Result<String> {
    let mut out = String::from(
        "| operation | session-crypto ops/s | libsodium ops/s | ratio (ours / libsodium) |\n\
         |---|---:|---:|---:|\n",
    );
    for (group, label) in CRYPTO_GROUPS {
        let ours = mean_ns(dir, group, OURS)?.with_context(|| format!("no result for {group}"))?;
        let ops = |ns: f64| 1e9 / ns;
        let (theirs, ratio) = match mean_ns(dir, group, THEIRS)? {
            Some(t) => (format!("{:.0}", ops(t)), format!("{:.2}", t / ours)),
            None => ("n/a".into(), "n/a".into()),
        };
        out.push_str(&format!(
            "| {label} | {:.0} | {theirs} | {ratio} |\n",
            ops(ours)
        ));
    }
    Ok(out)
}

/// Replaces the text between `<!-- bench:NAME:start -->` and `<!-- bench:NAME:end -->`.
pub fn replace_section(doc: &str, name: &str, body: &str) -> Result<String> {
    let start = format!("<!-- bench:{name}:start -->");
    let end = format!("<!-- bench:{name}:end -->");
    let (Some(a), Some(b)) = (doc.find(&start), doc.find(&end)) else {
        bail!("docs/BENCHMARKS.md lacks the {start} / {end} markers");
    };
    Ok(format!("{}{start}\n{body}{}", &doc[..a], &doc[b..]))
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn section_is_replaced_between_markers() {
        let doc = "a\n<!-- bench:x:start -->\nold\n<!-- bench:x:end -->\nb\n";
        let new = replace_section(doc, "x", "new\n").unwrap();
        assert_eq!(
            new,
            "a\n<!-- bench:x:start -->\nnew\n<!-- bench:x:end -->\nb\n"
        );
        assert!(replace_section(doc, "y", "z").is_err());
    }

    #[test]
    fn an_unpinned_run_reports_retrieves_against_all_cores() {
        let v = serde_json::json!({"clients": 64, "phase_secs": 8, "store_per_s": 10000.0,
            "retrieve_per_s": 7000.0, "ed25519_verify_per_s_all_cores": 20000.0});
        let t = node_table(&v).unwrap();
        assert!(t.contains("dev node, not pinned"), "{t}");
        assert!(
            t.contains("| store/s (public inbox, unsigned) | 10000 | — | — |"),
            "{t}"
        );
        assert!(
            t.contains("| 7000 | 20000 Ed25519 verifies/s, all cores | 0.35 |"),
            "{t}"
        );
        assert!(node_table(&serde_json::json!({})).is_err());
        assert!(!t.contains("half load"), "no paced phases, no latency rows");
    }

    #[test]
    fn a_pinned_run_reports_per_core_ratios_and_half_load_latency() {
        let v = serde_json::json!({"clients": 64, "phase_secs": 8, "store_per_s": 4000.0,
            "retrieve_per_s": 3000.0, "ed25519_verify_per_s_all_cores": 20000.0, "pinned": true,
            "ed25519_sign_per_s_one_core": 16000.0, "ed25519_verify_per_s_one_core": 10000.0,
            "node_build": "release",
            "store_half_load": {"per_s": 2000.0, "p50_ms": 0.8, "p99_ms": 2.5, "failed_share": 0.0},
            "retrieve_half_load": {"per_s": 1500.0, "p50_ms": 0.9, "p99_ms": 7.5, "failed_share": 0.0}});
        let t = node_table(&v).unwrap();
        assert!(t.contains("release node pinned to core 0"), "{t}");
        assert!(
            t.contains("| 4000 | 16000 Ed25519 signs/s, one core | 0.25 |"),
            "{t}"
        );
        assert!(
            t.contains("| 3000 | 10000 Ed25519 verifies/s, one core | 0.30 |"),
            "{t}"
        );
        assert!(t.contains("| store at half load (2000/s): p99 latency, ms (p50 0.80; target ≤ 5) | 2.50 | 5 ms | 0.50 |"), "{t}");
        assert!(t.contains("| retrieve at half load (1500/s): p99 latency, ms (p50 0.90; target ≤ 5) | 7.50 | 5 ms | 1.50 |"), "{t}");
    }

    #[test]
    fn load_table_reports_throughput_429s_and_memory() {
        let v = serde_json::json!({"clients": 1000, "addresses": 250, "hot_addresses": 4,
            "hot_clients_per_address": 100, "duration_secs": 60.0, "stores_per_s": 1234.4,
            "share_429": 0.25, "errors": 2, "requests": 100000, "recovered_clients": 400,
            "over_limit_clients": 400, "idle_rss_kib": 20480.0, "peak_rss_kib": 61440.0,
            "rss_bound_kib": 122880.0});
        let t = load_table(&v).unwrap();
        assert!(
            t.contains("| 1000 | 250 (4 × 100) | 60 s | 1234 | 25.0 % | 2 (100000) | 400 / 400 | 60.0 MiB | 20.0 MiB | 3.00 | 0.50 |"),
            "{t}"
        );
        assert!(load_table(&serde_json::json!({})).is_err());
    }

    #[test]
    fn swarm_table_reports_the_ratio_to_the_cpu_work_bound() {
        let v = serde_json::json!({"clients": 64, "phase_secs": 8, "swarm_size": 5,
            "single_node_store_per_s": 4000.0, "swarm_store_per_s": 600.0});
        let t = swarm_table(&v).unwrap();
        assert!(
            t.contains("| 600 | 800 = 4000 single-node stores/s ÷ 5 executions, same run | 0.75 |"),
            "{t}"
        );
        assert!(swarm_table(&serde_json::json!({})).is_err());
    }

    #[test]
    fn onion_table_reports_hop_ratios_and_latency() {
        let v = serde_json::json!({"iterations": 10, "nodes": 10, "stores": 5,
            "store_p50_ms": 12.34, "store_p99_ms": 56.78,
            "hops": [{"enc_type": "aes-gcm", "payload_bytes": 1024, "layer_bytes": 1500,
                "peel_ns": 120000.0, "x25519_aead_ns": 100000.0}]});
        let t = onion_table(&v).unwrap();
        assert!(
            t.contains("| 120.0 µs | 100.0 µs (X25519 + AEAD) | 1.20 |"),
            "{t}"
        );
        assert!(t.contains("| 12.3 ms | 56.8 ms |"), "{t}");
        assert!(onion_table(&serde_json::json!({})).is_err());
    }

    #[test]
    fn call_table_reports_setup_against_an_onion_round_trip() {
        let v = serde_json::json!({"calls": 5, "nodes": 6, "watch_interval_ms": 500.0,
            "onion_round_trip_p50_ms": 80.0, "setup_p50_ms": 1600.0, "setup_max_ms": 2100.0,
            "mouth_to_ear_p50_ms": 8.5, "mouth_to_ear_max_ms": 15.0});
        let t = call_table(&v).unwrap();
        assert!(t.contains("| 1600 ms | 2100 ms | 80.0 ms"), "{t}");
        assert!(t.contains("| 20.0 |"), "{t}");
        assert!(t.contains("| 8.5 ms | 15.0 ms |"), "{t}");
        assert!(call_table(&serde_json::json!({})).is_err());
    }

    #[test]
    fn e2e_table_reports_latency_against_the_bound() {
        let v = serde_json::json!({"messages": 1000, "nodes": 12, "watch_interval_ms": 500,
            "p50_ms": 660.0, "p99_ms": 900.04, "mean_ms": 650.0, "max_ms": 1000.0,
            "send_p50_ms": 150.0, "empty_poll_p50_ms": 80.0, "send_secs": 100.0,
            "sends_per_s": 10.0, "send_retries": 0, "polls": 300, "poll_errors": 1,
            "duplicates": 0});
        let t = e2e_table(&v).unwrap();
        assert!(
            t.contains("| 660.0 ms | 900.0 ms | 480.0 ms (150.0 send + 80.0 empty poll + 250 half interval) | 1.38 |"),
            "{t}"
        );
        assert!(t.contains("(1000 sequential messages, 12-node"), "{t}");
        assert!(
            t.contains("Bob polled 300 times (1 failed), 0 duplicates."),
            "{t}"
        );
        assert!(e2e_table(&serde_json::json!({})).is_err());
    }

    #[test]
    fn config_table_reports_the_ratio_to_one_decode() {
        let dir = std::env::temp_dir().join(format!("xtask-bench-config-{}", std::process::id()));
        for (func, ns) in [(CONFIG_MERGE, 30_000_000.0), (CONFIG_DECODE, 2_000_000.0)] {
            let d = dir.join(CONFIG_GROUP).join(func).join("new");
            std::fs::create_dir_all(&d).unwrap();
            let json = format!("{{\"mean\":{{\"point_estimate\":{ns}}}}}");
            std::fs::write(d.join("estimates.json"), json).unwrap();
        }
        let t = config_table(&dir).unwrap();
        assert!(
            t.contains("| 30.00 ms | 2.00 ms (one decrypt + decode) | 15.0 | 3.00 |"),
            "{t}"
        );
        std::fs::remove_dir_all(&dir).unwrap();
        assert!(config_table(&dir).is_err());
    }

    #[test]
    fn table_reports_ops_and_ratio() {
        let dir = std::env::temp_dir().join(format!("xtask-bench-{}", std::process::id()));
        for (group, _) in CRYPTO_GROUPS {
            for (func, ns) in [(OURS, 1000.0), (THEIRS, 800.0)] {
                let d = dir.join(group).join(func).join("new");
                std::fs::create_dir_all(&d).unwrap();
                let json = format!("{{\"mean\":{{\"point_estimate\":{ns}}}}}");
                std::fs::write(d.join("estimates.json"), json).unwrap();
            }
        }
        let t = crypto_table(&dir).unwrap();
        assert!(
            t.contains("| Ed25519 sign (64 B message) | 1000000 | 1250000 | 0.80 |"),
            "{t}"
        );
        std::fs::remove_dir_all(dir).unwrap();
    }
}
