//! One account on two devices (issue 15), with real `session-cli` processes: device A sets the
//! profile name, accepts Bob, blocks Carol, gives Bob a nickname and reads his message; device
//! B, restored from the recovery phrase, shows all of it after one poll. Both then change
//! things while offline (A renames and renicknames Bob, B blocks Dave); once both have polled,
//! Alice's swarm holds one config per type and both devices hold identical configs. A message
//! sent from A shows in B's history as Alice's, and Bob's reply shows on both.
//!
//! Config pushes go to one swarm member as a `sequence` (as Session sends them); the node
//! spreads them by replication, so the checks wait until every member of Alice's swarm holds
//! what the devices say they pushed.

use serde_json::{Value, json};
use session_crypto::{IdentityKeys, Seed};
use session_devnet::Devnet;
use session_e2e::cli::{User, receive_until};
use session_e2e::{b64, config, now_ms};
use std::collections::BTreeMap;
use std::net::SocketAddr;
use std::sync::Arc;
use std::time::{Duration, Instant};

/// The homes of the scenario. `a_off` and `b_off` are devices A and B with a network file that
/// names no node: what they change stays local until their next online command.
struct Homes {
    a: User,
    b: User,
    a_off: User,
    b_off: User,
    bob: User,
    carol: User,
    dave: User,
}

/// What one phase learns and the next needs.
#[derive(Clone, Default)]
struct Ids {
    alice: String,
    phrase: String,
    bob: String,
    carol: String,
    dave: String,
    bob_hash: String,
}

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn a_restored_device_gets_the_account_state_and_both_devices_converge() {
    let (mut cfg, _slot) = config(8);
    cfg.multi_contributor_every = 0;
    let devnet = Devnet::start(cfg).await.expect("devnet starts");
    let dir = tempfile::tempdir().expect("dir");
    let network = dir.path().join("devnet.json");
    let manifest = serde_json::to_vec(&devnet.manifest(None, 0)).expect("manifest");
    std::fs::write(&network, manifest).expect("network file");
    let offline = dir.path().join("offline.json");
    std::fs::write(&offline, r#"{"seeds": []}"#).expect("offline network file");
    let user = |name: &str, net: &std::path::Path| User {
        home: dir.path().join(name),
        network: net.to_path_buf(),
    };
    let homes = Arc::new(Homes {
        a: user("alice-a", &network),
        b: user("alice-b", &network),
        a_off: user("alice-a", &offline),
        b_off: user("alice-b", &offline),
        bob: user("bob", &network),
        carol: user("carol", &network),
        dave: user("dave", &network),
    });
    let nodes: Vec<SocketAddr> = devnet.live_nodes().map(|n| n.http()).collect();
    let http = reqwest::Client::new();

    // Device A sets everything up; the swarm holds its configs before B is restored.
    let ids = blocking(&homes, device_a_sets_up).await;
    let alice_keys = keys(&ids.phrase);
    let pushed = blocking(&homes, |h| configs(&h.a)).await;
    swarm_holds(&http, &nodes, &alice_keys, &pushed).await;

    // Device B: one poll brings it all.
    let ids2 = ids.clone();
    blocking(&homes, move |h| device_b_restores(h, &ids2)).await;

    // Offline changes on both (A renames and renicknames Bob, B blocks Dave); then A polls
    // (and pushes), B polls (merges, pushes the merge), A polls (adopts it). Between polls the
    // swarm is given time to spread the last push to every member.
    let ids2 = ids.clone();
    let a_pushed = blocking(&homes, move |h| offline_changes_then_a_polls(h, &ids2)).await;
    swarm_holds(&http, &nodes, &alice_keys, &a_pushed).await;
    let b_merged = blocking(&homes, |h| {
        h.b.run(&["receive"]);
        configs(&h.b)
    })
    .await;
    assert_ne!(b_merged[&3], a_pushed[&3], "B merged the two contact lists");
    swarm_holds(&http, &nodes, &alice_keys, &b_merged).await;
    let ids2 = ids.clone();
    let (a, b) = blocking(&homes, move |h| both_hold_the_merge(h, &ids2)).await;
    assert_eq!(a, b, "both devices hold identical configs");
    swarm_holds(&http, &nodes, &alice_keys, &a).await;

    // Messages: A's shows on B as hers; Bob's reply on both.
    blocking(&homes, move |h| messages_reach_both_devices(h, &ids)).await;
}

/// Runs a blocking phase (CLI processes) beside the devnet's async tasks.
async fn blocking<T: Send + 'static>(
    homes: &Arc<Homes>,
    phase: impl FnOnce(&Homes) -> T + Send + 'static,
) -> T {
    let homes = homes.clone();
    tokio::task::spawn_blocking(move || phase(&homes))
        .await
        .expect("phase")
}

fn str_of(v: &Value, key: &str) -> String {
    v[key]
        .as_str()
        .unwrap_or_else(|| panic!("{key} in {v}"))
        .to_owned()
}

/// Polls with `receive` until every hash in `want` was printed; returns the lines.
fn receive_all(user: &User, want: &[&str]) -> Vec<Value> {
    let deadline = Instant::now() + Duration::from_secs(30);
    let mut seen = Vec::new();
    loop {
        seen.extend(user.run(&["receive"]));
        if want.iter().all(|h| seen.iter().any(|l| l["hash"] == *h)) {
            return seen;
        }
        assert!(Instant::now() < deadline, "never came: {seen:?}");
        std::thread::sleep(Duration::from_millis(300));
    }
}

/// The contact `id` in `user`'s `contacts`.
fn contact(user: &User, id: &str) -> Value {
    user.run(&["contacts"])
        .into_iter()
        .find(|c| c["session_id"] == id)
        .unwrap_or_else(|| panic!("{id} is not a contact"))
}

/// namespace → [storage hash] of the user configs a device holds (its `configs` output),
/// with their config hashes and seqnos, to compare devices and the swarm.
type Pushed = BTreeMap<i64, (Vec<String>, String, i64)>;

fn configs(user: &User) -> Pushed {
    let lines = user.run(&["configs"]);
    let mut out = BTreeMap::new();
    for l in lines.iter().filter(|l| l.get("namespace").is_some()) {
        assert_eq!(l["needs_push"], false, "everything is stored: {l}");
        let stored = l["swarm_hash"].as_str().map(str::to_owned);
        out.insert(
            l["namespace"].as_i64().expect("namespace"),
            (
                stored.into_iter().collect(),
                str_of(l, "hash"),
                l["seqno"].as_i64().expect("seqno"),
            ),
        );
    }
    assert_eq!(out.len(), 4, "{lines:?}");
    out
}

fn device_a_sets_up(h: &Homes) -> Ids {
    let init = |u: &User| u.run(&["init"]).remove(0);
    let alice = init(&h.a);
    let mut ids = Ids {
        alice: str_of(&alice, "session_id"),
        phrase: str_of(&alice, "mnemonic"),
        ..Ids::default()
    };
    ids.bob = str_of(&init(&h.bob), "session_id");
    ids.carol = str_of(&init(&h.carol), "session_id");
    ids.dave = str_of(&init(&h.dave), "session_id");

    // Bob (named) and Carol write to Alice.
    h.bob.run(&["profile", "set-name", "Bob"]);
    ids.bob_hash = str_of(&h.bob.run(&["send", &ids.alice, "hi alice"])[0], "hash");
    let carol_hash = str_of(&h.carol.run(&["send", &ids.alice, "buy now"])[0], "hash");

    // Device A: named Alice; reads both (so they count as read); accepts Bob, blocks Carol,
    // nicknames Bob.
    let named = h.a.run(&["profile", "set-name", "Alice"]);
    assert_eq!(named[0]["pushed"], true);
    let got = receive_all(&h.a, &[&ids.bob_hash, &carol_hash]);
    let bob_line = got
        .iter()
        .find(|l| l["hash"] == ids.bob_hash.as_str())
        .expect("bob's message");
    assert_eq!(bob_line["sender_name"], "Bob", "his name came with it");
    assert_eq!(bob_line["request"], true);
    h.a.run(&["accept", &ids.bob]);
    assert_eq!(h.a.run(&["block", &ids.carol])[0]["pushed"], true);
    assert_eq!(h.a.run(&["nickname", &ids.bob, "Bobby"])[0]["pushed"], true);
    let bob = contact(&h.a, &ids.bob);
    assert_eq!(
        (&bob["name"], &bob["nickname"], &bob["approved"]),
        (&json!("Bob"), &json!("Bobby"), &json!(true))
    );
    assert_eq!(contact(&h.a, &ids.carol)["blocked"], true);
    ids
}

fn device_b_restores(h: &Homes, ids: &Ids) {
    let restored = h.b.run(&["restore", "--mnemonic", &ids.phrase]);
    assert_eq!(restored[0]["session_id"], ids.alice.as_str());
    // One poll.
    let got = h.b.run(&["receive"]);
    let bob_line = got
        .iter()
        .find(|l| l["hash"] == ids.bob_hash.as_str())
        .unwrap_or_else(|| panic!("Bob's message on B: {got:?}"));
    assert_eq!(bob_line["read"], true, "read on A: {bob_line}");
    assert_eq!(bob_line["sender_name"], "Bobby", "the nickname wins");
    assert!(
        got.iter().all(|l| l["sender"] != ids.carol.as_str()),
        "Carol is blocked: {got:?}"
    );
    assert_eq!(h.b.run(&["profile"])[0]["name"], "Alice");
    let bob = contact(&h.b, &ids.bob);
    assert_eq!(
        (
            &bob["name"],
            &bob["nickname"],
            &bob["approved"],
            &bob["blocked"]
        ),
        (&json!("Bob"), &json!("Bobby"), &json!(true), &json!(false))
    );
    let carol = contact(&h.b, &ids.carol);
    assert_eq!(carol["blocked"], true);
    let blocked = h.b.run(&["contacts", "--blocked"]);
    assert_eq!(blocked.last().expect("summary")["count"], 1);
    let convs = h.b.run(&["conversations"]);
    let with_bob = convs
        .iter()
        .find(|c| c["session_id"] == ids.bob.as_str())
        .expect("a conversation with Bob");
    assert_eq!(with_bob["unread"], 0);
    assert_eq!(configs(&h.b), configs(&h.a), "B holds what A pushed");
}

fn offline_changes_then_a_polls(h: &Homes, ids: &Ids) -> Pushed {
    // Offline: nothing reaches the swarm yet.
    let renamed = h.a_off.run(&["profile", "set-name", "Alice A."]);
    assert_eq!(renamed[0]["pushed"], false);
    h.a_off.run(&["nickname", &ids.bob, "Bob B."]);
    let blocked = h.b_off.run(&["block", &ids.dave]);
    assert_eq!(blocked[0]["pushed"], false);
    // A is online again: its poll pushes what changed.
    h.a.run(&["receive"]);
    configs(&h.a)
}

fn both_hold_the_merge(h: &Homes, ids: &Ids) -> (Pushed, Pushed) {
    h.a.run(&["receive"]);
    h.b.run(&["receive"]);
    for u in [&h.a, &h.b] {
        assert_eq!(u.run(&["profile"])[0]["name"], "Alice A.");
        let bob = contact(u, &ids.bob);
        assert_eq!(bob["nickname"], "Bob B.");
        assert_eq!(contact(u, &ids.dave)["blocked"], true);
        assert_eq!(contact(u, &ids.carol)["blocked"], true);
    }
    (configs(&h.a), configs(&h.b))
}

fn messages_reach_both_devices(h: &Homes, ids: &Ids) {
    let sent = h.a.run(&["send", &ids.bob, "from device A"]);
    let hash = str_of(&sent[0], "hash");
    let got = receive_until(&h.bob, |l| l["hash"] == hash.as_str());
    let line = got
        .iter()
        .find(|l| l["hash"] == hash.as_str())
        .expect("at Bob");
    assert_eq!(line["sender_name"], "Alice A.", "her name came with it");
    // B files its copy as Alice's.
    let copy = receive_until(&h.b, |l| l["text"] == "from device A");
    let line = copy
        .iter()
        .find(|l| l["text"] == "from device A")
        .expect("copy");
    assert_eq!(
        (&line["sender"], &line["to"], &line["synced"]),
        (&json!(ids.alice), &json!(ids.bob), &json!(true))
    );
    let history = h.b.run(&["history", &ids.bob]);
    let mine = history
        .iter()
        .find(|l| l["text"] == "from device A")
        .expect("in B's history");
    assert_eq!(mine["from"], "me");
    // Bob's reply reaches both devices.
    let reply = h.bob.run(&["send", &ids.alice, "hello both"]);
    let reply = str_of(&reply[0], "hash");
    for device in [&h.a, &h.b] {
        receive_until(device, |l| l["hash"] == reply.as_str());
        let history = device.run(&["history", &ids.bob]);
        let texts: Vec<(&str, &str)> = history
            .iter()
            .filter_map(|l| Some((l["from"].as_str()?, l["text"].as_str()?)))
            .collect();
        assert!(texts.contains(&("me", "from device A")), "{texts:?}");
        assert!(
            texts.contains(&(ids.bob.as_str(), "hello both")),
            "{texts:?}"
        );
        assert!(texts.contains(&(ids.bob.as_str(), "hi alice")), "{texts:?}");
    }
}

fn keys(phrase: &str) -> IdentityKeys {
    IdentityKeys::from_seed(Seed::from_mnemonic(phrase).expect("phrase"))
}

/// Every stored hash of `user`'s namespace `ns` at `node`; `None` unless the node answers 200
/// (not in the swarm, down).
async fn stored(
    http: &reqwest::Client,
    node: SocketAddr,
    user: &IdentityKeys,
    ns: i64,
) -> Option<Vec<String>> {
    let ts = now_ms();
    let params = json!({"pubkey": user.session_id().to_string(),
        "pubkey_ed25519": hex::encode(user.ed25519_public().as_bytes()),
        "namespace": ns, "timestamp": ts, "last_hash": "",
        "signature": b64(&user.sign(format!("retrieve{ns}{ts}").as_bytes()))});
    let reply = http
        .post(format!("http://{node}/storage_rpc/v1"))
        .json(&json!({"method": "retrieve", "params": params}))
        .send()
        .await
        .ok()?;
    if reply.status() != 200 {
        return None;
    }
    let v: Value = reply.json().await.ok()?;
    v["messages"]
        .as_array()?
        .iter()
        .map(|m| m["hash"].as_str().map(str::to_owned))
        .collect()
}

/// Waits (30 s at most) until every member of the swarm holds exactly the configs of
/// `pushed` in namespaces 2-5: one message per pushed config, none where nothing was pushed.
async fn swarm_holds(
    http: &reqwest::Client,
    nodes: &[SocketAddr],
    user: &IdentityKeys,
    pushed: &Pushed,
) {
    let deadline = Instant::now() + Duration::from_secs(30);
    loop {
        let mut members = 0;
        let mut differing = Vec::new();
        for node in nodes {
            let Some(first) = stored(http, *node, user, 2).await else {
                continue;
            };
            members += 1;
            for (ns, (want, _, _)) in pushed {
                let got = if *ns == 2 {
                    Some(first.clone())
                } else {
                    stored(http, *node, user, *ns).await
                };
                if got.as_ref() != Some(want) {
                    differing.push((*node, *ns, got));
                }
            }
        }
        if members > 0 && differing.is_empty() {
            return;
        }
        assert!(
            Instant::now() < deadline,
            "the swarm ({members} members) does not hold the configs {pushed:?}: {differing:?}"
        );
        tokio::time::sleep(Duration::from_millis(300)).await;
    }
}
