//! Model-based property test: random stores, deletes, expiry changes and purges against a plain
//! in-memory model; every retrieve must agree.
use crate::{acct, msg, open};
use proptest::prelude::*;
use session_store::*;

#[derive(Debug, Clone)]
enum Op {
    Store {
        who: u8,
        ns: i16,
        data: u8,
        expiry: u64,
    },
    Delete {
        who: u8,
        pick: usize,
    },
    Shorten {
        who: u8,
        pick: usize,
        expiry: u64,
    },
    Purge {
        now: u64,
    },
}

fn op() -> impl Strategy<Value = Op> {
    prop_oneof![
        4 => (0u8..2, -2i16..2, 0u8..6, 1u64..100).prop_map(|(who, ns, data, expiry)| Op::Store { who, ns, data, expiry }),
        1 => (0u8..2, 0usize..8).prop_map(|(who, pick)| Op::Delete { who, pick }),
        1 => (0u8..2, 0usize..8, 1u64..100).prop_map(|(who, pick, expiry)| Op::Shorten { who, pick, expiry }),
        1 => (0u64..100).prop_map(|now| Op::Purge { now }),
    ]
}

#[derive(Clone, Debug)]
struct M {
    who: u8,
    ns: i16,
    hash: MessageHash,
    expiry: u64,
}

proptest! {
    #![proptest_config(ProptestConfig::with_cases(64))]
    #[test]
    fn store_matches_model(ops in prop::collection::vec(op(), 1..60), now in 0u64..100) {
        let (_d, s) = open();
        let mut model: Vec<M> = Vec::new();
        for op in ops {
            match op {
                Op::Store { who, ns, data, expiry } => {
                    let m = msg(acct(who), ns, 1, expiry, &[data]);
                    let hash = MessageHash::compute(&m.account, m.namespace, &m.data);
                    s.store(&m).unwrap();
                    match model.iter_mut().find(|x| x.hash == hash) {
                        Some(x) => x.expiry = x.expiry.max(expiry),
                        None => model.push(M { who, ns, hash, expiry }),
                    }
                }
                Op::Delete { who, pick } => {
                    let Some(target) = model.iter().filter(|x| x.who == who).nth(pick).cloned() else { continue };
                    prop_assert_eq!(s.delete_hashes(&acct(who), &[target.hash], None).unwrap(), vec![target.hash]);
                    model.retain(|x| x.hash != target.hash);
                }
                Op::Shorten { who, pick, expiry } => {
                    let Some(t) = model.iter_mut().filter(|x| x.who == who).nth(pick) else { continue };
                    s.update_expiry(&acct(who), &[t.hash], expiry, ExpiryMode::Shorten, None).unwrap();
                    t.expiry = t.expiry.min(expiry);
                }
                Op::Purge { now } => {
                    let n = s.purge_expired(now).unwrap();
                    let before = model.len();
                    model.retain(|x| x.expiry > now);
                    prop_assert_eq!(n, before - model.len());
                }
            }
        }
        for who in 0..2u8 {
            for ns in -2i16..2 {
                let got: Vec<_> = s.retrieve(&acct(who), Namespace(ns), None, 1000, usize::MAX, now).unwrap()
                    .messages.into_iter().map(|m| (m.hash, m.expiry_ms)).collect();
                let want: Vec<_> = model.iter().filter(|x| x.who == who && x.ns == ns && x.expiry > now)
                    .map(|x| (x.hash, x.expiry)).collect();
                prop_assert_eq!(got, want);
            }
        }
    }
}
