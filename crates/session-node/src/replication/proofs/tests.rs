//! A node facing a peer's tombstones, on a real store: only proven, covered deletions
//! take effect.
use super::*;
use crate::clock::SystemClock;
use crate::state::NodeState;
use session_crypto::{IdentityKeys, Seed};
use session_rpc::auth::Auth;
use session_rpc::request::NsSel;
use session_store::NewMessage;
use std::sync::Arc;

const DAY: u64 = 86_400_000;

struct Fixture {
    node: NodeState,
    alice: IdentityKeys,
    account: Account,
    held: Vec<(MessageHash, u64)>,
    _dir: tempfile::TempDir,
}

fn keys(n: u8) -> IdentityKeys {
    IdentityKeys::from_seed(Seed::from_bytes([n; 32]))
}

/// A node holding two of Alice's messages (sent at now − 2 s and now − 1 s).
fn fixture() -> Fixture {
    let dir = tempfile::tempdir().expect("dir");
    let store = Store::open(&dir.path().join("store")).expect("store");
    let addr = "127.0.0.1:1".parse().expect("addr");
    let node = NodeState::standalone(store, keys(9), Arc::new(SystemClock), addr);
    let alice = keys(1);
    let account = Account(alice.session_id().to_bytes());
    let now = node.now_ms();
    let mut held = Vec::new();
    for (i, ts) in [now - 2_000, now - 1_000].into_iter().enumerate() {
        let data = format!("message {i}").into_bytes();
        held.push((MessageHash::compute(&account, Namespace(0), &data), ts));
        let msg = NewMessage {
            account,
            namespace: Namespace(0),
            timestamp_ms: ts,
            expiry_ms: now + DAY,
            data,
        };
        node.store.store(&msg).expect("stored");
    }
    Fixture {
        node,
        alice,
        account,
        held,
        _dir: dir,
    }
}

/// `signer`'s proof of `scope` for `account`, claiming `signer`'s key.
fn proof(signer: &IdentityKeys, account: Account, scope: Scope) -> DeletionProof {
    let mut p = DeletionProof {
        account,
        auth: Auth {
            pubkey_ed25519: Some(*signer.ed25519_public().as_bytes()),
            signature: [0; 64],
            subaccount: None,
        },
        scope,
    };
    p.auth.signature = signer.sign(p.signed_message().as_bytes());
    p
}

/// A peer's batch with one tombstone for `hash` backed by `proof` (under `id`, or the
/// proof's own id).
fn batch(
    hash: MessageHash,
    proof: Option<&DeletionProof>,
    id: Option<[u8; 32]>,
) -> proto::FetchReply {
    let body = proof.map(DeletionProof::to_bytes).unwrap_or_default();
    let id = id.or(proof.map(DeletionProof::id));
    proto::FetchReply {
        deleted: vec![proto::Tombstone {
            hash: hash.0.to_vec(),
            expiry_ms: u64::MAX / 2,
            proof: id.map(|i| i.to_vec()).unwrap_or_default(),
        }],
        proofs: proof
            .map(|_| {
                vec![proto::Proof {
                    id: id.unwrap_or_default().to_vec(),
                    body,
                }]
            })
            .unwrap_or_default(),
        ..Default::default()
    }
}

fn held_count(f: &Fixture) -> usize {
    f.node
        .store
        .live_hashes(&f.account, Namespace(0), f.node.now_ms())
        .expect("hashes")
        .len()
}

fn apply(f: &Fixture, reply: proto::FetchReply) {
    super::super::sync::apply(&f.node, f.account, Namespace(0), reply);
}

#[test]
fn unproven_forged_or_uncovered_tombstones_delete_nothing() {
    let f = fixture();
    let (m0, ts0) = f.held[0];
    let mallory = keys(2);
    let hashes = |h: MessageHash| Scope::Hashes(vec![h.to_b64()]);
    let cases = [
        ("no proof", batch(m0, None, None)),
        (
            "signed by someone else",
            batch(m0, Some(&proof(&mallory, f.account, hashes(m0))), None),
        ),
        (
            "a proof for another message",
            batch(
                m0,
                Some(&proof(&f.alice, f.account, hashes(f.held[1].0))),
                None,
            ),
        ),
        (
            "delete_before that does not reach it",
            batch(
                m0,
                Some(&proof(
                    &f.alice,
                    f.account,
                    Scope::Before {
                        ns: NsSel::One(Namespace(0)),
                        // `before` itself is deleted (<=), so one ms earlier misses it
                        before_ms: ts0 - 1,
                    },
                )),
                None,
            ),
        ),
        (
            "a proof under another id",
            batch(
                m0,
                Some(&proof(&f.alice, f.account, hashes(m0))),
                Some([7; 32]),
            ),
        ),
    ];
    for (what, reply) in cases {
        apply(&f, reply);
        assert_eq!(held_count(&f), 2, "{what}");
        let t = f
            .node
            .store
            .tombstones(&f.account, Namespace(0))
            .expect("t");
        assert!(t.is_empty(), "{what}: {t:?}");
    }
}

#[test]
fn a_proven_deletion_applies_and_is_passed_on_with_its_proof() {
    let f = fixture();
    let (m0, _) = f.held[0];
    let p = proof(
        &f.alice,
        f.account,
        Scope::All {
            ns: NsSel::One(Namespace(0)),
            timestamp_ms: f.node.now_ms(),
        },
    );
    apply(&f, batch(m0, Some(&p), None));
    assert_eq!(held_count(&f), 1);
    let t = f
        .node
        .store
        .tombstones(&f.account, Namespace(0))
        .expect("t");
    assert_eq!(t.len(), 1);
    assert_eq!((t[0].hash, t[0].proof), (m0, Some(p.id())));
    // What this node serves lets the next node check it too.
    let served = for_reply(&f.node.store, &t);
    assert_eq!(served.len(), 1);
    assert_eq!(DeletionProof::from_bytes(&served[0].body), Some(p));
}

#[test]
fn a_message_not_held_is_tombstoned_only_by_a_proof_that_lists_it() {
    let f = fixture();
    let absent = MessageHash([3; 32]);
    let everything = Scope::All {
        ns: NsSel::All,
        timestamp_ms: f.node.now_ms(),
    };
    apply(
        &f,
        batch(absent, Some(&proof(&f.alice, f.account, everything)), None),
    );
    assert!(
        f.node
            .store
            .tombstones(&f.account, Namespace(0))
            .expect("t")
            .is_empty()
    );
    let listed = Scope::Hashes(vec![absent.to_b64()]);
    apply(
        &f,
        batch(absent, Some(&proof(&f.alice, f.account, listed)), None),
    );
    let t = f
        .node
        .store
        .tombstones(&f.account, Namespace(0))
        .expect("t");
    assert_eq!(t.iter().map(|t| t.hash).collect::<Vec<_>>(), [absent]);
    assert_eq!(held_count(&f), 2);
}
