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

/// The account's master Ed25519 key: for 05 accounts with `pubkey_ed25519`, that key after
/// checking it converts to the account's X25519 key; otherwise the account's own 32 bytes, as
/// the reference server does on every network and for every prefix (so a 05 account whose bytes
/// are an Ed25519 key signs without `pubkey_ed25519`; a real X25519 Session ID then fails).
fn master_key(account: &Account, auth: &Auth) -> Option<Ed25519PublicKey> {
    let mut tail = [0u8; 32];
    tail.copy_from_slice(&account.0[1..]);
    match auth.pubkey_ed25519 {
        Some(ed) if account.0[0] == 0x05 => {
            let ed = Ed25519PublicKey::from_bytes(ed);
            (crate::key_memo::x25519_of(&ed)? == tail).then_some(ed)
        }
        _ => Some(Ed25519PublicKey::from_bytes(tail)),
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

#[cfg(test)]
mod tests {
    use super::*;
    use session_crypto::{IdentityKeys, Seed};

    fn keys(b: u8) -> IdentityKeys {
        IdentityKeys::from_seed(Seed::from_bytes([b; 32]))
    }

    fn auth(signature: [u8; 64], pubkey_ed25519: Option<[u8; 32]>) -> Auth {
        Auth {
            pubkey_ed25519,
            signature,
            subaccount: None,
        }
    }

    fn account(prefix: u8, key: &[u8; 32]) -> Account {
        let mut a = [prefix; 33];
        a[1..].copy_from_slice(key);
        Account(a)
    }

    const REQ: Requirement<'static> = Requirement {
        what: "store",
        flags: flags::WRITE,
        ignore_revocation: false,
    };

    fn check(account: &Account, auth: &Auth, msg: &[u8]) -> RpcResult<()> {
        verify(account, auth, msg, &REQ, |_| Ok(false))
    }

    #[test]
    fn a_05_account_without_pubkey_ed25519_verifies_with_its_own_bytes() {
        let k = keys(1);
        let ed = *k.ed25519_public().as_bytes();
        for prefix in [0x05, 0x00, 0x03, 0x15, 0xff] {
            let a = account(prefix, &ed);
            assert_eq!(
                check(&a, &auth(k.sign(b"m"), None), b"m"),
                Ok(()),
                "{prefix:02x}"
            );
            assert!(check(&a, &auth(k.sign(b"m"), None), b"other").is_err());
        }
    }

    #[test]
    fn a_real_session_id_still_needs_pubkey_ed25519() {
        let k = keys(2);
        let a = Account(k.session_id().to_bytes());
        let sig = k.sign(b"m");
        assert!(check(&a, &auth(sig, None), b"m").is_err());
        let ed = *k.ed25519_public().as_bytes();
        assert_eq!(check(&a, &auth(sig, Some(ed)), b"m"), Ok(()));
        // a pubkey_ed25519 that is not the account's key is refused
        let other = *keys(3).ed25519_public().as_bytes();
        assert!(check(&a, &auth(keys(3).sign(b"m"), Some(other)), b"m").is_err());
    }

    #[test]
    fn a_subaccount_token_signed_by_the_raw_05_key_is_accepted() {
        let (master, member) = (keys(4), keys(5));
        let a = account(0x05, master.ed25519_public().as_bytes());
        let mut token = [0u8; 36];
        token[0] = 0x05;
        token[1] = flags::READ | flags::WRITE;
        token[4..].copy_from_slice(member.ed25519_public().as_bytes());
        let sub = Subaccount {
            token,
            sig: master.sign(&token),
        };
        let signed = Auth {
            subaccount: Some(sub.clone()),
            ..auth(member.sign(b"m"), None)
        };
        assert_eq!(check(&a, &signed, b"m"), Ok(()));
        let revoked = verify(&a, &signed, b"m", &REQ, |_| Ok(true));
        assert!(revoked.is_err());
        // a token signed by someone else is not the master's
        let forged = Auth {
            subaccount: Some(Subaccount {
                sig: member.sign(&token),
                ..sub
            }),
            ..signed
        };
        assert!(check(&a, &forged, b"m").is_err());
    }
}
