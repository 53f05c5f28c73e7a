//! Deleting group messages for everyone and the group's disappearing timer (issue 16), with
//! real `session-cli` processes on a devnet. Alice (admin) makes a group with Bob and Carol.
//! Bob unsends his message: it leaves Alice's and Carol's histories (and Alice's poll, as an
//! admin, deletes it from the swarm). Carol cannot delete Bob's message with the CLI, and
//! her forged deletions stored straight into the swarm (an unsigned one naming Bob's
//! message, one signed with her own key) are refused by Alice and Bob: nothing changes.
//! Alice deletes Carol's message, then all of Carol's messages: everyone's history and the
//! swarm drop them. Alice sets a 10 s timer: a message sent afterwards carries its expiry and
//! is gone from every history and from the swarm once it ran out; turned off, messages stay.

use serde_json::{Value, json};
use session_crypto::GroupId;
use session_devnet::Devnet;
use session_e2e::cli::{User, lines};
use session_e2e::{b64, config, now_ms, rpc};
use session_group::{Group, GroupAdmin, subaccount};
use std::net::SocketAddr;
use std::time::{Duration, Instant};

struct Net {
    http: reqwest::Client,
    nodes: Vec<SocketAddr>,
}

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn unsend_admin_deletes_forgeries_and_the_disappearing_timer() {
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
    let (alice, bob, carol) = (user("alice"), user("bob"), user("carol"));
    let net = Net {
        http: reqwest::Client::new(),
        nodes: devnet.live_nodes().map(|n| n.http()).collect(),
    };
    help_and_bad_input(&alice);

    let ids = blocking(move || {
        let ids = setup(&alice, &bob, &carol);
        (ids, alice, bob, carol)
    })
    .await;
    let (ids, alice, bob, carol) = ids;
    let gid: GroupId = ids.group.parse().expect("group id");
    let g = ids.group.clone();

    // Bob unsends his own message.
    let secret = send(&bob, &g, "bob's secret");
    let stays = send(&bob, &g, "bob stays");
    let carols = send(&carol, &g, "carol's words");
    let (unsent, deleted) = (secret.clone(), carols.clone());
    let (alice, bob, carol) = blocking(move || {
        sees(&alice, &g, &["bob's secret", "bob stays", "carol's words"]);
        sees(&carol, &g, &["bob's secret", "bob stays"]);
        let out = bob.run(&["group", "unsend", &g, &secret]);
        assert_eq!(
            (&out[0]["deleted"], &out[0]["hashes"]),
            (&json!(1), &json!([secret]))
        );
        assert!(!has(&bob, &g, "bob's secret"));
        for u in [&alice, &carol] {
            sees(u, &g, &["deleted 1 message"]);
            assert!(!has(u, &g, "bob's secret"), "the unsent message is gone");
            assert!(has(u, &g, "bob stays"));
        }
        (alice, bob, carol)
    })
    .await;
    let admin = admin_of(&alice);
    gone_from_swarm(&net, &admin, &gid, &unsent).await;

    // Carol may not delete Bob's message: the CLI refuses; forgeries are refused by readers.
    let fail = carol
        .command(&["group", "delete", &ids.group, &stays])
        .output()
        .expect("runs");
    assert_eq!(fail.status.code(), Some(2));
    assert!(String::from_utf8_lossy(&fail.stderr).contains("only its author or a group admin"));
    forge_deletions(&net, &carol, &gid, &stays, &ids.bob).await;
    let g = ids.group.clone();
    let (alice, bob, carol, again) = blocking(move || {
        for u in [&alice, &bob] {
            let why = refusals_until(u, |e| {
                e.contains("signature does not verify")
                    && e.lines()
                        .any(|l| l.contains("refused") && l.contains(&stays))
            });
            let unsigned = why
                .lines()
                .find(|l| l.contains("refused") && l.contains(&stays))
                .unwrap_or_else(|| panic!("the unsigned forgery's refusal: {why}"));
            assert!(unsigned.contains("only its author or an admin"), "{why}");
            let signed = why
                .lines()
                .find(|l| l.contains("signature does not verify"));
            assert!(
                signed.is_some_and(|l| l.contains("content deletion")),
                "{why}"
            );
            assert!(has(u, &g, "bob stays"), "a forged deletion changed nothing");
        }
        // Alice deletes Carol's message, then all of Carol's messages.
        alice.run(&["group", "delete", &g, &carols]);
        for u in [&bob, &carol] {
            sees(u, &g, &["deleted 1 message"]);
            assert!(!has(u, &g, "carol's words"));
        }
        let again = send(&carol, &g, "carol again");
        sees(&bob, &g, &["carol again"]);
        sees(&alice, &g, &["carol again"]);
        let out = alice.run(&["group", "delete", &g, "--member", &ids.carol]);
        assert_eq!(out[0]["members"], json!([ids.carol]));
        sees(&bob, &g, &[&format!("deleted messages of {}", ids.carol)]);
        for u in [&alice, &bob] {
            assert!(
                !has(u, &g, "carol again"),
                "all of carol's messages are gone"
            );
        }
        (alice, bob, carol, again)
    })
    .await;
    gone_from_swarm(&net, &admin, &gid, &deleted).await;
    gone_from_swarm(&net, &admin, &gid, &again).await;

    // The disappearing timer.
    let g = ids.group.clone();
    let vanishing = blocking(move || timer(&alice, &bob, &carol, &g)).await;
    gone_from_swarm(&net, &admin, &gid, &vanishing).await;
}

#[derive(Clone, Default)]
struct Ids {
    bob: String,
    carol: String,
    group: String,
}

async fn blocking<T: Send + 'static>(f: impl FnOnce() -> T + Send + 'static) -> T {
    tokio::task::spawn_blocking(f).await.expect("phase")
}

fn help_and_bad_input(u: &User) {
    for cmd in ["delete", "unsend", "disappear"] {
        let out = u.command(&["group", cmd, "--help"]).output().expect("runs");
        assert!(out.status.success(), "group {cmd} --help");
        assert!(String::from_utf8_lossy(&out.stdout).contains("admins"));
    }
    let g = format!("03{}", "ab".repeat(32));
    for args in [
        vec!["group", "delete", &g, "not-a-hash"],
        vec!["group", "delete", &g],
        vec!["group", "delete", "03xyz", &"A".repeat(43)],
        vec!["group", "delete", &g, "--member", "05nope"],
        vec!["group", "disappear", &g, "5"],
        vec!["group", "disappear", &g, "soon"],
    ] {
        let out = u.command(&args).output().expect("runs");
        let stderr = String::from_utf8_lossy(&out.stderr);
        assert_eq!(out.status.code(), Some(2), "{args:?}: {stderr}");
        assert!(!stderr.trim().is_empty(), "{args:?} says why");
    }
}

fn str_of(v: &Value, key: &str) -> String {
    v[key]
        .as_str()
        .unwrap_or_else(|| panic!("{key} in {v}"))
        .to_owned()
}

/// `receive` until a line satisfies `want` (30 s at most).
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
        assert!(Instant::now() < deadline, "never came; stderr: {stderr}");
        std::thread::sleep(Duration::from_millis(300));
    }
}

/// `receive` until what it said on stderr (all runs together) satisfies `want`; returns it.
fn refusals_until(user: &User, want: impl Fn(&str) -> bool) -> String {
    let deadline = Instant::now() + Duration::from_secs(30);
    let mut all = String::new();
    loop {
        let out = user
            .command(&["receive"])
            .output()
            .expect("session-cli runs");
        all.push_str(&String::from_utf8_lossy(&out.stderr));
        if want(&all) {
            return all;
        }
        assert!(Instant::now() < deadline, "no such refusal; stderr: {all}");
        std::thread::sleep(Duration::from_millis(300));
    }
}

/// `receive` until group messages with each of `texts` showed.
fn sees(user: &User, group: &str, texts: &[&str]) -> Vec<Value> {
    let deadline = Instant::now() + Duration::from_secs(30);
    let mut seen: Vec<Value> = Vec::new();
    while !texts.iter().all(|t| {
        seen.iter()
            .any(|l| l["group_id"] == group && l["text"] == *t)
    }) {
        assert!(Instant::now() < deadline, "never saw {texts:?}: {seen:?}");
        seen.extend(receive_until(user, |l| l["group_id"] == group));
    }
    seen
}

fn send(user: &User, group: &str, text: &str) -> String {
    str_of(&user.run(&["group", "send", group, text])[0], "hash")
}

fn history(user: &User, group: &str) -> Vec<Value> {
    user.run(&["group", "history", group])
}

fn has(user: &User, group: &str, text: &str) -> bool {
    history(user, group).iter().any(|l| l["text"] == text)
}

fn setup(alice: &User, bob: &User, carol: &User) -> Ids {
    let init = |u: &User| str_of(&u.run(&["init"])[0], "session_id");
    let _ = init(alice);
    let mut ids = Ids {
        bob: init(bob),
        carol: init(carol),
        ..Ids::default()
    };
    let created = alice.run(&[
        "group", "create", "tidy", "--member", &ids.bob, "--member", &ids.carol,
    ]);
    ids.group = str_of(&created[0], "group_id");
    let g = ids.group.clone();
    for u in [bob, carol] {
        receive_until(u, |l| l["group_id"] == g && l["invitation"] == true);
        u.run(&["group", "accept", &g]);
    }
    ids
}

/// Alice sets a 10 s timer; Bob's next message disappears everywhere. Returns its hash.
fn timer(alice: &User, bob: &User, carol: &User, g: &str) -> String {
    let out = alice.run(&["group", "disappear", g, "10"]);
    assert_eq!(out[0]["disappear_after_s"], 10);
    // In parallel: the notice itself disappears 10 s after it was sent.
    std::thread::scope(|s| {
        for u in [bob, carol] {
            s.spawn(|| sees(u, g, &["set disappearing messages to 10 s after sending"]));
        }
    });
    let hash = send(bob, g, "vanishing");
    let mine = history(bob, g);
    let mine = mine
        .iter()
        .find(|l| l["hash"] == hash.as_str())
        .expect("bob's copy");
    let sent = mine["sent_at_ms"].as_u64().expect("sent");
    let expires = mine["expires_at_ms"].as_u64().expect("bob's copy expires");
    assert_eq!(expires, sent + 10_000);
    std::thread::scope(|s| {
        for u in [alice, carol] {
            s.spawn(move || {
                let seen = sees(u, g, &["vanishing"]);
                let m = seen.iter().find(|l| l["text"] == "vanishing");
                assert_eq!(m.expect("seen")["expires_at_ms"], expires, "{m:?}");
            });
        }
    });
    let wait = expires.saturating_sub(now_ms()) + 1_000;
    std::thread::sleep(Duration::from_millis(wait));
    for u in [alice, bob, carol] {
        assert!(
            !has(u, g, "vanishing"),
            "expired messages leave the history"
        );
        assert!(
            has(u, g, "bob stays"),
            "messages sent before the timer stay"
        );
    }
    alice.run(&["group", "disappear", g, "0"]);
    sees(bob, g, &["turned disappearing messages off"]);
    let kept = send(bob, g, "lasting");
    let mine = history(bob, g);
    let l = mine
        .iter()
        .find(|l| l["hash"] == kept.as_str())
        .expect("kept");
    assert!(l.get("expires_at_ms").is_none(), "{l}");
    hash
}

fn admin_of(alice: &User) -> GroupAdmin {
    let history = session_client::History::open(&alice.home).expect("alice's history");
    let groups = history.groups().expect("groups");
    let gid: GroupId = groups[0].id.parse().expect("id");
    let entry = history
        .group_secrets(&gid)
        .expect("db")
        .expect("entry")
        .entry;
    session_client::history::groups::admin_of(&entry).expect("alice is admin")
}

/// Sends `params()` as `method` to every node; the answers of the group's swarm (not 421).
async fn to_group_swarm(net: &Net, method: &str, params: impl Fn() -> Value) -> Vec<(u16, String)> {
    let mut out = Vec::new();
    for n in &net.nodes {
        let (status, body) =
            rpc(&net.http, *n, json!({"method": method, "params": params()})).await;
        if status != 421 {
            out.push((status, body));
        }
    }
    assert!(!out.is_empty(), "no node of the group's swarm answered");
    out
}

/// Waits until no member of the group's swarm returns `hash` in namespace 11.
async fn gone_from_swarm(net: &Net, admin: &GroupAdmin, gid: &GroupId, hash: &str) {
    let params = || {
        let ts = now_ms();
        let sig = admin.sign(format!("retrieve11{ts}").as_bytes());
        json!({"pubkey": gid.to_string(), "namespace": 11, "timestamp": ts,
            "last_hash": "", "signature": b64(&sig)})
    };
    let deadline = Instant::now() + Duration::from_secs(30);
    loop {
        let answers = to_group_swarm(net, "retrieve", params).await;
        let held = answers.iter().any(|(s, b)| *s != 200 || b.contains(hash));
        if !held {
            return;
        }
        assert!(
            Instant::now() < deadline,
            "{hash} still in the swarm: {answers:?}"
        );
        tokio::time::sleep(Duration::from_millis(500)).await;
    }
}

/// Carol stores, with her own subaccount, two deletions of Bob's message `stays`: unsigned
/// (an unsend of a message that is not hers) and signed with her own key (not the group's).
async fn forge_deletions(net: &Net, carol: &User, gid: &GroupId, stays: &str, bob: &str) {
    use session_group::control::Control;
    use session_protocol::group::{self as wire, GroupUpdate};
    let account = session_client::Account::open(&carol.home).expect("carol's account");
    let history = session_client::History::open(&carol.home).expect("carol's history");
    let entry = history
        .group_secrets(gid)
        .expect("db")
        .expect("entry")
        .entry;
    let auth = subaccount::AuthData::from_bytes(&entry.auth_data.expect("auth")).expect("auth");
    let dumps = history.group_dumps(gid).expect("dumps");
    let ring = Group::restore(account.keys().seed(), *gid, None, &dumps).expect("restored");
    let bob: session_crypto::SessionId = bob.parse().expect("bob");
    let hashes = vec![stays.to_owned()];
    let ts = now_ms();
    let own_sig = account.keys().sign(
        &Control::DeleteContent {
            timestamp_ms: ts,
            members: &[bob],
            hashes: &hashes,
        }
        .signed_bytes(),
    );
    let forgeries = [
        GroupUpdate::DeleteMemberContent {
            members: vec![],
            hashes: hashes.clone(),
            admin_signature: None,
        },
        GroupUpdate::DeleteMemberContent {
            members: vec![bob],
            hashes: hashes.clone(),
            admin_signature: Some(own_sig.to_vec()),
        },
    ];
    for (i, u) in forgeries.iter().enumerate() {
        let sent = ts + i as u64;
        let plain = wire::envelope_bytes(gid, &wire::build(u, sent), sent).expect("envelope");
        let data = ring
            .encrypt_message(&plain, &mut rand::rng())
            .expect("sealed");
        let params = || {
            let now = now_ms();
            let r =
                subaccount::sign_request(account.keys(), &auth, format!("store11{now}").as_bytes())
                    .expect("signed");
            json!({"pubkey": gid.to_string(), "namespace": 11, "timestamp": now,
                "ttl": 600_000, "data": b64(&data), "subaccount": b64(&r.token),
                "subaccount_sig": b64(&r.token_signature), "signature": b64(&r.signature)})
        };
        let answers = to_group_swarm(net, "store", params).await;
        assert!(
            answers.iter().any(|(s, _)| *s == 200),
            "stored: {answers:?}"
        );
    }
}
