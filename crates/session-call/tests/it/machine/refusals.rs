//! What must not ring or act: non-contacts, a second call while busy, stale, foreign and
//! out-of-place signalling, ended calls.

use super::*;

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
