//! Received call messages: offers, answers, candidates and ends from the peer, and copies of
//! our own answers and declines from our other devices.

use super::{
    Action, Direction, HistoryEntry, Machine, Outcome, Phase, Received, UNANSWERED_MS,
    push_bounded, send,
};
use crate::signal::ice::{self, Way};
use crate::signal::{CallId, IceCandidate, Signal, is_stale};
use session_crypto::SessionId;

impl Machine {
    pub(super) fn on_received(&mut self, r: Received, now: u64, out: &mut Vec<Action>) {
        if is_stale(r.sent_at_ms, now) || self.has_ended(&r.signal.call) {
            return;
        }
        if r.from == self.me {
            self.on_own_copy(&r, now, out);
            return;
        }
        match &r.signal.signal {
            Signal::PreOffer | Signal::ProvisionalAnswer => {}
            Signal::Offer { sdp } => self.on_offer(&r, sdp, now, out),
            Signal::Answer { sdp } => self.on_answer(&r.from, &r.signal.call, sdp, now, out),
            Signal::IceCandidates(c) => self.on_candidates(&r.from, &r.signal.call, c, out),
            Signal::EndCall => self.on_end_call(&r.from, &r.signal.call, now, out),
        }
    }

    /// Whether the active call is `call` with `peer`.
    fn is_active_with(&self, peer: &SessionId, call: &CallId) -> bool {
        self.phase.active() == Some((peer, call))
    }

    /// Another of our devices answered or declined the call ringing here: stop ringing.
    fn on_own_copy(&mut self, r: &Received, now: u64, out: &mut Vec<Action>) {
        let ringing = matches!(&self.phase, Phase::Ringing { call, .. } if *call == r.signal.call);
        let outcome = match r.signal.signal {
            Signal::Answer { .. } => Outcome::AnsweredElsewhere,
            Signal::EndCall => Outcome::Declined,
            _ => return,
        };
        if ringing {
            self.finish(outcome, now, out);
        }
    }

    fn on_offer(&mut self, r: &Received, sdp: &str, now: u64, out: &mut Vec<Action>) {
        let call = &r.signal.call;
        if let Some((peer, active)) = self.phase.active()
            && active == call
        {
            if *peer == r.from {
                self.on_renegotiation(sdp, out);
            }
            return;
        }
        if !r.approved {
            out.push(Action::MissedCallFromRequest {
                from: r.from,
                call: call.clone(),
                sent_at_ms: r.sent_at_ms,
            });
            self.remember_ended(call.clone());
            return;
        }
        let started_at_ms = r.sent_at_ms.min(now);
        if now - started_at_ms >= UNANSWERED_MS {
            // The caller has given up by now (desktop: "too old").
            self.record_missed(r.from, call, started_at_ms, out);
        } else if self.is_busy() {
            out.push(send(r.from, call, Signal::EndCall));
            self.record_missed(r.from, call, started_at_ms, out);
        } else {
            out.push(Action::Ring {
                peer: r.from,
                call: call.clone(),
            });
            self.phase = Phase::Ringing {
                peer: r.from,
                call: call.clone(),
                offer: ice::filter_sdp(sdp, Way::Incoming),
                started_at_ms,
            };
        }
    }

    /// A call that never became the active one, recorded as missed.
    fn record_missed(
        &mut self,
        peer: SessionId,
        call: &CallId,
        started: u64,
        out: &mut Vec<Action>,
    ) {
        self.remember_ended(call.clone());
        out.push(Action::Record(HistoryEntry {
            peer,
            call: call.clone(),
            direction: Direction::Incoming,
            outcome: Outcome::Missed,
            started_at_ms: started,
        }));
    }

    /// A new offer in the call the peer started (an ICE restart): media answers it.
    fn on_renegotiation(&mut self, sdp: &str, out: &mut Vec<Action>) {
        if let Phase::Connecting { direction, .. } | Phase::InCall { direction, .. } = &self.phase
            && *direction == Direction::Incoming
        {
            out.push(Action::ApplyRemoteOffer {
                sdp: ice::filter_sdp(sdp, Way::Incoming),
            });
        }
    }

    fn on_answer(
        &mut self,
        from: &SessionId,
        call: &CallId,
        sdp: &str,
        now: u64,
        out: &mut Vec<Action>,
    ) {
        if !self.awaiting_answer || !self.is_active_with(from, call) {
            return;
        }
        let sdp = ice::filter_sdp(sdp, Way::Incoming);
        match &self.phase {
            Phase::Calling { started_at_ms, .. } => {
                out.push(Action::ApplyRemoteAnswer { sdp });
                let held = std::mem::take(&mut self.inbox);
                if !held.is_empty() {
                    out.push(Action::AddRemoteCandidates(held));
                }
                self.phase = Phase::Connecting {
                    peer: *from,
                    call: call.clone(),
                    direction: Direction::Outgoing,
                    started_at_ms: *started_at_ms,
                    answered_at_ms: now,
                };
            }
            // The answer to our ICE-restart offer.
            Phase::Connecting { .. } | Phase::InCall { .. } => {
                out.push(Action::ApplyRemoteAnswer { sdp });
            }
            _ => return,
        }
        self.awaiting_answer = false;
    }

    fn on_candidates(
        &mut self,
        from: &SessionId,
        call: &CallId,
        cands: &[IceCandidate],
        out: &mut Vec<Action>,
    ) {
        if !self.is_active_with(from, call) {
            return;
        }
        let kept = ice::filter(cands, Way::Incoming);
        if kept.is_empty() {
            return;
        }
        match &self.phase {
            // No remote description yet: held until media can take them.
            Phase::Calling { .. } | Phase::Ringing { .. } => push_bounded(&mut self.inbox, kept),
            _ => out.push(Action::AddRemoteCandidates(kept)),
        }
    }

    fn on_end_call(&mut self, from: &SessionId, call: &CallId, now: u64, out: &mut Vec<Action>) {
        if !self.is_active_with(from, call) {
            // An end for a call we have not seen (yet): its offer must not ring later. An end
            // for the active call's UUID from someone else is ignored.
            if self.phase.active().is_none_or(|(_, active)| active != call) {
                self.remember_ended(call.clone());
            }
            return;
        }
        let outcome = match self.phase {
            Phase::Calling { .. } => Outcome::Declined,
            Phase::Ringing { .. } => Outcome::Missed,
            _ => Outcome::Answered { duration_ms: 0 },
        };
        self.finish(outcome, now, out);
    }
}
