//! Progress of uploads and downloads on stderr: an indicatif bar per transfer that appears only
//! when the transfer has taken more than a second, only on a terminal, never with `--json`.
//! A transfer is one onion request, so the bar moves by steps (encrypt, upload or download,
//! done), with the size shown.

use indicatif::{ProgressBar, ProgressDrawTarget, ProgressStyle};
use session_client::chat::Progress;
use std::io::IsTerminal as _;
use std::sync::Mutex;
use std::time::Duration;

/// How long a transfer runs before its bar is shown.
const SHOW_AFTER: Duration = Duration::from_secs(1);

/// Progress bars for one command.
pub struct Bars {
    enabled: bool,
    current: Mutex<Option<ProgressBar>>,
}

impl Bars {
    /// Bars on stderr when it is a terminal and `json` is off; otherwise nothing is drawn.
    pub fn new(json: bool) -> Self {
        Self {
            enabled: !json && std::io::stderr().is_terminal(),
            current: Mutex::new(None),
        }
    }

    /// Takes one step of a transfer.
    pub fn step(&self, p: Progress) {
        if !self.enabled {
            return;
        }
        let mut current = self.current.lock().unwrap_or_else(|e| e.into_inner());
        let (msg, position) = match &p {
            Progress::Encrypting { name, bytes } => (format!("encrypting {name} ({bytes} B)"), 0),
            Progress::Uploading { name, bytes } => (format!("uploading {name} ({bytes} B)"), 1),
            Progress::Downloading { name, bytes } => (format!("downloading {name} ({bytes} B)"), 1),
            Progress::Done { name } => {
                if let Some(bar) = current.take() {
                    bar.set_position(3);
                    bar.finish_with_message(format!("{name} done"));
                }
                return;
            }
        };
        let bar = current.get_or_insert_with(new_bar);
        bar.set_position(position);
        bar.set_message(msg);
    }
}

/// A bar hidden for its first second: a thread shows it if the transfer is still running.
fn new_bar() -> ProgressBar {
    let bar = ProgressBar::with_draw_target(Some(3), ProgressDrawTarget::hidden());
    let style = ProgressStyle::with_template("{spinner} [{elapsed_precise}] {bar:20} {msg}")
        .unwrap_or_else(|_| ProgressStyle::default_bar());
    bar.set_style(style);
    let later = bar.clone();
    std::thread::spawn(move || {
        std::thread::sleep(SHOW_AFTER);
        if !later.is_finished() {
            later.set_draw_target(ProgressDrawTarget::stderr());
            later.enable_steady_tick(Duration::from_millis(120));
        }
    });
    bar
}
