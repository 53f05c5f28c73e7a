//! Building and peeling: what each hop sees, the routing JSON, the classification errors and
//! the answers.
use crate::{keyed_node, rng};
use serde_json::{Value, json};
use session_crypto::hop::{EncType, HopKey};
use session_crypto::{X25519PublicKey, X25519Secret};
use session_onion::{
    Destination, HopError, Layer, NodeDestination, NodeKeys, OnionEnvelope, Outcome, Protocol,
    ReplyBody, ReplyOptions, ServerDestination, ServerRequest, build, framing, parse_layer, peel,
    swarm_from_reply,
};

/// The layer a node receives, decrypted with its keys, and the JSON after the blob.
fn open_layer(keys_secret: u8, env: &OnionEnvelope) -> (Vec<u8>, Value) {
    let secret = X25519Secret::from_bytes([keys_secret; 32]);
    let public = secret.public_key();
    let plain = HopKey::hop(env.enc_type, &secret, &public, &env.ephemeral_key)
        .unwrap()
        .decrypt(&env.ciphertext)
        .unwrap();
    let (blob, json) = framing::split(&plain).unwrap();
    (blob.to_vec(), serde_json::from_slice(json).unwrap())
}

#[test]
fn three_hops_to_a_node_as_libsession_builds_them() {
    let (k1, n1) = keyed_node(1);
    let (k2, n2) = keyed_node(2);
    let (k3, n3) = keyed_node(3);
    let (kd, nd) = keyed_node(4);
    let payload = br#"{"method":"info","params":{}}"#;
    let dest = Destination::Node(NodeDestination::new(&nd));
    let req = build(
        &[n1.clone(), n2.clone(), n3.clone()],
        &dest,
        payload,
        EncType::XChaCha20,
        &mut rng(1),
    )
    .unwrap();

    // The guard's body: only the ephemeral key and the cipher are in the clear, in key order.
    let (_, outer_json) = framing::split(&req.body).unwrap();
    let outer_json = std::str::from_utf8(outer_json).unwrap();
    assert!(
        outer_json.starts_with(r#"{"enc_type":"xchacha20","ephemeral_key":""#),
        "{outer_json}"
    );
    let env = OnionEnvelope::parse(&req.body).unwrap();
    assert_eq!(env.enc_type, EncType::XChaCha20);

    // Guard: relay to hop 2, routing keys in libsession's (sorted) order.
    let (_, routing) = open_layer(1, &env);
    assert_eq!(
        routing.as_object().unwrap().keys().collect::<Vec<_>>(),
        ["destination", "enc_type", "ephemeral_key"]
    );
    assert_eq!(routing["destination"], hex::encode(n2.ed25519.as_bytes()));
    let Layer::Relay(r1) = peel(&k1, &env).unwrap().layer.unwrap() else {
        panic!()
    };
    assert_eq!(r1.next, n2.ed25519);
    assert_eq!(r1.envelope.hop_no, 1);
    let Layer::Relay(r2) = peel(&k2, &r1.envelope).unwrap().layer.unwrap() else {
        panic!()
    };
    assert_eq!(r2.next, n3.ed25519);
    let Layer::Relay(r3) = peel(&k3, &r2.envelope).unwrap().layer.unwrap() else {
        panic!()
    };
    assert_eq!(r3.next, nd.ed25519);
    assert_eq!(r3.envelope.hop_no, 3);

    // The destination's layer: `[len(P)][P]{"headers":""}`.
    let (blob, control) = open_layer(4, &r3.envelope);
    assert_eq!(blob, payload);
    assert_eq!(control, json!({"headers": ""}));
    let peeled = peel(&kd, &r3.envelope).unwrap();
    let Layer::Destination(d) = peeled.layer.unwrap() else {
        panic!()
    };
    assert_eq!(d.body, payload);
    assert_eq!(d.options, ReplyOptions::default());

    // No node opens another node's layer.
    assert_eq!(peel(&k2, &env).unwrap_err(), HopError::InvalidCiphertext);
    assert_eq!(
        peel(&kd, &r2.envelope).unwrap_err(),
        HopError::InvalidCiphertext
    );

    // The answer: base64 of the encrypted `{"body","status"}`, opened by the client.
    let result = json!({"version": [2, 8, 0], "t": 1});
    let answer = peeled
        .reply
        .wrap(200, ReplyBody::Json(&result), d.options, &mut rng(2));
    assert!(
        answer
            .iter()
            .all(|b| b.is_ascii_alphanumeric() || b"+/=".contains(b))
    );
    let reply = req.response.open_node_reply(&answer).unwrap();
    assert_eq!(reply.status, 200);
    assert_eq!(reply.body, Value::String(result.to_string()));
    assert_eq!(reply.body_json().unwrap(), result);
}

#[test]
fn reply_options_reach_the_destination_and_shape_the_answer() {
    let (k1, n1) = keyed_node(1);
    let (kd, nd) = keyed_node(9);
    let options = ReplyOptions {
        json: true,
        base64: false,
    };
    let dest = Destination::Node(NodeDestination {
        options,
        ..NodeDestination::new(&nd)
    });
    let req = build(&[n1], &dest, b"{}", EncType::AesGcm, &mut rng(3)).unwrap();
    let env = OnionEnvelope::parse(&req.body).unwrap();
    let Layer::Relay(r) = peel(&k1, &env).unwrap().layer.unwrap() else {
        panic!()
    };
    let (_, control) = open_layer(9, &r.envelope);
    assert_eq!(
        control,
        json!({"base64": false, "headers": "", "json": true})
    );
    let peeled = peel(&kd, &r.envelope).unwrap();
    let Layer::Destination(d) = peeled.layer.unwrap() else {
        panic!()
    };
    assert_eq!(d.options, options);
    let body = json!({"swarm": "00"});
    let raw = peeled
        .reply
        .wrap(421, ReplyBody::Json(&body), d.options, &mut rng(4));
    let reply = req.response.open_node_reply(&raw).unwrap();
    assert_eq!((reply.status, &reply.body), (421, &body));
    // A text reason stays a string.
    let raw = peeled
        .reply
        .wrap(400, ReplyBody::Text("invalid json"), d.options, &mut rng(5));
    let reply = req.response.open_node_reply(&raw).unwrap();
    assert_eq!(reply.body_text(), Some("invalid json"));
    assert_eq!(reply.body_json(), None);
}

#[test]
fn server_destination_proxy_layer_and_v4_answer() {
    let (k1, n1) = keyed_node(1);
    let (k2, n2) = keyed_node(2);
    let server_keys = NodeKeys::new(X25519Secret::from_bytes([77; 32]));
    let server =
        ServerDestination::v4("127.0.0.1", Protocol::Http, server_keys.public()).with_port(8080);
    let payload = session_onion::V4Request {
        method: "GET".into(),
        endpoint: "/capabilities".into(),
        headers: vec![],
        body: None,
    }
    .encode();
    let req = build(
        &[n1, n2],
        &Destination::Server(server),
        &payload,
        EncType::AesGcm,
        &mut rng(6),
    )
    .unwrap();
    let env = OnionEnvelope::parse(&req.body).unwrap();
    let Layer::Relay(r) = peel(&k1, &env).unwrap().layer.unwrap() else {
        panic!()
    };
    let (_, routing) = open_layer(2, &r.envelope);
    assert_eq!(
        routing.as_object().unwrap().keys().collect::<Vec<_>>(),
        [
            "enc_type",
            "ephemeral_key",
            "host",
            "method",
            "port",
            "protocol",
            "target"
        ]
    );
    let Layer::Proxy(p) = peel(&k2, &r.envelope).unwrap().layer.unwrap() else {
        panic!()
    };
    assert_eq!(p.url(), "http://127.0.0.1:8080/oxen/v4/lsrpc");
    // The server gets the last hop's whole layer and opens it with its own key.
    let opened = ServerRequest::open(&server_keys, &p.payload).unwrap();
    assert_eq!(opened.plaintext, payload);
    let answer = session_onion::V4Response {
        code: 200,
        headers: vec![("content-type".into(), "application/json".into())],
        body: br#"{"capabilities":["sogs"]}"#.to_vec(),
    };
    let raw = opened.reply.seal(&answer.encode(), &mut rng(7));
    assert_eq!(req.response.open_v4(&raw).unwrap(), answer);
    // v3: base64 of the encrypted body; a non-2xx body carries `status_code`.
    let raw = opened
        .reply
        .seal_base64(br#"{"status_code":404}"#, &mut rng(8));
    assert_eq!(req.response.open_v3(raw.as_bytes()).unwrap().status(), 404);
    let raw = opened.reply.seal_base64(b"[1,2]", &mut rng(8));
    assert_eq!(req.response.open_v3(raw.as_bytes()).unwrap().status(), 200);
}

#[test]
fn builder_refuses_what_nodes_refuse() {
    let (_, n1) = keyed_node(1);
    let key = X25519PublicKey::from_bytes([9; 32]);
    let bad_target = ServerDestination {
        target: "/oxen/v4/lsrpc?x".into(),
        ..ServerDestination::v4("a.b", Protocol::Https, key)
    };
    let bad_host = ServerDestination::v4("a.b/c", Protocol::Https, key);
    for dest in [bad_target, bad_host] {
        assert!(
            build(
                std::slice::from_ref(&n1),
                &Destination::Server(dest),
                b"",
                EncType::AesGcm,
                &mut rng(1)
            )
            .is_err()
        );
    }
    let dest = Destination::Node(NodeDestination::new(&n1));
    assert!(build(&[], &dest, b"", EncType::AesGcm, &mut rng(1)).is_err());
    assert!(
        build(
            &vec![n1.clone(); 16],
            &dest,
            b"",
            EncType::AesGcm,
            &mut rng(1)
        )
        .is_err()
    );
    let big = vec![0u8; session_onion::MAX_PAYLOAD + 1];
    assert!(
        build(
            std::slice::from_ref(&n1),
            &dest,
            &big,
            EncType::AesGcm,
            &mut rng(1)
        )
        .is_err()
    );
    // A low-order hop key cannot be encrypted to.
    let mut low = n1.clone();
    low.x25519 = X25519PublicKey::from_bytes([0; 32]);
    assert!(build(&[low], &dest, b"", EncType::AesGcm, &mut rng(1)).is_err());
}

fn layer(json: &str) -> Result<Layer, HopError> {
    parse_layer(&framing::encode(b"blob", json.as_bytes()).unwrap(), 0)
}

#[test]
fn classification_errors_are_the_reference_replies() {
    let key = "ab".repeat(32);
    let invalid_json = [
        String::from("not json"),
        String::from("[1]"),
        format!(r#"{{"destination":"{key}"}}"#),
        format!(r#"{{"ephemeral_key":"{key}"}}"#),
        format!(r#"{{"destination":"zz","ephemeral_key":"{key}"}}"#),
        format!(r#"{{"destination":"{key}","ephemeral_key":"{key}","enc_type":"aes-cbc"}}"#),
        format!(r#"{{"destination":"{key}","ephemeral_key":"{key}","enc_type":1}}"#),
        String::from(r#"{"headers":"","json":"yes"}"#),
        String::from(r#"{"headers":"","base64":null}"#),
        String::from(r#"{"host":7,"target":"/oxen/v4/lsrpc"}"#),
        String::from(r#"{"host":"a.b"}"#),
        String::from(r#"{"host":"a.b","target":"/oxen/v4/lsrpc","port":70000}"#),
        String::from(r#"{"host":"a.b","target":"/oxen/v4/lsrpc","port":"80"}"#),
        String::from(r#"{"host":"a.b","target":"/oxen/v4/lsrpc","protocol":5}"#),
    ];
    for json in &invalid_json {
        let err = layer(json).unwrap_err();
        assert!(matches!(err, HopError::InvalidJson(_)), "{json}: {err:?}");
        assert_eq!(
            (err.status(), err.body().as_str(), err.is_wrapped()),
            (400, "Invalid json", true)
        );
    }
    let bad_framing = parse_layer(b"\xff\xff\xff\xff{}", 0).unwrap_err();
    assert!(matches!(bad_framing, HopError::InvalidJson(_)));

    for json in [
        r#"{"host":"a.b","target":"/oxen/v4/lsrpc","protocol":"ftp"}"#,
        r#"{"host":"a.b","target":"/oxen/v4/lsrpc?q=1"}"#,
        r#"{"host":"a.b","target":"/api/lsrpc"}"#,
        r#"{"host":"a.b","target":"/oxen/v4/other"}"#,
        r#"{"host":"a.b/x?","target":"/oxen/v4/lsrpc"}"#,
    ] {
        let err = layer(json).unwrap_err();
        assert!(matches!(err, HopError::InvalidUrl(_)), "{json}: {err:?}");
        assert_eq!(
            (err.status(), err.body().as_str(), err.is_wrapped()),
            (400, "Invalid url", true)
        );
    }

    // `headers` wins over everything; `host` over `destination`; defaults.
    assert!(matches!(
        layer(r#"{"headers":null,"host":"x"}"#),
        Ok(Layer::Destination(_))
    ));
    let Ok(Layer::Proxy(p)) = layer(&format!(
        r#"{{"host":"h.example","target":"/loki/v3/lsrpc","destination":"{key}"}}"#
    )) else {
        panic!()
    };
    assert_eq!((p.protocol, p.port), (Protocol::Https, 443));
    let Ok(Layer::Proxy(p)) = layer(r#"{"host":"h","target":"/oxen/v4/lsrpc","protocol":"http"}"#)
    else {
        panic!()
    };
    assert_eq!(p.port, 80);
    let Ok(Layer::Relay(r)) = layer(&format!(
        r#"{{"destination":"{key}","ephemeral_key":"{key}"}}"#
    )) else {
        panic!()
    };
    assert_eq!(r.envelope.enc_type, EncType::AesGcm);
    assert_eq!(r.envelope.ciphertext, b"blob");
}

#[test]
fn wrapped_errors_open_with_the_layer_key() {
    let (k1, n1) = keyed_node(1);
    // A layer for n1 that is not a routing layer.
    let eph = X25519Secret::from_bytes([3; 32]);
    let key = HopKey::client(EncType::XChaCha20, &eph, &n1.x25519).unwrap();
    let env = OnionEnvelope {
        ciphertext: key.encrypt(b"\x00\x00\x00\x00[]", &mut rng(1)),
        ephemeral_key: eph.public_key(),
        enc_type: EncType::XChaCha20,
        hop_no: 0,
    };
    let peeled = peel(&k1, &env).unwrap();
    let err = peeled.layer.as_ref().unwrap_err();
    let wrapped = peeled.reply.wrap_error(err, &mut rng(2));
    let client = session_onion::ResponseKey::new(EncType::XChaCha20, &eph, &n1.x25519).unwrap();
    let reply = client.open_node_reply(&wrapped).unwrap();
    assert_eq!(
        (reply.status, reply.body_text()),
        (400, Some("Invalid json"))
    );
}

#[test]
fn relay_error_texts_and_client_classification() {
    let (_, n) = keyed_node(5);
    let err = HopError::NextNodeNotFound(n.ed25519);
    assert_eq!(err.status(), 502);
    assert!(!err.is_wrapped());
    assert_eq!(
        err.body(),
        format!("Next node not found: {}", hex::encode(n.ed25519.as_bytes()))
    );
    assert_eq!(
        Outcome::from_plain_error(502, err.body().as_bytes()),
        Outcome::NextNodeNotFound(n.ed25519)
    );
    assert_eq!(
        Outcome::from_plain_error(502, b"Next node not found: zz"),
        Outcome::PathFailed
    );
    // A relay's next hop timed out or answered garbage: the guard is up, a later hop is not.
    assert_eq!(
        Outcome::from_plain_error(504, b"Request time out"),
        Outcome::RelayFailed
    );
    assert_eq!(
        Outcome::from_plain_error(500, b"Invalid response from snode"),
        Outcome::RelayFailed
    );
    assert_eq!(
        Outcome::from_plain_error(503, b"Snode not ready: 00"),
        Outcome::PathFailed
    );
    assert_eq!(
        (
            HopError::RelayTimeout.status(),
            HopError::RelayTimeout.body().as_str()
        ),
        (504, "Request time out")
    );
    assert_eq!(
        (
            HopError::InvalidRelayResponse.status(),
            HopError::InvalidRelayResponse.body().as_str()
        ),
        (500, "Invalid response from snode")
    );
    assert_eq!(
        (
            HopError::MaxPathLength.status(),
            HopError::MaxPathLength.body().as_str()
        ),
        (400, "onion request max path length exceeded")
    );
    assert_eq!(
        HopError::NotReady(n.ed25519).body(),
        format!("Snode not ready: {}", hex::encode(n.ed25519.as_bytes()))
    );
    assert_eq!(HopError::DestinationNotReady.status(), 503);
    assert!(HopError::DestinationNotReady.is_wrapped());
    let proxy = HopError::ProxyFailed {
        timed_out: true,
        message: "timeout".into(),
    };
    assert_eq!((proxy.status(), proxy.body().as_str()), (504, "timeout"));
}

#[test]
fn responses_that_do_not_open() {
    let (_, n) = keyed_node(1);
    let eph = X25519Secret::from_bytes([3; 32]);
    let client = session_onion::ResponseKey::new(EncType::AesGcm, &eph, &n.x25519).unwrap();
    assert!(matches!(
        client.open_node_reply(b"%%%"),
        Err(session_onion::Error::Base64)
    ));
    assert!(client.open_node_reply(b"AAAA").is_err());
    assert!(client.open_v4(b"").is_err());
    assert!(session_onion::NodeReply::parse(br#"{"body":"x"}"#).is_err());
    assert!(session_onion::NodeReply::parse(br#"{"status":70000}"#).is_err());
    let r = session_onion::NodeReply::parse(br#"{"status_code":200}"#).unwrap();
    assert_eq!((r.status, r.body), (200, Value::Null));
}

#[test]
fn v4_decoding_rules() {
    use session_onion::{V4Request, V4Response};
    assert!(V4Request::decode(b"l2:{}e").is_err(), "no method");
    assert!(V4Request::decode(br#"l33:{"method":"GET","endpoint":"x/y"}e"#).is_err());
    assert!(V4Request::decode(b"le").is_err());
    assert!(V4Request::decode(b"l1:a1:b1:ce").is_err(), "three parts");
    assert!(V4Request::decode(b"d1:ai1ee").is_err());
    assert!(V4Request::decode(br#"l32:{"method":"GET","endpoint":"/x"}i1ee"#).is_err());
    let r = V4Request::decode(br#"l32:{"method":"GET","endpoint":"/x"}0:e"#).unwrap();
    assert_eq!((r.headers.len(), r.body), (0, None));
    let r = V4Request::decode(br#"l56:{"method":"GET","endpoint":"/x","headers":{"X-N":12345}}e"#)
        .unwrap();
    assert_eq!(r.headers, vec![("X-N".to_owned(), "12345".to_owned())]);
    assert!(
        V4Request::decode(br#"l55:{"method":"GET","endpoint":"/x","headers":{"X-N":null}}e"#)
            .is_err()
    );
    assert!(V4Response::decode(b"l11:{\"code\":-1}e").is_err());
    let r = V4Response::decode(b"l12:{\"code\":204}e").unwrap();
    assert_eq!((r.code, r.body.len()), (204, 0));
}

#[test]
fn swarms_from_421_bodies() {
    // A session-node 421 / get_swarm body.
    let ed = "11".repeat(32);
    let x = "22".repeat(32);
    let body = json!({
        "snodes": [
            {"address": "x.snode", "ip": "10.1.2.3", "port": "22021", "port_https": 22021, "port_omq": 22021,
             "pubkey_ed25519": ed, "pubkey_legacy": ed, "pubkey_x25519": x},
            {"ip": "0.0.0.0", "port_https": 1, "pubkey_ed25519": ed, "pubkey_x25519": x},
            {"ip": "10.1.2.4", "port": "7", "pubkey_ed25519": "zz", "pubkey_x25519": x},
            {"public_ip": "10.1.2.5", "storage_port": 9, "pubkey_ed25519": ed, "pubkey_x25519": x},
        ],
        "swarm": "0000000000000000",
    });
    let nodes = swarm_from_reply(&body).unwrap();
    assert_eq!(nodes.len(), 2);
    assert_eq!(
        (nodes[0].ip.to_string(), nodes[0].port),
        ("10.1.2.3".to_owned(), 22021)
    );
    assert_eq!(nodes[1].port, 9);
    assert_eq!(hex::encode(nodes[0].x25519.as_bytes()), x);
    assert!(swarm_from_reply(&json!({"swarm": "00"})).is_err());
}

#[test]
fn a_large_payload_through_six_hops() {
    let nodes: Vec<_> = (1..=7).map(keyed_node).collect();
    let path: Vec<_> = nodes[..6].iter().map(|(_, n)| n.clone()).collect();
    let (dest_keys, dest) = &nodes[6];
    let payload: Vec<u8> = (0..300_000u32).map(|i| (i * 7) as u8).collect();
    for enc in [EncType::AesGcm, EncType::XChaCha20] {
        let req = build(
            &path,
            &Destination::Node(NodeDestination::new(dest)),
            &payload,
            enc,
            &mut rng(1),
        )
        .unwrap();
        // Each layer adds its cipher's overhead, a length prefix and a routing JSON.
        assert!(req.body.len() > payload.len() + 7 * enc.overhead());
        let mut env = OnionEnvelope::parse(&req.body).unwrap();
        for (keys, _) in &nodes[..6] {
            let Layer::Relay(r) = peel(keys, &env).unwrap().layer.unwrap() else {
                panic!()
            };
            env = r.envelope;
        }
        let Layer::Destination(d) = peel(dest_keys, &env).unwrap().layer.unwrap() else {
            panic!()
        };
        assert_eq!(d.body, payload);
    }
}
