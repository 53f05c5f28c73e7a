#![doc = include_str!("../README.md")]

use libsodium_sys as ffi;
use std::sync::Once;

static INIT: Once = Once::new();

fn init() {
    INIT.call_once(|| {
        // SAFETY: sodium_init has no preconditions and is idempotent.
        let rc = unsafe { ffi::sodium_init() };
        assert!(rc >= 0, "sodium_init failed");
    });
}

/// An Ed25519 keypair as libsodium lays it out.
pub struct SodiumEd25519 {
    /// Public key `A`.
    pub pk: [u8; 32],
    /// Secret key `seed || A`.
    pub sk: [u8; 64],
}

/// `crypto_sign_seed_keypair`.
pub fn sign_seed_keypair(seed: &[u8; 32]) -> SodiumEd25519 {
    init();
    let mut pk = [0u8; 32];
    let mut sk = [0u8; 64];
    // SAFETY: buffers have the sizes libsodium documents (32, 64, 32).
    let rc =
        unsafe { ffi::crypto_sign_seed_keypair(pk.as_mut_ptr(), sk.as_mut_ptr(), seed.as_ptr()) };
    assert_eq!(rc, 0);
    SodiumEd25519 { pk, sk }
}

/// `crypto_sign_detached`.
pub fn sign_detached(sk: &[u8; 64], msg: &[u8]) -> [u8; 64] {
    init();
    let mut sig = [0u8; 64];
    // SAFETY: sig is 64 bytes, sk is 64 bytes, msg pointer/length are a valid slice.
    let rc = unsafe {
        ffi::crypto_sign_detached(
            sig.as_mut_ptr(),
            std::ptr::null_mut(),
            msg.as_ptr(),
            msg.len() as u64,
            sk.as_ptr(),
        )
    };
    assert_eq!(rc, 0);
    sig
}

/// `crypto_sign_verify_detached`.
pub fn verify_detached(pk: &[u8; 32], msg: &[u8], sig: &[u8; 64]) -> bool {
    init();
    // SAFETY: fixed-size buffers as documented, msg is a valid slice.
    unsafe {
        ffi::crypto_sign_verify_detached(sig.as_ptr(), msg.as_ptr(), msg.len() as u64, pk.as_ptr())
            == 0
    }
}

/// `crypto_sign_ed25519_pk_to_curve25519`; `None` when libsodium rejects the point.
pub fn ed25519_pk_to_curve25519(pk: &[u8; 32]) -> Option<[u8; 32]> {
    init();
    let mut out = [0u8; 32];
    // SAFETY: both buffers are 32 bytes.
    let rc = unsafe { ffi::crypto_sign_ed25519_pk_to_curve25519(out.as_mut_ptr(), pk.as_ptr()) };
    (rc == 0).then_some(out)
}

/// `crypto_sign_ed25519_sk_to_curve25519`.
pub fn ed25519_sk_to_curve25519(sk: &[u8; 64]) -> [u8; 32] {
    init();
    let mut out = [0u8; 32];
    // SAFETY: out is 32 bytes, sk is 64 bytes.
    let rc = unsafe { ffi::crypto_sign_ed25519_sk_to_curve25519(out.as_mut_ptr(), sk.as_ptr()) };
    assert_eq!(rc, 0);
    out
}

/// `crypto_scalarmult` (X25519); `None` for an all-zero result.
pub fn scalarmult(sk: &[u8; 32], pk: &[u8; 32]) -> Option<[u8; 32]> {
    init();
    let mut out = [0u8; 32];
    // SAFETY: all buffers are 32 bytes.
    let rc = unsafe { ffi::crypto_scalarmult(out.as_mut_ptr(), sk.as_ptr(), pk.as_ptr()) };
    (rc == 0).then_some(out)
}

/// `crypto_scalarmult_base`.
pub fn scalarmult_base(sk: &[u8; 32]) -> [u8; 32] {
    init();
    let mut out = [0u8; 32];
    // SAFETY: both buffers are 32 bytes.
    let rc = unsafe { ffi::crypto_scalarmult_base(out.as_mut_ptr(), sk.as_ptr()) };
    assert_eq!(rc, 0);
    out
}

/// `crypto_box_seal`.
pub fn box_seal(msg: &[u8], pk: &[u8; 32]) -> Vec<u8> {
    init();
    let mut out = vec![0u8; msg.len() + 48];
    // SAFETY: out has len(msg) + crypto_box_SEALBYTES bytes; pk is 32 bytes.
    let rc = unsafe {
        ffi::crypto_box_seal(
            out.as_mut_ptr(),
            msg.as_ptr(),
            msg.len() as u64,
            pk.as_ptr(),
        )
    };
    assert_eq!(rc, 0);
    out
}

/// `crypto_box_seal_open`; `None` when it fails.
pub fn box_seal_open(ct: &[u8], pk: &[u8; 32], sk: &[u8; 32]) -> Option<Vec<u8>> {
    init();
    if ct.len() < 48 {
        return None;
    }
    let mut out = vec![0u8; ct.len() - 48];
    // SAFETY: out has len(ct) - 48 bytes, keys are 32 bytes each.
    let rc = unsafe {
        ffi::crypto_box_seal_open(
            out.as_mut_ptr(),
            ct.as_ptr(),
            ct.len() as u64,
            pk.as_ptr(),
            sk.as_ptr(),
        )
    };
    (rc == 0).then_some(out)
}

/// libsodium's AEAD encrypt signature (shared by the XChaCha20 and AES-256-GCM variants).
type AeadEncryptFn = unsafe extern "C" fn(
    *mut u8,
    *mut u64,
    *const u8,
    u64,
    *const u8,
    u64,
    *const u8,
    *const u8,
    *const u8,
) -> i32;

/// libsodium's AEAD decrypt signature.
type AeadDecryptFn = unsafe extern "C" fn(
    *mut u8,
    *mut u64,
    *mut u8,
    *const u8,
    u64,
    *const u8,
    u64,
    *const u8,
    *const u8,
) -> i32;

/// Runs an AEAD encrypt without associated data. `nonce` and `key` must have the sizes `f`
/// documents (callers pass fixed-size arrays).
fn aead_encrypt(f: AeadEncryptFn, key: &[u8; 32], nonce: &[u8], msg: &[u8]) -> Vec<u8> {
    init();
    let mut out = vec![0u8; msg.len() + 16];
    let mut out_len = 0u64;
    // SAFETY: out has len(msg) + ABYTES (16) bytes; key/nonce have the sizes f expects.
    let rc = unsafe {
        f(
            out.as_mut_ptr(),
            &mut out_len,
            msg.as_ptr(),
            msg.len() as u64,
            std::ptr::null(),
            0,
            std::ptr::null(),
            nonce.as_ptr(),
            key.as_ptr(),
        )
    };
    assert_eq!(rc, 0);
    out
}

/// Runs an AEAD decrypt without associated data; `None` when authentication fails.
fn aead_decrypt(f: AeadDecryptFn, key: &[u8; 32], nonce: &[u8], ct: &[u8]) -> Option<Vec<u8>> {
    init();
    if ct.len() < 16 {
        return None;
    }
    let mut out = vec![0u8; ct.len() - 16];
    let mut out_len = 0u64;
    // SAFETY: out has len(ct) - ABYTES bytes; key/nonce have the sizes f expects.
    let rc = unsafe {
        f(
            out.as_mut_ptr(),
            &mut out_len,
            std::ptr::null_mut(),
            ct.as_ptr(),
            ct.len() as u64,
            std::ptr::null(),
            0,
            nonce.as_ptr(),
            key.as_ptr(),
        )
    };
    (rc == 0).then_some(out)
}

/// `crypto_aead_xchacha20poly1305_ietf_encrypt` without associated data.
pub fn xchacha20poly1305_encrypt(key: &[u8; 32], nonce: &[u8; 24], msg: &[u8]) -> Vec<u8> {
    aead_encrypt(
        ffi::crypto_aead_xchacha20poly1305_ietf_encrypt,
        key,
        nonce,
        msg,
    )
}

/// `crypto_aead_xchacha20poly1305_ietf_decrypt` without associated data.
pub fn xchacha20poly1305_decrypt(key: &[u8; 32], nonce: &[u8; 24], ct: &[u8]) -> Option<Vec<u8>> {
    aead_decrypt(
        ffi::crypto_aead_xchacha20poly1305_ietf_decrypt,
        key,
        nonce,
        ct,
    )
}

/// Whether libsodium's AES-256-GCM is usable on this CPU (it needs AES-NI and PCLMUL).
pub fn aes256gcm_available() -> bool {
    init();
    // SAFETY: no preconditions.
    unsafe { ffi::crypto_aead_aes256gcm_is_available() == 1 }
}

/// `crypto_aead_aes256gcm_encrypt` without associated data. Panics if unavailable.
pub fn aes256gcm_encrypt(key: &[u8; 32], nonce: &[u8; 12], msg: &[u8]) -> Vec<u8> {
    assert!(aes256gcm_available(), "libsodium AES-256-GCM needs AES-NI");
    aead_encrypt(ffi::crypto_aead_aes256gcm_encrypt, key, nonce, msg)
}

/// `crypto_aead_aes256gcm_decrypt` without associated data. Panics if unavailable.
pub fn aes256gcm_decrypt(key: &[u8; 32], nonce: &[u8; 12], ct: &[u8]) -> Option<Vec<u8>> {
    assert!(aes256gcm_available(), "libsodium AES-256-GCM needs AES-NI");
    aead_decrypt(ffi::crypto_aead_aes256gcm_decrypt, key, nonce, ct)
}

/// `crypto_generichash` (BLAKE2b) with an optional key; `out_len` 16..=64.
pub fn generichash(out_len: usize, msg: &[u8], key: Option<&[u8]>) -> Vec<u8> {
    init();
    let mut out = vec![0u8; out_len];
    let (kp, kl) = key.map_or((std::ptr::null(), 0), |k| (k.as_ptr(), k.len()));
    // SAFETY: out has out_len bytes; key pointer/length are a valid slice or null/0.
    let rc = unsafe {
        ffi::crypto_generichash(
            out.as_mut_ptr(),
            out_len,
            msg.as_ptr(),
            msg.len() as u64,
            kp,
            kl,
        )
    };
    assert_eq!(rc, 0);
    out
}

/// `crypto_generichash_blake2b_salt_personal` with a zero salt and the given personalisation.
pub fn generichash_personal(
    out_len: usize,
    msg: &[u8],
    key: Option<&[u8]>,
    personal: &[u8; 16],
) -> Vec<u8> {
    init();
    let mut out = vec![0u8; out_len];
    let (kp, kl) = key.map_or((std::ptr::null(), 0), |k| (k.as_ptr(), k.len()));
    // SAFETY: out has out_len bytes; key is a valid slice or null/0; personal is 16 bytes; a
    // null salt means all zeros.
    let rc = unsafe {
        ffi::crypto_generichash_blake2b_salt_personal(
            out.as_mut_ptr(),
            out_len,
            msg.as_ptr(),
            msg.len() as u64,
            kp,
            kl,
            std::ptr::null(),
            personal.as_ptr(),
        )
    };
    assert_eq!(rc, 0);
    out
}

/// `crypto_auth_hmacsha256` (HMAC-SHA256 with a key of any length).
pub fn hmac_sha256(key: &[u8], msg: &[u8]) -> [u8; 32] {
    init();
    let mut out = [0u8; 32];
    let mut st = std::mem::MaybeUninit::<ffi::crypto_auth_hmacsha256_state>::uninit();
    // SAFETY: the state is initialised by _init before use; out is 32 bytes.
    unsafe {
        ffi::crypto_auth_hmacsha256_init(st.as_mut_ptr(), key.as_ptr(), key.len());
        ffi::crypto_auth_hmacsha256_update(st.as_mut_ptr(), msg.as_ptr(), msg.len() as u64);
        ffi::crypto_auth_hmacsha256_final(st.as_mut_ptr(), out.as_mut_ptr());
    }
    out
}

/// Fills `buf` with libsodium's CSPRNG.
pub fn random_bytes(buf: &mut [u8]) {
    init();
    // SAFETY: buf is a valid mutable slice.
    unsafe { ffi::randombytes_buf(buf.as_mut_ptr().cast(), buf.len()) }
}

/// Session's 1:1 encryption (`encrypt_for_recipient`) composed from libsodium calls, exactly as
/// libsession-util does it: sign `M || A_s || X_r`, then seal `M || A_s || sig` to `X_r`.
pub fn session_encrypt(sender_sk: &[u8; 64], recipient_x25519: &[u8; 32], msg: &[u8]) -> Vec<u8> {
    let a_s: [u8; 32] = sender_sk[32..].try_into().expect("64-byte sk");
    let mut to_sign = Vec::with_capacity(msg.len() + 64);
    to_sign.extend_from_slice(msg);
    to_sign.extend_from_slice(&a_s);
    to_sign.extend_from_slice(recipient_x25519);
    let sig = sign_detached(sender_sk, &to_sign);
    let mut inner = Vec::with_capacity(msg.len() + 96);
    inner.extend_from_slice(msg);
    inner.extend_from_slice(&a_s);
    inner.extend_from_slice(&sig);
    box_seal(&inner, recipient_x25519)
}

/// Session's 1:1 decryption (`decrypt_incoming`) from libsodium calls: returns (message, A_s).
pub fn session_decrypt(own_sk: &[u8; 64], ct: &[u8]) -> Option<(Vec<u8>, [u8; 32])> {
    let own_pk: [u8; 32] = own_sk[32..].try_into().expect("64-byte sk");
    let x_pk = ed25519_pk_to_curve25519(&own_pk)?;
    let x_sk = ed25519_sk_to_curve25519(own_sk);
    let inner = box_seal_open(ct, &x_pk, &x_sk)?;
    if inner.len() < 96 {
        return None;
    }
    let (msg, rest) = inner.split_at(inner.len() - 96);
    let a_s: [u8; 32] = rest[..32].try_into().ok()?;
    let sig: [u8; 64] = rest[32..].try_into().ok()?;
    let mut signed = msg.to_vec();
    signed.extend_from_slice(&a_s);
    signed.extend_from_slice(&x_pk);
    verify_detached(&a_s, &signed, &sig).then(|| (msg.to_vec(), a_s))
}

/// A libsodium `crypto_secretstream_xchacha20poly1305` state (attachment encryption).
pub struct SodiumSecretStream(ffi::crypto_secretstream_xchacha20poly1305_state);

impl SodiumSecretStream {
    fn empty() -> ffi::crypto_secretstream_xchacha20poly1305_state {
        ffi::crypto_secretstream_xchacha20poly1305_state {
            k: [0; 32],
            nonce: [0; 12],
            _pad: [0; 8],
        }
    }

    /// `init_push`: a fresh state and its random header.
    pub fn init_push(key: &[u8; 32]) -> (Self, [u8; 24]) {
        init();
        let mut st = Self::empty();
        let mut header = [0u8; 24];
        // SAFETY: st is a valid state; header has HEADERBYTES (24); key has KEYBYTES (32).
        let rc = unsafe {
            ffi::crypto_secretstream_xchacha20poly1305_init_push(
                &mut st,
                header.as_mut_ptr(),
                key.as_ptr(),
            )
        };
        assert_eq!(rc, 0);
        (Self(st), header)
    }

    /// libsession's `init_push` with a chosen header, built on libsodium's own state layout:
    /// `k = HChaCha20(key, header[..16])`, counter 1, inner nonce `header[16..]`.
    pub fn init_push_with_header(key: &[u8; 32], header: &[u8; 24]) -> Self {
        init();
        let mut st = Self::empty();
        // SAFETY: out has 32 bytes, in 16 (the header's first 16), key 32; null constant means
        // the default "expand 32-byte k".
        let rc = unsafe {
            ffi::crypto_core_hchacha20(
                st.k.as_mut_ptr(),
                header.as_ptr(),
                key.as_ptr(),
                std::ptr::null(),
            )
        };
        assert_eq!(rc, 0);
        st.nonce[0] = 1;
        st.nonce[4..].copy_from_slice(&header[16..]);
        Self(st)
    }

    /// `init_pull`; `None` if libsodium refuses the header.
    pub fn init_pull(key: &[u8; 32], header: &[u8; 24]) -> Option<Self> {
        init();
        let mut st = Self::empty();
        // SAFETY: st is a valid state; header 24 bytes; key 32 bytes.
        let rc = unsafe {
            ffi::crypto_secretstream_xchacha20poly1305_init_pull(
                &mut st,
                header.as_ptr(),
                key.as_ptr(),
            )
        };
        (rc == 0).then_some(Self(st))
    }

    /// `push` one message with `tag`, no additional data.
    pub fn push(&mut self, msg: &[u8], tag: u8) -> Vec<u8> {
        let mut out = vec![0u8; msg.len() + 17];
        let mut len = 0u64;
        // SAFETY: out has mlen + ABYTES bytes; msg is a valid slice; no AD.
        let rc = unsafe {
            ffi::crypto_secretstream_xchacha20poly1305_push(
                &mut self.0,
                out.as_mut_ptr(),
                &mut len,
                msg.as_ptr(),
                msg.len() as u64,
                std::ptr::null(),
                0,
                tag,
            )
        };
        assert_eq!(rc, 0);
        assert_eq!(len as usize, out.len());
        out
    }

    /// `pull` one chunk: the message and its tag, or `None` when it does not authenticate.
    pub fn pull(&mut self, c: &[u8]) -> Option<(Vec<u8>, u8)> {
        if c.len() < 17 {
            return None;
        }
        let mut out = vec![0u8; c.len() - 17];
        let mut len = 0u64;
        let mut tag = 0u8;
        // SAFETY: out has clen - ABYTES bytes; c is a valid slice of at least ABYTES; no AD.
        let rc = unsafe {
            ffi::crypto_secretstream_xchacha20poly1305_pull(
                &mut self.0,
                out.as_mut_ptr(),
                &mut len,
                &mut tag,
                c.as_ptr(),
                c.len() as u64,
                std::ptr::null(),
                0,
            )
        };
        (rc == 0).then(|| {
            out.truncate(len as usize);
            (out, tag)
        })
    }
}
