//! The machine's vocabulary: its inputs, its actions, its phases and history entries.

use crate::signal::{CallId, CallSignal, IceCandidate};
use session_crypto::SessionId;

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
