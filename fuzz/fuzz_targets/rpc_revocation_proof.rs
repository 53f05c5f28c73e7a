//! `RevocationProof::from_bytes` (peers' revocation states) on arbitrary bytes: never panics,
//! and whatever it accepts has exactly one encoding; verifying it never panics either.
#![no_main]
use libfuzzer_sys::fuzz_target;
use session_rpc::proof::RevocationProof;

fuzz_target!(|data: &[u8]| {
    if let Some(p) = RevocationProof::from_bytes(data) {
        assert_eq!(p.to_bytes(), data, "one encoding per proof");
        let _ = p.verify();
    }
});
