//! Attachments and profile pictures end to end: real nodes, the devnet's file server (named by
//! the manifest's `file_server`), real `session-cli` processes.
//!
//! Alice sends Bob, who is offline, a 9 MB file and a picture with a caption; when Bob comes
//! online, one `receive` downloads, verifies and decrypts both into his home's `attachments/`
//! (byte-identical) and `history` lists them with their paths. Every transfer went through onion
//! paths: the nodes' direct-RPC counter does not move, their proxy counter counts the uploads
//! and downloads. Then Alice sets a profile picture and Bob's client shows it from her next
//! message. Sending a missing file or one too large exits 2 with one line.

use serde_json::Value;
use session_devnet::Devnet;
use session_e2e::chat::{proxied, traffic};
use session_e2e::cli::{User, receive_until};
use session_e2e::{config, with_servers};
use std::path::Path;

fn data(n: usize, salt: u8) -> Vec<u8> {
    (0..n)
        .map(|i| (i as u8).wrapping_mul(31).wrapping_add(salt) ^ (i >> 13) as u8)
        .collect()
}

fn arg(p: &Path) -> &str {
    p.to_str().expect("utf8 path")
}

fn session_id(user: &User) -> String {
    user.run(&["whoami"])[0]["session_id"]
        .as_str()
        .expect("id")
        .to_owned()
}

/// Sending a missing file or one whose blob would not fit the file server: exit 2, one line.
fn refuses_bad_files(alice: &User, bob_id: &str, dir: &Path) {
    let missing = dir.join("nope.bin");
    let big = dir.join("big.bin");
    std::fs::File::create(&big)
        .expect("create")
        .set_len(9_956_279)
        .expect("sparse");
    for bad in [&missing, &big] {
        let out = alice
            .command(&["send", bob_id, "x", "--attach", arg(bad)])
            .output()
            .expect("runs");
        assert_eq!(out.status.code(), Some(2), "{}", bad.display());
        assert_eq!(String::from_utf8_lossy(&out.stderr).lines().count(), 1);
    }
}

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn files_and_pictures_reach_an_offline_recipient_byte_identical() {
    let (cfg, _slot) = config(8);
    let devnet = Devnet::start(with_servers(cfg))
        .await
        .expect("devnet starts");
    let dir = tempfile::tempdir().expect("dir");
    let network = dir.path().join("devnet.json");
    let manifest = devnet.manifest(None, 0);
    assert!(
        manifest.file_server.is_some(),
        "the manifest names its file server"
    );
    manifest.save(&network).expect("manifest written");
    let user = |name: &str| User {
        home: dir.path().join(name),
        network: network.clone(),
    };
    let (alice, bob) = (user("alice"), user("bob"));
    alice.run(&["init"]);
    bob.run(&["init"]);
    let (alice_id, bob_id) = (session_id(&alice), session_id(&bob));
    refuses_bad_files(&alice, &bob_id, dir.path());

    let big = dir.path().join("holiday.mp4");
    let photo = dir.path().join("beach.jpg");
    std::fs::write(&big, data(9_000_000, 7)).expect("write");
    std::fs::write(&photo, data(250_000, 11)).expect("write");
    let (direct_before, _) = traffic(&devnet).await;
    let proxied_before = proxied(&devnet).await;

    // Alice sends while Bob is offline.
    let sent = alice.run(&[
        "send",
        &bob_id,
        "from the beach",
        "--attach",
        arg(&big),
        arg(&photo),
    ]);
    let hash = sent[0]["hash"].as_str().expect("hash").to_owned();
    assert_eq!(sent[0]["attachments"].as_array().map(Vec::len), Some(2));

    // Bob comes online: one receive brings the message and downloads both files.
    let seen = receive_until(&bob, |v| v["hash"] == hash.as_str());
    let msg = seen
        .iter()
        .find(|v| v["hash"] == hash.as_str())
        .expect("msg");
    assert_eq!(msg["text"], "from the beach", "{msg}");
    let files = msg["attachments"].as_array().expect("attachments");
    assert_eq!(files.len(), 2);
    for (f, want) in files.iter().zip([&big, &photo]) {
        assert_eq!(f["state"], "downloaded", "{f}");
        let path = f["path"].as_str().expect("path");
        assert!(path.starts_with(arg(&bob.home.join("attachments"))));
        assert!(
            std::fs::read(path).expect("saved") == std::fs::read(want).expect("sent"),
            "{} arrived byte-identical",
            want.display()
        );
    }
    assert_eq!(files[0]["file_name"], "holiday.mp4");
    assert_eq!(files[0]["size"], 9_000_000);
    assert_eq!(files[1]["content_type"], "image/jpeg");

    // Only onion requests: no direct storage RPC, every transfer proxied by a last hop.
    let (direct_after, _) = traffic(&devnet).await;
    assert_eq!(
        direct_after, direct_before,
        "clients never talk to nodes directly"
    );
    let transfers = proxied(&devnet).await - proxied_before;
    assert!(
        transfers >= 4,
        "2 uploads + 2 downloads proxied, saw {transfers}"
    );

    // `history` lists them with their local paths.
    let history = bob.run(&["history", &alice_id]);
    let listed: Vec<&Value> = history
        .iter()
        .filter_map(|v| v.get("attachments"))
        .flat_map(|a| a.as_array().expect("list"))
        .collect();
    assert_eq!(listed.len(), 2);
    assert!(listed.iter().all(|a| a["path"].is_string()));

    // Alice sets a picture; her next message carries it and Bob's client shows it.
    let picture = dir.path().join("me.png");
    std::fs::write(&picture, data(40_000, 3)).expect("write");
    let set = alice.run(&["profile", "set-picture", arg(&picture)]);
    assert!(
        set[0]["picture_url"]
            .as_str()
            .expect("url")
            .contains("/file/")
    );
    let next = alice.run(&["send", &bob_id, "new picture"]);
    let next_hash = next[0]["hash"].as_str().expect("hash").to_owned();
    receive_until(&bob, |v| v["hash"] == next_hash.as_str());
    let contacts = bob.run(&["contacts"]);
    let alice_row = contacts
        .iter()
        .find(|c| c["session_id"] == alice_id.as_str())
        .expect("alice is a contact");
    let cached = alice_row["picture_path"].as_str().expect("picture cached");
    assert!(std::fs::read(cached).expect("read") == data(40_000, 3));

    // Fetching again lists the files without downloading anything new.
    let again = bob.run(&["attachments", "fetch", &hash]);
    assert_eq!(again[0]["attachments"].as_array().map(Vec::len), Some(2));
    let (direct_end, _) = traffic(&devnet).await;
    assert_eq!(direct_end, direct_before);
}
