//! Canonical bencode decoding of arbitrary bytes: never panics, and whatever decodes re-encodes
//! to exactly the input (only canonical encodings are accepted).
#![no_main]
use libfuzzer_sys::fuzz_target;
use session_protocol::bencode::Value;

fuzz_target!(|data: &[u8]| {
    if let Ok(v) = Value::decode(data) {
        assert_eq!(v.encode(), data, "non-canonical input accepted");
    }
});
