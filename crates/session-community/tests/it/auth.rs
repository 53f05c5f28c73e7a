//! X-SOGS-* authentication: the reference server's codes and texts, in its order.

use super::*;

fn with(h: &[(String, String)], name: &str, value: Option<&str>) -> Vec<(String, String)> {
    let mut out: Vec<(String, String)> = h.iter().filter(|(k, _)| k != name).cloned().collect();
    if let Some(v) = value {
        out.push((name.to_owned(), v.to_owned()));
    }
    out
}

#[tokio::test]
async fn auth_refusals_have_reference_codes_and_texts() {
    let srv = Srv::start().await;
    let alice = User::new(1);
    let path = "/room/lobby/messages/recent";
    let h = srv.headers(&alice, "GET", path, b"");
    type Case<'a> = (Vec<(String, String)>, u16, &'a str);
    let cases: Vec<Case<'_>> = vec![
        (
            with(&h, "X-SOGS-Nonce", None),
            400,
            "Invalid authentication headers: missing 1/4 required X-SOGS-* headers",
        ),
        (
            with(
                &with(&h, "X-SOGS-Nonce", None),
                "X-SOGS-Timestamp",
                Some(""),
            ),
            400,
            "Invalid authentication headers: missing 2/4 required X-SOGS-* headers",
        ),
        (
            with(&h, "X-SOGS-Pubkey", Some("15abcd")),
            400,
            "Invalid authentication: X-SOGS-Pubkey is not a valid 66-hex digit id",
        ),
        (
            with(&h, "X-SOGS-Pubkey", Some(&format!("05{}", "11".repeat(32)))),
            400,
            "Invalid authentication: X-SOGS-Pubkey must be 00- or 15- prefixed",
        ),
        (
            with(&h, "X-SOGS-Pubkey", Some(&format!("15{}", "ff".repeat(32)))),
            400,
            "Invalid authentication: given X-SOGS-Pubkey is not a valid Ed25519 pubkey",
        ),
        (
            with(
                &h,
                "X-SOGS-Pubkey",
                Some(&format!(
                    "00{}",
                    hex::encode(alice.keys.ed25519_public().as_bytes())
                )),
            ),
            400,
            "Invalid authentication: this server requires the use of blinded ids",
        ),
        (
            with(&h, "X-SOGS-Nonce", Some("abc")),
            400,
            "Invalid authentication: X-SOGS-Nonce must be 16 bytes (encoded as base64 or hex)",
        ),
        (
            with(&h, "X-SOGS-Signature", Some("abc")),
            400,
            "Invalid authentication: X-SOGS-Signature is not base64[88]",
        ),
        (
            with(&h, "X-SOGS-Timestamp", Some("12a")),
            400,
            "Invalid authentication: X-SOGS-Timestamp is not a valid timestamp",
        ),
        (
            with(
                &h,
                "X-SOGS-Timestamp",
                Some(&(srv.now() - 86_402).to_string()),
            ),
            425,
            "Invalid authentication: X-SOGS-Timestamp is too far from current time",
        ),
        (
            with(
                &h,
                "X-SOGS-Timestamp",
                Some(&(srv.now() + 86_402).to_string()),
            ),
            425,
            "Invalid authentication: X-SOGS-Timestamp is too far from current time",
        ),
    ];
    for (headers, code, text) in cases {
        let r = srv.raw("GET", path, &headers, Vec::new()).await;
        assert_eq!((r.code, r.text().as_str()), (code, text));
    }
    // Good once; the same nonce again is 425; a signature over another path is 401.
    srv.raw("GET", path, &h, Vec::new()).await.expect(200);
    let r = srv.raw("GET", path, &h, Vec::new()).await.expect(425);
    assert_eq!(
        r.text(),
        "Invalid authentication: X-SOGS-Nonce cannot be reused"
    );
    let other = srv.headers(&alice, "GET", "/room/lobby", b"");
    let r = srv.raw("GET", path, &other, Vec::new()).await.expect(401);
    assert_eq!(
        r.text(),
        "Invalid authentication: X-SOGS-Signature verification failed"
    );
    // A body is signed by its hash: a changed body fails.
    let body = alice.post_body(&srv, b"hi").to_string().into_bytes();
    let hh = srv.headers(&alice, "POST", "/room/lobby/message", &body);
    let mut tampered = body.clone();
    tampered.push(b' ');
    srv.raw("POST", "/room/lobby/message", &hh, tampered)
        .await
        .expect(401);
    // Hex nonces work; so does a timestamp just inside the window.
    let nonce = [9u8; 16];
    let ts = srv.now() - 86_000;
    let hs = session_sogs::sign_request(
        Signer::Blind15(&alice.keys),
        &srv.pubkey,
        "GET",
        path,
        b"",
        ts,
        &nonce,
    );
    let hs = with(
        &hs.pairs().map(|(k, v)| (k.to_owned(), v.to_owned())),
        "X-SOGS-Nonce",
        Some(&hex::encode(nonce)),
    );
    srv.raw("GET", path, &hs, Vec::new()).await.expect(200);
    // Endpoints needing a user say so.
    let r = srv
        .post(None, "/room/lobby/message", &alice.post_body(&srv, b"x"))
        .await
        .expect(401);
    assert_eq!(r.text(), "X-SOGS-* request authentication required");
}

#[tokio::test]
async fn url_encoded_paths_are_signed_decoded() {
    let srv = Srv::start().await;
    let alice = User::new(1);
    let id = srv.say(&alice, "lobby", "hello").await;
    // The emoji path is sent percent-encoded; the signature covers the UTF-8 form.
    let r = srv
        .req(
            Some(&alice),
            "PUT",
            &format!("/room/lobby/reaction/{id}/%F0%9F%8D%86"),
            Vec::new(),
            &[],
        )
        .await
        .expect(200);
    assert_eq!(r.json()["added"], true);
}

#[tokio::test]
async fn unblinded_keys_work_when_blinding_is_off() {
    let dir = Arc::new(tempfile::tempdir().unwrap());
    let srv = Srv::start_with(dir, Arc::default(), |c| c.require_blind_keys = false).await;
    srv.admin().room_add("lobby", "Lobby", None).unwrap();
    let caps = srv.get(None, "/capabilities").await.expect(200).json();
    assert_eq!(caps, json!({"capabilities": ["reactions", "sogs"]}));
    let mut bob = User::new(2);
    bob.blinded = false;
    let data = b"plain";
    let sig = bob.keys.sign_xed25519(data);
    let body = json!({"data": b64(data), "signature": b64(&sig)});
    let r = srv
        .post(Some(&bob), "/room/lobby/message", &body)
        .await
        .expect(201)
        .json();
    assert_eq!(r["session_id"], bob.session_id());
    // The DM endpoints still need blinded keys.
    let r = srv.get(Some(&bob), "/inbox").await.expect(401);
    assert_eq!(r.text(), "This endpoint requires blinded pubkeys be used");
}

#[tokio::test]
async fn globally_banned_users_are_refused_at_auth() {
    let srv = Srv::start().await;
    let admin = User::new(1);
    let eve = User::new(2);
    srv.admin()
        .moderator_add(&[admin.id(&srv)], &Scope::Global, true, false)
        .unwrap();
    srv.get(Some(&eve), "/rooms").await.expect(200);
    srv.post(
        Some(&admin),
        &format!("/user/{}/ban", eve.id(&srv)),
        &json!({"global": true}),
    )
    .await
    .expect(200);
    let r = srv.get(Some(&eve), "/rooms").await.expect(403);
    assert_eq!(r.text(), "Banned");
    // Even with a bad signature the ban answers first.
    let mut h = srv.headers(&eve, "GET", "/rooms", b"");
    h.retain(|(k, _)| k != "X-SOGS-Signature");
    h.push(("X-SOGS-Signature".into(), b64(&[0u8; 64])));
    srv.raw("GET", "/rooms", &h, Vec::new()).await.expect(403);
    srv.post(
        Some(&admin),
        &format!("/user/{}/unban", eve.id(&srv)),
        &json!({"global": true}),
    )
    .await
    .expect(200);
    srv.get(Some(&eve), "/rooms").await.expect(200);
}
