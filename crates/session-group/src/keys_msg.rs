//! The keys config messages of namespace 12 (spec §4.2; libsession `Keys::rekey`,
//! `Keys::key_supplement`, `Keys::load_key_message`): building them (admins) and parsing and
//! verifying them (everyone).
//!
//! A full message is `{"#": nonce, "G": generation, "K": admin copy, "k": [member copies…],
//! "~": signature}`; a supplement is `{"#": nonce, "+": [copies…], "G": max generation,
//! "~": signature}`. The signature is the group key's Ed25519 signature over the encoding up to
//! (not including) `1:~64:…`, as for signed configs.

use crate::drg;
use crate::error::{Error, Result};
use crate::identity::{GroupAdmin, group_x25519};
use crate::multi::{self, Sender};
use chacha20poly1305::XChaCha20Poly1305;
use chacha20poly1305::aead::{Aead, KeyInit};
use session_config::ConfigKey;
use session_crypto::hash::{Blake2bParams, hash24, hash32, hash56};
use session_crypto::{GroupId, SessionId, X25519PublicKey};
use session_protocol::bencode::Value;
use std::collections::BTreeMap;
use zeroize::Zeroizing;

/// Member copies are padded with junk to a multiple of this (libsession
/// `MESSAGE_KEY_MULTIPLE`), hiding the member count to within 75.
pub const MESSAGE_KEY_MULTIPLE: usize = 75;
/// Largest keys message accepted (the storage server's message limit).
pub const MAX_KEYS_MESSAGE: usize = 76_800;
/// An encrypted 32-byte key: 32 + the Poly1305 tag.
pub const ENCRYPTED_KEY_LEN: usize = 48;
/// Smallest encrypted supplement entry (`d1:gi0e1:k32:…1:ti0ee` + tag), as libsession checks.
const MIN_SUPPLEMENT_ENTRY: usize = 52 + multi::OVERHEAD;
/// `1:~64:` + signature + `e`.
const SIGNATURE_TAIL: usize = 6 + 64 + 1;

pub(crate) const SEED_HASH_KEY: &str = "SessionGroupKeySeed";
const KEY_GEN_HASH_KEY: &[u8] = b"SessionGroupKeyGen";
pub(crate) const ADMIN_KEY_HASH_KEY: &str = "SessionGroupKeyAdminKey";
pub(crate) const MEMBER_KEY_DOMAIN: &str = "SessionGroupKeyMemberKey";
const JUNK_SEED_HASH_KEY: &[u8] = b"SessionGroupJunkMembers";

/// One group key with its generation and the time (ms) its keys message was stored.
#[derive(Clone, PartialEq, Eq)]
pub struct KeyInfo {
    /// The key's generation (0 for the group's first key).
    pub generation: i64,
    /// The 32-byte XChaCha20 key.
    pub key: ConfigKey,
    /// When the keys message carrying it was stored (ms), used for expiry.
    pub timestamp_ms: i64,
}

impl std::fmt::Debug for KeyInfo {
    fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
        f.debug_struct("KeyInfo")
            .field("generation", &self.generation)
            .field("timestamp_ms", &self.timestamp_ms)
            .finish_non_exhaustive()
    }
}

/// A parsed keys message whose signature verified.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct KeysMessage {
    /// The shared nonce of every copy.
    pub nonce: [u8; 24],
    /// The generation (full) or the highest generation included (supplement).
    pub generation: i64,
    /// The copies.
    pub body: Body,
}

/// What a keys message carries.
#[derive(Debug, Clone, PartialEq, Eq)]
pub enum Body {
    /// A new key: the admins' copy and one copy per member (plus junk).
    Full {
        /// `K`: the key encrypted for admins.
        admin: [u8; ENCRYPTED_KEY_LEN],
        /// `k`: the key encrypted for each member, then junk.
        members: Vec<[u8; ENCRYPTED_KEY_LEN]>,
    },
    /// `+`: all current keys, encrypted for each member added with history.
    Supplement(Vec<Vec<u8>>),
}

/// The new key and nonce of a rekey to `generation` for `members` (spec §4.2):
/// `h1 = BLAKE2b-448(sid_1 ‖ … ‖ sid_n ‖ ascii(gen) ‖ h2; key = "SessionGroupKeyGen")`,
/// `h2 = BLAKE2b-256(seed; key = "SessionGroupKeySeed")`; key = `h1[..32]`, nonce = `h1[32..]`.
/// Returns all of `h1` (the junk seed needs it).
pub fn rekey_hash(
    admin: &GroupAdmin,
    members: &[SessionId],
    generation: i64,
) -> Zeroizing<[u8; 56]> {
    let h2 = admin.seed_hash(SEED_HASH_KEY);
    let ids: Vec<String> = sorted_ids(members);
    let gen_str = generation.to_string();
    let mut parts: Vec<&[u8]> = ids.iter().map(String::as_bytes).collect();
    parts.push(gen_str.as_bytes());
    parts.push(&h2[..]);
    Zeroizing::new(hash56(Blake2bParams::keyed(KEY_GEN_HASH_KEY), &parts))
}

/// Members' Session IDs as hex, sorted and without duplicates (libsession iterates its
/// members config, which is keyed and therefore sorted by ID).
fn sorted_ids(members: &[SessionId]) -> Vec<String> {
    let mut ids: Vec<String> = members.iter().map(ToString::to_string).collect();
    ids.sort();
    ids.dedup();
    ids
}

fn sorted_x25519(members: &[SessionId]) -> Vec<X25519PublicKey> {
    let mut m: Vec<[u8; 33]> = members.iter().map(SessionId::to_bytes).collect();
    m.sort();
    m.dedup();
    m.iter()
        .map(|b| X25519PublicKey::from_bytes(b[1..].try_into().unwrap_or([0; 32])))
        .collect()
}

fn xchacha(key: &[u8; 32], nonce: &[u8; 24], msg: &[u8]) -> Result<Vec<u8>> {
    XChaCha20Poly1305::new(key.into())
        .encrypt(nonce.into(), msg)
        .map_err(|_| Error::malformed("keys message", "value too long to encrypt"))
}

/// Builds the signed full keys message of a rekey. Returns the message and the new key; a
/// message over [`MAX_KEYS_MESSAGE`] (more than 1,500 members) is an error.
pub fn build_rekey(
    admin: &GroupAdmin,
    members: &[SessionId],
    generation: i64,
) -> Result<(Vec<u8>, ConfigKey)> {
    let h1 = rekey_hash(admin, members, generation);
    let key: [u8; 32] = h1[..32].try_into().unwrap_or([0; 32]);
    let key = Zeroizing::new(key);
    let nonce: [u8; 24] = h1[32..].try_into().unwrap_or([0; 24]);
    let admin_key = admin.seed_hash(ADMIN_KEY_HASH_KEY);
    let k_admin = xchacha(&admin_key, &nonce, &key[..])?;
    let gkeys = admin.keys();
    let sender = Sender {
        secret: gkeys.x25519_secret(),
        public: &gkeys.x25519_public(),
    };
    let copies = multi::encrypt_for_multiple(
        &key[..],
        &sorted_x25519(members),
        &nonce,
        &sender,
        MEMBER_KEY_DOMAIN,
    )?;
    let mut list: Vec<Value> = copies.into_iter().map(Value::Bytes).collect();
    let rem = list.len() % MESSAGE_KEY_MULTIPLE;
    if rem != 0 {
        let n_junk = MESSAGE_KEY_MULTIPLE - rem;
        let sk = gkeys.libsodium_secret_key();
        let seed = Zeroizing::new(hash32(
            Blake2bParams::keyed(JUNK_SEED_HASH_KEY),
            &[&h1[..], &sk[..]],
        ));
        let junk = drg::deterministic_bytes(&seed, n_junk * ENCRYPTED_KEY_LEN);
        list.extend(
            junk.chunks(ENCRYPTED_KEY_LEN)
                .map(|c| Value::Bytes(c.to_vec())),
        );
    }
    let dict = Value::dict([
        ("#", Value::Bytes(nonce.to_vec())),
        ("G", Value::Int(generation)),
        ("K", Value::Bytes(k_admin)),
        ("k", Value::List(list)),
    ]);
    let msg = checked_size(sign_dict(admin, &dict), "keys message")?;
    Ok((msg, ConfigKey::from_bytes(*key)))
}

/// Refuses a built message the swarm would refuse (and [`parse`] does): more than
/// [`MAX_KEYS_MESSAGE`] bytes, which a rekey reaches beyond 1,500 members and a supplement
/// sooner (each recipient's copy holds every key).
fn checked_size(msg: Vec<u8>, what: &'static str) -> Result<Vec<u8>> {
    if msg.len() > MAX_KEYS_MESSAGE {
        return Err(Error::TooLarge {
            what,
            limit: MAX_KEYS_MESSAGE,
            got: msg.len(),
        });
    }
    Ok(msg)
}

/// Builds a signed supplement giving `keys` (all current keys, oldest first) to `members`; one
/// over [`MAX_KEYS_MESSAGE`] is an error (split the members over several supplements).
/// Nonce = `BLAKE2b-192(sid_1 ‖ … ‖ keys_bencoded ‖ h2; key = "SessionGroupKeyGen")`.
pub fn build_supplement(
    admin: &GroupAdmin,
    members: &[SessionId],
    keys: &[KeyInfo],
) -> Result<Vec<u8>> {
    let max_gen = keys
        .iter()
        .map(|k| k.generation)
        .max()
        .ok_or(Error::NoKey {
            what: "key supplement",
        })?;
    let supp = Zeroizing::new(encode_key_list(keys));
    let ids = sorted_ids(members);
    let h2 = admin.seed_hash(SEED_HASH_KEY);
    let mut parts: Vec<&[u8]> = ids.iter().map(String::as_bytes).collect();
    parts.push(&supp[..]);
    parts.push(&h2[..]);
    let nonce = hash24(Blake2bParams::keyed(KEY_GEN_HASH_KEY), &parts);
    let gkeys = admin.keys();
    let sender = Sender {
        secret: gkeys.x25519_secret(),
        public: &gkeys.x25519_public(),
    };
    let copies = multi::encrypt_for_multiple(
        &supp,
        &sorted_x25519(members),
        &nonce,
        &sender,
        MEMBER_KEY_DOMAIN,
    )?;
    if copies.is_empty() {
        return Err(Error::malformed(
            "key supplement",
            "no valid member to encrypt for",
        ));
    }
    let dict = Value::dict([
        ("#", Value::Bytes(nonce.to_vec())),
        (
            "+",
            Value::List(copies.into_iter().map(Value::Bytes).collect()),
        ),
        ("G", Value::Int(max_gen)),
    ]);
    checked_size(sign_dict(admin, &dict), "key supplement")
}

/// The bencoded list `[{g, k, t}…]` of a supplement (and of dumps).
pub(crate) fn encode_key_list(keys: &[KeyInfo]) -> Vec<u8> {
    Value::List(
        keys.iter()
            .map(|k| {
                Value::dict([
                    ("g", Value::Int(k.generation)),
                    ("k", Value::Bytes(k.key.expose_secret().to_vec())),
                    ("t", Value::Int(k.timestamp_ms)),
                ])
            })
            .collect(),
    )
    .encode()
}

/// Parses a `[{g, k, t}…]` list.
pub(crate) fn decode_key_list(bytes: &[u8], what: &'static str) -> Result<Vec<KeyInfo>> {
    let v = Value::decode(bytes).map_err(|_| Error::malformed(what, "not canonical bencode"))?;
    let list = v.as_list().ok_or(Error::malformed(what, "not a list"))?;
    list.iter()
        .map(|e| {
            let generation = e.get(b"g").and_then(Value::as_int);
            let key = e.get(b"k").and_then(Value::as_bytes);
            let ts = e.get(b"t").and_then(Value::as_int);
            match (
                generation,
                key.and_then(|k| <[u8; 32]>::try_from(k).ok()),
                ts,
            ) {
                (Some(g), Some(k), Some(t)) if g >= 0 => Ok(KeyInfo {
                    generation: g,
                    key: ConfigKey::from_bytes(k),
                    timestamp_ms: t,
                }),
                _ => Err(Error::malformed(
                    what,
                    "key entry without g, 32-byte k and t",
                )),
            }
        })
        .collect()
}

/// Encodes `dict` (which must not hold `~`) and appends the group signature.
fn sign_dict(admin: &GroupAdmin, dict: &Value) -> Vec<u8> {
    let mut out = dict.encode();
    out.pop(); // the closing `e`
    let sig = admin.sign(&out);
    out.extend_from_slice(b"1:~64:");
    out.extend_from_slice(&sig);
    out.push(b'e');
    out
}

/// Parses a keys message and verifies the group's signature. Anything not signed by the group
/// key, malformed, or with a member list not padded to [`MESSAGE_KEY_MULTIPLE`] is refused.
pub fn parse(bytes: &[u8], group: &GroupId) -> Result<KeysMessage> {
    const WHAT: &str = "keys message";
    if bytes.len() > MAX_KEYS_MESSAGE {
        return Err(Error::TooLarge {
            what: WHAT,
            limit: MAX_KEYS_MESSAGE,
            got: bytes.len(),
        });
    }
    let v = Value::decode(bytes).map_err(|_| Error::malformed(WHAT, "not canonical bencode"))?;
    let d = v.as_dict().ok_or(Error::malformed(WHAT, "not a dict"))?;
    verify_signature(bytes, d, group)?;
    let nonce: [u8; 24] = bytes_field(d, b"#")
        .and_then(|n| n.try_into().ok())
        .ok_or(Error::malformed(WHAT, "no 24-byte nonce"))?;
    let generation = d
        .get(b"G".as_slice())
        .and_then(Value::as_int)
        .filter(|g| *g >= 0)
        .ok_or(Error::malformed(WHAT, "no valid generation (G)"))?;
    let body = match d.get(b"+".as_slice()) {
        Some(list) => parse_supplement(list)?,
        None => parse_full(d)?,
    };
    Ok(KeysMessage {
        nonce,
        generation,
        body,
    })
}

fn bytes_field<'a>(d: &'a BTreeMap<Vec<u8>, Value>, key: &[u8]) -> Option<&'a [u8]> {
    d.get(key).and_then(Value::as_bytes)
}

fn verify_signature(bytes: &[u8], d: &BTreeMap<Vec<u8>, Value>, group: &GroupId) -> Result<()> {
    const WHAT: &str = "keys message";
    if d.keys().next_back().map(Vec::as_slice) != Some(b"~".as_slice()) {
        return Err(Error::malformed(WHAT, "no signature (~) as the last key"));
    }
    let sig: &[u8; 64] = bytes_field(d, b"~")
        .and_then(|s| s.try_into().ok())
        .ok_or(Error::malformed(WHAT, "signature is not 64 bytes"))?;
    let signed = &bytes[..bytes.len() - SIGNATURE_TAIL];
    group
        .ed25519()
        .verify(signed, sig, WHAT)
        .map_err(|_| Error::BadSignature { what: WHAT })
}

fn parse_full(d: &BTreeMap<Vec<u8>, Value>) -> Result<Body> {
    const WHAT: &str = "keys message";
    let admin: [u8; ENCRYPTED_KEY_LEN] = bytes_field(d, b"K")
        .and_then(|k| k.try_into().ok())
        .ok_or(Error::malformed(WHAT, "no 48-byte admin key (K)"))?;
    let list = d
        .get(b"k".as_slice())
        .and_then(Value::as_list)
        .ok_or(Error::malformed(WHAT, "no member key list (k)"))?;
    let members = list
        .iter()
        .map(|e| e.as_bytes().and_then(|b| b.try_into().ok()))
        .collect::<Option<Vec<[u8; ENCRYPTED_KEY_LEN]>>>()
        .ok_or(Error::malformed(WHAT, "member key is not 48 bytes"))?;
    if !members.len().is_multiple_of(MESSAGE_KEY_MULTIPLE) {
        return Err(Error::malformed(
            WHAT,
            "member key list not padded to a multiple of 75",
        ));
    }
    Ok(Body::Full { admin, members })
}

fn parse_supplement(list: &Value) -> Result<Body> {
    const WHAT: &str = "key supplement";
    let list = list
        .as_list()
        .ok_or(Error::malformed(WHAT, "+ is not a list"))?;
    let entries = list
        .iter()
        .map(|e| {
            e.as_bytes()
                .filter(|b| b.len() >= MIN_SUPPLEMENT_ENTRY)
                .map(<[u8]>::to_vec)
        })
        .collect::<Option<Vec<_>>>()
        .ok_or(Error::malformed(WHAT, "entry too short"))?;
    Ok(Body::Supplement(entries))
}

/// The group's X25519 key, the sender of every member copy.
pub(crate) fn sender_key(group: &GroupId) -> Result<X25519PublicKey> {
    group_x25519(group)
}
