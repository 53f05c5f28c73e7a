//! A peer that streams without end on the internal gRPC port (issue 21), over a raw HTTP/2
//! connection to a real node's listener: a request announcing a message over the cap is
//! refused at once, one that trickles its body is cut at the call deadline, and meanwhile the
//! node answers storage requests.

use crate::support::{TestNode, User, retrieve, start_with_grpc, store_public};
use axum::body::Body;
use http_body_util::BodyExt as _;
use hyper_util::rt::{TokioExecutor, TokioIo};
use session_node::server::grpc::CALL_TIMEOUT;
use std::net::SocketAddr;
use std::time::{Duration, Instant};
use tokio::io::{AsyncWriteExt as _, DuplexStream};

/// A `Forward` call whose body is whatever the test writes into the returned pipe; resolves
/// to the call's `grpc-status` (from the headers of a trailers-only answer, or the trailers).
async fn open_call(
    grpc: SocketAddr,
) -> (
    DuplexStream,
    tokio::task::JoinHandle<Result<String, String>>,
) {
    let tcp = tokio::net::TcpStream::connect(grpc).await.unwrap();
    let (mut sender, conn) =
        hyper::client::conn::http2::handshake(TokioExecutor::new(), TokioIo::new(tcp))
            .await
            .unwrap();
    tokio::spawn(conn);
    let (writer, reader) = tokio::io::duplex(64 * 1024);
    let body = Body::from_stream(tokio_util::io::ReaderStream::new(reader));
    let request = hyper::Request::post(format!(
        "http://{grpc}/session.internal.v1.NodeInternal/Forward"
    ))
    .header("content-type", "application/grpc")
    .header("te", "trailers")
    .body(body)
    .unwrap();
    let call = tokio::spawn(async move {
        let response = sender
            .send_request(request)
            .await
            .map_err(|e| format!("send: {e}"))?;
        if let Some(s) = response.headers().get("grpc-status") {
            return Ok(s.to_str().unwrap_or("?").to_owned());
        }
        let collected = response
            .into_body()
            .collect()
            .await
            .map_err(|e| format!("body: {e}"))?;
        let trailers = collected.trailers().cloned().unwrap_or_default();
        Ok(trailers
            .get("grpc-status")
            .map_or("none".to_owned(), |s| s.to_str().unwrap_or("?").to_owned()))
    });
    (writer, call)
}

/// A gRPC frame header: uncompressed, `len` bytes of message announced.
fn frame_header(len: u32) -> [u8; 5] {
    let [a, b, c, d] = len.to_be_bytes();
    [0, a, b, c, d]
}

/// The node still stores and serves while an endless call is open.
async fn serves_others(node: &TestNode, n: u8) {
    let user = User::new(n);
    let hash = store_public(node, &user, b"still serving").await;
    let got = retrieve(node, &user, 0).await;
    assert_eq!(got.code, 200, "{}", got.text);
    assert!(got.text.contains(&hash), "{}", got.text);
}

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn a_message_announced_over_the_cap_is_refused_without_reading_it() {
    let node = start_with_grpc().await;
    let (mut pipe, call) = open_call(grpc_of(&node)).await;
    pipe.write_all(&frame_header(u32::MAX >> 1)).await.unwrap();
    // Keep streaming until the node gives up on the call (or 64 MiB: it never read them all).
    let chunk = vec![0x55u8; 64 * 1024];
    let mut sent = 0usize;
    while !call.is_finished() && sent < 64 << 20 {
        if pipe.write_all(&chunk).await.is_err() {
            break;
        }
        sent += chunk.len();
    }
    let status = tokio::time::timeout(Duration::from_secs(10), call)
        .await
        .expect("the node answers the call")
        .unwrap();
    drop(pipe);
    // OUT_OF_RANGE: tonic's answer to an announced length over the 16 MiB decoding cap.
    assert_eq!(status, Ok("11".to_owned()), "after {sent} bytes");
    assert!(sent < 32 << 20, "the node read {sent} bytes of it");
    serves_others(&node, 1).await;
}

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn a_trickling_call_is_cut_at_the_deadline_while_others_are_served() {
    let node = start_with_grpc().await;
    let calls = trickling_calls(&node, 8).await;
    let start = Instant::now();
    let mut pipes = Vec::new();
    let mut handles = Vec::new();
    for (pipe, call) in calls {
        pipes.push(pipe);
        handles.push(call);
    }
    let mut round = 0u8;
    while !handles.iter().all(tokio::task::JoinHandle::is_finished) {
        assert!(
            start.elapsed() < CALL_TIMEOUT + Duration::from_secs(15),
            "trickling calls still open after {:?}",
            start.elapsed()
        );
        for pipe in &mut pipes {
            let _ = pipe.write_all(&[0x42]).await;
        }
        round = round.wrapping_add(1);
        if round.is_multiple_of(10) {
            serves_others(&node, round / 10).await;
        }
        tokio::time::sleep(Duration::from_millis(500)).await;
    }
    let cut_after = start.elapsed();
    for call in handles {
        let status = call.await.unwrap();
        // CANCELLED: the server's call timeout ("Timeout expired").
        assert_eq!(status, Ok("1".to_owned()), "cut after {cut_after:?}");
    }
    assert!(
        cut_after + Duration::from_secs(1) >= CALL_TIMEOUT,
        "cut after {cut_after:?}, before the deadline"
    );
    serves_others(&node, 200).await;
}

fn grpc_of(node: &TestNode) -> SocketAddr {
    node.grpc.expect("started with gRPC")
}

/// `n` calls, each announcing a 1 MiB message.
async fn trickling_calls(
    node: &TestNode,
    n: usize,
) -> Vec<(
    DuplexStream,
    tokio::task::JoinHandle<Result<String, String>>,
)> {
    let mut calls = Vec::new();
    for _ in 0..n {
        let (mut pipe, call) = open_call(grpc_of(node)).await;
        pipe.write_all(&frame_header(1 << 20)).await.unwrap();
        calls.push((pipe, call));
    }
    calls
}
