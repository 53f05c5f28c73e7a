//! `session_protocol::content::parse` on any `Content` the decoder accepts: never panics,
//! never yields a zero timer, and what it understands rebuilds to the same meaning.
#![no_main]
use libfuzzer_sys::fuzz_target;
use session_protocol::content::{self, Event, Expiry, Outgoing};
use session_protocol::proto::{self, Content};

fn outgoing(event: &Event) -> Option<Outgoing> {
    Some(match event.clone() {
        Event::Text { body, quote } => Outgoing::Text { body, quote },
        Event::Reaction { to, emoji, remove } => Outgoing::Reaction { to, emoji, remove },
        Event::Unsend { to } => Outgoing::Unsend { to },
        Event::Receipt { read, timestamps } => Outgoing::Receipt { read, timestamps },
        Event::Typing { started } => Outgoing::Typing { started },
        Event::ExpirySetting => Outgoing::ExpirySetting,
        Event::RequestResponse { approved } => Outgoing::RequestResponse { approved },
        Event::Other => return None,
    })
}

fuzz_target!(|data: &[u8]| {
    let Ok(c) = proto::decode::<Content>(data) else {
        return;
    };
    let (event, expiry) = content::parse(&c);
    assert!(!matches!(expiry, Expiry::AfterSend(0) | Expiry::AfterRead(0)));
    if let Some(out) = outgoing(&event) {
        let rebuilt = content::build(&out, expiry, c.sig_timestamp.unwrap_or(0));
        let (again, _) = content::parse(&rebuilt);
        assert_eq!(again, event, "rebuilding changed the meaning");
    }
});
