//! BLAKE2b helpers matching libsodium's `crypto_generichash` (optionally keyed and personalised),
//! plus SHA-512 and the scalar reduction used by Ed25519 blinding.

use blake2::Blake2bMac;
use blake2::digest::array::ArraySize;
use blake2::digest::consts::{True, U24, U32, U56, U64};
use blake2::digest::typenum::IsLessOrEqual;
use blake2::digest::{Mac, Update};
use curve25519_dalek::Scalar;
use sha2::{Digest, Sha512};

/// Parameters of a BLAKE2b hash: an optional key (1..=64 bytes) and an optional 16-byte
/// personalisation. The default is the plain unkeyed hash.
#[derive(Clone, Copy, Default)]
pub struct Blake2bParams<'a> {
    key: Option<&'a [u8]>,
    personal: Option<&'a [u8; 16]>,
}

impl<'a> Blake2bParams<'a> {
    /// Unkeyed, unpersonalised.
    pub const PLAIN: Blake2bParams<'static> = Blake2bParams {
        key: None,
        personal: None,
    };

    /// Keyed hash. An empty key means unkeyed, as in libsodium.
    ///
    /// Keys longer than 64 bytes are a programming error (every key in Session's formats is a
    /// fixed short string); such a key is hashed down to 64 bytes first rather than panicking.
    pub fn keyed(key: &'a [u8]) -> Self {
        Self {
            key: (!key.is_empty()).then_some(key),
            personal: None,
        }
    }

    /// Adds a 16-byte personalisation.
    pub fn personal(self, personal: &'a [u8; 16]) -> Self {
        Self {
            personal: Some(personal),
            ..self
        }
    }
}

fn blake2b<N>(params: Blake2bParams<'_>, parts: &[&[u8]]) -> blake2::digest::array::Array<u8, N>
where
    N: ArraySize + IsLessOrEqual<U64, Output = True>,
{
    let long_key;
    let key = match params.key {
        Some(k) if k.len() > 64 => {
            long_key = hash64(Blake2bParams::PLAIN, &[k]);
            Some(&long_key[..])
        }
        other => other,
    };
    let personal: &[u8] = params.personal.map_or(&[], |p| &p[..]);
    let mut mac = Blake2bMac::<N>::new_with_salt_and_personal(key, &[], personal)
        .expect("key is 1..=64 bytes and personalisation is 16 bytes");
    for part in parts {
        Update::update(&mut mac, part);
    }
    mac.finalize().into_bytes()
}

/// BLAKE2b with a 24-byte output over the concatenation of `parts`.
pub fn hash24(params: Blake2bParams<'_>, parts: &[&[u8]]) -> [u8; 24] {
    blake2b::<U24>(params, parts).into()
}

/// BLAKE2b with a 32-byte output over the concatenation of `parts`.
pub fn hash32(params: Blake2bParams<'_>, parts: &[&[u8]]) -> [u8; 32] {
    blake2b::<U32>(params, parts).into()
}

/// BLAKE2b with a 56-byte output over the concatenation of `parts` (attachment nonce ‖ key).
pub fn hash56(params: Blake2bParams<'_>, parts: &[&[u8]]) -> [u8; 56] {
    blake2b::<U56>(params, parts).into()
}

/// BLAKE2b with a 64-byte output over the concatenation of `parts`.
pub fn hash64(params: Blake2bParams<'_>, parts: &[&[u8]]) -> [u8; 64] {
    blake2b::<U64>(params, parts).into()
}

/// SHA-512 over the concatenation of `parts`.
pub fn sha512(parts: &[&[u8]]) -> [u8; 64] {
    let mut h = Sha512::new();
    for part in parts {
        Digest::update(&mut h, part);
    }
    h.finalize().into()
}

/// `crypto_core_ed25519_scalar_reduce`: a 64-byte little-endian integer modulo L.
pub fn reduce64(wide: &[u8; 64]) -> Scalar {
    Scalar::from_bytes_mod_order_wide(wide)
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn long_keys_are_hashed_not_rejected() {
        let long = [7u8; 100];
        let a = hash32(Blake2bParams::keyed(&long), &[b"x"]);
        let b = hash32(Blake2bParams::keyed(&long[..99]), &[b"x"]);
        assert_ne!(a, b);
    }

    #[test]
    fn parts_are_concatenated() {
        let a = hash32(Blake2bParams::PLAIN, &[b"Test", b"Message"]);
        let b = hash32(Blake2bParams::PLAIN, &[b"TestMessage"]);
        assert_eq!(a, b);
    }

    #[test]
    fn empty_key_means_unkeyed() {
        let a = hash32(Blake2bParams::keyed(b""), &[b"m"]);
        let b = hash32(Blake2bParams::PLAIN, &[b"m"]);
        assert_eq!(a, b);
    }
}
