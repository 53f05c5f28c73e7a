//! The file endpoints over direct HTTP: upload, download, info, de-duplication, TTLs, extend,
//! the legacy pair, every refusal, and expiry (gone from the API, then from the disk).

use super::*;
use base64::Engine as _;
use base64::engine::general_purpose::STANDARD;
use session_fileserver::request::file_id;

const THREE_WEEKS: f64 = 21.0 * 86_400.0;

#[tokio::test]
async fn upload_download_info_round_trip() {
    let srv = Srv::start().await;
    let body = data(100_000, 1);
    let before = srv.now();
    let r = srv
        .raw("POST", "/file", &[], body.clone())
        .await
        .expect(200);
    assert_eq!(r.content_type(), "application/json");
    let v = r.json();
    let id = v["id"].as_str().unwrap();
    assert_eq!(id, file_id(&body), "the ID is the reference's content hash");
    assert_eq!(id.len(), 44);
    assert_eq!(v.as_object().unwrap().len(), 2, "{{id, expires}}: {v}");
    let expires = v["expires"].as_f64().unwrap();
    assert!((expires - before - THREE_WEEKS).abs() < 5.0, "{expires}");
    // Python's json.dumps separators.
    assert!(
        r.text()
            .starts_with(&format!("{{\"id\": \"{id}\", \"expires\": "))
    );

    let got = srv.get(&format!("/file/{id}")).await.expect(200);
    assert_eq!(got.content_type(), "application/octet-stream");
    assert_eq!(got.bytes, body);
    assert!(got.headers.get("expires").is_some());

    let info = srv
        .get(&format!("/file/{id}/info"))
        .await
        .expect(200)
        .json();
    assert_eq!(info["size"], 100_000);
    assert!((info["expires"].as_f64().unwrap() - expires).abs() < 1e-3);
    assert!((info["uploaded"].as_f64().unwrap() - before).abs() < 5.0);
    assert_eq!(entries(&srv.data_dir().join("files")), vec![id.to_owned()]);
    assert!(entries(&srv.data_dir().join("tmp")).is_empty());
}

#[tokio::test]
async fn a_ten_megabyte_upload_streams_and_one_byte_more_is_refused() {
    let srv = Srv::start().await;
    let body = data(10_000_000, 2);
    let id = srv.upload(&body).await;
    assert_eq!(
        srv.get(&format!("/file/{id}")).await.expect(200).bytes,
        body
    );
    let mut more = body;
    more.push(0);
    let r = srv.raw("POST", "/file", &[], more).await.expect(413);
    assert_eq!(r.text(), r#"{"status_code": 413}"#);
    assert_eq!(r.content_type(), "application/json");
    srv.eventually("no temporary file left", || {
        entries(&srv.data_dir().join("tmp")).is_empty()
    })
    .await;
}

#[tokio::test]
async fn the_size_limit_is_configurable() {
    let srv = Srv::start_with(|c| c.max_file_size = 1000).await;
    srv.upload(&data(1000, 3)).await;
    srv.raw("POST", "/file", &[], data(1001, 3))
        .await
        .expect(413);
    // The legacy limit is the base64 length of the same limit.
    let b64 = STANDARD.encode(data(1001, 3));
    let body = serde_json::json!({ "file": b64 }).to_string().into_bytes();
    srv.raw("POST", "/files", &[], body).await.expect(413);
}

#[tokio::test]
async fn empty_uploads_unknown_and_malformed_ids() {
    let srv = Srv::start().await;
    let r = srv.raw("POST", "/file", &[], Vec::new()).await.expect(413);
    assert_eq!(r.text(), r#"{"status_code": 413}"#);
    for path in [
        "/file/AAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAA",
        "/file/AAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAA/info",
        "/files/AAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAA",
        "/file/..%2F..%2Fkey_x25519",
        "/file/a.b",
        "/files/key_x25519",
    ] {
        let r = srv.get(path).await.expect(404);
        assert_eq!(r.text(), r#"{"status_code": 404}"#, "{path}");
    }
    let r = srv
        .raw(
            "POST",
            "/file/AAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAA/extend",
            &[],
            vec![],
        )
        .await
        .expect(404);
    assert_eq!(r.text(), r#"{"status_code": 404}"#);
    srv.get("/nothing/here").await.expect(404);
    srv.get("/file").await.expect(405);
    srv.raw("DELETE", "/file/x", &[], vec![]).await.expect(405);
}

#[tokio::test]
async fn identical_uploads_share_one_copy_and_renew_it() {
    let srv = Srv::start().await;
    let body = data(5000, 4);
    let a = srv
        .raw("POST", "/file", &[("X-FS-TTL", "3600")], body.clone())
        .await
        .expect(200)
        .json();
    srv.advance(100);
    let b = srv
        .raw("POST", "/file", &[], body.clone())
        .await
        .expect(200)
        .json();
    assert_eq!(a["id"], b["id"]);
    let (ea, eb) = (
        a["expires"].as_f64().unwrap(),
        b["expires"].as_f64().unwrap(),
    );
    assert!(
        (eb - ea - (THREE_WEEKS - 3600.0 + 100.0)).abs() < 5.0,
        "{ea} {eb}"
    );
    assert_eq!(entries(&srv.data_dir().join("files")).len(), 1);
    let info = srv
        .get(&format!("/file/{}/info", a["id"].as_str().unwrap()))
        .await
        .expect(200)
        .json();
    assert!((info["uploaded"].as_f64().unwrap() - srv.now()).abs() < 5.0);
}

#[tokio::test]
async fn ttl_header_is_clamped_and_garbage_refused() {
    let srv = Srv::start().await;
    let now = srv.now();
    for (ttl, want, salt) in [
        ("30", 60.0, 10),
        ("600", 600.0, 11),
        ("99999999", THREE_WEEKS, 12),
        ("-1", 60.0, 13),
    ] {
        let v = srv
            .raw("POST", "/file", &[("X-FS-TTL", ttl)], data(10, salt))
            .await
            .expect(200)
            .json();
        let got = v["expires"].as_f64().unwrap() - now;
        assert!((got - want).abs() < 5.0, "ttl {ttl}: {got}");
    }
    let r = srv
        .raw("POST", "/file", &[("X-FS-TTL", "soon")], data(10, 14))
        .await
        .expect(400);
    assert_eq!(r.content_type(), "text/plain; charset=utf-8");
    assert!(r.text().starts_with("Invalid X-FS-TTL"));
}

#[tokio::test]
async fn extend_resets_the_expiry() {
    let srv = Srv::start().await;
    let id = {
        let r = srv
            .raw("POST", "/file", &[("X-FS-TTL", "120")], data(50, 5))
            .await;
        r.expect(200).json()["id"].as_str().unwrap().to_owned()
    };
    srv.advance(100);
    let v = srv
        .raw("POST", &format!("/file/{id}/extend"), &[], vec![])
        .await
        .expect(200);
    assert!(
        v.text().starts_with("{\"size\": 50, \"uploaded\": "),
        "{}",
        v.text()
    );
    let v = v.json();
    assert!((v["expires"].as_f64().unwrap() - srv.now() - THREE_WEEKS).abs() < 5.0);
    let v = srv
        .raw(
            "POST",
            &format!("/file/{id}/extend"),
            &[("X-FS-TTL", "300")],
            vec![],
        )
        .await
        .expect(200)
        .json();
    assert!((v["expires"].as_f64().unwrap() - srv.now() - 300.0).abs() < 5.0);
    srv.advance(299);
    srv.get(&format!("/file/{id}")).await.expect(200);
    srv.advance(2);
    srv.raw("POST", &format!("/file/{id}/extend"), &[], vec![])
        .await
        .expect(404);
}

#[tokio::test]
async fn expired_files_leave_the_api_then_the_disk() {
    let srv = Srv::start().await;
    let keep = srv.upload(&data(10, 6)).await;
    let id = {
        let r = srv
            .raw("POST", "/file", &[("X-FS-TTL", "60")], data(10, 7))
            .await;
        r.expect(200).json()["id"].as_str().unwrap().to_owned()
    };
    let files = srv.data_dir().join("files");
    assert_eq!(entries(&files).len(), 2);
    srv.advance(61);
    // Gone from the API at once, before any cleanup ran...
    for p in [
        format!("/file/{id}"),
        format!("/file/{id}/info"),
        format!("/files/{id}"),
    ] {
        srv.get(&p).await.expect(404);
    }
    // ...and from the disk at the next cleanup.
    srv.eventually("the expired file deleted", || {
        entries(&files) == vec![keep.clone()]
    })
    .await;
    srv.get(&format!("/file/{keep}")).await.expect(200);
}

#[tokio::test]
async fn legacy_upload_and_download() {
    let srv = Srv::start().await;
    let body = data(3000, 8);
    let req = serde_json::json!({ "file": STANDARD.encode(&body) });
    let r = srv
        .raw(
            "POST",
            "/files",
            &[("content-type", "application/json")],
            req.to_string().into_bytes(),
        )
        .await
        .expect(200);
    let id = file_id(&body);
    assert_eq!(
        r.text(),
        format!(r#"{{"result": "{id}", "status_code": 200}}"#)
    );
    let r = srv.get(&format!("/files/{id}")).await.expect(200);
    assert_eq!(r.json()["status_code"], 200);
    assert_eq!(
        STANDARD
            .decode(r.json()["result"].as_str().unwrap())
            .unwrap(),
        body
    );
    assert!(
        r.text()
            .starts_with("{\"status_code\": 200, \"result\": \"")
    );
    // The same blob is reachable through the new endpoint.
    assert_eq!(
        srv.get(&format!("/file/{id}")).await.expect(200).bytes,
        body
    );
    // Refusals: not JSON, no "file", not a string, bad base64 (400); empty (413).
    for (bad, code) in [
        (&b"not json"[..], 400),
        (br#"{"data": "aGk="}"#, 400),
        (br#"{"file": 12}"#, 400),
        (br#"{"file": "@@@@"}"#, 400),
        (br#"{"file": ""}"#, 413),
    ] {
        let r = srv
            .raw("POST", "/files", &[], bad.to_vec())
            .await
            .expect(code);
        assert_eq!(r.text(), format!(r#"{{"status_code": {code}}}"#));
    }
}
