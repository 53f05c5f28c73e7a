//! A node facing a peer's expiry stamps, on a real store: only proven changes, dated no later
//! than the window allows, take effect.
use super::*;
use crate::clock::SystemClock;
use crate::replication::sync::apply as apply_batch;
use crate::state::NodeState;
use session_crypto::{IdentityKeys, Seed};
use session_rpc::auth::Auth;
use session_rpc::request::ExpireReq;
use session_store::{ExpiryMode, NewMessage};
use std::sync::Arc;

const DAY: u64 = 86_400_000;

struct Fixture {
    node: NodeState,
    alice: IdentityKeys,
    account: Account,
    hash: MessageHash,
    _dir: tempfile::TempDir,
}

fn keys(n: u8) -> IdentityKeys {
    IdentityKeys::from_seed(Seed::from_bytes([n; 32]))
}

/// A node holding one of Alice's messages, expiring in a day.
fn fixture() -> Fixture {
    let dir = tempfile::tempdir().expect("dir");
    let store = Store::open(&dir.path().join("store")).expect("store");
    let addr = "127.0.0.1:1".parse().expect("addr");
    let node = NodeState::standalone(store, keys(9), Arc::new(SystemClock), addr);
    let alice = keys(1);
    let account = Account(alice.session_id().to_bytes());
    let now = node.now_ms();
    let data = b"a message".to_vec();
    let hash = MessageHash::compute(&account, Namespace(0), &data);
    let msg = NewMessage {
        account,
        namespace: Namespace(0),
        timestamp_ms: now,
        expiry_ms: now + DAY,
        data,
    };
    node.store.store(&msg).expect("stored");
    Fixture {
        node,
        alice,
        account,
        hash,
        _dir: dir,
    }
}

/// `signer`'s `expire` of `hash` to `expiry` for `account`.
fn expire(signer: &IdentityKeys, account: Account, hash: MessageHash, expiry: u64) -> ExpiryProof {
    let mut r = ExpireReq {
        account,
        auth: Auth {
            pubkey_ed25519: Some(*signer.ed25519_public().as_bytes()),
            signature: [0; 64],
            subaccount: None,
        },
        hashes: vec![hash.to_b64()],
        expiries: vec![expiry],
        mode: ExpiryMode::Set,
    };
    r.auth.signature = signer.sign(ExpiryProof::Expire(r.clone()).signed_message().as_bytes());
    ExpiryProof::Expire(r)
}

/// A peer's first batch carrying one stamp of `hash` backed by `body` (under its own id).
fn batch(hash: MessageHash, expiry_ms: u64, set_at_ms: u64, body: Vec<u8>) -> proto::FetchReply {
    let id = id_of(&body);
    proto::FetchReply {
        stamps: vec![proto::ExpiryStamp {
            hash: hash.0.to_vec(),
            expiry_ms,
            set_at_ms,
            proof: id.to_vec(),
        }],
        expiry_proofs: vec![proto::Proof {
            id: id.to_vec(),
            body,
        }],
        ..Default::default()
    }
}

fn expiry(f: &Fixture) -> u64 {
    f.node
        .store
        .get(&f.account, &f.hash)
        .expect("get")
        .expect("held")
        .expiry_ms
}

#[test]
fn a_proven_stamp_moves_the_expiry_and_is_kept() {
    let f = fixture();
    let now = f.node.now_ms();
    let new = now + DAY / 2;
    let p = expire(&f.alice, f.account, f.hash, new);
    apply_batch(
        &f.node,
        f.account,
        Namespace(0),
        batch(f.hash, new, now, p.to_bytes()),
    );
    assert_eq!(expiry(&f), new);
    let kept = f
        .node
        .store
        .stamps(&f.account, Namespace(0))
        .expect("stamps");
    assert_eq!((kept.len(), kept[0].set_at_ms), (1, now));
    assert_eq!(for_reply(&f.node.store, &kept)[0].body, p.to_bytes());
}

#[test]
fn unproven_or_inconsistent_stamps_change_nothing() {
    let f = fixture();
    let now = f.node.now_ms();
    let old = expiry(&f);
    let new = now + 1_000;
    let mallory = keys(2);
    let good = expire(&f.alice, f.account, f.hash, new).to_bytes();
    let cases = [
        (
            "signed by another key",
            batch(
                f.hash,
                new,
                now,
                expire(&mallory, f.account, f.hash, new).to_bytes(),
            ),
        ),
        (
            "another expiry than the proof's",
            batch(f.hash, new - 1, now, good.clone()),
        ),
        (
            "dated over a minute ahead",
            batch(f.hash, new, now + 61_000, good.clone()),
        ),
        (
            "a body that is not a proof",
            batch(f.hash, new, now, b"junk".to_vec()),
        ),
        (
            "another message's proof",
            batch(
                f.hash,
                new,
                now,
                expire(&f.alice, f.account, MessageHash([7; 32]), new).to_bytes(),
            ),
        ),
    ];
    for (what, reply) in cases {
        apply_batch(&f.node, f.account, Namespace(0), reply);
        assert_eq!(expiry(&f), old, "{what}");
        assert!(
            f.node
                .store
                .stamps(&f.account, Namespace(0))
                .expect("stamps")
                .is_empty(),
            "{what}"
        );
    }
    // A proof filed under an id that is not its hash.
    let mut wrong_id = batch(f.hash, new, now, good);
    wrong_id.expiry_proofs[0].id = vec![1; 32];
    wrong_id.stamps[0].proof = vec![1; 32];
    apply_batch(&f.node, f.account, Namespace(0), wrong_id);
    assert_eq!(expiry(&f), old, "mislabelled proof");
}

#[test]
fn the_newest_stamp_wins_whatever_the_order() {
    let f = fixture();
    let now = f.node.now_ms();
    let (first, second) = (now + 5_000, now + 3_000);
    let p1 = expire(&f.alice, f.account, f.hash, first).to_bytes();
    let p2 = expire(&f.alice, f.account, f.hash, second).to_bytes();
    apply_batch(
        &f.node,
        f.account,
        Namespace(0),
        batch(f.hash, second, now - 10, p2),
    );
    apply_batch(
        &f.node,
        f.account,
        Namespace(0),
        batch(f.hash, first, now - 20, p1),
    );
    assert_eq!(expiry(&f), second, "the later change (shorter) stays");
}
