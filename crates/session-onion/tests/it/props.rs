//! Property tests: requests of random sizes over random paths of 1 to 6 hops, both ciphers,
//! to a node or a server, built then peeled hop by hop; answers and payload codecs round-trip.
use crate::rng;
use proptest::prelude::*;
use serde_json::Value;
use session_crypto::hop::EncType;
use session_crypto::{Ed25519PublicKey, X25519Secret};
use session_onion::{
    Destination, HopError, Layer, Node, NodeDestination, NodeKeys, OnionEnvelope, Protocol,
    ReplyBody, ReplyOptions, ServerDestination, ServerRequest, V4Request, V4Response, build, peel,
};
use std::net::Ipv4Addr;

fn node(seed: [u8; 32], i: usize) -> (NodeKeys, Node) {
    let keys = NodeKeys::new(X25519Secret::from_bytes(seed));
    let mut ed = seed;
    ed[0] ^= 0xff;
    let node = Node {
        ed25519: Ed25519PublicKey::from_bytes(ed),
        x25519: keys.public(),
        ip: Ipv4Addr::new(10, 0, u8::try_from(i).unwrap(), 1),
        port: 443,
    };
    (keys, node)
}

fn contains(haystack: &[u8], needle: &[u8]) -> bool {
    haystack.windows(needle.len()).any(|w| w == needle)
}

fn enc_type() -> impl Strategy<Value = EncType> {
    prop_oneof![Just(EncType::AesGcm), Just(EncType::XChaCha20)]
}

proptest! {
    #![proptest_config(ProptestConfig::with_cases(200))]

    #[test]
    fn every_hop_sees_only_its_layer(
        hops in 1usize..=6,
        payload in proptest::collection::vec(any::<u8>(), 0..3000),
        enc in enc_type(),
        to_server in any::<bool>(),
        options in (any::<bool>(), any::<bool>()),
        seed in any::<u64>(),
    ) {
        let mut r = rng(seed);
        let path: Vec<(NodeKeys, Node)> = (0..=hops)
            .map(|i| {
                let mut s = [0u8; 32];
                rand::Rng::fill_bytes(&mut r, &mut s);
                node(s, i)
            })
            .collect();
        let (dest_keys, dest_node) = &path[hops];
        let hops_only: Vec<Node> = path[..hops].iter().map(|(_, n)| n.clone()).collect();
        let options = ReplyOptions { json: options.0, base64: options.1 };
        let destination = if to_server {
            Destination::Server(ServerDestination::v4("files.example", Protocol::Http, dest_node.x25519))
        } else {
            Destination::Node(NodeDestination { options, ..NodeDestination::new(dest_node) })
        };
        let req = build(&hops_only, &destination, &payload, enc, &mut r).unwrap();

        let mut env = OnionEnvelope::parse(&req.body).unwrap();
        prop_assert_eq!(env.enc_type, enc);
        for i in 0..hops {
            let (keys, _) = &path[i];
            // Nobody else opens this layer.
            let (other, _) = &path[(i + 1) % path.len()];
            prop_assert_eq!(peel(other, &env).unwrap_err(), HopError::InvalidCiphertext);
            let peeled = peel(keys, &env).unwrap();
            let last = i + 1 == hops;
            match peeled.layer.unwrap() {
                Layer::Relay(relay) => {
                    prop_assert!(!(last && to_server));
                    let next = if last { dest_node } else { &path[i + 1].1 };
                    prop_assert_eq!(relay.next, next.ed25519);
                    prop_assert_eq!(relay.envelope.hop_no, u32::try_from(i + 1).unwrap());
                    prop_assert_eq!(relay.envelope.enc_type, enc);
                    if payload.len() >= 16 {
                        prop_assert!(!contains(&relay.envelope.ciphertext, &payload));
                    }
                    env = relay.envelope;
                }
                Layer::Proxy(proxy) => {
                    prop_assert!(last && to_server);
                    prop_assert_eq!(proxy.url(), "http://files.example:80/oxen/v4/lsrpc");
                    let opened = ServerRequest::open(dest_keys, &proxy.payload).unwrap();
                    prop_assert_eq!(&opened.plaintext, &payload);
                    let answer = V4Response { code: 201, headers: vec![], body: payload.clone() };
                    let raw = opened.reply.seal(&answer.encode(), &mut r);
                    prop_assert_eq!(req.response.open_v4(&raw).unwrap(), answer);
                    return Ok(());
                }
                Layer::Destination(_) => prop_assert!(false, "a path hop is no destination"),
            }
        }
        // The destination node.
        prop_assert!(!to_server);
        let peeled = peel(dest_keys, &env).unwrap();
        let Layer::Destination(d) = peeled.layer.unwrap() else {
            return Err(TestCaseError::fail("not a destination"));
        };
        prop_assert_eq!(&d.body, &payload);
        prop_assert_eq!(d.options, options);
        let text = String::from_utf8_lossy(&payload).into_owned();
        let raw = peeled.reply.wrap(200, ReplyBody::Text(&text), d.options, &mut r);
        let reply = req.response.open_node_reply(&raw).unwrap();
        prop_assert_eq!(reply.status, 200);
        prop_assert_eq!(reply.body, Value::String(text));
    }

    #[test]
    fn node_answers_round_trip(
        status in 100u16..600,
        text in ".{0,200}",
        json in any::<bool>(),
        base64 in any::<bool>(),
        enc in enc_type(),
        seed in any::<u64>(),
    ) {
        let mut r = rng(seed);
        let (keys, n) = node([7; 32], 1);
        let path = [n.clone()];
        let options = ReplyOptions { json, base64 };
        let dest = Destination::Node(NodeDestination { options, ..NodeDestination::new(&n) });
        // A one-hop path whose only hop is also the destination's key: open the relay layer
        // first, then the destination's.
        let req = build(&path, &dest, b"{}", enc, &mut r).unwrap();
        let env = OnionEnvelope::parse(&req.body).unwrap();
        let Layer::Relay(relay) = peel(&keys, &env).unwrap().layer.unwrap() else {
            return Err(TestCaseError::fail("not a relay"));
        };
        let peeled = peel(&keys, &relay.envelope).unwrap();
        let body = serde_json::json!({"text": text, "n": status});
        for reply_body in [ReplyBody::Text(&text), ReplyBody::Json(&body)] {
            let raw = peeled.reply.wrap(status, reply_body, options, &mut r);
            let reply = req.response.open_node_reply(&raw).unwrap();
            prop_assert_eq!(reply.status, status);
            match reply_body {
                ReplyBody::Text(t) => prop_assert_eq!(reply.body_text(), Some(t)),
                ReplyBody::Json(v) => prop_assert_eq!(reply.body_json(), Some(v.clone())),
            }
        }
    }

    #[test]
    fn v4_requests_round_trip(
        method in "[A-Z]{1,7}",
        endpoint in "/[ -~]{0,60}",
        headers in proptest::collection::btree_map("[A-Za-z-]{1,12}", "[ -~]{0,20}", 0..5),
        body in proptest::option::of(proptest::collection::vec(any::<u8>(), 1..500)),
    ) {
        let req = V4Request {
            method,
            endpoint,
            headers: headers.into_iter().collect(),
            body,
        };
        prop_assert_eq!(V4Request::decode(&req.encode()).unwrap(), req);
    }

    #[test]
    fn v4_responses_round_trip(
        code in 100u16..600,
        headers in proptest::collection::btree_map("[a-z-]{1,12}", "[ -~]{0,20}", 0..5),
        body in proptest::collection::vec(any::<u8>(), 0..500),
    ) {
        let resp = V4Response { code, headers: headers.into_iter().collect(), body };
        prop_assert_eq!(V4Response::decode(&resp.encode()).unwrap(), resp);
    }

    #[test]
    fn untrusted_bytes_never_panic(data in proptest::collection::vec(any::<u8>(), 0..300), hop_no in any::<u32>()) {
        let (keys, _) = node([5; 32], 0);
        if let Ok(env) = OnionEnvelope::parse(&data) {
            let _ = peel(&keys, &env);
        }
        let _ = session_onion::parse_layer(&data, hop_no);
        let _ = ServerRequest::open(&keys, &data);
        let _ = V4Request::decode(&data);
        let _ = V4Response::decode(&data);
        let _ = session_onion::NodeReply::parse(&data);
    }
}
