//! Communities in the client end to end (issue 18): real nodes, the devnet's community server
//! (`lobby`), real `session-cli` processes, every request through onion paths.
//!
//! Alice joins and posts; Bob (another home) joins and reads it with Alice's blinded ID as
//! sender; Bob reacts and Alice sees it; Alice edits, then deletes, and Bob sees both; a
//! moderator (appointed with the server's admin command) bans Bob, whose next post is
//! refused; Alice DMs Bob's blinded ID, Bob answers through the inbox, and from then on the
//! conversation is a 1:1 through the swarm; Alice's second device (restored from her phrase)
//! lists the room through `UserGroups`. The nodes' counters show no direct storage RPC and a
//! proxied request for every community request; the server's traffic log shows that every
//! request it saw came inside an onion request.

use serde_json::Value;
use session_devnet::Devnet;
use session_e2e::chat::{proxied, traffic};
use session_e2e::cli::{User, receive_until};
use session_e2e::{bin, config, with_servers};
use std::time::{Duration, Instant};

fn text(v: &Value, k: &str) -> String {
    v[k].as_str()
        .unwrap_or_else(|| panic!("{k} in {v}"))
        .to_owned()
}

/// `community read` until a post satisfies `want` (30 s at most).
fn read_until(user: &User, url: &str, want: impl Fn(&Value) -> bool) -> Vec<Value> {
    let deadline = Instant::now() + Duration::from_secs(30);
    loop {
        let seen = user.run(&["community", "read", url, "--limit", "50"]);
        if seen.iter().any(&want) {
            return seen;
        }
        assert!(Instant::now() < deadline, "never came: {seen:?}");
        std::thread::sleep(Duration::from_millis(300));
    }
}

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn alice_and_bob_in_the_lobby_through_onion_paths() {
    let (cfg, _slot) = config(8);
    let devnet = Devnet::start(with_servers(cfg))
        .await
        .expect("devnet starts");
    let dir = tempfile::tempdir().expect("dir");
    let network = dir.path().join("devnet.json");
    let manifest = devnet.manifest(None, 0);
    let community = manifest
        .community
        .clone()
        .expect("the devnet runs a community");
    manifest.save(&network).expect("manifest written");
    let lobby = community
        .rooms
        .iter()
        .find(|r| r.token == "lobby")
        .expect("lobby")
        .url
        .clone();
    let server = community.url.clone();
    let user = |name: &str| User {
        home: dir.path().join(name),
        network: network.clone(),
    };
    let (alice, bob, carol, alice2) = (user("alice"), user("bob"), user("carol"), user("alice2"));
    let phrase = text(&alice.run(&["init"])[0], "mnemonic");
    let alice_id = text(&alice.run(&["whoami"])[0], "session_id");
    bob.run(&["init"]);
    let bob_id = text(&bob.run(&["whoami"])[0], "session_id");
    carol.run(&["init"]);
    let carol_id = text(&carol.run(&["whoami"])[0], "session_id");
    let blind_ids = |sid: &str| -> Vec<String> {
        let v = alice.run(&[
            "keys",
            "blind-ids",
            "--session-id",
            sid,
            "--server-pubkey",
            &community.pubkey,
        ]);
        v[0]["blind15_ids"]
            .as_array()
            .expect("ids")
            .iter()
            .map(|x| x.as_str().expect("id").to_owned())
            .collect()
    };

    // Carol is made a moderator of the lobby by the server's operator.
    let out = std::process::Command::new(bin("session-community"))
        .args([
            "--data-dir",
            &community.data_dir,
            "moderator",
            "add",
            &carol_id,
        ])
        .args(["--room", "lobby"])
        .output()
        .expect("admin command runs");
    assert!(
        out.status.success(),
        "{}",
        String::from_utf8_lossy(&out.stderr)
    );

    let (direct_before, _) = traffic(&devnet).await;
    let proxied_before = proxied(&devnet).await;
    let server_before = server_traffic(&community.data_dir);
    let mut requests = 0u64;

    // Alice joins and posts; Bob joins and reads it under her blinded ID.
    alice.run(&["community", "join", &lobby]);
    let posted = alice.run(&["community", "post", &lobby, "hello lobby"]);
    requests += 2;
    let id = posted[0]["id"].as_i64().expect("id");
    let alice_blinded = text(&posted[0], "sender");
    assert!(
        blind_ids(&alice_id).contains(&alice_blinded),
        "{alice_blinded}"
    );
    bob.run(&["community", "join", &lobby]);
    let seen = read_until(&bob, &lobby, |v| v["id"] == id);
    requests += 2;
    let post = seen.iter().find(|v| v["id"] == id).expect("post");
    assert_eq!(post["text"], "hello lobby");
    assert_eq!(post["sender"], alice_blinded.as_str());
    assert_eq!(post["community"], community.base_url.as_str());
    assert_eq!(post["room"], "lobby");

    // Bob reacts; Alice sees it.
    bob.run(&["community", "react", &lobby, &id.to_string(), "👍"]);
    read_until(&alice, &lobby, |v| {
        v["id"] == id
            && v["reactions"]
                .as_array()
                .is_some_and(|r| r.contains(&"👍 1".into()))
    });
    requests += 2;

    // Alice edits, then deletes; Bob sees both.
    alice.run(&[
        "community",
        "edit",
        &lobby,
        &id.to_string(),
        "hello, edited",
    ]);
    receive_until(&bob, |v| v["id"] == id && v["text"] == "hello, edited");
    alice.run(&["community", "delete", &lobby, &id.to_string()]);
    receive_until(&bob, |v| v["id"] == id && v["deleted"] == true);
    requests += 4;

    // Bob posts (his blinded ID shows); Carol bans him; his next post is refused.
    let bob_post = bob.run(&["community", "post", &lobby, "bob was here"]);
    let bob_blinded = text(&bob_post[0], "sender");
    assert!(blind_ids(&bob_id).contains(&bob_blinded));
    let refused = bob
        .command(&["community", "ban", &lobby, &alice_blinded])
        .output()
        .expect("runs");
    assert_eq!(refused.status.code(), Some(2));
    assert!(String::from_utf8_lossy(&refused.stderr).contains("not a moderator"));
    carol.run(&["community", "join", &lobby]);
    carol.run(&[
        "community",
        "ban",
        &lobby,
        &bob_blinded,
        "--timeout",
        "3600",
    ]);
    let out = bob
        .command(&["community", "post", &lobby, "still here?"])
        .output()
        .expect("runs");
    assert_eq!(out.status.code(), Some(2));
    let err = String::from_utf8_lossy(&out.stderr);
    assert!(err.contains("403") && err.lines().count() == 1, "{err}");
    requests += 5;

    // Alice DMs Bob's blinded ID: a request for Bob, who answers through the inbox.
    let dm = alice.run(&[
        "community",
        "dm",
        &bob_blinded,
        "psst bob",
        "--server",
        &server,
    ]);
    assert_eq!(dm[0]["via"], "inbox");
    let seen = receive_until(&bob, |v| v["dm"] == true && v["text"] == "psst bob");
    let got = seen.iter().find(|v| v["text"] == "psst bob").expect("dm");
    assert_eq!(got["sender"], alice_blinded.as_str());
    assert_eq!(got["community"], community.base_url.as_str());
    assert_eq!(got["request"], true);
    let answer = bob.run(&[
        "community",
        "dm",
        &alice_blinded,
        "hi alice",
        "--server",
        &server,
    ]);
    assert_eq!(answer[0]["via"], "inbox");
    receive_until(&alice, |v| v["dm"] == true && v["text"] == "hi alice");
    requests += 4;
    // Both know each other now: the conversation goes on as a 1:1.
    let next = alice.run(&[
        "community",
        "dm",
        &bob_blinded,
        "now 1:1",
        "--server",
        &server,
    ]);
    assert_eq!(next[0]["via"], "1:1");
    assert_eq!(next[0]["to"], bob_id.as_str());
    let seen = receive_until(&bob, |v| v["text"] == "now 1:1");
    let msg = seen.iter().find(|v| v["text"] == "now 1:1").expect("1:1");
    assert_eq!(msg["sender"], alice_id.as_str());
    assert!(msg.get("request").is_none(), "an accepted contact: {msg}");

    // Alice's second device lists the room through UserGroups.
    alice2.run(&["restore", "--mnemonic", &phrase]);
    let deadline = Instant::now() + Duration::from_secs(30);
    loop {
        alice2.run(&["receive"]);
        let rooms = alice2.run(&["communities"]);
        if rooms.iter().any(|r| r["url"] == lobby.as_str()) {
            break;
        }
        assert!(Instant::now() < deadline, "never joined: {rooms:?}");
        std::thread::sleep(Duration::from_millis(300));
    }
    let posts = alice2.run(&["community", "read", &lobby]);
    assert!(
        posts.iter().any(|v| v["text"] == "bob was here"),
        "{posts:?}"
    );

    // Only onion requests: no direct storage RPC, every community request proxied.
    let (direct_after, _) = traffic(&devnet).await;
    assert_eq!(
        direct_after, direct_before,
        "clients never talk to nodes directly"
    );
    let through = proxied(&devnet).await - proxied_before;
    assert!(
        through >= requests,
        "{through} proxied < {requests} community requests"
    );
    // The server's side: every request it saw came inside an onion request (each proxied
    // request carries one inner request: a batch, a sequence or one endpoint).
    let server_after = server_traffic(&community.data_dir);
    assert_eq!(
        server_after.0, server_before.0,
        "no client reached the server directly"
    );
    let onion = server_after.1 - server_before.1;
    assert!(
        onion >= requests && onion <= through,
        "{onion} onion requests at the server, {requests} made, {through} proxied"
    );
}

/// (direct, onion) requests in the community server's traffic log (`server.log`).
fn server_traffic(data_dir: &str) -> (u64, u64) {
    let log = std::fs::read_to_string(std::path::Path::new(data_dir).join("server.log"))
        .expect("the community server's log");
    let count = |via: &str| log.lines().filter(|l| l.contains(via)).count() as u64;
    (count("via=direct"), count("via=onion"))
}
