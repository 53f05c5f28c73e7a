//! Config diffs (docs/config-merge-logic.md "Config diff updates"): what one message changed,
//! mirroring the shape of the data. `""` = a scalar assigned, `"-"` = a scalar removed, a nested
//! dict = changes inside a dict, `[added, removed]` = changes to a set. Diffs are what merging
//! replays, so computing, encoding, parsing and applying them must match libsession exactly.

use crate::data::{self, Dict, Field, MAX_KEY_LEN, Set, check_len, encode_bytes, encode_scalar};
use crate::error::{Error, Result};
use session_protocol::bencode::Value;
use std::collections::BTreeMap;

/// A diff: changed keys of one dictionary.
pub type Diff = BTreeMap<Vec<u8>, Change>;

/// The change recorded for one key.
#[derive(Debug, Clone, PartialEq, Eq)]
pub enum Change {
    /// `""`: a scalar was added or changed.
    Assigned,
    /// `"-"`: a scalar was removed.
    Removed,
    /// A nested diff: changes inside a dictionary.
    Dict(Diff),
    /// `[added, removed]`: changes to a set.
    Set {
        /// Elements added.
        added: Set,
        /// Elements removed.
        removed: Set,
    },
}

/// The diff from `old` to `new` (both pruned), or `None` when nothing changed.
pub fn compute(old: &Dict, new: &Dict) -> Option<Diff> {
    let empty = Dict::new();
    let mut diff = Diff::new();
    for (k, o) in old {
        if !new.contains_key(k) {
            // Removed: a dict's keys are removed one by one, a set's elements likewise.
            let change = match o {
                Field::Scalar(_) => Some(Change::Removed),
                Field::Dict(d) => compute(d, &empty).map(Change::Dict),
                Field::Set(s) => set_change(s, &Set::new()),
            };
            if let Some(c) = change {
                diff.insert(k.clone(), c);
            }
        }
    }
    for (k, n) in new {
        let change = match old.get(k) {
            Some(o) if o.same_kind(n) => match (o, n) {
                (Field::Scalar(a), Field::Scalar(b)) => (a != b).then_some(Change::Assigned),
                (Field::Dict(a), Field::Dict(b)) => compute(a, b).map(Change::Dict),
                (Field::Set(a), Field::Set(b)) => set_change(a, b),
                _ => None,
            },
            // New, or its kind changed (treated as new: applying it replaces the old value).
            _ => match n {
                Field::Scalar(_) => Some(Change::Assigned),
                Field::Dict(d) => compute(&empty, d).map(Change::Dict),
                Field::Set(s) => set_change(&Set::new(), s),
            },
        };
        if let Some(c) = change {
            diff.insert(k.clone(), c);
        }
    }
    (!diff.is_empty()).then_some(diff)
}

fn set_change(old: &Set, new: &Set) -> Option<Change> {
    let added: Set = new.difference(old).cloned().collect();
    let removed: Set = old.difference(new).cloned().collect();
    (!added.is_empty() || !removed.is_empty()).then_some(Change::Set { added, removed })
}

/// Applies `diff` to `data`, taking assigned values from `source` (the full data of the message
/// the diff came from). Empty sets and dicts are left for the caller to [`data::prune`] once
/// every diff of a replay is applied.
pub fn apply(data: &mut Dict, diff: &Diff, source: &Dict) {
    for (k, change) in diff {
        let src = source.get(k);
        let matches_source = matches!(
            (change, src),
            (Change::Assigned | Change::Removed, Some(Field::Scalar(_)))
                | (Change::Dict(_), Some(Field::Dict(_)))
                | (Change::Set { .. }, Some(Field::Set(_)))
        );
        if !matches_source {
            // Gone from (or retyped in) the source: a later diff removes or retypes it, so drop
            // it now. Keeping it could merge an old dict into a new one of the same name.
            data.remove(k);
            continue;
        }
        match (change, src) {
            (Change::Removed, _) => {
                data.remove(k);
            }
            (Change::Assigned, Some(value)) => {
                data.insert(k.clone(), value.clone());
            }
            (Change::Dict(sub), Some(Field::Dict(sub_source))) => {
                let target = data::dict_at_mut(data, &[k.as_slice()]);
                apply(target, sub, sub_source);
            }
            (Change::Set { added, removed }, _) => {
                let entry = data
                    .entry(k.clone())
                    .or_insert_with(|| Field::Set(Set::new()));
                if !matches!(entry, Field::Set(_)) {
                    *entry = Field::Set(Set::new());
                }
                if let Field::Set(set) = entry {
                    set.extend(added.iter().cloned());
                    for r in removed {
                        set.remove(r);
                    }
                }
            }
            _ => {}
        }
    }
}

/// Appends the bencoding of `diff`.
pub fn encode(diff: &Diff, out: &mut Vec<u8>) {
    out.push(b'd');
    for (k, change) in diff {
        encode_bytes(k, out);
        match change {
            Change::Assigned => encode_bytes(b"", out),
            Change::Removed => encode_bytes(b"-", out),
            Change::Dict(d) => encode(d, out),
            Change::Set { added, removed } => {
                out.push(b'l');
                for part in [added, removed] {
                    out.push(b'l');
                    part.iter().for_each(|s| encode_scalar(s, out));
                    out.push(b'e');
                }
                out.push(b'e');
            }
        }
    }
    out.push(b'e');
}

/// Parses a diff dictionary (from `=` or a lagged `<` entry).
pub fn from_value(map: &BTreeMap<Vec<u8>, Value>) -> Result<Diff> {
    let mut diff = Diff::new();
    for (k, v) in map {
        check_len("key", MAX_KEY_LEN, k.len())?;
        let change = match v {
            Value::Bytes(b) if b.is_empty() => Change::Assigned,
            Value::Bytes(b) if b.as_slice() == b"-" => Change::Removed,
            Value::Bytes(_) => {
                return Err(Error::malformed("diff value is neither \"\" nor \"-\""));
            }
            Value::Int(_) => return Err(Error::malformed("diff value is an integer")),
            Value::Dict(d) => Change::Dict(from_value(d)?),
            Value::List(pair) => match pair.as_slice() {
                [Value::List(added), Value::List(removed)] => Change::Set {
                    added: data::set_from_list(added)?,
                    removed: data::set_from_list(removed)?,
                },
                _ => return Err(Error::malformed("set diff is not a pair of lists")),
            },
        };
        diff.insert(k.clone(), change);
    }
    Ok(diff)
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::data::Scalar;

    fn enc(d: &Diff) -> Vec<u8> {
        let mut out = Vec::new();
        encode(d, &mut out);
        out
    }

    fn dict(pairs: &[(&str, Field)]) -> Dict {
        pairs
            .iter()
            .map(|(k, v)| (k.as_bytes().to_vec(), v.clone()))
            .collect()
    }

    fn set(items: &[Scalar]) -> Field {
        Field::Set(items.iter().cloned().collect())
    }

    fn b(s: &str) -> Scalar {
        Scalar::Bytes(s.as_bytes().to_vec())
    }

    #[test]
    fn diff_of_additions_and_removals() {
        let old = Dict::new();
        let bar = dict(&[
            ("asdf", 123.into()),
            ("xyz", "abc".into()),
            ("", set(&[b("a"), b("b"), Scalar::Int(42)])),
        ]);
        let new = dict(&[("foo", 123.into()), ("bar", bar.clone().into())]);
        let d = compute(&old, &new).expect("changed");
        assert_eq!(
            enc(&d),
            &b"d3:bard0:lli42e1:a1:belee4:asdf0:3:xyz0:e3:foo0:e"[..]
        );
        let removed = compute(&new, &dict(&[("bar", bar.into())])).expect("changed");
        assert_eq!(enc(&removed), b"d3:foo1:-e");
        assert_eq!(compute(&new, &new), None);
    }

    #[test]
    fn apply_replays_against_source() {
        let source = dict(&[
            ("a", 1.into()),
            ("s", set(&[Scalar::Int(1), Scalar::Int(2)])),
        ]);
        let diff = compute(&Dict::new(), &source).expect("changed");
        let mut data = dict(&[("a", 5.into()), ("z", "keep".into())]);
        apply(&mut data, &diff, &source);
        let want = dict(&[
            ("a", 1.into()),
            ("s", set(&[Scalar::Int(1), Scalar::Int(2)])),
            ("z", "keep".into()),
        ]);
        assert_eq!(data, want);
        // A diff whose key is gone from its source removes it from the data.
        apply(&mut data, &diff, &Dict::new());
        assert_eq!(data, dict(&[("z", "keep".into())]));
    }

    #[test]
    fn rejects_bad_diffs() {
        let parse = |b: &[u8]| match Value::decode(b) {
            Ok(Value::Dict(m)) => from_value(&m),
            _ => Err(Error::malformed("not a dict")),
        };
        assert!(parse(b"d1:a0:1:b1:-1:cdee").is_ok());
        assert!(parse(b"d1:a1:xe").is_err());
        assert!(parse(b"d1:ai1ee").is_err());
        assert!(parse(b"d1:alleee").is_err());
        assert!(parse(b"d1:alli2ei1eeleee").is_err());
        assert!(parse(b"d1:alldeeleee").is_err());
        assert!(parse(b"d1:alli1eeleee").is_ok());
    }
}
