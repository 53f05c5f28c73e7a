//! Property tests: protobuf round trips for every message type (values from `arbitrary`), 1:1,
//! community and blinded-DM round trips, pad/unpad, and canonical bencode.
use crate::{SERVER_PK, recipient, rng, sender};
use arbitrary::{Arbitrary, Unstructured};
use proptest::prelude::*;
use prost::Message;
use session_protocol::bencode::Value;
use session_protocol::community::*;
use session_protocol::proto::{self, Validate as _, *};
use session_protocol::{decode_incoming, encode_for_recipient, padding};
use std::collections::BTreeMap;

/// Any value of `T`, built by `arbitrary` from random bytes.
fn arb<T: for<'a> Arbitrary<'a> + std::fmt::Debug>() -> impl Strategy<Value = T> {
    proptest::collection::vec(any::<u8>(), 0..768).prop_filter_map("arbitrary", |b| {
        T::arbitrary_take_rest(Unstructured::new(&b)).ok()
    })
}

/// A `Content` that Session would accept (required fields present).
fn valid_content() -> impl Strategy<Value = Content> {
    arb::<Content>().prop_filter("required fields", |c| c.validate().is_ok())
}

macro_rules! round_trips {
    ($($name:ident: $ty:ty),* $(,)?) => {
        proptest! {
            #![proptest_config(ProptestConfig::with_cases(128))]
            $(
                #[test]
                fn $name(v in arb::<$ty>()) {
                    let bytes = v.encode_to_vec();
                    prop_assert_eq!(bytes.len(), v.encoded_len());
                    let back = <$ty>::decode(&bytes[..]).unwrap();
                    prop_assert_eq!(&back, &v);
                    prop_assert_eq!(back.encode_to_vec(), bytes);
                }
            )*
        }
    };
}

round_trips! {
    rt_websocket_message: WebSocketMessage,
    rt_websocket_request: WebSocketRequestMessage,
    rt_websocket_response: WebSocketResponseMessage,
    rt_envelope: Envelope,
    rt_content: Content,
    rt_data_message: DataMessage,
    rt_quote: data_message::Quote,
    rt_quoted_attachment: data_message::quote::QuotedAttachment,
    rt_preview: data_message::Preview,
    rt_reaction: data_message::Reaction,
    rt_open_group_invitation: data_message::OpenGroupInvitation,
    rt_loki_profile: LokiProfile,
    rt_attachment_pointer: AttachmentPointer,
    rt_call_message: CallMessage,
    rt_receipt_message: ReceiptMessage,
    rt_typing_message: TypingMessage,
    rt_unsend_request: UnsendRequest,
    rt_message_request_response: MessageRequestResponse,
    rt_data_extraction_notification: DataExtractionNotification,
    rt_shared_config_message: SharedConfigMessage,
    rt_group_update_message: GroupUpdateMessage,
    rt_group_update_invite: GroupUpdateInviteMessage,
    rt_group_update_promote: GroupUpdatePromoteMessage,
    rt_group_update_info_change: GroupUpdateInfoChangeMessage,
    rt_group_update_member_change: GroupUpdateMemberChangeMessage,
    rt_group_update_member_left: GroupUpdateMemberLeftMessage,
    rt_group_update_member_left_notification: GroupUpdateMemberLeftNotificationMessage,
    rt_group_update_invite_response: GroupUpdateInviteResponseMessage,
    rt_group_update_delete_member_content: GroupUpdateDeleteMemberContentMessage,
    rt_pro_message: ProMessage,
    rt_pro_proof: ProProof,
}

/// A bencode value, nested a few levels.
fn bencode_value() -> impl Strategy<Value = Value> {
    let leaf = prop_oneof![
        any::<i64>().prop_map(Value::Int),
        proptest::collection::vec(any::<u8>(), 0..24).prop_map(Value::Bytes),
    ];
    leaf.prop_recursive(4, 48, 6, |inner| {
        prop_oneof![
            proptest::collection::vec(inner.clone(), 0..6).prop_map(Value::List),
            proptest::collection::btree_map(
                proptest::collection::vec(any::<u8>(), 0..6),
                inner,
                0..6
            )
            .prop_map(|m: BTreeMap<Vec<u8>, Value>| Value::Dict(m)),
        ]
    })
}

proptest! {
    #![proptest_config(ProptestConfig {
        cases: 48,
        max_global_rejects: 1_000_000,
        ..ProptestConfig::default()
    })]

    #[test]
    fn one_to_one_round_trip(content in valid_content(), sent_ms in any::<u64>(), seed in any::<u64>()) {
        let (s, r) = (sender(), recipient());
        let bytes = encode_for_recipient(&s, &r.session_id(), &content, sent_ms, &mut rng(seed)).unwrap();
        let got = decode_incoming(&r, &bytes).unwrap();
        prop_assert_eq!(got.content, content);
        prop_assert_eq!(got.sender, s.session_id());
        prop_assert_eq!(got.envelope_timestamp_ms, sent_ms);
    }

    #[test]
    fn community_round_trip(content in valid_content(), kind in 0u8..3) {
        let k = sender();
        let signer = match kind {
            0 => CommunitySigner::Unblinded(&k),
            1 => CommunitySigner::Blind15(&k, &SERVER_PK),
            _ => CommunitySigner::Blind25(&k, &SERVER_PK),
        };
        let msg = encode_community_message(&content, &signer).unwrap();
        let got = verify_community_message(&msg.data, &msg.signature, &signer.poster()).unwrap();
        prop_assert_eq!(got, content);
    }

    #[test]
    fn blinded_dm_round_trip(content in valid_content(), blind25 in any::<bool>(), seed in any::<u64>()) {
        let (a, b) = (sender(), recipient());
        let kind = if blind25 { session_crypto::BlindKind::Blind25 } else { session_crypto::BlindKind::Blind15 };
        let id = |k| session_crypto::blinding::blinded_keypair(kind, k, &SERVER_PK).id();
        let ct = encode_blinded_dm(&a, &SERVER_PK, &id(&b), &content, &mut rng(seed)).unwrap();
        let got = decode_blinded_dm(&b, &SERVER_PK, &id(&a), &id(&b), &ct).unwrap();
        prop_assert_eq!(got.content, content);
    }
}

proptest! {
    #![proptest_config(ProptestConfig::with_cases(512))]

    #[test]
    fn pad_unpad(msg in proptest::collection::vec(any::<u8>(), 0..700)) {
        let padded = padding::pad(&msg);
        prop_assert_eq!(padded.len() % padding::PADDING_MULTIPLE, 0);
        prop_assert!(padded.len() > msg.len());
        prop_assert!(padded.len() <= msg.len() + padding::PADDING_MULTIPLE + 1);
        prop_assert_eq!(padded.len(), padding::padded_len(msg.len()));
        prop_assert_eq!(padding::unpad(&padded).unwrap(), &msg[..]);
    }

    #[test]
    fn unpad_never_panics(bytes in proptest::collection::vec(any::<u8>(), 0..400)) {
        if let Ok(m) = padding::unpad(&bytes) {
            prop_assert!(bytes.starts_with(m));
        }
    }

    #[test]
    fn bencode_round_trip(v in bencode_value()) {
        let bytes = v.encode();
        prop_assert_eq!(Value::decode(&bytes).unwrap(), v);
    }

    #[test]
    fn bencode_accepts_only_canonical_bytes(bytes in proptest::collection::vec(any::<u8>(), 0..64)) {
        // Whatever decodes re-encodes to exactly the input.
        if let Ok(v) = Value::decode(&bytes) {
            prop_assert_eq!(v.encode(), bytes);
        }
    }

    #[test]
    fn bencode_mutations_are_canonical_or_rejected(v in bencode_value(), at in any::<prop::sample::Index>(), byte in any::<u8>()) {
        let mut bytes = v.encode();
        let i = at.index(bytes.len());
        bytes[i] = byte;
        if let Ok(w) = Value::decode(&bytes) {
            prop_assert_eq!(w.encode(), bytes);
        }
    }

    #[test]
    fn decoders_never_panic(bytes in proptest::collection::vec(any::<u8>(), 0..600)) {
        let _ = decode_incoming(&recipient(), &bytes);
        let _ = proto::decode::<Content>(&bytes);
        let _ = proto::decode::<Envelope>(&bytes);
        let _ = proto::decode::<WebSocketMessage>(&bytes);
    }
}
