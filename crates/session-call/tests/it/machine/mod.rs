//! Every edge of the call state machine, on a fake clock: shared helpers here, the edges in
//! `flows` (answered calls, ends, timeouts), `refusals` (who may call, busy, stale, foreign and
//! ended signalling) and `ice` (candidates, restarts).

mod flows;
mod ice;
mod refusals;

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
pub fn bob() -> SessionId {
    id(2)
}
pub fn carol() -> SessionId {
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

pub fn send(to: SessionId, c: &CallId, signal: Signal) -> Action {
    Action::Send {
        to,
        signal: CallSignal {
            call: c.clone(),
            signal,
        },
    }
}

pub fn record(
    peer: SessionId,
    c: &CallId,
    direction: Direction,
    outcome: Outcome,
    at: u64,
) -> Action {
    Action::Record(HistoryEntry {
        peer,
        call: c.clone(),
        direction,
        outcome,
        started_at_ms: at,
    })
}

/// Bob calls us (offer sent at T0, arrives at T0 + 1 s); we are ringing.
pub fn ringing() -> Machine {
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

pub fn offer() -> Signal {
    Signal::Offer { sdp: OFFER.into() }
}

/// We call Bob at T0 and media made our offer.
pub fn calling() -> Machine {
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
pub fn connecting_out() -> Machine {
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
