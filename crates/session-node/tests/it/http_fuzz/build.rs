//! Plans to bytes: the valid request (`valid.rs`), then the mutations. JSON is rendered by
//! hand (`json.rs`) so that a mutation can duplicate a key or write a number serde_json
//! cannot hold.
use super::json::{EDGES, J, NAMES};
use super::plan::{Junk, MetaKind, Mutation, Plan, Str, Time};
use super::valid::{Keys, Pool};
use crate::support::b64;
use serde_json::Value;

/// What building needs: the node's clock now, the run's accounts and pool.
pub struct Ctx<'a> {
    pub now: u64,
    pub keys: &'a Keys,
    pub pool: &'a Pool,
}
impl Ctx<'_> {
    pub fn time(&self, t: Time) -> u64 {
        match t {
            Time::Rel(d) => self.now.saturating_add_signed(d),
            Time::Abs(v) => v,
        }
    }

    pub(super) fn hash(&self, i: usize) -> String {
        // Past the pool: well-formed hashes of no message.
        self.pool
            .hashes
            .get(i)
            .cloned()
            .unwrap_or_else(|| b64(&[i as u8; 32]).trim_end_matches('=').to_owned())
    }

    pub fn junk(&self, j: &Junk) -> J {
        match j {
            Junk::Null => J::V(Value::Null),
            Junk::Bool(b) => J::V(Value::Bool(*b)),
            Junk::Int(i) => J::V(Value::from(*i)),
            Junk::Edge(i) => J::Raw(EDGES[i % EDGES.len()]),
            Junk::Time(t) => J::n(self.time(*t)),
            Junk::NumStr(i) => J::s(i.to_string()),
            Junk::Str(s) => J::s(self.string(s)),
            Junk::Arr(items) => J::Arr(items.iter().map(|i| self.junk(i)).collect()),
            Junk::Obj(kv) => J::Obj(
                kv.iter()
                    .map(|(n, v)| (NAMES[n % NAMES.len()].to_owned(), self.junk(v)))
                    .collect(),
            ),
        }
    }

    fn string(&self, s: &Str) -> String {
        match s {
            Str::Any(s) => s.clone(),
            Str::Long(n) => "A".repeat(*n),
            Str::Hex(n) => "ab".repeat(n / 2 + 1)[..*n].to_owned(),
            Str::Base64(88) => format!("{}==", "A".repeat(86)),
            Str::Base64(n) => "Q".repeat(*n),
            Str::Known(i) => self.pool.strings[i % self.pool.strings.len()].clone(),
        }
    }
    /// A plan as a request object (`{"method","params"}`), mutations applied.
    pub fn plan(&self, plan: &Plan) -> J {
        match plan {
            Plan::Rpc(c) => {
                let (method, params) = self.rpc(c);
                envelope(self, J::s(method), J::Obj(params), &c.muts)
            }
            Plan::Meta {
                kind,
                cond,
                subs,
                muts,
            } => {
                let mut sub = subs.iter().map(|p| self.plan(p));
                let (method, params) = match kind {
                    MetaKind::Batch | MetaKind::Sequence => {
                        let m = if matches!(kind, MetaKind::Batch) {
                            "batch"
                        } else {
                            "sequence"
                        };
                        (m, vec![("requests".to_owned(), J::Arr(sub.collect()))])
                    }
                    MetaKind::IfElse { then, otherwise } => {
                        let mut p = vec![("if".to_owned(), condition(*cond))];
                        for (key, on) in [("then", then), ("else", otherwise)] {
                            if let Some(s) = sub.next().filter(|_| *on) {
                                p.push((key.to_owned(), s));
                            }
                        }
                        ("ifelse", p)
                    }
                };
                envelope(self, J::s(method), J::Obj(params), muts)
            }
        }
    }

    /// Applies key-level mutations to an object (anything else is left alone).
    pub fn mutate_obj(&self, obj: &mut J, muts: &[Mutation]) {
        for m in muts {
            let J::Obj(kv) = obj else {
                if let Mutation::Params(j) = m {
                    *obj = self.junk(j);
                }
                continue;
            };
            let n = kv.len().max(1);
            match m {
                Mutation::Drop(i) if !kv.is_empty() => drop(kv.remove(i % n)),
                Mutation::Duplicate(i, j) if !kv.is_empty() => {
                    let (k, v) = kv[i % n].clone();
                    kv.push((k, j.as_ref().map_or(v, |j| self.junk(j))));
                }
                Mutation::Rename(i, name) if !kv.is_empty() => {
                    kv[i % n].0 = NAMES[name % NAMES.len()].to_owned()
                }
                Mutation::Replace(i, j) if !kv.is_empty() => kv[i % n].1 = self.junk(j),
                Mutation::Add(name, j) => {
                    kv.push((NAMES[name % NAMES.len()].to_owned(), self.junk(j)))
                }
                Mutation::Params(j) => *obj = self.junk(j),
                _ => {}
            }
        }
    }
}

/// `{"method": m, "params": p}` with the mutations applied.
fn envelope(ctx: &Ctx, method: J, mut params: J, muts: &[Mutation]) -> J {
    ctx.mutate_obj(&mut params, muts);
    let mut method = Some(method);
    let mut params = Some(params);
    for m in muts {
        match m {
            Mutation::Method(j) => method = Some(ctx.junk(j)),
            Mutation::DropEnvelopeKey(true) => method = None,
            Mutation::DropEnvelopeKey(false) => params = None,
            _ => {}
        }
    }
    let mut kv = Vec::new();
    kv.extend(method.map(|m| ("method".to_owned(), m)));
    kv.extend(params.map(|p| ("params".to_owned(), p)));
    J::Obj(kv)
}

fn condition(i: usize) -> J {
    let (k, v): (&str, J) = match i {
        0 => ("hf_at_least", J::V(serde_json::json!([19, 0]))),
        1 => ("hf_before", J::V(serde_json::json!([19, 0]))),
        2 => ("v_at_least", J::V(serde_json::json!([2, 0, 0]))),
        3 => ("height_at_least", J::n(0)),
        4 => ("height_before", J::n(1)),
        5 => ("v_before", J::n(99)),
        6 => ("hf_at_least", J::V(serde_json::json!([]))),
        _ => return J::Obj(Vec::new()),
    };
    J::Obj(vec![(k.to_owned(), v)])
}
