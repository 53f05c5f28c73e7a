//! Known-answer vectors: vectors.md §9 (a stored 1:1 message from the storage server's tests),
//! the padding edge cases of crypto.md §2.2 and the empty config message of vectors.md §7.
use base64::Engine as _;
use prost::Message as _;
use session_crypto::hash::{Blake2bParams, hash32};
use session_protocol::proto::{self, Envelope, WebSocketMessage, envelope, web_socket_message};
use session_protocol::{Error, padding, wire};

const VECTOR9: &str = include_str!("data/vector9.b64");
const VECTOR9_PUBKEY: &str = "05ffba630924aa1224bb930dde21c0d11bf004608f2812217f8ac812d6c7e3ad48";

fn vector9() -> Vec<u8> {
    base64::engine::general_purpose::STANDARD
        .decode(VECTOR9.trim())
        .unwrap()
}

#[test]
fn vector9_is_the_storage_servers_message() {
    // The fixture is the exact data the storage server hashed (vectors.md §9).
    let data = vector9();
    assert_eq!(data.len(), 347);
    let pubkey = hex::decode(VECTOR9_PUBKEY).unwrap();
    let hash = hash32(Blake2bParams::PLAIN, &[&pubkey, &data]);
    assert_eq!(
        base64::engine::general_purpose::STANDARD_NO_PAD.encode(hash),
        "4sMyAuaZlMwww3oFvfhazfw7ASx/7TDtO+TVc8aAjHs"
    );
}

#[test]
fn vector9_websocket_message_decodes_and_reencodes() {
    let data = vector9();
    let ws: WebSocketMessage = proto::decode(&data).unwrap();
    assert_eq!(ws.r#type(), web_socket_message::Type::Request);
    assert!(ws.response.is_none());
    let req = ws.request.as_ref().unwrap();
    assert_eq!(req.verb.as_deref(), Some("PUT"));
    assert_eq!(req.path.as_deref(), Some("/api/v1/message"));
    assert_eq!(req.request_id, Some(0));
    assert!(req.headers.is_empty());
    let body = req.body.as_deref().unwrap();
    assert_eq!(body.len(), 315);
    assert_eq!(body, &data[30..345]);

    let env: Envelope = proto::decode(body).unwrap();
    assert_eq!(env.r#type(), envelope::Type::SessionMessage);
    assert_eq!(env.timestamp, Some(1_616_650_861_885));
    assert_eq!(env.source, None);
    assert_eq!(env.source_device, None);
    assert_eq!(env.server_timestamp, None);
    assert_eq!(env.pro_sig, None);
    let content = env.content.as_deref().unwrap();
    assert_eq!(content.len(), 303);
    assert_eq!(&content[..8], &hex::decode("570bad5016e14736").unwrap()[..]);
    assert_eq!(content, &data[42..345]);

    // Re-encoding gives the same bytes, layer by layer.
    assert_eq!(env.encode_to_vec(), body);
    assert_eq!(ws.encode_to_vec(), data);
    assert_eq!(proto::encode(&ws).unwrap(), data);
    assert_eq!(wire::envelope_from_websocket(&data).unwrap(), env);
}

#[test]
fn vector9_needs_the_recipients_key() {
    // 303 - 144 = 159 bytes of (legacy-padded) plaintext inside; we do not hold the key.
    let err = session_protocol::decode_incoming(&crate::recipient(), &vector9()).unwrap_err();
    assert!(
        matches!(
            err,
            Error::Crypto {
                what: "1:1 decryption",
                ..
            }
        ),
        "{err:?}"
    );
}

#[test]
fn padding_known_answers() {
    // crypto.md §2.2: append 0x80, zero-fill to a multiple of 160; n + 1 ≡ 0 adds 160 more.
    assert_eq!(padding::pad(b""), [&[0x80][..], &[0; 159]].concat());
    let p = padding::pad(b"abc");
    assert_eq!(p.len(), 160);
    assert_eq!(&p[..4], b"abc\x80");
    assert!(p[4..].iter().all(|&b| b == 0));
    let m = vec![7u8; 159];
    let p = padding::pad(&m);
    assert_eq!(p.len(), 320);
    assert_eq!(p[159], 0x80);
    assert!(p[160..].iter().all(|&b| b == 0));
    assert_eq!(padding::pad(&[1; 158]).len(), 160);
    assert_eq!(padding::pad(&[1; 160]).len(), 320);

    assert_eq!(padding::unpad(b"abc\x80\0\0").unwrap(), b"abc");
    assert_eq!(padding::unpad(b"abc\x80").unwrap(), b"abc");
    // Only the last 0x80 before the zeros is the terminator.
    assert_eq!(padding::unpad(b"a\x80\x80\0").unwrap(), b"a\x80");
    // Not padded: returned whole, trailing zeros included.
    assert_eq!(padding::unpad(b"abc").unwrap(), b"abc");
    assert_eq!(padding::unpad(b"ab\0\0").unwrap(), b"ab\0\0");
    assert_eq!(padding::unpad(b"\x80").unwrap(), b"");
    assert_eq!(padding::unpad(b"").unwrap_err(), Error::EmptyPadding);
    assert_eq!(padding::unpad(&[0; 160]).unwrap_err(), Error::EmptyPadding);
}
