//! The user's actions (call, answer, decline, hang up) and media's reports (our offer, answer
//! and candidates; connected; failed).

use super::{
    Action, Direction, ICE_BATCH_MS, IcePolicy, Input, Machine, Outcome, Phase, Role, push_bounded,
    send,
};
use crate::signal::ice::{self, Way};
use crate::signal::{CallId, IceCandidate, MAX_CANDIDATES, Signal};
use session_crypto::SessionId;

impl Machine {
    pub(super) fn on_local(&mut self, input: Input, now: u64, out: &mut Vec<Action>) {
        match input {
            Input::Call { peer, call } => self.start_call(peer, call, now, out),
            Input::Answer => self.answer(now, out),
            Input::Decline => self.decline(now, out),
            Input::HangUp => self.hang_up(now, out),
            Input::LocalOffer { sdp } => self.local_offer(&sdp, out),
            Input::LocalAnswer { sdp } => self.local_answer(&sdp, out),
            Input::LocalCandidates(c) => self.local_candidates(&c, now, out),
            Input::MediaConnected => self.media_connected(now),
            Input::MediaFailed => self.media_failed(now, out),
            Input::Tick | Input::Received(_) => {}
        }
    }

    /// Pre-offer first (it wakes the callee's devices), then media, which makes the offer.
    fn start_call(&mut self, peer: SessionId, call: CallId, now: u64, out: &mut Vec<Action>) {
        if self.is_busy() || peer == self.me || self.has_ended(&call) {
            return;
        }
        out.push(send(peer, &call, Signal::PreOffer));
        out.push(Action::StartMedia {
            peer,
            call: call.clone(),
            role: Role::Caller,
            ice: IcePolicy::RelayOnly,
        });
        self.phase = Phase::Calling {
            peer,
            call,
            started_at_ms: now,
            offer_sent: false,
        };
    }

    /// Media starts with the caller's offer and the candidates that came with it.
    fn answer(&mut self, now: u64, out: &mut Vec<Action>) {
        let Phase::Ringing {
            peer,
            call,
            offer,
            started_at_ms,
        } = &self.phase
        else {
            return;
        };
        out.push(Action::StartMedia {
            peer: *peer,
            call: call.clone(),
            role: Role::Callee {
                remote_offer: offer.clone(),
            },
            ice: IcePolicy::RelayOnly,
        });
        let held = std::mem::take(&mut self.inbox);
        if !held.is_empty() {
            out.push(Action::AddRemoteCandidates(held));
        }
        self.phase = Phase::Connecting {
            peer: *peer,
            call: call.clone(),
            direction: Direction::Incoming,
            started_at_ms: *started_at_ms,
            answered_at_ms: now,
        };
    }

    /// `END_CALL` to the caller and to our own account (our other devices stop ringing).
    fn decline(&mut self, now: u64, out: &mut Vec<Action>) {
        let Phase::Ringing { peer, call, .. } = &self.phase else {
            return;
        };
        out.push(send(*peer, call, Signal::EndCall));
        out.push(send(self.me, call, Signal::EndCall));
        self.finish(Outcome::Declined, now, out);
    }

    fn hang_up(&mut self, now: u64, out: &mut Vec<Action>) {
        match self.phase {
            Phase::Ringing { .. } => self.decline(now, out),
            Phase::Calling { .. } => self.end_with_end_call(Outcome::Missed, now, out),
            Phase::Connecting { .. } | Phase::InCall { .. } => {
                self.end_with_end_call(Outcome::Answered { duration_ms: 0 }, now, out);
            }
            Phase::Idle | Phase::Ended { .. } => {}
        }
    }

    /// Our offer: the first one of an outgoing call, or an ICE restart during it.
    fn local_offer(&mut self, sdp: &str, out: &mut Vec<Action>) {
        let restart = matches!(
            self.phase,
            Phase::Connecting {
                direction: Direction::Outgoing,
                ..
            } | Phase::InCall {
                direction: Direction::Outgoing,
                ..
            }
        );
        let first = match &mut self.phase {
            Phase::Calling { offer_sent, .. } if !*offer_sent => {
                *offer_sent = true;
                true
            }
            _ => false,
        };
        let Some((peer, call)) = self.phase.active().filter(|_| first || restart) else {
            return;
        };
        let sdp = ice::filter_sdp(sdp, Way::Outgoing);
        out.push(send(*peer, call, Signal::Offer { sdp }));
        self.can_trickle = true;
        self.awaiting_answer = true;
    }

    /// Our answer goes to the caller; the first also to our own account (our other devices
    /// stop ringing).
    fn local_answer(&mut self, sdp: &str, out: &mut Vec<Action>) {
        let (Phase::Connecting {
            peer,
            call,
            direction: Direction::Incoming,
            ..
        }
        | Phase::InCall {
            peer,
            call,
            direction: Direction::Incoming,
            ..
        }) = &self.phase
        else {
            return;
        };
        let sdp = ice::filter_sdp(sdp, Way::Outgoing);
        out.push(send(*peer, call, Signal::Answer { sdp: sdp.clone() }));
        if !self.can_trickle {
            out.push(send(self.me, call, Signal::Answer { sdp }));
        }
        self.can_trickle = true;
    }

    /// Relay candidates are batched; the batch goes out 2 s after the last one (at once when
    /// full), and never before our offer or answer.
    fn local_candidates(&mut self, cands: &[IceCandidate], now: u64, out: &mut Vec<Action>) {
        let media = matches!(
            self.phase,
            Phase::Calling { .. } | Phase::Connecting { .. } | Phase::InCall { .. }
        );
        let kept = ice::filter(cands, Way::Outgoing);
        if !media || kept.is_empty() {
            return;
        }
        push_bounded(&mut self.outbox, kept);
        self.flush_at_ms = Some(now.saturating_add(ICE_BATCH_MS));
        if self.can_trickle && self.outbox.len() >= MAX_CANDIDATES {
            self.flush_outbox(out);
        }
    }

    fn media_connected(&mut self, now: u64) {
        if let Phase::Connecting {
            peer,
            call,
            direction,
            started_at_ms,
            ..
        } = &self.phase
        {
            self.phase = Phase::InCall {
                peer: *peer,
                call: call.clone(),
                direction: *direction,
                started_at_ms: *started_at_ms,
                connected_at_ms: now,
            };
        }
    }

    /// A connected call ends as answered (with its duration), an unconnected one as failed.
    fn media_failed(&mut self, now: u64, out: &mut Vec<Action>) {
        if matches!(
            self.phase,
            Phase::Calling { .. } | Phase::Connecting { .. } | Phase::InCall { .. }
        ) {
            self.end_with_end_call(Outcome::Failed, now, out);
        }
    }
}
