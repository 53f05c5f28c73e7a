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
