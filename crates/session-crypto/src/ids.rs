//! Prefixed 33-byte account IDs: Session ID (`05`), group ID (`03`), blinded IDs (`15`/`25`).

use crate::error::{Error, Result};
use crate::hex_util::decode_fixed;
use crate::keys::{Ed25519PublicKey, X25519PublicKey};
use std::fmt;
use std::str::FromStr;

/// Prefix byte of a Session ID.
pub const SESSION_ID_PREFIX: u8 = 0x05;
/// Prefix byte of a groups-v2 ID.
pub const GROUP_ID_PREFIX: u8 = 0x03;
/// Prefix byte of a blind15 community ID.
pub const BLIND15_PREFIX: u8 = 0x15;
/// Prefix byte of a blind25 community ID.
pub const BLIND25_PREFIX: u8 = 0x25;
/// Prefix byte of the version-check blinded key.
pub const VERSION_BLIND_PREFIX: u8 = 0x07;

fn parse_prefixed(s: &str, what: &'static str) -> Result<(u8, [u8; 32])> {
    let raw: [u8; 33] = decode_fixed(s, what)?;
    let mut key = [0u8; 32];
    key.copy_from_slice(&raw[1..]);
    Ok((raw[0], key))
}

fn split_prefixed(bytes: &[u8], what: &'static str) -> Result<(u8, [u8; 32])> {
    let raw: &[u8; 33] = bytes.try_into().map_err(|_| Error::InvalidLength {
        what,
        expected: "33 bytes",
        got: bytes.len(),
    })?;
    let mut key = [0u8; 32];
    key.copy_from_slice(&raw[1..]);
    Ok((raw[0], key))
}

fn prefixed(prefix: u8, key: &[u8; 32]) -> [u8; 33] {
    let mut out = [0u8; 33];
    out[0] = prefix;
    out[1..].copy_from_slice(key);
    out
}

fn write_abbrev(f: &mut fmt::Formatter<'_>, name: &str, bytes: &[u8; 33]) -> fmt::Result {
    let h = hex::encode(bytes);
    write!(f, "{name}({}…{})", &h[..6], &h[h.len() - 4..])
}

/// A user's Session ID: `05 || X25519 public key`, shown as 66 hex digits.
#[derive(Clone, Copy, PartialEq, Eq, Hash, PartialOrd, Ord)]
pub struct SessionId(X25519PublicKey);

impl SessionId {
    /// From the X25519 public key.
    pub fn from_x25519(key: X25519PublicKey) -> Self {
        Self(key)
    }

    /// From 33 bytes starting with 05.
    pub fn from_bytes(bytes: &[u8]) -> Result<Self> {
        let (prefix, key) = split_prefixed(bytes, "session ID")?;
        Self::checked(prefix, key)
    }

    fn checked(prefix: u8, key: [u8; 32]) -> Result<Self> {
        if prefix != SESSION_ID_PREFIX {
            return Err(Error::WrongPrefix {
                what: "session ID",
                expected: "05",
                got: prefix,
            });
        }
        Ok(Self(X25519PublicKey(key)))
    }

    /// The X25519 public key (without prefix).
    pub fn x25519(&self) -> X25519PublicKey {
        self.0
    }

    /// The 33 bytes `05 || X`.
    pub fn to_bytes(&self) -> [u8; 33] {
        prefixed(SESSION_ID_PREFIX, self.0.as_bytes())
    }

    /// XEd25519: the positive Ed25519 key with this X25519 key (see [`X25519PublicKey`]).
    pub fn to_ed25519_positive(&self) -> Result<Ed25519PublicKey> {
        self.0.to_ed25519_positive()
    }
}

impl FromStr for SessionId {
    type Err = Error;
    fn from_str(s: &str) -> Result<Self> {
        let (prefix, key) = parse_prefixed(s, "session ID")?;
        Self::checked(prefix, key)
    }
}

impl fmt::Display for SessionId {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        f.write_str(&hex::encode(self.to_bytes()))
    }
}

impl fmt::Debug for SessionId {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        write_abbrev(f, "SessionId", &self.to_bytes())
    }
}

/// A groups-v2 ID: `03 || group Ed25519 public key`.
#[derive(Clone, Copy, PartialEq, Eq, Hash)]
pub struct GroupId(Ed25519PublicKey);

impl GroupId {
    /// From the group's Ed25519 public key.
    pub fn from_ed25519(key: Ed25519PublicKey) -> Self {
        Self(key)
    }

    /// From 33 bytes starting with 03.
    pub fn from_bytes(bytes: &[u8]) -> Result<Self> {
        let (prefix, key) = split_prefixed(bytes, "group ID")?;
        Self::checked(prefix, key)
    }

    fn checked(prefix: u8, key: [u8; 32]) -> Result<Self> {
        if prefix != GROUP_ID_PREFIX {
            return Err(Error::WrongPrefix {
                what: "group ID",
                expected: "03",
                got: prefix,
            });
        }
        Ok(Self(Ed25519PublicKey(key)))
    }

    /// The group's Ed25519 public key.
    pub fn ed25519(&self) -> Ed25519PublicKey {
        self.0
    }

    /// The 33 bytes `03 || key`.
    pub fn to_bytes(&self) -> [u8; 33] {
        prefixed(GROUP_ID_PREFIX, self.0.as_bytes())
    }
}

impl FromStr for GroupId {
    type Err = Error;
    fn from_str(s: &str) -> Result<Self> {
        let (prefix, key) = parse_prefixed(s, "group ID")?;
        Self::checked(prefix, key)
    }
}

impl fmt::Display for GroupId {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        f.write_str(&hex::encode(self.to_bytes()))
    }
}

impl fmt::Debug for GroupId {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        write_abbrev(f, "GroupId", &self.to_bytes())
    }
}

/// Which community blinding scheme an ID uses.
#[derive(Clone, Copy, PartialEq, Eq, Hash, Debug)]
pub enum BlindKind {
    /// `15`: `k = H(server_pk)`, shared by every user of a server.
    Blind15,
    /// `25`: `k = H(05 || X || server_pk)`, per user and server.
    Blind25,
}

impl BlindKind {
    /// The ID prefix byte.
    pub fn prefix(self) -> u8 {
        match self {
            Self::Blind15 => BLIND15_PREFIX,
            Self::Blind25 => BLIND25_PREFIX,
        }
    }
}

/// A community-blinded ID: `15 || kA` or `25 || kA`.
#[derive(Clone, Copy, PartialEq, Eq, Hash)]
pub struct BlindedId {
    kind: BlindKind,
    key: Ed25519PublicKey,
}

impl BlindedId {
    /// From a kind and the blinded Ed25519 key.
    pub fn new(kind: BlindKind, key: Ed25519PublicKey) -> Self {
        Self { kind, key }
    }

    /// From 33 bytes starting with 15 or 25.
    pub fn from_bytes(bytes: &[u8]) -> Result<Self> {
        let (prefix, key) = split_prefixed(bytes, "blinded ID")?;
        Self::checked(prefix, key)
    }

    fn checked(prefix: u8, key: [u8; 32]) -> Result<Self> {
        let kind = match prefix {
            BLIND15_PREFIX => BlindKind::Blind15,
            BLIND25_PREFIX => BlindKind::Blind25,
            got => {
                return Err(Error::WrongPrefix {
                    what: "blinded ID",
                    expected: "15 or 25",
                    got,
                });
            }
        };
        Ok(Self {
            kind,
            key: Ed25519PublicKey(key),
        })
    }

    /// The blinding scheme.
    pub fn kind(&self) -> BlindKind {
        self.kind
    }

    /// The blinded Ed25519 key `kA`.
    pub fn key(&self) -> Ed25519PublicKey {
        self.key
    }

    /// The same ID with the key's sign bit flipped (the other blind15 candidate).
    pub fn negated(&self) -> Self {
        let mut b = self.key.0;
        b[31] ^= 0x80;
        Self {
            kind: self.kind,
            key: Ed25519PublicKey(b),
        }
    }

    /// The 33 bytes `prefix || kA`.
    pub fn to_bytes(&self) -> [u8; 33] {
        prefixed(self.kind.prefix(), self.key.as_bytes())
    }
}

impl FromStr for BlindedId {
    type Err = Error;
    fn from_str(s: &str) -> Result<Self> {
        let (prefix, key) = parse_prefixed(s, "blinded ID")?;
        Self::checked(prefix, key)
    }
}

impl fmt::Display for BlindedId {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        f.write_str(&hex::encode(self.to_bytes()))
    }
}

impl fmt::Debug for BlindedId {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        write_abbrev(f, "BlindedId", &self.to_bytes())
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    const SID: &str = "05d2ad010eeb72d72e561d9de7bd7b6989af77dcabffa03a5111a6c859ae5c3a72";

    #[test]
    fn session_id_round_trips_and_checks_prefix() {
        let id: SessionId = SID.parse().unwrap();
        assert_eq!(id.to_string(), SID);
        let err = format!("03{}", &SID[2..]).parse::<SessionId>().unwrap_err();
        assert_eq!(
            err,
            Error::WrongPrefix {
                what: "session ID",
                expected: "05",
                got: 3
            }
        );
    }

    #[test]
    fn errors_name_the_problem() {
        assert_eq!(
            SID[..64].parse::<SessionId>().unwrap_err().to_string(),
            "session ID: expected 33 bytes (66 hex digits), got 32 bytes"
        );
        let bad = format!("{}zz", &SID[..64]);
        assert_eq!(
            bad.parse::<SessionId>().unwrap_err().to_string(),
            "session ID: not valid hex"
        );
        assert_eq!(
            format!("16{}", &SID[2..])
                .parse::<BlindedId>()
                .unwrap_err()
                .to_string(),
            "blinded ID: expected prefix 15 or 25, got 16"
        );
    }

    #[test]
    fn debug_is_abbreviated() {
        let id: SessionId = SID.parse().unwrap();
        assert_eq!(format!("{id:?}"), "SessionId(05d2ad…3a72)");
    }
}
