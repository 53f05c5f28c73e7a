//! Child processes that die with their owner.

use std::path::Path;
use std::process::{Command, Stdio};

/// A child process, sent SIGTERM (then killed) when dropped unless detached.
#[derive(Debug)]
pub struct Child {
    name: String,
    inner: Option<std::process::Child>,
}

impl Child {
    /// Spawns `cmd` with stdout and stderr appended to `log`.
    pub fn spawn(name: &str, mut cmd: Command, log: &Path) -> std::io::Result<Self> {
        let out = std::fs::OpenOptions::new()
            .create(true)
            .append(true)
            .open(log)?;
        let err = out.try_clone()?;
        // Own process group: a terminal's Ctrl-C reaches only the devnet, which stops its
        // children in order; a detached devnet survives its terminal.
        std::os::unix::process::CommandExt::process_group(&mut cmd, 0);
        let inner = cmd
            .stdin(Stdio::null())
            .stdout(Stdio::from(out))
            .stderr(Stdio::from(err))
            .spawn()?;
        Ok(Self {
            name: name.to_owned(),
            inner: Some(inner),
        })
    }

    /// The process id.
    pub fn pid(&self) -> u32 {
        self.inner.as_ref().map_or(0, std::process::Child::id)
    }

    /// Whether it still runs.
    pub fn is_running(&mut self) -> bool {
        self.inner
            .as_mut()
            .is_some_and(|c| matches!(c.try_wait(), Ok(None)))
    }

    /// Lets it outlive this handle (`--detach`); returns its pid.
    pub fn detach(&mut self) -> u32 {
        let pid = self.pid();
        self.inner = None;
        pid
    }

    /// Stops it: SIGTERM, up to 5 s to drain, then SIGKILL.
    pub fn stop(&mut self) {
        let Some(mut child) = self.inner.take() else {
            return;
        };
        terminate(child.id());
        for _ in 0..100 {
            if matches!(child.try_wait(), Ok(Some(_))) {
                return;
            }
            std::thread::sleep(std::time::Duration::from_millis(50));
        }
        tracing::warn!(name = %self.name, "did not stop on SIGTERM; killing");
        let _ = child.kill();
        let _ = child.wait();
    }
}

impl Child {
    /// SIGKILL, no chance to flush anything.
    pub fn kill9(&mut self) {
        if let Some(mut child) = self.inner.take() {
            let _ = child.kill();
            let _ = child.wait();
        }
    }
}

impl Drop for Child {
    fn drop(&mut self) {
        self.stop();
    }
}

/// Sends SIGKILL to `pid`.
pub fn kill9(pid: u32) {
    signal(pid, "-KILL");
}

/// The state letter of process `pid` from `/proc/PID/stat` (`R`, `S`, `T` stopped, `Z`
/// zombie…); `None` when there is no such process.
pub fn state(pid: u32) -> Option<char> {
    if pid == 0 {
        return None;
    }
    let stat = std::fs::read_to_string(format!("/proc/{pid}/stat")).ok()?;
    stat.rsplit(')').next()?.trim_start().chars().next()
}

/// Whether process `pid` runs (a zombie, waiting to be reaped, does not).
pub fn is_running(pid: u32) -> bool {
    state(pid).is_some_and(|s| s != 'Z')
}

/// Sends SIGSTOP to `pid` (it hangs until [`resume`]).
pub fn pause(pid: u32) {
    signal(pid, "-STOP");
}

/// Sends SIGCONT to `pid`.
pub fn resume(pid: u32) {
    signal(pid, "-CONT");
}

/// Sends SIGTERM to `pid`.
pub fn terminate(pid: u32) {
    signal(pid, "-TERM");
}

/// Sends a signal through `kill(1)`, keeping this crate free of `unsafe`.
fn signal(pid: u32, which: &str) {
    let _ = Command::new("kill")
        .args([which, &pid.to_string()])
        .stdout(Stdio::null())
        .stderr(Stdio::null())
        .status();
}
