//! Call signalling from the network: the fuzzer's bytes as a `CallMessage` and as a `Content`
//! (strict parsing), as SDP and candidate text (the relay-only filter), and as a script of
//! state-machine inputs whose received messages are parsed from the same bytes. Never panics;
//! no action ever carries a non-relay candidate.
#![no_main]
use libfuzzer_sys::fuzz_target;
use prost::Message;
use session_call::machine::Role;
use session_call::signal::ice::{self, Way};
use session_call::{Action, CallId, CallSignal, Input, Machine, Received, Signal};
use session_crypto::SessionId;
use session_protocol::proto::{CallMessage, Content};

const T0: u64 = 1_700_000_000_000;

fn id(n: u8) -> SessionId {
    let mut b = [n; 33];
    b[0] = 0x05;
    SessionId::from_bytes(&b).expect("05 prefix")
}

fn relay_only(a: &Action) {
    let sdp_ok = |s: &str| assert!(ice::sdp_is_relay_only(s));
    match a {
        Action::Send { signal, .. } => match &signal.signal {
            Signal::Offer { sdp } | Signal::Answer { sdp } => sdp_ok(sdp),
            Signal::IceCandidates(c) => assert!(c.iter().all(|c| ice::is_relay(&c.candidate))),
            _ => {}
        },
        Action::ApplyRemoteOffer { sdp } | Action::ApplyRemoteAnswer { sdp } => sdp_ok(sdp),
        Action::StartMedia {
            role: Role::Callee { remote_offer },
            ..
        } => sdp_ok(remote_offer),
        Action::AddRemoteCandidates(c) => assert!(c.iter().all(|c| ice::is_relay(&c.candidate))),
        _ => {}
    }
}

/// One input from the script: an opcode byte, then for received messages a length byte, the
/// sender, approval, the message's age in seconds, and that many bytes of `CallMessage`.
fn next_input(data: &mut &[u8], text: &str) -> Option<Input> {
    let (&op, rest) = data.split_first()?;
    *data = rest;
    let input = match op % 12 {
        0 => {
            let (&len, rest) = data.split_first()?;
            let (head, rest) = rest.split_at_checked(3)?;
            let (body, rest) = rest.split_at_checked(usize::from(len).min(rest.len()))?;
            *data = rest;
            let signal = CallSignal::from_proto(&CallMessage::decode(body).ok()?).ok()?;
            Input::Received(Received {
                from: id(1 + head[0] % 4),
                approved: head[1] & 1 == 1,
                sent_at_ms: T0 - u64::from(head[2]) * 2_000,
                signal,
            })
        }
        1 => Input::Call {
            peer: id(1 + op / 12 % 4),
            call: CallId::parse("00000000-0000-4000-8000-000000000000").ok()?,
        },
        2 => Input::Answer,
        3 => Input::Decline,
        4 => Input::HangUp,
        5 => Input::LocalOffer {
            sdp: text.to_owned(),
        },
        6 => Input::LocalAnswer {
            sdp: text.to_owned(),
        },
        7 => Input::LocalCandidates(
            text.lines()
                .map(|l| session_call::IceCandidate {
                    candidate: l.into(),
                    sdp_m_line_index: 0,
                    sdp_mid: "0".into(),
                })
                .collect(),
        ),
        8 => Input::MediaConnected,
        9 => Input::MediaFailed,
        _ => Input::Tick,
    };
    Some(input)
}

fuzz_target!(|data: &[u8]| {
    if let Ok(msg) = CallMessage::decode(data) {
        let _ = CallSignal::from_proto(&msg);
    }
    if let Ok(content) = Content::decode(data) {
        let _ = CallSignal::from_content(&content);
    }
    let text = String::from_utf8_lossy(data);
    for way in [Way::Outgoing, Way::Incoming] {
        assert!(ice::sdp_is_relay_only(&ice::filter_sdp(&text, way)));
    }
    let _ = ice::candidate_type(&text);

    let mut machine = Machine::new(id(1));
    let mut script = data;
    let mut now = T0;
    while let Some(input) = next_input(&mut script, &text) {
        now += 1_500;
        for action in machine.handle(input, now) {
            relay_only(&action);
        }
    }
});
