use super::*;
use crate::content::{Expiry, MessageRef, Payload};
use session_crypto::{IdentityKeys, Seed, SessionId};

fn id(n: u8) -> SessionId {
    IdentityKeys::from_seed(Seed::from_bytes([n; 32])).session_id()
}

fn text(from: u8, n: u8, sent_at_ms: u64) -> Incoming {
    Incoming {
        sender: id(from).to_string(),
        sent_at_ms,
        hash: format!("hash{from}-{n}"),
        payload: Payload::Text {
            body: format!("m{n}"),
            quote: None,
        },
        expiry: Expiry::Off,
        sync_target: None,
        profile: None,
        profile_key: None,
        attachments: Vec::new(),
    }
}

fn incoming(from: u8, hash: &str, sent_at_ms: u64, payload: Payload) -> Incoming {
    Incoming {
        sender: id(from).to_string(),
        sent_at_ms,
        hash: hash.to_owned(),
        payload,
        expiry: Expiry::Off,
        sync_target: None,
        profile: None,
        profile_key: None,
        attachments: Vec::new(),
    }
}

fn texts(h: &History, peer: u8) -> Vec<(String, bool)> {
    h.conversation(&id(peer).to_string())
        .expect("conversation")
        .into_iter()
        .map(|e| (e.text, e.outgoing))
        .collect()
}

fn send(h: &History, to: u8, hash: &str, body: &str, sent_at_ms: u64, expiry: Expiry) {
    h.record_outgoing(&Record {
        peer: &id(to).to_string(),
        hash,
        text: body,
        sent_at_ms,
        expiry,
        quote: None,
        copy_hash: None,
    })
    .expect("record");
}

#[test]
fn migrations_run_once_and_survive_reopening() {
    let dir = tempfile::tempdir().expect("dir");
    let h = History::open(dir.path()).expect("open");
    assert_eq!(h.version().expect("version"), MIGRATIONS.len());
    drop(h);
    let h = History::open(dir.path()).expect("reopen");
    assert_eq!(h.version().expect("version"), MIGRATIONS.len());
}

#[test]
fn a_writer_is_not_blocked_by_another_process_reading() {
    // `watch` in one terminal reads while `send` in another records a message: with WAL the
    // write goes through while the read transaction is still open (in rollback-journal mode
    // it would wait for the reader and fail with "database is locked").
    let dir = tempfile::tempdir().expect("dir");
    let mut watcher = History::open(dir.path()).expect("open");
    let sender = History::open(dir.path()).expect("open again");
    let reading = watcher.db.transaction().expect("read tx");
    let n: i64 = reading
        .query_row("SELECT COUNT(*) FROM messages", [], |r| r.get(0))
        .expect("read");
    assert_eq!(n, 0);
    let writer = std::thread::spawn(move || {
        send(&sender, 1, "mine", "hello", 5, Expiry::Off);
        sender
    });
    let sender = writer
        .join()
        .expect("the write went through beside the reader");
    drop(reading);
    assert_eq!(texts(&sender, 1), [("hello".to_owned(), true)]);
    assert_eq!(texts(&watcher, 1).len(), 1);
}

#[test]
fn a_version_1_database_keeps_its_messages_and_their_peers_become_conversations() {
    let dir = tempfile::tempdir().expect("dir");
    {
        let db = Connection::open(dir.path().join(DB_FILE)).expect("db");
        db.execute_batch(MIGRATIONS[0]).expect("v1");
        db.pragma_update(None, "user_version", 1).expect("version");
        db.execute(
            "INSERT INTO messages VALUES ('h', ?1, 0, 'old', 5)",
            [id(2).to_string()],
        )
        .expect("row");
    }
    let h = History::open(dir.path()).expect("migrate");
    let e = h.conversation(&id(2).to_string()).expect("conversation");
    assert_eq!(e.len(), 1);
    assert_eq!((e[0].text.as_str(), e[0].state), ("old", State::Read));
    let c = h
        .contact(&id(2).to_string())
        .expect("contact")
        .expect("known");
    assert_eq!(c.state, ContactState::Approved);
}

#[test]
fn a_poll_commits_messages_and_cursor_together_without_duplicates_in_send_order() {
    let mut h = History::in_memory().expect("db");
    assert_eq!(h.cursor(0).expect("cursor"), "");
    // Out of order in the swarm: applied by send time.
    let first = [text(1, 2, 20), text(1, 1, 10)];
    let applied = h.apply_poll(0, &first, "hash1-2").expect("poll");
    let order: Vec<&str> = applied.new.iter().map(|e| e.text.as_str()).collect();
    assert_eq!(order, ["m1", "m2"]);
    assert_eq!(h.cursor(0).expect("cursor"), "hash1-2");
    // The same messages again (a re-poll after a crash before the cursor moved): no copies.
    let again = [text(1, 2, 20), text(1, 3, 30)];
    let new = h.apply_poll(0, &again, "hash1-3").expect("poll").new;
    assert_eq!(new.len(), 1);
    assert_eq!(new[0].text, "m3");
    h.set_contact_state(&id(1).to_string(), ContactState::Approved)
        .expect("accept");
    send(&h, 1, "mine", "reply", 25, Expiry::Off);
    assert_eq!(
        texts(&h, 1),
        [
            ("m1".into(), false),
            ("m2".into(), false),
            ("reply".into(), true),
            ("m3".into(), false)
        ]
    );
}

#[test]
fn a_stranger_lands_in_requests_until_accepted_and_a_blocked_one_is_dropped() {
    let mut h = History::in_memory().expect("db");
    h.apply_poll(0, &[text(1, 1, 10)], "a").expect("poll");
    let requests = h.summaries(ContactState::Request).expect("requests");
    assert_eq!(requests.len(), 1);
    assert_eq!(requests[0].unread, 1);
    assert!(h.summaries(ContactState::Approved).expect("c").is_empty());
    h.set_contact_state(&id(1).to_string(), ContactState::Approved)
        .expect("accept");
    assert!(h.summaries(ContactState::Request).expect("r").is_empty());
    assert_eq!(h.summaries(ContactState::Approved).expect("c").len(), 1);
    // Someone we wrote to first is a conversation from their first answer.
    send(&h, 3, "out", "hello", 5, Expiry::Off);
    h.apply_poll(0, &[text(3, 1, 10)], "b").expect("poll");
    assert_eq!(h.summaries(ContactState::Approved).expect("c").len(), 2);
    // Blocked: nothing of theirs is stored, the cursor still moves.
    h.set_contact_state(&id(2).to_string(), ContactState::Blocked)
        .expect("block");
    let applied = h.apply_poll(0, &[text(2, 1, 10)], "c").expect("poll");
    assert!(applied.new.is_empty());
    assert!(texts(&h, 2).is_empty());
    assert_eq!(h.cursor(0).expect("cursor"), "c");
}

#[test]
fn only_the_author_can_unsend_and_the_swarm_copy_is_marked_for_deletion() {
    let mut h = History::in_memory().expect("db");
    h.apply_poll(0, &[text(1, 1, 10)], "a").expect("poll");
    send(&h, 1, "mine", "mine", 11, Expiry::Off);
    // Peer 1 tries to unsend our message: ignored.
    let bad = MessageRef {
        author: id(9),
        sent_at_ms: 11,
    };
    let applied = h
        .apply_poll(
            0,
            &[incoming(1, "u0", 12, Payload::Unsend { to: bad })],
            "b",
        )
        .expect("poll");
    assert!(applied.swarm_deletes.is_empty());
    assert_eq!(texts(&h, 1).len(), 2);
    let own = MessageRef {
        author: id(1),
        sent_at_ms: 10,
    };
    let applied = h
        .apply_poll(
            0,
            &[incoming(1, "u1", 13, Payload::Unsend { to: own })],
            "c",
        )
        .expect("poll");
    assert_eq!(applied.swarm_deletes, ["hash1-1", "u1"]);
    assert_eq!(texts(&h, 1), [("mine".into(), true)]);
}

#[test]
fn reactions_and_read_receipts_land_on_the_right_message() {
    let mut h = History::in_memory().expect("db");
    send(&h, 1, "mine", "hi", 11, Expiry::Off);
    h.set_state("mine", State::Sent).expect("sent");
    let react = Payload::Reaction {
        to: MessageRef {
            author: id(7),
            sent_at_ms: 11,
        },
        emoji: "👍".into(),
        remove: false,
    };
    let read = Payload::Receipt {
        read: true,
        timestamps: vec![11],
    };
    h.apply_poll(
        0,
        &[incoming(1, "r1", 12, react), incoming(1, "r2", 13, read)],
        "a",
    )
    .expect("poll");
    let m = h.message("mine").expect("get").expect("there");
    assert_eq!(m.reactions, ["👍"]);
    assert_eq!(m.state, State::ReadByPeer);
}

#[test]
fn disappearing_messages_go_on_schedule_after_send_and_after_read() {
    let mut h = History::in_memory().expect("db");
    let mut after_send = text(1, 1, 1_000);
    after_send.expiry = Expiry::AfterSend(10);
    let mut after_read = text(1, 2, 2_000);
    after_read.expiry = Expiry::AfterRead(5);
    h.apply_poll(0, &[after_send, after_read], "a")
        .expect("poll");
    send(&h, 1, "mine", "mine", 3_000, Expiry::AfterSend(62));
    // Before anything is read: only the after-send one has a deadline.
    assert_eq!(h.sweep(10_999).expect("sweep"), 0);
    assert_eq!(h.sweep(11_000).expect("sweep"), 1);
    assert_eq!(texts(&h, 1).len(), 2);
    // Unread after-read messages stay however long it takes.
    assert_eq!(h.sweep(50_000).expect("sweep"), 0);
    let marks = h.mark_read(&id(1).to_string(), 60_000).expect("read");
    assert_eq!(marks.timestamps, [2_000]);
    assert_eq!(marks.expire, [("hash1-2".to_owned(), 65_000)]);
    assert_eq!(h.sweep(64_999).expect("sweep"), 0);
    assert_eq!(h.sweep(65_000).expect("sweep"), 2, "read one and ours");
    assert!(texts(&h, 1).is_empty());
}

#[test]
fn an_expiry_setting_message_sets_the_conversation() {
    let mut h = History::in_memory().expect("db");
    let mut m = incoming(1, "s", 10, Payload::ExpirySetting);
    m.expiry = Expiry::AfterRead(300);
    h.apply_poll(0, &[m], "a").expect("poll");
    let c = h.contact(&id(1).to_string()).expect("c").expect("known");
    assert_eq!(c.expiry, Expiry::AfterRead(300));
    assert_eq!(c.state, ContactState::Request);
}

#[test]
fn a_version_3_database_gains_attachments_and_keeps_its_messages() {
    let dir = tempfile::tempdir().expect("dir");
    {
        let db = Connection::open(dir.path().join(DB_FILE)).expect("db");
        for sql in &MIGRATIONS[..3] {
            db.execute_batch(sql).expect("old schema");
        }
        db.pragma_update(None, "user_version", 3).expect("version");
        db.execute(
            "INSERT INTO messages (hash, peer, outgoing, text, sent_at_ms) VALUES ('h', 'p', 0, 'old', 1)",
            [],
        )
        .expect("old message");
    }
    let h = History::open(dir.path()).expect("migrates");
    assert_eq!(h.version().expect("version"), MIGRATIONS.len());
    assert_eq!(
        h.message("h").expect("read").map(|e| e.text),
        Some("old".into())
    );
    assert_eq!(h.attachments_of("h").expect("none"), Vec::new());
}

#[test]
fn attachments_of_received_messages_are_recorded_pending_and_go_with_the_message() {
    use crate::attachments::Pointer;
    use crate::history::FileState;
    let mut h = History::in_memory().expect("db");
    let pointer = |n: u8| Pointer {
        url: format!("http://h/file/f{n}#d="),
        key: vec![n; 32],
        size: 10,
        digest: None,
        content_type: Some("text/plain".into()),
        file_name: Some(format!("f{n}.txt")),
    };
    let mut m = text(1, 1, 1_000);
    m.attachments = vec![pointer(1), pointer(2)];
    m.expiry = Expiry::AfterSend(60);
    h.apply_poll(0, &[m.clone()], "c1").expect("poll");
    let got = h.attachments_of(&m.hash).expect("rows");
    assert_eq!(got.len(), 2);
    assert_eq!((got[1].index, &got[1].pointer), (1, &pointer(2)));
    assert!(
        got.iter()
            .all(|a| a.state == FileState::Pending && a.path.is_none())
    );
    assert_eq!(h.pending_attachments().expect("pending").len(), 2);
    // Saved and failed are recorded; only pending ones are pending.
    h.attachment_saved(&m.hash, 0, "/x/f1.txt").expect("saved");
    h.attachment_failed(&m.hash, 1, "404").expect("failed");
    let got = h.attachments_of(&m.hash).expect("rows");
    assert_eq!(got[0].path.as_deref(), Some("/x/f1.txt"));
    assert_eq!(
        (got[1].state, got[1].error.as_deref()),
        (FileState::Failed, Some("404"))
    );
    assert!(h.pending_attachments().expect("pending").is_empty());
    // The same message polled again adds nothing; when it disappears, its rows go too.
    h.apply_poll(0, &[m.clone()], "c2").expect("poll");
    assert_eq!(h.attachments_of(&m.hash).expect("rows").len(), 2);
    h.sweep(1_000 + 60_000).expect("sweep");
    assert!(h.attachments_of(&m.hash).expect("rows").is_empty());
}

#[test]
fn a_contacts_picture_is_learned_once_per_url_and_dropped_with_their_profile() {
    use crate::avatars::ProfileKey;
    use crate::content::Profile;
    let mut h = History::in_memory().expect("db");
    let with_pic = |n: u8, url: Option<&str>| {
        let mut m = text(1, n, 1_000 + u64::from(n));
        m.profile = Some(Profile {
            name: Some("Ann".into()),
            picture_url: url.map(str::to_owned),
            updated_s: 1,
        });
        m.profile_key = ProfileKey::from_slice(&[7; 32]);
        m
    };
    let peer = id(1).to_string();
    h.apply_poll(0, &[with_pic(1, Some("http://h/file/a"))], "c")
        .expect("poll");
    assert_eq!(h.pending_avatars().expect("pending").len(), 1);
    h.avatar_saved(&peer, "http://h/file/a", "/c/a")
        .expect("saved");
    h.apply_poll(0, &[with_pic(2, Some("http://h/file/a"))], "c")
        .expect("poll");
    assert!(
        h.pending_avatars()
            .expect("same URL: nothing to fetch")
            .is_empty()
    );
    h.apply_poll(0, &[with_pic(3, Some("http://h/file/b"))], "c")
        .expect("poll");
    let a = h.avatar(&peer).expect("read").expect("known");
    assert_eq!((a.url.as_str(), a.path.clone()), ("http://h/file/b", None));
    assert!(!format!("{a:?}").contains("7, 7"), "the key is not shown");
    h.apply_poll(0, &[with_pic(4, None)], "c").expect("poll");
    assert_eq!(h.avatar(&peer).expect("read"), None, "picture removed");
}

#[test]
fn a_version_4_database_gains_communities_and_keeps_its_messages() {
    let dir = tempfile::tempdir().expect("dir");
    {
        let db = Connection::open(dir.path().join(DB_FILE)).expect("db");
        for sql in &MIGRATIONS[..4] {
            db.execute_batch(sql).expect("old schema");
        }
        db.pragma_update(None, "user_version", 4).expect("version");
        db.execute(
            "INSERT INTO messages (hash, peer, outgoing, text, sent_at_ms) VALUES ('h', 'p', 0, 'old', 1)",
            [],
        )
        .expect("old message");
    }
    let h = History::open(dir.path()).expect("migrates");
    assert_eq!(h.version().expect("version"), MIGRATIONS.len());
    assert_eq!(
        h.message("h").expect("read").map(|e| e.text),
        Some("old".into())
    );
    let state = h.community_server("http://example.org").expect("table");
    assert_eq!(state.capabilities, None);
    // Without an account there is no UserGroups config to keep the joined rooms in.
    assert!(h.community_rooms().is_err());
}

#[test]
fn a_version_5_database_gains_groups_and_keeps_its_messages() {
    let dir = tempfile::tempdir().expect("dir");
    {
        let db = Connection::open(dir.path().join(DB_FILE)).expect("db");
        for sql in &MIGRATIONS[..5] {
            db.execute_batch(sql).expect("old schema");
        }
        db.pragma_update(None, "user_version", 5).expect("version");
        db.execute(
            "INSERT INTO messages (hash, peer, outgoing, text, sent_at_ms) VALUES ('h', 'p', 0, 'old', 1)",
            [],
        )
        .expect("old message");
    }
    let h = History::open(dir.path()).expect("migrates");
    assert_eq!(h.version().expect("version"), MIGRATIONS.len());
    assert_eq!(
        h.message("h").expect("read").map(|e| e.text),
        Some("old".into())
    );
    let g: session_crypto::GroupId = format!("03{}", "ab".repeat(32)).parse().expect("id");
    assert!(h.group_messages(&g).expect("table").is_empty());
    assert_eq!(h.group_cursor(&g, 11).expect("table"), "");
    // Without an account there is no UserGroups config to keep the groups in.
    assert!(h.groups().is_err());
}
