//! Canonical bencode, as Session uses it for configs, group keys and v4 onion payloads.
//!
//! Values: 64-bit signed integers, byte strings, lists and dictionaries keyed by byte strings.
//! The encoding is canonical: dictionary keys in ascending byte order, integers without leading
//! zeros or `-0`, string lengths without leading zeros. Decoding accepts only canonical input,
//! so equal values always have equal bytes (signatures over encodings depend on it). The token
//! level is `bendy`'s decoder, which enforces exactly those rules; this module adds the value
//! tree, the 64-bit integer range, a nesting limit and the "one value, nothing after it" rule.

use std::collections::BTreeMap;

/// Deepest nesting of lists and dictionaries the decoder accepts.
pub const MAX_DEPTH: usize = 64;

/// Why bytes were not accepted as canonical bencode.
#[derive(Debug, thiserror::Error, Clone, Copy, PartialEq, Eq)]
#[non_exhaustive]
pub enum BencodeError {
    /// Not bencode, truncated, or not canonical (unsorted or duplicate keys, leading zeros,
    /// `-0`, a non-string key, a stray `e`).
    #[error("malformed or non-canonical bencode")]
    Malformed,
    /// An integer outside the 64-bit signed range.
    #[error("bencode integer out of the 64-bit range")]
    IntegerOutOfRange,
    /// Lists and dictionaries nested deeper than [`MAX_DEPTH`].
    #[error("bencode nested deeper than {MAX_DEPTH}")]
    TooDeep,
    /// Bytes after the end of the value.
    #[error("bytes after the end of the bencoded value")]
    TrailingData,
}

/// A bencoded value.
#[derive(Debug, Clone, PartialEq, Eq, PartialOrd, Ord, Hash)]
pub enum Value {
    /// `i<n>e`
    Int(i64),
    /// `<len>:<bytes>`
    Bytes(Vec<u8>),
    /// `l…e`
    List(Vec<Value>),
    /// `d…e`, keys in ascending byte order (the map keeps them so).
    Dict(BTreeMap<Vec<u8>, Value>),
}

impl Value {
    /// A dictionary from `(key, value)` pairs (a repeated key keeps the last value).
    pub fn dict<K: Into<Vec<u8>>>(pairs: impl IntoIterator<Item = (K, Value)>) -> Self {
        Value::Dict(pairs.into_iter().map(|(k, v)| (k.into(), v)).collect())
    }

    /// The canonical encoding.
    pub fn encode(&self) -> Vec<u8> {
        let mut out = Vec::new();
        self.encode_into(&mut out);
        out
    }

    /// Appends the canonical encoding to `out`.
    pub fn encode_into(&self, out: &mut Vec<u8>) {
        match self {
            Value::Int(n) => {
                out.push(b'i');
                out.extend_from_slice(n.to_string().as_bytes());
                out.push(b'e');
            }
            Value::Bytes(b) => encode_bytes(b, out),
            Value::List(items) => {
                out.push(b'l');
                items.iter().for_each(|v| v.encode_into(out));
                out.push(b'e');
            }
            Value::Dict(map) => {
                out.push(b'd');
                for (k, v) in map {
                    encode_bytes(k, out);
                    v.encode_into(out);
                }
                out.push(b'e');
            }
        }
    }

    /// Decodes exactly one canonical value spanning all of `bytes`.
    pub fn decode(bytes: &[u8]) -> Result<Value, BencodeError> {
        // bendy's own depth limit sits one above ours so that ours reports first.
        let mut decoder = bendy::decoding::Decoder::new(bytes).with_max_depth(MAX_DEPTH + 2);
        let value = match decoder.next_object() {
            Ok(Some(obj)) => from_object(obj, 0)?,
            Ok(None) | Err(_) => return Err(BencodeError::Malformed),
        };
        // At the end of the input the decoder answers `Ok(None)`; anything else means bytes
        // remain (whether or not they would parse).
        match decoder.next_object() {
            Ok(None) => Ok(value),
            Ok(Some(_)) | Err(_) => Err(BencodeError::TrailingData),
        }
    }

    /// The integer, if this is one.
    pub fn as_int(&self) -> Option<i64> {
        match self {
            Value::Int(n) => Some(*n),
            _ => None,
        }
    }

    /// The byte string, if this is one.
    pub fn as_bytes(&self) -> Option<&[u8]> {
        match self {
            Value::Bytes(b) => Some(b),
            _ => None,
        }
    }

    /// The list, if this is one.
    pub fn as_list(&self) -> Option<&[Value]> {
        match self {
            Value::List(l) => Some(l),
            _ => None,
        }
    }

    /// The dictionary, if this is one.
    pub fn as_dict(&self) -> Option<&BTreeMap<Vec<u8>, Value>> {
        match self {
            Value::Dict(d) => Some(d),
            _ => None,
        }
    }

    /// The value under `key`, if this is a dictionary that has it.
    pub fn get(&self, key: &[u8]) -> Option<&Value> {
        self.as_dict().and_then(|d| d.get(key))
    }
}

impl From<i64> for Value {
    fn from(n: i64) -> Self {
        Value::Int(n)
    }
}

impl From<&[u8]> for Value {
    fn from(b: &[u8]) -> Self {
        Value::Bytes(b.to_vec())
    }
}

impl From<Vec<u8>> for Value {
    fn from(b: Vec<u8>) -> Self {
        Value::Bytes(b)
    }
}

impl From<&str> for Value {
    fn from(s: &str) -> Self {
        Value::Bytes(s.as_bytes().to_vec())
    }
}

impl From<Vec<Value>> for Value {
    fn from(l: Vec<Value>) -> Self {
        Value::List(l)
    }
}

fn encode_bytes(b: &[u8], out: &mut Vec<u8>) {
    out.extend_from_slice(b.len().to_string().as_bytes());
    out.push(b':');
    out.extend_from_slice(b);
}

fn from_object(obj: bendy::decoding::Object<'_, '_>, depth: usize) -> Result<Value, BencodeError> {
    use bendy::decoding::Object;
    match obj {
        Object::Integer(s) => s
            .parse()
            .map(Value::Int)
            .map_err(|_| BencodeError::IntegerOutOfRange),
        Object::Bytes(b) => Ok(Value::Bytes(b.to_vec())),
        Object::List(mut list) => {
            if depth >= MAX_DEPTH {
                return Err(BencodeError::TooDeep);
            }
            let mut items = Vec::new();
            while let Some(item) = list.next_object().map_err(|_| BencodeError::Malformed)? {
                items.push(from_object(item, depth + 1)?);
            }
            Ok(Value::List(items))
        }
        Object::Dict(mut dict) => {
            if depth >= MAX_DEPTH {
                return Err(BencodeError::TooDeep);
            }
            let mut map = BTreeMap::new();
            while let Some((k, v)) = dict.next_pair().map_err(|_| BencodeError::Malformed)? {
                let k = k.to_vec();
                map.insert(k, from_object(v, depth + 1)?);
            }
            Ok(Value::Dict(map))
        }
    }
}
