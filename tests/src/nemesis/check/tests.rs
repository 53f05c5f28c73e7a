//! The checker on hand-made histories: a clean history passes, and each anomaly kind is found.

use super::{Final, Kind, check};
use crate::nemesis::history::{Answer, Op, Request, Seen};
use std::collections::BTreeMap;

const KEY: (usize, i16) = (0, 0);
const A: &str = "aaaaaaaaaaaa";
const B: &str = "bbbbbbbbbbbb";

fn op(start: u64, node: &str, request: Request, answer: Answer) -> Op {
    Op {
        client: 0,
        account: KEY.0,
        ns: KEY.1,
        node: node.into(),
        start_ms: start,
        end_ms: start + 5,
        request,
        answer,
    }
}

fn seen(hash: &str, expiry: u64) -> Seen {
    Seen {
        hash: hash.into(),
        data: format!("data of {hash}").into_bytes(),
        expiry_ms: expiry,
    }
}

fn store(start: u64, hash: &str, answer: Answer) -> Op {
    let request = Request::Store {
        hash: hash.into(),
        data: format!("data of {hash}").into_bytes(),
        expiry_ms: 1_000,
    };
    op(start, A, request, answer)
}

fn stored(start: u64, hash: &str) -> Op {
    store(start, hash, Answer::Stored { hash: hash.into() })
}

fn by(node: &str, hashes: &[&str]) -> BTreeMap<String, Vec<String>> {
    BTreeMap::from([(
        node.to_owned(),
        hashes.iter().map(|h| (*h).to_owned()).collect(),
    )])
}

fn delete(start: u64, hashes: &[&str], answer: Answer) -> Op {
    let request = Request::Delete {
        hashes: hashes.iter().map(|h| (*h).to_owned()).collect(),
    };
    op(start, A, request, answer)
}

fn expire(start: u64, hash: &str, expiry: u64, answer: Answer) -> Op {
    op(
        start,
        A,
        Request::Expire {
            hashes: vec![hash.into()],
            expiry_ms: expiry,
        },
        answer,
    )
}

fn retrieve(start: u64, node: &str, after: &str, messages: Vec<Seen>, more: bool) -> Op {
    let request = Request::Retrieve {
        after: after.into(),
        max_count: 10,
    };
    op(start, node, request, Answer::Retrieved { messages, more })
}

/// Both members hold `walk`.
fn finals(walk: &[Seen]) -> Final {
    let members = BTreeMap::from([
        (A.into(), Some(walk.to_vec())),
        (B.into(), Some(walk.to_vec())),
    ]);
    BTreeMap::from([(KEY, members)])
}

fn kinds(ops: &[Op], f: &Final) -> Vec<Kind> {
    let mut k: Vec<Kind> = check(ops, f).into_iter().map(|a| a.kind).collect();
    k.dedup();
    k
}

/// Stores (one acked, one timed out, one refused), a retrieve, a delete, an expiry change,
/// and a final state that matches.
fn clean() -> (Vec<Op>, Final) {
    let ops = vec![
        stored(10, "h1"),
        stored(20, "h2"),
        store(
            30,
            "h3",
            Answer::Unknown {
                error: "timeout".into(),
            },
        ),
        store(35, "h4", Answer::Refused { status: 421 }),
        retrieve(40, A, "", vec![seen("h1", 1_000), seen("h2", 1_000)], false),
        delete(
            50,
            &["h2"],
            Answer::Deleted {
                by_node: by(A, &["h2"]),
            },
        ),
        expire(
            60,
            "h1",
            2_000,
            Answer::Expired {
                by_node: by(A, &["h1"]),
            },
        ),
        retrieve(70, A, "h2", vec![seen("h1", 2_000)], false),
    ];
    (ops, finals(&[seen("h1", 2_000)]))
}

#[test]
fn a_clean_history_passes() {
    let (ops, f) = clean();
    assert_eq!(check(&ops, &f), vec![]);
}

#[test]
fn a_maybe_store_may_be_held_by_all_or_none() {
    let (mut ops, _) = clean();
    ops.push(retrieve(80, A, "h1", vec![seen("h3", 1_000)], false));
    assert_eq!(
        kinds(&ops, &finals(&[seen("h1", 2_000), seen("h3", 1_000)])),
        vec![]
    );
    let mut f = finals(&[seen("h1", 2_000)]);
    f.get_mut(&KEY)
        .map(|m| m.insert(B.into(), Some(vec![seen("h1", 2_000), seen("h3", 1_000)])));
    assert_eq!(kinds(&ops, &f), vec![Kind::Divergent]);
}

#[test]
fn an_acknowledged_store_missing_at_a_member_is_lost() {
    let (ops, _) = clean();
    assert_eq!(kinds(&ops, &finals(&[])), vec![Kind::Lost]);
}

#[test]
fn a_deleted_message_held_at_the_end_or_returned_again_is_resurrected() {
    let (ops, _) = clean();
    assert_eq!(
        kinds(&ops, &finals(&[seen("h1", 2_000), seen("h2", 1_000)])),
        vec![Kind::Resurrected]
    );
    let (mut ops, f) = clean();
    ops.push(retrieve(80, A, "", vec![seen("h2", 1_000)], true));
    assert_eq!(kinds(&ops, &f), vec![Kind::Resurrected]);
    // A member that did not say it deleted it may still return it for a while.
    let (mut ops, f) = clean();
    ops.push(retrieve(80, B, "", vec![seen("h2", 1_000)], true));
    assert_eq!(kinds(&ops, &f), vec![]);
}

#[test]
fn an_unknown_hash_is_a_phantom_and_other_bytes_are_corrupt() {
    let (mut ops, f) = clean();
    ops.push(retrieve(80, B, "", vec![seen("nope", 1_000)], true));
    assert_eq!(kinds(&ops, &f), vec![Kind::Phantom]);
    let (mut ops, f) = clean();
    let mut bad = seen("h1", 2_000);
    bad.data = b"other".to_vec();
    ops.push(retrieve(80, B, "", vec![bad], true));
    assert_eq!(kinds(&ops, &f), vec![Kind::Corrupt]);
    let (mut ops, f) = clean();
    ops.push(store(90, "h5", Answer::Stored { hash: "h6".into() }));
    assert_eq!(kinds(&ops, &f), vec![Kind::Corrupt]);
}

#[test]
fn a_hash_twice_in_one_answer_is_a_duplicate() {
    let (mut ops, f) = clean();
    ops.push(retrieve(
        80,
        B,
        "",
        vec![seen("h1", 2_000), seen("h1", 2_000)],
        true,
    ));
    assert_eq!(kinds(&ops, &f), vec![Kind::Duplicate]);
    let (ops, _) = clean();
    assert_eq!(
        kinds(&ops, &finals(&[seen("h1", 2_000), seen("h1", 2_000)])),
        vec![Kind::Duplicate]
    );
}

#[test]
fn an_acknowledged_expiry_change_must_hold_unless_a_later_one_may_have_won() {
    let (ops, _) = clean();
    // A acknowledged the change, B did not.
    let found: Vec<(Kind, Option<String>)> = check(&ops, &finals(&[seen("h1", 1_000)]))
        .into_iter()
        .map(|a| (a.kind, a.node))
        .collect();
    assert_eq!(
        found,
        vec![
            (Kind::Expiry, Some(A.into())),
            (Kind::ExpiryStale, Some(B.into()))
        ]
    );
    let (mut ops, _) = clean();
    ops.push(expire(
        80,
        "h1",
        3_000,
        Answer::Unknown {
            error: "timeout".into(),
        },
    ));
    assert_eq!(kinds(&ops, &finals(&[seen("h1", 3_000)])), vec![]);
    assert_eq!(kinds(&ops, &finals(&[seen("h1", 2_000)])), vec![]);
    assert_eq!(
        kinds(&ops, &finals(&[seen("h1", 1_000)])),
        vec![Kind::Expiry, Kind::ExpiryStale]
    );
}

#[test]
fn a_cursor_walked_to_its_end_that_missed_a_held_message_skipped_it() {
    let (mut ops, _) = clean();
    ops.push(stored(80, "h5"));
    ops.push(retrieve(90, A, "h1", vec![], false));
    assert_eq!(
        kinds(&ops, &finals(&[seen("h1", 2_000), seen("h5", 1_000)])),
        vec![Kind::Skipped]
    );
    // A walk that did not reach its end proves nothing.
    let (mut ops, _) = clean();
    ops.push(stored(80, "h5"));
    ops.push(retrieve(90, A, "h1", vec![], true));
    assert_eq!(
        kinds(&ops, &finals(&[seen("h1", 2_000), seen("h5", 1_000)])),
        vec![]
    );
}

#[test]
fn a_refused_store_held_anyway_and_a_silent_member_are_anomalies() {
    let (mut ops, _) = clean();
    ops.push(retrieve(80, A, "h1", vec![seen("h4", 1_000)], false));
    assert_eq!(
        kinds(&ops, &finals(&[seen("h1", 2_000), seen("h4", 1_000)])),
        vec![Kind::RefusedApplied]
    );
    let (ops, mut f) = clean();
    f.get_mut(&KEY).map(|m| m.insert(B.into(), None));
    assert_eq!(kinds(&ops, &f), vec![Kind::Unanswered]);
}
