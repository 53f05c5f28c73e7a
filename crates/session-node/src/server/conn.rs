//! The HTTP listener's connection handling: admission (a cap on open connections, in all and
//! per client IP) and HTTP/1 with a deadline for each request's head, so that slow or idle
//! clients cannot hold the node's sockets and everyone else keeps being served.
//!
//! A connection over a cap is closed as soon as it is accepted (the client sees the connection
//! end before any answer). A request head not complete within [`HttpLimits::header_timeout`]
//! closes its connection (hyper's header read timeout, which also bounds an idle keep-alive
//! connection); a body not complete within [`HttpLimits::body_timeout`] is answered 408.

use axum::Router;
use axum::extract::ConnectInfo;
use hyper::body::Incoming;
use hyper_util::rt::{TokioIo, TokioTimer};
use std::collections::HashMap;
use std::net::{IpAddr, SocketAddr};
use std::sync::{Arc, Mutex};
use std::time::Duration;
use tokio::net::{TcpListener, TcpStream};
use tokio_util::sync::CancellationToken;
use tokio_util::task::TaskTracker;
use tower::ServiceExt as _;

/// Connection and request limits of the HTTP listener.
#[derive(Clone, Copy, Debug, PartialEq, Eq)]
pub struct HttpLimits {
    /// Open connections at most, in all.
    pub max_connections: usize,
    /// Open connections at most from one IP address.
    pub max_per_ip: usize,
    /// Time for a request's head (request line and headers) to arrive, counted from the
    /// connection's start or the end of its previous request.
    pub header_timeout: Duration,
    /// Time for a request's body to arrive once its head has.
    pub body_timeout: Duration,
}

impl Default for HttpLimits {
    fn default() -> Self {
        Self {
            max_connections: 4_096,
            max_per_ip: 128,
            header_timeout: Duration::from_secs(10),
            body_timeout: Duration::from_secs(30),
        }
    }
}

/// Who holds the open connections.
#[derive(Debug)]
pub(crate) struct Admission {
    limits: HttpLimits,
    open: Mutex<(usize, HashMap<IpAddr, usize>)>,
}

/// One admitted connection; counted until dropped.
#[derive(Debug)]
pub(crate) struct Admitted {
    admission: Arc<Admission>,
    ip: IpAddr,
}

impl Admission {
    pub(crate) fn new(limits: HttpLimits) -> Arc<Self> {
        Arc::new(Self {
            limits,
            open: Mutex::default(),
        })
    }

    /// Admits a connection from `ip`, or `None` when a cap is reached.
    pub(crate) fn admit(self: &Arc<Self>, ip: IpAddr) -> Option<Admitted> {
        let mut open = self.open.lock().unwrap_or_else(|e| e.into_inner());
        let (total, per_ip) = &mut *open;
        let from_ip = per_ip.entry(ip).or_default();
        if *total >= self.limits.max_connections || *from_ip >= self.limits.max_per_ip {
            if *from_ip == 0 {
                per_ip.remove(&ip);
            }
            return None;
        }
        *total += 1;
        *from_ip += 1;
        Some(Admitted {
            admission: self.clone(),
            ip,
        })
    }

    /// Open connections: in all, and from `ip`.
    #[cfg(test)]
    pub(crate) fn open(&self, ip: IpAddr) -> (usize, usize) {
        let open = self.open.lock().unwrap_or_else(|e| e.into_inner());
        (open.0, open.1.get(&ip).copied().unwrap_or(0))
    }
}

impl Drop for Admitted {
    fn drop(&mut self) {
        let mut open = self
            .admission
            .open
            .lock()
            .unwrap_or_else(|e| e.into_inner());
        let (total, per_ip) = &mut *open;
        *total -= 1;
        if let Some(n) = per_ip.get_mut(&self.ip) {
            *n -= 1;
            if *n == 0 {
                per_ip.remove(&self.ip);
            }
        }
    }
}

/// Serves `app` on `listener` under `limits` until `shutdown`; then stops accepting, lets
/// requests in flight finish, and returns when every connection has closed.
pub(crate) async fn serve(
    app: Router,
    listener: TcpListener,
    limits: HttpLimits,
    shutdown: CancellationToken,
) {
    let admission = Admission::new(limits);
    let connections = TaskTracker::new();
    loop {
        let accepted = tokio::select! {
            () = shutdown.cancelled() => break,
            accepted = listener.accept() => accepted,
        };
        let (stream, addr) = match accepted {
            Ok(a) => a,
            Err(e) => {
                // Out of descriptors or a connection reset before accept: wait a little.
                tracing::debug!(error = %e, "accept failed");
                tokio::time::sleep(Duration::from_millis(10)).await;
                continue;
            }
        };
        let Some(admitted) = admission.admit(addr.ip().to_canonical()) else {
            tracing::debug!(peer = %addr, "connection refused: too many open");
            drop(stream);
            continue;
        };
        let (app, shutdown) = (app.clone(), shutdown.clone());
        connections.spawn(async move {
            serve_connection(app, stream, addr, limits.header_timeout, shutdown).await;
            drop(admitted);
        });
    }
    connections.close();
    connections.wait().await;
}

async fn serve_connection(
    app: Router,
    stream: TcpStream,
    addr: SocketAddr,
    header_timeout: Duration,
    shutdown: CancellationToken,
) {
    let service = hyper::service::service_fn(move |mut req: hyper::Request<Incoming>| {
        req.extensions_mut().insert(ConnectInfo(addr));
        app.clone().oneshot(req.map(axum::body::Body::new))
    });
    let conn = hyper::server::conn::http1::Builder::new()
        .timer(TokioTimer::new())
        .header_read_timeout(header_timeout)
        .serve_connection(TokioIo::new(stream), service);
    let mut conn = std::pin::pin!(conn);
    let result = tokio::select! {
        result = conn.as_mut() => result,
        () = shutdown.cancelled() => {
            conn.as_mut().graceful_shutdown();
            conn.await
        }
    };
    if let Err(e) = result {
        tracing::trace!(peer = %addr, error = %e, "connection ended");
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn admission_caps_in_all_and_per_ip_and_frees_on_drop() {
        let adm = Admission::new(HttpLimits {
            max_connections: 3,
            max_per_ip: 2,
            ..HttpLimits::default()
        });
        let (a, b): (IpAddr, IpAddr) = ("127.0.0.1".parse().unwrap(), "127.0.0.2".parse().unwrap());
        let a1 = adm.admit(a).expect("first");
        let _a2 = adm.admit(a).expect("second");
        assert!(adm.admit(a).is_none(), "per-IP cap");
        let _b1 = adm.admit(b).expect("another IP");
        assert!(adm.admit(b).is_none(), "total cap");
        assert_eq!(adm.open(a), (3, 2));
        drop(a1);
        assert_eq!(adm.open(a), (2, 1));
        let _b2 = adm.admit(b).expect("room again");
        assert_eq!(adm.open(b), (3, 2));
        assert_eq!(
            adm.open.lock().unwrap().1.len(),
            2,
            "no entry left for refused IPs"
        );
    }
}
