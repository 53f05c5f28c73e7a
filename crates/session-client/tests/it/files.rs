use crate::nodes::Nodes;
use crate::{Srv, onion};
use session_client::attachments::Pointer;
use session_client::content::{Expiry, Payload, Profile};
use session_client::fileserver::{self, FileRef};
use session_client::history::{FileState, Incoming};
use session_client::{Account, Chat, Error, History, Messenger};
use session_crypto::attachment::{self, Domain};
use session_crypto::{IdentityKeys, Seed};
use std::sync::atomic::Ordering;

fn now_ms() -> u64 {
    session_client::onion::system_ms()
}

fn data(n: usize) -> Vec<u8> {
    (0..n).map(|i| (i * 7 % 251) as u8).collect()
}

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn upload_download_and_extend_go_through_an_onion_path() {
    let srv = Srv::start().await;
    let net = Nodes::start(6).await;
    let onion = onion(&net.nodes);
    let seed = Seed::from_bytes([1; 32]);
    let file = data(70_000);
    let (blob, key) = attachment::encrypt(&seed, &file, Domain::Attachment).unwrap();
    let up = fileserver::upload(&onion, &srv.server, &blob, None)
        .await
        .unwrap();
    assert!(
        net.proxied.load(Ordering::SeqCst) >= 1,
        "went through the nodes"
    );
    assert!(srv.blob_path(&up.id).is_file(), "stored under its id");
    let three_weeks_ms = 21 * 24 * 3600 * 1000;
    assert!(up.expires_ms > now_ms() + three_weeks_ms - 60_000);
    let got = fileserver::download(&onion, &srv.server, &up.id)
        .await
        .unwrap();
    assert_eq!(got, blob);
    assert_eq!(attachment::decrypt(&got, &key).unwrap(), file);
    // Extended with a TTL: the expiry moves to now + TTL.
    let extended = fileserver::extend(&onion, &srv.server, &up.id, Some(3600))
        .await
        .unwrap();
    assert!(extended < up.expires_ms && extended > now_ms() + 3_500_000);
    // The same file uploaded again is the same blob under the same id.
    let again = fileserver::upload(&onion, &srv.server, &blob, None)
        .await
        .unwrap();
    assert_eq!(again.id, up.id);
    // Unknown files are a 404 the caller can tell apart.
    let missing = fileserver::download(&onion, &srv.server, "AAAA").await;
    assert!(
        matches!(missing, Err(Error::FileServer { status: 404, .. })),
        "{missing:?}"
    );
}

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn a_file_of_the_full_10_mb_fits_both_ways() {
    let srv = Srv::start().await;
    let net = Nodes::start(6).await;
    let onion = onion(&net.nodes);
    let seed = Seed::from_bytes([2; 32]);
    let file = data(10_000_000);
    let (blob, _) = attachment::encrypt(&seed, &file, Domain::Attachment).unwrap();
    let up = fileserver::upload(&onion, &srv.server, &blob, None)
        .await
        .unwrap();
    let got = fileserver::download(&onion, &srv.server, &up.id)
        .await
        .unwrap();
    assert_eq!(got.len(), blob.len());
    assert!(got == blob);
}

/// Bob's client over the fake nodes, with `incoming` already polled into his history.
async fn bob(home: &std::path::Path, net: &Nodes, srv: &Srv, incoming: &[Incoming]) -> Chat {
    let account = Account::create(home, &mut rand::rng()).unwrap().0;
    let mut history = History::open(home).unwrap();
    history.apply_poll(0, incoming, "cursor").unwrap();
    let messenger = Messenger::new(account, onion(&net.nodes), net.nodes.clone());
    Chat::new(messenger, history).with_files(home, Some(srv.server.clone()))
}

fn alice() -> IdentityKeys {
    IdentityKeys::from_seed(Seed::from_bytes([5; 32]))
}

fn text_from_alice(hash: &str, attachments: Vec<Pointer>) -> Incoming {
    Incoming {
        sender: alice().session_id().to_string(),
        sent_at_ms: now_ms(),
        hash: hash.into(),
        payload: Payload::Text {
            body: String::new(),
            quote: None,
        },
        expiry: Expiry::Off,
        sync_target: None,
        profile: None,
        profile_key: None,
        attachments,
    }
}

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn a_failed_or_tampered_download_is_recorded_and_can_be_retried() {
    let srv = Srv::start().await;
    let net = Nodes::start(6).await;
    let home = tempfile::tempdir().unwrap();
    // Alice uploads a file and sends its pointer.
    let file = data(50_000);
    let (blob, key) = attachment::encrypt(alice().seed(), &file, Domain::Attachment).unwrap();
    let up = fileserver::upload(&onion(&net.nodes), &srv.server, &blob, None)
        .await
        .unwrap();
    let pointer = Pointer {
        url: srv.server.file_url(&up.id, true),
        key: key.expose_secret().to_vec(),
        size: file.len() as u64,
        digest: None,
        content_type: Some("application/octet-stream".into()),
        file_name: Some("report.bin".into()),
    };
    let chat = bob(
        home.path(),
        &net,
        &srv,
        &[text_from_alice("h1", vec![pointer])],
    )
    .await;
    let pending = chat.history().pending_attachments().unwrap();
    assert_eq!(pending.len(), 1);

    // The server cannot be reached: recorded failed, not retried by the next round.
    net.proxy_down.store(true, Ordering::SeqCst);
    assert_eq!(chat.download_pending(&|_| {}).await.unwrap(), (0, 1));
    let a = &chat.history().attachments_of("h1").unwrap()[0];
    assert_eq!(a.state, FileState::Failed);
    assert!(a.error.is_some() && a.path.is_none());
    assert_eq!(chat.download_pending(&|_| {}).await.unwrap(), (0, 0));
    net.proxy_down.store(false, Ordering::SeqCst);

    // The stored blob is tampered with: the download does not verify and nothing is saved.
    let stored = srv.blob_path(&up.id);
    let mut bad = std::fs::read(&stored).unwrap();
    let last = bad.len() - 1;
    bad[last] ^= 0x40;
    std::fs::write(&stored, &bad).unwrap();
    let e = chat.fetch_attachments("h1", &|_| {}).await.unwrap_err();
    assert!(e.to_string().contains("verify"), "{e}");
    assert_eq!(
        chat.history().attachments_of("h1").unwrap()[0].state,
        FileState::Failed
    );
    assert!(
        !home
            .path()
            .join("attachments")
            .read_dir()
            .is_ok_and(|mut d| d.next().is_some())
    );

    // Repaired: the retry saves it, byte-identical.
    std::fs::write(&stored, &blob).unwrap();
    let steps = std::sync::Mutex::new(Vec::new());
    let done = chat
        .fetch_attachments("h1", &|p| steps.lock().unwrap().push(p))
        .await
        .unwrap();
    assert_eq!(done[0].state, FileState::Downloaded);
    let path = done[0].path.clone().unwrap();
    assert!(path.starts_with(&home.path().join("attachments").display().to_string()));
    assert!(path.ends_with("report.bin"));
    assert_eq!(std::fs::read(&path).unwrap(), file);
    assert_eq!(steps.lock().unwrap().len(), 2, "downloading, done");
    // Nothing left to fetch; a message without attachments is an error.
    assert_eq!(chat.download_pending(&|_| {}).await.unwrap(), (0, 0));
    assert!(chat.fetch_attachments("nope", &|_| {}).await.is_err());
}

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn profile_pictures_are_uploaded_named_in_the_profile_and_fetched_by_others() {
    let srv = Srv::start().await;
    let net = Nodes::start(6).await;
    // Alice sets a picture (her config push fails on these nodes; it stays to be pushed).
    let alice_home = tempfile::tempdir().unwrap();
    let picture = alice_home.path().join("me.png");
    std::fs::write(&picture, data(20_000)).unwrap();
    let alice_chat = bob(alice_home.path(), &net, &srv, &[]).await;
    let url = alice_chat
        .set_profile_picture(&picture, &|_| {})
        .await
        .unwrap();
    assert!(FileRef::parse(&url).unwrap().deterministic);
    let profile = alice_chat.profile().unwrap();
    assert_eq!(profile.picture_url.as_deref(), Some(url.as_str()));
    let key = profile.picture_key.clone().expect("a key");
    // Renewal waits a day.
    assert!(!alice_chat.renew_profile_picture().await.unwrap());

    // Bob gets a message carrying it and fetches it once.
    let bob_home = tempfile::tempdir().unwrap();
    let mut m = text_from_alice("h2", Vec::new());
    m.sender = alice_chat.messenger().account().session_id().to_string();
    m.profile = Some(Profile {
        name: Some("Alice".into()),
        picture_url: Some(url.clone()),
        updated_s: 1,
    });
    m.profile_key = Some(key);
    let bob_chat = bob(bob_home.path(), &net, &srv, &[m]).await;
    assert_eq!(bob_chat.fetch_avatars().await.unwrap(), 1);
    let avatar = bob_chat
        .history()
        .avatar(&m_sender(&alice_chat))
        .unwrap()
        .unwrap();
    let cached = avatar.path.expect("cached");
    assert_eq!(std::fs::read(cached).unwrap(), data(20_000));
    assert_eq!(bob_chat.fetch_avatars().await.unwrap(), 0, "fetched once");

    // Removing it clears the profile.
    alice_chat.remove_profile_picture().await.unwrap();
    assert_eq!(alice_chat.profile().unwrap().picture_url, None);
    // No file server: a clear error.
    let none = tempfile::tempdir().unwrap();
    let account = Account::create(none.path(), &mut rand::rng()).unwrap().0;
    let m = Messenger::new(account, onion(&net.nodes), net.nodes.clone());
    let c = Chat::new(m, History::open(none.path()).unwrap()).with_files(none.path(), None);
    let e = c.set_profile_picture(&picture, &|_| {}).await.unwrap_err();
    assert!(e.to_string().contains("no file server configured"), "{e}");
}

fn m_sender(c: &Chat) -> String {
    c.messenger().account().session_id().to_string()
}
