//! `cargo xtask bench scale [--nodes N]…` (issue 20): brings up a detached devnet of N nodes
//! with this tree's binaries, lets it settle, then samples every node's `GET /info` and
//! `/proc/PID/stat` 60 s apart: bring-up time, node RSS, the devnet's CPU, sync rounds and
//! `Summary` calls per node and round, peer-test health. Prints one table row per size.

use crate::cmd;
use anyhow::{Context, Result, bail};
use serde_json::Value;
use std::io::{Read as _, Write as _};
use std::net::TcpStream;
use std::path::Path;
use std::time::{Duration, Instant};

const SETTLE: Duration = Duration::from_secs(20);
const WINDOW: Duration = Duration::from_secs(60);

/// Entry point: `args` are `--nodes N` pairs (default 10, 30, 100).
pub fn run(args: &[&str]) -> Result<()> {
    let sizes = sizes(args)?;
    let root = cmd::workspace_root();
    crate::contracts::ensure_node_modules(&root)?;
    let bins = crate::e2e::build_binaries(&root, "dev")?;
    let mut rows = vec![
        "| nodes | swarms | bring-up | RSS mean / max | devnet CPU (% of one core) | per node | Summary calls per node and round | failing peer tests |".to_owned(),
        "|---|---|---|---|---|---|---|---|".to_owned(),
    ];
    for n in sizes {
        rows.push(measure(&root, &bins, n)?);
        eprintln!("{}", rows.last().map_or("", String::as_str));
    }
    println!("{}", rows.join("\n"));
    Ok(())
}

fn sizes(args: &[&str]) -> Result<Vec<usize>> {
    let mut out = Vec::new();
    let mut it = args.iter();
    while let Some(a) = it.next() {
        match (*a, it.next()) {
            ("--nodes", Some(n)) => out.push(n.parse().context("--nodes takes a number")?),
            _ => bail!("usage: cargo xtask bench scale [--nodes N]…"),
        }
    }
    Ok(if out.is_empty() {
        vec![10, 30, 100]
    } else {
        out
    })
}

fn measure(root: &Path, bins: &Path, n: usize) -> Result<String> {
    let dir = cmd::target_dir().join(format!("bench-scale-{n}"));
    let _ = std::fs::remove_dir_all(&dir);
    std::fs::create_dir_all(&dir)?;
    let devnet = bins.join("session-devnet");
    let dir_arg = dir.display().to_string();
    let started = Instant::now();
    // The devnet looks for anvil under its --root; point it at this tree's install.
    let anvil = root.join("devnet/node_modules/.bin/anvil");
    let anvil = std::env::var("SESSION_ANVIL").unwrap_or_else(|_| anvil.display().to_string());
    let up = cmd::run_env(
        &devnet.display().to_string(),
        &[
            "--root",
            &dir_arg,
            "up",
            "--nodes",
            &n.to_string(),
            "--detach",
        ],
        root,
        &[("SESSION_ANVIL", &anvil)],
    );
    let bring_up = started.elapsed();
    let row = up.and_then(|()| sample(&dir, n, bring_up));
    let _ = cmd::run(
        &devnet.display().to_string(),
        &["--root", &dir_arg, "down"],
        root,
    );
    let _ = std::fs::remove_dir_all(&dir);
    row
}

fn sample(dir: &Path, n: usize, bring_up: Duration) -> Result<String> {
    let manifest: Value = serde_json::from_str(&std::fs::read_to_string(
        dir.join("target/devnet/devnet.json"),
    )?)?;
    let nodes: Vec<(String, u32)> = manifest["nodes"]
        .as_array()
        .context("manifest nodes")?
        .iter()
        .filter_map(|v| {
            Some((
                v["http"].as_str()?.to_owned(),
                u32::try_from(v["pid"].as_u64()?).ok()?,
            ))
        })
        .collect();
    std::thread::sleep(SETTLE);
    let (cpu0, a) = (cpu_ticks(&nodes), infos(&nodes)?);
    std::thread::sleep(WINDOW);
    let (cpu1, b) = (cpu_ticks(&nodes), infos(&nodes)?);
    let delta = |k: &str| -> u64 {
        a.iter()
            .zip(&b)
            .map(|(x, y)| y["sync"][k].as_u64().unwrap_or(0) - x["sync"][k].as_u64().unwrap_or(0))
            .sum()
    };
    let rss = nodes
        .iter()
        .map(|(_, pid)| rss_kb(*pid))
        .collect::<Vec<_>>();
    let swarms: std::collections::BTreeSet<String> = b
        .iter()
        .filter_map(|v| v["swarm"].as_str().map(str::to_owned))
        .collect();
    let failing: usize = b
        .iter()
        .map(|v| v["peers"]["failing"].as_array().map_or(0, Vec::len))
        .sum();
    let cpu = (cpu1 - cpu0) as f64 / ticks_per_sec() / WINDOW.as_secs_f64() * 100.0;
    Ok(format!(
        "| {n} | {} | {:.0} s | {:.1} / {:.1} MB | {cpu:.1} % | {:.2} % | {:.2} | {failing} |",
        swarms.len(),
        bring_up.as_secs_f64(),
        rss.iter().sum::<u64>() as f64 / 1024.0 / rss.len().max(1) as f64,
        rss.iter().max().copied().unwrap_or(0) as f64 / 1024.0,
        cpu / n as f64,
        delta("summary_calls") as f64 / delta("rounds").max(1) as f64,
    ))
}

fn infos(nodes: &[(String, u32)]) -> Result<Vec<Value>> {
    nodes.iter().map(|(addr, _)| info(addr)).collect()
}

/// `GET /info` over a plain HTTP/1.1 connection (xtask has no HTTP client).
fn info(addr: &str) -> Result<Value> {
    let mut s = TcpStream::connect(addr).with_context(|| format!("connecting to {addr}"))?;
    s.set_read_timeout(Some(Duration::from_secs(10)))?;
    write!(
        s,
        "GET /info HTTP/1.1\r\nHost: {addr}\r\nConnection: close\r\n\r\n"
    )?;
    let mut reply = String::new();
    s.read_to_string(&mut reply)?;
    let body = reply.split_once("\r\n\r\n").map_or("", |(_, b)| b);
    serde_json::from_str(body).with_context(|| format!("/info of {addr}"))
}

fn cpu_ticks(nodes: &[(String, u32)]) -> u64 {
    nodes
        .iter()
        .filter_map(|(_, pid)| {
            let stat = std::fs::read_to_string(format!("/proc/{pid}/stat")).ok()?;
            let fields: Vec<&str> = stat.rsplit_once(')')?.1.split_whitespace().collect();
            Some(fields.get(11)?.parse::<u64>().ok()? + fields.get(12)?.parse::<u64>().ok()?)
        })
        .sum()
}

fn rss_kb(pid: u32) -> u64 {
    std::fs::read_to_string(format!("/proc/{pid}/status"))
        .ok()
        .and_then(|s| {
            s.lines()
                .find(|l| l.starts_with("VmRSS:"))?
                .split_whitespace()
                .nth(1)?
                .parse()
                .ok()
        })
        .unwrap_or(0)
}

fn ticks_per_sec() -> f64 {
    cmd::output("getconf", &["CLK_TCK"], Path::new("/"))
        .ok()
        .and_then(|s| s.trim().parse().ok())
        .unwrap_or(100.0)
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn sizes_default_and_parse() {
        assert_eq!(sizes(&[]).unwrap(), vec![10, 30, 100]);
        assert_eq!(
            sizes(&["--nodes", "5", "--nodes", "7"]).unwrap(),
            vec![5, 7]
        );
        assert!(sizes(&["--nodes"]).is_err());
        assert!(sizes(&["--nodes", "x"]).is_err());
    }

    #[test]
    fn own_process_has_cpu_ticks_and_rss() {
        let me = std::process::id();
        assert!(rss_kb(me) > 0);
        let _ = cpu_ticks(&[(String::new(), me)]);
    }
}
