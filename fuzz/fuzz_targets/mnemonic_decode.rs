//! Recovery-phrase decoding of arbitrary text: never panics; what decodes re-encodes the same.
#![no_main]
use libfuzzer_sys::fuzz_target;

fuzz_target!(|data: &[u8]| {
    let Ok(text) = std::str::from_utf8(data) else { return };
    if let Ok(bytes) = session_crypto::mnemonic::decode(text) {
        assert!(bytes.len() == 16 || bytes.len() == 32);
        let again = session_crypto::mnemonic::encode(&bytes).expect("16 or 32 bytes encode");
        assert_eq!(*session_crypto::mnemonic::decode(&again).expect("re-decodes"), *bytes);
    }
});
