//! The `session-fileserver` binary: its command line (help documenting every option, bad
//! input as one line with status 2), the key file, and a `kill -9` in the middle of an upload
//! that leaves no partial file visible, loses no completed upload, and lets the upload be made
//! again after the restart.
#![allow(clippy::unwrap_used, clippy::expect_used, missing_docs)]

use std::io::{BufRead as _, BufReader, Read as _, Write as _};
use std::net::TcpStream;
use std::path::Path;
use std::process::{Child, Command, Stdio};
use std::time::Duration;

fn bin() -> Command {
    Command::new(env!("CARGO_BIN_EXE_session-fileserver"))
}

#[test]
fn help_documents_every_option() {
    for args in [&["--help"][..], &["serve", "--help"], &["pubkey", "--help"]] {
        let out = bin().args(args).output().unwrap();
        assert!(out.status.success(), "{args:?}");
        assert!(
            String::from_utf8_lossy(&out.stdout).contains("Usage:"),
            "{args:?}"
        );
    }
    let out = bin().args(["serve", "--help"]).output().unwrap();
    let text = String::from_utf8_lossy(&out.stdout);
    for needle in [
        "--data-dir",
        "--listen",
        "--max-file-size",
        "10000000",
        "--file-expiry",
        "1814400",
        "3 weeks",
        "X-FS-TTL",
        "releases.json",
    ] {
        assert!(text.contains(needle), "serve --help lacks {needle}: {text}");
    }
}

#[test]
fn bad_input_is_one_line_and_status_2() {
    let dir = tempfile::tempdir().unwrap();
    let d = dir.path().to_str().unwrap();
    let cases: Vec<Vec<&str>> = vec![
        vec!["pubkey"],
        vec!["serve", "--listen", "127.0.0.1:0"],
        vec!["--data-dir", d, "frobnicate"],
        vec!["--data-dir", d, "serve"],
        vec!["--data-dir", d, "serve", "--listen", "not-an-address"],
        vec![
            "--data-dir",
            d,
            "serve",
            "--listen",
            "127.0.0.1:0",
            "--max-file-size",
            "0",
        ],
        vec![
            "--data-dir",
            d,
            "serve",
            "--listen",
            "127.0.0.1:0",
            "--max-file-size",
            "ten",
        ],
        vec![
            "--data-dir",
            d,
            "serve",
            "--listen",
            "127.0.0.1:0",
            "--file-expiry",
            "59",
        ],
        vec![
            "--data-dir",
            d,
            "serve",
            "--listen",
            "127.0.0.1:0",
            "--file-expiry",
            "-1",
        ],
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
fn pubkey_is_created_private_and_stable() {
    use std::os::unix::fs::PermissionsExt as _;
    let dir = tempfile::tempdir().unwrap();
    let run = || {
        let out = bin()
            .arg("--data-dir")
            .arg(dir.path())
            .arg("pubkey")
            .output()
            .unwrap();
        assert!(out.status.success());
        String::from_utf8(out.stdout).unwrap().trim().to_owned()
    };
    let a = run();
    assert_eq!(a.len(), 64);
    assert!(a.bytes().all(|b| b.is_ascii_hexdigit()));
    assert_eq!(run(), a);
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
    pubkey: String,
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
        .args(["serve", "--listen", "127.0.0.1:0"])
        .stdout(Stdio::piped())
        .stderr(stderr)
        .spawn()
        .unwrap();
    let mut line = String::new();
    BufReader::new(child.stdout.take().unwrap())
        .read_line(&mut line)
        .unwrap();
    // "listening on ADDR pubkey HEX"
    let words: Vec<&str> = line.split_whitespace().collect();
    assert_eq!(
        (words[0], words[1], words[3]),
        ("listening", "on", "pubkey"),
        "{line}"
    );
    Served {
        child,
        addr: words[2].to_owned(),
        pubkey: words[4].to_owned(),
    }
}

/// One HTTP/1.1 request; returns (status, body).
fn http(addr: &str, method: &str, path: &str, body: &[u8]) -> (u16, Vec<u8>) {
    let mut s = TcpStream::connect(addr).unwrap();
    let head = format!(
        "{method} {path} HTTP/1.1\r\nHost: {addr}\r\nConnection: close\r\nContent-Length: {}\r\n\r\n",
        body.len()
    );
    s.write_all(head.as_bytes()).unwrap();
    s.write_all(body).unwrap();
    let mut out = Vec::new();
    s.read_to_end(&mut out).unwrap();
    let split = out.windows(4).position(|w| w == b"\r\n\r\n").unwrap();
    let head = String::from_utf8_lossy(&out[..split]).into_owned();
    let code = head.split(' ').nth(1).unwrap().parse().unwrap();
    (code, out[split + 4..].to_vec())
}

fn upload_id(addr: &str, body: &[u8]) -> String {
    let (code, resp) = http(addr, "POST", "/file", body);
    assert_eq!(code, 200, "{}", String::from_utf8_lossy(&resp));
    let v: serde_json::Value = serde_json::from_slice(&resp).unwrap();
    v["id"].as_str().unwrap().to_owned()
}

fn entries(dir: &Path) -> Vec<String> {
    let mut v: Vec<String> = std::fs::read_dir(dir)
        .unwrap()
        .map(|e| e.unwrap().file_name().to_string_lossy().into_owned())
        .collect();
    v.sort();
    v
}

#[test]
fn kill_dash_9_mid_upload_shows_no_partial_file_and_loses_nothing() {
    let dir = tempfile::tempdir().unwrap();
    let d = dir.path();
    let mut s = serve(d);
    let done: Vec<u8> = (0..200_000u32).map(|i| (i % 251) as u8).collect();
    let done_id = upload_id(&s.addr, &done);

    // Half of a 4 MB upload, then SIGKILL while the server holds it in tmp/.
    let partial: Vec<u8> = (0..4_000_000u32).map(|i| (i % 241) as u8).collect();
    let mut conn = TcpStream::connect(&s.addr).unwrap();
    let head = format!(
        "POST /file HTTP/1.1\r\nHost: {}\r\nContent-Length: {}\r\n\r\n",
        s.addr,
        partial.len()
    );
    conn.write_all(head.as_bytes()).unwrap();
    conn.write_all(&partial[..2_000_000]).unwrap();
    conn.flush().unwrap();
    let tmp = d.join("tmp");
    let mut seen = false;
    for _ in 0..100 {
        if std::fs::read_dir(&tmp).unwrap().next().is_some() {
            seen = true;
            break;
        }
        std::thread::sleep(Duration::from_millis(50));
    }
    assert!(seen, "the upload in progress is in tmp/");
    s.child.kill().unwrap(); // SIGKILL
    s.child.wait().unwrap();
    drop(conn);
    assert_eq!(entries(&d.join("files")), vec![done_id.clone()]);

    let mut s2 = serve(d);
    assert_eq!(s2.pubkey, s.pubkey);
    assert!(
        entries(&tmp).is_empty(),
        "the partial upload is removed at start"
    );
    assert_eq!(entries(&d.join("files")), vec![done_id.clone()]);
    let (code, bytes) = http(&s2.addr, "GET", &format!("/file/{done_id}"), b"");
    assert_eq!(code, 200);
    assert!(bytes == done);
    // The interrupted file is not there under any ID; uploaded again whole, it is.
    let partial_id = upload_id(&s2.addr, &partial);
    let (code, bytes) = http(&s2.addr, "GET", &format!("/file/{partial_id}"), b"");
    assert_eq!(code, 200);
    assert!(bytes == partial);
    let (code, _) = http(&s2.addr, "GET", &format!("/file/{partial_id}/info"), b"");
    assert_eq!(code, 200);
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
        let (code, body) = http(&served.addr, "GET", "/nothing-here", b"");
        assert!(
            code < 500,
            "request {i}: {code} {}",
            String::from_utf8_lossy(&body)
        );
    }
    assert!(served.child.try_wait().unwrap().is_none(), "still running");
    served.child.kill().unwrap();
}
