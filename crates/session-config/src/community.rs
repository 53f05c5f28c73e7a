//! Community (SOGS) addresses as configs store them (libsession `src/config/community.cpp`): a
//! canonical base URL (`http[s]://host[:port]`, lower case, default port dropped), a room token
//! (stored lower case as a key, `[-0-9_a-z]`, at most 64 bytes) and the server's 32-byte
//! Ed25519 key, written in hex, base64 or base32z in a full URL `BASE/ROOM?public_key=KEY`.

use crate::error::{Error, Result};

/// Longest canonical base URL.
pub const BASE_URL_MAX_LEN: usize = 267;
/// Longest room token.
pub const ROOM_MAX_LEN: usize = 64;
const QS_PUBKEY: &str = "?public_key=";

fn bad(reason: &'static str) -> Error {
    Error::invalid("community URL", reason)
}

/// The canonical form of a base URL: scheme and host lower-cased, a default port dropped, at
/// most one trailing `/` and no path.
pub fn canonical_url(url: &str) -> Result<String> {
    let (scheme, rest) = url.split_once("://").ok_or(bad("missing protocol://"))?;
    let proto = if scheme.eq_ignore_ascii_case("http") {
        "http://"
    } else if scheme.eq_ignore_ascii_case("https") {
        "https://"
    } else {
        return Err(bad("invalid protocol"));
    };
    let mut host = String::new();
    let (mut allow_dot, mut has_dot) = (false, false);
    let mut rest = rest;
    while let Some(c) = rest.chars().next() {
        if c.is_ascii_digit() || c.is_ascii_lowercase() || c == '-' {
            host.push(c);
            allow_dot = true;
        } else if c.is_ascii_uppercase() {
            host.push(c.to_ascii_lowercase());
            allow_dot = true;
        } else if allow_dot && c == '.' {
            host.push('.');
            has_dot = true;
            allow_dot = false;
        } else {
            break;
        }
        rest = &rest[1..];
    }
    if host.len() < 4 || !has_dot || host.ends_with('.') {
        return Err(bad("invalid hostname"));
    }
    let mut port: u16 = 0;
    if let Some(after) = rest.strip_prefix(':') {
        let digits = after.bytes().take_while(u8::is_ascii_digit).count();
        port = after[..digits].parse().map_err(|_| bad("invalid port"))?;
        rest = &after[digits..];
        if (port == 80 && proto == "http://") || (port == 443 && proto == "https://") {
            port = 0;
        }
    }
    let rest = rest.strip_prefix('/').unwrap_or(rest);
    if !rest.is_empty() {
        return Err(bad("unexpected path after the host"));
    }
    let mut out = format!("{proto}{host}");
    if port != 0 {
        out.push_str(&format!(":{port}"));
    }
    if out.len() > BASE_URL_MAX_LEN {
        return Err(bad("base URL too long"));
    }
    Ok(out)
}

/// The canonical (lower-case) room token.
pub fn canonical_room(room: &str) -> Result<String> {
    let r = room.to_ascii_lowercase();
    if r.len() > ROOM_MAX_LEN {
        return Err(Error::invalid("community room", "token too long"));
    }
    if r.is_empty() {
        return Err(Error::invalid("community room", "token empty"));
    }
    if !r
        .bytes()
        .all(|b| b == b'-' || b == b'_' || b.is_ascii_digit() || b.is_ascii_lowercase())
    {
        return Err(Error::invalid("community room", "invalid characters"));
    }
    Ok(r)
}

/// A server key from 64 hex digits, 43/44 base64 characters or 52 base32z characters.
pub fn decode_pubkey(pk: &str) -> Result<[u8; 32]> {
    let bad_key = || Error::invalid("community public key", "expected hex, base32z or base64");
    let bytes = match pk.len() {
        64 => hex::decode(pk).map_err(|_| bad_key())?,
        43 | 44 => base64_decode(pk).ok_or_else(bad_key)?,
        52 => base32z_decode(pk).ok_or_else(bad_key)?,
        _ => return Err(bad_key()),
    };
    bytes.try_into().map_err(|_| bad_key())
}

/// Splits `BASE[/r]/ROOM[?public_key=KEY]` into canonical base URL, room (as given) and key.
pub fn parse_partial_url(url: &str) -> Result<(String, String, Option<[u8; 32]>)> {
    let (url, key) = match url.rfind(QS_PUBKEY) {
        Some(pos) => (
            &url[..pos],
            Some(decode_pubkey(&url[pos + QS_PUBKEY.len()..])?),
        ),
        None => (url, None),
    };
    let (base, room) = if let Some(pos) = url.rfind("/r/") {
        (&url[..pos], &url[pos + 3..])
    } else if let Some(pos) = url.rfind('/') {
        (&url[..pos], &url[pos + 1..])
    } else {
        (url, "")
    };
    Ok((canonical_url(base)?, room.to_owned(), key))
}

/// Like [`parse_partial_url`], requiring the key.
pub fn parse_full_url(url: &str) -> Result<(String, String, [u8; 32])> {
    let (base, room, key) = parse_partial_url(url)?;
    Ok((base, room, key.ok_or(bad("no valid server pubkey"))?))
}

/// `BASE/ROOM?public_key=HEX`.
pub fn full_url(base: &str, room: &str, pubkey: &[u8; 32]) -> String {
    format!("{base}/{room}{QS_PUBKEY}{}", hex::encode(pubkey))
}

fn base64_decode(s: &str) -> Option<Vec<u8>> {
    const ALPHABET: &[u8] = b"ABCDEFGHIJKLMNOPQRSTUVWXYZabcdefghijklmnopqrstuvwxyz0123456789+/";
    let s = s.strip_suffix('=').unwrap_or(s);
    decode_bits(s, 6, |c| ALPHABET.iter().position(|&a| a == c))
}

fn base32z_decode(s: &str) -> Option<Vec<u8>> {
    const ALPHABET: &[u8] = b"ybndrfg8ejkmcpqxot1uwisza345h769";
    decode_bits(s, 5, |c| ALPHABET.iter().position(|&a| a == c))
}

/// Packs `bits`-bit symbols into bytes (big-endian bit order); leftover bits are dropped.
fn decode_bits(s: &str, bits: u32, value: impl Fn(u8) -> Option<usize>) -> Option<Vec<u8>> {
    let mut out = Vec::with_capacity(s.len() * bits as usize / 8);
    let (mut acc, mut n) = (0u32, 0u32);
    for c in s.bytes() {
        acc = (acc << bits) | u32::try_from(value(c)?).ok()?;
        n += bits;
        if n >= 8 {
            n -= 8;
            out.push((acc >> n) as u8);
            acc &= (1 << n) - 1;
        }
    }
    Some(out)
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn canonical_urls() {
        assert_eq!(
            canonical_url("HTTPS://Example.COM:443/").as_deref(),
            Ok("https://example.com")
        );
        assert_eq!(
            canonical_url("http://example.com:80").as_deref(),
            Ok("http://example.com")
        );
        assert_eq!(
            canonical_url("http://example.com:8080").as_deref(),
            Ok("http://example.com:8080")
        );
        assert!(canonical_url("example.com").is_err());
        assert!(canonical_url("ftp://example.com").is_err());
        assert!(canonical_url("http://localhost").is_err());
        assert!(canonical_url("http://example.com/path").is_err());
    }

    #[test]
    fn pubkey_encodings_agree() {
        let hex_key = "0123456789abcdef0123456789abcdef0123456789abcdef0123456789abcdef";
        let want = decode_pubkey(hex_key).expect("hex");
        assert_eq!(
            decode_pubkey("ASNFZ4mrze8BI0VniavN7wEjRWeJq83vASNFZ4mrze8="),
            Ok(want)
        );
        assert_eq!(
            decode_pubkey("ASNFZ4mrze8BI0VniavN7wEjRWeJq83vASNFZ4mrze8"),
            Ok(want)
        );
        assert_eq!(
            decode_pubkey("yrtwk3hjixg66yjdeiuauk6p7hy1gtm8tgih55abrpnsxnpm3zzo"),
            Ok(want)
        );
        assert!(decode_pubkey("zz").is_err());
    }

    #[test]
    fn full_urls() {
        let (base, room, key) = parse_full_url(
            "http://Example.ORG:5678/r/SudokuRoom?public_key=\
             0123456789abcdef0123456789abcdef0123456789abcdef0123456789abcdef",
        )
        .expect("parses");
        assert_eq!(base, "http://example.org:5678");
        assert_eq!(room, "SudokuRoom");
        assert_eq!(
            full_url(&base, &room, &key),
            "http://example.org:5678/SudokuRoom?public_key=\
             0123456789abcdef0123456789abcdef0123456789abcdef0123456789abcdef"
        );
    }
}
