//! Attachment decryption on untrusted blobs (`spec/crypto.md` §6): the deterministic scheme
//! whole and streamed in pieces whose sizes come from the input, and the legacy scheme; plus a
//! round trip of the input through the deterministic scheme. Never panics; the streamed and
//! whole decryptions agree.
#![no_main]
use libfuzzer_sys::fuzz_target;
use session_crypto::Seed;
use session_crypto::attachment::legacy::{self, LegacyKey};
use session_crypto::attachment::{AttachmentKey, Decryptor, Domain, decrypt, encrypt};
use std::sync::OnceLock;

/// The key of the committed seed blob (`fuzz/seeds/attachment_decrypt`): "fuzz me" encrypted
/// under seed [7; 32].
fn key() -> &'static AttachmentKey {
    static KEY: OnceLock<AttachmentKey> = OnceLock::new();
    KEY.get_or_init(|| {
        encrypt(&Seed::from_bytes([7; 32]), b"fuzz me", Domain::Attachment)
            .expect("small")
            .1
    })
}

fuzz_target!(|data: &[u8]| {
    let Some((&mode, blob)) = data.split_first() else {
        return;
    };
    let whole = decrypt(blob, key());
    let mut d = Decryptor::new(key());
    let mut out = Vec::new();
    let piece = usize::from(mode).max(1) * 97;
    let mut streamed = Ok(());
    for chunk in blob.chunks(piece) {
        streamed = d.update(chunk, &mut out);
        if streamed.is_err() {
            break;
        }
    }
    if streamed.is_ok() {
        streamed = d.finish(&mut out);
    }
    if let Ok(plain) = &whole {
        assert!(streamed.is_ok() && &out == plain, "streamed and whole disagree");
    }
    let lk = LegacyKey::from_bytes([mode; 64]);
    let _ = legacy::decrypt(blob, &lk, &[mode; 32], Some(usize::from(mode)));
    if blob.len() <= 2048 {
        let (enc, k) = encrypt(&Seed::from_bytes([mode; 32]), blob, Domain::ProfilePicture)
            .expect("small");
        assert_eq!(decrypt(&enc, &k).expect("round trip"), blob);
    }
});
