//! `bench community`: the community server's load generator
//! (`crates/session-community/benches/load`) and its table — posts/s and polls/s of 64
//! concurrent HTTP clients, each against the same request's own work measured in-process on one
//! thread in the same run.

use crate::cmd;
use anyhow::{Context, Result};
use serde_json::Value;

/// Runs the load generator (the bench profile) and writes its table.
pub fn run() -> Result<()> {
    let root = cmd::workspace_root();
    cmd::run(
        "cargo",
        &["bench", "-p", "session-community", "--bench", "load"],
        &root,
    )?;
    let path = cmd::target_dir().join("session-bench/community.json");
    let text =
        std::fs::read_to_string(&path).with_context(|| format!("reading {}", path.display()))?;
    super::write_table(&root, "community", &table(&serde_json::from_str(&text)?)?)
}

/// One row: the HTTP rate, the cores each side used, the bound and its parts, the ratios.
fn row(v: &Value, key: &str, label: &str) -> Result<String> {
    let p = &v[key];
    let num = |k: &str| {
        p[k].as_f64()
            .with_context(|| format!("community.json lacks {key}.{k}"))
    };
    let parts = p["bound_parts_us"]
        .as_object()
        .with_context(|| format!("community.json lacks {key}.bound_parts_us"))?
        .iter()
        .map(|(k, us)| format!("{k} {:.0} µs", us.as_f64().unwrap_or(f64::NAN)))
        .collect::<Vec<_>>()
        .join(" + ");
    let (rate, server, bound) = (num("per_s")?, num("server_cores")?, num("bound_per_s")?);
    Ok(format!(
        "| {label} | {rate:.0} | {server:.2} | {:.2} | {bound:.0}/s ({parts}) | {:.2} | {:.2} |\n",
        num("client_cores")?,
        rate / bound,
        rate / (bound * server),
    ))
}

/// Renders both rows and a line on the run.
pub fn table(v: &Value) -> Result<String> {
    let mut out = format!(
        "| measure ({} clients, {}-core machine shared by server and clients) | per second | server cores | client cores | bound: the request's own work in-process, 1 thread (same run) | ratio | ratio per server core |\n\
         |---|---:|---:|---:|---:|---:|---:|\n",
        v["clients"], v["cores"],
    );
    out.push_str(&row(
        v,
        "posts",
        "post (`POST /room/T/message`, signed padded `Content`, 201)",
    )?);
    out.push_str(&row(
        v,
        "polls",
        "poll (`GET /room/T/messages/since/SEQ`, 100 messages)",
    )?);
    let n = |k: &str, f: &str| v[k][f].as_f64().unwrap_or(f64::NAN);
    out.push_str(&format!(
        "\n{:.0} posts in {:.1} s, {:.0} polls in {:.1} s ({} profile, post rate limit {}); {:.0} requests failed.\n",
        n("posts", "requests"),
        n("posts", "secs"),
        n("polls", "requests"),
        n("polls", "secs"),
        v["profile"].as_str().unwrap_or("?"),
        v["rate_limit"].as_str().unwrap_or("?"),
        n("posts", "failed") + n("polls", "failed"),
    ));
    Ok(out)
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn table_reports_rates_cores_and_ratios() {
        let phase = |per_s: f64, bound: f64| {
            serde_json::json!({"requests": 6000, "failed": 0, "secs": 6.0, "per_s": per_s,
                "server_cores": 1.25, "client_cores": 0.5, "bound_per_s": bound,
                "bound_parts_us": {"X-SOGS check": 60.0, "select 100 messages": 190.0}})
        };
        let v = serde_json::json!({"clients": 64, "cores": 2, "profile": "bench",
            "rate_limit": "off", "posts": phase(1000.0, 4000.0), "polls": phase(500.0, 4000.0)});
        let t = table(&v).unwrap();
        assert!(t.contains("(64 clients, 2-core machine"), "{t}");
        assert!(
            t.contains("| 1000 | 1.25 | 0.50 | 4000/s (X-SOGS check 60 µs + select 100 messages 190 µs) | 0.25 | 0.20 |"),
            "{t}"
        );
        assert!(t.contains("| 500 | 1.25 | 0.50 | 4000/s"), "{t}");
        assert!(t.contains("6000 posts in 6.0 s, 6000 polls in 6.0 s (bench profile, post rate limit off); 0 requests failed."), "{t}");
        assert!(table(&serde_json::json!({})).is_err());
    }
}
