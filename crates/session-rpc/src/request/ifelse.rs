//! `ifelse`: run one request or another depending on the node's block height, hardfork and
//! version, as the reference server does (one round trip for clients that must speak to nodes
//! of different versions).
//!
//! `{"if": {conditions}, "then": {"method", "params"}, "else": {"method", "params"}}`: every
//! given condition must hold (`height_at_least`, `height_before`: integers; `hf_at_least`,
//! `hf_before`: `[major, minor]`; `v_at_least`, `v_before`: `[major, minor, patch]`; an array is
//! padded with zeros or cut to its length, one integer counts as a one-element array, an empty
//! array as not given). Both branches are parsed up front, and may be any request (`batch`,
//! `sequence` and `ifelse` too).

use super::SubRequest;
use crate::params::Params;
use crate::reply::{RpcError, RpcResult};
use serde_json::{Map, Value};
use std::cmp::Ordering;

/// What `ifelse` tests. Every given condition must hold.
#[derive(Clone, Debug, Default, PartialEq, Eq)]
pub struct Condition {
    /// `height >= n`.
    pub height_at_least: Option<i64>,
    /// `height < n`.
    pub height_before: Option<i64>,
    /// `[hf, hf_minor] >= [a, b]`.
    pub hf_at_least: Option<[i64; 2]>,
    /// `[hf, hf_minor] < [a, b]`.
    pub hf_before: Option<[i64; 2]>,
    /// `version >= [a, b, c]`.
    pub v_at_least: Option<[i64; 3]>,
    /// `version < [a, b, c]`.
    pub v_before: Option<[i64; 3]>,
}

impl Condition {
    /// Whether a node at `height`, hardfork `hf` and version `v` satisfies every given test.
    pub fn holds(&self, height: u64, hf: [u16; 2], v: [u16; 3]) -> bool {
        let height = i128::from(height);
        let cmp = |ours: &[u16], theirs: &[i64]| {
            ours.iter()
                .map(|&n| i64::from(n))
                .cmp(theirs.iter().copied())
        };
        self.height_at_least.is_none_or(|n| height >= i128::from(n))
            && self.height_before.is_none_or(|n| height < i128::from(n))
            && self
                .hf_at_least
                .is_none_or(|a| cmp(&hf, &a) != Ordering::Less)
            && self
                .hf_before
                .is_none_or(|a| cmp(&hf, &a) == Ordering::Less)
            && self
                .v_at_least
                .is_none_or(|a| cmp(&v, &a) != Ordering::Less)
            && self.v_before.is_none_or(|a| cmp(&v, &a) == Ordering::Less)
    }

    fn is_empty(&self) -> bool {
        self == &Self::default()
    }
}

/// A parsed `ifelse`.
#[derive(Debug)]
pub struct IfElse {
    /// The condition.
    pub condition: Condition,
    /// What to run when it holds.
    pub then: Option<SubRequest>,
    /// What to run when it does not.
    pub otherwise: Option<SubRequest>,
}

fn invalid(msg: &str) -> RpcError {
    RpcError::invalid(format!("Invalid ifelse request: {msg}"))
}

/// Parses `ifelse` parameters with the reference's checks, in its order.
pub fn parse(p: Params<'_>) -> RpcResult<IfElse> {
    let cond =
        p.0.get("if")
            .and_then(Value::as_object)
            .ok_or_else(|| invalid("no valid \"if\" field"))?;
    let condition = parse_condition(Params(cond))?;
    if condition.is_empty() {
        return Err(invalid("must specify at least one \"if\" condition"));
    }
    let then = branch(p, "then")?;
    let otherwise = branch(p, "else")?;
    if then.is_none() && otherwise.is_none() {
        return Err(invalid("at least one of \"then\"/\"else\" required"));
    }
    Ok(IfElse {
        condition,
        then,
        otherwise,
    })
}

fn parse_condition(c: Params<'_>) -> RpcResult<Condition> {
    Ok(Condition {
        height_at_least: integer(c, "height_at_least")?,
        height_before: integer(c, "height_before")?,
        hf_at_least: version(c, "hf_at_least")?,
        hf_before: version(c, "hf_before")?,
        v_at_least: version(c, "v_at_least")?,
        v_before: version(c, "v_before")?,
    })
}

/// A JSON integer as i64 (larger unsigned values saturate).
fn as_int(v: &Value) -> Option<i64> {
    v.as_i64().or_else(|| v.as_u64().map(|_| i64::MAX))
}

fn integer(c: Params<'_>, key: &str) -> RpcResult<Option<i64>> {
    match c.get(key) {
        None => Ok(None),
        Some(v) => as_int(v)
            .map(Some)
            .ok_or_else(|| RpcError::wrong_type(key, "integer")),
    }
}

/// An integer or integer array, padded with zeros or cut to `N` (empty: not given).
fn version<const N: usize>(c: Params<'_>, key: &str) -> RpcResult<Option<[i64; N]>> {
    let wrong = || RpcError::wrong_type(key, "integer array");
    let items: Vec<i64> = match c.get(key) {
        None => return Ok(None),
        Some(Value::Array(a)) => a
            .iter()
            .map(as_int)
            .collect::<Option<_>>()
            .ok_or_else(wrong)?,
        Some(v) => vec![as_int(v).ok_or_else(wrong)?],
    };
    if items.is_empty() {
        return Ok(None);
    }
    let mut out = [0; N];
    for (slot, n) in out.iter_mut().zip(items) {
        *slot = n;
    }
    Ok(Some(out))
}

/// `then` or `else`: present (even as `null`) means it must be a request.
fn branch(p: Params<'_>, key: &str) -> RpcResult<Option<SubRequest>> {
    let Some(v) = p.0.get(key) else {
        return Ok(None);
    };
    let obj = v
        .as_object()
        .ok_or_else(|| invalid(&format!("{key} must be an object")))?;
    let (Some(method), Some(params)) =
        (obj.get("method").and_then(Value::as_str), obj.get("params"))
    else {
        return Err(invalid(&format!("{key} must have method/params keys")));
    };
    // Any JSON is accepted as params; what is not an object reads as an empty one.
    let empty = Map::new();
    let params = params.as_object().unwrap_or(&empty);
    SubRequest::parse(method, params).map(Some).map_err(|e| {
        if is_no_method(&e) {
            // The reference names the key, not the method.
            RpcError::invalid(format!("Invalid ifelse request method \"{key}\""))
        } else {
            e
        }
    })
}

/// Whether `e` is the top-level "no method X" answer.
pub(super) fn is_no_method(e: &RpcError) -> bool {
    e.code == 400
        && e.body_json()
            .as_str()
            .is_some_and(|t| t.starts_with("no method"))
}

#[cfg(test)]
mod tests;
