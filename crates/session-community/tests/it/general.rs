//! Capabilities, room listing and details, batch and sequence.

use super::*;

#[tokio::test]
async fn capabilities_and_required() {
    let srv = Srv::start().await;
    let r = srv.get(None, "/capabilities").await.expect(200);
    assert_eq!(
        r.json(),
        json!({"capabilities": ["blind", "reactions", "sogs"]})
    );
    assert_eq!(r.headers["content-type"], "application/json");
    srv.get(None, "/capabilities?required=sogs,blind")
        .await
        .expect(200);
    let r = srv
        .get(None, "/capabilities?required=sogs,magic,x")
        .await
        .expect(412);
    assert_eq!(
        r.json(),
        json!({"capabilities": ["blind", "reactions", "sogs"], "missing": ["magic", "x"]})
    );
}

#[tokio::test]
async fn rooms_list_and_details() {
    let srv = Srv::start().await;
    srv.admin().room_add("second", "Second", None).unwrap();
    let rooms = srv.get(None, "/rooms").await.expect(200).json();
    let tokens: Vec<&str> = rooms
        .as_array()
        .unwrap()
        .iter()
        .map(|r| r["token"].as_str().unwrap())
        .collect();
    assert_eq!(tokens, ["lobby", "second"]);
    let alice = User::new(1);
    let r = srv
        .get(Some(&alice), "/room/lobby")
        .await
        .expect(200)
        .json();
    assert_eq!(r["token"], "lobby");
    assert_eq!(r["name"], "Lobby");
    assert_eq!(r["description"], "Come in");
    assert_eq!(r["info_updates"], 0);
    assert_eq!(r["message_sequence"], 0);
    assert_eq!(r["active_users_cutoff"], 604800);
    assert_eq!(r["moderators"], json!([]));
    assert_eq!(r["admins"], json!([]));
    assert_eq!(
        (r["read"].clone(), r["write"].clone(), r["upload"].clone()),
        (json!(true), json!(true), json!(true))
    );
    assert!(r["created"].as_f64().unwrap() > 1.6e9);
    assert!(r.get("moderator").is_none() && r.get("default_read").is_none());
    assert!(r.get("image_id").is_none() && r.get("pinned_messages").is_none());
    // Case-insensitive tokens; unknown rooms and bad tokens are 404; wrong method 405.
    srv.get(None, "/room/LOBBY").await.expect(200);
    srv.get(None, "/room/nope").await.expect(404);
    srv.get(None, "/room/b%20ad").await.expect(404);
    srv.get(None, "/nothing/here").await.expect(404);
    srv.delete(None, "/rooms").await.expect(405);
    // pollInfo: ephemeral always, details only when info_updates differs.
    let p = srv
        .get(Some(&alice), "/room/lobby/pollInfo/0")
        .await
        .expect(200)
        .json();
    assert_eq!(p["token"], "lobby");
    assert!(p.get("details").is_none());
    assert_eq!(p["active_users"], 1, "the poll itself counts as activity");
    let p = srv
        .get(Some(&alice), "/room/lobby/pollInfo/7")
        .await
        .expect(200)
        .json();
    assert_eq!(p["details"]["token"], "lobby");
    srv.get(None, "/room/lobby/pollInfo/x").await.expect(404);
}

#[tokio::test]
async fn batch_and_sequence() {
    let srv = Srv::start().await;
    let alice = User::new(1);
    let post = alice.post_body(&srv, b"batched");
    let body = json!([
        {"method": "GET", "path": "/capabilities"},
        {"method": "POST", "path": "/room/lobby/message", "json": post},
        {"method": "GET", "path": "/room/nope"},
        {"method": "GET", "path": "/room/lobby/messages/recent?limit=1"},
    ]);
    let r = srv
        .post(Some(&alice), "/batch", &body)
        .await
        .expect(200)
        .json();
    let a = r.as_array().unwrap();
    assert_eq!(a.len(), 4);
    assert_eq!(a[0]["code"], 200);
    assert_eq!(a[0]["headers"]["content-type"], "application/json");
    assert_eq!(a[0]["body"]["capabilities"][0], "blind");
    assert_eq!(
        a[1]["code"], 201,
        "the outer auth applies to subrequests: {}",
        a[1]
    );
    assert_eq!(a[1]["body"]["session_id"], alice.id(&srv));
    assert_eq!(a[2]["code"], 404);
    assert_eq!(unb64(&a[2]["body"]), b"Not Found");
    assert_eq!(a[3]["body"][0]["data"], b64(b"batched"));
    // /sequence stops after the first failure (and includes it).
    let r = srv
        .post(Some(&alice), "/sequence", &body)
        .await
        .expect(200)
        .json();
    assert_eq!(r.as_array().unwrap().len(), 3);
    // Malformed batches are refused whole.
    for bad in [
        json!({"method": "GET"}),
        json!([{"method": "GET"}]),
        json!([{"method": "PATCH", "path": "/x"}]),
        json!([{"method": "GET", "path": "x"}]),
        json!([{"method": "POST", "path": "/x"}]),
        json!([{"method": "POST", "path": "/x", "json": {}, "b64": ""}]),
        json!([{"method": "GET", "path": "/x", "json": {}}]),
        json!([{"method": "POST", "path": "/x", "b64": "!!"}]),
        json!([{"method": "GET", "path": "/x", "headers": {"a": 1}}]),
    ] {
        srv.post(Some(&alice), "/batch", &bad).await.expect(400);
    }
    srv.req(Some(&alice), "POST", "/batch", b"[nope".to_vec(), &[])
        .await
        .expect(400);
    // Nested batches are refused per entry.
    let r = srv
        .post(
            None,
            "/batch",
            &json!([{"method": "POST", "path": "/batch", "json": []}]),
        )
        .await
        .expect(200)
        .json();
    assert_eq!(r[0]["code"], 400);
}
