//! Calls: `call`, `answer`, `decline`, `hangup`, `calls`. Media goes through the network's
//! TURN relay only; audio comes from a WAV file (`--play`) and goes to one (`--record`), so a
//! call needs no sound device. Events print as they happen, one line (or JSON object) each.

use crate::chat::{err, id, online};
use crate::output::Output;
use crate::{CliError, CliResult};
use session_client::call::{CallEvent, CallOptions, CallReport};
use session_client::history::{direction_name, outcome_name};
use std::path::{Path, PathBuf};
use std::time::Duration;

/// What `call` and `answer` take.
pub struct MediaArgs {
    /// WAV to play (16-bit PCM, 48 kHz).
    pub play: Option<PathBuf>,
    /// WAV to record what we hear into.
    pub record: Option<PathBuf>,
    /// Seconds to stay in the call once connected.
    pub duration: Option<f64>,
}

fn options(m: &MediaArgs) -> Result<CallOptions, CliError> {
    let play = match &m.play {
        Some(p) => session_media::wav::read(p).map_err(err)?,
        None => Vec::new(),
    };
    let duration = match m.duration {
        Some(s) if !(s > 0.0 && s < 86_400.0) => {
            return Err(CliError(
                "--duration must be between 0 and 86400 seconds".into(),
            ));
        }
        s => s.map(Duration::from_secs_f64),
    };
    if let Some(r) = &m.record
        && r.parent()
            .is_some_and(|d| !d.as_os_str().is_empty() && !d.is_dir())
    {
        return Err(CliError(format!(
            "--record: no directory for {}",
            r.display()
        )));
    }
    Ok(CallOptions { play, duration })
}

fn event_line(e: &CallEvent) -> Output {
    match e {
        CallEvent::Calling { peer, call } => Output::default()
            .field("event", "calling")
            .field("peer", peer.to_string())
            .field("call_id", call.as_str()),
        CallEvent::Ringing { peer, call } => Output::default()
            .field("event", "ringing")
            .field("peer", peer.to_string())
            .field("call_id", call.as_str()),
        CallEvent::Connected { setup_ms } => Output::default()
            .field("event", "connected")
            .field("setup_ms", *setup_ms),
        CallEvent::MissedFromRequest { from } => Output::default()
            .field("event", "missed call from a request")
            .field("peer", from.to_string()),
        CallEvent::Ended(e) => Output::default()
            .field("event", "ended")
            .field("outcome", outcome_name(e.outcome).0),
    }
}

/// The summary after a call, with the recording written.
fn summary(report: &CallReport, record: Option<&Path>) -> CliResult {
    let mut out = Output::default();
    let Some(e) = &report.entry else {
        return Ok(out.field("outcome", "no call"));
    };
    let (what, duration_ms) = outcome_name(e.outcome);
    out = out
        .field("call_id", e.call.as_str())
        .field("peer", e.peer.to_string())
        .field("direction", direction_name(e.direction))
        .field("outcome", what)
        .field("duration_ms", duration_ms)
        .field("started_at_ms", e.started_at_ms);
    if let Some(ms) = report.setup_ms {
        out = out.field("setup_ms", ms);
    }
    if let Some(r) = &report.recording {
        out = out
            .field("packets_sent", r.packets_sent)
            .field("packets_received", r.packets_received)
            .field("refused_candidates", r.refused_candidates as u64);
        if let Some(t) = r
            .started
            .and_then(|t| t.duration_since(std::time::UNIX_EPOCH).ok())
        {
            out = out.field("recording_started_at_ms", t.as_millis() as u64);
        }
        if let Some(ms) = r.play_started_ms {
            out = out.field("play_started_ms", ms);
        }
    }
    if let Some(path) = record {
        let samples = report.recording.as_ref().map(|r| r.samples.as_slice());
        session_media::wav::write(path, samples.unwrap_or_default()).map_err(err)?;
        out = out.field("recorded", path.display().to_string());
    }
    Ok(out)
}

/// `call ID [--play IN.wav] [--record OUT.wav] [--duration S]`.
pub fn call(home: &Path, net: Option<PathBuf>, json: bool, peer: &str, m: &MediaArgs) -> CliResult {
    let peer = id(peer)?;
    let opts = options(m)?;
    let report = online(home, net, async |c| {
        c.call(&peer, opts, &mut |e| event_line(e).print(json))
            .await
            .map_err(err)
    })?;
    summary(&report, m.record.as_deref())
}

/// `answer [--play …] [--record …] [--duration S] [--wait S]`.
pub fn answer(
    home: &Path,
    net: Option<PathBuf>,
    json: bool,
    m: &MediaArgs,
    wait: f64,
) -> CliResult {
    let opts = options(m)?;
    if !(wait > 0.0 && wait < 86_400.0) {
        return Err(CliError(
            "--wait must be between 0 and 86400 seconds".into(),
        ));
    }
    let report = online(home, net, async |c| {
        c.answer(opts, Duration::from_secs_f64(wait), &mut |e| {
            event_line(e).print(json)
        })
        .await
        .map_err(err)
    })?;
    summary(&report, m.record.as_deref())
}

/// `decline`: the call ringing now.
pub fn decline(home: &Path, net: Option<PathBuf>) -> CliResult {
    let entry = online(home, net, async |c| c.decline().await.map_err(err))?;
    match entry {
        Some(e) => Ok(Output::default()
            .field("declined", e.call.as_str())
            .field("peer", e.peer.to_string())),
        None => Err(CliError("no call is ringing".into())),
    }
}

/// `hangup`: asks the call running for this account to end.
pub fn hangup(home: &Path) -> CliResult {
    session_client::call::request_hangup(home).map_err(err)?;
    Ok(Output::default().field("hangup", "requested"))
}

/// `calls`: the call history, newest first (offline).
pub fn list(home: &Path, json: bool) -> CliResult {
    let history = session_client::history::History::open(home).map_err(err)?;
    let calls = history.calls().map_err(err)?;
    let n = calls.len();
    for c in calls {
        Output::default()
            .field("call_id", c.call_id)
            .field("peer", c.peer)
            .field("direction", c.direction)
            .field("outcome", c.outcome)
            .field("duration_ms", c.duration_ms)
            .field("started_at_ms", c.started_at_ms)
            .field("request", c.request)
            .print(json);
    }
    Ok(Output::default().field("calls", n))
}
