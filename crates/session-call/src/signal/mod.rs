//! Call signalling: what the two ends of a call tell each other, as Session's `CallMessage`
//! inside a 1:1 `Content` (spec/crypto.md §2.4, §7).
//!
//! A call is a UUID ([`CallId`]) and a sequence of [`Signal`]s: the caller sends `PRE_OFFER`
//! (wakes the callee's devices) then `OFFER` (the SDP offer); the callee answers with `ANSWER`
//! (the SDP answer, also sent to its own account so its other devices stop ringing); both send
//! `ICE_CANDIDATES` batches; either ends with `END_CALL`. `PROVISIONAL_ANSWER` exists in the
//! schema but no client sends it. Each is stored with a 5-minute TTL ([`CALL_TTL_MS`]) and is
//! ignored once older than that ([`is_stale`]).
//!
//! [`CallSignal::from_proto`] parses a received message strictly: Session's required fields,
//! a UUID in canonical syntax, exactly one SDP for offers and answers, parallel candidate arrays
//! of equal length, and size limits on everything. [`ice`] classifies candidates and filters
//! SDP bodies so that only relay candidates go out or come in.

pub mod ice;

use crate::error::{Error, Result};
use rand_core::CryptoRng;
use session_protocol::content::Expiry;
use session_protocol::proto::{CallMessage, Content, Validate, call_message, content};
use std::fmt;

/// Store TTL of call messages, and the age past which received signalling is ignored: 5 min.
pub const CALL_TTL_MS: u64 = 5 * 60 * 1000;
/// Most SDP bytes accepted in an offer or answer (a browser's audio+video offer is ~6 KB).
pub const MAX_SDP_BYTES: usize = 32 * 1024;
/// Most candidates in one `ICE_CANDIDATES` message, received or sent.
pub const MAX_CANDIDATES: usize = 64;
/// Most bytes of one candidate string.
pub const MAX_CANDIDATE_BYTES: usize = 1024;
/// Most bytes of one `sdpMid`.
pub const MAX_MID_BYTES: usize = 64;

/// Whether signalling sent at `sent_at_ms` is too old to act on at `now_ms`: older than
/// [`CALL_TTL_MS`] (its store TTL; a node would no longer hold it).
pub fn is_stale(sent_at_ms: u64, now_ms: u64) -> bool {
    now_ms.saturating_sub(sent_at_ms) > CALL_TTL_MS
}

/// A call's UUID as it travels in `CallMessage.uuid`: 36 characters, hex digits in groups of
/// 8-4-4-4-12. Either case is accepted (iOS writes upper case) and kept as received, so replies
/// carry the caller's exact string; comparison is exact, as in desktop.
#[derive(Clone, PartialEq, Eq, Hash, PartialOrd, Ord)]
pub struct CallId(String);

impl CallId {
    /// Parses a UUID in canonical syntax (any version).
    pub fn parse(s: &str) -> Result<Self> {
        let b = s.as_bytes();
        let ok = b.len() == 36
            && b.iter().enumerate().all(|(i, c)| match i {
                8 | 13 | 18 | 23 => *c == b'-',
                _ => c.is_ascii_hexdigit(),
            });
        if ok {
            Ok(Self(s.to_owned()))
        } else {
            Err(Error::BadUuid)
        }
    }

    /// A new random (version 4) UUID in lower case, as desktop's `uuidv4()`.
    pub fn random(rng: &mut impl CryptoRng) -> Self {
        let mut b = [0u8; 16];
        rng.fill_bytes(&mut b);
        b[6] = (b[6] & 0x0f) | 0x40;
        b[8] = (b[8] & 0x3f) | 0x80;
        let h: String = b.iter().map(|x| format!("{x:02x}")).collect();
        Self(format!(
            "{}-{}-{}-{}-{}",
            &h[..8],
            &h[8..12],
            &h[12..16],
            &h[16..20],
            &h[20..]
        ))
    }

    /// The UUID as sent.
    pub fn as_str(&self) -> &str {
        &self.0
    }
}

impl fmt::Display for CallId {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        f.write_str(&self.0)
    }
}

impl fmt::Debug for CallId {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        write!(f, "CallId({})", self.0)
    }
}

impl std::str::FromStr for CallId {
    type Err = Error;
    fn from_str(s: &str) -> Result<Self> {
        Self::parse(s)
    }
}

/// One ICE candidate as `ICE_CANDIDATES` carries it: the three parallel arrays' entries.
#[derive(Clone, PartialEq, Eq, Hash)]
pub struct IceCandidate {
    /// The candidate attribute (`candidate:… typ relay …`), from `sdps`.
    pub candidate: String,
    /// The index of the media section it belongs to, from `sdpMLineIndexes`.
    pub sdp_m_line_index: u32,
    /// The media section's `mid`, from `sdpMids`.
    pub sdp_mid: String,
}

impl fmt::Debug for IceCandidate {
    /// Only the candidate's type: its text holds addresses.
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        let kind = ice::candidate_type(&self.candidate).ok();
        write!(
            f,
            "IceCandidate({kind:?}, {}/{})",
            self.sdp_m_line_index, self.sdp_mid
        )
    }
}

/// What one call message says.
#[derive(Clone, Debug, PartialEq, Eq)]
pub enum Signal {
    /// `PRE_OFFER`: a call is coming (sent before the offer; no SDP).
    PreOffer,
    /// `OFFER`: the caller's SDP offer (also sent again during a call to restart ICE).
    Offer {
        /// The SDP.
        sdp: String,
    },
    /// `ANSWER`: the callee's SDP answer.
    Answer {
        /// The SDP.
        sdp: String,
    },
    /// `PROVISIONAL_ANSWER`: in the schema, sent by no client, ignored on receipt.
    ProvisionalAnswer,
    /// `ICE_CANDIDATES`: a batch of candidates (at least one).
    IceCandidates(Vec<IceCandidate>),
    /// `END_CALL`: hang up, decline, cancel or refuse as busy.
    EndCall,
}

impl Signal {
    /// The `CallMessage.Type` name, for logs and errors.
    pub fn kind(&self) -> &'static str {
        kind_name(self.proto_type())
    }

    fn proto_type(&self) -> call_message::Type {
        use call_message::Type as T;
        match self {
            Self::PreOffer => T::PreOffer,
            Self::Offer { .. } => T::Offer,
            Self::Answer { .. } => T::Answer,
            Self::ProvisionalAnswer => T::ProvisionalAnswer,
            Self::IceCandidates(_) => T::IceCandidates,
            Self::EndCall => T::EndCall,
        }
    }

    /// Whether the message carries the conversation's disappearing setting: offers, answers
    /// and ends do (forced to delete-after-read, as desktop), pre-offers and candidates never.
    fn carries_expiry(&self) -> bool {
        matches!(
            self,
            Self::Offer { .. } | Self::Answer { .. } | Self::EndCall
        )
    }
}

fn kind_name(t: call_message::Type) -> &'static str {
    use call_message::Type as T;
    match t {
        T::PreOffer => "PRE_OFFER",
        T::Offer => "OFFER",
        T::Answer => "ANSWER",
        T::ProvisionalAnswer => "PROVISIONAL_ANSWER",
        T::IceCandidates => "ICE_CANDIDATES",
        T::EndCall => "END_CALL",
    }
}

/// A call message: which call, and what it says.
#[derive(Clone, Debug, PartialEq, Eq)]
pub struct CallSignal {
    /// The call's UUID.
    pub call: CallId,
    /// What the message says.
    pub signal: Signal,
}

impl CallSignal {
    /// The `CallMessage`, fields as desktop fills them (only the arrays the kind uses).
    pub fn to_proto(&self) -> CallMessage {
        let mut msg = CallMessage {
            r#type: Some(self.signal.proto_type() as i32),
            uuid: Some(self.call.0.clone()),
            ..Default::default()
        };
        match &self.signal {
            Signal::Offer { sdp } | Signal::Answer { sdp } => msg.sdps = vec![sdp.clone()],
            Signal::IceCandidates(cands) => {
                msg.sdps = cands.iter().map(|c| c.candidate.clone()).collect();
                msg.sdp_m_line_indexes = cands.iter().map(|c| c.sdp_m_line_index).collect();
                msg.sdp_mids = cands.iter().map(|c| c.sdp_mid.clone()).collect();
            }
            Signal::PreOffer | Signal::ProvisionalAnswer | Signal::EndCall => {}
        }
        msg
    }

    /// The 1:1 `Content` to send at `sent_at_ms` in a conversation whose disappearing setting
    /// is `expiry`, as desktop builds it: `callMessage`, then `expirationType` and
    /// `expirationTimer` always present (`UNKNOWN`/0 when off, and always for pre-offers and
    /// candidates; otherwise `DELETE_AFTER_READ` with the conversation's timer, also for a
    /// delete-after-send conversation), then `sigTimestamp`.
    pub fn to_content(&self, sent_at_ms: u64, expiry: Expiry) -> Content {
        let (kind, secs) = match expiry {
            Expiry::AfterSend(s) | Expiry::AfterRead(s)
                if s > 0 && self.signal.carries_expiry() =>
            {
                (content::ExpirationType::DeleteAfterRead, s)
            }
            _ => (content::ExpirationType::Unknown, 0),
        };
        Content {
            call_message: Some(self.to_proto()),
            expiration_type: Some(kind as i32),
            expiration_timer: Some(secs),
            sig_timestamp: Some(sent_at_ms),
            ..Default::default()
        }
    }

    /// The call message of a received `Content`: `None` when it carries none, else the parsed
    /// message or why it is refused.
    pub fn from_content(content: &Content) -> Option<Result<Self>> {
        content.call_message.as_ref().map(Self::from_proto)
    }

    /// Parses a received `CallMessage` strictly (see the module documentation).
    pub fn from_proto(msg: &CallMessage) -> Result<Self> {
        msg.validate()?;
        let t = msg
            .r#type
            .and_then(|t| call_message::Type::try_from(t).ok())
            .ok_or(Error::Malformed {
                kind: "CallMessage",
                reason: "unknown type",
            })?;
        let call = CallId::parse(msg.uuid.as_deref().unwrap_or_default())?;
        check_sizes(msg)?;
        let kind = kind_name(t);
        use call_message::Type as T;
        let signal = match t {
            T::PreOffer => Signal::PreOffer,
            T::ProvisionalAnswer => Signal::ProvisionalAnswer,
            T::EndCall => Signal::EndCall,
            T::Offer => Signal::Offer {
                sdp: one_sdp(msg, kind)?,
            },
            T::Answer => Signal::Answer {
                sdp: one_sdp(msg, kind)?,
            },
            T::IceCandidates => Signal::IceCandidates(candidates(msg)?),
        };
        Ok(Self { call, signal })
    }
}

/// Limits that hold whatever the kind (fields a kind does not use are ignored, but bounded).
fn check_sizes(msg: &CallMessage) -> Result<()> {
    let count = msg.sdps.len().max(msg.sdp_mids.len());
    let count = count.max(msg.sdp_m_line_indexes.len());
    limit("candidate count", count, MAX_CANDIDATES)?;
    for s in &msg.sdps {
        limit("SDP bytes", s.len(), MAX_SDP_BYTES)?;
    }
    for m in &msg.sdp_mids {
        limit("sdpMid bytes", m.len(), MAX_MID_BYTES)?;
    }
    Ok(())
}

fn limit(what: &'static str, got: usize, limit: usize) -> Result<()> {
    if got > limit {
        return Err(Error::TooLarge { what, limit, got });
    }
    Ok(())
}

/// Offers and answers carry exactly one SDP (desktop reads `sdps[0]`; every client sends one).
fn one_sdp(msg: &CallMessage, kind: &'static str) -> Result<String> {
    match msg.sdps.as_slice() {
        [sdp] if !sdp.is_empty() => Ok(sdp.clone()),
        [_] => Err(Error::Malformed {
            kind,
            reason: "empty SDP",
        }),
        _ => Err(Error::Malformed {
            kind,
            reason: "needs exactly one SDP",
        }),
    }
}

/// `ICE_CANDIDATES`: at least one candidate, the three arrays of equal length.
fn candidates(msg: &CallMessage) -> Result<Vec<IceCandidate>> {
    let kind = "ICE_CANDIDATES";
    let n = msg.sdps.len();
    if n == 0 {
        return Err(Error::Malformed {
            kind,
            reason: "no candidates",
        });
    }
    if msg.sdp_m_line_indexes.len() != n || msg.sdp_mids.len() != n {
        return Err(Error::Malformed {
            kind,
            reason: "sdps, sdpMLineIndexes and sdpMids differ in length",
        });
    }
    let mut out = Vec::with_capacity(n);
    for ((cand, idx), mid) in msg
        .sdps
        .iter()
        .zip(&msg.sdp_m_line_indexes)
        .zip(&msg.sdp_mids)
    {
        limit("candidate bytes", cand.len(), MAX_CANDIDATE_BYTES)?;
        out.push(IceCandidate {
            candidate: cand.clone(),
            sdp_m_line_index: *idx,
            sdp_mid: mid.clone(),
        });
    }
    Ok(out)
}
