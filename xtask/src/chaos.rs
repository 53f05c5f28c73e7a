//! `cargo xtask chaos --minutes N [--seed S]`: the nemesis suite's long form. Builds the
//! binaries, then runs the `nemesis` scenario family with its faults mixed at random for N
//! minutes (`SESSION_CHAOS_MINUTES`), printing the run's summary; fails on any anomaly.

use crate::cmd;
use anyhow::Result;

const USAGE: &str = "usage: cargo xtask chaos --minutes N [--seed S]  (N from 1 to 600)";

/// What the command line asked for.
#[derive(Debug, PartialEq, Eq)]
struct Args {
    minutes: u64,
    seed: Option<u64>,
}

fn parse(args: &[&str]) -> Result<Option<Args>, String> {
    let mut minutes = None;
    let mut seed = None;
    let mut it = args.iter();
    while let Some(a) = it.next() {
        match *a {
            "-h" | "--help" => return Ok(None),
            "--minutes" => {
                let v = it.next().ok_or("--minutes needs a number")?;
                minutes = Some(
                    v.parse::<u64>()
                        .ok()
                        .filter(|m| (1..=600).contains(m))
                        .ok_or_else(|| format!("--minutes {v:?}: expected 1 to 600"))?,
                );
            }
            "--seed" => {
                let v = it.next().ok_or("--seed needs a number")?;
                seed = Some(
                    v.parse::<u64>()
                        .map_err(|_| format!("--seed {v:?}: not a number"))?,
                );
            }
            other => return Err(format!("unknown argument {other:?}")),
        }
    }
    let minutes = minutes.ok_or("--minutes N is required")?;
    Ok(Some(Args { minutes, seed }))
}

/// Entry point: exits 2 with one line on bad arguments.
pub fn run(args: &[&str]) -> Result<()> {
    let args = match parse(args) {
        Ok(Some(a)) => a,
        Ok(None) => {
            println!("{USAGE}");
            println!(
                "Runs the nemesis suite (tests/scenarios/nemesis.rs) with random faults for N minutes."
            );
            return Ok(());
        }
        Err(e) => {
            eprintln!("xtask chaos: {e} ({USAGE})");
            std::process::exit(2);
        }
    };
    let root = cmd::workspace_root();
    crate::contracts::ensure_node_modules(&root)?;
    // This tree's own binaries (another tree sharing the target directory may have replaced
    // `target/debug/session-node`).
    let bins = crate::e2e::build_binaries(&root, "dev")?;
    let bins = bins.to_string_lossy();
    let minutes = args.minutes.to_string();
    let seed = args.seed.map(|s| s.to_string());
    let mut env = vec![
        ("SESSION_CHAOS_MINUTES", minutes.as_str()),
        ("SESSION_BIN_DIR", &bins),
    ];
    if let Some(s) = &seed {
        env.push(("SESSION_NEMESIS_SEED", s.as_str()));
    }
    let test = [
        "test",
        "-p",
        "session-e2e",
        "--locked",
        "--test",
        "nemesis",
        "--",
        "--nocapture",
    ];
    cmd::run_env("cargo", &test, &root, &env)
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn minutes_are_required_and_bounded() {
        assert_eq!(
            parse(&["--minutes", "10"]),
            Ok(Some(Args {
                minutes: 10,
                seed: None
            }))
        );
        assert_eq!(
            parse(&["--minutes", "3", "--seed", "7"]),
            Ok(Some(Args {
                minutes: 3,
                seed: Some(7)
            }))
        );
        assert_eq!(parse(&["--help"]), Ok(None));
        assert!(parse(&[]).is_err());
        assert!(parse(&["--minutes", "0"]).is_err());
        assert!(parse(&["--minutes", "ten"]).is_err());
        assert!(parse(&["--minutes", "5", "--fast"]).is_err());
    }
}
