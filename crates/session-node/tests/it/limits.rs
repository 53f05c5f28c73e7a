//! Connection and body limits of the HTTP listener (issue 21): slow or idle clients from one
//! address cannot starve others, request heads and bodies have deadlines, and every route caps
//! its body. Real sockets on loopback; the second client speaks from 127.0.0.2.
use crate::support::{TestNode, start_limited};
use session_node::server::HttpLimits;
use std::net::SocketAddr;
use std::time::{Duration, Instant};
use tokio::io::{AsyncReadExt, AsyncWriteExt};
use tokio::net::{TcpSocket, TcpStream};

fn addr(node: &TestNode) -> SocketAddr {
    node.url.trim_start_matches("http://").parse().unwrap()
}

/// A connection from `source` that has sent `bytes` and nothing more.
async fn stalled(node: &TestNode, source: &str, bytes: &[u8]) -> TcpStream {
    let socket = TcpSocket::new_v4().unwrap();
    socket.bind(format!("{source}:0").parse().unwrap()).unwrap();
    let mut s = socket.connect(addr(node)).await.unwrap();
    s.write_all(bytes).await.unwrap();
    s
}

/// What the node sends on `s` until it closes it, or `None` if it is still open after `wait`.
async fn closed_within(s: &mut TcpStream, wait: Duration) -> Option<String> {
    let mut got = Vec::new();
    let read = tokio::time::timeout(wait, async {
        let mut buf = [0u8; 4096];
        loop {
            match s.read(&mut buf).await {
                Ok(0) | Err(_) => break,
                Ok(n) => got.extend_from_slice(&buf[..n]),
            }
        }
    })
    .await;
    read.ok()
        .map(|()| String::from_utf8_lossy(&got).into_owned())
}

/// A client speaking from 127.0.0.2.
fn other_client() -> reqwest::Client {
    reqwest::Client::builder()
        .local_address("127.0.0.2".parse::<std::net::IpAddr>().unwrap())
        .timeout(Duration::from_secs(5))
        .build()
        .unwrap()
}

const HEAD: &[u8] = b"POST /storage_rpc/v1 HTTP/1.1\r\nHost: node\r\n";

#[tokio::test]
async fn slow_heads_from_one_address_do_not_starve_another() {
    let node = start_limited(HttpLimits {
        max_connections: 100,
        max_per_ip: 20,
        header_timeout: Duration::from_secs(2),
        ..HttpLimits::default()
    })
    .await;
    let mut admitted = Vec::new();
    for _ in 0..20 {
        admitted.push(stalled(&node, "127.0.0.1", HEAD).await);
    }
    // Over the per-address cap: closed at once, without an answer.
    for _ in 0..10 {
        let mut s = stalled(&node, "127.0.0.1", HEAD).await;
        let got = closed_within(&mut s, Duration::from_secs(2)).await;
        assert_eq!(got.as_deref(), Some(""), "an extra connection stays open");
    }
    // Someone else is served meanwhile.
    let r = other_client()
        .get(format!("{}/info", node.url))
        .send()
        .await
        .unwrap();
    assert_eq!(r.status(), 200);
    // The stalled heads are cut at the header deadline, and the address may connect again.
    let start = Instant::now();
    for s in &mut admitted {
        let left = Duration::from_secs(6).saturating_sub(start.elapsed());
        assert!(
            closed_within(s, left).await.is_some(),
            "a slow head outlived its deadline"
        );
    }
    let again = reqwest::Client::new()
        .get(format!("{}/info", node.url))
        .send()
        .await
        .unwrap();
    assert_eq!(again.status(), 200);
}

#[tokio::test]
async fn an_idle_keep_alive_connection_is_closed_at_the_header_deadline() {
    let node = start_limited(HttpLimits {
        header_timeout: Duration::from_secs(1),
        ..HttpLimits::default()
    })
    .await;
    let mut s = stalled(&node, "127.0.0.1", b"GET /info HTTP/1.1\r\nHost: n\r\n\r\n").await;
    let mut buf = [0u8; 12];
    s.read_exact(&mut buf).await.unwrap();
    assert_eq!(&buf, b"HTTP/1.1 200");
    // Nothing more is sent: the connection is closed, not kept for ever.
    assert!(
        closed_within(&mut s, Duration::from_secs(5))
            .await
            .is_some()
    );
}

#[tokio::test]
async fn a_trickling_body_gets_408_at_the_body_deadline() {
    let node = start_limited(HttpLimits {
        body_timeout: Duration::from_secs(1),
        ..HttpLimits::default()
    })
    .await;
    for route in ["/storage_rpc/v1", "/onion_req/v2", "/json_rpc"] {
        let head = format!("POST {route} HTTP/1.1\r\nHost: n\r\nContent-Length: 100\r\n\r\n{{");
        let mut s = stalled(&node, "127.0.0.1", head.as_bytes()).await;
        let got = closed_within(&mut s, Duration::from_secs(5)).await;
        let got = got.unwrap_or_else(|| panic!("{route}: no answer"));
        assert!(got.starts_with("HTTP/1.1 408"), "{route}: {got}");
        assert!(got.ends_with("Request body timed out"), "{route}: {got}");
    }
}

#[tokio::test]
async fn every_route_caps_its_body() {
    let node = start_limited(HttpLimits::default()).await;
    let big = vec![b' '; session_node::server::MAX_BODY + 1];
    let client = reqwest::Client::new();
    for route in ["/storage_rpc/v1", "/onion_req/v2", "/json_rpc"] {
        let r = client
            .post(format!("{}{route}", node.url))
            .body(big.clone())
            .send()
            .await
            .unwrap();
        assert_eq!(r.status(), 413, "{route} with Content-Length");
        // Streamed in chunks without a length: cut at the cap, whatever the client sends.
        let head =
            format!("POST {route} HTTP/1.1\r\nHost: n\r\nTransfer-Encoding: chunked\r\n\r\n");
        let mut s = stalled(&node, "127.0.0.1", head.as_bytes()).await;
        let chunk = [
            format!("{:x}\r\n", 1 << 20).into_bytes(),
            vec![b' '; 1 << 20],
            b"\r\n".to_vec(),
        ]
        .concat();
        for _ in 0..11 {
            if s.write_all(&chunk).await.is_err() {
                break; // the node answered and closed
            }
        }
        let got = closed_within(&mut s, Duration::from_secs(5))
            .await
            .unwrap_or_default();
        assert!(got.starts_with("HTTP/1.1 413"), "{route} streamed: {got}");
    }
}
