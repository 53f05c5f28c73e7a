//! Groups v2 (issue 16) with real `session-cli` processes on a devnet: Alice creates a group
//! with Bob and Carol, who accept; all three exchange messages. Alice removes Carol, who can
//! read nothing new, proven at both layers: the swarm refuses her subaccount (a direct signed
//! retrieve gets the reference `401 retrieve signature verification failed`), and with the
//! swarm's data fetched by someone else (the admin key) her key ring gets no new key and the
//! new message does not decrypt. Bob still reads and writes. Alice promotes Bob; Bob renames
//! the group and adds Dave with access to the history, and Dave reads a message sent before
//! he joined. Bob's second device, restored from his phrase, shows the group through
//! `UserGroups` and reads it.

use serde_json::{Value, json};
use session_crypto::GroupId;
use session_devnet::Devnet;
use session_e2e::cli::{User, lines};
use session_e2e::{b64, config, now_ms, rpc};
use session_group::{Group, GroupAdmin, subaccount};
use std::net::SocketAddr;
use std::path::Path;
use std::sync::Arc;
use std::time::{Duration, Instant};

struct Homes {
    alice: User,
    bob: User,
    bob2: User,
    carol: User,
    dave: User,
}

#[derive(Clone, Default)]
struct Ids {
    alice: String,
    bob: String,
    bob_phrase: String,
    carol: String,
    dave: String,
    group: String,
}

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn a_group_from_creation_to_removal_promotion_and_a_second_device() {
    let (mut cfg, _slot) = config(8);
    cfg.multi_contributor_every = 0;
    let devnet = Devnet::start(cfg).await.expect("devnet starts");
    let dir = tempfile::tempdir().expect("dir");
    let network = dir.path().join("devnet.json");
    let manifest = serde_json::to_vec(&devnet.manifest(None, 0)).expect("manifest");
    std::fs::write(&network, manifest).expect("network file");
    let user = |name: &str| User {
        home: dir.path().join(name),
        network: network.clone(),
    };
    let homes = Arc::new(Homes {
        alice: user("alice"),
        bob: user("bob"),
        bob2: user("bob2"),
        carol: user("carol"),
        dave: user("dave"),
    });
    let nodes: Vec<SocketAddr> = devnet.live_nodes().map(|n| n.http()).collect();
    let http = reqwest::Client::new();

    let ids = blocking(&homes, create_accept_and_talk).await;
    let gid: GroupId = ids.group.parse().expect("group id");
    let ids2 = ids.clone();
    let after = blocking(&homes, move |h| remove_carol(h, &ids2)).await;

    // Layer 1: the swarm refuses Carol's subaccount.
    carol_is_refused_by_the_swarm(&http, &nodes, &homes.carol.home, &gid).await;
    // Layer 2: with the swarm's data in hand she still cannot read the new key or message.
    carol_cannot_decrypt(&http, &nodes, &homes, &gid, &after).await;

    blocking(&homes, move |h| promote_rename_add_dave(h, &ids)).await;
}

async fn blocking<T: Send + 'static>(
    homes: &Arc<Homes>,
    phase: impl FnOnce(&Homes) -> T + Send + 'static,
) -> T {
    let homes = homes.clone();
    tokio::task::spawn_blocking(move || phase(&homes))
        .await
        .expect("phase")
}

/// Runs `receive` until a line satisfies `want` (30 s at most); a failure shows what the
/// client said on stderr (refusals, failed group polls).
fn receive_until(user: &User, want: impl Fn(&Value) -> bool) -> Vec<Value> {
    let deadline = Instant::now() + Duration::from_secs(30);
    let mut seen = Vec::new();
    loop {
        let out = user
            .command(&["receive"])
            .output()
            .expect("session-cli runs");
        let stderr = String::from_utf8_lossy(&out.stderr).into_owned();
        assert!(out.status.success(), "receive failed: {stderr}");
        seen.extend(lines(&String::from_utf8_lossy(&out.stdout)));
        if seen.iter().any(&want) {
            return seen;
        }
        assert!(
            Instant::now() < deadline,
            "never came; stderr: {stderr}; last lines: {:?}",
            &seen[seen.len().saturating_sub(3)..]
        );
        std::thread::sleep(Duration::from_millis(300));
    }
}

fn str_of(v: &Value, key: &str) -> String {
    v[key]
        .as_str()
        .unwrap_or_else(|| panic!("{key} in {v}"))
        .to_owned()
}

/// `receive` until group messages with each of `texts` showed.
fn sees(user: &User, group: &str, texts: &[&str]) {
    let deadline = Instant::now() + Duration::from_secs(30);
    let mut seen: Vec<Value> = Vec::new();
    while !texts.iter().all(|t| {
        seen.iter()
            .any(|l| l["group_id"] == group && l["text"] == *t)
    }) {
        assert!(Instant::now() < deadline, "never saw {texts:?}: {seen:?}");
        seen.extend(receive_until(user, |l| l["group_id"] == group));
    }
}

fn send(user: &User, group: &str, text: &str) -> String {
    str_of(&user.run(&["group", "send", group, text])[0], "hash")
}

fn members(user: &User, group: &str) -> Vec<(String, bool, String)> {
    let lines = user.run(&["group", "members", group]);
    lines
        .iter()
        .filter(|l| l.get("session_id").is_some())
        .map(|l| {
            (
                str_of(l, "session_id"),
                l["admin"] == true,
                str_of(l, "status"),
            )
        })
        .collect()
}

fn create_accept_and_talk(h: &Homes) -> Ids {
    let init = |u: &User| u.run(&["init"]).remove(0);
    let mut ids = Ids {
        alice: str_of(&init(&h.alice), "session_id"),
        ..Ids::default()
    };
    let bob = init(&h.bob);
    ids.bob = str_of(&bob, "session_id");
    ids.bob_phrase = str_of(&bob, "mnemonic");
    ids.carol = str_of(&init(&h.carol), "session_id");
    ids.dave = str_of(&init(&h.dave), "session_id");

    let created = h.alice.run(&[
        "group", "create", "garden", "--member", &ids.bob, "--member", &ids.carol,
    ]);

    ids.group = str_of(&created[0], "group_id");
    assert!(ids.group.starts_with("03") && ids.group.len() == 66);
    let g = ids.group.clone();

    for u in [&h.bob, &h.carol] {
        let seen = receive_until(u, |l| l["group_id"] == g && l["invitation"] == true);
        let inv = seen.iter().find(|l| l["invitation"] == true).expect("inv");
        assert_eq!(
            (&inv["name"], &inv["invited_by"]),
            (&json!("garden"), &json!(ids.alice))
        );
        let listed = u.run(&["group", "invitations"]);
        assert_eq!(listed[0]["group_id"], g.as_str());
        assert_eq!(
            (&listed[0]["invited"], &listed[0]["admin"]),
            (&json!(true), &json!(false))
        );
        u.run(&["group", "accept", &g]);
        let groups = u.run(&["groups"]);
        assert_eq!(groups[0]["invited"], false, "{groups:?}");
    }
    // Alice learns both accepted.
    receive_until(&h.alice, |l| {
        l["group_id"] == g && l["sender"] == ids.carol.as_str()
    });
    let m = members(&h.alice, &g);
    assert_eq!(m.len(), 3, "{m:?}");
    for (sid, admin, status) in &m {
        let want = if *sid == ids.alice { "admin" } else { "joined" };
        assert_eq!(
            (status.as_str(), *admin),
            (want, *sid == ids.alice),
            "{m:?}"
        );
    }

    // All three talk.
    send(&h.alice, &g, "hello from alice");
    send(&h.bob, &g, "hi from bob");
    send(&h.carol, &g, "carol here");
    sees(&h.alice, &g, &["carol here", "hi from bob"]);
    sees(&h.bob, &g, &["hello from alice", "carol here"]);
    sees(&h.carol, &g, &["hello from alice", "hi from bob"]);
    // A reply quoting Alice and a reaction to it, seen by Alice.
    let hello = h.bob.run(&["group", "history", &g]);
    let hello = hello
        .iter()
        .find(|l| l["text"] == "hello from alice")
        .expect("alice's message");
    let hello_hash = str_of(hello, "hash");
    h.bob
        .run(&["group", "send", &g, "welcome!", "--quote", &hello_hash]);
    h.carol.run(&["group", "react", &g, &hello_hash, "👍"]);
    let got = receive_until(&h.alice, |l| l["text"] == "welcome!");
    let reply = got.iter().find(|l| l["text"] == "welcome!").expect("reply");
    assert_eq!(
        reply["quote"],
        format!("{}@{}", ids.alice, hello["sent_at_ms"])
    );
    let deadline = Instant::now() + Duration::from_secs(30);
    loop {
        let history = h.alice.run(&["group", "history", &g]);
        let mine = history.iter().find(|l| l["hash"] == hello_hash.as_str());
        if mine.is_some_and(|l| l["reactions"] == json!([format!("👍 {}", ids.carol)])) {
            break;
        }
        assert!(Instant::now() < deadline, "no reaction: {history:?}");
        h.alice.run(&["receive"]);
    }
    let history = h.bob.run(&["group", "history", &g]);
    let texts: Vec<&str> = history.iter().filter_map(|l| l["text"].as_str()).collect();
    for t in ["hello from alice", "hi from bob", "carol here"] {
        assert!(texts.contains(&t), "{texts:?}");
    }
    ids
}

/// Alice removes Carol (with a notice); returns the hash of the first message after it.
fn remove_carol(h: &Homes, ids: &Ids) -> String {
    let g = &ids.group;
    let out = h
        .alice
        .run(&["group", "remove", g, &ids.carol, "--delete-messages"]);
    assert_eq!(out[0]["removed"], 1);
    let m = members(&h.alice, g);
    assert!(m.iter().all(|(s, _, _)| *s != ids.carol), "{m:?}");
    let after = send(&h.alice, g, "after carol");
    // Bob still reads and writes.
    sees(
        &h.bob,
        g,
        &["after carol", &format!("deleted messages of {}", ids.carol)],
    );
    for u in [&h.alice, &h.bob] {
        let history = u.run(&["group", "history", g]);
        assert!(
            history.iter().all(|l| l["text"] != "carol here"),
            "carol's messages are deleted: {history:?}"
        );
    }
    send(&h.bob, g, "bob still here");
    sees(&h.alice, g, &["bob still here"]);
    after
}

/// A signed retrieve of the group's namespace 11 sent to every node: (status, body) of the
/// ones in the group's swarm (not 421).
async fn to_group_swarm(
    http: &reqwest::Client,
    nodes: &[SocketAddr],
    params: impl Fn() -> Value,
) -> Vec<(u16, String)> {
    let mut out = Vec::new();
    for n in nodes {
        let (status, body) = rpc(http, *n, json!({"method": "retrieve", "params": params()})).await;
        if status != 421 {
            out.push((status, body));
        }
    }
    assert!(!out.is_empty(), "no node of the group's swarm answered");
    out
}

async fn carol_is_refused_by_the_swarm(
    http: &reqwest::Client,
    nodes: &[SocketAddr],
    home: &Path,
    gid: &GroupId,
) {
    let account = session_client::Account::open(home).expect("carol's account");
    let history = session_client::History::open(home).expect("carol's history");
    let entry = history
        .group_secrets(gid)
        .expect("db")
        .expect("entry")
        .entry;
    let auth =
        subaccount::AuthData::from_bytes(&entry.auth_data.expect("auth data")).expect("auth data");
    let params = || {
        let ts = now_ms();
        let r =
            subaccount::sign_request(account.keys(), &auth, format!("retrieve11{ts}").as_bytes())
                .expect("signed");
        json!({"pubkey": gid.to_string(), "namespace": 11, "timestamp": ts, "last_hash": "",
            "subaccount": b64(&r.token), "subaccount_sig": b64(&r.token_signature),
            "signature": b64(&r.signature)})
    };
    let deadline = Instant::now() + Duration::from_secs(20);
    loop {
        let answers = to_group_swarm(http, nodes, params).await;
        let refused = answers
            .iter()
            .all(|(s, b)| *s == 401 && b == "retrieve signature verification failed");
        if refused {
            return;
        }
        assert!(Instant::now() < deadline, "carol still read: {answers:?}");
        tokio::time::sleep(Duration::from_millis(500)).await;
    }
}

/// The group's messages in `namespace` fetched with the admin key: (hash, bytes, timestamp).
async fn fetch_as_admin(
    http: &reqwest::Client,
    nodes: &[SocketAddr],
    admin: &GroupAdmin,
    gid: &GroupId,
    namespace: i16,
) -> Vec<(String, Vec<u8>, i64)> {
    let params = || {
        let ts = now_ms();
        let sig = admin.sign(format!("retrieve{namespace}{ts}").as_bytes());
        json!({"pubkey": gid.to_string(), "namespace": namespace, "timestamp": ts,
            "last_hash": "", "signature": b64(&sig)})
    };
    let answers = to_group_swarm(http, nodes, params).await;
    let (status, body) = answers
        .iter()
        .find(|(s, _)| *s == 200)
        .expect("a member answers");
    assert_eq!(*status, 200);
    let v: Value = serde_json::from_str(body).expect("json");
    v["messages"]
        .as_array()
        .expect("messages")
        .iter()
        .map(|m| {
            use base64::Engine as _;
            let data = base64::engine::general_purpose::STANDARD
                .decode(m["data"].as_str().expect("data"))
                .expect("b64");
            (
                str_of(m, "hash"),
                data,
                m["timestamp"].as_i64().expect("ts"),
            )
        })
        .collect()
}

async fn carol_cannot_decrypt(
    http: &reqwest::Client,
    nodes: &[SocketAddr],
    homes: &Homes,
    gid: &GroupId,
    after: &str,
) {
    let alice = session_client::History::open(&homes.alice.home).expect("alice's history");
    let secret = alice.group_secrets(gid).expect("db").expect("entry").entry;
    let admin = session_client::history::groups::admin_of(&secret).expect("alice is admin");
    let keys = fetch_as_admin(http, nodes, &admin, gid, 12).await;
    let messages = fetch_as_admin(http, nodes, &admin, gid, 11).await;

    let carol = session_client::Account::open(&homes.carol.home).expect("carol");
    let history = session_client::History::open(&homes.carol.home).expect("carol's history");
    let dumps = history.group_dumps(gid).expect("dumps");
    let mut ring = Group::restore(carol.keys().seed(), *gid, None, &dumps).expect("restored");
    let before = ring.keys().key_infos().len();
    assert!(before > 0, "carol held the keys of her time");
    for (hash, data, ts) in &keys {
        let _ = ring.load_keys(hash, data, *ts);
    }
    assert_eq!(
        ring.keys().key_infos().len(),
        before,
        "no new key for carol"
    );
    let (_, sealed, _) = messages
        .iter()
        .find(|(h, _, _)| h == after)
        .expect("the message after the removal is in the swarm");
    assert!(
        ring.decrypt_message(sealed).is_err(),
        "carol decrypted a message sent after her removal"
    );
}

fn promote_rename_add_dave(h: &Homes, ids: &Ids) {
    let g = &ids.group;
    h.alice.run(&["group", "promote", g, &ids.bob]);
    let deadline = Instant::now() + Duration::from_secs(30);
    loop {
        h.bob.run(&["receive"]);
        let groups = h.bob.run(&["groups"]);
        if groups
            .iter()
            .any(|l| l["group_id"] == g.as_str() && l["admin"] == true)
        {
            break;
        }
        assert!(
            Instant::now() < deadline,
            "bob never became admin: {groups:?}"
        );
        std::thread::sleep(Duration::from_millis(300));
    }
    let m = members(&h.alice, g);
    assert!(
        m.contains(&(ids.bob.clone(), true, "promoted".into())),
        "{m:?}"
    );
    h.bob.run(&["group", "rename", g, "garden two"]);
    sees(&h.alice, g, &["renamed the group to garden two"]);
    let listed = h.alice.run(&["groups"]);
    assert_eq!(listed[0]["name"], "garden two", "{listed:?}");
    let m = members(&h.alice, g);
    assert!(
        m.contains(&(ids.bob.clone(), true, "admin".into())),
        "{m:?}"
    );

    h.bob.run(&["group", "invite", g, &ids.dave, "--history"]);
    receive_until(&h.dave, |l| {
        l["group_id"] == g.as_str() && l["invitation"] == true
    });
    h.dave.run(&["group", "accept", g]);
    let history = h.dave.run(&["group", "history", g]);
    assert!(
        history.iter().any(|l| l["text"] == "hello from alice"),
        "dave reads what was sent before he joined: {history:?}"
    );

    // Dave leaves; Bob, an admin, removes him when he sees it.
    h.dave.run(&["group", "leave", g]);
    assert_eq!(h.dave.run(&["groups"]).last().expect("count")["count"], 0);
    sees(&h.bob, g, &["left the group"]);
    let m = members(&h.bob, g);
    assert!(m.iter().all(|(s, _, _)| *s != ids.dave), "{m:?}");

    // Bob's second device: the group comes with UserGroups; it reads it as an admin.
    h.bob2.run(&["restore", "--mnemonic", &ids.bob_phrase]);
    let deadline = Instant::now() + Duration::from_secs(30);
    loop {
        h.bob2.run(&["receive"]);
        let groups = h.bob2.run(&["groups"]);
        if let Some(l) = groups.iter().find(|l| l["group_id"] == g.as_str()) {
            assert_eq!(
                (&l["admin"], &l["invited"]),
                (&json!(true), &json!(false)),
                "{l}"
            );
            break;
        }
        assert!(
            Instant::now() < deadline,
            "bob's second device has no group"
        );
        std::thread::sleep(Duration::from_millis(300));
    }
    let history = h.bob2.run(&["group", "history", g]);
    assert!(
        history.iter().any(|l| l["text"] == "bob still here"),
        "{history:?}"
    );

    // Bob destroys the group: Alice sees it once, then it is not polled any more.
    h.bob.run(&["group", "destroy", g]);
    assert_eq!(h.bob.run(&["groups"]).last().expect("count")["count"], 0);
    receive_until(&h.alice, |l| {
        l["group_id"] == g.as_str() && l["destroyed"] == true
    });
    let again = h.alice.run(&["receive"]);
    assert!(
        again.iter().all(|l| l["group_id"] != g.as_str()),
        "{again:?}"
    );
}
