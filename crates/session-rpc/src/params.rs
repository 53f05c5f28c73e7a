//! Typed access to a request's `params` object with the reference server's exact messages.
//!
//! Each method first checks the types of all its known keys in ASCII order ([`check_types`]),
//! reporting the first bad one, before any missing-field or format check.

use crate::reply::{RpcError, RpcResult};
use serde_json::{Map, Value};

/// The JSON type a key must have.
#[derive(Clone, Copy, Debug, PartialEq, Eq)]
pub enum Kind {
    /// `boolean`.
    Bool,
    /// A JSON string.
    Str,
    /// One string or an array of strings.
    StrArray,
    /// Any JSON integer.
    Int,
    /// An integer in i16 range (`16-bit integer`).
    Int16,
    /// An integer in i16 range, or `"all"`.
    Int16OrAll,
    /// A non-negative integer of at least 1e9 (milliseconds).
    Timestamp,
    /// store's `timestamp`: any integer (negative too), or a string holding a base-10 one;
    /// not checked for milliseconds (a wrong one fails the clock check instead).
    StoreTimestamp,
    /// store's `ttl`: a non-negative integer, or a string holding one.
    StoreTtl,
    /// expire's `expiry`: one integer or an array of integers.
    TimestampArray,
}

/// The params object of one request.
#[derive(Clone, Copy, Debug)]
pub struct Params<'a>(pub &'a Map<String, Value>);

fn int_str(v: &Value) -> Option<String> {
    v.as_str().map(str::to_owned)
}

impl<'a> Params<'a> {
    /// A present, non-null value.
    pub fn get(&self, key: &str) -> Option<&'a Value> {
        self.0.get(key).filter(|v| !v.is_null())
    }

    /// True when the key is present and not null.
    pub fn has(&self, key: &str) -> bool {
        self.get(key).is_some()
    }

    /// A string field (types already checked).
    pub fn str(&self, key: &str) -> Option<&'a str> {
        self.get(key).and_then(Value::as_str)
    }

    /// A required string field.
    pub fn req_str(&self, key: &str) -> RpcResult<&'a str> {
        self.str(key).ok_or_else(|| RpcError::missing(key))
    }

    /// A boolean (false when absent).
    pub fn flag(&self, key: &str) -> bool {
        self.get(key).and_then(Value::as_bool).unwrap_or(false)
    }

    /// A string array field: one string counts as a one-element array.
    pub fn strings(&self, key: &str) -> Option<Vec<&'a str>> {
        match self.get(key)? {
            Value::String(s) => Some(vec![s.as_str()]),
            Value::Array(a) => Some(a.iter().filter_map(Value::as_str).collect()),
            _ => None,
        }
    }

    /// An integer field that passed its type check.
    pub fn int(&self, key: &str) -> Option<i64> {
        match self.get(key)? {
            Value::String(s) => s.parse().ok(),
            v => v.as_i64(),
        }
    }

    /// A u64 field that passed its type check (timestamps, ttl).
    pub fn u64(&self, key: &str) -> Option<u64> {
        match self.get(key)? {
            Value::String(s) => s.parse().ok(),
            v => v.as_u64(),
        }
    }

    /// store's `timestamp` after its `StoreTimestamp` check: negative values read as 0 (both
    /// are far in the past for every later check).
    pub fn store_timestamp(&self, key: &str) -> Option<u64> {
        match self.get(key)? {
            Value::String(s) => s.parse::<i64>().ok().map(|n| u64::try_from(n).unwrap_or(0)),
            v => v.as_u64().or_else(|| v.as_i64().map(|_| 0)),
        }
    }

    /// A namespace that passed its `Int16` check (`None` when absent).
    pub fn namespace(&self, key: &str) -> Option<i16> {
        self.get(key)
            .and_then(Value::as_i64)
            .and_then(|n| i16::try_from(n).ok())
    }

    /// An integer-array field that passed its `TimestampArray` check.
    pub fn ints(&self, key: &str) -> Option<Vec<u64>> {
        match self.get(key)? {
            Value::Array(a) => Some(a.iter().filter_map(Value::as_u64).collect()),
            v => v.as_u64().map(|n| vec![n]),
        }
    }
}

/// Checks the types of `spec`'s keys in order; the first failure wins.
pub fn check_types(p: Params<'_>, spec: &[(&str, Kind)]) -> RpcResult<()> {
    for &(key, kind) in spec {
        if let Some(v) = p.get(key) {
            check_one(key, kind, v)?;
        }
    }
    Ok(())
}

fn is_plain_uint(s: &str) -> bool {
    !s.is_empty() && s.bytes().all(|b| b.is_ascii_digit())
}

/// An optional `-` and digits, as C++'s `from_chars` reads an `int64_t`.
fn is_plain_int(s: &str) -> bool {
    is_plain_uint(s.strip_prefix('-').unwrap_or(s))
}

/// Milliseconds: at least 1e9, and below 2^63 (the reference reads the value as a signed
/// 64-bit number, so larger ones turn negative there).
fn check_ms(key: &str, n: u64) -> RpcResult<()> {
    if !(1_000_000_000..=i64::MAX as u64).contains(&n) {
        return Err(RpcError::invalid(format!(
            "Invalid timestamp for '{key}': timestamp must be in milliseconds"
        )));
    }
    Ok(())
}

fn check_one(key: &str, kind: Kind, v: &Value) -> RpcResult<()> {
    let wrong = |t: &str| Err(RpcError::wrong_type(key, t));
    match kind {
        Kind::Bool if !v.is_boolean() => wrong("boolean"),
        Kind::Str if !v.is_string() => wrong("string"),
        Kind::StrArray => match v {
            Value::String(_) => Ok(()),
            Value::Array(a) if a.iter().all(Value::is_string) => Ok(()),
            _ => wrong("string array"),
        },
        Kind::Int if !(v.is_i64() || v.is_u64()) => wrong("integer"),
        Kind::Int16 | Kind::Int16OrAll => check_namespace(key, kind, v),
        Kind::Timestamp => match v.as_u64() {
            Some(n) => check_ms(key, n),
            None => wrong("integer timestamp (in milliseconds)"),
        },
        Kind::StoreTimestamp | Kind::StoreTtl => check_store_int(key, kind, v),
        Kind::TimestampArray => match v {
            Value::Array(a) if a.iter().all(|x| x.as_u64().is_some()) => Ok(()),
            v if v.as_u64().is_some() => Ok(()),
            _ => wrong("timestamp array"),
        },
        _ => Ok(()),
    }
}

fn check_namespace(key: &str, kind: Kind, v: &Value) -> RpcResult<()> {
    if kind == Kind::Int16OrAll && v.as_str() == Some("all") {
        return Ok(());
    }
    let Some(n) = v.as_i64() else {
        let t = if kind == Kind::Int16 {
            "16-bit integer"
        } else {
            "integer or \"all\""
        };
        return Err(RpcError::wrong_type(key, t));
    };
    if i16::try_from(n).is_err() {
        return Err(RpcError::invalid(format!(
            "Invalid value given for '{key}': value out of range"
        )));
    }
    Ok(())
}

fn check_store_int(key: &str, kind: Kind, v: &Value) -> RpcResult<()> {
    let timestamp = kind == Kind::StoreTimestamp;
    if let Some(s) = int_str(v) {
        let fits = if timestamp {
            is_plain_int(&s) && s.parse::<i64>().is_ok()
        } else {
            is_plain_uint(&s) && s.parse::<u64>().is_ok()
        };
        if !fits {
            return Err(RpcError::invalid(format!(
                "Invalid value given for '{key}': {v}"
            )));
        }
        return Ok(());
    }
    match (timestamp, v.is_u64(), v.is_i64()) {
        (true, true, _) | (true, _, true) | (false, true, _) => Ok(()),
        (true, false, false) => Err(RpcError::wrong_type(key, "integer")),
        (false, false, _) => Err(RpcError::wrong_type(key, "positive integer")),
    }
}

#[cfg(test)]
mod tests {
    use super::*;
    use serde_json::json;

    fn check(v: Value, spec: &[(&str, Kind)]) -> RpcResult<()> {
        check_types(Params(v.as_object().unwrap()), spec)
    }

    fn msg(r: RpcResult<()>) -> String {
        match r.unwrap_err().body {
            crate::reply::Body::Text(t) => t,
            other => panic!("{other:?}"),
        }
    }

    #[test]
    fn first_bad_key_in_order_wins() {
        let spec = [("a", Kind::Bool), ("b", Kind::Str)];
        assert_eq!(
            msg(check(json!({"b": 1, "a": "x"}), &spec)),
            "invalid request: Invalid value given for 'a': expected boolean"
        );
        assert!(check(json!({"a": null, "b": "s"}), &spec).is_ok());
    }

    #[test]
    fn namespace_range_and_all() {
        let spec = [("namespace", Kind::Int16)];
        assert_eq!(
            msg(check(json!({"namespace": 32768}), &spec)),
            "invalid request: Invalid value given for 'namespace': value out of range"
        );
        assert_eq!(
            msg(check(json!({"namespace": "all"}), &spec)),
            "invalid request: Invalid value given for 'namespace': expected 16-bit integer"
        );
        assert!(
            check(
                json!({"namespace": "all"}),
                &[("namespace", Kind::Int16OrAll)]
            )
            .is_ok()
        );
    }

    #[test]
    fn store_timestamp_and_ttl_strings() {
        let spec = [("timestamp", Kind::StoreTimestamp), ("ttl", Kind::StoreTtl)];
        assert!(
            check(
                json!({"timestamp": "1700000000000", "ttl": "86400000"}),
                &spec
            )
            .is_ok()
        );
        assert_eq!(
            msg(check(json!({"timestamp": "abc"}), &spec)),
            "invalid request: Invalid value given for 'timestamp': \"abc\""
        );
        assert_eq!(
            msg(check(json!({"timestamp": 1.5}), &spec)),
            "invalid request: Invalid value given for 'timestamp': expected integer"
        );
        assert_eq!(
            msg(check(json!({"ttl": -1}), &spec)),
            "invalid request: Invalid value given for 'ttl': expected positive integer"
        );
        // store's timestamp is not checked for milliseconds, and may be negative (the clock
        // check answers later), as in the reference
        for ok in [
            json!(999),
            json!(-5),
            json!("-5"),
            json!(i64::MIN),
            json!(u64::MAX),
        ] {
            assert!(check(json!({ "timestamp": ok }), &spec).is_ok(), "{ok}");
        }
        for bad in ["+5", " 5", "5x", "-", "", "99999999999999999999"] {
            assert_eq!(
                msg(check(json!({ "timestamp": bad }), &spec)),
                format!("invalid request: Invalid value given for 'timestamp': \"{bad}\"")
            );
        }
        assert_eq!(
            msg(check(json!({"ttl": "-5"}), &spec)),
            "invalid request: Invalid value given for 'ttl': \"-5\""
        );
        let p = json!({"a": -5, "b": "-7", "c": 1_700_000_000_000u64, "d": "12"});
        let p = Params(p.as_object().unwrap());
        assert_eq!(
            ["a", "b", "c", "d"].map(|k| p.store_timestamp(k)),
            [Some(0), Some(0), Some(1_700_000_000_000), Some(12)]
        );
    }

    #[test]
    fn timestamps_past_i64_are_not_milliseconds() {
        let spec = [("timestamp", Kind::Timestamp)];
        for bad in [json!(999_999_999), json!(1u64 << 63), json!(u64::MAX)] {
            assert_eq!(
                msg(check(json!({ "timestamp": bad }), &spec)),
                "invalid request: Invalid timestamp for 'timestamp': timestamp must be in milliseconds"
            );
        }
        assert!(check(json!({"timestamp": i64::MAX}), &spec).is_ok());
        assert!(check(json!({"timestamp": 1_000_000_000}), &spec).is_ok());
    }

    #[test]
    fn timestamps_must_be_non_negative_integers() {
        let spec = [("timestamp", Kind::Timestamp)];
        for bad in [json!(-5), json!(1.5e12), json!("1700000000000")] {
            assert_eq!(
                msg(check(json!({ "timestamp": bad }), &spec)),
                "invalid request: Invalid value given for 'timestamp': expected integer timestamp (in milliseconds)"
            );
        }
    }
}
