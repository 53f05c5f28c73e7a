//! The storage RPC's vocabulary: account, namespace, message hash, expiry mode.

use base64::Engine as _;
use session_crypto::hash::{Blake2bParams, hash32};
use std::fmt;

/// An account: the 33-byte prefixed pubkey (`05…`, `03…`, …) a swarm stores messages for.
#[derive(Clone, Copy, PartialEq, Eq, Hash, PartialOrd, Ord)]
pub struct Account(pub [u8; 33]);

impl Account {
    /// The 66-hex form.
    pub fn to_hex(&self) -> String {
        hex_lower(&self.0)
    }
}

impl fmt::Debug for Account {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        // Logs redact account IDs: type byte and the last two bytes only.
        write!(
            f,
            "Account({:02x}…{:02x}{:02x})",
            self.0[0], self.0[31], self.0[32]
        )
    }
}

fn hex_lower(b: &[u8]) -> String {
    b.iter().map(|x| format!("{x:02x}")).collect()
}

/// A signed 16-bit mailbox number inside an account's storage.
#[derive(Clone, Copy, PartialEq, Eq, Hash, PartialOrd, Ord, Debug, Default)]
pub struct Namespace(pub i16);

impl Namespace {
    /// The default (1:1 inbox) namespace.
    pub const DEFAULT: Namespace = Namespace(0);

    /// Anyone may store here without a signature (`ns % 10 == 0`, so −10 too).
    pub fn is_public_inbox(self) -> bool {
        self.0 % 10 == 0
    }

    /// Holds at most one message, readable without auth (`ns < 0 && (−ns) % 20 == 1`).
    pub fn is_public_outbox(self) -> bool {
        self.0 < 0 && (-i32::from(self.0)) % 20 == 1
    }

    /// Revoked subaccounts may still read (`ns < 0 && (−ns) % 100 == 11`).
    pub fn is_unrevocable(self) -> bool {
        self.0 < 0 && (-i32::from(self.0)) % 100 == 11
    }

    /// The deprecated legacy closed-group namespace (−10): no auth for store or retrieve.
    pub fn is_legacy_closed(self) -> bool {
        self.0 == -10
    }

    /// The namespace as it appears in signed strings and hashes: "" for 0, else decimal.
    pub fn signing_str(self) -> String {
        if self.0 == 0 {
            String::new()
        } else {
            self.0.to_string()
        }
    }
}

/// A message hash: BLAKE2b-256(account(33) ‖ ns_str ‖ data), shown as 43 chars of unpadded base64.
#[derive(Clone, Copy, PartialEq, Eq, Hash, PartialOrd, Ord)]
pub struct MessageHash(pub [u8; 32]);

impl MessageHash {
    /// Computes the hash of a message (storage server `computeMessageHash`).
    pub fn compute(account: &Account, ns: Namespace, data: &[u8]) -> Self {
        let ns_str = ns.signing_str();
        Self(hash32(
            Blake2bParams::PLAIN,
            &[&account.0, ns_str.as_bytes(), data],
        ))
    }

    /// Parses 43 chars of unpadded standard base64.
    pub fn from_b64(s: &str) -> Option<Self> {
        if s.len() != 43 {
            return None;
        }
        let raw = base64::engine::general_purpose::STANDARD_NO_PAD
            .decode(s)
            .ok()?;
        raw.try_into().ok().map(Self)
    }

    /// The 43-char unpadded base64 form.
    pub fn to_b64(&self) -> String {
        base64::engine::general_purpose::STANDARD_NO_PAD.encode(self.0)
    }
}

impl fmt::Display for MessageHash {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        f.write_str(&self.to_b64())
    }
}

impl fmt::Debug for MessageHash {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        write!(f, "MessageHash({}…)", &self.to_b64()[..6])
    }
}

/// How `update_expiry` may move an expiry.
#[derive(Clone, Copy, Debug, PartialEq, Eq)]
pub enum ExpiryMode {
    /// Set it, whichever way.
    Set,
    /// Only make it earlier.
    Shorten,
    /// Only make it later.
    Extend,
}
