//! The `session-community` binary: its command line (help everywhere, bad input as one line
//! with status 2, JSON output), the key file, admin commands beside a running server, and a
//! `kill -9` that loses nothing.
#![allow(clippy::unwrap_used, clippy::expect_used, missing_docs)]

use base64::Engine as _;
use base64::engine::general_purpose::STANDARD;
use serde_json::{Value, json};
use session_crypto::blinding::{Blind15Nonce, blind15_keypair, blind15_sign};
use session_crypto::{IdentityKeys, Seed};
use session_sogs::{Signer, sign_request};
use std::io::{BufRead as _, BufReader, Read as _, Write as _};
use std::net::TcpStream;
use std::path::Path;
use std::process::{Child, Command, Output, Stdio};

fn bin() -> Command {
    Command::new(env!("CARGO_BIN_EXE_session-community"))
}

fn run(dir: &Path, args: &[&str]) -> Output {
    bin()
        .arg("--data-dir")
        .arg(dir)
        .args(args)
        .output()
        .unwrap()
}

fn ok_json(dir: &Path, args: &[&str]) -> Value {
    let mut a = args.to_vec();
    a.push("--json");
    let out = run(dir, &a);
    assert!(
        out.status.success(),
        "{args:?}: {}",
        String::from_utf8_lossy(&out.stderr)
    );
    serde_json::from_slice(&out.stdout).unwrap()
}

#[test]
fn help_on_every_command() {
    for args in [
        &["--help"][..],
        &["serve", "--help"],
        &["pubkey", "--help"],
        &["room", "--help"],
        &["room", "add", "--help"],
        &["room", "list", "--help"],
        &["room", "delete", "--help"],
        &["moderator", "--help"],
        &["moderator", "add", "--help"],
        &["moderator", "remove", "--help"],
    ] {
        let out = bin().args(args).output().unwrap();
        assert!(out.status.success(), "{args:?}");
        let text = String::from_utf8_lossy(&out.stdout);
        assert!(text.contains("Usage:"), "{args:?}: {text}");
    }
    let out = bin().args(["moderator", "add", "--help"]).output().unwrap();
    let text = String::from_utf8_lossy(&out.stdout);
    for opt in [
        "--room",
        "--global",
        "--admin",
        "--visible",
        "--data-dir",
        "--json",
    ] {
        assert!(text.contains(opt), "moderator add --help lacks {opt}");
    }
}

#[test]
fn bad_input_is_one_line_and_status_2() {
    let dir = tempfile::tempdir().unwrap();
    let d = dir.path().to_str().unwrap();
    let sid = format!("05{}", "ab".repeat(32));
    let cases: Vec<Vec<&str>> = vec![
        vec!["room", "list"],
        vec!["--data-dir", d, "frobnicate"],
        vec!["--data-dir", d, "room", "add", "bad token!", "--name", "x"],
        vec!["--data-dir", d, "room", "add", "lobby"],
        vec!["--data-dir", d, "room", "add", "lobby", "--name", " "],
        vec!["--data-dir", d, "room", "delete", "nope"],
        vec!["--data-dir", d, "moderator", "add", &sid],
        vec![
            "--data-dir",
            d,
            "moderator",
            "add",
            &sid,
            "--room",
            "x",
            "--global",
        ],
        vec!["--data-dir", d, "moderator", "add", "05zz", "--global"],
        vec!["--data-dir", d, "moderator", "add", &sid, "--room", "nope"],
        vec!["--data-dir", d, "moderator", "remove", "--global"],
        vec!["--data-dir", d, "serve", "--listen", "not-an-address"],
    ];
    for args in cases {
        let out = bin().args(&args).output().unwrap();
        assert_eq!(out.status.code(), Some(2), "{args:?}");
        let err = String::from_utf8_lossy(&out.stderr);
        assert_eq!(err.trim_end().lines().count(), 1, "{args:?}: {err}");
        assert!(err.starts_with("error"), "{args:?}: {err}");
    }
}

#[test]
fn rooms_and_moderators_with_json_output() {
    let dir = tempfile::tempdir().unwrap();
    let d = dir.path();
    let r = ok_json(
        d,
        &[
            "room",
            "add",
            "lobby",
            "--name",
            "Lobby",
            "--description",
            "Hi",
        ],
    );
    assert_eq!(r["created"]["token"], "lobby");
    assert_eq!(r["created"]["description"], "Hi");
    let out = run(d, &["room", "add", "lobby", "--name", "Again"]);
    assert_eq!(out.status.code(), Some(2));
    assert_eq!(
        String::from_utf8_lossy(&out.stderr).trim(),
        "error: room `lobby` already exists"
    );
    let sid = format!("15{}", "cd".repeat(32));
    let m = ok_json(
        d,
        &[
            "moderator",
            "add",
            &sid,
            "--room",
            "lobby",
            "--admin",
            "--visible",
        ],
    );
    assert_eq!(
        m,
        json!([{"session_id": sid, "applied_to": sid, "room": "lobby", "role": "admin", "visible": true}])
    );
    let m = ok_json(d, &["moderator", "add", &sid, "--global"]);
    assert_eq!(m[0]["room"], Value::Null);
    let list = ok_json(d, &["room", "list"]);
    assert_eq!(
        list[0]["moderators"],
        json!([{"session_id": sid, "admin": true, "visible": true}])
    );
    let human = run(d, &["room", "list"]);
    assert!(String::from_utf8_lossy(&human.stdout).starts_with("lobby\tLobby\t0 messages"));
    let m = ok_json(d, &["moderator", "remove", &sid, "--room", "lobby"]);
    assert_eq!(m[0]["role"], "removed");
    let human = run(d, &["moderator", "remove", &sid, "--global"]);
    assert_eq!(
        String::from_utf8_lossy(&human.stdout).trim(),
        format!("removed {sid} as moderator/admin of all rooms (global)")
    );
    let r = ok_json(d, &["room", "delete", "lobby"]);
    assert_eq!(r["deleted"]["token"], "lobby");
    assert_eq!(ok_json(d, &["room", "list"]), json!([]));
}

#[test]
fn pubkey_is_created_private_and_stable() {
    use std::os::unix::fs::PermissionsExt as _;
    let dir = tempfile::tempdir().unwrap();
    let a = run(dir.path(), &["pubkey"]);
    assert!(a.status.success());
    let a = String::from_utf8(a.stdout).unwrap();
    assert_eq!(a.trim().len(), 64);
    assert!(a.trim().bytes().all(|b| b.is_ascii_hexdigit()));
    let b = ok_json(dir.path(), &["pubkey"]);
    assert_eq!(b["pubkey"], a.trim());
    let mode = std::fs::metadata(dir.path().join("key_x25519"))
        .unwrap()
        .permissions()
        .mode();
    assert_eq!(mode & 0o777, 0o600);
}

/// A `serve` process; its address and key from its first stdout line.
struct Served {
    child: Child,
    addr: String,
    pubkey: [u8; 32],
}

fn serve(dir: &Path) -> Served {
    serve_logging(dir, "info", Stdio::null())
}

/// A `serve` process logging at `level` into `stderr`.
fn serve_logging(dir: &Path, level: &str, stderr: Stdio) -> Served {
    let mut child = bin()
        .env("RUST_LOG", level)
        .arg("--data-dir")
        .arg(dir)
        .args(["serve", "--listen", "127.0.0.1:0", "--json"])
        .stdout(Stdio::piped())
        .stderr(stderr)
        .spawn()
        .unwrap();
    let mut line = String::new();
    BufReader::new(child.stdout.take().unwrap())
        .read_line(&mut line)
        .unwrap();
    let v: Value = serde_json::from_str(&line).unwrap();
    let pubkey = hex::decode(v["pubkey"].as_str().unwrap())
        .unwrap()
        .try_into()
        .unwrap();
    Served {
        child,
        addr: v["listening"].as_str().unwrap().to_owned(),
        pubkey,
    }
}

/// One HTTP/1.1 request; returns (status, body).
fn http(
    addr: &str,
    method: &str,
    path: &str,
    headers: &[(String, String)],
    body: &[u8],
) -> (u16, Vec<u8>) {
    let mut s = TcpStream::connect(addr).unwrap();
    let mut req = format!(
        "{method} {path} HTTP/1.1\r\nHost: {addr}\r\nConnection: close\r\nContent-Length: {}\r\n",
        body.len()
    );
    for (k, v) in headers {
        req.push_str(&format!("{k}: {v}\r\n"));
    }
    req.push_str("\r\n");
    s.write_all(req.as_bytes()).unwrap();
    s.write_all(body).unwrap();
    let mut out = Vec::new();
    s.read_to_end(&mut out).unwrap();
    let split = out.windows(4).position(|w| w == b"\r\n\r\n").unwrap();
    let head = String::from_utf8_lossy(&out[..split]).into_owned();
    let code = head.split(' ').nth(1).unwrap().parse().unwrap();
    (code, out[split + 4..].to_vec())
}

fn signed(
    keys: &IdentityKeys,
    server: &[u8; 32],
    method: &str,
    path: &str,
    body: &[u8],
) -> Vec<(String, String)> {
    let ts = std::time::SystemTime::now()
        .duration_since(std::time::UNIX_EPOCH)
        .unwrap()
        .as_secs() as i64;
    let nonce: [u8; 16] = rand::random();
    let h = sign_request(
        Signer::Blind15(keys),
        server,
        method,
        path,
        body,
        ts,
        &nonce,
    );
    h.pairs()
        .iter()
        .map(|(k, v)| ((*k).to_owned(), (*v).to_owned()))
        .collect()
}

#[test]
fn kill_dash_9_loses_nothing() {
    let dir = tempfile::tempdir().unwrap();
    let d = dir.path();
    let mut s = serve(d);
    // Admin commands work while the server runs.
    ok_json(d, &["room", "add", "lobby", "--name", "Lobby"]);
    let alice = IdentityKeys::from_seed(Seed::from_bytes([7; 32]));
    let data = b"survives kill -9";
    let sig = blind15_sign(&alice, &s.pubkey, data, Blind15Nonce::Sogs);
    let body =
        json!({"data": STANDARD.encode(data), "signature": STANDARD.encode(sig)}).to_string();
    let h = signed(
        &alice,
        &s.pubkey,
        "POST",
        "/room/lobby/message",
        body.as_bytes(),
    );
    let (code, _) = http(&s.addr, "POST", "/room/lobby/message", &h, body.as_bytes());
    assert_eq!(code, 201);
    let h = signed(
        &alice,
        &s.pubkey,
        "POST",
        "/room/lobby/file",
        b"attached bytes",
    );
    let (code, f) = http(&s.addr, "POST", "/room/lobby/file", &h, b"attached bytes");
    assert_eq!(code, 201);
    let file_id = serde_json::from_slice::<Value>(&f).unwrap()["id"]
        .as_i64()
        .unwrap();
    let alice_id = blind15_keypair(&alice, &s.pubkey).id().to_string();
    ok_json(
        d,
        &["moderator", "add", &alice_id, "--room", "lobby", "--admin"],
    );
    s.child.kill().unwrap(); // SIGKILL
    s.child.wait().unwrap();
    let mut s2 = serve(d);
    assert_eq!(s2.pubkey, s.pubkey);
    let (code, body) = http(&s2.addr, "GET", "/room/lobby/messages/recent", &[], b"");
    assert_eq!(code, 200);
    let msgs: Value = serde_json::from_slice(&body).unwrap();
    assert_eq!(msgs[0]["data"], STANDARD.encode(data));
    let (code, bytes) = http(
        &s2.addr,
        "GET",
        &format!("/room/lobby/file/{file_id}"),
        &[],
        b"",
    );
    assert_eq!((code, bytes.as_slice()), (200, &b"attached bytes"[..]));
    let h = signed(&alice, &s2.pubkey, "GET", "/room/lobby", b"");
    let (_, room) = http(&s2.addr, "GET", "/room/lobby", &h, b"");
    assert_eq!(
        serde_json::from_slice::<Value>(&room).unwrap()["admin"],
        true
    );
    s2.child.kill().unwrap();
    s2.child.wait().unwrap();
}

/// A server whose log cannot be written (stderr on `/dev/full`, as when its disk is full)
/// keeps answering: a failed log write must not panic the task that logged
/// (docs/RELIABILITY.md finding 3).
#[test]
fn a_server_whose_log_disk_is_full_keeps_serving() {
    let dir = tempfile::tempdir().unwrap();
    let full = std::fs::OpenOptions::new()
        .write(true)
        .open("/dev/full")
        .expect("/dev/full");
    let mut served = serve_logging(dir.path(), "trace", Stdio::from(full));
    for i in 0..20 {
        let (code, body) = http(&served.addr, "GET", "/nothing-here", &[], b"");
        assert!(
            code < 500,
            "request {i}: {code} {}",
            String::from_utf8_lossy(&body)
        );
    }
    assert!(served.child.try_wait().unwrap().is_none(), "still running");
    served.child.kill().unwrap();
}
