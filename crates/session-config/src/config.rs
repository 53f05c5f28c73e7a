//! One config object and its push/merge life cycle (libsession `ConfigBase`): the current
//! message, whether it needs pushing, the encryption keys, the signing key, and which stored
//! messages a push makes obsolete.
//!
//! States: `Clean` (the current message is on the swarm), `Dirty` (changed locally, seqno
//! already incremented), `Waiting` (pushed, not yet confirmed). A change made while `Clean` or
//! `Waiting` starts a new seqno; further changes while `Dirty` join it.

use crate::data::{self, Dict, Field};
use crate::encrypt::{self, ConfigKey, MAX_MESSAGE_SIZE};
use crate::error::{Error, Result};
use crate::kind::Kind;
use crate::legacy;
use crate::merge::{self, InputStatus, MergeOptions};
use crate::message::{
    ConfigMessage, DEFAULT_LAG, Hash, MutableConfigMessage, Signer, Verify, hash_message,
};
use session_crypto::{Ed25519PublicKey, IdentityKeys, Seed};
use std::collections::BTreeSet;
use std::fmt;

/// Where a config stands relative to the swarm.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum State {
    /// The current message is stored (or nothing needs storing).
    Clean = 0,
    /// Changed locally; needs a push.
    Dirty = 1,
    /// Pushed; waiting for [`Config::confirm_pushed`].
    Waiting = 2,
}

/// The signature policy of a config.
pub enum Signing {
    /// Unsigned (user configs).
    None,
    /// Messages must be signed by this key; we cannot sign, so the config is read-only.
    Verify(Ed25519PublicKey),
    /// Messages must be signed by this key, and we hold it.
    Sign(Box<IdentityKeys>),
}

impl fmt::Debug for Signing {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        match self {
            Signing::None => f.write_str("None"),
            Signing::Verify(pk) => write!(f, "Verify({pk:?})"),
            Signing::Sign(k) => write!(f, "Sign({:?})", k.ed25519_public()),
        }
    }
}

#[derive(Clone)]
pub(crate) enum Current {
    Fixed(ConfigMessage),
    Mutable(MutableConfigMessage),
}

/// What [`Config::push`] gives to store.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct Push {
    /// The seqno pushed (to hand back to [`Config::confirm_pushed`]).
    pub seqno: i64,
    /// The encrypted message to store in [`Kind::namespace`].
    pub data: Vec<u8>,
    /// Stored messages this one replaces: delete them once it is stored.
    pub obsolete: Vec<String>,
}

/// What [`Config::merge`] did with the messages it was given.
#[derive(Debug, Clone, Default)]
pub struct MergeReport {
    /// Storage hashes of the messages that decrypted and decoded (used, merged, redundant or
    /// stale): the ones a poller need not fetch again.
    pub accepted: Vec<String>,
    /// Messages that were refused, with why (wrong key, bad signature, non-canonical…).
    pub rejected: Vec<(String, Error)>,
    /// Messages ignored as `lag` or more seqnos behind the newest.
    pub stale: Vec<String>,
    /// True when the config changed.
    pub changed: bool,
}

/// One config object.
pub struct Config {
    pub(crate) kind: Kind,
    pub(crate) current: Current,
    pub(crate) state: State,
    keys: Vec<ConfigKey>,
    signing: Signing,
    legacy_identity: Option<Box<IdentityKeys>>,
    pub(crate) curr_hash: Option<String>,
    pub(crate) old_hashes: BTreeSet<String>,
    needs_dump: bool,
    lag: i64,
    wrap_pushes: bool,
}

impl fmt::Debug for Config {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        f.debug_struct("Config")
            .field("kind", &self.kind)
            .field("seqno", &self.seqno())
            .field("state", &self.state)
            .field("keys", &self.keys.len())
            .field("signing", &self.signing)
            .finish_non_exhaustive()
    }
}

fn signer_of(signing: &Signing) -> Option<&dyn Signer> {
    match signing {
        Signing::Sign(k) => Some(&**k),
        _ => None,
    }
}

impl Config {
    /// An empty config (seqno 0) of `kind` with encryption `keys` (the first encrypts; all are
    /// tried when decrypting) and a signature policy.
    pub fn new(kind: Kind, keys: Vec<ConfigKey>, signing: Signing) -> Self {
        Self {
            kind,
            current: Current::Fixed(ConfigMessage::new()),
            state: State::Clean,
            keys,
            signing,
            legacy_identity: None,
            curr_hash: None,
            old_hashes: BTreeSet::new(),
            needs_dump: false,
            lag: DEFAULT_LAG,
            wrap_pushes: false,
        }
    }

    /// An empty user config of `kind`, keyed by the account seed. It also accepts the legacy
    /// protobuf-wrapped form, which needs the account's keys to unwrap.
    pub fn new_user(kind: Kind, seed: &Seed) -> Self {
        let mut c = Self::new(kind, vec![ConfigKey::from_seed(seed)], Signing::None);
        if kind.is_user() {
            c.legacy_identity = Some(Box::new(IdentityKeys::from_seed(seed.clone())));
        }
        c
    }

    /// Makes [`Config::push`] emit the legacy protobuf wrapping (user configs made with
    /// [`Config::new_user`] only), byte-identical to what libsession-util (as of 2025) pushes.
    /// Off by default: every libsession client also reads the raw form.
    pub fn set_legacy_wrapping(&mut self, on: bool) {
        self.wrap_pushes = on;
    }

    /// The config type.
    pub fn kind(&self) -> Kind {
        self.kind
    }

    /// The current seqno.
    pub fn seqno(&self) -> i64 {
        match &self.current {
            Current::Fixed(m) => m.seqno(),
            Current::Mutable(m) => m.seqno(),
        }
    }

    /// The current data.
    pub fn data(&self) -> &Dict {
        match &self.current {
            Current::Fixed(m) => m.data(),
            Current::Mutable(m) => m.data(),
        }
    }

    /// The push state.
    pub fn state(&self) -> State {
        self.state
    }

    /// True when there is something to push (changed, or pushed but unconfirmed).
    pub fn needs_push(&self) -> bool {
        self.state != State::Clean
    }

    /// True when the state changed since the last [`Config::dump`].
    pub fn needs_dump(&self) -> bool {
        self.needs_dump
    }

    /// True when messages must be signed and we cannot sign.
    pub fn is_readonly(&self) -> bool {
        matches!(self.signing, Signing::Verify(_))
    }

    /// The storage hash of the current message, once confirmed.
    pub fn current_hash(&self) -> Option<&str> {
        self.curr_hash.as_deref()
    }

    /// The encryption keys.
    pub fn keys(&self) -> &[ConfigKey] {
        &self.keys
    }

    /// Replaces the encryption keys (the first encrypts).
    pub fn set_keys(&mut self, keys: Vec<ConfigKey>) {
        self.keys = keys;
    }

    /// Replaces the encryption keys (libsession `replace_keys`). With `dirty`, a writable
    /// config whose encrypting key changed starts a new seqno so that its next push
    /// re-encrypts it under the new key (a group rekey); a read-only one never becomes dirty.
    pub fn replace_keys(&mut self, keys: Vec<ConfigKey>, dirty: bool) -> Result<()> {
        let changed = self.keys.first() != keys.first();
        self.keys = keys;
        self.needs_dump = true;
        if dirty && changed && !self.keys.is_empty() && !self.is_readonly() {
            self.dirty()?;
        }
        Ok(())
    }

    /// Changes the signature policy: a group member promoted to admin moves from
    /// [`Signing::Verify`] to [`Signing::Sign`] with the same group key.
    pub fn set_signing(&mut self, signing: Signing) {
        self.signing = signing;
    }

    pub(crate) fn verify(&self) -> Verify {
        match &self.signing {
            Signing::None => Verify::Ignore,
            Signing::Verify(pk) => Verify::Require(*pk),
            Signing::Sign(k) => Verify::Require(k.ed25519_public()),
        }
    }

    /// The current message serialized (signed, when we sign), as it would be pushed before
    /// compression and encryption.
    pub fn serialize(&mut self) -> Vec<u8> {
        let signer = signer_of(&self.signing);
        match &mut self.current {
            Current::Fixed(m) => m.encode(signer),
            Current::Mutable(m) => m.encode(signer),
        }
    }

    /// The config hash of the current message (BLAKE2b-256 of [`Config::serialize`]): two
    /// devices with the same config have the same hash.
    pub fn message_hash(&mut self) -> Hash {
        hash_message(&self.serialize())
    }

    pub(crate) fn set_state(&mut self, s: State) {
        if self.state == State::Clean
            && let Some(h) = self.curr_hash.take()
        {
            self.old_hashes.insert(h);
        }
        self.state = s;
        self.needs_dump = true;
    }

    /// The message to edit, starting a new seqno unless already dirty.
    fn dirty(&mut self) -> Result<&mut MutableConfigMessage> {
        if self.is_readonly() {
            return Err(Error::ReadOnly);
        }
        if self.state != State::Dirty {
            self.set_state(State::Dirty);
            let signer = signer_of(&self.signing);
            let next = match &mut self.current {
                Current::Fixed(m) => m.increment(),
                Current::Mutable(m) => m.increment(signer),
            };
            self.current = Current::Mutable(next);
        } else {
            self.needs_dump = true;
        }
        match &mut self.current {
            Current::Mutable(m) => Ok(m),
            Current::Fixed(_) => Err(Error::ReadOnly),
        }
    }

    /// Sets the value at `path` (one key per level, dicts created as needed). Assigning what is
    /// already there changes nothing; assigning an empty set or dict removes the key.
    pub fn set(&mut self, path: &[&[u8]], value: Field) -> Result<()> {
        let empty = match &value {
            Field::Set(s) => s.is_empty(),
            Field::Dict(d) => d.is_empty(),
            Field::Scalar(_) => false,
        };
        if empty {
            return self.erase(path).map(|_| ());
        }
        let Some((last, inner)) = path.split_last() else {
            return Err(Error::invalid("config path", "empty"));
        };
        if self.state != State::Dirty && data::get(self.data(), path) == Some(&value) {
            return Ok(());
        }
        let m = self.dirty()?;
        data::dict_at_mut(m.data_mut(), inner).insert(last.to_vec(), value);
        Ok(())
    }

    /// Removes the value at `path`. Returns whether it existed.
    pub fn erase(&mut self, path: &[&[u8]]) -> Result<bool> {
        let Some((last, inner)) = path.split_last() else {
            return Err(Error::invalid("config path", "empty"));
        };
        let existed = data::get(self.data(), path).is_some();
        if self.state != State::Dirty && !existed {
            return Ok(false);
        }
        let m = self.dirty()?;
        let mut d = m.data_mut();
        for key in inner {
            match d.get_mut(*key) {
                Some(Field::Dict(next)) => d = next,
                _ => return Ok(existed),
            }
        }
        d.remove(*last);
        Ok(existed)
    }

    /// Merges messages fetched from the swarm (storage hash, stored bytes) into this config.
    pub fn merge(&mut self, messages: &[(String, Vec<u8>)]) -> Result<MergeReport> {
        if self.keys.is_empty() {
            return Err(Error::NoKey);
        }
        let old_seqno = self.seqno();
        let dirty = self.state == State::Dirty;
        let mut report = MergeReport::default();
        let mut hashes: Vec<Option<String>> = Vec::new();
        let mut plains: Vec<Vec<u8>> = Vec::new();
        let mine = old_seqno != 0 || dirty;
        if mine {
            hashes.push(self.curr_hash.clone());
            plains.push(self.serialize());
        }
        for (hash, bytes) in messages {
            match self.open(bytes) {
                Ok(p) => {
                    hashes.push(Some(hash.clone()));
                    plains.push(p);
                }
                Err(e) => report.rejected.push((hash.clone(), e)),
            }
        }
        let views: Vec<&[u8]> = plains.iter().map(Vec::as_slice).collect();
        let opts = MergeOptions {
            lag: self.lag,
            verify: self.verify(),
            signer: signer_of(&self.signing),
        };
        let merged = match merge::merge(&views, &opts) {
            Ok(m) => m,
            Err(_) => {
                // Nothing usable (and no message of ours): report why each input failed.
                for (hash, plain) in hashes.iter().zip(&plains) {
                    if let (Some(h), Err(e)) = (hash, ConfigMessage::decode(plain, opts.verify)) {
                        report.rejected.push((h.clone(), e));
                    }
                }
                return Ok(report);
            }
        };
        let first_incoming = usize::from(mine);
        for (i, status) in merged.status.iter().enumerate() {
            let Some(hash) = hashes[i].clone() else {
                continue;
            };
            match status {
                InputStatus::Rejected(e) => {
                    if i >= first_incoming {
                        report.rejected.push((hash, e.clone()));
                    }
                    continue;
                }
                InputStatus::Stale { .. } if i >= first_incoming => report.stale.push(hash.clone()),
                _ => {}
            }
            if Some(i) != merged.unmerged_index {
                self.old_hashes.insert(hash.clone());
            }
            if i >= first_incoming {
                report.accepted.push(hash);
            }
        }
        // Same seqno: our own message won (a dirty config keeps its pending edit; libsession
        // would increment and then discard the increment), or nothing newer arrived.
        if merged.message.seqno() == old_seqno {
            return Ok(report);
        }
        report.changed = true;
        match merged.unmerged_index {
            None => {
                self.current = Current::Mutable(MutableConfigMessage::retain(merged.message));
                self.set_state(State::Dirty);
            }
            Some(i) => {
                self.current = if dirty {
                    Current::Mutable(merged.message.increment())
                } else {
                    Current::Fixed(merged.message)
                };
                self.set_state(State::Clean);
                self.curr_hash = hashes[i].clone();
            }
        }
        Ok(report)
    }

    /// Decrypts (and, for user configs, unwraps) one stored message.
    fn open(&self, bytes: &[u8]) -> Result<Vec<u8>> {
        if bytes.len() > MAX_MESSAGE_SIZE {
            return Err(Error::TooLarge {
                limit: MAX_MESSAGE_SIZE,
                got: bytes.len(),
            });
        }
        let unwrapped;
        let raw = match &self.legacy_identity {
            Some(id) => {
                unwrapped = legacy::unwrap_if_wrapped(id, bytes, self.kind);
                &unwrapped[..]
            }
            None => bytes,
        };
        encrypt::open(raw, &self.keys, self.kind.domain())
    }

    /// The message to store: the current message serialized, compressed, padded and encrypted
    /// with the first key (the raw form unless [`Config::set_legacy_wrapping`]), and the stored
    /// messages it makes obsolete. A dirty config becomes `Waiting`.
    pub fn push(&mut self) -> Result<Push> {
        let key = self.keys.first().cloned().ok_or(Error::NoKey)?;
        let seqno = self.seqno();
        let serialized = self.serialize();
        let mut data = encrypt::seal(&serialized, &key, self.kind.domain(), true)?;
        if let (true, Some(id)) = (self.wrap_pushes, &self.legacy_identity) {
            data = legacy::wrap(id, &data, seqno, self.kind)?;
            if data.len() > MAX_MESSAGE_SIZE {
                return Err(Error::TooLarge {
                    limit: MAX_MESSAGE_SIZE,
                    got: data.len(),
                });
            }
        }
        if self.state == State::Dirty {
            self.set_state(State::Waiting);
        }
        let old = std::mem::take(&mut self.old_hashes);
        let obsolete = if self.is_readonly() {
            Vec::new()
        } else {
            old.into_iter().collect()
        };
        Ok(Push {
            seqno,
            data,
            obsolete,
        })
    }

    /// Records that the push of `seqno` is stored under `hash`. Ignored if the config changed
    /// again since that push.
    pub fn confirm_pushed(&mut self, seqno: i64, hash: &str) {
        if self.state == State::Waiting && seqno == self.seqno() {
            self.set_state(State::Clean);
            self.curr_hash = Some(hash.to_owned());
        }
    }

    /// Storage hashes of the current message (none until a push is confirmed or a message
    /// adopted).
    pub fn current_hashes(&self) -> Vec<String> {
        self.curr_hash.iter().cloned().collect()
    }

    pub(crate) fn mark_dumped(&mut self) {
        self.needs_dump = false;
    }

    pub(crate) fn restore(
        &mut self,
        current: Current,
        state: State,
        curr_hash: Option<String>,
        old_hashes: BTreeSet<String>,
    ) {
        self.current = current;
        self.state = state;
        self.curr_hash = curr_hash;
        self.old_hashes = old_hashes;
        self.needs_dump = false;
    }
}
