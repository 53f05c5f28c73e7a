//! Running `session-cli` as a user does: one process per command, `--json` output read back.

use serde_json::Value;
use std::path::PathBuf;
use std::process::Command;

/// One user of the CLI: a home directory and the network file its commands are given.
pub struct User {
    /// The `--home` directory.
    pub home: PathBuf,
    /// The `--network` file (a devnet manifest).
    pub network: PathBuf,
}

impl User {
    /// `session-cli --json --home … --network … ARGS`, not yet run.
    pub fn command(&self, args: &[&str]) -> Command {
        let mut c = Command::new(crate::bin("session-cli"));
        c.arg("--json")
            .arg("--home")
            .arg(&self.home)
            .arg("--network")
            .arg(&self.network)
            .args(args);
        c
    }

    /// Runs a command that must succeed; returns its JSON lines (the last is the summary).
    pub fn run(&self, args: &[&str]) -> Vec<Value> {
        let out = self.command(args).output().expect("session-cli runs");
        let stdout = String::from_utf8_lossy(&out.stdout);
        assert!(
            out.status.success(),
            "session-cli {args:?} failed: {}{stdout}",
            String::from_utf8_lossy(&out.stderr)
        );
        lines(&stdout)
    }
}

/// The JSON objects of `--json` output, one per non-empty line.
pub fn lines(stdout: &str) -> Vec<Value> {
    stdout
        .lines()
        .filter(|l| !l.trim().is_empty())
        .map(|l| serde_json::from_str(l).unwrap_or_else(|e| panic!("{l}: {e}")))
        .collect()
}

/// Polls with `receive` until a line satisfies `want` (30 s at most); returns every line seen.
pub fn receive_until(user: &User, want: impl Fn(&Value) -> bool) -> Vec<Value> {
    receive_with(user, &["receive"], want)
}

/// [`receive_until`] with the given `receive` command line.
pub fn receive_with(user: &User, args: &[&str], want: impl Fn(&Value) -> bool) -> Vec<Value> {
    let deadline = std::time::Instant::now() + std::time::Duration::from_secs(30);
    let mut seen = Vec::new();
    loop {
        seen.extend(user.run(args));
        if seen.iter().any(&want) {
            return seen;
        }
        assert!(std::time::Instant::now() < deadline, "never came: {seen:?}");
        std::thread::sleep(std::time::Duration::from_millis(300));
    }
}
