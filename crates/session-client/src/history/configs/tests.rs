//! The config ↔ history mapping and the poll transaction, with two "devices" (in-memory
//! histories of one account) and a swarm kept in a map: what one device changes reaches the
//! other through the configs exactly as it would through the network.

use super::super::*;
use super::IMPORT;
use crate::content::{Expiry, MessageRef, Payload, Profile as WireProfile};
use crate::messaging::message_hash_in;
use session_config::encrypt::{self, ConfigKey};
use session_config::user::Contacts;
use session_crypto::{IdentityKeys, Seed, SessionId};
use std::collections::BTreeMap;

const NOW: u64 = 1_750_000_000_000;

fn seed() -> Seed {
    Seed::from_bytes([7; 32])
}

fn me() -> SessionId {
    IdentityKeys::from_seed(seed()).session_id()
}

fn id(n: u8) -> String {
    IdentityKeys::from_seed(Seed::from_bytes([n; 32]))
        .session_id()
        .to_string()
}

fn device() -> History {
    History::in_memory().expect("db").with_seed(seed())
}

/// The own swarm's config namespaces: namespace → (hash, bytes) in store order.
#[derive(Default)]
struct Swarm(BTreeMap<i16, Vec<(String, Vec<u8>)>>);

impl Swarm {
    /// What `h` pushes now: stored (deduplicated by hash), obsolete ones deleted, confirmed.
    fn push(&mut self, h: &History, now: u64) -> usize {
        let pending = h.pending_pushes(now).expect("pending");
        let mut confirmed = Vec::new();
        for p in &pending {
            let hash = message_hash_in(&me(), p.namespace, &p.data);
            let ns = self.0.entry(p.namespace).or_default();
            if !ns.iter().any(|(h, _)| *h == hash) {
                ns.push((hash.clone(), p.data.clone()));
            }
            confirmed.push((p.clone(), hash));
        }
        for p in &pending {
            for msgs in self.0.values_mut() {
                msgs.retain(|(h, _)| !p.obsolete.contains(h));
            }
        }
        h.confirm_pushes(&confirmed, now).expect("confirm");
        pending.len()
    }

    /// A poll of every config namespace from the start, with `messages` in namespace 0.
    fn batch(&self, messages: Vec<Incoming>) -> PollBatch {
        PollBatch {
            messages,
            last_hash: Some("m-last".into()),
            configs: self
                .0
                .iter()
                .map(|(ns, msgs)| ConfigMessages {
                    namespace: *ns,
                    messages: msgs.clone(),
                    last_hash: msgs.last().map(|(h, _)| h.clone()).unwrap_or_default(),
                })
                .collect(),
            group_updates: Vec::new(),
            calls: Vec::new(),
            now_ms: NOW,
        }
    }

    fn count(&self, ns: i16) -> usize {
        self.0.get(&ns).map_or(0, Vec::len)
    }
}

fn text(from: &str, hash: &str, body: &str, sent_at_ms: u64) -> Incoming {
    Incoming {
        sender: from.to_owned(),
        sent_at_ms,
        hash: hash.to_owned(),
        payload: Payload::Text {
            body: body.into(),
            quote: None,
        },
        expiry: Expiry::Off,
        sync_target: None,
        profile: None,
        profile_key: None,
        attachments: Vec::new(),
    }
}

fn contact(h: &History, peer: &str) -> Contact {
    h.contact(peer).expect("get").expect("known")
}

/// Device A: named Alice; Bob (who wrote first) accepted, nicknamed and read; Carol (who
/// wrote too) blocked; a disappearing setting with Bob.
fn device_a(swarm: &mut Swarm) -> (History, Vec<Incoming>) {
    let mut a = device();
    let (bob, carol) = (id(2), id(3));
    let inbox = vec![
        text(&bob, "b1", "hi alice", NOW - 5_000),
        text(&carol, "c1", "buy now", NOW - 4_000),
    ];
    a.apply_batch(&swarm.batch(inbox.clone())).expect("poll");
    a.set_profile_name("Alice", NOW).expect("name");
    a.set_contact_state(&bob, ContactState::Approved)
        .expect("accept");
    a.set_contact_state(&carol, ContactState::Blocked)
        .expect("block");
    a.set_nickname(&bob, "Bobby").expect("nickname");
    a.set_expiry(&bob, Expiry::AfterSend(3600)).expect("expiry");
    a.mark_read(&bob, NOW).expect("read");
    assert_eq!(swarm.push(&a, NOW), 3, "profile, contacts, read state");
    (a, inbox)
}

#[test]
fn local_changes_are_written_into_the_configs() {
    let mut swarm = Swarm::default();
    let (a, _) = device_a(&mut swarm);
    let c = a.user_configs().expect("configs");
    assert_eq!(c.profile.name().as_deref(), Some("Alice"));
    let bob: SessionId = id(2).parse().expect("id");
    let b = c.contacts.get(&bob).expect("bob");
    assert!(b.approved && !b.blocked);
    assert_eq!(b.nickname, "Bobby");
    assert_eq!(
        (b.exp_mode, b.exp_timer),
        (session_config::user::ExpirationMode::AfterSend, 3600)
    );
    let carol = c.contacts.get(&id(3).parse().expect("id")).expect("carol");
    assert!(carol.blocked && !carol.approved, "a request, then blocked");
    assert_eq!(
        c.convos.get_1to1(&bob).map(|o| o.last_read),
        Some(i64::try_from(NOW - 5_000).expect("fits"))
    );
    assert!(
        a.pending_pushes(NOW).expect("pending").is_empty(),
        "all stored"
    );
    let status = a.config_status().expect("status");
    assert!(
        status
            .iter()
            .take(3)
            .all(|s| s.swarm_hash.is_some() && !s.needs_push)
    );
    assert_eq!(status[3].seqno, 0, "groups untouched");
    // Unblocking someone never accepted makes them a request again, an accepted one a
    // conversation.
    a.unblock(&id(3)).expect("unblock");
    assert_eq!(contact(&a, &id(3)).state, ContactState::Request);
    a.set_contact_state(&id(2), ContactState::Blocked)
        .expect("block");
    a.unblock(&id(2)).expect("unblock");
    assert_eq!(contact(&a, &id(2)).state, ContactState::Approved);
    // A nickname over 100 bytes is refused, and nothing changes.
    assert!(a.set_nickname(&id(2), &"x".repeat(101)).is_err());
    assert_eq!(contact(&a, &id(2)).nickname, "Bobby");
}

#[test]
fn a_restored_device_gets_the_account_state_from_one_poll() {
    let mut swarm = Swarm::default();
    let (_a, inbox) = device_a(&mut swarm);
    let mut b = device();
    let applied = b.apply_batch(&swarm.batch(inbox)).expect("poll");
    assert_eq!(applied.configs_changed, [2, 3, 4]);
    assert!(applied.config_errors.is_empty());
    assert_eq!(b.profile().expect("p").name.as_deref(), Some("Alice"));
    let bob = contact(&b, &id(2));
    assert_eq!(
        (bob.state, bob.nickname.as_str(), bob.expiry),
        (ContactState::Approved, "Bobby", Expiry::AfterSend(3600))
    );
    assert_eq!(bob.display_name(), Some("Bobby"));
    assert_eq!(contact(&b, &id(3)).state, ContactState::Blocked);
    assert_eq!(b.contacts(true).expect("blocked").len(), 1);
    // Bob's message arrives already read (A read it); Carol's is dropped (blocked).
    assert_eq!(applied.new.len(), 1);
    assert_eq!(applied.new[0].state, State::Read);
    assert!(b.conversation(&id(3)).expect("c").is_empty());
    for ns in [0, 2, 3, 4] {
        assert_ne!(b.cursor(ns).expect("cursor"), "", "namespace {ns}");
    }
    // Nothing new to push: B holds exactly what A pushed.
    assert!(b.pending_pushes(NOW).expect("pending").is_empty());
}

#[test]
fn devices_that_changed_the_same_config_offline_converge_on_identical_bytes() {
    let mut swarm = Swarm::default();
    let (a, inbox) = device_a(&mut swarm);
    let mut a = a;
    let mut b = device();
    b.apply_batch(&swarm.batch(inbox)).expect("restore");
    // Offline: A renames and renicknames Bob; B blocks Dave. Both push.
    a.set_profile_name("Alice A.", NOW + 1).expect("rename");
    a.set_nickname(&id(2), "Bob B.").expect("nickname");
    b.set_contact_state(&id(4), ContactState::Blocked)
        .expect("block");
    swarm.push(&a, NOW + 2);
    swarm.push(&b, NOW + 2);
    assert_eq!(swarm.count(3), 2, "two competing contact lists");
    // Both poll (each sees both), both push the merge.
    for d in [&mut a, &mut b] {
        d.apply_batch(&swarm.batch(Vec::new())).expect("poll");
    }
    swarm.push(&a, NOW + 3);
    swarm.push(&b, NOW + 3);
    for d in [&mut a, &mut b] {
        d.apply_batch(&swarm.batch(Vec::new())).expect("poll");
        assert_eq!(swarm.push(d, NOW + 4), 0, "settled");
    }
    for ns in [2, 3, 4] {
        assert_eq!(swarm.count(ns), 1, "one config in namespace {ns}");
    }
    let (sa, sb) = (a.config_status().expect("a"), b.config_status().expect("b"));
    assert_eq!(sa, sb, "identical configs, stored under the same hashes");
    for d in [&a, &b] {
        assert_eq!(d.profile().expect("p").name.as_deref(), Some("Alice A."));
        assert_eq!(contact(d, &id(2)).nickname, "Bob B.");
        assert_eq!(contact(d, &id(4)).state, ContactState::Blocked);
    }
}

#[test]
fn bad_config_messages_change_nothing_and_the_poll_goes_on() {
    let mut swarm = Swarm::default();
    let (_a, inbox) = device_a(&mut swarm);
    let mut b = device();
    b.apply_batch(&swarm.batch(inbox)).expect("restore");
    let before: Vec<_> = b.config_status().expect("status");
    let contacts_before = b.contacts(false).expect("contacts");

    let good = &swarm.0[&3][0].1;
    let mut truncated = good.clone();
    truncated.truncate(60);
    let wrong_key = {
        let mut other = Contacts::new(&Seed::from_bytes([9; 32]));
        other
            .set_name(&id(5).parse().expect("id"), "Mallory")
            .expect("set");
        other.push().expect("push").data
    };
    let key = ConfigKey::from_seed(&seed());
    let non_canonical =
        encrypt::seal(b"d1:#i99e1:&d1:ai01ee1:<le1:=dee", &key, "Contacts", false).expect("seal");
    let oversize = vec![1u8; 76_801];
    // A profile far behind ours: B then holds seqno ≥ 7.
    let stale = {
        let mut p = session_config::user::UserProfile::new(&seed());
        p.set_name("Old Alice").expect("set");
        p.push().expect("push").data
    };
    for n in 0..7 {
        b.set_profile_name(&format!("Alice {n}"), NOW + n)
            .expect("rename");
        Swarm::default().push(&b, NOW + n);
    }
    let before_profile = b.config_status().expect("status")[0].clone();
    let batch = PollBatch {
        messages: vec![text(&id(2), "b2", "still there?", NOW + 10)],
        last_hash: Some("m2".into()),
        configs: vec![
            ConfigMessages {
                namespace: 3,
                messages: vec![
                    ("trunc".into(), truncated),
                    ("wrongkey".into(), wrong_key),
                    ("noncanon".into(), non_canonical),
                    ("huge".into(), oversize),
                    // Right key, wrong namespace: a profile is no contact list.
                    ("elsewhere".into(), swarm.0[&2][0].1.clone()),
                ],
                last_hash: "elsewhere".into(),
            },
            ConfigMessages {
                namespace: 2,
                messages: vec![("stale".into(), stale)],
                last_hash: "stale".into(),
            },
        ],
        group_updates: Vec::new(),
        calls: Vec::new(),
        now_ms: NOW + 10,
    };
    let applied = b.apply_batch(&batch).expect("the poll goes on");
    assert_eq!(
        applied.config_errors.len(),
        6,
        "{:?}",
        applied.config_errors
    );
    for (hash, why) in [
        ("trunc", "decryption failed"),
        ("wrongkey", "decryption failed"),
        ("noncanon", "canonical"),
        ("huge", "too large"),
        ("elsewhere", "decryption failed"),
        ("stale", "too far behind"),
    ] {
        assert!(
            applied
                .config_errors
                .iter()
                .any(|e| e.contains(hash) && e.to_lowercase().contains(why)),
            "{hash}: {why} in {:?}",
            applied.config_errors
        );
    }
    assert!(applied.configs_changed.is_empty());
    assert_eq!(b.config_status().expect("status")[1..], before[1..]);
    assert_eq!(b.config_status().expect("status")[0], before_profile);
    assert_eq!(b.contacts(false).expect("contacts"), contacts_before);
    // The message beside them was applied, and every cursor moved.
    assert_eq!(applied.new.len(), 1);
    assert_eq!(b.cursor(0).expect("c"), "m2");
    assert_eq!(b.cursor(3).expect("c"), "elsewhere");
    assert_eq!(b.cursor(2).expect("c"), "stale");
}

#[test]
fn copies_from_another_device_are_filed_as_ours_and_own_copies_are_skipped() {
    let mut h = device();
    let me = me().to_string();
    let bob = id(2);
    h.apply_batch(&Swarm::default().batch(vec![text(&bob, "b1", "hello", NOW - 9)]))
        .expect("poll");
    let own = |hash: &str, target: Option<&str>, payload: Payload, at: u64| Incoming {
        sender: me.clone(),
        sent_at_ms: at,
        hash: hash.to_owned(),
        payload,
        expiry: Expiry::Off,
        sync_target: target.map(str::to_owned),
        profile: None,
        profile_key: None,
        attachments: Vec::new(),
    };
    let reply = Payload::Text {
        body: "hi bob".into(),
        quote: None,
    };
    let react = Payload::Reaction {
        to: MessageRef {
            author: bob.parse().expect("id"),
            sent_at_ms: NOW - 9,
        },
        emoji: "👍".into(),
        remove: false,
    };
    let mut setting = own("s1", Some(&bob), Payload::ExpirySetting, NOW - 6);
    setting.expiry = Expiry::AfterRead(60);
    h.record_own_copy("mine", NOW + 1_000).expect("own copy");
    let applied = h
        .apply_batch(&Swarm::default().batch(vec![
            own("y1", Some(&bob), reply.clone(), NOW - 8),
            own("r1", Some(&bob), react, NOW - 7),
            setting,
            // This device's own copy comes back: skipped.
            own("mine", Some(&bob), reply, NOW - 5),
        ]))
        .expect("poll");
    assert_eq!(applied.new.len(), 1);
    let conv = h.conversation(&bob).expect("conversation");
    let texts: Vec<(&str, bool, State)> = conv
        .iter()
        .map(|e| (e.text.as_str(), e.outgoing, e.state))
        .collect();
    assert_eq!(
        texts,
        [
            ("hello", false, State::Unread),
            ("hi bob", true, State::Sent)
        ]
    );
    assert_eq!(conv[0].reactions, ["👍"]);
    let c = contact(&h, &bob);
    assert_eq!(
        (c.state, c.expiry),
        (ContactState::Approved, Expiry::AfterRead(60))
    );
    let cfg = h.user_configs().expect("configs");
    assert!(
        cfg.contacts
            .get(&bob.parse().expect("id"))
            .is_some_and(|c| c.approved)
    );
    // Unsent on the other device: gone here, and its copy marked for deletion.
    let unsend = Payload::Unsend {
        to: MessageRef {
            author: me.parse().expect("id"),
            sent_at_ms: NOW - 8,
        },
    };
    let applied = h
        .apply_batch(&Swarm::default().batch(vec![own("u1", None, unsend, NOW - 1)]))
        .expect("poll");
    assert_eq!(applied.swarm_deletes, ["y1"]);
    assert_eq!(h.conversation(&bob).expect("c").len(), 1);
    // A stranger's "sync copy" is theirs: only we file messages into other conversations.
    let mut forged = own(
        "f1",
        Some(&id(4)),
        Payload::Text {
            body: "x".into(),
            quote: None,
        },
        NOW,
    );
    forged.sender = id(3);
    h.apply_batch(&Swarm::default().batch(vec![forged]))
        .expect("poll");
    assert!(h.conversation(&id(4)).expect("c").is_empty());
    assert!(!h.conversation(&id(3)).expect("c")[0].outgoing);
}

#[test]
fn names_come_with_messages_and_nicknames_win() {
    let mut h = device();
    let bob = id(2);
    let named = |hash: &str, name: &str, updated_s: u64, at: u64| {
        let mut m = text(&bob, hash, "hi", at);
        m.profile = Some(WireProfile {
            name: Some(name.into()),
            picture_url: None,
            updated_s,
        });
        m
    };
    h.apply_batch(&Swarm::default().batch(vec![named("n1", "Bob", 100, NOW)]))
        .expect("poll");
    assert_eq!(contact(&h, &bob).display_name(), Some("Bob"));
    // An older profile does not win; a newer one does; the config follows.
    h.apply_batch(&Swarm::default().batch(vec![
        named("n2", "Old Bob", 50, NOW + 1),
        named("n3", "Robert", 200, NOW + 2),
    ]))
    .expect("poll");
    assert_eq!(contact(&h, &bob).name, "Robert");
    let cfg = h.user_configs().expect("configs");
    assert_eq!(
        cfg.contacts.get(&bob.parse().expect("id")).map(|c| c.name),
        Some("Robert".into())
    );
    h.set_nickname(&bob, "Bobby").expect("nickname");
    assert_eq!(contact(&h, &bob).display_name(), Some("Bobby"));
    h.set_nickname(&bob, "").expect("cleared");
    assert_eq!(contact(&h, &bob).display_name(), Some("Robert"));
}

#[test]
fn a_history_from_before_configs_is_written_into_them_once() {
    let dir = tempfile::tempdir().expect("dir");
    {
        let db = Connection::open(dir.path().join(DB_FILE)).expect("db");
        for m in &MIGRATIONS[..2] {
            db.execute_batch(m).expect("old schema");
        }
        db.pragma_update(None, "user_version", 2).expect("version");
        db.execute(
            "INSERT INTO contacts (peer, state) VALUES (?1, 'approved'), (?2, 'blocked')",
            [id(2), id(3)],
        )
        .expect("rows");
    }
    std::fs::write(
        dir.path().join(crate::account::SEED_FILE),
        seed().expose_secret(),
    )
    .expect("seed");
    let h = History::open(dir.path()).expect("migrates");
    assert!(contact(&h, &id(2)).approved);
    // The first change imports what was there.
    h.set_profile_name("Alice", NOW).expect("name");
    let cfg = h.user_configs().expect("configs");
    let get = |n: u8| {
        cfg.contacts
            .get(&id(n).parse().expect("id"))
            .expect("imported")
    };
    assert!(get(2).approved && !get(2).blocked);
    assert!(get(3).blocked);
    assert_eq!(setting(&h.db, IMPORT).expect("setting"), None, "only once");
}

#[test]
fn a_device_adopts_the_merge_the_other_pushed() {
    // The end-to-end order: both change offline; A pushes; B merges A's push into its own
    // change and pushes the merge; A adopts it.
    let mut swarm = Swarm::default();
    let (mut a, inbox) = device_a(&mut swarm);
    let mut b = device();
    b.apply_batch(&swarm.batch(inbox)).expect("restore");
    a.set_profile_name("Alice A.", NOW + 1).expect("rename");
    a.set_nickname(&id(2), "Bob B.").expect("nickname");
    b.set_contact_state(&id(4), ContactState::Blocked)
        .expect("block");
    a.apply_batch(&swarm.batch(Vec::new())).expect("a polls");
    assert_eq!(swarm.push(&a, NOW + 2), 2, "profile and contacts");
    let a_contacts = swarm.0[&3].clone();
    b.apply_batch(&swarm.batch(Vec::new())).expect("b polls");
    assert_eq!(swarm.push(&b, NOW + 3), 1, "the merged contacts");
    assert_ne!(swarm.0[&3], a_contacts, "a merge, not A's push");
    a.apply_batch(&swarm.batch(Vec::new())).expect("a adopts");
    assert_eq!(swarm.push(&a, NOW + 4), 0, "nothing left to push");
    for ns in [2, 3, 4] {
        assert_eq!(swarm.count(ns), 1, "one config in namespace {ns}");
    }
    assert_eq!(a.config_status().expect("a"), b.config_status().expect("b"));
    assert_eq!(contact(&a, &id(4)).state, ContactState::Blocked);
    assert_eq!(contact(&b, &id(2)).nickname, "Bob B.");
}

#[test]
fn a_poll_that_fails_midway_changes_nothing() {
    let mut swarm = Swarm::default();
    let (_a, inbox) = device_a(&mut swarm);
    let mut b = device();
    // The second message of the poll cannot be written: the whole poll is rolled back.
    b.db.execute_batch(
        "CREATE TRIGGER boom BEFORE INSERT ON messages WHEN NEW.hash = 'boom'
         BEGIN SELECT RAISE(ABORT, 'disk full'); END;",
    )
    .expect("trigger");
    let mut batch = swarm.batch(inbox);
    batch
        .messages
        .push(text(&id(2), "boom", "never stored", NOW - 1_000));
    assert!(b.apply_batch(&batch).is_err());
    assert!(b.contacts(false).expect("contacts").is_empty());
    assert!(b.conversation(&id(2)).expect("c").is_empty());
    assert_eq!(b.profile().expect("p").name, None);
    for ns in [0, 2, 3, 4, 5] {
        assert_eq!(b.cursor(ns).expect("cursor"), "", "namespace {ns}");
    }
    let dumps: i64 =
        b.db.query_row("SELECT COUNT(*) FROM config_dumps", [], |r| r.get(0))
            .expect("count");
    assert_eq!(dumps, 0);
    // The same poll without the bad message goes through whole.
    b.db.execute_batch("DROP TRIGGER boom").expect("drop");
    assert_eq!(b.apply_batch(&batch).expect("poll").new.len(), 2);
    assert_eq!(b.profile().expect("p").name.as_deref(), Some("Alice"));
}
