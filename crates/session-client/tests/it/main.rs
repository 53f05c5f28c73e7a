//! Integration tests: the client's file transfers against a real file server
//! (`session_fileserver::run` on 127.0.0.1:0 over a temporary data directory), reached through
//! real 3-hop onion requests peeled by fake loopback nodes ([`nodes`]).
#![allow(clippy::unwrap_used, clippy::expect_used, missing_docs)]

mod community;
mod community_bad;
mod community_vectors;
mod files;
mod nodes;

use session_client::fileserver::FileServer;
use session_client::{OnionClient, OnionConfig};
use session_onion::{Node, Protocol};
use std::path::PathBuf;
use std::sync::Arc;
use std::time::Duration;
use tokio_util::sync::CancellationToken;

/// A running file server.
pub struct Srv {
    pub server: FileServer,
    pub dir: Arc<tempfile::TempDir>,
    shutdown: CancellationToken,
}

impl Srv {
    pub async fn start() -> Self {
        let dir = Arc::new(tempfile::tempdir().unwrap());
        let x25519 = session_fileserver::key::public_key(dir.path(), &mut rand::rng()).unwrap();
        let listener = tokio::net::TcpListener::bind("127.0.0.1:0").await.unwrap();
        let port = listener.local_addr().unwrap().port();
        let mut cfg = session_fileserver::Config::new(dir.path());
        // The blob of a 10,000,000-byte file (what Session clients may send) is 10,223,616
        // bytes; the server's default limit (10,000,000) counts blob bytes and would refuse it.
        cfg.max_file_size = session_crypto::attachment::encrypted_size(10_000_000) as u64;
        let shutdown = CancellationToken::new();
        let s = shutdown.clone();
        tokio::spawn(async move {
            session_fileserver::run(cfg, listener, s).await.unwrap();
        });
        Self {
            server: FileServer {
                protocol: Protocol::Http,
                host: "127.0.0.1".into(),
                port,
                x25519,
            },
            dir,
            shutdown,
        }
    }

    /// The stored blob of file `id`.
    pub fn blob_path(&self, id: &str) -> PathBuf {
        self.dir.path().join("files").join(id)
    }
}

impl Drop for Srv {
    fn drop(&mut self) {
        self.shutdown.cancel();
    }
}

/// An onion client over `nodes` with short timeouts.
pub fn onion(nodes: &[Node]) -> OnionClient {
    let config = OnionConfig {
        request_timeout: Duration::from_secs(20),
        ..OnionConfig::devnet()
    };
    OnionClient::new(config, nodes.to_vec())
}
