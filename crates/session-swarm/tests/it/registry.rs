//! Registry replay: the registration message, and every reason to ignore an event.

use ed25519_dalek::VerifyingKey;
use session_swarm::{
    EventOutcome, IgnoreReason, NodeRecord, NodeStatus, Registry, RegistryContext, RegistryEvent,
    RegistryEventKind, registration_message,
};

use crate::common::{CTX, activated, exited, record, registered, sign};

fn reg(record: NodeRecord, signature: Vec<u8>) -> RegistryEvent {
    RegistryEvent {
        block: 1,
        log_index: 0,
        kind: RegistryEventKind::Registered { record, signature },
    }
}

fn ignored(reason: IgnoreReason) -> EventOutcome {
    EventOutcome::Ignored(reason)
}

#[test]
fn registration_message_layout() {
    let ctx = RegistryContext {
        chain_id: 42161,
        registry: std::array::from_fn(|i| 0x10 + i as u8),
    };
    let r = NodeRecord {
        id: 99, // not signed
        operator: std::array::from_fn(|i| 0x30 + i as u8),
        ed25519: std::array::from_fn(|i| 0xE0 + (i % 16) as u8),
        x25519: std::array::from_fn(|i| 0x70 + (i % 16) as u8),
        ipv4: [10, 1, 2, 3],
        http_port: 443,
        grpc_port: 50051,
    };
    let expected = concat!(
        "73657373696f6e2d72732d72656769737465722d7631", // "session-rs-register-v1"
        "000000000000000000000000000000000000000000000000000000000000a4b1", // chain id 42161
        "101112131415161718191a1b1c1d1e1f20212223",     // registry
        "303132333435363738393a3b3c3d3e3f40414243",     // operator
        "e0e1e2e3e4e5e6e7e8e9eaebecedeeefe0e1e2e3e4e5e6e7e8e9eaebecedeeef", // ed25519
        "707172737475767778797a7b7c7d7e7f707172737475767778797a7b7c7d7e7f", // x25519
        "0a010203",                                     // ipv4
        "01bb",                                         // http 443
        "c383",                                         // grpc 50051
    );
    let msg = registration_message(&ctx, &r);
    assert_eq!(msg.len(), 166);
    assert_eq!(hex::encode(&msg), expected);
    assert_eq!(
        registration_message(&ctx, &NodeRecord { id: 1, ..r.clone() }),
        msg
    );
}

#[test]
fn valid_registration_then_lifecycle() {
    let mut reg_ = Registry::new(CTX);
    assert_eq!(reg_.apply(&registered(1, 10, 1, 0)), EventOutcome::Applied);
    assert_eq!(reg_.node(10).unwrap().status, NodeStatus::Registered);
    assert_eq!(reg_.active().count(), 0);
    assert_eq!(reg_.apply(&activated(10, 2, 0)), EventOutcome::Applied);
    assert_eq!(reg_.active().count(), 1);
    assert_eq!(
        reg_.apply(&activated(10, 2, 1)),
        ignored(IgnoreReason::AlreadyActive { id: 10 })
    );

    let request = RegistryEvent {
        block: 3,
        log_index: 0,
        kind: RegistryEventKind::ExitRequested {
            id: 10,
            unlock_time: 1_700_000_000,
        },
    };
    assert_eq!(reg_.apply(&request), EventOutcome::Applied);
    assert_eq!(
        reg_.active().count(),
        1,
        "an exit request does not remove the node"
    );
    assert_eq!(reg_.node(10).unwrap().exit_unlock_time, Some(1_700_000_000));

    assert_eq!(reg_.apply(&exited(10, 4, 0)), EventOutcome::Applied);
    assert_eq!(reg_.active().count(), 0);
    assert_eq!(reg_.node(10).unwrap().status, NodeStatus::Exited);
    assert_eq!(
        reg_.apply(&exited(10, 4, 1)),
        ignored(IgnoreReason::NodeExited { id: 10 })
    );
    assert_eq!(
        reg_.apply(&activated(10, 4, 2)),
        ignored(IgnoreReason::NodeExited { id: 10 })
    );
    assert!(reg_.live_node_by_key(&record(1, 10).ed25519).is_none());

    // The key is free again, under a new id; the old id stays taken.
    assert_eq!(reg_.apply(&registered(1, 11, 5, 0)), EventOutcome::Applied);
    assert_eq!(
        reg_.live_node_by_key(&record(1, 11).ed25519)
            .unwrap()
            .record
            .id,
        11
    );
    assert_eq!(
        reg_.apply(&registered(2, 10, 5, 1)),
        ignored(IgnoreReason::DuplicateId { id: 10 })
    );
}

#[test]
fn unknown_ids_are_ignored() {
    let mut reg_ = Registry::new(CTX);
    assert_eq!(
        reg_.apply(&activated(5, 1, 0)),
        ignored(IgnoreReason::UnknownNode { id: 5 })
    );
    assert_eq!(
        reg_.apply(&exited(5, 1, 1)),
        ignored(IgnoreReason::UnknownNode { id: 5 })
    );
    let request = RegistryEvent {
        block: 1,
        log_index: 2,
        kind: RegistryEventKind::ExitRequested {
            id: 5,
            unlock_time: 0,
        },
    };
    assert_eq!(
        reg_.apply(&request),
        ignored(IgnoreReason::UnknownNode { id: 5 })
    );
}

#[test]
fn bad_signature_is_ignored_and_its_id_stays_unknown() {
    let r = record(1, 10);
    let mut sig = sign(&CTX, 1, &r);
    sig[5] ^= 1;
    let mut reg_ = Registry::new(CTX);
    assert_eq!(
        reg_.apply(&reg(r, sig)),
        ignored(IgnoreReason::BadSignature)
    );
    assert_eq!(
        reg_.apply(&activated(10, 2, 0)),
        ignored(IgnoreReason::UnknownNode { id: 10 })
    );
    assert_eq!(reg_.nodes().count(), 0);
}

#[test]
fn wrong_signature_length_is_ignored() {
    let r = record(1, 10);
    let sig = sign(&CTX, 1, &r);
    let mut reg_ = Registry::new(CTX);
    for len in [0, 63, 65, 128] {
        let mut s = sig.clone();
        s.resize(len, 0);
        assert_eq!(
            reg_.apply(&reg(r.clone(), s)),
            ignored(IgnoreReason::SignatureLength { got: len })
        );
    }
}

#[test]
fn x25519_mismatch_is_ignored() {
    let mut r = record(1, 10);
    r.x25519 = record(2, 10).x25519;
    let sig = sign(&CTX, 1, &r); // a valid signature over the wrong pairing
    let mut reg_ = Registry::new(CTX);
    assert_eq!(
        reg_.apply(&reg(r.clone(), sig)),
        ignored(IgnoreReason::X25519Mismatch)
    );
    // The raw Ed25519 bytes are not the X25519 key either.
    r.x25519 = r.ed25519;
    let sig = sign(&CTX, 1, &r);
    assert_eq!(
        reg_.apply(&reg(r, sig)),
        ignored(IgnoreReason::X25519Mismatch)
    );
}

#[test]
fn duplicate_live_key_is_ignored() {
    let mut reg_ = Registry::new(CTX);
    assert_eq!(reg_.apply(&registered(1, 10, 1, 0)), EventOutcome::Applied);
    // Same key, new id, fresh valid signature: still a duplicate while node 10 is live
    // (registered, not yet active).
    assert_eq!(
        reg_.apply(&registered(1, 11, 1, 1)),
        ignored(IgnoreReason::DuplicateKey { existing: 10 })
    );
    assert_eq!(reg_.apply(&activated(10, 2, 0)), EventOutcome::Applied);
    assert_eq!(
        reg_.apply(&registered(1, 12, 2, 1)),
        ignored(IgnoreReason::DuplicateKey { existing: 10 })
    );
    assert_eq!(reg_.active().count(), 1);
}

#[test]
fn signature_for_another_deployment_or_operator_is_ignored() {
    let r = record(1, 10);
    let other_chain = RegistryContext {
        chain_id: CTX.chain_id + 1,
        ..CTX
    };
    let other_registry = RegistryContext {
        registry: [0xAC; 20],
        ..CTX
    };
    let mut reg_ = Registry::new(CTX);
    for ctx in [other_chain, other_registry] {
        let sig = sign(&ctx, 1, &r);
        assert_eq!(
            reg_.apply(&reg(r.clone(), sig)),
            ignored(IgnoreReason::BadSignature)
        );
    }
    // Signed for one operator, submitted by another.
    let sig = sign(&CTX, 1, &r);
    let stolen = NodeRecord {
        operator: [0xEE; 20],
        ..r.clone()
    };
    assert_eq!(
        reg_.apply(&reg(stolen, sig.clone())),
        ignored(IgnoreReason::BadSignature)
    );
    // Any other changed field breaks it too.
    let moved = NodeRecord {
        ipv4: [1, 2, 3, 4],
        ..r.clone()
    };
    assert_eq!(
        reg_.apply(&reg(moved, sig.clone())),
        ignored(IgnoreReason::BadSignature)
    );
    // The untouched original still registers.
    assert_eq!(reg_.apply(&reg(r, sig)), EventOutcome::Applied);
}

#[test]
fn invalid_and_weak_keys_are_ignored() {
    // Some y coordinates have no point; find one rather than hard-code it.
    let not_a_point = (0u8..=255)
        .map(|b| [b; 32])
        .find(|k| VerifyingKey::from_bytes(k).is_err())
        .expect("some repeated-byte string is not a point");
    let mut reg_ = Registry::new(CTX);
    let r = NodeRecord {
        ed25519: not_a_point,
        ..record(1, 10)
    };
    assert_eq!(
        reg_.apply(&reg(r, vec![0; 64])),
        ignored(IgnoreReason::InvalidKey)
    );

    // The identity point is a valid encoding but small order: verify_strict refuses it.
    let mut identity = [0u8; 32];
    identity[0] = 1;
    let r = NodeRecord {
        ed25519: identity,
        ..record(1, 10)
    };
    let mut sig = vec![0u8; 64];
    sig[0] = 1; // R = identity, s = 0: "valid" for a weak key under non-strict checks
    assert_eq!(
        reg_.apply(&reg(r, sig)),
        ignored(IgnoreReason::BadSignature)
    );
}
