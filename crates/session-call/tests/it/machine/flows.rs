//! Calls that connect, and every way they end: hang up, the peer's END_CALL, timeouts, media
//! failure.

use super::*;

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
