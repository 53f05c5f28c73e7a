//! The devnet's community server through onion requests: client → guard → relay → last hop →
//! server (`/oxen/v4/lsrpc`), with both hop ciphers; the last hop alone proxies.

use serde_json::Value;
use session_client::onion::fetch_nodes;
use session_crypto::X25519PublicKey;
use session_devnet::{CommunityEntry, Devnet};
use session_e2e::{config, with_servers};
use session_onion::build::{Protocol, ServerDestination};
use session_onion::v4::V4Request;
use session_onion::{Destination, EncType, Node};

const NODES: usize = 6;

/// `proxied` of each node in `path`, from its `GET /info`.
async fn proxied(path: &[Node]) -> Vec<u64> {
    let http = reqwest::Client::new();
    let mut out = Vec::new();
    for n in path {
        let v: Value = http
            .get(format!("http://{}:{}/info", n.ip, n.port))
            .send()
            .await
            .expect("info")
            .json()
            .await
            .expect("info json");
        out.push(v["traffic"]["proxied"].as_u64().expect("proxied counter"));
    }
    out
}

fn destination(c: &CommunityEntry) -> Destination {
    let url = reqwest::Url::parse(&c.base_url).expect("base url");
    let key = X25519PublicKey::from_hex(&c.pubkey).expect("server key");
    Destination::Server(
        ServerDestination::v4(url.host_str().expect("host"), Protocol::Http, key)
            .with_port(url.port().expect("port")),
    )
}

/// `GET /rooms` through the 3-hop `path`: the answer's status and room tokens.
async fn rooms_through(path: &[Node], dest: &Destination, enc: EncType) -> (u16, Vec<String>) {
    let request = V4Request {
        method: "GET".into(),
        endpoint: "/rooms".into(),
        headers: Vec::new(),
        body: None,
    };
    let built = session_onion::build(path, dest, &request.encode(), enc, &mut rand::rng())
        .expect("onion request builds");
    let guard = &path[0];
    let answer = reqwest::Client::new()
        .post(format!("http://{}:{}/onion_req/v2", guard.ip, guard.port))
        .body(built.body)
        .send()
        .await
        .expect("guard answers");
    assert_eq!(answer.status(), 200, "guard status");
    let bytes = answer.bytes().await.expect("body");
    let v4 = built.response.open_v4(&bytes).expect("v4 answer opens");
    let rooms: Value = serde_json::from_slice(&v4.body).expect("room list JSON");
    let tokens = rooms
        .as_array()
        .expect("a list of rooms")
        .iter()
        .map(|r| r["token"].as_str().expect("token").to_owned())
        .collect();
    (v4.code, tokens)
}

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn the_room_list_comes_back_through_three_hops() {
    let (cfg, _slot) = config(NODES);
    let devnet = Devnet::start(with_servers(cfg))
        .await
        .expect("devnet starts");
    let community = devnet
        .community
        .as_ref()
        .expect("the devnet runs a community server")
        .entry
        .clone();
    assert_eq!(community.rooms[0].token, "lobby");
    assert!(
        community
            .url
            .ends_with(&format!("?public_key={}", community.pubkey)),
        "{}",
        community.url
    );
    let pool = fetch_nodes(
        &reqwest::Client::new(),
        devnet.live_nodes().next().expect("a node").http(),
    )
    .await
    .expect("node list");
    let dest = destination(&community);

    for (enc, path) in [
        (EncType::AesGcm, &pool[0..3]),
        (EncType::XChaCha20, &pool[3..6]),
    ] {
        let before = proxied(path).await;
        let (code, tokens) = rooms_through(path, &dest, enc).await;
        assert_eq!(code, 200, "{enc:?}");
        assert_eq!(tokens, vec!["lobby".to_owned()], "{enc:?}");
        let after = proxied(path).await;
        let delta: Vec<u64> = after.iter().zip(&before).map(|(a, b)| a - b).collect();
        assert_eq!(delta, vec![0, 0, 1], "{enc:?}: only the last hop proxies");
    }
    drop(devnet);
}

/// Whether `pid` runs (a zombie, waiting for a reaper, does not).
fn alive(pid: u32) -> bool {
    std::fs::read_to_string(format!("/proc/{pid}/stat")).is_ok_and(|stat| {
        stat.rsplit(')')
            .next()
            .is_some_and(|s| !s.trim_start().starts_with('Z'))
    })
}

/// `session-devnet up --detach` lists both servers in the manifest, they answer, and `down`
/// stops them with everything else.
#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn devnet_up_lists_the_servers_and_down_stops_them() {
    let (cfg, _slot) = config(3);
    let root = cfg.dir.as_path();
    let devnet_bin = session_e2e::bin("session-devnet");
    let run = |args: &[&str]| {
        let out = std::process::Command::new(&devnet_bin)
            .arg("--root")
            .arg(root)
            .args(args)
            .env("SESSION_ANVIL", &cfg.anvil)
            .output()
            .expect("session-devnet runs");
        assert!(
            out.status.success(),
            "session-devnet {args:?}: {}",
            String::from_utf8_lossy(&out.stderr)
        );
        String::from_utf8_lossy(&out.stdout).into_owned()
    };
    let printed = run(&["up", "--detach", "--nodes", "3"]);
    let manifest =
        session_devnet::Manifest::load(&root.join("target/devnet/devnet.json")).expect("manifest");
    let community = manifest.community.clone().expect("community entry");
    let file_server = manifest.file_server.clone().expect("file_server entry");
    assert!(printed.contains(&community.rooms[0].url), "{printed}");
    assert_eq!(community.pubkey.len(), 64);
    assert_eq!(file_server.pubkey.len(), 64);
    let http = reqwest::Client::new();
    let rooms: Value = http
        .get(format!("{}/rooms", community.base_url))
        .send()
        .await
        .expect("community answers")
        .json()
        .await
        .expect("rooms JSON");
    assert_eq!(rooms[0]["token"], "lobby", "{rooms}");
    let id: Value = http
        .post(format!("{}/file", file_server.url))
        .body(vec![7u8; 100])
        .send()
        .await
        .expect("file server answers")
        .json()
        .await
        .expect("upload JSON");
    assert!(id["id"].is_string() || id["id"].is_number(), "{id}");
    let pids = [community.pid, file_server.pid, manifest.anvil_pid];
    assert!(pids.iter().all(|&p| alive(p)));

    let printed = run(&["down"]);
    assert!(printed.contains("2 servers"), "{printed}");
    let deadline = std::time::Instant::now() + std::time::Duration::from_secs(10);
    while pids.iter().any(|&p| alive(p)) && std::time::Instant::now() < deadline {
        tokio::time::sleep(std::time::Duration::from_millis(100)).await;
    }
    assert!(pids.iter().all(|&p| !alive(p)), "down stopped {pids:?}");
}
