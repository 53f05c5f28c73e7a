//! The call state machine: one device's view of at most one call at a time, as a pure function
//! of (state, [`Input`], now) to (state, [`Action`]s). It never sends, rings or opens media
//! itself; the client does what the actions say and feeds back what happened.
//!
//! ```text
//!            Call ──► Calling ──ANSWER──► Connecting ──MediaConnected──► InCall
//!   Idle ──┤                                  ▲                            │
//!  (Ended)   OFFER ─► Ringing ──Answer────────┘          any end ──► Ended ◄┘
//! ```
//!
//! Every way out is an end: hang up, decline, the peer's `END_CALL`, 60 s without an answer
//! ([`UNANSWERED_MS`]: missed), 60 s connecting without media ([`CONNECT_MS`]: failed), a media
//! failure. An end records one [`HistoryEntry`] and makes the call's UUID terminal: anything
//! later about it is ignored. Received signalling older than the TTL, about another call, from
//! the wrong peer, or that does not fit the phase (an answer when we are not calling) is
//! ignored. An offer from someone who is not an approved contact never rings and never starts
//! media: it is shown as a missed call from a request. An offer while another call is active
//! is refused with `END_CALL` and recorded as missed (desktop's behaviour).
//!
//! ICE is relay-only both ways: every candidate and SDP in an action has passed
//! [`crate::signal::ice`]. Our candidates are batched (sent [`ICE_BATCH_MS`] after the last
//! one, as desktop's debounce) and only once our offer or answer is out; the peer's candidates
//! that arrive before media starts are held (at most [`MAX_CANDIDATES`]) and handed over with it.

mod received;
mod user;

use crate::signal::{CallId, CallSignal, IceCandidate, MAX_CANDIDATES, Signal};
use session_crypto::SessionId;
use std::collections::VecDeque;

/// An unanswered call ends as missed this long after its offer was sent: 60 s (desktop).
pub const UNANSWERED_MS: u64 = 60_000;
/// A call answered but without media this long after the answer ends as failed: 60 s.
pub const CONNECT_MS: u64 = 60_000;
/// Our ICE candidates go out this long after the last one gathered: 2 s (desktop).
pub const ICE_BATCH_MS: u64 = 2_000;
/// How many ended calls' UUIDs are remembered (anything about them is ignored).
pub const ENDED_REMEMBERED: usize = 64;

/// Who started the call.
#[derive(Clone, Copy, Debug, PartialEq, Eq, Hash)]
pub enum Direction {
    /// We called.
    Outgoing,
    /// The peer called.
    Incoming,
}

/// How a call ended, for the history.
#[derive(Clone, Copy, Debug, PartialEq, Eq, Hash)]
pub enum Outcome {
    /// Answered; `duration_ms` counts from media connecting (0 if it never did).
    Answered {
        /// How long media was connected, ms.
        duration_ms: u64,
    },
    /// Not answered: incoming, we did not answer in time, the caller gave up, or we were busy;
    /// outgoing, the peer did not answer in 60 s or we hung up first.
    Missed,
    /// Declined: incoming, by us (on this or another device); outgoing, the peer ended the call
    /// before answering (declined or busy).
    Declined,
    /// Incoming, answered on another of our devices.
    AnsweredElsewhere,
    /// Answered but media never connected (timeout or failure).
    Failed,
}

/// A call for the history.
#[derive(Clone, Debug, PartialEq, Eq)]
pub struct HistoryEntry {
    /// The other party.
    pub peer: SessionId,
    /// The call's UUID.
    pub call: CallId,
    /// Who called.
    pub direction: Direction,
    /// How it ended.
    pub outcome: Outcome,
    /// When it started: our call's start, or the offer's send time, ms.
    pub started_at_ms: u64,
}

/// Our part in the media session, with what media needs to begin.
#[derive(Clone, Debug, PartialEq, Eq)]
pub enum Role {
    /// We call: media creates an offer and reports it as [`Input::LocalOffer`].
    Caller,
    /// We answer: media applies the peer's offer, creates an answer and reports it as
    /// [`Input::LocalAnswer`].
    Callee {
        /// The peer's SDP offer, relay candidates only.
        remote_offer: String,
    },
}

/// Which ICE candidates media may gather and use. There is one policy.
#[derive(Clone, Copy, Debug, PartialEq, Eq)]
#[non_exhaustive]
pub enum IcePolicy {
    /// TURN relay candidates only (WebRTC `iceTransportPolicy: "relay"`).
    RelayOnly,
}

/// What the client must do.
#[derive(Clone, Debug, PartialEq, Eq)]
pub enum Action {
    /// Send this call message to `to` (the peer, or our own account for a sync copy) as a 1:1
    /// message with [`crate::CALL_TTL_MS`].
    Send {
        /// The recipient.
        to: SessionId,
        /// The message.
        signal: CallSignal,
    },
    /// Show an incoming call from an approved contact.
    Ring {
        /// The caller.
        peer: SessionId,
        /// The call.
        call: CallId,
    },
    /// Start media for the call.
    StartMedia {
        /// The peer.
        peer: SessionId,
        /// The call.
        call: CallId,
        /// Offer or answer.
        role: Role,
        /// Always [`IcePolicy::RelayOnly`].
        ice: IcePolicy,
    },
    /// Apply the peer's new offer during a call (ICE restart) and answer it.
    ApplyRemoteOffer {
        /// The SDP, relay candidates only.
        sdp: String,
    },
    /// Apply the peer's answer.
    ApplyRemoteAnswer {
        /// The SDP, relay candidates only.
        sdp: String,
    },
    /// Add the peer's candidates (relay only, never empty).
    AddRemoteCandidates(Vec<IceCandidate>),
    /// Stop media and release devices.
    StopMedia,
    /// Add this call to the history (once per call; the call is over).
    Record(HistoryEntry),
    /// Someone who is not an approved contact called: show a missed call in their message
    /// request; nothing else happened (no ringing, no media, no reply).
    MissedCallFromRequest {
        /// The caller.
        from: SessionId,
        /// Their call.
        call: CallId,
        /// The offer's send time, ms.
        sent_at_ms: u64,
    },
}

/// Where the machine is.
#[derive(Clone, Debug, PartialEq, Eq)]
pub enum Phase {
    /// No call yet.
    Idle,
    /// We called; waiting for an answer.
    Calling {
        /// Whom.
        peer: SessionId,
        /// The call.
        call: CallId,
        /// When we started, ms.
        started_at_ms: u64,
        /// Whether our offer is out (media reported it).
        offer_sent: bool,
    },
    /// An approved contact calls; waiting for the user.
    Ringing {
        /// The caller.
        peer: SessionId,
        /// The call.
        call: CallId,
        /// Their offer, relay candidates only.
        offer: String,
        /// The offer's send time (not after its arrival), ms.
        started_at_ms: u64,
    },
    /// Answered (by us or the peer); media is connecting.
    Connecting {
        /// The peer.
        peer: SessionId,
        /// The call.
        call: CallId,
        /// Who called.
        direction: Direction,
        /// When the call started, ms.
        started_at_ms: u64,
        /// When it was answered, ms.
        answered_at_ms: u64,
    },
    /// Media is connected.
    InCall {
        /// The peer.
        peer: SessionId,
        /// The call.
        call: CallId,
        /// Who called.
        direction: Direction,
        /// When the call started, ms.
        started_at_ms: u64,
        /// When media connected, ms.
        connected_at_ms: u64,
    },
    /// The last call ended (a new one may start, as from `Idle`).
    Ended {
        /// The peer.
        peer: SessionId,
        /// The call.
        call: CallId,
        /// How it ended.
        outcome: Outcome,
    },
}

impl Phase {
    /// The active call's peer and UUID (`None` when idle or ended).
    pub fn active(&self) -> Option<(&SessionId, &CallId)> {
        match self {
            Self::Calling { peer, call, .. }
            | Self::Ringing { peer, call, .. }
            | Self::Connecting { peer, call, .. }
            | Self::InCall { peer, call, .. } => Some((peer, call)),
            Self::Idle | Self::Ended { .. } => None,
        }
    }
}

/// A received call message with what the client knows about it.
#[derive(Clone, Debug, PartialEq, Eq)]
pub struct Received {
    /// The sender (our own ID for a copy from another of our devices).
    pub from: SessionId,
    /// Whether the sender is an approved contact (a call from anyone else never rings).
    pub approved: bool,
    /// The message's send time (its `sigTimestamp`), ms.
    pub sent_at_ms: u64,
    /// The parsed message.
    pub signal: CallSignal,
}

/// What happens to the machine.
#[derive(Clone, Debug, PartialEq, Eq)]
pub enum Input {
    /// The user calls `peer`; `call` is a new [`CallId::random`]. Calling someone approves
    /// them (desktop), so the client approves the contact first.
    Call {
        /// Whom to call.
        peer: SessionId,
        /// The new call's UUID.
        call: CallId,
    },
    /// The user answers the ringing call.
    Answer,
    /// The user declines the ringing call.
    Decline,
    /// The user hangs up (or cancels an outgoing call).
    HangUp,
    /// A call message arrived.
    Received(Received),
    /// Media made our offer (first, or an ICE restart).
    LocalOffer {
        /// The SDP.
        sdp: String,
    },
    /// Media made our answer.
    LocalAnswer {
        /// The SDP.
        sdp: String,
    },
    /// Media gathered candidates.
    LocalCandidates(Vec<IceCandidate>),
    /// Media connected.
    MediaConnected,
    /// Media failed for good.
    MediaFailed,
    /// Time passed (the client ticks at least every second while a call is active).
    Tick,
}

/// One device's call state (see the module documentation).
#[derive(Clone, Debug)]
pub struct Machine {
    me: SessionId,
    phase: Phase,
    ended: VecDeque<CallId>,
    /// Our relay candidates not yet sent.
    outbox: Vec<IceCandidate>,
    /// When the outbox goes out (2 s after its last addition).
    flush_at_ms: Option<u64>,
    /// Whether our offer or answer is out, so candidates may follow.
    can_trickle: bool,
    /// Whether we sent an offer the peer has not answered yet.
    awaiting_answer: bool,
    /// The peer's relay candidates received before media started.
    inbox: Vec<IceCandidate>,
}

/// The machine as a function: `(state, input, now) → (state, actions)`.
pub fn step(mut state: Machine, input: Input, now_ms: u64) -> (Machine, Vec<Action>) {
    let actions = state.handle(input, now_ms);
    (state, actions)
}

impl Machine {
    /// A machine for the account `me` (copies of our own signals from other devices come from
    /// it, and we send it copies of our answers and declines).
    pub fn new(me: SessionId) -> Self {
        Self {
            me,
            phase: Phase::Idle,
            ended: VecDeque::new(),
            outbox: Vec::new(),
            flush_at_ms: None,
            can_trickle: false,
            awaiting_answer: false,
            inbox: Vec::new(),
        }
    }

    /// Where the machine is.
    pub fn phase(&self) -> &Phase {
        &self.phase
    }

    /// Whether a call is active (calling, ringing, connecting or in call).
    pub fn is_busy(&self) -> bool {
        self.phase.active().is_some()
    }

    /// Whether `call` has ended here (anything about it is ignored).
    pub fn has_ended(&self, call: &CallId) -> bool {
        self.ended.contains(call)
    }

    /// When the client must tick next (a deadline of the active call), ms; `None` when idle.
    pub fn next_deadline_ms(&self) -> Option<u64> {
        let phase = match &self.phase {
            Phase::Calling { started_at_ms, .. } | Phase::Ringing { started_at_ms, .. } => {
                Some(started_at_ms.saturating_add(UNANSWERED_MS))
            }
            Phase::Connecting { answered_at_ms, .. } => {
                Some(answered_at_ms.saturating_add(CONNECT_MS))
            }
            _ => None,
        };
        let flush = self.flush_at_ms.filter(|_| self.can_trickle);
        [phase, flush].into_iter().flatten().min()
    }

    /// Feeds one input at `now_ms` (network time); returns what to do, in order. Deadlines
    /// that passed by `now_ms` are handled first, whatever the input.
    pub fn handle(&mut self, input: Input, now_ms: u64) -> Vec<Action> {
        let mut out = Vec::new();
        self.run_timers(now_ms, &mut out);
        match input {
            Input::Tick => {}
            Input::Received(r) => self.on_received(r, now_ms, &mut out),
            other => self.on_local(other, now_ms, &mut out),
        }
        out
    }

    fn run_timers(&mut self, now: u64, out: &mut Vec<Action>) {
        match &self.phase {
            Phase::Calling { started_at_ms, .. }
                if now >= started_at_ms.saturating_add(UNANSWERED_MS) =>
            {
                self.end_with_end_call(Outcome::Missed, now, out);
            }
            Phase::Ringing { started_at_ms, .. }
                if now >= started_at_ms.saturating_add(UNANSWERED_MS) =>
            {
                self.finish(Outcome::Missed, now, out);
            }
            Phase::Connecting { answered_at_ms, .. }
                if now >= answered_at_ms.saturating_add(CONNECT_MS) =>
            {
                self.end_with_end_call(Outcome::Failed, now, out);
            }
            _ => {}
        }
        if self.can_trickle && self.flush_at_ms.is_some_and(|t| now >= t) {
            self.flush_outbox(out);
        }
    }

    /// Sends the batched candidates (if the call is still active).
    fn flush_outbox(&mut self, out: &mut Vec<Action>) {
        self.flush_at_ms = None;
        let batch = std::mem::take(&mut self.outbox);
        if let (Some((peer, call)), false) = (self.phase.active(), batch.is_empty()) {
            out.push(send(*peer, call, Signal::IceCandidates(batch)));
        }
    }

    /// Ends the active call: `END_CALL` to the peer, media stopped, history recorded.
    fn end_with_end_call(&mut self, outcome: Outcome, now: u64, out: &mut Vec<Action>) {
        if let Some((peer, call)) = self.phase.active() {
            out.push(send(*peer, call, Signal::EndCall));
        }
        self.finish(outcome, now, out);
    }

    /// Ends the active call with `outcome`: media stopped (if it may have started), history
    /// recorded, the UUID made terminal. An answered call's duration counts from connection.
    fn finish(&mut self, outcome: Outcome, now: u64, out: &mut Vec<Action>) {
        let (peer, call, direction, started_at_ms, outcome, media) = match &self.phase {
            Phase::Calling {
                peer,
                call,
                started_at_ms,
                ..
            } => (
                peer,
                call,
                Direction::Outgoing,
                started_at_ms,
                outcome,
                true,
            ),
            Phase::Ringing {
                peer,
                call,
                started_at_ms,
                ..
            } => (
                peer,
                call,
                Direction::Incoming,
                started_at_ms,
                outcome,
                false,
            ),
            Phase::Connecting {
                peer,
                call,
                direction,
                started_at_ms,
                ..
            } => (peer, call, *direction, started_at_ms, outcome, true),
            Phase::InCall {
                peer,
                call,
                direction,
                started_at_ms,
                connected_at_ms,
            } => {
                let duration_ms = now.saturating_sub(*connected_at_ms);
                let outcome = match outcome {
                    Outcome::Failed | Outcome::Answered { .. } => Outcome::Answered { duration_ms },
                    other => other,
                };
                (peer, call, *direction, started_at_ms, outcome, true)
            }
            Phase::Idle | Phase::Ended { .. } => return,
        };
        if media {
            out.push(Action::StopMedia);
        }
        let entry = HistoryEntry {
            peer: *peer,
            call: call.clone(),
            direction,
            outcome,
            started_at_ms: *started_at_ms,
        };
        self.remember_ended(entry.call.clone());
        self.phase = Phase::Ended {
            peer: entry.peer,
            call: entry.call.clone(),
            outcome,
        };
        out.push(Action::Record(entry));
        self.outbox.clear();
        self.inbox.clear();
        self.flush_at_ms = None;
        self.can_trickle = false;
        self.awaiting_answer = false;
    }

    fn remember_ended(&mut self, call: CallId) {
        if self.ended.contains(&call) {
            return;
        }
        if self.ended.len() == ENDED_REMEMBERED {
            self.ended.pop_front();
        }
        self.ended.push_back(call);
    }
}

/// `Send` of `signal` about `call` to `to`.
fn send(to: SessionId, call: &CallId, signal: Signal) -> Action {
    Action::Send {
        to,
        signal: CallSignal {
            call: call.clone(),
            signal,
        },
    }
}

/// Appends relay candidates to a bounded buffer (the excess is dropped).
fn push_bounded(buf: &mut Vec<IceCandidate>, cands: Vec<IceCandidate>) {
    let room = MAX_CANDIDATES.saturating_sub(buf.len());
    buf.extend(cands.into_iter().take(room));
}
