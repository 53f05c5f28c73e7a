//! A call's media: one str0m `Rtc` (ICE, DTLS-SRTP, Opus audio, Session's negotiated data
//! channel) whose only local candidate is a TURN relay, run by a tokio task. Remote candidates
//! and descriptions pass `session_call::signal::ice`'s relay-only filter before str0m sees them;
//! local ones pass it before they leave.

use crate::engine::Engine;
use crate::relay::Relay;
use crate::{Error, Result};
use session_call::turn::Credentials;
use std::net::SocketAddr;
use std::time::SystemTime;
use tokio::sync::mpsc;

/// Session's data channel: negotiated out of band with this stream id.
pub const DATA_CHANNEL_ID: u16 = 548;
/// Its label.
pub const DATA_CHANNEL_LABEL: &str = "session-datachannel";

/// What a media session needs.
#[derive(Debug, Clone)]
pub struct MediaConfig {
    /// The TURN server (from the network config).
    pub turn: SocketAddr,
    /// Its credentials.
    pub credentials: Credentials,
    /// What we say: played once from the moment media connects, then silence.
    pub play: Vec<i16>,
}

/// Which side of the offer/answer we are.
#[derive(Debug, Clone)]
pub enum Start {
    /// We call: create the offer.
    Offer,
    /// We answer this remote offer.
    Answer(String),
}

/// What the media session reports to the call.
#[derive(Debug, Clone, PartialEq, Eq)]
pub enum MediaEvent {
    /// Our offer or answer, relay-only.
    LocalDescription(String),
    /// Our ICE candidates (`candidate:…` lines), relay-only.
    LocalCandidates(Vec<String>),
    /// ICE and DTLS are up: media flows.
    Connected,
    /// The peer sent `{"hangup": true}` on the data channel.
    RemoteHangup,
    /// The peer's `{"video": …}` on the data channel.
    RemoteVideo(bool),
    /// The connection failed or was lost.
    Failed(String),
}

/// What happened to the audio, for the call history and for tests.
#[derive(Debug, Clone, Default)]
pub struct Recording {
    /// What we heard, aligned to wall-clock: sample 0 is at [`Recording::started`], the
    /// first packet placed at its arrival, the others by their RTP time after it.
    pub samples: Vec<i16>,
    /// The wall-clock time of sample 0.
    pub started: Option<SystemTime>,
    /// Milliseconds after `started` at which our own playback began (media connected).
    pub play_started_ms: Option<u64>,
    /// Audio packets sent and received.
    pub packets_sent: u64,
    /// Audio packets received.
    pub packets_received: u64,
    /// Our relayed address.
    pub relay: Option<SocketAddr>,
    /// Remote candidates refused as not relay.
    pub refused_candidates: usize,
}

pub(crate) enum Command {
    /// The callee's answer.
    RemoteAnswer(String),
    /// The peer's candidates.
    RemoteCandidates(Vec<String>),
    /// End the call.
    HangUp,
}

/// A running media session.
pub struct MediaSession {
    commands: mpsc::UnboundedSender<Command>,
    events: mpsc::UnboundedReceiver<MediaEvent>,
    task: tokio::task::JoinHandle<Result<Recording>>,
}

impl MediaSession {
    /// Allocates a relay, builds the offer or the answer, and starts the media task. The first
    /// events are [`MediaEvent::LocalDescription`] and [`MediaEvent::LocalCandidates`].
    pub async fn start(config: MediaConfig, start: Start) -> Result<Self> {
        let relay = Relay::allocate(config.turn, config.credentials.clone()).await?;
        let (cmd_tx, cmd_rx) = mpsc::unbounded_channel();
        let (ev_tx, ev_rx) = mpsc::unbounded_channel();
        let engine = Engine::new(relay, config.play, ev_tx, start)?;
        let task = tokio::spawn(engine.run(cmd_rx));
        Ok(Self {
            commands: cmd_tx,
            events: ev_rx,
            task,
        })
    }

    /// The next event; `None` once the session has ended.
    pub async fn next_event(&mut self) -> Option<MediaEvent> {
        self.events.recv().await
    }

    /// The callee's answer to our offer.
    pub fn remote_answer(&self, sdp: &str) {
        let _ = self.commands.send(Command::RemoteAnswer(sdp.to_owned()));
    }

    /// The peer's ICE candidates (non-relay ones are refused and counted).
    pub fn remote_candidates(&self, candidates: Vec<String>) {
        let _ = self.commands.send(Command::RemoteCandidates(candidates));
    }

    /// Ends the call: `{"hangup": true}` on the data channel, the relay released, and what
    /// was heard.
    pub async fn hang_up(self) -> Result<Recording> {
        let _ = self.commands.send(Command::HangUp);
        self.task
            .await
            .map_err(|e| Error::Media(format!("media task: {e}")))?
    }
}
