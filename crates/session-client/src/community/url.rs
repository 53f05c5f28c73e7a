//! Community addresses: a room's join URL `http[s]://host[:port]/ROOM?public_key=HEX` (also the
//! `/r/ROOM` form and base64/base32z keys, as libsession reads them) and a server's own URL
//! `http[s]://host[:port][?public_key=HEX]`. Base URLs are kept in libsession's canonical form
//! (lower case, default port dropped), which is also how `UserGroups` keys them.

use crate::error::{Error, Result};
use reqwest::Url;
use session_crypto::X25519PublicKey;
use session_onion::{Protocol, ServerDestination};

fn bad(what: impl Into<String>) -> Error {
    Error::Community {
        status: 0,
        what: what.into(),
    }
}

/// A community server: where it is and its key (X25519: onion payloads are encrypted to it
/// and blinded IDs are derived from it).
#[derive(Clone, Debug, PartialEq, Eq)]
pub struct CommunityServer {
    /// Canonical base URL (`http://host:port`, no trailing `/`).
    pub base_url: String,
    /// `http` or `https`.
    pub protocol: Protocol,
    /// Host name or IPv4 address.
    pub host: String,
    /// TCP port.
    pub port: u16,
    /// The server's key, as the URL's `public_key` gives it.
    pub pubkey: [u8; 32],
}

/// A room on a server.
#[derive(Clone, Debug, PartialEq, Eq)]
pub struct RoomAddr {
    /// The server.
    pub server: CommunityServer,
    /// The room token (case as given).
    pub token: String,
}

impl CommunityServer {
    /// The server of canonical base URL `base_url` with key `pubkey`.
    pub fn new(base_url: &str, pubkey: [u8; 32]) -> Result<Self> {
        let base = session_config::community::canonical_url(base_url)
            .map_err(|e| bad(format!("community URL: {e}")))?;
        let u = Url::parse(&base).map_err(|_| bad("community URL does not parse"))?;
        let protocol =
            Protocol::parse(u.scheme()).ok_or_else(|| bad("community URL: not http(s)"))?;
        let host = u
            .host_str()
            .filter(|h| session_onion::build::is_host_allowed(h))
            .ok_or_else(|| bad("community URL: bad host"))?
            .to_owned();
        let port = u.port().unwrap_or(protocol.default_port());
        Ok(Self {
            base_url: base,
            protocol,
            host,
            port,
            pubkey,
        })
    }

    /// A server from its URL: `BASE?public_key=KEY` or a room URL of it (the room is ignored).
    pub fn parse(url: &str) -> Result<Self> {
        match url.split_once("?public_key=") {
            Some((base, key)) => {
                let pubkey = session_config::community::decode_pubkey(key)
                    .map_err(|e| bad(format!("community URL: {e}")))?;
                let base = base.trim_end_matches('/');
                match Self::new(base, pubkey) {
                    Ok(s) => Ok(s),
                    Err(_) => RoomAddr::parse(url).map(|r| r.server),
                }
            }
            None => Err(bad("community URL has no ?public_key= (the server's key)")),
        }
    }

    /// The server's X25519 key.
    pub fn x25519(&self) -> X25519PublicKey {
        X25519PublicKey::from_bytes(self.pubkey)
    }

    /// Where onion requests to it go (`/oxen/v4/lsrpc`).
    pub fn destination(&self) -> ServerDestination {
        ServerDestination::v4(self.host.clone(), self.protocol, self.x25519()).with_port(self.port)
    }

    /// `BASE?public_key=HEX`.
    pub fn url(&self) -> String {
        format!("{}?public_key={}", self.base_url, hex::encode(self.pubkey))
    }
}

impl RoomAddr {
    /// Parses a join URL `http[s]://host[:port]/ROOM?public_key=KEY` (or `/r/ROOM`).
    pub fn parse(url: &str) -> Result<Self> {
        if !url.contains("?public_key=") {
            return Err(bad("community URL has no ?public_key= (the server's key)"));
        }
        let (base, room, pubkey) = session_config::community::parse_full_url(url.trim())
            .map_err(|e| bad(format!("community URL: {e}")))?;
        session_config::community::canonical_room(&room)
            .map_err(|e| bad(format!("community URL: {e}")))?;
        Ok(Self {
            server: CommunityServer::new(&base, pubkey)?,
            token: room,
        })
    }

    /// The join URL `BASE/ROOM?public_key=HEX`.
    pub fn url(&self) -> String {
        session_config::community::full_url(&self.server.base_url, &self.token, &self.server.pubkey)
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    const KEY: &str = "c3b3c6f32f0ab5a57f853cc4f30f5da7fda5624b0c77b3fb0829de562ada081d";

    #[test]
    fn join_urls_in_their_forms() {
        let r = RoomAddr::parse(&format!("http://127.0.0.1:4480/lobby?public_key={KEY}")).unwrap();
        assert_eq!(r.server.base_url, "http://127.0.0.1:4480");
        assert_eq!((r.server.port, r.token.as_str()), (4480, "lobby"));
        assert_eq!(
            r.url(),
            format!("http://127.0.0.1:4480/lobby?public_key={KEY}")
        );
        let r =
            RoomAddr::parse(&format!("https://Open.Example.org/r/Main?public_key={KEY}")).unwrap();
        assert_eq!(r.server.base_url, "https://open.example.org");
        assert_eq!((r.server.port, r.token.as_str()), (443, "Main"));
        let r = RoomAddr::parse(&format!("http://open.example.org:80/x?public_key={KEY}")).unwrap();
        assert_eq!(
            (r.server.base_url.as_str(), r.server.port),
            ("http://open.example.org", 80)
        );
    }

    #[test]
    fn server_urls_with_or_without_a_room() {
        let s = CommunityServer::parse(&format!("http://127.0.0.1:4480?public_key={KEY}")).unwrap();
        assert_eq!(s.base_url, "http://127.0.0.1:4480");
        assert_eq!(s.url(), format!("http://127.0.0.1:4480?public_key={KEY}"));
        let s2 = CommunityServer::parse(&format!("http://127.0.0.1:4480/lobby?public_key={KEY}"))
            .unwrap();
        assert_eq!(s, s2);
    }

    #[test]
    fn bad_urls_are_refused() {
        for u in [
            "http://127.0.0.1:4480/lobby".to_owned(),
            format!("ftp://h.org/lobby?public_key={KEY}"),
            "http://h.org/lobby?public_key=zz".to_owned(),
            format!("http://h.org/bad room?public_key={KEY}"),
            format!("http://h.org/?public_key={KEY}"),
        ] {
            assert!(RoomAddr::parse(&u).is_err(), "{u}");
        }
    }
}
