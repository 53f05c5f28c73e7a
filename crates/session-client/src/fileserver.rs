//! The file server's client side (`spec/network.md` §6, `spec/crypto.md` §6.3): uploads,
//! downloads and expiry extensions of encrypted blobs, every one a v4 request through a 3-hop
//! onion path ([`OnionClient::request_server`]); and the file URLs that `AttachmentPointer.url`
//! and `LokiProfile.profilePicture` carry.
//!
//! A file URL is `<server>/file/<id>[#<fragment>]` as Session desktop writes it: the fragment is
//! URL-encoded parameters, `d` (present: deterministic encryption) and `p` (the server's
//! Ed25519 key, for servers other than the client's default). The ID is the last path segment;
//! the fragment never goes to the server.

use crate::error::{Error, Result};
use crate::onion::OnionClient;
use reqwest::Url;
use serde_json::Value;
use session_crypto::{Ed25519PublicKey, X25519PublicKey};
use session_onion::{Protocol, ServerDestination, V4Request};

/// The largest blob downloaded: a deterministic blob of a 10,000,000-byte file (10,223,616
/// bytes) with room for the legacy scheme's IV, CBC block and MAC.
pub const MAX_BLOB_BYTES: usize = 10_300_000;

/// A file server: where it is and the X25519 key onion payloads are encrypted to.
#[derive(Clone, Debug, PartialEq, Eq)]
pub struct FileServer {
    /// `http` (the onion layers already encrypt) or `https`.
    pub protocol: Protocol,
    /// Host name or IPv4 address.
    pub host: String,
    /// TCP port.
    pub port: u16,
    /// The server's X25519 key.
    pub x25519: X25519PublicKey,
}

/// What an upload answered.
#[derive(Clone, Debug, PartialEq, Eq)]
pub struct Uploaded {
    /// The file's ID on the server.
    pub id: String,
    /// When the server drops it (unix ms).
    pub expires_ms: u64,
}

/// A parsed file URL.
#[derive(Clone, Debug, PartialEq, Eq)]
pub struct FileRef {
    /// The server's origin (`protocol://host[:port]`), as compared with a [`FileServer`]'s.
    pub origin: String,
    /// `http` or `https`.
    pub protocol: Protocol,
    /// Host.
    pub host: String,
    /// Port (the protocol's default when the URL names none).
    pub port: u16,
    /// The file ID (the last path segment).
    pub id: String,
    /// The fragment's `d`: the blob is deterministically encrypted.
    pub deterministic: bool,
    /// The fragment's `p`: the server's Ed25519 key, when the URL names it.
    pub server_ed25519: Option<Ed25519PublicKey>,
}

/// True for what a file server's ID looks like: 1 to 64 characters of URL-safe base64
/// (content-hash IDs) or digits (older servers).
pub fn is_file_id(id: &str) -> bool {
    (1..=64).contains(&id.len())
        && id
            .bytes()
            .all(|b| b.is_ascii_alphanumeric() || b == b'-' || b == b'_')
}

fn bad(what: impl Into<String>) -> Error {
    Error::Attachment(what.into())
}

/// Parses `protocol://host[:port]` with nothing after it but an optional `/`.
fn parse_origin(url: &str) -> Result<(Protocol, String, u16)> {
    let u = Url::parse(url).map_err(|_| bad("file server URL does not parse"))?;
    let protocol =
        Protocol::parse(u.scheme()).ok_or_else(|| bad("file server URL: not http(s)"))?;
    let host = u
        .host_str()
        .filter(|h| session_onion::build::is_host_allowed(h))
        .ok_or_else(|| bad("file server URL: bad host"))?
        .to_owned();
    let port = u.port().unwrap_or(protocol.default_port());
    Ok((protocol, host, port))
}

impl FileServer {
    /// A server from its URL (`http://host:port`, no path) and X25519 key (64 hex).
    pub fn parse(url: &str, pubkey_hex: &str) -> Result<Self> {
        let u = Url::parse(url).map_err(|_| bad("file server URL does not parse"))?;
        if !matches!(u.path(), "" | "/") || u.query().is_some() || u.fragment().is_some() {
            return Err(bad("file server URL must not have a path"));
        }
        let (protocol, host, port) = parse_origin(url)?;
        let x25519 = X25519PublicKey::from_hex(pubkey_hex)
            .map_err(|_| bad("file server pubkey: expected 64 hex digits"))?;
        Ok(Self {
            protocol,
            host,
            port,
            x25519,
        })
    }

    /// From `{"url": "http://host:port", "pubkey": "<64 hex>"}` (other keys ignored).
    pub fn from_json(v: &Value) -> Result<Self> {
        let text = |k: &str| {
            v.get(k)
                .and_then(Value::as_str)
                .ok_or_else(|| bad(format!("`{k}` missing")))
        };
        Self::parse(text("url")?, text("pubkey")?)
    }

    /// `protocol://host[:port]` (the port left out when it is the protocol's default).
    pub fn origin(&self) -> String {
        if self.port == self.protocol.default_port() {
            format!("{}://{}", self.protocol.as_str(), self.host)
        } else {
            format!("{}://{}:{}", self.protocol.as_str(), self.host, self.port)
        }
    }

    /// The URL of file `id` as pointers carry it; `#d` marks a deterministically encrypted
    /// blob.
    pub fn file_url(&self, id: &str, deterministic: bool) -> String {
        let fragment = if deterministic { "#d=" } else { "" };
        format!("{}/file/{id}{fragment}", self.origin())
    }

    fn destination(&self) -> ServerDestination {
        ServerDestination::v4(self.host.clone(), self.protocol, self.x25519).with_port(self.port)
    }

    /// The server a file URL points at: this one when the origins match, else the one the
    /// URL's `p` names (its Ed25519 key converted); a URL of another server without `p` cannot
    /// be fetched (its key is unknown).
    pub fn for_url(&self, file: &FileRef) -> Result<Self> {
        if file.origin == self.origin() {
            return Ok(self.clone());
        }
        let ed = file
            .server_ed25519
            .ok_or_else(|| bad("the file is on another file server whose key is unknown"))?;
        let x25519 = ed
            .to_x25519()
            .map_err(|_| bad("the file URL's server key is not a valid key"))?;
        Ok(Self {
            protocol: file.protocol,
            host: file.host.clone(),
            port: file.port,
            x25519,
        })
    }
}

impl FileRef {
    /// Parses a file URL: `http(s)://host[:port]/…/<id>[#d=&p=<hex>]`.
    pub fn parse(url: &str) -> Result<Self> {
        let u = Url::parse(url).map_err(|_| bad("file URL does not parse"))?;
        let (protocol, host, port) = parse_origin(url)?;
        let id = u
            .path_segments()
            .and_then(|mut s| s.next_back())
            .filter(|id| is_file_id(id))
            .ok_or_else(|| bad("file URL has no valid file ID"))?
            .to_owned();
        let mut deterministic = false;
        let mut server_ed25519 = None;
        if let Some(fragment) = u.fragment() {
            for (k, v) in url_params(fragment) {
                match k.as_str() {
                    "d" => deterministic = true,
                    "p" => server_ed25519 = Ed25519PublicKey::from_hex(&v).ok(),
                    _ => {}
                }
            }
        }
        let origin = FileServer {
            protocol,
            host: host.clone(),
            port,
            x25519: X25519PublicKey::from_bytes([0; 32]),
        }
        .origin();
        Ok(Self {
            origin,
            protocol,
            host,
            port,
            id,
            deterministic,
            server_ed25519,
        })
    }
}

/// `k=v&k2` pairs of a fragment (values percent-decoded).
fn url_params(fragment: &str) -> Vec<(String, String)> {
    Url::parse(&format!("http://x/?{fragment}"))
        .map(|u| u.query_pairs().into_owned().collect())
        .unwrap_or_default()
}

fn v4(method: &str, endpoint: String, ttl_secs: Option<u64>, body: Option<Vec<u8>>) -> V4Request {
    let mut headers = Vec::new();
    if let Some(ttl) = ttl_secs {
        headers.push(("X-FS-TTL".to_owned(), ttl.to_string()));
    }
    if body.is_some() {
        headers.push((
            "Content-Type".to_owned(),
            "application/octet-stream".to_owned(),
        ));
    }
    V4Request {
        method: method.to_owned(),
        endpoint,
        headers,
        body,
    }
}

/// The JSON of a 200 answer, or the status as an error.
fn json_answer(code: u16, body: &[u8]) -> Result<Value> {
    if code != 200 {
        return Err(Error::FileServer {
            status: code,
            what: String::new(),
        });
    }
    serde_json::from_slice(body).map_err(|_| Error::FileServer {
        status: code,
        what: "answer is not JSON".into(),
    })
}

/// Seconds (float, as the server writes them) to ms.
fn expires_ms(v: &Value) -> Result<u64> {
    let s = v
        .get("expires")
        .and_then(Value::as_f64)
        .filter(|s| s.is_finite() && *s > 0.0)
        .ok_or_else(|| bad("the file server's answer has no expiry"))?;
    // Finite and positive: the cast saturates at most.
    Ok((s * 1000.0) as u64)
}

/// Uploads `blob` (`POST /file`, raw body), kept `ttl_secs` when given (the server clamps it).
pub async fn upload(
    onion: &OnionClient,
    server: &FileServer,
    blob: &[u8],
    ttl_secs: Option<u64>,
) -> Result<Uploaded> {
    let req = v4("POST", "/file".into(), ttl_secs, Some(blob.to_vec()));
    let answer = onion.request_server(&server.destination(), &req).await?;
    let v = json_answer(answer.code, &answer.body)?;
    let id = match v.get("id") {
        Some(Value::String(s)) => s.clone(),
        Some(Value::Number(n)) => n.to_string(),
        _ => return Err(bad("the file server's answer has no id")),
    };
    if !is_file_id(&id) {
        return Err(bad("the file server answered a malformed id"));
    }
    Ok(Uploaded {
        id,
        expires_ms: expires_ms(&v)?,
    })
}

/// Downloads file `id` (`GET /file/ID`), at most [`MAX_BLOB_BYTES`].
pub async fn download(onion: &OnionClient, server: &FileServer, id: &str) -> Result<Vec<u8>> {
    if !is_file_id(id) {
        return Err(bad("malformed file id"));
    }
    let req = v4("GET", format!("/file/{id}"), None, None);
    let answer = onion.request_server(&server.destination(), &req).await?;
    if answer.code != 200 {
        return Err(Error::FileServer {
            status: answer.code,
            what: if answer.code == 404 {
                "no such file (expired?)".into()
            } else {
                String::new()
            },
        });
    }
    if answer.body.len() > MAX_BLOB_BYTES {
        return Err(bad("the downloaded file is larger than any attachment"));
    }
    Ok(answer.body)
}

/// Extends file `id`'s expiry (`POST /file/ID/extend`) to now + `ttl_secs` (the server's
/// default lifetime without); returns the new expiry (unix ms).
pub async fn extend(
    onion: &OnionClient,
    server: &FileServer,
    id: &str,
    ttl_secs: Option<u64>,
) -> Result<u64> {
    if !is_file_id(id) {
        return Err(bad("malformed file id"));
    }
    let req = v4("POST", format!("/file/{id}/extend"), ttl_secs, None);
    let answer = onion.request_server(&server.destination(), &req).await?;
    expires_ms(&json_answer(answer.code, &answer.body)?)
}

#[cfg(test)]
mod tests {
    use super::*;

    fn server() -> FileServer {
        FileServer::parse("http://127.0.0.1:4433", &"11".repeat(32)).expect("server")
    }

    #[test]
    fn file_urls_round_trip_with_their_flags() {
        let s = server();
        let id = "Fz4nM0lAtxXyCwJDuyVZoBY33ArUtQUVlkDvUlqE8d6g";
        let url = s.file_url(id, true);
        assert_eq!(url, format!("http://127.0.0.1:4433/file/{id}#d="));
        let f = FileRef::parse(&url).expect("parses");
        assert_eq!((f.id.as_str(), f.deterministic), (id, true));
        assert_eq!(f.origin, s.origin());
        assert_eq!(s.for_url(&f).expect("ours"), s);
        let legacy = FileRef::parse(&s.file_url("12345", false)).expect("parses");
        assert_eq!((legacy.id.as_str(), legacy.deterministic), ("12345", false));
        // Desktop's form for the default server: no port, `d` without a value.
        let f = FileRef::parse("http://filev2.getsession.org/file/abc_-9#d").expect("parses");
        assert_eq!((f.port, f.deterministic), (80, true));
        assert_eq!(f.origin, "http://filev2.getsession.org");
    }

    #[test]
    fn another_server_needs_its_key_in_the_url() {
        let s = server();
        let other = FileRef::parse("http://10.1.2.3:8080/file/abc").expect("parses");
        assert!(s.for_url(&other).is_err(), "unknown key");
        // An Ed25519 key in `p` is converted to the X25519 key payloads are encrypted to.
        let seed = session_crypto::Seed::from_bytes([7; 32]);
        let keys = session_crypto::IdentityKeys::from_seed(seed);
        let ed = keys.ed25519_public();
        let url = format!(
            "http://10.1.2.3:8080/file/abc#d=&p={}",
            hex::encode(ed.as_bytes())
        );
        let f = FileRef::parse(&url).expect("parses");
        assert!(f.deterministic);
        let theirs = s.for_url(&f).expect("known from p");
        assert_eq!((theirs.host.as_str(), theirs.port), ("10.1.2.3", 8080));
        assert_eq!(theirs.x25519, ed.to_x25519().expect("converts"));
    }

    #[test]
    fn malformed_urls_and_ids_are_refused() {
        for bad in [
            "not a url",
            "ftp://h/file/abc",
            "http://h/file/",
            "http://h/file/a%2Fb",
            "http://h/file/abc.def",
            "http://h:99999/file/abc",
        ] {
            assert!(FileRef::parse(bad).is_err(), "{bad}");
        }
        assert!(is_file_id("AbC-_09"));
        assert!(!is_file_id(""));
        assert!(!is_file_id(&"a".repeat(65)));
        assert!(!is_file_id("../x"));
        let key = "11".repeat(32);
        assert!(FileServer::parse("http://h:1/file", &key).is_err());
        assert!(FileServer::parse("http://h:1", "zz").is_err());
        assert!(FileServer::parse("http://h:1/", &key).is_ok());
    }
}
