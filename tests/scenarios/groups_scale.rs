//! A 100-member group (issue 16's scale check): Alice creates it through the CLI with 99
//! members at once; the 99 are pure `session-group` members fed the group swarm's data
//! (fetched with the group key, as any device could hand it to them). One message from Alice is
//! read by all 100; then Alice removes one member: the rekey reaches the 98 others and not the
//! removed one, who cannot read the next message. Prints the keys message sizes and the
//! times of the CLI commands.

use serde_json::{Value, json};
use session_crypto::{GroupId, IdentityKeys, Seed};
use session_devnet::Devnet;
use session_e2e::cli::User;
use session_e2e::{b64, config, now_ms, rpc};
use session_group::{Group, GroupAdmin};
use std::net::SocketAddr;
use std::time::Instant;

const MEMBERS: usize = 99;

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn a_hundred_member_group_reads_one_message_and_survives_a_removal() {
    let (mut cfg, _slot) = config(6);
    cfg.multi_contributor_every = 0;
    let devnet = Devnet::start(cfg).await.expect("devnet starts");
    let dir = tempfile::tempdir().expect("dir");
    let network = dir.path().join("devnet.json");
    let manifest = serde_json::to_vec(&devnet.manifest(None, 0)).expect("manifest");
    std::fs::write(&network, manifest).expect("network file");
    let alice = User {
        home: dir.path().join("alice"),
        network,
    };
    let nodes: Vec<SocketAddr> = devnet.live_nodes().map(|n| n.http()).collect();
    let http = reqwest::Client::new();

    let members: Vec<IdentityKeys> = (0..MEMBERS)
        .map(|i| {
            let mut s = [7u8; 32];
            s[..8].copy_from_slice(&(i as u64).to_le_bytes());
            IdentityKeys::from_seed(Seed::from_bytes(s))
        })
        .collect();
    let ids: Vec<String> = members.iter().map(|m| m.session_id().to_string()).collect();

    let (gid, created_ms) = tokio::task::spawn_blocking({
        let alice = User {
            home: alice.home.clone(),
            network: alice.network.clone(),
        };
        let ids = ids.clone();
        move || {
            alice.run(&["init"]);
            let mut args = vec!["group", "create", "hundred"];
            for id in &ids {
                args.extend(["--member", id.as_str()]);
            }
            let t = Instant::now();
            let out = alice.run(&args);
            let g = out[0]["group_id"].as_str().expect("group_id").to_owned();
            (g, t.elapsed().as_millis())
        }
    })
    .await
    .expect("create");
    let gid: GroupId = gid.parse().expect("group id");
    let admin = admin_key(&alice, &gid);
    let listed = cli(&alice, &["group", "members", &gid.to_string()]).await;
    assert_eq!(listed.last().expect("summary")["members"], 100);

    let sent = cli(
        &alice,
        &["group", "send", &gid.to_string(), "hello hundred"],
    )
    .await;
    let hash = sent[0]["hash"].as_str().expect("hash").to_owned();
    let swarm = Swarm::fetch(&http, &nodes, &admin, &gid).await;
    let keys_size = swarm
        .keys
        .iter()
        .map(|(_, d, _)| d.len())
        .max()
        .unwrap_or(0);
    let t = Instant::now();
    let mut groups: Vec<Group> = members.iter().map(|m| swarm.member(m, gid)).collect();
    for g in &groups {
        assert_eq!(swarm.read(g, &hash).as_deref(), Some("hello hundred"));
    }
    let read_ms = t.elapsed().as_millis();

    // Remove member 42: a rekey without them.
    let gone = &ids[42];
    let t = Instant::now();
    cli(&alice, &["group", "remove", &gid.to_string(), gone]).await;
    let removed_ms = t.elapsed().as_millis();
    let sent = cli(
        &alice,
        &["group", "send", &gid.to_string(), "after the removal"],
    )
    .await;
    let after = sent[0]["hash"].as_str().expect("hash").to_owned();
    let swarm = Swarm::fetch(&http, &nodes, &admin, &gid).await;
    for (i, g) in groups.iter_mut().enumerate() {
        swarm.update(g);
        let read = swarm.read(g, &after);
        if i == 42 {
            assert_eq!(read, None, "the removed member read the next message");
        } else {
            assert_eq!(read.as_deref(), Some("after the removal"), "member {i}");
        }
    }
    let rekey_size = swarm
        .keys
        .iter()
        .map(|(_, d, _)| d.len())
        .max()
        .unwrap_or(0);
    eprintln!(
        "groups_scale: 100 members; create (99 invitations) {created_ms} ms; keys message \
         {keys_size} bytes; 99 members read one message in {read_ms} ms; remove (rekey + \
         revoke + re-push) {removed_ms} ms; keys message after the rekey {rekey_size} bytes"
    );
}

async fn cli(user: &User, args: &[&str]) -> Vec<Value> {
    let user = User {
        home: user.home.clone(),
        network: user.network.clone(),
    };
    let args: Vec<String> = args.iter().map(|s| (*s).to_owned()).collect();
    tokio::task::spawn_blocking(move || {
        let a: Vec<&str> = args.iter().map(String::as_str).collect();
        user.run(&a)
    })
    .await
    .expect("cli")
}

fn admin_key(user: &User, gid: &GroupId) -> GroupAdmin {
    let history = session_client::History::open(&user.home).expect("history");
    let entry = history
        .group_secrets(gid)
        .expect("db")
        .expect("entry")
        .entry;
    session_client::history::groups::admin_of(&entry).expect("admin")
}

type Stored = Vec<(String, Vec<u8>, i64)>;

/// The group swarm's keys, members and messages, fetched with the group key.
struct Swarm {
    keys: Stored,
    members: Stored,
    messages: Stored,
}

impl Swarm {
    async fn fetch(
        http: &reqwest::Client,
        nodes: &[SocketAddr],
        admin: &GroupAdmin,
        gid: &GroupId,
    ) -> Self {
        Self {
            keys: fetch(http, nodes, admin, gid, 12).await,
            members: fetch(http, nodes, admin, gid, 14).await,
            messages: fetch(http, nodes, admin, gid, 11).await,
        }
    }

    fn member(&self, m: &IdentityKeys, gid: GroupId) -> Group {
        let mut g = Group::open(m.seed(), gid, None).expect("open");
        self.update(&mut g);
        g
    }

    fn update(&self, g: &mut Group) {
        for (h, d, ts) in &self.keys {
            let _ = g.load_keys(h, d, *ts);
        }
        let members: Vec<(String, Vec<u8>)> = self
            .members
            .iter()
            .map(|(h, d, _)| (h.clone(), d.clone()))
            .collect();
        let _ = g.merge_members(&members);
    }

    /// The text of the message `hash`, if `g` can read it.
    fn read(&self, g: &Group, hash: &str) -> Option<String> {
        let (_, data, _) = self.messages.iter().find(|(h, _, _)| h == hash)?;
        let d = g.decrypt_message(data).ok()?;
        let (c, _) = session_protocol::group::open_envelope(&g.id(), &d.plaintext).ok()?;
        c.data_message?.body
    }
}

async fn fetch(
    http: &reqwest::Client,
    nodes: &[SocketAddr],
    admin: &GroupAdmin,
    gid: &GroupId,
    namespace: i16,
) -> Stored {
    let mut out = Vec::new();
    let mut last = String::new();
    loop {
        let ts = now_ms();
        let sig = admin.sign(format!("retrieve{namespace}{ts}").as_bytes());
        let params = json!({"pubkey": gid.to_string(), "namespace": namespace, "timestamp": ts,
            "last_hash": last, "signature": b64(&sig)});
        let mut answer = None;
        for n in nodes {
            let (status, body) =
                rpc(http, *n, json!({"method": "retrieve", "params": params})).await;
            if status == 200 {
                answer = Some(body);
                break;
            }
        }
        let v: Value =
            serde_json::from_str(&answer.expect("a swarm member answers")).expect("json");
        for m in v["messages"].as_array().expect("messages") {
            use base64::Engine as _;
            let data = base64::engine::general_purpose::STANDARD
                .decode(m["data"].as_str().expect("data"))
                .expect("b64");
            last = m["hash"].as_str().expect("hash").to_owned();
            out.push((last.clone(), data, m["timestamp"].as_i64().expect("ts")));
        }
        if v["more"] != true {
            return out;
        }
    }
}
