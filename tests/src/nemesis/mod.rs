//! The nemesis suite (issue 21), Jepsen-style: concurrent storage clients work on many
//! accounts and namespaces against a real devnet while a nemesis kills, pauses, skews and
//! churns nodes; every operation is recorded with its request, answer, times and node; after
//! healing and a sync period the checker reads every member and lists the anomalies.
//!
//! Used by the `nemesis` scenario family (the short form) and `cargo xtask chaos` (longer).

pub mod check;
pub mod client;
pub mod disk;
pub mod faults;
pub mod final_read;
pub mod history;
pub mod partition;
pub mod rpc;
pub mod run;
pub mod summary;
pub mod topology;

pub use run::{Plan, Schedule, run};
pub use summary::Summary;

/// Runs `program` with `args`; an error carries its stderr.
fn command(program: &str, args: &[&str]) -> anyhow::Result<()> {
    let out = std::process::Command::new(program).args(args).output()?;
    anyhow::ensure!(
        out.status.success(),
        "{program} {}: {}",
        args.join(" "),
        String::from_utf8_lossy(&out.stderr).trim()
    );
    Ok(())
}
