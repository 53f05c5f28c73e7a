//! What travels beside a conversation's payload (spec crypto.md §2.4): the sender's display
//! profile (`DataMessage.profile`, `MessageRequestResponse.profile`) and sync copies, the
//! copies of our own messages that we store in our own swarm so that our other devices see
//! them (`DataMessage.syncTarget` = the real recipient; an unsend request is copied as it is).

use super::{Expiry, Payload, data_event, event_of};
use crate::proto::{Content, LokiProfile};
use session_crypto::SessionId;

/// A sender's display profile as messages carry it.
#[derive(Clone, Debug, Default, PartialEq, Eq)]
pub struct Profile {
    /// The display name (`displayName`), if set.
    pub name: Option<String>,
    /// The profile picture URL (`profilePicture`), if set.
    pub picture_url: Option<String>,
    /// When the sender last changed the profile (`lastUpdateSeconds`, unix seconds; 0 =
    /// unknown).
    pub updated_s: u64,
}

impl Profile {
    fn from_wire(p: &LokiProfile) -> Option<Self> {
        let nonempty = |s: &Option<String>| s.clone().filter(|s| !s.is_empty());
        let profile = Self {
            name: nonempty(&p.display_name),
            picture_url: nonempty(&p.profile_picture),
            updated_s: p.last_update_seconds.unwrap_or(0),
        };
        (profile.name.is_some() || profile.picture_url.is_some()).then_some(profile)
    }

    fn to_wire(&self) -> LokiProfile {
        LokiProfile {
            display_name: self.name.clone(),
            profile_picture: self.picture_url.clone(),
            last_update_seconds: Some(self.updated_s),
        }
    }

    fn is_empty(&self) -> bool {
        self.name.as_deref().is_none_or(str::is_empty)
            && self.picture_url.as_deref().is_none_or(str::is_empty)
    }
}

/// Everything [`parse_full`] reads from a `Content`.
#[derive(Clone, Debug, Default, PartialEq, Eq)]
pub struct Parsed {
    /// What the message says (for a sync copy: what we said to [`Parsed::sync_target`]).
    pub payload: Option<Payload>,
    /// The disappearing setting it carries.
    pub expiry: Expiry,
    /// Set on a sync copy: the conversation the message was sent in.
    pub sync_target: Option<SessionId>,
    /// The sender's profile, when the message carries one with a name or picture.
    pub profile: Option<Profile>,
}

/// Like [`super::parse`], but a sync copy's payload is read too (with its target), and the
/// sender's profile is returned. A `syncTarget` that is not a `05` Session ID makes the payload
/// `None`. Never panics.
pub fn parse_full(content: &Content) -> Parsed {
    let expiry = Expiry::from_content(content);
    let dm = content.data_message.as_ref();
    let profile = dm
        .and_then(|d| d.profile.as_ref())
        .or_else(|| {
            content
                .message_request_response
                .as_ref()
                .and_then(|r| r.profile.as_ref())
        })
        .and_then(Profile::from_wire);
    match dm.and_then(|d| d.sync_target.as_deref()) {
        Some(target) => {
            let sync_target = target.parse::<SessionId>().ok();
            let payload = dm
                .filter(|_| sync_target.is_some())
                .and_then(|d| data_event(d, true));
            Parsed {
                payload,
                expiry,
                sync_target,
                profile,
            }
        }
        None => Parsed {
            payload: event_of(content),
            expiry,
            sync_target: None,
            profile,
        },
    }
}

/// Adds the sender's `profile` to a message that can carry one: texts and reactions
/// (`DataMessage.profile`, not expiry settings, as desktop) and request responses
/// (`MessageRequestResponse.profile`). An empty profile adds nothing.
pub fn add_profile(content: &mut Content, profile: &Profile) {
    if profile.is_empty() {
        return;
    }
    let timer_update = crate::proto::data_message::Flags::ExpirationTimerUpdate as u32;
    if let Some(dm) = &mut content.data_message {
        if dm.flags.unwrap_or(0) & timer_update == 0 {
            dm.profile = Some(profile.to_wire());
        }
    } else if let Some(r) = &mut content.message_request_response {
        r.profile = Some(profile.to_wire());
    }
}

/// The copy of `content` (sent to `target`) to store in our own swarm, as Session does: a data
/// message (text, reaction, expiry setting) gets `syncTarget` = `target` and loses the profile
/// (our devices share it through the config); an unsend request is copied unchanged; anything
/// else (typing, receipts, request responses) has no copy.
pub fn sync_copy(content: &Content, target: &SessionId) -> Option<Content> {
    if content.data_message.is_some() {
        let mut copy = content.clone();
        if let Some(dm) = &mut copy.data_message {
            dm.sync_target = Some(target.to_string());
            dm.profile = None;
            dm.profile_key = None;
        }
        return Some(copy);
    }
    content.unsend_request.as_ref().map(|_| content.clone())
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::content::{MessageRef, build, parse};
    use prost::Message as _;

    const BOB: &str = "0576b86eaf5eb0f8aa8c3d4f61e2e4dd8c2ed0c1c3e2b0a9f5d6a8e7c9b1a2d3e4";
    const ME: &str = "05d2ad010eeb72d72e561d9de7bd7b6989af77dcabffa03a5111a6c859ae5c3a72";
    const T: u64 = 1_700_000_000_000;

    fn wire(c: &Content) -> Content {
        Content::decode(c.encode_to_vec().as_slice()).expect("decodes")
    }

    fn alice() -> Profile {
        Profile {
            name: Some("Alice".into()),
            picture_url: None,
            updated_s: 1_700_000_000,
        }
    }

    #[test]
    fn texts_reactions_and_request_responses_carry_the_profile() {
        let bob: SessionId = BOB.parse().expect("id");
        let text = Payload::Text {
            body: "hi".into(),
            quote: None,
        };
        let reaction = Payload::Reaction {
            to: MessageRef {
                author: bob,
                sent_at_ms: T - 1,
            },
            emoji: "👍".into(),
            remove: false,
        };
        let response = Payload::RequestResponse { approved: true };
        for p in [text, reaction, response] {
            let mut c = build(&p, Expiry::Off, T);
            add_profile(&mut c, &alice());
            let got = parse_full(&wire(&c));
            assert_eq!(got.profile, Some(alice()), "{p:?}");
            assert_eq!(got.payload, Some(p.clone()));
            assert_eq!(parse(&c).0, Some(p), "the plain parser is unchanged");
        }
        // Not on expiry settings, typing or receipts; an empty profile adds nothing.
        for p in [Payload::ExpirySetting, Payload::Typing { started: true }] {
            let mut c = build(&p, Expiry::AfterSend(60), T);
            add_profile(&mut c, &alice());
            assert_eq!(parse_full(&c).profile, None, "{p:?}");
        }
        let mut c = build(
            &Payload::Text {
                body: "x".into(),
                quote: None,
            },
            Expiry::Off,
            T,
        );
        add_profile(&mut c, &Profile::default());
        assert!(c.data_message.as_ref().is_some_and(|d| d.profile.is_none()));
    }

    #[test]
    fn sync_copies_name_the_conversation_and_drop_the_profile() {
        let bob: SessionId = BOB.parse().expect("id");
        let text = Payload::Text {
            body: "to bob".into(),
            quote: None,
        };
        let mut c = build(&text, Expiry::AfterSend(300), T);
        add_profile(&mut c, &alice());
        let copy = wire(&sync_copy(&c, &bob).expect("a copy"));
        assert_eq!(copy.sig_timestamp, Some(T), "the same send time");
        let got = parse_full(&copy);
        assert_eq!(got.payload, Some(text));
        assert_eq!(got.sync_target, Some(bob));
        assert_eq!(got.expiry, Expiry::AfterSend(300));
        assert_eq!(got.profile, None);
        assert_eq!(parse(&copy).0, None, "the plain parser ignores sync copies");
        // The expiry setting is copied; an unsend as it is; typing and receipts are not.
        let setting = build(&Payload::ExpirySetting, Expiry::AfterRead(60), T);
        let got = parse_full(&wire(&sync_copy(&setting, &bob).expect("copy")));
        assert_eq!(
            (got.payload, got.expiry),
            (Some(Payload::ExpirySetting), Expiry::AfterRead(60))
        );
        let unsend = Payload::Unsend {
            to: MessageRef {
                author: ME.parse().expect("id"),
                sent_at_ms: T - 5,
            },
        };
        let c = build(&unsend, Expiry::Off, T);
        assert_eq!(sync_copy(&c, &bob), Some(c));
        for p in [
            Payload::Typing { started: true },
            Payload::RequestResponse { approved: true },
        ] {
            assert_eq!(sync_copy(&build(&p, Expiry::Off, T), &bob), None);
        }
    }

    #[test]
    fn a_bad_sync_target_is_nothing() {
        let mut c = build(
            &Payload::Text {
                body: "x".into(),
                quote: None,
            },
            Expiry::Off,
            T,
        );
        if let Some(dm) = &mut c.data_message {
            dm.sync_target = Some("05nothex".into());
        }
        let got = parse_full(&c);
        assert_eq!((got.payload, got.sync_target), (None, None));
    }
}
