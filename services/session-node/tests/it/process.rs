//! Starting the real binary on a free port.
use std::io::{BufRead, BufReader};
use std::path::Path;
use std::process::{Child, Command, Stdio};

pub struct NodeProcess {
    pub child: Child,
    pub url: String,
}

impl NodeProcess {
    pub fn start(data_dir: &Path) -> Self {
        Self::start_with(data_dir, "warn", Stdio::inherit())
    }

    /// With `RUST_LOG=rust_log` and stderr going to `stderr`.
    pub fn start_with(data_dir: &Path, rust_log: &str, stderr: Stdio) -> Self {
        let mut child = Command::new(env!("CARGO_BIN_EXE_session-node"))
            .args([
                "--standalone",
                "--no-rate-limit",
                "--print-addr",
                "--listen",
                "127.0.0.1:0",
            ])
            .arg("--data-dir")
            .arg(data_dir)
            .env("RUST_LOG", rust_log)
            .stdout(Stdio::piped())
            .stderr(stderr)
            .spawn()
            .expect("session-node starts");
        let stdout = child.stdout.take().expect("piped stdout");
        let mut line = String::new();
        BufReader::new(stdout)
            .read_line(&mut line)
            .expect("reads the address line");
        let addr = line
            .trim()
            .strip_prefix("listening on ")
            .expect("address line")
            .to_owned();
        Self {
            child,
            url: format!("http://{addr}/storage_rpc/v1"),
        }
    }

    /// SIGKILL, no chance to flush anything.
    pub fn kill9(&mut self) {
        self.child.kill().expect("SIGKILL");
        self.child.wait().expect("reaped");
    }
}

impl Drop for NodeProcess {
    fn drop(&mut self) {
        let _ = self.child.kill();
        let _ = self.child.wait();
    }
}

#[test]
fn help_documents_every_option() {
    let out = Command::new(env!("CARGO_BIN_EXE_session-node"))
        .arg("--help")
        .output()
        .unwrap();
    let help = String::from_utf8(out.stdout).unwrap();
    for opt in [
        "--config",
        "--data-dir",
        "--listen",
        "--standalone",
        "--purge-interval-secs",
        "--no-rate-limit",
        "--print-addr",
    ] {
        assert!(help.contains(opt), "--help lacks {opt}");
    }
}

#[test]
fn missing_configuration_is_a_clear_error() {
    let out = Command::new(env!("CARGO_BIN_EXE_session-node"))
        .arg("--standalone")
        .output()
        .unwrap();
    assert!(!out.status.success());
    let err = String::from_utf8_lossy(&out.stderr);
    assert!(err.contains("data_dir and listen are required"), "{err}");
}
