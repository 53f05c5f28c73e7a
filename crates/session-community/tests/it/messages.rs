//! Posting and polling: shapes, edits, deletions, reactions, whispers, pins, rate limit.

use super::*;

#[tokio::test]
async fn post_and_poll_messages() {
    let srv = Srv::start().await;
    let alice = User::new(1);
    let bob = User::new(2);
    let r = srv
        .post(
            Some(&alice),
            "/room/lobby/message",
            &alice.post_body(&srv, b"one\x80\0\0"),
        )
        .await
        .expect(201)
        .json();
    let id1 = r["id"].as_i64().unwrap();
    assert_eq!(r["session_id"], alice.id(&srv));
    assert_eq!(r["seqno"], 1);
    assert_eq!(r["data"], b64(b"one\x80\0\0"));
    assert_eq!(r["reactions"], json!({}));
    assert!(r["posted"].as_f64().unwrap() > 1.6e9);
    assert!(r.get("whisper").is_none());
    let id2 = srv.say(&bob, "lobby", "two").await;
    let id3 = srv.say(&alice, "lobby", "three").await;
    // recent: newest first; before; single; since.
    let recent = srv
        .get(None, "/room/lobby/messages/recent")
        .await
        .expect(200)
        .json();
    let ids: Vec<i64> = recent
        .as_array()
        .unwrap()
        .iter()
        .map(|m| m["id"].as_i64().unwrap())
        .collect();
    assert_eq!(ids, [id3, id2, id1]);
    assert_eq!(
        recent[2]["data"],
        b64(b"one\x80\0\0"),
        "padding is returned as posted"
    );
    let before = srv
        .get(None, &format!("/room/lobby/messages/before/{id3}?limit=1"))
        .await
        .expect(200)
        .json();
    assert_eq!(before.as_array().unwrap().len(), 1);
    assert_eq!(before[0]["id"], id2);
    let one = srv
        .get(Some(&bob), &format!("/room/lobby/message/{id2}"))
        .await
        .expect(200)
        .json();
    assert_eq!(one["session_id"], bob.id(&srv));
    assert!(one.get("edited").is_none());
    srv.get(None, "/room/lobby/message/999").await.expect(404);
    let since = srv
        .get(None, "/room/lobby/messages/since/1")
        .await
        .expect(200)
        .json();
    assert_eq!(since.as_array().unwrap().len(), 2);
    // Edit: only the author; the poll after the last seqno returns the new version.
    let edit = alice.post_body(&srv, b"three, edited");
    srv.put(
        Some(&bob),
        &format!("/room/lobby/message/{id3}"),
        &bob.post_body(&srv, b"x"),
    )
    .await
    .expect(403);
    srv.put(Some(&alice), &format!("/room/lobby/message/{id3}"), &edit)
        .await
        .expect(200);
    srv.put(Some(&alice), "/room/lobby/message/999", &edit)
        .await
        .expect(404);
    let s = srv
        .get(None, "/room/lobby/messages/since/3")
        .await
        .expect(200)
        .json();
    assert_eq!(s.as_array().unwrap().len(), 1);
    assert_eq!(s[0]["id"], id3);
    assert_eq!(s[0]["seqno"], 4);
    assert_eq!(s[0]["data"], b64(b"three, edited"));
    assert!(s[0]["edited"].as_f64().is_some());
    // Reactions are reaction-only updates with t=r, invisible without.
    srv.req(
        Some(&bob),
        "PUT",
        &format!("/room/lobby/reaction/{id1}/👍"),
        Vec::new(),
        &[],
    )
    .await
    .expect(200);
    let s = srv
        .get(None, "/room/lobby/messages/since/4?t=r")
        .await
        .expect(200)
        .json();
    assert_eq!(
        s,
        json!([{"id": id1, "seqno": 5, "reactions": {"👍": {"index": 0, "count": 1, "reactors": [bob.id(&srv)]}}}])
    );
    let s = srv
        .get(None, "/room/lobby/messages/since/4")
        .await
        .expect(200)
        .json();
    assert_eq!(s, json!([]));
    // Delete: the author (or a mod); the poll shows a deletion.
    srv.delete(Some(&bob), &format!("/room/lobby/message/{id1}"))
        .await
        .expect(403);
    srv.delete(Some(&alice), &format!("/room/lobby/message/{id1}"))
        .await
        .expect(200);
    srv.delete(Some(&alice), &format!("/room/lobby/message/{id1}"))
        .await
        .expect(404);
    let s = srv
        .get(None, "/room/lobby/messages/since/5")
        .await
        .expect(200)
        .json();
    assert_eq!(s[0]["id"], id1);
    assert_eq!(s[0]["data"], Value::Null);
    assert_eq!(s[0]["deleted"], true);
    assert!(s[0].get("signature").is_none() && s[0].get("reactions").is_none());
    let recent = srv
        .get(None, "/room/lobby/messages/recent")
        .await
        .expect(200)
        .json();
    assert_eq!(recent.as_array().unwrap().len(), 2);
    srv.get(None, &format!("/room/lobby/message/{id1}"))
        .await
        .expect(404);
    // The room's counter moved with every change.
    let room = srv.get(None, "/room/lobby").await.expect(200).json();
    assert_eq!(room["message_sequence"], 6);
    // Limits are clamped; bad integers are 400.
    srv.get(None, "/room/lobby/messages/recent?limit=abc")
        .await
        .expect(400);
    let all = srv
        .get(None, "/room/lobby/messages/since/0?limit=9999")
        .await
        .expect(200)
        .json();
    assert_eq!(
        all.as_array().unwrap().len(),
        2,
        "a deletion of a message created after 0 is not sent"
    );
}

#[tokio::test]
async fn posts_are_checked() {
    let srv = Srv::start().await;
    let alice = User::new(1);
    let bob = User::new(2);
    // Someone else's signature over the same data is refused.
    let r = post_as(&srv, &alice, &bob.post_body(&srv, b"forged"))
        .await
        .expect(400);
    assert_eq!(r.text(), "Invalid signature");
    post_as(
        &srv,
        &alice,
        &json!({"data": "!!!", "signature": b64(&[0; 64])}),
    )
    .await
    .expect(400);
    post_as(&srv, &alice, &json!({"data": b64(b"x")}))
        .await
        .expect(400);
    post_as(
        &srv,
        &alice,
        &json!({"data": b64(b"x"), "signature": b64(&[0; 63])}),
    )
    .await
    .expect(400);
    post_as(&srv, &alice, &json!([1, 2])).await.expect(400);
    srv.req(
        Some(&alice),
        "POST",
        "/room/lobby/message",
        b"{nope".to_vec(),
        &[],
    )
    .await
    .expect(400);
    // Whispers need a moderator.
    let mut w = alice.post_body(&srv, b"psst");
    w["whisper_mods"] = json!(true);
    let r = post_as(&srv, &alice, &w).await.expect(403);
    assert_eq!(r.text(), "Permission denied");
    // Unknown room.
    srv.post(
        Some(&alice),
        "/room/nope/message",
        &alice.post_body(&srv, b"x"),
    )
    .await
    .expect(404);
}

#[tokio::test]
async fn whispers_are_seen_by_their_audience_only() {
    let srv = Srv::start().await;
    let m = User::new(1);
    let alice = User::new(2);
    let bob = User::new(3);
    srv.make_mod(&m, "lobby", false);
    let mut to_alice = m.post_body(&srv, b"for alice");
    to_alice["whisper_to"] = json!(alice.id(&srv));
    let r = srv
        .post(Some(&m), "/room/lobby/message", &to_alice)
        .await
        .expect(201)
        .json();
    assert_eq!(
        (r["whisper"].clone(), r["whisper_mods"].clone()),
        (json!(true), json!(false))
    );
    assert_eq!(r["whisper_to"], alice.id(&srv));
    let mut to_mods = m.post_body(&srv, b"for mods");
    to_mods["whisper_mods"] = json!(true);
    srv.post(Some(&m), "/room/lobby/message", &to_mods)
        .await
        .expect(201);
    assert_eq!(count(&srv, Some(&m)).await, 2);
    assert_eq!(count(&srv, Some(&alice)).await, 1);
    assert_eq!(count(&srv, Some(&bob)).await, 0);
    assert_eq!(count(&srv, None).await, 0);
}

#[tokio::test]
async fn reactions_and_reactors() {
    let srv = Srv::start().await;
    let alice = User::new(1);
    let bob = User::new(2);
    let m = User::new(3);
    srv.make_mod(&m, "lobby", false);
    let id = srv.say(&alice, "lobby", "react to me").await;
    let r = react(&srv, &alice, id, "🎉").await.expect(200).json();
    assert_eq!(r, json!({"added": true, "seqno": 2}));
    let r = react(&srv, &alice, id, "🎉").await.expect(200).json();
    assert_eq!(r, json!({"added": false, "seqno": 2}));
    react(&srv, &bob, id, "🎉").await.expect(200);
    react(&srv, &bob, id, "👍").await.expect(200);
    let msg = srv
        .get(
            Some(&alice),
            &format!("/room/lobby/message/{id}?reactors=1"),
        )
        .await
        .expect(200)
        .json();
    assert_eq!(
        msg["reactions"],
        json!({
            "🎉": {"index": 0, "count": 2, "reactors": [alice.id(&srv)], "you": true},
            "👍": {"index": 1, "count": 1, "reactors": [bob.id(&srv)]},
        })
    );
    let msg = srv
        .get(None, &format!("/room/lobby/message/{id}?reactors=0"))
        .await
        .expect(200)
        .json();
    assert_eq!(msg["reactions"]["🎉"], json!({"index": 0, "count": 2}));
    let who = srv
        .get(None, &format!("/room/lobby/reactors/{id}/🎉"))
        .await
        .expect(200)
        .json();
    assert_eq!(who.as_array().unwrap().len(), 2);
    assert_eq!(who[0][0], alice.id(&srv));
    assert!(who[0][1].as_f64().is_some());
    let who = srv
        .get(None, &format!("/room/lobby/reactors/{id}/🎉?limit=1"))
        .await
        .expect(200)
        .json();
    assert_eq!(who.as_array().unwrap().len(), 1);
    // Remove one's own; moderators remove everyone's.
    let r = srv
        .delete(Some(&alice), &format!("/room/lobby/reaction/{id}/🎉"))
        .await
        .expect(200)
        .json();
    assert_eq!(r["removed"], true);
    let r = srv
        .delete(Some(&alice), &format!("/room/lobby/reaction/{id}/🎉"))
        .await
        .expect(200)
        .json();
    assert_eq!(r["removed"], false);
    srv.delete(Some(&alice), &format!("/room/lobby/reactions/{id}"))
        .await
        .expect(403);
    let r = srv
        .delete(Some(&m), &format!("/room/lobby/reactions/{id}/👍"))
        .await
        .expect(200)
        .json();
    assert_eq!(r["removed"], 1);
    let r = srv
        .delete(Some(&m), &format!("/room/lobby/reactions/{id}"))
        .await
        .expect(200)
        .json();
    assert_eq!(r["removed"], 1);
    // Refusals.
    srv.req(
        None,
        "PUT",
        &format!("/room/lobby/reaction/{id}/x"),
        Vec::new(),
        &[],
    )
    .await
    .expect(401);
    let r = srv
        .req(
            Some(&bob),
            "PUT",
            "/room/lobby/reaction/999/x",
            Vec::new(),
            &[],
        )
        .await
        .expect(404);
    assert_eq!(r.text(), "No such post: 999");
    srv.req(
        Some(&bob),
        "PUT",
        &format!("/room/lobby/reaction/{id}/{}", "a".repeat(13)),
        Vec::new(),
        &[],
    )
    .await
    .expect(400);
}

async fn react(srv: &Srv, who: &User, id: i64, emoji: &str) -> Got {
    srv.req(
        Some(who),
        "PUT",
        &format!("/room/lobby/reaction/{id}/{emoji}"),
        Vec::new(),
        &[],
    )
    .await
}

#[tokio::test]
async fn rate_limit_five_posts_per_sixteen_seconds_admins_exempt() {
    let srv = Srv::start().await;
    let alice = User::new(1);
    let admin = User::new(2);
    srv.make_mod(&admin, "lobby", true);
    for i in 0..5 {
        srv.say(&alice, "lobby", &format!("m{i}")).await;
    }
    let r = srv
        .post(
            Some(&alice),
            "/room/lobby/message",
            &alice.post_body(&srv, b"six"),
        )
        .await
        .expect(429);
    assert_eq!(r.text(), "Rate limited");
    for i in 0..7 {
        srv.say(&admin, "lobby", &format!("a{i}")).await;
    }
    srv.offset.fetch_add(17, Ordering::SeqCst);
    srv.say(&alice, "lobby", "later").await;
}

#[tokio::test]
async fn pins_and_room_updates() {
    let srv = Srv::start().await;
    let admin = User::new(1);
    let alice = User::new(2);
    srv.make_mod(&admin, "lobby", true);
    let id = srv.say(&alice, "lobby", "pin me").await;
    let info0 = srv.get(None, "/room/lobby").await.expect(200).json()["info_updates"]
        .as_i64()
        .unwrap();
    srv.post(Some(&alice), &format!("/room/lobby/pin/{id}"), &json!({}))
        .await
        .expect(403);
    srv.post(Some(&admin), "/room/lobby/pin/999", &json!({}))
        .await
        .expect(404);
    let r = srv
        .post(Some(&admin), &format!("/room/lobby/pin/{id}"), &json!({}))
        .await
        .expect(200)
        .json();
    assert_eq!(r["info_updates"], info0 + 1);
    let room = srv.get(None, "/room/lobby").await.expect(200).json();
    assert_eq!(room["pinned_messages"][0]["id"], id);
    assert_eq!(room["pinned_messages"][0]["pinned_by"], admin.id(&srv));
    assert_eq!(room["admins"], json!([admin.id(&srv)]));
    let r = srv
        .post(Some(&admin), &format!("/room/lobby/unpin/{id}"), &json!({}))
        .await
        .expect(200)
        .json();
    assert_eq!(r["unpinned"], true);
    let r = srv
        .post(Some(&admin), "/room/lobby/unpin/all", &json!({}))
        .await
        .expect(200)
        .json();
    assert_eq!(r["unpinned"], 0);
    // PUT /room: admins only; fields validated; info_updates moves.
    srv.put(Some(&alice), "/room/lobby", &json!({"name": "x"}))
        .await
        .expect(403);
    srv.put(Some(&admin), "/room/lobby", &json!({}))
        .await
        .expect(400);
    srv.put(Some(&admin), "/room/lobby", &json!({"name": 5}))
        .await
        .expect(400);
    srv.put(Some(&admin), "/room/lobby", &json!({"image": 12345}))
        .await
        .expect(406);
    let r = srv
        .put(
            Some(&admin),
            "/room/lobby",
            &json!({"name": "New\nname", "description": null, "default_write": false}),
        )
        .await
        .expect(200)
        .json();
    let room = srv
        .get(Some(&admin), "/room/lobby")
        .await
        .expect(200)
        .json();
    assert_eq!(room["info_updates"], r["info_updates"]);
    assert_eq!(room["name"], "Newname");
    assert!(room.get("description").is_none());
    assert_eq!(room["default_write"], false);
    assert_eq!(room["moderator"], true);
    assert_eq!(room["admin"], true);
    // Default write off: alice can no longer post.
    srv.post(
        Some(&alice),
        "/room/lobby/message",
        &alice.post_body(&srv, b"x"),
    )
    .await
    .expect(403);
}

async fn post_as(srv: &Srv, who: &User, body: &Value) -> Got {
    srv.post(Some(who), "/room/lobby/message", body).await
}

async fn count(srv: &Srv, who: Option<&User>) -> usize {
    srv.get(who, "/room/lobby/messages/recent")
        .await
        .expect(200)
        .json()
        .as_array()
        .unwrap()
        .len()
}
