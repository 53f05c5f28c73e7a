use super::*;
use crate::proto::{self, CallMessage};
use proptest::{collection::vec, option, prelude::*};

const ALICE: &str = "05d2ad010eeb72d72e561d9de7bd7b6989af77dcabffa03a5111a6c859ae5c3a72";
const BOB: &str = "0576b86eaf5eb0f8aa8c3d4f61e2e4dd8c2ed0c1c3e2b0a9f5d6a8e7c9b1a2d3e4";
const T: u64 = 1_700_000_000_000;

fn msg(author: &str, sent_at_ms: u64) -> MessageRef {
    MessageRef {
        author: author.parse().unwrap(),
        sent_at_ms,
    }
}

fn every_payload() -> Vec<Payload> {
    vec![
        Payload::Text {
            body: "hello".into(),
            quote: None,
        },
        Payload::Text {
            body: "yes!".into(),
            quote: Some((msg(BOB, T - 5_000), Some("are you there?".into()))),
        },
        Payload::Text {
            body: String::new(),
            quote: Some((msg(ALICE, T - 1), None)),
        },
        Payload::Reaction {
            to: msg(BOB, T - 7),
            emoji: "👍".into(),
            remove: false,
        },
        Payload::Reaction {
            to: msg(ALICE, T - 8),
            emoji: "❤️".into(),
            remove: true,
        },
        Payload::Unsend {
            to: msg(ALICE, T - 9),
        },
        Payload::Receipt {
            read: true,
            timestamps: vec![T - 3, T - 2],
        },
        Payload::Receipt {
            read: false,
            timestamps: vec![],
        },
        Payload::Typing { started: true },
        Payload::Typing { started: false },
        Payload::ExpirySetting,
        Payload::RequestResponse { approved: true },
        Payload::RequestResponse { approved: false },
    ]
}

fn over_the_wire(content: &Content) -> Content {
    proto::decode(&proto::encode(content).unwrap()).unwrap()
}

#[test]
fn every_variant_round_trips_through_the_wire() {
    let expiries = [
        Expiry::Off,
        Expiry::AfterSend(60),
        Expiry::AfterRead(86_400),
        Expiry::AfterSend(0),
    ];
    for out in every_payload() {
        for expiry in expiries {
            let content = over_the_wire(&build(&out, expiry, T));
            assert_eq!(content.sig_timestamp, Some(T), "{out:?}");
            let want = if out.carries_expiry() {
                expiry.normalized()
            } else {
                Expiry::Off
            };
            assert_eq!(
                parse(&content),
                (Some(out.clone()), want),
                "{out:?} {expiry:?}"
            );
        }
    }
}

#[test]
fn text_with_expiry_has_known_bytes() {
    let out = Payload::Text {
        body: "hi".into(),
        quote: None,
    };
    let bytes = proto::encode(&build(&out, Expiry::AfterSend(60), T)).unwrap();
    // A field's tag is the varint (field_number << 3) | wire_type; Content's fields are
    // written in field-number order.
    let want = concat!(
        "0a04",     // Content.dataMessage (1), LEN: tag 0x0a, 4 bytes follow
        "0a026869", //   DataMessage.body (1), LEN: tag 0x0a, 2 bytes, "hi"
        "6002",     // Content.expirationType (12), varint: tag 0x60, DELETE_AFTER_SEND = 2
        "683c",     // Content.expirationTimer (13), varint: tag 0x68, 60 s = 0x3c
        // Content.sigTimestamp (15), varint: tag 0x78, then 1_700_000_000_000 =
        // 0x18b_cfe5_6800 in 7-bit groups, lowest first, with the continuation bit on all
        // but the last: 0x00 0x50 0x15 0x7f 0x3c 0x31 -> 80 d0 95 ff bc 31.
        "7880d095ffbc31",
    );
    assert_eq!(hex::encode(bytes), want);
}

#[test]
fn expiry_setting_off_sends_a_zero_timer_and_no_type() {
    let content = build(&Payload::ExpirySetting, Expiry::Off, T);
    assert_eq!(content.expiration_type, None);
    assert_eq!(content.expiration_timer, Some(0));
    let want = concat!(
        "0a02",           // Content.dataMessage (1), LEN, 2 bytes
        "2002",           //   DataMessage.flags (4), varint: tag 0x20, EXPIRATION_TIMER_UPDATE
        "6800",           // Content.expirationTimer (13) = 0
        "7880d095ffbc31", // Content.sigTimestamp (15) = T
    );
    assert_eq!(hex::encode(proto::encode(&content).unwrap()), want);
    assert_eq!(parse(&content), (Some(Payload::ExpirySetting), Expiry::Off));
}

#[test]
fn typing_carries_the_send_time_and_never_the_expiry() {
    let content = build(&Payload::Typing { started: true }, Expiry::AfterSend(60), T);
    let typing = content.typing_message.unwrap();
    assert_eq!(typing.timestamp, Some(T));
    assert_eq!(content.expiration_type, None);
    assert_eq!(content.expiration_timer, None);
}

#[test]
fn expiry_needs_a_known_type_and_a_nonzero_timer() {
    let with = |kind: Option<i32>, timer: Option<u32>| Content {
        expiration_type: kind,
        expiration_timer: timer,
        ..Default::default()
    };
    let after_send = Some(ExpirationType::DeleteAfterSend as i32);
    let after_read = Some(ExpirationType::DeleteAfterRead as i32);
    let unknown = Some(ExpirationType::Unknown as i32);
    assert_eq!(parse(&with(after_send, Some(30))).1, Expiry::AfterSend(30));
    assert_eq!(parse(&with(after_read, Some(30))).1, Expiry::AfterRead(30));
    assert_eq!(parse(&with(after_send, Some(0))).1, Expiry::Off);
    assert_eq!(parse(&with(after_read, None)).1, Expiry::Off);
    assert_eq!(parse(&with(unknown, Some(30))).1, Expiry::Off);
    assert_eq!(parse(&with(None, Some(30))).1, Expiry::Off);
    assert_eq!(parse(&with(Some(7), Some(30))).1, Expiry::Off);
}

#[test]
fn malformed_or_foreign_content_is_other() {
    let text = |quote_author: Option<&str>| Content {
        data_message: Some(DataMessage {
            body: Some("hi".into()),
            quote: Some(data_message::Quote {
                id: Some(T),
                author: quote_author.map(str::to_owned),
                ..Default::default()
            }),
            ..Default::default()
        }),
        ..Default::default()
    };
    let group_id = format!("03{}", &ALICE[2..]);
    let cases = [
        ("empty", Content::default()),
        ("quote author not hex", text(Some("nonsense"))),
        ("quote author a group ID", text(Some(&group_id))),
        ("quote author too short", text(Some(&ALICE[..64]))),
        ("quote without author", text(None)),
        (
            "empty data message",
            Content {
                data_message: Some(DataMessage::default()),
                ..Default::default()
            },
        ),
        (
            "sync copy of our own message",
            Content {
                data_message: Some(DataMessage {
                    body: Some("hi".into()),
                    sync_target: Some(BOB.into()),
                    ..Default::default()
                }),
                ..Default::default()
            },
        ),
        (
            "reaction with unknown action",
            Content {
                data_message: Some(DataMessage {
                    reaction: Some(data_message::Reaction {
                        id: Some(T),
                        author: Some(ALICE.into()),
                        emoji: Some("👍".into()),
                        action: Some(5),
                    }),
                    ..Default::default()
                }),
                ..Default::default()
            },
        ),
        (
            "reaction by a group ID",
            Content {
                data_message: Some(DataMessage {
                    reaction: Some(data_message::Reaction {
                        id: Some(T),
                        author: Some(group_id.clone()),
                        emoji: Some("👍".into()),
                        action: Some(0),
                    }),
                    ..Default::default()
                }),
                ..Default::default()
            },
        ),
        (
            "unsend without timestamp",
            Content {
                unsend_request: Some(UnsendRequest {
                    timestamp: None,
                    author: Some(ALICE.into()),
                }),
                ..Default::default()
            },
        ),
        (
            "receipt without type",
            Content {
                receipt_message: Some(ReceiptMessage::default()),
                ..Default::default()
            },
        ),
        (
            "typing with unknown action",
            Content {
                typing_message: Some(TypingMessage {
                    timestamp: Some(T),
                    action: Some(9),
                }),
                ..Default::default()
            },
        ),
        (
            "request response without isApproved",
            Content {
                message_request_response: Some(MessageRequestResponse::default()),
                ..Default::default()
            },
        ),
        (
            "call",
            Content {
                call_message: Some(CallMessage {
                    r#type: Some(1),
                    uuid: Some("call".into()),
                    ..Default::default()
                }),
                ..Default::default()
            },
        ),
    ];
    for (what, content) in cases {
        assert_eq!(parse(&content).0, None, "{what}");
    }
}

#[test]
fn ttl_follows_kind_and_expiry() {
    let text = Payload::Text {
        body: "x".into(),
        quote: None,
    };
    let twenty_days = 20 * 24 * 3600;
    assert_eq!(DEFAULT_TTL_MS, 1_209_600_000);
    assert_eq!(ttl_ms(&text, Expiry::Off), DEFAULT_TTL_MS);
    assert_eq!(ttl_ms(&text, Expiry::AfterSend(0)), DEFAULT_TTL_MS);
    assert_eq!(ttl_ms(&text, Expiry::AfterSend(5)), MIN_TTL_MS);
    assert_eq!(ttl_ms(&text, Expiry::AfterSend(60)), 60_000);
    assert_eq!(
        ttl_ms(&text, Expiry::AfterSend(twenty_days)),
        DEFAULT_TTL_MS
    );
    assert_eq!(ttl_ms(&text, Expiry::AfterSend(u32::MAX)), DEFAULT_TTL_MS);
    assert_eq!(ttl_ms(&text, Expiry::AfterRead(60)), DEFAULT_TTL_MS);
    assert_eq!(
        ttl_ms(&Payload::ExpirySetting, Expiry::AfterSend(60)),
        60_000
    );
    let typing = Payload::Typing { started: true };
    for expiry in [
        Expiry::Off,
        Expiry::AfterSend(5),
        Expiry::AfterSend(twenty_days),
    ] {
        assert_eq!(ttl_ms(&typing, expiry), TYPING_TTL_MS);
    }
    let receipt = Payload::Receipt {
        read: true,
        timestamps: vec![T],
    };
    assert_eq!(ttl_ms(&receipt, Expiry::AfterSend(60)), DEFAULT_TTL_MS);
    let unsend = Payload::Unsend { to: msg(ALICE, T) };
    assert_eq!(ttl_ms(&unsend, Expiry::AfterSend(60)), DEFAULT_TTL_MS);
}

#[test]
fn only_typing_and_receipts_are_ephemeral() {
    let ephemeral: Vec<bool> = every_payload().iter().map(Payload::is_ephemeral).collect();
    let want: Vec<bool> = every_payload()
        .iter()
        .map(|o| matches!(o, Payload::Typing { .. } | Payload::Receipt { .. }))
        .collect();
    assert_eq!(ephemeral, want);
    assert!(!Payload::ExpirySetting.is_ephemeral());
    assert!(Payload::Typing { started: false }.is_ephemeral());
}

/// Authors as they may arrive: valid, wrong prefix, wrong length, junk, absent.
fn author() -> impl Strategy<Value = Option<String>> {
    prop_oneof![
        Just(None),
        Just(Some(ALICE.to_owned())),
        Just(Some(BOB.to_uppercase())),
        Just(Some(format!("03{}", &ALICE[2..]))),
        Just(Some(ALICE[..64].to_owned())),
        ".{0,70}".prop_map(Some),
    ]
}

/// An enum field: absent, known or unknown.
fn enum_value() -> impl Strategy<Value = Option<i32>> {
    option::of(-2i32..8)
}

prop_compose! {
    fn data_message()(
        body in option::of(".{0,12}"),
        flags in option::of(0u32..8),
        quote in option::of((option::of(any::<u64>()), author(), option::of(".{0,8}"))),
        reaction in option::of(
            (option::of(any::<u64>()), author(), option::of(".{0,4}"), enum_value()),
        ),
        sync_target in option::of(Just(BOB.to_owned())),
    ) -> DataMessage {
        DataMessage {
            body,
            flags,
            quote: quote.map(|(id, author, text)| data_message::Quote {
                id,
                author,
                text,
                ..Default::default()
            }),
            reaction: reaction.map(|(id, author, emoji, action)| data_message::Reaction {
                id,
                author,
                emoji,
                action,
            }),
            sync_target,
            ..Default::default()
        }
    }
}

prop_compose! {
    /// Any Content a peer could send, required fields and all, unvalidated.
    fn content()(
        data in option::of(data_message()),
        call in any::<bool>(),
        receipt in option::of((enum_value(), vec(any::<u64>(), 0..4))),
        typing in option::of((option::of(any::<u64>()), enum_value())),
        unsend in option::of((option::of(any::<u64>()), author())),
        response in option::of(option::of(any::<bool>())),
        expiration_type in enum_value(),
        expiration_timer in option::of(prop_oneof![Just(0u32), any::<u32>()]),
    ) -> Content {
        Content {
            data_message: data,
            call_message: call.then(|| CallMessage {
                r#type: Some(1),
                uuid: Some("call".into()),
                ..Default::default()
            }),
            receipt_message: receipt
                .map(|(r#type, timestamp)| ReceiptMessage { r#type, timestamp }),
            typing_message: typing.map(|(timestamp, action)| TypingMessage { timestamp, action }),
            unsend_request: unsend.map(|(timestamp, author)| UnsendRequest { timestamp, author }),
            message_request_response: response.map(|is_approved| MessageRequestResponse {
                is_approved,
                ..Default::default()
            }),
            expiration_type,
            expiration_timer,
            ..Default::default()
        }
    }
}

proptest! {
    /// Whatever bytes arrive, decoding and parsing never panics.
    #[test]
    fn parse_never_panics_on_decoded_bytes(bytes in vec(any::<u8>(), 0..256)) {
        if let Ok(content) = proto::decode::<Content>(&bytes) {
            let _ = parse(&content);
            let _ = parse_full(&content);
        }
    }

    /// `parse_full` reads what `parse` reads, and a sync copy's payload is what it copies.
    #[test]
    fn parse_full_agrees_with_parse(content in content()) {
        let full = parse_full(&content);
        let (payload, expiry) = parse(&content);
        prop_assert_eq!(full.expiry, expiry);
        if full.sync_target.is_none()
            && content.data_message.as_ref().is_none_or(|d| d.sync_target.is_none())
        {
            prop_assert_eq!(full.payload, payload);
        } else {
            prop_assert_eq!(payload, None);
            if let (Some(p), Some(t)) = (full.payload, full.sync_target) {
                let mut plain = content.clone();
                if let Some(d) = &mut plain.data_message {
                    d.sync_target = None;
                }
                prop_assert_eq!(parse(&plain).0, Some(p.clone()));
                let copy = sync_copy(&build(&p, expiry, 1), &t).expect("data messages copy");
                prop_assert_eq!(parse_full(&copy).sync_target, Some(t));
            }
        }
    }

    /// Parsing any Content never panics, never yields a zero timer, and whatever it
    /// understands rebuilds to the same meaning.
    #[test]
    fn parse_is_total_and_stable(content in content(), sent_at_ms in any::<u64>()) {
        let (payload, expiry) = parse(&content);
        prop_assert!(!matches!(expiry, Expiry::AfterSend(0) | Expiry::AfterRead(0)));
        if let Some(out) = payload {
            let want = if out.carries_expiry() { expiry } else { Expiry::Off };
            let again = over_the_wire(&build(&out, expiry, sent_at_ms));
            prop_assert_eq!(parse(&again), (Some(out), want));
        }
    }
}

#[test]
fn a_message_of_attachments_only_is_a_text_with_an_empty_body() {
    let pointer = crate::proto::AttachmentPointer {
        id: Some(0),
        url: Some("http://h/file/abc#d=".into()),
        ..Default::default()
    };
    let c = Content {
        data_message: Some(DataMessage {
            attachments: vec![pointer],
            ..Default::default()
        }),
        ..Default::default()
    };
    assert_eq!(
        parse(&c).0,
        Some(Payload::Text {
            body: String::new(),
            quote: None
        })
    );
}
