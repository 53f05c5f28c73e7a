//! The devnet's command line as an operator or a script uses it: `session-devnet up
//! --detach` with both servers in the manifest, the faults by hand (`kill`, `start`, `pause`,
//! `resume` a node, the manifest's pid kept current), and `down` stopping everything.

use serde_json::Value;
use session_devnet::{Manifest, is_running as alive, state};
use session_e2e::config;
use std::path::Path;
use std::time::{Duration, Instant};

/// Waits up to 10 s for `cond`.
async fn eventually(what: &str, cond: impl Fn() -> bool) {
    let deadline = Instant::now() + Duration::from_secs(10);
    while !cond() {
        assert!(Instant::now() < deadline, "{what}");
        tokio::time::sleep(Duration::from_millis(100)).await;
    }
}

/// Runs `session-devnet --root ROOT ARGS…` (the workspace's anvil); its stdout.
fn devnet_cli(root: &Path, anvil: &Path, args: &[&str]) -> String {
    let out = std::process::Command::new(session_e2e::bin("session-devnet"))
        .arg("--root")
        .arg(root)
        .args(args)
        .env("SESSION_ANVIL", anvil)
        .output()
        .expect("session-devnet runs");
    assert!(
        out.status.success(),
        "session-devnet {args:?}: {}",
        String::from_utf8_lossy(&out.stderr)
    );
    String::from_utf8_lossy(&out.stdout).into_owned()
}

async fn get_json(url: String) -> Value {
    reqwest::Client::new()
        .get(url)
        .timeout(Duration::from_secs(2))
        .send()
        .await
        .expect("answers")
        .json()
        .await
        .expect("JSON")
}

/// The servers answer on their manifest URLs (the TURN relay, a STUN Binding request).
async fn servers_answer(m: &Manifest) {
    let community = m.community.as_ref().expect("community entry");
    let rooms = get_json(format!("{}/rooms", community.base_url)).await;
    assert_eq!(rooms[0]["token"], "lobby", "{rooms}");
    let file_server = m.file_server.as_ref().expect("file_server entry");
    let id: Value = reqwest::Client::new()
        .post(format!("{}/file", file_server.url))
        .body(vec![7u8; 100])
        .send()
        .await
        .expect("file server answers")
        .json()
        .await
        .expect("upload JSON");
    assert!(id["id"].is_string() || id["id"].is_number(), "{id}");
    assert_eq!(community.pubkey.len(), 64);
    assert_eq!(file_server.pubkey.len(), 64);
    let turn = m.turn.as_ref().expect("turn entry");
    let addr: std::net::SocketAddr = turn.addr.parse().expect("turn addr");
    session_devnet::turn::stun_binding(addr, Duration::from_secs(2))
        .await
        .expect("the TURN relay answers STUN");
    assert_eq!(turn.url, format!("turn:{addr}?transport=udp"));
}

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn up_servers_faults_by_hand_and_down() {
    let (cfg, _slot) = config(3);
    let root = cfg.dir.as_path();
    let run = |args: &[&str]| devnet_cli(root, &cfg.anvil, args);
    let load = || Manifest::load(&root.join("target/devnet/devnet.json")).expect("manifest");

    let printed = run(&["up", "--detach", "--nodes", "3"]);
    let m = load();
    let community = m.community.clone().expect("community entry");
    assert!(printed.contains(&community.rooms[0].url), "{printed}");
    servers_answer(&m).await;

    // kill: the process is gone, the manifest says pid 0 and keeps the node.
    let node = m.nodes[1].clone();
    assert!(alive(node.pid));
    assert!(run(&["kill", &node.id.to_string()]).contains("killed"));
    eventually("the killed node is gone", || !alive(node.pid)).await;
    let listed = load()
        .nodes
        .into_iter()
        .find(|n| n.id == node.id)
        .expect("still listed");
    assert_eq!(listed.pid, 0);
    assert_eq!(listed.swarm_id, node.swarm_id, "its swarm stays recorded");

    // start: a new process on the same ports and data, its pid in the manifest.
    assert!(run(&["start", &node.id.to_string()]).contains("started"));
    let pid = load()
        .nodes
        .iter()
        .find(|n| n.id == node.id)
        .expect("listed")
        .pid;
    assert!(pid != 0 && pid != node.pid && alive(pid));
    let mut info = Value::Null;
    for _ in 0..100 {
        if let Ok(r) = reqwest::get(format!("http://{}/info", node.http)).await
            && let Ok(v) = r.json::<Value>().await
        {
            info = v;
            break;
        }
        tokio::time::sleep(Duration::from_millis(100)).await;
    }
    assert!(
        info.get("traffic").is_some(),
        "the restarted node answers: {info}"
    );

    // pause / resume: stopped and running again, same pid.
    assert!(run(&["pause", &node.id.to_string()]).contains("paused"));
    eventually("the node is stopped", || state(pid) == Some('T')).await;
    assert!(run(&["resume", &node.id.to_string()]).contains("resumed"));
    eventually("the node runs again", || {
        matches!(state(pid), Some('S' | 'R'))
    })
    .await;

    let pids = [
        community.pid,
        m.file_server.as_ref().expect("fs").pid,
        m.turn.as_ref().expect("the TURN relay").pid,
        m.anvil_pid,
        pid,
    ];
    let printed = run(&["down"]);
    assert!(printed.contains("3 servers"), "{printed}");
    let all_gone = || pids.iter().all(|&p| !alive(p));
    eventually("down stopped every process", all_gone).await;
}
