//! The STUN codec against RFC 5769's test vectors (IETF data: the sample request, the IPv4 and
//! IPv6 responses, the request with long-term authentication), and its strictness.

use session_call::turn::stun::{self, Attr, Class, Message, Method};
use std::net::SocketAddr;

/// RFC 5769 §2.1: Binding request, SOFTWARE, PRIORITY, ICE-CONTROLLED, USERNAME, MI, FP.
pub const REQUEST: &str = "000100582112a442b7e7a701bc34d686fa87dfae802200105354554e2074657374\
20636c69656e74002400046e0001ff80290008932ff9b151263b3600060009657674\
6a3a6836765920202000080014\
9aeaa70cbfd8cb56781ef2b5b2d3f249c1b571a280280004e57a3bcf";
/// RFC 5769 §2.2: Binding success, SOFTWARE, XOR-MAPPED-ADDRESS (IPv4), MI, FP.
const RESPONSE_V4: &str = "0101003c2112a442b7e7a701bc34d686fa87dfae8022000b74657374\
20766563746f7220002000080001a147e112a643000800142b91f599fd9e90c38c7489f9\
2af9ba53f06be7d780280004c07d4c96";
/// RFC 5769 §2.3: the same with an IPv6 XOR-MAPPED-ADDRESS.
const RESPONSE_V6: &str = "010100482112a442b7e7a701bc34d686fa87dfae8022000b74657374\
20766563746f7220002000140002a1470113a9faa5d3f179bc25f4b5bed2b9d9\
00080014a382954e4be67bf11784c97c8292c275bfe3ed4180280004c8fb0b4c";
/// RFC 5769 §2.4: Binding request with long-term authentication (USERNAME, NONCE, REALM, MI).
const LONG_TERM: &str = "000100602112a44278ad3433c6ad72c029da412e00060012\
e3839ee38388e383aae38383e382afe382b90000\
0015001c662f2f3439396b39353464364f4c33346f4c394653547679363473410014000b\
6578616d706c652e6f726700\
00080014f67024656dd64a3e02b8e0712e85c9a28ca89666";

const SHORT_TERM_PASSWORD: &[u8] = b"VOkJxbRl1RmTxUk/WvJxBt";
const USERNAME_2_4: &str = "\u{30de}\u{30c8}\u{30ea}\u{30c3}\u{30af}\u{30b9}";

fn bytes(h: &str) -> Vec<u8> {
    hex::decode(h).expect("hex")
}

#[test]
fn sample_request_decodes_and_its_integrity_verifies() {
    let b = bytes(REQUEST);
    let m = Message::decode(&b).expect("RFC 5769 §2.1");
    assert_eq!((m.class, m.method), (Class::Request, Method::Binding));
    assert_eq!(m.tx, b[8..20]);
    assert_eq!(
        m.attrs,
        vec![
            Attr::Software("STUN test client".into()),
            Attr::Other(0x0024, vec![0x6e, 0x00, 0x01, 0xff]),
            Attr::Other(0x8029, bytes("932ff9b151263b36")),
            Attr::Username("evtj:h6vY".into()),
        ]
    );
    assert!(stun::check_integrity(&b, SHORT_TERM_PASSWORD));
    assert!(!stun::check_integrity(&b, b"VOkJxbRl1RmTxUk/WvJxBT"));
}

#[test]
fn sample_responses_give_the_mapped_addresses() {
    for (h, want) in [
        (RESPONSE_V4, "192.0.2.1:32853"),
        (RESPONSE_V6, "[2001:db8:1234:5678:11:2233:4455:6677]:32853"),
    ] {
        let b = bytes(h);
        let m = Message::decode(&b).expect("RFC 5769 §2.2/§2.3");
        assert_eq!((m.class, m.method), (Class::Success, Method::Binding));
        let want: SocketAddr = want.parse().expect("addr");
        assert_eq!(
            m.attrs,
            vec![Attr::Software("test vector".into()), Attr::XorMapped(want)]
        );
        assert!(stun::check_integrity(&b, SHORT_TERM_PASSWORD));
    }
}

#[test]
fn long_term_sample_verifies_and_encodes_byte_for_byte() {
    let b = bytes(LONG_TERM);
    let m = Message::decode(&b).expect("RFC 5769 §2.4");
    let key = stun::long_term_key(USERNAME_2_4, "example.org", "TheMatrIX");
    assert!(stun::check_integrity(&b, &key));
    assert_eq!(
        m.attrs,
        vec![
            Attr::Username(USERNAME_2_4.into()),
            Attr::Nonce("f//499k954d6OL34oL9FSTvy64sA".into()),
            Attr::Realm("example.org".into()),
        ]
    );
    assert_eq!(hex::encode(m.encode(Some(&key), false)), hex::encode(&b));
}

#[test]
fn encoding_the_sample_response_reproduces_its_fingerprint_layout() {
    // RFC 5769 pads SOFTWARE with spaces, we pad with zeros: the same message re-encoded must
    // decode to the same attributes and carry a valid MI and FINGERPRINT of its own.
    let m = Message::decode(&bytes(RESPONSE_V4)).expect("decodes");
    let again = m.encode(Some(SHORT_TERM_PASSWORD), true);
    assert_eq!(again.len(), bytes(RESPONSE_V4).len());
    assert_eq!(Message::decode(&again).expect("own encoding"), m);
    assert!(stun::check_integrity(&again, SHORT_TERM_PASSWORD));
    // only the padding byte of SOFTWARE and the two checksums differ
    let diff: Vec<usize> = (0..again.len())
        .filter(|&i| again[i] != bytes(RESPONSE_V4)[i])
        .collect();
    assert!(
        diff.iter()
            .all(|&i| i == 35 || (52..72).contains(&i) || i >= 76),
        "{diff:?}"
    );
}

#[test]
fn a_flipped_bit_breaks_the_fingerprint_or_the_integrity() {
    let b = bytes(REQUEST);
    for i in 0..b.len() {
        let mut t = b.clone();
        t[i] ^= 0x10;
        let decoded = Message::decode(&t);
        assert!(
            decoded.is_err() || !stun::check_integrity(&t, SHORT_TERM_PASSWORD),
            "byte {i}"
        );
    }
}

#[test]
fn malformed_messages_are_refused_with_the_reason() {
    let b = bytes(REQUEST);
    assert_eq!(Message::decode(&b[..19]), Err(stun::Error::Length));
    assert_eq!(Message::decode(&b[..b.len() - 4]), Err(stun::Error::Length));
    let mut cookie = b.clone();
    cookie[4] = 0;
    assert_eq!(Message::decode(&cookie), Err(stun::Error::NotStun));
    let mut method = b.clone();
    method[1] = 0x0F;
    assert_eq!(Message::decode(&method), Err(stun::Error::Method(0x00F)));
    // an attribute running past the end
    let mut over = b.clone();
    over[22..24].copy_from_slice(&0x00FFu16.to_be_bytes());
    assert_eq!(Message::decode(&over), Err(stun::Error::Length));
    // an attribute after MESSAGE-INTEGRITY that is not FINGERPRINT
    let m = Message::new(Class::Request, Method::Binding, [7; 12]);
    let mut late = m.encode(Some(b"k"), false);
    late.extend_from_slice(&[0x80, 0x22, 0, 0]);
    let len = (late.len() - 20) as u16;
    late[2..4].copy_from_slice(&len.to_be_bytes());
    assert_eq!(Message::decode(&late), Err(stun::Error::Order));
    // a short XOR address
    let mut short = Message::new(Class::Success, Method::Allocate, [1; 12])
        .with(Attr::Other(0x0016, vec![0, 1, 2, 3]))
        .encode(None, false);
    assert_eq!(Message::decode(&short), Err(stun::Error::Attribute(0x0016)));
    short.truncate(20);
    assert_eq!(
        Message::decode(&short),
        Err(stun::Error::Length),
        "length field says 8"
    );
    short[2..4].copy_from_slice(&[0, 0]);
    assert!(Message::decode(&short).is_ok());
}

#[test]
fn an_error_code_out_of_its_ranges_is_refused() {
    // found by the turn_stun fuzz target: class 6 with number 255 decoded to 855, which
    // re-encoded as 055
    let with = |class: u8, number: u8| {
        let mut v = vec![0, 0, class, number];
        v.extend_from_slice(b"x");
        Message::new(Class::Error, Method::Allocate, [2; 12])
            .with(Attr::Other(0x0009, v))
            .encode(None, false)
    };
    assert_eq!(
        Message::decode(&with(6, 255)),
        Err(stun::Error::Attribute(0x0009))
    );
    assert_eq!(
        Message::decode(&with(7, 0)),
        Err(stun::Error::Attribute(0x0009))
    );
    assert_eq!(
        Message::decode(&with(2, 0)),
        Err(stun::Error::Attribute(0x0009))
    );
    assert_eq!(
        Message::decode(&with(4, 1)).map(|m| m.error_code()),
        Ok(Some(401))
    );
    assert_eq!(
        Message::decode(&with(6, 99)).map(|m| m.error_code()),
        Ok(Some(699))
    );
}

#[test]
fn turn_attributes_round_trip() {
    let peer: SocketAddr = "127.0.0.1:50123".parse().expect("addr");
    let v6: SocketAddr = "[2001:db8::7]:9".parse().expect("addr");
    let m = Message::new(Class::Error, Method::Allocate, [9; 12])
        .with(Attr::ErrorCode(438, "Stale Nonce".into()))
        .with(Attr::Lifetime(600))
        .with(Attr::RequestedTransport(17))
        .with(Attr::ChannelNumber(0x4001))
        .with(Attr::XorPeer(peer))
        .with(Attr::XorRelayed(v6))
        .with(Attr::Data(vec![1, 2, 3, 4, 5]));
    let b = m.encode(None, true);
    assert_eq!(b.len() % 4, 0);
    assert_eq!(Message::decode(&b), Ok(m.clone()));
    assert_eq!(m.error_code(), Some(438));
    // the ERROR-CODE layout: class in the third byte, number in the fourth
    assert_eq!(b[24..28], [0, 0, 4, 38]);
}
