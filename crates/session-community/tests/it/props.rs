//! Property tests: the auth header parser and the server never panic on arbitrary headers,
//! and a correctly signed request always verifies while any single changed byte fails.

use super::*;
use proptest::prelude::*;
use session_sogs::{RawAuth, signed_message};

proptest! {
    #![proptest_config(ProptestConfig::with_cases(256))]

    #[test]
    fn header_parsing_never_panics(
        pk in proptest::option::of("[0-9a-fA-F+/=]{0,90}"),
        nonce in proptest::option::of("[0-9a-zA-Z+/=]{0,40}"),
        ts in proptest::option::of("[-+ 0-9_a]{0,22}"),
        sig in proptest::option::of("[0-9a-zA-Z+/=]{0,100}"),
        blind in any::<bool>(),
    ) {
        let raw = RawAuth { pubkey: pk.as_deref(), nonce: nonce.as_deref(), timestamp: ts.as_deref(), signature: sig.as_deref() };
        match raw.parse(blind) {
            Ok(Some(p)) => { let _ = p.check_time(0); }
            Ok(None) => {}
            Err(e) => prop_assert!(matches!(e.status(), 400), "{e:?}"),
        }
    }

    #[test]
    fn signed_requests_verify_and_tampering_fails(
        seed in any::<[u8; 32]>(),
        server in any::<[u8; 32]>(),
        path in "/[a-z0-9/_-]{0,30}",
        query in proptest::option::of("[a-z0-9=&]{1,20}"),
        body in proptest::collection::vec(any::<u8>(), 0..64),
        nonce in any::<[u8; 16]>(),
        flip in any::<usize>(),
    ) {
        let keys = IdentityKeys::from_seed(Seed::from_bytes(seed));
        let server = session_crypto::X25519Secret::from_bytes(server).public_key();
        let server = *server.as_bytes();
        let target = match &query { Some(q) => format!("{path}?{q}"), None => path.clone() };
        let ts = 1_700_000_000;
        let h = sign_request(Signer::Blind15(&keys), &server, "POST", &target, &body, ts, &nonce);
        let raw = RawAuth::from_headers(h.pairs());
        let parsed = raw.parse(true).unwrap().unwrap();
        prop_assert!(parsed.check_time(ts).is_ok());
        prop_assert!(parsed.verify(&server, "POST", &path, query.as_deref(), &body).is_ok());
        // Any one flipped bit of the signed message fails.
        let mut msg = signed_message(&server, &nonce, &ts.to_string(), "POST", &target, &body);
        let i = flip % msg.len();
        msg[i] ^= 1;
        let key = parsed.key.verifying_key();
        prop_assert!(key.verify(&msg, &parsed.signature, "t").is_err());
        prop_assert!(parsed.verify(&server, "GET", &path, query.as_deref(), &body).is_err());
    }
}

fn in_process() -> &'static (session_community::Server, tempfile::TempDir) {
    static S: std::sync::OnceLock<(session_community::Server, tempfile::TempDir)> =
        std::sync::OnceLock::new();
    S.get_or_init(|| {
        let dir = tempfile::tempdir().unwrap();
        Admin::open(Config::new(dir.path()))
            .unwrap()
            .room_add("lobby", "Lobby", None)
            .unwrap();
        let (srv, _) = session_community::open(Config::new(dir.path())).unwrap();
        (srv, dir)
    })
}

proptest! {
    #![proptest_config(ProptestConfig::with_cases(512))]

    /// Any method, path, query and body, anonymous: answered with a status, never a panic or a
    /// 500.
    #[test]
    fn routing_never_panics(
        method in prop_oneof![Just("GET".to_owned()), Just("POST".to_owned()), Just("PUT".to_owned()), Just("DELETE".to_owned()), "[A-Z]{1,7}"],
        segs in proptest::collection::vec(
            prop_oneof![
                Just("room".to_owned()), Just("lobby".to_owned()), Just("rooms".to_owned()),
                Just("message".to_owned()), Just("messages".to_owned()), Just("since".to_owned()),
                Just("reaction".to_owned()), Just("inbox".to_owned()), Just("user".to_owned()),
                Just("file".to_owned()), Just("batch".to_owned()), Just("sequence".to_owned()),
                "[0-9]{1,25}", "\\PC{0,12}", Just(format!("15{}", "ab".repeat(32))),
            ],
            0..7,
        ),
        query in proptest::option::of("[a-z=&0-9%+]{0,20}"),
        body in prop_oneof![
            Just(Vec::new()),
            Just(b"{}".to_vec()),
            Just(b"[{\"method\":\"GET\",\"path\":\"/rooms\"}]".to_vec()),
            proptest::collection::vec(any::<u8>(), 0..40),
        ],
    ) {
        let (srv, _) = in_process();
        let req = session_community::Req {
            method,
            path: format!("/{}", segs.join("/")),
            query,
            headers: vec![],
            body,
        };
        let resp = srv.handle(&req);
        prop_assert!((200..500).contains(&resp.code), "{} {} -> {}", req.method, req.path, resp.code);
    }
}
