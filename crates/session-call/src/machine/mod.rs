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
mod types;
mod user;

pub use types::{
    Action, Direction, HistoryEntry, IcePolicy, Input, Outcome, Phase, Received, Role,
};

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
