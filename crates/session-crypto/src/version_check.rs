//! The "07" version-check key (libsession `blind_version_*`): an Ed25519 keypair derived from the
//! account seed, used to sign requests to Session's version endpoint without revealing the ID.

use crate::hash::{Blake2bParams, hash32};
use crate::ids::VERSION_BLIND_PREFIX;
use crate::keys::{Ed25519PublicKey, IdentityKeys, Seed};
use std::fmt;

/// The version-check keypair.
pub struct VersionCheckKeys(IdentityKeys);

impl VersionCheckKeys {
    /// Derives the keypair: seed' = BLAKE2b-32(seed; key = "VersionCheckKey_sig").
    pub fn derive(keys: &IdentityKeys) -> Self {
        let seed = hash32(
            Blake2bParams::keyed(b"VersionCheckKey_sig"),
            &[keys.seed().expose_secret()],
        );
        Self(IdentityKeys::from_seed(Seed::from_bytes(seed)))
    }

    /// The public key.
    pub fn public(&self) -> Ed25519PublicKey {
        self.0.ed25519_public()
    }

    /// `07 || public key`, in hex.
    pub fn id_hex(&self) -> String {
        format!(
            "{VERSION_BLIND_PREFIX:02x}{}",
            hex::encode(self.public().as_bytes())
        )
    }

    /// Signs `ascii(ts) || "GET" || "/session_version?platform=" || platform`.
    pub fn sign_version_request(&self, platform: &str, timestamp_s: u64) -> [u8; 64] {
        let path = format!("/session_version?platform={platform}");
        self.sign_request(timestamp_s, "GET", &path, None)
    }

    /// Signs `ascii(ts) || method || path || body`.
    pub fn sign_request(
        &self,
        timestamp_s: u64,
        method: &str,
        path: &str,
        body: Option<&[u8]>,
    ) -> [u8; 64] {
        let mut msg = format!("{timestamp_s}{method}{path}").into_bytes();
        msg.extend_from_slice(body.unwrap_or_default());
        self.0.sign(&msg)
    }
}

impl fmt::Debug for VersionCheckKeys {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        f.debug_tuple("VersionCheckKeys")
            .field(&self.public())
            .finish()
    }
}
