//! Permissions, scheduled changes, bans, moderators, deleting all of a user's posts, and the
//! unblinded → blinded hand-over of rights given by the admin CLI.

use super::*;

#[tokio::test]
async fn permissions_and_future_permissions() {
    let srv = Srv::start().await;
    let m = User::new(1);
    let alice = User::new(2);
    srv.make_mod(&m, "lobby", false);
    srv.get(Some(&alice), "/rooms").await.expect(200);
    let path = format!("/room/lobby/permissions/{}", alice.id(&srv));
    srv.post(Some(&alice), &path, &json!({"write": false}))
        .await
        .expect(403);
    srv.post(
        Some(&m),
        &path,
        &json!({"write": true, "default_write": true}),
    )
    .await
    .expect(400);
    srv.post(Some(&m), &path, &json!({})).await.expect(400);
    let r = srv
        .post(Some(&m), &path, &json!({"write": false}))
        .await
        .expect(200)
        .json();
    assert_eq!(r, json!({"write": false}));
    let r = srv
        .post(
            Some(&alice),
            "/room/lobby/message",
            &alice.post_body(&srv, b"x"),
        )
        .await
        .expect(403);
    assert_eq!(r.text(), "Permission denied");
    assert_eq!(
        srv.get(Some(&alice), "/room/lobby")
            .await
            .expect(200)
            .json()["write"],
        false
    );
    let all = srv
        .get(Some(&m), "/room/lobby/permissions")
        .await
        .expect(200)
        .json();
    assert_eq!(all[alice.id(&srv)], json!({"write": false}));
    assert_eq!(all[m.id(&srv)], json!({"moderator": true}));
    assert_eq!(
        srv.get(Some(&m), &path).await.expect(200).json(),
        json!({"write": false})
    );
    // Unblinded IDs do not match the SessionID rule while blinding is required.
    srv.get(
        Some(&m),
        &format!("/room/lobby/permissions/{}", alice.session_id()),
    )
    .await
    .expect(404);
    // Schedule write back in 1 s; the cleanup applies it.
    let fpath = format!("/room/lobby/futurePermissions/{}", alice.id(&srv));
    srv.post(Some(&m), &fpath, &json!({"write": true}))
        .await
        .expect(400);
    srv.post(Some(&m), &fpath, &json!({"write": true, "in": 1e12}))
        .await
        .expect(400);
    let r = srv
        .post(Some(&m), &fpath, &json!({"write": true, "in": 1}))
        .await
        .expect(200)
        .json();
    assert_eq!(r.as_array().unwrap().len(), 1);
    assert_eq!(r[0]["write"], true);
    let all = srv
        .get(Some(&m), "/room/lobby/futurePermissions")
        .await
        .expect(200)
        .json();
    assert_eq!(all[0]["session_id"], alice.id(&srv));
    srv.offset.fetch_add(2, Ordering::SeqCst);
    tokio::time::sleep(std::time::Duration::from_millis(400)).await;
    srv.say(&alice, "lobby", "writing again").await;
    let r = srv.get(Some(&m), &path).await.expect(200).json();
    assert_eq!(
        r,
        json!({}),
        "the scheduled value equals the default, so the override goes"
    );
    srv.get(Some(&alice), "/room/lobby/permissions")
        .await
        .expect(403);
    srv.get(None, "/room/lobby/permissions").await.expect(401);
}

#[tokio::test]
async fn room_bans_with_timeout() {
    let srv = Srv::start().await;
    let m = User::new(1);
    let alice = User::new(2);
    let admin = User::new(3);
    srv.make_mod(&m, "lobby", false);
    srv.make_mod(&admin, "lobby", true);
    srv.say(&alice, "lobby", "before the ban").await;
    let ban = format!("/user/{}/ban", alice.id(&srv));
    srv.post(Some(&alice), &ban, &json!({"rooms": ["lobby"]}))
        .await
        .expect(403);
    srv.post(Some(&m), &ban, &json!({"rooms": ["lobby"], "global": true}))
        .await
        .expect(400);
    srv.post(Some(&m), &ban, &json!({})).await.expect(400);
    srv.post(Some(&m), &ban, &json!({"rooms": ["nope"]}))
        .await
        .expect(403);
    srv.post(Some(&m), &ban, &json!({"global": true}))
        .await
        .expect(403);
    srv.post(Some(&m), &ban, &json!({"rooms": ["lobby"], "timeout": "x"}))
        .await
        .expect(400);
    srv.post(Some(&m), &ban, &json!({"rooms": ["lobby"], "timeout": 1}))
        .await
        .expect(200);
    let r = srv
        .get(Some(&alice), "/room/lobby/messages/recent")
        .await
        .expect(403);
    assert_eq!(
        r.text(),
        "This endpoint requires room message 'read' permission"
    );
    srv.get(Some(&alice), "/room/lobby").await.expect(404);
    srv.post(
        Some(&alice),
        "/room/lobby/message",
        &alice.post_body(&srv, b"x"),
    )
    .await
    .expect(403);
    let rooms = srv.get(Some(&alice), "/rooms").await.expect(200).json();
    assert_eq!(rooms, json!([]));
    // A moderator cannot ban a moderator; an admin can't be banned by a mod either.
    srv.post(
        Some(&m),
        &format!("/user/{}/ban", admin.id(&srv)),
        &json!({"rooms": ["lobby"]}),
    )
    .await
    .expect(403);
    // The timeout lifts the ban.
    srv.offset.fetch_add(2, Ordering::SeqCst);
    tokio::time::sleep(std::time::Duration::from_millis(400)).await;
    srv.get(Some(&alice), "/room/lobby/messages/recent")
        .await
        .expect(200);
    // Ban again and unban by hand.
    srv.post(Some(&m), &ban, &json!({"rooms": ["lobby"]}))
        .await
        .expect(200);
    srv.get(Some(&alice), "/room/lobby/messages/recent")
        .await
        .expect(403);
    srv.post(
        Some(&m),
        &format!("/user/{}/unban", alice.id(&srv)),
        &json!({"rooms": ["lobby"]}),
    )
    .await
    .expect(200);
    srv.get(Some(&alice), "/room/lobby/messages/recent")
        .await
        .expect(200);
}

#[tokio::test]
async fn moderators_by_api_and_delete_all() {
    let srv = Srv::start().await;
    let admin = User::new(1);
    let alice = User::new(2);
    let bob = User::new(3);
    srv.make_mod(&admin, "lobby", true);
    let modpath = format!("/user/{}/moderator", bob.id(&srv));
    srv.post(
        Some(&alice),
        &modpath,
        &json!({"rooms": ["lobby"], "moderator": true}),
    )
    .await
    .expect(403);
    srv.post(Some(&admin), &modpath, &json!({"rooms": ["lobby"]}))
        .await
        .expect(400);
    srv.post(
        Some(&admin),
        &modpath,
        &json!({"rooms": ["lobby"], "admin": true, "moderator": false}),
    )
    .await
    .expect(400);
    let r = srv
        .post(
            Some(&admin),
            &modpath,
            &json!({"rooms": ["lobby"], "moderator": true, "visible": false}),
        )
        .await
        .expect(200)
        .json();
    let n = r["info_updates"]["lobby"].as_i64().unwrap();
    let room = srv
        .get(Some(&admin), "/room/lobby")
        .await
        .expect(200)
        .json();
    assert_eq!(room["hidden_moderators"], json!([bob.id(&srv)]));
    assert_eq!(room["info_updates"], n);
    let room = srv.get(None, "/room/lobby").await.expect(200).json();
    assert!(room.get("hidden_moderators").is_none());
    assert_eq!(room["moderators"], json!([]));
    // Bob (a moderator now) deletes all of alice's posts.
    srv.say(&alice, "lobby", "one").await;
    srv.say(&alice, "lobby", "two").await;
    let all = format!("/room/lobby/all/{}", alice.id(&srv));
    srv.delete(Some(&alice), &format!("/room/lobby/all/{}", bob.id(&srv)))
        .await
        .expect(403);
    srv.delete(Some(&bob), &format!("/room/lobby/all/{}", admin.id(&srv)))
        .await
        .expect(403);
    srv.delete(Some(&bob), &all).await.expect(200);
    srv.delete(Some(&bob), &all).await.expect(404);
    let left = srv
        .get(None, "/room/lobby/messages/recent")
        .await
        .expect(200)
        .json();
    assert_eq!(left, json!([]));
    srv.say(&alice, "lobby", "three").await;
    let r = srv
        .delete(Some(&bob), &format!("/rooms/all/{}", alice.id(&srv)))
        .await
        .expect(200)
        .json();
    assert_eq!(r, json!({"total": 1, "rooms": {"lobby": 1}}));
    // Remove bob.
    srv.post(
        Some(&admin),
        &modpath,
        &json!({"rooms": ["lobby"], "moderator": false}),
    )
    .await
    .expect(200);
    srv.delete(Some(&bob), &all).await.expect(403);
}

#[tokio::test]
async fn rights_given_to_an_unblinded_id_move_to_its_blinded_user() {
    let srv = Srv::start().await;
    let carol = User::new(9);
    // The operator knows carol only by her Session ID (05…).
    let done = srv
        .admin()
        .moderator_add(
            &[carol.session_id()],
            &Scope::Room("lobby".into()),
            true,
            true,
        )
        .unwrap();
    assert_eq!(done[0].applied_to, carol.session_id());
    // Carol connects with her blinded key and is an admin.
    let room = srv
        .get(Some(&carol), "/room/lobby")
        .await
        .expect(200)
        .json();
    assert_eq!(room["admin"], true);
    assert_eq!(room["admins"], json!([carol.id(&srv)]));
    // Now that she has been seen, the CLI resolves her Session ID to the blinded ID.
    let done = srv
        .admin()
        .moderator_remove(&[carol.session_id()], &Scope::Room("lobby".into()))
        .unwrap();
    assert_eq!(done[0].applied_to, carol.id(&srv));
    let room = srv
        .get(Some(&carol), "/room/lobby")
        .await
        .expect(200)
        .json();
    assert!(room.get("admin").is_none());
}

#[tokio::test]
async fn global_moderators_see_everything() {
    let srv = Srv::start().await;
    let g = User::new(1);
    srv.admin()
        .moderator_add(&[g.id(&srv)], &Scope::Global, false, true)
        .unwrap();
    srv.admin().room_add("secret", "Secret", None).unwrap();
    let admin = User::new(2);
    srv.make_mod(&admin, "secret", true);
    srv.put(
        Some(&admin),
        "/room/secret",
        &json!({"default_read": false, "default_accessible": false}),
    )
    .await
    .expect(200);
    let alice = User::new(3);
    srv.get(Some(&alice), "/room/secret").await.expect(404);
    let r = srv.get(Some(&g), "/room/secret").await.expect(200).json();
    assert_eq!(r["global_moderator"], true);
    assert_eq!(r["moderators"], json!([g.id(&srv)]));
    let rooms = srv.get(Some(&alice), "/rooms").await.expect(200).json();
    assert_eq!(rooms.as_array().unwrap().len(), 1);
}
