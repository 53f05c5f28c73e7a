//! The call loop: polls bring call messages, the media session reports its progress, a timer
//! ticks the machine; every action the machine returns is carried out here.

use super::{ACTIVE_FILE, CallEvent, CallOptions, CallReport, HANGUP_FILE, home_file};
use crate::chat::{Chat, WATCH_INTERVAL, local};
use crate::error::{Error, Result};
use crate::history::ContactState;
use session_call::machine::Role;
use session_call::turn::Credentials;
use session_call::{
    Action, CALL_TTL_MS, CallId, CallSignal, Direction, HistoryEntry, IceCandidate, Input, Machine,
    Outcome, Phase, Received,
};
use session_crypto::SessionId;
use session_media::{MediaConfig, MediaEvent, MediaSession, Start};
use session_protocol::content::Expiry;
use std::time::{Duration, Instant};

/// The loop's state around the machine.
pub(super) struct Driver<'a> {
    chat: &'a mut Chat,
    machine: Machine,
    media: Option<MediaSession>,
    opts: CallOptions,
    /// The newest call-message row already fed to the machine.
    cursor: i64,
    report: CallReport,
    started: Instant,
    hang_up_at: Option<tokio::time::Instant>,
    /// Whether `answer` should pick up the next ringing call.
    auto_answer: bool,
    /// The call this driver placed or answered (its end ends the run).
    engaged: Option<CallId>,
}

impl<'a> Driver<'a> {
    pub(super) fn new(chat: &'a mut Chat, opts: CallOptions) -> Result<Self> {
        let me = chat.messenger().account().session_id();
        let cursor = chat.history().last_call_signal().map_err(local)?;
        Ok(Self {
            chat,
            machine: Machine::new(me),
            media: None,
            opts,
            cursor,
            report: CallReport::default(),
            started: Instant::now(),
            hang_up_at: None,
            auto_answer: false,
            engaged: None,
        })
    }

    pub(super) async fn call(
        mut self,
        peer: SessionId,
        on: &mut dyn FnMut(&CallEvent),
    ) -> Result<CallReport> {
        self.require_turn()?;
        let call = CallId::random(&mut rand::rng());
        on(&CallEvent::Calling {
            peer,
            call: call.clone(),
        });
        self.engaged = Some(call.clone());
        self.started = Instant::now();
        let actions = self.machine.handle(Input::Call { peer, call }, self.now());
        self.run(actions, None, on).await
    }

    pub(super) async fn answer(
        mut self,
        wait: Duration,
        on: &mut dyn FnMut(&CallEvent),
    ) -> Result<CallReport> {
        self.require_turn()?;
        self.auto_answer = true;
        // a call that rang before we started counts: its messages are in the history
        self.cursor = 0;
        let deadline = tokio::time::Instant::now() + wait;
        self.run(Vec::new(), Some(deadline), on).await
    }

    pub(super) async fn decline(mut self) -> Result<Option<HistoryEntry>> {
        self.cursor = 0;
        self.chat.poll().await?;
        let mut actions = self.feed_signals()?;
        if matches!(self.machine.phase(), Phase::Ringing { .. }) {
            actions.extend(self.machine.handle(Input::Decline, self.now()));
        }
        self.execute(actions, &mut |_| {}).await?;
        Ok(self.report.entry)
    }

    /// Calls need the network's TURN relay: without one, fail before anything is sent.
    fn require_turn(&self) -> Result<()> {
        match self.chat.turn() {
            Some(_) => Ok(()),
            None => Err(Error::Local(
                "the network names no TURN relay: calls need one".into(),
            )),
        }
    }

    fn now(&self) -> u64 {
        self.chat.messenger().now_ms()
    }

    /// Runs until the machine has recorded the call (or, waiting for one, until `deadline`).
    async fn run(
        mut self,
        first: Vec<Action>,
        deadline: Option<tokio::time::Instant>,
        on: &mut dyn FnMut(&CallEvent),
    ) -> Result<CallReport> {
        let active = home_file(self.chat.home_dir(), ACTIVE_FILE);
        let hangup = home_file(self.chat.home_dir(), HANGUP_FILE);
        if let Some(h) = &hangup {
            let _ = std::fs::remove_file(h);
        }
        if let Some(a) = &active {
            let _ = std::fs::write(a, b"call\n");
        }
        let result = self.run_loop(first, deadline, hangup.as_deref(), on).await;
        if let Some(a) = &active {
            let _ = std::fs::remove_file(a);
        }
        if let Some(media) = self.media.take() {
            self.report.recording = media.hang_up().await.ok();
        }
        result.map(|()| self.report)
    }

    async fn run_loop(
        &mut self,
        first: Vec<Action>,
        deadline: Option<tokio::time::Instant>,
        hangup: Option<&std::path::Path>,
        on: &mut dyn FnMut(&CallEvent),
    ) -> Result<()> {
        self.execute(first, on).await?;
        let mut poll = tokio::time::interval(WATCH_INTERVAL);
        while self.report.entry.is_none() {
            let waiting = matches!(self.machine.phase(), Phase::Idle | Phase::Ended { .. });
            if waiting && deadline.is_some_and(|d| tokio::time::Instant::now() >= d) {
                return Ok(());
            }
            let far = tokio::time::Instant::now() + Duration::from_secs(3600);
            let media = async {
                match self.media.as_mut() {
                    Some(m) => m.next_event().await,
                    None => std::future::pending().await,
                }
            };
            let input = tokio::select! {
                _ = poll.tick() => None,
                ev = media => Some(self.media_input(ev)),
                () = tokio::time::sleep_until(self.hang_up_at.unwrap_or(far)) => {
                    self.hang_up_at = None;
                    Some(Input::HangUp)
                }
            };
            let mut actions = Vec::new();
            match input {
                Some(i) => actions.extend(self.machine.handle(i, self.now())),
                None => {
                    if let Err(e) = self.chat.poll().await {
                        tracing::debug!(error = %e, "poll during a call failed");
                    }
                    actions.extend(self.feed_signals()?);
                    if hangup.is_some_and(|h| std::fs::remove_file(h).is_ok()) {
                        actions.extend(self.machine.handle(Input::HangUp, self.now()));
                    }
                    actions.extend(self.machine.handle(Input::Tick, self.now()));
                }
            }
            self.execute(actions, on).await?;
        }
        Ok(())
    }

    fn media_input(&mut self, ev: Option<MediaEvent>) -> Input {
        let caller = matches!(self.machine.phase(), Phase::Calling { .. });
        match ev {
            Some(MediaEvent::LocalDescription(sdp)) if caller => Input::LocalOffer { sdp },
            Some(MediaEvent::LocalDescription(sdp)) => Input::LocalAnswer { sdp },
            Some(MediaEvent::LocalCandidates(lines)) => Input::LocalCandidates(
                lines
                    .into_iter()
                    .map(|candidate| IceCandidate {
                        candidate,
                        sdp_m_line_index: 0,
                        sdp_mid: "0".into(),
                    })
                    .collect(),
            ),
            Some(MediaEvent::Connected) => Input::MediaConnected,
            Some(MediaEvent::RemoteHangup) => Input::HangUp,
            Some(MediaEvent::RemoteVideo(_)) => Input::Tick,
            Some(MediaEvent::Failed(why)) => {
                tracing::info!(%why, "call media failed");
                Input::MediaFailed
            }
            None => {
                self.media = None;
                Input::MediaFailed
            }
        }
    }

    /// The call messages kept since the cursor, as machine inputs (oldest first).
    fn feed_signals(&mut self) -> Result<Vec<Action>> {
        let since = self.now().saturating_sub(CALL_TTL_MS);
        let rows = self
            .chat
            .history()
            .call_signals(self.cursor, since)
            .map_err(local)?;
        let mut out = Vec::new();
        for (id, c) in rows {
            self.cursor = self.cursor.max(id);
            if self
                .chat
                .history()
                .has_call(c.signal.call.as_str())
                .map_err(local)?
            {
                continue; // over and recorded
            }
            let Ok(from) = c.sender.parse::<SessionId>() else {
                continue;
            };
            let approved = self.chat.peer_state(&c.sender)? == Some(ContactState::Approved);
            let r = Received {
                from,
                approved,
                sent_at_ms: c.sent_at_ms,
                signal: c.signal,
            };
            out.extend(self.machine.handle(Input::Received(r), self.now()));
        }
        Ok(out)
    }

    async fn execute(
        &mut self,
        actions: Vec<Action>,
        on: &mut dyn FnMut(&CallEvent),
    ) -> Result<()> {
        let mut queue: std::collections::VecDeque<Action> = actions.into();
        while let Some(a) = queue.pop_front() {
            match a {
                Action::Send { to, signal } => self.send(&to, &signal).await?,
                Action::Ring { peer, call } => {
                    on(&CallEvent::Ringing {
                        peer,
                        call: call.clone(),
                    });
                    self.engaged = Some(call);
                    if self.auto_answer {
                        self.started = Instant::now();
                        queue.extend(self.machine.handle(Input::Answer, self.now()));
                    }
                }
                Action::StartMedia { role, .. } => self.start_media(role).await?,
                Action::ApplyRemoteOffer { .. } => {
                    tracing::info!("a renegotiation offer was ignored (not supported yet)");
                }
                Action::ApplyRemoteAnswer { sdp } => {
                    if let Some(m) = &self.media {
                        m.remote_answer(&sdp);
                    }
                }
                Action::AddRemoteCandidates(c) => {
                    if let Some(m) = &self.media {
                        m.remote_candidates(c.into_iter().map(|c| c.candidate).collect());
                    }
                }
                Action::StopMedia => {
                    if let Some(m) = self.media.take() {
                        self.report.recording = m.hang_up().await.ok();
                    }
                }
                Action::Record(entry) => {
                    self.chat
                        .history()
                        .record_call(&entry, false)
                        .map_err(local)?;
                    // a stale offer found while waiting is recorded, not reported
                    if self.engaged.as_ref() == Some(&entry.call) {
                        on(&CallEvent::Ended(entry.clone()));
                        self.report.entry = Some(entry);
                    }
                }
                Action::MissedCallFromRequest {
                    from,
                    call,
                    sent_at_ms,
                } => {
                    let entry = HistoryEntry {
                        peer: from,
                        call,
                        direction: Direction::Incoming,
                        outcome: Outcome::Missed,
                        started_at_ms: sent_at_ms,
                    };
                    self.chat
                        .history()
                        .record_call(&entry, true)
                        .map_err(local)?;
                    on(&CallEvent::MissedFromRequest { from });
                }
            }
        }
        // media connecting gives no action: look at the phase after every input
        if let (Phase::InCall { .. }, None) = (self.machine.phase(), self.report.setup_ms) {
            let setup_ms = self.started.elapsed().as_millis() as u64;
            self.report.setup_ms = Some(setup_ms);
            on(&CallEvent::Connected { setup_ms });
            self.hang_up_at = self.opts.duration.map(|d| tokio::time::Instant::now() + d);
        }
        Ok(())
    }

    async fn start_media(&mut self, role: Role) -> Result<()> {
        let turn = self
            .chat
            .turn()
            .ok_or_else(|| Error::Local("no TURN relay".into()))?;
        let config = MediaConfig {
            turn: turn.addr,
            credentials: Credentials::new(turn.username.clone(), turn.credential.clone()),
            play: self.opts.play.clone(),
        };
        let start = match role {
            Role::Caller => Start::Offer,
            Role::Callee { remote_offer } => Start::Answer(remote_offer),
        };
        match MediaSession::start(config, start).await {
            Ok(m) => self.media = Some(m),
            Err(e) => {
                tracing::info!(error = %e, "call media did not start");
                let actions = self.machine.handle(Input::MediaFailed, self.now());
                Box::pin(self.execute(actions, &mut |_| {})).await?;
            }
        }
        Ok(())
    }

    /// Sends a call message 1:1 with Session's 5-minute TTL (to our own account too, for the
    /// copies our other devices need).
    async fn send(&self, to: &SessionId, signal: &CallSignal) -> Result<()> {
        let sent_ms = self.now();
        let content = signal.to_content(sent_ms, Expiry::Off);
        let messenger = self.chat.messenger();
        let (bytes, _hash) = messenger.seal(to, &content, sent_ms)?;
        messenger.store(to, &bytes, sent_ms, CALL_TTL_MS).await?;
        Ok(())
    }
}
