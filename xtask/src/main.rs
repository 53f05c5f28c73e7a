//! `cargo xtask`: the single entry point for project automation.
//!
//! * `cargo xtask test` — fmt check, clippy (warnings denied), tidy, docs (warnings denied),
//!   the library crates' manifests and a package dry-run of each, the contract artifacts'
//!   staleness check and forge tests, the examples' build, every test in the workspace, and a
//!   compile check and a short run (`fuzz smoke`) of every fuzz target. This is exactly what
//!   `.ci/run` runs.
//! * `cargo xtask bench <crypto | config | group | node | load | swarm | onion | e2e | community |
//!   attach | scale>` — criterion benchmarks next to libsodium or to their own bound, or a load
//!   generator / latency run on real nodes or the community server; each writes its table into
//!   `docs/BENCHMARKS.md`.
//! * `cargo xtask e2e [FAMILY…]` — the end-to-end scenarios (`tests/scenarios`), all or the
//!   named families, after building the binaries they start.
//! * `cargo xtask chaos --minutes N [--seed S]` — the nemesis suite with faults mixed at
//!   random for N minutes (the `nemesis` family's long form).
//! * `cargo xtask fuzz TARGET [--runs N]` — runs one cargo-fuzz target (installing cargo-fuzz
//!   if needed); `fuzz campaign [--runs N] [TARGET…]` runs every target (or the named ones)
//!   10,000,000 times (or N) and prints the figures.
//! * `cargo xtask contracts <build | check | test>` — the devnet's Solidity contracts.
//! * `cargo xtask devnet [--nodes N --min-swarm-size M --ideal-swarm-size I --epoch-blocks K
//!   --unlock-delay S --detach] | down | register | exit ID | status` — the local network: anvil,
//!   the contracts, N registered nodes, the community and file servers, a TURN relay (coturn,
//!   installed with apt-get when missing and running as root; `session-devnet` does the work).

mod bench;
mod chaos;
mod cmd;
mod contracts;
mod devnet;
mod e2e;
mod fuzz;
mod fuzz_campaign;
mod layers;
mod package;
mod tidy;

use anyhow::{Result, bail};

fn main() -> Result<()> {
    let args: Vec<String> = std::env::args().skip(1).collect();
    let rest = || args[1..].iter().map(String::as_str).collect::<Vec<_>>();
    match args.first().map(String::as_str) {
        Some("test") => test(),
        Some("bench") => bench::run(&rest()),
        Some("e2e") => e2e::run(&rest()),
        Some("chaos") => chaos::run(&rest()),
        Some("fuzz") => fuzz::run(&rest()),
        Some("tidy") => tidy::run(),
        Some("contracts") => contracts::run(&rest()),
        Some("devnet") => devnet::run(&rest()),
        _ => {
            eprintln!(
                "usage: cargo xtask <test | e2e [FAMILY…] | chaos --minutes N | bench <crypto | config | group | node | load | swarm | onion | e2e | community | attach | scale> | fuzz <TARGET [--runs N] | smoke | campaign [--runs N] [TARGET…]> | tidy | \
                 contracts <build | check | test> | devnet [up options | down | register | exit ID | status]>"
            );
            bail!("unknown or missing command")
        }
    }
}

fn test() -> Result<()> {
    let root = cmd::workspace_root();
    // session-devnet's tests start the TURN relay: fail (or install it) now, not after the build.
    devnet::ensure_turnserver(&root)?;
    cmd::run("cargo", &["fmt", "--all", "--check"], &root)?;
    cmd::run(
        "cargo",
        &[
            "clippy",
            "--workspace",
            "--all-targets",
            "--locked",
            "--",
            "-D",
            "warnings",
        ],
        &root,
    )?;
    tidy::run()?;
    // Docs build without warnings: no broken or private intra-doc links, no output collision.
    cmd::run_env(
        "cargo",
        &["doc", "--workspace", "--no-deps", "--locked"],
        &root,
        &[("RUSTDOCFLAGS", "-D warnings")],
    )?;
    // Every library crate packages on its own (no compile: RocksDB is not built again).
    package::check()?;
    contracts::test(&root)?;
    // The READMEs point to the examples (`cargo run -p CRATE --example NAME`): they build.
    cmd::run(
        "cargo",
        &["build", "--workspace", "--examples", "--locked"],
        &root,
    )?;
    // The end-to-end scenarios start binaries of other packages: build them first.
    let bins = e2e::build_binaries(&root, "dev")?;
    cmd::run_env(
        "cargo",
        &["test", "--workspace", "--locked"],
        &root,
        &[("SESSION_BIN_DIR", &bins.to_string_lossy())],
    )?;
    // Every fuzz target compiles and survives a short run.
    fuzz::check()?;
    fuzz::smoke()?;
    eprintln!("xtask test: all checks passed");
    Ok(())
}
