//! `cargo xtask fuzz campaign [--runs N] [TARGET…]`: a long run of every fuzz target (or the
//! named ones), one after another, default 10,000,000 executions each (issue 21). Each run's
//! libFuzzer output goes to `<target dir>/fuzz-campaign/TARGET.log`; the figures (runs, time,
//! executions per second, coverage, features, corpus, peak RSS) are printed as a table for
//! docs/RELIABILITY.md. A crash does not stop the campaign: it is listed, its input is in
//! `fuzz/artifacts/TARGET/`, and the command fails at the end.

use crate::cmd;
use anyhow::{Context as _, Result, bail};
use std::time::Instant;

/// Executions per target unless `--runs` says otherwise (issue 21's floor).
pub const CAMPAIGN_RUNS: u64 = 10_000_000;

/// What one target's run reported.
#[derive(Debug, Default, PartialEq, Eq)]
pub struct Figures {
    /// Executions done.
    pub runs: u64,
    /// Average executions per second.
    pub per_sec: u64,
    /// Coverage points (libFuzzer's `cov`: edges reached).
    pub cov: u64,
    /// Features (`ft`).
    pub ft: u64,
    /// Inputs in the corpus at the end.
    pub corpus: u64,
    /// Peak resident memory, MB.
    pub rss_mb: u64,
}

/// Reads the figures from a libFuzzer log run with `-print_final_stats=1`: the `stat::`
/// lines, and the last status line with `cov:` for coverage, features and corpus size.
pub fn parse(log: &str) -> Figures {
    let mut f = Figures::default();
    for line in log.lines() {
        if let Some((key, value)) = line.strip_prefix("stat::").and_then(|l| l.split_once(':')) {
            let value = value.trim().parse().unwrap_or(0);
            match key {
                "number_of_executed_units" => f.runs = value,
                "average_exec_per_sec" => f.per_sec = value,
                "peak_rss_mb" => f.rss_mb = value,
                _ => {}
            }
        }
        if line.starts_with('#') && line.contains(" cov: ") {
            f.cov = field(line, "cov:").unwrap_or(f.cov);
            f.ft = field(line, "ft:").unwrap_or(f.ft);
            f.corpus = field(line, "corp:").unwrap_or(f.corpus);
        }
    }
    f
}

/// The number after `key` in a status line (`corp: 12/3456b` gives 12).
fn field(line: &str, key: &str) -> Option<u64> {
    let rest = line.split(key).nth(1)?.trim_start();
    let digits: String = rest.chars().take_while(char::is_ascii_digit).collect();
    digits.parse().ok()
}

/// Runs the campaign: `args` are `[--runs N] [TARGET…]`.
pub fn run(args: &[&str]) -> Result<()> {
    let root = cmd::workspace_root();
    let (runs, named) = match args {
        ["--runs", n, rest @ ..] => (n.parse::<u64>().context("--runs N")?, rest),
        rest => (CAMPAIGN_RUNS, rest),
    };
    let targets: Vec<String> = if named.is_empty() {
        super::fuzz::targets(&root)?
    } else {
        named.iter().map(|t| (*t).to_owned()).collect()
    };
    let logs = cmd::target_dir().join("fuzz-campaign");
    std::fs::create_dir_all(&logs)?;
    let mut rows = Vec::new();
    let mut crashed = Vec::new();
    for target in &targets {
        let log_path = logs.join(format!("{target}.log"));
        let log = std::fs::File::create(&log_path)?;
        let start = Instant::now();
        let ok = super::fuzz::run_target_logged(
            &root,
            target,
            &[&format!("-runs={runs}"), "-print_final_stats=1"],
            log,
        )?;
        let secs = start.elapsed().as_secs();
        let f = parse(&std::fs::read_to_string(&log_path)?);
        let result = if ok { "no crash" } else { "CRASH" };
        if !ok {
            crashed.push(target.clone());
        }
        let row = format!(
            "| `{target}` | {} | {secs} s | {} | {} | {} | {} | {} MB | {result} |",
            f.runs, f.per_sec, f.cov, f.ft, f.corpus, f.rss_mb
        );
        eprintln!("{row}");
        rows.push(row);
    }
    println!("| target | runs | time | exec/s | cov | ft | corpus | peak RSS | result |");
    println!("|---|---:|---:|---:|---:|---:|---:|---:|---|");
    for row in rows {
        println!("{row}");
    }
    if !crashed.is_empty() {
        bail!(
            "crashes in {} (inputs under fuzz/artifacts/, logs under {})",
            crashed.join(", "),
            logs.display()
        );
    }
    Ok(())
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn figures_come_from_the_final_stats_and_the_last_status_line() {
        let log = "\
INFO: Seed: 42
#2\tINITED cov: 10 ft: 11 corp: 1/1b exec/s: 0 rss: 30Mb
#4096\tpulse  cov: 120 ft: 300 corp: 40/900b lim: 43 exec/s: 2048 rss: 35Mb
#10000000\tDONE   cov: 131 ft: 322 corp: 47/1034b lim: 4096 exec/s: 83333 rss: 41Mb
Done 10000000 runs in 120 second(s)
stat::number_of_executed_units: 10000000
stat::average_exec_per_sec:     83333
stat::new_units_added:          46
stat::slowest_unit_time_sec:    0
stat::peak_rss_mb:              41
";
        assert_eq!(
            parse(log),
            Figures {
                runs: 10_000_000,
                per_sec: 83_333,
                cov: 131,
                ft: 322,
                corpus: 47,
                rss_mb: 41,
            }
        );
    }

    #[test]
    fn a_log_cut_short_gives_what_it_has() {
        let log = "#2\tINITED cov: 10 ft: 11 corp: 1/1b exec/s: 0 rss: 30Mb\n==1== ERROR: libFuzzer: deadly signal\n";
        let f = parse(log);
        assert_eq!((f.runs, f.cov, f.ft, f.corpus), (0, 10, 11, 1));
    }
}
