//! STUN messages (RFC 8489) as TURN (RFC 8656) uses them: the 20-byte header, the attributes a
//! TURN client sends and reads, MESSAGE-INTEGRITY (HMAC-SHA1) and FINGERPRINT (CRC-32).
//! Decoding is strict and bounded: a malformed message is an [`Error`], never a panic.

use hmac::{Hmac, KeyInit, Mac};
use sha1::Sha1;
use std::net::{IpAddr, Ipv4Addr, Ipv6Addr, SocketAddr};

/// The magic cookie of every RFC 5389+ message.
pub const MAGIC_COOKIE: u32 = 0x2112_A442;
/// Bytes of the header.
pub const HEADER_LEN: usize = 20;
/// The largest message this crate reads or writes (a UDP datagram's practical bound).
pub const MAX_MESSAGE_LEN: usize = 65_535;
const FINGERPRINT_XOR: u32 = 0x5354_554E;
const INTEGRITY_LEN: usize = 20;

/// A transaction id.
pub type TxId = [u8; 12];

/// The message class (request, indication, success or error response).
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum Class {
    /// A request.
    Request,
    /// An indication (no response).
    Indication,
    /// A success response.
    Success,
    /// An error response.
    Error,
}

/// The methods a TURN client uses.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum Method {
    /// Binding (0x001).
    Binding,
    /// Allocate (0x003).
    Allocate,
    /// Refresh (0x004).
    Refresh,
    /// Send (0x006).
    Send,
    /// Data (0x007).
    Data,
    /// CreatePermission (0x008).
    CreatePermission,
    /// ChannelBind (0x009).
    ChannelBind,
}

impl Method {
    fn code(self) -> u16 {
        match self {
            Self::Binding => 0x001,
            Self::Allocate => 0x003,
            Self::Refresh => 0x004,
            Self::Send => 0x006,
            Self::Data => 0x007,
            Self::CreatePermission => 0x008,
            Self::ChannelBind => 0x009,
        }
    }

    fn from_code(c: u16) -> Option<Self> {
        Some(match c {
            0x001 => Self::Binding,
            0x003 => Self::Allocate,
            0x004 => Self::Refresh,
            0x006 => Self::Send,
            0x007 => Self::Data,
            0x008 => Self::CreatePermission,
            0x009 => Self::ChannelBind,
            _ => return None,
        })
    }
}

/// Attribute type codes.
mod code {
    pub const USERNAME: u16 = 0x0006;
    pub const MESSAGE_INTEGRITY: u16 = 0x0008;
    pub const ERROR_CODE: u16 = 0x0009;
    pub const CHANNEL_NUMBER: u16 = 0x000C;
    pub const LIFETIME: u16 = 0x000D;
    pub const XOR_PEER_ADDRESS: u16 = 0x0012;
    pub const DATA: u16 = 0x0013;
    pub const REALM: u16 = 0x0014;
    pub const NONCE: u16 = 0x0015;
    pub const XOR_RELAYED_ADDRESS: u16 = 0x0016;
    pub const REQUESTED_TRANSPORT: u16 = 0x0019;
    pub const XOR_MAPPED_ADDRESS: u16 = 0x0020;
    pub const SOFTWARE: u16 = 0x8022;
    pub const FINGERPRINT: u16 = 0x8028;
}

/// One attribute. Attributes this crate does not interpret are kept as [`Attr::Other`].
#[derive(Debug, Clone, PartialEq, Eq)]
pub enum Attr {
    /// USERNAME.
    Username(String),
    /// REALM.
    Realm(String),
    /// NONCE.
    Nonce(String),
    /// SOFTWARE.
    Software(String),
    /// ERROR-CODE: the code (300-699) and its reason phrase.
    ErrorCode(u16, String),
    /// LIFETIME in seconds.
    Lifetime(u32),
    /// CHANNEL-NUMBER.
    ChannelNumber(u16),
    /// REQUESTED-TRANSPORT: the IP protocol number (17 = UDP).
    RequestedTransport(u8),
    /// XOR-MAPPED-ADDRESS.
    XorMapped(SocketAddr),
    /// XOR-PEER-ADDRESS.
    XorPeer(SocketAddr),
    /// XOR-RELAYED-ADDRESS.
    XorRelayed(SocketAddr),
    /// DATA.
    Data(Vec<u8>),
    /// Any other attribute: its type and value.
    Other(u16, Vec<u8>),
}

/// Why bytes are not a STUN message this crate accepts.
#[derive(Debug, Clone, PartialEq, Eq, thiserror::Error)]
pub enum Error {
    /// Shorter than a header, longer than the length says, or not 4-byte aligned.
    #[error("STUN: bad length")]
    Length,
    /// The first two bits are not zero or the magic cookie is wrong.
    #[error("STUN: not a STUN message")]
    NotStun,
    /// A method this crate does not know.
    #[error("STUN: unknown method {0:#05x}")]
    Method(u16),
    /// An attribute whose value does not fit its type.
    #[error("STUN: malformed attribute {0:#06x}")]
    Attribute(u16),
    /// An attribute after MESSAGE-INTEGRITY other than FINGERPRINT, or after FINGERPRINT.
    #[error("STUN: attribute after MESSAGE-INTEGRITY or FINGERPRINT")]
    Order,
    /// The FINGERPRINT does not match.
    #[error("STUN: bad fingerprint")]
    Fingerprint,
}

/// A STUN message: class, method, transaction id and attributes in order. MESSAGE-INTEGRITY
/// and FINGERPRINT are not attributes here: [`Message::encode`] adds them, [`check_integrity`]
/// verifies the first and [`Message::decode`] the second.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct Message {
    /// The class.
    pub class: Class,
    /// The method.
    pub method: Method,
    /// The transaction id.
    pub tx: TxId,
    /// The attributes, in order.
    pub attrs: Vec<Attr>,
}

impl Message {
    /// A message with no attributes.
    pub fn new(class: Class, method: Method, tx: TxId) -> Self {
        Self {
            class,
            method,
            tx,
            attrs: Vec::new(),
        }
    }

    /// Adds an attribute (builder style).
    #[must_use]
    pub fn with(mut self, attr: Attr) -> Self {
        self.attrs.push(attr);
        self
    }

    /// The wire bytes, with MESSAGE-INTEGRITY under `key` when given, then a FINGERPRINT when
    /// `fingerprint`.
    pub fn encode(&self, key: Option<&[u8]>, fingerprint: bool) -> Vec<u8> {
        let mut out = Vec::with_capacity(128);
        out.extend_from_slice(&type_field(self.class, self.method).to_be_bytes());
        out.extend_from_slice(&[0, 0]);
        out.extend_from_slice(&MAGIC_COOKIE.to_be_bytes());
        out.extend_from_slice(&self.tx);
        for a in &self.attrs {
            let (t, v) = attr_bytes(a, &self.tx);
            push_attr(&mut out, t, &v);
        }
        if let Some(key) = key {
            set_len(&mut out, 4 + INTEGRITY_LEN);
            let mac = hmac_sha1(key, &out);
            push_attr(&mut out, code::MESSAGE_INTEGRITY, &mac);
        }
        if fingerprint {
            set_len(&mut out, 8);
            let crc = crc32fast::hash(&out) ^ FINGERPRINT_XOR;
            push_attr(&mut out, code::FINGERPRINT, &crc.to_be_bytes());
        }
        set_len(&mut out, 0);
        out
    }

    /// Parses a message; a FINGERPRINT, when present, must match.
    pub fn decode(bytes: &[u8]) -> Result<Self, Error> {
        let header = header(bytes)?;
        let mut msg = Message::new(header.class, header.method, header.tx);
        let mut seen_integrity = false;
        for raw in raw_attrs(bytes)? {
            let raw = raw?;
            match raw.typ {
                code::FINGERPRINT => {
                    check_fingerprint(bytes, raw.start, raw.value)?;
                    return Ok(msg);
                }
                code::MESSAGE_INTEGRITY => seen_integrity = true,
                _ if seen_integrity => return Err(Error::Order),
                t => msg.attrs.push(parse_attr(t, raw.value, &msg.tx)?),
            }
        }
        Ok(msg)
    }

    /// The first attribute for which `f` gives a value.
    pub fn find<'a, T>(&'a self, f: impl Fn(&'a Attr) -> Option<T>) -> Option<T> {
        self.attrs.iter().find_map(f)
    }

    /// The ERROR-CODE's code, if any.
    pub fn error_code(&self) -> Option<u16> {
        self.find(|a| match a {
            Attr::ErrorCode(c, _) => Some(*c),
            _ => None,
        })
    }
}

/// Whether `bytes` carry a MESSAGE-INTEGRITY that verifies under `key` (HMAC-SHA1 over the
/// message up to it, with the header's length counting up to its end). `false` for anything
/// malformed or without one.
pub fn check_integrity(bytes: &[u8], key: &[u8]) -> bool {
    let Ok(attrs) = raw_attrs(bytes) else {
        return false;
    };
    for raw in attrs {
        let Ok(raw) = raw else { return false };
        if raw.typ == code::MESSAGE_INTEGRITY {
            if raw.value.len() != INTEGRITY_LEN {
                return false;
            }
            let mut head = bytes[..raw.start].to_vec();
            set_len(&mut head, 4 + INTEGRITY_LEN);
            let mut mac = <Hmac<Sha1> as KeyInit>::new_from_slice(key).expect("any key length");
            mac.update(&head);
            return mac.verify_slice(raw.value).is_ok();
        }
    }
    false
}

/// Whether `bytes` look like a STUN message (first two bits zero, magic cookie), the test
/// RFC 7983 demultiplexing uses before trying to parse.
pub fn looks_like_stun(bytes: &[u8]) -> bool {
    bytes.len() >= HEADER_LEN && bytes[0] & 0xC0 == 0 && bytes[4..8] == MAGIC_COOKIE.to_be_bytes()
}

/// The long-term credential key: MD5(username ":" realm ":" password) (RFC 8489 §9.2.2; the
/// strings are used as given, without SASLprep).
pub fn long_term_key(username: &str, realm: &str, password: &str) -> [u8; 16] {
    use md5::Digest;
    let mut h = md5::Md5::new();
    h.update(format!("{username}:{realm}:{password}").as_bytes());
    h.finalize().into()
}

struct Header {
    class: Class,
    method: Method,
    tx: TxId,
}

/// Checks the framing: size, first bits, cookie, and a length that matches and is aligned.
fn frame(bytes: &[u8]) -> Result<(), Error> {
    if bytes.len() < HEADER_LEN || bytes.len() > MAX_MESSAGE_LEN {
        return Err(Error::Length);
    }
    if !looks_like_stun(bytes) {
        return Err(Error::NotStun);
    }
    let len = usize::from(u16::from_be_bytes([bytes[2], bytes[3]]));
    if len % 4 != 0 || HEADER_LEN + len != bytes.len() {
        return Err(Error::Length);
    }
    Ok(())
}

fn header(bytes: &[u8]) -> Result<Header, Error> {
    frame(bytes)?;
    let t = u16::from_be_bytes([bytes[0], bytes[1]]);
    let m = (t & 0x000F) | ((t & 0x00E0) >> 1) | ((t & 0x3E00) >> 2);
    let class = match ((t >> 4) & 1) | ((t >> 7) & 2) {
        0 => Class::Request,
        1 => Class::Indication,
        2 => Class::Success,
        _ => Class::Error,
    };
    let method = Method::from_code(m).ok_or(Error::Method(m))?;
    let mut tx = [0; 12];
    tx.copy_from_slice(&bytes[8..20]);
    Ok(Header { class, method, tx })
}

fn type_field(class: Class, method: Method) -> u16 {
    let m = method.code();
    let c: u16 = match class {
        Class::Request => 0,
        Class::Indication => 1,
        Class::Success => 2,
        Class::Error => 3,
    };
    (m & 0x000F) | ((m & 0x0070) << 1) | ((m & 0x0F80) << 2) | ((c & 1) << 4) | ((c & 2) << 7)
}

struct RawAttr<'a> {
    typ: u16,
    start: usize,
    value: &'a [u8],
}

/// The attributes of a message whose header checks out, as (type, offset, value).
fn raw_attrs(bytes: &[u8]) -> Result<impl Iterator<Item = Result<RawAttr<'_>, Error>>, Error> {
    frame(bytes)?;
    let mut at = HEADER_LEN;
    Ok(std::iter::from_fn(move || {
        if at == bytes.len() {
            return None;
        }
        let Some(head) = bytes.get(at..at + 4) else {
            at = bytes.len();
            return Some(Err(Error::Length));
        };
        let typ = u16::from_be_bytes([head[0], head[1]]);
        let len = usize::from(u16::from_be_bytes([head[2], head[3]]));
        let start = at;
        let Some(value) = bytes.get(at + 4..at + 4 + len) else {
            at = bytes.len();
            return Some(Err(Error::Length));
        };
        at = (at + 4 + len).next_multiple_of(4).min(bytes.len());
        Some(Ok(RawAttr { typ, start, value }))
    }))
}

fn check_fingerprint(bytes: &[u8], start: usize, value: &[u8]) -> Result<(), Error> {
    if value.len() != 4 || start + 8 != bytes.len() {
        return Err(Error::Fingerprint);
    }
    let mut head = bytes[..start].to_vec();
    set_len(&mut head, 8);
    let want = crc32fast::hash(&head) ^ FINGERPRINT_XOR;
    if value != want.to_be_bytes() {
        return Err(Error::Fingerprint);
    }
    Ok(())
}

fn parse_attr(t: u16, v: &[u8], tx: &TxId) -> Result<Attr, Error> {
    let bad = || Error::Attribute(t);
    let text = || String::from_utf8(v.to_vec()).map_err(|_| bad());
    let u32_of =
        || -> Result<u32, Error> { Ok(u32::from_be_bytes(v.try_into().map_err(|_| bad())?)) };
    Ok(match t {
        code::USERNAME => Attr::Username(text()?),
        code::REALM => Attr::Realm(text()?),
        code::NONCE => Attr::Nonce(text()?),
        code::SOFTWARE => Attr::Software(text()?),
        code::ERROR_CODE => {
            let (head, reason) = v.split_at_checked(4).ok_or_else(bad)?;
            // class 3-6, number 0-99 (RFC 8489 §14.8)
            let (class, number) = (head[2] & 0x7, head[3]);
            if !(3..=6).contains(&class) || number > 99 {
                return Err(bad());
            }
            let code = u16::from(class) * 100 + u16::from(number);
            let reason = String::from_utf8(reason.to_vec()).map_err(|_| bad())?;
            Attr::ErrorCode(code, reason)
        }
        code::LIFETIME => Attr::Lifetime(u32_of()?),
        code::CHANNEL_NUMBER => Attr::ChannelNumber((u32_of()? >> 16) as u16),
        code::REQUESTED_TRANSPORT => Attr::RequestedTransport((u32_of()? >> 24) as u8),
        code::XOR_MAPPED_ADDRESS => Attr::XorMapped(xor_addr(v, tx).ok_or_else(bad)?),
        code::XOR_PEER_ADDRESS => Attr::XorPeer(xor_addr(v, tx).ok_or_else(bad)?),
        code::XOR_RELAYED_ADDRESS => Attr::XorRelayed(xor_addr(v, tx).ok_or_else(bad)?),
        code::DATA => Attr::Data(v.to_vec()),
        t => Attr::Other(t, v.to_vec()),
    })
}

fn attr_bytes(a: &Attr, tx: &TxId) -> (u16, Vec<u8>) {
    match a {
        Attr::Username(s) => (code::USERNAME, s.as_bytes().to_vec()),
        Attr::Realm(s) => (code::REALM, s.as_bytes().to_vec()),
        Attr::Nonce(s) => (code::NONCE, s.as_bytes().to_vec()),
        Attr::Software(s) => (code::SOFTWARE, s.as_bytes().to_vec()),
        Attr::ErrorCode(c, reason) => {
            let mut v = vec![0, 0, ((c / 100) & 0x7) as u8, (c % 100) as u8];
            v.extend_from_slice(reason.as_bytes());
            (code::ERROR_CODE, v)
        }
        Attr::Lifetime(s) => (code::LIFETIME, s.to_be_bytes().to_vec()),
        Attr::ChannelNumber(n) => (
            code::CHANNEL_NUMBER,
            (u32::from(*n) << 16).to_be_bytes().to_vec(),
        ),
        Attr::RequestedTransport(p) => (code::REQUESTED_TRANSPORT, vec![*p, 0, 0, 0]),
        Attr::XorMapped(a) => (code::XOR_MAPPED_ADDRESS, xor_addr_bytes(*a, tx)),
        Attr::XorPeer(a) => (code::XOR_PEER_ADDRESS, xor_addr_bytes(*a, tx)),
        Attr::XorRelayed(a) => (code::XOR_RELAYED_ADDRESS, xor_addr_bytes(*a, tx)),
        Attr::Data(d) => (code::DATA, d.clone()),
        Attr::Other(t, v) => (*t, v.clone()),
    }
}

/// The XOR mask: the magic cookie, then the transaction id.
fn mask(tx: &TxId) -> [u8; 16] {
    let mut m = [0; 16];
    m[..4].copy_from_slice(&MAGIC_COOKIE.to_be_bytes());
    m[4..].copy_from_slice(tx);
    m
}

fn xor_addr(v: &[u8], tx: &TxId) -> Option<SocketAddr> {
    let m = mask(tx);
    let port = u16::from_be_bytes([v.get(2)? ^ m[0], v.get(3)? ^ m[1]]);
    let ip = match (v[1], v.len()) {
        (1, 8) => IpAddr::V4(Ipv4Addr::from(std::array::from_fn::<u8, 4, _>(|i| {
            v[4 + i] ^ m[i]
        }))),
        (2, 20) => IpAddr::V6(Ipv6Addr::from(std::array::from_fn::<u8, 16, _>(|i| {
            v[4 + i] ^ m[i]
        }))),
        _ => return None,
    };
    Some(SocketAddr::new(ip, port))
}

fn xor_addr_bytes(a: SocketAddr, tx: &TxId) -> Vec<u8> {
    let m = mask(tx);
    let port = a.port() ^ u16::from_be_bytes([m[0], m[1]]);
    let (family, ip): (u8, Vec<u8>) = match a.ip() {
        IpAddr::V4(ip) => (1, ip.octets().to_vec()),
        IpAddr::V6(ip) => (2, ip.octets().to_vec()),
    };
    let mut v = vec![0, family];
    v.extend_from_slice(&port.to_be_bytes());
    v.extend(ip.iter().zip(m).map(|(b, k)| b ^ k));
    v
}

fn push_attr(out: &mut Vec<u8>, t: u16, v: &[u8]) {
    out.extend_from_slice(&t.to_be_bytes());
    out.extend_from_slice(&(v.len() as u16).to_be_bytes());
    out.extend_from_slice(v);
    out.resize(out.len().next_multiple_of(4), 0);
}

/// Sets the header's length to the attributes so far plus `extra` bytes still to come.
fn set_len(out: &mut [u8], extra: usize) {
    let len = (out.len() - HEADER_LEN + extra) as u16;
    out[2..4].copy_from_slice(&len.to_be_bytes());
}

fn hmac_sha1(key: &[u8], data: &[u8]) -> [u8; INTEGRITY_LEN] {
    let mut mac = <Hmac<Sha1> as KeyInit>::new_from_slice(key).expect("any key length");
    mac.update(data);
    mac.finalize().into_bytes().into()
}
