//! ICE: relay-only candidates both ways, batching, held candidates, restarts.

use super::*;

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
