//! Property tests: parsing never panics and round-trips; random input sequences keep the state
//! machine's invariants.

use crate::machine::{HOST, RELAY, SRFLX, T0, call, cand, id, me, rx};
use proptest::prelude::*;
use prost::Message;
use session_call::machine::Role;
use session_call::signal::ice::{self, Way};
use session_call::signal::{MAX_CANDIDATES, is_stale};
use session_call::{Action, CallId, CallSignal, IceCandidate, Input, Machine, Signal};
use session_crypto::SessionId;
use session_protocol::content::Expiry;
use session_protocol::proto::{CallMessage, Content};
use std::collections::HashSet;

const TCP_RELAY: &str = "a=candidate:9 1 tcp 2 198.51.100.1 443 typ relay raddr 10.1.1.1 rport 9";
const LINES: &[&str] = &[
    "v=0",
    "m=audio 9 UDP/TLS/RTP/SAVPF 111",
    "c=IN IP4 0.0.0.0",
    "a=candidate:1 1 udp 2122252543 10.0.0.2 50000 typ host",
    "a=candidate:2 1 udp 1686052607 192.0.2.3 50000 typ srflx raddr 10.0.0.2 rport 50000",
    "a=candidate:3 1 udp 41885439 203.0.113.7 61000 typ relay raddr 192.0.2.3 rport 50000",
    "a=candidate:4 1 udp 1 192.0.2.9 1 typ prflx",
    "a=candidate:garbage",
    TCP_RELAY,
    "a=end-of-candidates",
];

fn sdp() -> impl Strategy<Value = String> {
    prop::collection::vec((0..LINES.len(), prop::bool::ANY), 0..12).prop_map(|ls| {
        ls.iter()
            .map(|(i, crlf)| format!("{}{}", LINES[*i], if *crlf { "\r\n" } else { "\n" }))
            .collect()
    })
}

fn candidates() -> impl Strategy<Value = Vec<IceCandidate>> {
    let one = prop::sample::select(vec![HOST, SRFLX, RELAY, TCP_RELAY, "junk", ""]);
    prop::collection::vec(one.prop_map(cand), 0..5)
}

fn signal() -> impl Strategy<Value = Signal> {
    prop_oneof![
        Just(Signal::PreOffer),
        sdp().prop_map(|sdp| Signal::Offer { sdp }),
        sdp().prop_map(|sdp| Signal::Answer { sdp }),
        Just(Signal::ProvisionalAnswer),
        candidates().prop_map(Signal::IceCandidates),
        Just(Signal::EndCall),
    ]
}

fn peer() -> impl Strategy<Value = SessionId> {
    (1u8..=4).prop_map(id)
}

/// One step: an input and how much time passed before it.
fn step() -> impl Strategy<Value = (Input, u64)> {
    let received = (
        peer(),
        any::<bool>(),
        -10_000i64..400_000,
        1u8..=4,
        signal(),
    );
    let input = prop_oneof![
        // Sent `age` ms before T0; `machine_keeps_its_invariants` shifts it to its clock.
        4 => received.prop_map(|(p, ok, age, c, s)| {
            rx(p, ok, T0.saturating_add_signed(-age), &call(c), s)
        }),
        1 => (peer(), 1u8..=4).prop_map(|(peer, c)| Input::Call { peer, call: call(c) }),
        1 => Just(Input::Answer),
        1 => Just(Input::Decline),
        1 => Just(Input::HangUp),
        1 => sdp().prop_map(|sdp| Input::LocalOffer { sdp }),
        1 => sdp().prop_map(|sdp| Input::LocalAnswer { sdp }),
        1 => candidates().prop_map(Input::LocalCandidates),
        1 => Just(Input::MediaConnected),
        1 => Just(Input::MediaFailed),
        1 => Just(Input::Tick),
    ];
    let gap = prop_oneof![3 => 0u64..3_000, 1 => 0u64..90_000];
    (input, gap)
}

/// What the test remembers across steps to check the invariants.
#[derive(Default)]
struct Model {
    media: bool,
    ended: HashSet<CallId>,
    rung: HashSet<(SessionId, CallId)>,
}

fn relay_only_candidates(c: &[IceCandidate]) -> bool {
    !c.is_empty() && c.len() <= MAX_CANDIDATES && c.iter().all(|c| ice::is_relay(&c.candidate))
}

fn call_of(a: &Action) -> Option<&CallId> {
    match a {
        Action::Send { signal, .. } => Some(&signal.call),
        Action::Ring { call, .. } | Action::StartMedia { call, .. } => Some(call),
        Action::MissedCallFromRequest { call, .. } => Some(call),
        Action::Record(e) => Some(&e.call),
        _ => None,
    }
}

/// No address but a relay's in anything that leaves or enters media.
fn check_relay_only(a: &Action) -> Result<(), TestCaseError> {
    match a {
        Action::Send { signal, .. } => match &signal.signal {
            Signal::Offer { sdp } | Signal::Answer { sdp } => {
                prop_assert!(ice::sdp_is_relay_only(sdp));
                prop_assert!(!sdp.contains("raddr 192") && !sdp.contains("raddr 10."));
            }
            Signal::IceCandidates(c) => {
                prop_assert!(relay_only_candidates(c));
                prop_assert!(c.iter().all(|c| !c.candidate.contains("raddr 1")));
            }
            _ => {}
        },
        Action::ApplyRemoteOffer { sdp } | Action::ApplyRemoteAnswer { sdp } => {
            prop_assert!(ice::sdp_is_relay_only(sdp));
        }
        Action::StartMedia {
            role: Role::Callee { remote_offer },
            ..
        } => prop_assert!(ice::sdp_is_relay_only(remote_offer)),
        Action::AddRemoteCandidates(c) => prop_assert!(relay_only_candidates(c)),
        _ => {}
    }
    Ok(())
}

fn check_step(
    model: &mut Model,
    m: &Machine,
    input: &Input,
    actions: &[Action],
) -> Result<(), TestCaseError> {
    for a in actions {
        check_relay_only(a)?;
        if let Some(c) = call_of(a) {
            prop_assert!(
                !model.ended.contains(c),
                "action about an ended call: {a:?}"
            );
        }
        match a {
            Action::StartMedia {
                peer, call, role, ..
            } => {
                prop_assert!(!model.media, "two media sessions");
                model.media = true;
                if matches!(role, Role::Callee { .. }) {
                    prop_assert!(model.rung.contains(&(*peer, call.clone())));
                }
            }
            Action::StopMedia => model.media = false,
            Action::Ring { peer, call } => {
                let Input::Received(r) = input else {
                    return Err(TestCaseError::fail("ring without an offer"));
                };
                prop_assert!(r.approved && r.from == *peer && r.signal.call == *call);
                model.rung.insert((*peer, call.clone()));
            }
            Action::Record(e) => {
                model.ended.insert(e.call.clone());
            }
            Action::MissedCallFromRequest { call, .. } => {
                model.ended.insert(call.clone());
            }
            _ => {}
        }
    }
    prop_assert!(!model.media || m.is_busy(), "media left running");
    Ok(())
}

proptest! {
    #![proptest_config(ProptestConfig::with_cases(512))]

    #[test]
    fn machine_keeps_its_invariants(steps in prop::collection::vec(step(), 1..60)) {
        let mut m = Machine::new(me());
        let mut model = Model::default();
        let mut now = T0;
        for (input, gap) in steps {
            now += gap;
            // Received messages were sent relative to T0; shift them to the current clock.
            let input = match input {
                Input::Received(mut r) => {
                    r.sent_at_ms += now - T0;
                    Input::Received(r)
                }
                other => other,
            };
            let stale = matches!(&input, Input::Received(r) if is_stale(r.sent_at_ms, now));
            let before = m.clone();
            let actions = m.handle(input.clone(), now);
            if stale {
                // Only timers may act on a stale message's arrival.
                let (_, timers) = session_call::machine::step(before, Input::Tick, now);
                prop_assert_eq!(&actions, &timers);
            }
            check_step(&mut model, &m, &input, &actions)?;
        }
    }

    #[test]
    fn call_message_bytes_never_panic(bytes in prop::collection::vec(any::<u8>(), 0..600)) {
        if let Ok(msg) = CallMessage::decode(bytes.as_slice()) {
            let _ = CallSignal::from_proto(&msg);
        }
        if let Ok(content) = Content::decode(bytes.as_slice()) {
            let _ = CallSignal::from_content(&content);
        }
    }

    #[test]
    fn signals_round_trip(s in signal(), c in 0u8..=255, sent: u64, timer: u32) {
        let s = CallSignal { call: call(c), signal: s };
        let wire = s.to_content(sent, Expiry::AfterRead(timer)).encode_to_vec();
        let content: Content = session_protocol::proto::decode(&wire).expect("decodes");
        match CallSignal::from_content(&content).expect("call message") {
            Ok(back) => prop_assert_eq!(back, s),
            // Only kinds whose payload our own limits refuse: empty candidate batches or SDPs.
            Err(_) => {
                let refusable = match &s.signal {
                    Signal::IceCandidates(c) => c.is_empty(),
                    Signal::Offer { sdp } | Signal::Answer { sdp } => sdp.is_empty(),
                    _ => false,
                };
                prop_assert!(refusable);
            }
        }
    }

    #[test]
    fn sdp_filter_is_relay_only_and_idempotent(sdp in sdp(), text in ".{0,200}") {
        for way in [Way::Outgoing, Way::Incoming] {
            let once = ice::filter_sdp(&sdp, way);
            prop_assert!(ice::sdp_is_relay_only(&once));
            prop_assert_eq!(ice::filter_sdp(&once, way), once.clone());
            let noisy = ice::filter_sdp(&text, way);
            prop_assert!(ice::sdp_is_relay_only(&noisy));
        }
        let _ = ice::candidate_type(&text);
    }
}
