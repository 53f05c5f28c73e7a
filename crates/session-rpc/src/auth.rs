//! Account, signature and subaccount parameters (§2 of rpc-errors.md) and their verification.

use crate::params::Params;
use crate::reply::{RpcError, RpcResult};
use crate::types::{Account, Namespace};
use base64::Engine as _;
use session_crypto::Ed25519PublicKey;

/// Subaccount permission bits.
pub mod flags {
    /// May retrieve.
    pub const READ: u8 = 0x01;
    /// May store / expire.
    pub const WRITE: u8 = 0x02;
    /// May delete (and shorten expiries).
    pub const DELETE: u8 = 0x04;
    /// The token's prefix need not equal the account's type byte.
    pub const ANY_PREFIX: u8 = 0x08;
}

/// A subaccount token `[prefix][flags][2 reserved][Ed25519 pubkey]` and the master's signature.
#[derive(Clone, Debug, PartialEq, Eq)]
pub struct Subaccount {
    /// The 36 token bytes.
    pub token: [u8; 36],
    /// The account master key's signature over the token.
    pub sig: [u8; 64],
}

/// The authentication parameters of a request.
#[derive(Clone, Debug, PartialEq, Eq)]
pub struct Auth {
    /// The claimed Ed25519 key of a 05 account.
    pub pubkey_ed25519: Option<[u8; 32]>,
    /// The request signature.
    pub signature: [u8; 64],
    /// A subaccount, if one signs instead of the master key.
    pub subaccount: Option<Subaccount>,
}

/// Parses `pubkey` (or the `pubKey` alias when allowed): 66 hex digits or 33 raw characters.
pub fn parse_account(p: Params<'_>, allow_alias: bool) -> RpcResult<Account> {
    let raw = if allow_alias {
        match (p.str("pubkey"), p.str("pubKey")) {
            (Some(_), Some(_)) => {
                return Err(RpcError::invalid(
                    "Cannot specify both 'pubkey' and 'pubKey'",
                ));
            }
            (Some(s), None) | (None, Some(s)) => s,
            (None, None) => return Err(RpcError::missing("pubkey")),
        }
    } else {
        p.req_str("pubkey")?
    };
    account_from_str(raw)
        .ok_or_else(|| RpcError::invalid("Pubkey must be 66 hex digits (33 bytes) long"))
}

/// 66 hex digits, or exactly 33 bytes taken raw.
pub fn account_from_str(s: &str) -> Option<Account> {
    let mut out = [0u8; 33];
    if s.len() == 66 {
        hex::decode_to_slice(s, &mut out).ok()?;
        return Some(Account(out));
    }
    if s.len() == 33 {
        out.copy_from_slice(s.as_bytes());
        return Some(Account(out));
    }
    None
}

/// Decodes a 64-byte signature given as base64 of 86 chars, or 88 ending in `==`.
pub fn decode_sig(s: &str) -> Option<[u8; 64]> {
    let body = match s.len() {
        86 => s,
        88 if s.ends_with("==") => &s[..86],
        _ => return None,
    };
    let raw = base64::engine::general_purpose::STANDARD_NO_PAD
        .decode(body)
        .ok()?;
    raw.try_into().ok()
}

/// A 36-byte subaccount token: 48 chars of base64 or 72 hex digits.
pub fn decode_token(s: &str) -> Option<[u8; 36]> {
    let raw = match s.len() {
        48 => base64::engine::general_purpose::STANDARD.decode(s).ok()?,
        72 => hex::decode(s).ok()?,
        _ => return None,
    };
    raw.try_into().ok()
}

/// §2 steps 3-9: signature, `pubkey_ed25519` and (when `with_subaccount`) the subaccount.
pub fn parse_auth(p: Params<'_>, account: &Account, with_subaccount: bool) -> RpcResult<Auth> {
    let sig = p.req_str("signature")?;
    let pubkey_ed25519 = match p.str("pubkey_ed25519") {
        None => None,
        Some(_) if account.0[0] != 0x05 => {
            return Err(RpcError::invalid(
                "pubkey_ed25519 is only permitted for 05[...] pubkeys",
            ));
        }
        Some(s) => Some(parse_ed25519(s)?),
    };
    let signature = decode_sig(sig).ok_or_else(|| {
        RpcError::invalid("invalid signature: expected base64 encoded Ed25519 signature")
    })?;
    let subaccount = if with_subaccount {
        parse_subaccount(p)?
    } else {
        None
    };
    Ok(Auth {
        pubkey_ed25519,
        signature,
        subaccount,
    })
}

fn parse_ed25519(s: &str) -> RpcResult<[u8; 32]> {
    let mut out = [0u8; 32];
    match s.len() {
        64 => hex::decode_to_slice(s, &mut out)
            .map_err(|_| RpcError::invalid("invalid pubkey_ed25519: value is not hex"))?,
        32 => out.copy_from_slice(s.as_bytes()),
        _ => {
            return Err(RpcError::invalid(
                "Invalid pubkey_ed25519: expected 64 hex char or 32 byte pubkey",
            ));
        }
    }
    Ok(out)
}

fn parse_subaccount(p: Params<'_>) -> RpcResult<Option<Subaccount>> {
    let Some(token) = p.str("subaccount").filter(|s| !s.is_empty()) else {
        return Ok(None);
    };
    let sig = p.str("subaccount_sig").ok_or_else(|| {
        RpcError::invalid("invalid subaccount: subaccount_sig is required when using subaccount")
    })?;
    let token = decode_token(token).ok_or_else(|| {
        RpcError::invalid("invalid subaccount: expected base64 or hex-encoded subaccount token")
    })?;
    let sig = decode_sig(sig).ok_or_else(|| {
        RpcError::invalid("invalid subaccount signature: expected base64 encoded Ed25519 signature")
    })?;
    Ok(Some(Subaccount { token, sig }))
}

/// What a verification needs besides the signed message.
pub struct Requirement<'a> {
    /// The 401 text prefix (`store`, `delete_msgs`, `expire:` …).
    pub what: &'a str,
    /// Subaccount flags the request needs.
    pub flags: u8,
    /// Skip the revocation check (retrieve from an unrevocable namespace).
    pub ignore_revocation: bool,
}

/// The account's master Ed25519 key: for 05 accounts the supplied `pubkey_ed25519` after
/// checking it converts to the account's X25519 key; otherwise the account bytes themselves.
fn master_key(account: &Account, auth: &Auth) -> Option<Ed25519PublicKey> {
    let mut tail = [0u8; 32];
    tail.copy_from_slice(&account.0[1..]);
    if account.0[0] != 0x05 {
        return Some(Ed25519PublicKey::from_bytes(tail));
    }
    match auth.pubkey_ed25519 {
        Some(ed) => {
            let ed = Ed25519PublicKey::from_bytes(ed);
            (ed.to_x25519().ok()?.as_bytes() == &tail).then_some(ed)
        }
        // The reference server then verifies with the X25519 bytes as an Ed25519 key, which
        // fails; we fail directly.
        None => None,
    }
}

/// Verifies `auth` over `msg` for `account`; `is_revoked` consults the store.
pub fn verify(
    account: &Account,
    auth: &Auth,
    msg: &[u8],
    req: &Requirement<'_>,
    is_revoked: impl FnOnce(&[u8; 36]) -> RpcResult<bool>,
) -> RpcResult<()> {
    let fail = || RpcError::bad_signature(req.what);
    let master = master_key(account, auth).ok_or_else(fail)?;
    let signer = match &auth.subaccount {
        None => master,
        Some(sub) => {
            let (prefix, token_flags) = (sub.token[0], sub.token[1]);
            if prefix != account.0[0] && token_flags & flags::ANY_PREFIX == 0 {
                return Err(fail());
            }
            if token_flags & req.flags != req.flags {
                return Err(fail());
            }
            master
                .verify(&sub.token, &sub.sig, "subaccount")
                .map_err(|_| fail())?;
            if !req.ignore_revocation && is_revoked(&sub.token)? {
                return Err(fail());
            }
            let mut key = [0u8; 32];
            key.copy_from_slice(&sub.token[4..]);
            Ed25519PublicKey::from_bytes(key)
        }
    };
    signer
        .verify(msg, &auth.signature, "request")
        .map_err(|_| fail())
}

/// The namespace string used in signed messages ("" for 0).
pub fn ns_sig(ns: Namespace) -> String {
    ns.signing_str()
}
