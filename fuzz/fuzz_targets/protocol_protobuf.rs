//! The protobuf decoders (with Session's required-field checks) on arbitrary bytes: never
//! panic, and a decoded message re-encodes to bytes that decode to the same message.
#![no_main]
use libfuzzer_sys::fuzz_target;
use prost::Message;
use session_protocol::proto::{self, Named, Validate};

fn check<M: Message + Default + Validate + Named + PartialEq + std::fmt::Debug>(data: &[u8]) {
    if let Ok(m) = proto::decode::<M>(data) {
        let bytes = proto::encode(&m).expect("a decoded message validates");
        let again: M = proto::decode(&bytes).expect("re-encoded message decodes");
        assert_eq!(again, m, "{} changed in a round trip", M::NAME);
        assert_eq!(again.encode_to_vec(), bytes);
    }
}

fuzz_target!(|data: &[u8]| {
    check::<proto::WebSocketMessage>(data);
    check::<proto::Envelope>(data);
    check::<proto::Content>(data);
    check::<proto::DataMessage>(data);
    check::<proto::GroupUpdateMessage>(data);
    check::<proto::CallMessage>(data);
    check::<proto::SharedConfigMessage>(data);
    let _ = session_protocol::wire::envelope_from_websocket(data);
});
