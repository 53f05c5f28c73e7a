//! Restarts: stored files survive; what a crash leaves (a partial upload in `tmp/`, a renamed
//! file whose row was never written) is removed at the next start and never served.

use super::*;

#[tokio::test]
async fn files_survive_a_restart_and_crash_leftovers_are_removed() {
    let srv = Srv::start().await;
    let body = data(70_000, 20);
    let id = srv.upload(&body).await;
    let offset = srv.offset.clone();
    let dir = srv.stop().await;
    // What a kill -9 can leave behind: a partial upload and a renamed, row-less file.
    std::fs::write(dir.path().join("tmp/0123456789abcdef.part"), b"partial").unwrap();
    let orphan = session_fileserver::request::file_id(b"orphan");
    std::fs::write(dir.path().join("files").join(&orphan), b"orphan").unwrap();
    let srv = Srv::start_in(dir, offset, |_| {}).await;
    assert_eq!(
        srv.get(&format!("/file/{id}")).await.expect(200).bytes,
        body
    );
    srv.get(&format!("/file/{orphan}")).await.expect(404);
    assert!(entries(&srv.data_dir().join("tmp")).is_empty());
    assert_eq!(entries(&srv.data_dir().join("files")), vec![id]);
    // The orphan's bytes can be uploaded properly afterwards.
    assert_eq!(srv.upload(b"orphan").await, orphan);
}

#[tokio::test]
async fn the_key_is_stable_across_restarts() {
    let srv = Srv::start().await;
    let pk = srv.pubkey;
    let dir = srv.stop().await;
    let srv = Srv::start_in(dir, Arc::default(), |_| {}).await;
    assert_eq!(srv.pubkey, pk);
}
