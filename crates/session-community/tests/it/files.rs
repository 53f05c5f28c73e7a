//! Room files: upload with a file name, download with and without the name, limits,
//! permissions, expiry of unattached uploads, attaching to posts, the room image.

use super::*;

async fn upload(
    srv: &Srv,
    user: &User,
    room: &str,
    body: Vec<u8>,
    disposition: Option<&str>,
) -> Got {
    let extra: Vec<(&str, &str)> = disposition
        .map(|d| ("content-disposition", d))
        .into_iter()
        .collect();
    srv.req(
        Some(user),
        "POST",
        &format!("/room/{room}/file"),
        body,
        &extra,
    )
    .await
}

#[tokio::test]
async fn files_upload_download_and_limits() {
    let srv = Srv::start().await;
    let alice = User::new(1);
    let bytes: Vec<u8> = (0..5000u32).map(|i| (i % 251) as u8).collect();
    let r = upload(
        &srv,
        &alice,
        "lobby",
        bytes.clone(),
        Some("attachment; filename*=UTF-8''my%20%f0%9f%8e%82.txt"),
    )
    .await
    .expect(201)
    .json();
    let id = r["id"].as_i64().unwrap();
    for path in [
        format!("/room/lobby/file/{id}"),
        format!("/room/lobby/file/{id}/whatever.bin"),
    ] {
        let g = srv.get(Some(&alice), &path).await.expect(200);
        assert_eq!(g.bytes, bytes);
        assert_eq!(g.headers["content-type"], "application/octet-stream");
        assert_eq!(
            g.headers["content-disposition"],
            "attachment; filename*=UTF-8''my%20%F0%9F%8E%82.txt"
        );
        assert!(g.headers.contains_key("expires") && g.headers.contains_key("date"));
    }
    // Without a name.
    let id2 = upload(&srv, &alice, "lobby", b"x".to_vec(), None)
        .await
        .expect(201)
        .json()["id"]
        .as_i64()
        .unwrap();
    let g = srv
        .get(None, &format!("/room/lobby/file/{id2}"))
        .await
        .expect(200);
    assert_eq!(g.headers["content-disposition"], "attachment");
    // Refusals: no user, unknown file or room, too large, no upload permission.
    srv.req(None, "POST", "/room/lobby/file", b"x".to_vec(), &[])
        .await
        .expect(401);
    srv.get(None, "/room/lobby/file/9999").await.expect(404);
    srv.admin().room_add("other", "Other", None).unwrap();
    srv.get(None, &format!("/room/other/file/{id}"))
        .await
        .expect(404);
    upload(&srv, &alice, "lobby", vec![0; 10_000_001], None)
        .await
        .expect(413);
    let admin = User::new(2);
    srv.make_mod(&admin, "lobby", true);
    srv.put(
        Some(&admin),
        "/room/lobby",
        &json!({"default_upload": false}),
    )
    .await
    .expect(200);
    upload(&srv, &alice, "lobby", b"x".to_vec(), None)
        .await
        .expect(403);
    upload(&srv, &admin, "lobby", b"x".to_vec(), None)
        .await
        .expect(201);
}

#[tokio::test]
async fn unattached_uploads_expire_attached_ones_last() {
    let srv = Srv::start().await;
    let alice = User::new(1);
    let loose = upload(&srv, &alice, "lobby", b"loose".to_vec(), None)
        .await
        .expect(201)
        .json()["id"]
        .as_i64()
        .unwrap();
    let kept = upload(&srv, &alice, "lobby", b"kept".to_vec(), None)
        .await
        .expect(201)
        .json()["id"]
        .as_i64()
        .unwrap();
    let mut body = alice.post_body(&srv, b"with a file");
    body["files"] = json!([kept]);
    srv.post(Some(&alice), "/room/lobby/message", &body)
        .await
        .expect(201);
    srv.offset.fetch_add(3700, Ordering::SeqCst);
    tokio::time::sleep(std::time::Duration::from_millis(400)).await;
    srv.get(None, &format!("/room/lobby/file/{loose}"))
        .await
        .expect(404);
    srv.get(None, &format!("/room/lobby/file/{kept}"))
        .await
        .expect(200);
    // The cleanup removed the expired file from disk too.
    let dir = srv.data_dir().join("uploads").join("lobby");
    let names: Vec<String> = std::fs::read_dir(dir)
        .unwrap()
        .map(|e| e.unwrap().file_name().to_string_lossy().into_owned())
        .collect();
    assert_eq!(names, [format!("{kept}_(unnamed)")]);
}

#[tokio::test]
async fn room_image() {
    let srv = Srv::start().await;
    let admin = User::new(1);
    srv.make_mod(&admin, "lobby", true);
    let id = upload(
        &srv,
        &admin,
        "lobby",
        b"png".to_vec(),
        Some("attachment; filename=\"icon.png\""),
    )
    .await
    .expect(201)
    .json()["id"]
        .as_i64()
        .unwrap();
    srv.put(Some(&admin), "/room/lobby", &json!({"image": id}))
        .await
        .expect(200);
    let room = srv.get(None, "/room/lobby").await.expect(200).json();
    assert_eq!(room["image_id"], id);
    // The image does not expire.
    srv.offset.fetch_add(3 * 86400, Ordering::SeqCst);
    let g = srv
        .get(None, &format!("/room/lobby/file/{id}"))
        .await
        .expect(200);
    assert!(!g.headers.contains_key("expires"));
}
