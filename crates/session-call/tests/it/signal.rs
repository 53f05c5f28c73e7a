//! Call messages: known bytes, strict parsing, the relay-only filter.

use prost::Message;
use session_call::signal::ice::{self, CandidateType, Way};
use session_call::signal::{MAX_CANDIDATES, MAX_SDP_BYTES, is_stale};
use session_call::{CALL_TTL_MS, CallId, CallSignal, Error, IceCandidate, Signal};
use session_protocol::content::Expiry;
use session_protocol::proto::{CallMessage, Content};

const UUID: &str = "2bd3c1ac-7e3c-4b7e-9a1d-3f6a0e5c9b21";
const SENT: u64 = 1_700_000_000_123;
const RELAY1: &str = "candidate:1 1 udp 41885439 203.0.113.7 3478 typ relay raddr 0.0.0.0 rport 0";
const RELAY2: &str = "candidate:2 1 udp 41885183 198.51.100.9 3478 typ relay";

fn sig(signal: Signal) -> CallSignal {
    CallSignal {
        call: CallId::parse(UUID).expect("uuid"),
        signal,
    }
}

fn cand(s: &str, idx: u32) -> IceCandidate {
    IceCandidate {
        candidate: s.to_owned(),
        sdp_m_line_index: idx,
        sdp_mid: idx.to_string(),
    }
}

fn bytes(s: &CallSignal, expiry: Expiry) -> String {
    hex::encode(s.to_content(SENT, expiry).encode_to_vec())
}

/// Bytes written field by field from the proto (Content 3 = callMessage, 12/13 expiration
/// always present as desktop's `makeDisappearingContentProto` sets them, 15 sigTimestamp;
/// CallMessage repeated uint32 unpacked, as proto2 and protobufjs write it) by an independent
/// Python encoder.
#[test]
fn known_bytes() {
    let u = hex::encode(UUID);
    let tail = "78fbd095ffbc31";
    assert_eq!(
        bytes(&sig(Signal::PreOffer), Expiry::AfterSend(60)),
        format!("1a2808062a24{u}60006800{tail}"),
        "pre-offers never carry the expiry"
    );
    let offer = sig(Signal::Offer {
        sdp: "v=0\r\n".into(),
    });
    assert_eq!(
        bytes(&offer, Expiry::AfterSend(60)),
        format!("1a2f08011205763d300d0a2a24{u}6001683c{tail}"),
        "delete-after-send is forced to delete-after-read"
    );
    let ice = sig(Signal::IceCandidates(vec![
        cand(RELAY1, 0),
        cand(RELAY2, 1),
    ]));
    let want_ice = "1ab7010804124b63616e6469646174653a31203120756470203431383835343339203230\
        332e302e3131332e372033343738207479702072656c617920726164647220302e302e302e302072706f727\
        42030123663616e6469646174653a32203120756470203431383835313833203139382e35312e3130302e39\
        2033343738207479702072656c6179180018012201302201312a24";
    assert_eq!(
        bytes(&ice, Expiry::AfterRead(30)),
        format!("{want_ice}{u}60006800{tail}")
    );
    assert_eq!(
        bytes(&sig(Signal::EndCall), Expiry::AfterRead(300)),
        format!("1a2808052a24{u}600168ac02{tail}")
    );
    assert_eq!(
        bytes(&sig(Signal::EndCall), Expiry::Off),
        format!("1a2808052a24{u}60006800{tail}")
    );
}

#[test]
fn round_trips_through_bytes() {
    for s in [
        sig(Signal::PreOffer),
        sig(Signal::Offer { sdp: "o".into() }),
        sig(Signal::Answer { sdp: "a".into() }),
        sig(Signal::ProvisionalAnswer),
        sig(Signal::IceCandidates(vec![cand(RELAY1, 0)])),
        sig(Signal::EndCall),
    ] {
        let wire = s.to_content(SENT, Expiry::Off).encode_to_vec();
        let content: Content = session_protocol::proto::decode(&wire).expect("decode");
        let back = CallSignal::from_content(&content)
            .expect("call")
            .expect("valid");
        assert_eq!(back, s, "{}", s.signal.kind());
    }
    assert!(CallSignal::from_content(&Content::default()).is_none());
}

fn msg(t: i32, sdps: &[&str], idx: &[u32], mids: &[&str]) -> CallMessage {
    CallMessage {
        r#type: Some(t),
        sdps: sdps.iter().map(|s| s.to_string()).collect(),
        sdp_m_line_indexes: idx.to_vec(),
        sdp_mids: mids.iter().map(|s| s.to_string()).collect(),
        uuid: Some(UUID.into()),
    }
}

fn refused(m: &CallMessage) -> Error {
    CallSignal::from_proto(m).expect_err("must be refused")
}

#[test]
fn parsing_is_strict() {
    // Required fields (Session's schema).
    let mut m = msg(6, &[], &[], &[]);
    m.uuid = None;
    assert!(matches!(refused(&m), Error::Protocol(_)));
    assert!(matches!(
        refused(&msg(9, &[], &[], &[])),
        Error::Protocol(_)
    ));
    let mut m = msg(6, &[], &[], &[]);
    m.r#type = None;
    assert!(matches!(refused(&m), Error::Protocol(_)));
    // UUID syntax.
    for bad in [
        "",
        "x",
        "2bd3c1ac7e3c4b7e9a1d3f6a0e5c9b21",
        "2bd3c1ac-7e3c-4b7e-9a1d-3f6a0e5c9b2g",
    ] {
        let mut m = msg(5, &[], &[], &[]);
        m.uuid = Some(bad.into());
        assert_eq!(refused(&m), Error::BadUuid, "{bad:?}");
    }
    let mut m = msg(5, &[], &[], &[]);
    m.uuid = Some(UUID.to_uppercase());
    assert!(CallSignal::from_proto(&m).is_ok(), "iOS writes upper case");
    // Offers and answers: exactly one non-empty SDP.
    for t in [1, 2] {
        assert!(matches!(
            refused(&msg(t, &[], &[], &[])),
            Error::Malformed { .. }
        ));
        assert!(matches!(
            refused(&msg(t, &["a", "b"], &[], &[])),
            Error::Malformed { .. }
        ));
        assert!(matches!(
            refused(&msg(t, &[""], &[], &[])),
            Error::Malformed { .. }
        ));
    }
    // Candidates: at least one, parallel arrays.
    assert!(matches!(
        refused(&msg(4, &[], &[], &[])),
        Error::Malformed { .. }
    ));
    assert!(matches!(
        refused(&msg(4, &[RELAY1], &[], &["0"])),
        Error::Malformed { .. }
    ));
    assert!(matches!(
        refused(&msg(4, &[RELAY1], &[0], &[])),
        Error::Malformed { .. }
    ));
    assert!(CallSignal::from_proto(&msg(4, &[RELAY1], &[0], &["0"])).is_ok());
    // Kinds without arrays ignore (bounded) extras.
    assert_eq!(
        CallSignal::from_proto(&msg(5, &["x"], &[1], &["0"])).expect("end"),
        sig(Signal::EndCall)
    );
}

#[test]
fn limits() {
    let big = "v".repeat(MAX_SDP_BYTES + 1);
    assert!(matches!(
        refused(&msg(1, &[&big], &[], &[])),
        Error::TooLarge { .. }
    ));
    let ok = "v".repeat(MAX_SDP_BYTES);
    assert!(CallSignal::from_proto(&msg(1, &[&ok], &[], &[])).is_ok());
    let n = MAX_CANDIDATES + 1;
    let m = msg(4, &vec![RELAY1; n], &vec![0; n], &vec!["0"; n]);
    assert!(matches!(refused(&m), Error::TooLarge { .. }));
    let long = format!("{RELAY2} {}", "x".repeat(1100));
    assert!(matches!(
        refused(&msg(4, &[&long], &[0], &["0"])),
        Error::TooLarge { .. }
    ));
    let mid = "m".repeat(65);
    assert!(matches!(
        refused(&msg(4, &[RELAY1], &[0], &[&mid])),
        Error::TooLarge { .. }
    ));
}

#[test]
fn staleness_is_the_ttl() {
    assert_eq!(CALL_TTL_MS, 300_000);
    assert!(!is_stale(SENT, SENT + CALL_TTL_MS));
    assert!(is_stale(SENT, SENT + CALL_TTL_MS + 1));
    assert!(!is_stale(SENT + 5_000, SENT), "from the future: not stale");
}

#[test]
fn uuid_generation() {
    use rand::SeedableRng;
    let mut rng = rand::rngs::StdRng::seed_from_u64(7);
    let a = CallId::random(&mut rng);
    let b = CallId::random(&mut rng);
    assert_ne!(a, b);
    for id in [a, b] {
        let s = id.as_str();
        assert_eq!(CallId::parse(s).expect("canonical"), id);
        assert_eq!(&s[14..15], "4", "version 4");
        assert!("89ab".contains(&s[19..20]), "RFC 4122 variant");
        assert_eq!(s, s.to_lowercase());
    }
}

#[test]
fn candidate_types() {
    let cases = [
        (
            "candidate:842163049 1 udp 1677729535 192.0.2.3 56143 typ srflx raddr 10.0.0.2 rport 56143 generation 0 ufrag abcd network-cost 999",
            CandidateType::Srflx,
        ),
        (
            "a=candidate:1 1 UDP 2122252543 7f3c8b0e-1d2a.local 60769 typ host generation 0",
            CandidateType::Host,
        ),
        (
            "candidate:3 1 tcp 1518280447 192.0.2.3 9 typ host tcptype active",
            CandidateType::Host,
        ),
        (
            "candidate:4 2 udp 1845501695 192.0.2.3 4000 typ prflx raddr 10.0.0.2 rport 4000",
            CandidateType::Prflx,
        ),
        (RELAY1, CandidateType::Relay),
        (RELAY2, CandidateType::Relay),
    ];
    for (line, want) in cases {
        assert_eq!(ice::candidate_type(line), Ok(want), "{line}");
    }
    for bad in [
        "",
        "candidate:",
        "candidate:1 1 udp 1 192.0.2.3 3478 typ",
        "candidate:1 1 udp 1 192.0.2.3 3478 type relay",
        "candidate:1 1 udp 1 192.0.2.3 3478 typ turn",
        "candidate:1 0 udp 1 192.0.2.3 3478 typ relay",
        "candidate:1 1 udp 99999999999 192.0.2.3 3478 typ relay",
        "candidate:1 1 udp 1 192.0.2.3 70000 typ relay",
        "candidate:1 1 udp 1 192.0.2.3 3478 typ relay raddr",
        "candidate:1 1 udp +1 192.0.2.3 3478 typ relay",
        "1 1 udp 1 192.0.2.3 3478 typ relay",
    ] {
        assert!(ice::candidate_type(bad).is_err(), "{bad:?}");
    }
}

#[test]
fn candidates_filtered_both_ways() {
    let host = cand("candidate:1 1 udp 2122252543 10.0.0.2 50000 typ host", 0);
    let srflx = cand(
        "candidate:2 1 udp 1686052607 192.0.2.3 50000 typ srflx raddr 10.0.0.2 rport 50000",
        0,
    );
    let relay = cand(
        "candidate:3 1 udp 41885439 203.0.113.7 61000 typ relay raddr 192.0.2.3 rport 50000 generation 0",
        0,
    );
    let batch = vec![host.clone(), srflx.clone(), relay.clone(), cand("junk", 0)];
    let out = ice::filter(&batch, Way::Outgoing);
    assert_eq!(out.len(), 1);
    assert_eq!(
        out[0].candidate,
        "candidate:3 1 udp 41885439 203.0.113.7 61000 typ relay raddr 0.0.0.0 rport 0 generation 0",
        "our public address (raddr) is blanked"
    );
    assert!(!out[0].candidate.contains("192.0.2.3"));
    assert_eq!(ice::filter(&batch, Way::Incoming), vec![relay]);
    assert!(ice::outgoing(&host).is_none() && ice::incoming(&srflx).is_none());
}

const SDP: &str = "v=0\r\no=- 1 2 IN IP4 127.0.0.1\r\ns=-\r\nm=audio 9 UDP/TLS/RTP/SAVPF 111\r\nc=IN IP4 0.0.0.0\r\na=candidate:1 1 udp 2122252543 10.0.0.2 50000 typ host\r\na=candidate:2 1 udp 1686052607 192.0.2.3 50000 typ srflx raddr 10.0.0.2 rport 50000\r\na=candidate:3 1 udp 41885439 203.0.113.7 61000 typ relay raddr 192.0.2.3 rport 50000\r\na=candidate:broken\r\na=end-of-candidates\r\na=mid:0\n";

#[test]
fn sdp_filter() {
    let out = ice::filter_sdp(SDP, Way::Outgoing);
    assert_eq!(
        out,
        "v=0\r\no=- 1 2 IN IP4 127.0.0.1\r\ns=-\r\nm=audio 9 UDP/TLS/RTP/SAVPF 111\r\nc=IN IP4 0.0.0.0\r\na=candidate:3 1 udp 41885439 203.0.113.7 61000 typ relay raddr 0.0.0.0 rport 0\r\na=end-of-candidates\r\na=mid:0\n"
    );
    assert!(ice::sdp_is_relay_only(&out) && !ice::sdp_is_relay_only(SDP));
    let inc = ice::filter_sdp(SDP, Way::Incoming);
    assert!(inc.contains("typ relay raddr 192.0.2.3") && ice::sdp_is_relay_only(&inc));
    assert!(!inc.contains("typ host") && !inc.contains("typ srflx"));
    assert_eq!(
        ice::filter_sdp("v=0", Way::Incoming),
        "v=0",
        "no final newline"
    );
}

#[test]
fn debug_hides_addresses() {
    let c = cand(RELAY1, 0);
    let shown = format!("{c:?}");
    assert!(!shown.contains("203.0.113.7"), "{shown}");
    assert!(shown.contains("Relay"));
}
