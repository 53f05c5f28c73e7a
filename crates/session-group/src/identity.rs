//! Group identity (spec §4.1): a fresh Ed25519 keypair `(c, C)`; the group ID is `03 ‖ C`.
//! Admins hold the seed of `c` ([`GroupAdmin`]); everyone else knows only [`GroupId`].

use crate::error::{Error, Result};
use rand_core::CryptoRng;
use session_crypto::hash::{Blake2bParams, hash32};
use session_crypto::{GroupId, IdentityKeys, Seed, X25519PublicKey};
use std::fmt;
use zeroize::Zeroizing;

/// The group's secret key: what makes its holder an admin. Wiped on drop, never printed.
pub struct GroupAdmin {
    keys: IdentityKeys,
}

impl GroupAdmin {
    /// A new group: 32 random seed bytes.
    pub fn generate(rng: &mut impl CryptoRng) -> Self {
        Self::from_seed(Seed::generate_full(rng))
    }

    /// The admin key of an existing group from its 32-byte seed (user groups `K`, the promote
    /// message's `groupIdentitySeed`).
    pub fn from_seed(seed: Seed) -> Self {
        Self {
            keys: IdentityKeys::from_seed(seed),
        }
    }

    /// Accepts a 32-byte seed or a libsodium 64-byte `seed ‖ C` secret key (whose second half
    /// must be the seed's public key), and checks it belongs to `group`.
    pub fn from_secret(secret: &[u8], group: &GroupId) -> Result<Self> {
        let seed = match secret.len() {
            32 => Seed::from_slice(secret)?,
            64 => Seed::from_slice(&secret[..32])?,
            got => {
                return Err(session_crypto::Error::InvalidLength {
                    what: "group secret key",
                    expected: "32 or 64 bytes",
                    got,
                }
                .into());
            }
        };
        let admin = Self::from_seed(seed);
        let pk = admin.keys.ed25519_public();
        if secret.len() == 64 && secret[32..] != pk.as_bytes()[..] {
            return Err(Error::WrongGroupKey);
        }
        if admin.group_id() != *group {
            return Err(Error::WrongGroupKey);
        }
        Ok(admin)
    }

    /// The group ID `03 ‖ C`.
    pub fn group_id(&self) -> GroupId {
        GroupId::from_ed25519(self.keys.ed25519_public())
    }

    /// The 32-byte seed, for the user groups config `K` and promotion messages.
    pub fn seed(&self) -> &Seed {
        self.keys.seed()
    }

    /// A standard Ed25519 signature by the group key `c`.
    pub fn sign(&self, msg: &[u8]) -> [u8; 64] {
        self.keys.sign(msg)
    }

    /// The group's Ed25519 keys (also its X25519 conversions, for multi-encryption).
    pub(crate) fn keys(&self) -> &IdentityKeys {
        &self.keys
    }

    /// `BLAKE2b-256(seed; key)`: the seed hashes libsession derives its group secrets from.
    pub(crate) fn seed_hash(&self, key: &str) -> Zeroizing<[u8; 32]> {
        Zeroizing::new(hash32(
            Blake2bParams::keyed(key.as_bytes()),
            &[self.keys.seed().expose_secret()],
        ))
    }

    /// A copy of this key (a second handle on the same secret).
    pub fn duplicate(&self) -> Self {
        Self::from_seed(self.keys.seed().clone())
    }
}

impl session_config::Signer for GroupAdmin {
    fn sign(&self, msg: &[u8]) -> [u8; 64] {
        self.keys.sign(msg)
    }
}

impl fmt::Debug for GroupAdmin {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        f.debug_struct("GroupAdmin")
            .field("group", &self.group_id())
            .finish_non_exhaustive()
    }
}

/// The group's X25519 public key (`to_curve(C)`), the sender key of keys messages.
pub(crate) fn group_x25519(group: &GroupId) -> Result<X25519PublicKey> {
    Ok(group.ed25519().to_x25519()?)
}
