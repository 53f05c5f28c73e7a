//! Attachments and profile pictures end to end (DRAFT, written without a devnet that starts a
//! file server; the lead runs it): real nodes, the devnet's file server (named by the
//! manifest's `file_server`), real `session-cli` processes.
//!
//! Alice sends Bob, who is offline, a text with two files (a small text file and a 3 MB binary)
//! and sets a profile picture; when Bob comes online, one `receive` downloads, verifies and
//! decrypts both files into his home's `attachments/` (byte-identical), `history` lists them
//! with their paths, and his `contacts` shows Alice's cached picture (byte-identical). Sending
//! a missing file or one over 10,000,000 bytes exits 2 with one line.

use serde_json::Value;
use session_devnet::Devnet;
use session_e2e::cli::{User, receive_until};
use session_e2e::config;

fn data(n: usize, salt: u8) -> Vec<u8> {
    (0..n)
        .map(|i| (i as u8).wrapping_mul(31).wrapping_add(salt))
        .collect()
}

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn files_and_pictures_reach_an_offline_recipient_byte_identical() {
    let (cfg, _slot) = config(8);
    let devnet = Devnet::start(cfg).await.expect("devnet starts");
    let dir = tempfile::tempdir().expect("dir");
    let network = dir.path().join("devnet.json");
    let manifest = devnet.manifest(None, 0);
    assert!(
        manifest.get("file_server").is_some(),
        "the devnet manifest names its file server"
    );
    std::fs::write(&network, serde_json::to_vec(&manifest).expect("json")).expect("write");
    let user = |name: &str| User {
        home: dir.path().join(name),
        network: network.clone(),
    };
    let (alice, bob) = (user("alice"), user("bob"));
    alice.run(&["init"]);
    bob.run(&["init"]);
    let bob_id = bob.run(&["whoami"])[0]["session_id"]
        .as_str()
        .expect("id")
        .to_owned();

    // Files to send.
    let notes = dir.path().join("notes.txt");
    let blob = dir.path().join("photo.jpg");
    let picture = dir.path().join("me.png");
    std::fs::write(&notes, b"meeting at noon\n").expect("write");
    std::fs::write(&blob, data(3_000_000, 7)).expect("write");
    std::fs::write(&picture, data(40_000, 3)).expect("write");

    // Bad input: exit 2, one line, nothing sent.
    let missing = dir.path().join("nope.bin");
    let big = dir.path().join("big.bin");
    std::fs::File::create(&big)
        .expect("create")
        .set_len(10_000_001)
        .expect("sparse");
    for bad in [&missing, &big] {
        let out = alice
            .command(&[
                "send",
                &bob_id,
                "x",
                "--attach",
                bad.to_str().expect("utf8"),
            ])
            .output()
            .expect("runs");
        assert_eq!(out.status.code(), Some(2));
        assert_eq!(String::from_utf8_lossy(&out.stderr).lines().count(), 1);
    }

    // Alice: picture, then the message with two files (Bob is offline all along).
    let set = alice.run(&["profile", "set-picture", picture.to_str().expect("utf8")]);
    assert!(
        set[0]["picture_url"]
            .as_str()
            .expect("url")
            .contains("/file/")
    );
    let sent = alice.run(&[
        "send",
        &bob_id,
        "two files",
        "--attach",
        notes.to_str().expect("utf8"),
        blob.to_str().expect("utf8"),
    ]);
    let hash = sent[0]["hash"].as_str().expect("hash").to_owned();
    assert_eq!(sent[0]["attachments"].as_array().map(Vec::len), Some(2));

    // Bob comes online: one receive brings the message and downloads both files.
    let seen = receive_until(&bob, |v| v["hash"] == hash.as_str());
    let msg = seen
        .iter()
        .find(|v| v["hash"] == hash.as_str())
        .expect("msg");
    let files = msg["attachments"].as_array().expect("attachments");
    assert_eq!(files.len(), 2);
    for (f, want) in files.iter().zip([&notes, &blob]) {
        assert_eq!(f["state"], "downloaded", "{f}");
        let path = f["path"].as_str().expect("path");
        assert!(path.starts_with(bob.home.join("attachments").to_str().expect("utf8")));
        assert_eq!(
            std::fs::read(path).expect("saved"),
            std::fs::read(want).expect("sent"),
            "byte-identical"
        );
    }
    assert_eq!(files[0]["file_name"], "notes.txt");
    assert_eq!(files[0]["content_type"], "text/plain");
    assert_eq!(files[1]["size"], 3_000_000);

    // `history` lists them with their local paths.
    let alice_id = alice.run(&["whoami"])[0]["session_id"]
        .as_str()
        .expect("id")
        .to_owned();
    let history = bob.run(&["history", &alice_id]);
    let listed: Vec<&Value> = history
        .iter()
        .filter_map(|v| v.get("attachments"))
        .flat_map(|a| a.as_array().expect("list"))
        .collect();
    assert_eq!(listed.len(), 2);
    assert!(listed.iter().all(|a| a["path"].is_string()));

    // Alice's picture came with her message and is cached.
    let contacts = bob.run(&["contacts"]);
    let alice_row = contacts
        .iter()
        .find(|c| c["session_id"] == alice_id.as_str())
        .expect("alice is a contact");
    let cached = alice_row["picture_path"].as_str().expect("picture cached");
    assert_eq!(std::fs::read(cached).expect("read"), data(40_000, 3));

    // Fetching again is a no-op that lists them.
    let again = bob.run(&["attachments", "fetch", &hash]);
    assert_eq!(again[0]["attachments"].as_array().map(Vec::len), Some(2));
}
