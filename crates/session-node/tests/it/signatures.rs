//! Every signed storage method against forged signatures, signatures made for another method
//! (cross-method reuse) and the edges of the ±60 s window (issue 21): a table, one row per
//! method, each row first proven valid so that a refusal means what it says.

use crate::support::*;
use serde_json::{Value, json};

/// One signed method: builds its params for `user` at time `ts`, with the signature over the
/// string `signed(ts)` made by `signer` (the owner, or a forger).
struct Row {
    method: &'static str,
    /// The string the owner signs at `ts`.
    signed: fn(u64) -> String,
    /// The params besides pubkey, pubkey_ed25519 and signature, at signature time `ts` and
    /// node time `now`.
    params: fn(u64, u64) -> Value,
    /// Whether `ts` is checked against the ±60 s window.
    windowed: bool,
}

const HASH: &str = "AAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAA";

fn rows() -> Vec<Row> {
    vec![
        Row {
            method: "store",
            signed: |ts| format!("store2{ts}"),
            // The message's own timestamp has its own (10 s) rule; the window is the signature's.
            params: |ts, now| json!({"namespace": 2, "timestamp": now, "sig_timestamp": ts, "ttl": DAY, "data": "AAAA"}),
            windowed: true,
        },
        Row {
            method: "retrieve",
            signed: |ts| format!("retrieve2{ts}"),
            params: |ts, _| json!({"namespace": 2, "timestamp": ts}),
            windowed: true,
        },
        Row {
            method: "delete_all",
            signed: |ts| format!("delete_all{ts}"),
            params: |ts, _| json!({"timestamp": ts}),
            windowed: true,
        },
        Row {
            method: "get_expiries",
            signed: |ts| format!("get_expiries{ts}{HASH}"),
            params: |ts, _| json!({"timestamp": ts, "messages": [HASH]}),
            windowed: true,
        },
        Row {
            method: "delete",
            signed: |_| format!("delete{HASH}"),
            params: |_, _| json!({"messages": [HASH]}),
            windowed: false,
        },
        Row {
            method: "delete_before",
            signed: |ts| format!("delete_before{ts}"),
            params: |ts, _| json!({"before": ts}),
            windowed: false,
        },
    ]
}

/// `row`'s params at signature time `ts` (node time `now`), signed over `msg` by `signer`, claiming `owner`'s keys.
fn request(row: &Row, owner: &User, signer: &User, (ts, now): (u64, u64), msg: &str) -> Value {
    let mut p = owner.auth(msg, (row.params)(ts, now));
    p["signature"] = json!(signer.sign(msg));
    p
}

#[tokio::test]
async fn every_signed_method_refuses_forged_and_cross_method_signatures() {
    let node = start().await;
    let (owner, forger) = (User::new(40), User::new(41));
    for row in rows() {
        let (ts, now) = (node.now(), node.now());
        let own = node
            .rpc(
                row.method,
                request(&row, &owner, &owner, (ts, now), &(row.signed)(ts)),
            )
            .await;
        assert_eq!(
            own.code, 200,
            "{}: the valid request: {}",
            row.method, own.text
        );
        let forged = node
            .rpc(
                row.method,
                request(&row, &owner, &forger, (ts, now), &(row.signed)(ts)),
            )
            .await;
        assert_eq!(
            forged.code, 401,
            "{}: signed by another key: {}",
            row.method, forged.text
        );
        for other in rows().iter().filter(|o| o.method != row.method) {
            let reused = (other.signed)(ts);
            let r = node
                .rpc(
                    row.method,
                    request(&row, &owner, &owner, (ts, now), &reused),
                )
                .await;
            assert_eq!(
                r.code, 401,
                "{} with {}'s signature: {}",
                row.method, other.method, r.text
            );
        }
    }
}

#[tokio::test]
async fn the_sixty_second_window_holds_at_its_edges() {
    let node = start().await;
    let owner = User::new(42);
    for row in rows().into_iter().filter(|r| r.windowed) {
        for (offset, code) in [
            (-59_000i64, 200u16),
            (59_000, 200),
            (-61_000, 406),
            (61_000, 406),
        ] {
            let now = node.now();
            let ts = now.saturating_add_signed(offset);
            let r = node
                .rpc(
                    row.method,
                    request(&row, &owner, &owner, (ts, now), &(row.signed)(ts)),
                )
                .await;
            assert_eq!(
                r.code, code,
                "{} at now {offset:+} ms: {}",
                row.method, r.text
            );
        }
    }
}
