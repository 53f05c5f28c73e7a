//! One config message (spec §5.3; libsession `src/config.cpp`): the bencoded dict
//! `{"#": seqno, "&": data, "<": lagged diffs, "=": diff, "~": signature}` plus any top-level
//! keys a newer client added, which are kept and re-encoded untouched.
//!
//! Decoding is strict: canonical bencode only, keys in their places, data within the limits of
//! [`crate::data`], lagged diffs sorted and older than the message. [`ConfigMessage`] is a
//! received (or merged) message with its hash; [`MutableConfigMessage`] is one being edited,
//! whose diff is computed from the data it started with.

use crate::data::{self, Dict, encode_bytes, encode_int};
use crate::diff::{self, Diff};
use crate::error::{Error, Result};
use session_crypto::hash::{Blake2bParams, hash32};
use session_crypto::{Ed25519PublicKey, IdentityKeys};
use session_protocol::bencode::Value;
use std::collections::BTreeMap;
use std::fmt;

/// Lagged diffs are kept for this many seqnos (libsession `DEFAULT_DIFF_LAGS`).
pub const DEFAULT_LAG: i64 = 5;
/// Largest seqno accepted from the network: far beyond any real history, low enough that
/// incrementing never overflows.
pub const MAX_SEQNO: i64 = i64::MAX / 4;
/// `1:~64:` + signature + the closing `e`.
const SIGNATURE_TAIL: usize = 6 + 64 + 1;

/// A message hash: unkeyed BLAKE2b-256 of the serialized (unencrypted) message.
pub type Hash = [u8; 32];
/// A message's rank in merges: seqno first, hash second.
pub type SeqnoHash = (i64, Hash);

/// The hash of serialized config bytes.
pub fn hash_message(serialized: &[u8]) -> Hash {
    hash32(Blake2bParams::PLAIN, &[serialized])
}

/// Signs config messages (`~`): groups sign with the group's Ed25519 key.
pub trait Signer {
    /// A standard Ed25519 signature over `msg`.
    fn sign(&self, msg: &[u8]) -> [u8; 64];
}

impl Signer for IdentityKeys {
    fn sign(&self, msg: &[u8]) -> [u8; 64] {
        IdentityKeys::sign(self, msg)
    }
}

/// What decoding does with a `~` signature.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum Verify {
    /// Signatures are not used (user configs): a `~` is checked for size, then dropped.
    Ignore,
    /// A signature by this key is required; a message without one, or with a bad one, is
    /// rejected.
    Require(Ed25519PublicKey),
    /// Keep a `~` without checking it (our own local dumps, already verified once).
    Trust,
}

/// A received, merged or frozen config message.
#[derive(Clone, PartialEq, Eq)]
pub struct ConfigMessage {
    pub(crate) seqno: i64,
    pub(crate) data: Dict,
    pub(crate) lagged: BTreeMap<SeqnoHash, Diff>,
    pub(crate) diff: Diff,
    pub(crate) unknown: BTreeMap<Vec<u8>, Value>,
    pub(crate) signature: Option<[u8; 64]>,
    pub(crate) hash: Hash,
    pub(crate) lag: i64,
}

impl fmt::Debug for ConfigMessage {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        f.debug_struct("ConfigMessage")
            .field("seqno", &self.seqno)
            .field("hash", &hex::encode(&self.hash[..4]))
            .field("keys", &self.data.len())
            .field("lagged", &self.lagged.len())
            .field("signed", &self.signature.is_some())
            .finish_non_exhaustive()
    }
}

impl Default for ConfigMessage {
    fn default() -> Self {
        Self::new()
    }
}

impl ConfigMessage {
    /// The empty seqno-0 message `d1:#i0e1:&de1:<le1:=dee`.
    pub fn new() -> Self {
        let mut m = Self {
            seqno: 0,
            data: Dict::new(),
            lagged: BTreeMap::new(),
            diff: Diff::new(),
            unknown: BTreeMap::new(),
            signature: None,
            hash: [0; 32],
            lag: DEFAULT_LAG,
        };
        m.hash = hash_message(&m.encode(None));
        m
    }

    /// Decodes a serialized (decrypted) message with the default lag.
    pub fn decode(bytes: &[u8], verify: Verify) -> Result<Self> {
        Self::decode_with_lag(bytes, verify, DEFAULT_LAG)
    }

    /// Decodes a serialized message; lagged diffs `lag` or more seqnos old are dropped.
    pub fn decode_with_lag(bytes: &[u8], verify: Verify, lag: i64) -> Result<Self> {
        let top = match Value::decode(bytes).map_err(Error::bencode("config message"))? {
            Value::Dict(d) => d,
            _ => return Err(Error::malformed("not a dict")),
        };
        let mut keys = top.keys();
        match keys.next().map(Vec::as_slice) {
            Some(k) if k < b"#".as_slice() => return Err(Error::FutureFormat),
            Some(b"#") => {}
            _ => return Err(Error::malformed("first key is not \"#\"")),
        }
        let seqno = top
            .get(b"#".as_slice())
            .and_then(Value::as_int)
            .ok_or(Error::malformed("seqno is not an integer"))?;
        if !(0..=MAX_SEQNO).contains(&seqno) {
            return Err(Error::SeqnoOutOfRange);
        }
        let data = match top.get(b"&".as_slice()) {
            Some(Value::Dict(d)) => data::dict_from_value(d, true)?,
            _ => return Err(Error::malformed("\"&\" data dict not found")),
        };
        let lagged = match top.get(b"<".as_slice()) {
            None => BTreeMap::new(),
            Some(Value::List(items)) => parse_lagged(items, seqno, lag)?,
            Some(_) => return Err(Error::malformed("lagged diffs are not a list")),
        };
        let diff = match top.get(b"=".as_slice()) {
            None => Diff::new(),
            Some(Value::Dict(d)) => diff::from_value(d)?,
            Some(_) => return Err(Error::malformed("diff is not a dict")),
        };
        let mut unknown = BTreeMap::new();
        let mut sig = None;
        for (k, v) in &top {
            match k.as_slice() {
                b"#" | b"&" | b"<" | b"=" => {}
                b"~" => match v {
                    Value::Bytes(b) => {
                        sig = Some(
                            <[u8; 64]>::try_from(b.as_slice()).map_err(|_| Error::BadSignature)?,
                        )
                    }
                    _ => return Err(Error::BadSignature),
                },
                k if k > b"~".as_slice() => {
                    return Err(Error::malformed("key after the \"~\" signature"));
                }
                _ => {
                    unknown.insert(k.clone(), v.clone());
                }
            }
        }
        let signature = match (verify, sig) {
            (Verify::Ignore, _) => None,
            (Verify::Trust, s) => s,
            (Verify::Require(_), None) => return Err(Error::MissingSignature),
            (Verify::Require(pk), Some(s)) => {
                let signed = &bytes[..bytes.len() - SIGNATURE_TAIL];
                pk.verify(signed, &s, "config message")
                    .map_err(|_| Error::BadSignature)?;
                Some(s)
            }
        };
        Ok(Self {
            seqno,
            data,
            lagged,
            diff,
            unknown,
            signature,
            hash: hash_message(bytes),
            lag,
        })
    }

    /// The seqno.
    pub fn seqno(&self) -> i64 {
        self.seqno
    }

    /// The hash of the message as received (or, for a merge, as first serialized).
    pub fn hash(&self) -> &Hash {
        &self.hash
    }

    /// The data (`&`).
    pub fn data(&self) -> &Dict {
        &self.data
    }

    /// This message's own diff (`=`).
    pub fn diff(&self) -> &Diff {
        &self.diff
    }

    /// The lagged diffs (`<`) kept, by (seqno, hash).
    pub fn lagged(&self) -> &BTreeMap<SeqnoHash, Diff> {
        &self.lagged
    }

    /// Top-level keys this implementation does not know, kept as they came.
    pub fn unknown(&self) -> &BTreeMap<Vec<u8>, Value> {
        &self.unknown
    }

    /// The signature, if the message carried one that was verified (or trusted).
    pub fn signature(&self) -> Option<&[u8; 64]> {
        self.signature.as_ref()
    }

    /// (seqno, hash), the order of merges.
    pub fn seqno_hash(&self) -> SeqnoHash {
        (self.seqno, self.hash)
    }

    /// The serialized message. A verified signature is reused; otherwise `signer`, if given,
    /// signs it.
    pub fn encode(&self, signer: Option<&dyn Signer>) -> Vec<u8> {
        encode_parts(self, &self.diff, self.signature.as_ref(), signer)
    }

    /// A mutable successor: seqno + 1, this message's diff moved into the lagged diffs.
    pub fn increment(&self) -> MutableConfigMessage {
        MutableConfigMessage::incremented_from(self.clone())
    }
}

fn parse_lagged(items: &[Value], seqno: i64, lag: i64) -> Result<BTreeMap<SeqnoHash, Diff>> {
    let mut lagged = BTreeMap::new();
    for item in items {
        let Value::List(tuple) = item else {
            return Err(Error::malformed("lagged diff entry is not a list"));
        };
        let s = tuple
            .first()
            .and_then(Value::as_int)
            .ok_or(Error::malformed("lagged diff seqno is not an integer"))?;
        if s >= seqno {
            return Err(Error::malformed(
                "lagged diff seqno not below the message seqno",
            ));
        }
        if s <= seqno.saturating_sub(lag) {
            continue; // too old to matter: dropped, as libsession does
        }
        let [_, Value::Bytes(h), Value::Dict(d)] = tuple.as_slice() else {
            return Err(Error::malformed(
                "lagged diff entry is not [seqno, hash, diff]",
            ));
        };
        let h: Hash = h
            .as_slice()
            .try_into()
            .map_err(|_| Error::malformed("lagged diff hash is not 32 bytes"))?;
        if lagged
            .last_key_value()
            .is_some_and(|(last, _)| *last >= (s, h))
        {
            return Err(Error::malformed("lagged diffs unsorted or duplicated"));
        }
        lagged.insert((s, h), diff::from_value(d)?);
    }
    Ok(lagged)
}

/// Serializes `m`'s fields with `diff` as `=`; unknown keys go where they sort. The `~` pair
/// signs everything before it.
fn encode_parts(
    m: &ConfigMessage,
    diff: &Diff,
    signature: Option<&[u8; 64]>,
    signer: Option<&dyn Signer>,
) -> Vec<u8> {
    let mut out = Vec::with_capacity(256);
    out.push(b'd');
    let mut unknown = m.unknown.iter().peekable();
    let mut flush_before = |key: &[u8], out: &mut Vec<u8>| {
        while let Some((k, v)) = unknown.next_if(|(k, _)| k.as_slice() < key) {
            encode_bytes(k, out);
            v.encode_into(out);
        }
    };
    encode_bytes(b"#", &mut out);
    encode_int(m.seqno, &mut out);
    flush_before(b"&", &mut out);
    encode_bytes(b"&", &mut out);
    data::encode_dict(&m.data, &mut out);
    flush_before(b"<", &mut out);
    encode_bytes(b"<", &mut out);
    out.push(b'l');
    for ((s, h), d) in &m.lagged {
        if *s <= m.seqno.saturating_sub(m.lag) || *s >= m.seqno {
            continue;
        }
        out.push(b'l');
        encode_int(*s, &mut out);
        encode_bytes(h, &mut out);
        diff::encode(d, &mut out);
        out.push(b'e');
    }
    out.push(b'e');
    flush_before(b"=", &mut out);
    encode_bytes(b"=", &mut out);
    diff::encode(diff, &mut out);
    flush_before(b"~", &mut out);
    let sig = match (signature, signer) {
        (Some(s), _) => Some(*s),
        (None, Some(signer)) => Some(signer.sign(&out)),
        (None, None) => None,
    };
    if let Some(sig) = sig {
        encode_bytes(b"~", &mut out);
        encode_bytes(&sig, &mut out);
    }
    out.push(b'e');
    out
}

/// A config message being edited: its diff is the difference between its data now and the data
/// it started from.
#[derive(Clone, PartialEq, Eq)]
pub struct MutableConfigMessage {
    pub(crate) msg: ConfigMessage,
    pub(crate) orig: Dict,
}

impl fmt::Debug for MutableConfigMessage {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        f.debug_struct("MutableConfigMessage")
            .field("seqno", &self.msg.seqno)
            .field("keys", &self.msg.data.len())
            .finish_non_exhaustive()
    }
}

impl MutableConfigMessage {
    /// An empty message with the given seqno and lag.
    pub fn new(seqno: i64, lag: i64) -> Self {
        let msg = ConfigMessage {
            seqno,
            lag,
            ..ConfigMessage::new()
        };
        Self {
            msg,
            orig: Dict::new(),
        }
    }

    /// Wraps `msg` for editing without changing its seqno (the result of a merge).
    pub fn retain(msg: ConfigMessage) -> Self {
        let orig = msg.data.clone();
        Self { msg, orig }
    }

    fn incremented_from(mut msg: ConfigMessage) -> Self {
        let (seqno, lag) = (msg.seqno, msg.lag);
        msg.lagged
            .retain(|(s, _), _| *s > seqno.saturating_sub(lag) && *s < seqno);
        let own = std::mem::take(&mut msg.diff);
        msg.lagged.insert((seqno, msg.hash), own);
        msg.seqno = seqno.saturating_add(1);
        msg.hash = [0; 32];
        msg.signature = None;
        Self::retain(msg)
    }

    /// The seqno.
    pub fn seqno(&self) -> i64 {
        self.msg.seqno
    }

    /// Sets the seqno (tests and fixtures; normally [`Self::increment`]).
    pub fn set_seqno(&mut self, seqno: i64) {
        self.msg.seqno = seqno;
    }

    /// The data.
    pub fn data(&self) -> &Dict {
        &self.msg.data
    }

    /// The data, for changing.
    pub fn data_mut(&mut self) -> &mut Dict {
        &mut self.msg.data
    }

    /// The lagged diffs.
    pub fn lagged(&self) -> &BTreeMap<SeqnoHash, Diff> {
        &self.msg.lagged
    }

    /// Top-level keys this implementation does not know, kept from the message it came from.
    pub fn unknown(&self) -> &BTreeMap<Vec<u8>, Value> {
        &self.msg.unknown
    }

    /// Prunes the data and returns the diff since the start.
    pub fn diff(&mut self) -> &Diff {
        data::prune(&mut self.msg.data);
        self.msg.diff = diff::compute(&self.orig, &self.msg.data).unwrap_or_default();
        &self.msg.diff
    }

    /// The serialized message, signed by `signer` if given.
    pub fn encode(&mut self, signer: Option<&dyn Signer>) -> Vec<u8> {
        self.diff();
        encode_parts(&self.msg, &self.msg.diff, None, signer)
    }

    /// The hash of the message as [`Self::encode`] would serialize it now.
    pub fn hash(&mut self, signer: Option<&dyn Signer>) -> Hash {
        let bytes = self.encode(signer);
        self.msg.hash = hash_message(&bytes);
        self.msg.hash
    }

    /// The successor: this message (as it would serialize now) becomes a lagged diff.
    pub fn increment(&mut self, signer: Option<&dyn Signer>) -> MutableConfigMessage {
        self.hash(signer);
        Self::incremented_from(self.msg.clone())
    }

    /// The message as it stands (diff computed, hash of its serialization with `signer`).
    pub fn freeze(&mut self, signer: Option<&dyn Signer>) -> ConfigMessage {
        self.hash(signer);
        self.msg.clone()
    }
}
