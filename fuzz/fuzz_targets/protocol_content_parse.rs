//! `session_protocol::content::parse` on any `Content` the decoder accepts: never panics,
//! never yields a zero timer, and what it understands rebuilds to the same meaning.
#![no_main]
use libfuzzer_sys::fuzz_target;
use session_protocol::content::{self, Expiry};
use session_protocol::proto::{self, Content};

fuzz_target!(|data: &[u8]| {
    let Ok(c) = proto::decode::<Content>(data) else {
        return;
    };
    let (payload, expiry) = content::parse(&c);
    assert!(!matches!(expiry, Expiry::AfterSend(0) | Expiry::AfterRead(0)));
    if let Some(p) = payload {
        let rebuilt = content::build(&p, expiry, c.sig_timestamp.unwrap_or(0));
        assert_eq!(content::parse(&rebuilt).0, Some(p), "rebuilding changed the meaning");
    }
});
