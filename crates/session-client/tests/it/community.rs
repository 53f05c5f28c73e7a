//! Communities: the client against our community server (`session_community::run` in-process)
//! reached only through 3-hop onion requests peeled by the fake nodes. The swarm is not
//! there (the fake nodes store nothing), so config pushes fail and stay pending; the second
//! device is fed the first one's pending `UserGroups` push as if polled.

use crate::nodes::Nodes;
use crate::onion;
use session_client::community::{DmSent, Scope};
use session_client::history::{ConfigMessages, ContactState, PollBatch};
use session_client::{Account, Chat, Error, History, Messenger};
use session_crypto::blinding::blind15_keypair;
use std::path::Path;
use std::sync::atomic::Ordering;
use tokio_util::sync::CancellationToken;

/// A running community server with the room `lobby`.
pub struct Sogs {
    pub room_url: String,
    pub server_url: String,
    pub pubkey: [u8; 32],
    pub dir: tempfile::TempDir,
    shutdown: CancellationToken,
}

impl Sogs {
    /// Starts a server whose `lobby` has `mods` (Session IDs) as moderators.
    pub async fn start(mods: &[String]) -> Self {
        let dir = tempfile::tempdir().unwrap();
        let mut cfg = session_community::Config::new(dir.path());
        cfg.rate_limit = None;
        let admin = session_community::admin::Admin::open(cfg.clone()).unwrap();
        admin.room_add("lobby", "Lobby", None).unwrap();
        if !mods.is_empty() {
            let scope = session_community::admin::Scope::Room("lobby".into());
            admin.moderator_add(mods, &scope, true, true).unwrap();
        }
        let pubkey_hex = admin.pubkey_hex();
        drop(admin);
        let listener = tokio::net::TcpListener::bind("127.0.0.1:0").await.unwrap();
        let port = listener.local_addr().unwrap().port();
        let shutdown = CancellationToken::new();
        let s = shutdown.clone();
        tokio::spawn(async move { session_community::run(cfg, listener, s).await.unwrap() });
        let mut pubkey = [0; 32];
        hex::decode_to_slice(&pubkey_hex, &mut pubkey).unwrap();
        Self {
            room_url: format!("http://127.0.0.1:{port}/lobby?public_key={pubkey_hex}"),
            server_url: format!("http://127.0.0.1:{port}?public_key={pubkey_hex}"),
            pubkey,
            dir,
            shutdown,
        }
    }

    pub fn stop(&self) {
        self.shutdown.cancel();
    }
}

impl Drop for Sogs {
    fn drop(&mut self) {
        self.shutdown.cancel();
    }
}

/// A client with a new account in `home` over the fake nodes.
pub fn client(home: &Path, net: &Nodes) -> Chat {
    let account = Account::create(home, &mut rand::rng()).unwrap().0;
    client_of(account, History::open(home).unwrap(), net)
}

fn client_of(account: Account, history: History, net: &Nodes) -> Chat {
    let messenger = Messenger::new(account, onion(&net.nodes), net.nodes.clone());
    Chat::new(messenger, history)
}

fn blinded(chat: &Chat, sogs: &Sogs) -> String {
    blind15_keypair(chat.messenger().account().keys(), &sogs.pubkey)
        .id()
        .to_string()
}

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn join_post_react_edit_delete_ban_and_dm_through_onion_paths() {
    let net = Nodes::start(6).await;
    let (ha, hb, hm) = (
        tempfile::tempdir().unwrap(),
        tempfile::tempdir().unwrap(),
        tempfile::tempdir().unwrap(),
    );
    let (account, phrase) = Account::create(ha.path(), &mut rand::rng()).unwrap();
    let alice = client_of(account, History::open(ha.path()).unwrap(), &net);
    let bob = client(hb.path(), &net);
    let moderator = client(hm.path(), &net);
    let sogs = Sogs::start(&[moderator.messenger().account().session_id().to_string()]).await;
    let url = sogs.room_url.as_str();

    // Alice joins and posts; Bob joins afterwards and finds it with her blinded ID.
    alice.community_join(url).await.unwrap();
    let hello = alice
        .community_post(url, "hello lobby", None)
        .await
        .unwrap();
    assert!(hello.mine);
    assert_eq!(hello.sender, blinded(&alice, &sogs));
    bob.community_join(url).await.unwrap();
    let posts = bob
        .history()
        .community_posts(&alice_base(&sogs), "lobby", 10)
        .unwrap();
    assert_eq!(posts.len(), 1);
    assert_eq!(
        (posts[0].sender.as_str(), posts[0].text.as_str()),
        (hello.sender.as_str(), "hello lobby")
    );
    assert!(!posts[0].mine);
    let rooms = bob.communities().unwrap();
    assert_eq!((rooms.len(), rooms[0].name.as_str()), (1, "Lobby"));

    // Bob replies (quoting) and reacts; Alice's poll brings both.
    let reply = bob
        .community_post(url, "hi alice", Some(hello.id))
        .await
        .unwrap();
    assert_eq!(reply.quote, Some((hello.sender.clone(), hello.sent_ms)));
    bob.community_react(url, hello.id, "👍", false)
        .await
        .unwrap();
    let round = alice.poll_communities().await.unwrap();
    assert!(round.failed.is_empty(), "{:?}", round.failed);
    assert!(
        round
            .applied
            .new
            .iter()
            .any(|(_, _, p)| p.text == "hi alice")
    );
    let mine = alice
        .history()
        .community_post(&alice_base(&sogs), "lobby", hello.id)
        .unwrap()
        .unwrap();
    assert_eq!(mine.reactions.len(), 1);
    assert_eq!(
        (mine.reactions[0].emoji.as_str(), mine.reactions[0].count),
        ("👍", 1)
    );
    assert_eq!(alice.communities().unwrap()[0].unread, 1);
    alice.community_mark_read(url).await.unwrap();
    assert_eq!(alice.communities().unwrap()[0].unread, 0);

    // Alice edits, then deletes; Bob sees both.
    alice
        .community_edit(url, hello.id, "hello, edited")
        .await
        .unwrap();
    let round = bob.poll_communities().await.unwrap();
    let edited: Vec<_> = round
        .applied
        .edited
        .iter()
        .map(|(_, _, p)| p.text.clone())
        .collect();
    assert_eq!(edited, ["hello, edited"]);
    alice.community_delete(url, hello.id).await.unwrap();
    let round = bob.poll_communities().await.unwrap();
    assert_eq!(round.applied.deleted.len(), 1);
    assert!(
        bob.history()
            .community_post(&alice_base(&sogs), "lobby", hello.id)
            .unwrap()
            .is_none()
    );

    // Bob is no moderator; the moderator bans him, and his next post is refused.
    let e = bob
        .community_ban(url, &blinded(&alice, &sogs), Scope::Room, None)
        .await;
    assert!(
        matches!(e, Err(Error::Community { status: 403, .. })),
        "{e:?}"
    );
    assert!(e.unwrap_err().to_string().contains("not a moderator"));
    moderator.community_join(url).await.unwrap();
    moderator
        .community_ban(url, &blinded(&bob, &sogs), Scope::Room, Some(3600))
        .await
        .unwrap();
    let e = bob.community_post(url, "can I still post?", None).await;
    assert!(
        matches!(e, Err(Error::Community { status: 403, .. })),
        "{e:?}"
    );
    moderator
        .community_unban(url, &blinded(&bob, &sogs), Scope::Room)
        .await
        .unwrap();
    bob.community_post(url, "back again", None).await.unwrap();
    moderator.community_pin(url, reply.id, false).await.unwrap();
    let e = bob.community_pin(url, reply.id, true).await;
    assert!(
        matches!(e, Err(Error::Community { status: 403, .. })),
        "{e:?}"
    );

    // Alice writes to Bob's blinded ID: a request for Bob (a stranger), who answers through
    // the inbox; then both know each other and the conversation is a 1:1.
    let sent = alice
        .community_dm(&sogs.server_url, &blinded(&bob, &sogs), "psst bob")
        .await
        .unwrap();
    assert!(matches!(sent, DmSent::Inbox(_)));
    let round = bob.poll_communities().await.unwrap();
    let (base, dm) = &round.applied.dms[0];
    assert_eq!(
        (dm.text.as_str(), dm.peer.as_str()),
        ("psst bob", blinded(&alice, &sogs).as_str())
    );
    let alice_id = alice.messenger().account().session_id().to_string();
    assert_eq!(dm.peer_session_id.as_deref(), Some(alice_id.as_str()));
    assert!(bob.community_dm_is_request(base, &dm.peer).unwrap());
    let answer = bob
        .community_dm(&sogs.server_url, &dm.peer, "hi alice, got it")
        .await
        .unwrap();
    assert!(
        matches!(answer, DmSent::Inbox(_)),
        "the first answer goes through the inbox"
    );
    let bob_contact = bob.history().contact(&alice_id).unwrap().unwrap();
    assert_eq!(bob_contact.state, ContactState::Approved);
    let round = alice.poll_communities().await.unwrap();
    let texts: Vec<_> = round
        .applied
        .dms
        .iter()
        .map(|(_, d)| (d.outgoing, d.text.clone()))
        .collect();
    assert!(
        texts.contains(&(false, "hi alice, got it".to_owned())),
        "{texts:?}"
    );
    let bob_id = bob.messenger().account().session_id().to_string();
    assert_eq!(
        alice.history().contact(&bob_id).unwrap().unwrap().state,
        ContactState::Approved
    );

    // Every request went through the nodes to the server.
    assert!(net.proxied.load(Ordering::SeqCst) >= 20);

    // Alice's second device joins through her UserGroups config.
    let h2 = tempfile::tempdir().unwrap();
    let account2 = Account::restore(h2.path(), &phrase).unwrap();
    let mut history2 = History::open(h2.path()).unwrap();
    let pushes = alice
        .history()
        .pending_pushes(session_client::onion::system_ms())
        .unwrap();
    let groups = pushes
        .iter()
        .find(|p| p.namespace == 5)
        .expect("UserGroups pending");
    history2
        .apply_batch(&PollBatch {
            messages: Vec::new(),
            last_hash: None,
            configs: vec![ConfigMessages {
                namespace: 5,
                messages: vec![("g1".into(), groups.data.clone())],
                last_hash: "g1".into(),
            }],
            group_updates: Vec::new(),
            calls: Vec::new(),
            now_ms: session_client::onion::system_ms(),
        })
        .unwrap();
    let second = client_of(account2, history2, &net);
    let rooms = second.communities().unwrap();
    assert_eq!(rooms.len(), 1);
    let round = second.poll_communities().await.unwrap();
    assert!(round.failed.is_empty(), "{:?}", round.failed);
    let texts: Vec<_> = second
        .history()
        .community_posts(&alice_base(&sogs), "lobby", 10)
        .unwrap()
        .into_iter()
        .map(|p| p.text)
        .collect();
    assert!(texts.contains(&"back again".to_owned()), "{texts:?}");

    // Leaving removes the room from UserGroups.
    assert!(alice.community_leave(url).await.unwrap());
    assert!(alice.communities().unwrap().is_empty());
    drop(sogs);
}

fn alice_base(sogs: &Sogs) -> String {
    sogs.server_url.split('?').next().unwrap().to_owned()
}

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn a_server_that_disappears_mid_poll_leaves_the_cursors() {
    let net = Nodes::start(6).await;
    let home = tempfile::tempdir().unwrap();
    let alice = client(home.path(), &net);
    let sogs = Sogs::start(&[]).await;
    alice.community_join(&sogs.room_url).await.unwrap();
    alice
        .community_post(&sogs.room_url, "one", None)
        .await
        .unwrap();
    let round = alice.poll_communities().await.unwrap();
    assert!(round.failed.is_empty());
    let before = alice.communities().unwrap()[0].seqno;
    sogs.stop();
    tokio::time::sleep(std::time::Duration::from_millis(200)).await;
    let round = alice.poll_communities().await.unwrap();
    assert_eq!(round.failed.len(), 1, "the server is gone");
    assert_eq!(alice.communities().unwrap()[0].seqno, before);
    let e = alice.community_post(&sogs.room_url, "two", None).await;
    assert!(e.is_err());
}

/// The idle cost of polling 3 rooms (docs/BENCHMARKS.md): bytes a client exchanges with its
/// guard per poll round when nothing happens, and per minute at the `watch` interval.
#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn idle_cost_of_polling_three_rooms() {
    let net = Nodes::start(6).await;
    let home = tempfile::tempdir().unwrap();
    let alice = client(home.path(), &net);
    let sogs = Sogs::start(&[]).await;
    let base = alice_base(&sogs);
    let key = sogs
        .room_url
        .split("public_key=")
        .nth(1)
        .unwrap()
        .to_owned();
    {
        let dir = sogs.dir.path();
        let admin = session_community::admin::Admin::open(session_community::Config::new(dir));
        let admin = admin.unwrap();
        admin.room_add("tea", "Tea", None).unwrap();
        admin.room_add("news", "News", None).unwrap();
    }
    for room in ["lobby", "tea", "news"] {
        alice
            .community_join(&format!("{base}/{room}?public_key={key}"))
            .await
            .unwrap();
    }
    // One round to settle (first polls may carry the capabilities and DM listings).
    alice.poll_communities().await.unwrap();
    let (up0, down0) = (
        net.bytes_up.load(Ordering::SeqCst),
        net.bytes_down.load(Ordering::SeqCst),
    );
    let rounds = 20;
    for _ in 0..rounds {
        let round = alice.poll_communities().await.unwrap();
        assert!(round.failed.is_empty() && round.applied.new.is_empty());
    }
    let up = (net.bytes_up.load(Ordering::SeqCst) - up0) / rounds;
    let down = (net.bytes_down.load(Ordering::SeqCst) - down0) / rounds;
    let per_minute = 60_000 / session_client::community::POLL_INTERVAL.as_millis() as usize;
    println!(
        "idle community poll, 3 rooms: {up} B up + {down} B down per round; \
         {} B/min up, {} B/min down at one round per {:?}",
        up * per_minute,
        down * per_minute,
        session_client::community::POLL_INTERVAL
    );
    assert!(up < 8_000 && down < 8_000, "{up} {down}");
}
