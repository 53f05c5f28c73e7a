//! `ExpiryProof::from_bytes` (the proofs of peers' expiry stamps) on arbitrary bytes: never
//! panics, and whatever it accepts has exactly one encoding; verifying it and asking what it
//! allows never panic either.
#![no_main]
use libfuzzer_sys::fuzz_target;
use session_rpc::proof::ExpiryProof;
use session_rpc::types::{MessageHash, Namespace};

fuzz_target!(|data: &[u8]| {
    if let Some(p) = ExpiryProof::from_bytes(data) {
        assert_eq!(p.to_bytes(), data, "one encoding per proof");
        let _ = p.verify(|_| Ok(false));
        let account = *p.account();
        let _ = p.allows(&account, Namespace(0), &MessageHash([0; 32]), 0, u64::MAX);
    }
});
