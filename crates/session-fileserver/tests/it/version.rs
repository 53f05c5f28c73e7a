//! `GET /session_version`: answered from the release data, with the optional `X-FS-*` auth
//! (the 07 version-check key), and the reference's 404/502 and auth refusals.

use super::*;
use base64::Engine as _;
use base64::engine::general_purpose::STANDARD;
use session_crypto::version_check::VersionCheckKeys;
use session_crypto::{IdentityKeys, Seed};
use session_fileserver::{Asset, Release, Releases};

fn releases() -> Releases {
    let mut r = Releases::new();
    r.insert(
        "desktop".into(),
        Release {
            version: "1.14.2".into(),
            updated: Some(1_733_000_000.5),
            name: Some("Session 1.14.2".into()),
            notes: Some(String::new()),
            assets: vec![Asset {
                name: "session.deb".into(),
                url: "https://example.invalid/session.deb".into(),
            }],
            prerelease: Some(Box::new(Release {
                version: "1.15.0".into(),
                ..Release::default()
            })),
        },
    );
    r
}

fn keys() -> VersionCheckKeys {
    VersionCheckKeys::derive(&IdentityKeys::from_seed(Seed::from_bytes([9; 32])))
}

fn auth(k: &VersionCheckKeys, ts: i64, target: &str) -> Vec<(String, String)> {
    let sig = k.sign_request(ts as u64, "GET", target, None);
    vec![
        ("X-FS-Pubkey".into(), k.id_hex()),
        ("X-FS-Timestamp".into(), ts.to_string()),
        ("X-FS-Signature".into(), STANDARD.encode(sig)),
    ]
}

async fn get_with(srv: &Srv, target: &str, h: &[(String, String)]) -> Got {
    let h: Vec<(&str, &str)> = h.iter().map(|(a, b)| (a.as_str(), b.as_str())).collect();
    srv.raw("GET", target, &h, Vec::new()).await
}

#[tokio::test]
async fn releases_anonymous_and_signed() {
    let srv = Srv::start_with(|c| c.releases = Some(releases())).await;
    let r = srv
        .get("/session_version?platform=desktop")
        .await
        .expect(200);
    assert_eq!(
        r.text(),
        r#"{"status_code": 200, "updated": 1733000000.5, "result": "1.14.2", "name": "Session 1.14.2", "assets": [{"name": "session.deb", "url": "https://example.invalid/session.deb"}], "prerelease": {"result": "1.15.0", "updated": 1733000000.5}}"#
    );
    let target = "/session_version?platform=desktop&release_channel=stable";
    let k = keys();
    let now = srv.now() as i64;
    get_with(&srv, target, &auth(&k, now, target))
        .await
        .expect(200);
    // The version-check library call signs exactly this request.
    let sig = k.sign_version_request("desktop", now as u64);
    let h = vec![
        ("X-FS-Pubkey".to_owned(), k.id_hex()),
        ("X-FS-Timestamp".to_owned(), now.to_string()),
        ("X-FS-Signature".to_owned(), hex::encode(sig)),
    ];
    get_with(&srv, "/session_version?platform=desktop", &h)
        .await
        .expect(200);
    // No release data for a known platform: 502; an unknown platform: 404.
    let r = srv.get("/session_version?platform=ios").await.expect(502);
    assert_eq!(r.text(), r#"{"status_code": 502}"#);
    let r = srv
        .get("/session_version?platform=windows")
        .await
        .expect(404);
    assert_eq!(r.text(), r#"{"status_code": 404}"#);
    srv.get("/session_version").await.expect(404);
}

#[tokio::test]
async fn without_release_data_every_platform_is_502() {
    let srv = Srv::start().await;
    for p in ["desktop", "android", "ios"] {
        srv.get(&format!("/session_version?platform={p}"))
            .await
            .expect(502);
    }
}

#[tokio::test]
async fn release_data_is_read_from_the_data_directory() {
    let dir = Arc::new(tempfile::tempdir().unwrap());
    std::fs::write(
        dir.path().join("releases.json"),
        r#"{"android": {"version": "1.20.0", "updated": 5.0}}"#,
    )
    .unwrap();
    let srv = Srv::start_in(dir, Arc::default(), |_| {}).await;
    let r = srv
        .get("/session_version?platform=android")
        .await
        .expect(200);
    assert_eq!(
        r.text(),
        r#"{"status_code": 200, "updated": 5.0, "result": "1.20.0"}"#
    );
}

#[tokio::test]
async fn auth_refusals() {
    let srv = Srv::start_with(|c| c.releases = Some(releases())).await;
    let target = "/session_version?platform=desktop";
    let k = keys();
    let now = srv.now() as i64;
    let good = auth(&k, now, target);
    let with = |i: usize, v: &str| {
        let mut h = good.clone();
        h[i].1 = v.to_owned();
        h
    };
    let bad_point = format!("07{}", "ff".repeat(32));
    type Headers = Vec<(String, String)>;
    let cases: Vec<(Headers, u16, &str)> = vec![
        (
            good[..2].to_vec(),
            400,
            "one or more X-FS-* auth headers is missing",
        ),
        (
            with(2, ""),
            400,
            "one or more X-FS-* auth headers is missing",
        ),
        (
            with(0, "07abc"),
            400,
            "X-FS-Pubkey is not a valid 66-hex digit id",
        ),
        (
            with(0, &format!("05{}", &k.id_hex()[2..])),
            400,
            "X-FS-Pubkey must be 07- prefixed",
        ),
        (
            with(0, &bad_point),
            400,
            "given X-FS-Pubkey is not a valid Ed25519 pubkey",
        ),
        (with(2, "c2ln"), 400, "X-FS-Signature is not base64[86]"),
        (
            with(1, "yesterday"),
            400,
            "X-FS-Timestamp is not a valid timestamp",
        ),
        (
            auth(&k, now - 90_000, target),
            425,
            "X-FS-Timestamp is too far from current time",
        ),
        (
            auth(&k, now, "/session_version?platform=ios"),
            401,
            "X-FS-Signature verification failed",
        ),
    ];
    for (h, code, text) in cases {
        let r = get_with(&srv, target, &h).await.expect(code);
        assert_eq!(r.text(), format!("Invalid authentication: {text}"));
        assert_eq!(r.content_type(), "text/plain; charset=utf-8");
    }
}
