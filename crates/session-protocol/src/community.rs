//! Communities (SOGS): signed posts (spec/crypto.md §3.4) and blinded DMs through a community's
//! inbox (§3.5). Both carry a 160-padded serialised `Content`.

use crate::error::{Error, Result};
use crate::proto::{self, Content};
use crate::{padding, proto::Validate as _};
use prost::Message;
use rand_core::CryptoRng;
use session_crypto::blinded_dm::{decrypt_blinded_dm, encrypt_blinded_dm};
use session_crypto::blinding::{
    Blind15Nonce, ServerPubkey, blind15_sign, blind25_sign, blinded_keypair,
};
use session_crypto::{BlindKind, BlindedId, Ed25519PublicKey, IdentityKeys, SessionId};
use std::fmt;
use std::str::FromStr;
use zeroize::Zeroizing;

const POST: &str = "community message";

/// Who signs a community post: the poster's own key (rooms that see Session IDs) or the
/// poster's blinded key for that server.
#[derive(Debug, Clone, Copy)]
pub enum CommunitySigner<'a> {
    /// Signs with the identity key so that the signature verifies against the Session ID's
    /// positive Ed25519 key (XEd25519 convention).
    Unblinded(&'a IdentityKeys),
    /// Signs as the blind15 key `kA` (SOGS/desktop nonce hash).
    Blind15(&'a IdentityKeys, &'a ServerPubkey),
    /// Signs as the blind25 key.
    Blind25(&'a IdentityKeys, &'a ServerPubkey),
}

impl CommunitySigner<'_> {
    /// The ID the server shows for the poster (`05…`, `15…` or `25…`).
    pub fn poster(&self) -> Poster {
        match self {
            Self::Unblinded(keys) => Poster::Unblinded(keys.session_id()),
            Self::Blind15(keys, server) => {
                Poster::Blinded(blinded_keypair(BlindKind::Blind15, keys, server).id())
            }
            Self::Blind25(keys, server) => {
                Poster::Blinded(blinded_keypair(BlindKind::Blind25, keys, server).id())
            }
        }
    }

    fn sign(&self, data: &[u8]) -> [u8; 64] {
        match self {
            Self::Unblinded(keys) => keys.sign_xed25519(data),
            Self::Blind15(keys, server) => blind15_sign(keys, server, data, Blind15Nonce::Sogs),
            Self::Blind25(keys, server) => blind25_sign(keys, server, data),
        }
    }
}

/// A post's author as a community server reports it (`session_id` of a message).
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum Poster {
    /// A `05…` Session ID.
    Unblinded(SessionId),
    /// A `15…` or `25…` blinded ID.
    Blinded(BlindedId),
}

impl FromStr for Poster {
    type Err = Error;

    fn from_str(s: &str) -> Result<Self> {
        let crypto = Error::crypto("community poster ID");
        if s.trim_start().starts_with("05") {
            s.parse().map(Poster::Unblinded).map_err(crypto)
        } else {
            s.parse().map(Poster::Blinded).map_err(crypto)
        }
    }
}

impl fmt::Display for Poster {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        match self {
            Poster::Unblinded(id) => id.fmt(f),
            Poster::Blinded(id) => id.fmt(f),
        }
    }
}

/// A post ready for `POST /room/<token>/message`: `data` (base64 it into the JSON `data`) and
/// `signature` over exactly those bytes (base64 into `signature`).
#[derive(Clone, PartialEq, Eq)]
pub struct CommunityMessage {
    /// The padded serialised `Content`.
    pub data: Vec<u8>,
    /// The poster's Ed25519 signature of `data`.
    pub signature: [u8; 64],
}

impl fmt::Debug for CommunityMessage {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        f.debug_struct("CommunityMessage")
            .field("data_len", &self.data.len())
            .finish_non_exhaustive()
    }
}

/// Encodes `content` for posting: serialise, pad to 160, sign the padded bytes.
pub fn encode_community_message(
    content: &Content,
    signer: &CommunitySigner<'_>,
) -> Result<CommunityMessage> {
    content.validate()?;
    let data = padding::pad(&content.encode_to_vec());
    let signature = signer.sign(&data);
    Ok(CommunityMessage { data, signature })
}

/// Verifies a post's `signature` over `data` against its `poster` and returns its `Content`.
///
/// Blinded posters verify against the blinded key in their ID. An unblinded (`05`) poster's key
/// is only known up to sign, so the positive key (what XEd25519-style signers, including
/// [`encode_community_message`], produce) and its negation are both accepted: only the holder
/// of the X25519 secret can sign for either.
pub fn verify_community_message(data: &[u8], signature: &[u8], poster: &Poster) -> Result<Content> {
    let sig: &[u8; 64] = signature.try_into().map_err(|_| Error::SignatureLength {
        what: POST,
        got: signature.len(),
    })?;
    let verified = match poster {
        Poster::Blinded(id) => id.key().verify(data, sig, POST),
        Poster::Unblinded(id) => {
            let positive = id.to_ed25519_positive().map_err(Error::crypto(POST))?;
            positive
                .verify(data, sig, POST)
                .or_else(|_| negated(&positive).verify(data, sig, POST))
        }
    };
    verified.map_err(Error::crypto(POST))?;
    proto::decode(padding::unpad(data)?)
}

fn negated(key: &Ed25519PublicKey) -> Ed25519PublicKey {
    let mut b = *key.as_bytes();
    b[31] ^= 0x80;
    Ed25519PublicKey::from_bytes(b)
}

/// Encodes `content` as a blinded DM from `sender` to the blinded `recipient` through the
/// community server `server_pk` (the recipient's prefix picks blind15 or blind25): padded, then
/// encrypted as `0x00 || XChaCha20-Poly1305 || nonce`.
pub fn encode_blinded_dm(
    sender: &IdentityKeys,
    server_pk: &ServerPubkey,
    recipient: &BlindedId,
    content: &Content,
    rng: &mut impl CryptoRng,
) -> Result<Vec<u8>> {
    content.validate()?;
    let plain = Zeroizing::new(content.encode_to_vec());
    let mut padded = Zeroizing::new(Vec::new());
    padding::pad_into(&plain, &mut padded);
    encrypt_blinded_dm(sender, server_pk, recipient, &padded, rng)
        .map_err(Error::crypto("blinded DM encryption"))
}

/// A decrypted blinded DM.
pub struct BlindedIncoming {
    /// The sender's Session ID (its key is checked to blind to the claimed sender ID).
    pub sender: SessionId,
    /// The sender's Ed25519 key.
    pub sender_ed25519: Ed25519PublicKey,
    /// The message.
    pub content: Content,
}

impl fmt::Debug for BlindedIncoming {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        f.debug_struct("BlindedIncoming")
            .field("sender", &self.sender)
            .finish_non_exhaustive()
    }
}

/// Decodes a blinded DM between `sender` and `recipient` (as the server lists them), where
/// `own` is either party: decrypt, check the sender key, unpad, parse.
pub fn decode_blinded_dm(
    own: &IdentityKeys,
    server_pk: &ServerPubkey,
    sender: &BlindedId,
    recipient: &BlindedId,
    bytes: &[u8],
) -> Result<BlindedIncoming> {
    let dm = decrypt_blinded_dm(own, server_pk, sender, recipient, bytes)
        .map_err(Error::crypto("blinded DM decryption"))?;
    let content = proto::decode(padding::unpad(&dm.plaintext)?)?;
    Ok(BlindedIncoming {
        sender: dm.sender,
        sender_ed25519: dm.sender_ed25519,
        content,
    })
}
