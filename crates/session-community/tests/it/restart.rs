//! A restart loses nothing: posts, files, permissions, bans, DMs and the key survive.

use super::*;
use session_crypto::BlindedId;
use session_crypto::blinded_dm::encrypt_blinded_dm;

#[tokio::test]
async fn restart_keeps_everything() {
    let srv = Srv::start().await;
    let admin = User::new(1);
    let alice = User::new(2);
    let bob = User::new(3);
    srv.make_mod(&admin, "lobby", true);
    let id = srv.say(&alice, "lobby", "persist me").await;
    let f = srv
        .req(
            Some(&alice),
            "POST",
            "/room/lobby/file",
            b"file bytes".to_vec(),
            &[],
        )
        .await
        .expect(201)
        .json()["id"]
        .as_i64()
        .unwrap();
    srv.post(
        Some(&admin),
        &format!("/user/{}/ban", bob.id(&srv)),
        &json!({"rooms": ["lobby"]}),
    )
    .await
    .expect(200);
    srv.post(
        Some(&admin),
        &format!("/room/lobby/permissions/{}", alice.id(&srv)),
        &json!({"upload": false}),
    )
    .await
    .expect(200);
    let alice_id: BlindedId = alice.id(&srv).parse().unwrap();
    let ct =
        encrypt_blinded_dm(&bob.keys, &srv.pubkey, &alice_id, b"dm", &mut rand::rng()).unwrap();
    srv.post(
        Some(&bob),
        &format!("/inbox/{}", alice.id(&srv)),
        &json!({"message": b64(&ct)}),
    )
    .await
    .expect(201);
    let pubkey = srv.pubkey;
    let dir = srv.stop().await;
    let srv = Srv::start_in(dir, Arc::default()).await;
    assert_eq!(srv.pubkey, pubkey);
    let m = srv
        .get(None, &format!("/room/lobby/message/{id}"))
        .await
        .expect(200)
        .json();
    assert_eq!(m["data"], b64(b"persist me"));
    assert_eq!(
        srv.get(None, &format!("/room/lobby/file/{f}"))
            .await
            .expect(200)
            .bytes,
        b"file bytes"
    );
    srv.get(Some(&bob), "/room/lobby/messages/recent")
        .await
        .expect(403);
    assert_eq!(
        srv.get(Some(&alice), "/room/lobby")
            .await
            .expect(200)
            .json()["upload"],
        false
    );
    assert_eq!(
        srv.get(Some(&alice), "/inbox")
            .await
            .expect(200)
            .json()
            .as_array()
            .unwrap()
            .len(),
        1
    );
    assert_eq!(
        srv.get(Some(&admin), "/room/lobby")
            .await
            .expect(200)
            .json()["admin"],
        true
    );
    let conn = session_community::db::open(&srv.data_dir()).unwrap();
    assert_eq!(
        session_community::db::version(&conn).unwrap(),
        session_community::db::schema_version()
    );
}
