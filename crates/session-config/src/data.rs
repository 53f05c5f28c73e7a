//! The data a config message carries under `&` (docs/config-merge-logic.md, spec §5.3): a
//! dictionary whose values are 64-bit integers, byte strings, sets of integers and strings, or
//! nested dictionaries. Sets are never empty and dictionaries (other than the top one) never
//! empty: an empty one is removed ([`prune`]), so "empty" and "absent" are one state and every
//! device encodes the same data to the same bytes.

use crate::error::{Error, Result};
use session_protocol::bencode::Value;
use std::collections::{BTreeMap, BTreeSet};

/// Longest key in a data dictionary, in bytes.
pub const MAX_KEY_LEN: usize = 128;
/// Longest byte string value, in bytes.
pub const MAX_STRING_LEN: usize = 4096;

/// An integer or a byte string. Integers sort before strings; integers numerically, strings
/// bytewise (the order of sets on the wire).
#[derive(Debug, Clone, PartialEq, Eq, PartialOrd, Ord, Hash)]
pub enum Scalar {
    /// `i<n>e`
    Int(i64),
    /// `<len>:<bytes>`
    Bytes(Vec<u8>),
}

/// A set of scalars (a sorted bencoded list without duplicates).
pub type Set = BTreeSet<Scalar>;

/// A data dictionary (keys in bytewise order).
pub type Dict = BTreeMap<Vec<u8>, Field>;

/// One value in a data dictionary.
#[derive(Debug, Clone, PartialEq, Eq)]
pub enum Field {
    /// An integer or a string.
    Scalar(Scalar),
    /// A set of scalars.
    Set(Set),
    /// A nested dictionary.
    Dict(Dict),
}

impl Field {
    /// The integer, if this is one.
    pub fn as_int(&self) -> Option<i64> {
        match self {
            Field::Scalar(Scalar::Int(n)) => Some(*n),
            _ => None,
        }
    }

    /// The byte string, if this is one.
    pub fn as_bytes(&self) -> Option<&[u8]> {
        match self {
            Field::Scalar(Scalar::Bytes(b)) => Some(b),
            _ => None,
        }
    }

    /// The set, if this is one.
    pub fn as_set(&self) -> Option<&Set> {
        match self {
            Field::Set(s) => Some(s),
            _ => None,
        }
    }

    /// The dictionary, if this is one.
    pub fn as_dict(&self) -> Option<&Dict> {
        match self {
            Field::Dict(d) => Some(d),
            _ => None,
        }
    }

    /// True for the same kind of value (scalar, set, dict), whatever the contents.
    pub(crate) fn same_kind(&self, other: &Field) -> bool {
        std::mem::discriminant(self) == std::mem::discriminant(other)
    }
}

impl From<i64> for Field {
    fn from(n: i64) -> Self {
        Field::Scalar(Scalar::Int(n))
    }
}

impl From<&[u8]> for Field {
    fn from(b: &[u8]) -> Self {
        Field::Scalar(Scalar::Bytes(b.to_vec()))
    }
}

impl From<Vec<u8>> for Field {
    fn from(b: Vec<u8>) -> Self {
        Field::Scalar(Scalar::Bytes(b))
    }
}

impl From<&str> for Field {
    fn from(s: &str) -> Self {
        Field::Scalar(Scalar::Bytes(s.as_bytes().to_vec()))
    }
}

impl From<Set> for Field {
    fn from(s: Set) -> Self {
        Field::Set(s)
    }
}

impl From<Dict> for Field {
    fn from(d: Dict) -> Self {
        Field::Dict(d)
    }
}

/// Checks a key or string against its limit.
pub(crate) fn check_len(what: &'static str, limit: usize, len: usize) -> Result<()> {
    if len > limit {
        return Err(Error::LimitExceeded {
            what,
            limit,
            got: len,
        });
    }
    Ok(())
}

/// A scalar from a bencoded value (strings within [`MAX_STRING_LEN`]).
pub(crate) fn scalar_from_value(v: &Value) -> Result<Scalar> {
    match v {
        Value::Int(n) => Ok(Scalar::Int(*n)),
        Value::Bytes(b) => {
            check_len("string", MAX_STRING_LEN, b.len())?;
            Ok(Scalar::Bytes(b.clone()))
        }
        _ => Err(Error::malformed("set element is not an integer or string")),
    }
}

/// A set from the elements of a bencoded list: scalars in strictly ascending order. An empty
/// list is accepted here; callers that forbid empty sets check for it.
pub(crate) fn set_from_list(items: &[Value]) -> Result<Set> {
    let mut set = Set::new();
    for item in items {
        let s = scalar_from_value(item)?;
        if set.last().is_some_and(|last| *last >= s) {
            return Err(Error::malformed("set elements unsorted or duplicated"));
        }
        set.insert(s);
    }
    Ok(set)
}

/// Parses the `&` dictionary. `top` allows the outermost dictionary to be empty.
pub(crate) fn dict_from_value(map: &BTreeMap<Vec<u8>, Value>, top: bool) -> Result<Dict> {
    if !top && map.is_empty() {
        return Err(Error::malformed("data contains an empty dict"));
    }
    let mut dict = Dict::new();
    for (k, v) in map {
        check_len("key", MAX_KEY_LEN, k.len())?;
        let field = match v {
            Value::Int(_) | Value::Bytes(_) => Field::Scalar(scalar_from_value(v)?),
            Value::List(items) => {
                if items.is_empty() {
                    return Err(Error::malformed("data contains an empty set"));
                }
                Field::Set(set_from_list(items)?)
            }
            Value::Dict(d) => Field::Dict(dict_from_value(d, false)?),
        };
        dict.insert(k.clone(), field);
    }
    Ok(dict)
}

pub(crate) fn encode_bytes(b: &[u8], out: &mut Vec<u8>) {
    out.extend_from_slice(b.len().to_string().as_bytes());
    out.push(b':');
    out.extend_from_slice(b);
}

pub(crate) fn encode_int(n: i64, out: &mut Vec<u8>) {
    out.push(b'i');
    out.extend_from_slice(n.to_string().as_bytes());
    out.push(b'e');
}

pub(crate) fn encode_scalar(s: &Scalar, out: &mut Vec<u8>) {
    match s {
        Scalar::Int(n) => encode_int(*n, out),
        Scalar::Bytes(b) => encode_bytes(b, out),
    }
}

pub(crate) fn encode_set(s: &Set, out: &mut Vec<u8>) {
    out.push(b'l');
    s.iter().for_each(|v| encode_scalar(v, out));
    out.push(b'e');
}

/// Appends the bencoding of `dict` (which callers keep pruned).
pub fn encode_dict(dict: &Dict, out: &mut Vec<u8>) {
    out.push(b'd');
    for (k, v) in dict {
        encode_bytes(k, out);
        match v {
            Field::Scalar(s) => encode_scalar(s, out),
            Field::Set(s) => encode_set(s, out),
            Field::Dict(d) => encode_dict(d, out),
        }
    }
    out.push(b'e');
}

/// Removes empty sets and empty nested dictionaries, depth first (a dictionary emptied by the
/// removal goes too). Returns true if anything was removed.
pub fn prune(dict: &mut Dict) -> bool {
    let mut removed = false;
    dict.retain(|_, v| match v {
        Field::Scalar(_) => true,
        Field::Set(s) => {
            removed |= s.is_empty();
            !s.is_empty()
        }
        Field::Dict(d) => {
            removed |= prune(d);
            removed |= d.is_empty();
            !d.is_empty()
        }
    });
    removed
}

/// The value at `path` (a key per level), if every level exists.
pub fn get<'a>(dict: &'a Dict, path: &[&[u8]]) -> Option<&'a Field> {
    let (last, inner) = path.split_last()?;
    let mut d = dict;
    for key in inner {
        d = d.get(*key)?.as_dict()?;
    }
    d.get(*last)
}

/// The dictionary at `path`, created (replacing any non-dictionary on the way) if missing.
pub(crate) fn dict_at_mut<'a>(dict: &'a mut Dict, path: &[&[u8]]) -> &'a mut Dict {
    let mut d = dict;
    for key in path {
        let entry = d
            .entry(key.to_vec())
            .or_insert_with(|| Field::Dict(Dict::new()));
        if !matches!(entry, Field::Dict(_)) {
            *entry = Field::Dict(Dict::new());
        }
        d = match entry {
            Field::Dict(inner) => inner,
            _ => unreachable!("replaced by a dict just above"),
        };
    }
    d
}

#[cfg(test)]
mod tests {
    use super::*;

    fn s(b: &str) -> Scalar {
        Scalar::Bytes(b.as_bytes().to_vec())
    }

    #[test]
    fn set_order_ints_before_strings() {
        let set: Set = [
            s("foo"),
            Scalar::Int(23),
            s("Foo"),
            s("~"),
            s("!"),
            Scalar::Int(-123),
        ]
        .into_iter()
        .collect();
        let mut out = Vec::new();
        encode_set(&set, &mut out);
        assert_eq!(out, b"li-123ei23e1:!3:Foo3:foo1:~e");
    }

    #[test]
    fn dict_encoding() {
        let mut d = Dict::new();
        d.insert(b"a".to_vec(), 23.into());
        d.insert(b"B".to_vec(), "x".into());
        d.insert(
            b"c".to_vec(),
            Field::Set([s("2"), s("1"), Scalar::Int(4), Scalar::Int(-3)].into()),
        );
        let mut dd = Dict::new();
        dd.insert(b"x".to_vec(), 1.into());
        dd.insert(b"y".to_vec(), 2.into());
        d.insert(b"D".to_vec(), dd.into());
        let g: Dict = [(b"g".to_vec(), Field::from(""))].into();
        let f: Dict = [(b"f".to_vec(), Field::Dict(g))].into();
        let e: Dict = [(b"e".to_vec(), Field::Dict(f))].into();
        d.insert(b"d".to_vec(), e.into());
        let mut out = Vec::new();
        encode_dict(&d, &mut out);
        assert_eq!(
            out,
            &b"d1:B1:x1:Dd1:xi1e1:yi2ee1:ai23e1:cli-3ei4e1:11:2e1:dd1:ed1:fd1:g0:eeee"[..]
        );
    }

    #[test]
    fn pruning_removes_empties_recursively() {
        let mut d = Dict::new();
        d.insert(b"a".to_vec(), 123.into());
        d.insert(b"b".to_vec(), Dict::new().into());
        d.insert(b"e".to_vec(), Set::new().into());
        let inner: Dict = [(b"a".to_vec(), Field::Dict(Dict::new()))].into();
        let outer: Dict = [(b"a".to_vec(), Field::Dict(inner))].into();
        d.insert(b"g".to_vec(), outer.into());
        let f: Dict = [
            (b"a".to_vec(), Field::from(1)),
            (b"b".to_vec(), Field::Set(Set::new())),
        ]
        .into();
        d.insert(b"f".to_vec(), f.into());
        assert!(prune(&mut d));
        let want: Dict = [
            (b"a".to_vec(), Field::from(123)),
            (
                b"f".to_vec(),
                Field::Dict([(b"a".to_vec(), Field::from(1))].into()),
            ),
        ]
        .into();
        assert_eq!(d, want);
        assert!(!prune(&mut d));
    }

    #[test]
    fn rejects_bad_data() {
        let parse = |b: &[u8]| match Value::decode(b).map_err(Error::bencode("t"))? {
            Value::Dict(m) => dict_from_value(&m, true),
            _ => Err(Error::malformed("not a dict")),
        };
        assert!(parse(b"de").is_ok());
        assert_eq!(
            parse(b"d0:lee"),
            Err(Error::malformed("data contains an empty set"))
        );
        assert_eq!(
            parse(b"d0:dee"),
            Err(Error::malformed("data contains an empty dict"))
        );
        assert!(matches!(
            parse(b"d1:ali2ei1eee"),
            Err(Error::Malformed { .. })
        ));
        assert!(matches!(
            parse(b"d1:ali1ei1eee"),
            Err(Error::Malformed { .. })
        ));
        assert!(matches!(
            parse(b"d1:al1:ai1eee"),
            Err(Error::Malformed { .. })
        ));
        assert!(matches!(parse(b"d1:alleee"), Err(Error::Malformed { .. })));
        let long_key = format!("d129:{}i1ee", "k".repeat(129));
        assert!(matches!(
            parse(long_key.as_bytes()),
            Err(Error::LimitExceeded { what: "key", .. })
        ));
        let long_str = format!("d1:a4097:{}e", "s".repeat(4097));
        assert!(matches!(
            parse(long_str.as_bytes()),
            Err(Error::LimitExceeded { what: "string", .. })
        ));
    }
}
