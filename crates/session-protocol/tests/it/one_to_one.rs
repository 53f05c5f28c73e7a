//! 1:1 encode/decode: layout of what we send, round trips, and every rejection path.
use crate::fixtures::{self, SENT_MS};
use crate::{recipient, rng, sender};
use prost::Message as _;
use session_crypto::Ed25519PublicKey;
use session_crypto::session_protocol::encrypt_for_recipient;
use session_protocol::one_to_one::{decode_envelope, encode_for_recipient_deterministic};
use session_protocol::proto::{self, *};
use session_protocol::{Error, decode_incoming, encode_for_recipient, padding, wire};

fn text(body: &str) -> Content {
    Content {
        data_message: Some(DataMessage {
            body: Some(body.into()),
            ..Default::default()
        }),
        sig_timestamp: Some(SENT_MS),
        ..Default::default()
    }
}

#[test]
fn layout_matches_libsession() {
    let (s, r) = (sender(), recipient());
    let content = text("hi");
    let bytes = encode_for_recipient(&s, &r.session_id(), &content, SENT_MS, &mut rng(1)).unwrap();

    let ws: WebSocketMessage = proto::decode(&bytes).unwrap();
    assert_eq!(ws.r#type, Some(web_socket_message::Type::Request as i32));
    let req = ws.request.unwrap();
    assert_eq!(req.verb.as_deref(), Some(""));
    assert_eq!(req.path.as_deref(), Some(""));
    assert_eq!(req.request_id, Some(0));
    // libsession sets verb, path and requestId explicitly: they are on the wire.
    assert_eq!(&bytes[..2], [0x08, 0x01]);
    let body = req.body.unwrap();
    let env = Envelope::decode(&body[..]).unwrap();
    assert_eq!(env.r#type, Some(envelope::Type::SessionMessage as i32));
    assert_eq!(env.timestamp, Some(SENT_MS));
    assert_eq!(env.source_device, Some(1));
    assert_eq!(env.source, None);
    // Content is padded to 160 before the 144 bytes of Session Protocol overhead.
    let plain_len = content.encoded_len();
    assert_eq!(
        env.content.as_ref().unwrap().len(),
        padding::padded_len(plain_len) + 144
    );
    // The decoy Pro signature: 64 bytes whose R is a valid point, verifying for no key.
    let pro_sig = env.pro_sig.unwrap();
    assert_eq!(pro_sig.len(), 64);
    let r_point: [u8; 32] = pro_sig[..32].try_into().unwrap();
    assert!(Ed25519PublicKey::from_bytes(r_point).to_x25519().is_ok());
    let sig: [u8; 64] = pro_sig[..].try_into().unwrap();
    assert!(
        s.ed25519_public()
            .verify(env.content.as_deref().unwrap(), &sig, "t")
            .is_err()
    );
    // Envelope fields go out in field-number order: type(1) timestamp(5) sourceDevice(7)
    // content(8) proSig(11), as C++ protobuf writes them.
    assert_eq!(body[0], 0x08);
    assert_eq!(body[2], 0x28);
}

#[test]
fn round_trip_every_fixture() {
    let (s, r) = (sender(), recipient());
    let mut g = rng(2);
    for (name, content) in fixtures::all() {
        let bytes = encode_for_recipient(&s, &r.session_id(), &content, SENT_MS, &mut g).unwrap();
        let got = decode_incoming(&r, &bytes).unwrap_or_else(|e| panic!("{name}: {e}"));
        assert_eq!(got.content, content, "{name}");
        assert_eq!(got.sender, s.session_id());
        assert_eq!(got.sender_ed25519, s.ed25519_public());
        assert_eq!(got.envelope_timestamp_ms, SENT_MS);
        assert_eq!(got.source_device, Some(1));
        assert!(got.pro_sig.is_some());
        assert_eq!(got.signed_timestamp_ms(), content.sig_timestamp);
        // Random ephemeral keys and decoys: never the same bytes twice.
        let again = encode_for_recipient(&s, &r.session_id(), &content, SENT_MS, &mut g).unwrap();
        assert_ne!(again, bytes);
    }
}

#[test]
fn deterministic_variant() {
    let (s, r) = (sender(), recipient());
    let content = text("same");
    let a = encode_for_recipient_deterministic(&s, &r.session_id(), &content, SENT_MS).unwrap();
    let b = encode_for_recipient_deterministic(&s, &r.session_id(), &content, SENT_MS).unwrap();
    assert_eq!(a, b);
    assert_ne!(
        a,
        encode_for_recipient_deterministic(&s, &r.session_id(), &content, SENT_MS + 1).unwrap()
    );
    let got = decode_incoming(&r, &a).unwrap();
    assert_eq!(got.content, content);
    assert_eq!(got.pro_sig, None);
}

#[test]
fn expiration_unsend_receipt_typing_fields_survive() {
    let (s, r) = (sender(), recipient());
    let content = Content {
        unsend_request: Some(UnsendRequest {
            timestamp: Some(SENT_MS - 1),
            author: Some(s.session_id().to_string()),
        }),
        receipt_message: Some(ReceiptMessage {
            r#type: Some(receipt_message::Type::Delivery as i32),
            timestamp: vec![1, 2, u64::MAX],
        }),
        typing_message: Some(TypingMessage {
            timestamp: Some(SENT_MS),
            action: Some(typing_message::Action::Stopped as i32),
        }),
        expiration_type: Some(content::ExpirationType::DeleteAfterRead as i32),
        expiration_timer: Some(u32::MAX),
        sig_timestamp: Some(SENT_MS),
        ..Default::default()
    };
    let bytes = encode_for_recipient(&s, &r.session_id(), &content, SENT_MS, &mut rng(3)).unwrap();
    let got = decode_incoming(&r, &bytes).unwrap().content;
    assert_eq!(
        got.expiration_type(),
        content::ExpirationType::DeleteAfterRead
    );
    assert_eq!(got.expiration_timer, Some(u32::MAX));
    assert_eq!(got.sig_timestamp, Some(SENT_MS));
    assert_eq!(got.unsend_request, content.unsend_request);
    assert_eq!(got.receipt_message.unwrap().timestamp, [1, 2, u64::MAX]);
    assert_eq!(
        got.typing_message.unwrap().action(),
        typing_message::Action::Stopped
    );
}

#[test]
fn rejects_the_wrong_recipient_and_tampering() {
    let (s, r) = (sender(), recipient());
    let bytes =
        encode_for_recipient(&s, &r.session_id(), &text("x"), SENT_MS, &mut rng(4)).unwrap();
    assert!(matches!(
        decode_incoming(&s, &bytes).unwrap_err(),
        Error::Crypto { .. }
    ));
    // Any single-bit flip is rejected (by protobuf, envelope checks or decryption), or — for
    // bits outside the ciphertext — decodes to the same sender and content.
    for bit in (0..bytes.len() * 8).step_by(7) {
        let mut bad = bytes.clone();
        bad[bit / 8] ^= 1 << (bit % 8);
        if let Ok(got) = decode_incoming(&r, &bad) {
            assert_eq!(got.content, text("x"), "bit {bit}");
            assert_eq!(got.sender, s.session_id());
        }
    }
}

fn envelope_with(ciphertext: Vec<u8>, f: impl FnOnce(&mut Envelope)) -> Vec<u8> {
    let mut env = wire::one_to_one_envelope(ciphertext, SENT_MS, None);
    f(&mut env);
    wire::wrap_in_websocket(env.encode_to_vec())
}

#[test]
fn rejects_malformed_layers() {
    let (s, r) = (sender(), recipient());
    let padded = padding::pad(&text("x").encode_to_vec());
    let ct = encrypt_for_recipient(&s, &r.session_id(), &padded, &mut rng(5)).unwrap();
    // Sanity: the hand-built message decodes.
    assert!(decode_incoming(&r, &envelope_with(ct.clone(), |_| {})).is_ok());

    let missing = |what, field| Error::MissingField { what, field };
    let cases: Vec<(Vec<u8>, Error)> = vec![
        (
            WebSocketMessage::default().encode_to_vec(),
            missing("WebSocketMessage", "request.body"),
        ),
        (
            envelope_with(ct.clone(), |e| e.r#type = None),
            missing("Envelope", "type"),
        ),
        (
            envelope_with(ct.clone(), |e| e.r#type = Some(5)),
            missing("Envelope", "type"),
        ),
        (
            envelope_with(ct.clone(), |e| e.timestamp = None),
            missing("Envelope", "timestamp"),
        ),
        (
            envelope_with(ct.clone(), |e| e.content = None),
            missing("Envelope", "content"),
        ),
        (
            envelope_with(ct.clone(), |e| {
                e.r#type = Some(envelope::Type::ClosedGroupMessage as i32)
            }),
            Error::UnexpectedEnvelopeType {
                got: 7,
                expected: 6,
            },
        ),
        (
            envelope_with(ct.clone(), |e| e.pro_sig = Some(vec![0; 63])),
            Error::InvalidField {
                what: "Envelope",
                field: "proSig",
            },
        ),
        (
            envelope_with(ct.clone(), |e| e.source = Some("05zz".into())),
            Error::InvalidField {
                what: "Envelope",
                field: "source",
            },
        ),
    ];
    for (i, (bytes, want)) in cases.into_iter().enumerate() {
        assert_eq!(decode_incoming(&r, &bytes).unwrap_err(), want, "case {i}");
    }
    for junk in [&[0xff][..], &[0x12, 0x05, 0x1a, 0x03, 0x08], &[0x0a; 40]] {
        let got = decode_incoming(&r, junk).unwrap_err();
        assert!(matches!(got, Error::Protobuf { .. }), "{got:?}");
    }
    // An empty source (iOS/Android) and a 66-hex one are accepted.
    for src in [
        "",
        "05d2ad010eeb72d72e561d9de7bd7b6989af77dcabffa03a5111a6c859ae5c3a72",
    ] {
        let bytes = envelope_with(ct.clone(), |e| e.source = Some(src.into()));
        assert!(decode_incoming(&r, &bytes).is_ok(), "{src:?}");
    }
}

#[test]
fn rejects_bad_content_inside_a_valid_box() {
    let (s, r) = (sender(), recipient());
    let seal = |plain: &[u8]| {
        let ct = encrypt_for_recipient(&s, &r.session_id(), plain, &mut rng(6)).unwrap();
        wire::one_to_one_envelope(ct, SENT_MS, None)
    };
    // Not protobuf.
    let got = decode_envelope(&r, seal(&padding::pad(&[0xff, 0xff]))).unwrap_err();
    assert!(
        matches!(
            got,
            Error::Protobuf {
                what: "Content",
                ..
            }
        ),
        "{got:?}"
    );
    // Protobuf, but a required field is missing (a typing message without its action).
    let bad = Content {
        typing_message: Some(TypingMessage {
            timestamp: Some(1),
            action: None,
        }),
        ..Default::default()
    };
    let got = decode_envelope(&r, seal(&padding::pad(&bad.encode_to_vec()))).unwrap_err();
    assert_eq!(
        got,
        Error::MissingField {
            what: "TypingMessage",
            field: "action"
        }
    );
    // All padding, no message.
    let got = decode_envelope(&r, seal(&[0; 160])).unwrap_err();
    assert_eq!(got, Error::EmptyPadding);
    // And we refuse to encode what Session would refuse to parse.
    let err = encode_for_recipient(&s, &r.session_id(), &bad, SENT_MS, &mut rng(7)).unwrap_err();
    assert_eq!(
        err,
        Error::MissingField {
            what: "TypingMessage",
            field: "action"
        }
    );
}

#[test]
fn legacy_unpadded_content_is_accepted() {
    // Content encrypted without padding (old clients): unpad returns it whole.
    let (s, r) = (sender(), recipient());
    let content = text("old client");
    let ct =
        encrypt_for_recipient(&s, &r.session_id(), &content.encode_to_vec(), &mut rng(8)).unwrap();
    let got = decode_envelope(&r, wire::one_to_one_envelope(ct, SENT_MS, None)).unwrap();
    assert_eq!(got.content, content);
}
