//! insta snapshots pinning the exact bytes of every message kind (fixed keys; the deterministic
//! 1:1 variant; a seeded RNG where randomness remains), and a test that reads each snapshot file
//! back and decodes it to the value it was built from.
use crate::fixtures::{self, SENT_MS};
use crate::{SERVER_PK, recipient, rng, sender};
use prost::Message as _;
use session_crypto::BlindKind;
use session_crypto::blinding::blinded_keypair;
use session_protocol::community::*;
use session_protocol::decode_incoming;
use session_protocol::one_to_one::encode_for_recipient_deterministic;
use session_protocol::proto::{self, Content};

fn one_to_one_snapshot(content: &Content) -> String {
    let wire =
        encode_for_recipient_deterministic(&sender(), &recipient().session_id(), content, SENT_MS)
            .unwrap();
    format!(
        "content: {}\none_to_one: {}",
        hex::encode(content.encode_to_vec()),
        hex::encode(wire)
    )
}

fn signers(k: &session_crypto::IdentityKeys) -> Vec<(&'static str, CommunitySigner<'_>)> {
    vec![
        ("community_unblinded", CommunitySigner::Unblinded(k)),
        ("community_blind15", CommunitySigner::Blind15(k, &SERVER_PK)),
        ("community_blind25", CommunitySigner::Blind25(k, &SERVER_PK)),
    ]
}

fn community_content() -> Content {
    fixtures::all().remove(0).1
}

#[test]
fn snapshot_one_to_one_messages() {
    for (name, content) in fixtures::all() {
        insta::assert_snapshot!(name, one_to_one_snapshot(&content));
    }
}

#[test]
fn snapshot_community_messages() {
    let k = sender();
    for (name, signer) in signers(&k) {
        let msg = encode_community_message(&community_content(), &signer).unwrap();
        let text = format!(
            "poster: {}\ndata: {}\nsignature: {}",
            signer.poster(),
            hex::encode(&msg.data),
            hex::encode(msg.signature)
        );
        insta::assert_snapshot!(name, text);
    }
    for (name, kind) in [
        ("blinded_dm_15", BlindKind::Blind15),
        ("blinded_dm_25", BlindKind::Blind25),
    ] {
        let to = blinded_keypair(kind, &recipient(), &SERVER_PK).id();
        let ct = encode_blinded_dm(
            &sender(),
            &SERVER_PK,
            &to,
            &community_content(),
            &mut rng(42),
        )
        .unwrap();
        let from = blinded_keypair(kind, &sender(), &SERVER_PK).id();
        insta::assert_snapshot!(
            name,
            format!("from: {from}\nto: {to}\nciphertext: {}", hex::encode(ct))
        );
    }
}

/// The value of `key: value` in a stored snapshot file.
fn stored(name: &str, key: &str) -> Vec<u8> {
    let path = format!(
        "{}/tests/it/snapshots/it__pinned__{name}.snap",
        env!("CARGO_MANIFEST_DIR")
    );
    let text = std::fs::read_to_string(&path).unwrap_or_else(|e| panic!("{path}: {e}"));
    let prefix = format!("{key}: ");
    let line = text
        .lines()
        .find_map(|l| l.strip_prefix(prefix.as_str()))
        .unwrap_or_else(|| panic!("{path}: no {key}"));
    hex::decode(line).unwrap()
}

#[test]
fn stored_snapshots_decode_to_their_values() {
    let r = recipient();
    for (name, content) in fixtures::all() {
        let from_proto: Content = proto::decode(&stored(name, "content")).unwrap();
        assert_eq!(from_proto, content, "{name}");
        let got = decode_incoming(&r, &stored(name, "one_to_one")).unwrap();
        assert_eq!(got.content, content, "{name}");
        assert_eq!(got.sender, sender().session_id());
        assert_eq!(got.envelope_timestamp_ms, SENT_MS);
    }
    let k = sender();
    for (name, signer) in signers(&k) {
        let data = stored(name, "data");
        let sig = stored(name, "signature");
        let got = verify_community_message(&data, &sig, &signer.poster()).unwrap();
        assert_eq!(got, community_content(), "{name}");
    }
    for (name, kind) in [
        ("blinded_dm_15", BlindKind::Blind15),
        ("blinded_dm_25", BlindKind::Blind25),
    ] {
        let to = blinded_keypair(kind, &recipient(), &SERVER_PK).id();
        let from = blinded_keypair(kind, &sender(), &SERVER_PK).id();
        let got =
            decode_blinded_dm(&r, &SERVER_PK, &from, &to, &stored(name, "ciphertext")).unwrap();
        assert_eq!(got.content, community_content(), "{name}");
        assert_eq!(got.sender, sender().session_id());
    }
}
