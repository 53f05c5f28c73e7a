//! `spec/vectors.md` §11 (onion hop encryption, LSU test_onionreq.cpp) and §12 (v4 payloads,
//! SOGS onion_request.py), through this crate's API.
use crate::h;
use crate::spec::{A, A_SK, B, B_SK, ENC_GCM, ENC_XCHACHA};
use session_crypto::hop::EncType;
use session_crypto::{X25519PublicKey, X25519Secret};
use session_onion::{
    HopError, Layer, NodeKeys, OnionEnvelope, ResponseKey, ServerRequest, V4Request, V4Response,
    framing, peel,
};

const ENC_GCM_BROKEN: [&str; 2] = [
    "1eb6ae1cd72f60999486365759bd5dc15cc0b6a2a44d7d063daa5e93722f0c025fd00306403b61",
    "1eb6ae1cd72f60999486365749bd5dc15cc0b6a2a44d7d063daa5e93722f0c025fd00306403b69",
];
const ENC_XCHACHA_BROKEN: [&str; 2] = [
    "9e1a3abe60eff3ea5c23556cc7e225b6f94355315f7281f66ecf4dbb06e7899a52b863e03cde3b287d1638d765db75de02b033",
    "9e1a3abe60eff3ea5c23556ccfe225b6f94355315f7281f66ecf4dbb06e7899a52b863e03cde3b287d1638d765db75de02b032",
];

fn server() -> NodeKeys {
    NodeKeys::new(X25519Secret::from_bytes(h(B_SK)))
}

fn client(enc: EncType) -> ResponseKey {
    ResponseKey::new(
        enc,
        &X25519Secret::from_bytes(h(A_SK)),
        &X25519PublicKey::from_bytes(h(B)),
    )
    .unwrap()
}

fn envelope(ciphertext: &str, enc_type: EncType) -> OnionEnvelope {
    OnionEnvelope {
        ciphertext: hex::decode(ciphertext).unwrap(),
        ephemeral_key: X25519PublicKey::from_bytes(h(A)),
        enc_type,
        hop_no: 0,
    }
}

fn cases() -> [(EncType, &'static str, [&'static str; 2]); 2] {
    [
        (EncType::AesGcm, ENC_GCM, ENC_GCM_BROKEN),
        (EncType::XChaCha20, ENC_XCHACHA, ENC_XCHACHA_BROKEN),
    ]
}

#[test]
fn v11_keys_match() {
    assert_eq!(hex::encode(server().public().as_bytes()), B);
}

/// A server opening a request layer: the outer framing around the vector's ciphertext, sent
/// with the client's ephemeral key A, decrypts to `Hello world`; the broken variants are
/// `Invalid ciphertext`.
#[test]
fn v11_server_opens_the_vector_ciphertexts() {
    for (enc, ok, broken) in cases() {
        let body = envelope(ok, enc).encode().unwrap();
        let req = ServerRequest::open(&server(), &body).unwrap();
        assert_eq!(req.plaintext, b"Hello world", "{enc}");
        assert_eq!(req.reply.enc_type(), enc);
        for bad in broken {
            let body = envelope(bad, enc).encode().unwrap();
            let err = ServerRequest::open(&server(), &body).unwrap_err();
            assert_eq!(err, HopError::InvalidCiphertext, "{enc} {bad}");
            assert_eq!(
                (err.status(), err.body().as_str()),
                (400, "Invalid ciphertext")
            );
        }
        // The wrong cipher for the layer is a bad ciphertext too.
        let other = match enc {
            EncType::AesGcm => EncType::XChaCha20,
            EncType::XChaCha20 => EncType::AesGcm,
        };
        let body = envelope(ok, other).encode().unwrap();
        assert!(ServerRequest::open(&server(), &body).is_err());
    }
}

/// A node peeling the vector's ciphertext as a layer: it decrypts (so the answer key exists),
/// but `Hello world` is no routing layer: wrapped 400 `Invalid json`. Broken: plain 400.
#[test]
fn v11_node_peels_the_vector_ciphertexts() {
    for (enc, ok, broken) in cases() {
        let peeled = peel(&server(), &envelope(ok, enc)).unwrap();
        let err = peeled.layer.unwrap_err();
        assert!(err.is_wrapped());
        assert_eq!((err.status(), err.body().as_str()), (400, "Invalid json"));
        for bad in broken {
            assert_eq!(
                peel(&server(), &envelope(bad, enc)).unwrap_err(),
                HopError::InvalidCiphertext
            );
        }
    }
}

/// The client's response key (a, B) opens the same ciphertexts (one key for both directions).
#[test]
fn v11_client_decrypts_the_vector_ciphertexts() {
    for (enc, ok, broken) in cases() {
        let key = client(enc);
        assert_eq!(
            key.decrypt(&hex::decode(ok).unwrap()).unwrap(),
            b"Hello world"
        );
        for bad in broken {
            assert!(key.decrypt(&hex::decode(bad).unwrap()).is_err(), "{bad}");
        }
    }
}

/// libsession's legacy fallback: an `xchacha20` request's answer that comes back in AES-GCM
/// (the same exchange) still opens; the reverse does not.
#[test]
fn v11_xchacha20_response_falls_back_to_aes_gcm() {
    let gcm = hex::decode(ENC_GCM).unwrap();
    assert_eq!(
        client(EncType::XChaCha20).decrypt(&gcm).unwrap(),
        b"Hello world"
    );
    let xchacha = hex::decode(ENC_XCHACHA).unwrap();
    assert!(client(EncType::AesGcm).decrypt(&xchacha).is_err());
    for bad in ENC_GCM_BROKEN {
        assert!(
            client(EncType::XChaCha20)
                .decrypt(&hex::decode(bad).unwrap())
                .is_err()
        );
    }
}

/// With the vector's keys, a framed `Hello world` destination layer peels to a destination
/// request, and the node's answer opens with the client's response key.
#[test]
fn v11_keys_carry_a_real_layer() {
    let mut rng = crate::rng(11);
    for enc in [EncType::AesGcm, EncType::XChaCha20] {
        let layer = framing::encode(b"Hello world", br#"{"headers":""}"#).unwrap();
        let env = OnionEnvelope {
            ciphertext: layer_key(enc).encrypt(&layer, &mut rng),
            ..envelope(ENC_GCM, enc)
        };
        let peeled = peel(&server(), &env).unwrap();
        let Layer::Destination(d) = peeled.layer.unwrap() else {
            panic!("not a destination layer");
        };
        assert_eq!(d.body, b"Hello world");
        let body = serde_json::json!({"ok": true});
        let answer = peeled.reply.wrap(
            200,
            session_onion::ReplyBody::Json(&body),
            d.options,
            &mut rng,
        );
        let reply = client(enc).open_node_reply(&answer).unwrap();
        assert_eq!(reply.status, 200);
        assert_eq!(reply.body_json().unwrap(), body);
    }
}

fn layer_key(enc: EncType) -> session_crypto::hop::HopKey {
    session_crypto::hop::HopKey::client(
        enc,
        &X25519Secret::from_bytes(h(A_SK)),
        &X25519PublicKey::from_bytes(h(B)),
    )
    .unwrap()
}

const V4_GET: &[u8] =
    br#"l79:{"method":"GET","endpoint":"/room/some-room","headers":{"Some-Header":"12345"}}e"#;
const V4_POST: &[u8] = br#"l72:{"method":"POST","endpoint":"/some/thing","headers":{"Some-Header":"a"}}14:post body heree"#;
const V4_RESPONSE: &[u8] =
    br#"l58:{"code":200,"headers":{"content-type":"application/json"}}11:{"id": 123}e"#;

#[test]
fn v12_requests_encode_byte_for_byte() {
    let get = V4Request {
        method: "GET".into(),
        endpoint: "/room/some-room".into(),
        headers: vec![("Some-Header".into(), "12345".into())],
        body: None,
    };
    assert_eq!(get.encode(), V4_GET);
    assert_eq!(V4Request::decode(V4_GET).unwrap(), get);
    let post = V4Request {
        method: "POST".into(),
        endpoint: "/some/thing".into(),
        headers: vec![("Some-Header".into(), "a".into())],
        body: Some(b"post body here".to_vec()),
    };
    assert_eq!(post.encode(), V4_POST);
    assert_eq!(V4Request::decode(V4_POST).unwrap(), post);
}

#[test]
fn v12_response_encodes_byte_for_byte() {
    let resp = V4Response {
        code: 200,
        headers: vec![("content-type".into(), "application/json".into())],
        body: br#"{"id": 123}"#.to_vec(),
    };
    assert_eq!(resp.encode(), V4_RESPONSE);
    assert_eq!(V4Response::decode(V4_RESPONSE).unwrap(), resp);
}

/// The v12 payloads through the v11 keys: a server opens the request and the client opens its
/// v4 answer.
#[test]
fn v12_payloads_through_v11_keys() {
    let mut rng = crate::rng(12);
    for enc in [EncType::AesGcm, EncType::XChaCha20] {
        let key = client(enc);
        let request = OnionEnvelope {
            ciphertext: layer_key(enc).encrypt(V4_POST, &mut rng),
            ..envelope(ENC_GCM, enc)
        };
        let opened = ServerRequest::open(&server(), &request.encode().unwrap()).unwrap();
        assert_eq!(
            V4Request::decode(&opened.plaintext).unwrap().body.unwrap(),
            b"post body here"
        );
        let answer = opened.reply.seal(V4_RESPONSE, &mut rng);
        let resp = key.open_v4(&answer).unwrap();
        assert_eq!(
            (resp.code, resp.body.as_slice()),
            (200, &br#"{"id": 123}"#[..])
        );
    }
}
