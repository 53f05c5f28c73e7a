//! Every edge of the call state machine, on a fake clock.

use session_call::machine::{CONNECT_MS, ICE_BATCH_MS, IcePolicy, Role, UNANSWERED_MS};
use session_call::{
    Action, CallId, CallSignal, Direction, HistoryEntry, IceCandidate, Input, Machine, Outcome,
    Phase, Received, Signal,
};
use session_crypto::SessionId;

pub const T0: u64 = 1_700_000_000_000;
pub const HOST: &str = "candidate:1 1 udp 2122252543 10.0.0.2 50000 typ host";
pub const SRFLX: &str =
    "candidate:2 1 udp 1686052607 192.0.2.3 50000 typ srflx raddr 10.0.0.2 rport 50000";
pub const RELAY: &str =
    "candidate:3 1 udp 41885439 203.0.113.7 61000 typ relay raddr 192.0.2.3 rport 50000";
pub const RELAY_OUT: &str =
    "candidate:3 1 udp 41885439 203.0.113.7 61000 typ relay raddr 0.0.0.0 rport 0";
pub const OFFER: &str =
    "v=0\r\na=candidate:1 1 udp 2122252543 10.0.0.2 50000 typ host\r\na=mid:0\r\n";

pub fn id(n: u8) -> SessionId {
    let mut b = [n; 33];
    b[0] = 0x05;
    SessionId::from_bytes(&b).expect("05 id")
}

pub fn call(n: u8) -> CallId {
    CallId::parse(&format!("{n:08x}-0000-4000-8000-000000000000")).expect("uuid")
}

pub fn me() -> SessionId {
    id(1)
}
fn bob() -> SessionId {
    id(2)
}
fn carol() -> SessionId {
    id(3)
}

pub fn cand(s: &str) -> IceCandidate {
    IceCandidate {
        candidate: s.into(),
        sdp_m_line_index: 0,
        sdp_mid: "0".into(),
    }
}

pub fn rx(from: SessionId, approved: bool, sent: u64, c: &CallId, signal: Signal) -> Input {
    Input::Received(Received {
        from,
        approved,
        sent_at_ms: sent,
        signal: CallSignal {
            call: c.clone(),
            signal,
        },
    })
}

fn send(to: SessionId, c: &CallId, signal: Signal) -> Action {
    Action::Send {
        to,
        signal: CallSignal {
            call: c.clone(),
            signal,
        },
    }
}

fn record(peer: SessionId, c: &CallId, direction: Direction, outcome: Outcome, at: u64) -> Action {
    Action::Record(HistoryEntry {
        peer,
        call: c.clone(),
        direction,
        outcome,
        started_at_ms: at,
    })
}

/// Bob calls us (offer sent at T0, arrives at T0 + 1 s); we are ringing.
fn ringing() -> Machine {
    let mut m = Machine::new(me());
    let a = m.handle(rx(bob(), true, T0, &call(1), offer()), T0 + 1_000);
    assert_eq!(
        a,
        vec![Action::Ring {
            peer: bob(),
            call: call(1)
        }]
    );
    m
}

fn offer() -> Signal {
    Signal::Offer { sdp: OFFER.into() }
}

/// We call Bob at T0 and media made our offer.
fn calling() -> Machine {
    let mut m = Machine::new(me());
    let a = m.handle(
        Input::Call {
            peer: bob(),
            call: call(1),
        },
        T0,
    );
    assert_eq!(
        a,
        vec![
            send(bob(), &call(1), Signal::PreOffer),
            Action::StartMedia {
                peer: bob(),
                call: call(1),
                role: Role::Caller,
                ice: IcePolicy::RelayOnly
            },
        ]
    );
    let a = m.handle(Input::LocalOffer { sdp: OFFER.into() }, T0 + 100);
    let stripped = "v=0\r\na=mid:0\r\n".to_string();
    assert_eq!(
        a,
        vec![send(bob(), &call(1), Signal::Offer { sdp: stripped })]
    );
    m
}

/// Calling, and Bob answered at T0 + 5 s.
fn connecting_out() -> Machine {
    let mut m = calling();
    let a = m.handle(
        rx(
            bob(),
            true,
            T0 + 5_000,
            &call(1),
            Signal::Answer { sdp: "ans".into() },
        ),
        T0 + 5_000,
    );
    assert_eq!(a, vec![Action::ApplyRemoteAnswer { sdp: "ans".into() }]);
    m
}

#[test]
fn outgoing_call_happy_path() {
    let mut m = connecting_out();
    assert!(m.handle(Input::MediaConnected, T0 + 6_000).is_empty());
    assert!(matches!(m.phase(), Phase::InCall { .. }));
    let a = m.handle(Input::HangUp, T0 + 66_000);
    assert_eq!(
        a,
        vec![
            send(bob(), &call(1), Signal::EndCall),
            Action::StopMedia,
            record(
                bob(),
                &call(1),
                Direction::Outgoing,
                Outcome::Answered {
                    duration_ms: 60_000
                },
                T0
            ),
        ]
    );
    assert!(!m.is_busy() && m.has_ended(&call(1)));
}

#[test]
fn incoming_call_happy_path() {
    let mut m = ringing();
    let a = m.handle(Input::Answer, T0 + 3_000);
    assert_eq!(
        a,
        vec![Action::StartMedia {
            peer: bob(),
            call: call(1),
            role: Role::Callee {
                remote_offer: "v=0\r\na=mid:0\r\n".into()
            },
            ice: IcePolicy::RelayOnly
        }]
    );
    let a = m.handle(Input::LocalAnswer { sdp: "ans".into() }, T0 + 3_100);
    let ans = Signal::Answer { sdp: "ans".into() };
    assert_eq!(
        a,
        vec![
            send(bob(), &call(1), ans.clone()),
            send(me(), &call(1), ans)
        ]
    );
    m.handle(Input::MediaConnected, T0 + 4_000);
    let a = m.handle(
        rx(bob(), true, T0 + 14_000, &call(1), Signal::EndCall),
        T0 + 14_500,
    );
    assert_eq!(
        a,
        vec![
            Action::StopMedia,
            record(
                bob(),
                &call(1),
                Direction::Incoming,
                Outcome::Answered {
                    duration_ms: 10_500
                },
                T0
            ),
        ]
    );
}

#[test]
fn unanswered_outgoing_ends_missed_after_60s() {
    let mut m = calling();
    assert!(m.handle(Input::Tick, T0 + UNANSWERED_MS - 1).is_empty());
    assert_eq!(m.next_deadline_ms(), Some(T0 + UNANSWERED_MS));
    let a = m.handle(Input::Tick, T0 + UNANSWERED_MS);
    assert_eq!(
        a,
        vec![
            send(bob(), &call(1), Signal::EndCall),
            Action::StopMedia,
            record(bob(), &call(1), Direction::Outgoing, Outcome::Missed, T0),
        ]
    );
    // A late answer is ignored: the call is over.
    let late = rx(
        bob(),
        true,
        T0 + 61_000,
        &call(1),
        Signal::Answer { sdp: "a".into() },
    );
    assert!(m.handle(late, T0 + 61_000).is_empty());
}

#[test]
fn unanswered_incoming_ends_missed_60s_after_the_offer() {
    let mut m = ringing();
    assert!(m.handle(Input::Tick, T0 + 59_999).is_empty());
    let a = m.handle(Input::Answer, T0 + 60_000);
    assert_eq!(
        a,
        vec![record(
            bob(),
            &call(1),
            Direction::Incoming,
            Outcome::Missed,
            T0
        )]
    );
}

#[test]
fn connecting_too_long_fails() {
    let mut m = connecting_out();
    let a = m.handle(Input::Tick, T0 + 5_000 + CONNECT_MS);
    assert_eq!(
        a,
        vec![
            send(bob(), &call(1), Signal::EndCall),
            Action::StopMedia,
            record(bob(), &call(1), Direction::Outgoing, Outcome::Failed, T0),
        ]
    );
}

#[test]
fn media_failure() {
    let mut m = connecting_out();
    let a = m.handle(Input::MediaFailed, T0 + 7_000);
    assert_eq!(
        a.last(),
        Some(&record(
            bob(),
            &call(1),
            Direction::Outgoing,
            Outcome::Failed,
            T0
        ))
    );
    let mut m = connecting_out();
    m.handle(Input::MediaConnected, T0 + 6_000);
    let a = m.handle(Input::MediaFailed, T0 + 9_000);
    let answered = Outcome::Answered { duration_ms: 3_000 };
    assert_eq!(
        a.last(),
        Some(&record(bob(), &call(1), Direction::Outgoing, answered, T0))
    );
    assert!(a.contains(&send(bob(), &call(1), Signal::EndCall)));
}

#[test]
fn peer_end_call_at_every_stage() {
    let end = |m: &mut Machine| {
        m.handle(
            rx(bob(), true, T0 + 8_000, &call(1), Signal::EndCall),
            T0 + 8_000,
        )
    };
    let mut m = calling();
    assert_eq!(
        end(&mut m),
        vec![
            Action::StopMedia,
            record(bob(), &call(1), Direction::Outgoing, Outcome::Declined, T0)
        ]
    );
    let mut m = ringing();
    assert_eq!(
        end(&mut m),
        vec![record(
            bob(),
            &call(1),
            Direction::Incoming,
            Outcome::Missed,
            T0
        )]
    );
    let mut m = connecting_out();
    let zero = Outcome::Answered { duration_ms: 0 };
    assert_eq!(
        end(&mut m),
        vec![
            Action::StopMedia,
            record(bob(), &call(1), Direction::Outgoing, zero, T0)
        ]
    );
    // From someone else, or about another call: ignored.
    let mut m = ringing();
    assert!(
        m.handle(rx(carol(), true, T0, &call(1), Signal::EndCall), T0 + 2_000)
            .is_empty()
    );
    assert!(
        m.handle(rx(bob(), true, T0, &call(2), Signal::EndCall), T0 + 2_000)
            .is_empty()
    );
    assert!(matches!(m.phase(), Phase::Ringing { .. }));
}

#[test]
fn decline_and_hang_up_while_ringing() {
    for input in [Input::Decline, Input::HangUp] {
        let mut m = ringing();
        let a = m.handle(input, T0 + 2_000);
        assert_eq!(
            a,
            vec![
                send(bob(), &call(1), Signal::EndCall),
                send(me(), &call(1), Signal::EndCall),
                record(bob(), &call(1), Direction::Incoming, Outcome::Declined, T0),
            ]
        );
    }
}

#[test]
fn cancel_outgoing_before_answer() {
    let mut m = calling();
    let a = m.handle(Input::HangUp, T0 + 2_000);
    assert_eq!(
        a.last(),
        Some(&record(
            bob(),
            &call(1),
            Direction::Outgoing,
            Outcome::Missed,
            T0
        ))
    );
}

#[test]
fn call_from_a_non_contact_is_a_missed_request() {
    let mut m = Machine::new(me());
    let a = m.handle(rx(carol(), false, T0, &call(5), offer()), T0 + 500);
    assert_eq!(
        a,
        vec![Action::MissedCallFromRequest {
            from: carol(),
            call: call(5),
            sent_at_ms: T0
        }]
    );
    assert!(!m.is_busy());
    // Nothing more about that call does anything, not even after approval.
    assert!(
        m.handle(rx(carol(), true, T0, &call(5), offer()), T0 + 600)
            .is_empty()
    );
    assert!(m.handle(Input::Answer, T0 + 700).is_empty());
}

#[test]
fn busy_refuses_a_second_call() {
    let mut m = calling();
    let a = m.handle(rx(carol(), true, T0 + 1_000, &call(7), offer()), T0 + 1_200);
    assert_eq!(
        a,
        vec![
            send(carol(), &call(7), Signal::EndCall),
            record(
                carol(),
                &call(7),
                Direction::Incoming,
                Outcome::Missed,
                T0 + 1_000
            ),
        ]
    );
    assert!(matches!(m.phase(), Phase::Calling { .. }));
    // A second ringing call too.
    let mut m = ringing();
    let a = m.handle(rx(carol(), true, T0 + 1_000, &call(7), offer()), T0 + 1_200);
    assert_eq!(a[0], send(carol(), &call(7), Signal::EndCall));
    // And we cannot place a call while busy.
    assert!(
        m.handle(
            Input::Call {
                peer: carol(),
                call: call(8)
            },
            T0 + 1_300
        )
        .is_empty()
    );
}

#[test]
fn stale_and_old_signalling() {
    let mut m = Machine::new(me());
    // Older than the TTL: ignored entirely.
    assert!(
        m.handle(rx(bob(), true, T0, &call(1), offer()), T0 + 300_001)
            .is_empty()
    );
    // Older than 60 s but within the TTL: a missed call, no ringing.
    let a = m.handle(rx(bob(), true, T0, &call(2), offer()), T0 + 60_000);
    assert_eq!(
        a,
        vec![record(
            bob(),
            &call(2),
            Direction::Incoming,
            Outcome::Missed,
            T0
        )]
    );
    assert!(!m.is_busy());
    // A stale END_CALL does not end the active call.
    let mut m = calling();
    assert!(
        m.handle(
            rx(bob(), true, T0 - 400_000, &call(1), Signal::EndCall),
            T0 + 200
        )
        .is_empty()
    );
    assert!(m.is_busy());
}

#[test]
fn answer_only_when_calling_that_call() {
    let ans = || Signal::Answer { sdp: "a".into() };
    let mut m = Machine::new(me());
    assert!(
        m.handle(rx(bob(), true, T0, &call(1), ans()), T0)
            .is_empty()
    );
    let mut m = ringing();
    assert!(
        m.handle(rx(bob(), true, T0, &call(1), ans()), T0 + 1_500)
            .is_empty()
    );
    let mut m = calling();
    assert!(
        m.handle(rx(bob(), true, T0, &call(2), ans()), T0 + 1_500)
            .is_empty()
    );
    assert!(
        m.handle(rx(carol(), true, T0, &call(1), ans()), T0 + 1_500)
            .is_empty()
    );
    // Before our offer went out there is nothing to answer.
    let mut m = Machine::new(me());
    m.handle(
        Input::Call {
            peer: bob(),
            call: call(1),
        },
        T0,
    );
    assert!(
        m.handle(rx(bob(), true, T0, &call(1), ans()), T0 + 10)
            .is_empty()
    );
    // A duplicate answer is applied once.
    let mut m = connecting_out();
    assert!(
        m.handle(rx(bob(), true, T0 + 5_000, &call(1), ans()), T0 + 5_100)
            .is_empty()
    );
}

#[test]
fn answered_or_declined_on_another_device() {
    let mut m = ringing();
    let a = m.handle(
        rx(
            me(),
            true,
            T0 + 2_000,
            &call(1),
            Signal::Answer { sdp: "x".into() },
        ),
        T0 + 2_100,
    );
    assert_eq!(
        a,
        vec![record(
            bob(),
            &call(1),
            Direction::Incoming,
            Outcome::AnsweredElsewhere,
            T0
        )]
    );
    let mut m = ringing();
    let a = m.handle(
        rx(me(), true, T0 + 2_000, &call(1), Signal::EndCall),
        T0 + 2_100,
    );
    assert_eq!(
        a,
        vec![record(
            bob(),
            &call(1),
            Direction::Incoming,
            Outcome::Declined,
            T0
        )]
    );
    // Our own other signals never ring.
    let mut m = Machine::new(me());
    assert!(
        m.handle(rx(me(), true, T0, &call(3), offer()), T0)
            .is_empty()
    );
}

#[test]
fn ended_is_terminal() {
    let mut m = ringing();
    m.handle(Input::Decline, T0 + 2_000);
    for s in [
        offer(),
        Signal::IceCandidates(vec![cand(RELAY)]),
        Signal::EndCall,
    ] {
        assert!(
            m.handle(rx(bob(), true, T0 + 2_500, &call(1), s), T0 + 3_000)
                .is_empty()
        );
    }
    assert!(
        m.handle(
            Input::Call {
                peer: bob(),
                call: call(1)
            },
            T0 + 3_000
        )
        .is_empty()
    );
    // An END_CALL that overtakes its offer: the offer never rings.
    let mut m = Machine::new(me());
    assert!(
        m.handle(rx(bob(), true, T0 + 10, &call(9), Signal::EndCall), T0 + 20)
            .is_empty()
    );
    assert!(
        m.handle(rx(bob(), true, T0, &call(9), offer()), T0 + 30)
            .is_empty()
    );
}

#[test]
fn candidates_are_relay_only_and_batched() {
    let mut m = Machine::new(me());
    m.handle(
        Input::Call {
            peer: bob(),
            call: call(1),
        },
        T0,
    );
    // Gathered before the offer: held.
    let a = m.handle(
        Input::LocalCandidates(vec![cand(HOST), cand(SRFLX), cand(RELAY)]),
        T0 + 50,
    );
    assert!(a.is_empty());
    m.handle(
        Input::LocalOffer {
            sdp: "v=0\r\n".into(),
        },
        T0 + 100,
    );
    assert!(m.handle(Input::Tick, T0 + 50 + ICE_BATCH_MS - 1).is_empty());
    let a = m.handle(Input::Tick, T0 + 50 + ICE_BATCH_MS);
    assert_eq!(
        a,
        vec![send(
            bob(),
            &call(1),
            Signal::IceCandidates(vec![cand(RELAY_OUT)])
        )]
    );
    // Debounced: each new one pushes the batch back.
    m.handle(Input::LocalCandidates(vec![cand(RELAY)]), T0 + 3_000);
    m.handle(Input::LocalCandidates(vec![cand(RELAY)]), T0 + 4_000);
    assert!(m.handle(Input::Tick, T0 + 5_000).is_empty());
    let a = m.handle(Input::Tick, T0 + 6_000);
    assert_eq!(
        a,
        vec![send(
            bob(),
            &call(1),
            Signal::IceCandidates(vec![cand(RELAY_OUT), cand(RELAY_OUT)])
        )]
    );
    // Only non-relay ones: nothing to send.
    m.handle(Input::LocalCandidates(vec![cand(HOST)]), T0 + 7_000);
    assert!(m.handle(Input::Tick, T0 + 20_000).is_empty());
}

#[test]
fn peer_candidates_held_until_media_and_filtered() {
    let mut m = ringing();
    let batch = Signal::IceCandidates(vec![cand(HOST), cand(RELAY), cand(SRFLX)]);
    assert!(
        m.handle(
            rx(bob(), true, T0 + 500, &call(1), batch.clone()),
            T0 + 1_500
        )
        .is_empty()
    );
    let a = m.handle(Input::Answer, T0 + 2_000);
    assert_eq!(a[1], Action::AddRemoteCandidates(vec![cand(RELAY)]));
    let a = m.handle(rx(bob(), true, T0 + 2_500, &call(1), batch), T0 + 2_600);
    assert_eq!(a, vec![Action::AddRemoteCandidates(vec![cand(RELAY)])]);
    let only_host = Signal::IceCandidates(vec![cand(HOST)]);
    assert!(
        m.handle(rx(bob(), true, T0 + 2_700, &call(1), only_host), T0 + 2_800)
            .is_empty()
    );
    // The caller holds the callee's early candidates until the answer.
    let mut m = calling();
    let early = Signal::IceCandidates(vec![cand(RELAY)]);
    assert!(
        m.handle(rx(bob(), true, T0 + 900, &call(1), early), T0 + 1_000)
            .is_empty()
    );
    let a = m.handle(
        rx(
            bob(),
            true,
            T0 + 1_000,
            &call(1),
            Signal::Answer { sdp: "a".into() },
        ),
        T0 + 1_100,
    );
    assert_eq!(a[1], Action::AddRemoteCandidates(vec![cand(RELAY)]));
}

#[test]
fn ice_restart_offers() {
    // The callee answers a new offer in its call.
    let mut m = ringing();
    m.handle(Input::Answer, T0 + 2_000);
    m.handle(Input::LocalAnswer { sdp: "a1".into() }, T0 + 2_100);
    m.handle(Input::MediaConnected, T0 + 3_000);
    let a = m.handle(rx(bob(), true, T0 + 9_000, &call(1), offer()), T0 + 9_100);
    assert_eq!(
        a,
        vec![Action::ApplyRemoteOffer {
            sdp: "v=0\r\na=mid:0\r\n".into()
        }]
    );
    let a = m.handle(Input::LocalAnswer { sdp: "a2".into() }, T0 + 9_200);
    assert_eq!(
        a,
        vec![send(bob(), &call(1), Signal::Answer { sdp: "a2".into() })],
        "no second sync copy"
    );
    // The caller restarts and applies the new answer.
    let mut m = connecting_out();
    m.handle(Input::MediaConnected, T0 + 6_000);
    let a = m.handle(Input::LocalOffer { sdp: "o2".into() }, T0 + 9_000);
    assert_eq!(
        a,
        vec![send(bob(), &call(1), Signal::Offer { sdp: "o2".into() })]
    );
    let a = m.handle(
        rx(
            bob(),
            true,
            T0 + 9_500,
            &call(1),
            Signal::Answer { sdp: "a2".into() },
        ),
        T0 + 9_600,
    );
    assert_eq!(a, vec![Action::ApplyRemoteAnswer { sdp: "a2".into() }]);
}

#[test]
fn user_actions_out_of_place_do_nothing() {
    let mut m = Machine::new(me());
    for input in [
        Input::Answer,
        Input::Decline,
        Input::HangUp,
        Input::MediaConnected,
        Input::MediaFailed,
        Input::LocalOffer { sdp: "o".into() },
        Input::LocalAnswer { sdp: "a".into() },
        Input::LocalCandidates(vec![cand(RELAY)]),
        Input::Tick,
    ] {
        assert!(m.handle(input, T0).is_empty());
    }
    assert!(
        m.handle(
            Input::Call {
                peer: me(),
                call: call(1)
            },
            T0
        )
        .is_empty(),
        "not ourselves"
    );
    let mut m = calling();
    assert!(m.handle(Input::Answer, T0 + 200).is_empty());
    assert!(
        m.handle(
            Input::LocalOffer {
                sdp: "again".into()
            },
            T0 + 300
        )
        .is_empty()
    );
    assert!(
        m.handle(Input::LocalAnswer { sdp: "a".into() }, T0 + 300)
            .is_empty()
    );
}

#[test]
fn pre_offer_and_provisional_answer_are_ignored() {
    let m = Machine::new(me());
    let (m, a) =
        session_call::machine::step(m, rx(bob(), true, T0, &call(1), Signal::PreOffer), T0);
    assert!(a.is_empty() && !m.is_busy());
    let (m, a) = session_call::machine::step(
        m,
        rx(bob(), true, T0, &call(1), Signal::ProvisionalAnswer),
        T0,
    );
    assert!(a.is_empty() && !m.is_busy());
    assert!(!m.has_ended(&call(1)), "a pre-offer does not end its call");
}
