//! End-to-end tests of the `session-cli` binary: exact JSON keys, spec vectors, exit codes.
#![allow(clippy::unwrap_used, clippy::expect_used, missing_docs)]

use serde_json::Value;
use std::process::{Command, Output};

const SEED: &str = "0123456789abcdef0123456789abcdef00000000000000000000000000000000";
const SID: &str = "05d2ad010eeb72d72e561d9de7bd7b6989af77dcabffa03a5111a6c859ae5c3a72";
const SEED1: &str = "fecd9a6034bc9aba273925dee7062b123334587c3c6257341afae2d7fe85e122";
const SID1: &str = "05fe94b7ad4b7f1cc1bb92671f1f0d243f226e115b33770465e82b503fc3e96e1f";
const P1: &str = "abcdef0123456789abcdef0123456789abcdef0123456789abcdef0123456789";

fn cli(args: &[&str]) -> Output {
    Command::new(env!("CARGO_BIN_EXE_session-cli"))
        .args(args)
        .output()
        .unwrap()
}

fn json(args: &[&str]) -> Value {
    let mut all = vec!["--json"];
    all.extend_from_slice(args);
    let out = cli(&all);
    assert!(
        out.status.success(),
        "{args:?}: {}",
        String::from_utf8_lossy(&out.stderr)
    );
    serde_json::from_slice(&out.stdout).unwrap()
}

fn keys_of(v: &Value) -> Vec<&str> {
    let mut k: Vec<&str> = v.as_object().unwrap().keys().map(String::as_str).collect();
    k.sort_unstable();
    k
}

fn bad(args: &[&str], needle: &str) {
    let out = cli(args);
    assert_eq!(out.status.code(), Some(2), "{args:?}");
    let err = String::from_utf8_lossy(&out.stderr);
    assert_eq!(err.trim_end().lines().count(), 1, "{args:?}: {err}");
    assert!(err.contains(needle), "{args:?}: {err:?} lacks {needle:?}");
    assert!(!err.contains("panicked"));
}

#[test]
fn keys_new_gives_a_fresh_identity() {
    let a = json(&["keys", "new"]);
    assert_eq!(keys_of(&a), ["mnemonic", "session_id"]);
    assert_eq!(a["mnemonic"].as_str().unwrap().split(' ').count(), 13);
    let d = json(&[
        "keys",
        "derive",
        "--mnemonic",
        a["mnemonic"].as_str().unwrap(),
    ]);
    assert_eq!(d["session_id"], a["session_id"]);
    assert_ne!(json(&["keys", "new"])["session_id"], a["session_id"]);
}

#[test]
fn keys_derive_from_seed_and_phrase() {
    let v = json(&["keys", "derive", "--seed", SEED]);
    assert_eq!(
        keys_of(&v),
        ["ed25519_pubkey", "mnemonic", "session_id", "x25519_pubkey"]
    );
    assert_eq!(v["session_id"], SID);
    assert_eq!(
        v["ed25519_pubkey"],
        "4cb76fdc6d32278e3f83dbf608360ecc6b65727934b85d2fb86862ff98c46ab7"
    );
    assert_eq!(v["x25519_pubkey"], &SID[2..]);
    let words = v["mnemonic"].as_str().unwrap();
    assert_eq!(words.split(' ').count(), 13);
    assert_eq!(
        json(&["keys", "derive", "--mnemonic", words])["session_id"],
        SID
    );
    // a full 32-byte seed gives 25 words
    let v = json(&["keys", "derive", "--seed", SEED1]);
    assert_eq!(v["session_id"], SID1);
    assert_eq!(v["mnemonic"].as_str().unwrap().split(' ').count(), 25);
}

#[test]
fn keys_blind_and_blind_ids() {
    let v = json(&["keys", "blind", "--seed", SEED1, "--server-pubkey", P1]);
    assert_eq!(keys_of(&v), ["blind15_id", "blind25_id"]);
    assert_eq!(
        v["blind25_id"],
        "253b991dcbba44cfdb45d5b38880d95cff723309e3ece6fd01415ad5fa1dccc7ac"
    );
    let ids = json(&[
        "keys",
        "blind-ids",
        "--session-id",
        SID1,
        "--server-pubkey",
        P1,
    ]);
    assert_eq!(keys_of(&ids), ["blind15_ids", "blind25_id"]);
    assert_eq!(ids["blind25_id"], v["blind25_id"]);
    let b15 = ids["blind15_ids"].as_array().unwrap();
    assert_eq!(
        b15[0],
        "15b74ed205f1f931e1bb1291183778a9456b835937d923b0f2e248aa3a44c07844"
    );
    assert!(b15.contains(&v["blind15_id"]));
}

#[test]
fn debug_encrypt_then_decrypt() {
    let bob = "00112233445566778899aabbccddeeff00000000000000000000000000000000";
    let bob_id = json(&["keys", "derive", "--seed", bob])["session_id"].clone();
    let ct = json(&[
        "debug",
        "encrypt",
        "--seed",
        SEED,
        "--to",
        bob_id.as_str().unwrap(),
        "--hex",
        "68656c6c6f",
    ]);
    assert_eq!(keys_of(&ct), ["ciphertext"]);
    let out = json(&[
        "debug",
        "decrypt",
        "--seed",
        bob,
        "--base64",
        ct["ciphertext"].as_str().unwrap(),
    ]);
    assert_eq!(
        keys_of(&out),
        ["plaintext_hex", "sender_ed25519", "sender_session_id"]
    );
    assert_eq!(out["plaintext_hex"], "68656c6c6f");
    assert_eq!(out["sender_session_id"], SID);
    // the sender cannot open what it sent
    bad(
        &[
            "debug",
            "decrypt",
            "--seed",
            SEED,
            "--base64",
            ct["ciphertext"].as_str().unwrap(),
        ],
        "decryption failed",
    );
}

#[test]
fn human_output_is_readable() {
    let out = cli(&["keys", "derive", "--seed", SEED]);
    let text = String::from_utf8(out.stdout).unwrap();
    assert!(text.contains(&format!("session id: {SID}")), "{text}");
}

#[test]
fn bad_input_exits_2_with_one_line() {
    bad(&["keys", "derive", "--seed", "0123"], "seed");
    bad(
        &[
            "keys",
            "derive",
            "--seed",
            "zz23456789abcdef0123456789abcdef",
        ],
        "not valid hex",
    );
    bad(&["keys", "derive", "--mnemonic", "abbey abbey"], "2 words");
    bad(
        &["keys", "derive", "--mnemonic", &["qqq"; 13].join(" ")],
        "word 1 is not in the word list",
    );
    let phrase =
        "amaze buffet cake entrance symptoms tiger lamb maze nestle python dusted faxed amaze";
    bad(&["keys", "derive", "--mnemonic", phrase], "checksum");
    bad(
        &[
            "keys",
            "blind-ids",
            "--session-id",
            &format!("15{}", &SID[2..]),
            "--server-pubkey",
            P1,
        ],
        "prefix",
    );
    bad(
        &[
            "keys",
            "blind-ids",
            "--session-id",
            SID,
            "--server-pubkey",
            "abcd",
        ],
        "server pubkey",
    );
    bad(
        &["debug", "decrypt", "--seed", SEED, "--base64", "!!!"],
        "base64",
    );
    bad(
        &["debug", "decrypt", "--seed", SEED, "--base64", "AAAA"],
        "too short",
    );
    bad(
        &[
            "debug", "encrypt", "--seed", SEED, "--to", SID, "--hex", "xyz",
        ],
        "hex",
    );
    bad(&["keys", "derive"], "required");
    bad(&["keys", "frobnicate"], "frobnicate");
}

/// vectors.md §9: a stored 1:1 message (websocket-wrapped envelope) from the storage server.
const VECTOR9: &str = "CAES1gIKA1BVVBIPL2FwaS92MS9tZXNzYWdlGrsCCAYovfqZv4YvQq8CVwutUBbhRzZw80TvR6uTYMKg9DSagrtpeEpY31L7VxawfS8aSya0SiDa4J025SkjP13YX8g5pxgQ8Z6hgfNArMqr/tSijJ9miVKVDJ63YWE85O8kyWF8tdtZR5j0Vxb+JH5U8Rg1bp7ftKk3OSf7JJMcrUUrDnctQHe540zJ2OTDJ03DfubkX5NmKqEu5nhXGxeeDv3mTiL63fjtCvZYcikfjf6Nh1AX++HTgJ9SGoEIMastGUorFrmmXb2sbjHxNiJn0Radj/VzcA9VxYwBW5+AbGQ2d9+vvm7X+8vh+jIenJfjxf+8CWER+9adNfb4YUH07I+godNCV0O0J05gzqfKdT7J8MBZzFBtKrbk8oCagPpTsq/wZyYFKFKKD+q+zh704dYBILvs5yXUA96pIAA=";
const BOB: &str = "00112233445566778899aabbccddeeff00000000000000000000000000000000";

fn b64(bytes: &[u8]) -> String {
    use base64::Engine as _;
    base64::engine::general_purpose::STANDARD.encode(bytes)
}

fn hello_content() -> session_protocol::Content {
    use session_protocol::proto::{Content, DataMessage};
    Content {
        data_message: Some(DataMessage {
            body: Some("hello".into()),
            ..Default::default()
        }),
        expiration_type: Some(2),
        expiration_timer: Some(3600),
        sig_timestamp: Some(1_700_000_000_000),
        ..Default::default()
    }
}

#[test]
fn debug_decode_vector9_websocket_message() {
    let v = json(&["debug", "decode", "--base64", VECTOR9]);
    assert_eq!(keys_of(&v), ["envelope", "kind", "websocket_message"]);
    assert_eq!(v["kind"], "websocket_message");
    let ws = &v["websocket_message"];
    assert_eq!(ws["type"], "REQUEST");
    assert_eq!(ws["request"]["verb"], "PUT");
    assert_eq!(ws["request"]["path"], "/api/v1/message");
    assert_eq!(ws["request"]["requestId"], 0);
    assert_eq!(ws["request"]["body"].as_str().unwrap().len(), 2 * 315);
    let env = &v["envelope"];
    assert_eq!(keys_of(env), ["content", "timestamp", "type"]);
    assert_eq!(env["type"], "SESSION_MESSAGE");
    assert_eq!(env["timestamp"], 1_616_650_861_885_u64);
    assert!(
        env["content"]
            .as_str()
            .unwrap()
            .starts_with("570bad5016e14736")
    );
    // Without the recipient's seed there is nothing more; with a wrong one it fails cleanly.
    bad(
        &["debug", "decode", "--base64", VECTOR9, "--seed", BOB],
        "decryption failed",
    );
}

#[test]
fn debug_decode_decrypts_a_one_to_one_message() {
    let alice =
        session_crypto::IdentityKeys::from_seed(session_crypto::Seed::from_hex(SEED).unwrap());
    let bob = session_crypto::IdentityKeys::from_seed(session_crypto::Seed::from_hex(BOB).unwrap());
    let wire = session_protocol::one_to_one::encode_for_recipient_deterministic(
        &alice,
        &bob.session_id(),
        &hello_content(),
        1_700_000_000_000,
    )
    .unwrap();
    let v = json(&["debug", "decode", "--base64", &b64(&wire), "--seed", BOB]);
    assert_eq!(
        keys_of(&v),
        [
            "content",
            "envelope",
            "kind",
            "sender_ed25519",
            "sender_session_id",
            "websocket_message"
        ]
    );
    assert_eq!(v["sender_session_id"], SID);
    assert_eq!(v["envelope"]["sourceDevice"], 1);
    assert_eq!(v["envelope"]["timestamp"], 1_700_000_000_000_u64);
    let c = &v["content"];
    assert_eq!(c["dataMessage"]["body"], "hello");
    assert_eq!(c["expirationType"], "DELETE_AFTER_SEND");
    assert_eq!(c["expirationTimer"], 3600);
    assert_eq!(c["sigTimestamp"], 1_700_000_000_000_u64);

    // The bare envelope decodes too.
    let ws: session_protocol::WebSocketMessage = session_protocol::proto::decode(&wire).unwrap();
    let env = ws.request.unwrap().body.unwrap();
    let v = json(&["debug", "decode", "--base64", &b64(&env), "--seed", BOB]);
    assert_eq!(v["kind"], "envelope");
    assert_eq!(v["content"]["dataMessage"]["body"], "hello");
    // The sender cannot decrypt it.
    bad(
        &["debug", "decode", "--base64", &b64(&wire), "--seed", SEED],
        "decryption failed",
    );
}

#[test]
fn debug_decode_raw_and_padded_content() {
    use prost::Message as _;
    let raw = hello_content().encode_to_vec();
    let v = json(&["debug", "decode", "--base64", &b64(&raw)]);
    assert_eq!(keys_of(&v), ["content", "kind"]);
    assert_eq!(v["kind"], "content");
    assert_eq!(v["content"]["dataMessage"]["body"], "hello");
    let padded = session_protocol::padding::pad(&raw);
    let v = json(&["debug", "decode", "--base64", &b64(&padded)]);
    assert_eq!(v["kind"], "padded_content");
    assert_eq!(v["content"]["expirationTimer"], 3600);
    // Human-readable output names the layers too.
    let out = cli(&["debug", "decode", "--base64", VECTOR9]);
    let text = String::from_utf8(out.stdout).unwrap();
    assert!(text.contains("kind: websocket_message"), "{text}");
    bad(&["debug", "decode", "--base64", "!!"], "base64");
    bad(
        &["debug", "decode", "--base64", "/w=="],
        "not a WebSocketMessage",
    );
}

#[test]
fn init_whoami_restore_in_a_home_directory() {
    let dir = tempfile::tempdir().unwrap();
    let home = dir.path().join("alice");
    let home = home.to_str().unwrap();
    let made = json(&["--home", home, "init", "--json"]);
    let sid = made["session_id"].as_str().unwrap().to_owned();
    assert!(sid.starts_with("05") && sid.len() == 66);
    let phrase = made["mnemonic"].as_str().unwrap().to_owned();
    assert_eq!(phrase.split_whitespace().count(), 13);
    // whoami shows the same account and never the phrase.
    let me = json(&["--home", home, "whoami", "--json"]);
    assert_eq!(me["session_id"], sid);
    assert!(me.get("mnemonic").is_none());
    // A second init is refused and changes nothing.
    let again = cli(&["--home", home, "init"]);
    assert_eq!(again.status.code(), Some(2));
    assert!(String::from_utf8_lossy(&again.stderr).contains("already exists"));
    assert_eq!(
        json(&["--home", home, "whoami", "--json"])["session_id"],
        sid
    );
    // The phrase restores the same Session ID in another home.
    let other = dir.path().join("restored");
    let restored = json(&[
        "--home",
        other.to_str().unwrap(),
        "restore",
        "--mnemonic",
        &phrase,
        "--json",
    ]);
    assert_eq!(restored["session_id"], sid);
    // Bad input: one line, exit 2.
    let empty = dir.path().join("empty");
    let out = cli(&["--home", empty.to_str().unwrap(), "whoami"]);
    assert_eq!(out.status.code(), Some(2));
    assert!(String::from_utf8_lossy(&out.stderr).contains("no account"));
    let out = cli(&[
        "--home",
        empty.to_str().unwrap(),
        "restore",
        "--mnemonic",
        "nope nope",
    ]);
    assert_eq!(out.status.code(), Some(2));
    assert_eq!(String::from_utf8_lossy(&out.stderr).lines().count(), 1);
}

#[test]
fn chat_commands_fail_clearly_without_network_or_with_bad_ids() {
    let dir = tempfile::tempdir().unwrap();
    let home = dir.path().join("h");
    let home = home.to_str().unwrap();
    assert!(cli(&["--home", home, "init"]).status.success());
    let missing = dir.path().join("missing.json");
    let out = cli(&[
        "--home",
        home,
        "--network",
        missing.to_str().unwrap(),
        "receive",
    ]);
    assert_eq!(out.status.code(), Some(2));
    assert!(String::from_utf8_lossy(&out.stderr).contains("missing.json"));
    let net = dir.path().join("net.json");
    std::fs::write(&net, r#"{"seeds": []}"#).unwrap();
    let out = cli(&[
        "--home",
        home,
        "--network",
        net.to_str().unwrap(),
        "send",
        SID,
        "hi",
    ]);
    assert_eq!(out.status.code(), Some(2));
    assert!(String::from_utf8_lossy(&out.stderr).contains("no seeds"));
    let out = cli(&[
        "--home",
        home,
        "--network",
        net.to_str().unwrap(),
        "send",
        "05zz",
        "hi",
    ]);
    assert_eq!(out.status.code(), Some(2));
    assert!(String::from_utf8_lossy(&out.stderr).contains("session ID"));
    // Files are checked before anything goes online: missing, too big, nothing to send.
    let n = net.to_str().unwrap();
    let missing_file = dir.path().join("nope.bin");
    let big = dir.path().join("big.bin");
    std::fs::File::create(&big)
        .unwrap()
        .set_len(10_000_001)
        .unwrap();
    let (missing_file, big) = (missing_file.to_str().unwrap(), big.to_str().unwrap());
    let base = ["--home", home, "--network", n];
    bad(
        &[&base[..], &["send", SID, "--attach", missing_file]].concat(),
        "nope.bin",
    );
    bad(
        &[&base[..], &["send", SID, "x", "--attach", big]].concat(),
        "10000000-byte limit",
    );
    bad(&[&base[..], &["send", SID]].concat(), "nothing to send");
    bad(
        &[&base[..], &["profile", "set-picture", big]].concat(),
        "limit",
    );
    // Community commands check URLs and IDs before going online.
    bad(
        &[&base[..], &["community", "join", "http://h.org/lobby"]].concat(),
        "public_key",
    );
    bad(
        &[&base[..], &["community", "post", "nonsense", "hi"]].concat(),
        "community URL",
    );
    bad(
        &[
            &base[..],
            &["community", "dm", SID, "hi", "--server", "http://h.org"],
        ]
        .concat(),
        "blinded ID",
    );
    assert_eq!(json(&["--home", home, "communities"])["count"], 0);
    // Group commands check group and Session IDs before going online; lists work offline.
    let group = format!("03{}", "ab".repeat(32));
    bad(
        &[&base[..], &["group", "send", SID, "hi"]].concat(),
        "not a group ID",
    );
    bad(
        &[&base[..], &["group", "create", "g", "--member", "05zz"]].concat(),
        "session ID",
    );
    bad(
        &[&base[..], &["group", "remove", &group, "nobody"]].concat(),
        "nobody",
    );
    bad(
        &[&base[..], &["group", "invite", &group]].concat(),
        "required",
    );
    // Deleting and the timer: hashes and seconds are checked before going online.
    bad(
        &[&base[..], &["group", "delete", &group, "not-a-hash"]].concat(),
        "not a message hash",
    );
    bad(
        &[&base[..], &["group", "unsend", &group]].concat(),
        "message hashes",
    );
    bad(
        &[&base[..], &["group", "react", &group, "short", "x"]].concat(),
        "not a message hash",
    );
    bad(
        &[&base[..], &["group", "disappear", &group, "5"]].concat(),
        "0 (off) or 10 to 2592000",
    );
    bad(
        &[&base[..], &["group", "disappear", &group, "soon"]].concat(),
        "invalid digit",
    );
    assert_eq!(json(&["--home", home, "groups"])["count"], 0);
    assert_eq!(json(&["--home", home, "group", "invitations"])["count"], 0);
    assert_eq!(
        json(&["--home", home, "group", "history", &group])["messages"],
        0
    );
    assert_eq!(
        json(&["--home", home, "group", "members", &group])["members"],
        0
    );
    // History of a stranger is empty, not an error.
    assert_eq!(
        json(&["--home", home, "history", SID, "--json"])["messages"],
        0
    );
}

/// One JSON object per line (`--json` list commands).
fn json_lines(args: &[&str]) -> Vec<Value> {
    let mut all = vec!["--json"];
    all.extend_from_slice(args);
    let out = cli(&all);
    assert!(
        out.status.success(),
        "{args:?}: {}",
        String::from_utf8_lossy(&out.stderr)
    );
    String::from_utf8_lossy(&out.stdout)
        .lines()
        .map(|l| serde_json::from_str(l).unwrap())
        .collect()
}

#[test]
fn profile_contacts_nickname_and_blocks_work_offline_and_are_pushed_later() {
    let dir = tempfile::tempdir().unwrap();
    let home = dir.path().join("h");
    let home = home.to_str().unwrap();
    // No node answers: changes are kept here and reported as not pushed yet.
    let net = dir.path().join("net.json");
    std::fs::write(&net, r#"{"seeds": []}"#).unwrap();
    let net = net.to_str().unwrap();
    let me = json(&["--home", home, "init"])["session_id"]
        .as_str()
        .unwrap()
        .to_owned();
    let p = json(&["--home", home, "profile"]);
    assert_eq!(
        keys_of(&p),
        ["name", "picture_path", "picture_url", "session_id"]
    );
    assert_eq!(
        (&p["session_id"], &p["name"]),
        (&Value::from(me), &Value::Null)
    );
    let set = json(&[
        "--home",
        home,
        "--network",
        net,
        "profile",
        "set-name",
        "Alice",
    ]);
    assert_eq!(
        (&set["name"], &set["pushed"]),
        (&"Alice".into(), &false.into())
    );
    assert_eq!(json(&["--home", home, "profile"])["name"], "Alice");

    let nick = json(&["--home", home, "--network", net, "nickname", SID, "Bobby"]);
    assert_eq!(nick["nickname"], "Bobby");
    json(&["--home", home, "--network", net, "block", SID1]);
    let all = json_lines(&["--home", home, "contacts"]);
    assert_eq!(all.last().unwrap()["count"], 2);
    let bob = all.iter().find(|c| c["session_id"] == SID).unwrap();
    assert_eq!(
        keys_of(bob),
        [
            "approved",
            "approved_me",
            "blocked",
            "name",
            "nickname",
            "picture_path",
            "session_id"
        ]
    );
    assert_eq!(bob["nickname"], "Bobby");
    assert_eq!(bob["name"], Value::Null);
    assert_eq!(
        (&bob["approved"], &bob["approved_me"], &bob["blocked"]),
        (&false.into(), &false.into(), &false.into())
    );
    let blocked = json_lines(&["--home", home, "contacts", "--blocked"]);
    assert_eq!(blocked.len(), 2, "one contact and the summary");
    assert_eq!(blocked[0]["session_id"], SID1);
    json(&["--home", home, "--network", net, "unblock", SID1]);
    assert_eq!(
        json_lines(&["--home", home, "contacts", "--blocked"])
            .last()
            .unwrap()["count"],
        0
    );
    // Every change waits in the configs to be pushed.
    let configs = json_lines(&["--home", home, "configs"]);
    assert_eq!(configs.len(), 5);
    assert_eq!(configs[0]["kind"], "user_profile");
    assert_eq!(configs[0]["needs_push"], true);
    assert_eq!(configs[1]["needs_push"], true);
    assert_eq!(configs[3]["seqno"], 0, "groups untouched");

    // Bad input: one line, exit 2.
    bad(&["--home", home, "nickname", "05zz", "x"], "05zz");
    bad(
        &["--home", home, "nickname", SID, &"n".repeat(101)],
        "longer than 100 bytes",
    );
    bad(
        &["--home", home, "profile", "set-name", &"n".repeat(101)],
        "longer than 100 bytes",
    );
    bad(&["--home", home, "unblock", SID1], "not blocked");
    let empty = dir.path().join("empty");
    bad(
        &["--home", empty.to_str().unwrap(), "profile"],
        "no account",
    );
}
