//! One device's key ring for a group (libsession `groups::Keys`): the keys it has, the keys
//! message each came in, a pending rekey of ours, and (for admins) the group key.
//!
//! Keys are kept sorted by (generation, timestamp, key). A generation is dropped once a newer
//! generation has been around for more than [`KEY_EXPIRY_MS`] (measured between the keys'
//! swarm timestamps, never a local clock).

use crate::error::{Error, Result};
use crate::identity::GroupAdmin;
use crate::keys_msg::{self, ADMIN_KEY_HASH_KEY, Body, KeyInfo, MEMBER_KEY_DOMAIN};
use crate::message::{self, Decrypted};
use crate::multi::{self, Sender};
use rand_core::CryptoRng;
use session_config::ConfigKey;
use session_crypto::{GroupId, IdentityKeys, Seed, SessionId};
use std::collections::{BTreeMap, BTreeSet};
use std::fmt;

/// Keys stay usable until 60 days after a newer generation arrived (libsession `KEY_EXPIRY`).
pub const KEY_EXPIRY_MS: i64 = 60 * 24 * 60 * 60 * 1000;

pub(crate) struct Pending {
    pub(crate) config: Vec<u8>,
    pub(crate) generation: i64,
    pub(crate) key: ConfigKey,
}

/// A device's group keys.
pub struct GroupKeys {
    pub(crate) group: GroupId,
    pub(crate) user: IdentityKeys,
    pub(crate) admin: Option<GroupAdmin>,
    pub(crate) keys: Vec<KeyInfo>,
    pub(crate) pending: Option<Pending>,
    pub(crate) active: BTreeMap<i64, BTreeSet<String>>,
    pub(crate) needs_dump: bool,
}

impl fmt::Debug for GroupKeys {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        f.debug_struct("GroupKeys")
            .field("group", &self.group)
            .field("admin", &self.admin.is_some())
            .field(
                "generations",
                &self.keys.iter().map(|k| k.generation).collect::<Vec<_>>(),
            )
            .field("pending", &self.pending.as_ref().map(|p| p.generation))
            .finish_non_exhaustive()
    }
}

fn order(k: &KeyInfo) -> (i64, i64, [u8; 32]) {
    (k.generation, k.timestamp_ms, *k.key.expose_secret())
}

impl GroupKeys {
    /// An empty key ring for `group`, held by the account with `user_seed`; `admin` when this
    /// device holds the group key (which must be the group's).
    pub fn new(user_seed: &Seed, group: GroupId, admin: Option<GroupAdmin>) -> Result<Self> {
        if admin.as_ref().is_some_and(|a| a.group_id() != group) {
            return Err(Error::WrongGroupKey);
        }
        Ok(Self {
            group,
            user: IdentityKeys::from_seed(user_seed.clone()),
            admin,
            keys: Vec::new(),
            pending: None,
            active: BTreeMap::new(),
            needs_dump: false,
        })
    }

    /// The group.
    pub fn group_id(&self) -> GroupId {
        self.group
    }

    /// True when this device holds the group key.
    pub fn is_admin(&self) -> bool {
        self.admin.is_some()
    }

    /// The group key, for admins.
    pub fn admin(&self) -> Option<&GroupAdmin> {
        self.admin.as_ref()
    }

    /// Becomes an admin (after a promotion) with the group's key.
    pub fn set_admin(&mut self, admin: GroupAdmin) -> Result<()> {
        if admin.group_id() != self.group {
            return Err(Error::WrongGroupKey);
        }
        self.admin = Some(admin);
        self.needs_dump = true;
        Ok(())
    }

    pub(crate) fn require_admin(&self, what: &'static str) -> Result<&GroupAdmin> {
        self.admin.as_ref().ok_or(Error::NotAdmin { what })
    }

    /// Makes a new key for exactly `members` (Session IDs of every member, admins included) and
    /// returns the signed keys message to store in namespace 12. The key is pending (used to
    /// encrypt at once) until the message comes back from the swarm.
    pub fn rekey(&mut self, members: &[SessionId]) -> Result<&[u8]> {
        let admin = self.require_admin("rekey")?;
        let generation = self.keys.last().map_or(0, |k| k.generation + 1);
        let (config, key) = keys_msg::build_rekey(admin, members, generation)?;
        self.needs_dump = true;
        let p = self.pending.insert(Pending {
            config,
            generation,
            key,
        });
        Ok(&p.config)
    }

    /// The keys message of our pending rekey, until it is loaded back from the swarm.
    pub fn pending_config(&self) -> Option<&[u8]> {
        self.pending.as_ref().map(|p| p.config.as_slice())
    }

    /// A supplement giving every key we hold to `members` (added with access to history).
    pub fn key_supplement(&self, members: &[SessionId]) -> Result<Vec<u8>> {
        let admin = self.require_admin("key supplement")?;
        keys_msg::build_supplement(admin, members, &self.keys)
    }

    /// Every key, newest first (the pending one before all): the decryption keys of the info
    /// and members configs, the first one encrypting.
    pub fn group_keys(&self) -> Vec<ConfigKey> {
        let pending = self.pending.iter().map(|p| p.key.clone());
        pending
            .chain(self.keys.iter().rev().map(|k| k.key.clone()))
            .collect()
    }

    /// The key new messages are encrypted with.
    pub fn encryption_key(&self) -> Result<&ConfigKey> {
        match (&self.pending, self.keys.last()) {
            (Some(p), _) => Ok(&p.key),
            (None, Some(k)) => Ok(&k.key),
            (None, None) => Err(Error::NoKey { what: "encryption" }),
        }
    }

    /// The generations and timestamps of the keys held (oldest first).
    pub fn key_infos(&self) -> &[KeyInfo] {
        &self.keys
    }

    /// True when two keys share the newest generation (concurrent rekeys by two admins): an
    /// admin should rekey again.
    pub fn needs_rekey(&self) -> bool {
        let n = self.keys.len();
        self.is_admin() && n >= 2 && self.keys[n - 1].generation == self.keys[n - 2].generation
    }

    /// Storage hashes of the keys messages still relevant (to keep alive on the swarm).
    pub fn current_hashes(&self) -> BTreeSet<String> {
        self.active.values().flatten().cloned().collect()
    }

    /// True when the state changed since the last dump.
    pub fn needs_dump(&self) -> bool {
        self.needs_dump
    }

    /// Loads a keys message fetched from namespace 12 (`hash` is its storage hash,
    /// `timestamp_ms` its stored timestamp). Returns whether it gave us a key. A message not
    /// signed by the group key, or malformed, is an error and changes nothing.
    pub fn load_key_message(&mut self, hash: &str, data: &[u8], timestamp_ms: i64) -> Result<bool> {
        let msg = keys_msg::parse(data, &self.group)?;
        let sender = keys_msg::sender_key(&self.group)?;
        let new_keys = match &msg.body {
            Body::Full { admin, members } => self
                .open_full(&msg.nonce, admin, members, &sender)?
                .map(|key| KeyInfo {
                    generation: msg.generation,
                    key,
                    timestamp_ms,
                })
                .into_iter()
                .collect(),
            Body::Supplement(entries) if !self.is_admin() => {
                self.open_supplement(&msg.nonce, entries, &sender)?
            }
            Body::Supplement(_) => Vec::new(),
        };
        if let (Some(p), Some(first)) = (&self.pending, new_keys.first())
            && (first.generation > p.generation || first.key == p.key)
        {
            self.pending = None;
            self.needs_dump = true;
        }
        if new_keys.is_empty() {
            self.active
                .entry(msg.generation)
                .or_default()
                .insert(hash.to_owned());
            self.remove_expired();
            self.needs_dump = true;
            return Ok(false);
        }
        for k in new_keys {
            self.insert_key(hash, k);
        }
        Ok(true)
    }

    fn open_full(
        &self,
        nonce: &[u8; 24],
        admin_copy: &[u8; 48],
        members: &[[u8; 48]],
        sender: &session_crypto::X25519PublicKey,
    ) -> Result<Option<ConfigKey>> {
        let plain = match &self.admin {
            Some(a) => {
                let k = a.seed_hash(ADMIN_KEY_HASH_KEY);
                let p = multi::open(&k, nonce, admin_copy).ok_or(Error::NoKey {
                    what: "keys message admin copy",
                })?;
                Some(p)
            }
            None => {
                let own = Sender {
                    secret: self.user.x25519_secret(),
                    public: &self.user.x25519_public(),
                };
                let cts = members.iter().map(|m| &m[..]);
                multi::decrypt_for_multiple(cts, nonce, &own, sender, MEMBER_KEY_DOMAIN)
            }
        };
        Ok(plain
            .and_then(|p| <[u8; 32]>::try_from(&p[..]).ok())
            .map(ConfigKey::from_bytes))
    }

    fn open_supplement(
        &self,
        nonce: &[u8; 24],
        entries: &[Vec<u8>],
        sender: &session_crypto::X25519PublicKey,
    ) -> Result<Vec<KeyInfo>> {
        let own = Sender {
            secret: self.user.x25519_secret(),
            public: &self.user.x25519_public(),
        };
        let cts = entries.iter().map(Vec::as_slice);
        match multi::decrypt_for_multiple(cts, nonce, &own, sender, MEMBER_KEY_DOMAIN) {
            Some(plain) => keys_msg::decode_key_list(&plain, "key supplement"),
            None => Ok(Vec::new()),
        }
    }

    fn insert_key(&mut self, hash: &str, new: KeyInfo) {
        let same = self
            .keys
            .iter()
            .any(|k| k.generation == new.generation && k.key == new.key);
        if same {
            self.active
                .entry(new.generation)
                .or_default()
                .insert(hash.to_owned());
            return;
        }
        let pos = self.keys.partition_point(|k| order(k) < order(&new));
        if let (true, Some(front), Some(back)) = (pos == 0, self.keys.first(), self.keys.last())
            && self.keys.len() >= 2
            && new.generation < front.generation
            && front.timestamp_ms.saturating_add(KEY_EXPIRY_MS) < back.timestamp_ms
        {
            return; // older than a generation that has already expired: stale
        }
        self.active
            .entry(new.generation)
            .or_default()
            .insert(hash.to_owned());
        self.keys.insert(pos, new);
        self.remove_expired();
        self.needs_dump = true;
    }

    /// Drops every generation superseded more than [`KEY_EXPIRY_MS`] before the newest key.
    fn remove_expired(&mut self) {
        let newest = self.keys.last().map_or(i64::MIN, |k| k.timestamp_ms);
        let mut keep_from = 0;
        let mut i = 0;
        while i < self.keys.len() {
            let mut j = i + 1;
            while j < self.keys.len() && self.keys[j].generation == self.keys[i].generation {
                j += 1;
            }
            if j == self.keys.len() {
                break;
            }
            if self.keys[j].timestamp_ms.saturating_add(KEY_EXPIRY_MS) < newest {
                keep_from = j;
            } else {
                break;
            }
            i = j;
        }
        self.keys.drain(..keep_from);
        match self.keys.first() {
            Some(first) => {
                let g = first.generation;
                self.active.retain(|generation, _| *generation >= g);
            }
            None => self.active.clear(),
        }
    }

    /// Encrypts a group message (a serialized `Envelope`) signed by this device's account.
    pub fn encrypt_message(
        &self,
        plaintext: &[u8],
        compress: bool,
        rng: &mut impl CryptoRng,
    ) -> Result<Vec<u8>> {
        message::encrypt(
            self.encryption_key()?,
            &self.user,
            plaintext,
            compress,
            message::DEFAULT_PADDING,
            rng,
        )
    }

    /// Decrypts a group message with any key we hold (the pending one first) and verifies its
    /// sender's signature. Whether the sender is a member is [`crate::Group`]'s check.
    pub fn decrypt_message(&self, ciphertext: &[u8]) -> Result<Decrypted> {
        let pending = self.pending.iter().map(|p| &p.key);
        let keys: Vec<&ConfigKey> = pending
            .chain(self.keys.iter().rev().map(|k| &k.key))
            .collect();
        message::decrypt(&keys, ciphertext)
    }
}
