//! Blinded DMs: send, inbox/outbox, since with 304, delete, expiry.

use super::*;
use session_crypto::BlindedId;
use session_crypto::blinded_dm::{decrypt_blinded_dm, encrypt_blinded_dm};

#[tokio::test]
async fn blinded_dms() {
    let srv = Srv::start().await;
    let alice = User::new(1);
    let bob = User::new(2);
    // Bob is unknown until he connects.
    let bob_id: BlindedId = bob.id(&srv).parse().unwrap();
    let ct = encrypt_blinded_dm(
        &alice.keys,
        &srv.pubkey,
        &bob_id,
        b"hello bob",
        &mut rand::rng(),
    )
    .unwrap();
    let path = format!("/inbox/{}", bob.id(&srv));
    srv.post(Some(&alice), &path, &json!({"message": b64(&ct)}))
        .await
        .expect(404);
    srv.get(Some(&bob), "/inbox").await.expect(200);
    srv.post(None, &path, &json!({"message": b64(&ct)}))
        .await
        .expect(401);
    srv.post(Some(&alice), &path, &json!({})).await.expect(400);
    srv.post(Some(&alice), &path, &json!({"message": "!!"}))
        .await
        .expect(400);
    srv.post(
        Some(&alice),
        &format!("/inbox/{}", bob.session_id()),
        &json!({"message": b64(&ct)}),
    )
    .await
    .expect(404);
    let r = srv
        .post(Some(&alice), &path, &json!({"message": b64(&ct)}))
        .await
        .expect(201)
        .json();
    assert_eq!(r["sender"], alice.id(&srv));
    assert_eq!(r["recipient"], bob.id(&srv));
    assert!(r.get("message").is_none());
    let posted = r["posted_at"].as_f64().unwrap();
    assert!((r["expires_at"].as_f64().unwrap() - posted - 15.0 * 86400.0).abs() < 1e-3);
    let id = r["id"].as_i64().unwrap();
    // Bob reads and decrypts it; Alice sees it in her outbox.
    let inbox = srv.get(Some(&bob), "/inbox").await.expect(200).json();
    assert_eq!(inbox.as_array().unwrap().len(), 1);
    let got = unb64(&inbox[0]["message"]);
    let alice_id: BlindedId = alice.id(&srv).parse().unwrap();
    let dm = decrypt_blinded_dm(&bob.keys, &srv.pubkey, &alice_id, &bob_id, &got).unwrap();
    assert_eq!(&dm.plaintext[..], b"hello bob");
    assert_eq!(dm.sender, alice.keys.session_id());
    let out = srv.get(Some(&alice), "/outbox").await.expect(200).json();
    assert_eq!(out[0]["id"], id);
    // since: 304 with an empty body when nothing is new.
    let r = srv
        .get(Some(&bob), &format!("/inbox/since/{id}"))
        .await
        .expect(304);
    assert!(r.bytes.is_empty());
    srv.get(Some(&alice), &format!("/outbox/since/{id}"))
        .await
        .expect(304);
    assert_eq!(
        srv.get(Some(&bob), "/inbox/since/0")
            .await
            .expect(200)
            .json()
            .as_array()
            .unwrap()
            .len(),
        1
    );
    // Delete.
    let r = srv.delete(Some(&bob), "/inbox").await.expect(200).json();
    assert_eq!(r, json!({"deleted": 1}));
    assert_eq!(
        srv.delete(Some(&bob), "/inbox").await.expect(200).json(),
        json!({"deleted": 0})
    );
    srv.get(None, "/inbox").await.expect(401);
    // Expiry: 15 days later the message is gone.
    srv.post(Some(&alice), &path, &json!({"message": b64(&ct)}))
        .await
        .expect(201);
    srv.offset.fetch_add(15 * 86400 + 10, Ordering::SeqCst);
    assert_eq!(
        srv.get(Some(&bob), "/inbox").await.expect(200).json(),
        json!([])
    );
}
