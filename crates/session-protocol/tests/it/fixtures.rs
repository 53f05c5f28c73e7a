//! One `Content` per message kind, with fixed values: the inputs of the snapshot tests.
use session_protocol::proto::*;

pub const SENT_MS: u64 = 1_700_000_000_123;
pub const AUTHOR: &str = "05d2ad010eeb72d72e561d9de7bd7b6989af77dcabffa03a5111a6c859ae5c3a72";
pub const GROUP: &str = "03b74ed205f1f931e1bb1291183778a9456b835937d923b0f2e248aa3a44c07844";

fn data(dm: DataMessage) -> Content {
    Content {
        data_message: Some(dm),
        sig_timestamp: Some(SENT_MS),
        ..Default::default()
    }
}

fn attachment() -> AttachmentPointer {
    AttachmentPointer {
        id: Some(0),
        content_type: Some("image/jpeg".into()),
        key: Some(vec![0x11; 64]),
        size: Some(12_345),
        digest: Some(vec![0x22; 32]),
        file_name: Some("cat.jpg".into()),
        width: Some(640),
        height: Some(480),
        url: Some("http://filev2.getsession.org/file/1234".into()),
        ..Default::default()
    }
}

fn group_update(update: GroupUpdateMessage) -> Content {
    data(DataMessage {
        group_update_message: Some(update),
        ..Default::default()
    })
}

/// Every message kind the crate builds, by snapshot name.
pub fn all() -> Vec<(&'static str, Content)> {
    use data_message::{OpenGroupInvitation, Preview, Quote, Reaction, quote::QuotedAttachment};
    vec![
        (
            "text",
            data(DataMessage {
                body: Some("hello from session-rs".into()),
                profile_key: Some(vec![0x33; 32]),
                profile: Some(LokiProfile {
                    display_name: Some("Alice".into()),
                    profile_picture: Some("http://filev2.getsession.org/file/42".into()),
                    last_update_seconds: Some(1_700_000_000),
                }),
                ..Default::default()
            }),
        ),
        (
            "attachment_quote_preview",
            data(DataMessage {
                body: Some("look".into()),
                attachments: vec![attachment()],
                quote: Some(Quote {
                    id: Some(SENT_MS - 1000),
                    author: Some(AUTHOR.into()),
                    text: Some("earlier".into()),
                    attachments: vec![QuotedAttachment {
                        content_type: Some("image/jpeg".into()),
                        file_name: Some("cat.jpg".into()),
                        thumbnail: None,
                        flags: None,
                    }],
                }),
                preview: vec![Preview {
                    url: Some("https://getsession.org".into()),
                    title: Some("Session".into()),
                    image: Some(attachment()),
                }],
                ..Default::default()
            }),
        ),
        (
            "reaction",
            data(DataMessage {
                reaction: Some(Reaction {
                    id: Some(SENT_MS - 5000),
                    author: Some(AUTHOR.into()),
                    emoji: Some("👍".into()),
                    action: Some(data_message::reaction::Action::React as i32),
                }),
                ..Default::default()
            }),
        ),
        (
            "open_group_invitation",
            data(DataMessage {
                open_group_invitation: Some(OpenGroupInvitation {
                    url: Some("https://open.getsession.org/session?public_key=a03c".into()),
                    name: Some("Session".into()),
                }),
                ..Default::default()
            }),
        ),
        (
            "expiration_timer_update",
            Content {
                data_message: Some(DataMessage {
                    flags: Some(data_message::Flags::ExpirationTimerUpdate as u32),
                    sync_target: Some(AUTHOR.into()),
                    blocks_community_message_requests: Some(true),
                    ..Default::default()
                }),
                expiration_type: Some(content::ExpirationType::DeleteAfterSend as i32),
                expiration_timer: Some(86_400),
                sig_timestamp: Some(SENT_MS),
                ..Default::default()
            },
        ),
        (
            "call_offer",
            Content {
                call_message: Some(CallMessage {
                    r#type: Some(call_message::Type::Offer as i32),
                    sdps: vec!["v=0\r\no=- 1 2 IN IP4 127.0.0.1\r\n".into()],
                    sdp_m_line_indexes: vec![],
                    sdp_mids: vec![],
                    uuid: Some("6f1c2a9e-0f5b-4c43-9a51-2d7f7c3b1e00".into()),
                }),
                sig_timestamp: Some(SENT_MS),
                ..Default::default()
            },
        ),
        (
            "call_ice_candidates",
            Content {
                call_message: Some(CallMessage {
                    r#type: Some(call_message::Type::IceCandidates as i32),
                    sdps: vec!["candidate:1 1 udp 1 10.0.0.1 5000 typ host".into(); 2],
                    sdp_m_line_indexes: vec![0, 1],
                    sdp_mids: vec!["0".into(), "1".into()],
                    uuid: Some("6f1c2a9e-0f5b-4c43-9a51-2d7f7c3b1e00".into()),
                }),
                ..Default::default()
            },
        ),
        (
            "receipt_read",
            Content {
                receipt_message: Some(ReceiptMessage {
                    r#type: Some(receipt_message::Type::Read as i32),
                    timestamp: vec![SENT_MS - 2, SENT_MS - 1],
                }),
                ..Default::default()
            },
        ),
        (
            "typing_started",
            Content {
                typing_message: Some(TypingMessage {
                    timestamp: Some(SENT_MS),
                    action: Some(typing_message::Action::Started as i32),
                }),
                ..Default::default()
            },
        ),
        (
            "unsend_request",
            Content {
                unsend_request: Some(UnsendRequest {
                    timestamp: Some(SENT_MS - 60_000),
                    author: Some(AUTHOR.into()),
                }),
                sig_timestamp: Some(SENT_MS),
                ..Default::default()
            },
        ),
        (
            "message_request_response",
            Content {
                message_request_response: Some(MessageRequestResponse {
                    is_approved: Some(true),
                    profile_key: Some(vec![0x44; 32]),
                    profile: Some(LokiProfile {
                        display_name: Some("Bob".into()),
                        ..Default::default()
                    }),
                }),
                ..Default::default()
            },
        ),
        (
            "data_extraction_screenshot",
            Content {
                data_extraction_notification: Some(DataExtractionNotification {
                    r#type: Some(data_extraction_notification::Type::Screenshot as i32),
                    timestamp: Some(SENT_MS),
                }),
                ..Default::default()
            },
        ),
        (
            "shared_config",
            Content {
                shared_config_message: Some(SharedConfigMessage {
                    kind: Some(shared_config_message::Kind::UserProfile as i32),
                    seqno: Some(7),
                    data: Some(b"d1:#i7e1:&de1:<le1:=dee".to_vec()),
                }),
                ..Default::default()
            },
        ),
        (
            "group_invite",
            group_update(GroupUpdateMessage {
                invite_message: Some(GroupUpdateInviteMessage {
                    group_session_id: Some(GROUP.into()),
                    name: Some("Friends".into()),
                    member_auth_data: Some(vec![0x55; 100]),
                    admin_signature: Some(vec![0x66; 64]),
                }),
                ..Default::default()
            }),
        ),
        (
            "group_promote",
            group_update(GroupUpdateMessage {
                promote_message: Some(GroupUpdatePromoteMessage {
                    group_identity_seed: Some(vec![0x77; 32]),
                    name: Some("Friends".into()),
                }),
                ..Default::default()
            }),
        ),
        (
            "group_info_change",
            group_update(GroupUpdateMessage {
                info_change_message: Some(GroupUpdateInfoChangeMessage {
                    r#type: Some(group_update_info_change_message::Type::Name as i32),
                    updated_name: Some("Best friends".into()),
                    updated_expiration: None,
                    admin_signature: Some(vec![0x88; 64]),
                }),
                ..Default::default()
            }),
        ),
        (
            "group_member_change",
            group_update(GroupUpdateMessage {
                member_change_message: Some(GroupUpdateMemberChangeMessage {
                    r#type: Some(group_update_member_change_message::Type::Added as i32),
                    member_session_ids: vec![AUTHOR.into()],
                    history_shared: Some(false),
                    admin_signature: Some(vec![0x99; 64]),
                }),
                ..Default::default()
            }),
        ),
        (
            "group_member_left",
            group_update(GroupUpdateMessage {
                member_left_message: Some(GroupUpdateMemberLeftMessage {}),
                ..Default::default()
            }),
        ),
        (
            "group_member_left_notification",
            group_update(GroupUpdateMessage {
                member_left_notification_message: Some(GroupUpdateMemberLeftNotificationMessage {}),
                ..Default::default()
            }),
        ),
        (
            "group_invite_response",
            group_update(GroupUpdateMessage {
                invite_response: Some(GroupUpdateInviteResponseMessage {
                    is_approved: Some(true),
                }),
                ..Default::default()
            }),
        ),
        (
            "group_delete_member_content",
            group_update(GroupUpdateMessage {
                delete_member_content: Some(GroupUpdateDeleteMemberContentMessage {
                    member_session_ids: vec![AUTHOR.into()],
                    message_hashes: vec!["4sMyAuaZlMwww3oFvfhazfw7ASx/7TDtO+TVc8aAjHs".into()],
                    admin_signature: Some(vec![0xaa; 64]),
                }),
                ..Default::default()
            }),
        ),
    ]
}
