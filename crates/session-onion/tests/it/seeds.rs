//! The committed fuzz seeds (`fuzz/seeds/onion_hop_parse`, `fuzz/seeds/onion_response_parse`)
//! are built here from the vectors of `spec/vectors.md` §11–12 with a seeded RNG, and must stay
//! what this code builds. Set `SESSION_ONION_UPDATE_SEEDS=1` to rewrite them.
use crate::spec::{A, A_SK, B, B_SK, ENC_GCM, ENC_XCHACHA};
use crate::{h, rng};
use serde_json::json;
use session_crypto::hop::{EncType, HopKey};
use session_crypto::{X25519PublicKey, X25519Secret};
use session_onion::{
    Layer, NodeKeys, OnionEnvelope, ReplyBody, ReplyOptions, ServerRequest, V4Response, framing,
    parse_layer, peel,
};
use std::path::PathBuf;

const V4_GET: &[u8] =
    br#"l79:{"method":"GET","endpoint":"/room/some-room","headers":{"Some-Header":"12345"}}e"#;
const V4_POST: &[u8] = br#"l72:{"method":"POST","endpoint":"/some/thing","headers":{"Some-Header":"a"}}14:post body heree"#;
const V4_RESPONSE: &[u8] =
    br#"l58:{"code":200,"headers":{"content-type":"application/json"}}11:{"id": 123}e"#;

const ENCS: [(EncType, &str); 2] = [(EncType::AesGcm, "gcm"), (EncType::XChaCha20, "xchacha20")];

/// The layer key of the vector's exchange (client a, hop B), the same in both directions.
fn key(enc: EncType) -> HopKey {
    HopKey::client(
        enc,
        &X25519Secret::from_bytes(h(A_SK)),
        &X25519PublicKey::from_bytes(h(B)),
    )
    .unwrap()
}

fn layers() -> Vec<(&'static str, Vec<u8>)> {
    let next = "ab".repeat(32);
    let relay =
        format!(r#"{{"destination":"{next}","enc_type":"xchacha20","ephemeral_key":"{A}"}}"#);
    let proxy = format!(
        r#"{{"enc_type":"aes-gcm","ephemeral_key":"{A}","host":"127.0.0.1","method":"POST","port":8080,"protocol":"http","target":"/oxen/v4/lsrpc"}}"#
    );
    let rpc = br#"{"method":"retrieve","params":{"pubkey":"05aa","namespace":0}}"#;
    vec![
        (
            "relay",
            framing::encode(b"\x01\x02\x03", relay.as_bytes()).unwrap(),
        ),
        (
            "destination",
            framing::encode(rpc, br#"{"headers":""}"#).unwrap(),
        ),
        (
            "destination-options",
            framing::encode(rpc, br#"{"base64":false,"headers":"","json":true}"#).unwrap(),
        ),
        (
            "proxy",
            framing::encode(&hex::decode(ENC_GCM).unwrap(), proxy.as_bytes()).unwrap(),
        ),
    ]
}

fn hop_seeds() -> Vec<(String, Vec<u8>)> {
    let mut r = rng(0x5eed);
    let mut seeds = vec![
        ("vector-enc-gcm".to_owned(), hex::decode(ENC_GCM).unwrap()),
        (
            "vector-enc-xchacha20".to_owned(),
            hex::decode(ENC_XCHACHA).unwrap(),
        ),
    ];
    for (name, plain) in layers() {
        seeds.push((format!("layer-{name}"), plain.clone()));
        for (enc, enc_name) in ENCS {
            let ciphertext = key(enc).encrypt(&plain, &mut r);
            seeds.push((format!("cipher-{name}-{enc_name}"), ciphertext.clone()));
            let env = OnionEnvelope {
                ciphertext,
                ephemeral_key: X25519PublicKey::from_bytes(h(A)),
                enc_type: enc,
                hop_no: if name == "relay" { 2 } else { 0 },
            };
            seeds.push((format!("envelope-{name}-{enc_name}"), env.encode().unwrap()));
        }
    }
    seeds
}

fn response_seeds() -> Vec<(String, Vec<u8>)> {
    let mut r = rng(0x5eed + 1);
    let mut seeds = vec![
        ("vector-enc-gcm".to_owned(), hex::decode(ENC_GCM).unwrap()),
        (
            "vector-enc-xchacha20".to_owned(),
            hex::decode(ENC_XCHACHA).unwrap(),
        ),
        ("v4-get".to_owned(), V4_GET.to_vec()),
        ("v4-post".to_owned(), V4_POST.to_vec()),
        ("v4-response".to_owned(), V4_RESPONSE.to_vec()),
        (
            "node-reply-plain".to_owned(),
            br#"{"body":"{\"t\":1700000000000,\"version\":[2,8,0]}","status":200}"#.to_vec(),
        ),
        (
            "next-node-not-found".to_owned(),
            format!("Next node not found: {}", "cd".repeat(32)).into_bytes(),
        ),
        (
            "swarm-421".to_owned(),
            json!({"snodes": [{"ip": "10.0.0.1", "port_https": 22021,
                "pubkey_ed25519": "11".repeat(32), "pubkey_x25519": "22".repeat(32)}],
                "swarm": "0000000000000000"})
            .to_string()
            .into_bytes(),
        ),
    ];
    let server = NodeKeys::new(X25519Secret::from_bytes(h(B_SK)));
    for (enc, enc_name) in ENCS {
        // The server's side of the vector's exchange answers.
        let request = OnionEnvelope {
            ciphertext: key(enc).encrypt(b"{}", &mut r),
            ephemeral_key: X25519PublicKey::from_bytes(h(A)),
            enc_type: enc,
            hop_no: 0,
        };
        let reply = ServerRequest::open(&server, &request.encode().unwrap())
            .unwrap()
            .reply;
        let body = json!({"messages": [], "more": false, "t": 1_700_000_000_000_u64});
        seeds.push((
            format!("node-reply-{enc_name}"),
            reply.wrap(200, ReplyBody::Json(&body), ReplyOptions::default(), &mut r),
        ));
        seeds.push((
            format!("node-reply-text-{enc_name}"),
            reply.wrap(
                421,
                ReplyBody::Text("Invalid json"),
                ReplyOptions::default(),
                &mut r,
            ),
        ));
        seeds.push((
            format!("v4-reply-{enc_name}"),
            reply.seal(V4_RESPONSE, &mut r),
        ));
        seeds.push((
            format!("v3-reply-{enc_name}"),
            reply
                .seal_base64(br#"{"status_code":404}"#, &mut r)
                .into_bytes(),
        ));
    }
    seeds
}

fn seed_dir(target: &str) -> PathBuf {
    PathBuf::from(env!("CARGO_MANIFEST_DIR"))
        .join("../../fuzz/seeds")
        .join(target)
}

fn check_or_update(target: &str, seeds: &[(String, Vec<u8>)]) {
    let dir = seed_dir(target);
    if std::env::var_os("SESSION_ONION_UPDATE_SEEDS").is_some() {
        std::fs::create_dir_all(&dir).unwrap();
        for (name, bytes) in seeds {
            std::fs::write(dir.join(name), bytes).unwrap();
        }
    }
    for (name, bytes) in seeds {
        let committed = std::fs::read(dir.join(name))
            .unwrap_or_else(|e| panic!("{target}/{name}: {e} (SESSION_ONION_UPDATE_SEEDS=1)"));
        assert_eq!(
            &committed, bytes,
            "{target}/{name} is stale (SESSION_ONION_UPDATE_SEEDS=1)"
        );
    }
}

#[test]
fn hop_seeds_are_current_and_reach_every_layer_kind() {
    let seeds = hop_seeds();
    let node = NodeKeys::new(X25519Secret::from_bytes(h(B_SK)));
    let mut kinds = [0; 3];
    for (name, bytes) in &seeds {
        if name.starts_with("envelope-") {
            let env = OnionEnvelope::parse(bytes).unwrap();
            match peel(&node, &env).unwrap().layer.unwrap() {
                Layer::Destination(_) => kinds[0] += 1,
                Layer::Relay(_) => kinds[1] += 1,
                Layer::Proxy(_) => kinds[2] += 1,
            }
        } else if name.starts_with("layer-") {
            parse_layer(bytes, 0).unwrap();
        }
    }
    assert_eq!(kinds, [4, 2, 2]);
    check_or_update("onion_hop_parse", &seeds);
}

#[test]
fn response_seeds_are_current_and_open() {
    let seeds = response_seeds();
    let client = |enc| {
        session_onion::ResponseKey::new(
            enc,
            &X25519Secret::from_bytes(h(A_SK)),
            &X25519PublicKey::from_bytes(h(B)),
        )
        .unwrap()
    };
    for (name, bytes) in &seeds {
        for (enc, enc_name) in ENCS {
            if !name.ends_with(enc_name) || name.starts_with("vector") {
                continue;
            }
            let key = client(enc);
            if name.starts_with("node-reply") {
                key.open_node_reply(bytes).unwrap();
            } else if name.starts_with("v4-reply") {
                assert_eq!(
                    key.open_v4(bytes).unwrap(),
                    V4Response::decode(V4_RESPONSE).unwrap()
                );
            } else if name.starts_with("v3-reply") {
                assert_eq!(key.open_v3(bytes).unwrap().status(), 404);
            }
        }
    }
    check_or_update("onion_response_parse", &seeds);
}
